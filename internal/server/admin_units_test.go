package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// uaBody reads a response and fails unless it has status.
func uaBody(t *testing.T, resp *http.Response, status int) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL, resp.StatusCode, status, b)
	}
	return string(b)
}

// uaRedirect fails unless resp is a 303 and returns where it points.
func uaRedirect(t *testing.T, resp *http.Response) string {
	t.Helper()
	body := uaBody(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatalf("303 without Location: %s", body)
	}
	return loc
}

// uaAdmin signs in a system administrator (with TOTP) in a new app.
func uaAdmin(t *testing.T) (*testkit.App, int64, *testkit.Client) {
	t.Helper()
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	admin := app.User("quantri", root, identity.RoleAdmin, identity.ClearanceNone)
	return app, root, app.Login("quantri", app.EnableTOTP(admin))
}

func uaUnitName(app *testkit.App, id int64) string {
	var name string
	if err := app.DB.QueryRow(app.T.Context(), `SELECT name FROM units WHERE id = $1`, id).Scan(&name); err != nil {
		app.T.Fatal(err)
	}
	return name
}

func TestUnitDirectorySearchesWithoutDiacritics(t *testing.T) {
	app, root, c := uaAdmin(t)
	hcm := app.Unit("Thành ủy Hồ Chí Minh", "province", root)
	other := app.Unit("Tỉnh ủy Quảng Trị", "province", root)

	body := uaBody(t, c.Get("/admin/units?q=ho+chi+minh"), http.StatusOK)
	if !strings.Contains(body, "Thành ủy Hồ Chí Minh") || !strings.Contains(body, fmt.Sprintf(`href="/admin/units/%d"`, hcm)) {
		t.Fatalf("search without diacritics did not find the unit with a link:\n%s", body)
	}
	if strings.Contains(body, fmt.Sprintf(`data-unit-id="%d"`, other)) {
		t.Fatal("search listed an unrelated unit")
	}

	// Level filter, and a sensible empty state.
	body = uaBody(t, c.Get("/admin/units?level=central"), http.StatusOK)
	if !strings.Contains(body, "Ban Chấp hành Trung ương Đảng") || strings.Contains(body, "Thành ủy Hồ Chí Minh") {
		t.Fatalf("level filter wrong:\n%s", body)
	}
	body = uaBody(t, c.Get("/admin/units?q=khong+co+don+vi+nay+xyz"), http.StatusOK)
	if !strings.Contains(body, `data-testid="unit-empty"`) || !strings.Contains(body, "Không có đơn vị nào phù hợp") {
		t.Fatalf("no empty state:\n%s", body)
	}
	// A malformed date is explained on its field.
	body = uaBody(t, c.Get("/admin/units?valid_on=31/02/2025"), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="valid_on-error"`) {
		t.Fatalf("no valid_on message:\n%s", body)
	}
	// A unit that ended shows only with "Cả lịch sử" or a past day.
	app.Exec(`UPDATE units SET valid_to = DATE '2025-06-30' WHERE id = $1`, other)
	if body = uaBody(t, c.Get("/admin/units?q=quang+tri"), http.StatusOK); strings.Contains(body, "Tỉnh ủy Quảng Trị") {
		t.Fatal("an ended unit is listed as current")
	}
	for _, q := range []string{"/admin/units?q=quang+tri&all=1", "/admin/units?q=quang+tri&valid_on=01/01/2025"} {
		if body = uaBody(t, c.Get(q), http.StatusOK); !strings.Contains(body, "Tỉnh ủy Quảng Trị") || !strings.Contains(body, "01/01/2020 – 30/06/2025") {
			t.Fatalf("%s: history not listed:\n%s", q, body)
		}
	}

	// Keyset paging: 55 cells, 50 a page.
	cellParent := app.Unit("Đảng bộ cơ sở Phân trang", "grassroots", hcm)
	for i := range 55 {
		app.Unit(fmt.Sprintf("Chi bộ số %02d", i+1), "cell", cellParent)
	}
	body = uaBody(t, c.Get("/admin/units?level=cell"), http.StatusOK)
	if n := strings.Count(body, `data-testid="unit-row"`); n != 50 {
		t.Fatalf("first page has %d rows", n)
	}
	m := regexp.MustCompile(`href="(/admin/units\?[^"]*cursor=[^"]+)"[^>]*data-testid="next-page"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no next-page link:\n%s", body)
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	body = uaBody(t, c.Get(next), http.StatusOK)
	if n := strings.Count(body, `data-testid="unit-row"`); n != 5 || strings.Contains(body, `data-testid="next-page"`) {
		t.Fatalf("second page has %d rows (next link: %v)", n, strings.Contains(body, `data-testid="next-page"`))
	}
	if !strings.Contains(body, "Chi bộ số 55") || strings.Contains(body, "Chi bộ số 01<") {
		t.Fatalf("second page has the wrong units:\n%s", body)
	}
}

func TestUnitAdminScreensNeedAnAdministrator(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	unit := app.Unit("Tỉnh ủy Hà Tĩnh", "province", root)
	app.User("chuyenvien", unit, identity.RoleHandler, identity.ClearanceNone)
	app.User("lanhdao", unit, identity.RoleLeader, identity.ClearanceNone)
	for _, login := range []string{"chuyenvien", "lanhdao"} {
		c := app.Login(login, "")
		for _, path := range []string{"/admin/units", fmt.Sprintf("/admin/units/%d", unit), "/admin/units/merge"} {
			uaBody(t, c.Get(path), http.StatusNotFound)
		}
		uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/rename", unit), url.Values{"name": {"X"}}), http.StatusNotFound)
	}
	if got := uaUnitName(app, unit); got != "Tỉnh ủy Hà Tĩnh" {
		t.Fatalf("renamed by a non-administrator: %q", got)
	}
}

func TestUnitAdminManagesOnlyTheirProvince(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	provA := app.Unit("Tỉnh ủy Nghệ An", "province", root)
	provB := app.Unit("Tỉnh ủy Thanh Hóa", "province", root)
	a1 := app.Unit("Đảng ủy xã Diễn Châu", "commune", provA)
	b1 := app.Unit("Đảng ủy xã Hoằng Hóa", "commune", provB)
	qt := app.User("quantri.na", provA, identity.RoleUnitAdmin, identity.ClearanceNone)
	c := app.Login("quantri.na", app.EnableTOTP(qt))

	// Province B is invisible: 404 like a missing unit.
	for _, path := range []string{"/admin/units/%d", "/admin/units/%d/rename", "/admin/units/%d/move", "/admin/units/%d/dissolve"} {
		uaBody(t, c.Get(fmt.Sprintf(path, b1)), http.StatusNotFound)
	}
	rename := url.Values{"name": {"Đảng ủy xã Mới"}, "effective_date": {"01/07/2025"}, "legal_basis": {"Quyết định 1-QĐ/TU"}}
	body := uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/rename", b1), rename), http.StatusForbidden)
	if !strings.Contains(body, "Bạn không có quyền quản trị đơn vị này.") {
		t.Fatalf("refusal not explained:\n%s", body)
	}
	if got := uaUnitName(app, b1); got != "Đảng ủy xã Hoằng Hóa" {
		t.Fatalf("unit of another province renamed: %q", got)
	}
	// Nor may B's units be merged into A.
	merge := url.Values{"sources": {fmt.Sprint(b1)}, "target_id": {fmt.Sprint(a1)}, "target_mode": {"existing"},
		"effective_date": {"01/07/2025"}, "legal_basis": {"Quyết định 2-QĐ/TU"}, "action": {"preview"}}
	uaBody(t, c.PostForm("/admin/units/merge", merge), http.StatusForbidden)
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action IN ('unit.rename', 'unit.merge') AND outcome = 'denied'`); n < 2 {
		t.Fatalf("refusals audited %d times", n)
	}

	// Province A is theirs.
	body = uaBody(t, c.Get(fmt.Sprintf("/admin/units/%d", a1)), http.StatusOK)
	if !strings.Contains(body, "Đảng ủy xã Diễn Châu") || !strings.Contains(body, "Tỉnh ủy Nghệ An") {
		t.Fatalf("unit page:\n%s", body)
	}
	loc := uaRedirect(t, c.PostForm(fmt.Sprintf("/admin/units/%d/rename", a1), rename))
	if loc != fmt.Sprintf("/admin/units/%d?ok=renamed", a1) {
		t.Fatalf("redirected to %q", loc)
	}
	if got := uaUnitName(app, a1); got != "Đảng ủy xã Mới" {
		t.Fatalf("name after rename = %q", got)
	}
	body = uaBody(t, c.Get(loc), http.StatusOK)
	for _, want := range []string{`data-testid="flash"`, "Đã đổi tên đơn vị.", "Đảng ủy xã Diễn Châu → Đảng ủy xã Mới", "Quyết định 1-QĐ/TU", "01/07/2025"} {
		if !strings.Contains(body, want) {
			t.Fatalf("unit page after rename lacks %q:\n%s", want, body)
		}
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'unit.view' AND object_id = $1 AND outcome = 'success'`, fmt.Sprint(a1)); n != 2 {
		t.Fatalf("unit views audited %d times, want 2", n)
	}
}

func TestRenameWithoutNameChangesNothing(t *testing.T) {
	app, root, c := uaAdmin(t)
	unit := app.Unit("Tỉnh ủy Hà Tĩnh", "province", root)
	body := uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/rename", unit),
		url.Values{"name": {"   "}, "effective_date": {"32/13/2025"}, "legal_basis": {"Quyết định 5-QĐ/TW"}}), http.StatusUnprocessableEntity)
	for _, want := range []string{`data-testid="name-error"`, "Vui lòng nhập tên mới.", `data-testid="effective_date-error"`,
		`value="Quyết định 5-QĐ/TW"`, `aria-invalid="true"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("form lacks %q:\n%s", want, body)
		}
	}
	if got := uaUnitName(app, unit); got != "Tỉnh ủy Hà Tĩnh" {
		t.Fatalf("name changed to %q", got)
	}
	if n := app.QueryInt(`SELECT count(*) FROM unit_events`); n != 0 {
		t.Fatalf("%d events recorded", n)
	}
}

func TestCreateMoveAndDissolveUnits(t *testing.T) {
	app, root, c := uaAdmin(t)
	provA := app.Unit("Tỉnh ủy Nghệ An", "province", root)
	provB := app.Unit("Tỉnh ủy Hà Tĩnh", "province", root)
	app.Exec(`UPDATE units SET code = '42' WHERE id = $1`, provB)

	// Missing fields are explained and nothing is created.
	before := app.QueryInt(`SELECT count(*) FROM units`)
	body := uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/add-child", provA), url.Values{"name": {""}, "level": {"nope"}}), http.StatusUnprocessableEntity)
	for _, want := range []string{`data-testid="name-error"`, `data-testid="level-error"`, `data-testid="valid_from-error"`, `data-testid="legal_basis-error"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("create form lacks %q", want)
		}
	}
	if app.QueryInt(`SELECT count(*) FROM units`) != before {
		t.Fatal("a unit was created from an invalid form")
	}
	loc := uaRedirect(t, c.PostForm(fmt.Sprintf("/admin/units/%d/add-child", provA), url.Values{
		"name": {"Đảng ủy xã Thử Nghiệm"}, "code": {"99999"}, "symbol": {"ĐU"}, "level": {"commune"}, "kind": {"Đảng ủy xã"},
		"valid_from": {"01/07/2025"}, "legal_basis": {"Quyết định 10-QĐ/TU"}}))
	child := app.QueryInt(`SELECT id FROM units WHERE code = '99999'`)
	if loc != fmt.Sprintf("/admin/units/%d?ok=created", child) || app.QueryInt(`SELECT parent_id FROM units WHERE id = $1`, child) != provA {
		t.Fatalf("created unit %d, redirected to %q", child, loc)
	}

	// Move without JavaScript: the province is typed by its code.
	body = uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/move", child), url.Values{
		"parent_id_text": {"4242"}, "effective_date": {"01/07/2025"}, "legal_basis": {"Quyết định 11-QĐ/TU"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="parent_id-error"`) || !strings.Contains(body, "Không tìm thấy đơn vị") {
		t.Fatalf("unknown code not explained:\n%s", body)
	}
	uaRedirect(t, c.PostForm(fmt.Sprintf("/admin/units/%d/move", child), url.Values{
		"parent_id_text": {"42"}, "effective_date": {"01/07/2025"}, "legal_basis": {"Quyết định 11-QĐ/TU"}}))
	if app.QueryInt(`SELECT parent_id FROM units WHERE id = $1`, child) != provB {
		t.Fatal("unit not moved")
	}

	// Dissolve needs the confirmation box.
	dissolve := url.Values{"effective_date": {"02/07/2025"}, "legal_basis": {"Quyết định 12-QĐ/TU"}}
	body = uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/dissolve", child), dissolve), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="confirm-error"`) {
		t.Fatalf("no confirmation message:\n%s", body)
	}
	dissolve.Set("confirm", "1")
	uaRedirect(t, c.PostForm(fmt.Sprintf("/admin/units/%d/dissolve", child), dissolve))
	if app.QueryInt(`SELECT count(*) FROM units WHERE id = $1 AND valid_to = DATE '2025-07-01'`, child) != 1 {
		t.Fatal("unit not dissolved the day before")
	}
	// A unit with members cannot be dissolved; the form says why.
	app.User("nguoidung", provA, identity.RoleHandler, identity.ClearanceNone)
	body = uaBody(t, c.PostForm(fmt.Sprintf("/admin/units/%d/dissolve", provA), dissolve), http.StatusConflict)
	if !strings.Contains(body, "thành viên") || !strings.Contains(body, `data-testid="form-error"`) {
		t.Fatalf("conflict not shown on the form:\n%s", body)
	}
}

var previewedToken = regexp.MustCompile(`name="previewed" value="([0-9a-f]+)"`)

func TestMergePreviewChangesNothingAndApplyMoves(t *testing.T) {
	app, root, c := uaAdmin(t)
	prov := app.Unit("Tỉnh ủy Lâm Đồng", "province", root)
	s1 := app.Unit("Đảng ủy xã Tân Lập", "commune", prov)
	s2 := app.Unit("Đảng ủy xã Quảng Ngọc", "commune", prov)
	target := app.Unit("Đảng ủy phường Bình Minh", "commune", prov)
	app.Exec(`UPDATE units SET code = '26734' WHERE id = $1`, target)
	cell := app.Unit("Chi bộ thôn 1", "cell", s1)
	app.User("nv.tanlap", s1, identity.RoleHandler, identity.ClearanceNone)
	app.User("ld.quangngoc", s2, identity.RoleLeader, identity.ClearanceNone)

	form := url.Values{
		// sources as the script sends them (hidden ids), the target as a
		// person without JavaScript types it (its code).
		"sources": {fmt.Sprint(s1), fmt.Sprint(s2)}, "target_mode": {"existing"}, "target_id_text": {"26734"},
		"effective_date": {"01/07/2025"}, "legal_basis": {"Nghị quyết 1-NQ/TU"}, "action": {"preview"},
	}

	// An unknown code is explained on its field.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("target_id_text", "khong-co")
	body := uaBody(t, c.PostForm("/admin/units/merge", bad), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="target_id-error"`) || !strings.Contains(body, `Không tìm thấy đơn vị đang hoạt động có mã &#34;khong-co&#34;`) {
		t.Fatalf("bad code not explained:\n%s", body)
	}

	counts := func() [3]int64 {
		return [3]int64{app.QueryInt(`SELECT count(*) FROM units`), app.QueryInt(`SELECT count(*) FROM memberships`),
			app.QueryInt(`SELECT count(*) FROM unit_events`)}
	}
	before := counts()
	body = uaBody(t, c.PostForm("/admin/units/merge", form), http.StatusOK)
	for _, want := range []string{`data-testid="move-report"`, `data-testid="preview-note"`, `data-testid="merge-apply"`,
		"Người dùng nv.tanlap (nv.tanlap) — Chuyên viên", "Người dùng ld.quangngoc (ld.quangngoc) — Lãnh đạo",
		"Chi bộ thôn 1", "Đảng ủy phường Bình Minh", "01/07/2025",
		// values kept, the target now resolved to its id
		`value="Nghị quyết 1-NQ/TU"`, fmt.Sprintf(`value="#%d"`, target)} {
		if !strings.Contains(body, want) {
			t.Fatalf("preview lacks %q:\n%s", want, body)
		}
	}
	if after := counts(); after != before {
		t.Fatalf("preview changed the database: %v → %v", before, after)
	}
	if n := app.QueryInt(`SELECT count(*) FROM units WHERE id = ANY($1) AND valid_to IS NULL`, []int64{s1, s2}); n != 2 {
		t.Fatal("preview ended the sources")
	}
	if app.QueryInt(`SELECT count(*) FROM memberships WHERE unit_id = $1`, s1) != 1 {
		t.Fatal("preview moved a membership")
	}
	m := previewedToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no preview token in the form")
	}

	// Apply with values changed since the preview only previews again.
	changed := url.Values{}
	for k, v := range form {
		changed[k] = v
	}
	changed.Set("legal_basis", "Nghị quyết 2-NQ/TU")
	changed.Set("action", "apply")
	changed.Set("previewed", m[1])
	body = uaBody(t, c.PostForm("/admin/units/merge", changed), http.StatusOK)
	if !strings.Contains(body, "Thông tin đã thay đổi so với bản xem trước") || counts() != before {
		t.Fatalf("changed apply was not held back:\n%s", body)
	}

	form.Set("action", "apply")
	form.Set("previewed", m[1])
	loc := uaRedirect(t, c.PostForm("/admin/units/merge", form))
	event := app.QueryInt(`SELECT id FROM unit_events WHERE kind = 'merge'`)
	if loc != fmt.Sprintf("/admin/events/%d?ok=merged", event) {
		t.Fatalf("apply redirected to %q (event %d)", loc, event)
	}
	if n := app.QueryInt(`SELECT count(*) FROM memberships WHERE unit_id = $1`, target); n != 2 {
		t.Fatalf("target has %d memberships, want 2", n)
	}
	if n := app.QueryInt(`SELECT count(*) FROM memberships WHERE unit_id = ANY($1)`, []int64{s1, s2}); n != 0 {
		t.Fatalf("sources keep %d memberships", n)
	}
	if n := app.QueryInt(`SELECT count(*) FROM units WHERE id = ANY($1) AND valid_to = DATE '2025-06-30'`, []int64{s1, s2}); n != 2 {
		t.Fatal("sources do not end the day before the effective date")
	}
	if app.QueryInt(`SELECT parent_id FROM units WHERE id = $1`, cell) != target {
		t.Fatal("child unit not moved to the target")
	}

	body = uaBody(t, c.Get(loc), http.StatusOK)
	for _, want := range []string{"Đã sáp nhập đơn vị.", `data-testid="move-report"`, "Người dùng nv.tanlap (nv.tanlap) — Chuyên viên",
		"Nghị quyết 1-NQ/TU", "01/07/2025", fmt.Sprintf(`href="/admin/units/%d"`, target)} {
		if !strings.Contains(body, want) {
			t.Fatalf("report page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `data-testid="preview-note"`) {
		t.Fatal("stored report is labelled a preview")
	}
	// Both sides of the succession show it.
	body = uaBody(t, c.Get(fmt.Sprintf("/admin/units/%d", s1)), http.StatusOK)
	if !strings.Contains(body, "Đảng ủy phường Bình Minh") || !strings.Contains(body, fmt.Sprintf(`href="/admin/events/%d"`, event)) ||
		!strings.Contains(body, "Đã chấm dứt") {
		t.Fatalf("source page lacks the successor:\n%s", body)
	}
	body = uaBody(t, c.Get(fmt.Sprintf("/admin/units/%d", target)), http.StatusOK)
	if !strings.Contains(body, "Đảng ủy xã Tân Lập") || !strings.Contains(body, "Người dùng nv.tanlap") {
		t.Fatalf("target page lacks predecessor or member:\n%s", body)
	}
}

func TestSplitPreviewAndApply(t *testing.T) {
	app, root, c := uaAdmin(t)
	prov := app.Unit("Tỉnh ủy Gia Lai", "province", root)
	src := app.Unit("Đảng ủy xã Lớn", "commune", prov)
	a := app.User("nv.mot", src, identity.RoleHandler, identity.ClearanceNone)
	b := app.User("nv.hai", src, identity.RoleHandler, identity.ClearanceNone)

	form := url.Values{
		"source_text": {fmt.Sprintf("#%d", src)}, "parts": {"2"},
		"parts[0].mode": {"new"}, "parts[0].target.name": {"Đảng ủy xã Bắc"}, "parts[0].target.level": {"commune"},
		"parts[1].mode": {"new"}, "parts[1].target.name": {"Đảng ủy xã Nam"}, "parts[1].target.level": {"commune"},
		"effective_date": {"01/07/2025"}, "legal_basis": {"Quyết định 20-QĐ/TU"}, "action": {"preview"},
	}
	before := app.QueryInt(`SELECT count(*) FROM units`)
	body := uaBody(t, c.PostForm("/admin/units/split", form), http.StatusOK)
	for _, want := range []string{`data-testid="split-apply"`, "Đảng ủy xã Bắc", "Đảng ủy xã Nam", "Người dùng nv.mot", "Người dùng nv.hai",
		fmt.Sprintf(`name="member_part.%d"`, b.ID)} {
		if !strings.Contains(body, want) {
			t.Fatalf("split preview lacks %q:\n%s", want, body)
		}
	}
	if app.QueryInt(`SELECT count(*) FROM units`) != before {
		t.Fatal("split preview created units")
	}
	// nv.hai goes to the second part; nv.mot, unmapped, to the first.
	form.Set(fmt.Sprintf("member_part.%d", b.ID), "1")
	body = uaBody(t, c.PostForm("/admin/units/split", form), http.StatusOK)
	m := previewedToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no preview token")
	}
	form.Set("action", "apply")
	form.Set("previewed", m[1])
	loc := uaRedirect(t, c.PostForm("/admin/units/split", form))
	if !strings.HasPrefix(loc, "/admin/events/") {
		t.Fatalf("split apply redirected to %q", loc)
	}
	north := app.QueryInt(`SELECT id FROM units WHERE name = 'Đảng ủy xã Bắc'`)
	south := app.QueryInt(`SELECT id FROM units WHERE name = 'Đảng ủy xã Nam'`)
	if app.QueryInt(`SELECT unit_id FROM memberships WHERE user_id = $1`, a.ID) != north ||
		app.QueryInt(`SELECT unit_id FROM memberships WHERE user_id = $1`, b.ID) != south {
		t.Fatal("members not split as mapped")
	}
	if app.QueryInt(`SELECT parent_id FROM units WHERE id = $1`, north) != prov {
		t.Fatal("new part not under the source's parent")
	}
	body = uaBody(t, c.Get(loc), http.StatusOK)
	if !strings.Contains(body, "Đã chia tách đơn vị.") || !strings.Contains(body, "Đảng ủy xã Nam") || !strings.Contains(body, "Người dùng nv.hai (nv.hai)") {
		t.Fatalf("split report page:\n%s", body)
	}
}

func TestMergeIntoANewUnit(t *testing.T) {
	app, root, c := uaAdmin(t)
	prov := app.Unit("Tỉnh ủy Đắk Lắk", "province", root)
	s1 := app.Unit("Đảng ủy xã Ea Kao", "commune", prov)
	s2 := app.Unit("Đảng ủy xã Hòa Xuân", "commune", prov)
	app.User("nv.eakao", s1, identity.RoleHandler, identity.ClearanceNone)
	form := url.Values{
		"sources_text": {fmt.Sprintf("#%d, %d", s1, s2)}, "target_mode": {"new"},
		// garbage in the picker of the other mode does not matter
		"target_id_text": {"khong-dung"},
		"target.name":    {"Đảng ủy phường Tân Lập"}, "target.level": {"commune"}, "target.kind": {"Đảng ủy phường"},
		"effective_date": {"01/07/2025"}, "legal_basis": {"Nghị quyết 3-NQ/TU"}, "action": {"preview"},
	}
	body := uaBody(t, c.PostForm("/admin/units/merge", form), http.StatusOK)
	if !strings.Contains(body, "Thành lập mới") || !strings.Contains(body, "Đảng ủy phường Tân Lập") {
		t.Fatalf("preview of a new unit:\n%s", body)
	}
	if app.QueryInt(`SELECT count(*) FROM units WHERE name = 'Đảng ủy phường Tân Lập'`) != 0 {
		t.Fatal("preview created the unit")
	}
	m := previewedToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no preview token")
	}
	form.Set("action", "apply")
	form.Set("previewed", m[1])
	uaRedirect(t, c.PostForm("/admin/units/merge", form))
	created := app.QueryInt(`SELECT id FROM units WHERE name = 'Đảng ủy phường Tân Lập' AND valid_from = DATE '2025-07-01'`)
	if created == 0 || app.QueryInt(`SELECT parent_id FROM units WHERE id = $1`, created) != prov {
		t.Fatal("new unit not created under the sources' parent")
	}
	if app.QueryInt(`SELECT count(*) FROM memberships WHERE unit_id = $1`, created) != 1 {
		t.Fatal("member not moved to the new unit")
	}
}
