// Package dashboard computes the leaders' dashboards (domain §9) from the
// platform's own data: incoming documents received and how their handling
// ended (on time, late, still open, overdue), outgoing documents issued,
// the mean handling time, and the open work of each unit and person.
//
// Figures are read from aggregates that triggers keep in the same
// transaction as every change to documents, assignments and the
// working-day calendar (migration 0011), so a dashboard over a million
// documents sums a few thousand rows and still equals a count over the
// base tables. Every figure counts only what the viewer may see: the
// chosen unit's subtree (children and predecessors, as access scope
// works) within the viewer's scope, up to the viewer's clearance.
//
// Other capabilities add their own figures as Sections: a query of theirs
// over the Scope, drawn as Widgets (the server wires them).
package dashboard

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
)

// Period is how the figures are grouped in time.
type Period string

// Periods.
const (
	Day     Period = "day"
	Week    Period = "week"
	Month   Period = "month"
	Quarter Period = "quarter"
	Year    Period = "year"
)

// Periods lists the periods in the order the picker offers them.
var Periods = []Period{Day, Week, Month, Quarter, Year}

// Label is the Vietnamese name of the period.
func (p Period) Label() string {
	switch p {
	case Day:
		return "Ngày"
	case Week:
		return "Tuần"
	case Month:
		return "Tháng"
	case Quarter:
		return "Quý"
	case Year:
		return "Năm"
	}
	return string(p)
}

// Valid reports whether p is a known period.
func (p Period) Valid() bool {
	for _, k := range Periods {
		if k == p {
			return true
		}
	}
	return false
}

// start is the first day of the period holding day (weeks start on
// Monday, as date_trunc('week') does).
func (p Period) start(day time.Time) time.Time {
	y, m, d := day.Date()
	switch p {
	case Week:
		off := (int(day.Weekday()) + 6) % 7
		return time.Date(y, m, d-off, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case Quarter:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// next is the first day of the period after the one starting at start.
func (p Period) next(start time.Time) time.Time {
	switch p {
	case Week:
		return start.AddDate(0, 0, 7)
	case Month:
		return start.AddDate(0, 1, 0)
	case Quarter:
		return start.AddDate(0, 3, 0)
	case Year:
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 0, 1)
}

var romanQuarters = [...]string{"I", "II", "III", "IV"}

// label names the period starting at start, the Vietnamese way.
func (p Period) label(start time.Time) string {
	switch p {
	case Week:
		_, w := start.ISOWeek()
		end := start.AddDate(0, 0, 6)
		return fmt.Sprintf("Tuần %d (%s–%s)", w, start.Format("02/01"), end.Format("02/01/2006"))
	case Month:
		return start.Format("01/2006")
	case Quarter:
		return fmt.Sprintf("Quý %s/%d", romanQuarters[(int(start.Month())-1)/3], start.Year())
	case Year:
		return fmt.Sprintf("Năm %d", start.Year())
	}
	return start.Format("02/01/2006")
}

// short names the period starting at start on a chart axis.
func (p Period) short(start time.Time) string {
	switch p {
	case Week:
		_, w := start.ISOWeek()
		return fmt.Sprintf("Tuần %d", w)
	case Month:
		return start.Format("01/2006")
	case Quarter:
		return fmt.Sprintf("Q%d/%d", (int(start.Month())+2)/3, start.Year())
	case Year:
		return strconv.Itoa(start.Year())
	}
	return start.Format("02/01")
}

// Limits of a query.
const (
	MaxBuckets = 400 // periods on one chart
	MaxPeople  = 50  // people listed by open work
	minYear    = 2000
)

// Query is what a dashboard is asked for.
type Query struct {
	UnitID int64     // 0: the viewer's acting unit
	From   time.Time // a calendar day (00:00 UTC); zero: 1 January of To's year
	To     time.Time // zero: today in Vietnam
	Period Period    // "": month
}

// Service builds dashboards.
type Service struct {
	db       *pgxpool.Pool
	sections []Section
	folded   atomic.Int64 // the last day (Unix) this replica folded the open rows up to
}

// New wires the dashboards; sections add figures from other capabilities
// after the document figures, in the order given.
func New(db *pgxpool.Pool, sections ...Section) *Service {
	return &Service{db: db, sections: sections}
}

// ErrUnitNotFound is a unit that does not exist or is outside the viewer's
// scope (the two are not told apart).
var ErrUnitNotFound = apperr.NotFound("Không tìm thấy đơn vị, hoặc đơn vị nằm ngoài phạm vi bạn được xem.")

// fold merges the open rows whose due dates have passed, once a day per
// replica (dash_fold is cheap when there is nothing to merge, and skips
// while another replica folds).
func (s *Service) fold(ctx context.Context, today time.Time) error {
	if s.folded.Load() >= today.Unix() {
		return nil
	}
	if _, err := s.db.Exec(ctx, `SELECT dash_fold($1)`, today); err != nil {
		return fmt.Errorf("fold dashboard rows: %w", err)
	}
	s.folded.Store(today.Unix())
	return nil
}

// Today is the current calendar day in Vietnam.
func Today() time.Time { return vntime.Today() }

// normalise fills defaults and checks the query, with Vietnamese messages
// per field.
func (q *Query) normalise(sub access.Subject, today time.Time) error {
	f := apperr.Fields{}
	if q.UnitID == 0 {
		q.UnitID = sub.ActingUnit
	}
	if q.UnitID == 0 {
		f.Add("unit_id", "Vui lòng chọn đơn vị.")
	}
	if q.Period == "" {
		q.Period = Month
	}
	if !q.Period.Valid() {
		f.Add("period", "Chu kỳ phải là ngày, tuần, tháng, quý hoặc năm.")
	}
	if q.To.IsZero() {
		q.To = today
	}
	q.To = dateOf(q.To)
	if q.From.IsZero() {
		q.From = time.Date(q.To.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	q.From = dateOf(q.From)
	switch {
	case q.From.Year() < minYear:
		f.Add("from", fmt.Sprintf("“Từ ngày” phải từ năm %d trở đi.", minYear))
	case q.To.Year() > today.Year()+1:
		f.Add("to", "“Đến ngày” quá xa trong tương lai.")
	case q.To.Before(q.From):
		f.Add("to", "“Đến ngày” phải bằng hoặc sau “Từ ngày”.")
	case q.Period.Valid():
		if n := len(buckets(q.Period, q.From, q.To)); n > MaxBuckets {
			f.Add("period", fmt.Sprintf("Khoảng thời gian này có %d kỳ %s, quá nhiều để vẽ biểu đồ (tối đa %d): chọn chu kỳ dài hơn hoặc thu hẹp khoảng thời gian.",
				n, lower(q.Period.Label()), MaxBuckets))
		}
	}
	return f.Err()
}

func lower(s string) string {
	switch s {
	case "Ngày":
		return "ngày"
	case "Tuần":
		return "tuần"
	case "Tháng":
		return "tháng"
	case "Quý":
		return "quý"
	case "Năm":
		return "năm"
	}
	return s
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// span is one period of the chart, cut to the queried range.
type span struct {
	key        time.Time // the period's own first day (date_trunc)
	start, end time.Time // within [from, to]
}

func buckets(p Period, from, to time.Time) []span {
	var out []span
	for k := p.start(from); !k.After(to); k = p.next(k) {
		s := span{key: k, start: k, end: p.next(k).AddDate(0, 0, -1)}
		if s.start.Before(from) {
			s.start = from
		}
		if s.end.After(to) {
			s.end = to
		}
		out = append(out, s)
		if len(out) > MaxBuckets {
			break
		}
	}
	return out
}

// Scope is what a section counts over: the chosen unit's subtree within
// the viewer's scope, the viewer's clearance, and the time range.
type Scope struct {
	Viewer    access.Subject
	UnitID    int64
	Units     []int64 // every unit counted (the chosen one, its subtree, their predecessors), in scope
	Clearance identity.Clearance
	From, To  time.Time // calendar days, inclusive
	Period    Period
	Today     time.Time
}

// Section adds widgets of figures from another capability (tasks by
// status, report compliance…). Its queries must count only rows of
// sc.Units up to sc.Clearance, and only what sc.Viewer may see.
type Section interface {
	Widgets(ctx context.Context, sc Scope) ([]Widget, error)
}

// SectionFunc adapts a function to Section.
type SectionFunc func(ctx context.Context, sc Scope) ([]Widget, error)

// Widgets calls f.
func (f SectionFunc) Widgets(ctx context.Context, sc Scope) ([]Widget, error) { return f(ctx, sc) }
