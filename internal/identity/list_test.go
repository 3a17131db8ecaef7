package identity_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

type listFixture struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	store *identity.Store
}

func newListFixture(t *testing.T) *listFixture {
	db := pgtest.NewPool(t)
	return &listFixture{t: t, ctx: context.Background(), db: db, store: identity.NewStore(db)}
}

func (f *listFixture) unit(name string, parent int64) int64 {
	f.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := f.db.QueryRow(f.ctx, `INSERT INTO units (name, level, parent_id) VALUES ($1, 'body', $2) RETURNING id`, name, p).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *listFixture) user(login, fullName string, unit int64, role identity.Role) identity.User {
	f.t.Helper()
	u, err := f.store.Create(f.ctx, f.db, identity.NewUser{Login: login, FullName: fullName, Email: login + "@vanthu.vn", Password: "Zx-9876-Qwerty-Pw"})
	if err != nil {
		f.t.Fatal(err)
	}
	if unit != 0 {
		if err := f.store.AddMembership(f.ctx, f.db, u.ID, unit, role, ""); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

func (f *listFixture) subject(u identity.User) access.Subject {
	f.t.Helper()
	ms, err := f.store.Memberships(f.ctx, u.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	sub, err := access.Load(f.ctx, f.db, u, ms, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return sub
}

func (f *listFixture) logins(filter identity.ListFilter, visible postgres.Predicate) []string {
	f.t.Helper()
	items, _, err := f.store.List(f.ctx, filter, visible)
	if err != nil {
		f.t.Fatalf("List(%+v): %v", filter, err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Login)
	}
	return out
}

func TestListSearchesWithAndWithoutDiacritics(t *testing.T) {
	f := newListFixture(t)
	vp := f.unit("Văn phòng Tỉnh ủy", 0)
	f.user("annv", "Nguyễn Văn An", vp, identity.RoleClerk)
	f.user("binhtt", "Trần Thị Bình", vp, identity.RoleHandler)
	f.user("user_1", "Lê Đức Thọ", vp, identity.RoleLeader)
	f.user("user21", "Phạm Đình Hải", vp, identity.RoleLeader)

	for _, q := range []string{"nguyen van", "Nguyễn Văn", "NGUYEN VAN AN", "annv", "annv@vanthu"} {
		if got := f.logins(identity.ListFilter{Q: q}, postgres.True); !slices.Equal(got, []string{"annv"}) {
			t.Errorf("Q=%q: got %v, want [annv]", q, got)
		}
	}
	if got := f.logins(identity.ListFilter{Q: "duc tho"}, postgres.True); !slices.Equal(got, []string{"user_1"}) {
		t.Errorf("Q=duc tho: got %v", got)
	}
	// LIKE wildcards typed by the user match literally.
	if got := f.logins(identity.ListFilter{Q: "user_"}, postgres.True); !slices.Equal(got, []string{"user_1"}) {
		t.Errorf("Q=user_: got %v, want only user_1", got)
	}
	if got := f.logins(identity.ListFilter{Q: "%"}, postgres.True); len(got) != 0 {
		t.Errorf("Q=%%: got %v, want none", got)
	}

	items, _, err := f.store.List(f.ctx, identity.ListFilter{Q: "an"}, postgres.True)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Login == "annv" && it.Units != "Văn phòng Tỉnh ủy (Văn thư)" {
			t.Errorf("Units = %q", it.Units)
		}
	}
}

func TestListSortsVietnameseAndPages(t *testing.T) {
	f := newListFixture(t)
	u := f.unit("Ban Tổ chức", 0)
	// In Vietnamese order A < Â < B < D < Đ; byte order would put Â and Đ last.
	names := map[string]string{
		"dinh": "Đinh Văn Đức", "duong": "Dương Thị Hoa", "bui": "Bùi Văn Ba", "au": "Âu Thị Cúc",
		"an": "An Văn Tư", "an2": "An Văn Tư",
	}
	for login, name := range names {
		f.user(login, name, u, identity.RoleHandler)
	}
	var got []string
	cursor, pages := "", 0
	for {
		items, next, err := f.store.List(f.ctx, identity.ListFilter{Limit: 2, Cursor: cursor}, postgres.True)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range items {
			got = append(got, it.FullName)
		}
		if next == "" {
			break
		}
		cursor = next
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{"An Văn Tư", "An Văn Tư", "Âu Thị Cúc", "Bùi Văn Ba", "Dương Thị Hoa", "Đinh Văn Đức"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if pages != 3 {
		t.Fatalf("pages = %d, want 3", pages)
	}

	_, _, err := f.store.List(f.ctx, identity.ListFilter{Cursor: "không-phải-cursor"}, postgres.True)
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("bad cursor: err = %v, want invalid", err)
	}
	if e, _ := apperr.As(err); e == nil || e.Message == "" {
		t.Fatalf("bad cursor needs a Vietnamese message: %v", err)
	}
}

func TestListFiltersByUnitRoleAndStatus(t *testing.T) {
	f := newListFixture(t)
	a := f.unit("Văn phòng", 0)
	b := f.unit("Ban Tuyên giáo và Dân vận", 0)
	f.user("clerka", "Văn Thư A", a, identity.RoleClerk)
	lead := f.user("leada", "Lãnh Đạo A", a, identity.RoleLeader)
	if err := f.store.AddMembership(f.ctx, f.db, lead.ID, b, identity.RoleClerk, ""); err != nil {
		t.Fatal(err)
	}
	locked := f.user("lockedb", "Bị Khóa B", b, identity.RoleHandler)
	off := f.user("offb", "Tắt B", b, identity.RoleHandler)
	if _, err := f.db.Exec(f.ctx, `UPDATE users SET failed_logins = 5, locked_until = now() + interval '10 minutes' WHERE id = $1`, locked.ID); err != nil {
		t.Fatal(err)
	}
	// An expired lock counts as active again.
	if _, err := f.db.Exec(f.ctx, `UPDATE users SET locked_until = now() - interval '1 minute' WHERE login = 'clerka'`); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetDisabled(f.ctx, off.ID, true); err != nil {
		t.Fatal(err)
	}

	check := func(filter identity.ListFilter, want ...string) {
		t.Helper()
		got := f.logins(filter, postgres.True)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: got %v, want %v", filter, got, want)
		}
	}
	check(identity.ListFilter{UnitID: a}, "clerka", "leada")
	check(identity.ListFilter{UnitID: b}, "leada", "lockedb", "offb")
	check(identity.ListFilter{Role: identity.RoleClerk}, "clerka", "leada")
	// Unit and role together must hold in one membership.
	check(identity.ListFilter{UnitID: a, Role: identity.RoleClerk}, "clerka")
	check(identity.ListFilter{UnitID: b, Role: identity.RoleLeader})
	check(identity.ListFilter{Status: identity.StatusActive}, "clerka", "leada")
	check(identity.ListFilter{Status: identity.StatusLocked}, "lockedb")
	check(identity.ListFilter{Status: identity.StatusDisabled}, "offb")

	if _, _, err := f.store.List(f.ctx, identity.ListFilter{Status: "bogus"}, postgres.True); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	if _, _, err := f.store.List(f.ctx, identity.ListFilter{Role: "boss"}, postgres.True); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}

	items, _, err := f.store.List(f.ctx, identity.ListFilter{Q: "leada"}, postgres.True)
	if err != nil || len(items) != 1 {
		t.Fatalf("leada: %v %v", items, err)
	}
	// Units in Vietnamese order: "Ban …" before "Văn phòng".
	if want := "Ban Tuyên giáo và Dân vận (Văn thư), Văn phòng (Lãnh đạo)"; items[0].Units != want {
		t.Errorf("Units = %q, want %q", items[0].Units, want)
	}
}

func TestListAndGetVisibleFollowTheAccessPredicate(t *testing.T) {
	f := newListFixture(t)
	province := f.unit("Tỉnh ủy Lào Cai", 0)
	a := f.unit("Văn phòng Tỉnh ủy", province)
	b := f.unit("Ủy ban Kiểm tra Tỉnh ủy", province)
	root := f.unit("Văn phòng Trung ương Đảng", 0)
	admin := f.user("quantri", "Quản Trị Hệ Thống", root, identity.RoleAdmin)
	adminA := f.user("qtvp", "Quản Trị Văn Phòng", a, identity.RoleUnitAdmin)
	inA := f.user("thuvp", "Nguyễn Thị Thư", a, identity.RoleClerk)
	inB := f.user("kiemtra", "Trần Văn Kiểm", b, identity.RoleHandler)
	f.user("khongdonvi", "Không Đơn Vị", 0, "")

	subA := f.subject(adminA)
	got := f.logins(identity.ListFilter{}, subA.ManagedUsersPredicate("u.id"))
	slices.Sort(got)
	if want := []string{"qtvp", "thuvp"}; !slices.Equal(got, want) {
		t.Fatalf("unit admin of A sees %v, want %v", got, want)
	}
	// Filters narrow the visible set, never widen it.
	if got := f.logins(identity.ListFilter{UnitID: b}, subA.ManagedUsersPredicate("u.id")); len(got) != 0 {
		t.Fatalf("unit admin of A filtering by B sees %v", got)
	}
	if got := f.logins(identity.ListFilter{}, f.subject(admin).ManagedUsersPredicate("u.id")); len(got) != 5 {
		t.Fatalf("system admin sees %v, want all 5", got)
	}

	if u, err := f.store.GetVisible(f.ctx, inA.ID, subA.ManagedUsersPredicate("u.id")); err != nil || u.Login != "thuvp" {
		t.Fatalf("GetVisible(in A) = %v, %v", u.Login, err)
	}
	if _, err := f.store.GetVisible(f.ctx, inB.ID, subA.ManagedUsersPredicate("u.id")); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("GetVisible(in B) err = %v, want ErrUserNotFound", err)
	}
	if _, err := f.store.GetVisible(f.ctx, 999999, postgres.True); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("GetVisible(missing) err = %v", err)
	}

	// Unit options: a unit admin gets their units; the admin gets all
	// current ones; dissolved units are not offered.
	if _, err := f.db.Exec(f.ctx, `UPDATE units SET valid_to = current_date - 1, valid_from = current_date - 10 WHERE id = $1`, root); err != nil {
		t.Fatal(err)
	}
	opts, truncated, err := f.store.UnitOptions(f.ctx, false, []int64{a}, 10)
	if err != nil || truncated || len(opts) != 1 || opts[0].ID != a || opts[0].Label() != "Văn phòng Tỉnh ủy – Tỉnh ủy Lào Cai" {
		t.Fatalf("UnitOptions(a) = %+v %v %v", opts, truncated, err)
	}
	opts, truncated, err = f.store.UnitOptions(f.ctx, true, nil, 2)
	if err != nil || !truncated || len(opts) != 2 {
		t.Fatalf("UnitOptions(all, 2) = %+v %v %v", opts, truncated, err)
	}
	opts, _, err = f.store.UnitOptions(f.ctx, true, nil, 10)
	if err != nil || len(opts) != 3 || slices.ContainsFunc(opts, func(o identity.UnitOption) bool { return o.ID == root }) {
		t.Fatalf("UnitOptions(all) = %+v %v", opts, err)
	}
	if opts, _, _ := f.store.UnitOptions(f.ctx, false, nil, 10); len(opts) != 0 {
		t.Fatalf("UnitOptions(none) = %+v", opts)
	}
}
