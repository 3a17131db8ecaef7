package tasks

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/platform/postgres"
)

// summaryIndexedUnits is the most units Summary looks up through indexes.
const summaryIndexedUnits = 16

// StatusCount is how many tasks are in one state, and how many of them are
// open past their deadline.
type StatusCount struct {
	Status  string
	N       int64
	Overdue int64
}

// Summary counts, by state, the tasks sub may see that were given from–to
// (by their start date, inclusive) and concern units: given by one of them,
// or assigned to one of them or to a person who belongs to one. Subtasks
// count as tasks. Every state is listed, in board order, zeros included;
// overdue is as of today. Leaders' dashboards show it (domain §9).
func (s *Service) Summary(ctx context.Context, sub access.Subject, units []int64, from, to, today time.Time) ([]StatusCount, error) {
	vis, err := Visible(ctx, s.db, sub)
	if err != nil {
		return nil, err
	}
	var a postgres.Args
	u := a.Add(units)
	// Which tasks concern the units. A few units (a commune) pick their
	// tasks through the indexes; many (a province) read the whole table
	// once, which beats 100,000 index probes (both measured in make bench).
	concern := fmt.Sprintf(`t.id IN (SELECT id FROM tasks WHERE unit_id = ANY(%[1]s::bigint[])
		UNION ALL SELECT task_id FROM task_assignees WHERE unit_id = ANY(%[1]s::bigint[])
		UNION ALL SELECT x.task_id FROM task_assignees x JOIN memberships xm ON xm.user_id = x.user_id WHERE xm.unit_id = ANY(%[1]s::bigint[]))`, u)
	if len(units) > summaryIndexedUnits {
		concern = fmt.Sprintf(`(t.unit_id = ANY(%[1]s::bigint[]) OR EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id
			AND (x.unit_id = ANY(%[1]s::bigint[])
			     OR EXISTS (SELECT 1 FROM memberships xm WHERE xm.user_id = x.user_id AND xm.unit_id = ANY(%[1]s::bigint[])))))`, u)
	}
	sql := fmt.Sprintf(`SELECT t.status, count(*), count(*) FILTER (WHERE %[1]s AND t.due_date < %[2]s::date)
		FROM tasks t
		WHERE t.start_date BETWEEN %[3]s::date AND %[4]s::date AND %[5]s AND %[6]s
		GROUP BY t.status`, openSQL, a.Add(dateOf(today)), a.Add(dateOf(from)), a.Add(dateOf(to)), concern, vis(&a))
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	byStatus := map[string]StatusCount{}
	var c StatusCount
	if _, err := pgx.ForEachRow(rows, []any{&c.Status, &c.N, &c.Overdue}, func() error {
		byStatus[c.Status] = c
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count tasks by state: %w", err)
	}
	out := make([]StatusCount, 0, len(Statuses))
	for _, st := range Statuses {
		c := byStatus[st]
		c.Status = st
		out = append(out, c)
	}
	return out, nil
}
