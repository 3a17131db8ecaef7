package routing

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// UnitChoice is a unit that can be named in a direction.
type UnitChoice struct {
	ID    int64  `db:"id" json:"id"`
	Name  string `db:"name" json:"name"`
	Depth int    `db:"depth" json:"-"`
}

// maxChoices bounds the lists a direction form offers; the API accepts any
// person or current unit.
const maxChoices = 500

// AssigneeChoices lists what a direction form offers: the current units of
// unitID's subtree (three levels down) and the people in them.
func (s *Service) AssigneeChoices(ctx context.Context, unitID int64) ([]UnitChoice, []Person, error) {
	const subtree = `
		WITH RECURSIVE sub(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id
			WHERE u.valid_to IS NULL AND sub.depth < 3
		)`
	rows, _ := s.db.Query(ctx, subtree+`
		SELECT u.id, u.name, sub.depth FROM sub JOIN units u ON u.id = sub.id
		ORDER BY sub.depth, u.name, u.id LIMIT $2`, unitID, maxChoices)
	units, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitChoice])
	if err != nil {
		return nil, nil, fmt.Errorf("direction choices: units: %w", err)
	}
	rows, _ = s.db.Query(ctx, subtree+`
		SELECT usr.id, usr.full_name, usr.clearance, string_agg(DISTINCT un.name, ', ') AS units
		FROM sub JOIN memberships m ON m.unit_id = sub.id
		JOIN users usr ON usr.id = m.user_id AND usr.disabled_at IS NULL
		JOIN units un ON un.id = sub.id
		WHERE m.role <> 'admin'
		GROUP BY usr.id, usr.full_name, usr.clearance
		ORDER BY usr.full_name, usr.id LIMIT $2`, unitID, maxChoices)
	people, err := pgx.CollectRows(rows, pgx.RowToStructByName[Person])
	if err != nil {
		return nil, nil, fmt.Errorf("direction choices: people: %w", err)
	}
	return units, people, nil
}
