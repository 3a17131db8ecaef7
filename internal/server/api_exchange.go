package server

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/edxml"
	"vanthu/internal/exchange"
	"vanthu/internal/platform/objectstore"
)

// exchangeAPIRoutes serve edXML exchange with outside organisations.
func (s *Server) exchangeAPIRoutes(r chi.Router) {
	r.Get("/documents/{id}/edxml", s.exportEDXML)
	r.Get("/documents/{id}/edxml/status", s.apiEDXMLStatus)
	r.Post("/exchange/edxml", s.apiImportEDXML)
	r.Post("/exchange/status", s.apiReceiveStatus)
	r.Get("/exchange/messages", s.apiExchangeMessages)
	r.Get("/exchange/organs/{unit_id}", s.apiExchangeOrgan)
	r.Post("/exchange/organs/{unit_id}", s.apiSetExchangeOrgan)
}

// exchangePageRoutes are the signed-in pages' links: the edXML download
// of a document (a button on the outgoing and document pages) and the
// outgoing register printouts.
func (s *Server) exchangePageRoutes(r chi.Router) {
	r.Get("/documents/{id:[0-9]+}/edxml", s.exportEDXML)
	s.outgoingPrintoutRoutes(r)
}

// exportEDXML streams a document's edXML envelope as a download; the
// attachments are read from the object store while it is written.
func (s *Server) exportEDXML(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	env, err := s.exchange.Export(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		if errors.Is(err, documents.ErrNotFound) {
			s.recordAudit(r, audit.Entry{Action: "exchange.export", Outcome: audit.OutcomeDenied, ObjectType: "document",
				ObjectID: strconv.FormatInt(id, 10)})
		}
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Disposition", objectstore.ContentDisposition(env.FileName, false))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	if err := edxml.Build(w, env.Message); err != nil {
		// The status is sent: cut the connection so the client sees a
		// broken download, never a complete-looking truncated envelope.
		s.log.ErrorContext(r.Context(), "edxml export interrupted", "err", err, "document_id", id, "request_id", RequestID(r.Context()))
		panic(http.ErrAbortHandler)
	}
}

// requireXMLBody refuses bodies that are plainly not an edXML file.
func requireXMLBody(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "", ct == "application/xml", ct == "text/xml", ct == "application/octet-stream", strings.HasSuffix(ct, "+xml"):
		return nil
	}
	return apperr.Invalid("Gửi tệp edXML nguyên bản trong thân yêu cầu (Content-Type: application/xml).",
		map[string]string{"body": "Nội dung phải là tệp edXML."})
}

func (s *Server) apiImportEDXML(w http.ResponseWriter, r *http.Request) {
	if err := requireXMLBody(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var unitID int64
	if v := strings.TrimSpace(r.URL.Query().Get("unit_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.writeError(w, r, apperr.Invalid("Mã đơn vị (unit_id) phải là số.", map[string]string{"unit_id": "Phải là số."}))
			return
		}
		unitID = n
	}
	got, err := s.exchange.Import(r.Context(), subjectFrom(r.Context()), s.actor(r), unitID, r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if got.Action == "created" || got.Action == "replaced" {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/api/v1/documents/"+strconv.FormatInt(got.DocumentID, 10))
	writeJSON(w, status, got)
}

func (s *Server) apiReceiveStatus(w http.ResponseWriter, r *http.Request) {
	if err := requireXMLBody(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	got, err := s.exchange.ReceiveStatus(r.Context(), subjectFrom(r.Context()), s.actor(r), r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, got)
}

// apiExchangeMessages is the feed an exchange gateway polls: the status
// messages owed to outside senders, after ?since= (a message id).
func (s *Server) apiExchangeMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := apperr.Fields{}
	var since int64
	if v := strings.TrimSpace(q.Get("since")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fields.Add("since", "since là mã của thông điệp cuối cùng đã nhận (số nguyên không âm).")
		}
		since = n
	}
	limit := 100
	if v := strings.TrimSpace(q.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fields.Add("limit", "limit phải từ 1 đến 500.")
		}
		limit = n
	}
	if err := fields.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.exchange.StatusMessages(r.Context(), subjectFrom(r.Context()), since, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[exchange.StatusMessage]{Items: list}
	if len(list) == limit {
		out.NextCursor = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiEDXMLStatus answers the newest status message owed for an imported
// document, as the edXML to send.
func (s *Server) apiEDXMLStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	m, err := s.exchange.LatestStatus(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Disposition", objectstore.ContentDisposition("trang-thai-"+m.StatusCode+".edxml", false))
	h.Set("X-Status-Message-Id", strconv.FormatInt(m.ID, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(m.XML))
}

func (s *Server) exchangeUnitID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "unit_id"), 10, 64)
	if err != nil {
		s.writeError(w, r, apperr.NotFound("Không tìm thấy đơn vị."))
		return 0, false
	}
	return id, true
}

func (s *Server) apiExchangeOrgan(w http.ResponseWriter, r *http.Request) {
	id, ok := s.exchangeUnitID(w, r)
	if !ok {
		return
	}
	o, err := s.exchange.Organ(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiSetExchangeOrgan(w http.ResponseWriter, r *http.Request) {
	id, ok := s.exchangeUnitID(w, r)
	if !ok {
		return
	}
	var b struct {
		OrganID string `json:"organ_id"`
	}
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.exchange.SetOrganID(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.OrganID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
