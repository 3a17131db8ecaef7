package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/reports"
)

func (s *Server) reportAPIRoutes(r chi.Router) {
	r.Get("/reports/templates", s.apiReportTemplates)
	r.Post("/reports/templates", s.apiReportTemplateCreate)
	r.Get("/reports/templates/{id}", s.apiReportTemplate)
	r.Get("/reports/templates/{id}/periods", s.apiReportPeriods)
	r.Get("/reports/periods/{id}/submissions", s.apiReportRows)
	r.Get("/reports/periods/{id}/aggregate", s.apiReportAggregate)
	r.Post("/reports/periods/{id}/remind", s.apiReportRemind)
	r.Get("/reports/submissions", s.apiReportToDo)
	r.Get("/reports/submissions/{id}", s.apiReportSubmission)
	r.Post("/reports/submissions/{id}/draft", s.apiReportDraft)
	r.Post("/reports/submissions/{id}/submit", s.apiReportSubmit)
	r.Post("/reports/submissions/{id}/return", s.apiReportDecide(false))
	r.Post("/reports/submissions/{id}/accept", s.apiReportDecide(true))
}

func limitParam(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	return n
}

func (s *Server) apiReportTemplates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := s.reports.ListTemplates(r.Context(), subjectFrom(r.Context()),
		reports.TemplateFilter{Q: q.Get("q"), Cursor: q.Get("cursor"), Limit: limitParam(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[reports.TemplateItem]{Items: page.Items, NextCursor: page.NextCursor})
}

// apiTemplateBody is a template as API clients send it (dates as
// YYYY-MM-DD).
type apiTemplateBody struct {
	IssuerUnitID    int64           `json:"issuer_unit_id"`
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	PeriodKind      string          `json:"period_kind"`
	DueRule         string          `json:"due_rule"`
	DueN            int             `json:"due_n"`
	RecipientsKind  string          `json:"recipients_kind"`
	RecipientsLevel string          `json:"recipients_level"`
	RecipientUnits  []int64         `json:"recipient_units"`
	StartsOn        string          `json:"starts_on"`
	Fields          []reports.Field `json:"fields"`
}

func (s *Server) apiReportTemplateCreate(w http.ResponseWriter, r *http.Request) {
	var b apiTemplateBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := reports.TemplateInput{IssuerUnitID: b.IssuerUnitID, Name: b.Name, Description: b.Description, PeriodKind: b.PeriodKind,
		DueRule: b.DueRule, DueN: b.DueN, RecipientsKind: b.RecipientsKind, RecipientsLevel: b.RecipientsLevel,
		RecipientUnits: b.RecipientUnits, Fields: b.Fields}
	if b.StartsOn != "" {
		d, err := time.Parse(time.DateOnly, b.StartsOn)
		if err != nil {
			s.writeError(w, r, apperr.Invalid("Ngày bắt đầu phải có dạng YYYY-MM-DD.", map[string]string{"starts_on": "Ngày phải có dạng YYYY-MM-DD."}))
			return
		}
		in.StartsOn = d
	}
	t, err := s.reports.CreateTemplate(r.Context(), subjectFrom(r.Context()), s.actor(r), in)
	if err != nil {
		s.reportFailed(w, r, "report_template.create", "report_template", 0, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) apiReportTemplate(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	t, err := s.reports.GetTemplate(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.reportFailed(w, r, "report_template.view", "report_template", id, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiReportPeriods(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	ps, err := s.reports.Periods(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.reportFailed(w, r, "report_template.view", "report_template", id, err)
		return
	}
	if ps == nil {
		ps = []reports.Period{}
	}
	writeJSON(w, http.StatusOK, listResponse[reports.Period]{Items: ps})
}

func (s *Server) apiReportRows(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	q := r.URL.Query()
	page, err := s.reports.Rows(r.Context(), subjectFrom(r.Context()), id,
		reports.RowFilter{State: q.Get("state"), Q: q.Get("q"), Cursor: q.Get("cursor"), Limit: limitParam(r)})
	if err != nil {
		s.reportFailed(w, r, "report_period.view", "report_period", id, err)
		return
	}
	type row struct {
		reports.Row
		Late    bool `json:"late"`
		Overdue bool `json:"overdue"`
	}
	out := listResponse[row]{Items: []row{}, NextCursor: page.NextCursor}
	day := today()
	for _, it := range page.Items {
		out.Items = append(out.Items, row{Row: it, Late: it.Late(), Overdue: it.Overdue(day)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiReportAggregate(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	ag, err := s.reports.AggregatePeriod(r.Context(), subjectFrom(r.Context()), id, aggregateOptions(r.URL.Query()))
	if err != nil {
		s.reportFailed(w, r, "report_period.view", "report_period", id, err)
		return
	}
	if ag.Fields == nil {
		ag.Fields = []reports.FieldTotal{}
	}
	if ag.Units == nil {
		ag.Units = []reports.UnitFigures{}
	}
	writeJSON(w, http.StatusOK, ag)
}

func (s *Server) apiReportRemind(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	var b struct {
		SubmissionIDs []int64 `json:"submission_ids"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	res, err := s.reports.Remind(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.SubmissionIDs)
	if err != nil {
		s.reportFailed(w, r, "report.remind", "report_period", id, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiReportToDo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	box := q.Get("box")
	if box != "" && box != reports.BoxOpen && box != reports.BoxSent {
		s.writeError(w, r, apperr.Invalid("Hộp phải là open hoặc sent.", map[string]string{"box": "Hộp phải là open hoặc sent."}))
		return
	}
	page, err := s.reports.ToDo(r.Context(), subjectFrom(r.Context()), reports.ItemFilter{Box: box, Q: q.Get("q"), Cursor: q.Get("cursor"), Limit: limitParam(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[reports.Item]{Items: page.Items, NextCursor: page.NextCursor})
}

// apiSubmission is a submission with what the caller may do now.
type apiSubmission struct {
	reports.Submission
	Late    bool            `json:"late"`
	Actions map[string]bool `json:"actions"`
}

func (s *Server) writeSubmission(w http.ResponseWriter, r *http.Request, id int64, status int) {
	sm, err := s.reports.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.reportFailed(w, r, "report.view", "report_submission", id, err)
		return
	}
	if sm.Fields == nil {
		sm.Fields = []reports.Field{}
	}
	c := sm.Can
	writeJSON(w, status, apiSubmission{Submission: sm, Late: sm.Late(), Actions: map[string]bool{
		"edit": c.Edit, "submit": c.Send, "send_for_approval": c.AskApproval, "send_back": c.SendBack,
		"accept": c.Decide, "return": c.Decide, "remind": c.Remind}})
}

func (s *Server) apiReportSubmission(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	s.writeSubmission(w, r, id, http.StatusOK)
}

// apiValue is one field's value as API clients send it: "text" (numbers in
// Vietnamese notation, e.g. "1.250,5"), "number" (a JSON number), or
// "rows" for tables. Attachments go through the pages' upload.
type apiValue struct {
	Text   *string             `json:"text"`
	Number *json.Number        `json:"number"`
	Rows   []map[string]string `json:"rows"`
}

type apiValuesBody struct {
	Values map[string]apiValue `json:"values"`
}

var plainDecimal = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`)

// values turns the body into the service's values; a JSON number is
// rewritten in the notation people type.
func (b apiValuesBody) values() (reports.Values, error) {
	if b.Values == nil {
		return nil, nil
	}
	out := reports.Values{}
	f := apperr.Fields{}
	for k, v := range b.Values {
		switch {
		case v.Number != nil:
			n := v.Number.String()
			if !plainDecimal.MatchString(n) {
				f.Add(k, "Số phải viết dạng thập phân thường, ví dụ 1250.5 (tối đa 15 chữ số phần nguyên, 6 chữ số thập phân).")
				continue
			}
			out[k] = reports.Value{Text: reports.FormatNumber(n)}
		case v.Text != nil:
			out[k] = reports.Value{Text: *v.Text}
		default:
			out[k] = reports.Value{Rows: v.Rows}
		}
	}
	return out, f.Err()
}

func (s *Server) apiReportDraft(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	var b apiValuesBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals, err := b.values()
	if err == nil {
		err = unknownKeys(r, s, id, vals)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.reports.SaveDraft(r.Context(), subjectFrom(r.Context()), s.actor(r), id, vals)
	if err != nil {
		s.reportFailed(w, r, "report.draft_save", "report_submission", id, err)
		return
	}
	if res.Errors == nil {
		res.Errors = map[string]string{}
	}
	writeJSON(w, http.StatusOK, res)
}

// unknownKeys refuses values for fields the submission's version lacks
// (the pages simply never send them).
func unknownKeys(r *http.Request, s *Server, id int64, vals reports.Values) error {
	if len(vals) == 0 {
		return nil
	}
	sm, err := s.reports.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, f := range sm.Fields {
		known[f.Key] = f.Kind != reports.KindAttachment
	}
	fe := apperr.Fields{}
	for k := range vals {
		if !known[k] {
			fe.Add(k, "Báo cáo không có trường này (hoặc là trường tệp đính kèm, tải lên riêng).")
		}
	}
	return fe.Err()
}

func (s *Server) apiReportSubmit(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	var b apiValuesBody
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	vals, err := b.values()
	if err == nil {
		err = unknownKeys(r, s, id, vals)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.reports.Submit(r.Context(), subjectFrom(r.Context()), s.actor(r), id, vals)
	if err != nil {
		s.reportFailed(w, r, "report.submit", "report_submission", id, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiReportDecide(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := pathID(r)
		var b struct {
			Comment string `json:"comment"`
		}
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &b); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		var err error
		action := "report.return"
		if accept {
			action = "report.accept"
			err = s.reports.Accept(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Comment)
		} else {
			err = s.reports.Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, strings.TrimSpace(b.Comment))
		}
		if err != nil {
			s.reportFailed(w, r, action, "report_submission", id, err)
			return
		}
		s.writeSubmission(w, r, id, http.StatusOK)
	}
}
