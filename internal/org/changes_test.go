package org_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/platform/postgres/pgtest"
)

const legal = "Quyết định 326-QĐ/TW"

var (
	founded = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	// today is the effective date of changes: the latest date allowed.
	today = time.Now().UTC().Truncate(24 * time.Hour)
)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	units *org.Store
	users *identity.Store
	actor org.Actor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewPool(t)
	e := &env{t: t, ctx: context.Background(), db: db, units: org.NewStore(db), users: identity.NewStore(db)}
	e.units.RegisterMoveHook(identity.MembershipsHook{})
	admin, err := e.users.Create(e.ctx, db, identity.NewUser{Login: "quantri", FullName: "Nguyễn Quản Trị", Password: "Kiem-thu-don-vi-2026"})
	if err != nil {
		t.Fatal(err)
	}
	e.actor = org.Actor{UserID: admin.ID, Login: admin.Login, IP: "10.1.2.3", UserAgent: "org-test", RequestID: "req-1"}
	return e
}

// unit inserts a current unit founded on 2020-01-01.
func (e *env) unit(name string, level org.Level, parent int64) int64 {
	e.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, level, parent_id, valid_from) VALUES ($1, $2, $3, $4) RETURNING id`,
		name, level, p, founded).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) member(login string, unit int64, role identity.Role) int64 {
	e.t.Helper()
	u, err := e.users.GetByLogin(e.ctx, login)
	if errors.Is(err, identity.ErrUserNotFound) {
		u, err = e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "Kiem-thu-don-vi-2026"})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

func (e *env) get(id int64) org.Unit {
	e.t.Helper()
	u, err := e.units.Get(e.ctx, e.db, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *env) strings(sql string, args ...any) []string {
	e.t.Helper()
	rows, _ := e.db.Query(e.ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// invalid checks that err is an Invalid apperr whose field message
// contains want (Vietnamese).
func invalid(t *testing.T, err error, field, want string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("error %v, want an Invalid error on %s", err, field)
	}
	if !strings.Contains(e.Fields[field], want) {
		t.Fatalf("field %s = %q (all: %v), want it to contain %q", field, e.Fields[field], e.Fields, want)
	}
	if e.Message == "" {
		t.Fatal("no overall message")
	}
}

func dateOf(t *time.Time) string {
	if t == nil {
		return "<nil>"
	}
	return t.Format(time.DateOnly)
}

func TestCreateRenameMove(t *testing.T) {
	e := newEnv(t)
	root := e.unit("Ban Chấp hành Trung ương Đảng", org.LevelCentral, 0)

	_, err := e.units.Create(e.ctx, e.actor, org.NewUnit{Name: "  ", Level: "tinh"}, time.Time{}, legal)
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindInvalid || ae.Fields["name"] != "Vui lòng nhập tên đơn vị." ||
		ae.Fields["level"] == "" || ae.Fields["valid_from"] == "" {
		t.Fatalf("invalid new unit: %v", err)
	}
	_, err = e.units.Create(e.ctx, e.actor, org.NewUnit{Name: "Đơn vị mồ côi", Level: org.LevelBody, ParentID: 987654}, founded, legal)
	invalid(t, err, "parent_id", "không tồn tại")

	p, err := e.units.Create(e.ctx, e.actor, org.NewUnit{Name: " Tỉnh ủy   Thử nghiệm ", Code: " 99 ", Symbol: "TU", Level: org.LevelProvince,
		Kind: "Tỉnh ủy", ParentID: root}, founded.AddDate(1, 0, 0), legal)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Tỉnh ủy Thử nghiệm" || p.CodeString() != "99" || p.ParentID == nil || *p.ParentID != root ||
		!p.ValidFrom.Equal(founded.AddDate(1, 0, 0)) || p.ValidTo != nil {
		t.Fatalf("created %+v", p)
	}
	if e.count(`SELECT count(*) FROM unit_events WHERE kind = 'create' AND unit_id = $1 AND legal_basis = $2 AND new_value = $3`, p.ID, legal, p.Name) != 1 {
		t.Error("no create event")
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action = 'unit.create' AND object_id = $1 AND actor_id = $2 AND ip = '10.1.2.3'`,
		itoa(p.ID), e.actor.UserID) != 1 {
		t.Error("no audit entry for unit.create")
	}
	// The same code, level and start date again is refused.
	_, err = e.units.Create(e.ctx, e.actor, org.NewUnit{Name: "Tỉnh ủy Trùng mã", Code: "99", Level: org.LevelProvince, ParentID: root},
		founded.AddDate(1, 0, 0), legal)
	invalid(t, err, "code", "Mã đơn vị đã được dùng")

	// Rename.
	if err := e.units.Rename(e.ctx, e.actor, p.ID, "  Thành ủy  Thử nghiệm ", today, "Nghị quyết 1/2026"); err != nil {
		t.Fatal(err)
	}
	if got := e.get(p.ID).Name; got != "Thành ủy Thử nghiệm" {
		t.Fatalf("renamed to %q", got)
	}
	if e.count(`SELECT count(*) FROM unit_events WHERE kind = 'rename' AND unit_id = $1 AND old_value = 'Tỉnh ủy Thử nghiệm'
		AND new_value = 'Thành ủy Thử nghiệm' AND effective_date = $2`, p.ID, today) != 1 {
		t.Error("no rename event with old and new names")
	}
	invalid(t, e.units.Rename(e.ctx, e.actor, p.ID, "Thành ủy Thử nghiệm", today, legal), "name", "trùng")
	invalid(t, e.units.Rename(e.ctx, e.actor, p.ID, "   ", today, legal), "name", "Vui lòng nhập tên mới")
	if err := e.units.Rename(e.ctx, e.actor, 987654, "X", today, legal); !errors.Is(err, org.ErrUnitNotFound) {
		t.Fatalf("rename a missing unit: %v", err)
	}

	// Move, and the cycle check.
	office := e.unit("Văn phòng", org.LevelBody, p.ID)
	dept := e.unit("Phòng Tổng hợp", org.LevelBody, office)
	other := e.unit("Tỉnh ủy Khác", org.LevelProvince, root)
	invalid(t, e.units.MoveUnder(e.ctx, e.actor, p.ID, dept, today, legal), "parent_id", "trực thuộc")
	invalid(t, e.units.MoveUnder(e.ctx, e.actor, p.ID, office, today, legal), "parent_id", "trực thuộc")
	invalid(t, e.units.MoveUnder(e.ctx, e.actor, p.ID, p.ID, today, legal), "parent_id", "chính nó")
	invalid(t, e.units.MoveUnder(e.ctx, e.actor, dept, 987654, today, legal), "parent_id", "không tồn tại")
	if got := e.get(p.ID).ParentID; got == nil || *got != root {
		t.Fatal("a refused move changed the parent")
	}
	if err := e.units.MoveUnder(e.ctx, e.actor, dept, other, today, legal); err != nil {
		t.Fatal(err)
	}
	if got := e.get(dept).ParentID; got == nil || *got != other {
		t.Fatal("move did not change the parent")
	}
	if e.count(`SELECT count(*) FROM unit_events WHERE kind = 'move' AND unit_id = $1 AND old_value = 'Văn phòng' AND new_value = 'Tỉnh ủy Khác'`, dept) != 1 {
		t.Error("no move event")
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action IN ('unit.rename', 'unit.move')`) != 2 {
		t.Error("rename and move not audited")
	}
	hist, err := e.units.History(e.ctx, p.ID)
	if err != nil || len(hist) != 2 || hist[0].Kind != "create" || hist[1].Kind != "rename" {
		t.Fatalf("history = %+v, %v", hist, err)
	}
}

func TestDissolve(t *testing.T) {
	e := newEnv(t)
	p := e.unit("Tỉnh ủy P", org.LevelProvince, 0)
	child := e.unit("Đảng ủy xã A", org.LevelCommune, p)
	lonely := e.unit("Đảng ủy xã B", org.LevelCommune, p)
	member := e.member("vanthu.b", lonely, identity.RoleClerk)

	err := e.units.Dissolve(e.ctx, e.actor, p, today, legal)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindConflict || !strings.Contains(ae.Message, "2 đơn vị trực thuộc") {
		t.Fatalf("dissolve with children: %v, want a Conflict naming 2 sub-units", err)
	}
	err = e.units.Dissolve(e.ctx, e.actor, lonely, today, legal)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindConflict || !strings.Contains(ae.Message, "1 thành viên") {
		t.Fatalf("dissolve with members: %v, want a Conflict naming 1 member", err)
	}
	invalid(t, e.units.Dissolve(e.ctx, e.actor, child, today.AddDate(0, 0, 2), legal), "effective_date", "không được sau ngày hôm nay")
	invalid(t, e.units.Dissolve(e.ctx, e.actor, child, today, "  "), "legal_basis", "căn cứ pháp lý")
	invalid(t, e.units.Dissolve(e.ctx, e.actor, child, founded, legal), "effective_date", "sau ngày thành lập")
	if e.get(child).ValidTo != nil {
		t.Fatal("a refused dissolution ended the unit")
	}

	if err := e.units.Dissolve(e.ctx, e.actor, child, today, legal); err != nil {
		t.Fatal(err)
	}
	if got, want := dateOf(e.get(child).ValidTo), today.AddDate(0, 0, -1).Format(time.DateOnly); got != want {
		t.Fatalf("valid_to = %s, want the day before %s", got, want)
	}
	if e.count(`SELECT count(*) FROM unit_events WHERE kind = 'dissolve' AND unit_id = $1 AND effective_date = $2 AND legal_basis = $3`, child, today, legal) != 1 {
		t.Error("no dissolve event")
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action = 'unit.dissolve' AND object_id = $1`, itoa(child)) != 1 {
		t.Error("dissolution not audited")
	}
	// An ended unit is history: no more changes.
	for name, err := range map[string]error{
		"dissolve": e.units.Dissolve(e.ctx, e.actor, child, today, legal),
		"rename":   e.units.Rename(e.ctx, e.actor, child, "Tên mới", today, legal),
	} {
		if !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("%s an ended unit: %v, want Conflict", name, err)
		}
	}
	// With the member gone, B can be dissolved; then P, which has no current children.
	if err := e.users.RemoveMembership(e.ctx, e.db, member, lonely, identity.RoleClerk); err != nil {
		t.Fatal(err)
	}
	if err := e.units.Dissolve(e.ctx, e.actor, lonely, today, legal); err != nil {
		t.Fatal(err)
	}
	if err := e.units.Dissolve(e.ctx, e.actor, p, today, legal); err != nil {
		t.Fatalf("dissolve with only ended children: %v", err)
	}
}

// counts returns the row counts a merge may change.
func (e *env) counts() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"units", "memberships", "unit_events", "unit_succession", "audit_log"} {
		out[table] = e.count(`SELECT count(*) FROM ` + table)
	}
	return out
}

// snapshot describes the state a merge changes, row by row.
func (e *env) snapshot() []string {
	e.t.Helper()
	return slices.Concat(
		e.strings(`SELECT id || ' ' || name || ' ' || coalesce(parent_id::text, '-') || ' ' || valid_from || ' ' || coalesce(valid_to::text, '-') FROM units ORDER BY id`),
		e.strings(`SELECT user_id || ' ' || unit_id || ' ' || role FROM memberships ORDER BY 1`),
		e.strings(`SELECT id || ' ' || kind FROM unit_events ORDER BY id`),
	)
}

type mergeWorld struct {
	root, a, b, target, childA, childB, endedChild int64
	users                                          map[string]int64
}

func (e *env) mergeWorld() mergeWorld {
	e.t.Helper()
	w := mergeWorld{users: map[string]int64{}}
	w.root = e.unit("Ban Chấp hành Trung ương Đảng", org.LevelCentral, 0)
	w.a = e.unit("Tỉnh ủy Bình Dương", org.LevelProvince, w.root)
	w.b = e.unit("Tỉnh ủy Bà Rịa - Vũng Tàu", org.LevelProvince, w.root)
	w.target = e.unit("Thành ủy Hồ Chí Minh", org.LevelProvince, w.root)
	w.childA = e.unit("Đảng ủy phường Thủ Dầu Một", org.LevelCommune, w.a)
	w.childB = e.unit("Đảng ủy phường Vũng Tàu", org.LevelCommune, w.b)
	w.endedChild = e.unit("Huyện ủy Cũ", org.LevelDistrict, w.a)
	if _, err := e.db.Exec(e.ctx, `UPDATE units SET valid_to = DATE '2025-06-30' WHERE id = $1`, w.endedChild); err != nil {
		e.t.Fatal(err)
	}
	w.users["vanthu.bd"] = e.member("vanthu.bd", w.a, identity.RoleClerk)
	w.users["bithu.brvt"] = e.member("bithu.brvt", w.b, identity.RoleLeader)
	w.users["chuyenvien.hcm"] = e.member("chuyenvien.hcm", w.target, identity.RoleHandler)
	return w
}

func TestMergeDryRunThenApply(t *testing.T) {
	e := newEnv(t)
	w := e.mergeWorld()
	req := org.MergeRequest{Sources: []int64{w.b, w.a, w.b}, TargetID: w.target, EffectiveDate: today, LegalBasis: "  " + legal + " ", DryRun: true}

	beforeCounts, beforeRows := e.counts(), e.snapshot()
	preview, err := e.units.Merge(e.ctx, e.actor, req)
	if err != nil {
		t.Fatal(err)
	}
	if afterCounts := e.counts(); !reflect.DeepEqual(beforeCounts, afterCounts) {
		t.Fatalf("dry run changed row counts: %v → %v", beforeCounts, afterCounts)
	}
	if afterRows := e.snapshot(); !slices.Equal(beforeRows, afterRows) {
		t.Fatalf("dry run changed rows:\n%q\n→\n%q", beforeRows, afterRows)
	}
	if !preview.DryRun || preview.EventID != 0 {
		t.Fatalf("preview dry_run=%v event_id=%d", preview.DryRun, preview.EventID)
	}
	if preview.Kind != "merge" || preview.LegalBasis != legal || preview.EffectiveDate != today.Format(time.DateOnly) {
		t.Fatalf("preview = %+v", preview)
	}
	refs := func(rs []org.UnitRef) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := refs(preview.Sources); !slices.Equal(got, []int64{w.a, w.b}) {
		t.Errorf("preview sources = %v, want %v (sorted, deduplicated)", got, []int64{w.a, w.b})
	}
	if got := refs(preview.Targets); !slices.Equal(got, []int64{w.target}) {
		t.Errorf("preview targets = %v", got)
	}
	if got := refs(preview.Children); len(got) != 2 || !slices.Contains(got, w.childA) || !slices.Contains(got, w.childB) {
		t.Errorf("preview children = %v, want the two current children (not the ended district)", got)
	}
	if len(preview.Hooks) != 1 || preview.Hooks[0].Hook != "Thành viên" || preview.Hooks[0].Moved != 2 {
		t.Errorf("preview hooks = %+v", preview.Hooks)
	}

	req.DryRun = false
	// A fresh slice: Merge sorts and compacts the caller's (see TestMergeLeavesRequestAlone).
	req.Sources = []int64{w.b, w.a, w.b}
	applied, err := e.units.Merge(e.ctx, e.actor, req)
	if err != nil {
		t.Fatal(err)
	}
	if applied.DryRun || applied.EventID == 0 {
		t.Fatalf("applied dry_run=%v event_id=%d", applied.DryRun, applied.EventID)
	}
	same := applied
	same.DryRun, same.EventID = true, 0
	if !reflect.DeepEqual(same, preview) {
		t.Fatalf("preview and apply differ:\npreview %+v\napplied %+v", preview, applied)
	}

	lastDay := today.AddDate(0, 0, -1).Format(time.DateOnly)
	for _, id := range []int64{w.a, w.b} {
		if got := dateOf(e.get(id).ValidTo); got != lastDay {
			t.Errorf("source %d valid_to = %s, want %s", id, got, lastDay)
		}
	}
	if e.get(w.target).ValidTo != nil {
		t.Error("the target ended")
	}
	if got := dateOf(e.get(w.endedChild).ValidTo); got != "2025-06-30" {
		t.Errorf("ended child touched: %s", got)
	}
	preds, err := e.units.Predecessors(e.ctx, w.target)
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 2 {
		t.Fatalf("predecessors = %+v", preds)
	}
	for _, p := range preds {
		if p.Event != "merge" || p.EventID != applied.EventID || p.LegalBasis != legal || !p.EffectiveDate.Equal(today) {
			t.Errorf("predecessor link %+v", p)
		}
	}
	succ, err := e.units.Successors(e.ctx, w.a)
	if err != nil || len(succ) != 1 || succ[0].ID != w.target {
		t.Fatalf("successors of A = %+v, %v", succ, err)
	}
	for _, c := range []int64{w.childA, w.childB} {
		if p := e.get(c).ParentID; p == nil || *p != w.target {
			t.Errorf("child %d not re-parented to the target", c)
		}
	}
	if p := e.get(w.endedChild).ParentID; p == nil || *p != w.a {
		t.Error("an ended child was re-parented: it belongs to history")
	}
	if got := e.strings(`SELECT u.login FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.unit_id = $1 ORDER BY 1`, w.target); !slices.Equal(got, []string{"bithu.brvt", "chuyenvien.hcm", "vanthu.bd"}) {
		t.Errorf("target members = %v", got)
	}
	if n := e.count(`SELECT count(*) FROM memberships WHERE unit_id = ANY($1)`, []int64{w.a, w.b}); n != 0 {
		t.Errorf("%d memberships left in the sources", n)
	}

	// The stored report is the returned one.
	ev, err := e.units.GetEvent(e.ctx, applied.EventID)
	if err != nil {
		t.Fatal(err)
	}
	var stored org.MoveReport
	if err := json.Unmarshal(ev.Report, &stored); err != nil {
		t.Fatalf("stored report %s: %v", ev.Report, err)
	}
	if !reflect.DeepEqual(stored, applied) {
		t.Fatalf("stored report %+v, returned %+v", stored, applied)
	}
	if ev.Kind != "merge" || ev.LegalBasis != legal || !ev.EffectiveDate.Equal(today) {
		t.Errorf("event = %+v", ev)
	}
	if e.count(`SELECT count(*) FROM unit_events WHERE id = $1 AND created_by = $2`, applied.EventID, e.actor.UserID) != 1 {
		t.Error("event does not record who merged")
	}

	// One audit entry, in the chain.
	var details map[string]any
	if err := e.db.QueryRow(e.ctx, `SELECT details FROM audit_log WHERE action = 'unit.merge' AND outcome = 'success'
		AND object_type = 'unit_event' AND object_id = $1 AND actor_id = $2 AND actor_login = 'quantri' AND unit_id = $3
		AND ip = '10.1.2.3' AND request_id = 'req-1'`, itoa(applied.EventID), e.actor.UserID, w.target).Scan(&details); err != nil {
		t.Fatalf("audit entry unit.merge: %v", err)
	}
	if details["effective_date"] != today.Format(time.DateOnly) {
		t.Errorf("audit details = %v", details)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'unit.merge'`); n != 1 {
		t.Errorf("%d unit.merge entries, want 1 (the dry run must not leave one)", n)
	}
	if v, err := audit.New(e.db).Verify(e.ctx); err != nil || !v.OK {
		t.Fatalf("audit chain after merge: %+v, %v", v, err)
	}

	// Merging the ended sources again is refused.
	_, err = e.units.Merge(e.ctx, e.actor, org.MergeRequest{Sources: []int64{w.a}, TargetID: w.target, EffectiveDate: today, LegalBasis: legal})
	invalid(t, err, "sources", "không còn hiệu lực")
}

// The admin screens preview a merge and then apply the same request; the
// preview must not change the request. Merge sorts req.Sources in place and
// slices.Compact zeroes the tail, so a duplicated source turns into unit 0
// and the apply fails with "Có đơn vị không tồn tại.".
func TestMergeLeavesRequestAlone(t *testing.T) {
	e := newEnv(t)
	w := e.mergeWorld()
	sources := []int64{w.b, w.a, w.b}
	req := org.MergeRequest{Sources: sources, TargetID: w.target, EffectiveDate: today, LegalBasis: legal, DryRun: true}
	if _, err := e.units.Merge(e.ctx, e.actor, req); err != nil {
		t.Fatal(err)
	}
	if want := []int64{w.b, w.a, w.b}; !slices.Equal(sources, want) {
		t.Errorf("Merge changed the caller's Sources from %v to %v", want, sources)
	}
	req.DryRun = false
	if _, err := e.units.Merge(e.ctx, e.actor, req); err != nil {
		t.Fatalf("applying the previewed request: %v", err)
	}
}

// A merge target inside a source's own subtree must be refused with a
// field message. Today merging P into its grandchild D succeeds and leaves
// a cycle (O's parent becomes D while D's parent is O); a target that is a
// direct child of a source, or a new unit placed under a source, fails
// with the units_not_own_parent CHECK violation (a 500 over HTTP).
func TestMergeIntoOwnSubtreeRefused(t *testing.T) {
	type tree struct{ p, o, d, x int64 }
	for _, c := range []struct {
		name string
		req  func(w tree) org.MergeRequest
	}{
		{"into a grandchild", func(w tree) org.MergeRequest { return org.MergeRequest{Sources: []int64{w.p}, TargetID: w.d} }},
		{"into a child", func(w tree) org.MergeRequest { return org.MergeRequest{Sources: []int64{w.p, w.x}, TargetID: w.o} }},
		{"into a new unit under a source", func(w tree) org.MergeRequest {
			return org.MergeRequest{Sources: []int64{w.p, w.x}, Target: &org.NewUnit{Name: "Tỉnh ủy Mới", Level: org.LevelProvince, ParentID: w.p}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			root := e.unit("Ban Chấp hành Trung ương Đảng", org.LevelCentral, 0)
			var w tree
			w.p = e.unit("Tỉnh ủy P", org.LevelProvince, root)
			w.o = e.unit("Văn phòng Tỉnh ủy P", org.LevelBody, w.p)
			w.d = e.unit("Phòng Tổng hợp", org.LevelBody, w.o)
			w.x = e.unit("Tỉnh ủy X", org.LevelProvince, root)
			before := e.snapshot()
			req := c.req(w)
			req.EffectiveDate, req.LegalBasis, req.DryRun = today, legal, true
			_, err := e.units.Merge(e.ctx, e.actor, req)
			if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || len(ae.Fields) == 0 {
				t.Errorf("preview: %v, want an Invalid error with a Vietnamese field message", err)
			}
			req = c.req(w)
			req.EffectiveDate, req.LegalBasis = today, legal
			_, err = e.units.Merge(e.ctx, e.actor, req)
			if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || len(ae.Fields) == 0 {
				t.Errorf("apply: %v, want an Invalid error with a Vietnamese field message", err)
			}
			if n := e.count(`WITH RECURSIVE up(id, depth) AS (SELECT $1::bigint, 0 UNION ALL
				SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL AND up.depth < 20)
				SELECT count(*) FROM up WHERE depth > 0 AND id = $1`, w.o); n != 0 {
				t.Error("the merge left a cycle in the unit tree (Văn phòng ↔ Phòng Tổng hợp)")
			}
			if after := e.snapshot(); !slices.Equal(before, after) {
				t.Errorf("refused merge changed rows:\n%q\n→\n%q", before, after)
			}
		})
	}
}

// A current unit cannot be put under one that has ended; Create already
// refuses an ended parent, MoveUnder does not.
func TestMoveUnderEndedParentRefused(t *testing.T) {
	e := newEnv(t)
	root := e.unit("Ban Chấp hành Trung ương Đảng", org.LevelCentral, 0)
	ended := e.unit("Huyện ủy Cũ", org.LevelDistrict, root)
	if err := e.units.Dissolve(e.ctx, e.actor, ended, today, legal); err != nil {
		t.Fatal(err)
	}
	c := e.unit("Đảng ủy xã C", org.LevelCommune, root)
	_, err := e.units.Create(e.ctx, e.actor, org.NewUnit{Name: "Chi bộ mới", Level: org.LevelCell, ParentID: ended}, today, legal)
	invalid(t, err, "parent_id", "không còn hiệu lực")
	err = e.units.MoveUnder(e.ctx, e.actor, c, ended, today, legal)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Fields["parent_id"] == "" {
		t.Errorf("move under an ended unit: %v, want Invalid on parent_id", err)
	}
	if p := e.get(c).ParentID; p == nil || *p != root {
		t.Errorf("the unit now hangs under the ended unit %d", *p)
	}
}

func TestMergeIntoNewUnit(t *testing.T) {
	e := newEnv(t)
	w := e.mergeWorld()
	req := org.MergeRequest{Sources: []int64{w.a, w.b}, EffectiveDate: today, LegalBasis: legal, DryRun: true,
		Target: &org.NewUnit{Name: "Tỉnh ủy Mới", Code: "98", Symbol: "TU", Level: org.LevelProvince, Kind: "Tỉnh ủy", ParentID: w.root}}
	before := e.counts()
	preview, err := e.units.Merge(e.ctx, e.actor, req)
	if err != nil {
		t.Fatal(err)
	}
	if after := e.counts(); !reflect.DeepEqual(before, after) {
		t.Fatalf("dry run created rows: %v → %v", before, after)
	}
	if len(preview.NewTargets) != 1 || preview.NewTargets[0].Name != "Tỉnh ủy Mới" {
		t.Fatalf("preview new targets = %+v", preview.NewTargets)
	}
	req.DryRun = false
	applied, err := e.units.Merge(e.ctx, e.actor, req)
	if err != nil {
		t.Fatal(err)
	}
	n := e.get(applied.Targets[0].ID)
	if n.Name != "Tỉnh ủy Mới" || !n.ValidFrom.Equal(today) || n.ValidTo != nil || n.CodeString() != "98" {
		t.Fatalf("new unit = %+v", n)
	}
	if applied.NewTargets[0].ID != n.ID {
		t.Errorf("new_targets = %+v", applied.NewTargets)
	}
	// The preview lists the same people and children; only the new unit's id may differ.
	if !reflect.DeepEqual(preview.Hooks, applied.Hooks) || !reflect.DeepEqual(preview.Children, applied.Children) {
		t.Errorf("preview %+v / %+v, applied %+v / %+v", preview.Hooks, preview.Children, applied.Hooks, applied.Children)
	}
	if e.count(`SELECT count(*) FROM memberships WHERE unit_id = $1`, n.ID) != 2 {
		t.Error("members not moved to the new unit")
	}
	e.checkStoredReport(applied)
}

// checkStoredReport compares the report kept in unit_events with the
// returned one, new_targets included.
func (e *env) checkStoredReport(rep org.MoveReport) {
	e.t.Helper()
	ev, err := e.units.GetEvent(e.ctx, rep.EventID)
	if err != nil {
		e.t.Fatal(err)
	}
	var stored org.MoveReport
	if err := json.Unmarshal(ev.Report, &stored); err != nil {
		e.t.Fatalf("stored report %s: %v", ev.Report, err)
	}
	if !reflect.DeepEqual(stored, rep) {
		e.t.Errorf("stored report differs from the returned one:\nstored   %+v\nreturned %+v", stored, rep)
	}
}

func TestMergeValidation(t *testing.T) {
	e := newEnv(t)
	w := e.mergeWorld()
	fresh, err := e.units.Create(e.ctx, e.actor, org.NewUnit{Name: "Tỉnh ủy Vừa lập", Level: org.LevelProvince, ParentID: w.root}, today, legal)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(m func(*org.MergeRequest)) org.MergeRequest {
		r := org.MergeRequest{Sources: []int64{w.a, w.b}, TargetID: w.target, EffectiveDate: today, LegalBasis: legal}
		m(&r)
		return r
	}
	before := e.counts()
	for _, c := range []struct {
		name, field, want string
		req               org.MergeRequest
	}{
		{"future date", "effective_date", "không được sau ngày hôm nay",
			ok(func(r *org.MergeRequest) { r.EffectiveDate = today.AddDate(0, 0, 2) })},
		{"no date", "effective_date", "Vui lòng nhập ngày có hiệu lực",
			ok(func(r *org.MergeRequest) { r.EffectiveDate = time.Time{} })},
		{"no legal basis", "legal_basis", "Vui lòng nhập căn cứ pháp lý",
			ok(func(r *org.MergeRequest) { r.LegalBasis = "   " })},
		{"target among sources", "target_id", "không được nằm trong danh sách đơn vị nguồn",
			ok(func(r *org.MergeRequest) { r.Sources = []int64{w.a, w.target} })},
		{"no target", "target_id", "Vui lòng chọn đơn vị tiếp nhận",
			ok(func(r *org.MergeRequest) { r.TargetID = 0 })},
		{"no sources", "sources", "ít nhất một",
			ok(func(r *org.MergeRequest) { r.Sources = nil })},
		{"new unit from one source", "sources", "ít nhất hai",
			ok(func(r *org.MergeRequest) {
				r.TargetID, r.Sources, r.Target = 0, []int64{w.a}, &org.NewUnit{Name: "Mới", Level: org.LevelProvince}
			})},
		{"new unit without name", "target.name", "Vui lòng nhập tên đơn vị",
			ok(func(r *org.MergeRequest) { r.TargetID, r.Target = 0, &org.NewUnit{Level: org.LevelProvince} })},
		{"source not current", "sources", "không còn hiệu lực",
			ok(func(r *org.MergeRequest) { r.Sources = []int64{w.a, w.endedChild} })},
		{"missing source", "sources", "không tồn tại",
			ok(func(r *org.MergeRequest) { r.Sources = []int64{w.a, 987654} })},
		{"target not current", "target_id", "không còn hiệu lực",
			ok(func(r *org.MergeRequest) { r.TargetID = w.endedChild })},
		{"source founded on the day", "effective_date", "mới có hiệu lực từ",
			ok(func(r *org.MergeRequest) { r.Sources = []int64{w.a, fresh.ID} })},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.units.Merge(e.ctx, e.actor, c.req)
			invalid(t, err, c.field, c.want)
		})
	}
	if after := e.counts(); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused merges changed rows: %v → %v", before, after)
	}
}

func TestSplitWithMemberMapping(t *testing.T) {
	e := newEnv(t)
	root := e.unit("Ban Chấp hành Trung ương Đảng", org.LevelCentral, 0)
	src := e.unit("Tỉnh ủy Hà Sơn Bình", org.LevelProvince, root)
	k1 := e.unit("Đảng ủy xã Một", org.LevelCommune, src)
	k2 := e.unit("Đảng ủy xã Hai", org.LevelCommune, src)
	u1 := e.member("vanthu.hsb", src, identity.RoleClerk)
	u2 := e.member("bithu.hsb", src, identity.RoleLeader)
	u3 := e.member("chuyenvien.hsb", src, identity.RoleHandler)

	// Validation first.
	_, err := e.units.Split(e.ctx, e.actor, org.SplitRequest{Source: src, Parts: []org.SplitPart{{TargetID: root}}, EffectiveDate: today, LegalBasis: legal})
	invalid(t, err, "parts", "ít nhất hai")
	_, err = e.units.Split(e.ctx, e.actor, org.SplitRequest{Source: src, Parts: []org.SplitPart{{TargetID: src}, {TargetID: root}}, EffectiveDate: today, LegalBasis: legal})
	invalid(t, err, "parts[0].target_id", "chính đơn vị bị chia tách")
	_, err = e.units.Split(e.ctx, e.actor, org.SplitRequest{Source: src, Parts: []org.SplitPart{{}, {TargetID: root}}, EffectiveDate: today})
	invalid(t, err, "parts[0].target_id", "Vui lòng chọn")
	invalid(t, err, "legal_basis", "căn cứ pháp lý")

	req := org.SplitRequest{Source: src, EffectiveDate: today, LegalBasis: legal, Parts: []org.SplitPart{
		{Target: &org.NewUnit{Name: "Tỉnh ủy Hà Tây", Code: "28", Level: org.LevelProvince, ParentID: root}, Members: []int64{u1}},
		{Target: &org.NewUnit{Name: "Tỉnh ủy Hòa Bình", Code: "17", Level: org.LevelProvince, ParentID: root}, Members: []int64{u2, u3}, Children: []int64{k2}},
	}}
	rep, err := e.units.Split(e.ctx, e.actor, req)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != "split" || rep.DryRun || rep.EventID == 0 || len(rep.NewTargets) != 2 || len(rep.Targets) != 2 {
		t.Fatalf("report = %+v", rep)
	}
	haTay, hoaBinh := rep.Targets[0].ID, rep.Targets[1].ID
	if rep.Targets[0].Name != "Tỉnh ủy Hà Tây" || rep.Targets[1].Name != "Tỉnh ủy Hòa Bình" {
		t.Fatalf("targets = %+v", rep.Targets)
	}
	if got := dateOf(e.get(src).ValidTo); got != today.AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Errorf("source valid_to = %s", got)
	}
	for _, id := range []int64{haTay, hoaBinh} {
		if u := e.get(id); !u.ValidFrom.Equal(today) || u.ValidTo != nil {
			t.Errorf("new unit %+v", u)
		}
	}
	if got := e.strings(`SELECT successor_id::text FROM unit_succession WHERE predecessor_id = $1 AND event_id = $2 ORDER BY successor_id`, src, rep.EventID); !slices.Equal(got, []string{itoa(haTay), itoa(hoaBinh)}) {
		t.Errorf("successors = %v", got)
	}
	where := func(user int64) []int64 {
		t.Helper()
		rows, _ := e.db.Query(e.ctx, `SELECT unit_id FROM memberships WHERE user_id = $1 ORDER BY unit_id`, user)
		units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return units
	}
	for _, c := range []struct {
		user int64
		want int64
	}{{u1, haTay}, {u2, hoaBinh}, {u3, hoaBinh}} {
		if got := where(c.user); !slices.Equal(got, []int64{c.want}) {
			t.Errorf("user %d is in %v, want [%d]", c.user, got, c.want)
		}
	}
	if p := e.get(k1).ParentID; p == nil || *p != haTay {
		t.Errorf("unmapped child k1 goes to the first part, got parent %v", p)
	}
	if p := e.get(k2).ParentID; p == nil || *p != hoaBinh {
		t.Errorf("mapped child k2 goes to the second part, got parent %v", p)
	}
	if len(rep.Hooks) != 1 || rep.Hooks[0].Moved != 3 {
		t.Errorf("hooks = %+v", rep.Hooks)
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action = 'unit.split' AND object_id = $1`, itoa(rep.EventID)) != 1 {
		t.Error("split not audited")
	}
	e.checkStoredReport(rep)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
