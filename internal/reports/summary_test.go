package reports_test

import (
	"testing"
	"time"

	"vanthu/internal/access"
	"vanthu/internal/reports"
)

// TestCompliance counts, for a dashboard, the reports units sent up and
// received by whether they came on time, as of the day asked, only those
// the viewer may see; and lists the units behind.
func TestCompliance(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	nov := e.period(tpl, "Tháng 11/2026") // due 07/12/2026
	e.send(e.leaderA, e.submission(nov.ID, e.a), vals("f1", "1", "f3", "Đúng hạn."))
	e.clock = time.Date(2026, 12, 9, 8, 30, 0, 0, vn)
	e.send(e.leaderB, e.submission(nov.ID, e.b), vals("f1", "2", "f3", "Muộn."))
	e.submission(nov.ID, e.c) // C sends nothing

	from, to := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	type want map[string][2]int64 // state → sent, received
	check := func(name string, sub access.Subject, units []int64, today time.Time, w want, late []reports.LateUnit) {
		t.Helper()
		got, gotLate, err := e.svc.Compliance(e.ctx, sub, units, from, to, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(reports.ComplianceStates) {
			t.Fatalf("%s: %d states", name, len(got))
		}
		for i, c := range got {
			if c.State != reports.ComplianceStates[i] {
				t.Errorf("%s: state %d = %s", name, i, c.State)
			}
			if exp := w[c.State]; c.Sent != exp[0] || c.Received != exp[1] {
				t.Errorf("%s: %s sent %d received %d, want %d, %d", name, c.State, c.Sent, c.Received, exp[0], exp[1])
			}
		}
		if len(gotLate) != len(late) {
			t.Fatalf("%s: late units %+v, want %+v", name, gotLate, late)
		}
		for i := range late {
			if gotLate[i].UnitID != late[i].UnitID || gotLate[i].Late != late[i].Late || gotLate[i].Missing != late[i].Missing {
				t.Errorf("%s: late unit %d = %+v, want %+v", name, i, gotLate[i], late[i])
			}
		}
	}
	after, before := time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	missingC := reports.LateUnit{UnitID: e.c, Missing: 1}
	lateB := reports.LateUnit{UnitID: e.b, Late: 1}
	// The province received three: on time, late, missing (C first).
	// The communes' reports stay inside the province: received, not sent up.
	check("province", e.provLeader, []int64{e.province, e.office, e.a, e.b, e.c}, after,
		want{reports.ComplianceOnTime: {0, 1}, reports.ComplianceLate: {0, 1}, reports.ComplianceMissing: {0, 1}},
		[]reports.LateUnit{missingC, lateB})
	check("province only", e.provLeader, []int64{e.province}, after,
		want{reports.ComplianceOnTime: {0, 1}, reports.ComplianceLate: {0, 1}, reports.ComplianceMissing: {0, 1}},
		[]reports.LateUnit{missingC, lateB})
	// On the due date C is not yet missing.
	check("on the due date", e.provLeader, []int64{e.province}, before,
		want{reports.ComplianceOnTime: {0, 1}, reports.ComplianceLate: {0, 1}, reports.ComplianceNotDue: {0, 1}},
		[]reports.LateUnit{lateB})
	// Commune B's own: one sent late.
	check("commune B", e.leaderB, []int64{e.b}, after, want{reports.ComplianceLate: {1, 0}}, nil)
	// Commune A's leader asking about the whole province sees only A's
	// (received by the province); about A alone, sent up.
	check("commune A asks wide", e.leaderA, []int64{e.province, e.a, e.b, e.c}, after, want{reports.ComplianceOnTime: {0, 1}}, nil)
	check("commune A", e.leaderA, []int64{e.a}, after, want{reports.ComplianceOnTime: {1, 0}}, nil)
	// Another province sees nothing of it.
	check("other province", e.otherLeader, []int64{e.province, e.a, e.b, e.c}, after, want{}, nil)
	from = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	to = time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	// December's period is due in January: three owed, none due yet.
	check("next month", e.provLeader, []int64{e.province}, after, want{reports.ComplianceNotDue: {0, 3}}, nil)

}
