package reports

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/platform/vntime"
)

// The aggregate adds up the numbers of a period's reports in PostgreSQL
// (numeric: exact, never floats): per number field the count, sum, average,
// minimum and maximum, by unit with a link to each report, by branch (the
// issuer's direct subordinate holding the unit) when units lie deeper, and
// against the previous period (difference and percentage).

// FieldTotal is one number field added up over the period.
type FieldTotal struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Unit  string `json:"unit"`
	Count int    `json:"count"` // reports with a value
	Sum   string `json:"sum"`   // canonical decimals; "" when no report has a value
	Avg   string `json:"avg"`
	Min   string `json:"min"`
	Max   string `json:"max"`
	// Against the previous period (empty when there is none or it has no value).
	PrevSum string `json:"previous_sum"`
	Diff    string `json:"difference"`
	Pct     string `json:"percent"` // one decimal; "" when the previous sum is zero
}

// UnitFigures is one unit's numbers in the period, and in the previous one.
type UnitFigures struct {
	SubmissionID int64             `json:"submission_id"`
	UnitID       int64             `json:"unit_id"`
	UnitName     string            `json:"unit_name"`
	Status       string            `json:"status"`
	Late         bool              `json:"late"`
	Counted      bool              `json:"counted"` // its numbers are in the totals
	BranchID     int64             `json:"branch_id"`
	Values       map[string]string `json:"values"`
	Previous     map[string]string `json:"previous"`
}

// BranchFigures sums the counted reports under one direct subordinate of
// the issuer.
type BranchFigures struct {
	UnitID   int64             `json:"unit_id"`
	UnitName string            `json:"unit_name"`
	Reports  int               `json:"reports"` // expected reports under it
	Counted  int               `json:"counted"` // of which counted
	Sums     map[string]string `json:"sums"`    // field key → sum
}

// Aggregate is a period's figures.
type Aggregate struct {
	Template     Template        `json:"-"`
	Period       Period          `json:"period"`
	Previous     *Period         `json:"previous_period"`
	AcceptedOnly bool            `json:"accepted_only"`
	Branch       *UnitRef        `json:"branch"` // the figures are narrowed to this branch
	Fields       []FieldTotal    `json:"fields"`
	Units        []UnitFigures   `json:"units"`
	Branches     []BranchFigures `json:"branches,omitempty"`
	Counted      int             `json:"counted"`
}

// AggregateOptions narrow the aggregate.
type AggregateOptions struct {
	AcceptedOnly bool  // count accepted reports only (default: submitted and accepted)
	Branch       int64 // only units under this direct subordinate of the issuer
}

// maxAggregateUnits bounds the by-unit table (the totals count every unit).
const maxAggregateUnits = 5000

// AggregatePeriod adds up a period the subject oversees.
func (s *Service) AggregatePeriod(ctx context.Context, sub access.Subject, periodID int64, o AggregateOptions) (Aggregate, error) {
	p, t, err := s.GetPeriod(ctx, sub, periodID)
	if err != nil {
		return Aggregate{}, err
	}
	ag := Aggregate{Template: t, Period: p, AcceptedOnly: o.AcceptedOnly}
	statuses := []string{StatusSubmitted, StatusAccepted}
	if o.AcceptedOnly {
		statuses = []string{StatusAccepted}
	}
	fields, err := s.numberFields(ctx, t, periodID)
	if err != nil {
		return Aggregate{}, err
	}

	// Which branch each expected unit lies in.
	branchOf, branchNames, err := s.branches(ctx, t.IssuerUnitID, periodID)
	if err != nil {
		return Aggregate{}, err
	}
	var only []int64
	if o.Branch != 0 {
		name, ok := branchNames[o.Branch]
		if !ok {
			return Aggregate{}, ErrPeriodNotFound
		}
		ag.Branch = &UnitRef{ID: o.Branch, Name: name}
		for u, b := range branchOf {
			if b == o.Branch {
				only = append(only, u)
			}
		}
	}

	totals, err := s.totals(ctx, periodID, statuses, only)
	if err != nil {
		return Aggregate{}, err
	}
	var prevTotals map[string]fieldTotals
	var prevValues map[int64]map[string]string
	var prev Period
	err = s.db.QueryRow(ctx, `SELECT id, label, starts_on, ends_on, due_date FROM report_periods
		WHERE template_id = $1 AND starts_on < $2 ORDER BY starts_on DESC, id DESC LIMIT 1`, t.ID, p.StartsOn).
		Scan(&prev.ID, &prev.Label, &prev.StartsOn, &prev.EndsOn, &prev.DueDate)
	switch {
	case err == pgx.ErrNoRows:
	case err != nil:
		return Aggregate{}, err
	default:
		prev.TemplateID = t.ID
		ag.Previous = &prev
		if prevTotals, err = s.totals(ctx, prev.ID, statuses, only); err != nil {
			return Aggregate{}, err
		}
		if prevValues, err = s.valuesByUnit(ctx, prev.ID, statuses); err != nil {
			return Aggregate{}, err
		}
	}
	for _, fl := range fields {
		ft := FieldTotal{Key: fl.Key, Label: fl.Label, Unit: fl.Unit}
		if c, ok := totals[fl.Key]; ok {
			ft.Count, ft.Sum, ft.Avg, ft.Min, ft.Max = c.count, c.sum, c.avg, c.min, c.max
		}
		if c, ok := prevTotals[fl.Key]; ok {
			ft.PrevSum = c.sum
			if ft.Sum != "" {
				ft.Diff, ft.Pct = Difference(ft.Sum, c.sum)
			}
		}
		ag.Fields = append(ag.Fields, ft)
	}

	// By unit.
	rows, _ := s.db.Query(ctx, `
		SELECT s.id, s.unit_id, u.name, s.status, s.first_submitted_at, p.due_date,
			coalesce(jsonb_object_agg(v.field_key, v.value::text) FILTER (WHERE v.field_key IS NOT NULL), '{}') AS vals
		FROM report_submissions s
		JOIN report_periods p ON p.id = s.period_id
		JOIN units u ON u.id = s.unit_id
		LEFT JOIN report_values v ON v.submission_id = s.id AND s.status = ANY($2)
		WHERE s.period_id = $1 AND ($3::bigint[] IS NULL OR s.unit_id = ANY($3))
		GROUP BY s.id, u.name, u.id, p.due_date
		ORDER BY u.name, u.id LIMIT $4`, periodID, statuses, nilIfEmpty(only, o.Branch != 0), maxAggregateUnits)
	var uf UnitFigures
	var first *time.Time
	var due time.Time
	_, err = pgx.ForEachRow(rows, []any{&uf.SubmissionID, &uf.UnitID, &uf.UnitName, &uf.Status, &first, &due, &uf.Values}, func() error {
		u := uf
		u.Late = first != nil && vntime.DateOf(*first).After(due)
		u.Counted = u.Status == StatusAccepted || (!o.AcceptedOnly && u.Status == StatusSubmitted)
		u.BranchID = branchOf[u.UnitID]
		u.Previous = prevValues[u.UnitID]
		if u.Counted {
			ag.Counted++
		}
		ag.Units = append(ag.Units, u)
		uf = UnitFigures{}
		return nil
	})
	if err != nil {
		return Aggregate{}, fmt.Errorf("aggregate by unit: %w", err)
	}

	// By branch, when some units lie below a subordinate of the issuer.
	deeper := false
	for u, b := range branchOf {
		deeper = deeper || u != b
	}
	if deeper && o.Branch == 0 {
		if ag.Branches, err = s.branchSums(ctx, periodID, statuses, branchOf, branchNames); err != nil {
			return Aggregate{}, err
		}
	}
	return ag, nil
}

func nilIfEmpty(ids []int64, filtered bool) []int64 {
	if !filtered {
		return nil
	}
	if ids == nil {
		return []int64{}
	}
	return ids
}

// numberFields are the number fields of the current version, then those
// only earlier versions used in this period have (under their latest label).
func (s *Service) numberFields(ctx context.Context, t Template, periodID int64) ([]Field, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT v.fields FROM report_template_versions v
		WHERE v.template_id = $1 AND (v.version = $2 OR v.version IN (SELECT DISTINCT version FROM report_submissions WHERE period_id = $3))
		ORDER BY (v.version = $2) DESC, v.version DESC`, t.ID, t.CurrentVersion, periodID)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[[]Field])
	if err != nil {
		return nil, fmt.Errorf("template fields: %w", err)
	}
	var out []Field
	seen := map[string]bool{}
	for _, fs := range versions {
		for _, f := range fs {
			if f.Kind == KindNumber && !seen[f.Key] {
				seen[f.Key] = true
				out = append(out, f)
			}
		}
	}
	return out, nil
}

type fieldTotals struct {
	count              int
	sum, avg, min, max string
}

func (s *Service) totals(ctx context.Context, periodID int64, statuses []string, only []int64) (map[string]fieldTotals, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT v.field_key, count(*)::int, sum(v.value)::text, round(avg(v.value), 2)::text, min(v.value)::text, max(v.value)::text
		FROM report_values v JOIN report_submissions s ON s.id = v.submission_id
		WHERE s.period_id = $1 AND s.status = ANY($2) AND ($3::bigint[] IS NULL OR s.unit_id = ANY($3))
		GROUP BY v.field_key`, periodID, statuses, nilIfEmpty(only, only != nil))
	out := map[string]fieldTotals{}
	var key string
	var t fieldTotals
	_, err := pgx.ForEachRow(rows, []any{&key, &t.count, &t.sum, &t.avg, &t.min, &t.max}, func() error {
		out[key] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("aggregate totals: %w", err)
	}
	return out, nil
}

func (s *Service) valuesByUnit(ctx context.Context, periodID int64, statuses []string) (map[int64]map[string]string, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT s.unit_id, v.field_key, v.value::text FROM report_values v JOIN report_submissions s ON s.id = v.submission_id
		WHERE s.period_id = $1 AND s.status = ANY($2)`, periodID, statuses)
	out := map[int64]map[string]string{}
	var unit int64
	var key, val string
	_, err := pgx.ForEachRow(rows, []any{&unit, &key, &val}, func() error {
		if out[unit] == nil {
			out[unit] = map[string]string{}
		}
		out[unit][key] = val
		return nil
	})
	return out, err
}

// branches maps each expected unit of the period to the issuer's direct
// subordinate above it (itself when it is one), with the branches' names.
func (s *Service) branches(ctx context.Context, issuer, periodID int64) (map[int64]int64, map[int64]string, error) {
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE up(unit_id, id, parent_id, depth) AS (
			SELECT s.unit_id, u.id, u.parent_id, 0 FROM report_submissions s JOIN units u ON u.id = s.unit_id WHERE s.period_id = $1
			UNION ALL
			SELECT up.unit_id, p.id, p.parent_id, up.depth + 1 FROM up JOIN units p ON p.id = up.parent_id
			WHERE up.parent_id <> $2 AND up.depth < 20
		)
		SELECT up.unit_id, up.id, b.name FROM up JOIN units b ON b.id = up.id WHERE up.parent_id = $2`, periodID, issuer)
	of := map[int64]int64{}
	names := map[int64]string{}
	var unit, branch int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&unit, &branch, &name}, func() error {
		of[unit] = branch
		names[branch] = name
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("report branches: %w", err)
	}
	return of, names, nil
}

func (s *Service) branchSums(ctx context.Context, periodID int64, statuses []string, branchOf map[int64]int64, names map[int64]string) ([]BranchFigures, error) {
	units := make([]int64, 0, len(branchOf))
	branchIDs := make([]int64, 0, len(branchOf))
	for u, b := range branchOf {
		units = append(units, u)
		branchIDs = append(branchIDs, b)
	}
	rows, _ := s.db.Query(ctx, `
		WITH b AS (SELECT unnest($3::bigint[]) AS unit_id, unnest($4::bigint[]) AS branch_id),
		sums AS (
			SELECT b.branch_id, v.field_key, sum(v.value) AS total
			FROM b JOIN report_submissions s ON s.unit_id = b.unit_id AND s.period_id = $1 AND s.status = ANY($2)
			JOIN report_values v ON v.submission_id = s.id
			GROUP BY b.branch_id, v.field_key
		),
		counts AS (
			SELECT b.branch_id, count(*)::int AS reports, (count(*) FILTER (WHERE s.status = ANY($2)))::int AS counted
			FROM b JOIN report_submissions s ON s.unit_id = b.unit_id AND s.period_id = $1
			GROUP BY b.branch_id
		)
		SELECT c.branch_id, c.reports, c.counted,
			coalesce((SELECT jsonb_object_agg(field_key, total::text) FROM sums WHERE sums.branch_id = c.branch_id), '{}')
		FROM counts c JOIN units u ON u.id = c.branch_id
		ORDER BY u.name, u.id`, periodID, statuses, units, branchIDs)
	var out []BranchFigures
	var bf BranchFigures
	_, err := pgx.ForEachRow(rows, []any{&bf.UnitID, &bf.Reports, &bf.Counted, &bf.Sums}, func() error {
		b := bf
		b.UnitName = names[b.UnitID]
		out = append(out, b)
		bf = BranchFigures{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report branch sums: %w", err)
	}
	return out, nil
}

// Difference returns cur − prev exactly and the change in percent of prev
// to one decimal ("" when prev is zero).
func Difference(cur, prev string) (diff, pct string) {
	c, ok1 := new(big.Rat).SetString(cur)
	p, ok2 := new(big.Rat).SetString(prev)
	if !ok1 || !ok2 {
		return "", ""
	}
	d := new(big.Rat).Sub(c, p)
	diff = ratString(d)
	if p.Sign() == 0 {
		return diff, ""
	}
	q := new(big.Rat).Quo(d, new(big.Rat).Abs(p))
	q.Mul(q, big.NewRat(100, 1))
	return diff, q.FloatString(1)
}

// ratString writes an exact decimal (sums of decimals always are) without
// trailing zeros.
func ratString(r *big.Rat) string {
	s := r.FloatString(maxFracDigits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
