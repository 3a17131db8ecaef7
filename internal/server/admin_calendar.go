package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/web"
)

// calendarAdminRoutes: the working-day calendar (holidays and make-up
// working days per year), for system administrators only. Mounted under
// /admin by adminRoutes.
func (s *Server) calendarAdminRoutes(r chi.Router) {
	r.Get("/calendar", s.adminCalendar)
	r.Post("/calendar", s.adminCalendarSet)
	r.Post("/calendar/delete", s.adminCalendarDelete)
	r.Post("/calendar/seed", s.adminCalendarSeed)
}

// calendarFirstYear and calendarLastYear bound the years the selector always offers.
const calendarFirstYear, calendarLastYear = 2025, 2028

// calendarStore is the working-day calendar on the server's database.
func (s *Server) calendarStore() *calendar.Calendar { return calendar.New(s.db) }

// allowCalendar lets system administrators through; anyone else gets the
// same 404 as for a missing page, and the refusal is logged.
func (s *Server) allowCalendar(w http.ResponseWriter, r *http.Request, action string) bool {
	if subjectFrom(r.Context()).IsAdmin {
		return true
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "calendar",
		Details: map[string]any{"reason": "chỉ quản trị hệ thống được quản lý lịch làm việc"}})
	s.writeProblem(w, r, http.StatusNotFound, "", nil)
	return false
}

// calendarFlash is the message after an action redirects back; the
// redirect carries only a key (and, after seeding, a count).
func calendarFlash(q url.Values) *web.Flash {
	switch q.Get("done") {
	case "set":
		return &web.Flash{Kind: "ok", Message: "Đã lưu ngày vào lịch làm việc."}
	case "deleted":
		return &web.Flash{Kind: "ok", Message: "Đã xóa ngày khỏi lịch; ngày đó trở lại là ngày làm việc hoặc ngày nghỉ cuối tuần thông thường."}
	case "seeded":
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 {
			n = 0
		}
		if n == 0 {
			return &web.Flash{Kind: "info", Message: "Lịch nghỉ chính thức đã có đủ trong bảng; không có ngày nào được thêm."}
		}
		return &web.Flash{Kind: "ok", Message: fmt.Sprintf("Đã nạp lịch nghỉ chính thức: thêm %d ngày. Các ngày đã có trong bảng được giữ nguyên.", n)}
	}
	return nil
}

func calendarURL(year int, done string) string {
	q := url.Values{"year": {strconv.Itoa(year)}}
	if done != "" {
		q.Set("done", done)
	}
	return "/admin/calendar?" + q.Encode()
}

// parseCalendarYear reads a year field; "" is the current year.
func parseCalendarYear(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return today().Year(), true
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
		return 0, false
	}
	return y, true
}

func (s *Server) adminCalendar(w http.ResponseWriter, r *http.Request) {
	if !s.allowCalendar(w, r, "calendar.view") {
		return
	}
	year, ok := parseCalendarYear(r.URL.Query().Get("year"))
	if !ok {
		s.writeProblem(w, r, http.StatusNotFound, fmt.Sprintf("Năm phải là một số trong khoảng %d–%d.", calendar.MinYear, calendar.MaxYear), nil)
		return
	}
	s.renderCalendar(w, r, http.StatusOK, year, web.Form{Values: map[string]string{"kind": string(calendar.Holiday)}}, calendarFlash(r.URL.Query()))
}

// renderCalendar shows year with the add form f.
func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status, year int, f web.Form, flash *web.Flash) {
	days, err := s.calendarStore().List(r.Context(), year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := web.CalendarView{Year: year, Days: days, Form: f}
	for y := calendarFirstYear; y <= calendarLastYear; y++ {
		v.Years = append(v.Years, y)
	}
	if year < calendarFirstYear {
		v.Years = append([]int{year}, v.Years...)
	} else if year > calendarLastYear {
		v.Years = append(v.Years, year)
	}
	listed := make(map[time.Time]bool, len(days))
	for _, d := range days {
		listed[d.Day] = true
	}
	for _, d := range calendar.Official() {
		if d.Day.Year() == year && !listed[d.Day] {
			v.MissingOfficial++
		}
	}
	p := s.page(r, fmt.Sprintf("Lịch làm việc năm %d", year), "admin")
	p.Flash = flash
	s.render(w, r, status, web.CalendarPage(p, v))
}

func (s *Server) adminCalendarSet(w http.ResponseWriter, r *http.Request) {
	if !s.allowCalendar(w, r, "calendar.set") {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := map[string]string{}
	for _, k := range []string{"day", "kind", "name", "year"} {
		vals[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	year, ok := parseCalendarYear(vals["year"])
	if !ok {
		year = today().Year()
	}
	kind := calendar.Kind(vals["kind"])

	fields := apperr.Fields{}
	var day time.Time
	if vals["day"] != "" {
		d, ok := parseDate(vals["day"])
		if !ok {
			fields.Add("day", "Ngày không hợp lệ; vui lòng nhập theo dạng dd/mm/yyyy, ví dụ 27/04/2026.")
		} else {
			day = calendar.DateOf(d)
		}
	}
	if err := calendar.Validate(day, kind, vals["name"]); err != nil {
		e, _ := apperr.As(err)
		for k, m := range e.Fields {
			fields.Add(k, m)
		}
	}
	if err := fields.Err(); err != nil {
		if !day.IsZero() && day.Year() >= calendar.MinYear && day.Year() <= calendar.MaxYear {
			year = day.Year()
		}
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, year, formFromError(err, vals), nil)
		return
	}

	cal := s.calendarStore()
	prev, existed, err := cal.Get(r.Context(), day)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := cal.Set(r.Context(), day, kind, vals["name"]); err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.renderCalendar(w, r, http.StatusUnprocessableEntity, day.Year(), formFromError(err, vals), nil)
			return
		}
		s.writeError(w, r, err)
		return
	}
	details := map[string]any{"day": day.Format(time.DateOnly), "kind": string(kind), "name": vals["name"]}
	if existed {
		details["previous_kind"], details["previous_name"] = string(prev.Kind), prev.Name
	}
	s.recordAudit(r, audit.Entry{Action: "calendar.set", Outcome: audit.OutcomeSuccess, ObjectType: "calendar_day",
		ObjectID: day.Format(time.DateOnly), Details: details})
	http.Redirect(w, r, calendarURL(day.Year(), "set"), http.StatusSeeOther)
}

func (s *Server) adminCalendarDelete(w http.ResponseWriter, r *http.Request) {
	if !s.allowCalendar(w, r, "calendar.delete") {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	day, ok := parseDate(r.PostFormValue("day"))
	if !ok {
		s.writeProblem(w, r, http.StatusUnprocessableEntity, "Ngày cần xóa không hợp lệ.", nil)
		return
	}
	day = calendar.DateOf(day)
	cal := s.calendarStore()
	prev, existed, err := cal.Get(r.Context(), day)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !existed {
		s.writeError(w, r, calendar.ErrDayNotListed)
		return
	}
	if err := cal.Delete(r.Context(), day); err != nil {
		s.writeError(w, r, err) // removed meanwhile: 404
		return
	}
	s.recordAudit(r, audit.Entry{Action: "calendar.delete", Outcome: audit.OutcomeSuccess, ObjectType: "calendar_day",
		ObjectID: day.Format(time.DateOnly), Details: map[string]any{
			"day": day.Format(time.DateOnly), "kind": string(prev.Kind), "name": prev.Name,
		}})
	http.Redirect(w, r, calendarURL(day.Year(), "deleted"), http.StatusSeeOther)
}

// adminCalendarSeed inserts the official calendars (calendar.Seed); days
// already listed are kept as they are.
func (s *Server) adminCalendarSeed(w http.ResponseWriter, r *http.Request) {
	if !s.allowCalendar(w, r, "calendar.seed") {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	year, ok := parseCalendarYear(r.PostFormValue("year"))
	if !ok {
		year = today().Year()
	}
	n, err := calendar.Seed(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "calendar.seed", Outcome: audit.OutcomeSuccess, ObjectType: "calendar",
		Details: map[string]any{"inserted": n}})
	http.Redirect(w, r, calendarURL(year, "seeded")+"&n="+strconv.Itoa(n), http.StatusSeeOther)
}
