// Package schedules keeps the weekly work schedules (lịch công tác) of
// leaders and units (domain §9): one schedule per unit and ISO week, with
// entries (day, time, place, content, who presides and attends, who
// prepares). A unit's office, clerks and leaders draft it; publishing shows
// it to the unit and notifies its members; a change after publishing is
// marked "điều chỉnh" and notifies the people it concerns. Each person may
// subscribe to their entries through a secret iCalendar feed address.
//
// Who may read and edit is decided by internal/access
// (ScheduleViewPredicate, ScheduleEditPredicate) inside the queries; a
// schedule the subject may not see answers ErrNotFound.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// Schedule states.
const (
	StatusNone      = "" // no schedule yet (or a draft the reader may not see)
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// StatusLabel is the Vietnamese name of a state.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "Bản nháp"
	case StatusPublished:
		return "Đã công bố"
	}
	return "Chưa có lịch"
}

// Attendee roles.
const (
	RoleChair    = "chair"
	RoleAttendee = "attendee"
	RolePreparer = "preparer" // only in "my schedule": the person prepares the entry
)

// RoleLabel is the Vietnamese name of a person's part in an entry.
func RoleLabel(r string) string {
	switch r {
	case RoleChair:
		return "Chủ trì"
	case RoleAttendee:
		return "Tham dự"
	case RolePreparer:
		return "Chuẩn bị"
	}
	return r
}

// ErrNotFound is a schedule or entry that does not exist or may not be
// seen.
var ErrNotFound = apperr.NotFound("Không tìm thấy lịch công tác, hoặc bạn không có quyền xem.")

// Service keeps the work schedules.
type Service struct {
	db *pgxpool.Pool
}

// New wires the schedules capability.
func New(db *pgxpool.Pool) *Service { return &Service{db: db} }

// Person is someone on the platform named in an entry.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Ref names a unit.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Entry is one item of a weekly schedule.
type Entry struct {
	ID            int64
	ScheduleID    int64
	UnitID        int64
	UnitName      string
	Status        string // the schedule's state
	UID           string // stable identifier for calendar feeds
	Day           time.Time
	Start         Clock
	End           *Clock
	Place         string
	Content       string
	Chairs        []Person
	Attendees     []Person
	AttendeesText string
	PreparerUnit  *Ref
	PreparerUser  *Person
	PreparerText  string
	Notes         string
	Recurring     bool
	AdjustedAt    *time.Time // changed after publishing (điều chỉnh)
	CancelledAt   *time.Time // removed after publishing
	Sequence      int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Role          string // in "my schedule" and the leaders' view: the person's part
}

// Week is the week the entry belongs to.
func (e Entry) Week() Week { return WeekOf(e.Day) }

// Period is the part of the day the entry is in.
func (e Entry) Period() string { return e.Start.Period() }

// TimeLabel is "08:00" or "08:00 – 10:30".
func (e Entry) TimeLabel() string {
	if e.End == nil {
		return e.Start.String()
	}
	return e.Start.String() + " – " + e.End.String()
}

// StartsAt is the instant the entry starts.
func (e Entry) StartsAt() time.Time {
	return time.Date(e.Day.Year(), e.Day.Month(), e.Day.Day(), int(e.Start)/60, int(e.Start)%60, 0, 0, vntime.Zone)
}

// EndsAt is the instant the entry ends, or nil without an end time.
func (e Entry) EndsAt() *time.Time {
	if e.End == nil {
		return nil
	}
	t := time.Date(e.Day.Year(), e.Day.Month(), e.Day.Day(), int(*e.End)/60, int(*e.End)%60, 0, 0, vntime.Zone)
	return &t
}

// Cancelled reports whether the entry was removed after publishing.
func (e Entry) Cancelled() bool { return e.CancelledAt != nil }

// Adjusted reports whether the entry changed after publishing.
func (e Entry) Adjusted() bool { return e.AdjustedAt != nil && e.CancelledAt == nil }

// Concerns reports whether the person chairs, attends or prepares it.
func (e Entry) Concerns(userID int64) bool {
	return e.roleOf(userID) != ""
}

func (e Entry) roleOf(userID int64) string {
	for _, p := range e.Chairs {
		if p.ID == userID {
			return RoleChair
		}
	}
	for _, p := range e.Attendees {
		if p.ID == userID {
			return RoleAttendee
		}
	}
	if e.PreparerUser != nil && e.PreparerUser.ID == userID {
		return RolePreparer
	}
	return ""
}

// people are the persons an entry concerns: chairs, attendees, preparer.
func (e Entry) people() []int64 {
	var ids []int64
	for _, p := range append(slices.Clone(e.Chairs), e.Attendees...) {
		ids = append(ids, p.ID)
	}
	if e.PreparerUser != nil {
		ids = append(ids, e.PreparerUser.ID)
	}
	return ids
}

// Schedule is one unit's week.
type Schedule struct {
	ID          int64 // 0 when none exists yet
	UnitID      int64
	UnitName    string
	ParentName  string // the unit above, for the printed heading
	Week        Week
	Status      string
	PublishedAt *time.Time
	PublishedBy string
	CanEdit     bool
	Entries     []Entry
}

// Live counts entries that are not cancelled.
func (s Schedule) Live() int {
	n := 0
	for _, e := range s.Entries {
		if !e.Cancelled() {
			n++
		}
	}
	return n
}

// entrySelect reads entries with their schedule, unit and preparer; the
// caller adds WHERE and ORDER BY. Columns match scanEntries.
const entrySelect = `
	SELECT e.id, e.schedule_id, s.unit_id, u.name, s.status, e.uid::text, e.day,
		(extract(epoch FROM e.start_time) / 60)::int, (extract(epoch FROM e.end_time) / 60)::int,
		e.place, e.content, e.attendees_text, e.preparer_unit_id, pu.name, e.preparer_user_id, pp.full_name,
		e.preparer_text, e.notes, e.recurring, e.adjusted_at, e.cancelled_at, e.sequence, e.created_at, e.updated_at
	FROM schedule_entries e
	JOIN schedules s ON s.id = e.schedule_id
	JOIN units u ON u.id = s.unit_id
	LEFT JOIN units pu ON pu.id = e.preparer_unit_id
	LEFT JOIN users pp ON pp.id = e.preparer_user_id`

const entryOrder = ` ORDER BY e.day, e.start_time, e.end_time NULLS FIRST, e.id`

// scanEntries reads entrySelect rows and loads their attendees.
func scanEntries(ctx context.Context, q postgres.Querier, rows pgx.Rows) ([]Entry, error) {
	var out []Entry
	var e Entry
	var end *int
	var puID, ppID *int64
	var puName, ppName *string
	var adjusted, cancelled *time.Time
	_, err := pgx.ForEachRow(rows, []any{&e.ID, &e.ScheduleID, &e.UnitID, &e.UnitName, &e.Status, &e.UID, &e.Day,
		&e.Start, &end, &e.Place, &e.Content, &e.AttendeesText, &puID, &puName, &ppID, &ppName,
		&e.PreparerText, &e.Notes, &e.Recurring, &adjusted, &cancelled, &e.Sequence, &e.CreatedAt, &e.UpdatedAt}, func() error {
		// Pointers are copied: the scan reuses its destinations.
		x := e
		if end != nil {
			c := Clock(*end)
			x.End = &c
		}
		if puID != nil && puName != nil {
			x.PreparerUnit = &Ref{ID: *puID, Name: *puName}
		}
		if ppID != nil && ppName != nil {
			x.PreparerUser = &Person{ID: *ppID, Name: *ppName}
		}
		if adjusted != nil {
			t := *adjusted
			x.AdjustedAt = &t
		}
		if cancelled != nil {
			t := *cancelled
			x.CancelledAt = &t
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedules: read entries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	index := make(map[int64]int, len(out))
	for i, x := range out {
		ids[i] = x.ID
		index[x.ID] = i
	}
	rows, _ = q.Query(ctx, `
		SELECT a.entry_id, a.user_id, usr.full_name, a.role FROM schedule_attendees a JOIN users usr ON usr.id = a.user_id
		WHERE a.entry_id = ANY($1) ORDER BY a.entry_id, a.position, usr.full_name COLLATE vi, usr.id`, ids)
	var entryID int64
	var p Person
	var role string
	_, err = pgx.ForEachRow(rows, []any{&entryID, &p.ID, &p.Name, &role}, func() error {
		x := &out[index[entryID]]
		if role == RoleChair {
			x.Chairs = append(x.Chairs, p)
		} else {
			x.Attendees = append(x.Attendees, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedules: read attendees: %w", err)
	}
	return out, nil
}

// visibleEntry is the predicate for entries the subject may read: in a
// published schedule they may view, or in any schedule they may edit.
func visibleEntry(sub access.Subject) postgres.Predicate {
	return func(a *postgres.Args) string {
		return fmt.Sprintf("((s.status = 'published' AND %s) OR %s)",
			sub.ScheduleViewPredicate("s.unit_id")(a), sub.ScheduleEditPredicate("s.unit_id")(a))
	}
}

// unitAccess says whether unitID exists and what the subject may do with
// its schedule.
func unitAccess(ctx context.Context, q postgres.Querier, sub access.Subject, unitID int64) (name, parent string, view, edit bool, err error) {
	var a postgres.Args
	id := a.Add(unitID)
	sql := fmt.Sprintf(`SELECT u.name, coalesce(p.name, ''), %s, %s FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = %s`,
		sub.ScheduleViewPredicate("u.id")(&a), sub.ScheduleEditPredicate("u.id")(&a), id)
	err = q.QueryRow(ctx, sql, a.Values()...).Scan(&name, &parent, &view, &edit)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, false, nil
	}
	if err != nil {
		return "", "", false, false, fmt.Errorf("schedules: unit access: %w", err)
	}
	return name, parent, view, edit, nil
}

// CanEdit reports whether the subject may draft and publish unitID's
// schedule.
func (s *Service) CanEdit(ctx context.Context, sub access.Subject, unitID int64) (bool, error) {
	_, _, _, edit, err := unitAccess(ctx, s.db, sub, unitID)
	return edit, err
}

// Week returns unitID's schedule for week as the subject may see it: a
// draft only for its editors (others see no schedule), cancelled entries
// included. A unit whose schedule the subject may not see is ErrNotFound.
func (s *Service) Week(ctx context.Context, sub access.Subject, unitID int64, week Week) (Schedule, error) {
	name, parent, view, edit, err := unitAccess(ctx, s.db, sub, unitID)
	if err != nil {
		return Schedule{}, err
	}
	if !view {
		return Schedule{}, ErrNotFound
	}
	sch := Schedule{UnitID: unitID, UnitName: name, ParentName: parent, Week: week, CanEdit: edit}
	var publishedBy *string
	err = s.db.QueryRow(ctx, `
		SELECT s.id, s.status, s.published_at, pb.full_name FROM schedules s LEFT JOIN users pb ON pb.id = s.published_by
		WHERE s.unit_id = $1 AND s.week_start = $2`, unitID, week.Start()).Scan(&sch.ID, &sch.Status, &sch.PublishedAt, &publishedBy)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return sch, nil
	case err != nil:
		return Schedule{}, fmt.Errorf("schedules: read schedule: %w", err)
	}
	if sch.Status == StatusDraft && !edit {
		return Schedule{UnitID: unitID, UnitName: name, ParentName: parent, Week: week}, nil
	}
	if publishedBy != nil {
		sch.PublishedBy = *publishedBy
	}
	rows, _ := s.db.Query(ctx, entrySelect+` WHERE e.schedule_id = $1`+entryOrder, sch.ID)
	sch.Entries, err = scanEntries(ctx, s.db, rows)
	return sch, err
}

// Entry returns one entry the subject may see and whether they may edit it.
func (s *Service) Entry(ctx context.Context, sub access.Subject, id int64) (Entry, bool, error) {
	return getEntry(ctx, s.db, sub, id, false)
}

func getEntry(ctx context.Context, q postgres.Querier, sub access.Subject, id int64, lock bool) (Entry, bool, error) {
	var a postgres.Args
	sql := entrySelect + fmt.Sprintf(` WHERE e.id = %s AND %s`, a.Add(id), visibleEntry(sub)(&a))
	if lock {
		sql += ` FOR UPDATE OF e, s`
	}
	rows, _ := q.Query(ctx, sql, a.Values()...)
	entries, err := scanEntries(ctx, q, rows)
	if err != nil {
		return Entry{}, false, err
	}
	if len(entries) == 0 {
		return Entry{}, false, ErrNotFound
	}
	_, _, _, edit, err := unitAccess(ctx, q, sub, entries[0].UnitID)
	return entries[0], edit, err
}

// Mine returns the published entries of week where the subject presides,
// attends or prepares, in any unit, with their part in Role.
func (s *Service) Mine(ctx context.Context, sub access.Subject, week Week) ([]Entry, error) {
	rows, _ := s.db.Query(ctx, entrySelect+`
		WHERE s.status = 'published' AND e.day BETWEEN $2 AND $3
		AND (e.preparer_user_id = $1 OR EXISTS (SELECT 1 FROM schedule_attendees a WHERE a.entry_id = e.id AND a.user_id = $1))`+entryOrder,
		sub.UserID, week.Start(), week.End())
	entries, err := scanEntries(ctx, s.db, rows)
	for i := range entries {
		entries[i].Role = entries[i].roleOf(sub.UserID)
	}
	return entries, err
}

// LeaderWeek is one leader's entries of a week.
type LeaderWeek struct {
	Person  Person
	Title   string
	Entries []Entry
}

// Leaders returns, for each leader of unitID (Vietnamese name order), the
// published entries of week they preside or attend, from every schedule
// the subject may see.
func (s *Service) Leaders(ctx context.Context, sub access.Subject, unitID int64, week Week) ([]LeaderWeek, error) {
	_, _, view, _, err := unitAccess(ctx, s.db, sub, unitID)
	if err != nil {
		return nil, err
	}
	if !view {
		return nil, ErrNotFound
	}
	rows, _ := s.db.Query(ctx, `
		SELECT usr.id, usr.full_name, m.title FROM memberships m JOIN users usr ON usr.id = m.user_id
		WHERE m.unit_id = $1 AND m.role = 'leader' AND usr.disabled_at IS NULL
		ORDER BY usr.full_name COLLATE vi, usr.id LIMIT 100`, unitID)
	var out []LeaderWeek
	var l LeaderWeek
	if _, err := pgx.ForEachRow(rows, []any{&l.Person.ID, &l.Person.Name, &l.Title}, func() error {
		out = append(out, LeaderWeek{Person: l.Person, Title: l.Title})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("schedules: leaders: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	for i, l := range out {
		ids[i] = l.Person.ID
	}
	var a postgres.Args
	sql := entrySelect + fmt.Sprintf(`
		WHERE s.status = 'published' AND e.day BETWEEN %s AND %s
		AND EXISTS (SELECT 1 FROM schedule_attendees a WHERE a.entry_id = e.id AND a.user_id = ANY(%s::bigint[]))
		AND (%s OR EXISTS (SELECT 1 FROM schedule_attendees me WHERE me.entry_id = e.id AND me.user_id = %s))`,
		a.Add(week.Start()), a.Add(week.End()), a.Add(ids), visibleEntry(sub)(&a), a.Add(sub.UserID)) + entryOrder
	rows, _ = s.db.Query(ctx, sql, a.Values()...)
	entries, err := scanEntries(ctx, s.db, rows)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, e := range entries {
			if r := e.roleOf(out[i].Person.ID); r == RoleChair || r == RoleAttendee {
				e.Role = r
				out[i].Entries = append(out[i].Entries, e)
			}
		}
	}
	return out, nil
}

// UnitChoice is a unit whose schedule the subject may open.
type UnitChoice struct {
	ID   int64
	Name string
}

// maxUnitChoices bounds the unit picker; a unit can still be opened by id.
const maxUnitChoices = 300

// Units lists units whose schedules the subject may see and is likely to
// want: their own units, the committees their bodies belong to, the units
// they edit, and units that have schedules in scope, in Vietnamese name
// order. include is added when visible (the unit being shown).
func (s *Service) Units(ctx context.Context, sub access.Subject, include int64) ([]UnitChoice, error) {
	members := []int64{}
	for _, m := range sub.Memberships {
		members = append(members, m.UnitID)
	}
	var a postgres.Args
	mem := a.Add(members)
	sql := fmt.Sprintf(`
		SELECT u.id, u.name FROM units u
		WHERE (u.id = ANY(%[1]s::bigint[]) OR u.id = %[2]s
			OR u.id IN (SELECT c.parent_id FROM units c WHERE c.id = ANY(%[1]s::bigint[]) AND c.level = 'body')
			OR EXISTS (SELECT 1 FROM schedules s WHERE s.unit_id = u.id))
		AND (u.valid_to IS NULL OR u.id = %[2]s OR u.id = ANY(%[1]s::bigint[]))
		AND %[3]s
		ORDER BY u.name COLLATE vi, u.id LIMIT %[4]s`, mem, a.Add(include), sub.ScheduleViewPredicate("u.id")(&a), a.Add(maxUnitChoices))
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	var out []UnitChoice
	var c UnitChoice
	_, err := pgx.ForEachRow(rows, []any{&c.ID, &c.Name}, func() error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedules: unit choices: %w", err)
	}
	return out, nil
}

// DefaultUnit is the unit whose schedule /schedules opens with: the acting
// unit when its schedule is visible, else the first choice.
func (s *Service) DefaultUnit(ctx context.Context, sub access.Subject) (int64, error) {
	if sub.ActingUnit != 0 {
		_, _, view, _, err := unitAccess(ctx, s.db, sub, sub.ActingUnit)
		if err != nil || view {
			return sub.ActingUnit, err
		}
	}
	units, err := s.Units(ctx, sub, 0)
	if err != nil || len(units) == 0 {
		return 0, err
	}
	return units[0].ID, nil
}

// Choices are what the entry form offers: people (the unit's members and
// those of its current subtree two levels down, and its parent's leaders)
// and units (the unit, its parent and their current children).
type Choices struct {
	People []Person
	Units  []Ref
	Office int64 // the unit's office (Văn phòng), who usually prepares; 0 when none
}

const maxChoices = 500

// FormChoices lists the people and units an entry form of unitID offers;
// the API accepts any active person or current unit.
func (s *Service) FormChoices(ctx context.Context, unitID int64) (Choices, error) {
	var c Choices
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE sub(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id
			WHERE u.valid_to IS NULL AND sub.depth < 2
		)
		SELECT DISTINCT usr.id, usr.full_name FROM memberships m JOIN users usr ON usr.id = m.user_id AND usr.disabled_at IS NULL
		WHERE m.role <> 'admin' AND (m.unit_id IN (SELECT id FROM sub)
			OR (m.role = 'leader' AND m.unit_id = (SELECT parent_id FROM units WHERE id = $1)))
		ORDER BY usr.full_name, usr.id LIMIT $2`, unitID, maxChoices)
	var p Person
	if _, err := pgx.ForEachRow(rows, []any{&p.ID, &p.Name}, func() error {
		c.People = append(c.People, p)
		return nil
	}); err != nil {
		return c, fmt.Errorf("schedules: people choices: %w", err)
	}
	rows, _ = s.db.Query(ctx, `
		SELECT u.id, u.name FROM units u
		WHERE u.valid_to IS NULL AND (u.id = $1 OR u.parent_id = $1
			OR u.id = (SELECT parent_id FROM units WHERE id = $1)
			OR u.parent_id = (SELECT parent_id FROM units WHERE id = $1))
		ORDER BY (u.id = $1) DESC, u.name COLLATE vi, u.id LIMIT $2`, unitID, maxChoices)
	var r Ref
	if _, err := pgx.ForEachRow(rows, []any{&r.ID, &r.Name}, func() error {
		c.Units = append(c.Units, r)
		return nil
	}); err != nil {
		return c, fmt.Errorf("schedules: unit choices: %w", err)
	}
	err := s.db.QueryRow(ctx, `SELECT id FROM units WHERE parent_id = $1 AND kind = $2 AND valid_to IS NULL ORDER BY id LIMIT 1`,
		unitID, access.OfficeKind).Scan(&c.Office)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("schedules: office: %w", err)
	}
	return c, nil
}
