package schedules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
)

// EntryInput is an entry as a form or the API sends it. Dates and times
// are text so that one place (validate) reads them and explains mistakes.
type EntryInput struct {
	UnitID        int64   `json:"unit_id"`
	Week          string  `json:"week"` // optional: when set, the date must fall in this week (2026-W17)
	Date          string  `json:"date"` // YYYY-MM-DD or dd/mm/yyyy
	Start         string  `json:"start"`
	End           string  `json:"end"`
	Place         string  `json:"place"`
	Content       string  `json:"content"`
	ChairIDs      []int64 `json:"chair_ids"`
	AttendeeIDs   []int64 `json:"attendee_ids"`
	AttendeesText string  `json:"attendees_text"`
	PreparerUnit  int64   `json:"preparer_unit_id"`
	PreparerUser  int64   `json:"preparer_user_id"`
	PreparerText  string  `json:"preparer_text"`
	Notes         string  `json:"notes"`
	Recurring     bool    `json:"recurring"`
}

// Limits on free text, in characters.
const (
	maxContent = 2000
	maxPlace   = 300
	maxText    = 2000
	maxPeople  = 100
)

// entryValues is a validated input.
type entryValues struct {
	day        time.Time
	start      Clock
	end        *Clock
	place      string
	content    string
	chairs     []int64
	attendees  []int64 // without the chairs
	others     string
	prepUnit   *int64
	prepUser   *int64
	prepText   string
	notes      string
	recurring  bool
	weekForced *Week
}

func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

// tidyText keeps line breaks but trims each line.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []string
	for _, l := range lines {
		if l = tidy(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// ParseDate reads YYYY-MM-DD or dd/mm/yyyy.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// validate checks the input and says, field by field in Vietnamese, what
// is wrong. within, when not nil, is the week the date must fall in.
func (in EntryInput) validate(within *Week) (entryValues, apperr.Fields) {
	f := apperr.Fields{}
	var v entryValues
	if in.Week != "" {
		w, ok := ParseWeek(in.Week)
		if !ok {
			f.Add("week", "Tuần không hợp lệ (dạng 2026-W17).")
		} else if within == nil {
			within = &w
		}
	}
	if strings.TrimSpace(in.Date) == "" {
		f.Add("date", "Vui lòng nhập ngày (dd/mm/yyyy).")
	} else if d, ok := ParseDate(in.Date); !ok {
		f.Add("date", "Ngày phải có dạng dd/mm/yyyy, ví dụ 20/04/2026.")
	} else if within != nil && !within.Contains(d) {
		f.Add("date", fmt.Sprintf("Ngày phải nằm trong tuần đang lập lịch (%s).", within.Span()))
	} else {
		v.day = d
	}
	v.weekForced = within
	if strings.TrimSpace(in.Start) == "" {
		f.Add("start", "Vui lòng nhập giờ bắt đầu (giờ:phút, ví dụ 08:00).")
	} else if c, ok := ParseClock(in.Start); !ok {
		f.Add("start", "Giờ bắt đầu phải có dạng giờ:phút, ví dụ 08:00 hoặc 14:30.")
	} else {
		v.start = c
	}
	if strings.TrimSpace(in.End) != "" {
		c, ok := ParseClock(in.End)
		switch {
		case !ok:
			f.Add("end", "Giờ kết thúc phải có dạng giờ:phút, ví dụ 11:30.")
		case f["start"] == "" && c <= v.start:
			f.Add("end", "Giờ kết thúc phải sau giờ bắt đầu.")
		default:
			v.end = &c
		}
	}
	v.content = tidyText(in.Content)
	switch n := utf8.RuneCountInString(v.content); {
	case n == 0:
		f.Add("content", "Vui lòng nhập nội dung công việc.")
	case n > maxContent:
		f.Add("content", fmt.Sprintf("Nội dung tối đa %d ký tự.", maxContent))
	}
	v.place = tidy(in.Place)
	switch n := utf8.RuneCountInString(v.place); {
	case n == 0:
		f.Add("place", "Vui lòng nhập địa điểm.")
	case n > maxPlace:
		f.Add("place", fmt.Sprintf("Địa điểm tối đa %d ký tự.", maxPlace))
	}
	text := func(name, src string) string {
		t := tidyText(src)
		if utf8.RuneCountInString(t) > maxText {
			f.Add(name, fmt.Sprintf("Tối đa %d ký tự.", maxText))
		}
		return t
	}
	v.others = text("attendees_text", in.AttendeesText)
	v.prepText = text("preparer_text", in.PreparerText)
	v.notes = text("notes", in.Notes)
	v.chairs = uniq(in.ChairIDs)
	for _, id := range uniq(in.AttendeeIDs) {
		if !slices.Contains(v.chairs, id) {
			v.attendees = append(v.attendees, id)
		}
	}
	if len(v.chairs)+len(v.attendees) > maxPeople {
		f.Add("attendee_ids", fmt.Sprintf("Mỗi mục lịch ghi tối đa %d người.", maxPeople))
	}
	if in.PreparerUnit != 0 {
		v.prepUnit = &in.PreparerUnit
	}
	if in.PreparerUser != 0 {
		v.prepUser = &in.PreparerUser
	}
	v.recurring = in.Recurring
	return v, f
}

func uniq(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkRefs checks that the people and units named exist and are current.
func checkRefs(ctx context.Context, q postgres.Querier, v entryValues, f apperr.Fields) error {
	people := append(slices.Clone(v.chairs), v.attendees...)
	if v.prepUser != nil {
		people = append(people, *v.prepUser)
	}
	if len(people) > 0 {
		rows, _ := q.Query(ctx, `SELECT id FROM users WHERE id = ANY($1) AND disabled_at IS NULL`, people)
		found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("schedules: check people: %w", err)
		}
		missing := func(ids []int64) bool {
			for _, id := range ids {
				if !slices.Contains(found, id) {
					return true
				}
			}
			return false
		}
		if missing(v.chairs) {
			f.Add("chair_ids", "Có người chủ trì không tồn tại hoặc đã bị khóa tài khoản.")
		}
		if missing(v.attendees) {
			f.Add("attendee_ids", "Có người tham dự không tồn tại hoặc đã bị khóa tài khoản.")
		}
		if v.prepUser != nil && missing([]int64{*v.prepUser}) {
			f.Add("preparer_user_id", "Người chuẩn bị không tồn tại hoặc đã bị khóa tài khoản.")
		}
	}
	if v.prepUnit != nil {
		var ok bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND valid_to IS NULL)`, *v.prepUnit).Scan(&ok); err != nil {
			return fmt.Errorf("schedules: check unit: %w", err)
		}
		if !ok {
			f.Add("preparer_unit_id", "Đơn vị chuẩn bị không tồn tại hoặc không còn hiệu lực.")
		}
	}
	return nil
}

// ErrNoEdit answers a unit whose schedule the subject sees but may not edit.
var ErrNoEdit = apperr.Forbidden("Chỉ văn phòng, văn thư và lãnh đạo của đơn vị được lập và sửa lịch công tác.")

// editableUnit checks that the subject may edit unitID's schedule.
func editableUnit(ctx context.Context, q postgres.Querier, sub access.Subject, unitID int64) (string, error) {
	name, _, view, edit, err := unitAccess(ctx, q, sub, unitID)
	switch {
	case err != nil:
		return "", err
	case !view:
		return "", ErrNotFound
	case !edit:
		return "", ErrNoEdit
	}
	return name, nil
}

// lockWeek returns unitID's schedule for week, creating a draft when there
// is none, locked for the rest of tx.
func lockWeek(ctx context.Context, tx pgx.Tx, unitID int64, week Week, by int64) (id int64, status string, err error) {
	if _, err = tx.Exec(ctx, `
		INSERT INTO schedules (unit_id, week_start, created_by) VALUES ($1, $2, $3)
		ON CONFLICT (unit_id, week_start) DO NOTHING`, unitID, week.Start(), nullID(by)); err != nil {
		return 0, "", fmt.Errorf("schedules: create week: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT id, status FROM schedules WHERE unit_id = $1 AND week_start = $2 FOR UPDATE`,
		unitID, week.Start()).Scan(&id, &status)
	if err != nil {
		return 0, "", fmt.Errorf("schedules: lock week: %w", err)
	}
	return id, status, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func clockArg(c *Clock) any {
	if c == nil {
		return nil
	}
	return c.String()
}

func writeAttendees(ctx context.Context, tx pgx.Tx, entryID int64, v entryValues) error {
	if _, err := tx.Exec(ctx, `DELETE FROM schedule_attendees WHERE entry_id = $1`, entryID); err != nil {
		return fmt.Errorf("schedules: clear attendees: %w", err)
	}
	roles := make([]string, 0, len(v.chairs)+len(v.attendees))
	ids := make([]int64, 0, cap(roles))
	for _, id := range v.chairs {
		ids, roles = append(ids, id), append(roles, RoleChair)
	}
	for _, id := range v.attendees {
		ids, roles = append(ids, id), append(roles, RoleAttendee)
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO schedule_attendees (entry_id, user_id, role, position)
		SELECT $1, u, r, n FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS t(u, r, n)`, entryID, ids, roles)
	if err != nil {
		return fmt.Errorf("schedules: write attendees: %w", err)
	}
	return nil
}

// scheduleLink is where a notification about unitID's week points.
func scheduleLink(unitID int64, week Week) string {
	return fmt.Sprintf("/schedules?unit_id=%d&week=%s", unitID, week)
}

// mineLink is where a notification to someone named in an entry points:
// their own schedule, which shows it even when the unit's schedule is out
// of their sight.
func mineLink(week Week) string { return "/schedules/mine?week=" + week.String() }

// describe is an entry in one line for notifications: "Thứ Hai 20/04/2026
// 08:00 – Họp giao ban (Phòng họp số 1)".
func describe(e Entry) string {
	content := e.Content
	if r := []rune(content); len(r) > 120 {
		content = string(r[:119]) + "…"
	}
	return fmt.Sprintf("%s %s %s – %s (%s)", Weekday(e.Day), e.Day.Format("02/01/2006"), e.TimeLabel(),
		strings.ReplaceAll(content, "\n", " "), e.Place)
}

// notifyPeople notifies each person once, leaving out the actor.
func notifyPeople(ctx context.Context, tx pgx.Tx, people []int64, actor int64, kind, title, link string) (int, error) {
	n := 0
	for _, id := range uniq(people) {
		if id == actor {
			continue
		}
		if _, err := notify.Create(ctx, tx, id, kind, title, link); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Notification kinds.
const (
	KindPublished = "schedule.published"
	KindChanged   = "schedule.changed"
	KindCancelled = "schedule.cancelled"
)

// CreateEntry adds an entry to its unit's schedule for the date's week,
// creating the week's draft when needed. Added to a published schedule it
// is an adjustment (điều chỉnh): the people it concerns are notified.
func (s *Service) CreateEntry(ctx context.Context, sub access.Subject, actor audit.Actor, in EntryInput) (Entry, error) {
	v, f := in.validate(nil)
	if in.UnitID == 0 {
		f.Add("unit_id", "Vui lòng chọn đơn vị.")
	}
	if err := checkRefs(ctx, s.db, v, f); err != nil {
		return Entry{}, err
	}
	if err := f.Err(); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := editableUnit(ctx, tx, sub, in.UnitID); err != nil {
			return err
		}
		week := WeekOf(v.day)
		schedID, status, err := lockWeek(ctx, tx, in.UnitID, week, actor.UserID)
		if err != nil {
			return err
		}
		published := status == StatusPublished
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO schedule_entries (schedule_id, day, start_time, end_time, place, content, attendees_text,
				preparer_unit_id, preparer_user_id, preparer_text, notes, recurring, adjusted_at, created_by)
			VALUES ($1, $2, $3::time, $4::time, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $13 THEN now() END, $14)
			RETURNING id`,
			schedID, v.day, v.start.String(), clockArg(v.end), v.place, v.content, v.others, v.prepUnit, v.prepUser,
			v.prepText, v.notes, v.recurring, published, nullID(actor.UserID)).Scan(&id)
		if err != nil {
			return fmt.Errorf("schedules: insert entry: %w", err)
		}
		if err := writeAttendees(ctx, tx, id, v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE schedules SET updated_at = now() WHERE id = $1`, schedID); err != nil {
			return err
		}
		out, _, err = getEntry(ctx, tx, sub, id, false)
		if err != nil {
			return err
		}
		if published {
			if _, err := notifyPeople(ctx, tx, out.people(), actor.UserID, KindChanged,
				"Lịch công tác điều chỉnh (bổ sung): "+describe(out), mineLink(week)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, entryAudit(actor, "schedule.entry.create", out, map[string]any{
			"week": week.String(), "published": published, "day": out.Day.Format(time.DateOnly), "start": out.Start.String(),
			"content": out.Content, "place": out.Place}))
	})
	return out, err
}

func entryAudit(actor audit.Actor, action string, e Entry, details map[string]any) audit.Entry {
	a := actor.Entry(action, "schedule_entry", fmt.Sprint(e.ID), details)
	a.UnitID = e.UnitID
	return a
}

// UpdateEntry replaces an entry's fields; the date stays in its week. A
// change to a published schedule marks the entry adjusted, raises its
// sequence and notifies everyone concerned before or after the change.
func (s *Service) UpdateEntry(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in EntryInput) (Entry, error) {
	old, edit, err := getEntry(ctx, s.db, sub, id, false)
	if err != nil {
		return Entry{}, err
	}
	if !edit {
		return Entry{}, ErrNoEdit
	}
	week := old.Week()
	in.Week = ""
	v, f := in.validate(&week)
	if err := checkRefs(ctx, s.db, v, f); err != nil {
		return Entry{}, err
	}
	if err := f.Err(); err != nil {
		return Entry{}, err
	}
	var out Entry
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		old, edit, err := getEntry(ctx, tx, sub, id, true)
		if err != nil {
			return err
		}
		if !edit {
			return ErrNoEdit
		}
		if old.Cancelled() {
			return apperr.Conflict("Mục lịch này đã bị hủy, không sửa được nữa.")
		}
		published := old.Status == StatusPublished
		_, err = tx.Exec(ctx, `
			UPDATE schedule_entries SET day = $2, start_time = $3::time, end_time = $4::time, place = $5, content = $6,
				attendees_text = $7, preparer_unit_id = $8, preparer_user_id = $9, preparer_text = $10, notes = $11,
				recurring = $12, updated_at = now(),
				adjusted_at = CASE WHEN $13 THEN now() ELSE adjusted_at END,
				sequence = sequence + CASE WHEN $13 THEN 1 ELSE 0 END
			WHERE id = $1`,
			id, v.day, v.start.String(), clockArg(v.end), v.place, v.content, v.others, v.prepUnit, v.prepUser,
			v.prepText, v.notes, v.recurring, published)
		if err != nil {
			return fmt.Errorf("schedules: update entry: %w", err)
		}
		if err := writeAttendees(ctx, tx, id, v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE schedules SET updated_at = now() WHERE id = $1`, old.ScheduleID); err != nil {
			return err
		}
		out, _, err = getEntry(ctx, tx, sub, id, false)
		if err != nil {
			return err
		}
		if published {
			people := append(old.people(), out.people()...)
			if _, err := notifyPeople(ctx, tx, people, actor.UserID, KindChanged,
				"Lịch công tác điều chỉnh: "+describe(out), mineLink(week)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, entryAudit(actor, "schedule.entry.update", out, map[string]any{
			"published": published, "changes": changes(old, out)}))
	})
	return out, err
}

// changes lists what differs between two versions of an entry, for the
// audit log.
func changes(a, b Entry) map[string]any {
	out := map[string]any{}
	add := func(k string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out[k] = []any{x, y}
		}
	}
	add("day", a.Day.Format(time.DateOnly), b.Day.Format(time.DateOnly))
	add("time", a.TimeLabel(), b.TimeLabel())
	add("place", a.Place, b.Place)
	add("content", a.Content, b.Content)
	add("attendees_text", a.AttendeesText, b.AttendeesText)
	add("people", a.people(), b.people())
	add("preparer_text", a.PreparerText, b.PreparerText)
	add("notes", a.Notes, b.Notes)
	add("recurring", a.Recurring, b.Recurring)
	return out
}

// DeleteEntry removes an entry. In a draft it is deleted; in a published
// schedule it is kept as cancelled (calendar feeds announce the
// cancellation) and the people it concerns are notified. It says whether
// the entry was cancelled rather than deleted.
func (s *Service) DeleteEntry(ctx context.Context, sub access.Subject, actor audit.Actor, id int64) (bool, error) {
	var cancelled bool
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		e, edit, err := getEntry(ctx, tx, sub, id, true)
		if err != nil {
			return err
		}
		if !edit {
			return ErrNoEdit
		}
		if e.Cancelled() {
			return apperr.Conflict("Mục lịch này đã được hủy trước đó.")
		}
		if e.Status == StatusPublished {
			cancelled = true
			if _, err := tx.Exec(ctx, `UPDATE schedule_entries SET cancelled_at = now(), updated_at = now(), sequence = sequence + 1
				WHERE id = $1`, id); err != nil {
				return fmt.Errorf("schedules: cancel entry: %w", err)
			}
			if _, err := notifyPeople(ctx, tx, e.people(), actor.UserID, KindCancelled,
				"Lịch công tác đã hủy: "+describe(e), mineLink(e.Week())); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `DELETE FROM schedule_entries WHERE id = $1`, id); err != nil {
			return fmt.Errorf("schedules: delete entry: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE schedules SET updated_at = now() WHERE id = $1`, e.ScheduleID); err != nil {
			return err
		}
		action := "schedule.entry.delete"
		if cancelled {
			action = "schedule.entry.cancel"
		}
		return audit.Record(ctx, tx, entryAudit(actor, action, e, map[string]any{
			"day": e.Day.Format(time.DateOnly), "start": e.Start.String(), "content": e.Content, "place": e.Place}))
	})
	return cancelled, err
}

// Publish makes unitID's draft for week visible to the unit and notifies
// its members and everyone named in it. It returns the schedule and how
// many people were notified.
func (s *Service) Publish(ctx context.Context, sub access.Subject, actor audit.Actor, unitID int64, week Week) (Schedule, int, error) {
	var notified int
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		unitName, err := editableUnit(ctx, tx, sub, unitID)
		if err != nil {
			return err
		}
		var id int64
		var status string
		err = tx.QueryRow(ctx, `SELECT id, status FROM schedules WHERE unit_id = $1 AND week_start = $2 FOR UPDATE`,
			unitID, week.Start()).Scan(&id, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Invalid("Tuần này chưa có mục lịch nào để công bố.", nil)
		}
		if err != nil {
			return fmt.Errorf("schedules: lock week: %w", err)
		}
		if status == StatusPublished {
			return apperr.Conflict("Lịch công tác tuần này đã được công bố.")
		}
		rows, _ := tx.Query(ctx, entrySelect+` WHERE e.schedule_id = $1 AND e.cancelled_at IS NULL`+entryOrder, id)
		entries, err := scanEntries(ctx, tx, rows)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return apperr.Invalid("Tuần này chưa có mục lịch nào để công bố.", nil)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE schedules SET status = 'published', published_at = now(), published_by = $2, updated_at = now()
			WHERE id = $1`, id, nullID(actor.UserID)); err != nil {
			return fmt.Errorf("schedules: publish: %w", err)
		}
		rows, _ = tx.Query(ctx, `
			SELECT DISTINCT m.user_id FROM memberships m JOIN users usr ON usr.id = m.user_id AND usr.disabled_at IS NULL
			WHERE m.unit_id = $1`, unitID)
		members, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("schedules: members: %w", err)
		}
		var named []int64
		for _, e := range entries {
			for _, id := range e.people() {
				if !slices.Contains(members, id) {
					named = append(named, id)
				}
			}
		}
		title := fmt.Sprintf("Đã công bố lịch công tác tuần %d (%s) của %s", week.Num, week.Span(), unitName)
		n1, err := notifyPeople(ctx, tx, members, actor.UserID, KindPublished, title, scheduleLink(unitID, week))
		if err != nil {
			return err
		}
		n2, err := notifyPeople(ctx, tx, named, actor.UserID, KindPublished, title, mineLink(week))
		if err != nil {
			return err
		}
		notified = n1 + n2
		e := actor.Entry("schedule.publish", "schedule", fmt.Sprint(id), map[string]any{
			"unit_id": unitID, "week": week.String(), "entries": len(entries), "notified": notified})
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return Schedule{}, 0, err
	}
	sch, err := s.Week(ctx, sub, unitID, week)
	return sch, notified, err
}

// CopyRecurring copies the previous week's recurring entries of unitID
// (those marked "lặp lại hằng tuần", not cancelled) into week, same weekday
// and time, once each: copying again adds nothing. It returns how many were
// copied.
func (s *Service) CopyRecurring(ctx context.Context, sub access.Subject, actor audit.Actor, unitID int64, week Week) (int, error) {
	var copied int
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := editableUnit(ctx, tx, sub, unitID); err != nil {
			return err
		}
		prev := week.Prev()
		var n int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM schedule_entries e JOIN schedules s ON s.id = e.schedule_id
			WHERE s.unit_id = $1 AND s.week_start = $2 AND e.recurring AND e.cancelled_at IS NULL`,
			unitID, prev.Start()).Scan(&n); err != nil {
			return fmt.Errorf("schedules: count recurring: %w", err)
		}
		if n == 0 {
			return nil
		}
		schedID, status, err := lockWeek(ctx, tx, unitID, week, actor.UserID)
		if err != nil {
			return err
		}
		published := status == StatusPublished
		rows, _ := tx.Query(ctx, `
			INSERT INTO schedule_entries (schedule_id, day, start_time, end_time, place, content, attendees_text,
				preparer_unit_id, preparer_user_id, preparer_text, notes, recurring, copied_from, adjusted_at, created_by)
			SELECT $1, e.day + 7, e.start_time, e.end_time, e.place, e.content, e.attendees_text,
				pu.id, pp.id, e.preparer_text, e.notes, true, e.id, CASE WHEN $4 THEN now() END, $5
			FROM schedule_entries e JOIN schedules s ON s.id = e.schedule_id
			LEFT JOIN units pu ON pu.id = e.preparer_unit_id AND pu.valid_to IS NULL
			LEFT JOIN users pp ON pp.id = e.preparer_user_id AND pp.disabled_at IS NULL
			WHERE s.unit_id = $2 AND s.week_start = $3 AND e.recurring AND e.cancelled_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM schedule_entries c WHERE c.schedule_id = $1 AND c.copied_from = e.id)
			ORDER BY e.day, e.start_time, e.id
			RETURNING id, copied_from`, schedID, unitID, prev.Start(), published, nullID(actor.UserID))
		var ids, from []int64
		var id, src int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &src}, func() error {
			ids, from = append(ids, id), append(from, src)
			return nil
		}); err != nil {
			return fmt.Errorf("schedules: copy recurring: %w", err)
		}
		copied = len(ids)
		if copied == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO schedule_attendees (entry_id, user_id, role, position)
			SELECT c.id, a.user_id, a.role, a.position
			FROM unnest($1::bigint[], $2::bigint[]) AS c(id, src)
			JOIN schedule_attendees a ON a.entry_id = c.src
			JOIN users u ON u.id = a.user_id AND u.disabled_at IS NULL`, ids, from); err != nil {
			return fmt.Errorf("schedules: copy attendees: %w", err)
		}
		if published {
			rows, _ := tx.Query(ctx, entrySelect+` WHERE e.id = ANY($1)`+entryOrder, ids)
			entries, err := scanEntries(ctx, tx, rows)
			if err != nil {
				return err
			}
			for _, e := range entries {
				if _, err := notifyPeople(ctx, tx, e.people(), actor.UserID, KindChanged,
					"Lịch công tác điều chỉnh (bổ sung): "+describe(e), mineLink(week)); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE schedules SET updated_at = now() WHERE id = $1`, schedID); err != nil {
			return err
		}
		e := actor.Entry("schedule.copy_recurring", "schedule", fmt.Sprint(schedID), map[string]any{
			"unit_id": unitID, "week": week.String(), "from_week": prev.String(), "copied": copied})
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	return copied, err
}
