package calendar_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/calendar"
	"vanthu/internal/platform/postgres/pgtest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func fmtDay(t time.Time) string { return t.Format("Mon 02/01/2006") }

// seeded gives the test its own database holding the official calendars.
func seeded(t *testing.T) (*calendar.Calendar, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.NewPool(t)
	if _, err := calendar.Seed(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return calendar.New(pool), pool
}

func TestOfficialCalendarsAreWellFormed(t *testing.T) {
	rows := calendar.Official()
	perYear := map[int]int{}
	for i, r := range rows {
		if err := calendar.Validate(r.Day, r.Kind, r.Name); err != nil {
			t.Errorf("%s %q: %v", fmtDay(r.Day), r.Name, err)
		}
		if i > 0 && !rows[i-1].Day.Before(r.Day) {
			t.Errorf("rows out of order or repeated at %s", fmtDay(r.Day))
		}
		if r.Source == "" {
			t.Errorf("%s has no source", fmtDay(r.Day))
		}
		if strings.Contains(r.Name, "dự kiến") != strings.HasPrefix(r.Source, "Dự kiến") {
			t.Errorf("%s: a planned row says so in both its name and its source", fmtDay(r.Day))
		}
		perYear[r.Day.Year()]++
	}
	for _, y := range []int{2025, 2026, 2027} {
		if perYear[y] == 0 {
			t.Errorf("no official calendar for %d", y)
		}
	}
}

func TestLunarHolidaysOnTheirDays(t *testing.T) {
	// Verified against the Vietnamese lunar calendar (UTC+7): mùng 1 Tết and
	// 10/3 lunar. A Tết or Giỗ Tổ on a weekday must be listed as a holiday.
	c, _ := seeded(t)
	ctx := context.Background()
	for _, d := range []time.Time{
		day(2025, 1, 29), day(2026, 2, 17), // Tết Ất Tỵ, Bính Ngọ (6/2/2027 is a Saturday)
		day(2025, 4, 7), day(2027, 4, 16), // Giỗ Tổ (26/4/2026 is a Sunday)
		day(2026, 4, 27), // its day off in lieu
	} {
		ok, err := c.IsWorkingDay(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("%s should be a day off", fmtDay(d))
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c, _ := seeded(t)
	ctx := context.Background()
	vn := time.FixedZone("ICT", 7*3600)
	cases := []struct {
		name  string
		start time.Time
		n     int
		want  time.Time
	}{
		{"next day", day(2026, 3, 10), 1, day(2026, 3, 11)},
		{"over a weekend", day(2026, 3, 6), 1, day(2026, 3, 9)},
		{"Thursday plus three", day(2026, 3, 5), 3, day(2026, 3, 10)},
		{"from a Saturday", day(2026, 3, 7), 1, day(2026, 3, 9)},
		{"two weeks", day(2026, 3, 9), 10, day(2026, 3, 23)},
		// Tết Bính Ngọ: off Saturday 14/2 to Sunday 22/2/2026.
		{"across Tết 2026", day(2026, 2, 13), 1, day(2026, 2, 23)},
		{"into and across Tết 2026", day(2026, 2, 12), 2, day(2026, 2, 23)},
		{"five across Tết 2026", day(2026, 2, 11), 5, day(2026, 2, 25)},
		// The check from the tasks issue: Friday 24/4 is the first; Monday
		// 27/4 is off in lieu of Giỗ Tổ (Sunday 26/4); Tuesday 28 and
		// Wednesday 29 are the second and third; 30/4 and 1/5 are holidays
		// and 2–3/5 the weekend; Monday 4/5 is the fourth, Tuesday 5/5 the fifth.
		{"23/4/2026 + 1", day(2026, 4, 23), 1, day(2026, 4, 24)},
		{"23/4/2026 + 2", day(2026, 4, 23), 2, day(2026, 4, 28)},
		{"23/4/2026 + 4", day(2026, 4, 23), 4, day(2026, 5, 4)},
		{"23/4/2026 + 5", day(2026, 4, 23), 5, day(2026, 5, 5)},
		{"23/4/2026 + 5 given in Vietnam's time late at night", time.Date(2026, 4, 23, 23, 30, 0, 0, vn), 5, day(2026, 5, 5)},
		// 2025: Friday 2/5 was swapped for Saturday 26/4, a working day.
		{"make-up Saturday 26/4/2025", day(2025, 4, 25), 1, day(2025, 4, 26)},
		{"Thursday to the make-up Saturday", day(2025, 4, 24), 2, day(2025, 4, 26)},
		{"over 30/4–4/5/2025", day(2025, 4, 29), 1, day(2025, 5, 5)},
		// 2026: Saturday 10/1 made up Friday 2/1.
		{"Tết Dương lịch 2026", day(2025, 12, 31), 1, day(2026, 1, 5)},
		{"make-up Saturday 10/1/2026", day(2026, 1, 9), 1, day(2026, 1, 10)},
		// Quốc khánh 2026: off Saturday 29/8 to Wednesday 2/9; Saturday 22/8 worked.
		{"Quốc khánh 2026", day(2026, 8, 28), 1, day(2026, 9, 3)},
		{"Ngày Văn hóa Việt Nam 2026", day(2026, 11, 23), 1, day(2026, 11, 25)},
		{"Tết Đinh Mùi 2027", day(2027, 2, 3), 1, day(2027, 2, 11)},
		{"n = 0 is the start", day(2026, 4, 23), 0, day(2026, 4, 23)},
		{"n = 0 on a holiday is still the start", time.Date(2026, 2, 17, 15, 30, 0, 0, vn), 0, day(2026, 2, 17)},
	}
	for _, tc := range cases {
		got, err := c.AddWorkingDays(ctx, tc.start, tc.n)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s: %s + %d working days = %s (%s), want %s", tc.name, fmtDay(tc.start), tc.n, fmtDay(got), got.Location(), fmtDay(tc.want))
		}
	}
}

func TestAddWorkingDaysRefusesBadCounts(t *testing.T) {
	c, _ := seeded(t)
	for _, n := range []int{-1, calendar.MaxAddDays + 1, 10_000} {
		_, err := c.AddWorkingDays(context.Background(), day(2026, 4, 23), n)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || !strings.Contains(e.Message, "Số ngày làm việc") {
			t.Errorf("n = %d: err = %v, want a Vietnamese invalid-input error", n, err)
		}
	}
	got, err := c.AddWorkingDays(context.Background(), day(2026, 1, 1), calendar.MaxAddDays)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := c.WorkingDaysBetween(context.Background(), day(2026, 1, 1), got); err != nil || n != calendar.MaxAddDays {
		t.Fatalf("%d working days from 01/01/2026 end on %s, which is %d (%v) working days later", calendar.MaxAddDays, fmtDay(got), n, err)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c, _ := seeded(t)
	ctx := context.Background()
	cases := []struct {
		from, to time.Time
		want     int
	}{
		{day(2026, 4, 23), day(2026, 5, 5), 5},
		{day(2026, 5, 5), day(2026, 4, 23), -5},
		{day(2026, 4, 23), day(2026, 4, 23), 0},
		{day(2026, 4, 24), day(2026, 4, 27), 0}, // the weekend and the day in lieu
		{day(2026, 2, 13), day(2026, 2, 23), 1},
		// 2026: 261 weekdays, 14 of them off, 2 Saturdays worked.
		{day(2025, 12, 31), day(2026, 12, 31), 249},
		// 2025: 261 weekdays, 12 off (1/1, 27–31/1, 7/4, 30/4, 1–2/5, 1–2/9), 1 Saturday worked.
		{day(2024, 12, 31), day(2025, 12, 31), 250},
	}
	for _, tc := range cases {
		got, err := c.WorkingDaysBetween(ctx, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("working days from %s to %s = %d, want %d", fmtDay(tc.from), fmtDay(tc.to), got, tc.want)
		}
	}
	// The two functions agree.
	for _, start := range []time.Time{day(2025, 1, 24), day(2025, 4, 25), day(2026, 2, 13), day(2026, 8, 21), day(2027, 2, 3)} {
		for _, n := range []int{1, 2, 5, 10, 30, 100} {
			due, err := c.AddWorkingDays(ctx, start, n)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.WorkingDaysBetween(ctx, start, due); err != nil || got != n {
				t.Errorf("%s + %d = %s, but WorkingDaysBetween gives %d (%v)", fmtDay(start), n, fmtDay(due), got, err)
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c, _ := seeded(t)
	for _, tc := range []struct {
		d    time.Time
		want bool
	}{
		{day(2026, 4, 28), true},   // an ordinary Tuesday
		{day(2026, 4, 25), false},  // an ordinary Saturday
		{day(2026, 4, 27), false},  // day off in lieu of Giỗ Tổ
		{day(2025, 4, 26), true},   // make-up Saturday
		{day(2025, 4, 27), false},  // the Sunday after it
		{day(2026, 1, 10), true},   // make-up Saturday
		{day(2026, 8, 22), true},   // make-up Saturday
		{day(2026, 8, 31), false},  // the Monday swapped for it
		{day(2026, 11, 24), false}, // Ngày Văn hóa Việt Nam
		{day(2025, 11, 24), true},  // not yet a holiday in 2025
	} {
		got, err := c.IsWorkingDay(context.Background(), tc.d)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", fmtDay(tc.d), got, tc.want)
		}
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("err = %v, want an invalid-input error", err)
	}
	return e.Fields
}

func TestSetValidates(t *testing.T) {
	c, pool := seeded(t)
	ctx := context.Background()
	before := count(t, pool)
	cases := []struct {
		name      string
		d         time.Time
		kind      calendar.Kind
		dayName   string
		field     string
		wantInMsg string
	}{
		{"holiday on a Saturday", day(2026, 3, 7), calendar.Holiday, "Nghỉ", "day", "là thứ Bảy. Ngày nghỉ phải là một ngày từ thứ Hai đến thứ Sáu"},
		{"holiday on a Sunday", day(2026, 3, 8), calendar.Holiday, "Nghỉ", "day", "là Chủ nhật."},
		{"make-up day on a Monday", day(2026, 3, 9), calendar.Workday, "Làm bù", "day", "là thứ Hai. Ngày làm bù phải là thứ Bảy hoặc Chủ nhật"},
		{"no day", time.Time{}, calendar.Holiday, "Nghỉ", "day", "dd/mm/yyyy"},
		{"year out of range", day(1999, 3, 9), calendar.Holiday, "Nghỉ", "day", "từ 2000 đến 2100"},
		{"no kind", day(2026, 3, 9), "", "Nghỉ", "kind", "Vui lòng chọn loại ngày"},
		{"unknown kind", day(2026, 3, 9), "weekend", "Nghỉ", "kind", "Vui lòng chọn loại ngày"},
		{"no name", day(2026, 3, 9), calendar.Holiday, "   ", "name", "Vui lòng nhập tên ngày"},
		{"long name", day(2026, 3, 9), calendar.Holiday, strings.Repeat("ă", calendar.MaxNameRunes+1), "name", "tối đa 200 ký tự"},
		{"control character", day(2026, 3, 9), calendar.Holiday, "Nghỉ\x00", "name", "không hợp lệ"},
	}
	for _, tc := range cases {
		err := c.Set(ctx, tc.d, tc.kind, tc.dayName)
		msg := fieldsOf(t, err)[tc.field]
		if !strings.Contains(msg, tc.wantInMsg) {
			t.Errorf("%s: field %s says %q, want it to contain %q (all: %v)", tc.name, tc.field, msg, tc.wantInMsg, err)
		}
	}
	// Every problem is reported at once.
	if f := fieldsOf(t, c.Set(ctx, time.Time{}, "", "")); len(f) != 3 {
		t.Errorf("want messages for day, kind and name, got %v", f)
	}
	if n := count(t, pool); n != before {
		t.Fatalf("refused days were stored: %d rows, want %d", n, before)
	}
}

func count(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM calendar_days`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSetListDelete(t *testing.T) {
	c, _ := seeded(t)
	ctx := context.Background()
	// A day off declared for an event, given as a time of day in Vietnam.
	vn := time.FixedZone("ICT", 7*3600)
	if err := c.Set(ctx, time.Date(2026, 3, 9, 8, 0, 0, 0, vn), calendar.Holiday, "  Nghỉ phục vụ bầu cử  "); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(ctx, day(2026, 3, 9))
	if err != nil || !ok || got.Kind != calendar.Holiday || got.Name != "Nghỉ phục vụ bầu cử" || !got.Day.Equal(day(2026, 3, 9)) {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	if due, _ := c.AddWorkingDays(ctx, day(2026, 3, 6), 1); !due.Equal(day(2026, 3, 10)) {
		t.Errorf("after the new holiday, Friday 6/3 + 1 = %s, want Tuesday 10/3", fmtDay(due))
	}
	// Set replaces.
	if err := c.Set(ctx, day(2026, 3, 9), calendar.Holiday, "Nghỉ đột xuất"); err != nil {
		t.Fatal(err)
	}
	days, err := c.List(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for i, d := range days {
		if i > 0 && !days[i-1].Day.Before(d.Day) {
			t.Errorf("List is not in date order at %s", fmtDay(d.Day))
		}
		if d.Day.Year() != 2026 {
			t.Errorf("List(2026) returned %s", fmtDay(d.Day))
		}
		if d.Day.Equal(day(2026, 3, 9)) {
			found++
			if d.Name != "Nghỉ đột xuất" {
				t.Errorf("Set did not replace the name: %q", d.Name)
			}
		}
	}
	if found != 1 || len(days) != 17 { // 16 official days in 2026 and the new one
		t.Errorf("List(2026): %d days, the new one %d times", len(days), found)
	}
	if _, err := c.List(ctx, 1999); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("List(1999): err = %v, want invalid", err)
	}

	if err := c.Delete(ctx, day(2026, 3, 9)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.IsWorkingDay(ctx, day(2026, 3, 9)); !ok {
		t.Error("a deleted holiday is an ordinary Monday again")
	}
	if err := c.Delete(ctx, day(2026, 3, 9)); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleting an unlisted day: err = %v, want not found", err)
	}
}

func TestSeedIsIdempotentAndKeepsAdministratorsChanges(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	c := calendar.New(pool)
	n, err := calendar.Seed(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(calendar.Official()); n != want || count(t, pool) != want {
		t.Fatalf("first seed inserted %d days (table has %d), want %d", n, count(t, pool), want)
	}
	if n, err := calendar.Seed(ctx, pool); err != nil || n != 0 {
		t.Fatalf("second seed inserted %d days (%v), want 0", n, err)
	}
	// An administrator renames one day and removes another; a new seed
	// restores only the removed one.
	if err := c.Set(ctx, day(2027, 4, 16), calendar.Holiday, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, day(2027, 11, 24)); err != nil {
		t.Fatal(err)
	}
	if n, err := calendar.Seed(ctx, pool); err != nil || n != 1 {
		t.Fatalf("seed after changes inserted %d days (%v), want 1", n, err)
	}
	if d, _, _ := c.Get(ctx, day(2027, 4, 16)); d.Name != "Giỗ Tổ Hùng Vương (10/3 âm lịch)" {
		t.Errorf("seed overwrote an administrator's change: %q", d.Name)
	}
}
