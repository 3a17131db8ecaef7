package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/schedules"
)

// scheduleAPIRoutes: work schedules over JSON.
func (s *Server) scheduleAPIRoutes(r chi.Router) {
	r.Get("/schedules", s.apiSchedule)
	r.Get("/schedules/mine", s.apiScheduleMine)
	r.Post("/schedules/entries", s.apiScheduleEntryCreate)
	r.Get("/schedules/entries/{id}", s.apiScheduleEntry)
	r.Put("/schedules/entries/{id}", s.apiScheduleEntryUpdate)
	r.Delete("/schedules/entries/{id}", s.apiScheduleEntryDelete)
	r.Post("/schedules/publish", s.apiSchedulePublish)
	r.Post("/schedules/copy-recurring", s.apiScheduleCopyRecurring)
}

type apiScheduleEntryJSON struct {
	ID            int64              `json:"id"`
	UID           string             `json:"uid"`
	UnitID        int64              `json:"unit_id"`
	UnitName      string             `json:"unit_name"`
	Week          string             `json:"week"`
	Date          string             `json:"date"`
	Start         string             `json:"start"`
	End           *string            `json:"end"`
	Period        string             `json:"period"`
	Place         string             `json:"place"`
	Content       string             `json:"content"`
	Chairs        []schedules.Person `json:"chairs"`
	Attendees     []schedules.Person `json:"attendees"`
	AttendeesText string             `json:"attendees_text"`
	PreparerUnit  *schedules.Ref     `json:"preparer_unit"`
	PreparerUser  *schedules.Person  `json:"preparer_user"`
	PreparerText  string             `json:"preparer_text"`
	Notes         string             `json:"notes"`
	Recurring     bool               `json:"recurring"`
	Adjusted      bool               `json:"adjusted"`
	Cancelled     bool               `json:"cancelled"`
	Sequence      int                `json:"sequence"`
	Role          string             `json:"role,omitempty"`
	UpdatedAt     time.Time          `json:"updated_at"`
	ScheduleState string             `json:"schedule_status"`
}

func scheduleEntryJSON(e schedules.Entry) apiScheduleEntryJSON {
	out := apiScheduleEntryJSON{ID: e.ID, UID: e.UID, UnitID: e.UnitID, UnitName: e.UnitName, Week: e.Week().String(),
		Date: e.Day.Format(time.DateOnly), Start: e.Start.String(), Period: e.Period(), Place: e.Place, Content: e.Content,
		Chairs: e.Chairs, Attendees: e.Attendees, AttendeesText: e.AttendeesText, PreparerUnit: e.PreparerUnit,
		PreparerUser: e.PreparerUser, PreparerText: e.PreparerText, Notes: e.Notes, Recurring: e.Recurring,
		Adjusted: e.Adjusted(), Cancelled: e.Cancelled(), Sequence: e.Sequence, Role: e.Role, UpdatedAt: e.UpdatedAt,
		ScheduleState: e.Status}
	if e.End != nil {
		end := e.End.String()
		out.End = &end
	}
	if out.Chairs == nil {
		out.Chairs = []schedules.Person{}
	}
	if out.Attendees == nil {
		out.Attendees = []schedules.Person{}
	}
	return out
}

type apiScheduleJSON struct {
	ID          *int64                 `json:"id"`
	UnitID      int64                  `json:"unit_id"`
	UnitName    string                 `json:"unit_name"`
	Week        string                 `json:"week"`
	WeekStart   string                 `json:"week_start"`
	WeekEnd     string                 `json:"week_end"`
	Status      string                 `json:"status"`
	PublishedAt *time.Time             `json:"published_at"`
	CanEdit     bool                   `json:"can_edit"`
	Entries     []apiScheduleEntryJSON `json:"entries"`
}

func scheduleJSON(sch schedules.Schedule) apiScheduleJSON {
	out := apiScheduleJSON{UnitID: sch.UnitID, UnitName: sch.UnitName, Week: sch.Week.String(),
		WeekStart: sch.Week.Start().Format(time.DateOnly), WeekEnd: sch.Week.End().Format(time.DateOnly),
		Status: sch.Status, PublishedAt: sch.PublishedAt, CanEdit: sch.CanEdit, Entries: []apiScheduleEntryJSON{}}
	if out.Status == schedules.StatusNone {
		out.Status = "none"
	}
	if sch.ID != 0 {
		out.ID = &sch.ID
	}
	for _, e := range sch.Entries {
		out.Entries = append(out.Entries, scheduleEntryJSON(e))
	}
	return out
}

// apiWeek reads ?week= strictly: a bad value is a field error.
func apiWeek(r *http.Request) (schedules.Week, error) {
	v := strings.TrimSpace(r.URL.Query().Get("week"))
	if v == "" {
		return schedules.WeekOf(today()), nil
	}
	w, ok := schedules.ParseWeek(v)
	if !ok {
		return w, apperr.Invalid("Tuần phải có dạng 2026-W17 (năm, W, số tuần theo ISO 8601).",
			map[string]string{"week": "Tuần không hợp lệ."})
	}
	return w, nil
}

func (s *Server) apiSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	week, err := apiWeek(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	unitID, err := s.scheduleUnitParam(r, sub)
	if err == nil && unitID == 0 {
		err = apperr.Invalid("Vui lòng chọn đơn vị (unit_id).", map[string]string{"unit_id": "Bắt buộc."})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sch, err := s.schedules.Week(ctx, sub, unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.view", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, scheduleJSON(sch))
}

func (s *Server) apiScheduleMine(w http.ResponseWriter, r *http.Request) {
	week, err := apiWeek(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.schedules.Mine(r.Context(), subjectFrom(r.Context()), week)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := listResponse[apiScheduleEntryJSON]{Items: []apiScheduleEntryJSON{}}
	for _, e := range entries {
		out.Items = append(out.Items, scheduleEntryJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func apiEntryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, schedules.ErrNotFound
	}
	return id, nil
}

func (s *Server) apiScheduleEntry(w http.ResponseWriter, r *http.Request) {
	id, err := apiEntryID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, _, err := s.schedules.Entry(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.view", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, scheduleEntryJSON(e))
}

func (s *Server) apiScheduleEntryCreate(w http.ResponseWriter, r *http.Request) {
	var in schedules.EntryInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.UnitID == 0 {
		in.UnitID = subjectFrom(r.Context()).ActingUnit
	}
	e, err := s.schedules.CreateEntry(r.Context(), subjectFrom(r.Context()), s.actor(r), in)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.create", "unit", in.UnitID, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, scheduleEntryJSON(e))
}

func (s *Server) apiScheduleEntryUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := apiEntryID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in schedules.EntryInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.schedules.UpdateEntry(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.update", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, scheduleEntryJSON(e))
}

func (s *Server) apiScheduleEntryDelete(w http.ResponseWriter, r *http.Request) {
	id, err := apiEntryID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cancelled, err := s.schedules.DeleteEntry(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	if err != nil {
		s.auditRefusal(r, "schedule.entry.delete", "schedule_entry", id, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "cancelled": cancelled, "deleted": !cancelled})
}

type apiScheduleWeekRequest struct {
	UnitID int64  `json:"unit_id"`
	Week   string `json:"week"`
}

func (s *Server) apiScheduleWeekRequest(r *http.Request) (int64, schedules.Week, error) {
	var req apiScheduleWeekRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, schedules.Week{}, err
	}
	f := apperr.Fields{}
	if req.UnitID <= 0 {
		f.Add("unit_id", "Vui lòng chọn đơn vị.")
	}
	week, ok := schedules.ParseWeek(req.Week)
	if !ok {
		f.Add("week", "Tuần phải có dạng 2026-W17.")
	}
	return req.UnitID, week, f.Err()
}

func (s *Server) apiSchedulePublish(w http.ResponseWriter, r *http.Request) {
	unitID, week, err := s.apiScheduleWeekRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sch, n, err := s.schedules.Publish(r.Context(), subjectFrom(r.Context()), s.actor(r), unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.publish", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		apiScheduleJSON
		Notified int `json:"notified"`
	}{scheduleJSON(sch), n})
}

func (s *Server) apiScheduleCopyRecurring(w http.ResponseWriter, r *http.Request) {
	unitID, week, err := s.apiScheduleWeekRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.schedules.CopyRecurring(r.Context(), subjectFrom(r.Context()), s.actor(r), unitID, week)
	if err != nil {
		s.auditRefusal(r, "schedule.copy_recurring", "unit", unitID, err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"copied": n})
}
