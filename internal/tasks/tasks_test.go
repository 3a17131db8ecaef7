package tasks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/org"
	"vanthu/internal/platform/mail"
	"vanthu/internal/platform/mail/smtptest"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/tasks"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	users *identity.Store
	svc   *tasks.Service
	notes *notify.Store
	// A province with a department (with its own handler) and an office.
	province, dept, office int64
	leader, deptLead       access.Subject // province leader; department leader
	handler, colleague     access.Subject // department handler; another department member
	outsider               access.Subject // in the office, unrelated
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewPool(t)
	ctx := context.Background()
	if _, err := calendar.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, db: db, users: identity.NewStore(db), notes: notify.New(db),
		svc: tasks.New(db, s3test.NewStore(t), calendar.New(db))}
	e.province = e.unit("Tỉnh ủy Thử nghiệm", "province", 0)
	e.dept = e.unit("Ban Tuyên giáo Tỉnh ủy", "body", e.province)
	e.office = e.unit("Văn phòng Tỉnh ủy", "body", e.province)
	e.leader = e.person("bithu", e.province, identity.RoleLeader)
	e.deptLead = e.person("truongban", e.dept, identity.RoleLeader)
	e.handler = e.person("chuyenvien", e.dept, identity.RoleHandler)
	e.colleague = e.person("dongnghiep", e.dept, identity.RoleHandler)
	e.outsider = e.person("nguoingoai", e.office, identity.RoleHandler)
	return e
}

func (e *env) unit(name, level string, parent int64) int64 {
	e.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, level, parent_id, valid_from) VALUES ($1, $2, $3, '2020-01-01') RETURNING id`,
		name, level, p).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) person(login string, unit int64, role identity.Role) access.Subject {
	e.t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "mat-khau-thu-2026",
		Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
		e.t.Fatal(err)
	}
	return e.reload(access.Subject{UserID: u.ID})
}

func (e *env) reload(s access.Subject) access.Subject {
	e.t.Helper()
	u, err := e.users.Get(e.ctx, s.UserID)
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.users.Memberships(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := access.Load(e.ctx, e.db, u, ms, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func actorOf(s access.Subject) audit.Actor {
	return audit.Actor{UserID: s.UserID, Login: s.Login, UnitID: s.ActingUnit}
}

func day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

func intp(n int) *int { return &n }

// give has the province leader give a task to the handler (lead) and the
// office (cooperate), due on due.
func (e *env) give(title string, due time.Time) tasks.Task {
	e.t.Helper()
	t, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: title,
		Assignees: []tasks.AssigneeInput{
			{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead},
			{Target: tasks.Target{UnitID: e.office}, Role: tasks.RoleCooperate},
		},
		StartDate: day("2026-01-05"), DueDate: &due})
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *env) kinds(sub access.Subject) []string {
	e.t.Helper()
	page, err := e.notes.ListUnread(e.ctx, sub.UserID, "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, n := range page.Items {
		out = append(out, n.Kind)
	}
	slices.Sort(out)
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid || e.Fields[field] == "" {
		t.Fatalf("want a message on %s, got %v", field, err)
	}
}

// Thursday 23/4/2026 plus five working days on the official 2026
// calendar: Fri 24, (Mon 27 off in lieu of Giỗ Tổ), Tue 28, Wed 29,
// (Thu 30/4 and Fri 1/5 holidays), Mon 4/5, Tue 5/5.
func TestDueInWorkingDaysOnTheOfficialCalendar(t *testing.T) {
	e := newEnv(t)
	task, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Chuẩn bị báo cáo sơ kết",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UnitID: e.dept}, Role: tasks.RoleLead}},
		StartDate: day("2026-04-23"), DueInWorkingDays: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	if got := task.DueDate.Format(time.DateOnly); got != "2026-05-05" {
		t.Fatalf("due = %s, want 2026-05-05", got)
	}
	if task.WorkingDays == nil || *task.WorkingDays != 5 || task.StartDate.Format(time.DateOnly) != "2026-04-23" {
		t.Fatalf("stored start %s, working days %v", task.StartDate, task.WorkingDays)
	}
	if task.Status != tasks.StatusNew || task.Lead().UnitID == nil || *task.Lead().UnitID != e.dept {
		t.Fatalf("task = %+v", task)
	}
	// The department's leader hears of it; the assigner does not.
	if k := e.kinds(e.deptLead); count(k, tasks.KindAssigned) != 1 {
		t.Fatalf("department leader notifications = %v", k)
	}
	if k := e.kinds(e.leader); len(k) != 0 {
		t.Fatalf("assigner notified of their own task: %v", k)
	}

	// Bad input: every problem named on its field.
	_, err = e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: " ", DueInWorkingDays: intp(0)})
	fieldErr(t, err, "title")
	fieldErr(t, err, "lead")
	fieldErr(t, err, "due_in_working_days")
	_, err = e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Hai chủ trì",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UnitID: e.dept}, Role: tasks.RoleLead},
			{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead}},
		StartDate: day("2026-04-23"), DueDate: day("2026-04-22")})
	fieldErr(t, err, "lead")
	fieldErr(t, err, "due_date")
	// A handler cannot make someone outside their scope lead.
	_, err = e.svc.Create(e.ctx, e.handler, actorOf(e.handler), tasks.CreateInput{Title: "Vượt phạm vi",
		Assignees:        []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.outsider.UserID}, Role: tasks.RoleLead}},
		DueInWorkingDays: intp(3)})
	fieldErr(t, err, "lead")
}

// Assign → progress → extension request → approval → complete (blocked
// by an open subtask until it is done) → accept; and a return on the way.
func TestTaskLifecycle(t *testing.T) {
	e := newEnv(t)
	task := e.give("Tổ chức hội nghị quán triệt", time.Now().AddDate(0, 0, 20))
	if k := e.kinds(e.handler); count(k, tasks.KindAssigned) != 1 {
		t.Fatalf("handler notifications = %v", k)
	}
	// The office's part reaches its members (it has no leader).
	if k := e.kinds(e.outsider); count(k, tasks.KindAssigned) != 1 {
		t.Fatalf("office member notifications = %v", k)
	}

	// Progress: the lead's percent becomes the task's; a cooperating
	// member's report is kept without changing it.
	got, err := e.svc.Progress(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ProgressInput{Percent: intp(40), Note: "Đã có dự thảo kế hoạch."})
	if err != nil {
		t.Fatal(err)
	}
	if got.Progress != 40 || got.Status != tasks.StatusInProgress {
		t.Fatalf("after lead progress: %d%% %s", got.Progress, got.Status)
	}
	if got, err = e.svc.Progress(e.ctx, e.outsider, actorOf(e.outsider), task.ID, tasks.ProgressInput{Percent: intp(90), Note: "Văn phòng đã chuẩn bị hội trường."}); err != nil {
		t.Fatal(err)
	}
	if got.Progress != 40 {
		t.Fatalf("a cooperating report changed the progress to %d", got.Progress)
	}
	_, err = e.svc.Progress(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ProgressInput{Percent: intp(140)})
	fieldErr(t, err, "percent")
	if _, err := e.svc.Progress(e.ctx, e.leader, actorOf(e.leader), task.ID, tasks.ProgressInput{Note: "x"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("the assigner reported progress: %v", err)
	}
	ups, err := e.svc.Updates(e.ctx, task.ID)
	if err != nil || len(ups) != 2 || ups[1].Role != tasks.RoleLead || ups[0].Role != tasks.RoleCooperate {
		t.Fatalf("updates = %+v, %v", ups, err)
	}

	// Extension: only the lead asks; one pending at a time; the assigner decides.
	newDue := task.DueDate.AddDate(0, 0, 14)
	if _, err := e.svc.RequestExtension(e.ctx, e.outsider, actorOf(e.outsider), task.ID, tasks.ExtensionInput{DueDate: &newDue, Reason: "x"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a cooperating member asked for an extension: %v", err)
	}
	_, err = e.svc.RequestExtension(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ExtensionInput{DueDate: &task.DueDate, Reason: ""})
	fieldErr(t, err, "reason")
	fieldErr(t, err, "due_date")
	got, err = e.svc.RequestExtension(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ExtensionInput{DueDate: &newDue, Reason: "Chờ ý kiến các ban."})
	if err != nil {
		t.Fatal(err)
	}
	if got.PendingRequest == nil || !got.PendingRequest.RequestedDue.Equal(newDue.Truncate(24*time.Hour)) {
		t.Fatalf("pending = %+v", got.PendingRequest)
	}
	if _, err := e.svc.RequestExtension(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ExtensionInput{WorkingDays: 3, Reason: "Lần nữa"}); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second pending request: %v", err)
	}
	if k := e.kinds(e.leader); count(k, tasks.KindExtensionRequested) != 1 {
		t.Fatalf("assigner notifications = %v", k)
	}
	if _, err := e.svc.DecideExtension(e.ctx, e.handler, actorOf(e.handler), task.ID, got.PendingRequest.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("the requester decided: %v", err)
	}
	_, err = e.svc.DecideExtension(e.ctx, e.leader, actorOf(e.leader), task.ID, got.PendingRequest.ID, false, "")
	fieldErr(t, err, "decision_note")
	got, err = e.svc.DecideExtension(e.ctx, e.leader, actorOf(e.leader), task.ID, got.PendingRequest.ID, true, "Đồng ý.")
	if err != nil {
		t.Fatal(err)
	}
	if !got.DueDate.Equal(dateOnly(newDue)) || got.PendingRequest != nil {
		t.Fatalf("after approval: due %s, pending %v", got.DueDate, got.PendingRequest)
	}
	if k := e.kinds(e.handler); count(k, tasks.KindExtensionDecided) != 1 {
		t.Fatalf("handler notifications after the decision = %v", k)
	}

	// A subtask holds completion back until it is done.
	sub, err := e.svc.Create(e.ctx, e.handler, actorOf(e.handler), tasks.CreateInput{Title: "Gửi giấy mời", ParentID: task.ID,
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.colleague.UserID}, Role: tasks.RoleLead}}, DueInWorkingDays: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Create(e.ctx, e.handler, actorOf(e.handler), tasks.CreateInput{Title: "Quá hạn cha", ParentID: task.ID,
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.colleague.UserID}, Role: tasks.RoleLead}},
		DueDate:   ptrTime(got.DueDate.AddDate(0, 0, 1))})
	fieldErr(t, err, "due_date")
	if _, err := e.svc.Complete(e.ctx, e.handler, actorOf(e.handler), task.ID, "Xong"); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("completed with an open subtask: %v", err)
	}
	if _, err := e.svc.Complete(e.ctx, e.colleague, actorOf(e.colleague), sub.ID, "Đã gửi giấy mời."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(e.ctx, e.handler, actorOf(e.handler), sub.ID, ""); err != nil {
		t.Fatal(err)
	}

	// Complete, returned, complete again, accepted.
	_, err = e.svc.Complete(e.ctx, e.handler, actorOf(e.handler), task.ID, " ")
	fieldErr(t, err, "result")
	if got, err = e.svc.Complete(e.ctx, e.handler, actorOf(e.handler), task.ID, "Hội nghị đã tổ chức."); err != nil {
		t.Fatal(err)
	}
	if got.Status != tasks.StatusCompleted || got.Progress != 100 {
		t.Fatalf("after completion: %s %d%%", got.Status, got.Progress)
	}
	if _, err := e.svc.Progress(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ProgressInput{Note: "sau"}); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("progress on a completed task: %v", err)
	}
	if _, err := e.svc.Accept(e.ctx, e.handler, actorOf(e.handler), task.ID, ""); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("the assignee accepted their own work: %v", err)
	}
	if got, err = e.svc.Return(e.ctx, e.leader, actorOf(e.leader), task.ID, "Bổ sung số liệu đại biểu."); err != nil {
		t.Fatal(err)
	}
	if got.Status != tasks.StatusReturned || got.ReturnReason == "" {
		t.Fatalf("after return: %+v", got)
	}
	if k := e.kinds(e.handler); count(k, tasks.KindReturned) != 1 {
		t.Fatalf("handler notifications after the return = %v", k)
	}
	if _, err := e.svc.Complete(e.ctx, e.handler, actorOf(e.handler), task.ID, "Đã bổ sung."); err != nil {
		t.Fatal(err)
	}
	if got, err = e.svc.Accept(e.ctx, e.leader, actorOf(e.leader), task.ID, "Tốt."); err != nil {
		t.Fatal(err)
	}
	if got.Status != tasks.StatusAccepted || got.AcceptedAt == nil {
		t.Fatalf("after acceptance: %+v", got)
	}
	if k := e.kinds(e.handler); count(k, tasks.KindAccepted) != 1 {
		t.Fatalf("handler notifications after acceptance = %v", k)
	}
	evs, err := e.svc.Timeline(e.ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	want := "created,progress,progress,extension_requested,extension_approved,subtask_added,completed,returned,completed,accepted"
	if strings.Join(kinds, ",") != want {
		t.Fatalf("timeline = %v", kinds)
	}
	var audited int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM audit_log WHERE object_type = 'task' AND object_id = $1`, fmt.Sprint(task.ID)).Scan(&audited); err != nil || audited != 9 {
		t.Fatalf("audit entries for the task = %d, %v", audited, err)
	}
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func ptrTime(t time.Time) *time.Time { return &t }

// Who sees a task: assigner, assignees, members of an assigned unit,
// leaders above; not an outsider, who gets the same answer as for a task
// that does not exist.
func TestVisibility(t *testing.T) {
	e := newEnv(t)
	personal, err := e.svc.Create(e.ctx, e.deptLead, actorOf(e.deptLead), tasks.CreateInput{Title: "Việc riêng của chuyên viên",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead}}, DueInWorkingDays: intp(3)})
	if err != nil {
		t.Fatal(err)
	}
	unitTask, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Việc của Ban",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UnitID: e.dept}, Role: tasks.RoleLead}}, DueInWorkingDays: intp(3)})
	if err != nil {
		t.Fatal(err)
	}
	sees := func(sub access.Subject, id int64) bool {
		t.Helper()
		_, err := e.svc.Get(e.ctx, sub, id)
		if err != nil && !errors.Is(err, tasks.ErrNotFound) {
			t.Fatal(err)
		}
		page, lerr := e.svc.List(e.ctx, sub, tasks.Filter{Tab: tasks.TabAll})
		if lerr != nil {
			t.Fatal(lerr)
		}
		listed := slices.ContainsFunc(page.Items, func(it tasks.Item) bool { return it.ID == id })
		if listed != (err == nil) {
			t.Fatalf("task %d: get says %v, list says %v", id, err == nil, listed)
		}
		return err == nil
	}
	cases := []struct {
		who  string
		sub  access.Subject
		task int64
		want bool
	}{
		{"assignee", e.handler, personal.ID, true},
		{"assigner", e.deptLead, personal.ID, true},
		{"leader above the person", e.leader, personal.ID, true},
		{"colleague of the person", e.colleague, personal.ID, false},
		{"outsider", e.outsider, personal.ID, false},
		{"member of the assigned unit", e.colleague, unitTask.ID, true},
		{"leader of the assigned unit", e.deptLead, unitTask.ID, true},
		{"outsider", e.outsider, unitTask.ID, false},
	}
	for _, c := range cases {
		if got := sees(c.sub, c.task); got != c.want {
			t.Errorf("%s sees task %d: %v, want %v", c.who, c.task, got, c.want)
		}
	}
	if _, err := e.svc.Progress(e.ctx, e.outsider, actorOf(e.outsider), personal.ID, tasks.ProgressInput{Note: "x"}); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("outsider's progress: %v", err)
	}
	if _, _, err := e.svc.OpenFile(e.ctx, e.outsider, personal.ID, 1); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("outsider's download: %v", err)
	}

	// Tabs.
	tab := func(sub access.Subject, key string) []int64 {
		t.Helper()
		page, err := e.svc.List(e.ctx, sub, tasks.Filter{Tab: key})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := tab(e.handler, tasks.TabMine); !slices.Equal(got, []int64{personal.ID}) {
		t.Errorf("handler's own tasks = %v", got)
	}
	if got := tab(e.deptLead, tasks.TabMine); !slices.Equal(got, []int64{unitTask.ID}) {
		t.Errorf("department leader's own tasks = %v", got)
	}
	if got := tab(e.colleague, tasks.TabUnit); !slices.Equal(got, []int64{unitTask.ID}) {
		t.Errorf("colleague's unit tasks = %v", got)
	}
	if got := tab(e.deptLead, tasks.TabGiven); !slices.Equal(got, []int64{personal.ID}) {
		t.Errorf("department leader's given tasks = %v", got)
	}
}

// Near-due and overdue tasks escalate to the assigner once each; an
// approved extension lets them come again for the new date.
func TestEscalation(t *testing.T) {
	e := newEnv(t)
	// Due Tuesday 5/5/2026; "now" is chosen, not the clock.
	task, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Báo cáo quý",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead}},
		StartDate: day("2026-04-23"), DueInWorkingDays: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("ICT", 7*3600))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	run := func(now string) tasks.EscalationResult {
		t.Helper()
		res, err := e.svc.Escalate(e.ctx, at(now))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Wednesday 29/4: the next working day is Monday 4/5, before the due date.
	if res := run("2026-04-29 09:00"); res.NearDue+res.Overdue != 0 {
		t.Fatalf("escalated too early: %+v", res)
	}
	// Monday 4/5: due the next working day.
	if res := run("2026-05-04 08:00"); res.NearDue != 1 || res.Overdue != 0 || res.Notifications != 2 {
		t.Fatalf("near-due pass: %+v", res)
	}
	if res := run("2026-05-04 16:00"); res.Notifications != 0 {
		t.Fatalf("near-due sent twice: %+v", res)
	}
	if k := e.kinds(e.leader); count(k, tasks.KindNearDueEscalation) != 1 {
		t.Fatalf("assigner notifications = %v", k)
	}
	// Wednesday 6/5: overdue, to the assigner (and the handler), once.
	if res := run("2026-05-06 07:30"); res.Overdue != 1 || res.Notifications != 2 {
		t.Fatalf("overdue pass: %+v", res)
	}
	if res := run("2026-05-07 07:30"); res.Notifications != 0 {
		t.Fatalf("overdue sent twice: %+v", res)
	}
	if k := e.kinds(e.leader); count(k, tasks.KindOverdueEscalation) != 1 {
		t.Fatalf("assigner notifications = %v", k)
	}
	if k := e.kinds(e.handler); count(k, tasks.KindOverdue) != 1 || count(k, tasks.KindNearDue) != 1 {
		t.Fatalf("handler notifications = %v", k)
	}
	page, err := e.svc.List(e.ctx, e.leader, tasks.Filter{Tab: tasks.TabOver, Today: dateOnly(at("2026-05-07 07:30"))})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != task.ID {
		t.Fatalf("overdue tab = %+v, %v", page.Items, err)
	}

	// Extended to Friday 8/5: near-due again on Thursday 7/5, overdue again on Monday 11/5.
	due := *day("2026-05-08")
	got, err := e.svc.RequestExtension(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ExtensionInput{DueDate: &due, Reason: "Thiếu số liệu."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideExtension(e.ctx, e.leader, actorOf(e.leader), task.ID, got.PendingRequest.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if res := run("2026-05-07 09:00"); res.NearDue != 1 {
		t.Fatalf("near-due after the extension: %+v", res)
	}
	if res := run("2026-05-11 09:00"); res.Overdue != 1 {
		t.Fatalf("overdue after the extension: %+v", res)
	}
	// Finished tasks are left alone.
	if _, err := e.svc.Complete(e.ctx, e.handler, actorOf(e.handler), task.ID, "Đã nộp."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(e.ctx, `UPDATE tasks SET overdue_sent_for = NULL WHERE id = $1`, task.ID); err != nil {
		t.Fatal(err)
	}
	if res := run("2026-05-12 09:00"); res.Notifications != 0 {
		t.Fatalf("a completed task escalated: %+v", res)
	}
}

// A merge carries open tasks (given by or assigned to a source unit) to
// the successor; finished ones stay.
func TestMergeMovesOpenTasks(t *testing.T) {
	e := newEnv(t)
	admin := e.person("quantri", e.province, identity.RoleAdmin)
	oldUnit := e.unit("Ban Dân vận Tỉnh ủy", "body", e.province)
	oldLead := e.person("truongbandv", oldUnit, identity.RoleLeader)
	successor := e.unit("Ban Tuyên giáo và Dân vận Tỉnh ủy", "body", e.province)
	newMember := e.person("chuyenvienmoi", successor, identity.RoleHandler)
	e.leader = e.reload(e.leader) // the new units are in their scope now

	open, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Khảo sát dư luận",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UnitID: oldUnit}, Role: tasks.RoleLead},
			{Target: tasks.Target{UnitID: successor}, Role: tasks.RoleCooperate}}, DueInWorkingDays: intp(10)})
	if err != nil {
		t.Fatal(err)
	}
	given, err := e.svc.Create(e.ctx, oldLead, actorOf(oldLead), tasks.CreateInput{Title: "Tổng hợp ý kiến", UnitID: oldUnit,
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: oldLead.UserID}, Role: tasks.RoleLead}}, DueInWorkingDays: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Việc đã xong",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UnitID: oldUnit}, Role: tasks.RoleLead}}, DueInWorkingDays: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Complete(e.ctx, oldLead, actorOf(oldLead), done.ID, "Xong."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(e.ctx, e.leader, actorOf(e.leader), done.ID, ""); err != nil {
		t.Fatal(err)
	}

	units := org.NewStore(e.db)
	units.RegisterMoveHook(tasks.MergeHook{})
	req := org.MergeRequest{Sources: []int64{oldUnit}, TargetID: successor, EffectiveDate: tasks.Today(), LegalBasis: "Quyết định 1-QĐ/TU"}
	req.DryRun = true
	preview, err := units.Merge(e.ctx, actorOf(admin), req)
	if err != nil {
		t.Fatal(err)
	}
	hook := func(r org.MoveReport) org.HookResult {
		for _, h := range r.Hooks {
			if h.Hook == tasks.HookName {
				return h
			}
		}
		t.Fatalf("no tasks part in %+v", r.Hooks)
		return org.HookResult{}
	}
	if h := hook(preview); h.Moved != 2 || !strings.Contains(strings.Join(h.Items, "\n"), "Khảo sát dư luận") {
		t.Fatalf("preview = %+v", h)
	}
	req.DryRun = false
	report, err := units.Merge(e.ctx, actorOf(admin), req)
	if err != nil {
		t.Fatal(err)
	}
	if h := hook(report); h.Moved != 2 {
		t.Fatalf("report = %+v", h)
	}
	got, err := e.svc.Get(e.ctx, e.leader, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Assignees) != 1 || got.Lead().UnitID == nil || *got.Lead().UnitID != successor {
		t.Fatalf("assignees after the merge = %+v", got.Assignees)
	}
	var unit int64
	if err := e.db.QueryRow(e.ctx, `SELECT unit_id FROM tasks WHERE id = $1`, given.ID).Scan(&unit); err != nil || unit != successor {
		t.Fatalf("assigning unit after the merge = %d, %v", unit, err)
	}
	if err := e.db.QueryRow(e.ctx, `SELECT unit_id FROM task_assignees WHERE task_id = $1`, done.ID).Scan(&unit); err != nil || unit != oldUnit {
		t.Fatalf("finished task moved to %d, %v", unit, err)
	}
	// The successor's people find the open task among their unit's tasks.
	newMember = e.reload(newMember)
	page, err := e.svc.List(e.ctx, newMember, tasks.Filter{Tab: tasks.TabUnit})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != open.ID {
		t.Fatalf("successor's unit tasks = %+v, %v", page.Items, err)
	}
}

// Progress files go to the object store and come back byte for byte.
func TestProgressFiles(t *testing.T) {
	e := newEnv(t)
	task := e.give("Nộp báo cáo", time.Now().AddDate(0, 0, 10))
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	up, err := documents.Receive(bytes.NewReader(pdf), "bao-cao.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if _, err := e.svc.Progress(e.ctx, e.handler, actorOf(e.handler), task.ID, tasks.ProgressInput{Percent: intp(60), Files: []*documents.Upload{up}}); err != nil {
		t.Fatal(err)
	}
	ups, err := e.svc.Updates(e.ctx, task.ID)
	if err != nil || len(ups) != 1 || len(ups[0].Files) != 1 || ups[0].Files[0].Name != "bao-cao.pdf" {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	rc, f, err := e.svc.OpenFile(e.ctx, e.leader, task.ID, ups[0].Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	if !bytes.Equal(b, pdf) || f.ContentType != "application/pdf" {
		t.Fatalf("downloaded %d bytes of %s", len(b), f.ContentType)
	}
}

// With an SMTP relay configured, the outbox e-mails every task
// notification once: the assignment to the handler, then the overdue
// escalation to the assigner and the handler, with a link to the task.
func TestTaskNotificationsGoByEmail(t *testing.T) {
	e := newEnv(t)
	relay := smtptest.Start(t)
	if _, err := e.db.Exec(e.ctx, `UPDATE users SET email = login || '@tinhuy.test' WHERE id = ANY($1)`,
		[]int64{e.leader.UserID, e.handler.UserID}); err != nil {
		t.Fatal(err)
	}
	outbox := notify.NewOutbox(e.db, mail.New(mail.Config{Addr: relay.Addr, From: "vanthu@tinhuy.test"}), "https://vanthu.tinhuy.test")
	task, err := e.svc.Create(e.ctx, e.leader, actorOf(e.leader), tasks.CreateInput{Title: "Nộp báo cáo tháng",
		Assignees: []tasks.AssigneeInput{{Target: tasks.Target{UserID: e.handler.UserID}, Role: tasks.RoleLead}},
		StartDate: day("2026-04-23"), DueInWorkingDays: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.Deliver(e.ctx, 50); err != nil || res.Sent != 1 {
		t.Fatalf("deliver after giving the task = %+v, %v", res, err)
	}
	res, err := e.svc.Escalate(e.ctx, time.Date(2026, 5, 6, 1, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.Overdue != 1 || res.Notifications != 2 {
		t.Fatalf("escalation = %+v, want one overdue task notified to two people", res)
	}
	if res, err := outbox.Deliver(e.ctx, 50); err != nil || res.Sent != 2 {
		t.Fatalf("deliver after escalating = %+v, %v", res, err)
	}
	if res, err := outbox.Deliver(e.ctx, 50); err != nil || res != (notify.Delivery{}) {
		t.Fatalf("a third pass = %+v, %v; want nothing left", res, err)
	}
	msgs := relay.Messages()
	link := fmt.Sprintf("https://vanthu.tinhuy.test/tasks/%d", task.ID)
	if len(msgs) != 3 {
		t.Fatalf("%d e-mails, want 3: %+v", len(msgs), msgs)
	}
	if m := msgs[0]; m.To != "chuyenvien@tinhuy.test" || !strings.HasPrefix(m.Subject, "[Vanthu] ") ||
		!strings.Contains(m.Body, "Giao việc") || !strings.Contains(m.Body, "Nộp báo cáo tháng") || !strings.Contains(m.Body, link) {
		t.Fatalf("assignment e-mail = %+v", m)
	}
	byTo := map[string]smtptest.Message{}
	for _, m := range msgs[1:] {
		byTo[m.To] = m
	}
	if m := byTo["bithu@tinhuy.test"]; m.Subject != "[Vanthu] Việc đã giao quá hạn (hạn 05/05/2026): Nộp báo cáo tháng" || !strings.Contains(m.Body, link) {
		t.Fatalf("assigner's e-mail = %+v", m)
	}
	if m := byTo["chuyenvien@tinhuy.test"]; !strings.HasPrefix(m.Subject, "[Vanthu] Quá hạn công việc") || !strings.Contains(m.Body, link) {
		t.Fatalf("handler's e-mail = %+v", m)
	}
}
