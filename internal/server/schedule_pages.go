package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/printout"
	"vanthu/internal/schedules"
	"vanthu/web"
)

// scheduleRoutes: the work schedules (lịch công tác) under /schedules, the
// printed week, and the calendar feed address on the account page.
// Mounted in the signed-in page group; the feed itself is in
// scheduleFeedRoutes.
func (s *Server) scheduleRoutes(r chi.Router) {
	r.Get("/schedules", s.schedulePage)
	r.Get("/schedules/print.pdf", s.schedulePrint)
	r.Get("/schedules/mine", s.scheduleMine)
	r.Get("/schedules/leaders", s.scheduleLeaders)
	r.Get("/schedules/entries/new", s.scheduleEntryNew)
	r.Post("/schedules/entries", s.scheduleEntryCreate)
	r.Get("/schedules/entries/{id:[0-9]+}/edit", s.scheduleEntryEdit)
	r.Post("/schedules/entries/{id:[0-9]+}", s.scheduleEntryUpdate)
	r.Post("/schedules/entries/{id:[0-9]+}/delete", s.scheduleEntryDelete)
	r.Post("/schedules/publish", s.schedulePublish)
	r.Post("/schedules/copy-recurring", s.scheduleCopyRecurring)
	r.Post("/account/calendar-feed", s.calendarFeedRotate)
	r.Post("/account/calendar-feed/revoke", s.calendarFeedRevoke)
}

// scheduleNavKey is the main navigation section the schedule pages
// belong to ("Công việc").
const scheduleNavKey = "tasks"

func (s *Server) schedulePageData(r *http.Request, title string) web.Page {
	p := s.page(r, title, scheduleNavKey)
	p.Flash = web.ScheduleFlash(r.URL.Query().Get("ok"))
	return p
}

// scheduleWeekParam reads ?week= (2026-W17) or ?date= (dd/mm/yyyy); the
// current week in Vietnam when absent. ok is false for a value that
// cannot be read.
func scheduleWeekParam(q url.Values) (schedules.Week, bool) {
	if v := strings.TrimSpace(q.Get("week")); v != "" {
		if w, ok := schedules.ParseWeek(v); ok {
			return w, true
		}
		return schedules.WeekOf(today()), false
	}
	if v := strings.TrimSpace(q.Get("date")); v != "" {
		if d, ok := schedules.ParseDate(v); ok {
			return schedules.WeekOf(d), true
		}
		return schedules.WeekOf(today()), false
	}
	return schedules.WeekOf(today()), true
}

// scheduleUnitParam reads ?unit_id=, defaulting to the viewer's unit.
func (s *Server) scheduleUnitParam(r *http.Request, sub access.Subject) (int64, error) {
	if v := strings.TrimSpace(r.URL.Query().Get("unit_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return 0, schedules.ErrNotFound
		}
		return id, nil
	}
	return s.schedules.DefaultUnit(r.Context(), sub)
}

func scheduleURL(path string, unitID int64, week schedules.Week) string {
	v := url.Values{}
	if unitID != 0 {
		v.Set("unit_id", strconv.FormatInt(unitID, 10))
	}
	v.Set("week", week.String())
	return path + "?" + v.Encode()
}

func (s *Server) scheduleNav(r *http.Request, tab, path string, unitID int64, week schedules.Week) (web.ScheduleNav, error) {
	n := web.ScheduleNav{Tab: tab, UnitID: unitID, Week: week.String(), WeekLabel: week.Label(),
		PrevURL: scheduleURL(path, unitID, week.Prev()), NextURL: scheduleURL(path, unitID, week.Next())}
	if now := schedules.WeekOf(today()); now != week {
		n.ThisURL = scheduleURL(path, unitID, now)
	}
	if tab == "mine" {
		return n, nil
	}
	units, err := s.schedules.Units(r.Context(), subjectFrom(r.Context()), unitID)
	if err != nil {
		return n, err
	}
	for _, u := range units {
		n.Units = append(n.Units, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	return n, nil
}

// scheduleDays lays entries out by day: Monday–Friday always, the weekend
// when it has entries (or always, with all set); periods span their rows.
func scheduleDays(week schedules.Week, entries []schedules.Entry, all bool, row func(schedules.Entry) web.ScheduleRow) []web.ScheduleDay {
	var days []web.ScheduleDay
	now := today()
	for i := 0; i < 7; i++ {
		day := week.Start().AddDate(0, 0, i)
		d := web.ScheduleDay{Weekday: schedules.Weekday(day), Date: day.Format("02/01/2006"), Today: day.Equal(now)}
		start := -1
		for _, e := range entries {
			if !e.Day.Equal(day) {
				continue
			}
			rv := row(e)
			rv.Period = schedules.PeriodLabel(e.Period())
			if start >= 0 && d.Rows[start].Period == rv.Period {
				d.Rows[start].PeriodSpan++
			} else {
				start = len(d.Rows)
				rv.PeriodSpan = 1
			}
			d.Rows = append(d.Rows, rv)
		}
		if len(d.Rows) == 0 && (i >= 5 || all) {
			continue
		}
		days = append(days, d)
	}
	return days
}

func personNames(ps []schedules.Person) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func scheduleRowOf(e schedules.Entry) web.ScheduleRow {
	return web.ScheduleRow{ID: e.ID, Time: e.TimeLabel(), Content: e.Content, Chairs: personNames(e.Chairs),
		Attendees: schedules.Attendance(e), Place: e.Place, Preparer: schedules.Preparer(e), Notes: e.Notes,
		Unit: e.UnitName, Adjusted: e.Adjusted(), Cancelled: e.Cancelled(), Recurring: e.Recurring}
}

func (s *Server) schedulePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	week, okWeek := scheduleWeekParam(r.URL.Query())
	unitID, err := s.scheduleUnitParam(r, sub)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := s.schedulePageData(r, "Lịch công tác")
	if !okWeek {
		p.Flash = web.ScheduleFlash("badweek")
	}
	if unitID == 0 { // in no unit: only their own entries can concern them
		http.Redirect(w, r, scheduleURL("/schedules/mine", 0, week), http.StatusSeeOther)
		return
	}
	sch, err := s.schedules.Week(ctx, sub, unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.view", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	nav, err := s.scheduleNav(r, "unit", "/schedules", unitID, week)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := web.ScheduleWeekView{Nav: nav, UnitName: sch.UnitName, Status: sch.Status, StatusLabel: schedules.StatusLabel(sch.Status),
		PublishedAt: sch.PublishedAt, PublishedBy: sch.PublishedBy, CanEdit: sch.CanEdit, Live: sch.Live(),
		PrintURL: scheduleURL("/schedules/print.pdf", unitID, week), NewURL: scheduleURL("/schedules/entries/new", unitID, week)}
	v.Days = scheduleDays(week, sch.Entries, false, func(e schedules.Entry) web.ScheduleRow {
		row := scheduleRowOf(e)
		if sch.CanEdit {
			row.EditURL = fmt.Sprintf("/schedules/entries/%d/edit", e.ID)
			row.DeleteURL = fmt.Sprintf("/schedules/entries/%d/delete", e.ID)
		}
		return row
	})
	s.render(w, r, http.StatusOK, web.SchedulePage(p, v))
}

func (s *Server) schedulePrint(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	week, ok := scheduleWeekParam(r.URL.Query())
	if !ok {
		s.writeError(w, r, apperr.Invalid("Tuần không hợp lệ (dạng 2026-W17).", map[string]string{"week": "Tuần không hợp lệ."}))
		return
	}
	unitID, err := s.scheduleUnitParam(r, sub)
	if err == nil && unitID == 0 {
		err = schedules.ErrNotFound
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sch, err := s.schedules.Week(ctx, sub, unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.print", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	doc := printout.ScheduleWeek{ParentName: sch.ParentName, UnitName: sch.UnitName, Week: week.Num, Year: week.Year,
		From: week.Start(), To: week.End(), Draft: sch.Status == schedules.StatusDraft, PrintedAt: time.Now()}
	for _, e := range sch.Entries {
		attendees := schedules.Attendance(e)
		if c := personNames(e.Chairs); c != "" {
			attendees = strings.TrimSuffix("Chủ trì: "+c+"; "+attendees, "; ")
		}
		doc.Rows = append(doc.Rows, printout.ScheduleRow{Day: e.Day, Period: schedules.PeriodLabel(e.Period()), Time: e.TimeLabel(),
			Content: e.Content, Attendees: attendees, Place: e.Place, Preparer: schedules.Preparer(e),
			Adjusted: e.Adjusted(), Cancelled: e.Cancelled()})
	}
	var buf bytes.Buffer
	if err := printout.SchedulePDF(&buf, doc); err != nil {
		s.serverError(w, r, fmt.Errorf("schedule of unit %d week %s: %w", unitID, week, err))
		return
	}
	s.recordAudit(r, audit.Entry{Action: "schedule.print", Outcome: audit.OutcomeSuccess, ObjectType: "schedule",
		ObjectID: strconv.FormatInt(sch.ID, 10), Details: map[string]any{"unit_id": unitID, "week": week.String()}})
	writeDownload(w, "application/pdf", fmt.Sprintf("Lịch công tác tuần %d-%d.pdf", week.Num, week.Year), true, buf.Bytes())
}

func (s *Server) scheduleMine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	week, okWeek := scheduleWeekParam(r.URL.Query())
	entries, err := s.schedules.Mine(ctx, sub, week)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	nav, err := s.scheduleNav(r, "mine", "/schedules/mine", 0, week)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	nav.UnitID = sub.ActingUnit
	feed, err := s.schedules.Feed(ctx, sub.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := web.ScheduleListView{Nav: nav, NoFeed: feed == nil}
	v.Days = scheduleDays(week, entries, true, func(e schedules.Entry) web.ScheduleRow {
		row := scheduleRowOf(e)
		row.Role = schedules.RoleLabel(e.Role)
		return row
	})
	p := s.schedulePageData(r, "Lịch của tôi")
	if !okWeek {
		p.Flash = web.ScheduleFlash("badweek")
	}
	s.render(w, r, http.StatusOK, web.ScheduleMinePage(p, v))
}

func (s *Server) scheduleLeaders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	week, okWeek := scheduleWeekParam(r.URL.Query())
	unitID, err := s.scheduleUnitParam(r, sub)
	if err == nil && unitID == 0 {
		err = schedules.ErrNotFound
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	leaders, err := s.schedules.Leaders(ctx, sub, unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.view", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	nav, err := s.scheduleNav(r, "leaders", "/schedules/leaders", unitID, week)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name, err := s.unitName(r, unitID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := web.ScheduleListView{Nav: nav, UnitName: name}
	for _, l := range leaders {
		v.Leaders = append(v.Leaders, web.ScheduleLeader{Name: l.Person.Name, Title: l.Title,
			Days: scheduleDays(week, l.Entries, true, func(e schedules.Entry) web.ScheduleRow {
				row := scheduleRowOf(e)
				row.Role = schedules.RoleLabel(e.Role)
				return row
			})})
	}
	p := s.schedulePageData(r, "Lịch lãnh đạo")
	if !okWeek {
		p.Flash = web.ScheduleFlash("badweek")
	}
	s.render(w, r, http.StatusOK, web.ScheduleLeadersPage(p, v))
}

// auditRefusal records a refused schedule request (not found or not
// allowed) in the audit log.
func (s *Server) auditRefusal(r *http.Request, action, objectType string, objectID int64, err error) {
	if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: objectType,
			ObjectID: strconv.FormatInt(objectID, 10)})
	}
}

func (s *Server) unitName(r *http.Request, id int64) (string, error) {
	var name string
	err := s.db.QueryRow(r.Context(), `SELECT name FROM units WHERE id = $1`, id).Scan(&name)
	return name, err
}

// ---- The entry form ----

// scheduleFormFields are the entry form's single-valued fields.
var scheduleFormFields = []string{"unit_id", "week", "date", "start", "end", "place", "content", "attendees_text",
	"preparer_unit_id", "preparer_user_id", "preparer_text", "notes", "recurring"}

// scheduleFormView fills the entry form's choices; fresh marks a new,
// empty form.
func (s *Server) scheduleFormView(r *http.Request, f web.Form, unitID int64, week schedules.Week, chairs, attendees []string, fresh bool) (web.ScheduleEntryFormView, error) {
	ctx := r.Context()
	sch, err := s.schedules.Week(ctx, subjectFrom(ctx), unitID, week)
	if err != nil {
		return web.ScheduleEntryFormView{}, err
	}
	if !sch.CanEdit {
		return web.ScheduleEntryFormView{}, schedules.ErrNoEdit
	}
	v := web.ScheduleEntryFormView{Form: f, Action: "/schedules/entries", UnitID: unitID, UnitName: sch.UnitName,
		Week: week.String(), WeekLabel: week.Label(), BackURL: scheduleURL("/schedules", unitID, week),
		Published: sch.Status == schedules.StatusPublished, Chairs: map[string]bool{}, Attendees: map[string]bool{}}
	for i := 0; i < 7; i++ {
		d := week.Start().AddDate(0, 0, i)
		v.Days = append(v.Days, web.Option{Value: d.Format("02/01/2006"), Label: schedules.Weekday(d)})
	}
	for _, id := range chairs {
		v.Chairs[id] = true
	}
	for _, id := range attendees {
		v.Attendees[id] = true
	}
	choices, err := s.schedules.FormChoices(ctx, unitID)
	if err != nil {
		return v, err
	}
	for _, p := range choices.People {
		v.People = append(v.People, web.Option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
	}
	for _, u := range choices.Units {
		v.Units = append(v.Units, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	if fresh && choices.Office != 0 { // the office usually prepares
		v.Form.Values["preparer_unit_id"] = strconv.FormatInt(choices.Office, 10)
	}
	return v, nil
}

func (s *Server) scheduleEntryNew(w http.ResponseWriter, r *http.Request) {
	sub := subjectFrom(r.Context())
	week, _ := scheduleWeekParam(r.URL.Query())
	unitID, err := s.scheduleUnitParam(r, sub)
	if err == nil && unitID == 0 {
		err = schedules.ErrNotFound
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	day := week.Start()
	if week.Contains(today()) {
		day = today()
	}
	f := web.Form{Values: map[string]string{"date": day.Format("02/01/2006"), "start": "08:00"},
		Errors: map[string]string{}}
	v, err := s.scheduleFormView(r, f, unitID, week, nil, nil, true)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.create", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.ScheduleEntryPage(s.schedulePageData(r, "Thêm mục lịch công tác"), v))
}

// scheduleInput reads the entry form; ids that are not numbers are field
// messages.
func scheduleInput(r *http.Request) (schedules.EntryInput, map[string]string, []string, []string, apperr.Fields) {
	fields := apperr.Fields{}
	vals := map[string]string{}
	for _, k := range scheduleFormFields {
		vals[k] = r.PostFormValue(k)
	}
	id := func(name string) int64 {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fields.Add(name, "Giá trị không hợp lệ.")
			return 0
		}
		return n
	}
	ids := func(name string) ([]int64, []string) {
		raw := r.PostForm[name]
		var out []int64
		for _, v := range raw {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n <= 0 {
				fields.Add(name, "Giá trị không hợp lệ.")
				continue
			}
			out = append(out, n)
		}
		return out, raw
	}
	in := schedules.EntryInput{UnitID: id("unit_id"), Week: vals["week"], Date: vals["date"], Start: vals["start"], End: vals["end"],
		Place: vals["place"], Content: vals["content"], AttendeesText: vals["attendees_text"],
		PreparerUnit: id("preparer_unit_id"), PreparerUser: id("preparer_user_id"), PreparerText: vals["preparer_text"],
		Notes: vals["notes"], Recurring: vals["recurring"] == "1"}
	var chairs, attendees []string
	in.ChairIDs, chairs = ids("chair_ids")
	in.AttendeeIDs, attendees = ids("attendee_ids")
	return in, vals, chairs, attendees, fields
}

// showEntryForm renders the form again with what was sent and why it was
// refused.
func (s *Server) showEntryForm(w http.ResponseWriter, r *http.Request, err error, vals map[string]string, unitID int64, week schedules.Week,
	chairs, attendees []string, editID int64) {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		if editID != 0 {
			s.auditRefusal(r, "schedule.entry.update", "schedule_entry", editID, err)
		} else {
			s.auditRefusal(r, "schedule.entry.create", "unit", unitID, err)
		}
		s.writeError(w, r, err)
		return
	}
	v, ferr := s.scheduleFormView(r, formFromError(err, vals), unitID, week, chairs, attendees, false)
	if ferr != nil {
		s.writeError(w, r, ferr)
		return
	}
	title := "Thêm mục lịch công tác"
	if editID != 0 {
		v.Editing, v.Action, title = true, fmt.Sprintf("/schedules/entries/%d", editID), "Sửa mục lịch công tác"
	}
	s.render(w, r, http.StatusUnprocessableEntity, web.ScheduleEntryPage(s.schedulePageData(r, title), v))
}

func (s *Server) scheduleEntryCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	in, vals, chairs, attendees, fields := scheduleInput(r)
	week, ok := schedules.ParseWeek(in.Week)
	if !ok || in.UnitID == 0 {
		s.writeError(w, r, apperr.Invalid("Biểu mẫu thiếu đơn vị hoặc tuần; hãy mở lại từ trang lịch công tác.", nil))
		return
	}
	if err := fields.Err(); err != nil {
		s.showEntryForm(w, r, err, vals, in.UnitID, week, chairs, attendees, 0)
		return
	}
	e, err := s.schedules.CreateEntry(ctx, sub, s.actor(r), in)
	if err != nil {
		s.showEntryForm(w, r, err, vals, in.UnitID, week, chairs, attendees, 0)
		return
	}
	done := "saved"
	if e.Status == schedules.StatusPublished {
		done = "adjusted"
	}
	http.Redirect(w, r, scheduleURL("/schedules", e.UnitID, e.Week())+"&ok="+done+"#entry-"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
}

func (s *Server) scheduleEntryID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id
}

func (s *Server) scheduleEntryEdit(w http.ResponseWriter, r *http.Request) {
	id := s.scheduleEntryID(r)
	e, edit, err := s.schedules.Entry(r.Context(), subjectFrom(r.Context()), id)
	if err == nil && !edit {
		err = schedules.ErrNoEdit
	}
	if err != nil {
		s.auditRefusal(r, "schedule.entry.update", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	if e.Cancelled() {
		s.writeError(w, r, apperr.Conflict("Mục lịch này đã bị hủy, không sửa được nữa."))
		return
	}
	vals := map[string]string{"date": e.Day.Format("02/01/2006"), "start": e.Start.String(), "place": e.Place,
		"content": e.Content, "attendees_text": e.AttendeesText, "preparer_text": e.PreparerText, "notes": e.Notes}
	if e.End != nil {
		vals["end"] = e.End.String()
	}
	if e.PreparerUnit != nil {
		vals["preparer_unit_id"] = strconv.FormatInt(e.PreparerUnit.ID, 10)
	}
	if e.PreparerUser != nil {
		vals["preparer_user_id"] = strconv.FormatInt(e.PreparerUser.ID, 10)
	}
	if e.Recurring {
		vals["recurring"] = "1"
	}
	var chairs, attendees []string
	for _, p := range e.Chairs {
		chairs = append(chairs, strconv.FormatInt(p.ID, 10))
	}
	for _, p := range e.Attendees {
		attendees = append(attendees, strconv.FormatInt(p.ID, 10))
	}
	v, err := s.scheduleFormView(r, web.Form{Values: vals, Errors: map[string]string{}}, e.UnitID, e.Week(), chairs, attendees, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v.Editing, v.Action = true, fmt.Sprintf("/schedules/entries/%d", id)
	s.render(w, r, http.StatusOK, web.ScheduleEntryPage(s.schedulePageData(r, "Sửa mục lịch công tác"), v))
}

func (s *Server) scheduleEntryUpdate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	id := s.scheduleEntryID(r)
	old, _, err := s.schedules.Entry(ctx, sub, id)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.update", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	in, vals, chairs, attendees, fields := scheduleInput(r)
	if err := fields.Err(); err != nil {
		s.showEntryForm(w, r, err, vals, old.UnitID, old.Week(), chairs, attendees, id)
		return
	}
	e, err := s.schedules.UpdateEntry(ctx, sub, s.actor(r), id, in)
	if err != nil {
		s.showEntryForm(w, r, err, vals, old.UnitID, old.Week(), chairs, attendees, id)
		return
	}
	done := "saved"
	if e.Status == schedules.StatusPublished {
		done = "adjusted"
	}
	http.Redirect(w, r, scheduleURL("/schedules", e.UnitID, e.Week())+"&ok="+done, http.StatusSeeOther)
}

func (s *Server) scheduleEntryDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	id := s.scheduleEntryID(r)
	e, _, err := s.schedules.Entry(ctx, sub, id)
	var cancelled bool
	if err == nil {
		cancelled, err = s.schedules.DeleteEntry(ctx, sub, s.actor(r), id)
	}
	if err != nil {
		s.auditRefusal(r, "schedule.entry.delete", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	done := "deleted"
	if cancelled {
		done = "cancelled"
	}
	http.Redirect(w, r, scheduleURL("/schedules", e.UnitID, e.Week())+"&ok="+done, http.StatusSeeOther)
}

// scheduleWeekForm reads unit_id and week from a posted form.
func scheduleWeekForm(r *http.Request) (int64, schedules.Week, error) {
	unitID, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("unit_id")), 10, 64)
	week, ok := schedules.ParseWeek(r.PostFormValue("week"))
	if err != nil || unitID <= 0 || !ok {
		return 0, week, apperr.Invalid("Biểu mẫu thiếu đơn vị hoặc tuần; hãy mở lại từ trang lịch công tác.", nil)
	}
	return unitID, week, nil
}

func (s *Server) schedulePublish(w http.ResponseWriter, r *http.Request) {
	unitID, week, err := scheduleWeekForm(r)
	if err == nil {
		_, _, err = s.schedules.Publish(r.Context(), subjectFrom(r.Context()), s.actor(r), unitID, week)
	}
	if err != nil {
		s.auditRefusal(r, "schedule.publish", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, scheduleURL("/schedules", unitID, week)+"&ok=published", http.StatusSeeOther)
}

func (s *Server) scheduleCopyRecurring(w http.ResponseWriter, r *http.Request) {
	unitID, week, err := scheduleWeekForm(r)
	var n int
	if err == nil {
		n, err = s.schedules.CopyRecurring(r.Context(), subjectFrom(r.Context()), s.actor(r), unitID, week)
	}
	if err != nil {
		s.auditRefusal(r, "schedule.copy_recurring", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	done := "copied"
	if n == 0 {
		done = "nocopy"
	}
	http.Redirect(w, r, scheduleURL("/schedules", unitID, week)+"&ok="+done, http.StatusSeeOther)
}

// ---- The calendar feed ----

// scheduleFeedRoutes serve the iCalendar feed, authenticated by its
// secret token only (calendar applications carry no session): mounted
// outside requireUser. The token travels in the query string, which the
// access log leaves out.
func (s *Server) scheduleFeedRoutes(r chi.Router) {
	r.Get("/schedules/feed.ics", s.scheduleFeed)
}

// calendarFeedView fills the account page's calendar feed card.
func (s *Server) calendarFeedView(r *http.Request) (web.CalendarFeedView, error) {
	f, err := s.schedules.Feed(r.Context(), authFrom(r.Context()).user.ID)
	if err != nil || f == nil {
		return web.CalendarFeedView{}, err
	}
	return web.CalendarFeedView{Exists: true, CreatedAt: f.CreatedAt, LastUsedAt: f.LastUsedAt}, nil
}

func (s *Server) feedURL(token string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/schedules/feed.ics?token=" + url.QueryEscape(token)
}

func (s *Server) calendarFeedRotate(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	token, err := s.schedules.RotateFeed(r.Context(), s.actor(r), a.user.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.accountView(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Calendar.NewURL = s.feedURL(token)
	s.render(w, r, http.StatusOK, web.AccountPage(s.page(r, "Tài khoản", ""), v))
}

func (s *Server) calendarFeedRevoke(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	if err := s.schedules.RevokeFeed(r.Context(), s.actor(r), a.user.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account#calendar-feed", http.StatusSeeOther)
}

// scheduleFeed answers a calendar application with the token owner's
// published entries as iCalendar. Every request is audited; an unknown
// token answers 404.
func (s *Server) scheduleFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID, err := s.schedules.FeedUser(ctx, r.URL.Query().Get("token"))
	if err != nil {
		if errors.Is(err, schedules.ErrFeedNotFound) {
			s.recordAudit(r, audit.Entry{Action: "calendar_feed.read", Outcome: audit.OutcomeFailure, ObjectType: "calendar_feed"})
		}
		s.writeError(w, r, err)
		return
	}
	u, err := s.users.Get(ctx, userID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ms, err := s.users.Memberships(ctx, userID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sub, err := access.Load(ctx, s.db, u, ms, 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	entries, err := s.schedules.FeedEntries(ctx, sub)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	host := s.cfg.BaseURL
	if pu, err := url.Parse(s.cfg.BaseURL); err == nil && pu.Hostname() != "" {
		host = pu.Hostname()
	}
	var buf bytes.Buffer
	if err := schedules.WriteICS(&buf, schedules.Calendar{Name: "Lịch công tác – " + u.FullName, Domain: host,
		BaseURL: s.cfg.BaseURL, Entries: entries}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{ActorID: u.ID, ActorLogin: u.Login, Action: "calendar_feed.read", Outcome: audit.OutcomeSuccess,
		ObjectType: "calendar_feed", ObjectID: strconv.FormatInt(u.ID, 10), Details: map[string]any{"entries": len(entries)}})
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="lich-cong-tac.ics"`)
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
