package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"vanthu/internal/dashboard"
	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/testkit"
)

// dashWorld is a province with two communes and another province, with
// documents in every state inserted straight into the tables (the
// aggregates follow through their triggers).
type dashWorld struct {
	app                                *testkit.App
	province, c1, c2, other            int64
	leader, communeLeader, otherLeader identity.User
	handler                            identity.User
}

func newDashWorld(t *testing.T) *dashWorld {
	app := testkit.Start(t)
	w := &dashWorld{app: app}
	w.province = app.Unit("Tỉnh ủy Bảng Điều Hành", "province", 0)
	w.c1 = app.Unit("Đảng ủy xã Thứ Nhất", "commune", w.province)
	w.c2 = app.Unit("Đảng ủy xã Thứ Hai", "commune", w.province)
	w.other = app.Unit("Tỉnh ủy Bên Cạnh", "province", 0)
	w.leader = app.User("bithu", w.province, identity.RoleLeader, identity.ClearanceMat)
	w.communeLeader = app.User("bithuxa", w.c1, identity.RoleLeader, identity.ClearanceNone)
	w.otherLeader = app.User("bithukhac", w.other, identity.RoleLeader, identity.ClearanceTuyetMat)
	w.handler = app.User("chuyenvien", w.c1, identity.RoleHandler, identity.ClearanceMat)
	today := vntime.Today()
	doc := func(unit int64, daysAgo int, status, conf string, dueIn *int, doneAfter int) int64 {
		arrived := time.Date(today.Year(), today.Month(), today.Day(), 2, 0, 0, 0, time.UTC).AddDate(0, 0, -daysAgo)
		var due, completed any
		if dueIn != nil {
			due = today.AddDate(0, 0, -daysAgo+*dueIn)
		}
		if status == "06" {
			completed = arrived.Add(time.Duration(doneAfter) * 24 * time.Hour)
		}
		var id int64
		if err := app.DB.QueryRow(t.Context(), `INSERT INTO documents (direction, unit_id, arrived_at, status, confidentiality, due_date, completed_at,
			type_name, organ_name, subject) VALUES ('incoming', $1, $2, $3, $4, $5, $6, 'Công văn', 'Tỉnh ủy', 'Văn bản bảng điều hành')
			RETURNING id`, unit, arrived, status, conf, due, completed).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	n := func(v int) *int { return &v }
	// The province: 2 on time, 1 late, 1 without a deadline, 1 open overdue, 1 open.
	doc(w.province, 3, "06", "none", n(5), 2)
	doc(w.province, 3, "06", "none", n(5), 5)
	doc(w.province, 4, "06", "none", n(1), 3)
	doc(w.province, 5, "06", "none", nil, 1)
	doc(w.province, 6, "04", "none", n(2), 0)
	doc(w.province, 1, "03", "none", nil, 0)
	// Commune 1: one open overdue (assigned to its handler), one Mật done.
	d := doc(w.c1, 2, "05", "none", n(1), 0)
	doc(w.c1, 2, "06", "mat", n(3), 1)
	app.Exec(`INSERT INTO assignments (document_id, assignee_user_id, role, status, deadline) VALUES ($1, $2, 'lead', 'in_progress', $3)`,
		d, w.handler.ID, today.AddDate(0, 0, -1))
	// Commune 2 and the other province.
	doc(w.c2, 1, "03", "none", nil, 0)
	doc(w.other, 2, "06", "none", n(1), 1)
	doc(w.other, 2, "05", "none", n(-5), 0)
	// Never counted: not registered; issued outgoing counted on its day.
	app.Exec(`INSERT INTO documents (direction, unit_id, arrived_at, status, type_name, organ_name, subject)
		VALUES ('incoming', $1, now(), '01', 'Công văn', 'Tỉnh ủy', 'Chờ vào sổ')`, w.province)
	app.Exec(`INSERT INTO documents (direction, unit_id, status, outgoing_state, issued_at, type_name, organ_name, subject)
		VALUES ('outgoing', $1, '01', 'issued', now() - interval '1 day', 'Công văn', 'Tỉnh ủy', 'Văn bản đi')`, w.province)

	// Tasks: the province gives commune 1's handler one overdue task and
	// one accepted; the other province has its own.
	task := func(unit, assigner, assignee int64, status string, dueIn int) {
		id := app.QueryInt(`INSERT INTO tasks (unit_id, source, title, status, start_date, due_date, assigner_id)
			VALUES ($1, 'standalone', 'Việc bảng điều hành', $2, $3, $4, $5) RETURNING id`,
			unit, status, today.AddDate(0, 0, -10), today.AddDate(0, 0, dueIn), assigner)
		app.Exec(`INSERT INTO task_assignees (task_id, user_id, role) VALUES ($1, $2, 'lead')`, id, assignee)
	}
	task(w.province, w.leader.ID, w.handler.ID, "new", -2)
	task(w.province, w.leader.ID, w.handler.ID, "accepted", -1)
	task(w.other, w.otherLeader.ID, w.otherLeader.ID, "in_progress", 5)
	// Reports: a monthly report to the province due three days ago;
	// commune 1 sent it on time, commune 2 did not.
	tpl := app.QueryInt(`INSERT INTO report_templates (issuer_unit_id, name, period_kind, due_rule, due_n, recipients_kind, recipients_level, starts_on)
		VALUES ($1, 'Báo cáo tháng', 'month', 'working_days', 5, 'subtree', 'commune', $2) RETURNING id`, w.province, today.AddDate(0, -2, 0))
	app.Exec(`INSERT INTO report_template_versions (template_id, version, name, fields) VALUES ($1, 1, 'Báo cáo tháng', '[]')`, tpl)
	period := app.QueryInt(`INSERT INTO report_periods (template_id, label, starts_on, ends_on, due_date) VALUES ($1, 'Kỳ thử', $2, $3, $4) RETURNING id`,
		tpl, today.AddDate(0, -1, -3), today.AddDate(0, 0, -8), today.AddDate(0, 0, -3))
	app.Exec(`INSERT INTO report_submissions (period_id, template_id, unit_id, version, status, revision, first_submitted_at, submitted_at)
		VALUES ($1, $2, $3, 1, 'submitted', 1, now() - interval '5 days', now() - interval '5 days'), ($1, $2, $4, 1, 'pending', 0, NULL, NULL)`,
		period, tpl, w.c1, w.c2)
	return w
}

type apiDash struct {
	Unit struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"unit"`
	From, To, Period string
	UnitsCounted     int `json:"units_counted"`
	Totals           struct {
		Received, Issued, Done, Open int64
		DoneOnTime                   int64    `json:"done_on_time"`
		DoneLate                     int64    `json:"done_late"`
		DoneWithoutDeadline          int64    `json:"done_without_deadline"`
		OnTimeRate                   *float64 `json:"on_time_rate"`
		MeanDays                     *float64 `json:"mean_handling_days"`
	} `json:"totals"`
	OpenNow    int64 `json:"open_now"`
	OverdueNow int64 `json:"overdue_now"`
	Series     []struct {
		Start, End, Label string
		Received          int64
	} `json:"series"`
	ByUnit []struct {
		Unit struct {
			ID int64 `json:"id"`
		} `json:"unit"`
		Received int64 `json:"received"`
	} `json:"by_unit"`
	ByPerson []struct {
		UserID  int64 `json:"user_id"`
		Open    int64 `json:"open"`
		Overdue int64 `json:"overdue"`
	} `json:"by_person"`
	Sections []dashboard.Widget `json:"sections"`
}

// sectionCell is the number in column col of the row labelled label in the
// section with id (-1 when there is no such row).
func sectionCell(t *testing.T, d apiDash, id, label string, col int) float64 {
	t.Helper()
	for _, w := range d.Sections {
		if w.ID != id {
			continue
		}
		for _, r := range w.Table.Rows {
			if r.Cells[0].Text == label {
				if r.Cells[col].Value == nil {
					t.Fatalf("%s / %s: column %d has no number", id, label, col)
				}
				return *r.Cells[col].Value
			}
		}
		return -1
	}
	t.Fatalf("no section %s in %+v", id, d.Sections)
	return 0
}

func TestDashboardAPI(t *testing.T) {
	w := newDashWorld(t)
	app := w.app
	today := vntime.Today()
	from := today.AddDate(0, 0, -30).Format(time.DateOnly)

	resp := app.Do("GET", "/api/v1/dashboard?period=day&from="+from, app.Token(w.leader), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var d apiDash
	testkit.DecodeJSON(t, resp, &d)
	// The province, both communes; Mật counted for a leader cleared for it.
	tt := d.Totals
	if d.Unit.ID != w.province || d.UnitsCounted != 3 || d.Period != "day" || len(d.Series) != 31 {
		t.Fatalf("scope: %+v", d)
	}
	if tt.Received != 9 || tt.Done != 5 || tt.DoneOnTime != 3 || tt.DoneLate != 1 || tt.DoneWithoutDeadline != 1 || tt.Open != 4 ||
		tt.Issued != 1 || d.OpenNow != 4 || d.OverdueNow != 2 {
		t.Fatalf("totals: %+v now %d/%d", tt, d.OpenNow, d.OverdueNow)
	}
	if tt.OnTimeRate == nil || *tt.OnTimeRate != 0.75 || tt.MeanDays == nil || *tt.MeanDays != 12.0/5 {
		t.Fatalf("rates: %v %v", tt.OnTimeRate, tt.MeanDays)
	}
	if len(d.ByPerson) != 1 || d.ByPerson[0].UserID != w.handler.ID || d.ByPerson[0].Overdue != 1 {
		t.Fatalf("people: %+v", d.ByPerson)
	}
	var days int64
	for _, b := range d.Series {
		days += b.Received
	}
	if days != tt.Received || d.Series[30].Label != today.Format("02/01/2006") {
		t.Fatalf("series add up to %d; last %+v", days, d.Series[30])
	}

	// Tasks by status and report compliance, each equal to a direct count.
	scope := []int64{w.province, w.c1, w.c2}
	for _, st := range []struct{ status, label string }{{"new", "Mới giao"}, {"in_progress", "Đang thực hiện"}, {"accepted", "Hoàn thành"}} {
		direct := app.QueryInt(`SELECT count(*) FROM tasks t WHERE t.status = $1 AND t.start_date >= $2
			AND (t.unit_id = ANY($3) OR t.id IN (SELECT a.task_id FROM task_assignees a JOIN memberships m ON m.user_id = a.user_id WHERE m.unit_id = ANY($3)))`,
			st.status, from, scope)
		overdue := app.QueryInt(`SELECT count(*) FROM tasks t WHERE t.status = $1 AND t.start_date >= $2 AND t.due_date < $4
			AND (t.unit_id = ANY($3) OR t.id IN (SELECT a.task_id FROM task_assignees a JOIN memberships m ON m.user_id = a.user_id WHERE m.unit_id = ANY($3)))`,
			st.status, from, scope, today)
		if got := sectionCell(t, d, "tasks-by-status", st.label, 1); got != float64(direct) {
			t.Errorf("tasks %s = %v, direct count %d", st.status, got, direct)
		}
		if got := sectionCell(t, d, "tasks-by-status", st.label, 2); st.status != "accepted" && got != float64(overdue) {
			t.Errorf("overdue tasks %s = %v, direct count %d", st.status, got, overdue)
		}
	}
	if sectionCell(t, d, "tasks-by-status", "Mới giao", 2) != 1 || sectionCell(t, d, "tasks-by-status", "Tổng cộng", 1) != 2 {
		t.Errorf("tasks: %+v", d.Sections[0].Table)
	}
	onTime := app.QueryInt(`SELECT count(*) FROM report_submissions s JOIN report_periods p ON p.id = s.period_id
		WHERE s.first_submitted_at IS NOT NULL AND (s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= p.due_date
		AND p.due_date BETWEEN $1 AND $2`, from, today)
	missing := app.QueryInt(`SELECT count(*) FROM report_submissions s JOIN report_periods p ON p.id = s.period_id
		WHERE s.first_submitted_at IS NULL AND p.due_date < $2 AND p.due_date >= $1`, from, today)
	if got := sectionCell(t, d, "report-compliance", "Nộp đúng hạn", 2); got != float64(onTime) || onTime != 1 {
		t.Errorf("reports received on time = %v, direct count %d", got, onTime)
	}
	if got := sectionCell(t, d, "report-compliance", "Quá hạn chưa nộp", 2); got != float64(missing) || missing != 1 {
		t.Errorf("reports missing = %v, direct count %d", got, missing)
	}
	if got := sectionCell(t, d, "report-compliance", "Nộp đúng hạn", 1); got != 0 {
		t.Errorf("the province sent %v reports up", got) // commune 1's went to the province, inside the scope
	}
	if got := sectionCell(t, d, "report-late-units", "Đảng ủy xã Thứ Hai", 1); got != 1 {
		t.Errorf("commune 2 missing = %v", got)
	}

	// A commune leader without clearance: their commune only, no Mật.
	resp = app.Do("GET", "/api/v1/dashboard?from="+from, app.Token(w.communeLeader), nil)
	var c apiDash
	testkit.DecodeJSON(t, resp, &c)
	if c.Unit.ID != w.c1 || c.UnitsCounted != 1 || c.Totals.Received != 1 || c.OverdueNow != 1 {
		t.Fatalf("commune leader: %+v", c)
	}
	// The commune's handler has both tasks; the commune sent its report.
	if sectionCell(t, c, "tasks-by-status", "Tổng cộng", 1) != 2 || sectionCell(t, c, "report-compliance", "Nộp đúng hạn", 1) != 1 ||
		sectionCell(t, c, "report-compliance", "Nộp đúng hạn", 2) != 0 || sectionCell(t, c, "report-late-units", "Đảng ủy xã Thứ Hai", 1) != -1 {
		t.Errorf("commune sections: %+v", c.Sections)
	}
	// Asking for the province, or another province, is not found.
	for _, u := range []int64{w.province, w.other} {
		resp = app.Do("GET", fmt.Sprintf("/api/v1/dashboard?unit_id=%d", u), app.Token(w.communeLeader), nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("commune leader asking for unit %d: %d", u, resp.StatusCode)
		}
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'dashboard.view' AND outcome = 'denied' AND actor_id = $1`, w.communeLeader.ID); n != 2 {
		t.Fatalf("%d refusals audited, want 2", n)
	}
	// The other province's leader sees only theirs.
	resp = app.Do("GET", "/api/v1/dashboard?from="+from, app.Token(w.otherLeader), nil)
	var o apiDash
	testkit.DecodeJSON(t, resp, &o)
	if o.Unit.ID != w.other || o.Totals.Received != 2 || o.OverdueNow != 1 {
		t.Fatalf("other province: %+v", o)
	}
	if sectionCell(t, o, "tasks-by-status", "Đang thực hiện", 1) != 1 || sectionCell(t, o, "tasks-by-status", "Tổng cộng", 1) != 1 ||
		sectionCell(t, o, "report-compliance", "Tổng cộng", 1) != -1 {
		t.Errorf("other province sections: %+v", o.Sections)
	}

	// Bad input: field messages.
	resp = app.Do("GET", "/api/v1/dashboard?from=31/02/2026&period=decade&unit_id=x", app.Token(w.leader), nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"from"`) || !strings.Contains(string(body), `"unit_id"`) {
		t.Fatalf("bad input: %d %s", resp.StatusCode, body)
	}
	resp = app.Do("GET", "/api/v1/dashboard?period=decade", app.Token(w.leader), nil)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "Chu kỳ") {
		t.Fatalf("bad period: %d %s", resp.StatusCode, body)
	}
	resp = app.Do("GET", "/api/v1/dashboard", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", resp.StatusCode)
	}
}

func TestDashboardPage(t *testing.T) {
	w := newDashWorld(t)
	app := w.app
	c := app.Login("bithu", "")
	today := vntime.Today()
	q := url.Values{"from": {today.AddDate(0, 0, -30).Format("02/01/2006")}, "to": {today.Format("02/01/2006")}, "period": {"week"}}
	resp := c.Get("/reports/dashboard?" + q.Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if a := doc.Find(`nav.mainnav a[aria-current="page"]`).Text(); !strings.HasPrefix(a, "Báo cáo") {
		t.Fatalf("active section %q", a)
	}
	tile := func(k string) string {
		return strings.TrimSpace(doc.Find(`[data-testid="tile-value-` + k + `"]`).Text())
	}
	if tile("received") != "9" || tile("done") != "5" || tile("on-time") != "75,0%" || tile("overdue-now") != "2" || tile("mean") != "2,4 ngày" {
		t.Fatalf("tiles: %q %q %q %q %q", tile("received"), tile("done"), tile("on-time"), tile("overdue-now"), tile("mean"))
	}
	// Every widget has a chart with an accessible name and a table.
	for _, id := range []string{"documents-by-period", "on-time-by-period", "by-unit", "overdue-by-unit", "overdue-by-person"} {
		wd := doc.Find(`[data-testid="widget-` + id + `"]`)
		svg := wd.Find(`svg[role="img"]`)
		if svg.Length() != 1 || svg.Find("title").First().Text() == "" || wd.Find(`table[data-testid="table-`+id+`"]`).Length() != 1 {
			t.Fatalf("widget %s: %d charts, %d tables", id, svg.Length(), wd.Find("table").Length())
		}
	}
	// The period table's rows are weeks; the total row equals the tile.
	rows := doc.Find(`[data-testid="table-documents-by-period"] tbody tr`)
	if rows.Length() < 5 || rows.Length() > 6 {
		t.Fatalf("%d weeks", rows.Length())
	}
	if total := strings.TrimSpace(doc.Find(`[data-testid="table-documents-by-period"] tfoot td`).First().Text()); total != "9" {
		t.Fatalf("total %q", total)
	}
	// A unit's count leads to the incoming list of that unit and range.
	var href string
	doc.Find(`[data-testid="table-by-unit"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Find("th").Text(), "Thứ Nhất") {
			href, _ = s.Find(`td[data-col="Đã hoàn thành"] a`).Attr("href")
		}
	})
	u, _ := url.Parse(href)
	if u == nil || u.Path != "/incoming" || u.Query().Get("unit_id") != fmt.Sprint(w.c1) || u.Query().Get("status") != "06" || u.Query().Get("from") == "" {
		t.Fatalf("drill-down link %q", href)
	}
	// Overdue today leads to the unit's overdue list, whenever they arrived.
	href = ""
	doc.Find(`[data-testid="table-overdue-by-unit"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Find("th").Text(), "Thứ Nhất") {
			href, _ = s.Find(`td[data-col="Quá hạn"] a`).Attr("href")
		}
	})
	u, _ = url.Parse(href)
	if u == nil || u.Query().Get("unit_id") != fmt.Sprint(w.c1) || u.Query().Get("overdue") != "1" || u.Query().Get("from") != "" {
		t.Fatalf("drill-down link %q", href)
	}
	// The picker offers the province and its communes.
	if n := doc.Find(`select#unit_id option`).Length(); n != 4 { // yours, viewing, and two children
		t.Fatalf("%d units offered", n)
	}

	// Bad dates come back with a message on the field.
	resp = c.Get("/reports/dashboard?from=32/01/2026")
	doc, _ = goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="from-error"]`).Text() == "" {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}
	// Another province's unit is not found.
	resp = c.Get(fmt.Sprintf("/reports/dashboard?unit_id=%d", w.other))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other province: %d", resp.StatusCode)
	}
}

func TestDashboardExports(t *testing.T) {
	w := newDashWorld(t)
	app := w.app
	c := app.Login("bithu", "")
	today := vntime.Today()
	q := url.Values{"from": {today.AddDate(0, 0, -30).Format("02/01/2006")}, "to": {today.Format("02/01/2006")}, "period": {"month"}}

	resp := c.Get("/reports/dashboard/export.xlsx?" + q.Encode())
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 9 || sheets[0] != "Tổng hợp" || sheets[6] != "Công việc theo trạng thái" || sheets[7] != "Chấp hành chế độ báo cáo" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("Tổng hợp")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) >= 2 && r[0] == "Văn bản đến" {
			found = r[1] == "9"
		}
	}
	if !found || !strings.Contains(rows[0][0], "Tỉnh ủy Bảng Điều Hành") {
		t.Fatalf("summary sheet: %v", rows)
	}
	var unitSheet string
	for _, s := range sheets {
		if strings.HasPrefix(s, "Theo đơn vị") {
			unitSheet = s
		}
	}
	rows, _ = f.GetRows(unitSheet)
	var c1 []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "Đảng ủy xã Thứ Nhất" {
			c1 = r
		}
	}
	if len(c1) < 2 || c1[1] != "2" { // Mật counted for this leader
		t.Fatalf("commune row %v in %v", c1, rows)
	}

	resp = c.Get("/reports/dashboard/export.pdf?" + q.Encode())
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text := printoutText(t, body)
	for _, want := range []string{"BẢNG ĐIỀU HÀNH", "TỈNH ỦY BẢNG ĐIỀU HÀNH", "Tỷ lệ đúng hạn 75,0%", "Đảng ủy xã Thứ Nhất", "Việc quá hạn theo người xử lý", "Trang 1/"} {
		if !strings.Contains(text, want) {
			t.Fatalf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'dashboard.export' AND outcome = 'success'`); n != 2 {
		t.Fatalf("%d exports audited", n)
	}
}
