package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/routing"
	"vanthu/internal/tasks"
	"vanthu/web"
)

// NewTaskService builds the tasks capability for the server and for the
// escalation job that serve starts (the outbox e-mails its notifications).
func NewTaskService(d Deps) *tasks.Service {
	return tasks.New(d.DB, d.Store, calendar.New(d.DB))
}

// taskPageRoutes: the task list, board and calendar, the new-task form,
// the task page and its actions, directing documents.
func (s *Server) taskPageRoutes(r chi.Router) {
	r.Get("/tasks", s.taskList("list"))
	r.Get("/tasks/board", s.taskList("board"))
	r.Get("/tasks/calendar", s.taskList("calendar"))
	r.Get("/tasks/export.xlsx", s.taskExportXLSX)
	r.Get("/tasks/new", s.taskNew)
	r.Post("/tasks", s.taskCreate)
	r.Get("/tasks/directing", s.directingList)
	r.Get("/tasks/directing/{id:[0-9]+}", s.directingPage)
	r.Get("/tasks/{id:[0-9]+}", s.taskPage)
	r.Get("/tasks/{id:[0-9]+}/files/{file_id:[0-9]+}", s.taskFile)
	// Progress reports carry files: a fixed path with the larger body limit.
	r.Post("/tasks/updates", s.taskProgressSubmit)
	r.Post("/tasks/{id:[0-9]+}/extensions", s.taskAction("extension", "extension_requested", map[string]string{}, s.formExtension))
	r.Post("/tasks/{id:[0-9]+}/extensions/{ext_id:[0-9]+}/decide", s.taskAction("decision", "", map[string]string{}, s.formDecide))
	r.Post("/tasks/{id:[0-9]+}/complete", s.taskAction("complete", "completed", map[string]string{}, s.formTaskComplete))
	r.Post("/tasks/{id:[0-9]+}/accept", s.taskAction("accept", "accepted", map[string]string{"note": "accept_note"}, s.formTaskAccept))
	r.Post("/tasks/{id:[0-9]+}/return", s.taskAction("return", "returned", map[string]string{"reason": "return_reason"}, s.formTaskReturn))
	r.Post("/tasks/{id:[0-9]+}/cancel", s.taskAction("cancel", "cancelled", map[string]string{"reason": "cancel_reason"}, s.formTaskCancel))
	r.Post("/documents/{id:[0-9]+}/directing", s.documentDirecting)
}

// ---- List, board, calendar ----

// taskFilterKeys are the list's query parameters, in the order URLs
// carry them.
var taskFilterKeys = []string{"tab", "q", "status", "priority", "source", "overdue", "due_from", "due_to", "sort", "month"}

// taskCountCap bounds the counts on the tabs.
const taskCountCap = 1000

func taskQuery(vals map[string]string, skip ...string) string {
	var b strings.Builder
	for _, k := range taskFilterKeys {
		v := vals[k]
		if v == "" || containsString(skip, k) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
	}
	return b.String()
}

func withQ(path, q string) string {
	if q == "" {
		return path
	}
	return path + "?" + q
}

// taskFilter reads the list's values; unreadable dates are field messages.
func taskFilter(vals map[string]string) (tasks.Filter, error) {
	f := tasks.Filter{Tab: vals["tab"], Q: vals["q"], Status: vals["status"], Priority: vals["priority"], Source: vals["source"],
		Overdue: vals["overdue"] == "1" || vals["overdue"] == "true", Sort: vals["sort"]}
	fields := apperr.Fields{}
	for _, k := range []string{"due_from", "due_to"} {
		if v := vals[k]; v != "" {
			d, ok := parseDate(v)
			if !ok {
				fields.Add(k, "Ngày phải có dạng dd/mm/yyyy.")
				continue
			}
			if k == "due_from" {
				f.DueFrom = &d
			} else {
				f.DueTo = &d
			}
		}
	}
	return f, fields.Err()
}

func (s *Server) taskList(mode string) http.HandlerFunc {
	path := map[string]string{"list": "/tasks", "board": "/tasks/board", "calendar": "/tasks/calendar"}[mode]
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sub := subjectFrom(ctx)
		q := r.URL.Query()
		vals := map[string]string{}
		for _, k := range taskFilterKeys {
			vals[k] = strings.TrimSpace(q.Get(k))
		}
		if !tasks.ValidTab(vals["tab"]) || vals["tab"] == "" {
			vals["tab"] = tasks.TabMine
		}
		if vals["overdue"] == "true" {
			vals["overdue"] = "1"
		}
		if mode != "calendar" {
			vals["month"] = ""
		} else {
			vals["due_from"], vals["due_to"], vals["sort"] = "", "", ""
		}
		if mode == "board" {
			vals["sort"] = ""
		}
		today := tasks.Today()
		v := web.TaskListView{Mode: mode, Form: web.Form{Values: vals, Errors: map[string]string{}}, Tab: vals["tab"],
			Today: today, CanGive: sub.ActingUnit != 0, Query: taskQuery(vals, "month"),
			ClearURL: path + "?tab=" + url.QueryEscape(vals["tab"])}
		for _, t := range tasks.Tabs {
			if t.Key == vals["tab"] {
				v.TabHint = t.Hint
			}
		}
		for _, k := range taskFilterKeys {
			if k != "tab" && k != "sort" && k != "month" && vals[k] != "" {
				v.Filtered = true
			}
		}
		status := http.StatusOK
		f, err := taskFilter(vals)
		if err == nil {
			switch mode {
			case "board":
				err = s.taskBoard(ctx, sub, f, vals, &v)
			case "calendar":
				err = s.taskCalendar(ctx, sub, f, vals, &v)
			default:
				f.Cursor = q.Get("cursor")
				var page tasks.Page
				if page, err = s.tasks.List(ctx, sub, f); err == nil {
					v.Items, v.Paged = page.Items, f.Cursor != ""
					v.FirstURL = withQ(path, taskQuery(vals))
					if page.NextCursor != "" {
						v.NextURL = withQ(path, taskQuery(vals)) + map[bool]string{true: "&", false: "?"}[taskQuery(vals) != ""] +
							"cursor=" + url.QueryEscape(page.NextCursor)
					}
				}
			}
		}
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid {
				s.serverError(w, r, err)
				return
			}
			v.Form = formFromError(err, vals)
			status = http.StatusUnprocessableEntity
		}
		for _, t := range tasks.Tabs {
			n, err := s.tasks.Count(ctx, sub, tasks.Filter{Tab: t.Key, Today: today}, taskCountCap)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			tv := map[string]string{}
			for k, val := range vals {
				tv[k] = val
			}
			tv["tab"] = t.Key
			v.Tabs = append(v.Tabs, web.IncomingTab{Key: t.Key, Label: t.Label, Href: withQ(path, taskQuery(tv)),
				Count: countLabel(n), Active: t.Key == vals["tab"]})
		}
		s.render(w, r, status, web.TaskListPage(s.page(r, "Công việc", "tasks"), v))
	}
}

// boardStatuses are the board's columns (cancelled tasks show only when
// asked for).
var boardStatuses = []string{tasks.StatusNew, tasks.StatusInProgress, tasks.StatusReturned, tasks.StatusCompleted, tasks.StatusAccepted}

const boardColumnSize = 30

func (s *Server) taskBoard(ctx context.Context, sub access.Subject, f tasks.Filter, vals map[string]string, v *web.TaskListView) error {
	counts, err := s.tasks.StatusCounts(ctx, sub, f)
	if err != nil {
		return err
	}
	statuses := boardStatuses
	switch {
	case f.Status == "open":
		statuses = []string{tasks.StatusNew, tasks.StatusInProgress, tasks.StatusReturned}
	case f.Status != "":
		statuses = []string{f.Status}
	}
	for _, st := range statuses {
		cf := f
		cf.Status, cf.Limit, cf.Sort = st, boardColumnSize, "due_asc"
		page, err := s.tasks.List(ctx, sub, cf)
		if err != nil {
			return err
		}
		col := web.TaskColumn{Status: st, Label: tasks.StatusLabel(st), Count: counts[st], Items: page.Items}
		if col.Count > len(col.Items) {
			lv := map[string]string{}
			for k, val := range vals {
				lv[k] = val
			}
			lv["status"] = st
			col.MoreURL = withQ("/tasks", taskQuery(lv))
		}
		v.Columns = append(v.Columns, col)
	}
	return nil
}

const calendarLimit = 500

func (s *Server) taskCalendar(ctx context.Context, sub access.Subject, f tasks.Filter, vals map[string]string, v *web.TaskListView) error {
	today := tasks.Today()
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m := vals["month"]; m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return apperr.Invalid("Tháng không hợp lệ.", map[string]string{"month": "Tháng phải có dạng YYYY-MM."})
		}
		first = t
	}
	last := first.AddDate(0, 1, -1)
	f.DueFrom, f.DueTo, f.Limit, f.Sort = &first, &last, calendarLimit, "due_asc"
	page, err := s.tasks.List(ctx, sub, f)
	if err != nil {
		return err
	}
	off := map[string]string{}
	for _, y := range []int{first.Year() - 1, first.Year(), first.Year() + 1} {
		days, err := calendar.New(s.db).List(ctx, y)
		if err != nil {
			return err
		}
		for _, d := range days {
			off[d.Day.Format(time.DateOnly)] = string(d.Kind) + "|" + d.Name
		}
	}
	byDay := map[string][]tasks.Item{}
	for _, it := range page.Items {
		k := it.DueDate.Format(time.DateOnly)
		byDay[k] = append(byDay[k], it)
	}
	month := func(t time.Time) string {
		mv := map[string]string{}
		for k, val := range vals {
			mv[k] = val
		}
		mv["month"] = t.Format("2006-01")
		return withQ("/tasks/calendar", taskQuery(mv))
	}
	m := &web.TaskMonth{Label: fmt.Sprintf("Tháng %d/%d", first.Month(), first.Year()), Value: first.Format("2006-01"),
		PrevURL: month(first.AddDate(0, -1, 0)), NextURL: month(first.AddDate(0, 1, 0)), TodayURL: month(today), Count: len(page.Items)}
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7)) // back to Monday
	for d := start; !d.After(last) || d.Weekday() != time.Monday; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			m.Weeks = append(m.Weeks, nil)
		}
		k := d.Format(time.DateOnly)
		kind, name, _ := strings.Cut(off[k], "|")
		day := web.TaskDay{Date: d, InMonth: d.Month() == first.Month(), Today: d.Equal(today),
			Off: !calendar.Working(d, calendar.Kind(kind)), Items: byDay[k]}
		if kind == string(calendar.Holiday) {
			day.OffName = name
		}
		m.Weeks[len(m.Weeks)-1] = append(m.Weeks[len(m.Weeks)-1], day)
	}
	v.Month = m
	return nil
}

// ---- New task ----

// taskFormFields are the text fields of the new-task form.
var taskFormFields = []string{"title", "description", "lead", "priority", "due_in_working_days", "start_date", "due_date",
	"parent_id", "direction_id", "document_id"}

func (s *Server) taskNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	vals := map[string]string{"priority": "normal"}
	v := web.TaskFormView{Today: tasks.Today()}
	var extra []web.RoutingOption
	switch {
	case q.Get("parent") != "":
		id, _ := strconv.ParseInt(q.Get("parent"), 10, 64)
		p, err := s.tasks.Get(ctx, sub, id)
		if err != nil {
			s.taskDenied(w, r, "task.create", id, err)
			return
		}
		if !tasks.CanAddSubtask(sub, p) {
			s.taskDenied(w, r, "task.create", id, apperr.Forbidden("Chỉ người giao việc hoặc người chủ trì công việc đang mở được thêm việc con."))
			return
		}
		v.Parent = &p
		vals["parent_id"] = strconv.FormatInt(p.ID, 10)
	case q.Get("direction_id") != "":
		dirID, _ := strconv.ParseInt(q.Get("direction_id"), 10, 64)
		docID, err := s.tasks.DirectionDocument(ctx, dirID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		doc, ok := s.loadDocument(w, r, docID)
		if !ok {
			return
		}
		dirs, err := s.routing.Directions(ctx, docID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, d := range dirs {
			if d.ID != dirID {
				continue
			}
			v.Direction = d.Body
			vals["description"] = d.Body
			var coop []string
			for _, a := range d.Assignments {
				value := ""
				switch {
				case a.AssigneeUserID != nil:
					value = "user:" + strconv.FormatInt(*a.AssigneeUserID, 10)
				case a.AssigneeUnitID != nil:
					value = "unit:" + strconv.FormatInt(*a.AssigneeUnitID, 10)
				}
				switch a.Role {
				case routing.RoleLead:
					vals["lead"] = value
				case routing.RoleCooperate:
					coop = append(coop, value)
				default:
					continue
				}
				group := "Cá nhân"
				if a.AssigneeUnitID != nil {
					group = "Đơn vị"
				}
				extra = append(extra, web.RoutingOption{Value: value, Label: a.AssigneeName, Group: group})
			}
			vals["cooperate"] = strings.Join(coop, ",")
			if d.Deadline != nil && !d.Deadline.Before(tasks.Today()) {
				vals["due_date"] = d.Deadline.Format("02/01/2006")
			}
		}
		vals["title"] = truncateRunes(doc.Subject, tasks.MaxTitle)
		vals["direction_id"] = strconv.FormatInt(dirID, 10)
		vals["document_id"] = strconv.FormatInt(docID, 10)
		v.Document = taskSourceOf(doc)
	case q.Get("document_id") != "":
		docID, _ := strconv.ParseInt(q.Get("document_id"), 10, 64)
		doc, ok := s.loadDocument(w, r, docID)
		if !ok {
			return
		}
		vals["title"] = truncateRunes(strings.Join(strings.Fields("Triển khai thực hiện "+doc.TypeName+" "+doc.Symbol), " "), tasks.MaxTitle)
		vals["description"] = doc.Subject
		if doc.DueDate != nil && !doc.DueDate.Before(tasks.Today()) {
			vals["due_date"] = doc.DueDate.Format("02/01/2006")
		}
		vals["document_id"] = strconv.FormatInt(docID, 10)
		v.Document = taskSourceOf(doc)
	}
	v.Form = web.Form{Values: vals, Errors: map[string]string{}}
	if err := s.taskFormChoices(ctx, sub, &v, extra); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.TaskFormPage(s.page(r, "Giao việc", "tasks"), v))
}

func truncateRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n])
	}
	return s
}

func taskSourceOf(d documents.Document) *web.TaskSourceDoc {
	return &web.TaskSourceDoc{ID: d.ID, Label: strings.TrimSpace(d.TypeName + " " + d.Symbol), Subject: d.Subject, Visible: true}
}

// taskFormChoices fills the assignee selects: people first, then units,
// plus any prefilled assignee the lists leave out.
func (s *Server) taskFormChoices(ctx context.Context, sub access.Subject, v *web.TaskFormView, extra []web.RoutingOption) error {
	units, people, err := s.tasks.Choices(ctx, sub)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range people {
		o := web.RoutingOption{Value: "user:" + strconv.FormatInt(p.ID, 10), Label: p.Name + " — " + p.Units, Group: "Cá nhân"}
		seen[o.Value] = true
		v.Assignees = append(v.Assignees, o)
	}
	for _, e := range extra {
		if !seen[e.Value] && e.Group == "Cá nhân" {
			seen[e.Value] = true
			v.Assignees = append(v.Assignees, e)
		}
	}
	for _, u := range units {
		o := web.RoutingOption{Value: "unit:" + strconv.FormatInt(u.ID, 10), Label: u.Name, Group: "Đơn vị"}
		seen[o.Value] = true
		v.Assignees = append(v.Assignees, o)
	}
	for _, e := range extra {
		if !seen[e.Value] && e.Group == "Đơn vị" {
			seen[e.Value] = true
			v.Assignees = append(v.Assignees, e)
		}
	}
	return nil
}

func (s *Server) taskCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := map[string]string{}
	for _, k := range taskFormFields {
		vals[k] = r.PostFormValue(k)
	}
	var coop []string
	for _, c := range r.PostForm["cooperate"] {
		if c != "" {
			coop = append(coop, c)
		}
	}
	vals["cooperate"] = strings.Join(coop, ",")
	fields := apperr.Fields{}
	in := tasks.CreateInput{Title: vals["title"], Description: vals["description"], Priority: vals["priority"]}
	if v := vals["lead"]; v != "" {
		a, ok := parseAssignee(v)
		if !ok {
			fields.Add("lead", "Người hoặc đơn vị chủ trì không hợp lệ.")
		}
		in.Assignees = append(in.Assignees, tasks.AssigneeInput{Target: tasks.Target{UserID: a.UserID, UnitID: a.UnitID}, Role: tasks.RoleLead})
	}
	for _, c := range coop {
		a, ok := parseAssignee(c)
		if !ok {
			fields.Add("cooperate", "Lựa chọn phối hợp không hợp lệ.")
			continue
		}
		in.Assignees = append(in.Assignees, tasks.AssigneeInput{Target: tasks.Target{UserID: a.UserID, UnitID: a.UnitID}, Role: tasks.RoleCooperate})
	}
	num := func(name, msg string) int64 {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fields.Add(name, msg)
		}
		return n
	}
	date := func(name string) *time.Time {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return nil
		}
		d, ok := parseDate(v)
		if !ok {
			fields.Add(name, "Ngày phải có dạng dd/mm/yyyy, ví dụ 05/05/2026.")
			return nil
		}
		return &d
	}
	in.ParentID = num("parent_id", "Công việc cha không hợp lệ.")
	in.DirectionID = num("direction_id", "Ý kiến chỉ đạo không hợp lệ.")
	in.DocumentID = num("document_id", "Văn bản không hợp lệ.")
	if strings.TrimSpace(vals["due_in_working_days"]) != "" {
		n := int(num("due_in_working_days", "Số ngày làm việc phải là số nguyên dương."))
		if fields["due_in_working_days"] == "" {
			in.DueInWorkingDays = &n
		}
	}
	in.StartDate, in.DueDate = date("start_date"), date("due_date")
	var task tasks.Task
	var err error
	if len(fields) == 0 {
		task, err = s.tasks.Create(ctx, sub, s.actor(r), in)
	} else {
		// Values that could not be read: every other problem too, at once.
		err = s.tasks.Check(ctx, sub, in)
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			for k, m := range e.Fields {
				if fields[k] == "" {
					fields[k] = m
				}
			}
			err = nil
		}
		if err == nil {
			err = fields.Err()
		}
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict) {
			if ok && (e.Kind == apperr.KindForbidden || e.Kind == apperr.KindNotFound) {
				s.taskDenied(w, r, "task.create", in.ParentID, err)
				return
			}
			s.writeError(w, r, err)
			return
		}
		f := formFromError(err, vals)
		for from, to := range map[string]string{"assignees": "lead", "parent_id": "title", "direction_id": "title", "document_id": "title", "unit_id": "lead"} {
			if m, ok := f.Errors[from]; ok {
				delete(f.Errors, from)
				if f.Errors[to] == "" {
					f.Errors[to] = m
				}
			}
		}
		if len(f.Errors) > 0 {
			f.Error = "Chưa giao việc: vui lòng sửa các ô được đánh dấu."
		}
		v := web.TaskFormView{Form: f, Today: tasks.Today()}
		if in.ParentID != 0 {
			if p, err := s.tasks.Get(ctx, sub, in.ParentID); err == nil {
				v.Parent = &p
			}
		}
		if in.DocumentID != 0 {
			if d, err := s.docs.Get(ctx, sub, in.DocumentID); err == nil {
				v.Document = taskSourceOf(d)
			}
		}
		if err := s.taskFormChoices(ctx, sub, &v, nil); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, statusOf(e.Kind), web.TaskFormPage(s.page(r, "Giao việc", "tasks"), v))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/tasks/%d?ok=created", task.ID), http.StatusSeeOther)
}

// ---- The task page ----

func taskIDParam(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	return id
}

// taskDenied answers a task that may not be seen (or an action refused),
// auditing the refusal.
func (s *Server) taskDenied(w http.ResponseWriter, r *http.Request, action string, id int64, err error) {
	if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "task",
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": errorMessage(err)}})
	}
	s.writeError(w, r, err)
}

func (s *Server) taskPageView(r *http.Request, id int64) (web.TaskPageView, error) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	t, err := s.tasks.Get(ctx, sub, id)
	if err != nil {
		return web.TaskPageView{}, err
	}
	v := web.TaskPageView{Task: t, Today: tasks.Today(), Role: tasks.ActsFor(sub, t), IsAssigner: tasks.IsAssigner(sub, t),
		CanSubtask: tasks.CanAddSubtask(sub, t), MaxFile: humanBytes(s.cfg.MaxFileBytes), MaxFileSize: s.cfg.MaxFileBytes}
	if v.Updates, err = s.tasks.Updates(ctx, id); err != nil {
		return v, err
	}
	if v.Extensions, err = s.tasks.Extensions(ctx, id); err != nil {
		return v, err
	}
	if v.Events, err = s.tasks.Timeline(ctx, id); err != nil {
		return v, err
	}
	subs, err := s.tasks.List(ctx, sub, tasks.Filter{Tab: tasks.TabAll, ParentID: id, Limit: 200})
	if err != nil {
		return v, err
	}
	v.Subtasks = subs.Items
	if t.DocumentID != nil {
		d, err := s.docs.Get(ctx, sub, *t.DocumentID)
		switch {
		case err == nil:
			v.Source = taskSourceOf(d)
		case errors.Is(err, documents.ErrNotFound):
			v.Source = &web.TaskSourceDoc{ID: *t.DocumentID}
		default:
			return v, err
		}
	}
	return v, nil
}

func (s *Server) taskPage(w http.ResponseWriter, r *http.Request) {
	id := taskIDParam(r, "id")
	v, err := s.taskPageView(r, id)
	if err != nil {
		s.taskDenied(w, r, "task.view", id, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "task.view", Outcome: audit.OutcomeSuccess, ObjectType: "task", ObjectID: strconv.FormatInt(id, 10)})
	p := s.page(r, fmt.Sprintf("Công việc #%d", id), "tasks")
	if msg := web.TaskDoneMessage(r.URL.Query().Get("ok")); msg != "" {
		p.Flash = &web.Flash{Kind: "ok", Message: msg}
	}
	s.render(w, r, http.StatusOK, web.TaskPage(p, v))
}

// showTaskRefusal renders the task page again with a refused form's
// values and messages (or the reason an action was refused).
func (s *Server) showTaskRefusal(w http.ResponseWriter, r *http.Request, action, form string, id int64, vals map[string]string, rename map[string]string, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		s.serverError(w, r, err)
		return
	}
	if e.Kind == apperr.KindNotFound {
		s.taskDenied(w, r, action, id, err)
		return
	}
	if e.Kind == apperr.KindForbidden {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "task",
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	v, verr := s.taskPageView(r, id)
	if verr != nil {
		s.taskDenied(w, r, action, id, verr)
		return
	}
	f := web.Form{Values: vals, Errors: map[string]string{}}
	for k, m := range e.Fields {
		if to, ok := rename[k]; ok {
			k = to
		}
		f.Errors[k] = m
	}
	if e.Kind == apperr.KindInvalid {
		f.Error = e.Message
	} else {
		v.Error = e.Message
	}
	v.Forms = map[string]web.Form{form: f}
	s.render(w, r, statusOf(e.Kind), web.TaskPage(s.page(r, fmt.Sprintf("Công việc #%d", id), "tasks"), v))
}

// taskAction runs a form action on a task and goes back to its page; a
// refused one shows the page with the form's messages.
func (s *Server) taskAction(form, done string, rename map[string]string, run func(r *http.Request, id int64) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := taskIDParam(r, "id")
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, err)
			return
		}
		key, err := run(r, id)
		if err != nil {
			vals := map[string]string{}
			for k := range r.PostForm {
				vals[k] = r.PostFormValue(k)
			}
			s.showTaskRefusal(w, r, "task."+form, form, id, vals, rename, err)
			return
		}
		if key == "" {
			key = done
		}
		http.Redirect(w, r, fmt.Sprintf("/tasks/%d?ok=%s", id, key), http.StatusSeeOther)
	}
}

func (s *Server) formExtension(r *http.Request, id int64) (string, error) {
	f := apperr.Fields{}
	in := tasks.ExtensionInput{Reason: r.PostFormValue("reason")}
	in.DueDate = formDate(r, "due_date", f)
	if v := strings.TrimSpace(r.PostFormValue("working_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Add("working_days", "Số ngày làm việc phải là số nguyên.")
		}
		in.WorkingDays = n
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	_, err := s.tasks.RequestExtension(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	return "", err
}

func (s *Server) formDecide(r *http.Request, id int64) (string, error) {
	ext := taskIDParam(r, "ext_id")
	approve := r.PostFormValue("decision") == "approve"
	if d := r.PostFormValue("decision"); d != "approve" && d != "reject" {
		return "", apperr.Invalid("Vui lòng chọn đồng ý hoặc không đồng ý.", map[string]string{"decision_note": "Vui lòng chọn đồng ý hoặc không đồng ý."})
	}
	_, err := s.tasks.DecideExtension(r.Context(), subjectFrom(r.Context()), s.actor(r), id, ext, approve, r.PostFormValue("decision_note"))
	if approve {
		return "extension_approved", err
	}
	return "extension_rejected", err
}

func (s *Server) formTaskComplete(r *http.Request, id int64) (string, error) {
	_, err := s.tasks.Complete(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("result"))
	return "", err
}

func (s *Server) formTaskAccept(r *http.Request, id int64) (string, error) {
	_, err := s.tasks.Accept(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("accept_note"))
	return "", err
}

func (s *Server) formTaskReturn(r *http.Request, id int64) (string, error) {
	_, err := s.tasks.Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("return_reason"))
	return "", err
}

func (s *Server) formTaskCancel(r *http.Request, id int64) (string, error) {
	_, err := s.tasks.Cancel(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("cancel_reason"))
	return "", err
}

// taskProgressSubmit takes a progress report with its files, streamed:
// each file is spooled and checked by content; a refused file is a
// message on the form.
func (s *Server) taskProgressSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vals := map[string]string{}
	var uploads []*documents.Upload
	defer func() { documents.CloseAll(uploads) }()
	fields := apperr.Fields{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, k := range []string{"task_id", "percent", "note"} {
			vals[k] = r.PostFormValue(k)
		}
	default:
		mr, err := r.MultipartReader()
		if err != nil {
			s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ: hãy gửi lại từ trang công việc.", nil))
			return
		}
		var fileErrs []string
		for n := 0; ; n++ {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.writeError(w, r, err)
					return
				}
				s.writeError(w, r, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang hoặc không hợp lệ; vui lòng gửi lại.", nil))
				return
			}
			if n >= maxFormParts {
				part.Close()
				s.writeError(w, r, apperr.Invalid("Biểu mẫu có quá nhiều phần.", nil))
				return
			}
			switch name := part.FormName(); name {
			case "files":
				if part.FileName() == "" {
					break
				}
				if len(uploads) >= tasks.MaxFiles {
					fileErrs = appendOnce(fileErrs, fmt.Sprintf("Mỗi lần cập nhật kèm tối đa %d tệp.", tasks.MaxFiles))
					break
				}
				u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
				if err != nil {
					if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
						fileErrs = append(fileErrs, e.Message)
						break
					}
					part.Close()
					s.writeError(w, r, err)
					return
				}
				uploads = append(uploads, u)
			case "task_id", "percent", "note":
				b, err := io.ReadAll(io.LimitReader(part, maxFormFieldBytes+1))
				if err != nil {
					part.Close()
					s.writeError(w, r, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang; vui lòng gửi lại.", nil))
					return
				}
				if len(b) > maxFormFieldBytes {
					fields.Add(name, "Nội dung quá dài.")
					b = b[:0]
				}
				vals[name] = strings.ToValidUTF8(string(b), "")
			}
			part.Close()
		}
		if len(fileErrs) > 0 {
			fields.Add("files", strings.Join(fileErrs, " "))
		}
	}
	id, err := strconv.ParseInt(strings.TrimSpace(vals["task_id"]), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, tasks.ErrNotFound)
		return
	}
	in := tasks.ProgressInput{Note: vals["note"], Files: uploads}
	if v := strings.TrimSpace(vals["percent"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fields.Add("percent", "Tiến độ phải là số từ 0 đến 100.")
		}
		in.Percent = &n
	}
	err = fields.Err()
	if err == nil {
		_, err = s.tasks.Progress(ctx, subjectFrom(ctx), s.actor(r), id, in)
	} else if _, gerr := s.tasks.Get(ctx, subjectFrom(ctx), id); gerr != nil {
		err = gerr // who may not see the task learns nothing from validation
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid && len(uploads) > 0 {
			e.Message += " Các tệp đã chọn chưa được lưu; vui lòng chọn lại."
		}
		s.showTaskRefusal(w, r, "task.progress", "progress", id, vals, nil, err)
		return
	}
	next := fmt.Sprintf("/tasks/%d?ok=progress", id)
	if r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		w.Header().Set("Location", next)
		w.WriteHeader(http.StatusCreated)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) taskFile(w http.ResponseWriter, r *http.Request) {
	id, fileID := taskIDParam(r, "id"), taskIDParam(r, "file_id")
	rc, f, err := s.tasks.OpenFile(r.Context(), subjectFrom(r.Context()), id, fileID)
	if err != nil {
		s.taskDenied(w, r, "task.download", id, err)
		return
	}
	defer rc.Close()
	s.recordAudit(r, audit.Entry{Action: "task.download", Outcome: audit.OutcomeSuccess, ObjectType: "task", ObjectID: strconv.FormatInt(id, 10),
		Details: map[string]any{"file_id": f.ID, "sha256": f.SHA256}})
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Checksum-Sha256", f.SHA256)
	h.Set("Content-Disposition", objectstore.ContentDisposition(f.Name, false))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "file download interrupted", "err", err, "task_id", id, "file_id", f.ID)
	}
}

// ---- Directing documents ----

func (s *Server) directingList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cursor := r.URL.Query().Get("cursor")
	page, err := s.tasks.DirectingList(ctx, subjectFrom(ctx), q, cursor, 50, tasks.Today())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := web.TaskDirectingView{Items: page.Items, Q: q, Paged: cursor != ""}
	if page.NextCursor != "" {
		v.NextURL = "/tasks/directing?q=" + url.QueryEscape(q) + "&cursor=" + url.QueryEscape(page.NextCursor)
	}
	s.render(w, r, http.StatusOK, web.TaskDirectingListPage(s.page(r, "Văn bản chỉ đạo", "tasks"), v))
}

func (s *Server) directingPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	id := taskIDParam(r, "id")
	today := tasks.Today()
	d, err := s.tasks.DirectingSummary(ctx, sub, id, today)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
		}
		s.writeError(w, r, err)
		return
	}
	items, total, err := s.tasks.DocumentTasks(ctx, sub, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := web.TaskDirectingPageView{Doc: d, Items: items, Hidden: total - len(items), Today: today, CanGive: sub.ActingUnit != 0}
	s.render(w, r, http.StatusOK, web.TaskDirectingDocPage(s.page(r, "Theo dõi văn bản chỉ đạo", "tasks"), v))
}

func (s *Server) documentDirecting(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	doc, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	on := r.PostFormValue("on") == "1"
	if err := s.tasks.SetDirecting(r.Context(), subjectFrom(r.Context()), s.actor(r), doc, on, r.PostFormValue("note")); err != nil {
		if errors.Is(err, apperr.ErrForbidden) {
			s.recordAudit(r, audit.Entry{Action: "document.directing_mark", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
		}
		s.writeError(w, r, err)
		return
	}
	key := "directing_off"
	if on {
		key = "directing_on"
	}
	http.Redirect(w, r, fmt.Sprintf("/documents/%d?task_ok=%s#cong-viec", id, key), http.StatusSeeOther)
}

// documentTaskPanel is the work part of a document's handling panel.
func (s *Server) documentTaskPanel(r *http.Request, doc documents.Document, dirs []routing.Direction) (web.TaskPanel, error) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	p := web.TaskPanel{DocumentID: doc.ID, Today: tasks.Today(), CanMark: tasks.CanMarkDirecting(sub, doc),
		Flash: web.TaskDoneMessage(r.URL.Query().Get("task_ok"))}
	var err error
	if p.Directing, err = s.tasks.IsDirecting(ctx, doc.ID); err != nil {
		return p, err
	}
	var total int
	if p.Tasks, total, err = s.tasks.DocumentTasks(ctx, sub, doc.ID); err != nil {
		return p, err
	}
	p.Hidden = total - len(p.Tasks)
	// Leaders give tasks from a document; so does whoever handles a part
	// of it (to break their part down).
	p.CanCreate = sub.ActingUnit != 0 && hasAnyRole(identity.RoleLeader)(sub)
	for _, d := range dirs {
		for _, a := range d.Assignments {
			if a.Open() && routing.CanHandle(sub, a) {
				p.CanCreate = true
			}
		}
	}
	for _, d := range dirs {
		if d.Reassignment || len(d.Assignments) == 0 {
			continue
		}
		p.Directions = append(p.Directions, web.Option{Value: strconv.FormatInt(d.ID, 10),
			Label: "ý kiến của " + d.AuthorName + " (" + d.CreatedAt.In(vietnam).Format("02/01/2006") + ")"})
	}
	return p, nil
}
