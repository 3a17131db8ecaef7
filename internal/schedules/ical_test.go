package schedules_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
)

// icsEvent is a parsed VEVENT: property name (with parameters) → value.
type icsEvent map[string]string

// parseICS checks the RFC 5545 framing (CRLF line ends, physical lines of
// at most 75 octets never split inside a character, continuation lines
// starting with a space, BEGIN/END nesting) and returns the calendar's
// own properties and its events, text values unescaped.
func parseICS(t *testing.T, raw []byte) (map[string]string, []icsEvent) {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the stream does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d is folded inside a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if len(logical) == 0 {
				t.Fatal("the stream starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	cal := map[string]string{}
	var events []icsEvent
	var stack []string
	var cur icsEvent
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = icsEvent{}
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				events = append(events, cur)
				cur = nil
			}
			continue
		}
		v := unescapeICS(t, value)
		if cur != nil {
			if _, dup := cur[name]; dup {
				t.Errorf("property %s twice in an event", name)
			}
			cur[name] = v
		} else {
			cal[name] = v
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed components %v", stack)
	}
	return cal, events
}

func unescapeICS(t *testing.T, v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(v) {
			t.Fatalf("dangling backslash in %q", v)
		}
		switch v[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(v[i])
		default:
			t.Fatalf("bad escape \\%c in %q", v[i], v)
		}
	}
	return b.String()
}

func clock(s string) schedules.Clock {
	c, ok := schedules.ParseClock(s)
	if !ok {
		panic(s)
	}
	return c
}

func TestWriteICS(t *testing.T) {
	end := clock("10:30")
	adjusted := time.Date(2026, 4, 19, 3, 0, 0, 0, time.UTC)
	cancelled := time.Date(2026, 4, 19, 4, 0, 0, 0, time.UTC)
	updated := time.Date(2026, 4, 19, 4, 5, 6, 0, time.UTC)
	long := "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ hai mươi ba, nhiệm kỳ 2025–2030; thảo luận: kinh tế – xã hội, quốc phòng \\ an ninh\nvà công tác xây dựng Đảng"
	entries := []schedules.Entry{
		{UID: "11111111-1111-4111-8111-111111111111", UnitID: 7, UnitName: "Tỉnh ủy Lào Cai", Day: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC),
			Start: clock("08:00"), End: &end, Place: "Hội trường A, tầng 2; trụ sở Tỉnh ủy", Content: long,
			Chairs: []schedules.Person{{ID: 1, Name: "Hoàng Văn Bình"}}, Attendees: []schedules.Person{{ID: 2, Name: "Lê Thị Hồng"}},
			AttendeesText: "Ủy viên Ban Thường vụ", PreparerUnit: &schedules.Ref{ID: 9, Name: "Văn phòng Tỉnh ủy"},
			Sequence: 2, AdjustedAt: &adjusted, CreatedAt: adjusted, UpdatedAt: updated},
		{UID: "22222222-2222-4222-8222-222222222222", UnitID: 7, UnitName: "Tỉnh ủy Lào Cai", Day: time.Date(2026, 4, 22, 0, 0, 0, 0, time.UTC),
			Start: clock("14:00"), Place: "Xã Bắc Hà", Content: "Làm việc với Đảng ủy xã", Sequence: 1,
			CancelledAt: &cancelled, CreatedAt: adjusted, UpdatedAt: updated},
	}
	var buf bytes.Buffer
	if err := schedules.WriteICS(&buf, schedules.Calendar{Name: "Lịch công tác – Lê Thị Hồng", Domain: "vanthu.example.vn",
		BaseURL: "https://vanthu.example.vn", Entries: entries}); err != nil {
		t.Fatal(err)
	}
	cal, events := parseICS(t, buf.Bytes())
	if cal["VERSION"] != "2.0" || cal["PRODID"] == "" || cal["X-WR-CALNAME"] != "Lịch công tác – Lê Thị Hồng" || cal["METHOD"] != "PUBLISH" {
		t.Errorf("calendar properties = %v", cal)
	}
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	a, b := events[0], events[1]
	for k, want := range map[string]string{
		"UID":      "11111111-1111-4111-8111-111111111111@vanthu.example.vn",
		"DTSTART":  "20260420T010000Z", // 08:00 in Hà Nội
		"DTEND":    "20260420T033000Z",
		"DTSTAMP":  "20260419T040506Z",
		"SEQUENCE": "2",
		"SUMMARY":  "[Điều chỉnh] " + long,
		"LOCATION": "Hội trường A, tầng 2; trụ sở Tỉnh ủy",
		"STATUS":   "CONFIRMED",
		"URL":      "https://vanthu.example.vn/schedules?unit_id=7&week=2026-W17",
	} {
		if a[k] != want {
			t.Errorf("first event %s = %q, want %q", k, a[k], want)
		}
	}
	for _, want := range []string{"Chủ trì: Hoàng Văn Bình", "Thành phần: Lê Thị Hồng; Ủy viên Ban Thường vụ", "Chuẩn bị: Văn phòng Tỉnh ủy",
		"Lịch công tác của Tỉnh ủy Lào Cai", "điều chỉnh lúc 10:00 19/04/2026"} {
		if !strings.Contains(a["DESCRIPTION"], want) {
			t.Errorf("description lacks %q: %q", want, a["DESCRIPTION"])
		}
	}
	if b["STATUS"] != "CANCELLED" || b["SEQUENCE"] != "1" || b["DTSTART"] != "20260422T070000Z" || b["SUMMARY"] != "Làm việc với Đảng ủy xã" {
		t.Errorf("cancelled event = %v", b)
	}
	if _, ok := b["DTEND"]; ok {
		t.Error("an entry without an end time has DTEND")
	}
	// The escaped form is on the wire.
	if !bytes.Contains(buf.Bytes(), []byte(`2025–2030\; thảo luận: kinh tế – xã hội\, quốc phòng \\ an ninh\nvà`)) &&
		!strings.Contains(strings.ReplaceAll(buf.String(), "\r\n ", ""), `2025–2030\; thảo luận: kinh tế – xã hội\, quốc phòng \\ an ninh\nvà`) {
		t.Error("text is not escaped as RFC 5545 requires")
	}
}

func TestFeedTokens(t *testing.T) {
	e := newEnv(t)
	clerk := e.person("vanthu", "Phạm Thị Thư", e.province, identity.RoleClerk)
	member := e.person("chuyenvien", "Vũ Thị Lan", e.province, identity.RoleHandler)
	guest := e.person("khach", "Giàng A Khách", e.other, identity.RoleHandler)
	if f, err := e.svc.Feed(e.ctx, member.UserID); err != nil || f != nil {
		t.Fatalf("feed before creating = %v %v", f, err)
	}
	tok1, err := e.svc.RotateFeed(e.ctx, actorOf(member), member.UserID)
	if err != nil || !strings.HasPrefix(tok1, schedules.FeedTokenPrefix) || len(tok1) < 40 {
		t.Fatalf("token = %q %v", tok1, err)
	}
	if id, err := e.svc.FeedUser(e.ctx, tok1); err != nil || id != member.UserID {
		t.Fatalf("feed user = %d %v", id, err)
	}
	var stored []byte
	if err := e.db.QueryRow(e.ctx, `SELECT token_hash FROM calendar_feeds WHERE user_id = $1`, member.UserID).Scan(&stored); err != nil ||
		bytes.Contains(stored, []byte(tok1)) || len(stored) != 32 {
		t.Fatalf("stored token = %x %v", stored, err)
	}
	tok2, err := e.svc.RotateFeed(e.ctx, actorOf(member), member.UserID)
	if err != nil || tok2 == tok1 {
		t.Fatal("rotating gave the same token", err)
	}
	if _, err := e.svc.FeedUser(e.ctx, tok1); !errors.Is(err, schedules.ErrFeedNotFound) {
		t.Fatalf("old token after rotating: %v", err)
	}
	for _, bad := range []string{"", "vc_", "vt_" + tok2[3:], tok2 + "x"} {
		if _, err := e.svc.FeedUser(e.ctx, bad); !errors.Is(err, schedules.ErrFeedNotFound) {
			t.Errorf("token %q: %v", bad, err)
		}
	}

	// What the feed carries: published entries of the member's unit and
	// those naming them; not drafts, not other units' entries.
	pub := e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: vnToday(0), Start: "08:00", Place: "Phòng họp", Content: "Giao ban"})
	e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: vnToday(0), Start: "09:00", Place: "P", Content: "Hủy sau khi công bố"})
	if _, _, err := e.svc.Publish(e.ctx, clerk, actorOf(clerk), e.province, schedules.WeekOf(vntToday())); err != nil {
		t.Fatal(err)
	}
	sch := e.week(clerk, e.province, schedules.WeekOf(vntToday()))
	if _, err := e.svc.DeleteEntry(e.ctx, clerk, actorOf(clerk), sch.Entries[1].ID); err != nil {
		t.Fatal(err)
	}
	draft := e.create(clerk, schedules.EntryInput{UnitID: e.province, Date: vnToday(7), Start: "08:00", Place: "P", Content: "Nháp tuần sau"})
	guestClerk := e.person("vanthukhac", "Trần Văn Khác", e.other, identity.RoleClerk)
	invite := e.create(guestClerk, schedules.EntryInput{UnitID: e.other, Date: vnToday(0), Start: "15:00", Place: "Tỉnh khác",
		Content: "Mời dự hội thảo", AttendeeIDs: []int64{member.UserID}})
	e.create(guestClerk, schedules.EntryInput{UnitID: e.other, Date: vnToday(0), Start: "16:00", Place: "Tỉnh khác", Content: "Việc riêng tỉnh khác"})
	if _, _, err := e.svc.Publish(e.ctx, guestClerk, actorOf(guestClerk), e.other, schedules.WeekOf(vntToday())); err != nil {
		t.Fatal(err)
	}
	member = e.reload(member.UserID)
	entries, err := e.svc.FeedEntries(e.ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range entries {
		got = append(got, fmt.Sprintf("%s/%v", x.Content, x.Cancelled()))
	}
	want := "Giao ban/false Hủy sau khi công bố/true Mời dự hội thảo/false"
	if strings.Join(got, " ") != want {
		t.Fatalf("feed = %v, want %s (draft %d, published %d, invite %d)", got, want, draft.ID, pub.ID, invite.ID)
	}
	// Someone else's feed does not carry the member's unit.
	entries, err = e.svc.FeedEntries(e.ctx, e.reload(guest.UserID))
	if err != nil || len(entries) != 2 || entries[0].UnitID != e.other || entries[1].UnitID != e.other {
		t.Errorf("guest's feed = %+v %v", entries, err)
	}

	if err := e.svc.RevokeFeed(e.ctx, actorOf(member), member.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FeedUser(e.ctx, tok2); !errors.Is(err, schedules.ErrFeedNotFound) {
		t.Fatalf("token after revoking: %v", err)
	}
	if err := e.svc.RevokeFeed(e.ctx, actorOf(member), member.UserID); !errors.Is(err, schedules.ErrFeedNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	var n int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM audit_log WHERE action IN ('calendar_feed.create', 'calendar_feed.rotate', 'calendar_feed.revoke')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("feed audit entries = %d %v", n, err)
	}
}

func vntToday() time.Time { return vntime.Today() }

// vnToday is today in Vietnam plus days, as dd/mm/yyyy.
func vnToday(days int) string { return vntToday().AddDate(0, 0, days).Format("02/01/2006") }

// A real merge: the schedules of the merged unit from the week it takes
// effect move to the successor (joining one it already has), earlier ones
// stay, and the successor's members see them.
func TestMergeMovesSchedules(t *testing.T) {
	e := newEnv(t)
	src := e.unit("Đảng ủy xã Cũ", "commune", "Đảng ủy xã", e.province)
	target := e.unit("Đảng ủy xã Mới", "commune", "Đảng ủy xã", e.province)
	srcClerk := e.person("vanthucu", "Nguyễn Văn Cũ", src, identity.RoleClerk)
	targetClerk := e.person("vanthumoi", "Lê Văn Mới", target, identity.RoleClerk)
	targetMember := e.person("thanhvienmoi", "Hà Thị Mới", target, identity.RoleHandler)
	admin := e.person("quantri", "Nguyễn Quản Trị", e.province, identity.RoleAdmin)

	this := schedules.WeekOf(vntToday())
	day := func(w schedules.Week, i int) string { return w.Start().AddDate(0, 0, i).Format("02/01/2006") }
	past := e.create(srcClerk, schedules.EntryInput{UnitID: src, Date: day(this.Prev(), 1), Start: "08:00", Place: "Xã cũ", Content: "Tuần trước"})
	now := e.create(srcClerk, schedules.EntryInput{UnitID: src, Date: day(this, 2), Start: "08:00", Place: "Xã cũ", Content: "Tuần này",
		PreparerUnit: src})
	for _, w := range []schedules.Week{this.Prev(), this} {
		if _, _, err := e.svc.Publish(e.ctx, srcClerk, actorOf(srcClerk), src, w); err != nil {
			t.Fatal(err)
		}
	}
	next := e.create(srcClerk, schedules.EntryInput{UnitID: src, Date: day(this.Next(), 0), Start: "07:30", Place: "Xã cũ", Content: "Tuần sau (nháp)"})
	own := e.create(targetClerk, schedules.EntryInput{UnitID: target, Date: day(this.Next(), 1), Start: "08:00", Place: "Xã mới", Content: "Lịch của xã mới"})

	units := org.NewStore(e.db)
	units.RegisterMoveHook(schedules.MergeHook{})
	report, err := units.Merge(e.ctx, actorOf(admin), org.MergeRequest{Sources: []int64{src}, TargetID: target,
		EffectiveDate: vntToday(), LegalBasis: "Nghị quyết 1/NQ-TU"})
	if err != nil {
		t.Fatal(err)
	}
	var hook *org.HookResult
	for i := range report.Hooks {
		if report.Hooks[i].Hook == schedules.HookName {
			hook = &report.Hooks[i]
		}
	}
	if hook == nil || hook.Moved != 3 || len(hook.Items) != 3 ||
		!strings.Contains(hook.Items[0], fmt.Sprintf("tuần %d/%d của Đảng ủy xã Cũ → Đảng ủy xã Mới", this.Num, this.Year)) ||
		!strings.Contains(hook.Items[1], "gộp vào lịch đã có") || !strings.Contains(hook.Items[2], "đơn vị chuẩn bị") {
		t.Fatalf("hook report = %+v", report.Hooks)
	}
	targetMember = e.reload(targetMember.UserID)
	got := e.week(targetMember, target, this)
	if got.Status != schedules.StatusPublished || len(got.Entries) != 1 || got.Entries[0].ID != now.ID ||
		got.Entries[0].PreparerUnit == nil || got.Entries[0].PreparerUnit.ID != target {
		t.Fatalf("successor's week = %+v", got)
	}
	// Next week's draft joined the successor's own draft.
	targetClerk = e.reload(targetClerk.UserID)
	got = e.week(targetClerk, target, this.Next())
	if got.Status != schedules.StatusDraft || len(got.Entries) != 2 || got.Entries[0].ID != next.ID || got.Entries[1].ID != own.ID {
		t.Fatalf("successor's next week = %+v", got)
	}
	// Last week stays with the merged unit, and the successor sees it
	// through the succession link.
	old, _, err := e.svc.Entry(e.ctx, targetMember, past.ID)
	if err != nil || old.UnitID != src {
		t.Fatalf("last week's entry = %+v %v", old, err)
	}
	var left int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM schedules WHERE unit_id = $1`, src).Scan(&left); err != nil || left != 1 {
		t.Fatalf("schedules left with the merged unit = %d %v", left, err)
	}
}
