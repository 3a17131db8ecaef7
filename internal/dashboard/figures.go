package dashboard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
)

// Figures are the document figures of a set of units over a time range.
// Incoming figures follow the documents that arrived (were registered) in
// the range: how many, how many are finished and whether on time, how
// many are still in handling. Outgoing figures count documents issued in
// the range.
type Figures struct {
	Received       int64 `json:"received"`              // incoming registered (03–06)
	Issued         int64 `json:"issued"`                // outgoing issued
	Done           int64 `json:"done"`                  // of Received, finished (06)
	DoneOnTime     int64 `json:"done_on_time"`          // finished on or before the due date
	DoneLate       int64 `json:"done_late"`             // finished after the due date
	DoneNoDeadline int64 `json:"done_without_deadline"` // finished, no due date
	Open           int64 `json:"open"`                  // of Received, still in handling (03, 04, 05): Received − Done
	// Handling time of the finished documents, exactly: how many carry a
	// completion time, and the sums the means come from.
	Timed               int64 `json:"handling_count"`
	HandlingSeconds     int64 `json:"handling_seconds"`
	HandlingWorkingDays int64 `json:"handling_working_days"`
}

// OnTimeRate is the share of finished documents with a due date that
// were finished on time; ok is false when there are none.
func (f Figures) OnTimeRate() (rate float64, ok bool) {
	n := f.DoneOnTime + f.DoneLate
	if n == 0 {
		return 0, false
	}
	return float64(f.DoneOnTime) / float64(n), true
}

// MeanDays is the mean handling time in days (registration to
// completion); ok is false when nothing was finished.
func (f Figures) MeanDays() (days float64, ok bool) {
	if f.Timed == 0 {
		return 0, false
	}
	return float64(f.HandlingSeconds) / 86400 / float64(f.Timed), true
}

// MeanWorkingDays is the mean handling time in working days on the
// working-day calendar.
func (f Figures) MeanWorkingDays() (days float64, ok bool) {
	if f.Timed == 0 {
		return 0, false
	}
	return float64(f.HandlingWorkingDays) / float64(f.Timed), true
}

func (f *Figures) add(g Figures) {
	f.Received += g.Received
	f.Issued += g.Issued
	f.Done += g.Done
	f.DoneOnTime += g.DoneOnTime
	f.DoneLate += g.DoneLate
	f.DoneNoDeadline += g.DoneNoDeadline
	f.Open += g.Open
	f.Timed += g.Timed
	f.HandlingSeconds += g.HandlingSeconds
	f.HandlingWorkingDays += g.HandlingWorkingDays
}

func (f Figures) zero() bool { return f == Figures{} }

// Bucket is one period of the range.
type Bucket struct {
	Start, End time.Time // calendar days within the range
	Label      string    // Tuần 45 (02/11–08/11/2026)
	Short      string    // Tuần 45, for chart axes
	Figures
}

// UnitRef names a unit.
type UnitRef struct {
	ID      int64
	Name    string
	ValidTo *time.Time // the last day of a unit that no longer exists
}

// UnitFigures are one unit's own documents (not its subtree's).
type UnitFigures struct {
	UnitRef
	Figures
	OpenNow    int64 // in handling today, whenever they arrived
	OverdueNow int64 // of them, past due
}

// PersonFigures is one person's open work on the documents counted: their
// lead and cooperating assignments still open, and those past deadline.
type PersonFigures struct {
	UserID  int64
	Name    string
	Open    int64
	Overdue int64
}

// Dashboard is everything one dashboard shows.
type Dashboard struct {
	Unit        UnitRef
	From, To    time.Time
	Today       time.Time
	Period      Period
	UnitCount   int // units counted: the chosen one, its subtree, predecessors
	Totals      Figures
	OpenNow     int64 // in handling today, whenever they arrived
	OverdueNow  int64
	Series      []Bucket
	ByUnit      []UnitFigures // units with any figure, by name
	ByPerson    []PersonFigures
	PeopleTotal int // people with open work (ByPerson keeps the MaxPeople first)
	Sections    []Widget
	Scope       Scope
}

// Build computes the dashboard sub asked for.
func (s *Service) Build(ctx context.Context, sub access.Subject, q Query) (Dashboard, error) {
	today := Today()
	if err := q.normalise(sub, today); err != nil {
		return Dashboard{}, err
	}
	unit, units, err := s.resolve(ctx, sub, q.UnitID)
	if err != nil {
		return Dashboard{}, err
	}
	if err := s.fold(ctx, today); err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Unit: unit, From: q.From, To: q.To, Today: today, Period: q.Period, UnitCount: len(units)}
	d.Scope = Scope{Viewer: sub, UnitID: unit.ID, Units: units, Clearance: sub.Clearance, From: q.From, To: q.To, Period: q.Period, Today: today}
	// The sections read other tables: they run beside the document
	// figures, each on its own connection, and keep their order.
	widgets := make([][]Widget, len(s.sections))
	errs := make([]error, len(s.sections)+1)
	var wg sync.WaitGroup
	sc := d.Scope
	for i, sec := range s.sections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			widgets[i], errs[i] = sec.Widgets(ctx, sc)
		}()
	}
	errs[len(s.sections)] = s.documentFigures(ctx, &d)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Dashboard{}, err
	}
	for _, ws := range widgets {
		d.Sections = append(d.Sections, ws...)
	}
	return d, nil
}

// resolve checks the unit is in sub's scope and lists the units its
// dashboard counts: the unit, its children and predecessors (and theirs),
// keeping only those sub may see.
func (s *Service) resolve(ctx context.Context, sub access.Subject, unitID int64) (UnitRef, []int64, error) {
	var u UnitRef
	if !sub.CanViewUnitRecords(unitID) {
		return u, nil, ErrUnitNotFound
	}
	err := s.db.QueryRow(ctx, `SELECT id, name, valid_to FROM units WHERE id = $1`, unitID).Scan(&u.ID, &u.Name, &u.ValidTo)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, nil, ErrUnitNotFound
	}
	if err != nil {
		return u, nil, fmt.Errorf("read unit %d: %w", unitID, err)
	}
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE tree(id) AS (
			SELECT $1::bigint
			UNION
			SELECT x.id FROM tree t CROSS JOIN LATERAL (
				SELECT c.id FROM units c WHERE c.parent_id = t.id
				UNION ALL
				SELECT p.predecessor_id FROM unit_succession p WHERE p.successor_id = t.id
			) x
		)
		SELECT id FROM tree WHERE $2 OR id = ANY($3) ORDER BY id`, unitID, sub.IsAdmin, sub.ViewUnits())
	units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return u, nil, fmt.Errorf("units under %d: %w", unitID, err)
	}
	return u, units, nil
}

// documentFigures reads the aggregates: the arrival cohort and issues by
// period and by unit, what is in handling today, and each person's open
// work. The four reads run side by side on the pool.
func (s *Service) documentFigures(ctx context.Context, d *Dashboard) error {
	sc := d.Scope
	var mu sync.Mutex
	spans := buckets(d.Period, d.From, d.To)
	byKey := map[time.Time]*Bucket{}
	d.Series = make([]Bucket, len(spans))
	for i, sp := range spans {
		d.Series[i] = Bucket{Start: sp.start, End: sp.end, Label: d.Period.label(sp.key), Short: d.Period.short(sp.key)}
		byKey[sp.key] = &d.Series[i]
	}
	type row struct {
		byPeriod bool
		key      time.Time
		unit     int64
		f        Figures
		n1, n2   int64
	}
	var cohort, now []row
	var people []PersonFigures
	var total int
	// cohortRead sums the aggregates by period (keyed) or by unit: whole
	// periods of a grain (weeks or months) inside the range from its rows,
	// the days before and after them from the daily rows, as three plain
	// index ranges.
	cohortRead := func(grain string, byPeriod bool) func() error {
		coarseFrom, coarseTo := d.From, d.From // no coarse part: the third range holds every day
		if grain != "d" {
			unit := map[string]Period{"w": Week, "m": Month}[grain]
			coarseFrom = unit.start(d.From)
			if !coarseFrom.Equal(d.From) {
				coarseFrom = unit.next(coarseFrom)
			}
			coarseTo = unit.start(d.To.AddDate(0, 0, 1))
			if !coarseTo.After(coarseFrom) {
				coarseFrom, coarseTo = d.From, d.From
			}
		}
		scope := `SELECT * FROM dash_doc_agg WHERE unit_id = ANY($1) AND conf <= $2::clearance_level AND `
		key := `unit_id::bigint, date_trunc($5, NULL::timestamp)` // NULL; names $5's type
		if byPeriod {
			key = `0::bigint, date_trunc($5, day::timestamp)`
		}
		sql := `
			SELECT ` + key + ` AS k, sum(received), sum(issued), sum(done), sum(done_on_time), sum(done_late), sum(timed),
				sum(handling_seconds), sum(handling_workdays)
			FROM (` + scope + `grain = $8::"char" AND day >= $6 AND day < $7
				UNION ALL ` + scope + `grain = 'd' AND day >= $3 AND day < $6
				UNION ALL ` + scope + `grain = 'd' AND day >= $7 AND day <= $4) r
			GROUP BY 1, 2`
		return func() error {
			rows, _ := s.db.Query(ctx, sql, sc.Units, string(sc.Clearance), d.From, d.To, string(d.Period), coarseFrom, coarseTo, grain)
			var out []row
			r := row{byPeriod: byPeriod}
			var key *time.Time
			_, err := pgx.ForEachRow(rows, []any{&r.unit, &key, &r.f.Received, &r.f.Issued, &r.f.Done, &r.f.DoneOnTime,
				&r.f.DoneLate, &r.f.Timed, &r.f.HandlingSeconds, &r.f.HandlingWorkingDays}, func() error {
				r.f.DoneNoDeadline = r.f.Done - r.f.DoneOnTime - r.f.DoneLate
				r.f.Open = r.f.Received - r.f.Done
				if key != nil {
					r.key = *key
				}
				out = append(out, r)
				return nil
			})
			mu.Lock()
			cohort = append(cohort, out...)
			mu.Unlock()
			return err
		}
	}
	// The periods read the grain they are made of; the units' totals the
	// coarsest, months.
	grain := "d"
	switch d.Period {
	case Week:
		grain = "w"
	case Month, Quarter, Year:
		grain = "m"
	}
	reads := []func() error{
		cohortRead(grain, true),
		cohortRead("m", false),
		func() error {
			rows, _ := s.db.Query(ctx, `
				SELECT unit_id, sum(n), coalesce(sum(n) FILTER (WHERE due < $3), 0) FROM dash_open_now
				WHERE unit_id = ANY($1) AND conf <= $2::clearance_level
				GROUP BY unit_id`, sc.Units, string(sc.Clearance), d.Today)
			var r row
			_, err := pgx.ForEachRow(rows, []any{&r.unit, &r.n1, &r.n2}, func() error {
				now = append(now, r)
				return nil
			})
			return err
		},
		func() error {
			rows, _ := s.db.Query(ctx, `
				SELECT a.user_id, u.full_name, sum(a.n) AS open, coalesce(sum(a.n) FILTER (WHERE a.deadline < $3), 0) AS overdue,
					count(*) OVER () AS people
				FROM dash_asg_open a JOIN users u ON u.id = a.user_id
				WHERE a.unit_id = ANY($1) AND a.conf <= $2::clearance_level
				GROUP BY a.user_id, u.full_name
				HAVING sum(a.n) <> 0
				ORDER BY overdue DESC, open DESC, u.full_name, a.user_id
				LIMIT $4`, sc.Units, string(sc.Clearance), d.Today, MaxPeople)
			var p PersonFigures
			_, err := pgx.ForEachRow(rows, []any{&p.UserID, &p.Name, &p.Open, &p.Overdue, &total}, func() error {
				people = append(people, p)
				return nil
			})
			return err
		},
	}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dashboard figures: %w", err)
	}

	byUnit := map[int64]*UnitFigures{}
	unitRow := func(id int64) *UnitFigures {
		if u, ok := byUnit[id]; ok {
			return u
		}
		u := &UnitFigures{UnitRef: UnitRef{ID: id}}
		byUnit[id] = u
		return u
	}
	bucketOf := func(key time.Time) (*Bucket, error) {
		b, ok := byKey[dateOf(key)]
		if !ok {
			return nil, fmt.Errorf("dashboard: period %s outside the range", key.Format(time.DateOnly))
		}
		return b, nil
	}
	for _, r := range cohort {
		if r.byPeriod {
			b, err := bucketOf(r.key)
			if err != nil {
				return err
			}
			b.Figures.add(r.f)
			continue
		}
		unitRow(r.unit).Figures.add(r.f)
		d.Totals.add(r.f)
	}
	for _, r := range now {
		u := unitRow(r.unit)
		u.OpenNow += r.n1
		u.OverdueNow += r.n2
		d.OpenNow += r.n1
		d.OverdueNow += r.n2
	}
	d.ByPerson, d.PeopleTotal = people, total

	// Units with something to show, named, in Vietnamese order.
	ids := make([]int64, 0, len(byUnit))
	for id, u := range byUnit {
		if !u.Figures.zero() || u.OpenNow != 0 {
			ids = append(ids, id)
		}
	}
	rows, _ := s.db.Query(ctx, `SELECT id, name, valid_to FROM units WHERE id = ANY($1) ORDER BY name, id`, ids)
	var ref UnitRef
	_, err := pgx.ForEachRow(rows, []any{&ref.ID, &ref.Name, &ref.ValidTo}, func() error {
		u := byUnit[ref.ID]
		u.UnitRef = ref
		d.ByUnit = append(d.ByUnit, *u)
		return nil
	})
	if err != nil {
		return fmt.Errorf("dashboard unit names: %w", err)
	}
	return nil
}

// Choice is a unit the picker offers.
type Choice struct {
	ID    int64
	Name  string
	Group string // Đơn vị của bạn, Cấp trên, Đang xem, Trực thuộc
}

// Choices lists the units the picker offers around the chosen one: the
// viewer's own units, the chosen unit's ancestors and current children in
// the viewer's scope, and the chosen unit itself.
func (s *Service) Choices(ctx context.Context, sub access.Subject, unitID int64) ([]Choice, error) {
	mine := make([]int64, 0, len(sub.Memberships))
	for _, m := range sub.Memberships {
		if !slices.Contains(mine, m.UnitID) {
			mine = append(mine, m.UnitID)
		}
	}
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT parent_id, 1 FROM units WHERE id = $2 AND parent_id IS NOT NULL
			UNION ALL
			SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL AND up.depth < 50
		),
		picked AS (
			SELECT id, 0 AS grp, 0 AS depth FROM unnest($1::bigint[]) id
			UNION ALL SELECT id, 1, -depth FROM up
			UNION ALL SELECT $2, 2, 0
			UNION ALL SELECT id, 3, 0 FROM units WHERE parent_id = $2 AND valid_to IS NULL
		)
		SELECT p.id, u.name, p.grp FROM picked p JOIN units u ON u.id = p.id
		WHERE $3 OR p.id = ANY($4)
		ORDER BY p.grp, p.depth, u.name, p.id`, mine, unitID, sub.IsAdmin, sub.ViewUnits())
	var c Choice
	var grp int
	var out []Choice
	_, err := pgx.ForEachRow(rows, []any{&c.ID, &c.Name, &grp}, func() error {
		c.Group = []string{"Đơn vị của bạn", "Cấp trên", "Đang xem", "Trực thuộc"}[grp]
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard unit choices: %w", err)
	}
	return out, nil
}
