package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/tasks"
)

// taskAPIRoutes: giving and tracking tasks. Mounted under /api/v1.
func (s *Server) taskAPIRoutes(r chi.Router) {
	r.Get("/tasks", s.apiTasks)
	r.Post("/tasks", s.apiTaskCreate)
	r.Get("/tasks/{id}", s.apiTask)
	r.Post("/tasks/{id}/progress", s.apiTaskProgress)
	r.Post("/tasks/{id}/extensions", s.apiTaskExtension)
	r.Post("/tasks/{id}/extensions/{ext_id}/decide", s.apiTaskDecide)
	r.Post("/tasks/{id}/complete", s.apiTaskComplete)
	r.Post("/tasks/{id}/accept", s.apiTaskAccept)
	r.Post("/tasks/{id}/return", s.apiTaskReturn)
	r.Post("/tasks/{id}/cancel", s.apiTaskCancel)
}

// apiTaskAssignee is an assignee as the API shows and takes it.
type apiTaskAssignee struct {
	UserID int64  `json:"user_id,omitempty"`
	UnitID int64  `json:"unit_id,omitempty"`
	Name   string `json:"name,omitempty"`
	Role   string `json:"role"`
}

type apiTaskExtension struct {
	ID           int64      `json:"id"`
	RequestedBy  int64      `json:"requested_by"`
	OldDue       string     `json:"old_due"`
	RequestedDue string     `json:"requested_due"`
	Reason       string     `json:"reason"`
	Status       string     `json:"status"`
	DecidedBy    *int64     `json:"decided_by"`
	DecidedAt    *time.Time `json:"decided_at"`
	DecisionNote string     `json:"decision_note"`
	CreatedAt    time.Time  `json:"created_at"`
}

// apiTask is a task as the API shows it (dates as YYYY-MM-DD).
type apiTask struct {
	ID               int64             `json:"id"`
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Priority         string            `json:"priority"`
	Status           string            `json:"status"`
	StartDate        string            `json:"start_date"`
	DueDate          string            `json:"due_date"`
	WorkingDays      *int              `json:"working_days"`
	Progress         int               `json:"progress"`
	Overdue          bool              `json:"overdue"`
	AssignerID       int64             `json:"assigner_id"`
	AssignerName     string            `json:"assigner_name"`
	UnitID           int64             `json:"unit_id"`
	UnitName         string            `json:"unit_name"`
	ParentID         *int64            `json:"parent_id"`
	Source           string            `json:"source"`
	DocumentID       *int64            `json:"document_id"`
	DirectionID      *int64            `json:"direction_id"`
	Result           string            `json:"result"`
	ReturnReason     string            `json:"return_reason"`
	Assignees        []apiTaskAssignee `json:"assignees"`
	PendingExtension *apiTaskExtension `json:"pending_extension"`
	CreatedAt        time.Time         `json:"created_at"`
	CompletedAt      *time.Time        `json:"completed_at"`
	AcceptedAt       *time.Time        `json:"accepted_at"`
	CancelledAt      *time.Time        `json:"cancelled_at"`
}

func extensionJSON(e tasks.Extension) apiTaskExtension {
	return apiTaskExtension{ID: e.ID, RequestedBy: e.RequestedBy, OldDue: e.OldDue.Format(time.DateOnly),
		RequestedDue: e.RequestedDue.Format(time.DateOnly), Reason: e.Reason, Status: e.Status, DecidedBy: e.DecidedBy,
		DecidedAt: e.DecidedAt, DecisionNote: e.DecisionNote, CreatedAt: e.CreatedAt}
}

func taskJSON(t tasks.Task) apiTask {
	out := apiTask{ID: t.ID, Title: t.Title, Description: t.Description, Priority: t.Priority, Status: t.Status,
		StartDate: t.StartDate.Format(time.DateOnly), DueDate: t.DueDate.Format(time.DateOnly), WorkingDays: t.WorkingDays,
		Progress: t.Progress, Overdue: t.Overdue(tasks.Today()), AssignerID: t.AssignerID, AssignerName: t.AssignerName,
		UnitID: t.UnitID, UnitName: t.UnitName, ParentID: t.ParentID, Source: t.Source, DocumentID: t.DocumentID,
		DirectionID: t.DirectionID, Result: t.Result, ReturnReason: t.ReturnReason, Assignees: []apiTaskAssignee{},
		CreatedAt: t.CreatedAt, CompletedAt: t.CompletedAt, AcceptedAt: t.AcceptedAt, CancelledAt: t.CancelledAt}
	for _, a := range t.Assignees {
		j := apiTaskAssignee{Name: a.Name, Role: a.Role}
		if a.UserID != nil {
			j.UserID = *a.UserID
		}
		if a.UnitID != nil {
			j.UnitID = *a.UnitID
		}
		out.Assignees = append(out.Assignees, j)
	}
	if t.PendingRequest != nil {
		e := extensionJSON(*t.PendingRequest)
		out.PendingExtension = &e
	}
	return out
}

// apiTaskItem is a task in a list.
type apiTaskItem struct {
	ID               int64  `json:"id"`
	Title            string `json:"title"`
	Priority         string `json:"priority"`
	Status           string `json:"status"`
	StartDate        string `json:"start_date"`
	DueDate          string `json:"due_date"`
	Progress         int    `json:"progress"`
	Overdue          bool   `json:"overdue"`
	AssignerID       int64  `json:"assigner_id"`
	AssignerName     string `json:"assigner_name"`
	Lead             string `json:"lead"`
	Cooperate        string `json:"cooperate"`
	ParentID         *int64 `json:"parent_id"`
	Source           string `json:"source"`
	DocumentID       *int64 `json:"document_id"`
	PendingExtension bool   `json:"pending_extension"`
}

// taskAPIFailed answers a refused or failed task call, auditing refusals.
func (s *Server) taskAPIFailed(w http.ResponseWriter, r *http.Request, action string, id int64, err error) {
	s.routingFailed(w, r, action, "task", id, err)
}

func (s *Server) apiTaskID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil {
		s.writeError(w, r, tasks.ErrNotFound)
		return 0, false
	}
	return id, true
}

func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	fields := apperr.Fields{}
	f := tasks.Filter{Tab: q.Get("tab"), Q: q.Get("q"), Status: q.Get("status"), Priority: q.Get("priority"), Source: q.Get("source"),
		Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	if f.Tab == "" {
		f.Tab = tasks.TabAll
	}
	switch v := strings.TrimSpace(q.Get("assignee")); v {
	case "":
	case "me":
		f.AssigneeUserID = sub.UserID
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fields.Add("assignee", "assignee phải là mã người dùng hoặc me.")
		}
		f.AssigneeUserID = n
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"assignee_unit", &f.AssigneeUnitID}, {"document_id", &f.DocumentID}, {"parent_id", &f.ParentID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				fields.Add(p.name, p.name+" phải là số nguyên dương.")
			}
			*p.dst = n
		}
	}
	switch q.Get("overdue") {
	case "", "false", "0":
	case "true", "1":
		f.Overdue = true
	default:
		fields.Add("overdue", "overdue phải là true hoặc false.")
	}
	for _, k := range []string{"due_from", "due_to"} {
		if v := q.Get(k); v != "" {
			d, ok := parseDate(v)
			if !ok {
				fields.Add(k, k+" phải có dạng YYYY-MM-DD.")
				continue
			}
			if k == "due_from" {
				f.DueFrom = &d
			} else {
				f.DueTo = &d
			}
		}
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
	page, err := s.tasks.List(ctx, sub, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	today := tasks.Today()
	out := listResponse[apiTaskItem]{Items: []apiTaskItem{}, NextCursor: page.NextCursor}
	for _, it := range page.Items {
		out.Items = append(out.Items, apiTaskItem{ID: it.ID, Title: it.Title, Priority: it.Priority, Status: it.Status,
			StartDate: it.StartDate.Format(time.DateOnly), DueDate: it.DueDate.Format(time.DateOnly), Progress: it.Progress,
			Overdue: it.Overdue(today), AssignerID: it.AssignerID, AssignerName: it.AssignerName, Lead: it.Lead, Cooperate: it.Cooperate,
			ParentID: it.ParentID, Source: it.Source, DocumentID: it.DocumentID, PendingExtension: it.PendingExt})
	}
	writeJSON(w, http.StatusOK, out)
}

// taskCreateBody is the JSON of POST /api/v1/tasks.
type taskCreateBody struct {
	Title            string            `json:"title"`
	Description      string            `json:"description"`
	Assignees        []apiTaskAssignee `json:"assignees"`
	Priority         string            `json:"priority"`
	DueDate          string            `json:"due_date"`
	DueInWorkingDays *int              `json:"due_in_working_days"`
	StartDate        string            `json:"start_date"`
	ParentID         int64             `json:"parent_id"`
	DirectionID      int64             `json:"direction_id"`
	DocumentID       int64             `json:"document_id"`
	UnitID           int64             `json:"unit_id"`
}

func (b taskCreateBody) input() (tasks.CreateInput, error) {
	in := tasks.CreateInput{Title: b.Title, Description: b.Description, Priority: b.Priority, DueInWorkingDays: b.DueInWorkingDays,
		ParentID: b.ParentID, DirectionID: b.DirectionID, DocumentID: b.DocumentID, UnitID: b.UnitID}
	for _, a := range b.Assignees {
		if a.Name != "" {
			return in, apperr.Invalid("Trường \"name\" của người thực hiện không được gửi lên.", map[string]string{"assignees": "Chỉ gửi user_id hoặc unit_id và role."})
		}
		in.Assignees = append(in.Assignees, tasks.AssigneeInput{Target: tasks.Target{UserID: a.UserID, UnitID: a.UnitID}, Role: a.Role})
	}
	f := apperr.Fields{}
	for _, d := range []struct {
		name, v string
		dst     **time.Time
	}{{"due_date", b.DueDate, &in.DueDate}, {"start_date", b.StartDate, &in.StartDate}} {
		if d.v == "" {
			continue
		}
		t, ok := parseDate(d.v)
		if !ok {
			f.Add(d.name, "Ngày phải có dạng YYYY-MM-DD.")
			continue
		}
		*d.dst = &t
	}
	return in, f.Err()
}

func (s *Server) apiTaskCreate(w http.ResponseWriter, r *http.Request) {
	var b taskCreateBody
	if err := decodeJSON(r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := b.input()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.tasks.Create(r.Context(), subjectFrom(r.Context()), s.actor(r), in)
	if err != nil {
		s.taskAPIFailed(w, r, "task.create", b.ParentID, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tasks/%d", t.ID))
	writeJSON(w, http.StatusCreated, taskJSON(t))
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request) {
	id, ok := s.apiTaskID(w, r, "id")
	if !ok {
		return
	}
	t, err := s.tasks.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.taskAPIFailed(w, r, "task.view", id, err)
		return
	}
	writeJSON(w, http.StatusOK, taskJSON(t))
}

// apiTaskChange decodes body into v, runs the change and answers the task.
func (s *Server) apiTaskChange(action string, newBody func() any, run func(r *http.Request, id int64, body any) (tasks.Task, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.apiTaskID(w, r, "id")
		if !ok {
			return
		}
		body := newBody()
		// An empty body is a body with every field empty (accept needs none).
		if body != nil && r.ContentLength != 0 {
			if err := decodeJSON(r, body); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		t, err := run(r, id, body)
		if err != nil {
			s.taskAPIFailed(w, r, action, id, err)
			return
		}
		writeJSON(w, http.StatusOK, taskJSON(t))
	}
}

type taskProgressBody struct {
	Percent *int   `json:"percent"`
	Note    string `json:"note"`
}

func (s *Server) apiTaskProgress(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.progress", func() any { return &taskProgressBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		b := body.(*taskProgressBody)
		return s.tasks.Progress(r.Context(), subjectFrom(r.Context()), s.actor(r), id, tasks.ProgressInput{Percent: b.Percent, Note: b.Note})
	})(w, r)
}

type taskExtensionBody struct {
	DueDate     string `json:"due_date"`
	WorkingDays int    `json:"working_days"`
	Reason      string `json:"reason"`
}

func (s *Server) apiTaskExtension(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.extension_request", func() any { return &taskExtensionBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		b := body.(*taskExtensionBody)
		in := tasks.ExtensionInput{WorkingDays: b.WorkingDays, Reason: b.Reason}
		if b.DueDate != "" {
			d, ok := parseDate(b.DueDate)
			if !ok {
				return tasks.Task{}, apperr.Invalid("Hạn mới phải có dạng YYYY-MM-DD.", map[string]string{"due_date": "Hạn mới phải có dạng YYYY-MM-DD."})
			}
			in.DueDate = &d
		}
		return s.tasks.RequestExtension(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	})(w, r)
}

type taskDecideBody struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
}

func (s *Server) apiTaskDecide(w http.ResponseWriter, r *http.Request) {
	ext, ok := s.apiTaskID(w, r, "ext_id")
	if !ok {
		return
	}
	s.apiTaskChange("task.extension_decide", func() any { return &taskDecideBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		b := body.(*taskDecideBody)
		if b.Approve == nil {
			return tasks.Task{}, apperr.Invalid("Vui lòng cho biết đồng ý (approve: true) hay không (approve: false).", map[string]string{"approve": "Bắt buộc."})
		}
		t, err := s.tasks.DecideExtension(r.Context(), subjectFrom(r.Context()), s.actor(r), id, ext, *b.Approve, b.Note)
		if e, ok := apperr.As(err); ok && e.Fields["decision_note"] != "" {
			e.Fields["note"] = e.Fields["decision_note"]
			delete(e.Fields, "decision_note")
		}
		return t, err
	})(w, r)
}

type taskResultBody struct {
	Result string `json:"result"`
}

func (s *Server) apiTaskComplete(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.complete", func() any { return &taskResultBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		return s.tasks.Complete(r.Context(), subjectFrom(r.Context()), s.actor(r), id, body.(*taskResultBody).Result)
	})(w, r)
}

type taskNoteBody struct {
	Note string `json:"note"`
}

func (s *Server) apiTaskAccept(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.accept", func() any { return &taskNoteBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		return s.tasks.Accept(r.Context(), subjectFrom(r.Context()), s.actor(r), id, body.(*taskNoteBody).Note)
	})(w, r)
}

type taskReasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiTaskReturn(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.return", func() any { return &taskReasonBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		return s.tasks.Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, body.(*taskReasonBody).Reason)
	})(w, r)
}

func (s *Server) apiTaskCancel(w http.ResponseWriter, r *http.Request) {
	s.apiTaskChange("task.cancel", func() any { return &taskReasonBody{} }, func(r *http.Request, id int64, body any) (tasks.Task, error) {
		return s.tasks.Cancel(r.Context(), subjectFrom(r.Context()), s.actor(r), id, body.(*taskReasonBody).Reason)
	})(w, r)
}
