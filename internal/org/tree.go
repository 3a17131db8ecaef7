package org

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Member is a person holding a role in a unit, for the unit's page.
type Member struct {
	UserID   int64  `db:"user_id"`
	Login    string `db:"login"`
	FullName string `db:"full_name"`
	Role     string `db:"role"`
	Title    string `db:"title"`
	Disabled bool   `db:"disabled"`
}

// Members lists up to limit people with a role in the unit, by Vietnamese
// name, and how many memberships the unit has in all.
func (s *Store) Members(ctx context.Context, unitID int64, limit int) ([]Member, int, error) {
	if limit <= 0 {
		limit = 500
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE unit_id = $1`, unitID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	rows, _ := s.db.Query(ctx, `
		SELECT m.user_id, u.login, u.full_name, m.role::text AS role, m.title, u.disabled_at IS NOT NULL AS disabled
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.unit_id = $1
		ORDER BY u.full_name, u.id, m.role
		LIMIT $2`, unitID, limit)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Member])
	if err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	return ms, total, nil
}

// GetMany returns the units with the given ids that exist, in id order.
func (s *Store) GetMany(ctx context.Context, ids []int64) ([]Unit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.db.Query(ctx, `SELECT `+unitColumns+unitFrom+`WHERE u.id = ANY($1) ORDER BY u.id`, ids)
	us, err := pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	return us, nil
}

// CurrentByCode returns the units existing on day whose administrative code
// is one of codes (a code may match several units of different levels).
func (s *Store) CurrentByCode(ctx context.Context, codes []string, day time.Time) ([]Unit, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	d := day.Format(time.DateOnly)
	rows, _ := s.db.Query(ctx, `SELECT `+unitColumns+unitFrom+`
		WHERE u.code = ANY($1) AND u.valid_from <= $2::date AND (u.valid_to IS NULL OR u.valid_to >= $2::date)
		ORDER BY u.code, u.level, u.id`, codes, d)
	us, err := pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
	if err != nil {
		return nil, fmt.Errorf("read units by code: %w", err)
	}
	return us, nil
}
