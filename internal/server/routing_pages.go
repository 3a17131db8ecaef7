package server

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/routing"
	"vanthu/web"
)

// routingPageRoutes: the handling panel's forms. Every action redirects
// back to /documents/{id}?done=…#xu-ly; a refused one shows what to fix
// with a link back. /documents/{id}/handling shows the panel on its own.
func (s *Server) routingPageRoutes(r chi.Router) {
	r.Get("/documents/{id:[0-9]+}/handling", s.routingPage)
	r.Post("/documents/{id:[0-9]+}/present", s.documentAction("present", "presented", s.formPresent))
	r.Post("/documents/{id:[0-9]+}/directions", s.documentAction("direct", "directed", s.formDirect))
	r.Post("/documents/{id:[0-9]+}/close", s.documentAction("close", "closed", s.formClose))
	r.Post("/assignments/{id:[0-9]+}/accept", s.assignmentAction("accept", "accepted", s.formAccept))
	r.Post("/assignments/{id:[0-9]+}/progress", s.assignmentAction("progress", "progress", s.formProgress))
	r.Post("/assignments/{id:[0-9]+}/complete", s.assignmentAction("complete", "completed", s.formComplete))
	r.Post("/assignments/{id:[0-9]+}/return", s.assignmentAction("return", "returned", s.formReturn))
	r.Post("/assignments/{id:[0-9]+}/reassign", s.assignmentAction("reassign", "reassigned", s.formReassign))
}

func (s *Server) routingPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	doc, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	v, err := s.routingView(r, doc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.RoutingPage(s.page(r, "Xử lý văn bản", "incoming"), doc.Subject, v))
}

func doneURL(docID int64, done string) string {
	return fmt.Sprintf("/documents/%d?done=%s#xu-ly", docID, done)
}

// documentAction runs a form action on a document and redirects back.
func (s *Server) documentAction(action, done string, run func(r *http.Request, docID int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.documentID(w, r, "id")
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := run(r, id); err != nil {
			s.routingPageError(w, r, "document."+action, "document", id, id, err)
			return
		}
		http.Redirect(w, r, doneURL(id, done), http.StatusSeeOther)
	}
}

// assignmentAction runs a form action on an assignment and redirects back
// to its document.
func (s *Server) assignmentAction(action, done string, run func(r *http.Request, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.assignmentID(w, r)
		if !ok {
			return
		}
		a, _, err := s.routingService().Assignment(r.Context(), subjectFrom(r.Context()), id)
		if err != nil {
			s.routingPageError(w, r, "document."+action, "assignment", id, 0, err)
			return
		}
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := run(r, id); err != nil {
			s.routingPageError(w, r, "document."+action, "assignment", id, a.DocumentID, err)
			return
		}
		http.Redirect(w, r, doneURL(a.DocumentID, done), http.StatusSeeOther)
	}
}

// routingPageError shows a refused action: the message and every field
// message, with a way back to the document (none when it may not be seen).
func (s *Server) routingPageError(w http.ResponseWriter, r *http.Request, action, objectType string, id, docID int64, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		s.serverError(w, r, err)
		return
	}
	if e.Kind == apperr.KindForbidden || e.Kind == apperr.KindNotFound {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: objectType,
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	if e.Kind == apperr.KindNotFound {
		docID = 0
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	details := make([]string, 0, len(keys))
	for _, k := range keys {
		details = append(details, e.Fields[k])
	}
	status := statusOf(e.Kind)
	s.render(w, r, status, web.RoutingErrorPage(s.page(r, Title(status), "incoming"), status, Title(status), e.Message, details, docID))
}

func formInt(r *http.Request, name, msg string, f apperr.Fields) int64 {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f.Add(name, msg)
	}
	return n
}

func formDate(r *http.Request, name string, f apperr.Fields) *time.Time {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	d, ok := parseDate(v)
	if !ok {
		f.Add(name, "Ngày phải có dạng dd/mm/yyyy.")
		return nil
	}
	return &d
}

// parseAssignee reads "user:12" or "unit:5" from an assignee select.
func parseAssignee(v string) (routing.Assignee, bool) {
	kind, num, ok := strings.Cut(strings.TrimSpace(v), ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 {
		return routing.Assignee{}, false
	}
	switch kind {
	case "user":
		return routing.Assignee{UserID: n}, true
	case "unit":
		return routing.Assignee{UnitID: n}, true
	}
	return routing.Assignee{}, false
}

func (s *Server) formPresent(r *http.Request, docID int64) error {
	f := apperr.Fields{}
	leader := formInt(r, "leader_id", "Vui lòng chọn lãnh đạo để trình.", f)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.routingService().Present(r.Context(), subjectFrom(r.Context()), s.actor(r), docID, leader)
	return err
}

func (s *Server) formDirect(r *http.Request, docID int64) error {
	f := apperr.Fields{}
	in := routing.DirectionInput{Body: r.PostFormValue("body")}
	if v := r.PostFormValue("lead"); v != "" {
		a, ok := parseAssignee(v)
		if !ok {
			f.Add("lead", "Người hoặc đơn vị chủ trì không hợp lệ.")
		}
		in.Lead = a
	}
	for _, field := range []string{"cooperate", "inform"} {
		for _, v := range r.PostForm[field] {
			if v == "" {
				continue
			}
			a, ok := parseAssignee(v)
			if !ok {
				f.Add(field, "Lựa chọn không hợp lệ.")
				continue
			}
			if field == "cooperate" {
				in.Cooperate = append(in.Cooperate, a)
			} else {
				in.Inform = append(in.Inform, a)
			}
		}
	}
	in.Deadline = formDate(r, "deadline", f)
	in.DeadlineWorkingDays = int(formInt(r, "deadline_working_days", "Số ngày làm việc phải là số.", f))
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.routingService().Direct(r.Context(), subjectFrom(r.Context()), s.actor(r), docID, in)
	return err
}

func (s *Server) formClose(r *http.Request, docID int64) error {
	return s.routingService().Close(r.Context(), subjectFrom(r.Context()), s.actor(r), docID, r.PostFormValue("result"), r.PostFormValue("note"))
}

func (s *Server) formAccept(r *http.Request, id int64) error {
	_, err := s.routingService().Accept(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	return err
}

func (s *Server) formProgress(r *http.Request, id int64) error {
	f := apperr.Fields{}
	percent := formInt(r, "percent", "Tiến độ phải là số từ 0 đến 100.", f)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.routingService().Progress(r.Context(), subjectFrom(r.Context()), s.actor(r), id, int(percent), r.PostFormValue("note"))
	return err
}

func (s *Server) formComplete(r *http.Request, id int64) error {
	f := apperr.Fields{}
	reply := formInt(r, "reply_document_id", "Mã văn bản trả lời phải là số.", f)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.routingService().Complete(r.Context(), subjectFrom(r.Context()), s.actor(r), id,
		routing.CompleteInput{Result: r.PostFormValue("result"), ReplyDocumentID: reply})
	return err
}

func (s *Server) formReturn(r *http.Request, id int64) error {
	_, err := s.routingService().Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("reason"))
	return err
}

func (s *Server) formReassign(r *http.Request, id int64) error {
	f := apperr.Fields{}
	in := routing.ReassignInput{UserID: formInt(r, "user_id", "Vui lòng chọn người xử lý.", f), Body: r.PostFormValue("body")}
	in.Deadline = formDate(r, "deadline", f)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.routingService().Reassign(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	return err
}

// routingView builds the handling panel of doc for the signed-in viewer:
// the document page renders it with web.DocumentRouting.
func (s *Server) routingView(r *http.Request, doc documents.Document) (web.RoutingView, error) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	svc := s.routingService()
	today := routing.Today()
	v := web.RoutingView{DocumentID: doc.ID, Status: doc.Status, StatusLabel: documents.StatusLabel(doc.Status),
		CompletedAt: doc.CompletedAt, Today: today, RecalledAt: doc.RecalledAt}
	if msg := web.RoutingDoneMessage(r.URL.Query().Get("done")); msg != "" {
		v.Flash = &web.Flash{Kind: "ok", Message: msg}
	}
	if doc.PresentedTo != nil {
		if err := s.db.QueryRow(ctx, `SELECT full_name FROM users WHERE id = $1`, *doc.PresentedTo).Scan(&v.PresentedTo); err != nil {
			return v, fmt.Errorf("read presentee: %w", err)
		}
	}
	dirs, err := svc.Directions(ctx, doc.ID)
	if err != nil {
		return v, err
	}
	members := map[int64][]web.RoutingOption{}
	var convert func(a routing.Assignment) (web.RoutingAssignment, error)
	convert = func(a routing.Assignment) (web.RoutingAssignment, error) {
		handle := routing.CanHandle(sub, a) && a.Open() && doc.RecalledAt == nil
		out := web.RoutingAssignment{ID: a.ID, Assignee: a.AssigneeName, IsUnit: a.AssigneeUnitID != nil, Role: a.Role,
			RoleLabel: routing.RoleLabel(a.Role), Status: a.Status, StatusLabel: routing.StatusLabel(a.Status), Deadline: a.Deadline,
			Overdue: a.Role != routing.RoleInform && a.Overdue(today), Progress: a.Progress, ProgressNote: a.ProgressNote, Result: a.Result,
			ReplyDocumentID: a.ReplyDocumentID, ReturnReason: a.ReturnReason, Note: a.Note,
			CanAccept: handle && a.Status == routing.StatusAssigned, CanProgress: handle && a.Role != routing.RoleInform,
			CanComplete: handle, CanReturn: handle, CanReassign: routing.CanReassign(sub, a) && doc.RecalledAt == nil}
		if a.AssignedByName != nil {
			out.AssignedBy = *a.AssignedByName
		}
		if out.CanReassign {
			unit := *a.AssigneeUnitID
			if _, ok := members[unit]; !ok {
				people, err := svc.Members(ctx, unit)
				if err != nil {
					return out, err
				}
				opts := []web.RoutingOption{}
				for _, p := range people {
					opts = append(opts, web.RoutingOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
				}
				members[unit] = opts
			}
			out.Members = members[unit]
		}
		for _, c := range a.Children {
			cv, err := convert(c)
			if err != nil {
				return out, err
			}
			out.Children = append(out.Children, cv)
		}
		return out, nil
	}
	for _, d := range dirs {
		if d.Reassignment {
			continue
		}
		rd := web.RoutingDirection{Author: d.AuthorName, Body: d.Body, Deadline: d.Deadline, CreatedAt: d.CreatedAt}
		for _, a := range d.Assignments {
			ra, err := convert(a)
			if err != nil {
				return v, err
			}
			rd.Assignments = append(rd.Assignments, ra)
		}
		v.Directions = append(v.Directions, rd)
	}
	if v.Work, err = s.documentTaskPanel(r, doc, dirs); err != nil {
		return v, err
	}
	if routing.CanPresent(sub, doc) {
		v.CanPresent = true
		leaders, err := svc.Leaders(ctx, doc.UnitID)
		if err != nil {
			return v, err
		}
		for _, l := range leaders {
			v.Leaders = append(v.Leaders, web.RoutingOption{Value: strconv.FormatInt(l.ID, 10), Label: l.Name + " — " + l.Units})
		}
	}
	if routing.CanDirect(sub, doc) {
		v.CanDirect = true
		units, people, err := svc.AssigneeChoices(ctx, doc.UnitID)
		if err != nil {
			return v, err
		}
		for _, p := range people {
			v.Assignees = append(v.Assignees, web.RoutingOption{Value: "user:" + strconv.FormatInt(p.ID, 10),
				Label: p.Name + " — " + p.Units, Group: "Cá nhân"})
		}
		for _, u := range units {
			v.Assignees = append(v.Assignees, web.RoutingOption{Value: "unit:" + strconv.FormatInt(u.ID, 10),
				Label: strings.Repeat("· ", u.Depth) + u.Name, Group: "Đơn vị"})
		}
	}
	return v, nil
}
