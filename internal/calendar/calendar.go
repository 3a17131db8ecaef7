// Package calendar is the working-day calendar that deadlines are counted
// on. A working day is Monday to Friday unless the table calendar_days lists
// it as a 'holiday' (a public holiday, a day off in lieu or a swapped day);
// a Saturday or Sunday is a working day only when listed as a 'workday' (a
// make-up day the Government declared). Administrators keep the table per
// year; seed.go holds the official calendars.
//
// Days are dates: a time.Time at 00:00 UTC. Methods take the calendar date
// of whatever time they are given (its own year, month and day) and drop
// the clock.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
)

// Kind says what a listed day is.
type Kind string

const (
	// Holiday is a weekday off: a public holiday, a day off in lieu of a
	// holiday that fell on a weekend, or a weekday swapped for a Saturday.
	Holiday Kind = "holiday"
	// Workday is a Saturday or Sunday worked to make up a swapped weekday.
	Workday Kind = "workday"
)

// Kinds lists the kinds in the order forms offer them.
var Kinds = []Kind{Holiday, Workday}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Holiday || k == Workday }

// Label is the Vietnamese name of the kind.
func (k Kind) Label() string {
	switch k {
	case Holiday:
		return "Ngày nghỉ"
	case Workday:
		return "Ngày làm bù"
	}
	return string(k)
}

// Day is one listed day.
type Day struct {
	Day  time.Time
	Kind Kind
	Name string
}

// Limits.
const (
	MaxAddDays   = 366       // AddWorkingDays counts at most this many working days
	MinYear      = 2000      // the calendar covers these years
	MaxYear      = 2100      //
	MaxNameRunes = 200       // length of a day's name
	maxSpanDays  = 366 * 100 // WorkingDaysBetween spans at most about a century
)

// Calendar reads and keeps the working-day calendar.
type Calendar struct{ db *pgxpool.Pool }

// New returns the calendar stored in db.
func New(db *pgxpool.Pool) *Calendar { return &Calendar{db: db} }

// DateOf returns t's calendar date (in t's own location) as 00:00 UTC.
func DateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Weekend reports whether day is a Saturday or Sunday.
func Weekend(day time.Time) bool {
	wd := day.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Working decides whether day is a working day given its listing: kind is
// "" for a day the table does not list.
func Working(day time.Time, kind Kind) bool {
	switch kind {
	case Holiday:
		return false
	case Workday:
		return true
	}
	return !Weekend(day)
}

// weekdayNames are the Vietnamese names of the days of the week.
var weekdayNames = [...]string{
	time.Sunday: "Chủ nhật", time.Monday: "Thứ Hai", time.Tuesday: "Thứ Ba", time.Wednesday: "Thứ Tư",
	time.Thursday: "Thứ Năm", time.Friday: "Thứ Sáu", time.Saturday: "Thứ Bảy",
}

// WeekdayName is the Vietnamese name of day's weekday: Thứ Hai … Chủ nhật.
func WeekdayName(day time.Time) string { return weekdayNames[day.Weekday()] }

// weekdayInSentence is the weekday's name inside a sentence: "thứ Hai",
// "Chủ nhật".
func weekdayInSentence(day time.Time) string {
	if n, ok := strings.CutPrefix(WeekdayName(day), "Thứ"); ok {
		return "thứ" + n
	}
	return WeekdayName(day)
}

// workingSQL is Working in SQL, for a generated day g.d left-joined with
// calendar_days c.
const workingSQL = `CASE c.kind WHEN 'holiday' THEN false WHEN 'workday' THEN true
	ELSE extract(isodow FROM g.d) < 6 END`

// IsWorkingDay reports whether day is a working day.
func (c *Calendar) IsWorkingDay(ctx context.Context, day time.Time) (bool, error) {
	day = DateOf(day)
	var kind Kind
	err := c.db.QueryRow(ctx, `SELECT kind FROM calendar_days WHERE day = $1`, day).Scan(&kind)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("calendar: read %s: %w", day.Format(time.DateOnly), err)
	}
	return Working(day, kind), nil
}

// AddWorkingDays returns the date n working days after start: start itself
// is not counted, so n = 1 is the next working day, and n = 0 returns start
// (its date). n runs from 0 to MaxAddDays. One query looks at a window of
// days wide enough for any real calendar.
func (c *Calendar) AddWorkingDays(ctx context.Context, start time.Time, n int) (time.Time, error) {
	start = DateOf(start)
	if n < 0 || n > MaxAddDays {
		return time.Time{}, apperr.Invalid(fmt.Sprintf("Số ngày làm việc phải từ 0 đến %d.", MaxAddDays), nil)
	}
	if n == 0 {
		return start, nil
	}
	// A year has about 250 working days; three calendar days per working
	// day plus two months leaves room for any run of holidays.
	window := 3*n + 60
	var due time.Time
	err := c.db.QueryRow(ctx, `
		SELECT g.d
		FROM (SELECT $1::date + i AS d FROM generate_series(1, $3::int) AS i) AS g
		LEFT JOIN calendar_days c ON c.day = g.d
		WHERE `+workingSQL+`
		ORDER BY g.d
		OFFSET $2::int - 1
		LIMIT 1`, start, n, window).Scan(&due)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, apperr.Conflict(fmt.Sprintf(
			"Không tính được hạn: trong %d ngày sau %s, lịch làm việc không có đủ %d ngày làm việc. Vui lòng kiểm tra lại lịch ngày nghỉ.",
			window, start.Format("02/01/2006"), n))
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("calendar: add %d working days to %s: %w", n, start.Format(time.DateOnly), err)
	}
	return due, nil
}

// WorkingDaysBetween counts the working days after from up to and
// including to, so that WorkingDaysBetween(d, AddWorkingDays(d, n)) = n.
// When to is before from the count is negative: -WorkingDaysBetween(to,
// from). For a deadline and the day work was done, a positive result is the
// number of working days late.
func (c *Calendar) WorkingDaysBetween(ctx context.Context, from, to time.Time) (int, error) {
	from, to = DateOf(from), DateOf(to)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	span := int(to.Sub(from) / (24 * time.Hour))
	if span == 0 {
		return 0, nil
	}
	if span > maxSpanDays {
		return 0, apperr.Invalid("Khoảng thời gian quá dài để đếm ngày làm việc.", nil)
	}
	var n int
	err := c.db.QueryRow(ctx, `
		SELECT count(*)
		FROM (SELECT $1::date + i AS d FROM generate_series(1, $2::int) AS i) AS g
		LEFT JOIN calendar_days c ON c.day = g.d
		WHERE `+workingSQL, from, span).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("calendar: working days from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return sign * n, nil
}

// yearError reports a year outside the calendar's range, or nil.
func yearError(year int) error {
	if year < MinYear || year > MaxYear {
		return apperr.Invalid(fmt.Sprintf("Năm phải trong khoảng %d–%d.", MinYear, MaxYear), nil)
	}
	return nil
}

// List returns the days listed in year, in date order.
func (c *Calendar) List(ctx context.Context, year int) ([]Day, error) {
	if err := yearError(year); err != nil {
		return nil, err
	}
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	rows, err := c.db.Query(ctx, `
		SELECT day, kind, name FROM calendar_days
		WHERE day >= $1 AND day < $2
		ORDER BY day`, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("calendar: list %d: %w", year, err)
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Day, error) {
		var d Day
		err := row.Scan(&d.Day, &d.Kind, &d.Name)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar: list %d: %w", year, err)
	}
	return days, nil
}

// Get returns the listing of day; ok is false when the day is not listed.
func (c *Calendar) Get(ctx context.Context, day time.Time) (d Day, ok bool, err error) {
	day = DateOf(day)
	err = c.db.QueryRow(ctx, `SELECT day, kind, name FROM calendar_days WHERE day = $1`, day).Scan(&d.Day, &d.Kind, &d.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return Day{}, false, nil
	}
	if err != nil {
		return Day{}, false, fmt.Errorf("calendar: read %s: %w", day.Format(time.DateOnly), err)
	}
	return d, true, nil
}

// Validate checks a day before it is listed; the error carries Vietnamese
// messages for the form fields day, kind and name. A zero day means none
// was given.
func Validate(day time.Time, kind Kind, name string) error {
	f := apperr.Fields{}
	switch {
	case day.IsZero():
		f.Add("day", "Vui lòng nhập ngày theo dạng dd/mm/yyyy.")
	case day.Year() < MinYear || day.Year() > MaxYear:
		f.Add("day", fmt.Sprintf("Ngày phải thuộc các năm từ %d đến %d.", MinYear, MaxYear))
	case kind == Holiday && Weekend(day):
		f.Add("day", fmt.Sprintf("Ngày %s là %s. Ngày nghỉ phải là một ngày từ thứ Hai đến thứ Sáu, vì thứ Bảy và Chủ nhật vốn đã được nghỉ; "+
			"nếu ngày lễ trùng cuối tuần, hãy thêm ngày nghỉ bù vào ngày làm việc kế tiếp.",
			day.Format("02/01/2006"), weekdayInSentence(day)))
	case kind == Workday && !Weekend(day):
		f.Add("day", fmt.Sprintf("Ngày %s là %s. Ngày làm bù phải là thứ Bảy hoặc Chủ nhật, vì các ngày từ thứ Hai đến thứ Sáu vốn đã là ngày làm việc.",
			day.Format("02/01/2006"), weekdayInSentence(day)))
	}
	if !kind.Valid() {
		f.Add("kind", "Vui lòng chọn loại ngày: ngày nghỉ hoặc ngày làm bù.")
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		f.Add("name", "Vui lòng nhập tên ngày, ví dụ: Tết Dương lịch, hoặc Làm bù cho ngày nghỉ thứ Sáu 02/01/2026.")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		f.Add("name", fmt.Sprintf("Tên ngày dài tối đa %d ký tự.", MaxNameRunes))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		f.Add("name", "Tên ngày có ký tự không hợp lệ.")
	}
	return f.Err()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Set lists day as kind with name, replacing what was listed for that day.
func (c *Calendar) Set(ctx context.Context, day time.Time, kind Kind, name string) error {
	if !day.IsZero() {
		day = DateOf(day)
	}
	if err := Validate(day, kind, name); err != nil {
		return err
	}
	_, err := c.db.Exec(ctx, `
		INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name`,
		day, string(kind), strings.TrimSpace(name))
	if err != nil {
		return fmt.Errorf("calendar: set %s: %w", day.Format(time.DateOnly), err)
	}
	return nil
}

// ErrDayNotListed is returned by Delete for a day the calendar does not list.
var ErrDayNotListed = apperr.NotFound("Ngày này không có trong lịch ngày nghỉ, ngày làm bù.")

// Delete removes day from the calendar, so it is again an ordinary weekday
// or weekend day.
func (c *Calendar) Delete(ctx context.Context, day time.Time) error {
	day = DateOf(day)
	tag, err := c.db.Exec(ctx, `DELETE FROM calendar_days WHERE day = $1`, day)
	if err != nil {
		return fmt.Errorf("calendar: delete %s: %w", day.Format(time.DateOnly), err)
	}
	if tag.RowsAffected() == 0 {
		return ErrDayNotListed
	}
	return nil
}
