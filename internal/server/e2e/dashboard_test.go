package e2e

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/testkit"
)

// A province leader opens the dashboard, regroups it by week, follows a
// commune's count to the filtered incoming list, and opens the commune's
// own dashboard from its name.
func TestDashboardDrillDown(t *testing.T) {
	app := testkit.Start(t)
	prov := app.Unit("Tỉnh ủy Điện Biên", "province", 0)
	c1 := app.Unit("Đảng ủy xã Mường Phăng", "commune", prov)
	c2 := app.Unit("Đảng ủy phường Him Lam", "commune", prov)
	app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	handler := app.User("chuyenvien", c1, identity.RoleHandler, identity.ClearanceNone)
	today := vntime.Today()
	add := func(unit int64, daysAgo int, status string, dueIn int, subject string) int64 {
		arrived := time.Date(today.Year(), today.Month(), today.Day(), 3, 0, 0, 0, time.UTC).AddDate(0, 0, -daysAgo)
		var completed any
		if status == "06" {
			completed = arrived.Add(30 * time.Hour)
		}
		return app.QueryInt(`INSERT INTO documents (direction, unit_id, arrived_at, status, due_date, completed_at, type_name, organ_name, subject)
			VALUES ('incoming', $1, $2, $3, $4, $5, 'Công văn', 'Tỉnh ủy Điện Biên', $6) RETURNING id`,
			unit, arrived, status, today.AddDate(0, 0, -daysAgo+dueIn), completed, subject)
	}
	for i := range 5 {
		add(prov, i*3, []string{"06", "06", "05", "04", "03"}[i], 2, fmt.Sprintf("Văn bản của tỉnh số %d", i))
	}
	late := add(c1, 10, "05", 3, "Báo cáo quá hạn của xã")
	add(c1, 4, "06", 5, "Báo cáo đã xong của xã")
	add(c1, 2, "03", 10, "Kế hoạch mới của xã")
	add(c2, 1, "03", 10, "Công văn của phường")
	app.Exec(`INSERT INTO assignments (document_id, assignee_user_id, role, status, deadline) VALUES ($1, $2, 'lead', 'in_progress', $3)`,
		late, handler.ID, today.AddDate(0, 0, -7))

	p := testkit.Browser(t)
	signIn(t, p, app, "bithu")
	from := today.AddDate(0, 0, -20).Format("02/01/2006")
	p.Do(
		chromedp.Navigate(app.URL+"/reports/dashboard?"+url.Values{"from": {from}}.Encode()),
		chromedp.WaitVisible(css(`[data-testid="dashboard"]`)),
	)
	if got := p.Text(`[data-testid="tile-value-received"]`); got != "9" {
		t.Fatalf("received %q, want 9", got)
	}
	if n := countNodes(p, `svg[role="img"]`); n != 5 {
		t.Fatalf("%d charts", n)
	}
	// By week, with the keyboard-reachable form.
	p.Do(
		chromedp.SetValue(css(`#period`), "week"),
		chromedp.Click(css(`[data-testid="dash-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="dash-scope"]`)),
	)
	if s := p.Text(`[data-testid="dash-scope"]`); !strings.Contains(s, "theo tuần") || !strings.Contains(s, from) {
		t.Fatalf("scope after regrouping: %q", s)
	}
	if n := countNodes(p, `[data-testid="table-documents-by-period"] tbody tr`); n < 3 || n > 4 {
		t.Fatalf("%d weeks", n)
	}

	// The commune's received count leads to the incoming list of the
	// commune over the same days: as many rows as the figure says.
	dash := p.Location()
	row := `[data-testid="table-by-unit"] tbody tr:has(th a[href*="unit_id=` + strconv.FormatInt(c1, 10) + `"])`
	want := p.Text(row + ` td[data-col="Văn bản đến"] a`)
	if want != "3" {
		t.Fatalf("commune received %q, want 3", want)
	}
	p.Do(
		chromedp.Click(css(row+` td[data-col="Văn bản đến"] a`)),
		chromedp.WaitVisible(css(`[data-testid="incoming-filter"]`)),
	)
	loc := p.Location()
	if !strings.Contains(loc, "/incoming?") || !strings.Contains(loc, "unit_id="+strconv.FormatInt(c1, 10)) {
		t.Fatalf("drilled to %s", loc)
	}
	if n := countNodes(p, `[data-testid="incoming-row"]`); strconv.Itoa(n) != want {
		t.Fatalf("list shows %d documents, the dashboard said %s", n, want)
	}

	// Back on the dashboard, the overdue person leads to their late work.
	p.Do(
		chromedp.Navigate(dash),
		chromedp.WaitVisible(css(`[data-testid="table-overdue-by-person"]`)),
		chromedp.Click(css(`[data-testid="table-overdue-by-person"] td[data-col="Quá hạn"] a`)),
		chromedp.WaitVisible(css(`[data-testid="incoming-row"]`)),
	)
	if n := countNodes(p, `[data-testid="incoming-row"]`); n != 1 {
		t.Fatalf("the handler's overdue list has %d documents", n)
	}
	if s := p.Text(`[data-testid="incoming-row"]`); !strings.Contains(s, "Báo cáo quá hạn của xã") {
		t.Fatalf("overdue row: %q", s)
	}

	// A commune's name opens its own dashboard.
	p.Do(
		chromedp.Navigate(dash),
		chromedp.WaitVisible(css(row)),
		chromedp.Click(css(row+` th a`)),
		chromedp.WaitVisible(css(`[data-testid="dash-scope"]`)),
	)
	if h := p.Text(`[data-testid="dash-scope"]`); !strings.HasPrefix(h, "Đảng ủy xã Mường Phăng") {
		t.Fatalf("commune dashboard heading %q", h)
	}
	if got := p.Text(`[data-testid="tile-value-received"]`); got != "3" {
		t.Fatalf("commune received %q", got)
	}
}
