package schedules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MergeHook carries work schedules to successor units when units merge or
// split: the schedules of the week the change takes effect and of later
// weeks move to the successor (Move.TargetFor(HookName, scheduleID); the
// first successor by default). Where the successor already has a schedule
// for that week the entries join it, and the joined schedule is published
// if either was, so nothing once published disappears. Entries of those
// weeks prepared by a source unit name the successor instead. Earlier
// weeks stay with the unit they belonged to; successors see them through
// the succession links.
type MergeHook struct{}

// HookName labels the hook's part of a merge report and its split mappings.
const HookName = "Lịch công tác"

// Name labels the hook's part of a merge report.
func (MergeHook) Name() string { return HookName }

// MoveOpen moves the schedules of m.Sources inside tx.
func (MergeHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: HookName}
	from := WeekOf(m.EffectiveDate).Start()
	type schedRow struct {
		id, unitID  int64
		unitName    string
		week        Week
		status      string
		publishedAt *time.Time
		publishedBy *int64
	}
	rows, _ := tx.Query(ctx, `
		SELECT s.id, s.unit_id, u.name, s.week_start, s.status, s.published_at, s.published_by
		FROM schedules s JOIN units u ON u.id = s.unit_id
		WHERE s.unit_id = ANY($1) AND s.week_start >= $2
		ORDER BY s.week_start, s.unit_id
		FOR UPDATE OF s`, m.Sources, from)
	var list []schedRow
	var r schedRow
	var start time.Time
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.unitID, &r.unitName, &start, &r.status, &r.publishedAt, &r.publishedBy}, func() error {
		r.week = WeekOf(start)
		list = append(list, r)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list schedules: %w", err)
	}
	names := map[int64]string{}
	nameOf := func(id int64) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		var n string
		err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, id).Scan(&n)
		names[id] = n
		return n, err
	}
	for _, s := range list {
		target := m.TargetFor(HookName, s.id)
		tname, err := nameOf(target)
		if err != nil {
			return res, err
		}
		var existing int64
		var existingStatus string
		err = tx.QueryRow(ctx, `SELECT id, status FROM schedules WHERE unit_id = $1 AND week_start = $2 FOR UPDATE`,
			target, s.week.Start()).Scan(&existing, &existingStatus)
		desc := fmt.Sprintf("Lịch công tác tuần %d/%d của %s → %s", s.week.Num, s.week.Year, s.unitName, tname)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, `UPDATE schedules SET unit_id = $2, updated_at = now() WHERE id = $1`, s.id, target); err != nil {
				return res, fmt.Errorf("move schedule %d: %w", s.id, err)
			}
		case err != nil:
			return res, fmt.Errorf("find successor schedule: %w", err)
		default:
			if _, err := tx.Exec(ctx, `UPDATE schedule_entries SET schedule_id = $2, updated_at = now() WHERE schedule_id = $1`,
				s.id, existing); err != nil {
				return res, fmt.Errorf("join schedule %d: %w", s.id, err)
			}
			if s.status == StatusPublished && existingStatus != StatusPublished {
				if _, err := tx.Exec(ctx, `UPDATE schedules SET status = 'published', published_at = $2, published_by = $3 WHERE id = $1`,
					existing, s.publishedAt, s.publishedBy); err != nil {
					return res, fmt.Errorf("publish joined schedule: %w", err)
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM schedules WHERE id = $1`, s.id); err != nil {
				return res, fmt.Errorf("remove joined schedule: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE schedules SET updated_at = now() WHERE id = $1`, existing); err != nil {
				return res, err
			}
			desc += " (gộp vào lịch đã có của đơn vị kế thừa)"
		}
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, desc)
		}
	}
	// Who prepares: the successor takes over the sources' part.
	tag, err := tx.Exec(ctx, `
		UPDATE schedule_entries SET preparer_unit_id = $2, updated_at = now()
		WHERE preparer_unit_id = ANY($1) AND day >= $3`, m.Sources, m.Targets[0], from)
	if err != nil {
		return res, fmt.Errorf("move preparing units: %w", err)
	}
	if n := tag.RowsAffected(); n > 0 {
		tname, err := nameOf(m.Targets[0])
		if err != nil {
			return res, err
		}
		res.Moved += int(n)
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, fmt.Sprintf("%d mục lịch chuyển đơn vị chuẩn bị sang %s", n, tname))
		}
	}
	return res, nil
}
