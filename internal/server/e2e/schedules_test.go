package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
	"vanthu/internal/testkit"
)

// evalAwait evaluates a JavaScript expression giving a promise of a string.
func evalAwait(p *testkit.Page, expr string) string {
	var s string
	p.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise)(ctx, t)
		s = v
		return chromedp.Void{}, err
	})
	return s
}

// A clerk drafts this week's schedule with two entries in the browser (a
// mistake comes back with its message), publishes it; a member of the unit
// then sees it, moves between weeks with the keyboard, finds the entry
// they attend under "Lịch của tôi", and the print link gives a PDF.
func TestScheduleInTheBrowser(t *testing.T) {
	app := testkit.Start(t)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", 0)
	app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceNone)
	member := app.User("chuyenvien", prov, identity.RoleHandler, identity.ClearanceNone)
	week := schedules.WeekOf(vntime.Today())
	day := func(i int) string { return week.Start().AddDate(0, 0, i).Format("02/01/2006") }
	p := testkit.Browser(t)

	signIn(t, p, app, "vanthu")
	p.Do(
		chromedp.Navigate(app.URL+"/schedules"),
		chromedp.WaitVisible(css(`[data-testid="schedule-empty"]`)),
	)
	if got := p.Text(`[data-testid="week-label"]`); got != week.Label() {
		t.Fatalf("week shown = %q, want %q", got, week.Label())
	}

	// First entry, with a mistake: the end before the start.
	p.Do(
		chromedp.Click(css(`[data-testid="add-entry"]`)),
		chromedp.WaitVisible(css(`[data-testid="entry-form"]`)),
		chromedp.SetValue(css("#date"), day(0)),
		chromedp.SetValue(css("#start"), "08:00"),
	)
	typeInto(t, p, "#end", "07:30")
	typeInto(t, p, "#content", "Giao ban Thường trực Tỉnh ủy")
	typeInto(t, p, "#place", "Phòng họp số 1")
	p.Do(
		chromedp.Click(css(`[data-testid="entry-save"]`)),
		chromedp.WaitVisible(css(`[data-testid="end-error"]`)),
	)
	if msg := p.Text(`[data-testid="end-error"]`); msg != "Giờ kết thúc phải sau giờ bắt đầu." {
		t.Fatalf("end message = %q", msg)
	}
	if v := evalString(p, `document.querySelector("#content").value`); v != "Giao ban Thường trực Tỉnh ủy" {
		t.Fatalf("the form lost the content: %q", v)
	}
	p.Do(chromedp.SetValue(css("#end"), "10:00"))
	p.Do(
		chromedp.Click(css(`[data-testid="entry-save"]`)),
		chromedp.WaitVisible(css(`[data-testid="schedule-entry"]`)),
	)

	// Second entry, the member attending.
	p.Do(
		chromedp.Click(css(`[data-testid="add-entry"]`)),
		chromedp.WaitVisible(css(`[data-testid="entry-form"]`)),
		chromedp.SetValue(css("#date"), day(2)),
		chromedp.SetValue(css("#start"), "14:00"),
	)
	typeInto(t, p, "#content", "Làm việc với Ban Tổ chức về công tác cán bộ")
	typeInto(t, p, "#place", "Hội trường tầng 2")
	evalString(p, fmt.Sprintf(`document.querySelector('#attendee_ids option[value="%d"]').selected = true, "ok"`, member.ID))
	p.Do(
		chromedp.Click(css(`[data-testid="entry-save"]`)),
		chromedp.WaitVisible(css(`[data-testid="flash"]`)),
	)
	if n := countNodes(p, `[data-testid="schedule-entry"]`); n != 2 {
		t.Fatalf("%d entries after saving two", n)
	}
	if s := evalString(p, `document.querySelector('[data-testid="schedule-status"]').dataset.status`); s != "draft" {
		t.Fatalf("status = %q", s)
	}

	// Publish (accepting the confirmation).
	evalString(p, `window.confirm = () => true, "ok"`)
	p.Do(
		chromedp.Click(css(`[data-testid="publish"]`)),
		chromedp.WaitVisible(css(`[data-testid="schedule-status"][data-status="published"]`)),
	)
	logout(p)

	// The member sees the published week.
	signIn(t, p, app, "chuyenvien")
	p.Do(
		chromedp.Navigate(app.URL+"/schedules"),
		chromedp.WaitVisible(css(`[data-testid="schedule-status"][data-status="published"]`)),
	)
	if n := countNodes(p, `[data-testid="schedule-entry"]`); n != 2 {
		t.Fatalf("member sees %d entries", n)
	}
	text := p.Text(`[data-testid="schedule-table"]`)
	for _, want := range []string{"Giao ban Thường trực Tỉnh ủy", "08:00 – 10:00", "Làm việc với Ban Tổ chức", "Hội trường tầng 2", "Thứ Hai", "Sáng", "Chiều"} {
		if !strings.Contains(text, want) {
			t.Errorf("member's table lacks %q:\n%s", want, text)
		}
	}
	if countNodes(p, `[data-testid="add-entry"]`) != 0 || countNodes(p, `[data-testid="entry-edit"]`) != 0 {
		t.Error("a member is offered editing")
	}

	// Keyboard: ] next week, [ back.
	p.Do(chromedp.KeyEvent("]"), chromedp.WaitVisible(css(`[data-testid="schedule-empty"]`)))
	if got := p.Text(`[data-testid="week-label"]`); got != week.Next().Label() {
		t.Fatalf("after ] the week is %q", got)
	}
	p.Do(chromedp.KeyEvent("["), chromedp.WaitVisible(css(`[data-testid="schedule-status"][data-status="published"]`)))
	if got := p.Text(`[data-testid="week-label"]`); got != week.Label() {
		t.Fatalf("after [ the week is %q", got)
	}

	// The print link gives the week as a PDF.
	got := evalAwait(p, `fetch(document.querySelector('[data-testid="print-link"]').href).then(r =>
		r.arrayBuffer().then(b => r.status + " " + r.headers.get("content-type") + " " + new TextDecoder().decode(b.slice(0, 5))))`)
	if got != "200 application/pdf %PDF-" {
		t.Fatalf("print link = %q", got)
	}

	// "Lịch của tôi" has the entry the member attends.
	p.Do(
		chromedp.Click(css(`[data-testid="schedule-tab-mine"]`)),
		chromedp.WaitVisible(css(`[data-testid="schedule-entry"]`)),
	)
	if n := countNodes(p, `[data-testid="schedule-entry"]`); n != 1 {
		t.Fatalf("my schedule has %d entries", n)
	}
	if s := p.Text(`[data-testid="entry-content"]`); s != "Làm việc với Ban Tổ chức về công tác cán bộ" {
		t.Fatalf("my entry = %q", s)
	}
}
