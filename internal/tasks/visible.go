package tasks

import (
	"context"
	"fmt"

	"vanthu/internal/access"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Visible is the access rule for tasks (aliased t), as an SQL predicate:
// the assigner; the assignees, a person themselves or, for a unit, everyone
// whose record scope covers it (its members, the leaders above it, its
// successors); the leaders above the assigning unit and above a person
// assigned; the assigner of the parent task; and people or units granted
// the task. A system administrator sees every task. It reads the
// subject's leader scope now, so build it once per request.
func Visible(ctx context.Context, q postgres.Querier, sub access.Subject) (postgres.Predicate, error) {
	if sub.IsAdmin {
		return postgres.True, nil
	}
	leads, err := sub.LeaderScope(ctx, q)
	if err != nil {
		return nil, err
	}
	return func(a *postgres.Args) string {
		me := a.Add(sub.UserID)
		led := a.Add(leads)
		// The unit scope and grants come from the access package.
		scope := sub.RecordPredicate("task", "ta.unit_id", "t.id", "")(a)
		return fmt.Sprintf(`(t.assigner_id = %[1]s OR t.unit_id = ANY(%[2]s::bigint[])
			OR EXISTS (SELECT 1 FROM task_assignees ta WHERE ta.task_id = t.id AND (ta.user_id = %[1]s OR %[3]s
				OR (ta.user_id IS NOT NULL AND EXISTS (SELECT 1 FROM memberships lm WHERE lm.user_id = ta.user_id AND lm.unit_id = ANY(%[2]s::bigint[])))))
			OR (t.parent_id IS NOT NULL AND EXISTS (SELECT 1 FROM tasks pt WHERE pt.id = t.parent_id AND pt.assigner_id = %[1]s)))`,
			me, led, scope)
	}, nil
}

// ActsFor says in which role sub works on t: "lead" when they act for the
// lead assignee (the person, or a member of the unit), "cooperate" for a
// cooperating one, "" otherwise. Assignees must be loaded.
func ActsFor(sub access.Subject, t Task) string {
	role := ""
	for _, a := range t.Assignees {
		if !actsForAssignee(sub, a) {
			continue
		}
		if a.Role == RoleLead {
			return RoleLead
		}
		role = a.Role
	}
	return role
}

func actsForAssignee(sub access.Subject, a Assignee) bool {
	if a.UserID != nil {
		return *a.UserID == sub.UserID
	}
	return a.UnitID != nil && sub.MemberOf(*a.UnitID)
}

// IsAssigner reports whether sub gave t (and so decides extensions,
// accepts or returns its completion, cancels it).
func IsAssigner(sub access.Subject, t Task) bool { return t.AssignerID == sub.UserID }

// CanAddSubtask reports whether sub may break t down: its assigner or
// whoever acts for its lead, while it is open.
func CanAddSubtask(sub access.Subject, t Task) bool {
	return t.Open() && (IsAssigner(sub, t) || ActsFor(sub, t) == RoleLead)
}

// mineUnits are the units whose tasks count as the subject's own: the
// units they lead (a unit's work is its leader's to hand out).
func leaderUnits(sub access.Subject) []int64 {
	units := []int64{}
	for _, m := range sub.Memberships {
		if m.Role == identity.RoleLeader {
			units = append(units, m.UnitID)
		}
	}
	return units
}

func memberUnits(sub access.Subject) []int64 {
	units := []int64{}
	for _, m := range sub.Memberships {
		units = append(units, m.UnitID)
	}
	return units
}
