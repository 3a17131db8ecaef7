package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vanthu/internal/calendar"
	"vanthu/internal/identity"
	"vanthu/internal/routing"
	"vanthu/internal/testkit"
)

// logout signs out with the header's form and waits for the login page.
func logout(p *testkit.Page) {
	p.Do(
		chromedp.Click(css(`form[action="/logout"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="login-form"]`)),
	)
}

// signIn logs user in through the login page and waits for the header.
func signIn(t *testing.T, p *testkit.Page, app *testkit.App, user string) {
	t.Helper()
	login(p, app, user)
	p.Do(chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)))
	if name := p.Text(`[data-testid="viewer-name"]`); name != "Người dùng "+user {
		t.Fatalf("signed in as %q, want %s", name, user)
	}
}

// openFromTab opens /incoming, switches to the tab key, checks the
// document is listed there (and counted) and opens it.
func openFromTab(t *testing.T, p *testkit.Page, app *testkit.App, key string, docID int64) {
	t.Helper()
	row := fmt.Sprintf(`[data-testid="incoming-row"][data-id="%d"]`, docID)
	p.Do(
		chromedp.Navigate(app.URL+"/incoming"),
		chromedp.WaitVisible(css(`[data-testid="tab-`+key+`"]`)),
		chromedp.Click(css(`[data-testid="tab-`+key+`"]`)),
		chromedp.WaitVisible(css(`[data-testid="tab-`+key+`"][aria-current="page"]`)),
		chromedp.WaitVisible(css(row)),
	)
	if n := p.Text(`[data-testid="tab-count-` + key + `"]`); n != "1" {
		t.Fatalf("tab %s count = %q, want 1", key, n)
	}
	if n := countNodes(p, `[data-testid="incoming-row"]`); n != 1 {
		t.Fatalf("tab %s rows = %d, want 1", key, n)
	}
	p.Do(
		chromedp.Click(css(row+` [data-testid="row-subject"]`)),
		chromedp.WaitVisible(css(`[data-testid="routing"]`)),
	)
	if loc := p.Location(); !strings.Contains(loc, fmt.Sprintf("/documents/%d", docID)) {
		t.Fatalf("opened %q from tab %s, want document %d", loc, key, docID)
	}
}

// eventKinds lists the kinds on the timeline, in order, leaving out views.
func eventKinds(p *testkit.Page) []string {
	s := evalString(p, `Array.from(document.querySelectorAll('[data-testid="event"]'))
		.map(e => e.dataset.kind).filter(k => k !== "viewed").join(",")`)
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// settleViewer waits, on a document page that shows a PDF inline, until
// Chromium's PDF viewer has loaded and taken the keyboard focus, which it
// does on its own a second or so after the page loads: keys typed into a
// form before then are partly lost to the viewer. A browser whose viewer
// leaves the focus alone costs at most ten seconds here.
func settleViewer(p *testkit.Page) {
	if countNodes(p, `iframe[data-testid="file-viewer"]`) == 0 {
		return
	}
	p.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](`document.activeElement !== null && document.activeElement.matches('iframe[data-testid="file-viewer"]')`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		if errors.Is(err, chromedp.ErrPollingTimeout) {
			err = nil
		}
		return chromedp.Void{}, err
	})
}

// typeInto types text into the field sel and checks that every key landed.
func typeInto(t *testing.T, p *testkit.Page, sel, text string) {
	t.Helper()
	p.Do(chromedp.SendKeys(css(sel), text))
	if v := evalString(p, fmt.Sprintf(`document.querySelector(%q).value`, sel)); v != text {
		t.Fatalf("typed %q into %s, it holds %q", text, sel, v)
	}
}

// openDetails opens the <details> holding the form posting to action.
func openDetails(p *testkit.Page, action string) {
	p.Do(chromedp.Click(css(`details:has(> form[action="` + action + `"]) > summary`)))
}

// The whole incoming flow in the browser: a clerk of the province
// registers a document with a scan and presents it; the leader finds it
// in "Chờ cho ý kiến" and directs a handler of a department below, with a
// deadline in working days; the handler finds it in "Chờ xử lý" (seen
// through the grant), accepts, reports progress and completes it; the
// clerk then finds it under "Đã hoàn thành".
func TestHandlingClerkLeaderHandlerDone(t *testing.T) {
	app := testkit.Start(t)
	ctx := context.Background()
	if _, err := calendar.Seed(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	dept := app.Unit("Ban Tuyên giáo Tỉnh ủy Thử nghiệm", "body", prov)
	app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceNone)
	leader := app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	handler := app.User("chuyenvien", dept, identity.RoleHandler, identity.ClearanceNone)

	pdf := filepath.Join(t.TempDir(), "cong-van-12.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const subject = "Về việc tổ chức hội nghị quán triệt Nghị quyết"
	p := testkit.Browser(t)

	// 1. The clerk registers the document with its scan.
	signIn(t, p, app, "vanthu")
	p.Do(
		chromedp.Navigate(app.URL+"/incoming/new"),
		chromedp.WaitVisible(css(`[data-testid="incoming-form"][data-enhanced]`)),
	)
	typeInto(t, p, "#organ_name", "Ban Tổ chức Trung ương")
	typeInto(t, p, "#symbol", "12-CV/BTCTW")
	typeInto(t, p, "#issued_date", "02/03/2026")
	p.Do(chromedp.SetValue(css("#type_name"), "Công văn"))
	typeInto(t, p, "#subject", subject)
	p.Do(
		chromedp.SetUploadFiles(css("#files"), []string{pdf}),
		chromedp.WaitVisible(css(`[data-testid="chosen-file"]`)),
		chromedp.Click(css(`[data-testid="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="arrival-number"]`)),
	)
	loc := p.Location()
	_, rest, ok := strings.Cut(loc, "/documents/")
	if !ok {
		t.Fatalf("after registration landed on %q", loc)
	}
	idText, _, _ := strings.Cut(rest, "?")
	docID, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		t.Fatalf("document id in %q: %v", loc, err)
	}
	if s := p.Text(`[data-testid="document-title"]`); s != subject {
		t.Fatalf("title = %q", s)
	}
	if s := p.Text(`[data-testid="file-name"]`); s != "cong-van-12.pdf" {
		t.Fatalf("file = %q", s)
	}
	if s := p.Text(`[data-testid="document-status"]`); s != "Đã vào sổ" {
		t.Fatalf("status after registration = %q", s)
	}

	// 2. Presented to the leader.
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="present-form"]`)),
		chromedp.SetValue(css("#present-leader"), strconv.FormatInt(leader.ID, 10)),
		chromedp.Click(css(`[data-testid="present-form"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="event"][data-kind="presented"]`)),
	)
	if s := p.Text(`[data-testid="routing-flash"]`); s != "Đã trình lãnh đạo." {
		t.Fatalf("flash after presenting = %q", s)
	}
	if s := p.Text(`[data-testid="routing-presented"]`); s != "Người dùng bithu" {
		t.Fatalf("presented to %q", s)
	}
	logout(p)

	// 3. The leader directs it: the handler leads, three working days.
	signIn(t, p, app, "bithu")
	openFromTab(t, p, app, "presented", docID)
	due, err := calendar.New(app.DB).AddWorkingDays(ctx, routing.Today(), 3)
	if err != nil {
		t.Fatal(err)
	}
	dueText := due.Format("02/01/2006")
	const direction = "Giao Ban Tuyên giáo chủ trì, tham mưu tổ chức hội nghị."
	lead := fmt.Sprintf(`#direction-lead option[value="user:%d"]`, handler.ID)
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="direction-form"]`)),
		chromedp.WaitReady(css(lead)),
	)
	if s := evalString(p, fmt.Sprintf(`document.querySelector(%q).textContent`, lead)); s != "Người dùng chuyenvien — Ban Tuyên giáo Tỉnh ủy Thử nghiệm" {
		t.Fatalf("lead option = %q", s)
	}
	settleViewer(p)
	typeInto(t, p, "#direction-body", direction)
	p.Do(chromedp.SetValue(css("#direction-lead"), fmt.Sprintf("user:%d", handler.ID)))
	typeInto(t, p, "#direction-days", "3")
	p.Do(
		chromedp.Click(css(`[data-testid="direction-form"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="direction"]`)),
	)
	if s := p.Text(`[data-testid="routing-flash"]`); s != "Đã ghi ý kiến chỉ đạo và phân công xử lý." {
		t.Fatalf("flash after directing = %q", s)
	}
	dir := p.Text(`[data-testid="direction"]`)
	for _, want := range []string{"Người dùng bithu", direction, "Hạn xử lý: " + dueText, "Chủ trì", "Người dùng chuyenvien"} {
		if !strings.Contains(dir, want) {
			t.Fatalf("direction %q lacks %q", dir, want)
		}
	}
	asg := app.QueryInt(`SELECT id FROM assignments WHERE document_id = $1 AND assignee_user_id = $2 AND role = 'lead'`, docID, handler.ID)
	if asg == 0 {
		t.Fatal("no lead assignment stored for the handler")
	}
	status := fmt.Sprintf(`[data-testid="assignment-status-%d"]`, asg)
	if s := p.Text(status); s != "Chờ xử lý" {
		t.Fatalf("assignment status after directing = %q", s)
	}
	if s := p.Text(`[data-testid="document-status"]`); s != "Đã phân công" {
		t.Fatalf("document status after directing = %q", s)
	}
	if s := p.Text(`[data-testid="routing-status"]`); s != "Đã phân công" {
		t.Fatalf("handling status after directing = %q", s)
	}
	if n := countNodes(p, `[data-testid="direction-form"], [data-testid="present-form"]`); n != 0 {
		t.Fatal("direction or present form still offered after directing")
	}
	logout(p)

	// 4. The handler, in a department below, finds it in "Chờ xử lý": the
	// document stays the province's, the handler sees it through a grant.
	if n := app.QueryInt(`SELECT count(*) FROM documents WHERE id = $1 AND unit_id = $2`, docID, prov); n != 1 {
		t.Fatal("the document is not the province's")
	}
	if n := app.QueryInt(`SELECT count(*) FROM memberships WHERE user_id = $1 AND unit_id <> $2`, handler.ID, dept); n != 0 {
		t.Fatal("the handler belongs to a unit besides the department")
	}
	if n := app.QueryInt(`SELECT count(*) FROM grants WHERE object_type = 'document' AND object_id = $1 AND user_id = $2`, docID, handler.ID); n != 1 {
		t.Fatalf("grants to the handler = %d", n)
	}
	signIn(t, p, app, "chuyenvien")
	openFromTab(t, p, app, "todo", docID)
	accept := fmt.Sprintf("/assignments/%d/accept", asg)
	progress := fmt.Sprintf("/assignments/%d/progress", asg)
	complete := fmt.Sprintf("/assignments/%d/complete", asg)
	p.Do(
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="assignment-actions-%d"]`, asg))),
		chromedp.Click(css(`form[action="`+accept+`"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="event"][data-kind="accepted"]`)),
	)
	if s := p.Text(`[data-testid="routing-flash"]`); s != "Đã nhận xử lý." {
		t.Fatalf("flash after accepting = %q", s)
	}
	if n := countNodes(p, `form[action="`+accept+`"]`); n != 0 {
		t.Fatal("the accept form is still offered after accepting")
	}
	if s := p.Text(`[data-testid="document-status"]`); s != "Đang xử lý" {
		t.Fatalf("document status after accepting = %q", s)
	}
	if s := p.Text(status); s != "Đang xử lý" {
		t.Fatalf("assignment status after accepting = %q", s)
	}

	const note = "Đã xây dựng dự thảo kế hoạch, đang xin ý kiến các ban."
	settleViewer(p)
	openDetails(p, progress)
	percent := fmt.Sprintf("#progress-percent-%d", asg)
	p.Do(
		chromedp.WaitVisible(css(percent)),
		chromedp.SetValue(css(percent), ""),
	)
	typeInto(t, p, percent, "50")
	typeInto(t, p, fmt.Sprintf("#progress-note-%d", asg), note)
	p.Do(
		chromedp.Click(css(`form[action="`+progress+`"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="event"][data-kind="progress"]`)),
	)
	if s := p.Text(`[data-testid="routing-flash"]`); s != "Đã cập nhật tiến độ." {
		t.Fatalf("flash after progress = %q", s)
	}
	if s := p.Text(fmt.Sprintf(`[data-testid="assignment-%d"]`, asg)); !strings.Contains(s, "50%") || !strings.Contains(s, note) {
		t.Fatalf("assignment after progress = %q", s)
	}

	const result = "Đã tổ chức hội nghị ngày 10/3, có báo cáo kèm theo."
	settleViewer(p)
	openDetails(p, complete)
	p.Do(chromedp.WaitVisible(css(fmt.Sprintf("#complete-result-%d", asg))))
	typeInto(t, p, fmt.Sprintf("#complete-result-%d", asg), result)
	p.Do(
		chromedp.Click(css(`form[action="`+complete+`"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="event"][data-kind="completed"]`)),
	)
	if s := p.Text(`[data-testid="routing-flash"]`); s != "Đã báo cáo hoàn thành." {
		t.Fatalf("flash after completing = %q", s)
	}
	if s := p.Text(`[data-testid="document-status"]`); s != "Hoàn thành" {
		t.Fatalf("document status after completing = %q", s)
	}
	if s := p.Text(`[data-testid="routing-status"]`); s != "Hoàn thành" {
		t.Fatalf("handling status after completing = %q", s)
	}
	if s := p.Text(status); s != "Hoàn thành" {
		t.Fatalf("assignment status after completing = %q", s)
	}
	if s := p.Text(fmt.Sprintf(`[data-testid="assignment-%d"]`, asg)); !strings.Contains(s, "Kết quả: "+result) {
		t.Fatalf("assignment after completing = %q", s)
	}
	if n := countNodes(p, fmt.Sprintf(`[data-testid="assignment-actions-%d"]`, asg)); n != 0 {
		t.Fatal("actions still offered on a completed assignment")
	}
	want := []string{"registered", "presented", "directed", "assigned", "accepted", "progress", "completed"}
	if got := eventKinds(p); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("timeline = %v, want %v", got, want)
	}
	timeline := p.Text(`[data-testid="document-timeline"]`)
	for _, w := range []string{"Vào sổ", "Trình lãnh đạo", "Cho ý kiến chỉ đạo", "Phân công", "Nhận xử lý", "Cập nhật tiến độ", note, "Hoàn thành", result} {
		if !strings.Contains(timeline, w) {
			t.Fatalf("timeline %q lacks %q", timeline, w)
		}
	}
	logout(p)

	// 5. The clerk finds it under "Đã hoàn thành".
	signIn(t, p, app, "vanthu")
	openFromTab(t, p, app, "done", docID)
	if s := p.Text(`[data-testid="document-status"]`); s != "Hoàn thành" {
		t.Fatalf("clerk sees status %q", s)
	}
}
