package access

import (
	"fmt"

	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Digital reports (báo cáo số). An upper unit issues report templates and
// lower units submit. The decisions:
//
//   - manage (create and edit templates, open periods, remind): leaders and
//     clerks of the issuing unit, and leaders, clerks and handlers of its
//     office (a body directly under it whose kind is OfficeKind — the
//     Văn phòng that runs reporting for the committee);
//   - oversee (see a template, its periods, every submission and the
//     aggregates): managers, and leaders whose scope covers the issuer;
//   - decide (accept or return a submission): leaders of the issuing unit
//     or of its office;
//   - a submission is visible to its overseers and to everyone whose
//     scope covers the submitting unit; its unit's leaders, clerks and
//     handlers fill it in, and only its leaders send it up.
//
// Predicates take the SQL column holding the issuing unit's id (and the
// submitting unit's), so lists are filtered in the database.

func (s Subject) unitsWithRole(roles ...identity.Role) []int64 {
	var out []int64
	for _, m := range s.Memberships {
		for _, r := range roles {
			if m.Role == r {
				out = append(out, m.UnitID)
				break
			}
		}
	}
	if out == nil {
		out = []int64{}
	}
	return out
}

func officeOf(a *postgres.Args, issuerCol string, units []int64) string {
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM units o WHERE o.id = ANY(%s::bigint[]) AND o.parent_id = %s AND o.kind = %s)`,
		a.Add(units), issuerCol, a.Add(OfficeKind))
}

// ReportManagePredicate: the subject manages templates issued by issuerCol.
func (s Subject) ReportManagePredicate(issuerCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		return fmt.Sprintf("(%s = ANY(%s::bigint[]) OR %s)", issuerCol,
			a.Add(s.unitsWithRole(identity.RoleLeader, identity.RoleClerk)),
			officeOf(a, issuerCol, s.unitsWithRole(identity.RoleLeader, identity.RoleClerk, identity.RoleHandler)))
	}
}

// ReportOverseePredicate: the subject sees the template issued by
// issuerCol with all its submissions.
func (s Subject) ReportOverseePredicate(issuerCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		manage := s.ReportManagePredicate(issuerCol)(a)
		if len(s.unitsWithRole(identity.RoleLeader)) == 0 {
			return manage
		}
		return fmt.Sprintf("(%s OR %s = ANY(%s::bigint[]))", manage, issuerCol, a.Add(ids(s.viewUnits)))
	}
}

// ReportDecidePredicate: the subject may accept or return submissions to
// templates issued by issuerCol.
func (s Subject) ReportDecidePredicate(issuerCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		leaders := s.unitsWithRole(identity.RoleLeader)
		return fmt.Sprintf("(%s = ANY(%s::bigint[]) OR %s)", issuerCol, a.Add(leaders), officeOf(a, issuerCol, leaders))
	}
}

// ReportSubmissionPredicate: the subject sees the submission of unitCol to
// a template issued by issuerCol.
func (s Subject) ReportSubmissionPredicate(issuerCol, unitCol string) postgres.Predicate {
	return func(a *postgres.Args) string {
		if s.IsAdmin {
			return "TRUE"
		}
		return fmt.Sprintf("(%s = ANY(%s::bigint[]) OR %s)", unitCol, a.Add(ids(s.viewUnits)), s.ReportOverseePredicate(issuerCol)(a))
	}
}

// CanFillReport reports whether the subject may edit unit's submission.
func (s Subject) CanFillReport(unit int64) bool {
	return s.HasRole(unit, identity.RoleLeader, identity.RoleClerk, identity.RoleHandler)
}

// CanSendReport reports whether the subject may send unit's submission to
// the upper unit (the unit's leader signs it off).
func (s Subject) CanSendReport(unit int64) bool {
	return s.HasRole(unit, identity.RoleLeader)
}

// ReportFillUnits lists the units whose submissions the subject fills in
// as a member (a system administrator may fill in any, but their own
// list holds only their units).
func (s Subject) ReportFillUnits() []int64 {
	return s.unitsWithRole(identity.RoleLeader, identity.RoleClerk, identity.RoleHandler)
}
