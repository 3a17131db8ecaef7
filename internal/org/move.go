package org

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// MoveHook lets a capability carry its open records (documents in
// handling, registers, tasks, files, memberships…) from predecessor units
// to their successors when units merge or split. Old, finished records keep
// the unit they belonged to.
type MoveHook interface {
	// Name is a short Vietnamese label for the report, e.g. "Thành viên".
	Name() string
	// MoveOpen moves the hook's open records inside tx and says what moved.
	MoveOpen(ctx context.Context, tx pgx.Tx, m Move) (HookResult, error)
}

// Move tells a hook what is happening.
type Move struct {
	Kind          string // merge or split
	Sources       []int64
	Targets       []int64
	EffectiveDate time.Time
	// assign holds split mappings: hook name → record id → target id.
	assign map[string]map[int64]int64
}

// TargetFor returns where a record of a source goes: the mapped target for
// a split when the administrator chose one, else the first target.
func (m Move) TargetFor(hook string, recordID int64) int64 {
	if t, ok := m.assign[hook][recordID]; ok {
		return t
	}
	return m.Targets[0]
}

// HookResult is one hook's part of the report.
type HookResult struct {
	Hook  string   `json:"hook"`
	Moved int      `json:"moved"`
	Items []string `json:"items,omitempty"` // human-readable descriptions, at most MaxReportItems
}

// MaxReportItems caps the descriptions a hook lists; Moved still counts all.
const MaxReportItems = 200

// RegisterMoveHook adds a hook; every capability with open records that
// belong to units registers one when the server is wired.
func (s *Store) RegisterMoveHook(h MoveHook) { s.hooks = append(s.hooks, h) }

// UnitRef names a unit in a report.
type UnitRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code,omitempty"`
}

func refOf(u Unit) UnitRef { return UnitRef{ID: u.ID, Name: u.Name, Code: u.CodeString()} }

// MoveReport is the preview or the result of a merge or split.
type MoveReport struct {
	Kind          string       `json:"kind"`
	DryRun        bool         `json:"dry_run"`
	EventID       int64        `json:"event_id,omitempty"`
	EffectiveDate string       `json:"effective_date"`
	LegalBasis    string       `json:"legal_basis"`
	Sources       []UnitRef    `json:"sources"`
	Targets       []UnitRef    `json:"targets"`
	NewTargets    []UnitRef    `json:"new_targets,omitempty"`
	Children      []UnitRef    `json:"children_moved"`
	Hooks         []HookResult `json:"moved"`
}

// NewUnit describes a unit to create.
type NewUnit struct {
	Name     string `json:"name"`
	Code     string `json:"code"`
	Symbol   string `json:"symbol"`
	Level    Level  `json:"level"`
	Kind     string `json:"kind"`
	ParentID int64  `json:"parent_id"`
}

func (n *NewUnit) validate(prefix string, f apperr.Fields) {
	n.Name = strings.Join(strings.Fields(n.Name), " ")
	n.Code = strings.TrimSpace(n.Code)
	n.Symbol = strings.TrimSpace(n.Symbol)
	if n.Name == "" {
		f.Add(prefix+"name", "Vui lòng nhập tên đơn vị.")
	}
	if !n.Level.Valid() {
		f.Add(prefix+"level", "Vui lòng chọn cấp đơn vị hợp lệ.")
	}
}

// Actor is who asks for a change, for the audit log.
type Actor = audit.Actor

func entry(a Actor, action, objectType, objectID string, unitID int64, details map[string]any) audit.Entry {
	e := a.Entry(action, objectType, objectID, details)
	e.UnitID = unitID
	return e
}

// MergeRequest merges Sources into an existing TargetID or a new Target.
type MergeRequest struct {
	Sources       []int64
	TargetID      int64
	Target        *NewUnit
	EffectiveDate time.Time
	LegalBasis    string
	DryRun        bool
}

// SplitPart is one successor of a split with what goes to it.
type SplitPart struct {
	TargetID int64
	Target   *NewUnit
	Members  []int64 // user ids whose memberships in the source go here
	Children []int64 // child unit ids that go here
}

// SplitRequest splits Source into Parts; anything not mapped goes to the
// first part.
type SplitRequest struct {
	Source        int64
	Parts         []SplitPart
	EffectiveDate time.Time
	LegalBasis    string
	DryRun        bool
}

// errDryRun rolls a preview's transaction back after the report is built.
var errDryRun = fmt.Errorf("dry run")

// Merge merges units. A dry run performs the whole merge in a transaction
// and rolls it back, so the preview lists exactly what apply would do.
func (s *Store) Merge(ctx context.Context, actor Actor, req MergeRequest) (MoveReport, error) {
	f := apperr.Fields{}
	req.LegalBasis = strings.TrimSpace(req.LegalBasis)
	req.Sources = slices.Compact(slices.Sorted(slices.Values(req.Sources)))
	if req.Target != nil {
		req.Target.validate("target.", f)
		if len(req.Sources) < 2 {
			f.Add("sources", "Hợp nhất thành đơn vị mới cần ít nhất hai đơn vị nguồn.")
		}
	} else if req.TargetID == 0 {
		f.Add("target_id", "Vui lòng chọn đơn vị tiếp nhận hoặc khai báo đơn vị mới.")
	} else if len(req.Sources) < 1 {
		f.Add("sources", "Vui lòng chọn ít nhất một đơn vị được sáp nhập.")
	}
	if slices.Contains(req.Sources, req.TargetID) {
		f.Add("target_id", "Đơn vị tiếp nhận không được nằm trong danh sách đơn vị nguồn.")
	}
	checkEffective(req.EffectiveDate, req.LegalBasis, f)
	if err := f.Err(); err != nil {
		return MoveReport{}, err
	}
	var report MoveReport
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sources, err := s.lockCurrent(ctx, tx, req.Sources, req.EffectiveDate, "sources")
		if err != nil {
			return err
		}
		var target Unit
		var created []UnitRef
		if req.Target != nil {
			if err := s.refuseInsideSources(ctx, tx, req.Sources, req.Target.ParentID, "target.parent_id"); err != nil {
				return err
			}
			target, err = s.insertUnit(ctx, tx, *req.Target, req.EffectiveDate)
			if err != nil {
				return err
			}
			created = append(created, refOf(target))
		} else {
			ts, err := s.lockCurrent(ctx, tx, []int64{req.TargetID}, req.EffectiveDate, "target_id")
			if err != nil {
				return err
			}
			target = ts[0]
			if err := s.refuseInsideSources(ctx, tx, req.Sources, target.ID, "target_id"); err != nil {
				return err
			}
		}
		move := Move{Kind: "merge", Sources: req.Sources, Targets: []int64{target.ID}, EffectiveDate: req.EffectiveDate}
		report, err = s.applyMove(ctx, tx, actor, move, sources, []Unit{target}, created, nil, req.LegalBasis)
		if err != nil {
			return err
		}
		report.DryRun = req.DryRun
		if req.DryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		report.EventID = 0
		return report, nil
	}
	return report, err
}

// Split splits one unit into several.
func (s *Store) Split(ctx context.Context, actor Actor, req SplitRequest) (MoveReport, error) {
	f := apperr.Fields{}
	req.LegalBasis = strings.TrimSpace(req.LegalBasis)
	if req.Source == 0 {
		f.Add("source", "Vui lòng chọn đơn vị được chia tách.")
	}
	if len(req.Parts) < 2 {
		f.Add("parts", "Chia tách cần ít nhất hai đơn vị kế thừa.")
	}
	for i, p := range req.Parts {
		prefix := fmt.Sprintf("parts[%d].", i)
		switch {
		case p.Target != nil:
			p.Target.validate(prefix+"target.", f)
		case p.TargetID == 0:
			f.Add(prefix+"target_id", "Vui lòng chọn đơn vị kế thừa hoặc khai báo đơn vị mới.")
		case p.TargetID == req.Source:
			f.Add(prefix+"target_id", "Đơn vị kế thừa không được là chính đơn vị bị chia tách.")
		}
	}
	checkEffective(req.EffectiveDate, req.LegalBasis, f)
	if err := f.Err(); err != nil {
		return MoveReport{}, err
	}
	var report MoveReport
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sources, err := s.lockCurrent(ctx, tx, []int64{req.Source}, req.EffectiveDate, "source")
		if err != nil {
			return err
		}
		var targets []Unit
		var created []UnitRef
		assign := map[string]map[int64]int64{hookMembers: {}, hookChildren: {}}
		for i, p := range req.Parts {
			inside, field := p.TargetID, fmt.Sprintf("parts[%d].target_id", i)
			if p.Target != nil {
				inside, field = p.Target.ParentID, fmt.Sprintf("parts[%d].target.parent_id", i)
			}
			if err := s.refuseInsideSources(ctx, tx, []int64{req.Source}, inside, field); err != nil {
				return err
			}
			var t Unit
			if p.Target != nil {
				if t, err = s.insertUnit(ctx, tx, *p.Target, req.EffectiveDate); err != nil {
					return err
				}
				created = append(created, refOf(t))
			} else {
				ts, err := s.lockCurrent(ctx, tx, []int64{p.TargetID}, req.EffectiveDate, "parts")
				if err != nil {
					return err
				}
				t = ts[0]
			}
			targets = append(targets, t)
			for _, id := range p.Members {
				assign[hookMembers][id] = t.ID
			}
			for _, id := range p.Children {
				assign[hookChildren][id] = t.ID
			}
		}
		ids := make([]int64, len(targets))
		for i, t := range targets {
			ids[i] = t.ID
		}
		move := Move{Kind: "split", Sources: []int64{req.Source}, Targets: ids, EffectiveDate: req.EffectiveDate, assign: assign}
		report, err = s.applyMove(ctx, tx, actor, move, sources, targets, created, assign[hookChildren], req.LegalBasis)
		if err != nil {
			return err
		}
		report.DryRun = req.DryRun
		if req.DryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		report.EventID = 0
		return report, nil
	}
	return report, err
}

// Hook names used in split mappings.
const (
	hookMembers  = "memberships"
	hookChildren = "children"
)

// HookMembers is the name the memberships hook must use for split mappings.
const HookMembers = hookMembers

func checkEffective(d time.Time, legal string, f apperr.Fields) {
	if d.IsZero() {
		f.Add("effective_date", "Vui lòng nhập ngày có hiệu lực (dd/mm/yyyy).")
	} else if vntime.DateOf(d).After(vntime.Today()) {
		// Dates are days in Vietnam: comparing with the instant now refused
		// today's date between 00:00 and 07:00 Vietnam time.
		f.Add("effective_date", "Ngày có hiệu lực không được sau ngày hôm nay; hãy thực hiện khi quyết định đã có hiệu lực.")
	}
	if legal == "" {
		f.Add("legal_basis", "Vui lòng nhập căn cứ pháp lý (số, ký hiệu văn bản quyết định).")
	}
}

// lockCurrent locks units that must exist on day, in id order (no deadlock
// between concurrent merges).
func (s *Store) lockCurrent(ctx context.Context, tx pgx.Tx, ids []int64, day time.Time, field string) ([]Unit, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	rows, _ := tx.Query(ctx, `SELECT id FROM units WHERE id = ANY($1) ORDER BY id FOR UPDATE`, sorted)
	locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	if len(locked) != len(sorted) {
		return nil, apperr.Invalid("Có đơn vị không tồn tại.", map[string]string{field: "Có đơn vị không tồn tại."})
	}
	units := make([]Unit, 0, len(ids))
	for _, id := range sorted {
		u, err := s.Get(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if !u.Current(day) {
			msg := fmt.Sprintf("Đơn vị %q không còn hiệu lực vào ngày %s.", u.Name, day.Format("02/01/2006"))
			return nil, apperr.Invalid(msg, map[string]string{field: msg})
		}
		if !u.ValidFrom.Before(day) && field != "target_id" && field != "parts" {
			msg := fmt.Sprintf("Đơn vị %q mới có hiệu lực từ %s; ngày có hiệu lực phải sau ngày đó.", u.Name, u.ValidFrom.Format("02/01/2006"))
			return nil, apperr.Invalid(msg, map[string]string{"effective_date": msg})
		}
		units = append(units, u)
	}
	return units, nil
}

// refuseInsideSources refuses a target (or a new target's parent) that is
// one of the sources or lies below one: moving the sources' children there
// would make the tree a cycle.
func (s *Store) refuseInsideSources(ctx context.Context, tx pgx.Tx, sources []int64, unit int64, field string) error {
	if unit == 0 {
		return nil
	}
	var inside bool
	err := tx.QueryRow(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id
			WHERE u.parent_id IS NOT NULL AND up.depth < 100
		)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ANY($2))`, unit, sources).Scan(&inside)
	if err != nil {
		return fmt.Errorf("check target position: %w", err)
	}
	if inside {
		msg := "Đơn vị tiếp nhận không được là đơn vị nguồn hoặc đơn vị trực thuộc của đơn vị nguồn."
		return apperr.Invalid(msg, map[string]string{field: msg})
	}
	return nil
}

func (s *Store) insertUnit(ctx context.Context, tx pgx.Tx, n NewUnit, from time.Time) (Unit, error) {
	var code, parent any
	if n.Code != "" {
		code = n.Code
	}
	if n.ParentID != 0 {
		parent = n.ParentID
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO units (code, name, symbol, level, kind, parent_id, valid_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		code, n.Name, n.Symbol, n.Level, n.Kind, parent, from).Scan(&id)
	switch {
	case postgres.IsUniqueViolation(err, "units_code_period"):
		return Unit{}, apperr.Invalid("Mã đơn vị đã được dùng cho một đơn vị cùng cấp có hiệu lực từ cùng ngày.",
			map[string]string{"code": "Mã đơn vị đã được dùng."})
	case postgres.IsForeignKeyViolation(err, ""):
		return Unit{}, apperr.Invalid("Đơn vị cấp trên không tồn tại.", map[string]string{"parent_id": "Đơn vị cấp trên không tồn tại."})
	case err != nil:
		return Unit{}, fmt.Errorf("insert unit: %w", err)
	}
	return s.Get(ctx, tx, id)
}

// applyMove is the common body of merge and split: close the sources,
// record the event and links, re-parent children, run every hook, store
// the report and audit it, all in tx.
func (s *Store) applyMove(ctx context.Context, tx pgx.Tx, actor Actor, m Move, sources, targets []Unit,
	created []UnitRef, childTargets map[int64]int64, legal string) (MoveReport, error) {
	report := MoveReport{Kind: m.Kind, EffectiveDate: m.EffectiveDate.Format(time.DateOnly), LegalBasis: legal,
		NewTargets: created, Children: []UnitRef{}, Hooks: []HookResult{}}
	for _, u := range sources {
		report.Sources = append(report.Sources, refOf(u))
	}
	for _, u := range targets {
		report.Targets = append(report.Targets, refOf(u))
	}
	lastDay := m.EffectiveDate.AddDate(0, 0, -1)
	if _, err := tx.Exec(ctx, `UPDATE units SET valid_to = $2, updated_at = now() WHERE id = ANY($1)`, m.Sources, lastDay); err != nil {
		return report, fmt.Errorf("close sources: %w", err)
	}
	var eventID int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO unit_events (kind, effective_date, legal_basis, created_by)
		VALUES ($1, $2, $3, $4) RETURNING id`, m.Kind, m.EffectiveDate, legal, nullID(actor.UserID)).Scan(&eventID); err != nil {
		return report, fmt.Errorf("record event: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO unit_succession (event_id, predecessor_id, successor_id)
		SELECT $1, s, t FROM unnest($2::bigint[]) s, unnest($3::bigint[]) t`, eventID, m.Sources, m.Targets); err != nil {
		return report, fmt.Errorf("record succession: %w", err)
	}
	// Current children of the sources follow them.
	rows, _ := tx.Query(ctx, `
		SELECT id, name, coalesce(code, '') FROM units
		WHERE parent_id = ANY($1) AND valid_to IS NULL ORDER BY name, id`, m.Sources)
	var children []UnitRef
	var ref UnitRef
	if _, err := pgx.ForEachRow(rows, []any{&ref.ID, &ref.Name, &ref.Code}, func() error {
		children = append(children, ref)
		return nil
	}); err != nil {
		return report, fmt.Errorf("list children: %w", err)
	}
	for _, c := range children {
		target := m.Targets[0]
		if t, ok := childTargets[c.ID]; ok {
			target = t
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET parent_id = $2, updated_at = now() WHERE id = $1`, c.ID, target); err != nil {
			return report, fmt.Errorf("move child unit: %w", err)
		}
		report.Children = append(report.Children, c)
	}
	for _, h := range s.hooks {
		res, err := h.MoveOpen(ctx, tx, m)
		if err != nil {
			return report, fmt.Errorf("move %s: %w", h.Name(), err)
		}
		if res.Hook == "" {
			res.Hook = h.Name()
		}
		report.Hooks = append(report.Hooks, res)
	}
	report.EventID = eventID
	raw, err := json.Marshal(report)
	if err != nil {
		return report, err
	}
	if _, err := tx.Exec(ctx, `UPDATE unit_events SET report = $2 WHERE id = $1`, eventID, raw); err != nil {
		return report, fmt.Errorf("store report: %w", err)
	}
	if err := audit.Record(ctx, tx, entry(actor, "unit."+m.Kind, "unit_event", fmt.Sprint(eventID), m.Targets[0],
		map[string]any{"sources": m.Sources, "targets": m.Targets, "effective_date": report.EffectiveDate})); err != nil {
		return report, err
	}
	return report, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
