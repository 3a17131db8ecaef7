package outgoing

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MergeHook carries outgoing drafts in progress (draft, approved, returned)
// from predecessor units to their successor when units merge or split: the
// successor issues them, under its own name and number. Drafts anywhere
// that name a predecessor as a recipient now name its successor. Issued and
// recalled documents keep the unit that issued them.
//
// Outgoing registers are not moved here: routing.MergeHook moves every
// active register of the sources, outgoing ones included, with their
// numbering, and lists them in its part of the report.
type MergeHook struct{}

// HookName labels the hook's part of a merge report and its split mappings
// (document id → target).
const HookName = "Dự thảo văn bản đi"

// Name labels the hook's part of a merge report.
func (MergeHook) Name() string { return HookName }

// MoveOpen moves the open drafts of m.Sources inside tx.
func (MergeHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: HookName}
	item := func(s string) {
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, s)
		}
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

	type draftRow struct {
		id      int64
		state   string
		subject string
	}
	rows, _ := tx.Query(ctx, `
		SELECT id, outgoing_state, subject FROM documents
		WHERE direction = 'outgoing' AND outgoing_state IN ('draft', 'approved', 'returned') AND unit_id = ANY($1)
		ORDER BY id FOR UPDATE`, m.Sources)
	var drafts []draftRow
	var d draftRow
	if _, err := pgx.ForEachRow(rows, []any{&d.id, &d.state, &d.subject}, func() error {
		drafts = append(drafts, d)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open drafts: %w", err)
	}
	touched := map[int64]bool{}
	for _, d := range drafts {
		target := m.TargetFor(HookName, d.id)
		name, err := nameOf(target)
		if err != nil {
			return res, err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET unit_id = $2, organ_unit_id = $2, organ_name = $3, updated_at = now() WHERE id = $1`,
			d.id, target, name); err != nil {
			return res, fmt.Errorf("move draft %d: %w", d.id, err)
		}
		touched[d.id] = true
		item(fmt.Sprintf("Dự thảo “%s” (%s) → %s", shortText(d.subject), StateLabel(d.state), name))
	}

	// Recipients of open drafts that were a source unit become the
	// successor; a draft never sends to its own unit or to one unit twice.
	type rcptRow struct {
		id, docID, unitID, ownUnit int64
		subject, unitName          string
	}
	rows, _ = tx.Query(ctx, `
		SELECT r.id, r.document_id, r.unit_id, d.unit_id, d.subject, u.name
		FROM outgoing_recipients r JOIN documents d ON d.id = r.document_id JOIN units u ON u.id = r.unit_id
		WHERE r.unit_id = ANY($1) AND d.direction = 'outgoing' AND d.outgoing_state IN ('draft', 'approved', 'returned')
		ORDER BY r.document_id, r.position
		FOR UPDATE OF r`, m.Sources)
	var rcpts []rcptRow
	var r rcptRow
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.docID, &r.unitID, &r.ownUnit, &r.subject, &r.unitName}, func() error {
		rcpts = append(rcpts, r)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list draft recipients: %w", err)
	}
	for _, r := range rcpts {
		target := m.Targets[0]
		tname, err := nameOf(target)
		if err != nil {
			return res, err
		}
		var already bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outgoing_recipients WHERE document_id = $1 AND unit_id = $2)`,
			r.docID, target).Scan(&already); err != nil {
			return res, err
		}
		if already || r.ownUnit == target {
			if _, err := tx.Exec(ctx, `DELETE FROM outgoing_recipients WHERE id = $1`, r.id); err != nil {
				return res, fmt.Errorf("drop recipient %d: %w", r.id, err)
			}
			item(fmt.Sprintf("Nơi nhận “%s” của dự thảo “%s” được bỏ vì đã hợp nhất vào %s", r.unitName, shortText(r.subject), tname))
		} else {
			if _, err := tx.Exec(ctx, `UPDATE outgoing_recipients SET unit_id = $2 WHERE id = $1`, r.id, target); err != nil {
				return res, fmt.Errorf("move recipient %d: %w", r.id, err)
			}
			item(fmt.Sprintf("Nơi nhận “%s” của dự thảo “%s” → %s", r.unitName, shortText(r.subject), tname))
		}
		touched[r.docID] = true
	}
	// The recipients' line follows the recipients.
	for id := range touched {
		if _, err := tx.Exec(ctx, `
			UPDATE documents SET receivers = coalesce((
				SELECT string_agg(coalesce(u.name, r.organ_name), '; ' ORDER BY r.position)
				FROM outgoing_recipients r LEFT JOIN units u ON u.id = r.unit_id WHERE r.document_id = $1), '')
			WHERE id = $1`, id); err != nil {
			return res, fmt.Errorf("recipients line of draft %d: %w", id, err)
		}
	}
	return res, nil
}

// shortText keeps a report line readable.
func shortText(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	r := []rune(s)
	return string(r[:79]) + "…"
}
