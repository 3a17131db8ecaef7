package reports

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MergeHook carries reporting from predecessor units to their successors
// when units merge or split: active templates a source issued move to its
// successor (the first one of a split), a source listed as a recipient is
// replaced by its successors, and reports a source has not sent yet move to
// the successor unless it already has its own for that period (then they
// stay, visible to the successor through its predecessors). Reports already
// sent keep the unit that sent them.
type MergeHook struct{}

// HookName labels the hook's part of a merge report.
const HookName = "Báo cáo định kỳ"

// Name labels the hook's part of a merge report.
func (MergeHook) Name() string { return HookName }

// MoveOpen moves the open reporting of m.Sources inside tx.
func (MergeHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: HookName}
	item := func(s string) {
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, s)
		}
	}
	target := m.Targets[0]
	var targetName string
	if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, target).Scan(&targetName); err != nil {
		return res, err
	}

	rows, _ := tx.Query(ctx, `UPDATE report_templates SET issuer_unit_id = $2, updated_at = now()
		WHERE issuer_unit_id = ANY($1) AND active RETURNING name`, m.Sources, target)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return res, fmt.Errorf("move report templates: %w", err)
	}
	for _, n := range names {
		item(fmt.Sprintf("Mẫu báo cáo “%s” → %s ban hành", n, targetName))
	}

	rows, _ = tx.Query(ctx, `
		WITH gone AS (DELETE FROM report_template_units WHERE unit_id = ANY($1) RETURNING template_id),
		added AS (
			INSERT INTO report_template_units (template_id, unit_id)
			SELECT DISTINCT g.template_id, t.id FROM gone g CROSS JOIN unnest($2::bigint[]) AS t(id)
			ON CONFLICT DO NOTHING RETURNING template_id
		)
		SELECT DISTINCT rt.name FROM gone g JOIN report_templates rt ON rt.id = g.template_id ORDER BY 1`, m.Sources, m.Targets)
	names, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return res, fmt.Errorf("move report recipients: %w", err)
	}
	for _, n := range names {
		item(fmt.Sprintf("Danh sách đơn vị phải báo cáo của “%s”: thay bằng đơn vị kế thừa", n))
	}

	type open struct {
		id, period int64
		label, tpl string
	}
	rows, _ = tx.Query(ctx, `
		SELECT s.id, s.period_id, p.label, v.name FROM report_submissions s
		JOIN report_periods p ON p.id = s.period_id
		JOIN report_template_versions v ON v.template_id = s.template_id AND v.version = s.version
		WHERE s.unit_id = ANY($1) AND s.status IN ('pending', 'awaiting_approval', 'returned')
		ORDER BY s.id FOR UPDATE OF s`, m.Sources)
	var list []open
	var o open
	if _, err := pgx.ForEachRow(rows, []any{&o.id, &o.period, &o.label, &o.tpl}, func() error {
		list = append(list, o)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open reports: %w", err)
	}
	for _, o := range list {
		tag, err := tx.Exec(ctx, `UPDATE report_submissions SET unit_id = $2, updated_at = now() WHERE id = $1
			AND NOT EXISTS (SELECT 1 FROM report_submissions WHERE period_id = $3 AND unit_id = $2)`, o.id, target, o.period)
		if err != nil {
			return res, fmt.Errorf("move report %d: %w", o.id, err)
		}
		if tag.RowsAffected() == 1 {
			item(fmt.Sprintf("Báo cáo chưa nộp “%s” – %s → %s", o.tpl, o.label, targetName))
		}
	}
	return res, nil
}
