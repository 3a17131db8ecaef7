package routing

import (
	"context"
	"fmt"
	"unicode"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MergeHook carries open handling from predecessor units to their
// successors when units merge or split: documents still being handled
// (01, 03, 04, 05) change owning unit, open assignments to a source unit
// go to its successor (which is granted the document), and active
// registers move with their numbering (renamed when the successor already
// has a register of that name; the successor's default stays the
// default). Finished documents keep the unit they belonged to. Outgoing
// documents are left to outgoing.MergeHook: their open state is not the
// 01–06 status, and an issued one keeps the unit that issued it.
//
// In a split, documents and the assignments on them go to
// Move.TargetFor(HookName, documentID), registers to the first successor.
type MergeHook struct{}

// HookName labels the hook's part of a merge report and its split mappings.
const HookName = "Văn bản đang xử lý, sổ văn bản"

// Name labels the hook's part of a merge report.
func (MergeHook) Name() string { return HookName }

// MoveOpen moves the open records of m.Sources inside tx.
func (MergeHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: HookName}
	item := func(s string) {
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, s)
		}
	}
	targetName := map[int64]string{}
	nameOf := func(id int64) (string, error) {
		if n, ok := targetName[id]; ok {
			return n, nil
		}
		var n string
		err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, id).Scan(&n)
		targetName[id] = n
		return n, err
	}

	// Documents in handling.
	type docRow struct {
		id      int64
		number  *int
		symbol  string
		subject string
	}
	rows, _ := tx.Query(ctx, `
		SELECT id, arrival_number, symbol, subject FROM documents
		WHERE unit_id = ANY($1) AND status IN ('01', '03', '04', '05') AND direction <> 'outgoing'
		ORDER BY arrived_at NULLS LAST, id
		FOR UPDATE`, m.Sources)
	var docs []docRow
	var d docRow
	if _, err := pgx.ForEachRow(rows, []any{&d.id, &d.number, &d.symbol, &d.subject}, func() error {
		docs = append(docs, d)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open documents: %w", err)
	}
	for _, d := range docs {
		target := m.TargetFor(HookName, d.id)
		if _, err := tx.Exec(ctx, `UPDATE documents SET unit_id = $2, updated_at = now() WHERE id = $1`, d.id, target); err != nil {
			return res, fmt.Errorf("move document %d: %w", d.id, err)
		}
		name, err := nameOf(target)
		if err != nil {
			return res, err
		}
		label := "Văn bản"
		if d.number != nil {
			label += fmt.Sprintf(" số đến %d", *d.number)
		}
		if d.symbol != "" {
			label += " (" + d.symbol + ")"
		}
		item(fmt.Sprintf("%s: %s → %s", label, short(d.subject), name))
	}

	// Open assignments to the sources.
	type asgRow struct {
		id, docID int64
		role      string
		subject   string
	}
	rows, _ = tx.Query(ctx, `
		SELECT a.id, a.document_id, a.role, d.subject FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE a.assignee_unit_id = ANY($1) AND a.status IN ('assigned', 'in_progress', 'reassigned')
		ORDER BY a.id
		FOR UPDATE OF a`, m.Sources)
	var asgs []asgRow
	var a asgRow
	if _, err := pgx.ForEachRow(rows, []any{&a.id, &a.docID, &a.role, &a.subject}, func() error {
		asgs = append(asgs, a)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list open assignments: %w", err)
	}
	for _, a := range asgs {
		target := m.TargetFor(HookName, a.docID)
		if _, err := tx.Exec(ctx, `UPDATE assignments SET assignee_unit_id = $2 WHERE id = $1`, a.id, target); err != nil {
			return res, fmt.Errorf("move assignment %d: %w", a.id, err)
		}
		if err := grant(ctx, tx, a.docID, Assignee{UnitID: target}, 0); err != nil {
			return res, err
		}
		name, err := nameOf(target)
		if err != nil {
			return res, err
		}
		item(fmt.Sprintf("Việc %s: %s → %s", lowerFirst(RoleLabel(a.role)), short(a.subject), name))
	}

	// Active registers: a name the target already uses gets the source's
	// name appended; the target's default register stays the default.
	type regRow struct {
		id, unitID int64
		kind, name string
		isDefault  bool
		unitName   string
	}
	rows, _ = tx.Query(ctx, `
		SELECT r.id, r.unit_id, r.kind, r.name, r.is_default, u.name FROM registers r JOIN units u ON u.id = r.unit_id
		WHERE r.unit_id = ANY($1) AND r.active
		ORDER BY r.unit_id, r.is_default DESC, r.id
		FOR UPDATE OF r`, m.Sources)
	var regs []regRow
	var r regRow
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.unitID, &r.kind, &r.name, &r.isDefault, &r.unitName}, func() error {
		regs = append(regs, r)
		return nil
	}); err != nil {
		return res, fmt.Errorf("list registers: %w", err)
	}
	for _, r := range regs {
		// A split sends registers to the first successor (the mapping of
		// this hook is keyed by document id).
		target := m.Targets[0]
		name := r.name
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registers WHERE unit_id = $1 AND name = $2)`, target, name).Scan(&taken); err != nil {
			return res, err
		}
		if taken {
			name = r.name + " — " + r.unitName
			for i := 2; ; i++ {
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registers WHERE unit_id = $1 AND name = $2)`, target, name).Scan(&taken); err != nil {
					return res, err
				}
				if !taken || i > 50 {
					break
				}
				name = fmt.Sprintf("%s — %s (%d)", r.name, r.unitName, i)
			}
		}
		var hasDefault bool
		if r.isDefault {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registers WHERE unit_id = $1 AND kind = $2 AND is_default)`,
				target, r.kind).Scan(&hasDefault); err != nil {
				return res, err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE registers SET unit_id = $2, name = $3, is_default = is_default AND NOT $4 WHERE id = $1`,
			r.id, target, name, hasDefault); err != nil {
			return res, fmt.Errorf("move register %d: %w", r.id, err)
		}
		tname, err := nameOf(target)
		if err != nil {
			return res, err
		}
		desc := fmt.Sprintf("Sổ “%s” của %s → %s", r.name, r.unitName, tname)
		if name != r.name {
			desc += " (đổi tên thành “" + name + "”)"
		}
		item(desc)
	}
	return res, nil
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}
