package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
)

// outgoingReviewAPIRoutes: the list, editing, versions, the approval
// circuit (submit, review, format check, withdraw), tracking and links.
// Approving stays POST /outgoing/{id}/approve (api_outgoing.go): for a
// draft under review only its signer, at the signing stage, with the
// signed PDF as the last version; a draft never submitted keeps the
// direct approval by any leader of the unit.
func (s *Server) outgoingReviewAPIRoutes(r chi.Router) {
	r.Get("/outgoing", s.apiListOutgoing)
	r.Put("/outgoing/{id}", s.apiUpdateOutgoing)
	r.Get("/outgoing/{id}/versions", s.apiOutgoingVersions)
	r.Post("/outgoing/{id}/versions", s.apiUploadOutgoingVersion)
	r.Get("/outgoing/{id}/rounds", s.apiOutgoingRounds)
	r.Post("/outgoing/{id}/submit", s.apiSubmitOutgoing)
	r.Post("/outgoing/{id}/review", s.apiReviewOutgoing)
	r.Post("/outgoing/{id}/format-check", s.apiFormatCheckOutgoing)
	r.Post("/outgoing/{id}/withdraw", s.apiWithdrawOutgoing)
	r.Get("/outgoing/{id}/tracking", s.apiOutgoingTracking)
	r.Get("/outgoing/{id}/links", s.apiOutgoingLinks)
}

// outgoingUploadPath matches the routes that take version files, which get
// the upload body limit (limitBody).
var outgoingUploadPath = regexp.MustCompile(`^(/api/v1)?/outgoing(/[0-9]+/versions)?$`)

func outgoingUpload(path string) bool { return outgoingUploadPath.MatchString(path) }

type apiOutgoingItem struct {
	ID              int64   `json:"id"`
	Status          string  `json:"status"`
	Stage           *string `json:"stage"`
	StateLabel      string  `json:"state_label"`
	TypeName        string  `json:"type_name"`
	Symbol          string  `json:"symbol"`
	IssuedDate      *string `json:"issued_date"`
	Subject         string  `json:"subject"`
	Priority        string  `json:"priority"`
	Confidentiality string  `json:"confidentiality"`
	Receivers       string  `json:"receivers"`
	UnitName        string  `json:"unit_name"`
	CreatedAt       string  `json:"created_at"`
	Drafter         *string `json:"drafter"`
}

// outgoingFilterFromQuery reads the list's parameters (API and page).
func outgoingFilterFromQuery(q map[string][]string) (outgoing.ListFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := outgoing.ListFilter{Box: get("tab"), Q: get("q"), TypeName: get("type_name"), Priority: get("priority"),
		Confidentiality: get("confidentiality"), Sort: get("sort"), Cursor: get("cursor")}
	fields := apperr.Fields{}
	for _, k := range []string{"from", "to"} {
		if v := get(k); v != "" {
			d, ok := parseDate(v)
			if !ok {
				fields.Add(k, "Ngày phải có dạng dd/mm/yyyy.")
				continue
			}
			if k == "from" {
				f.From = &d
			} else {
				f.To = &d
			}
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fields.Add("limit", "Số dòng mỗi trang từ 1 đến 200.")
		}
		f.Limit = n
	}
	return f, fields.Err()
}

func (s *Server) apiListOutgoing(w http.ResponseWriter, r *http.Request) {
	f, err := outgoingFilterFromQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.outgoing.List(r.Context(), subjectFrom(r.Context()), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[apiOutgoingItem]{Items: []apiOutgoingItem{}, NextCursor: page.NextCursor}
	for _, it := range page.Items {
		out.Items = append(out.Items, apiOutgoingItem{ID: it.ID, Status: it.State, Stage: it.Stage, StateLabel: it.Label(),
			TypeName: it.TypeName, Symbol: it.Symbol, IssuedDate: dateString(it.IssuedDate), Subject: it.Subject,
			Priority: it.Priority, Confidentiality: string(it.Confidentiality), Receivers: it.Receivers, UnitName: it.UnitName,
			CreatedAt: it.CreatedAt.UTC().Format(time.RFC3339), Drafter: it.CreatedByName})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiUpdateOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	var meta outgoingMetadata
	if err := decodeJSON(r, &meta); err != nil {
		s.writeError(w, r, err)
		return
	}
	if meta.Link != nil || meta.UnitID != 0 {
		s.writeError(w, r, apperr.Invalid("Không đổi được đơn vị ban hành hay văn bản gốc của một dự thảo.", nil))
		return
	}
	in := outgoing.DraftInput{TypeName: meta.TypeName, Subject: meta.Subject, Confidentiality: identity.Clearance(meta.Confidentiality),
		Priority: meta.Priority, SignerPosition: meta.Signer.Position, SignerFullName: meta.Signer.FullName,
		Recipients: meta.Recipients, SignerUserID: meta.SignerID}
	if _, err := s.outgoing.UpdateDraft(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.outgoing.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outgoingJSON(d))
}

func (s *Server) apiOutgoingVersions(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	vs, err := s.outgoing.Versions(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[outgoing.Version]{Items: vs})
}

// readVersionMultipart reads "file" parts and an optional "note".
func (s *Server) readVersionMultipart(r *http.Request, fileField string) ([]*documents.Upload, string, error) {
	var uploads []*documents.Upload
	fail := func(err error) ([]*documents.Upload, string, error) {
		documents.CloseAll(uploads)
		return nil, "", err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return fail(apperr.Invalid("Nội dung gửi lên phải là multipart/form-data gồm các phần file (và note nếu có).", nil))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(apperr.Invalid("Dữ liệu multipart không hợp lệ.", nil))
	}
	note := ""
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return fail(err)
			}
			return fail(apperr.Invalid("Dữ liệu multipart không hợp lệ hoặc bị cắt ngang.", nil))
		}
		if n >= maxFormParts {
			part.Close()
			return fail(apperr.Invalid("Biểu mẫu có quá nhiều phần.", nil))
		}
		switch part.FormName() {
		case fileField:
			if part.FileName() == "" {
				part.Close()
				continue
			}
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				part.Close()
				return fail(err)
			}
			uploads = append(uploads, u)
		case "note":
			b, err := io.ReadAll(io.LimitReader(part, maxFormFieldBytes))
			if err != nil {
				part.Close()
				return fail(apperr.Invalid("Dữ liệu gửi lên bị cắt ngang; vui lòng gửi lại.", nil))
			}
			note = strings.ToValidUTF8(string(b), "")
		}
		part.Close()
	}
	return uploads, note, nil
}

func (s *Server) apiUploadOutgoingVersion(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	uploads, note, err := s.readVersionMultipart(r, "file")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer documents.CloseAll(uploads)
	v, err := s.outgoing.UploadVersion(r.Context(), subjectFrom(r.Context()), s.actor(r), id, uploads, note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/outgoing/%d/versions", id))
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) apiOutgoingRounds(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	rs, err := s.outgoing.Rounds(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[outgoing.Round]{Items: rs})
}

func (s *Server) apiSubmitOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	var in outgoing.SubmitInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := s.outgoing.Submit(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, round)
}

// decisionBody is a reviewer's or the format checker's decision: approve
// (with an optional note) or return (the note is the reason, required).
type decisionBody struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

func (b decisionBody) approve() (bool, error) {
	switch b.Decision {
	case "approve":
		return true, nil
	case "return":
		return false, nil
	}
	return false, apperr.Invalid("Quyết định phải là approve (đồng ý) hoặc return (trả lại).",
		map[string]string{"decision": "Chọn approve hoặc return."})
}

func (s *Server) apiReviewOutgoing(w http.ResponseWriter, r *http.Request) {
	s.apiDecide(w, r, s.outgoing.Review)
}

func (s *Server) apiFormatCheckOutgoing(w http.ResponseWriter, r *http.Request) {
	s.apiDecide(w, r, s.outgoing.FormatCheck)
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request, run func(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, approve bool, note string) (outgoing.Round, error)) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	var b decisionBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	approve, err := b.approve()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := run(r.Context(), subjectFrom(r.Context()), s.actor(r), id, approve, b.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, round)
}

func (s *Server) apiWithdrawOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	round, err := s.outgoing.Withdraw(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, round)
}

type apiTracked struct {
	outgoing.Tracked
	Label string `json:"label"`
}

func (s *Server) apiOutgoingTracking(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	ts, err := s.outgoing.Tracking(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[apiTracked]{Items: []apiTracked{}}
	for _, t := range ts {
		out.Items = append(out.Items, apiTracked{Tracked: t, Label: t.Label()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiOutgoingLinks(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	ls, err := s.outgoing.LinksOf(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ls)
}
