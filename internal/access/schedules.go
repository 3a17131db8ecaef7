package access

import (
	"fmt"
	"slices"

	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// ids never sends NULL: x = ANY(NULL) is NULL, not false, and these
// predicates are also read as booleans.
func ids(units []int64) []int64 {
	if units == nil {
		return []int64{}
	}
	return units
}

// scheduleEditUnits are the units where the subject is a clerk or a leader.
func (s Subject) scheduleEditUnits() []int64 {
	units := []int64{}
	for _, m := range s.Memberships {
		if (m.Role == identity.RoleClerk || m.Role == identity.RoleLeader) && !slices.Contains(units, m.UnitID) {
			units = append(units, m.UnitID)
		}
	}
	return units
}

func (s Subject) memberUnits() []int64 {
	units := []int64{}
	for _, m := range s.Memberships {
		if !slices.Contains(units, m.UnitID) {
			units = append(units, m.UnitID)
		}
	}
	return units
}

// ScheduleEditPredicate says whose weekly work schedules (lịch công tác)
// the subject may draft, change and publish, for the unit id in unitCol:
// a unit's clerks and leaders; the clerks and leaders of its office (a
// current child unit of kind OfficeKind), who keep the committee's
// schedule; those who administer the unit; system administrators.
func (s Subject) ScheduleEditPredicate(unitCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		edit := a.Add(s.scheduleEditUnits())
		return fmt.Sprintf(`(%[1]s = ANY(%[2]s::bigint[]) OR %[1]s = ANY(%[3]s::bigint[])
			OR EXISTS (SELECT 1 FROM units sch_o WHERE sch_o.id = ANY(%[3]s::bigint[]) AND sch_o.parent_id = %[1]s
				AND sch_o.kind = %[4]s AND sch_o.valid_to IS NULL))`,
			unitCol, a.Add(ids(s.manageUnits)), edit, a.Add(OfficeKind))
	}
}

// ScheduleViewPredicate says whose published work schedules the subject
// may read: the units in their record scope (their own units, subtrees
// they lead or administer, predecessors), the units their advisory bodies
// and departments belong to (a department reads its committee's schedule),
// and every schedule they may edit. Drafts are for editors only: combine
// with ScheduleEditPredicate.
func (s Subject) ScheduleViewPredicate(unitCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		members := a.Add(s.memberUnits())
		return fmt.Sprintf(`(%[1]s = ANY(%[2]s::bigint[])
			OR EXISTS (SELECT 1 FROM units sch_c WHERE sch_c.id = ANY(%[3]s::bigint[]) AND sch_c.parent_id = %[1]s
				AND sch_c.level = 'body')
			OR %[4]s)`,
			unitCol, a.Add(ids(s.viewUnits)), members, s.ScheduleEditPredicate(unitCol)(a))
	}
}
