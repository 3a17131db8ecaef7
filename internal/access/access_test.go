package access_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

const password = "Kiem-thu-truy-cap-2026"

// world is the unit tree and the people of the access tests:
//
//	root (central)
//	├── P  province 01 ── O office ── D department
//	│                  └─ C commune
//	├── X  province 02
//	└── F  former province 03 (ended 2025-06-30), merged into P
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	users *identity.Store

	root, p, o, d, c, x, f int64
	subjects               map[string]access.Subject
	ids                    map[string]int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := pgtest.NewPool(t)
	w := &world{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db),
		subjects: map[string]access.Subject{}, ids: map[string]int64{}}
	w.root = w.unit("Ban Chấp hành Trung ương Đảng", "", "central", 0, "")
	w.p = w.unit("Tỉnh ủy P", "01", "province", w.root, "")
	w.o = w.unit("Văn phòng Tỉnh ủy P", "", "body", w.p, "")
	w.d = w.unit("Phòng Tổng hợp", "", "body", w.o, "")
	w.c = w.unit("Đảng ủy xã C", "00001", "commune", w.p, "")
	w.x = w.unit("Tỉnh ủy X", "02", "province", w.root, "")
	w.f = w.unit("Tỉnh ủy F", "03", "province", w.root, "2025-06-30")
	var event int64
	if err := db.QueryRow(w.ctx, `INSERT INTO unit_events (kind, effective_date, legal_basis)
		VALUES ('merge', DATE '2025-07-01', 'Nghị quyết 202/2025/QH15') RETURNING id`).Scan(&event); err != nil {
		t.Fatal(err)
	}
	w.exec(`INSERT INTO unit_succession (event_id, predecessor_id, successor_id) VALUES ($1, $2, $3)`, event, w.f, w.p)

	w.person("leader.p", w.p, identity.RoleLeader, identity.ClearanceToiMat)
	w.person("clerk.o", w.o, identity.RoleClerk, identity.ClearanceMat)
	w.person("handler.o", w.o, identity.RoleHandler, identity.ClearanceNone)
	w.person("unitadmin.p", w.p, identity.RoleUnitAdmin, identity.ClearanceNone)
	w.person("leader.x", w.x, identity.RoleLeader, identity.ClearanceMat)
	w.person("admin", w.root, identity.RoleAdmin, identity.ClearanceNone)
	w.person("admin.tm", w.root, identity.RoleAdmin, identity.ClearanceTuyetMat)
	w.person("nobody", 0, "", identity.ClearanceTuyetMat)
	return w
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.db.Exec(w.ctx, sql, args...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

func (w *world) unit(name, code, level string, parent int64, validTo string) int64 {
	w.t.Helper()
	var c, p, to any
	if code != "" {
		c = code
	}
	if parent != 0 {
		p = parent
	}
	if validTo != "" {
		to = validTo
	}
	var id int64
	if err := w.db.QueryRow(w.ctx, `INSERT INTO units (name, code, level, parent_id, valid_from, valid_to)
		VALUES ($1, $2, $3, $4, DATE '2020-01-01', $5::date) RETURNING id`, name, c, level, p, to).Scan(&id); err != nil {
		w.t.Fatalf("unit %s: %v", name, err)
	}
	return id
}

func (w *world) person(login string, unit int64, role identity.Role, cl identity.Clearance) {
	w.t.Helper()
	u, err := w.users.Create(w.ctx, w.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: password, Clearance: cl})
	if err != nil {
		w.t.Fatal(err)
	}
	if role != "" {
		if err := w.users.AddMembership(w.ctx, w.db, u.ID, unit, role, ""); err != nil {
			w.t.Fatal(err)
		}
	}
	w.ids[login] = u.ID
	w.subjects[login] = w.load(login, 0)
}

func (w *world) load(login string, acting int64) access.Subject {
	w.t.Helper()
	u, err := w.users.GetByLogin(w.ctx, login)
	if err != nil {
		w.t.Fatal(err)
	}
	ms, err := w.users.Memberships(w.ctx, u.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	s, err := access.Load(w.ctx, w.db, u, ms, acting)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) name(unit int64) string {
	for n, id := range map[string]int64{"root": w.root, "P": w.p, "O": w.o, "D": w.d, "C": w.c, "X": w.x, "F": w.f} {
		if id == unit {
			return n
		}
	}
	return fmt.Sprint(unit)
}

func TestUnitScope(t *testing.T) {
	w := newWorld(t)
	all := []int64{w.root, w.p, w.o, w.d, w.c, w.x, w.f}
	for _, c := range []struct {
		login        string
		view, manage []int64
	}{
		// A leader sees the subtree and, through succession, the former province.
		{"leader.p", []int64{w.p, w.o, w.d, w.c, w.f}, nil},
		// A clerk or handler sees their own unit only, not its sub-units.
		{"clerk.o", []int64{w.o}, nil},
		{"handler.o", []int64{w.o}, nil},
		{"unitadmin.p", []int64{w.p, w.o, w.d, w.c, w.f}, []int64{w.p, w.o, w.d, w.c}},
		{"leader.x", []int64{w.x}, nil},
		{"admin", all, all},
		{"nobody", nil, nil},
	} {
		s := w.subjects[c.login]
		for _, u := range all {
			if got, want := s.CanViewUnitRecords(u), slices.Contains(c.view, u); got != want {
				t.Errorf("%s CanViewUnitRecords(%s) = %v, want %v", c.login, w.name(u), got, want)
			}
		}
		for _, u := range []int64{w.root, w.p, w.o, w.d, w.c, w.x} {
			if got, want := s.CanManageUnit(u), slices.Contains(c.manage, u); got != want {
				t.Errorf("%s CanManageUnit(%s) = %v, want %v", c.login, w.name(u), got, want)
			}
		}
		if got, want := s.IsAnyAdmin(), len(c.manage) > 0; got != want {
			t.Errorf("%s IsAnyAdmin = %v, want %v", c.login, got, want)
		}
	}
	if v := w.subjects["admin"].ViewUnits(); v != nil {
		t.Errorf("admin ViewUnits = %v, want nil (everything)", v)
	}
	if v := w.subjects["clerk.o"].ViewUnits(); !slices.Equal(v, []int64{w.o}) {
		t.Errorf("clerk ViewUnits = %v", v)
	}

	// Roles.
	clerk := w.subjects["clerk.o"]
	if !clerk.HasRole(w.o, identity.RoleClerk) || clerk.HasRole(w.o, identity.RoleLeader) || clerk.HasRole(w.p, identity.RoleClerk) {
		t.Error("clerk.o HasRole wrong")
	}
	if !w.subjects["admin"].HasRole(w.x, identity.RoleClerk) {
		t.Error("an administrator holds every role")
	}
	if !clerk.MemberOf(w.o) || clerk.MemberOf(w.p) {
		t.Error("MemberOf wrong")
	}
	if !w.subjects["admin"].IsAdmin || w.subjects["unitadmin.p"].IsAdmin {
		t.Error("IsAdmin wrong")
	}
	for _, c := range []struct {
		login string
		want  identity.Clearance
	}{{"leader.p", identity.ClearanceToiMat}, {"clerk.o", identity.ClearanceMat}, {"admin", identity.ClearanceNone}} {
		if got := w.subjects[c.login].Clearance; got != c.want {
			t.Errorf("%s clearance = %s", c.login, got)
		}
	}
	mat := w.subjects["clerk.o"]
	if !mat.CanSee(identity.ClearanceNone) || !mat.CanSee(identity.ClearanceMat) || mat.CanSee(identity.ClearanceToiMat) || mat.CanSee(identity.ClearanceTuyetMat) {
		t.Error("CanSee for a 'mat' clearance wrong")
	}
	if w.subjects["admin"].CanSee(identity.ClearanceMat) {
		t.Error("an administrator without clearance may see 'mat'")
	}
}

func TestActingUnit(t *testing.T) {
	w := newWorld(t)
	// Someone with two units.
	if err := w.users.AddMembership(w.ctx, w.db, w.ids["clerk.o"], w.c, identity.RoleClerk, ""); err != nil {
		t.Fatal(err)
	}
	first := w.load("clerk.o", 0).Memberships[0].UnitID
	if s := w.load("clerk.o", 0); s.ActingUnit != first {
		t.Errorf("acting unit with none chosen = %s, want the first membership %s", w.name(s.ActingUnit), w.name(first))
	}
	if s := w.load("clerk.o", w.c); s.ActingUnit != w.c {
		t.Errorf("acting unit C chosen = %s", w.name(s.ActingUnit))
	}
	if s := w.load("clerk.o", w.x); s.ActingUnit != first {
		t.Errorf("acting for a unit they are not in (X) = %s, want the first membership", w.name(s.ActingUnit))
	}
	if s := w.load("nobody", w.p); s.ActingUnit != 0 {
		t.Errorf("no memberships: acting unit %d", s.ActingUnit)
	}
	// The second membership widens the scope.
	if s := w.load("clerk.o", 0); !s.CanViewUnitRecords(w.c) || !s.CanViewUnitRecords(w.o) || s.CanViewUnitRecords(w.p) {
		t.Error("scope with two memberships wrong")
	}
}

var levels = []identity.Clearance{identity.ClearanceNone, identity.ClearanceMat, identity.ClearanceToiMat, identity.ClearanceTuyetMat}

// recordIDs numbers the records: unit block × 10 + clearance index.
func recordID(block int, level identity.Clearance) int64 {
	return int64(block*10 + slices.Index(levels, level))
}

func ids(block int, ls ...identity.Clearance) []int64 {
	var out []int64
	for _, l := range ls {
		out = append(out, recordID(block, l))
	}
	return out
}

func TestRecordPredicate(t *testing.T) {
	w := newWorld(t)
	w.exec(`CREATE TABLE rec (id bigint PRIMARY KEY, unit_id bigint NOT NULL, confidentiality clearance_level NOT NULL)`)
	blocks := map[int]int64{1: w.p, 2: w.o, 3: w.c, 4: w.f, 5: w.x, 6: w.d}
	for block, unit := range blocks {
		for _, l := range levels {
			w.exec(`INSERT INTO rec VALUES ($1, $2, $3)`, recordID(block, l), unit, l)
		}
	}
	const P, O, C, F, X, D = 1, 2, 3, 4, 5, 6
	none, mat, toiMat, tuyetMat := identity.ClearanceNone, identity.ClearanceMat, identity.ClearanceToiMat, identity.ClearanceTuyetMat

	// Grants to leader.x: one 'mat' record of P is visible; a 'tuyet_mat'
	// one stays hidden by clearance; an expired grant and a grant on
	// another object type give nothing.
	grant := func(login string, objectType string, id int64, expired bool) {
		t.Helper()
		exp := "NULL"
		if expired {
			exp = "now() - interval '1 minute'"
		}
		w.exec(`INSERT INTO grants (user_id, object_type, object_id, permission, expires_at) VALUES ($1, $2, $3, 'view', `+exp+`)`,
			w.ids[login], objectType, id)
	}
	grant("leader.x", "rec", recordID(P, mat), false)
	grant("leader.x", "rec", recordID(P, tuyetMat), false)
	grant("leader.x", "rec", recordID(C, none), true)
	grant("leader.x", "document", recordID(O, none), false)
	grant("nobody", "rec", recordID(X, toiMat), false)
	grant("clerk.o", "rec", recordID(P, none), false)
	// A grant that expires later still counts.
	w.exec(`INSERT INTO grants (user_id, object_type, object_id, permission, expires_at) VALUES ($1, 'rec', $2, 'view', now() + interval '1 day')`,
		w.ids["handler.o"], recordID(C, none))

	cat := func(parts ...[]int64) []int64 {
		var out []int64
		for _, p := range parts {
			out = append(out, p...)
		}
		slices.Sort(out)
		return out
	}
	upToToiMat := []identity.Clearance{none, mat, toiMat}
	for _, c := range []struct {
		login string
		want  []int64
	}{
		{"leader.p", cat(ids(P, upToToiMat...), ids(O, upToToiMat...), ids(C, upToToiMat...), ids(F, upToToiMat...), ids(D, upToToiMat...))},
		{"clerk.o", cat(ids(O, none, mat), ids(P, none))},
		{"handler.o", cat(ids(O, none), ids(C, none))},
		{"unitadmin.p", cat(ids(P, none), ids(O, none), ids(C, none), ids(F, none), ids(D, none))},
		{"leader.x", cat(ids(X, none, mat), ids(P, mat))},
		{"admin", cat(ids(P, none), ids(O, none), ids(C, none), ids(F, none), ids(X, none), ids(D, none))},
		{"admin.tm", cat(ids(P, levels...), ids(O, levels...), ids(C, levels...), ids(F, levels...), ids(X, levels...), ids(D, levels...))},
		{"nobody", ids(X, toiMat)},
	} {
		got := w.query(w.subjects[c.login].RecordPredicate("rec", "rec.unit_id", "rec.id", "rec.confidentiality"))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s sees %v, want %v", c.login, got, c.want)
		}
	}

	// Without a confidentiality column only scope and grants count.
	got := w.query(w.subjects["leader.x"].RecordPredicate("rec", "rec.unit_id", "rec.id", ""))
	if want := cat(ids(X, levels...), ids(P, mat, tuyetMat)); !slices.Equal(got, want) {
		t.Errorf("leader.x without clearance column sees %v, want %v", got, want)
	}
	// The predicate composes with other conditions and keeps numbering.
	var a postgres.Args
	first := a.Add(int64(0))
	pred := w.subjects["clerk.o"].RecordPredicate("rec", "rec.unit_id", "rec.id", "rec.confidentiality")(&a)
	rows, _ := w.db.Query(w.ctx, `SELECT id FROM rec WHERE id > `+first+` AND `+pred+` ORDER BY id`, a.Values()...)
	composed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if want := cat(ids(O, none, mat), ids(P, none)); !slices.Equal(composed, want) {
		t.Errorf("composed predicate: %v, want %v", composed, want)
	}
}

func (w *world) query(pred postgres.Predicate) []int64 {
	w.t.Helper()
	var a postgres.Args
	sql := `SELECT id FROM rec WHERE ` + pred(&a) + ` ORDER BY id`
	rows, _ := w.db.Query(w.ctx, sql, a.Values()...)
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return got
}

func TestManagedUsersPredicate(t *testing.T) {
	w := newWorld(t)
	logins := func(s access.Subject) []string {
		t.Helper()
		var a postgres.Args
		rows, _ := w.db.Query(w.ctx, `SELECT login FROM users u WHERE `+s.ManagedUsersPredicate("u.id")(&a)+` ORDER BY login`, a.Values()...)
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := logins(w.subjects["unitadmin.p"]), []string{"clerk.o", "handler.o", "leader.p", "unitadmin.p"}; !slices.Equal(got, want) {
		t.Errorf("unit admin of P manages %v, want %v", got, want)
	}
	if got := logins(w.subjects["admin"]); len(got) != 8 {
		t.Errorf("admin manages %v, want all 8", got)
	}
	if got := logins(w.subjects["leader.p"]); len(got) != 0 {
		t.Errorf("a leader manages %v, want nobody", got)
	}
}
