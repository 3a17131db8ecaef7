package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// countNodes counts the elements matching css now, without waiting.
func countNodes(p *testkit.Page, sel string) int {
	var n int
	p.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))(ctx, t)
		n = v
		return chromedp.Void{}, err
	})
	return n
}

// pickUnit types part of a name (no diacritics: the search folds them) into
// a unit picker and waits until the unit is offered.
func pickUnit(p *testkit.Page, input string, query string, unit int64) {
	p.Do(
		chromedp.Click(css(input)),
		chromedp.SendKeys(css(input), query),
		chromedp.WaitVisible(css(fmt.Sprintf(`%s-listbox [role="option"][data-unit-id="%d"]`, input, unit))),
	)
}

// An administrator merges two communes into a third with the keyboard- and
// mouse-driven unit picker, previews, applies, and sees the result on the
// report and on both units' pages.
func TestMergeUnitsInTheBrowser(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Lâm Đồng", "province", root)
	s1 := app.Unit("Đảng ủy xã Tân Lập", "commune", prov)
	s2 := app.Unit("Đảng ủy xã Quảng Ngọc", "commune", prov)
	target := app.Unit("Đảng ủy phường Bình Minh", "commune", prov)
	app.User("chuyenvien", s1, identity.RoleHandler, identity.ClearanceNone)
	admin := app.User("quantri", root, identity.RoleAdmin, identity.ClearanceNone)
	secret := app.EnableTOTP(admin)

	p := testkit.Browser(t)
	login(p, app, "quantri")
	p.Do(chromedp.WaitVisible(css(`[data-testid="totp-form"]`)))
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.Do(
		chromedp.SendKeys(css(`#code`), code),
		chromedp.Submit(css(`[data-testid="totp-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)),
	)

	p.Do(
		chromedp.Navigate(app.URL+"/admin/units/merge"),
		chromedp.WaitVisible(css(`[data-testid="merge-form"]`)),
		chromedp.WaitReady(css(`#sources[data-picker-ready][role="combobox"]`)),
	)
	// First source with the keyboard: arrow down, Enter (which must not
	// send the form).
	pickUnit(p, "#sources", "tan lap", s1)
	p.Do(
		chromedp.SendKeys(css("#sources"), kb.ArrowDown+kb.Enter),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="chips-sources"] [data-testid="chip"][data-unit-id="%d"]`, s1))),
	)
	if n := countNodes(p, `[data-testid="move-report"], [data-testid="form-error"]`); n != 0 {
		t.Fatal("Enter in the picker sent the form")
	}
	// Second source with the mouse.
	pickUnit(p, "#sources", "quang ngoc", s2)
	p.Do(
		chromedp.Click(css(fmt.Sprintf(`#sources-listbox [data-unit-id="%d"]`, s2))),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="chips-sources"] [data-testid="chip"][data-unit-id="%d"]`, s2))),
	)
	// The target.
	pickUnit(p, "#target_id", "binh minh", target)
	p.Do(
		chromedp.SendKeys(css("#target_id"), kb.ArrowDown+kb.Enter),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="chips-target_id"] [data-testid="chip"][data-unit-id="%d"]`, target))),
		chromedp.SetValue(css("#effective_date"), "01/07/2025"),
		chromedp.SendKeys(css("#legal_basis"), "Nghị quyết 1-NQ/TU"),
		chromedp.Click(css(`[data-testid="merge-preview"]`)),
		chromedp.WaitVisible(css(`[data-testid="merge-apply"]`)),
	)
	if got := p.Text(`[data-testid="report-hook"]`); !strings.Contains(got, "Người dùng chuyenvien (chuyenvien) — Chuyên viên") {
		t.Fatalf("preview does not list the member who moves: %q", got)
	}
	if got := p.Text(`[data-testid="report-sources"]`); !strings.Contains(got, "Đảng ủy xã Tân Lập") || !strings.Contains(got, "Đảng ủy xã Quảng Ngọc") {
		t.Fatalf("preview sources: %q", got)
	}
	if app.QueryInt(`SELECT count(*) FROM memberships WHERE unit_id = $1`, s1) != 1 {
		t.Fatal("the preview moved the member")
	}
	// The chosen units survive the round trip as chips.
	p.Do(chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="chips-sources"] [data-unit-id="%d"]`, s2))))

	p.Do(
		chromedp.Click(css(`[data-testid="merge-apply"]`)),
		chromedp.WaitVisible(css(`[data-testid="flash"]`)),
	)
	if loc := p.Location(); !strings.Contains(loc, "/admin/events/") {
		t.Fatalf("apply landed on %s", loc)
	}
	if got := p.Text(`[data-testid="move-report"]`); !strings.Contains(got, "Người dùng chuyenvien") || !strings.Contains(got, "01/07/2025") {
		t.Fatalf("report page: %q", got)
	}

	p.Do(
		chromedp.Navigate(fmt.Sprintf("%s/admin/units/%d", app.URL, target)),
		chromedp.WaitVisible(css(`[data-testid="unit-members"]`)),
	)
	if got := p.Text(`[data-testid="unit-members"]`); !strings.Contains(got, "Người dùng chuyenvien") {
		t.Fatalf("target members: %q", got)
	}
	p.Do(
		chromedp.Navigate(fmt.Sprintf("%s/admin/units/%d", app.URL, s1)),
		chromedp.WaitVisible(css(`[data-testid="unit-successors"]`)),
	)
	if got := p.Text(`[data-testid="unit-successors"]`); !strings.Contains(got, "Đảng ủy phường Bình Minh") || !strings.Contains(got, "01/07/2025") {
		t.Fatalf("source successors: %q", got)
	}
}
