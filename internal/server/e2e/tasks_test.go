package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vanthu/internal/calendar"
	"vanthu/internal/identity"
	"vanthu/internal/tasks"
	"vanthu/internal/testkit"
)

// taskEventKinds lists the kinds on a task's timeline, in order.
func taskEventKinds(p *testkit.Page) string {
	return evalString(p, `Array.from(document.querySelectorAll('[data-testid="task-event"]')).map(e => e.dataset.kind).join(",")`)
}

// openTaskFromTab opens /tasks on the tab key, checks the task is there
// (and counted) and opens it.
func openTaskFromTab(t *testing.T, p *testkit.Page, app *testkit.App, key string, id int64) {
	t.Helper()
	row := fmt.Sprintf(`[data-testid="task-row"][data-id="%d"]`, id)
	p.Do(
		chromedp.Navigate(app.URL+"/tasks"),
		chromedp.WaitVisible(css(`[data-testid="task-tab-`+key+`"]`)),
		chromedp.Click(css(`[data-testid="task-tab-`+key+`"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-tab-`+key+`"][aria-current="page"]`)),
		chromedp.WaitVisible(css(row)),
	)
	if n := p.Text(`[data-testid="task-tab-count-` + key + `"]`); n != "1" {
		t.Fatalf("tab %s count = %q, want 1", key, n)
	}
	p.Do(
		chromedp.Click(css(row+` [data-testid="row-title"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-title"]`)),
	)
	if loc := p.Location(); !strings.Contains(loc, fmt.Sprintf("/tasks/%d", id)) {
		t.Fatalf("opened %q from tab %s, want task %d", loc, key, id)
	}
}

func flash(p *testkit.Page) string { return p.Text(`[data-testid="flash"]`) }

// The whole task flow in the browser: a leader gives a task with a
// deadline in working days; the handler finds it in "Việc của tôi",
// reports progress with a file, asks for an extension; the leader finds
// the request in "Chờ tôi duyệt" and approves it; the handler reports
// completion; the leader accepts it.
func TestTaskAssignProgressExtensionCompleteAccept(t *testing.T) {
	app := testkit.Start(t)
	ctx := context.Background()
	if _, err := calendar.Seed(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	dept := app.Unit("Ban Tuyên giáo Tỉnh ủy Thử nghiệm", "body", prov)
	app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	handler := app.User("chuyenvien", dept, identity.RoleHandler, identity.ClearanceNone)
	pdf := filepath.Join(t.TempDir(), "du-thao-ke-hoach.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	due, err := calendar.New(app.DB).AddWorkingDays(ctx, tasks.Today(), 5)
	if err != nil {
		t.Fatal(err)
	}
	const title = "Xây dựng kế hoạch tuyên truyền kỷ niệm ngày thành lập Đảng"
	p := testkit.Browser(t)

	// 1. The leader gives the task: the handler leads, five working days.
	signIn(t, p, app, "bithu")
	p.Do(
		chromedp.Navigate(app.URL+"/tasks"),
		chromedp.WaitVisible(css(`[data-testid="task-empty"]`)),
		chromedp.Click(css(`[data-testid="task-new"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-form"]`)),
	)
	typeInto(t, p, "#title", title)
	typeInto(t, p, "#description", "Hoàn thành dự thảo, xin ý kiến các ban.")
	lead := fmt.Sprintf("user:%d", handler.ID)
	if s := evalString(p, fmt.Sprintf(`document.querySelector('#lead option[value="%s"]').textContent`, lead)); s != "Người dùng chuyenvien — Ban Tuyên giáo Tỉnh ủy Thử nghiệm" {
		t.Fatalf("lead option = %q", s)
	}
	p.Do(chromedp.SetValue(css("#lead"), lead))
	typeInto(t, p, "#due_in_working_days", "5")
	p.Do(
		chromedp.Click(css(`[data-testid="task-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-title"]`)),
	)
	if s := flash(p); s != "Đã giao việc." {
		t.Fatalf("flash after giving = %q", s)
	}
	if s := p.Text(`[data-testid="task-due"]`); s != due.Format("02/01/2006") {
		t.Fatalf("due = %q, want %s", s, due.Format("02/01/2006"))
	}
	if s := p.Text(`[data-testid="task-status"]`); s != "Mới giao" {
		t.Fatalf("status = %q", s)
	}
	loc := p.Location()
	_, rest, _ := strings.Cut(loc, "/tasks/")
	idText, _, _ := strings.Cut(rest, "?")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		t.Fatalf("task id in %q", loc)
	}
	logout(p)

	// 2. The handler finds it, reports 40 % with the draft attached.
	signIn(t, p, app, "chuyenvien")
	openTaskFromTab(t, p, app, "mine", id)
	const note = "Đã xây dựng dự thảo kế hoạch, gửi kèm để góp ý."
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="progress-form"][data-enhanced]`)),
		chromedp.SetValue(css("#percent"), ""),
	)
	typeInto(t, p, "#percent", "40")
	typeInto(t, p, "#note", note)
	p.Do(
		chromedp.SetUploadFiles(css("#files"), []string{pdf}),
		chromedp.Click(css(`[data-testid="progress-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-update"]`)),
	)
	if s := flash(p); s != "Đã cập nhật tiến độ." {
		t.Fatalf("flash after progress = %q", s)
	}
	if s := p.Text(`[data-testid="task-status"]`); s != "Đang thực hiện" {
		t.Fatalf("status after progress = %q", s)
	}
	if s := p.Text(`[data-testid="task-update"]`); !strings.Contains(s, "40%") || !strings.Contains(s, note) || !strings.Contains(s, "du-thao-ke-hoach.pdf") {
		t.Fatalf("update = %q", s)
	}
	if s := evalString(p, `document.querySelector('[data-testid="task-progress"]').value.toString()`); s != "40" {
		t.Fatalf("progress bar = %q", s)
	}

	// 3. It asks for three more working days.
	newDue, err := calendar.New(app.DB).AddWorkingDays(ctx, due, 3)
	if err != nil {
		t.Fatal(err)
	}
	p.Do(
		chromedp.Click(css(`[data-testid="extension-toggle"]`)),
		chromedp.WaitVisible(css(`#working_days`)),
	)
	typeInto(t, p, "#working_days", "3")
	typeInto(t, p, "#reason", "Chờ ý kiến góp ý của các ban.")
	p.Do(
		chromedp.Click(css(`[data-testid="extension-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="pending-extension"]`)),
	)
	if s := flash(p); s != "Đã gửi đề nghị gia hạn đến người giao việc." {
		t.Fatalf("flash after the request = %q", s)
	}
	if n := countNodes(p, `[data-testid="extension-form"], [data-testid="decision-form"]`); n != 0 {
		t.Fatal("a second request or a decision is offered to the requester")
	}
	logout(p)

	// 4. The leader finds it waiting and approves.
	signIn(t, p, app, "bithu")
	openTaskFromTab(t, p, app, "review", id)
	if s := p.Text(`[data-testid="pending-extension"]`); !strings.Contains(s, newDue.Format("02/01/2006")) {
		t.Fatalf("pending request = %q", s)
	}
	typeInto(t, p, "#decision_note", "Đồng ý, đề nghị khẩn trương.")
	p.Do(
		chromedp.Click(css(`[data-testid="extension-approve"]`)),
		chromedp.WaitVisible(css(`[data-testid="extension-row"]`)),
	)
	if s := flash(p); s != "Đã đồng ý gia hạn." {
		t.Fatalf("flash after approval = %q", s)
	}
	if s := p.Text(`[data-testid="task-due"]`); s != newDue.Format("02/01/2006") {
		t.Fatalf("due after approval = %q, want %s", s, newDue.Format("02/01/2006"))
	}
	if s := p.Text(`[data-testid="extension-status"]`); s != "Đã đồng ý" {
		t.Fatalf("request status = %q", s)
	}
	logout(p)

	// 5. The handler reports completion.
	signIn(t, p, app, "chuyenvien")
	openTaskFromTab(t, p, app, "mine", id)
	const result = "Kế hoạch đã được ban hành, gửi các chi bộ."
	p.Do(
		chromedp.Click(css(`[data-testid="complete-toggle"]`)),
		chromedp.WaitVisible(css(`#result`)),
	)
	typeInto(t, p, "#result", result)
	p.Do(
		chromedp.Click(css(`[data-testid="complete-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-result"]`)),
	)
	if s := p.Text(`[data-testid="task-status"]`); s != "Chờ nghiệm thu" {
		t.Fatalf("status after completion = %q", s)
	}
	if n := countNodes(p, `[data-testid="progress-form"], [data-testid="complete-form"]`); n != 0 {
		t.Fatal("forms still offered on a completed task")
	}
	logout(p)

	// 6. The leader accepts it.
	signIn(t, p, app, "bithu")
	openTaskFromTab(t, p, app, "review", id)
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="accept-form"]`)),
		chromedp.Click(css(`[data-testid="accept-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="task-event"][data-kind="accepted"]`)),
	)
	if s := flash(p); s != "Đã nghiệm thu: công việc hoàn thành." {
		t.Fatalf("flash after acceptance = %q", s)
	}
	if s := p.Text(`[data-testid="task-status"]`); s != "Hoàn thành" {
		t.Fatalf("final status = %q", s)
	}
	if s := taskEventKinds(p); s != "created,progress,extension_requested,extension_approved,completed,accepted" {
		t.Fatalf("timeline = %s", s)
	}
	if s := p.Text(`[data-testid="task-timeline"]`); !strings.Contains(s, note) || !strings.Contains(s, result) {
		t.Fatalf("timeline text = %q", s)
	}
	// The handler was told at each step that concerned them.
	kinds := app.QueryInt(`SELECT count(DISTINCT kind) FROM notifications WHERE user_id = $1 AND kind IN ('task_assigned', 'task_extension_decided', 'task_accepted')`, handler.ID)
	if kinds != 3 {
		t.Fatalf("handler notification kinds = %d, want 3", kinds)
	}
}
