package server_test

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// outgoingEnv is a province (symbol TU) with a drafter, a reviewer, a
// leader who signs, a clerk; a recipient district with its clerk; and a
// person of another province.
type outgoingEnv struct {
	t                                *testing.T
	app                              *testkit.App
	unit, dist, other                int64
	drafter, reviewer, leader, clerk identity.User
	drafterC, reviewerC, leaderC     *testkit.Client
	clerkC, distClerkC, outsiderC    *testkit.Client
}

func newOutgoingEnv(t *testing.T) *outgoingEnv {
	t.Helper()
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	e := &outgoingEnv{t: t, app: app}
	e.unit = app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	e.dist = app.Unit("Đảng ủy xã Thử nghiệm", "commune", e.unit)
	e.other = app.Unit("Tỉnh ủy Khác", "province", root)
	app.Exec(`UPDATE units SET symbol = 'TU' WHERE id = $1`, e.unit)
	e.drafter = app.User("chuyenvien", e.unit, identity.RoleHandler, identity.ClearanceNone)
	e.reviewer = app.User("gopy", e.unit, identity.RoleHandler, identity.ClearanceNone)
	e.leader = app.User("bithu", e.unit, identity.RoleLeader, identity.ClearanceNone)
	e.clerk = app.User("vanthu", e.unit, identity.RoleClerk, identity.ClearanceNone)
	app.User("vanthu.xa", e.dist, identity.RoleClerk, identity.ClearanceNone)
	app.User("ngoai", e.other, identity.RoleClerk, identity.ClearanceNone)
	e.drafterC, e.reviewerC, e.leaderC = app.Login("chuyenvien", ""), app.Login("gopy", ""), app.Login("bithu", "")
	e.clerkC, e.distClerkC, e.outsiderC = app.Login("vanthu", ""), app.Login("vanthu.xa", ""), app.Login("ngoai", "")
	return e
}

// postMultipart sends fields (repeatable) and files as a browser would.
func postMultipart(t *testing.T, app *testkit.App, c *testkit.Client, path string, fields url.Values, fileField string, files ...formFile) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if len(files) == 0 {
		w, _ := mw.CreateFormFile(fileField, "")
		w.Write(nil)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(fileField, f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var outgoingLocation = regexp.MustCompile(`^/outgoing/(\d+)\?done=created$`)

// expectRedirect checks a 303 to a location starting with prefix.
func expectRedirect(t *testing.T, resp *http.Response, prefix string) string {
	t.Helper()
	body := readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %d to %q, want 303 to %s…:\n%s", resp.StatusCode, loc, prefix, body)
	}
	return loc
}

func (e *outgoingEnv) page(c *testkit.Client, path string, status int) string {
	e.t.Helper()
	got, body := getPage(e.t, c, path)
	if got != status {
		e.t.Fatalf("GET %s = %d, want %d:\n%s", path, got, status, body)
	}
	return body
}

func (e *outgoingEnv) post(c *testkit.Client, path string, form url.Values) *http.Response {
	e.t.Helper()
	return c.PostForm(path, form)
}

func wantText(t *testing.T, body string, texts ...string) {
	t.Helper()
	plain := html.UnescapeString(body)
	for _, s := range texts {
		if !strings.Contains(plain, s) {
			t.Fatalf("page lacks %q", s)
		}
	}
}

func testID(body, id string) bool { return strings.Contains(body, `data-testid="`+id+`"`) }

// The whole outgoing flow through the pages: the form refuses what is
// missing field by field, the drafter saves and submits, the reviewer
// returns with a reason, the drafter resubmits, the clerk checks the
// format, the leader uploads the signed PDF and approves, the clerk
// issues, the recipient's clerk registers, and the sender's tracking says
// so. Each person sees only their actions; another province sees nothing.
func TestOutgoingPagesFlow(t *testing.T) {
	e := newOutgoingEnv(t)
	body := e.page(e.drafterC, "/outgoing", http.StatusOK)
	if testID(body, "placeholder") || !testID(body, "outgoing-tabs") || !testID(body, "outgoing-empty") {
		t.Fatalf("list page:\n%s", body)
	}
	if !testID(body, "tab-mine") || testID(body, "tab-sign") || testID(body, "tab-format") {
		t.Fatal("a handler's tabs are wrong")
	}
	body = e.page(e.drafterC, "/outgoing/new", http.StatusOK)
	wantText(t, body, "Soạn dự thảo văn bản đi", "Người dùng bithu")

	// Missing fields come back, each with its message; nothing is stored.
	resp := postMultipart(t, e.app, e.drafterC, "/outgoing", url.Values{"subject": {" "}, "recipient_units_text": {"#999999"}}, "files")
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty form = %d", resp.StatusCode)
	}
	for _, id := range []string{"type_name-error", "subject-error", "recipient_units-error", "form-error"} {
		if !testID(body, id) {
			t.Fatalf("no %s:\n%s", id, body)
		}
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM documents`); n != 0 {
		t.Fatalf("%d documents after a refused form", n)
	}
	// A file that is neither DOCX nor PDF is refused by content.
	fields := url.Values{"type_name": {"Công văn"}, "subject": {"Về việc báo cáo sơ kết công tác 6 tháng"}, "priority": {"khan"},
		"confidentiality": {"none"}, "signer_id": {fmt.Sprint(e.leader.ID)}, "signer_position": {"Bí thư"},
		"recipient_units": {fmt.Sprint(e.dist)}, "recipient_organs": {"Sở Nội vụ tỉnh Thử nghiệm"}}
	resp = postMultipart(t, e.app, e.drafterC, "/outgoing", fields, "files", formFile{"du-thao.zip", testZip(t)})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "files-error") {
		t.Fatalf("zip draft = %d:\n%s", resp.StatusCode, body)
	}
	loc := expectRedirect(t, postMultipart(t, e.app, e.drafterC, "/outgoing", fields, "files", formFile{"du-thao.pdf", testPDF}), "/outgoing/")
	m := outgoingLocation.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("created: %s", loc)
	}
	id := m[1]
	p := "/outgoing/" + id
	body = e.page(e.drafterC, loc, http.StatusOK)
	wantText(t, body, "Đã lưu dự thảo.", "Đang soạn thảo", "Đảng ủy xã Thử nghiệm", "Sở Nội vụ tỉnh Thử nghiệm",
		"Bí thư Người dùng bithu", "du-thao.pdf")
	for _, want := range []string{"submit-form", "version-form", "edit-link", "no-circuit"} {
		if !testID(body, want) {
			t.Fatalf("drafter's page lacks %s", want)
		}
	}
	// The drafter edits the metadata; nobody else may.
	e.page(e.leaderC, p+"/edit", http.StatusForbidden)
	body = e.page(e.drafterC, p+"/edit", http.StatusOK)
	if !strings.Contains(html.UnescapeString(body), fmt.Sprintf(`"id":%d`, e.dist)) {
		t.Fatal("the edit form does not show the chosen recipient unit")
	}
	resp = e.post(e.drafterC, p+"/edit", url.Values{"type_name": {"Công văn"}, "subject": {""}, "recipient_units": {fmt.Sprint(e.dist)}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "subject-error") {
		t.Fatalf("edit without subject = %d", resp.StatusCode)
	}
	loc = expectRedirect(t, e.post(e.drafterC, p+"/edit", url.Values{"type_name": {"Công văn"}, "priority": {"khan"}, "confidentiality": {"none"},
		"subject": {"Về việc báo cáo sơ kết công tác 6 tháng đầu năm"}, "signer_id": {fmt.Sprint(e.leader.ID)}, "signer_position": {"Bí thư"},
		"recipient_units": {fmt.Sprint(e.dist)}, "recipient_organs": {"Sở Nội vụ tỉnh Thử nghiệm"}}), p+"?done=edited")
	wantText(t, e.page(e.drafterC, loc, http.StatusOK), "Về việc báo cáo sơ kết công tác 6 tháng đầu năm", "Đã lưu thông tin dự thảo.")
	// Others do not get the drafter's actions; another province gets 404.
	if body := e.page(e.leaderC, p, http.StatusOK); testID(body, "submit-form") || testID(body, "approve-form") {
		t.Fatal("the leader is offered the drafter's or the signer's actions too early")
	}
	e.page(e.outsiderC, p, http.StatusNotFound)
	if resp := e.post(e.outsiderC, p+"/submit", url.Values{"signer_id": {fmt.Sprint(e.leader.ID)}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider submit = %d", resp.StatusCode)
	}
	// A version that is not DOCX/PDF.
	resp = postMultipart(t, e.app, e.drafterC, p+"/versions", url.Values{"note": {"v2"}}, "files", formFile{"a.zip", testZip(t)})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "version-files-error") {
		t.Fatalf("zip version = %d", resp.StatusCode)
	}

	// Submit without a signer: the field says so.
	resp = e.post(e.drafterC, p+"/submit", url.Values{"step_1": {fmt.Sprint(e.reviewer.ID)}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "signer_id-error") {
		t.Fatalf("submit without signer = %d", resp.StatusCode)
	}
	expectRedirect(t, e.post(e.drafterC, p+"/submit", url.Values{"signer_id": {fmt.Sprint(e.leader.ID)}, "step_1": {fmt.Sprint(e.reviewer.ID)}}), p+"?done=submitted")
	body = e.page(e.drafterC, p, http.StatusOK)
	wantText(t, body, "Đang xin ý kiến (bước 1/1)", "Chờ cho ý kiến")
	if !testID(body, "withdraw-form") || testID(body, "submit-form") {
		t.Fatal("after submitting the drafter may withdraw, not submit")
	}

	// The reviewer finds it in their box and returns it; a reason is needed.
	body = e.page(e.reviewerC, "/outgoing?tab=review", http.StatusOK)
	if !strings.Contains(body, `data-testid="outgoing-row" data-id="`+id+`"`) || !strings.Contains(body, `data-testid="tab-count-review">1<`) {
		t.Fatalf("reviewer's box:\n%s", body)
	}
	resp = e.post(e.reviewerC, p+"/review", url.Values{"decision": {"return"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "review-note-error") {
		t.Fatalf("return without reason = %d", resp.StatusCode)
	}
	expectRedirect(t, e.post(e.reviewerC, p+"/review", url.Values{"decision": {"return"}, "note": {"Bổ sung số liệu quý II"}}), p+"?done=returned")
	body = e.page(e.drafterC, p, http.StatusOK)
	wantText(t, body, "Bị trả lại", "Bổ sung số liệu quý II")
	if !testID(body, "round-returned") || !testID(body, "submit-form") {
		t.Fatal("the drafter does not see the return or cannot resubmit")
	}
	// The circuit form remembers the last circuit.
	if !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, e.reviewer.ID)) {
		t.Fatal("the last circuit is not offered again")
	}
	expectRedirect(t, postMultipart(t, e.app, e.drafterC, p+"/versions", url.Values{"note": {"Đã bổ sung"}}, "files", formFile{"du-thao-2.pdf", testPDF}), p+"?done=version")
	expectRedirect(t, e.post(e.drafterC, p+"/submit", url.Values{"signer_id": {fmt.Sprint(e.leader.ID)}, "step_1": {fmt.Sprint(e.reviewer.ID)}}), p+"?done=submitted")
	expectRedirect(t, e.post(e.reviewerC, p+"/review", url.Values{"decision": {"approve"}, "note": {"Nhất trí"}}), p+"?done=reviewed")

	// The clerk checks the format.
	body = e.page(e.clerkC, "/outgoing?tab=format", http.StatusOK)
	if !strings.Contains(body, `data-testid="outgoing-row" data-id="`+id+`"`) {
		t.Fatal("not in the clerk's format box")
	}
	if resp := e.post(e.drafterC, p+"/format-check", url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("drafter format check = %d", resp.StatusCode)
	}
	expectRedirect(t, e.post(e.clerkC, p+"/format-check", url.Values{"decision": {"approve"}}), p+"?done=format")

	// The leader signs: approving first is refused, then the signed PDF.
	body = e.page(e.leaderC, "/outgoing?tab=sign", http.StatusOK)
	if !strings.Contains(body, `data-testid="outgoing-row" data-id="`+id+`"`) {
		t.Fatal("not in the leader's sign box")
	}
	body = e.page(e.leaderC, p, http.StatusOK)
	if !testID(body, "sign-panel") || !testID(body, "signed-missing") || !testID(body, "version-form") {
		t.Fatal("the signer's panel is missing")
	}
	resp = e.post(e.leaderC, p+"/approve", nil)
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusConflict || !testID(body, "action-flash") {
		t.Fatalf("approve before signing = %d", resp.StatusCode)
	}
	expectRedirect(t, postMultipart(t, e.app, e.leaderC, p+"/versions", url.Values{"note": {"Bản ký số"}}, "files", formFile{"cong-van-da-ky.pdf", testPDF}), p+"?done=signed&version=")
	body = e.page(e.leaderC, p, http.StatusOK)
	if !testID(body, "signed-ready") || !testID(body, "version-signed") {
		t.Fatal("the signed version is not shown")
	}
	expectRedirect(t, e.post(e.leaderC, p+"/approve", nil), p+"?done=approved")

	// The clerk issues and sees the number.
	body = e.page(e.clerkC, p, http.StatusOK)
	wantText(t, body, "Đã ký, chờ phát hành")
	if !testID(body, "issue-form") {
		t.Fatal("no issue form for the clerk")
	}
	loc = expectRedirect(t, e.post(e.clerkC, p+"/issue", nil), p+"?done=issued")
	body = e.page(e.clerkC, loc, http.StatusOK)
	wantText(t, body, "Đã cấp số 1-CV/TU", "Đã phát hành", "Đã đến, chờ vào sổ", "Gửi ngoài hệ thống")
	if !strings.Contains(body, `data-testid="outgoing-symbol">`) || !strings.Contains(html.UnescapeString(body), "<strong>1-CV/TU</strong>") {
		t.Fatal("the number is not shown")
	}
	// Recall needs a reason.
	resp = e.post(e.clerkC, p+"/recall", url.Values{"reason": {""}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "recall-reason-error") {
		t.Fatalf("recall without reason = %d", resp.StatusCode)
	}

	// The recipient's clerk registers the copy from its page.
	copyID := e.app.QueryInt(`SELECT id FROM documents WHERE source_document_id = $1`, id)
	body = e.page(e.distClerkC, fmt.Sprintf("/documents/%d", copyID), http.StatusOK)
	if !testID(body, "delivery-panel") || !testID(body, "receive-form") {
		t.Fatal("the recipient's clerk cannot register the copy")
	}
	resp = e.post(e.distClerkC, fmt.Sprintf("/documents/%d/refuse", copyID), url.Values{"reason": {" "}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "refuse-reason-error") {
		t.Fatalf("refuse without reason = %d", resp.StatusCode)
	}
	expectRedirect(t, e.post(e.distClerkC, fmt.Sprintf("/documents/%d/receive", copyID), nil), fmt.Sprintf("/documents/%d?registered=1", copyID))
	body = e.page(e.drafterC, p+"/tracking", http.StatusOK)
	if !testID(body, "tracking-table") || !strings.Contains(body, "Đã vào sổ") || strings.Contains(body, "<html") {
		t.Fatalf("tracking fragment:\n%s", body)
	}
	// Only the signed version reached the recipient.
	if n := e.app.QueryInt(`SELECT count(*) FROM document_files WHERE document_id = $1`, copyID); n != 1 {
		t.Fatalf("copy has %d files", n)
	}
	// /documents/{id} of an outgoing document leads to its page.
	resp = e.drafterC.Get("/documents/" + id)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != p {
		t.Fatalf("/documents/%s = %d %s", id, resp.StatusCode, resp.Header.Get("Location"))
	}
	// Recalled: the recipient's copy says so and may no longer be handled.
	expectRedirect(t, e.post(e.clerkC, p+"/recall", url.Values{"reason": {"Sai số liệu"}}), p+"?done=recalled")
	body = e.page(e.distClerkC, fmt.Sprintf("/documents/%d", copyID), http.StatusOK)
	if !testID(body, "copy-recalled") {
		t.Fatal("the recipient's copy does not say it was recalled")
	}
	if body := e.page(e.drafterC, p+"/tracking", http.StatusOK); !strings.Contains(body, "Đã thu hồi") {
		t.Fatal("tracking does not show the recall")
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM notifications WHERE kind = 'incoming_recalled'`); n != 1 {
		t.Fatalf("%d recall notifications", n)
	}
	// A replacement, linked to the issued document.
	body = e.page(e.drafterC, "/outgoing/new?replaces="+id, http.StatusOK)
	if !testID(body, "link-box") || !strings.Contains(html.UnescapeString(body), "1-CV/TU") || !strings.Contains(body, "Soạn văn bản thay thế") {
		t.Fatal("the replacement form does not name the original")
	}
	repl := url.Values{"type_name": {"Công văn"}, "subject": {"Về việc báo cáo sơ kết (thay thế)"}, "recipient_units": {fmt.Sprint(e.dist)},
		"link_kind": {"replaces"}, "link_target": {id}}
	resp = postMultipart(t, e.app, e.drafterC, "/outgoing", repl, "files")
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "link_reason-error") || !testID(body, "link-box") {
		t.Fatalf("replacement without reason = %d", resp.StatusCode)
	}
	repl.Set("link_reason", "Sai số liệu ở mục 2")
	loc = expectRedirect(t, postMultipart(t, e.app, e.drafterC, "/outgoing", repl, "files"), "/outgoing/")
	body = e.page(e.drafterC, loc, http.StatusOK)
	if !testID(body, "link-original") || !strings.Contains(html.UnescapeString(body), "Sai số liệu ở mục 2") {
		t.Fatal("the replacement does not show its original")
	}
	if body := e.page(e.drafterC, p, http.StatusOK); !testID(body, "linked-draft-replaces") {
		t.Fatal("the original does not mention the replacement being drafted")
	}
	// The whole story is on the timeline.
	body = e.page(e.drafterC, p, http.StatusOK)
	wantText(t, body, "Trình duyệt", "Trả lại", "Lý do: Bổ sung số liệu quý II", "Đạt thể thức", "Duyệt, ký", "Cấp số, phát hành", "Nơi nhận đã vào sổ")
}

// The list searches without diacritics, filters, and pages with a cursor.
func TestOutgoingListSearchAndPages(t *testing.T) {
	e := newOutgoingEnv(t)
	for i := range 7 {
		subject := fmt.Sprintf("Kế hoạch tuyên truyền số %d", i)
		typ := "Kế hoạch"
		if i%3 == 0 {
			subject, typ = fmt.Sprintf("Báo cáo chuyển đổi số quý %d", i), "Báo cáo"
		}
		fields := url.Values{"type_name": {typ}, "subject": {subject}, "recipient_units": {fmt.Sprint(e.dist)}}
		expectRedirect(t, postMultipart(t, e.app, e.drafterC, "/outgoing", fields, "files"), "/outgoing/")
	}
	ids, pages := walkOutgoing(t, e.drafterC, "/outgoing?tab=mine&limit=3")
	if len(ids) != 7 || pages != 3 {
		t.Fatalf("walked %d rows in %d pages", len(ids), pages)
	}
	ids, _ = walkOutgoing(t, e.drafterC, "/outgoing?q=chuyen+doi+so")
	if len(ids) != 3 {
		t.Fatalf("search without diacritics: %d rows", len(ids))
	}
	ids, _ = walkOutgoing(t, e.drafterC, "/outgoing?type_name="+url.QueryEscape("Kế hoạch")+"&sort=created_asc")
	if len(ids) != 4 {
		t.Fatalf("type filter: %d rows", len(ids))
	}
	body := e.page(e.drafterC, "/outgoing?q=khong+co+gi+ca", http.StatusOK)
	if !testID(body, "outgoing-empty") || !testID(body, "clear-filter") {
		t.Fatal("no empty state for a search without results")
	}
	resp := e.drafterC.Get("/outgoing?from=31/02/2026&sort=x")
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !testID(body, "from-error") {
		t.Fatalf("bad filter = %d", resp.StatusCode)
	}
	if body := e.page(e.outsiderC, "/outgoing", http.StatusOK); !testID(body, "outgoing-empty") {
		t.Fatal("another province sees these drafts")
	}
}

var (
	outgoingRowIDs   = regexp.MustCompile(`data-testid="outgoing-row" data-id="(\d+)"`)
	outgoingNextLink = regexp.MustCompile(`href="([^"]+)" rel="next" data-testid="next-page"`)
)

func walkOutgoing(t *testing.T, c *testkit.Client, path string) (ids []string, pages int) {
	t.Helper()
	seen := map[string]bool{}
	for path != "" {
		pages++
		if pages > 20 {
			t.Fatal("the pager does not end")
		}
		status, body := getPage(t, c, path)
		if status != http.StatusOK {
			t.Fatalf("GET %s = %d:\n%s", path, status, body)
		}
		for _, m := range outgoingRowIDs.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Fatalf("row %s twice", m[1])
			}
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
		path = ""
		if m := outgoingNextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return ids, pages
}
