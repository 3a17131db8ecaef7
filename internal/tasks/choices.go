package tasks

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
)

// UnitChoice is a unit a task form offers.
type UnitChoice struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Level string `db:"level"`
}

// PersonChoice is a person a task form offers, with their units to tell
// namesakes apart.
type PersonChoice struct {
	ID    int64  `db:"id"`
	Name  string `db:"full_name"`
	Units string `db:"units"`
}

// maxChoices bounds what a form lists; the API accepts any assignee the
// rules allow.
const maxChoices = 500

// Choices lists the units and people sub may name as the lead of a task:
// the current units of their record scope (for a system administrator, the
// acting unit and three levels below it) and the people in them.
func (s *Service) Choices(ctx context.Context, sub access.Subject) ([]UnitChoice, []PersonChoice, error) {
	units := sub.ViewUnits()
	if units == nil {
		rows, _ := s.db.Query(ctx, `
			WITH RECURSIVE sub(id, depth) AS (
				SELECT $1::bigint, 0
				UNION ALL
				SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id WHERE u.valid_to IS NULL AND sub.depth < 3
			)
			SELECT id FROM sub LIMIT $2`, sub.ActingUnit, maxChoices)
		var err error
		if units, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, nil, fmt.Errorf("task choices: admin scope: %w", err)
		}
	}
	rows, _ := s.db.Query(ctx, `
		SELECT id, name, level::text AS level FROM units
		WHERE id = ANY($1) AND valid_to IS NULL
		ORDER BY level, name, id LIMIT $2`, units, maxChoices)
	us, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitChoice])
	if err != nil {
		return nil, nil, fmt.Errorf("task choices: units: %w", err)
	}
	rows, _ = s.db.Query(ctx, `
		SELECT usr.id, usr.full_name, string_agg(DISTINCT un.name, ', ') AS units
		FROM memberships m
		JOIN users usr ON usr.id = m.user_id AND usr.disabled_at IS NULL
		JOIN units un ON un.id = m.unit_id AND un.valid_to IS NULL
		WHERE m.unit_id = ANY($1) AND m.role <> 'admin'
		GROUP BY usr.id, usr.full_name
		ORDER BY usr.full_name, usr.id LIMIT $2`, units, maxChoices)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[PersonChoice])
	if err != nil {
		return nil, nil, fmt.Errorf("task choices: people: %w", err)
	}
	return us, ps, nil
}
