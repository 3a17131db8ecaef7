package access

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/platform/postgres"
)

// LeaderScope returns the units the subject leads: the units of their
// leader memberships with everything below them, and the predecessors of
// these through succession links. Capabilities that show a team's work to
// the leaders above it (tasks given to a person are visible to the leaders
// of that person's units) use it beside the record scope. A system
// administrator gets nil: they see everything anyway.
func (s Subject) LeaderScope(ctx context.Context, q postgres.Querier) ([]int64, error) {
	if s.IsAdmin {
		return nil, nil
	}
	rows, _ := q.Query(ctx, `
		WITH RECURSIVE scope(unit_id) AS (
			SELECT m.unit_id FROM memberships m WHERE m.user_id = $1 AND m.role = 'leader'
			UNION
			SELECT x.id
			FROM scope s
			CROSS JOIN LATERAL (
				SELECT c.id FROM units c WHERE c.parent_id = s.unit_id
				UNION ALL
				SELECT p.predecessor_id FROM unit_succession p WHERE p.successor_id = s.unit_id
			) x
		)
		SELECT unit_id FROM scope`, s.UserID)
	units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("load leader scope: %w", err)
	}
	slices.Sort(units)
	if units == nil {
		units = []int64{}
	}
	return units, nil
}
