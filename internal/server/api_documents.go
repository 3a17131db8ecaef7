package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
)

func (s *Server) documentAPIRoutes(r chi.Router) {
	r.Post("/incoming", s.apiRegisterIncoming)
	r.Get("/incoming", s.apiListIncoming)
	r.Get("/documents/{id}", s.apiDocument)
	r.Get("/documents/{id}/files/{file_id}", s.apiDocumentFile)
	r.Get("/organisations", s.apiOrganisations)
	s.signatureAPIRoutes(r)
}

// incomingMetadata is the JSON "metadata" part of POST /api/v1/incoming;
// names follow Nghị định 30, Appendix VI, in snake_case.
type incomingMetadata struct {
	TypeName     string `json:"type_name"`
	CodeNumber   string `json:"code_number"`
	CodeNotation string `json:"code_notation"`
	IssuedDate   string `json:"issued_date"`
	OrganName    string `json:"organ_name"`
	OrganUnitID  int64  `json:"organ_unit_id"`
	Subject      string `json:"subject"`
	PageAmount   int    `json:"page_amount"`
	Signer       struct {
		Position string `json:"position"`
		FullName string `json:"full_name"`
	} `json:"signer"`
	Priority        string `json:"priority"`
	PriorityTime    string `json:"priority_time"`
	Confidentiality string `json:"confidentiality"`
	DueDate         string `json:"due_date"`
	Receivers       string `json:"receivers"`
	Notes           string `json:"notes"`
	RegisterID      int64  `json:"register_id"`
	UnitID          int64  `json:"unit_id"`
}

func (m incomingMetadata) input() (documents.IncomingInput, error) {
	in := documents.IncomingInput{
		UnitID: m.UnitID, RegisterID: m.RegisterID, TypeName: m.TypeName, CodeNumber: m.CodeNumber,
		CodeNotation: m.CodeNotation, OrganName: m.OrganName, OrganUnitID: m.OrganUnitID, Subject: m.Subject,
		PageAmount: m.PageAmount, SignerPosition: m.Signer.Position, SignerFullName: m.Signer.FullName,
		Priority: m.Priority, Confidentiality: identity.Clearance(m.Confidentiality), Receivers: m.Receivers, Notes: m.Notes,
	}
	f := apperr.Fields{}
	date := func(field, v string) *time.Time {
		if v == "" {
			return nil
		}
		d, ok := parseDate(v)
		if !ok {
			f.Add(field, "Ngày phải có dạng YYYY-MM-DD (hoặc dd/mm/yyyy).")
			return nil
		}
		return &d
	}
	in.IssuedDate = date("issued_date", m.IssuedDate)
	in.DueDate = date("due_date", m.DueDate)
	if m.PriorityTime != "" {
		t, err := time.Parse(time.RFC3339, m.PriorityTime)
		if err != nil {
			f.Add("priority_time", "Thời hạn hỏa tốc phải có dạng RFC 3339, ví dụ 2026-05-04T15:00:00+07:00.")
		} else {
			in.PriorityTime = &t
		}
	}
	return in, f.Err()
}

// readIncomingMultipart streams a multipart body: one "metadata" part
// (JSON) and any number of "file" parts, each spooled and checked by
// content. The caller closes the uploads.
func (s *Server) readIncomingMultipart(r *http.Request) (incomingMetadata, []*documents.Upload, error) {
	var meta incomingMetadata
	var uploads []*documents.Upload
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return meta, nil, apperr.Invalid("Nội dung gửi lên phải là multipart/form-data gồm phần metadata (JSON) và các phần file.", nil)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return meta, nil, apperr.Invalid("Dữ liệu multipart không hợp lệ.", nil)
	}
	gotMeta := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			documents.CloseAll(uploads)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return meta, nil, err
			}
			return meta, nil, apperr.Invalid("Dữ liệu multipart không hợp lệ hoặc bị cắt ngang.", nil)
		}
		switch part.FormName() {
		case "metadata":
			dec := json.NewDecoder(io.LimitReader(part, 1<<20))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&meta); err != nil {
				documents.CloseAll(uploads)
				return meta, nil, jsonError(err)
			}
			gotMeta = true
		case "file":
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				documents.CloseAll(uploads)
				return meta, nil, err
			}
			uploads = append(uploads, u)
		default:
			documents.CloseAll(uploads)
			return meta, nil, apperr.Invalid(fmt.Sprintf("Phần %q không được hỗ trợ; chỉ có metadata và file.", part.FormName()), nil)
		}
		part.Close()
	}
	if !gotMeta {
		documents.CloseAll(uploads)
		return meta, nil, apperr.Invalid("Thiếu phần metadata (JSON).", map[string]string{"metadata": "Thiếu phần metadata."})
	}
	return meta, uploads, nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return apperr.Invalid(fmt.Sprintf("Trường %q có kiểu dữ liệu không đúng.", typeErr.Field), map[string]string{typeErr.Field: "Kiểu dữ liệu không đúng."})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(fmt.Sprintf("Trường %q không được hỗ trợ.", field), map[string]string{field: "Trường không được hỗ trợ."})
	}
	return apperr.Invalid("Phần metadata không phải JSON hợp lệ.", map[string]string{"metadata": "JSON không hợp lệ."})
}

type apiFile struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	apiFileSignature
}

type apiRegistered struct {
	ID            int64                 `json:"id"`
	ArrivalNumber int                   `json:"arrival_number"`
	ArrivedAt     time.Time             `json:"arrived_at"`
	RegisterID    int64                 `json:"register_id"`
	Files         []apiFile             `json:"files"`
	Duplicates    []documents.Duplicate `json:"duplicates,omitempty"`
}

func (s *Server) apiRegisterIncoming(w http.ResponseWriter, r *http.Request) {
	meta, uploads, err := s.readIncomingMultipart(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer documents.CloseAll(uploads)
	in, err := meta.input()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// API clients cannot answer a question: register and report possible
	// duplicates in the response.
	reg, err := s.docs.RegisterIncoming(r.Context(), subjectFrom(r.Context()), s.actor(r), in, uploads, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := apiRegistered{ID: reg.Document.ID, ArrivalNumber: *reg.Document.ArrivalNumber, ArrivedAt: *reg.Document.ArrivedAt,
		RegisterID: *reg.Document.RegisterID, Files: []apiFile{}, Duplicates: reg.Duplicates}
	for _, f := range reg.Files {
		out.Files = append(out.Files, apiFile{ID: f.ID, Name: f.Name, Size: f.Size, SHA256: f.SHA256})
	}
	if err := s.addFileSignatures(r.Context(), reg.Document.ID, out.Files); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/documents/%d", reg.Document.ID))
	writeJSON(w, http.StatusCreated, out)
}

// filterFromQuery reads the list filters shared by the page and the API.
func filterFromQuery(q map[string][]string) (documents.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := documents.Filter{Q: get("q"), TypeName: get("type_name"), Organ: get("organ"), Priority: get("priority"),
		Confidentiality: get("confidentiality"), Status: get("status"), Sort: get("sort"), Cursor: get("cursor")}
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
	for k, dst := range map[string]*int64{"register_id": &f.RegisterID, "unit_id": &f.UnitID, "assignee": &f.AssigneeUserID} {
		if v := get(k); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				fields.Add(k, "Phải là số.")
			}
			*dst = n
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fields.Add("limit", "limit phải từ 1 đến 200.")
		}
		f.Limit = n
	}
	f.Overdue = get("overdue") == "true" || get("overdue") == "1"
	return f, fields.Err()
}

type apiListItem struct {
	ID              int64   `json:"id"`
	ArrivalNumber   *int    `json:"arrival_number"`
	ArrivedAt       *string `json:"arrived_at"`
	Subject         string  `json:"subject"`
	CodeNumber      string  `json:"code_number"`
	CodeNotation    string  `json:"code_notation"`
	Symbol          string  `json:"symbol"`
	OrganName       string  `json:"organ_name"`
	TypeName        string  `json:"type_name"`
	Status          string  `json:"status"`
	Priority        string  `json:"priority"`
	Confidentiality string  `json:"confidentiality"`
	DueDate         *string `json:"due_date"`
}

func (s *Server) apiListIncoming(w http.ResponseWriter, r *http.Request) {
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.docs.List(r.Context(), subjectFrom(r.Context()), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[apiListItem]{Items: []apiListItem{}, NextCursor: page.NextCursor}
	for _, it := range page.Items {
		item := apiListItem{ID: it.ID, ArrivalNumber: it.ArrivalNumber, Subject: it.Subject, Symbol: it.Symbol,
			CodeNumber: it.CodeNumber, CodeNotation: it.CodeNotation, OrganName: it.OrganName, TypeName: it.TypeName, Status: it.Status,
			Priority: it.Priority, Confidentiality: string(it.Confidentiality)}
		if it.ArrivedAt != nil {
			v := it.ArrivedAt.UTC().Format(time.RFC3339)
			item.ArrivedAt = &v
		}
		if it.DueDate != nil {
			v := it.DueDate.Format(time.DateOnly)
			item.DueDate = &v
		}
		out.Items = append(out.Items, item)
	}
	writeJSON(w, http.StatusOK, out)
}

type apiDocumentJSON struct {
	documents.Document
	Signer struct {
		Position string `json:"position"`
		FullName string `json:"full_name"`
	} `json:"signer"`
	Files []apiFile `json:"files"`
}

func (s *Server) documentID(w http.ResponseWriter, r *http.Request, param string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, param), 10, 64)
	if err != nil {
		s.writeError(w, r, documents.ErrNotFound)
		return 0, false
	}
	return id, true
}

// loadDocument returns a visible document or answers 404 (auditing the
// refusal: a missing and a forbidden document look the same to the user).
func (s *Server) loadDocument(w http.ResponseWriter, r *http.Request, id int64) (documents.Document, bool) {
	d, err := s.docs.Get(r.Context(), subjectFrom(r.Context()), id)
	if errors.Is(err, documents.ErrNotFound) {
		s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
	}
	if err != nil {
		s.writeError(w, r, err)
		return d, false
	}
	return d, true
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	d, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	files, err := s.docs.Files(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := apiDocumentJSON{Document: d, Files: []apiFile{}}
	out.Signer.Position, out.Signer.FullName = d.SignerPosition, d.SignerFullName
	for _, f := range files {
		out.Files = append(out.Files, apiFile{ID: f.ID, Name: f.Name, Size: f.Size, SHA256: f.SHA256})
	}
	if err := s.addFileSignatures(r.Context(), id, out.Files); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
	_ = s.docs.RecordView(r.Context(), id, subjectFrom(r.Context()).UserID)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiDocumentFile(w http.ResponseWriter, r *http.Request) {
	s.serveDocumentFile(w, r, false)
}

// serveDocumentFile streams a document's file with its SHA-256 in
// X-Checksum-Sha256, inline (for viewing in the browser) or as a download.
func (s *Server) serveDocumentFile(w http.ResponseWriter, r *http.Request, inline bool) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	fileID, err := strconv.ParseInt(chi.URLParam(r, "file_id"), 10, 64)
	if err != nil {
		s.writeError(w, r, apperr.NotFound("Không tìm thấy tệp."))
		return
	}
	sub := subjectFrom(r.Context())
	rc, f, err := s.docs.OpenFile(r.Context(), sub, id, fileID)
	if err != nil {
		if errors.Is(err, documents.ErrNotFound) {
			s.recordAudit(r, audit.Entry{Action: "document.download", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
		}
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	action := "document.download"
	if inline {
		action = "document.file_view"
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10),
		Details: map[string]any{"file_id": f.ID, "sha256": f.SHA256}})
	// The timeline lists downloads; inline views (the page's own viewer)
	// are in the audit log only, or every page view would add an entry.
	if !inline {
		_ = s.docs.RecordDownload(r.Context(), id, sub.UserID, f)
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Checksum-Sha256", f.SHA256)
	h.Set("Content-Disposition", objectstore.ContentDisposition(f.Name, inline))
	// A file is shown in our own frame only, never as a page of its own
	// that could run script.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "file download interrupted", "err", err, "document_id", id, "file_id", f.ID)
	}
}

type apiOrganisation struct {
	Name   string `json:"name"`
	UnitID *int64 `json:"unit_id"`
}

// apiOrganisations suggests issuers: units on the platform, then outside
// organisations seen before.
func (s *Server) apiOrganisations(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	out := listResponse[apiOrganisation]{Items: []apiOrganisation{}}
	if q == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	rows, err := s.db.Query(r.Context(), `
		(SELECT name, id FROM units WHERE valid_to IS NULL AND search LIKE '%' || vn_fold($1) || '%' ORDER BY name LIMIT 8)
		UNION ALL
		(SELECT name, NULL FROM organisations WHERE search LIKE '%' || vn_fold($1) || '%' ORDER BY name LIMIT 8)`, q)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var o apiOrganisation
		if err := rows.Scan(&o.Name, &o.UnitID); err != nil {
			s.serverError(w, r, err)
			return
		}
		out.Items = append(out.Items, o)
	}
	if err := rows.Err(); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
