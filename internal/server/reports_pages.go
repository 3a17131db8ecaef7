package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/org"
	"vanthu/internal/printout"
	"vanthu/internal/reports"
	"vanthu/web"
)

// newReportsService wires the reports capability for the server.
func newReportsService(d Deps) *reports.Service {
	svc := reports.New(d.DB, d.Store, calendar.New(d.DB))
	svc.Log = d.Log
	return svc
}

// reportRoutes: the reports section. /reports/dashboard is left for the
// leadership dashboards.
func (s *Server) reportRoutes(r chi.Router) {
	r.Get("/reports", s.reportsHome)
	r.Get("/reports/templates/new", s.reportTemplateNew)
	r.Post("/reports/templates", s.reportTemplateCreate)
	r.Get("/reports/templates/{id:[0-9]+}", s.reportTemplatePage)
	r.Get("/reports/templates/{id:[0-9]+}/edit", s.reportTemplateEdit)
	r.Post("/reports/templates/{id:[0-9]+}", s.reportTemplateUpdate)
	r.Post("/reports/templates/{id:[0-9]+}/active", s.reportTemplateActive)
	r.Post("/reports/templates/{id:[0-9]+}/periods", s.reportOpenAdHoc)
	r.Get("/reports/periods/{id:[0-9]+}", s.reportPeriodPage)
	r.Post("/reports/periods/{id:[0-9]+}/remind", s.reportRemind)
	r.Get("/reports/periods/{id:[0-9]+}/aggregate", s.reportAggregatePage)
	r.Get("/reports/periods/{id:[0-9]+}/aggregate.xlsx", s.reportAggregateXLSX)
	s.reportSubmissionRoutes(r)
}

func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id
}

// reportFlash is the message shown after a redirect; the query carries a key.
var reportFlash = map[string]web.Flash{
	"created":       {Kind: "ok", Message: "Đã tạo mẫu báo cáo và mở kỳ báo cáo."},
	"created_adhoc": {Kind: "ok", Message: "Đã tạo mẫu báo cáo đột xuất; hãy mở đợt báo cáo đầu tiên."},
	"updated":       {Kind: "ok", Message: "Đã lưu mẫu báo cáo."},
	"versioned":     {Kind: "ok", Message: "Đã lưu mẫu báo cáo thành phiên bản mới; báo cáo đã nhập vẫn giữ phiên bản cũ."},
	"stopped":       {Kind: "ok", Message: "Đã ngừng mẫu báo cáo: không mở kỳ mới."},
	"started":       {Kind: "ok", Message: "Đã sử dụng lại mẫu báo cáo."},
	"opened":        {Kind: "ok", Message: "Đã mở đợt báo cáo."},
	"reminded":      {Kind: "ok", Message: "Đã gửi nhắc nộp."},
	"nothing":       {Kind: "info", Message: "Không có đơn vị nào cần nhắc."},
	"saved":         {Kind: "ok", Message: "Đã lưu bản nháp."},
	"submitted":     {Kind: "ok", Message: "Đã gửi báo cáo lên cấp trên."},
	"asked":         {Kind: "ok", Message: "Đã trình lãnh đạo đơn vị duyệt báo cáo."},
	"sent_back":     {Kind: "ok", Message: "Đã trả lại người soạn để sửa."},
	"accepted":      {Kind: "ok", Message: "Đã chấp nhận báo cáo."},
	"returned":      {Kind: "ok", Message: "Đã trả lại báo cáo cho đơn vị."},
	"uploaded":      {Kind: "ok", Message: "Đã đính kèm tệp."},
	"removed":       {Kind: "ok", Message: "Đã bỏ tệp đính kèm."},
	"has_errors":    {Kind: "error", Message: "Đã lưu bản nháp, nhưng còn ô chưa hợp lệ (xem thông báo ở từng ô)."},
}

func (s *Server) reportPage(r *http.Request, title string) web.Page {
	p := s.page(r, title, "reports")
	if f, ok := reportFlash[r.URL.Query().Get("ok")]; ok {
		p.Flash = &f
	}
	return p
}

// reportFailed answers a refused or failed request, auditing refusals.
func (s *Server) reportFailed(w http.ResponseWriter, r *http.Request, action, objectType string, id int64, err error) {
	if e, ok := apperr.As(err); ok && (e.Kind == apperr.KindNotFound || e.Kind == apperr.KindForbidden) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: objectType,
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	s.writeError(w, r, err)
}

// ---- The list ----

func (s *Server) reportsHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	issuers, err := s.reports.IssuerChoices(ctx, sub)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	templates, err := s.reports.ListTemplates(ctx, sub, reports.TemplateFilter{Limit: 1})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	oversees := len(templates.Items) > 0 || len(issuers) > 0
	fills := len(sub.ReportFillUnits()) > 0
	var open reports.ItemPage
	if fills {
		if open, err = s.reports.ToDo(ctx, sub, reports.ItemFilter{Box: reports.BoxOpen, Limit: 200}); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// Without a choice: what the units must send, unless nothing is
	// waiting and the person oversees templates.
	tab := q.Get("tab")
	switch {
	case tab == "issued" && oversees, (tab == "todo" || tab == "sent") && fills:
	case fills && (len(open.Items) > 0 || !oversees):
		tab = "todo"
	case oversees:
		tab = "issued"
	default:
		tab = "todo"
	}
	v := web.ReportsHomeView{Tab: tab, Q: strings.TrimSpace(q.Get("q")), Today: today(), CanIssue: len(issuers) > 0}
	base := url.Values{"tab": {tab}}
	if v.Q != "" {
		base.Set("q", v.Q)
	}
	cursor := q.Get("cursor")
	next := ""
	if tab == "issued" {
		page, err := s.reports.ListTemplates(ctx, sub, reports.TemplateFilter{Q: v.Q, Cursor: cursor})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v.Templates, next = page.Items, page.NextCursor
	} else {
		box := reports.BoxOpen
		if tab == "sent" {
			box = reports.BoxSent
		}
		page, err := s.reports.ToDo(ctx, sub, reports.ItemFilter{Box: box, Q: v.Q, Cursor: cursor})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v.Items, next = page.Items, page.NextCursor
	}
	v.FirstURL = "/reports?" + base.Encode()
	v.Paged = cursor != ""
	if next != "" {
		nq := url.Values{}
		for k, vs := range base {
			nq[k] = vs
		}
		nq.Set("cursor", next)
		v.NextURL = "/reports?" + nq.Encode()
	}
	if fills {
		count := strconv.Itoa(len(open.Items))
		if open.NextCursor != "" {
			count = "200+"
		}
		v.Tabs = append(v.Tabs,
			web.IncomingTab{Key: "todo", Label: "Cần nộp", Href: "/reports?tab=todo", Count: count, Active: tab == "todo"},
			web.IncomingTab{Key: "sent", Label: "Đã gửi", Href: "/reports?tab=sent", Active: tab == "sent"})
	}
	if oversees {
		v.Tabs = append(v.Tabs, web.IncomingTab{Key: "issued", Label: "Mẫu báo cáo đã ban hành", Href: "/reports?tab=issued", Active: tab == "issued"})
	}
	s.render(w, r, http.StatusOK, web.ReportsHomePage(s.reportPage(r, "Báo cáo"), v))
}

// ---- Templates ----

// templateFormKeys are the template form's single-valued fields.
var templateFormKeys = []string{"issuer_unit_id", "name", "description", "period_kind", "starts_on", "due_rule", "due_n",
	"recipients_kind", "recipients_level"}

const blankFieldRows = 2

func (s *Server) reportTemplateNew(w http.ResponseWriter, r *http.Request) {
	sub := subjectFrom(r.Context())
	issuers, err := s.reports.IssuerChoices(r.Context(), sub)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(issuers) == 0 {
		s.reportFailed(w, r, "report_template.create", "report_template", 0, reports.ErrNotManager)
		return
	}
	vals := map[string]string{"period_kind": reports.PeriodMonth, "due_rule": reports.DueWorkingDays, "due_n": "5",
		"recipients_kind": "subtree", "recipients_level": string(org.LevelCommune)}
	rows := []web.ReportFieldRow{{Kind: string(reports.KindNumber), Decimals: "0"}}
	s.renderTemplateForm(w, r, http.StatusOK, web.Form{Values: vals, Errors: map[string]string{}}, rows, nil, 0)
}

// renderTemplateForm shows the form; editing is the template being edited
// (nil when creating).
func (s *Server) renderTemplateForm(w http.ResponseWriter, r *http.Request, status int, f web.Form, rows []web.ReportFieldRow, chosen []org.Unit, editing int64) {
	ctx := r.Context()
	v := web.ReportTemplateFormView{Form: f, Action: "/reports/templates", Rows: rows,
		Recipients: unitPickerField("recipient_units", "Các đơn vị phải báo cáo", "Chỉ dùng khi chọn theo danh sách.", true, chosen)}
	for len(v.Rows) < len(rows)+blankFieldRows {
		v.Rows = append(v.Rows, web.ReportFieldRow{Kind: string(reports.KindNumber), Decimals: "0"})
	}
	for i := range v.Rows {
		v.Rows[i].Index = i
	}
	title := "Tạo mẫu báo cáo"
	if editing != 0 {
		t, err := s.reports.GetTemplate(ctx, subjectFrom(ctx), editing)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		title = "Sửa mẫu báo cáo"
		v.Editing, v.ID, v.Action, v.Version = true, editing, "/reports/templates/"+strconv.FormatInt(editing, 10), t.CurrentVersion
		var n int
		if err := s.db.QueryRow(ctx, `SELECT count(*) FROM report_periods WHERE template_id = $1`, editing).Scan(&n); err != nil {
			s.serverError(w, r, err)
			return
		}
		v.PeriodFixed = n > 0
		if err := s.db.QueryRow(ctx, `SELECT count(*) FROM report_submissions WHERE template_id = $1 AND version = $2
			AND (draft_saved_at IS NOT NULL OR revision > 0)`, editing, t.CurrentVersion).Scan(&n); err != nil {
			s.serverError(w, r, err)
			return
		}
		v.InUse = n > 0
	} else {
		issuers, err := s.reports.IssuerChoices(ctx, subjectFrom(ctx))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, u := range issuers {
			v.Issuers = append(v.Issuers, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
		}
	}
	s.render(w, r, status, web.ReportTemplateFormPage(s.reportPage(r, title), v))
}

var fieldRowKey = regexp.MustCompile(`^fields\[(\d+)\]\.([a-z_]+)$`)

// readTemplateForm reads the template form: its values (to show again),
// the rows as typed, the input for the service, and for each field passed
// to the service the row it came from (to put messages back on the row).
func (s *Server) readTemplateForm(r *http.Request, fe apperr.Fields) (map[string]string, []web.ReportFieldRow, reports.TemplateInput, []int, []org.Unit, error) {
	vals := map[string]string{}
	for _, k := range templateFormKeys {
		vals[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := reports.TemplateInput{Name: vals["name"], Description: r.PostFormValue("description"), PeriodKind: vals["period_kind"],
		DueRule: vals["due_rule"], RecipientsKind: vals["recipients_kind"], RecipientsLevel: vals["recipients_level"]}
	vals["description"] = r.PostFormValue("description")
	if v := vals["issuer_unit_id"]; v != "" {
		in.IssuerUnitID, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := vals["due_n"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("due_n", "Số ngày phải là số nguyên.")
		}
		in.DueN = n
	}
	if v := vals["starts_on"]; v != "" {
		d, ok := parseDate(v)
		if !ok {
			fe.Add("starts_on", "Ngày phải có dạng dd/mm/yyyy, ví dụ 01/11/2026.")
		}
		in.StartsOn = d
	}
	// Field rows, in index order.
	maxRow := -1
	for k := range r.PostForm {
		if m := fieldRowKey.FindStringSubmatch(k); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < reports.MaxFields+50 && i > maxRow {
				maxRow = i
			}
		}
	}
	var rows []web.ReportFieldRow
	var from []int
	for i := 0; i <= maxRow; i++ {
		get := func(name string) string { return r.PostFormValue(fmt.Sprintf("fields[%d].%s", i, name)) }
		row := web.ReportFieldRow{Key: strings.TrimSpace(get("key")), Label: get("label"), Kind: get("kind"), Unit: get("unit"),
			Min: get("min"), Max: get("max"), Decimals: get("decimals"), Help: get("help"), Columns: get("columns"),
			Required: get("required") == "1"}
		if get("remove") == "1" {
			continue
		}
		blank := strings.TrimSpace(row.Label+row.Unit+row.Min+row.Max+row.Help+row.Columns) == ""
		if blank && row.Key == "" {
			continue
		}
		rows = append(rows, row)
		idx := len(rows) - 1
		fl := reports.Field{Key: row.Key, Label: row.Label, Kind: reports.FieldKind(row.Kind), Unit: row.Unit, Min: row.Min,
			Max: row.Max, Help: row.Help, Required: row.Required}
		if d := strings.TrimSpace(row.Decimals); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil {
				fe.Add(fmt.Sprintf("fields[%d].decimals", idx), "Số chữ số thập phân phải là số nguyên từ 0 đến 6.")
			}
			fl.Decimals = n
		}
		if fl.Kind == reports.KindTable {
			fl.Columns = parseColumns(row.Columns)
		}
		in.Fields = append(in.Fields, fl)
		from = append(from, idx)
	}
	var chosen []org.Unit
	if in.RecipientsKind == "list" {
		units, err := s.unitResolvePicker(r, "recipient_units", true, fe, vals)
		if err != nil {
			return vals, rows, in, from, nil, err
		}
		chosen = units
		for _, u := range units {
			in.RecipientUnits = append(in.RecipientUnits, u.ID)
		}
	}
	return vals, rows, in, from, chosen, nil
}

// parseColumns reads a table's columns, one a line: "Tên cột | số | đơn vị"
// ("số:2" allows two decimals; no kind means text).
func parseColumns(text string) []reports.Column {
	var cols []reports.Column
	for _, line := range strings.Split(text, "\n") {
		parts := strings.Split(line, "|")
		label := strings.TrimSpace(parts[0])
		if label == "" && len(parts) == 1 {
			continue
		}
		c := reports.Column{Label: label, Kind: reports.KindText}
		if len(parts) > 1 {
			kind := strings.ToLower(strings.TrimSpace(parts[1]))
			kind, dec, _ := strings.Cut(kind, ":")
			switch kind {
			case "số", "so", "number":
				c.Kind = reports.KindNumber
				c.Decimals, _ = strconv.Atoi(strings.TrimSpace(dec))
			case "", "chữ", "chu", "text":
			default:
				c.Kind = reports.FieldKind(kind)
			}
		}
		if len(parts) > 2 {
			c.Unit = strings.TrimSpace(parts[2])
		}
		cols = append(cols, c)
	}
	return cols
}

// columnsText writes columns back in the form's syntax.
func columnsText(cols []reports.Column) string {
	var lines []string
	for _, c := range cols {
		line := c.Label
		if c.Kind == reports.KindNumber {
			line += " | số"
			if c.Decimals > 0 {
				line += ":" + strconv.Itoa(c.Decimals)
			}
			if c.Unit != "" {
				line += " | " + c.Unit
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// rowErrors moves the service's "fields[i]." messages to the form's rows.
func rowErrors(errs map[string]string, from []int) map[string]string {
	out := map[string]string{}
	for k, m := range errs {
		if rest, ok := strings.CutPrefix(k, "fields["); ok {
			if idx, tail, ok := strings.Cut(rest, "]"); ok {
				if i, err := strconv.Atoi(idx); err == nil && i < len(from) {
					out[fmt.Sprintf("fields[%d]%s", from[i], tail)] = m
					continue
				}
			}
		}
		out[k] = m
	}
	return out
}

func (s *Server) reportTemplateCreate(w http.ResponseWriter, r *http.Request) {
	s.saveTemplate(w, r, 0)
}

func (s *Server) reportTemplateUpdate(w http.ResponseWriter, r *http.Request) {
	s.saveTemplate(w, r, pathID(r))
}

func (s *Server) saveTemplate(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	fe := apperr.Fields{}
	vals, rows, in, from, chosen, err := s.readTemplateForm(r, fe)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if r.PostFormValue("add_field") != "" {
		rows = append(rows, web.ReportFieldRow{Kind: string(reports.KindNumber), Decimals: "0"})
		s.renderTemplateForm(w, r, http.StatusOK, web.Form{Values: vals, Errors: map[string]string{}}, rows, chosen, id)
		return
	}
	fail := func(err error) {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid {
			action := "report_template.create"
			if id != 0 {
				action = "report_template.update"
			}
			s.reportFailed(w, r, action, "report_template", id, err)
			return
		}
		f := web.Form{Values: vals, Errors: rowErrors(e.Fields, from), Error: "Mẫu báo cáo chưa được lưu: vui lòng sửa các ô được đánh dấu."}
		if len(e.Fields) == 0 {
			f.Error = e.Message
		}
		s.renderTemplateForm(w, r, http.StatusUnprocessableEntity, f, rows, chosen, id)
	}
	if err := fe.Err(); err != nil {
		fail(err)
		return
	}
	if id == 0 {
		t, err := s.reports.CreateTemplate(ctx, sub, s.actor(r), in)
		if err != nil {
			fail(err)
			return
		}
		done := "created"
		if t.PeriodKind == reports.PeriodAdHoc {
			done = "created_adhoc"
		}
		http.Redirect(w, r, fmt.Sprintf("/reports/templates/%d?ok=%s", t.ID, done), http.StatusSeeOther)
		return
	}
	before, err := s.reports.GetTemplate(ctx, sub, id)
	if err != nil {
		s.reportFailed(w, r, "report_template.update", "report_template", id, err)
		return
	}
	t, err := s.reports.UpdateTemplate(ctx, sub, s.actor(r), id, in)
	if err != nil {
		fail(err)
		return
	}
	done := "updated"
	if t.CurrentVersion != before.CurrentVersion {
		done = "versioned"
	}
	http.Redirect(w, r, fmt.Sprintf("/reports/templates/%d?ok=%s", id, done), http.StatusSeeOther)
}

func (s *Server) reportTemplateEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	t, err := s.reports.GetTemplate(ctx, subjectFrom(ctx), id)
	if err == nil && !t.CanManage {
		err = reports.ErrNotManager
	}
	if err != nil {
		s.reportFailed(w, r, "report_template.update", "report_template", id, err)
		return
	}
	vals := map[string]string{"name": t.Name, "description": t.Description, "period_kind": t.PeriodKind,
		"starts_on": web.Date(t.StartsOn), "due_rule": t.DueRule, "due_n": strconv.Itoa(t.DueN), "recipients_kind": t.RecipientsKind}
	if t.RecipientsLevel != nil {
		vals["recipients_level"] = *t.RecipientsLevel
	}
	var rows []web.ReportFieldRow
	for _, f := range t.Fields {
		rows = append(rows, web.ReportFieldRow{Key: f.Key, Label: f.Label, Kind: string(f.Kind), Unit: f.Unit,
			Min: reports.FormatNumber(f.Min), Max: reports.FormatNumber(f.Max), Decimals: strconv.Itoa(f.Decimals),
			Help: f.Help, Columns: columnsText(f.Columns), Required: f.Required})
	}
	var ids []int64
	for _, u := range t.RecipientUnits {
		ids = append(ids, u.ID)
	}
	chosen, err := s.units.GetMany(ctx, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Without JavaScript the picker is a text field of "#id"s.
	var shown []string
	for _, u := range chosen {
		shown = append(shown, "#"+strconv.FormatInt(u.ID, 10))
	}
	vals["recipient_units_text"] = strings.Join(shown, ", ")
	s.renderTemplateForm(w, r, http.StatusOK, web.Form{Values: vals, Errors: map[string]string{}}, rows, chosen, id)
}

func (s *Server) reportTemplatePage(w http.ResponseWriter, r *http.Request) {
	s.showTemplate(w, r, http.StatusOK, web.Form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (s *Server) showTemplate(w http.ResponseWriter, r *http.Request, status int, adhoc web.Form) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	id := pathID(r)
	t, err := s.reports.GetTemplate(ctx, sub, id)
	if err != nil {
		s.reportFailed(w, r, "report_template.view", "report_template", id, err)
		return
	}
	v := web.ReportTemplateView{T: t, Today: today(), AdHocForm: adhoc}
	if v.Periods, err = s.reports.Periods(ctx, sub, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Versions, err = s.reports.Versions(ctx, sub, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, web.ReportTemplatePage(s.reportPage(r, t.Name), v))
}

func (s *Server) reportTemplateActive(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	active := r.PostFormValue("active") == "1"
	if err := s.reports.SetActive(r.Context(), subjectFrom(r.Context()), s.actor(r), id, active); err != nil {
		s.reportFailed(w, r, "report_template.update", "report_template", id, err)
		return
	}
	done := "stopped"
	if active {
		done = "started"
	}
	http.Redirect(w, r, fmt.Sprintf("/reports/templates/%d?ok=%s", id, done), http.StatusSeeOther)
}

func (s *Server) reportOpenAdHoc(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	vals := map[string]string{}
	fe := apperr.Fields{}
	date := func(name string) time.Time {
		vals[name] = strings.TrimSpace(r.PostFormValue(name))
		if vals[name] == "" {
			return time.Time{}
		}
		d, ok := parseDate(vals[name])
		if !ok {
			fe.Add(name, "Ngày phải có dạng dd/mm/yyyy.")
		}
		return d
	}
	in := reports.AdHocInput{Label: r.PostFormValue("label"), StartsOn: date("starts_on"), EndsOn: date("ends_on"), DueDate: date("due_date")}
	vals["label"] = in.Label
	err := fe.Err()
	if err == nil {
		_, err = s.reports.OpenAdHoc(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			f := formFromError(err, vals)
			f.Error = "Chưa mở được đợt báo cáo: vui lòng sửa các ô được đánh dấu."
			s.showTemplate(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.reportFailed(w, r, "report_period.open", "report_template", id, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/reports/templates/%d?ok=opened#ky-bao-cao", id), http.StatusSeeOther)
}

// ---- A period ----

func (s *Server) reportPeriodPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	id := pathID(r)
	p, t, err := s.reports.GetPeriod(ctx, sub, id)
	if err != nil {
		s.reportFailed(w, r, "report_period.view", "report_period", id, err)
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if _, ok := stateCount(p, state); !ok {
		state = reports.StateAll
	}
	v := web.ReportPeriodView{T: t, P: p, State: state, Q: strings.TrimSpace(q.Get("q")), Today: today(), CanRemind: t.CanManage}
	page, err := s.reports.Rows(ctx, sub, id, reports.RowFilter{State: state, Q: v.Q, Cursor: q.Get("cursor")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v.Rows = page.Items
	self := fmt.Sprintf("/reports/periods/%d", id)
	link := func(st, cursor string) string {
		u := url.Values{}
		if st != "" {
			u.Set("state", st)
		}
		if v.Q != "" {
			u.Set("q", v.Q)
		}
		if cursor != "" {
			u.Set("cursor", cursor)
		}
		if len(u) == 0 {
			return self
		}
		return self + "?" + u.Encode()
	}
	for _, st := range reports.RowStates {
		n, _ := stateCount(p, st)
		key := st
		if key == "" {
			key = "all"
		}
		v.Tabs = append(v.Tabs, web.IncomingTab{Key: key, Label: web.ReportStateLabel(st), Href: link(st, ""), Count: strconv.Itoa(n), Active: st == state})
	}
	v.Paged = q.Get("cursor") != ""
	v.FirstURL = link(state, "")
	if page.NextCursor != "" {
		v.NextURL = link(state, page.NextCursor)
	}
	s.render(w, r, http.StatusOK, web.ReportPeriodPage(s.reportPage(r, t.Name+" – "+p.Label), v))
}

// stateCount is how many units a matrix filter holds.
func stateCount(p reports.Period, state string) (int, bool) {
	switch state {
	case reports.StateAll:
		return p.Expected, true
	case reports.StateMissing:
		return p.Pending, true
	case reports.StateLate:
		return p.Late, true
	case reports.StateSubmitted:
		return p.Submitted, true
	case reports.StateReturned:
		return p.Returned, true
	case reports.StateAccepted:
		return p.Accepted, true
	}
	return 0, false
}

func (s *Server) reportRemind(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	var only []int64
	if v := r.PostFormValue("submission_id"); v != "" {
		sid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.writeError(w, r, apperr.Invalid("Báo cáo không hợp lệ.", nil))
			return
		}
		only = []int64{sid}
	}
	res, err := s.reports.Remind(r.Context(), subjectFrom(r.Context()), s.actor(r), id, only)
	if err != nil {
		s.reportFailed(w, r, "report.remind", "report_period", id, err)
		return
	}
	done := "reminded"
	if res.Units == 0 {
		done = "nothing"
	}
	if r.PostFormValue("back") == "submission" && len(only) == 1 {
		http.Redirect(w, r, fmt.Sprintf("%s?ok=%s", reports.SubmissionLink(only[0]), done), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/reports/periods/%d?ok=%s", id, done), http.StatusSeeOther)
}

// ---- The aggregate ----

func aggregateOptions(q url.Values) reports.AggregateOptions {
	o := reports.AggregateOptions{AcceptedOnly: q.Get("accepted") == "1" || q.Get("accepted") == "true"}
	o.Branch, _ = strconv.ParseInt(q.Get("branch"), 10, 64)
	return o
}

func (s *Server) reportAggregatePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	q := r.URL.Query()
	o := aggregateOptions(q)
	ag, err := s.reports.AggregatePeriod(ctx, subjectFrom(ctx), id, o)
	if err != nil {
		s.reportFailed(w, r, "report_period.view", "report_period", id, err)
		return
	}
	self := fmt.Sprintf("/reports/periods/%d/aggregate", id)
	export := url.Values{}
	if o.AcceptedOnly {
		export.Set("accepted", "1")
	}
	if o.Branch != 0 {
		export.Set("branch", strconv.FormatInt(o.Branch, 10))
	}
	v := web.ReportAggregateView{Ag: ag, AcceptedOnly: o.AcceptedOnly, Compare: q.Get("compare") == "1", Self: self,
		ExportURL: fmt.Sprintf("/reports/periods/%d/aggregate.xlsx?%s", id, export.Encode())}
	s.render(w, r, http.StatusOK, web.ReportAggregatePage(s.reportPage(r, "Tổng hợp số liệu – "+ag.Period.Label), v))
}

func (s *Server) reportAggregateXLSX(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	o := aggregateOptions(r.URL.Query())
	ag, err := s.reports.AggregatePeriod(ctx, subjectFrom(ctx), id, o)
	if err != nil {
		s.reportFailed(w, r, "report_period.export", "report_period", id, err)
		return
	}
	b := aggregateBook(ag)
	var buf bytes.Buffer
	if err := printout.AggregateXLSX(&buf, b); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "report_period.export", Outcome: audit.OutcomeSuccess, ObjectType: "report_period",
		ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"accepted_only": o.AcceptedOnly, "branch": o.Branch}})
	name := fmt.Sprintf("tong-hop-%s-%s.xlsx", slug(ag.Template.Name), slug(ag.Period.Label))
	writeDownload(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, false, buf.Bytes())
}

func aggregateBook(ag reports.Aggregate) printout.AggregateBook {
	b := printout.AggregateBook{IssuerName: ag.Template.IssuerName, Title: ag.Template.Name, PeriodLabel: ag.Period.Label,
		Note: fmt.Sprintf("Tính %d báo cáo đã nộp (kể cả đã chấp nhận).", ag.Counted)}
	if ag.AcceptedOnly {
		b.Note = fmt.Sprintf("Tính %d báo cáo đã được chấp nhận.", ag.Counted)
	}
	if ag.Branch != nil {
		b.Title += " – " + ag.Branch.Name
	}
	if ag.Previous != nil {
		b.PrevLabel = ag.Previous.Label
	}
	for _, f := range ag.Fields {
		b.Columns = append(b.Columns, printout.AggregateColumn{Label: f.Label, Unit: f.Unit})
		b.Totals = append(b.Totals, printout.AggregateTotal{Count: f.Count, Sum: f.Sum, Avg: f.Avg, Min: f.Min, Max: f.Max,
			PrevSum: f.PrevSum, Diff: f.Diff, Pct: f.Pct})
	}
	for _, u := range ag.Units {
		au := printout.AggregateUnit{Name: u.UnitName, Status: reports.StatusLabel(u.Status), Late: u.Late}
		for _, f := range ag.Fields {
			au.Values = append(au.Values, u.Values[f.Key])
		}
		b.Units = append(b.Units, au)
	}
	return b
}

// slug makes a plain file-name part: "Tháng 11/2026" → "thang-11-2026".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldVietnamese(s)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 60 {
		out = strings.TrimRight(out[:60], "-")
	}
	return out
}

// foldVietnamese drops diacritics for file names.
func foldVietnamese(s string) string {
	const from = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ"
	const to = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydAAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD"
	fr, tr := []rune(from), []rune(to)
	m := make(map[rune]rune, len(fr))
	for i, r := range fr {
		m[r] = tr[i]
	}
	return strings.Map(func(r rune) rune {
		if x, ok := m[r]; ok {
			return x
		}
		return r
	}, s)
}
