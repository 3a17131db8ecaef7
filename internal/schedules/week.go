package schedules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Week is an ISO 8601 week (Monday–Sunday), the period of one schedule.
type Week struct {
	Year int // the ISO week-numbering year
	Num  int // 1–53
}

// WeekOf returns the ISO week containing day.
func WeekOf(day time.Time) Week {
	y, w := day.ISOWeek()
	return Week{Year: y, Num: w}
}

// ParseWeek reads "2026-W17" (the HTML week input's value; "2026-w17" and
// "2026W17" are accepted too). Week 53 exists only in long years.
func ParseWeek(s string) (Week, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y, n, ok := strings.Cut(s, "W")
	if !ok {
		return Week{}, false
	}
	y = strings.TrimSuffix(y, "-")
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || len(y) != 4 || year < 1900 || year > 9999 || num < 1 || num > 53 {
		return Week{}, false
	}
	w := Week{Year: year, Num: num}
	if WeekOf(w.Start()) != w { // week 53 of a 52-week year
		return Week{}, false
	}
	return w, true
}

// Start is the week's Monday at 00:00 UTC (a calendar date).
func (w Week) Start() time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End is the week's Sunday.
func (w Week) End() time.Time { return w.Start().AddDate(0, 0, 6) }

// Prev is the week before.
func (w Week) Prev() Week { return WeekOf(w.Start().AddDate(0, 0, -7)) }

// Next is the week after.
func (w Week) Next() Week { return WeekOf(w.Start().AddDate(0, 0, 7)) }

// Contains reports whether the calendar date day falls in the week.
func (w Week) Contains(day time.Time) bool {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(w.Start()) && !d.After(w.End())
}

// String is the ISO form, "2026-W17".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Span is "20/04/2026 – 26/04/2026".
func (w Week) Span() string {
	return w.Start().Format("02/01/2006") + " – " + w.End().Format("02/01/2006")
}

// Label is "Tuần 17 (20/04/2026 – 26/04/2026)".
func (w Week) Label() string { return fmt.Sprintf("Tuần %d (%s)", w.Num, w.Span()) }

// Clock is a time of day in minutes after midnight, Vietnam time.
type Clock int

// ParseClock reads a time of day as people type it: 08:00, 8:00, 8h, 8h30,
// 8g30, 08.30.
func ParseClock(s string) (Clock, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if s == "" {
		return 0, false
	}
	h, m, found := s, "", false
	for _, sep := range []string{":", "h", "g", "."} {
		if a, b, ok := strings.Cut(s, sep); ok {
			h, m, found = a, b, true
			break
		}
	}
	if !found && len(s) > 2 {
		return 0, false
	}
	if m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(h) > 2 || len(m) > 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return Clock(hh*60 + mm), true
}

// String is "08:00".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Periods of the day a schedule groups its entries by.
const (
	Morning   = "morning"
	Afternoon = "afternoon"
	Evening   = "evening"
)

// Period is the part of the day an entry starting at c belongs to.
func (c Clock) Period() string {
	switch {
	case c < 12*60:
		return Morning
	case c < 18*60:
		return Afternoon
	}
	return Evening
}

// PeriodLabel is the Vietnamese name of a period.
func PeriodLabel(p string) string {
	switch p {
	case Morning:
		return "Sáng"
	case Afternoon:
		return "Chiều"
	case Evening:
		return "Tối"
	}
	return p
}

var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Weekday is the Vietnamese day name: "Thứ Hai" … "Chủ nhật".
func Weekday(day time.Time) string { return weekdays[day.Weekday()] }

// DayLabel is "Thứ Hai, 20/04/2026".
func DayLabel(day time.Time) string { return Weekday(day) + ", " + day.Format("02/01/2006") }
