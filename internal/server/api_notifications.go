package server

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
)

// notificationAPIRoutes: marking every notification read. Listing and
// marking one are in api_routing.go.
func (s *Server) notificationAPIRoutes(r chi.Router) {
	r.Post("/notifications/read-all", s.apiNotificationsReadAll)
}

// includeReadParam reads include_read=true|false (default false).
func includeReadParam(q url.Values) (bool, error) {
	switch q.Get("include_read") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, apperr.Invalid("include_read phải là true hoặc false.", map[string]string{"include_read": "Chỉ nhận true hoặc false."})
}

type apiReadAllRequest struct {
	// UpToID bounds the notifications marked (those with an id up to it),
	// so a client marks only what it has shown; 0 or absent marks all.
	UpToID int64 `json:"up_to_id"`
}

func (s *Server) apiNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	var in apiReadAllRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// No body marks every one.
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := decodeJSON(r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if in.UpToID < 0 {
		s.writeError(w, r, apperr.Invalid("up_to_id không được âm.", map[string]string{"up_to_id": "Không được âm."}))
		return
	}
	user := subjectFrom(r.Context()).UserID
	n, err := s.notifications().MarkAllReadUpTo(r.Context(), user, in.UpToID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	left, err := s.notifications().UnreadCount(r.Context(), user)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n, "unread_count": left})
}
