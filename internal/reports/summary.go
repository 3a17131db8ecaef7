package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/platform/postgres"
)

// Compliance of a submission with its due date (the report_compliance
// view, migration 0010): on time or late by the day it was first sent up;
// missing when nothing was sent and the due date has passed.
const (
	ComplianceOnTime  = "on_time"
	ComplianceLate    = "late"
	ComplianceMissing = "missing"
	ComplianceNotDue  = "not_due"
)

// ComplianceStates lists the states in the order dashboards show them.
var ComplianceStates = []string{ComplianceOnTime, ComplianceLate, ComplianceMissing, ComplianceNotDue}

// ComplianceLabel is the Vietnamese name of a compliance state.
func ComplianceLabel(s string) string {
	switch s {
	case ComplianceOnTime:
		return "Nộp đúng hạn"
	case ComplianceLate:
		return "Nộp muộn"
	case ComplianceMissing:
		return "Quá hạn chưa nộp"
	case ComplianceNotDue:
		return "Chưa nộp, chưa đến hạn"
	}
	return s
}

// ComplianceCount is one state: how many reports the units sent up (their
// own submissions to templates issued outside the units) and how many they
// received (submissions to templates they issued), so a report between two
// of the units counts once, as received.
type ComplianceCount struct {
	State          string
	Sent, Received int64
}

// LateUnit is a unit that owes the scope's units reports: sent late, or
// not sent past the due date.
type LateUnit struct {
	UnitID        int64
	Name          string
	Late, Missing int64
}

// MaxLateUnits is how many late units a summary lists.
const MaxLateUnits = 20

// Compliance summarises report compliance for units over the periods due
// from–to (inclusive), as of today, counting only submissions sub may
// see: by state, the reports the units sent and received, and the units
// most behind with the reports they received (missing first, then late,
// then by name).
func (s *Service) Compliance(ctx context.Context, sub access.Subject, units []int64, from, to, today time.Time) ([]ComplianceCount, []LateUnit, error) {
	var a postgres.Args
	u := a.Add(units)
	where := fmt.Sprintf(`c.due_date BETWEEN %s::date AND %s::date AND %s`,
		a.Add(dateOnly(from)), a.Add(dateOnly(to)), sub.ReportSubmissionPredicate("c.issuer_unit_id", "c.unit_id")(&a))
	// The view judges what was sent; what was not depends on the day,
	// and the dashboard's day decides (the view reads the clock).
	state := fmt.Sprintf(`CASE WHEN c.first_submitted_on IS NOT NULL THEN c.compliance
		WHEN c.due_date < %s::date THEN 'missing' ELSE 'not_due' END`, a.Add(dateOnly(today)))
	rows, _ := s.db.Query(ctx, fmt.Sprintf(`SELECT %[3]s AS state,
			count(*) FILTER (WHERE c.unit_id = ANY(%[1]s::bigint[]) AND NOT c.issuer_unit_id = ANY(%[1]s::bigint[])),
			count(*) FILTER (WHERE c.issuer_unit_id = ANY(%[1]s::bigint[]))
		FROM report_compliance c
		WHERE %[2]s AND (c.unit_id = ANY(%[1]s::bigint[]) OR c.issuer_unit_id = ANY(%[1]s::bigint[]))
		GROUP BY 1`, u, where, state), a.Values()...)
	byState := map[string]ComplianceCount{}
	var c ComplianceCount
	if _, err := pgx.ForEachRow(rows, []any{&c.State, &c.Sent, &c.Received}, func() error {
		byState[c.State] = c
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("count report compliance: %w", err)
	}
	counts := make([]ComplianceCount, 0, len(ComplianceStates))
	for _, st := range ComplianceStates {
		c := byState[st]
		c.State = st
		counts = append(counts, c)
	}

	rows, _ = s.db.Query(ctx, fmt.Sprintf(`SELECT unit_id, name, count(*) FILTER (WHERE state = 'late'), count(*) FILTER (WHERE state = 'missing')
		FROM (SELECT c.unit_id, u.name, %[3]s AS state
		      FROM report_compliance c JOIN units u ON u.id = c.unit_id
		      WHERE %[2]s AND c.issuer_unit_id = ANY(%[1]s::bigint[])) s
		WHERE state IN ('late', 'missing')
		GROUP BY unit_id, name
		ORDER BY 4 DESC, 3 DESC, name COLLATE vi, unit_id
		LIMIT %[4]d`, u, where, state, MaxLateUnits), a.Values()...)
	var late []LateUnit
	var l LateUnit
	if _, err := pgx.ForEachRow(rows, []any{&l.UnitID, &l.Name, &l.Late, &l.Missing}, func() error {
		late = append(late, l)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("list units late with reports: %w", err)
	}
	return counts, late, nil
}
