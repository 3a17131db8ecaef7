package reports

import (
	"context"
	"fmt"
	"time"
)

// Period kinds of a template.
const (
	PeriodWeek     = "week"
	PeriodMonth    = "month"
	PeriodQuarter  = "quarter"
	PeriodHalfYear = "half_year"
	PeriodYear     = "year"
	PeriodAdHoc    = "ad_hoc"
)

// PeriodKinds lists the kinds in the order forms offer them.
var PeriodKinds = []string{PeriodWeek, PeriodMonth, PeriodQuarter, PeriodHalfYear, PeriodYear, PeriodAdHoc}

// PeriodKindLabel is the Vietnamese name of a period kind.
func PeriodKindLabel(k string) string {
	switch k {
	case PeriodWeek:
		return "Hằng tuần"
	case PeriodMonth:
		return "Hằng tháng"
	case PeriodQuarter:
		return "Hằng quý"
	case PeriodHalfYear:
		return "6 tháng"
	case PeriodYear:
		return "Hằng năm"
	case PeriodAdHoc:
		return "Đột xuất"
	}
	return k
}

// Due-date rules.
const (
	DueWorkingDays = "working_days" // N working days after the period ends
	DueMonthDay    = "month_day"    // day N of the month after the period ends
	DueManual      = "manual"       // ad hoc: each period carries its own date
)

// DueRuleText describes a template's rule in Vietnamese.
func DueRuleText(rule string, n int) string {
	switch rule {
	case DueWorkingDays:
		if n == 0 {
			return "Ngày cuối kỳ"
		}
		return fmt.Sprintf("%d ngày làm việc sau khi kết thúc kỳ", n)
	case DueMonthDay:
		return fmt.Sprintf("Ngày %d của tháng sau kỳ báo cáo (nếu là ngày nghỉ thì lùi sang ngày làm việc kế tiếp)", n)
	case DueManual:
		return "Ấn định cho từng đợt"
	}
	return rule
}

var romanQuarters = [...]string{"I", "II", "III", "IV"}

// periodOf returns the period of kind holding day: its first and last day
// and its Vietnamese label.
func periodOf(kind string, day time.Time) (start, end time.Time, label string) {
	y, m, _ := day.Date()
	switch kind {
	case PeriodWeek:
		// ISO weeks: Monday to Sunday, numbered in the year of their Thursday.
		offset := (int(day.Weekday()) + 6) % 7
		start = dateOnly(day).AddDate(0, 0, -offset)
		end = start.AddDate(0, 0, 6)
		wy, w := start.AddDate(0, 0, 3).ISOWeek()
		return start, end, fmt.Sprintf("Tuần %d/%d (%s–%s)", w, wy, start.Format("02/01"), end.Format("02/01/2006"))
	case PeriodMonth:
		start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, -1), fmt.Sprintf("Tháng %02d/%d", int(m), y)
	case PeriodQuarter:
		q := (int(m) - 1) / 3
		start = time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 3, -1), fmt.Sprintf("Quý %s/%d", romanQuarters[q], y)
	case PeriodHalfYear:
		if m <= 6 {
			start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			return start, start.AddDate(0, 6, -1), fmt.Sprintf("6 tháng đầu năm %d", y)
		}
		start = time.Date(y, 7, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 6, -1), fmt.Sprintf("6 tháng cuối năm %d", y)
	case PeriodYear:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(1, 0, -1), fmt.Sprintf("Năm %d", y)
	}
	return time.Time{}, time.Time{}, ""
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dueDate applies a template's rule to a period ending on end.
func (s *Service) dueDate(ctx context.Context, rule string, n int, end time.Time) (time.Time, error) {
	switch rule {
	case DueWorkingDays:
		return s.days.AddWorkingDays(ctx, end, n)
	case DueMonthDay:
		y, m, _ := end.Date()
		d := time.Date(y, m+1, n, 0, 0, 0, 0, time.UTC)
		ok, err := s.days.IsWorkingDay(ctx, d)
		if err != nil || ok {
			return d, err
		}
		return s.days.AddWorkingDays(ctx, d, 1)
	}
	return time.Time{}, fmt.Errorf("reports: no due date rule %q", rule)
}

// maxPeriodsBack bounds how far back the first period of a new template
// may lie, so a typo cannot open hundreds of periods.
const maxPeriodsBack = 366 * 24 * time.Hour
