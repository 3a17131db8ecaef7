package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/printout"
	"vanthu/internal/reports"
	"vanthu/web"
)

func (s *Server) reportSubmissionRoutes(r chi.Router) {
	r.Get("/reports/submissions/{id:[0-9]+}", s.reportSubmissionPage)
	r.Post("/reports/submissions/{id:[0-9]+}/draft", s.reportDraft)
	r.Post("/reports/submissions/{id:[0-9]+}/save", s.reportSave)
	r.Post("/reports/submissions/{id:[0-9]+}/submit", s.reportSubmit)
	r.Post("/reports/submissions/{id:[0-9]+}/send-back", s.reportSendBack)
	r.Post("/reports/submissions/{id:[0-9]+}/decide", s.reportDecide)
	r.Post("/reports/submissions/{id:[0-9]+}/files", s.reportUpload)
	r.Post("/reports/submissions/{id:[0-9]+}/files/{file_id:[0-9]+}/remove", s.reportRemoveFile)
	r.Get("/reports/submissions/{id:[0-9]+}/files/{file_id:[0-9]+}", s.reportFileDownload)
	r.Get("/reports/submissions/{id:[0-9]+}/report.pdf", s.reportPDF)
}

func submissionURL(id int64, ok string) string {
	if ok == "" {
		return reports.SubmissionLink(id)
	}
	return reports.SubmissionLink(id) + "?ok=" + ok
}

// showSubmission renders a submission's page; errs are messages by field
// path to show on the form, decide and back the decision forms as sent.
func (s *Server) showSubmission(w http.ResponseWriter, r *http.Request, status int, id int64, errs map[string]string, formError string, decide, back web.Form) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	sm, err := s.reports.Get(ctx, sub, id)
	if err != nil {
		s.reportFailed(w, r, "report.view", "report_submission", id, err)
		return
	}
	v := web.ReportSubmissionView{S: sm, Errors: errs, FormError: formError, Today: today(), MaxFile: humanBytes(s.cfg.MaxFileBytes),
		Decide: decide, Back: back}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	if v.Decide.Values == nil {
		v.Decide = web.Form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	if v.Back.Values == nil {
		v.Back = web.Form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	if v.Events, v.Revisions, err = s.reports.History(ctx, sub, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	for i := range v.Events {
		e := &v.Events[i]
		switch e.Kind {
		case "returned":
			v.LastReturn = e
		case "sent_back":
			v.LastSendBack = e
		case "reminded":
			v.Reminders++
		}
	}
	if status == http.StatusOK && sm.Can.Edit && len(v.Errors) == 0 && sm.DraftSavedAt != nil {
		// Show what is still wrong with the saved draft.
		v.Errors = draftErrors(sm)
	}
	if status == http.StatusOK {
		s.recordAudit(r, audit.Entry{Action: "report.view", Outcome: audit.OutcomeSuccess, ObjectType: "report_submission", ObjectID: strconv.FormatInt(id, 10)})
	}
	s.render(w, r, status, web.ReportSubmissionPage(s.reportPage(r, sm.TemplateName+" – "+sm.UnitName), v))
}

// draftErrors checks a stored draft the way autosave does.
func draftErrors(sm reports.Submission) map[string]string {
	return reports.CheckDraft(sm.Fields, sm.Data)
}

func (s *Server) reportSubmissionPage(w http.ResponseWriter, r *http.Request) {
	s.showSubmission(w, r, http.StatusOK, pathID(r), nil, "", web.Form{}, web.Form{})
}

var cellKey = regexp.MustCompile(`^v\.([a-z][a-z0-9_]{0,39})\[(\d{1,4})\]\.(c\d{1,2})$`)

// readValues reads a report's form: "v.KEY" for numbers and text,
// "v.KEY[ROW].COL" for table cells (rows in index order).
func readValues(r *http.Request) reports.Values {
	vals := reports.Values{}
	type cell struct {
		row int
		col string
		val string
	}
	cells := map[string][]cell{}
	for k, vs := range r.PostForm {
		if len(vs) == 0 {
			continue
		}
		if m := cellKey.FindStringSubmatch(k); m != nil {
			row, _ := strconv.Atoi(m[2])
			cells[m[1]] = append(cells[m[1]], cell{row, m[3], vs[0]})
			continue
		}
		if key, ok := strings.CutPrefix(k, "v."); ok && !strings.ContainsAny(key, "[]") {
			vals[key] = reports.Value{Text: vs[0]}
		}
	}
	for key, cs := range cells {
		sort.Slice(cs, func(i, j int) bool { return cs[i].row < cs[j].row })
		var rows []map[string]string
		last := -1
		for _, c := range cs {
			if c.row != last {
				rows = append(rows, map[string]string{})
				last = c.row
			}
			rows[len(rows)-1][c.col] = c.val
		}
		vals[key] = reports.Value{Rows: rows}
	}
	return vals
}

func wantsJSONReply(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

type draftReply struct {
	SavedAt     time.Time           `json:"saved_at"`
	SavedLabel  string              `json:"saved_label"`
	Errors      map[string]string   `json:"errors"`
	TableErrors map[string][]string `json:"table_errors"`
}

// reportDraft saves the draft as the person types (reports.js); without
// JavaScript it is the "Lưu nháp" button's target too.
func (s *Server) reportDraft(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	res, err := s.reports.SaveDraft(ctx, sub, s.actor(r), id, readValues(r))
	if err != nil {
		if wantsJSONReply(r) {
			s.reportFailedJSON(w, r, "report.draft_save", id, err)
			return
		}
		s.reportFailed(w, r, "report.draft_save", "report_submission", id, err)
		return
	}
	if !wantsJSONReply(r) {
		ok := "saved"
		if len(res.Errors) > 0 {
			ok = "has_errors"
		}
		http.Redirect(w, r, submissionURL(id, ok), http.StatusSeeOther)
		return
	}
	reply := draftReply{SavedAt: res.SavedAt, Errors: res.Errors, TableErrors: map[string][]string{},
		SavedLabel: "Đã lưu lúc " + res.SavedAt.In(vietnam).Format("15:04")}
	if len(res.Errors) > 0 {
		sm, err := s.reports.Get(ctx, sub, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, f := range sm.Fields {
			if f.Kind == reports.KindTable {
				if msgs := web.TableErrors(f, res.Errors); len(msgs) > 0 {
					reply.TableErrors[f.Key] = msgs
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, reply)
}

// reportFailedJSON answers the autosave script with problem details.
func (s *Server) reportFailedJSON(w http.ResponseWriter, r *http.Request, action string, id int64, err error) {
	if e, ok := apperr.As(err); ok && (e.Kind == apperr.KindNotFound || e.Kind == apperr.KindForbidden) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "report_submission",
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
		status := statusOf(e.Kind)
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: Title(status), Status: status, Detail: e.Message,
			Instance: r.URL.Path, RequestID: RequestID(r.Context()), Errors: e.Fields})
		return
	}
	s.serverError(w, r, err)
}

// reportSave is "Lưu nháp" without JavaScript: the page again with what is
// still wrong.
func (s *Server) reportSave(w http.ResponseWriter, r *http.Request) {
	s.reportDraft(w, r)
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	res, err := s.reports.Submit(r.Context(), subjectFrom(r.Context()), s.actor(r), id, readValues(r))
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.showSubmission(w, r, http.StatusUnprocessableEntity, id, e.Fields, e.Message, web.Form{}, web.Form{})
			return
		}
		s.reportFailed(w, r, "report.submit", "report_submission", id, err)
		return
	}
	done := "submitted"
	if res.Status == reports.StatusAwaitingApproval {
		done = "asked"
	}
	http.Redirect(w, r, submissionURL(id, done), http.StatusSeeOther)
}

func (s *Server) reportSendBack(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	comment := r.PostFormValue("comment")
	if err := s.reports.SendBack(r.Context(), subjectFrom(r.Context()), s.actor(r), id, comment); err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.showSubmission(w, r, http.StatusUnprocessableEntity, id, nil, "", web.Form{},
				web.Form{Values: map[string]string{"comment": comment}, Errors: e.Fields, Error: e.Message})
			return
		}
		s.reportFailed(w, r, "report.send_back", "report_submission", id, err)
		return
	}
	http.Redirect(w, r, submissionURL(id, "sent_back"), http.StatusSeeOther)
}

func (s *Server) reportDecide(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	comment := r.PostFormValue("comment")
	ctx := r.Context()
	sub := subjectFrom(ctx)
	var err error
	done := ""
	switch r.PostFormValue("decision") {
	case "accept":
		err, done = s.reports.Accept(ctx, sub, s.actor(r), id, comment), "accepted"
	case "return":
		err, done = s.reports.Return(ctx, sub, s.actor(r), id, comment), "returned"
	default:
		err = apperr.Invalid("Vui lòng chọn chấp nhận hoặc trả lại.", nil)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.showSubmission(w, r, http.StatusUnprocessableEntity, id, nil, "",
				web.Form{Values: map[string]string{"comment": comment}, Errors: e.Fields, Error: e.Message}, web.Form{})
			return
		}
		s.reportFailed(w, r, "report.decide", "report_submission", id, err)
		return
	}
	http.Redirect(w, r, submissionURL(id, done), http.StatusSeeOther)
}

// reportUpload attaches one file to an attachment field.
func (s *Server) reportUpload(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	ctx := r.Context()
	fail := func(err error) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = apperr.Invalid(fmt.Sprintf("Tệp vượt quá giới hạn %s.", humanBytes(tooBig.Limit)), nil)
		}
		if wantsJSONReply(r) {
			s.reportFailedJSON(w, r, "report.file_add", id, err)
			return
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			msgs := map[string]string{}
			for k, m := range e.Fields {
				msgs[k] = m
			}
			if field := r.FormValue("field"); field != "" && len(msgs) == 0 {
				msgs[field] = e.Message
			}
			s.showSubmission(w, r, http.StatusUnprocessableEntity, id, msgs, e.Message, web.Form{}, web.Form{})
			return
		}
		s.reportFailed(w, r, "report.file_add", "report_submission", id, err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		fail(apperr.Invalid("Hãy chọn tệp để tải lên.", nil))
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(apperr.Invalid("Dữ liệu gửi lên không hợp lệ.", nil))
		return
	}
	field := ""
	var up *documents.Upload
	defer func() {
		if up != nil {
			up.Close()
		}
	}()
	for n := 0; n < 10; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(err)
			return
		}
		switch part.FormName() {
		case "field":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			field = strings.TrimSpace(string(b))
		case "file":
			if part.FileName() == "" || up != nil {
				break
			}
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				part.Close()
				if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid && field != "" {
					err = apperr.Invalid(e.Message, map[string]string{field: e.Message})
				}
				fail(err)
				return
			}
			up = u
		}
		part.Close()
	}
	if up == nil {
		msg := "Vui lòng chọn tệp để tải lên."
		fail(apperr.Invalid(msg, map[string]string{field: msg}))
		return
	}
	ref, err := s.reports.AddFile(ctx, subjectFrom(ctx), s.actor(r), id, field, up)
	if err != nil {
		fail(err)
		return
	}
	if wantsJSONReply(r) {
		writeJSON(w, http.StatusCreated, ref)
		return
	}
	http.Redirect(w, r, submissionURL(id, "uploaded"), http.StatusSeeOther)
}

// reportRemoveFile takes a file off the draft; the form's typed values are
// saved first (the button sits in the report's form).
func (s *Server) reportRemoveFile(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	fileID, _ := strconv.ParseInt(chi.URLParam(r, "file_id"), 10, 64)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if vals := readValues(r); len(vals) > 0 {
		if _, err := s.reports.SaveDraft(ctx, sub, s.actor(r), id, vals); err != nil {
			s.reportFailed(w, r, "report.file_remove", "report_submission", id, err)
			return
		}
	}
	if err := s.reports.RemoveFile(ctx, sub, s.actor(r), id, fileID); err != nil {
		s.reportFailed(w, r, "report.file_remove", "report_submission", id, err)
		return
	}
	http.Redirect(w, r, submissionURL(id, "removed"), http.StatusSeeOther)
}

func (s *Server) reportFileDownload(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	fileID, _ := strconv.ParseInt(chi.URLParam(r, "file_id"), 10, 64)
	rc, f, err := s.reports.OpenFile(r.Context(), subjectFrom(r.Context()), id, fileID)
	if err != nil {
		s.reportFailed(w, r, "report.file_download", "report_submission", id, err)
		return
	}
	defer rc.Close()
	s.recordAudit(r, audit.Entry{Action: "report.file_download", Outcome: audit.OutcomeSuccess, ObjectType: "report_submission",
		ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"file_id": f.ID, "sha256": f.SHA256}})
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Checksum-Sha256", f.SHA256)
	h.Set("Content-Disposition", objectstore.ContentDisposition(f.Name, false))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "report file download interrupted", "err", err, "submission_id", id, "file_id", f.ID)
	}
}

// reportPDF prints a unit's report: the submitted values once sent, the
// draft before (marked so).
func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	sm, err := s.reports.Get(ctx, subjectFrom(ctx), id)
	if err != nil {
		s.reportFailed(w, r, "report.print", "report_submission", id, err)
		return
	}
	var parent string
	_ = s.db.QueryRow(ctx, `SELECT coalesce(p.name, '') FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = $1`, sm.UnitID).Scan(&parent)
	doc := printout.ReportDoc{UnitName: sm.UnitName, ParentName: parent, IssuerName: sm.IssuerName, Title: sm.TemplateName,
		PeriodLabel: sm.PeriodLabel, Date: vnDay(time.Now())}
	switch {
	case sm.SubmittedAt != nil:
		doc.Date = vnDay(*sm.SubmittedAt)
		doc.Status = fmt.Sprintf("%s, nộp lần %d", reports.StatusLabel(sm.Status), sm.Revision)
		if sm.SubmittedByName != nil {
			doc.SignerName = *sm.SubmittedByName
		}
	default:
		doc.Status = "Bản nháp, chưa gửi"
	}
	for _, f := range sm.Fields {
		v := sm.Data[f.Key]
		it := printout.ReportItem{Label: f.Label}
		switch f.Kind {
		case reports.KindNumber:
			it.Text, it.Unit = v.Text, f.Unit
			if n, msg := reports.ParseNumber(v.Text); msg == "" {
				it.Text = reports.FormatNumber(n)
			}
		case reports.KindText:
			it.Text = v.Text
		case reports.KindTable:
			it.Table = [][]string{}
			for _, c := range f.Columns {
				h := c.Label
				if c.Unit != "" {
					h += " (" + c.Unit + ")"
				}
				it.Head = append(it.Head, h)
			}
			for _, row := range v.Rows {
				var cells []string
				for _, c := range f.Columns {
					cell := row[c.Key]
					if c.Kind == reports.KindNumber {
						if n, msg := reports.ParseNumber(cell); msg == "" {
							cell = reports.FormatNumber(n)
						}
					}
					cells = append(cells, cell)
				}
				it.Table = append(it.Table, cells)
			}
		case reports.KindAttachment:
			it.Files = []string{}
			for _, fr := range v.Files {
				it.Files = append(it.Files, fr.Name)
			}
		}
		doc.Items = append(doc.Items, it)
	}
	var buf bytes.Buffer
	if err := printout.ReportPDF(&buf, doc); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "report.print", Outcome: audit.OutcomeSuccess, ObjectType: "report_submission", ObjectID: strconv.FormatInt(id, 10)})
	name := fmt.Sprintf("bao-cao-%s-%s-%s.pdf", slug(sm.UnitName), slug(sm.PeriodLabel), slug(sm.TemplateName))
	writeDownload(w, "application/pdf", name, true, buf.Bytes())
}

// vnDay is t's calendar day in Vietnam.
func vnDay(t time.Time) time.Time {
	y, m, d := t.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
