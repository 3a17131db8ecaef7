package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// waitTrue polls a JavaScript condition until it holds.
func waitTrue(p *testkit.Page, expr string) {
	p.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

// clearField empties a field as a person selecting all and deleting would.
func clearField(p *testkit.Page, sel string) {
	evalString(p, fmt.Sprintf(`(function () { var e = document.querySelector(%q); e.value = "";
		e.dispatchEvent(new Event("input", {bubbles: true})); return ""; })()`, sel))
}

// acceptConfirms makes window.confirm say yes on the current page.
func acceptConfirms(p *testkit.Page) {
	evalString(p, `(window.confirm = function () { return true; }, "")`)
}

// A report from template to acceptance in the browser: the province's
// clerk sets up a monthly report for its communes; a commune's leader fills
// it in (saved as typed, a mistyped number explained at once) and sends it;
// the province's leader returns it with a comment; the commune corrects
// and resends it; the leader accepts it, and the figures add up.
func TestReportTemplateSubmitReturnResubmitAccept(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	commune := app.Unit("Đảng ủy xã An Bình", "commune", prov)
	app.Unit("Đảng ủy xã Cát Tiên", "commune", prov)
	app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceNone)
	app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	app.User("bithu.xa", commune, identity.RoleLeader, identity.ClearanceNone)
	p := testkit.Browser(t)

	// 1. The province's clerk creates the template.
	signIn(t, p, app, "vanthu")
	p.Do(
		chromedp.Navigate(app.URL+"/reports"),
		chromedp.WaitVisible(css(`[data-testid="new-template"]`)),
		chromedp.Click(css(`[data-testid="new-template"]`)),
		chromedp.WaitVisible(css(`[data-testid="template-form"]`)),
	)
	const name = "Báo cáo công tác xây dựng Đảng hằng tháng"
	typeInto(t, p, "#name", name)
	typeInto(t, p, "#fields-0--label", "Số đảng viên mới kết nạp")
	typeInto(t, p, "#fields-0--unit", "người")
	typeInto(t, p, "#fields-0--min", "0")
	// The first blank row becomes a text field; "Thêm trường" adds a third.
	typeInto(t, p, "#fields-1--label", "Tình hình chung")
	p.Do(chromedp.SetValue(css("#fields-1--kind"), "text"))
	rows := countNodes(p, `[data-field-row]`)
	p.Do(chromedp.Click(css(`[data-add-field]`)))
	if n := countNodes(p, `[data-field-row]`); n != rows+1 {
		t.Fatalf("field rows after “Thêm trường” = %d, want %d", n, rows+1)
	}
	p.Do(chromedp.Click(css(`[data-testid="template-save"]`)), chromedp.WaitVisible(css(`[data-testid="periods-table"]`)))
	if s := p.Text(`[data-testid="template-name"]`); s != name {
		t.Fatalf("template page title = %q", s)
	}
	if s := p.Text(`[data-testid="flash"]`); s != "Đã tạo mẫu báo cáo và mở kỳ báo cáo." {
		t.Fatalf("flash = %q", s)
	}
	if n := countNodes(p, `[data-testid="fields-table"] tbody tr`); n != 2 {
		t.Fatalf("fields = %d, want 2 (blank rows dropped)", n)
	}
	tplID := app.QueryInt(`SELECT id FROM report_templates WHERE name = $1`, name)
	subID := app.QueryInt(`SELECT s.id FROM report_submissions s WHERE s.template_id = $1 AND s.unit_id = $2`, tplID, commune)
	if tplID == 0 || subID == 0 || app.QueryInt(`SELECT count(*) FROM report_submissions WHERE template_id = $1`, tplID) != 2 {
		t.Fatal("the period was not opened for the two communes")
	}
	logout(p)

	// 2. The commune's leader fills it in and sends it.
	signIn(t, p, app, "bithu.xa")
	row := fmt.Sprintf(`[data-testid="item-row"][data-id="%d"]`, subID)
	p.Do(
		chromedp.Navigate(app.URL+"/reports"),
		chromedp.WaitVisible(css(row)),
		chromedp.Click(css(row+` [data-testid="item-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="report-form"]`)),
	)
	typeInto(t, p, `[data-testid="input-f1"]`, "2.5")
	waitTrue(p, `document.querySelector('[data-testid="error-f1"]').textContent.startsWith("Dùng dấu phẩy")`)
	clearField(p, `[data-testid="input-f1"]`)
	typeInto(t, p, `[data-testid="input-f1"]`, "1.250")
	typeInto(t, p, `[data-testid="input-f2"]`, "Các chi bộ sinh hoạt đều đặn.")
	waitTrue(p, `document.querySelector('[data-testid="error-f1"]').hidden && document.querySelector('[data-testid="autosave-status"]').textContent.startsWith("Đã lưu lúc")`)
	if n := app.QueryInt(`SELECT count(*) FROM report_submissions WHERE id = $1 AND data->'f1'->>'text' = '1.250' AND draft_saved_at IS NOT NULL`, subID); n != 1 {
		t.Fatal("the draft typed was not saved")
	}
	acceptConfirms(p)
	p.Do(chromedp.Click(css(`[data-testid="submit-report"]`)), chromedp.WaitVisible(css(`[data-testid="report-values"]`)))
	if s := p.Text(`[data-testid="submission-status"]`); s != "Đã nộp" {
		t.Fatalf("status after sending = %q", s)
	}
	if s := p.Text(`[data-testid="value-f1"]`); s != "1.250 người" {
		t.Fatalf("value shown = %q", s)
	}
	logout(p)

	// 3. The province's leader finds it in the period's matrix and returns it.
	signIn(t, p, app, "bithu")
	unitRow := fmt.Sprintf(`[data-testid="matrix-row"][data-unit="%d"]`, commune)
	p.Do(
		chromedp.Navigate(app.URL+"/reports?tab=issued"),
		chromedp.WaitVisible(css(`[data-testid="template-link"]`)),
		chromedp.Click(css(`[data-testid="template-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="period-link"]`)),
		chromedp.Click(css(`[data-testid="period-link"]`)),
		chromedp.WaitVisible(css(unitRow)),
	)
	if s := p.Text(unitRow + ` [data-testid="matrix-status"]`); s != "Đã nộp" {
		t.Fatalf("matrix status = %q", s)
	}
	if n := countNodes(p, `[data-testid="matrix-row"][data-status="pending"]`); n != 1 {
		t.Fatalf("units not yet reporting = %d, want 1", n)
	}
	const reason = "Đề nghị đối chiếu lại số đảng viên mới với danh sách của Ban Tổ chức."
	p.Do(
		chromedp.Click(css(unitRow+` [data-testid="matrix-unit"]`)),
		chromedp.WaitVisible(css(`[data-testid="decide-panel"]`)),
	)
	typeInto(t, p, `[data-testid="decide-panel"] textarea`, reason)
	p.Do(chromedp.Click(css(`[data-testid="return"]`)), chromedp.WaitVisible(css(`[data-testid="event"][data-kind="returned"]`)))
	if s := p.Text(`[data-testid="submission-status"]`); s != "Bị trả lại" {
		t.Fatalf("status after returning = %q", s)
	}
	logout(p)

	// 4. The commune sees why, corrects and resends.
	signIn(t, p, app, "bithu.xa")
	p.Do(
		chromedp.Navigate(app.URL+"/reports/submissions/"+strconv.FormatInt(subID, 10)),
		chromedp.WaitVisible(css(`[data-testid="return-comment"]`)),
	)
	if s := p.Text(`[data-testid="return-comment"]`); !strings.Contains(s, reason) {
		t.Fatalf("return comment shown = %q", s)
	}
	clearField(p, `[data-testid="input-f1"]`)
	typeInto(t, p, `[data-testid="input-f1"]`, "1.300")
	acceptConfirms(p)
	p.Do(chromedp.Click(css(`[data-testid="submit-report"]`)), chromedp.WaitVisible(css(`[data-testid="report-values"]`)))
	if s := p.Text(`[data-testid="value-f1"]`); s != "1.300 người" {
		t.Fatalf("value after resending = %q", s)
	}
	if n := app.QueryInt(`SELECT revision FROM report_submissions WHERE id = $1`, subID); n != 2 {
		t.Fatalf("revision = %d, want 2", n)
	}
	logout(p)

	// 5. The province's leader accepts; the figures add up.
	signIn(t, p, app, "bithu")
	p.Do(
		chromedp.Navigate(app.URL+"/reports/submissions/"+strconv.FormatInt(subID, 10)),
		chromedp.WaitVisible(css(`[data-testid="decide-panel"]`)),
		chromedp.Click(css(`[data-testid="accept"]`)),
		chromedp.WaitVisible(css(`[data-testid="event"][data-kind="accepted"]`)),
	)
	if s := p.Text(`[data-testid="submission-status"]`); s != "Đã chấp nhận" {
		t.Fatalf("status after accepting = %q", s)
	}
	kinds := evalString(p, `Array.from(document.querySelectorAll('[data-testid="event"]')).map(e => e.dataset.kind).join(",")`)
	if kinds != "submitted,returned,submitted,accepted" {
		t.Fatalf("history = %s", kinds)
	}
	if n := countNodes(p, `[data-testid="revision"]`); n != 2 {
		t.Fatalf("revisions listed = %d", n)
	}
	periodID := app.QueryInt(`SELECT period_id FROM report_submissions WHERE id = $1`, subID)
	p.Do(
		chromedp.Navigate(fmt.Sprintf("%s/reports/periods/%d/aggregate", app.URL, periodID)),
		chromedp.WaitVisible(css(`[data-testid="totals"]`)),
	)
	if s := p.Text(`[data-testid="total-row"][data-key="f1"] [data-testid="total-sum"]`); s != "1.300" {
		t.Fatalf("sum = %q", s)
	}
	if s := p.Text(fmt.Sprintf(`[data-testid="unit-row"][data-unit="%d"] td[data-key="f1"]`, commune)); s != "1.300" {
		t.Fatalf("by unit = %q", s)
	}
}
