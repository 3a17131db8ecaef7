package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/testkit"
)

// rpEnv is a province with three communes reporting to it and a commune of
// another province, with API tokens and browser sessions.
type rpEnv struct {
	t                         *testing.T
	app                       *testkit.App
	prov, a, b, c, other      int64
	clerk, leader, la, lb, lc string // tokens
	outsider, handlerA        string
}

func newRpEnv(t *testing.T) *rpEnv {
	app := testkit.Start(t)
	e := &rpEnv{t: t, app: app}
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	e.prov = app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	e.a = app.Unit("Đảng ủy xã An Bình", "commune", e.prov)
	e.b = app.Unit("Đảng ủy phường Bến Thành", "commune", e.prov)
	e.c = app.Unit("Đảng ủy xã Cát Tiên", "commune", e.prov)
	otherProv := app.Unit("Tỉnh ủy Khác", "province", root)
	e.other = app.Unit("Đảng ủy xã Ngoài", "commune", otherProv)
	tok := func(login string, unit int64, role identity.Role) string {
		return app.Token(app.User(login, unit, role, identity.ClearanceNone))
	}
	e.clerk = tok("vanthu.tinh", e.prov, identity.RoleClerk)
	e.leader = tok("bithu.tinh", e.prov, identity.RoleLeader)
	e.la = tok("bithu.a", e.a, identity.RoleLeader)
	e.lb = tok("bithu.b", e.b, identity.RoleLeader)
	e.lc = tok("bithu.c", e.c, identity.RoleLeader)
	e.handlerA = tok("chuyenvien.a", e.a, identity.RoleHandler)
	e.outsider = tok("bithu.ngoai", e.other, identity.RoleLeader)
	return e
}

// call sends JSON and checks the status; errors must be Vietnamese.
func (e *rpEnv) call(token, method, path string, body any, status int, v any) apiProblem {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	resp := e.app.Do(method, path, token, rd)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, status, raw)
	}
	var p apiProblem
	if status >= 400 {
		if err := json.Unmarshal(raw, &p); err != nil || !isVietnamese(p.Detail) {
			e.t.Fatalf("%s %s: problem %s", method, path, raw)
		}
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			e.t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return p
}

func (e *rpEnv) template(startsOn string) int64 {
	e.t.Helper()
	var tpl struct {
		ID     int64 `json:"id"`
		Fields []struct {
			Key string `json:"key"`
		} `json:"fields"`
	}
	e.call(e.clerk, "POST", "/api/v1/reports/templates", map[string]any{
		"name": "Báo cáo kết quả công tác tháng", "period_kind": "month", "due_rule": "working_days", "due_n": 5,
		"recipients_kind": "subtree", "recipients_level": "commune", "starts_on": startsOn,
		"fields": []map[string]any{
			{"label": "Số đảng viên mới kết nạp", "kind": "number", "unit": "người", "min": "0", "required": true},
			{"label": "Kinh phí hoạt động", "kind": "number", "unit": "triệu đồng", "decimals": 2},
			{"label": "Tình hình chung", "kind": "text"},
		},
	}, http.StatusCreated, &tpl)
	if len(tpl.Fields) != 3 || tpl.Fields[0].Key != "f1" {
		e.t.Fatalf("template = %+v", tpl)
	}
	return tpl.ID
}

type rpPeriod struct {
	ID      int64  `json:"id"`
	Label   string `json:"label"`
	Late    int    `json:"late"`
	Overdue int    `json:"overdue"`
}

func (e *rpEnv) periods(tpl int64) []rpPeriod {
	var out struct {
		Items []rpPeriod `json:"items"`
	}
	e.call(e.clerk, "GET", fmt.Sprintf("/api/v1/reports/templates/%d/periods", tpl), nil, http.StatusOK, &out)
	return out.Items
}

func (e *rpEnv) submission(period, unit int64) int64 {
	return e.app.QueryInt(`SELECT id FROM report_submissions WHERE period_id = $1 AND unit_id = $2`, period, unit)
}

// Three communes send the monthly report through the API; the province's
// aggregate is their exact sum; a unit outside the recipients sees none of
// it (404), and a late unit is flagged and reminded.
func TestAPIReportsSumLateAndAccess(t *testing.T) {
	e := newRpEnv(t)
	tpl := e.template("")
	ps := e.periods(tpl)
	if len(ps) != 1 {
		t.Fatalf("periods = %+v", ps)
	}
	period := ps[0].ID

	// Commune A's handler sends its leader the report; the leader sends it up.
	sa := e.submission(period, e.a)
	var res struct {
		Status   string `json:"status"`
		Revision int    `json:"revision"`
	}
	e.call(e.handlerA, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", sa),
		map[string]any{"values": map[string]any{"f1": map[string]any{"text": "12"}, "f2": map[string]any{"number": 1250.75}}}, http.StatusOK, &res)
	if res.Status != "awaiting_approval" {
		t.Fatalf("handler's submit = %+v", res)
	}
	e.call(e.la, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", sa), nil, http.StatusOK, &res)
	if res.Status != "submitted" || res.Revision != 1 {
		t.Fatalf("leader's submit = %+v", res)
	}
	e.call(e.lb, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", e.submission(period, e.b)),
		map[string]any{"values": map[string]any{"f1": map[string]any{"text": "7"}, "f2": map[string]any{"text": "980,5"}}}, http.StatusOK, &res)
	e.call(e.lc, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", e.submission(period, e.c)),
		map[string]any{"values": map[string]any{"f1": map[string]any{"text": "1.003"}, "f2": map[string]any{"text": "0,25"}}}, http.StatusOK, &res)

	var ag struct {
		Counted int `json:"counted"`
		Fields  []struct {
			Key, Sum, Avg, Min, Max string
			Count                   int
		} `json:"fields"`
		Units []struct {
			UnitID int64             `json:"unit_id"`
			Values map[string]string `json:"values"`
		} `json:"units"`
	}
	e.call(e.leader, "GET", fmt.Sprintf("/api/v1/reports/periods/%d/aggregate", period), nil, http.StatusOK, &ag)
	if ag.Counted != 3 || len(ag.Fields) != 2 || len(ag.Units) != 3 {
		t.Fatalf("aggregate = %+v", ag)
	}
	if f := ag.Fields[0]; f.Key != "f1" || f.Sum != "1022" || f.Count != 3 || f.Min != "7" || f.Max != "1003" {
		t.Fatalf("members = %+v", f)
	}
	if f := ag.Fields[1]; f.Key != "f2" || (f.Sum != "2231.50" && f.Sum != "2231.5") {
		t.Fatalf("fee sum = %+v", f)
	}

	// The outsider: 404 everywhere, nothing listed.
	e.call(e.outsider, "GET", fmt.Sprintf("/api/v1/reports/templates/%d", tpl), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "GET", fmt.Sprintf("/api/v1/reports/templates/%d/periods", tpl), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "GET", fmt.Sprintf("/api/v1/reports/periods/%d/aggregate", period), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "GET", fmt.Sprintf("/api/v1/reports/periods/%d/submissions", period), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "GET", fmt.Sprintf("/api/v1/reports/submissions/%d", sa), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/accept", sa), nil, http.StatusNotFound, nil)
	e.call(e.outsider, "POST", fmt.Sprintf("/api/v1/reports/periods/%d/remind", period), nil, http.StatusNotFound, nil)
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	e.call(e.outsider, "GET", "/api/v1/reports/templates", nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Fatalf("outsider lists %d templates", len(list.Items))
	}
	e.call(e.outsider, "GET", "/api/v1/reports/submissions", nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Fatalf("outsider must send %d reports", len(list.Items))
	}
	// A commune's leader sees its own report only and cannot decide.
	e.call(e.lb, "GET", fmt.Sprintf("/api/v1/reports/submissions/%d", sa), nil, http.StatusNotFound, nil)
	e.call(e.la, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/accept", sa), nil, http.StatusForbidden, nil)
	e.call(e.clerk, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/accept", sa), nil, http.StatusForbidden, nil)
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND object_type = 'report_submission'`); n < 4 {
		t.Fatalf("denied requests audited = %d", n)
	}

	// A returned report needs a reason, in Vietnamese.
	p := e.call(e.leader, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/return", sa), map[string]string{"comment": " "}, http.StatusUnprocessableEntity, nil)
	if p.Errors["comment"] != "Vui lòng ghi lý do trả lại, để đơn vị biết cần sửa gì." {
		t.Fatalf("return without reason: %+v", p)
	}
	var sm struct {
		Status  string          `json:"status"`
		Actions map[string]bool `json:"actions"`
	}
	e.call(e.leader, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/accept", sa), map[string]string{"comment": "Tốt."}, http.StatusOK, &sm)
	if sm.Status != "accepted" || sm.Actions["accept"] {
		t.Fatalf("accepted = %+v", sm)
	}

	// Late: a template whose first period ended last month; nobody sent.
	now := time.Now().In(vntime.Zone)
	tpl2 := e.template(time.Date(now.Year(), now.Month()-2, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	var overdue rpPeriod
	for _, pr := range e.periods(tpl2) {
		if pr.Overdue > 0 {
			overdue = pr
			break
		}
	}
	if overdue.ID == 0 || overdue.Overdue != 3 {
		t.Fatalf("no overdue period among %+v", e.periods(tpl2))
	}
	// One unit sends now: late.
	e.call(e.lb, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", e.submission(overdue.ID, e.b)),
		map[string]any{"values": map[string]any{"f1": map[string]any{"text": "1"}}}, http.StatusOK, &res)
	var rows struct {
		Items []struct {
			UnitID  int64 `json:"unit_id"`
			Late    bool  `json:"late"`
			Overdue bool  `json:"overdue"`
		} `json:"items"`
	}
	e.call(e.clerk, "GET", fmt.Sprintf("/api/v1/reports/periods/%d/submissions?state=late", overdue.ID), nil, http.StatusOK, &rows)
	if len(rows.Items) != 1 || rows.Items[0].UnitID != e.b || !rows.Items[0].Late {
		t.Fatalf("late rows = %+v", rows.Items)
	}
	var rem struct {
		Units, Notifications int
	}
	e.call(e.clerk, "POST", fmt.Sprintf("/api/v1/reports/periods/%d/remind", overdue.ID), nil, http.StatusOK, &rem)
	if rem.Units != 2 {
		t.Fatalf("reminded = %+v", rem)
	}
	cUser := e.app.QueryInt(`SELECT id FROM users WHERE login = 'bithu.c'`)
	if n := e.app.QueryInt(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'report_reminder' AND title LIKE 'Quá hạn nộp báo cáo%'`, cUser); n != 1 {
		t.Fatalf("C's leader got %d reminders", n)
	}
	e.call(e.clerk, "GET", fmt.Sprintf("/api/v1/reports/periods/%d/submissions?state=missing", overdue.ID), nil, http.StatusOK, &rows)
	if len(rows.Items) != 2 || !rows.Items[0].Overdue {
		t.Fatalf("missing rows = %+v", rows.Items)
	}
}

// Values are checked per field with Vietnamese messages, on the API and on
// the autosave endpoint the page's script calls.
func TestReportValidationMessages(t *testing.T) {
	e := newRpEnv(t)
	tpl := e.template("")
	period := e.periods(tpl)[0].ID
	sa := e.submission(period, e.a)

	p := e.call(e.la, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/submit", sa),
		map[string]any{"values": map[string]any{"f1": map[string]any{"text": "2.5"}, "f2": map[string]any{"text": "1,234"}}}, http.StatusUnprocessableEntity, nil)
	if p.Errors["f1"] != "Dùng dấu phẩy (,) trước phần thập phân và dấu chấm (.) để phân cách hàng nghìn, ví dụ 2,5 hoặc 1.250." ||
		p.Errors["f2"] != "Tối đa 2 chữ số sau dấu phẩy." {
		t.Fatalf("messages = %+v", p.Errors)
	}
	p = e.call(e.la, "POST", fmt.Sprintf("/api/v1/reports/submissions/%d/draft", sa),
		map[string]any{"values": map[string]any{"f9": map[string]any{"text": "1"}}}, http.StatusUnprocessableEntity, nil)
	if p.Errors["f9"] == "" {
		t.Fatalf("unknown field accepted: %+v", p)
	}
	p = e.call(e.clerk, "POST", "/api/v1/reports/templates", map[string]any{"name": "", "period_kind": "decade", "recipients_kind": "subtree",
		"fields": []map[string]any{{"label": "Tỷ lệ", "kind": "number", "min": "10", "max": "1"}}}, http.StatusUnprocessableEntity, nil)
	for _, k := range []string{"name", "period_kind", "recipients_level", "fields[0].max"} {
		if p.Errors[k] == "" {
			t.Errorf("no message for %s: %+v", k, p.Errors)
		}
	}

	// The page's autosave: JSON with the saved time and the messages.
	c := e.app.Login("bithu.a", "")
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/reports/submissions/%d/draft", e.app.URL, sa),
		strings.NewReader(url.Values{"v.f1": {"abc"}, "v.f3": {"Đang viết"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		SavedLabel string            `json:"saved_label"`
		Errors     map[string]string `json:"errors"`
	}
	testkit.DecodeJSON(t, resp, &saved)
	if !strings.HasPrefix(saved.SavedLabel, "Đã lưu lúc ") || saved.Errors["f1"] != "Phải là số, ví dụ 1.250 hoặc 12,5." {
		t.Fatalf("autosave = %+v", saved)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM report_submissions WHERE id = $1 AND data->'f3'->>'text' = 'Đang viết'`, sa); n != 1 {
		t.Fatal("autosave did not keep the draft")
	}
	// The page shows the message next to the field.
	_, page := getPage(t, c, fmt.Sprintf("/reports/submissions/%d", sa))
	if s := testidText(page, "error-f1"); s != "Phải là số, ví dụ 1.250 hoặc 12,5." {
		t.Fatalf("page message = %q", s)
	}
	if v := testidAttr(page, "input-f1", "value"); v != "abc" {
		t.Fatalf("typed value not kept: %q", v)
	}

	// Submitting the form without a script: 422 with the messages.
	resp = c.PostForm(fmt.Sprintf("/reports/submissions/%d/submit", sa), url.Values{"v.f1": {""}, "v.f3": {"x"}})
	page = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || testidText(page, "error-f1") != "Vui lòng nhập số liệu." {
		t.Fatalf("submit page = %d, %q", resp.StatusCode, testidText(page, "error-f1"))
	}
}

// The template form in the browser's absence: messages on the rows, an
// attachment uploaded and downloaded, the aggregate exported, a report
// printed, and the pages of other provinces answering 404.
func TestReportPages(t *testing.T) {
	e := newRpEnv(t)
	clerk := e.app.Login("vanthu.tinh", "")
	form := url.Values{"issuer_unit_id": {fmt.Sprint(e.prov)}, "name": {"Báo cáo quý"}, "period_kind": {"quarter"}, "due_rule": {"month_day"},
		"due_n": {"10"}, "recipients_kind": {"list"}, "recipient_units": {fmt.Sprint(e.a), fmt.Sprint(e.b)},
		"fields[0].label": {"Số cuộc kiểm tra"}, "fields[0].kind": {"number"}, "fields[0].min": {"5"}, "fields[0].max": {"1"},
		"fields[1].label": {""}, "fields[1].kind": {"table"}, "fields[1].columns": {"Nội dung"},
		"fields[2].label": {"Biên bản"}, "fields[2].kind": {"attachment"}}
	resp := clerk.PostForm("/reports/templates", form)
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad template = %d", resp.StatusCode)
	}
	for id, want := range map[string]string{"fields[0].max-error": "Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.",
		"fields[1].label-error": "Vui lòng nhập tên trường."} {
		if s := testidText(page, id); s != want {
			t.Errorf("%s = %q, want %q", id, s, want)
		}
	}
	form.Set("fields[0].max", "")
	form.Set("fields[1].label", "Các cuộc kiểm tra")
	form.Set("fields[1].columns", "Nội dung\nSố đảng viên được kiểm tra | số | người")
	resp = clerk.PostForm("/reports/templates", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ok=created") {
		t.Fatalf("create = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	tpl := e.app.QueryInt(`SELECT id FROM report_templates WHERE name = 'Báo cáo quý'`)
	if n := e.app.QueryInt(`SELECT count(*) FROM report_submissions WHERE template_id = $1`, tpl); n != 2 {
		t.Fatalf("listed units asked = %d", n)
	}
	period := e.app.QueryInt(`SELECT id FROM report_periods WHERE template_id = $1`, tpl)
	sa := e.submission(period, e.a)

	// An attachment, checked by content.
	leaderA := e.app.Login("bithu.a", "")
	upload := func(name string, content []byte) *http.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("field", "f3")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(content)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/reports/submissions/%d/files", e.app.URL, sa), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := leaderA.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = upload("virus.exe", []byte("MZ\x90\x00 not a document"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an executable was accepted: %d", resp.StatusCode)
	}
	resp = upload("bien-ban.pdf", ogPDF)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", resp.StatusCode)
	}
	fileID := e.app.QueryInt(`SELECT file_id FROM report_files WHERE submission_id = $1`, sa)
	resp = clerk.Get(fmt.Sprintf("/reports/submissions/%d/files/%d", sa, fileID))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, ogPDF) {
		t.Fatalf("download = %d, %d bytes", resp.StatusCode, len(body))
	}
	resp = leaderA.PostForm(fmt.Sprintf("/reports/submissions/%d/submit", sa), url.Values{"v.f1": {"6"}, "v.f2[0].c1": {"Kiểm tra chi bộ 1"}, "v.f2[0].c2": {"12"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit = %d", resp.StatusCode)
	}

	// The report printed, the aggregate exported.
	resp = clerk.Get(fmt.Sprintf("/reports/submissions/%d/report.pdf", sa))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("pdf = %d", resp.StatusCode)
	}
	resp = clerk.Get(fmt.Sprintf("/reports/periods/%d/aggregate.xlsx", period))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("xlsx = %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := x.GetCellValue("Tổng hợp", "D5")
	x.Close()
	if v != "6" {
		t.Fatalf("exported sum = %q", v)
	}

	// Pages answer 404 to the other province.
	outsider := e.app.Login("bithu.ngoai", "")
	for _, path := range []string{fmt.Sprintf("/reports/templates/%d", tpl), fmt.Sprintf("/reports/periods/%d", period),
		fmt.Sprintf("/reports/periods/%d/aggregate", period), fmt.Sprintf("/reports/submissions/%d", sa),
		fmt.Sprintf("/reports/submissions/%d/report.pdf", sa), fmt.Sprintf("/reports/submissions/%d/files/%d", sa, fileID)} {
		resp := outsider.Get(path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("outsider GET %s = %d", path, resp.StatusCode)
		}
	}
	resp = outsider.PostForm(fmt.Sprintf("/reports/periods/%d/remind", period), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider remind = %d", resp.StatusCode)
	}
	// The section is built, and the dashboard under it is a page of its own.
	_, page = getPage(t, clerk, "/reports")
	if strings.Contains(page, `data-testid="placeholder"`) || strings.Count(page, `data-testid="template-row"`) != 1 {
		t.Fatal("/reports is not the reports section")
	}
	resp = clerk.Get("/reports/dashboard")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/reports/dashboard = %d, want the dashboard", resp.StatusCode)
	}
}

// testidText is the text of the element with data-testid id (its first
// text, unescaped and trimmed).
func testidText(page, id string) string {
	m := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

// testidAttr is an attribute of the element with data-testid id.
func testidAttr(page, id, attr string) string {
	tag := regexp.MustCompile(`<[^>]*data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(page)
	m := regexp.MustCompile(`\s` + attr + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
