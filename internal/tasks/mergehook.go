package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MergeHook carries open tasks to the successor when units merge or
// split: a task still open (or awaiting acceptance) that a source unit
// gave moves its assigning unit, and a source unit's part in it (lead or
// cooperating) goes to the successor; when the successor already had a
// part, the two become one, keeping the lead. Finished tasks keep the
// units they had. In a split, tasks go to Move.TargetFor(HookName, taskID).
type MergeHook struct{}

// HookName labels the hook's part of a merge report and its split mappings.
const HookName = "Công việc đang thực hiện"

// Name labels the hook's part of a merge report.
func (MergeHook) Name() string { return HookName }

const movableStatuses = `('new', 'in_progress', 'returned', 'completed')`

// MoveOpen moves the open tasks of m.Sources inside tx.
func (MergeHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: HookName}
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
	item := func(s string) {
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, s)
		}
	}

	// Tasks given by a source unit.
	type owned struct {
		id     int64
		title  string
		source int64
	}
	rows, _ := tx.Query(ctx, `
		SELECT id, title, unit_id FROM tasks
		WHERE unit_id = ANY($1) AND status IN `+movableStatuses+`
		ORDER BY id FOR UPDATE`, m.Sources)
	var given []owned
	var o owned
	if _, err := pgx.ForEachRow(rows, []any{&o.id, &o.title, &o.source}, func() error {
		given = append(given, o)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open tasks given by the sources: %w", err)
	}
	for _, o := range given {
		target := m.TargetFor(HookName, o.id)
		if _, err := tx.Exec(ctx, `UPDATE tasks SET unit_id = $2, updated_at = now() WHERE id = $1`, o.id, target); err != nil {
			return res, fmt.Errorf("move task %d: %w", o.id, err)
		}
		name, err := nameOf(target)
		if err != nil {
			return res, err
		}
		if err := addTaskEvent(ctx, tx, o.id, 0, "moved", map[string]any{"part": "assigning_unit", "from": o.source, "to": target, "to_name": name}); err != nil {
			return res, err
		}
		item(fmt.Sprintf("Công việc #%d (đơn vị giao): %s → %s", o.id, short(o.title), name))
	}

	// Parts of open tasks assigned to a source unit.
	type part struct {
		id, taskID, unitID int64
		role, title        string
	}
	rows, _ = tx.Query(ctx, `
		SELECT ta.id, ta.task_id, ta.unit_id, ta.role, t.title
		FROM task_assignees ta JOIN tasks t ON t.id = ta.task_id
		WHERE ta.unit_id = ANY($1) AND t.status IN `+movableStatuses+`
		ORDER BY ta.task_id, ta.id FOR UPDATE OF ta`, m.Sources)
	var parts []part
	var p part
	if _, err := pgx.ForEachRow(rows, []any{&p.id, &p.taskID, &p.unitID, &p.role, &p.title}, func() error {
		parts = append(parts, p)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open task parts of the sources: %w", err)
	}
	for _, p := range parts {
		target := m.TargetFor(HookName, p.taskID)
		var existing int64
		var existingRole string
		err := tx.QueryRow(ctx, `SELECT id, role FROM task_assignees WHERE task_id = $1 AND unit_id = $2`, p.taskID, target).Scan(&existing, &existingRole)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, `UPDATE task_assignees SET unit_id = $2 WHERE id = $1`, p.id, target); err != nil {
				return res, fmt.Errorf("move task part %d: %w", p.id, err)
			}
		case err != nil:
			return res, err
		default:
			// The successor already has a part: one part, the lead kept.
			if _, err := tx.Exec(ctx, `DELETE FROM task_assignees WHERE id = $1`, p.id); err != nil {
				return res, fmt.Errorf("merge task part %d: %w", p.id, err)
			}
			if p.role == RoleLead && existingRole != RoleLead {
				if _, err := tx.Exec(ctx, `UPDATE task_assignees SET role = 'lead' WHERE id = $1`, existing); err != nil {
					return res, fmt.Errorf("merge task part %d: %w", p.id, err)
				}
			}
		}
		name, err := nameOf(target)
		if err != nil {
			return res, err
		}
		if err := addTaskEvent(ctx, tx, p.taskID, 0, "moved", map[string]any{"part": p.role, "from": p.unitID, "to": target, "to_name": name}); err != nil {
			return res, err
		}
		item(fmt.Sprintf("Công việc #%d (%s): %s → %s", p.taskID, lower(RoleLabel(p.role)), short(p.title), name))
	}
	return res, nil
}

func lower(s string) string {
	switch s {
	case "Chủ trì":
		return "chủ trì"
	case "Phối hợp":
		return "phối hợp"
	}
	return s
}
