package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
)

func (s *Server) outgoingAPIRoutes(r chi.Router) {
	r.Post("/outgoing", s.apiCreateOutgoing)
	r.Get("/outgoing/{id}", s.apiOutgoing)
	r.Post("/outgoing/{id}/approve", s.apiApproveOutgoing)
	r.Post("/outgoing/{id}/return", s.apiReturnOutgoing)
	r.Post("/outgoing/{id}/issue", s.apiIssueOutgoing)
	r.Get("/outgoing/{id}/recipients", s.apiOutgoingRecipients)
	r.Post("/outgoing/{id}/recall", s.apiRecallOutgoing)
	r.Post("/incoming/{id}/register", s.apiRegisterDelivered)
	r.Post("/incoming/{id}/reject", s.apiRejectDelivered)
}

// outgoingMetadata is the JSON "metadata" part of POST /api/v1/outgoing.
type outgoingMetadata struct {
	TypeName        string `json:"type_name"`
	Subject         string `json:"subject"`
	Confidentiality string `json:"confidentiality"`
	Priority        string `json:"priority"`
	Signer          struct {
		Position string `json:"position"`
		FullName string `json:"full_name"`
	} `json:"signer"`
	Recipients []outgoing.Recipient `json:"recipients"`
	UnitID     int64                `json:"unit_id"`
	SignerID   int64                `json:"signer_id"` // the leader who signs (api_outgoing_review.go)
	Link       *outgoing.LinkInput  `json:"link"`      // replaces or corrects an issued document
}

// readOutgoingMultipart streams a multipart body: one "metadata" part and
// "file" parts, spooled and checked by content. The caller closes uploads.
func (s *Server) readOutgoingMultipart(r *http.Request) (outgoingMetadata, []*documents.Upload, error) {
	var meta outgoingMetadata
	var uploads []*documents.Upload
	fail := func(err error) (outgoingMetadata, []*documents.Upload, error) {
		documents.CloseAll(uploads)
		return meta, nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return fail(apperr.Invalid("Nội dung gửi lên phải là multipart/form-data gồm phần metadata (JSON) và các phần file.", nil))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(apperr.Invalid("Dữ liệu multipart không hợp lệ.", nil))
	}
	gotMeta := false
	for {
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
		switch part.FormName() {
		case "metadata":
			dec := json.NewDecoder(io.LimitReader(part, 1<<20))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&meta); err != nil {
				return fail(jsonError(err))
			}
			gotMeta = true
		case "file":
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				return fail(err)
			}
			uploads = append(uploads, u)
		default:
			return fail(apperr.Invalid(fmt.Sprintf("Phần %q không được hỗ trợ; chỉ có metadata và file.", part.FormName()), nil))
		}
		part.Close()
	}
	if !gotMeta {
		return fail(apperr.Invalid("Thiếu phần metadata (JSON).", map[string]string{"metadata": "Thiếu phần metadata."}))
	}
	return meta, uploads, nil
}

// apiOutgoingJSON is an outgoing document as the API shows it.
type apiOutgoingJSON struct {
	ID              int64             `json:"id"`
	UnitID          int64             `json:"unit_id"`
	Status          string            `json:"status"`
	TypeName        string            `json:"type_name"`
	Subject         string            `json:"subject"`
	Confidentiality string            `json:"confidentiality"`
	Number          *int              `json:"number"`
	Symbol          string            `json:"symbol"`
	IssuedDate      *string           `json:"issued_date"`
	RegisterID      *int64            `json:"register_id"`
	Files           []apiOutgoingFile `json:"files"`
	AgencySigned    *bool             `json:"agency_signed,omitempty"` // once issued: the issued copy carries the agency's signature
}

func outgoingJSON(d outgoing.Draft) apiOutgoingJSON {
	out := apiOutgoingJSON{ID: d.ID, UnitID: d.UnitID, Status: d.State, TypeName: d.TypeName, Subject: d.Subject,
		Confidentiality: string(d.Confidentiality), Number: d.Number, Symbol: d.Symbol, RegisterID: d.RegisterID, Files: []apiOutgoingFile{}}
	if d.IssuedDate != nil {
		v := d.IssuedDate.Format(time.DateOnly)
		out.IssuedDate = &v
	}
	for _, f := range d.Files {
		out.Files = append(out.Files, apiOutgoingFile{File: f, apiFileSignature: apiFileSignature{Role: "original"}})
	}
	return out
}

func (s *Server) apiCreateOutgoing(w http.ResponseWriter, r *http.Request) {
	meta, uploads, err := s.readOutgoingMultipart(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer documents.CloseAll(uploads)
	in := outgoing.DraftInput{UnitID: meta.UnitID, TypeName: meta.TypeName, Subject: meta.Subject,
		Confidentiality: identity.Clearance(meta.Confidentiality), Priority: meta.Priority,
		SignerPosition: meta.Signer.Position, SignerFullName: meta.Signer.FullName, Recipients: meta.Recipients,
		SignerUserID: meta.SignerID, Link: meta.Link}
	d, err := s.outgoing.CreateDraft(r.Context(), subjectFrom(r.Context()), s.actor(r), in, uploads)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := outgoingJSON(d)
	if err := s.addOutgoingSignatures(r.Context(), &out); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/outgoing/%d", d.ID))
	writeJSON(w, http.StatusCreated, out)
}

// outgoingID reads {id}; a malformed id is a missing document.
func (s *Server) outgoingID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, outgoing.ErrNotOutgoing)
		return 0, false
	}
	return id, true
}

// reasonBody is {"reason": …}; the body may be empty when the reason is
// optional.
type reasonBody struct {
	Reason string `json:"reason"`
}

func readOptionalJSON(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(r, v)
}

func (s *Server) apiOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	d, err := s.outgoing.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := outgoingJSON(d)
	if err := s.addOutgoingSignatures(r.Context(), &out); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiApproveOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	d, err := s.outgoing.Approve(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outgoingJSON(d))
}

func (s *Server) apiReturnOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	var b reasonBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.outgoing.Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outgoingJSON(d))
}

// apiIssued is the answer to an issue: the number, symbol and date, and
// the recipients with their copies.
type apiIssued struct {
	apiOutgoingJSON
	Recipients []outgoing.RecipientStatus `json:"recipients"`
}

func (s *Server) apiIssueOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	iss, err := s.outgoing.Issue(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := apiIssued{apiOutgoingJSON: outgoingJSON(iss.Draft), Recipients: iss.Delivered}
	if err := s.addOutgoingSignatures(r.Context(), &out.apiOutgoingJSON); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiOutgoingRecipients(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	rs, err := s.outgoing.Recipients(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[outgoing.RecipientStatus]{Items: rs})
}

func (s *Server) apiRecallOutgoing(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingID(w, r)
	if !ok {
		return
	}
	var b reasonBody
	if err := readOptionalJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.outgoing.Recall(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, outgoingJSON(d))
}

func (s *Server) incomingID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, documents.ErrNotFound)
		return 0, false
	}
	return id, true
}

func (s *Server) apiRegisterDelivered(w http.ResponseWriter, r *http.Request) {
	id, ok := s.incomingID(w, r)
	if !ok {
		return
	}
	var b struct {
		RegisterID int64 `json:"register_id"`
	}
	if err := readOptionalJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	got, err := s.outgoing.RegisterDelivered(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.RegisterID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, got)
}

func (s *Server) apiRejectDelivered(w http.ResponseWriter, r *http.Request) {
	id, ok := s.incomingID(w, r)
	if !ok {
		return
	}
	var b reasonBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	got, err := s.outgoing.RejectDelivered(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, got)
}
