package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/org"
)

func (s *Server) apiRoutes(r chi.Router) {
	r.Get("/me", s.apiMe)
	r.Get("/units", s.apiUnits)
	r.Get("/units/{id}", s.apiUnit)
	r.Post("/units/merge", s.apiMerge)
	r.Post("/units/split", s.apiSplit)
	s.documentAPIRoutes(r)
	s.routingAPIRoutes(r)
	s.outgoingAPIRoutes(r)
	s.outgoingReviewAPIRoutes(r)
	s.exchangeAPIRoutes(r)
	s.scheduleAPIRoutes(r)
	s.taskAPIRoutes(r)
	s.reportAPIRoutes(r)
	s.notificationAPIRoutes(r)
	s.dashboardAPIRoutes(r)
}

// listResponse is the shape of every API list.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// decodeJSON reads a JSON body strictly: unknown fields and trailing data
// are errors with a Vietnamese explanation.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.Invalid("Nội dung gửi lên phải là JSON (Content-Type: application/json).", nil)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return err
		case errors.Is(err, io.EOF):
			return apperr.Invalid("Thiếu nội dung JSON.", nil)
		case errors.As(err, &syntax):
			return apperr.Invalid(fmt.Sprintf("JSON không hợp lệ ở vị trí %d.", syntax.Offset), nil)
		case errors.As(err, &typeErr):
			return apperr.Invalid(fmt.Sprintf("Trường %q có kiểu dữ liệu không đúng.", typeErr.Field),
				map[string]string{typeErr.Field: "Kiểu dữ liệu không đúng."})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return apperr.Invalid(fmt.Sprintf("Trường %q không được hỗ trợ.", field), map[string]string{field: "Trường không được hỗ trợ."})
		}
		return apperr.Invalid("JSON không hợp lệ.", nil)
	}
	if dec.More() {
		return apperr.Invalid("Chỉ gửi một đối tượng JSON.", nil)
	}
	return nil
}

// parseDate reads YYYY-MM-DD (API) or dd/mm/yyyy (forms).
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

type apiMembership struct {
	UnitID int64  `json:"unit_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Title  string `json:"title,omitempty"`
}

type apiMeResponse struct {
	ID        int64           `json:"id"`
	Login     string          `json:"login"`
	Name      string          `json:"name"`
	Clearance string          `json:"clearance"`
	Units     []apiMembership `json:"units"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	out := apiMeResponse{ID: a.user.ID, Login: a.user.Login, Name: a.user.FullName, Clearance: string(a.user.Clearance), Units: []apiMembership{}}
	for _, m := range a.subject.Memberships {
		out.Units = append(out.Units, apiMembership{UnitID: m.UnitID, Name: m.UnitName, Role: string(m.Role), Title: m.Title})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiUnitJSON is a unit as the API shows it.
type apiUnitJSON struct {
	ID           int64      `json:"id"`
	Code         *string    `json:"code"`
	Name         string     `json:"name"`
	Level        string     `json:"level"`
	Kind         string     `json:"kind"`
	Symbol       string     `json:"symbol"`
	ParentID     *int64     `json:"parent_id"`
	ValidFrom    string     `json:"valid_from"`
	ValidTo      *string    `json:"valid_to"`
	Predecessors []org.Link `json:"predecessors,omitempty"`
	Successors   []org.Link `json:"successors,omitempty"`
}

func unitJSON(u org.Unit) apiUnitJSON {
	out := apiUnitJSON{ID: u.ID, Code: u.Code, Name: u.Name, Level: string(u.Level), Kind: u.Kind, Symbol: u.Symbol,
		ParentID: u.ParentID, ValidFrom: u.ValidFrom.Format(time.DateOnly)}
	if u.ValidTo != nil {
		v := u.ValidTo.Format(time.DateOnly)
		out.ValidTo = &v
	}
	return out
}

func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := org.ListFilter{Level: org.Level(q.Get("level")), Q: q.Get("q"), Cursor: q.Get("cursor")}
	fields := apperr.Fields{}
	if v := q.Get("parent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fields.Add("parent_id", "parent_id phải là số nguyên.")
		}
		f.ParentID = id
	}
	if v := q.Get("valid_on"); v != "" {
		d, ok := parseDate(v)
		if !ok {
			fields.Add("valid_on", "valid_on phải có dạng YYYY-MM-DD.")
		}
		f.ValidOn = d
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fields.Add("limit", "limit phải từ 1 đến 500.")
		}
		f.Limit = n
	}
	if err := fields.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.units.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[apiUnitJSON]{Items: []apiUnitJSON{}, NextCursor: page.NextCursor}
	for _, u := range page.Items {
		out.Items = append(out.Items, unitJSON(u))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
		return
	}
	u, err := s.units.Get(r.Context(), s.db, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := unitJSON(u)
	if out.Predecessors, err = s.units.Predecessors(r.Context(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if out.Successors, err = s.units.Successors(r.Context(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if out.Predecessors == nil {
		out.Predecessors = []org.Link{}
	}
	if out.Successors == nil {
		out.Successors = []org.Link{}
	}
	s.recordAudit(r, audit.Entry{Action: "unit.view", Outcome: audit.OutcomeSuccess, ObjectType: "unit", ObjectID: strconv.FormatInt(id, 10)})
	writeJSON(w, http.StatusOK, out)
}

// mergeBody is the JSON of POST /api/v1/units/merge.
type mergeBody struct {
	Sources       []int64      `json:"sources"`
	TargetID      int64        `json:"target_id"`
	Target        *org.NewUnit `json:"target"`
	EffectiveDate string       `json:"effective_date"`
	LegalBasis    string       `json:"legal_basis"`
	DryRun        bool         `json:"dry_run"`
}

func (s *Server) apiMerge(w http.ResponseWriter, r *http.Request) {
	var b mergeBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := b.request()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	report, err := s.merge(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if !report.DryRun {
		status = http.StatusCreated
	}
	writeJSON(w, status, report)
}

func (b mergeBody) request() (org.MergeRequest, error) {
	req := org.MergeRequest{Sources: b.Sources, TargetID: b.TargetID, Target: b.Target, LegalBasis: b.LegalBasis, DryRun: b.DryRun}
	if b.TargetID != 0 && b.Target != nil {
		return req, apperr.Invalid("Chỉ chọn một trong hai: target_id (đơn vị có sẵn) hoặc target (đơn vị mới).", map[string]string{"target": "Chỉ chọn một trong target_id hoặc target."})
	}
	if b.EffectiveDate != "" {
		d, ok := parseDate(b.EffectiveDate)
		if !ok {
			return req, apperr.Invalid("Ngày có hiệu lực phải có dạng YYYY-MM-DD.", map[string]string{"effective_date": "Ngày không hợp lệ."})
		}
		req.EffectiveDate = d
	}
	return req, nil
}

// merge authorises and runs a merge for the API and the admin screens: a
// system administrator may merge anything; a unit administrator only units
// they manage, into a target (or new target's parent) they manage.
func (s *Server) merge(r *http.Request, req org.MergeRequest) (org.MoveReport, error) {
	sub := subjectFrom(r.Context())
	units := append([]int64{}, req.Sources...)
	if req.TargetID != 0 {
		units = append(units, req.TargetID)
	}
	if req.Target != nil && req.Target.ParentID != 0 {
		units = append(units, req.Target.ParentID)
	}
	if req.Target != nil && req.Target.ParentID == 0 && !sub.IsAdmin {
		units = append(units, 0) // only a system administrator creates top-level units
	}
	if !s.allowManage(r, "unit.merge", units) {
		return org.MoveReport{}, apperr.Forbidden("Bạn không có quyền sáp nhập các đơn vị này.")
	}
	return s.units.Merge(r.Context(), s.actor(r), req)
}

// splitBody is the JSON of POST /api/v1/units/split.
type splitBody struct {
	Source int64 `json:"source"`
	Parts  []struct {
		TargetID int64        `json:"target_id"`
		Target   *org.NewUnit `json:"target"`
		Members  []int64      `json:"members"`
		Children []int64      `json:"children"`
	} `json:"parts"`
	EffectiveDate string `json:"effective_date"`
	LegalBasis    string `json:"legal_basis"`
	DryRun        bool   `json:"dry_run"`
}

func (s *Server) apiSplit(w http.ResponseWriter, r *http.Request) {
	var b splitBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	req := org.SplitRequest{Source: b.Source, LegalBasis: b.LegalBasis, DryRun: b.DryRun}
	if b.EffectiveDate != "" {
		d, ok := parseDate(b.EffectiveDate)
		if !ok {
			s.writeError(w, r, apperr.Invalid("Ngày có hiệu lực phải có dạng YYYY-MM-DD.", map[string]string{"effective_date": "Ngày không hợp lệ."}))
			return
		}
		req.EffectiveDate = d
	}
	units := []int64{b.Source}
	for _, p := range b.Parts {
		req.Parts = append(req.Parts, org.SplitPart{TargetID: p.TargetID, Target: p.Target, Members: p.Members, Children: p.Children})
		if p.TargetID != 0 {
			units = append(units, p.TargetID)
		}
		if p.Target != nil {
			units = append(units, p.Target.ParentID)
		}
	}
	if !s.allowManage(r, "unit.split", units) {
		s.writeError(w, r, apperr.Forbidden("Bạn không có quyền chia tách đơn vị này."))
		return
	}
	report, err := s.units.Split(r.Context(), s.actor(r), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if !report.DryRun {
		status = http.StatusCreated
	}
	writeJSON(w, status, report)
}

// allowManage checks that the subject administers every unit listed,
// auditing a refusal.
func (s *Server) allowManage(r *http.Request, action string, units []int64) bool {
	sub := subjectFrom(r.Context())
	for _, u := range units {
		if !sub.CanManageUnit(u) {
			s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "unit", ObjectID: strconv.FormatInt(u, 10)})
			return false
		}
	}
	return true
}

// actor describes the requester for capabilities that audit in their own
// transactions.
func (s *Server) actor(r *http.Request) org.Actor {
	a := authFrom(r.Context())
	ci := clientInfo(r)
	return org.Actor{UserID: a.user.ID, Login: a.user.Login, UnitID: a.subject.ActingUnit, IP: ci.IP, UserAgent: ci.UserAgent, RequestID: RequestID(r.Context())}
}
