package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// bodyOf reads and closes a response body.
func bodyOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectStatus fails unless resp has status; it returns the body.
func expectStatus(t *testing.T, resp *http.Response, status int) string {
	t.Helper()
	body := bodyOf(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	return body
}

// adminApp starts the app with a system administrator signed in.
type adminApp struct {
	*testkit.App
	root  int64
	admin identity.User
	c     *testkit.Client
}

func startWithAdmin(t *testing.T) *adminApp {
	t.Helper()
	app := testkit.Start(t)
	root := app.Unit("Văn phòng Trung ương Đảng", "central", 0)
	admin := app.User("quantri", root, identity.RoleAdmin, identity.ClearanceTuyetMat)
	c := app.Login("quantri", app.EnableTOTP(admin))
	return &adminApp{App: app, root: root, admin: admin, c: c}
}

func userPath(id int64, action string) string {
	if action == "" {
		return fmt.Sprintf("/admin/users/%d", id)
	}
	return fmt.Sprintf("/admin/users/%d/%s", id, action)
}

func TestAdminListsAndSearchesUsers(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy Lào Cai", "body", 0)
	an := a.User("annv", vp, identity.RoleClerk, identity.ClearanceNone)
	binh := a.User("binhtt", vp, identity.RoleHandler, identity.ClearanceNone)
	a.Exec(`UPDATE users SET full_name = 'Nguyễn Văn An' WHERE id = $1`, an.ID)
	a.Exec(`UPDATE users SET full_name = 'Trần Thị Bình' WHERE id = $1`, binh.ID)

	body := expectStatus(t, a.c.Get("/admin/users"), http.StatusOK)
	for _, want := range []string{`data-testid="users-table"`, "Nguyễn Văn An", "Trần Thị Bình", "Văn phòng Tỉnh ủy Lào Cai (Văn thư)",
		"Đang hoạt động", "Đơn vị – vai trò", "Đăng nhập gần nhất"} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}

	body = expectStatus(t, a.c.Get("/admin/users?q="+url.QueryEscape("nguyen van")), http.StatusOK)
	if !strings.Contains(body, "Nguyễn Văn An") || strings.Contains(body, "Trần Thị Bình") {
		t.Fatalf("search 'nguyen van' should find only Nguyễn Văn An:\n%s", body)
	}
	body = expectStatus(t, a.c.Get("/admin/users?q="+url.QueryEscape("không có ai")), http.StatusOK)
	if !strings.Contains(body, `data-testid="users-empty"`) {
		t.Fatal("an empty search result must say so")
	}
	// Filters by role and status.
	body = expectStatus(t, a.c.Get("/admin/users?role=handler"), http.StatusOK)
	if strings.Contains(body, "Nguyễn Văn An") || !strings.Contains(body, "Trần Thị Bình") {
		t.Fatal("role filter does not filter")
	}
	// A forged cursor is a Vietnamese message, not a 500.
	body = expectStatus(t, a.c.Get("/admin/users?cursor=%25%25"), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "phân trang") {
		t.Fatalf("bad cursor message missing:\n%s", body)
	}
	// Pagination: "Trang sau" appears with more than one page.
	for i := range 55 {
		a.User(fmt.Sprintf("nv%02d", i), vp, identity.RoleHandler, identity.ClearanceNone)
	}
	body = expectStatus(t, a.c.Get("/admin/users"), http.StatusOK)
	if !strings.Contains(body, "Trang sau") {
		t.Fatal("no next page link with 58 users")
	}
}

func TestUnitAdminSeesOnlyTheirUnits(t *testing.T) {
	app := testkit.Start(t)
	province := app.Unit("Tỉnh ủy Lào Cai", "province", 0)
	unitA := app.Unit("Văn phòng Tỉnh ủy", "body", province)
	unitB := app.Unit("Ủy ban Kiểm tra Tỉnh ủy", "body", province)
	qt := app.User("qtvanphong", unitA, identity.RoleUnitAdmin, identity.ClearanceNone)
	inA := app.User("thuvp", unitA, identity.RoleClerk, identity.ClearanceNone)
	inB := app.User("kiemtra", unitB, identity.RoleHandler, identity.ClearanceNone)
	c := app.Login("qtvanphong", app.EnableTOTP(qt))

	body := expectStatus(t, c.Get("/admin/users"), http.StatusOK)
	if !strings.Contains(body, `data-login="thuvp"`) || strings.Contains(body, `data-login="kiemtra"`) {
		t.Fatalf("unit admin of A must see thuvp and not kiemtra:\n%s", body)
	}
	expectStatus(t, c.Get(userPath(inA.ID, "")), http.StatusOK)
	expectStatus(t, c.Get(userPath(inB.ID, "")), http.StatusNotFound)
	// Actions on someone out of scope are 404 too, and change nothing.
	expectStatus(t, c.PostForm(userPath(inB.ID, "disable"), nil), http.StatusNotFound)
	if n := app.QueryInt(`SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NOT NULL`, inB.ID); n != 0 {
		t.Fatal("a user out of scope was disabled")
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.view' AND outcome = 'denied' AND object_id = $1`,
		fmt.Sprint(inB.ID)); n != 1 {
		t.Fatalf("refused view audited %d times, want 1", n)
	}
	// The audit log is for system administrators only.
	expectStatus(t, c.Get("/admin/audit"), http.StatusNotFound)
}

func TestCreateUserValidatesAndStoresNothingOnError(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)

	body := expectStatus(t, a.c.Get("/admin/users/new"), http.StatusOK)
	if !strings.Contains(body, `name="must_change" value="on" checked`) {
		t.Fatal("'must change password' must be checked by default")
	}

	form := url.Values{"login": {"moi"}, "full_name": {"Hoàng Thị Mới"}, "password": {"ngan1"}, "clearance": {"none"},
		"unit_id": {fmt.Sprint(vp)}, "role": {"clerk"}, "must_change": {"on"}}
	body = expectStatus(t, a.c.PostForm("/admin/users/new", form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="password-error"`) || !strings.Contains(body, "Mật khẩu phải có ít nhất 12 ký tự.") {
		t.Fatalf("password field error missing:\n%s", body)
	}
	if !strings.Contains(body, `value="Hoàng Thị Mới"`) {
		t.Fatal("typed values must be kept")
	}
	if strings.Contains(body, "ngan1") {
		t.Fatal("the password must not be echoed back")
	}
	if n := a.QueryInt(`SELECT count(*) FROM users WHERE login = 'moi'`); n != 0 {
		t.Fatal("a user was stored despite the error")
	}

	// A missing unit is a field error too.
	form.Set("password", "Mat-khau-tam-2026")
	form.Del("unit_id")
	body = expectStatus(t, a.c.PostForm("/admin/users/new", form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="unit_id-error"`) {
		t.Fatalf("unit field error missing:\n%s", body)
	}

	form.Set("unit_id", fmt.Sprint(vp))
	form.Set("title", "Văn thư cơ quan")
	resp := a.c.PostForm("/admin/users/new", form)
	expectStatus(t, resp, http.StatusSeeOther)
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/admin/users/%d?done=created", &id); err != nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	if n := a.QueryInt(`SELECT count(*) FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE u.id = $1 AND u.must_change_password AND m.unit_id = $2 AND m.role = 'clerk' AND m.title = 'Văn thư cơ quan'`, id, vp); n != 1 {
		t.Fatal("user and membership not stored as typed")
	}
	body = expectStatus(t, a.c.Get(resp.Header.Get("Location")), http.StatusOK)
	if !strings.Contains(body, "Đã tạo người dùng.") || !strings.Contains(body, "Hoàng Thị Mới") {
		t.Fatal("detail page after creation lacks the flash or the name")
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND outcome = 'success' AND object_id = $1`, fmt.Sprint(id)); n != 1 {
		t.Fatal("creation not audited")
	}

	// The same login again is a field error, and still one row.
	body = expectStatus(t, a.c.PostForm("/admin/users/new", form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Tên đăng nhập đã được dùng.") {
		t.Fatal("duplicate login message missing")
	}
	if n := a.QueryInt(`SELECT count(*) FROM users WHERE login = 'moi'`); n != 1 {
		t.Fatalf("%d users named moi", n)
	}
}

func TestLockedUserIsUnlockedAndCanLogInAgain(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	u := a.User("bikhoa", vp, identity.RoleHandler, identity.ClearanceNone)
	a.Exec(`UPDATE users SET failed_logins = 5, locked_until = now() + interval '1 hour' WHERE id = $1`, u.ID)

	resp := a.NewClient().PostForm("/login", url.Values{"login": {"bikhoa"}, "password": {testkit.Password}})
	if body := expectStatus(t, resp, http.StatusUnauthorized); !strings.Contains(body, "tạm khóa") {
		t.Fatal("a locked account must be refused with the lock message")
	}
	body := expectStatus(t, a.c.Get("/admin/users?status=locked"), http.StatusOK)
	if !strings.Contains(body, `data-login="bikhoa"`) || !strings.Contains(body, "Tạm khóa") {
		t.Fatal("the locked user is not listed as locked")
	}

	resp = a.c.PostForm(userPath(u.ID, "unlock"), nil)
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != userPath(u.ID, "")+"?done=unlocked" {
		t.Fatalf("redirect to %q", loc)
	}
	body = expectStatus(t, a.c.Get(resp.Header.Get("Location")), http.StatusOK)
	if !strings.Contains(body, `data-testid="flash"`) || !strings.Contains(body, "Đang hoạt động") {
		t.Fatal("unlocked page lacks the flash or the active badge")
	}
	a.Login("bikhoa", "")
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.unlock' AND outcome = 'success'
		AND object_id = $1 AND actor_login = 'quantri'`, fmt.Sprint(u.ID)); n != 1 {
		t.Fatal("unlock not audited")
	}
}

func TestResetPasswordForcesAChange(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	u := a.User("quenmk", vp, identity.RoleClerk, identity.ClearanceNone)
	before := a.Login("quenmk", "")

	// Too short: a field error, nothing changes.
	body := expectStatus(t, a.c.PostForm(userPath(u.ID, "password"), url.Values{"password": {"ngan"}, "password_confirm": {"ngan"}}),
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="password-error"`) {
		t.Fatal("password field error missing")
	}

	const temp = "Tam-thoi-2026-xyz"
	resp := a.c.PostForm(userPath(u.ID, "password"), url.Values{"password": {temp}, "password_confirm": {temp}})
	expectStatus(t, resp, http.StatusSeeOther)

	// Sessions have ended.
	resp = before.Get("/")
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("old session still works: redirect to %q", loc)
	}
	c := a.NewClient()
	resp = c.PostForm("/login", url.Values{"login": {"quenmk"}, "password": {temp}})
	expectStatus(t, resp, http.StatusSeeOther)
	resp = c.Get("/")
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/account/password" {
		t.Fatalf("after a reset the next login goes to %q, want /account/password", loc)
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.password_reset' AND outcome = 'success' AND object_id = $1`, fmt.Sprint(u.ID)); n != 1 {
		t.Fatal("reset not audited")
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE details::text LIKE '%' || $1 || '%'`, temp); n != 0 {
		t.Fatal("the password leaked into the audit log")
	}
}

func TestUnitAdminCannotGrantAdmin(t *testing.T) {
	app := testkit.Start(t)
	unitA := app.Unit("Văn phòng Tỉnh ủy", "body", 0)
	unitB := app.Unit("Ban Tổ chức Tỉnh ủy", "body", 0)
	qt := app.User("qtvanphong", unitA, identity.RoleUnitAdmin, identity.ClearanceMat)
	inA := app.User("thuvp", unitA, identity.RoleClerk, identity.ClearanceNone)
	c := app.Login("qtvanphong", app.EnableTOTP(qt))

	body := expectStatus(t, c.Get("/admin/users/new"), http.StatusOK)
	if strings.Contains(body, `value="admin"`) {
		t.Fatal("the admin role is offered to a unit admin")
	}
	form := url.Values{"login": {"quyenmoi"}, "full_name": {"Người Được Cấp Quyền"}, "password": {"Mat-khau-tam-2026"},
		"clearance": {"none"}, "unit_id": {fmt.Sprint(unitA)}, "role": {"admin"}, "must_change": {"on"}}
	body = expectStatus(t, c.PostForm("/admin/users/new", form), http.StatusForbidden)
	if !strings.Contains(body, "Chỉ quản trị hệ thống mới được cấp") {
		t.Fatalf("refusal message missing:\n%s", body)
	}
	if n := app.QueryInt(`SELECT count(*) FROM users WHERE login = 'quyenmoi'`); n != 0 {
		t.Fatal("the user was created")
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND outcome = 'denied'`); n != 1 {
		t.Fatal("refusal not audited")
	}
	// Nor through a membership of an existing user.
	expectStatus(t, c.PostForm(userPath(inA.ID, "memberships"), url.Values{"unit_id": {fmt.Sprint(unitA)}, "role": {"admin"}}), http.StatusForbidden)
	if n := app.QueryInt(`SELECT count(*) FROM memberships WHERE role = 'admin'`); n != 0 {
		t.Fatal("an admin membership was granted")
	}
	// Nor in a unit they do not manage, nor above their own clearance.
	form.Set("role", "clerk")
	form.Set("unit_id", fmt.Sprint(unitB))
	expectStatus(t, c.PostForm("/admin/users/new", form), http.StatusForbidden)
	form.Set("unit_id", fmt.Sprint(unitA))
	form.Set("clearance", "toi_mat")
	expectStatus(t, c.PostForm("/admin/users/new", form), http.StatusForbidden)
	// Within their unit and clearance it works.
	form.Set("clearance", "mat")
	expectStatus(t, c.PostForm("/admin/users/new", form), http.StatusSeeOther)
	if n := app.QueryInt(`SELECT count(*) FROM users WHERE login = 'quyenmoi' AND clearance = 'mat'`); n != 1 {
		t.Fatal("the allowed creation did not happen")
	}
}

func TestAdminAccountActions(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	other := a.Unit("Ban Tổ chức Tỉnh ủy", "body", 0)
	u := a.User("chuyenvien", vp, identity.RoleHandler, identity.ClearanceNone)
	secret := a.EnableTOTP(u)
	session := a.Login("chuyenvien", secret)

	post := func(action string, v url.Values, done string) {
		t.Helper()
		resp := a.c.PostForm(userPath(u.ID, action), v)
		expectStatus(t, resp, http.StatusSeeOther)
		if want := userPath(u.ID, "") + "?done=" + done; resp.Header.Get("Location") != want {
			t.Fatalf("%s: redirect to %q, want %q", action, resp.Header.Get("Location"), want)
		}
	}
	post("logout-all", nil, "sessions")
	if resp := session.Get("/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatal("sessions survived 'đăng xuất mọi phiên'")
	}
	post("clearance", url.Values{"clearance": {"toi_mat"}}, "clearance")
	post("totp-reset", nil, "totp")
	post("disable", nil, "disabled")
	if n := a.QueryInt(`SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NOT NULL AND clearance = 'toi_mat' AND totp_secret IS NULL`, u.ID); n != 1 {
		t.Fatal("clearance, TOTP reset or disable not applied")
	}
	body := expectStatus(t, a.c.Get("/admin/users?status=disabled"), http.StatusOK)
	if !strings.Contains(body, `data-login="chuyenvien"`) || !strings.Contains(body, "Đã vô hiệu hóa") {
		t.Fatal("disabled user not listed as disabled")
	}
	post("enable", nil, "enabled")
	post("memberships", url.Values{"unit_id": {fmt.Sprint(other)}, "role": {"leader"}, "title": {"Trưởng ban"}}, "member_added")
	post("memberships/remove", url.Values{"unit_id": {fmt.Sprint(vp)}, "role": {"handler"}}, "member_removed")
	if n := a.QueryInt(`SELECT count(*) FROM memberships WHERE user_id = $1`, u.ID); n != 1 {
		t.Fatalf("memberships = %d, want 1", n)
	}
	for _, action := range []string{"user.logout_all", "user.clearance", "user.totp_reset", "user.disable", "user.enable",
		"user.membership_add", "user.membership_remove"} {
		if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = 'success' AND object_id = $2`, action, fmt.Sprint(u.ID)); n != 1 {
			t.Errorf("%s audited %d times", action, n)
		}
	}
	// An administrator does not disable themself.
	expectStatus(t, a.c.PostForm(userPath(a.admin.ID, "disable"), nil), http.StatusForbidden)
	// A user id that does not exist is a 404.
	expectStatus(t, a.c.Get(userPath(987654, "")), http.StatusNotFound)
}

func TestUnitAdminCannotTakeOverWiderAccounts(t *testing.T) {
	app := testkit.Start(t)
	unitA := app.Unit("Văn phòng Tỉnh ủy", "body", 0)
	unitB := app.Unit("Ban Tổ chức Tỉnh ủy", "body", 0)
	qt := app.User("qtvanphong", unitA, identity.RoleUnitAdmin, identity.ClearanceNone)
	both := app.User("haidonvi", unitA, identity.RoleClerk, identity.ClearanceNone)
	if err := app.Users.AddMembership(t.Context(), app.DB, both.ID, unitB, identity.RoleLeader, ""); err != nil {
		t.Fatal(err)
	}
	sysadmin := app.User("quantri", unitA, identity.RoleAdmin, identity.ClearanceNone)
	c := app.Login("qtvanphong", app.EnableTOTP(qt))

	// Visible (a member of A), but working in B too: no account-wide reset.
	body := expectStatus(t, c.Get(userPath(both.ID, "")), http.StatusOK)
	if !strings.Contains(body, `data-testid="account-actions-note"`) {
		t.Fatal("account actions offered for a user partly out of scope")
	}
	const pw = "Tam-thoi-2026-xyz"
	expectStatus(t, c.PostForm(userPath(both.ID, "password"), url.Values{"password": {pw}, "password_confirm": {pw}}), http.StatusForbidden)
	expectStatus(t, c.PostForm(userPath(sysadmin.ID, "password"), url.Values{"password": {pw}, "password_confirm": {pw}}), http.StatusForbidden)
	if n := app.QueryInt(`SELECT count(*) FROM users WHERE must_change_password`); n != 0 {
		t.Fatal("a password was reset")
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'user.password_reset' AND outcome = 'denied'`); n != 2 {
		t.Fatalf("refusals audited %d times, want 2", n)
	}
	// The membership in A is theirs to manage; the one in B is not.
	expectStatus(t, c.PostForm(userPath(both.ID, "memberships/remove"), url.Values{"unit_id": {fmt.Sprint(unitB)}, "role": {"leader"}}), http.StatusForbidden)
	resp := c.PostForm(userPath(both.ID, "memberships/remove"), url.Values{"unit_id": {fmt.Sprint(unitA)}, "role": {"clerk"}})
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/users?done=member_removed" {
		t.Fatalf("after removing the last role in scope: redirect to %q", loc)
	}
	expectStatus(t, c.Get(userPath(both.ID, "")), http.StatusNotFound)
}
