package tasks_test

import (
	"fmt"
	"slices"
	"testing"

	"vanthu/internal/access"
	"vanthu/internal/identity"
	"vanthu/internal/tasks"
)

// TestSummary counts tasks by state for a dashboard's units: given by
// them or to them and their people, in the date range, visible to the
// viewer, overdue as of the day asked; and the counts equal a direct
// count over the tables.
func TestSummary(t *testing.T) {
	e := newEnv(t)
	create := func(by access.Subject, title, start, due string, assignees ...tasks.AssigneeInput) int64 {
		t.Helper()
		task, err := e.svc.Create(e.ctx, by, actorOf(by), tasks.CreateInput{Title: title, Assignees: assignees,
			StartDate: day(start), DueDate: day(due)})
		if err != nil {
			t.Fatal(err)
		}
		return task.ID
	}
	toHandler := tasks.AssigneeInput{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead}
	officeHelps := tasks.AssigneeInput{Target: tasks.Target{UnitID: e.office}, Role: tasks.RoleCooperate}
	setStatus := func(id int64, status string) {
		t.Helper()
		if _, err := e.db.Exec(e.ctx, `UPDATE tasks SET status = $2 WHERE id = $1`, id, status); err != nil {
			t.Fatal(err)
		}
	}
	create(e.leader, "Mới, quá hạn", "2026-01-05", "2026-02-02", toHandler, officeHelps)
	setStatus(create(e.leader, "Đang làm", "2026-01-05", "2026-09-01", toHandler, officeHelps), tasks.StatusInProgress)
	setStatus(create(e.leader, "Đã xong", "2026-01-05", "2026-03-02", toHandler, officeHelps), tasks.StatusAccepted)
	setStatus(create(e.leader, "Đã hủy", "2026-01-05", "2026-03-02", toHandler, officeHelps), tasks.StatusCancelled)
	setStatus(create(e.deptLead, "Trả lại, quá hạn", "2026-01-12", "2026-01-20", toHandler), tasks.StatusReturned)
	create(e.leader, "Chỉ Văn phòng", "2026-01-06", "2026-12-01",
		tasks.AssigneeInput{Target: tasks.Target{UnitID: e.office}, Role: tasks.RoleLead})
	create(e.leader, "Năm trước", "2025-12-01", "2026-02-02", toHandler) // before the range
	other := e.unit("Tỉnh ủy Khác", "province", 0)
	otherLeader := e.person("bithukhac", other, identity.RoleLeader)
	create(otherLeader, "Tỉnh khác", "2026-01-05", "2026-02-02",
		tasks.AssigneeInput{Target: tasks.Target{UnitID: other}, Role: tasks.RoleLead})

	from, to, today := *day("2026-01-01"), *day("2026-12-31"), *day("2026-06-01")
	type want map[string][2]int64 // state → count, overdue
	check := func(name string, sub access.Subject, units []int64, w want) {
		t.Helper()
		got, err := e.svc.Summary(e.ctx, sub, units, from, to, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tasks.Statuses) {
			t.Fatalf("%s: %d states, want every one of %d", name, len(got), len(tasks.Statuses))
		}
		for i, c := range got {
			if c.Status != tasks.Statuses[i] {
				t.Errorf("%s: state %d is %s, want %s", name, i, c.Status, tasks.Statuses[i])
			}
			if exp := w[c.Status]; c.N != exp[0] || c.Overdue != exp[1] {
				t.Errorf("%s: %s = %d (%d overdue), want %d (%d)", name, c.Status, c.N, c.Overdue, exp[0], exp[1])
			}
		}
	}
	check("department", e.leader, []int64{e.dept}, want{tasks.StatusNew: {1, 1}, tasks.StatusInProgress: {1, 0},
		tasks.StatusReturned: {1, 1}, tasks.StatusAccepted: {1, 0}, tasks.StatusCancelled: {1, 0}})
	check("office", e.leader, []int64{e.office}, want{tasks.StatusNew: {2, 1}, tasks.StatusInProgress: {1, 0},
		tasks.StatusAccepted: {1, 0}, tasks.StatusCancelled: {1, 0}})
	// A member of the office sees the tasks given to it, but not the
	// department's own.
	check("office seen by its handler", e.outsider, []int64{e.province, e.dept, e.office}, want{tasks.StatusNew: {2, 1},
		tasks.StatusInProgress: {1, 0}, tasks.StatusAccepted: {1, 0}, tasks.StatusCancelled: {1, 0}})
	// A colleague of the handler sees none of the handler's tasks.
	check("department seen by a colleague", e.colleague, []int64{e.dept}, want{})
	check("another province", e.leader, []int64{other}, want{})

	// The province leader sees the whole province: the same as counting
	// the tables directly.
	units := []int64{e.province, e.dept, e.office}
	got, err := e.svc.Summary(e.ctx, e.leader, units, from, to, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		var n, overdue int64
		if err := e.db.QueryRow(e.ctx, `SELECT count(*), count(*) FILTER (WHERE status IN ('new', 'in_progress', 'returned') AND due_date < $4)
			FROM tasks WHERE status = $1 AND start_date BETWEEN $2 AND $3
			  AND id IN (SELECT id FROM tasks WHERE unit_id = ANY($5)
			             UNION SELECT task_id FROM task_assignees WHERE unit_id = ANY($5)
			             UNION SELECT a.task_id FROM task_assignees a JOIN memberships m ON m.user_id = a.user_id WHERE m.unit_id = ANY($5))`,
			c.Status, from, to, today, units).Scan(&n, &overdue); err != nil {
			t.Fatal(err)
		}
		if c.N != n || c.Overdue != overdue {
			t.Errorf("province %s = %d (%d overdue), direct count %d (%d)", c.Status, c.N, c.Overdue, n, overdue)
		}
	}
	if got[0].N != 2 {
		t.Errorf("province: %d new tasks, want 2", got[0].N)
	}
	// Many units take the other query shape: the same counts.
	wide := append([]int64{}, units...)
	for i := range 17 {
		wide = append(wide, e.unit(fmt.Sprintf("Đảng ủy xã Số %d", i+1), "commune", e.province))
	}
	wideGot, err := e.svc.Summary(e.ctx, e.leader, wide, from, to, today)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(wideGot, got) {
		t.Errorf("over %d units: %+v, over 3: %+v", len(wide), wideGot, got)
	}
	check("department among many", e.leader, append(wide[3:], e.dept), want{tasks.StatusNew: {1, 1}, tasks.StatusInProgress: {1, 0},
		tasks.StatusReturned: {1, 1}, tasks.StatusAccepted: {1, 0}, tasks.StatusCancelled: {1, 0}})
}
