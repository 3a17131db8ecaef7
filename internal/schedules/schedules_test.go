package schedules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
)

func TestParseWeekAndClock(t *testing.T) {
	for in, want := range map[string]string{
		"2026-W17": "2026-04-20", "2026-w1": "2025-12-29", "2026W53": "2026-12-28", "2025-W01": "2024-12-30",
	} {
		w, ok := schedules.ParseWeek(in)
		if !ok || w.Start().Format(time.DateOnly) != want {
			t.Errorf("ParseWeek(%q) = %v %v, start %s, want %s", in, w, ok, w.Start().Format(time.DateOnly), want)
		}
		if !ok || w.End().Sub(w.Start()) != 6*24*time.Hour || w.Start().Weekday() != time.Monday {
			t.Errorf("%q: %s – %s is not Monday–Sunday", in, w.Start(), w.End())
		}
	}
	for _, bad := range []string{"", "2025-W53", "2026-W0", "2026-W54", "26-W10", "2026-17", "2026-Wx"} {
		if w, ok := schedules.ParseWeek(bad); ok {
			t.Errorf("ParseWeek(%q) = %v, want refused", bad, w)
		}
	}
	w, _ := schedules.ParseWeek("2026-W53")
	if w.Next().String() != "2027-W01" || w.Next().Prev() != w || w.String() != "2026-W53" {
		t.Errorf("around the year end: %s → %s → %s", w, w.Next(), w.Next().Prev())
	}
	if got := schedules.WeekOf(time.Date(2026, 4, 26, 0, 0, 0, 0, time.UTC)).Label(); got != "Tuần 17 (20/04/2026 – 26/04/2026)" {
		t.Errorf("label = %q", got)
	}
	for in, want := range map[string]string{"8:00": "08:00", "08:30": "08:30", "8h": "08:00", "14h30": "14:30", "7g15": "07:15",
		"13.45": "13:45", " 9 : 05 ": "09:05", "23:59": "23:59", "0:00": "00:00"} {
		c, ok := schedules.ParseClock(in)
		if !ok || c.String() != want {
			t.Errorf("ParseClock(%q) = %v %v, want %s", in, c, ok, want)
		}
	}
	for _, bad := range []string{"", "24:00", "8:60", "0830", "abc", "8:5:1", "-1:00"} {
		if c, ok := schedules.ParseClock(bad); ok {
			t.Errorf("ParseClock(%q) = %v, want refused", bad, c)
		}
	}
	if c, _ := schedules.ParseClock("11:59"); c.Period() != schedules.Morning {
		t.Error("11:59 is not morning")
	}
	if c, _ := schedules.ParseClock("12:00"); c.Period() != schedules.Afternoon {
		t.Error("12:00 is not afternoon")
	}
	if c, _ := schedules.ParseClock("18:00"); c.Period() != schedules.Evening {
		t.Error("18:00 is not evening")
	}
}

// env is a database with a small party tree:
//
//	province (Tỉnh ủy) ── office (Văn phòng, body) ── general (Phòng, body)
//	                   ├─ dept (Ban, body)
//	                   └─ commune
//	other province
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *pgxpool.Pool
	users    *identity.Store
	svc      *schedules.Service
	notes    *notify.Store
	province int64
	office   int64
	dept     int64
	commune  int64
	other    int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewPool(t)
	e := &env{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db), svc: schedules.New(db), notes: notify.New(db)}
	e.province = e.unit("Tỉnh ủy Thử nghiệm", "province", "Tỉnh ủy", 0)
	e.office = e.unit("Văn phòng Tỉnh ủy Thử nghiệm", "body", access.OfficeKind, e.province)
	e.dept = e.unit("Ban Tổ chức Tỉnh ủy Thử nghiệm", "body", "Ban", e.province)
	e.commune = e.unit("Đảng ủy xã Thử nghiệm", "commune", "Đảng ủy xã", e.province)
	e.other = e.unit("Tỉnh ủy Khác", "province", "Tỉnh ủy", 0)
	return e
}

func (e *env) unit(name, level, kind string, parent int64) int64 {
	e.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, level, kind, parent_id, valid_from) VALUES ($1, $2, $3, $4, '2020-01-01') RETURNING id`,
		name, level, kind, p).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) person(login, name string, unit int64, role identity.Role) access.Subject {
	e.t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: name, Password: "mat-khau-thu-2026",
		Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.reload(u.ID)
}

func (e *env) reload(id int64) access.Subject {
	e.t.Helper()
	u, err := e.users.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.users.Memberships(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := access.Load(e.ctx, e.db, u, ms, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func actorOf(s access.Subject) audit.Actor {
	return audit.Actor{UserID: s.UserID, Login: s.Login, UnitID: s.ActingUnit}
}

func (e *env) unread(s access.Subject) []notify.Notification {
	e.t.Helper()
	p, err := e.notes.ListUnread(e.ctx, s.UserID, "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Items
}

func (e *env) readAll(s access.Subject) {
	e.t.Helper()
	if _, err := e.notes.MarkAllRead(e.ctx, s.UserID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) create(by access.Subject, in schedules.EntryInput) schedules.Entry {
	e.t.Helper()
	entry, err := e.svc.CreateEntry(e.ctx, by, actorOf(by), in)
	if err != nil {
		e.t.Fatalf("create entry %q: %v", in.Content, err)
	}
	return entry
}

func (e *env) week(s access.Subject, unit int64, w schedules.Week) schedules.Schedule {
	e.t.Helper()
	sch, err := e.svc.Week(e.ctx, s, unit, w)
	if err != nil {
		e.t.Fatalf("week of unit %d for %s: %v", unit, s.Login, err)
	}
	return sch
}

func fieldsOf(err error) map[string]string {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
		return e.Fields
	}
	return nil
}

var week17 = schedules.Week{Year: 2026, Num: 17}

func TestDraftPublishAdjustCancel(t *testing.T) {
	e := newEnv(t)
	clerk := e.person("vanthu", "Phạm Thị Thư", e.province, identity.RoleClerk)
	secretary := e.person("bithu", "Hoàng Văn Bình", e.province, identity.RoleLeader)
	chief := e.person("chanhvp", "Lê Thị Hồng", e.office, identity.RoleLeader) // the office keeps the committee's schedule
	member := e.person("chuyenvien", "Vũ Thị Lan", e.province, identity.RoleHandler)
	deptHandler := e.person("chuyenvienban", "Đỗ Minh Tuấn", e.dept, identity.RoleHandler)
	communeClerk := e.person("vanthuxa", "Nguyễn Văn Sơn", e.commune, identity.RoleClerk)
	outsider := e.person("vanthukhac", "Trần Văn Khác", e.other, identity.RoleClerk)
	guest := e.person("khach", "Giàng A Khách", e.other, identity.RoleHandler) // attends though outside the unit

	// Field-level Vietnamese validation.
	_, err := e.svc.CreateEntry(e.ctx, clerk, actorOf(clerk), schedules.EntryInput{UnitID: e.province, Week: "2026-W17",
		Date: "27/04/2026", Start: "10:00", End: "09:30"})
	f := fieldsOf(err)
	for _, k := range []string{"date", "end", "place", "content"} {
		if f[k] == "" {
			t.Errorf("no message for %s: %v", k, err)
		}
	}
	if !strings.Contains(f["date"], "20/04/2026 – 26/04/2026") || f["end"] != "Giờ kết thúc phải sau giờ bắt đầu." {
		t.Errorf("messages = %v", f)
	}
	_, err = e.svc.CreateEntry(e.ctx, clerk, actorOf(clerk), schedules.EntryInput{UnitID: e.province, Date: "32/04/2026",
		Start: "25:00", Place: "P", Content: "C", ChairIDs: []int64{999999}})
	if f := fieldsOf(err); f["date"] == "" || f["start"] == "" || f["chair_ids"] == "" {
		t.Errorf("bad date, time and person: %v", err)
	}

	// Drafting: two entries by the clerk, one by the office's chief.
	giaoBan := e.create(clerk, schedules.EntryInput{UnitID: e.province, Week: "2026-W17", Date: "20/04/2026", Start: "8:00", End: "10h",
		Place: "Phòng họp số 1", Content: "Giao ban Thường trực Tỉnh ủy", ChairIDs: []int64{secretary.UserID},
		AttendeeIDs: []int64{chief.UserID, secretary.UserID}, AttendeesText: "Trưởng các ban đảng", PreparerUnit: e.office})
	if len(giaoBan.Chairs) != 1 || len(giaoBan.Attendees) != 1 || giaoBan.Status != schedules.StatusDraft || giaoBan.Adjusted() {
		t.Fatalf("created entry = %+v", giaoBan)
	}
	visit := e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: "2026-04-22", Start: "14:00", Place: "Xã Bắc Hà",
		Content: "Làm việc với Đảng ủy xã Bắc Hà", AttendeeIDs: []int64{guest.UserID}, PreparerUser: member.UserID})
	byChief := e.create(chief, schedules.EntryInput{UnitID: e.province, Date: "2026-04-23", Start: "07:30", Place: "Hội trường",
		Content: "Hội nghị sơ kết", Recurring: true})

	// People outside the editors: a handler of the unit sees no draft; a
	// handler may not edit; an outsider gets not found.
	if sch := e.week(member, e.province, week17); sch.Status != schedules.StatusNone || len(sch.Entries) != 0 || sch.CanEdit {
		t.Fatalf("a member sees the draft: %+v", sch)
	}
	if _, _, err := e.svc.Entry(e.ctx, member, giaoBan.ID); !errors.Is(err, schedules.ErrNotFound) {
		t.Fatalf("member reads a draft entry: %v", err)
	}
	if _, err := e.svc.CreateEntry(e.ctx, member, actorOf(member), schedules.EntryInput{UnitID: e.province, Date: "2026-04-21",
		Start: "8:00", Place: "P", Content: "C"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a handler creating: %v", err)
	}
	if _, err := e.svc.Week(e.ctx, outsider, e.province, week17); !errors.Is(err, schedules.ErrNotFound) {
		t.Fatalf("outsider: %v", err)
	}
	if _, err := e.svc.CreateEntry(e.ctx, outsider, actorOf(outsider), schedules.EntryInput{UnitID: e.province, Date: "2026-04-21",
		Start: "8:00", Place: "P", Content: "C"}); !errors.Is(err, schedules.ErrNotFound) {
		t.Fatalf("outsider creating: %v", err)
	}
	sch := e.week(chief, e.province, week17)
	if !sch.CanEdit || sch.Status != schedules.StatusDraft || len(sch.Entries) != 3 {
		t.Fatalf("chief's view: %+v", sch)
	}
	if sch.Entries[0].ID != giaoBan.ID || sch.Entries[1].ID != visit.ID || sch.Entries[2].ID != byChief.ID {
		t.Fatalf("order: %v", []int64{sch.Entries[0].ID, sch.Entries[1].ID, sch.Entries[2].ID})
	}
	// A draft entry deleted is gone.
	tmp := e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: "2026-04-24", Start: "9:00", Place: "P", Content: "Nháp bỏ"})
	if cancelled, err := e.svc.DeleteEntry(e.ctx, clerk, actorOf(clerk), tmp.ID); err != nil || cancelled {
		t.Fatalf("delete draft entry: %v %v", cancelled, err)
	}
	if _, _, err := e.svc.Entry(e.ctx, clerk, tmp.ID); !errors.Is(err, schedules.ErrNotFound) {
		t.Fatalf("deleted draft entry: %v", err)
	}
	if len(e.unread(member)) != 0 || len(e.unread(secretary)) != 0 {
		t.Fatal("drafting notified someone")
	}

	// Publishing notifies the unit's members and everyone named, not the
	// publisher.
	if _, _, err := e.svc.Publish(e.ctx, member, actorOf(member), e.province, week17); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a handler publishing: %v", err)
	}
	if _, _, err := e.svc.Publish(e.ctx, clerk, actorOf(clerk), e.province, week17.Next()); fieldsOf(err) == nil && !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("publishing an empty week: %v", err)
	}
	pub, n, err := e.svc.Publish(e.ctx, clerk, actorOf(clerk), e.province, week17)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Status != schedules.StatusPublished || pub.PublishedAt == nil || pub.PublishedBy != "Phạm Thị Thư" {
		t.Fatalf("published = %+v", pub)
	}
	// Members: clerk (actor), secretary, member; named: chief, guest.
	if n != 4 {
		t.Errorf("notified %d, want 4", n)
	}
	for _, s := range []access.Subject{secretary, member, chief, guest} {
		notes := e.unread(s)
		if len(notes) != 1 || notes[0].Kind != schedules.KindPublished || !strings.Contains(notes[0].Title, "tuần 17 (20/04/2026 – 26/04/2026)") ||
			!strings.HasPrefix(notes[0].Link, "/schedules") {
			t.Errorf("%s notifications = %+v", s.Login, notes)
		}
		// Members open the unit's week; people named from elsewhere their own
		// schedule, which shows the entry.
		if want := "/schedules?unit_id="; s.UserID == guest.UserID || s.UserID == chief.UserID {
			if !strings.HasPrefix(notes[0].Link, "/schedules/mine?week=2026-W17") {
				t.Errorf("%s's link = %q", s.Login, notes[0].Link)
			}
		} else if !strings.HasPrefix(notes[0].Link, want) {
			t.Errorf("%s's link = %q", s.Login, notes[0].Link)
		}
		e.readAll(s)
	}
	if len(e.unread(clerk)) != 0 || len(e.unread(deptHandler)) != 0 {
		t.Error("the publisher or a non-member was notified")
	}
	if _, _, err := e.svc.Publish(e.ctx, clerk, actorOf(clerk), e.province, week17); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("publishing twice: %v", err)
	}

	// Published: members and the committee's departments see it; a
	// commune under the province and outsiders do not.
	for _, s := range []access.Subject{member, deptHandler, secretary} {
		sch := e.week(s, e.province, week17)
		if sch.Status != schedules.StatusPublished || len(sch.Entries) != 3 || sch.CanEdit != (s.UserID == secretary.UserID) {
			t.Errorf("%s sees %+v", s.Login, sch)
		}
	}
	for _, s := range []access.Subject{communeClerk, outsider} {
		if _, err := e.svc.Week(e.ctx, s, e.province, week17); !errors.Is(err, schedules.ErrNotFound) {
			t.Errorf("%s: %v", s.Login, err)
		}
	}

	// A change after publishing is an adjustment: marked, sequenced, and
	// announced to the people before and after the change.
	changed, err := e.svc.UpdateEntry(e.ctx, clerk, actorOf(clerk), giaoBan.ID, schedules.EntryInput{Date: "21/04/2026", Start: "08:30",
		Place: "Phòng họp số 2", Content: "Giao ban Thường trực Tỉnh ủy (dời sang thứ Ba)", ChairIDs: []int64{secretary.UserID},
		AttendeeIDs: []int64{member.UserID}, PreparerUnit: e.office})
	if err != nil {
		t.Fatal(err)
	}
	if !changed.Adjusted() || changed.Sequence != 1 || changed.Day.Format(time.DateOnly) != "2026-04-21" || changed.End != nil {
		t.Fatalf("adjusted entry = %+v", changed)
	}
	for _, s := range []access.Subject{secretary, chief, member} { // chief was removed, member added
		notes := e.unread(s)
		if len(notes) != 1 || notes[0].Kind != schedules.KindChanged || !strings.Contains(notes[0].Title, "Lịch công tác điều chỉnh") ||
			!strings.Contains(notes[0].Title, "Phòng họp số 2") {
			t.Errorf("%s after the change: %+v", s.Login, notes)
		}
		e.readAll(s)
	}
	if len(e.unread(guest)) != 0 {
		t.Error("someone not concerned was notified of the change")
	}
	// The date stays in the week.
	if _, err := e.svc.UpdateEntry(e.ctx, clerk, actorOf(clerk), giaoBan.ID, schedules.EntryInput{Date: "27/04/2026", Start: "08:30",
		Place: "P", Content: "C"}); fieldsOf(err)["date"] == "" {
		t.Fatalf("moving an entry out of its week: %v", err)
	}
	// A new entry in a published week is an adjustment too.
	added := e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: "2026-04-24", Start: "15:00", Place: "Trụ sở",
		Content: "Tiếp đoàn công tác", AttendeeIDs: []int64{guest.UserID}})
	if !added.Adjusted() || len(e.unread(guest)) != 1 {
		t.Errorf("added to a published week: adjusted %v, guest notes %d", added.Adjusted(), len(e.unread(guest)))
	}
	e.readAll(guest)

	// Removing a published entry cancels it.
	cancelled, err := e.svc.DeleteEntry(e.ctx, clerk, actorOf(clerk), visit.ID)
	if err != nil || !cancelled {
		t.Fatalf("cancel: %v %v", cancelled, err)
	}
	v, _, err := e.svc.Entry(e.ctx, member, visit.ID)
	if err != nil || !v.Cancelled() || v.Sequence != 1 || v.Adjusted() {
		t.Fatalf("cancelled entry = %+v %v", v, err)
	}
	for _, s := range []access.Subject{guest, member} { // the attendee and the preparer
		if notes := e.unread(s); len(notes) != 1 || notes[0].Kind != schedules.KindCancelled {
			t.Errorf("%s after cancelling: %+v", s.Login, notes)
		}
	}
	if _, err := e.svc.UpdateEntry(e.ctx, clerk, actorOf(clerk), visit.ID, schedules.EntryInput{Date: "2026-04-22", Start: "14:00",
		Place: "P", Content: "C"}); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("changing a cancelled entry: %v", err)
	}
	if _, err := e.svc.DeleteEntry(e.ctx, clerk, actorOf(clerk), visit.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("cancelling twice: %v", err)
	}

	// "My schedule": the guest sees the entries they attend, even outside
	// their unit; the cancelled one stays listed as cancelled.
	mine, err := e.svc.Mine(e.ctx, guest, week17)
	if err != nil || len(mine) != 2 || mine[0].ID != visit.ID || !mine[0].Cancelled() || mine[1].ID != added.ID || mine[1].Role != schedules.RoleAttendee {
		t.Fatalf("guest's schedule = %+v %v", mine, err)
	}
	if mine, _ := e.svc.Mine(e.ctx, member, week17); len(mine) != 2 || mine[0].Role != schedules.RoleAttendee || mine[1].Role != schedules.RolePreparer {
		t.Fatalf("member's schedule = %+v", mine)
	}

	// The leaders' view: the secretary presides the meeting.
	leaders, err := e.svc.Leaders(e.ctx, member, e.province, week17)
	if err != nil || len(leaders) != 1 || leaders[0].Person.ID != secretary.UserID || len(leaders[0].Entries) != 1 ||
		leaders[0].Entries[0].Role != schedules.RoleChair {
		t.Fatalf("leaders = %+v %v", leaders, err)
	}
	if _, err := e.svc.Leaders(e.ctx, outsider, e.province, week17); !errors.Is(err, schedules.ErrNotFound) {
		t.Fatalf("outsider's leaders view: %v", err)
	}

	// Recurring entries are copied to the next week once.
	n, err = e.svc.CopyRecurring(e.ctx, clerk, actorOf(clerk), e.province, week17.Next())
	if err != nil || n != 1 {
		t.Fatalf("copy recurring = %d %v", n, err)
	}
	if n, err := e.svc.CopyRecurring(e.ctx, clerk, actorOf(clerk), e.province, week17.Next()); err != nil || n != 0 {
		t.Fatalf("copying again = %d %v", n, err)
	}
	next := e.week(clerk, e.province, week17.Next())
	if next.Status != schedules.StatusDraft || len(next.Entries) != 1 || next.Entries[0].Day.Format(time.DateOnly) != "2026-04-30" ||
		next.Entries[0].Content != "Hội nghị sơ kết" || !next.Entries[0].Recurring || next.Entries[0].UID == byChief.UID {
		t.Fatalf("next week = %+v", next)
	}

	// Every change is in the audit log.
	var actions []string
	rows, _ := e.db.Query(e.ctx, `SELECT action FROM audit_log WHERE action LIKE 'schedule.%' ORDER BY id`)
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := "schedule.entry.create schedule.entry.create schedule.entry.create schedule.entry.create schedule.entry.delete schedule.publish " +
		"schedule.entry.update schedule.entry.create schedule.entry.cancel schedule.copy_recurring"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit actions:\n got %s\nwant %s", got, want)
	}
}

// Administrators of a unit edit its schedule; admins everywhere.
func TestEditorsInScope(t *testing.T) {
	e := newEnv(t)
	unitAdmin := e.person("quantri", "Trần Thị Quản", e.province, identity.RoleUnitAdmin)
	admin := e.person("admin", "Nguyễn Quản Trị", e.other, identity.RoleAdmin)
	officeHandler := e.person("cvvp", "Vũ Văn Phòng", e.office, identity.RoleHandler)
	for _, s := range []access.Subject{unitAdmin, admin} {
		if ok, err := e.svc.CanEdit(e.ctx, s, e.commune); err != nil || !ok {
			t.Errorf("%s may not edit the commune's schedule: %v", s.Login, err)
		}
	}
	// A handler of the office reads the committee's published schedule but
	// may not edit it.
	if ok, _ := e.svc.CanEdit(e.ctx, officeHandler, e.province); ok {
		t.Error("an office handler may edit the committee's schedule")
	}
	if _, err := e.svc.Week(e.ctx, officeHandler, e.province, week17); err != nil {
		t.Errorf("office handler: %v", err)
	}
	units, err := e.svc.Units(e.ctx, officeHandler, 0)
	if err != nil || len(units) != 2 {
		t.Fatalf("office handler's units = %+v %v", units, err)
	}
}

func TestNotifyNowInVietnam(t *testing.T) {
	// The week a schedule page opens with is Vietnam's, not UTC's: at
	// 23:30 UTC on a Sunday it is already Monday in Hà Nội.
	sunNight := time.Date(2026, 4, 26, 23, 30, 0, 0, time.UTC)
	if w := schedules.WeekOf(vntime.DateOf(sunNight)); w.Num != 18 {
		t.Fatalf("week = %v", w)
	}
}
