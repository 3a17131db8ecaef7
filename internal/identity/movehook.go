package identity

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/org"
)

// MembershipsHook moves people's roles from predecessor units to their
// successors when units merge or split.
type MembershipsHook struct{}

// Name labels the hook's part of a merge report.
func (MembershipsHook) Name() string { return "Thành viên" }

// MoveOpen moves every membership of the sources to its target; a person
// who already holds the same role there keeps one membership.
func (MembershipsHook) MoveOpen(ctx context.Context, tx pgx.Tx, m org.Move) (org.HookResult, error) {
	res := org.HookResult{Hook: "Thành viên"}
	rows, _ := tx.Query(ctx, `
		SELECT m.user_id, m.unit_id, m.role, m.title, u.full_name, u.login
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.unit_id = ANY($1) ORDER BY u.full_name, m.role`, m.Sources)
	type row struct {
		userID, unitID     int64
		role, title        string
		fullName, loginStr string
	}
	var all []row
	var r row
	if _, err := pgx.ForEachRow(rows, []any{&r.userID, &r.unitID, &r.role, &r.title, &r.fullName, &r.loginStr}, func() error {
		all = append(all, r)
		return nil
	}); err != nil {
		return res, err
	}
	for _, r := range all {
		target := m.TargetFor(org.HookMembers, r.userID)
		if _, err := tx.Exec(ctx, `
			INSERT INTO memberships (user_id, unit_id, role, title) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, unit_id, role) DO NOTHING`, r.userID, target, r.role, r.title); err != nil {
			return res, fmt.Errorf("move membership: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE user_id = $1 AND unit_id = $2 AND role = $3`, r.userID, r.unitID, r.role); err != nil {
			return res, fmt.Errorf("remove old membership: %w", err)
		}
		res.Moved++
		if len(res.Items) < org.MaxReportItems {
			res.Items = append(res.Items, fmt.Sprintf("%s (%s) — %s", r.fullName, r.loginStr, Role(r.role).Label()))
		}
	}
	return res, nil
}
