package server

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/web"
)

// vietnam is the zone people type dates in; the log itself is UTC.
var vietnam = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}()

// auditAdminRoutes: the audit log search and its CSV export, for system
// administrators only.
func (s *Server) auditAdminRoutes(r chi.Router) {
	r.Get("/audit", s.adminAudit)
	r.Get("/audit.csv", s.adminAuditCSV)
}

// auditExportMax bounds one CSV export; a wider filter is refused nothing
// but is cut with a note in the last row.
const auditExportMax = 50_000

// auditFilterKeys are the query parameters of the filter, in form order.
var auditFilterKeys = []string{"from", "to", "actor", "action", "outcome", "object_type", "object_id"}

// allowAudit lets system administrators through; anyone else gets the same
// 404 as for a missing page, and the refusal is logged.
func (s *Server) allowAudit(w http.ResponseWriter, r *http.Request, action string) bool {
	if subjectFrom(r.Context()).IsAdmin {
		return true
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "audit_log",
		Details: map[string]any{"reason": "chỉ quản trị hệ thống được xem nhật ký"}})
	s.writeProblem(w, r, http.StatusNotFound, "", nil)
	return false
}

// parseAuditFilter reads the filter from the query. values holds what was
// typed (non-empty only), to refill the form and build links.
func parseAuditFilter(q url.Values) (f audit.Filter, values url.Values, err error) {
	values = url.Values{}
	for _, k := range auditFilterKeys {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			values.Set(k, v)
		}
	}
	fields := apperr.Fields{}
	day := func(key string) time.Time {
		v := values.Get(key)
		if v == "" {
			return time.Time{}
		}
		d, ok := parseDate(v)
		if !ok {
			fields.Add(key, "Ngày không hợp lệ; vui lòng nhập theo dạng dd/mm/yyyy.")
			return time.Time{}
		}
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, vietnam)
	}
	if from := day("from"); !from.IsZero() {
		f.From = from
	}
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fields.Add("to", "“Đến ngày” phải bằng hoặc sau “Từ ngày”.")
	}
	for _, k := range []string{"actor", "action", "object_type", "object_id"} {
		if utf8.RuneCountInString(values.Get(k)) > 200 {
			fields.Add(k, "Tối đa 200 ký tự.")
		}
	}
	f.Actor, f.Action = values.Get("actor"), values.Get("action")
	f.ObjectType, f.ObjectID = values.Get("object_type"), values.Get("object_id")
	switch o := values.Get("outcome"); o {
	case "", audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied:
		f.Outcome = o
	default:
		fields.Add("outcome", "Kết quả không hợp lệ.")
	}
	return f, values, fields.Err()
}

func flatten(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}

func filterDetails(v url.Values) map[string]any {
	out := map[string]any{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	if !s.allowAudit(w, r, "audit.view") {
		return
	}
	q := r.URL.Query()
	f, values, err := parseAuditFilter(q)
	v := web.AuditView{Form: web.Form{Values: flatten(values), Errors: map[string]string{}}, Filtered: len(values) > 0}
	v.CSVURL = "/admin/audit.csv"
	if len(values) > 0 {
		v.CSVURL += "?" + values.Encode()
	}
	title := "Nhật ký hệ thống"
	if err != nil {
		v.Form = formFromError(err, flatten(values))
		s.render(w, r, http.StatusUnprocessableEntity, web.AuditPage(s.page(r, title, "admin"), v))
		return
	}
	f.Cursor, f.Limit = q.Get("cursor"), audit.DefaultLimit
	page, err := s.audit.Search(r.Context(), f)
	if errors.Is(err, audit.ErrBadCursor) {
		v.Form.Error = "Tham số phân trang không hợp lệ. Vui lòng xem lại từ trang đầu."
		s.render(w, r, http.StatusUnprocessableEntity, web.AuditPage(s.page(r, title, "admin"), v))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Items = page.Items
	if page.NextCursor != "" {
		next := url.Values{}
		for k, vals := range values {
			next[k] = vals
		}
		next.Set("cursor", page.NextCursor)
		v.NextURL = "/admin/audit?" + next.Encode()
	}
	if f.Cursor != "" {
		v.FirstURL = "/admin/audit"
		if len(values) > 0 {
			v.FirstURL += "?" + values.Encode()
		}
	}
	// Recorded after the search, so the page does not show its own entry.
	details := filterDetails(values)
	details["results"] = len(page.Items)
	if f.Cursor != "" {
		details["page"] = "next"
	}
	s.recordAudit(r, audit.Entry{Action: "audit.view", Outcome: audit.OutcomeSuccess, ObjectType: "audit_log", Details: details})
	s.render(w, r, http.StatusOK, web.AuditPage(s.page(r, title, "admin"), v))
}

// auditCSVHeader names the export's columns.
var auditCSVHeader = []string{
	"Thời gian (giờ Việt Nam)", "Thời gian (UTC)", "Mã bản ghi", "Người thực hiện", "Mã người dùng", "Hành động",
	"Kết quả", "Loại đối tượng", "Mã đối tượng", "Đơn vị", "Địa chỉ IP", "Trình duyệt", "Mã yêu cầu", "Chi tiết",
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: several
// columns (a typed login, the user agent, details) come from the client.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func auditCSVRow(e audit.Recorded) []string {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	row := []string{
		web.AuditTime(e.At), e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), strconv.FormatInt(e.ID, 10), e.ActorLogin,
		id(e.ActorID), e.Action, web.OutcomeLabel(e.Outcome), e.ObjectType, e.ObjectID, id(e.UnitID), e.IP,
		e.UserAgent, e.RequestID, web.AuditDetails(e.Details),
	}
	for i := range row {
		row[i] = csvSafe(row[i])
	}
	return row
}

// adminAuditCSV streams the entries matching the filter, newest first, as
// UTF-8 CSV with a byte-order mark so that Excel shows Vietnamese. Pages
// are read one after another; at most auditExportMax rows are written.
func (s *Server) adminAuditCSV(w http.ResponseWriter, r *http.Request) {
	if !s.allowAudit(w, r, "audit.export") {
		return
	}
	f, values, err := parseAuditFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = audit.MaxLimit
	// The first page is read before anything is sent, so a failure still
	// gets a proper error response.
	page, err := s.audit.Search(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := "nhat-ky-he-thong-" + time.Now().In(vietnam).Format("20060102-150405") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	_ = cw.Write(auditCSVHeader)
	flusher, _ := w.(http.Flusher)
	rows, truncated := 0, false
	for {
		for _, e := range page.Items {
			if rows == auditExportMax {
				truncated = true
				break
			}
			_ = cw.Write(auditCSVRow(e))
			rows++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			s.log.WarnContext(r.Context(), "audit export interrupted", "err", err, "request_id", RequestID(r.Context()))
			break
		}
		if flusher != nil {
			flusher.Flush()
		}
		if truncated || page.NextCursor == "" {
			break
		}
		if rows == auditExportMax {
			truncated = true
			break
		}
		f.Cursor = page.NextCursor
		if page, err = s.audit.Search(r.Context(), f); err != nil {
			s.log.ErrorContext(r.Context(), "audit export failed", "err", err, "request_id", RequestID(r.Context()))
			_ = cw.Write([]string{"(Lỗi khi đọc nhật ký; tệp xuất chưa đầy đủ, vui lòng thử lại.)"})
			cw.Flush()
			break
		}
	}
	if truncated {
		_ = cw.Write([]string{"(Đã dừng ở " + strconv.Itoa(auditExportMax) + " dòng; hãy thu hẹp bộ lọc để xuất phần còn lại.)"})
		cw.Flush()
	}
	details := filterDetails(values)
	details["rows"] = rows
	details["truncated"] = truncated
	s.recordAudit(r, audit.Entry{Action: "audit.export", Outcome: audit.OutcomeSuccess, ObjectType: "audit_log", Details: details})
}
