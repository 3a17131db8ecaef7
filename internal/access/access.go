// Package access decides what a person may see and do. Every decision is
// made here, from unit scope, role, explicit grants and clearance, and comes
// out either as a yes/no for one action or as an SQL predicate that lists
// and lookups put in their WHERE clause, so nothing is filtered after the
// query.
package access

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Subject is the person acting, with everything decisions need.
type Subject struct {
	UserID      int64
	Login       string
	Name        string
	Clearance   identity.Clearance
	IsAdmin     bool
	Memberships []identity.Membership
	ActingUnit  int64 // the unit the session acts for (0 when none)

	// viewUnits are units whose records the subject may see: their own
	// units; whole subtrees where they lead or administer; and, through
	// succession links, the predecessors of all these (a successor
	// continues its predecessors' work).
	viewUnits []int64
	// manageUnits are units the subject administers (subtrees of their
	// unit_admin memberships).
	manageUnits []int64
}

// Load builds the subject for a user acting for actingUnit (0: the first
// membership).
func Load(ctx context.Context, q postgres.Querier, u identity.User, ms []identity.Membership, actingUnit int64) (Subject, error) {
	s := Subject{UserID: u.ID, Login: u.Login, Name: u.FullName, Clearance: u.Clearance, Memberships: ms}
	for _, m := range ms {
		if m.Role == identity.RoleAdmin {
			s.IsAdmin = true
		}
	}
	if actingUnit == 0 || !s.MemberOf(actingUnit) {
		actingUnit = 0
		if len(ms) > 0 {
			actingUnit = ms[0].UnitID
		}
	}
	s.ActingUnit = actingUnit

	// One recursive walk: from each membership downwards (children) where
	// the role covers the subtree, and always backwards to predecessors.
	rows, _ := q.Query(ctx, `
		WITH RECURSIVE scope(unit_id, deep, manage) AS (
			SELECT m.unit_id, m.role IN ('leader', 'unit_admin', 'admin'), m.role IN ('unit_admin', 'admin')
			FROM memberships m WHERE m.user_id = $1
			UNION
			SELECT x.id, s.deep, s.manage
			FROM scope s
			CROSS JOIN LATERAL (
				SELECT c.id FROM units c WHERE s.deep AND c.parent_id = s.unit_id
				UNION ALL
				SELECT p.predecessor_id FROM unit_succession p WHERE p.successor_id = s.unit_id
			) x
		)
		SELECT unit_id, bool_or(manage) FROM scope GROUP BY unit_id`, u.ID)
	var unit int64
	var manage bool
	_, err := pgx.ForEachRow(rows, []any{&unit, &manage}, func() error {
		s.viewUnits = append(s.viewUnits, unit)
		if manage {
			s.manageUnits = append(s.manageUnits, unit)
		}
		return nil
	})
	if err != nil {
		return Subject{}, fmt.Errorf("load access scope: %w", err)
	}
	slices.Sort(s.viewUnits)
	slices.Sort(s.manageUnits)
	return s, nil
}

// MemberOf reports whether the subject has any role in unit.
func (s Subject) MemberOf(unit int64) bool {
	for _, m := range s.Memberships {
		if m.UnitID == unit {
			return true
		}
	}
	return false
}

// HasRole reports whether the subject holds role in unit (admins hold every
// role everywhere).
func (s Subject) HasRole(unit int64, roles ...identity.Role) bool {
	if s.IsAdmin {
		return true
	}
	for _, m := range s.Memberships {
		if m.UnitID == unit && slices.Contains(roles, m.Role) {
			return true
		}
	}
	return false
}

// CanViewUnitRecords reports whether records owned by unit are in scope.
func (s Subject) CanViewUnitRecords(unit int64) bool {
	if s.IsAdmin {
		return true
	}
	_, ok := slices.BinarySearch(s.viewUnits, unit)
	return ok
}

// CanManageUnit reports whether the subject administers unit.
func (s Subject) CanManageUnit(unit int64) bool {
	if s.IsAdmin {
		return true
	}
	_, ok := slices.BinarySearch(s.manageUnits, unit)
	return ok
}

// IsAnyAdmin reports whether the subject administers anything.
func (s Subject) IsAnyAdmin() bool { return s.IsAdmin || len(s.manageUnits) > 0 }

// CanSee reports whether the subject's clearance covers level.
func (s Subject) CanSee(level identity.Clearance) bool {
	return rank(level) <= rank(s.Clearance)
}

func rank(c identity.Clearance) int {
	return slices.Index(identity.Clearances, c)
}

// RecordPredicate says which records of objectType the subject may see: in
// scope by owning unit (unitCol), or granted (idCol) to the subject or to a
// unit in their scope, and never above the subject's clearance (confCol, a
// clearance_level column; "" when the records carry no confidentiality).
func (s Subject) RecordPredicate(objectType, unitCol, idCol, confCol string) postgres.Predicate {
	return s.recordPredicate(objectType, unitCol, idCol, confCol, true)
}

// ListPredicate is RecordPredicate for lists: when the subject holds no
// grant on objectType (most people, most of the time) it leaves the grants
// lookup out, because "unit in scope OR granted" keeps PostgreSQL from
// reading an index in list order. The check runs now, so the predicate is
// as fresh as the query that uses it.
func (s Subject) ListPredicate(ctx context.Context, q postgres.Querier, objectType, unitCol, idCol, confCol string) (postgres.Predicate, error) {
	if s.IsAdmin {
		return s.recordPredicate(objectType, unitCol, idCol, confCol, false), nil
	}
	var granted bool
	err := q.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM grants WHERE object_type = $1 AND (user_id = $2 OR unit_id = ANY($3))
			AND (expires_at IS NULL OR expires_at > now()))`, objectType, s.UserID, s.viewUnits).Scan(&granted)
	if err != nil {
		return nil, fmt.Errorf("check grants: %w", err)
	}
	return s.recordPredicate(objectType, unitCol, idCol, confCol, granted), nil
}

func (s Subject) recordPredicate(objectType, unitCol, idCol, confCol string, withGrants bool) postgres.Predicate {
	return func(a *postgres.Args) string {
		scope := "TRUE"
		if !s.IsAdmin {
			units := a.Add(s.viewUnits)
			scope = fmt.Sprintf("%s = ANY(%s::bigint[])", unitCol, units)
			if withGrants {
				scope = fmt.Sprintf(`(%s OR EXISTS (
				SELECT 1 FROM grants g WHERE g.object_type = %s AND g.object_id = %s
				AND (g.user_id = %s OR g.unit_id = ANY(%s::bigint[]))
				AND (g.expires_at IS NULL OR g.expires_at > now())))`,
					scope, a.Add(objectType), idCol, a.Add(s.UserID), units)
			}
		}
		if confCol == "" {
			return scope
		}
		return fmt.Sprintf("(%s AND %s <= %s::clearance_level)", scope, confCol, a.Add(string(s.Clearance)))
	}
}

// ManagedUsersPredicate says which users the subject may administer: all
// for a system administrator, else those with a membership in a unit the
// subject manages. userIDCol names the users.id column in the query.
func (s Subject) ManagedUsersPredicate(userIDCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		return fmt.Sprintf(`EXISTS (SELECT 1 FROM memberships am WHERE am.user_id = %s AND am.unit_id = ANY(%s::bigint[]))`,
			userIDCol, a.Add(s.manageUnits))
	}
}

// ManageUnits returns the units the subject administers (nil for a
// system administrator, who administers all).
func (s Subject) ManageUnits() []int64 {
	if s.IsAdmin {
		return nil
	}
	return append([]int64{}, s.manageUnits...)
}

// ViewUnits returns the units in the subject's record scope (nil for a
// system administrator, who sees all).
func (s Subject) ViewUnits() []int64 {
	if s.IsAdmin {
		return nil
	}
	return slices.Clone(s.viewUnits)
}
