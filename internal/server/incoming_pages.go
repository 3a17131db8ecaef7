package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/registry"
	"vanthu/internal/routing"
	"vanthu/web"
)

// incomingRoutes: the incoming register with its inboxes, registration,
// saved filters, and the document page with its files and comments.
func (s *Server) incomingRoutes(r chi.Router) {
	r.Get("/incoming", s.incomingList)
	r.Get("/incoming/new", s.incomingNew)
	r.Post("/incoming", s.incomingCreate)
	r.Post("/incoming/filters", s.savedFilterCreate)
	r.Post("/incoming/filters/{id:[0-9]+}/delete", s.savedFilterDelete)
	r.Get("/documents/{id:[0-9]+}", s.documentPage)
	r.Get("/documents/{id:[0-9]+}/files/{file_id:[0-9]+}", s.documentFileDownload)
	r.Get("/documents/{id:[0-9]+}/files/{file_id:[0-9]+}/view", s.documentFileView)
	r.Post("/documents/{id:[0-9]+}/comments", s.documentComment)
	s.signaturePageRoutes(r)
}

// ---- The register and its inboxes ----

// incomingFilterKeys are the query parameters of the list, in the order
// URLs carry them.
var incomingFilterKeys = []string{"tab", "q", "from", "to", "register_id", "type_name", "organ", "priority",
	"confidentiality", "status", "assignee", "overdue", "sort", "limit", "unit_id"}

// incomingMoreKeys are the filters folded under "Thêm điều kiện lọc".
var incomingMoreKeys = []string{"from", "to", "register_id", "type_name", "organ", "priority", "confidentiality",
	"status", "assignee", "overdue"}

// inboxCountCap bounds the counts on the tabs: "999+" is enough to know.
const inboxCountCap = 1000

// incomingTab is one inbox: the register list narrowed to a status, or to
// one of the person's inboxes as routing defines them.
type incomingTab struct {
	key, label, hint string
	show             func(sub access.Subject) bool
	status           string // a documents status code, or ""
	box              string // a routing inbox, or ""
	overdue          bool   // documents past due, or the person's late parts
}

// apply narrows f to the tab.
func (t incomingTab) apply(f *documents.Filter, sub access.Subject) error {
	if t.status != "" {
		f.Status = t.status
	}
	if t.box != "" {
		p, err := routing.BoxPredicate(sub, t.box, routing.Today())
		if err != nil {
			return err
		}
		f.Extra = p
		if t.overdue {
			// Clerks and leaders chase every late document they can see;
			// handlers see their own late parts.
			f.Extra = func(a *postgres.Args) string {
				return "(d.due_date < current_date AND d.status <> '06') OR " + p(a)
			}
		}
	}
	return nil
}

func everyone(access.Subject) bool { return true }

func hasAnyRole(roles ...identity.Role) func(access.Subject) bool {
	return func(sub access.Subject) bool {
		if sub.IsAdmin {
			return true
		}
		for _, m := range sub.Memberships {
			for _, r := range roles {
				if m.Role == r {
					return true
				}
			}
		}
		return false
	}
}

var incomingTabs = []incomingTab{
	{key: "", label: "Sổ văn bản đến", show: everyone},
	{key: "arrived", label: "Chờ vào sổ", hint: "Văn bản các đơn vị trên hệ thống gửi đến, chưa vào sổ.",
		show: hasAnyRole(identity.RoleClerk), status: documents.StatusArrived},
	{key: "presented", label: "Chờ cho ý kiến", hint: "Văn bản đã trình bạn, chưa có ý kiến chỉ đạo.",
		show: hasAnyRole(identity.RoleLeader), box: routing.BoxAwaitingDirection},
	{key: "todo", label: "Chờ xử lý", hint: "Văn bản được giao cho bạn hoặc đơn vị bạn lãnh đạo, chưa bắt đầu xử lý.",
		show: everyone, box: routing.BoxToDo},
	{key: "doing", label: "Đang xử lý", hint: "Văn bản bạn hoặc đơn vị bạn lãnh đạo đang xử lý.",
		show: everyone, box: routing.BoxInProgress},
	{key: "overdue", label: "Quá hạn", hint: "Văn bản, phần việc đã quá hạn mà chưa hoàn thành.",
		show: everyone, box: routing.BoxOverdue, overdue: true},
	{key: "inform", label: "Để biết", hint: "Văn bản gửi bạn để biết.", show: everyone, box: routing.BoxForInfo},
	{key: "done", label: "Đã hoàn thành", hint: "Văn bản đã xử lý xong.", show: everyone, status: documents.StatusDone},
}

func findIncomingTab(key string, sub access.Subject) incomingTab {
	for _, t := range incomingTabs {
		if t.key == key && t.show(sub) {
			return t
		}
	}
	return incomingTabs[0]
}

// incomingFlash is the message shown after a redirect; the query carries
// only a key, never text.
var incomingFlash = map[string]web.Flash{
	"filter_saved":   {Kind: "ok", Message: "Đã lưu bộ lọc."},
	"filter_deleted": {Kind: "ok", Message: "Đã xóa bộ lọc."},
	"filter_name":    {Kind: "error", Message: "Chưa lưu bộ lọc: vui lòng đặt tên (tối đa 100 ký tự)."},
	"comment":        {Kind: "ok", Message: "Đã gửi ý kiến."},
}

func (s *Server) incomingPage(r *http.Request, title string) web.Page {
	p := s.page(r, title, "incoming")
	if f, ok := incomingFlash[r.URL.Query().Get("ok")]; ok {
		p.Flash = &f
	}
	return p
}

// canRegister reports whether the subject may register incoming documents
// somewhere.
func canRegister(sub access.Subject) bool {
	return hasAnyRole(identity.RoleClerk)(sub)
}

// incomingQuery encodes the list's parameters in vals, in a stable order,
// leaving out empty ones and those in skip.
func incomingQuery(vals map[string]string, skip ...string) string {
	var b strings.Builder
	for _, k := range incomingFilterKeys {
		v := vals[k]
		if v == "" || containsString(skip, k) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
	}
	return b.String()
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func incomingURL(query string) string {
	if query == "" {
		return "/incoming"
	}
	return "/incoming?" + query
}

func (s *Server) incomingList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	vals := map[string]string{}
	for _, k := range incomingFilterKeys {
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	tab := findIncomingTab(vals["tab"], sub)
	vals["tab"] = tab.key
	if vals["overdue"] == "true" {
		vals["overdue"] = "1"
	}

	v := web.IncomingListView{
		Form: web.Form{Values: vals, Errors: map[string]string{}}, Tab: tab.key, TabHint: tab.hint,
		Today: today(), CanRegister: canRegister(sub),
		Query: incomingQuery(vals), ClearURL: incomingURL(incomingQuery(map[string]string{"tab": tab.key})),
	}
	for _, k := range incomingFilterKeys {
		if k != "tab" && k != "sort" && k != "limit" && vals[k] != "" {
			v.Filtered = true
		}
	}
	for _, k := range incomingMoreKeys {
		v.MoreOpen = v.MoreOpen || vals[k] != ""
	}

	status := http.StatusOK
	f, err := filterFromQuery(q)
	if err == nil {
		var page documents.Page
		if err = tab.apply(&f, sub); err == nil {
			page, err = s.docs.List(ctx, sub, f)
		}
		if err == nil {
			v.Items = page.Items
			v.Paged = q.Get("cursor") != ""
			if page.NextCursor != "" {
				next := incomingQuery(vals)
				if next != "" {
					next += "&"
				}
				v.NextURL = "/incoming?" + next + "cursor=" + url.QueryEscape(page.NextCursor)
			}
			v.FirstURL = incomingURL(incomingQuery(vals))
		}
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid {
			s.serverError(w, r, err)
			return
		}
		v.Form = formFromError(err, vals)
		status = http.StatusUnprocessableEntity
	}

	if err := s.incomingListChoices(ctx, sub, &v); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, t := range incomingTabs {
		if !t.show(sub) {
			continue
		}
		n, err := s.inboxCount(ctx, sub, t)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		tabVals := map[string]string{}
		for k, val := range vals {
			tabVals[k] = val
		}
		tabVals["tab"] = t.key
		v.Tabs = append(v.Tabs, web.IncomingTab{Key: tabKey(t.key), Label: t.label, Href: incomingURL(incomingQuery(tabVals)),
			Count: countLabel(n), Active: t.key == tab.key})
	}
	s.render(w, r, status, web.IncomingListPage(s.incomingPage(r, "Văn bản đến"), v))
}

func tabKey(k string) string {
	if k == "" {
		return "all"
	}
	return k
}

func countLabel(n int) string {
	if n >= inboxCountCap {
		return fmt.Sprintf("%d+", inboxCountCap-1)
	}
	return strconv.Itoa(n)
}

// incomingListChoices fills the filter form's selects and the person's
// saved filters.
func (s *Server) incomingListChoices(ctx context.Context, sub access.Subject, v *web.IncomingListView) error {
	regs, err := s.registers.InUnits(ctx, sub.ViewUnits(), registry.KindIncoming)
	if err != nil {
		return err
	}
	if len(regs) > 1 {
		for _, rg := range regs {
			v.Registers = append(v.Registers, web.Option{Value: strconv.FormatInt(rg.ID, 10), Label: rg.Name})
		}
	}
	types, err := s.registers.DocTypes(ctx, today())
	if err != nil {
		return err
	}
	for _, t := range types {
		if !containsString(v.Types, t.Name) {
			v.Types = append(v.Types, t.Name)
		}
	}
	if tn := v.Form.Get("type_name"); tn != "" && !containsString(v.Types, tn) {
		v.Types = append(v.Types, tn)
	}
	me := strconv.FormatInt(sub.UserID, 10)
	v.Assignees = []web.Option{{Value: me, Label: "Giao cho tôi"}}
	if a := v.Form.Get("assignee"); a != "" && a != me {
		v.Assignees = append(v.Assignees, web.Option{Value: a, Label: "Người dùng #" + a})
	}
	rows, _ := s.db.Query(ctx, `SELECT id, name, query FROM saved_filters WHERE user_id = $1 ORDER BY name, id LIMIT 100`, sub.UserID)
	v.Saved, err = pgx.CollectRows(rows, pgx.RowToStructByPos[web.SavedFilter])
	return err
}

// inboxCount counts an inbox, up to inboxCountCap.
func (s *Server) inboxCount(ctx context.Context, sub access.Subject, t incomingTab) (int, error) {
	var f documents.Filter
	if err := t.apply(&f, sub); err != nil {
		return 0, err
	}
	return s.docs.Count(ctx, sub, f, inboxCountCap)
}

// ---- Saved filters ----

// cleanSavedQuery keeps only the list's own parameters (never a cursor).
func cleanSavedQuery(raw string) string {
	q, _ := url.ParseQuery(strings.TrimPrefix(raw, "?"))
	vals := map[string]string{}
	for _, k := range incomingFilterKeys {
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	return incomingQuery(vals)
}

func (s *Server) savedFilterCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	sub := subjectFrom(r.Context())
	name := strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	query := cleanSavedQuery(r.PostFormValue("query"))
	back := func(ok string) string {
		if query == "" {
			return "/incoming?ok=" + ok
		}
		return "/incoming?" + query + "&ok=" + ok
	}
	if name == "" || utf8.RuneCountInString(name) > 100 || len(query) > 2000 {
		http.Redirect(w, r, back("filter_name"), http.StatusSeeOther)
		return
	}
	var id int64
	err := s.db.QueryRow(r.Context(), `
		INSERT INTO saved_filters (user_id, name, query) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query
		RETURNING id`, sub.UserID, name, query).Scan(&id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "saved_filter.save", Outcome: audit.OutcomeSuccess, ObjectType: "saved_filter",
		ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"name": name, "query": query}})
	http.Redirect(w, r, back("filter_saved"), http.StatusSeeOther)
}

func (s *Server) savedFilterDelete(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	sub := subjectFrom(r.Context())
	tag, err := s.db.Exec(r.Context(), `DELETE FROM saved_filters WHERE id = $1 AND user_id = $2`, id, sub.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if tag.RowsAffected() == 0 {
		s.writeError(w, r, apperr.NotFound("Không tìm thấy bộ lọc."))
		return
	}
	s.recordAudit(r, audit.Entry{Action: "saved_filter.delete", Outcome: audit.OutcomeSuccess, ObjectType: "saved_filter",
		ObjectID: strconv.FormatInt(id, 10)})
	http.Redirect(w, r, "/incoming?ok=filter_deleted", http.StatusSeeOther)
}

// ---- Registration ----

// incomingFormFields are the text fields of the registration form.
var incomingFormFields = []string{"unit_id", "register_id", "organ_name", "organ_unit_id", "symbol", "issued_date", "type_name",
	"subject", "signer_position", "signer_full_name", "page_amount", "priority", "priority_time", "confidentiality",
	"due_date", "receivers", "notes", "confirm_duplicate", "and_next"}

const (
	maxFormFieldBytes = 64 << 10
	maxFormFiles      = 50
	maxFormParts      = 200
)

// incomingSubmission is what the registration form sent.
type incomingSubmission struct {
	vals      map[string]string
	uploads   []*documents.Upload
	fileNames []string // every file sent, accepted or not
	fields    apperr.Fields
}

// readIncomingForm streams the registration form: text fields into vals,
// each "files" part spooled and checked by content. A refused file is a
// message on the "files" field, and reading goes on so every typed value
// comes back to the form. Only a body over the upload limit, or a broken
// one, stops it (returned as the error). The caller closes the uploads.
func (s *Server) readIncomingForm(r *http.Request) (incomingSubmission, error) {
	sub := incomingSubmission{vals: map[string]string{}, fields: apperr.Fields{}}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return sub, err
		}
		for _, k := range incomingFormFields {
			sub.vals[k] = r.PostFormValue(k)
		}
		return sub, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return sub, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ: hãy gửi lại từ trang vào sổ.", nil)
	}
	var fileErrs []string
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return sub, err
			}
			return sub, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang hoặc không hợp lệ; vui lòng gửi lại.", nil)
		}
		if n >= maxFormParts {
			part.Close()
			return sub, apperr.Invalid("Biểu mẫu có quá nhiều phần.", nil)
		}
		name := part.FormName()
		switch {
		case name == "files":
			if part.FileName() == "" { // the file input left empty
				part.Close()
				continue
			}
			sub.fileNames = append(sub.fileNames, part.FileName())
			if len(sub.fileNames) > maxFormFiles {
				fileErrs = appendOnce(fileErrs, fmt.Sprintf("Mỗi lần vào sổ kèm tối đa %d tệp.", maxFormFiles))
				part.Close()
				continue
			}
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
					fileErrs = append(fileErrs, e.Message)
					part.Close()
					continue
				}
				part.Close()
				return sub, err
			}
			sub.uploads = append(sub.uploads, u)
		case containsString(incomingFormFields, name):
			b, err := io.ReadAll(io.LimitReader(part, maxFormFieldBytes+1))
			if err != nil {
				part.Close()
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					return sub, err
				}
				return sub, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang; vui lòng gửi lại.", nil)
			}
			if len(b) > maxFormFieldBytes {
				sub.fields.Add(name, "Nội dung quá dài.")
				b = b[:0]
			}
			sub.vals[name] = strings.ToValidUTF8(string(b), "")
		}
		part.Close()
	}
	if len(fileErrs) > 0 {
		sub.fields.Add("files", strings.Join(fileErrs, " "))
	}
	return sub, nil
}

func appendOnce(list []string, s string) []string {
	if containsString(list, s) {
		return list
	}
	return append(list, s)
}

// vnDateTimeLayouts are how a clerk types a time and a day.
var vnDateTimeLayouts = []string{"15:04 02/01/2006", "15:04 2/1/2006", "02/01/2006 15:04", "2/1/2006 15:04"}

// incomingInput turns the form's values into the service's input. Values
// that cannot be read (a date, a number, the symbol) are field messages,
// and so are the required fields, so one answer lists every problem.
func (s *Server) incomingInput(ctx context.Context, vals map[string]string, fields apperr.Fields) documents.IncomingInput {
	in := documents.IncomingInput{
		TypeName: vals["type_name"], OrganName: vals["organ_name"], Subject: vals["subject"],
		SignerPosition: vals["signer_position"], SignerFullName: vals["signer_full_name"],
		Priority: vals["priority"], Confidentiality: identity.Clearance(vals["confidentiality"]),
		Receivers: vals["receivers"], Notes: vals["notes"],
	}
	id := func(name string) int64 {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fields.Add(name, "Giá trị không hợp lệ.")
			return 0
		}
		return n
	}
	in.UnitID, in.RegisterID = id("unit_id"), id("register_id")
	if v := strings.TrimSpace(vals["symbol"]); v != "" {
		sym, err := registry.ParseSymbol(v)
		if err != nil {
			if e, ok := apperr.As(err); ok {
				fields.Add("symbol", e.Message)
			}
		} else {
			in.CodeNumber, in.CodeNotation = sym.Number, sym.Notation
		}
	}
	date := func(name string) *time.Time {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return nil
		}
		d, ok := parseDate(v)
		if !ok {
			fields.Add(name, "Ngày phải có dạng dd/mm/yyyy, ví dụ 02/03/2026.")
			return nil
		}
		return &d
	}
	in.IssuedDate, in.DueDate = date("issued_date"), date("due_date")
	if v := strings.TrimSpace(vals["page_amount"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fields.Add("page_amount", "Số trang phải là số nguyên dương.")
		} else {
			in.PageAmount = n
		}
	}
	if v := strings.Join(strings.Fields(vals["priority_time"]), " "); v != "" {
		ok := false
		for _, layout := range vnDateTimeLayouts {
			if t, err := time.ParseInLocation(layout, v, vietnam); err == nil {
				in.PriorityTime, ok = &t, true
				break
			}
		}
		if !ok {
			fields.Add("priority_time", "Thời hạn phải có dạng giờ:phút ngày/tháng/năm, ví dụ 15:00 04/05/2026.")
		}
	}
	if strings.TrimSpace(in.TypeName) == "" {
		fields.Add("type_name", "Vui lòng chọn loại văn bản.")
	}
	if strings.TrimSpace(in.OrganName) == "" {
		fields.Add("organ_name", "Vui lòng nhập cơ quan ban hành.")
	}
	if strings.TrimSpace(in.Subject) == "" {
		fields.Add("subject", "Vui lòng nhập trích yếu nội dung.")
	}
	// A unit chosen from the suggestions, if its name was kept as chosen.
	if uid := id("organ_unit_id"); uid != 0 {
		var name string
		err := s.db.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, uid).Scan(&name)
		if err == nil && strings.EqualFold(strings.Join(strings.Fields(name), " "), strings.Join(strings.Fields(in.OrganName), " ")) {
			in.OrganUnitID = uid
		}
	}
	return in
}

func (s *Server) incomingNew(w http.ResponseWriter, r *http.Request) {
	sub := subjectFrom(r.Context())
	if !canRegister(sub) {
		s.recordAudit(r, audit.Entry{Action: "document.register", Outcome: audit.OutcomeDenied, ObjectType: "document"})
		s.writeError(w, r, apperr.Forbidden("Chỉ văn thư được vào sổ văn bản đến."))
		return
	}
	vals := map[string]string{"priority": "thuong", "confidentiality": string(identity.ClearanceNone)}
	v, err := s.incomingFormView(r, web.Form{Values: vals, Errors: map[string]string{}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if last, err := strconv.ParseInt(r.URL.Query().Get("last"), 10, 64); err == nil {
		if d, err := s.docs.Get(r.Context(), sub, last); err == nil {
			v.Last = &d
		}
	}
	s.render(w, r, http.StatusOK, web.IncomingFormPage(s.incomingPage(r, "Vào sổ văn bản đến"), v))
}

// incomingFormView fills the form's choices: the clerk's units and
// registers, and the document types in force.
func (s *Server) incomingFormView(r *http.Request, f web.Form) (web.IncomingFormView, error) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	v := web.IncomingFormView{Form: f, MaxFileBytes: s.cfg.MaxFileBytes, MaxFile: humanBytes(s.cfg.MaxFileBytes),
		MaxTotal: humanBytes(s.cfg.MaxUploadBytes), Isolated: s.cfg.IsolatedSystem}
	var units []int64
	unitNames := map[int64]string{}
	for _, m := range sub.Memberships {
		if (m.Role == identity.RoleClerk || sub.IsAdmin) && !containsInt64(units, m.UnitID) {
			units = append(units, m.UnitID)
			unitNames[m.UnitID] = m.UnitName
		}
	}
	if len(units) > 1 {
		for _, u := range units {
			v.Units = append(v.Units, web.Option{Value: strconv.FormatInt(u, 10), Label: unitNames[u]})
		}
	}
	if len(units) > 0 {
		regs, err := s.registers.InUnits(ctx, units, registry.KindIncoming)
		if err != nil {
			return v, err
		}
		if len(regs) > 1 {
			for _, rg := range regs {
				label := rg.Name
				if len(units) > 1 {
					label = unitNames[rg.UnitID] + " — " + rg.Name
				}
				v.Registers = append(v.Registers, web.Option{Value: strconv.FormatInt(rg.ID, 10), Label: label})
			}
		}
	}
	types, err := s.registers.DocTypes(ctx, today())
	if err != nil {
		return v, err
	}
	for _, t := range types {
		if !containsString(v.Types, t.Name) {
			v.Types = append(v.Types, t.Name)
		}
	}
	if tn := f.Get("type_name"); tn != "" && !containsString(v.Types, tn) {
		v.Types = append(v.Types, tn)
	}
	return v, nil
}

func containsInt64(list []int64, n int64) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

func (s *Server) incomingCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if !canRegister(sub) {
		s.recordAudit(r, audit.Entry{Action: "document.register", Outcome: audit.OutcomeDenied, ObjectType: "document"})
		s.writeError(w, r, apperr.Forbidden("Chỉ văn thư được vào sổ văn bản đến."))
		return
	}
	form, err := s.readIncomingForm(r)
	defer func() { documents.CloseAll(form.uploads) }()
	vals := form.vals
	confirmed, andNext := vals["confirm_duplicate"] == "1", vals["and_next"] == "1"
	vals["confirm_duplicate"], vals["and_next"] = "", "" // asked again whenever the form comes back
	show := func(status int, f web.Form, dups []documents.Duplicate) {
		v, err := s.incomingFormView(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Duplicates = dups
		v.FilesAgain = form.fileNames
		s.render(w, r, status, web.IncomingFormPage(s.incomingPage(r, "Vào sổ văn bản đến"), v))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg := fmt.Sprintf("Dữ liệu gửi lên vượt quá giới hạn %s; văn bản chưa được vào sổ. Hãy bớt tệp hoặc chia nhỏ tệp quét rồi gửi lại.", humanBytes(tooBig.Limit))
			show(http.StatusRequestEntityTooLarge, web.Form{Values: vals, Errors: map[string]string{"files": msg}, Error: msg}, nil)
			return
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			show(http.StatusUnprocessableEntity, formFromError(err, vals), nil)
			return
		}
		s.serverError(w, r, err)
		return
	}
	in := s.incomingInput(ctx, vals, form.fields)
	if in.Confidentiality != "" && in.Confidentiality != identity.ClearanceNone && len(form.fileNames) > 0 && !s.cfg.IsolatedSystem {
		if e, ok := apperr.As(documents.ErrSecretContent); ok {
			form.fields.Add("files", e.Fields["files"])
			form.fields.Add("confidentiality", "Văn bản mật chỉ vào sổ thông tin; hãy bỏ tệp đính kèm.")
		}
	}
	if err := form.fields.Err(); err != nil {
		f := formFromError(err, vals)
		if _, secret := f.Errors["confidentiality"]; secret {
			if e, ok := apperr.As(documents.ErrSecretContent); ok {
				f.Error = e.Message
			}
		} else {
			f.Error = "Văn bản chưa được vào sổ: vui lòng sửa các ô được đánh dấu."
		}
		show(http.StatusUnprocessableEntity, f, nil)
		return
	}
	reg, err := s.docs.RegisterIncoming(ctx, sub, s.actor(r), in, form.uploads, confirmed)
	var dup *documents.DuplicateError
	switch {
	case errors.As(err, &dup):
		show(http.StatusConflict, web.Form{Values: vals, Errors: map[string]string{}}, dup.Matches)
		return
	case err != nil:
		e, ok := apperr.As(err)
		if !ok || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict && e.Kind != apperr.KindUnavailable) {
			s.writeError(w, r, err)
			return
		}
		f := formFromError(err, vals)
		for _, k := range []string{"code_number", "code_notation"} {
			if m, ok := f.Errors[k]; ok {
				delete(f.Errors, k)
				f.Errors["symbol"] = m
			}
		}
		show(statusOf(e.Kind), f, nil)
		return
	}
	next := fmt.Sprintf("/documents/%d?registered=1", reg.Document.ID)
	if andNext {
		next = fmt.Sprintf("/incoming/new?last=%d", reg.Document.ID)
	}
	// incoming.js sends the form itself and goes to the page; a redirect
	// it followed would load (and audit a view of) the page twice.
	if r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		w.Header().Set("Location", next)
		w.WriteHeader(http.StatusCreated)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// ---- The document page ----

func (s *Server) documentPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	d, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	if d.Direction == "outgoing" { // outgoing documents have their own page
		http.Redirect(w, r, outgoing.Link(d.ID), http.StatusSeeOther)
		return
	}
	v, err := s.documentView(r, d)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
	if err := s.docs.RecordView(r.Context(), id, subjectFrom(r.Context()).UserID); err != nil {
		s.log.WarnContext(r.Context(), "record document view", "err", err, "document_id", id, "request_id", RequestID(r.Context()))
	}
	p := s.incomingPage(r, documentTitle(d))
	if r.URL.Query().Get("registered") == "1" && d.ArrivalNumber != nil {
		p.Flash = &web.Flash{Kind: "ok", Message: fmt.Sprintf("Đã vào sổ văn bản đến: số đến %d, lúc %s.",
			*d.ArrivalNumber, d.ArrivedAt.In(vietnam).Format("15:04 02/01/2006"))}
	}
	s.render(w, r, http.StatusOK, web.DocumentPage(p, v))
}

func documentTitle(d documents.Document) string {
	if d.ArrivalNumber != nil {
		return fmt.Sprintf("Văn bản đến số %d", *d.ArrivalNumber)
	}
	return "Văn bản"
}

func (s *Server) documentView(r *http.Request, d documents.Document) (web.DocumentView, error) {
	ctx := r.Context()
	v := web.DocumentView{Doc: d, Today: today(), CanRegister: canRegister(subjectFrom(ctx)), Isolated: s.cfg.IsolatedSystem,
		CommentForm: web.Form{Values: map[string]string{}, Errors: map[string]string{}}}
	var err error
	if v.Files, err = s.docs.Files(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Events, err = s.docs.Timeline(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Comments, err = s.docs.Comments(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Signatures, err = s.signaturePanel(r, d.ID); err != nil {
		return v, err
	}
	if v.Delivery, err = s.deliveryView(r, d); err != nil {
		return v, err
	}
	if v.CanExportEDXML, err = s.exchange.Exportable(ctx, d.ID); err != nil {
		return v, err
	}
	v.Routing, err = s.routingView(r, d)
	return v, err
}

func (s *Server) documentFileDownload(w http.ResponseWriter, r *http.Request) {
	s.serveDocumentFile(w, r, false)
}

func (s *Server) documentFileView(w http.ResponseWriter, r *http.Request) {
	s.serveDocumentFile(w, r, true)
}

func (s *Server) documentComment(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	d, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	c, err := s.docs.AddComment(r.Context(), subjectFrom(r.Context()), id, body)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid {
			s.writeError(w, r, err)
			return
		}
		v, verr := s.documentView(r, d)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.CommentForm = formFromError(err, map[string]string{"body": body})
		s.render(w, r, http.StatusUnprocessableEntity, web.DocumentPage(s.incomingPage(r, documentTitle(d)), v))
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.comment", Outcome: audit.OutcomeSuccess, ObjectType: "document",
		ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"comment_id": c.ID}})
	http.Redirect(w, r, fmt.Sprintf("/documents/%d?ok=comment#comments", id), http.StatusSeeOther)
}
