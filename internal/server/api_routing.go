package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/notify"
	"vanthu/internal/routing"
)

// routingService is the handling capability, built once in New.
func (s *Server) routingService() *routing.Service { return s.routing }

func (s *Server) notifications() *notify.Store { return notify.New(s.db) }

// routingAPIRoutes: presenting, directing and handling documents, the
// inboxes and notifications. Mounted under /api/v1 by apiRoutes.
func (s *Server) routingAPIRoutes(r chi.Router) {
	r.Get("/documents/{id}/routing", s.apiRouting)
	r.Post("/documents/{id}/present", s.apiPresent)
	r.Post("/documents/{id}/directions", s.apiDirect)
	r.Post("/documents/{id}/close", s.apiClose)
	r.Post("/assignments/{id}/reassign", s.apiReassign)
	r.Post("/assignments/{id}/accept", s.apiAccept)
	r.Post("/assignments/{id}/progress", s.apiProgress)
	r.Post("/assignments/{id}/complete", s.apiComplete)
	r.Post("/assignments/{id}/return", s.apiReturn)
	r.Get("/inbox", s.apiInbox)
	r.Get("/inbox/counts", s.apiInboxCounts)
	r.Get("/notifications", s.apiNotifications)
	r.Post("/notifications/{id}/read", s.apiNotificationRead)
}

// apiAssignment is an assignment as the API shows it (dates as YYYY-MM-DD).
type apiAssignment struct {
	ID              int64           `json:"id"`
	DocumentID      int64           `json:"document_id"`
	DirectionID     *int64          `json:"direction_id"`
	ParentID        *int64          `json:"parent_id"`
	AssigneeUserID  *int64          `json:"assignee_user_id"`
	AssigneeUnitID  *int64          `json:"assignee_unit_id"`
	AssigneeName    string          `json:"assignee_name"`
	Role            string          `json:"role"`
	Status          string          `json:"status"`
	Deadline        *string         `json:"deadline"`
	Progress        int             `json:"progress"`
	ProgressNote    string          `json:"progress_note"`
	Result          string          `json:"result"`
	ReplyDocumentID *int64          `json:"reply_document_id"`
	ReturnReason    string          `json:"return_reason"`
	AssignedBy      *int64          `json:"assigned_by"`
	Note            string          `json:"note,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	AcceptedAt      *time.Time      `json:"accepted_at"`
	CompletedAt     *time.Time      `json:"completed_at"`
	Children        []apiAssignment `json:"children,omitempty"`
}

type apiDirection struct {
	ID          int64           `json:"id"`
	DocumentID  int64           `json:"document_id"`
	AuthorID    int64           `json:"author_id"`
	AuthorName  string          `json:"author_name"`
	Body        string          `json:"body"`
	Deadline    *string         `json:"deadline"`
	CreatedAt   time.Time       `json:"created_at"`
	Assignments []apiAssignment `json:"assignments"`
}

type apiRoutingState struct {
	DocumentID  int64          `json:"document_id"`
	Status      string         `json:"status"`
	PresentedTo *int64         `json:"presented_to"`
	CompletedAt *time.Time     `json:"completed_at"`
	Directions  []apiDirection `json:"directions"`
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := t.Format(time.DateOnly)
	return &v
}

func assignmentJSON(a routing.Assignment) apiAssignment {
	out := apiAssignment{ID: a.ID, DocumentID: a.DocumentID, DirectionID: a.DirectionID, ParentID: a.ParentID,
		AssigneeUserID: a.AssigneeUserID, AssigneeUnitID: a.AssigneeUnitID, AssigneeName: a.AssigneeName, Role: a.Role,
		Status: a.Status, Deadline: dateString(a.Deadline), Progress: a.Progress, ProgressNote: a.ProgressNote, Result: a.Result,
		ReplyDocumentID: a.ReplyDocumentID, ReturnReason: a.ReturnReason, AssignedBy: a.AssignedBy, Note: a.Note,
		CreatedAt: a.CreatedAt, AcceptedAt: a.AcceptedAt, CompletedAt: a.CompletedAt}
	for _, c := range a.Children {
		out.Children = append(out.Children, assignmentJSON(c))
	}
	return out
}

func directionJSON(d routing.Direction) apiDirection {
	out := apiDirection{ID: d.ID, DocumentID: d.DocumentID, AuthorID: d.AuthorID, AuthorName: d.AuthorName, Body: d.Body,
		Deadline: dateString(d.Deadline), CreatedAt: d.CreatedAt, Assignments: []apiAssignment{}}
	for _, a := range d.Assignments {
		out.Assignments = append(out.Assignments, assignmentJSON(a))
	}
	return out
}

// routingFailed answers a refused or failed handling action, auditing a
// refusal (403) and a document the caller may not see (404).
func (s *Server) routingFailed(w http.ResponseWriter, r *http.Request, action, objectType string, id int64, err error) {
	if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: objectType,
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": errorMessage(err)}})
	}
	s.writeError(w, r, err)
}

func errorMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return ""
}

// routingState is a visible document's handling as JSON.
func (s *Server) routingState(r *http.Request, docID int64) (apiRoutingState, error) {
	d, err := s.docs.Get(r.Context(), subjectFrom(r.Context()), docID)
	if err != nil {
		return apiRoutingState{}, err
	}
	dirs, err := s.routingService().Directions(r.Context(), docID)
	if err != nil {
		return apiRoutingState{}, err
	}
	out := apiRoutingState{DocumentID: d.ID, Status: d.Status, PresentedTo: d.PresentedTo, CompletedAt: d.CompletedAt, Directions: []apiDirection{}}
	for _, dir := range dirs {
		out.Directions = append(out.Directions, directionJSON(dir))
	}
	return out, nil
}

func (s *Server) apiRouting(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	st, err := s.routingState(r, id)
	if err != nil {
		s.routingFailed(w, r, "document.view", "document", id, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

type presentBody struct {
	LeaderID int64 `json:"leader_id"`
}

func (s *Server) apiPresent(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	var b presentBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.routingService().Present(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.LeaderID); err != nil {
		s.routingFailed(w, r, "document.present", "document", id, err)
		return
	}
	s.writeRoutingState(w, r, id)
}

func (s *Server) writeRoutingState(w http.ResponseWriter, r *http.Request, id int64) {
	st, err := s.routingState(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// directionBody is the JSON of POST /api/v1/documents/{id}/directions.
type directionBody struct {
	Body                string             `json:"body"`
	Lead                routing.Assignee   `json:"lead"`
	Cooperate           []routing.Assignee `json:"cooperate"`
	Inform              []routing.Assignee `json:"inform"`
	Deadline            string             `json:"deadline"`
	DeadlineWorkingDays int                `json:"deadline_working_days"`
}

func (b directionBody) input() (routing.DirectionInput, error) {
	in := routing.DirectionInput{Body: b.Body, Lead: b.Lead, Cooperate: b.Cooperate, Inform: b.Inform, DeadlineWorkingDays: b.DeadlineWorkingDays}
	if b.Deadline != "" {
		d, ok := parseDate(b.Deadline)
		if !ok {
			return in, apperr.Invalid("Hạn xử lý phải có dạng YYYY-MM-DD.", map[string]string{"deadline": "Hạn xử lý phải có dạng YYYY-MM-DD (hoặc dd/mm/yyyy)."})
		}
		in.Deadline = &d
	}
	return in, nil
}

func (s *Server) apiDirect(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	var b directionBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := b.input()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dir, err := s.routingService().Direct(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	if err != nil {
		s.routingFailed(w, r, "document.direct", "document", id, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/documents/%d/routing", id))
	writeJSON(w, http.StatusCreated, directionJSON(dir))
}

type closeBody struct {
	Result string `json:"result"`
	Note   string `json:"note"`
}

func (s *Server) apiClose(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	var b closeBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.routingService().Close(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Result, b.Note); err != nil {
		s.routingFailed(w, r, "document.close", "document", id, err)
		return
	}
	s.writeRoutingState(w, r, id)
}

func (s *Server) assignmentID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, routing.ErrAssignmentNotFound)
		return 0, false
	}
	return id, true
}

type reassignBody struct {
	UserID   int64  `json:"user_id"`
	Body     string `json:"body"`
	Deadline string `json:"deadline"`
}

func (s *Server) apiReassign(w http.ResponseWriter, r *http.Request) {
	id, ok := s.assignmentID(w, r)
	if !ok {
		return
	}
	var b reassignBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := routing.ReassignInput{UserID: b.UserID, Body: b.Body}
	if b.Deadline != "" {
		d, ok := parseDate(b.Deadline)
		if !ok {
			s.writeError(w, r, apperr.Invalid("Hạn xử lý phải có dạng YYYY-MM-DD.", map[string]string{"deadline": "Hạn xử lý phải có dạng YYYY-MM-DD (hoặc dd/mm/yyyy)."}))
			return
		}
		in.Deadline = &d
	}
	child, err := s.routingService().Reassign(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	if err != nil {
		s.routingFailed(w, r, "document.reassign", "assignment", id, err)
		return
	}
	writeJSON(w, http.StatusCreated, assignmentJSON(child))
}

func (s *Server) apiAccept(w http.ResponseWriter, r *http.Request) {
	id, ok := s.assignmentID(w, r)
	if !ok {
		return
	}
	a, err := s.routingService().Accept(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.routingFailed(w, r, "document.accept", "assignment", id, err)
		return
	}
	writeJSON(w, http.StatusOK, assignmentJSON(a))
}

type progressBody struct {
	Percent int    `json:"percent"`
	Note    string `json:"note"`
}

func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) {
	id, ok := s.assignmentID(w, r)
	if !ok {
		return
	}
	var b progressBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.routingService().Progress(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Percent, b.Note)
	if err != nil {
		s.routingFailed(w, r, "document.progress", "assignment", id, err)
		return
	}
	writeJSON(w, http.StatusOK, assignmentJSON(a))
}

type completeBody struct {
	Result          string `json:"result"`
	ReplyDocumentID int64  `json:"reply_document_id"`
}

func (s *Server) apiComplete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.assignmentID(w, r)
	if !ok {
		return
	}
	var b completeBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.routingService().Complete(r.Context(), subjectFrom(r.Context()), s.actor(r), id,
		routing.CompleteInput{Result: b.Result, ReplyDocumentID: b.ReplyDocumentID})
	if err != nil {
		s.routingFailed(w, r, "document.complete", "assignment", id, err)
		return
	}
	writeJSON(w, http.StatusOK, assignmentJSON(a))
}

type returnBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReturn(w http.ResponseWriter, r *http.Request) {
	id, ok := s.assignmentID(w, r)
	if !ok {
		return
	}
	var b returnBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.routingService().Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, b.Reason)
	if err != nil {
		s.routingFailed(w, r, "document.return", "assignment", id, err)
		return
	}
	writeJSON(w, http.StatusOK, assignmentJSON(a))
}

// apiInboxItem is a registry row with the caller's part in it.
type apiInboxItem struct {
	apiListItem
	Deadline *string  `json:"deadline"`
	Overdue  bool     `json:"overdue"`
	Roles    []string `json:"roles"`
}

func inboxItemJSON(it routing.InboxItem, today time.Time) apiInboxItem {
	item := apiListItem{ID: it.ID, ArrivalNumber: it.ArrivalNumber, Subject: it.Subject, Symbol: it.Symbol,
		CodeNumber: it.CodeNumber, CodeNotation: it.CodeNotation, OrganName: it.OrganName, TypeName: it.TypeName, Status: it.Status,
		Priority: it.Priority, Confidentiality: string(it.Confidentiality), DueDate: dateString(it.DueDate)}
	if it.ArrivedAt != nil {
		v := it.ArrivedAt.UTC().Format(time.RFC3339)
		item.ArrivedAt = &v
	}
	roles := it.Roles
	if roles == nil {
		roles = []string{}
	}
	return apiInboxItem{apiListItem: item, Deadline: dateString(it.Deadline), Overdue: it.Overdue(today), Roles: roles}
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			s.writeError(w, r, apperr.Invalid("limit phải từ 1 đến 200.", map[string]string{"limit": "limit phải từ 1 đến 200."}))
			return
		}
		limit = n
	}
	page, err := s.routingService().Inbox(r.Context(), subjectFrom(r.Context()), q.Get("box"), q.Get("cursor"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	today := routing.Today()
	out := listResponse[apiInboxItem]{Items: []apiInboxItem{}, NextCursor: page.NextCursor}
	for _, it := range page.Items {
		out.Items = append(out.Items, inboxItemJSON(it, today))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiInboxCounts(w http.ResponseWriter, r *http.Request) {
	counts, err := s.routingService().InboxCounts(r.Context(), subjectFrom(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

type apiNotificationList struct {
	Items       []notify.Notification `json:"items"`
	NextCursor  string                `json:"next_cursor"`
	UnreadCount int                   `json:"unread_count"`
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			s.writeError(w, r, apperr.Invalid("limit phải từ 1 đến 200.", map[string]string{"limit": "limit phải từ 1 đến 200."}))
			return
		}
		limit = n
	}
	includeRead, err := includeReadParam(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	user := subjectFrom(r.Context()).UserID
	page, err := s.notifications().List(r.Context(), user, includeRead, q.Get("cursor"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.notifications().UnreadCount(r.Context(), user)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiNotificationList{Items: page.Items, NextCursor: page.NextCursor, UnreadCount: n})
}

func (s *Server) apiNotificationRead(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, notify.ErrNotFound)
		return
	}
	user := subjectFrom(r.Context()).UserID
	if err := s.notifications().MarkRead(r.Context(), user, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.notifications().UnreadCount(r.Context(), user)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"unread_count": n})
}
