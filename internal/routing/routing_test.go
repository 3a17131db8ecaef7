package routing_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
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
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
	"vanthu/internal/routing"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	users *identity.Store
	docs  *documents.Service
	svc   *routing.Service
	cal   *calendar.Calendar
	notes *notify.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewPool(t)
	docs := documents.NewService(db, nil, registry.NewStore(db), "party", false)
	cal := calendar.New(db)
	return &env{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db), docs: docs,
		svc: routing.New(db, docs, cal), cal: cal, notes: notify.New(db)}
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

// person creates a user with a role in a unit and returns their subject.
func (e *env) person(login string, unit int64, role identity.Role) access.Subject {
	e.t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Email: login + "@vanthu.test",
		Password: "mat-khau-thu-2026", Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.reload(access.Subject{UserID: u.ID})
}

// reload builds the subject again (after membership changes).
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

func (e *env) register(clerk access.Subject, unit int64, subject string) documents.Document {
	e.t.Helper()
	reg, err := e.docs.RegisterIncoming(e.ctx, clerk, actorOf(clerk), documents.IncomingInput{UnitID: unit, TypeName: "Công văn",
		OrganName: "Ủy ban nhân dân tỉnh", Subject: subject, Priority: "thuong", Confidentiality: identity.ClearanceNone}, nil, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return reg.Document
}

func (e *env) status(docID int64) string {
	e.t.Helper()
	var s string
	if err := e.db.QueryRow(e.ctx, `SELECT status FROM documents WHERE id = $1`, docID).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) unread(sub access.Subject) []notify.Notification {
	e.t.Helper()
	p, err := e.notes.ListUnread(e.ctx, sub.UserID, "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Items
}

func (e *env) inbox(sub access.Subject, box string) []int64 {
	e.t.Helper()
	p, err := e.svc.Inbox(e.ctx, sub, box, "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, it := range p.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func wantKind(t *testing.T, err error, kind apperr.Kind, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind {
		t.Fatalf("err = %v, want kind %d", err, kind)
	}
	if field != "" && e.Fields[field] == "" {
		t.Fatalf("err = %v, want a message for field %q", err, field)
	}
	for f, m := range e.Fields {
		if !strings.ContainsAny(m, "ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵĐ") {
			t.Errorf("field %s message %q is not Vietnamese", f, m)
		}
	}
}

// org is a province committee with two boards and people in each role.
type fixture struct {
	*env
	province, propaganda, organisation, other                           int64
	clerk, leader, handler, boardLeader, boardStaff, informed, outsider access.Subject
}

func newFixture(t *testing.T) *fixture {
	e := newEnv(t)
	f := &fixture{env: e}
	f.province = e.unit("Tỉnh ủy Thử nghiệm", "province", 0)
	f.propaganda = e.unit("Ban Tuyên giáo Tỉnh ủy", "body", f.province)
	f.organisation = e.unit("Ban Tổ chức Tỉnh ủy", "body", f.province)
	f.other = e.unit("Tỉnh ủy Khác", "province", 0)
	f.clerk = e.person("vanthu", f.province, identity.RoleClerk)
	f.leader = e.person("lanhdao", f.province, identity.RoleLeader)
	f.handler = e.person("chuyenvien", f.organisation, identity.RoleHandler)
	f.boardLeader = e.person("truongban", f.propaganda, identity.RoleLeader)
	f.boardStaff = e.person("canbo", f.propaganda, identity.RoleHandler)
	f.informed = e.person("debiet", f.organisation, identity.RoleHandler)
	f.outsider = e.person("nguoingoai", f.other, identity.RoleHandler)
	return f
}

func TestWholeFlow(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	doc := f.register(f.clerk, f.province, "Về việc tổng kết công tác tuyên giáo năm 2026")

	// Before any direction the handler in another board cannot see it.
	if _, err := f.docs.Get(ctx, f.handler, doc.ID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("handler sees the document before assignment: %v", err)
	}

	// Present: only the owning unit's clerk, only to a leader.
	if _, err := f.svc.Present(ctx, f.leader, actorOf(f.leader), doc.ID, f.leader.UserID); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("leader presenting: %v", err)
	}
	if _, err := f.svc.Present(ctx, f.handler, actorOf(f.handler), doc.ID, f.leader.UserID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("outsider presenting: %v", err)
	}
	_, err := f.svc.Present(ctx, f.clerk, actorOf(f.clerk), doc.ID, f.handler.UserID)
	wantKind(t, err, apperr.KindInvalid, "leader_id")
	_, err = f.svc.Present(ctx, f.clerk, actorOf(f.clerk), doc.ID, 0)
	wantKind(t, err, apperr.KindInvalid, "leader_id")
	// A leader of the board (not above the province) is no choice either.
	_, err = f.svc.Present(ctx, f.clerk, actorOf(f.clerk), doc.ID, f.boardLeader.UserID)
	wantKind(t, err, apperr.KindInvalid, "leader_id")
	presented, err := f.svc.Present(ctx, f.clerk, actorOf(f.clerk), doc.ID, f.leader.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if presented.PresentedTo == nil || *presented.PresentedTo != f.leader.UserID {
		t.Fatalf("presented_to = %v", presented.PresentedTo)
	}
	if got := f.inbox(f.leader, routing.BoxAwaitingDirection); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("leader's chờ cho ý kiến = %v", got)
	}
	if n := f.unread(f.leader); len(n) != 1 || n[0].Kind != "presented" || n[0].Link != "/documents/"+itoa(doc.ID) {
		t.Fatalf("leader notifications = %+v", n)
	}

	// Direct: only a leader (or the presentee); validation per field.
	good := routing.DirectionInput{
		Body:                "Giao Ban Tổ chức (đồng chí chuyên viên) chủ trì, Ban Tuyên giáo phối hợp; báo cáo kết quả.",
		Lead:                routing.Assignee{UserID: f.handler.UserID},
		Cooperate:           []routing.Assignee{{UnitID: f.propaganda}},
		Inform:              []routing.Assignee{{UserID: f.informed.UserID}},
		DeadlineWorkingDays: 3,
	}
	if _, err := f.svc.Direct(ctx, f.clerk, actorOf(f.clerk), doc.ID, good); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("clerk directing: %v", err)
	}
	bad := good
	bad.Lead = routing.Assignee{}
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "lead")
	bad = good
	past := routing.Today().AddDate(0, 0, -1)
	bad.Deadline, bad.DeadlineWorkingDays = &past, 0
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "deadline")
	bad = good
	bad.Deadline = &past
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "deadline")
	bad = good
	bad.Lead = routing.Assignee{UserID: 999999}
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "lead")
	dissolved := f.unit("Ban đã giải thể", "body", f.province)
	f.db.Exec(ctx, `UPDATE units SET valid_to = '2024-12-31' WHERE id = $1`, dissolved)
	bad = good
	bad.Cooperate = []routing.Assignee{{UnitID: dissolved}}
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "cooperate")
	bad = good
	bad.Inform = []routing.Assignee{{UserID: f.handler.UserID}}
	_, err = f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, bad)
	wantKind(t, err, apperr.KindInvalid, "inform")
	if f.status(doc.ID) != documents.StatusRegistered {
		t.Fatal("a refused direction changed the document")
	}

	dir, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, good)
	if err != nil {
		t.Fatal(err)
	}
	due, err := f.cal.AddWorkingDays(ctx, routing.Today(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if dir.Deadline == nil || !dir.Deadline.Equal(due) || len(dir.Assignments) != 3 {
		t.Fatalf("direction = %+v, want deadline %s and 3 assignments", dir, due)
	}
	var lead, coop, inform routing.Assignment
	for _, a := range dir.Assignments {
		switch a.Role {
		case routing.RoleLead:
			lead = a
		case routing.RoleCooperate:
			coop = a
		case routing.RoleInform:
			inform = a
		}
	}
	if lead.AssigneeName != "Người chuyenvien" || coop.AssigneeName != "Ban Tuyên giáo Tỉnh ủy" || inform.Status != routing.StatusAssigned {
		t.Fatalf("assignments = %+v", dir.Assignments)
	}
	if f.status(doc.ID) != documents.StatusAssigned {
		t.Fatalf("status = %s, want 04", f.status(doc.ID))
	}
	if _, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, good); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second direction: %v", err)
	}

	// Assignees see it through grants; people not involved do not.
	for _, s := range []access.Subject{f.handler, f.boardLeader, f.boardStaff, f.informed} {
		if _, err := f.docs.Get(ctx, s, doc.ID); err != nil {
			t.Fatalf("%s cannot see the assigned document: %v", s.Login, err)
		}
	}
	if _, err := f.docs.Get(ctx, f.outsider, doc.ID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("outsider sees it: %v", err)
	}
	if _, err := f.svc.Accept(ctx, f.outsider, actorOf(f.outsider), lead.ID); !errors.Is(err, routing.ErrAssignmentNotFound) {
		t.Fatalf("outsider accepting: %v", err)
	}
	// Notifications: the person, the unit's leader, the informed person.
	for _, s := range []access.Subject{f.handler, f.boardLeader, f.informed} {
		if n := f.unread(s); len(n) != 1 || n[0].Kind != "assigned" {
			t.Fatalf("%s notifications = %+v", s.Login, n)
		}
	}
	if n := f.unread(f.boardStaff); len(n) != 0 {
		t.Fatalf("board staff notified before re-assignment: %+v", n)
	}

	// Inboxes.
	if got := f.inbox(f.handler, routing.BoxToDo); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("handler chờ xử lý = %v", got)
	}
	if got := f.inbox(f.boardLeader, routing.BoxToDo); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("board leader chờ xử lý = %v", got)
	}
	if got := f.inbox(f.informed, routing.BoxForInfo); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("informed để biết = %v", got)
	}
	if got := f.inbox(f.informed, routing.BoxToDo); len(got) != 0 {
		t.Fatalf("informed chờ xử lý = %v", got)
	}
	if got := f.inbox(f.leader, routing.BoxAwaitingDirection); len(got) != 0 {
		t.Fatalf("leader still has it to direct: %v", got)
	}

	// The board's staff may not act for the board; its leader passes it on.
	if _, err := f.svc.Accept(ctx, f.boardStaff, actorOf(f.boardStaff), coop.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("staff accepting the board's part: %v", err)
	}
	_, err = f.svc.Reassign(ctx, f.boardLeader, actorOf(f.boardLeader), coop.ID, routing.ReassignInput{UserID: f.outsider.UserID})
	wantKind(t, err, apperr.KindInvalid, "user_id")
	if _, err := f.svc.Reassign(ctx, f.handler, actorOf(f.handler), coop.ID, routing.ReassignInput{UserID: f.boardStaff.UserID}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("handler re-assigning another unit's part: %v", err)
	}
	child, err := f.svc.Reassign(ctx, f.boardLeader, actorOf(f.boardLeader), coop.ID,
		routing.ReassignInput{UserID: f.boardStaff.UserID, Body: "Đồng chí cán bộ chuẩn bị số liệu."})
	if err != nil {
		t.Fatal(err)
	}
	if child.ParentID == nil || *child.ParentID != coop.ID || child.Role != routing.RoleCooperate || child.Deadline == nil || !child.Deadline.Equal(due) {
		t.Fatalf("child = %+v", child)
	}
	if got := f.inbox(f.boardStaff, routing.BoxToDo); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("board staff chờ xử lý = %v", got)
	}
	if got := f.inbox(f.boardLeader, routing.BoxInProgress); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("board leader đang xử lý = %v", got)
	}

	// Accept, progress, complete.
	if _, err := f.svc.Progress(ctx, f.informed, actorOf(f.informed), lead.ID, 10, ""); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("someone else reporting progress: %v", err)
	}
	a, err := f.svc.Accept(ctx, f.handler, actorOf(f.handler), lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != routing.StatusInProgress || a.AcceptedAt == nil || f.status(doc.ID) != documents.StatusInProgress {
		t.Fatalf("after accept: %+v, document %s", a, f.status(doc.ID))
	}
	if _, err := f.svc.Accept(ctx, f.handler, actorOf(f.handler), lead.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second accept: %v", err)
	}
	if got := f.inbox(f.handler, routing.BoxInProgress); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("handler đang xử lý = %v", got)
	}
	_, err = f.svc.Progress(ctx, f.handler, actorOf(f.handler), lead.ID, 150, "")
	wantKind(t, err, apperr.KindInvalid, "percent")
	a, err = f.svc.Progress(ctx, f.handler, actorOf(f.handler), lead.ID, 50, "Đã tổng hợp xong báo cáo của các huyện.")
	if err != nil {
		t.Fatal(err)
	}
	if a.Progress != 50 || a.ProgressNote == "" {
		t.Fatalf("after progress: %+v", a)
	}
	_, err = f.svc.Complete(ctx, f.handler, actorOf(f.handler), lead.ID, routing.CompleteInput{})
	wantKind(t, err, apperr.KindInvalid, "result")
	hidden := f.register(f.person("vanthukhac", f.other, identity.RoleClerk), f.other, "Văn bản của tỉnh khác")
	_, err = f.svc.Complete(ctx, f.handler, actorOf(f.handler), lead.ID, routing.CompleteInput{Result: "Đã báo cáo", ReplyDocumentID: hidden.ID})
	wantKind(t, err, apperr.KindInvalid, "reply_document_id")
	a, err = f.svc.Complete(ctx, f.handler, actorOf(f.handler), lead.ID, routing.CompleteInput{Result: "Đã có Báo cáo số 12-BC/BTC"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != routing.StatusDone || a.Progress != 100 || a.CompletedAt == nil {
		t.Fatalf("after complete: %+v", a)
	}
	// The lead chain is done: the open cooperating and informed parts do not hold it back.
	got, err := f.docs.Get(ctx, f.leader, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != documents.StatusDone || got.CompletedAt == nil {
		t.Fatalf("document after the lead finished: status %s completed %v", got.Status, got.CompletedAt)
	}
	if ids := f.inbox(f.handler, routing.BoxDone); !slices.Equal(ids, []int64{doc.ID}) {
		t.Fatalf("handler đã hoàn thành = %v", ids)
	}
	// The leader hears it is done.
	var kinds []string
	for _, n := range f.unread(f.leader) {
		kinds = append(kinds, n.Kind)
	}
	if !slices.Contains(kinds, "completed") {
		t.Fatalf("leader notifications = %v", kinds)
	}

	// The board's staff finishes the cooperating part: the board's part follows.
	if _, err := f.svc.Complete(ctx, f.boardStaff, actorOf(f.boardStaff), child.ID, routing.CompleteInput{Result: "Đã gửi số liệu"}); err != nil {
		t.Fatal(err)
	}
	// The informed person acknowledges without a result.
	ack, err := f.svc.Complete(ctx, f.informed, actorOf(f.informed), inform.ID, routing.CompleteInput{})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Result != "Đã biết" {
		t.Fatalf("acknowledgement = %+v", ack)
	}
	dirs, err := f.svc.Directions(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 || dirs[1].Reassignment != true || len(dirs[0].Assignments) != 3 {
		t.Fatalf("directions = %+v", dirs)
	}
	for _, a := range dirs[0].Assignments {
		if a.Status != routing.StatusDone {
			t.Errorf("%s %s status %s, want done", a.Role, a.AssigneeName, a.Status)
		}
		if a.Role == routing.RoleCooperate && (len(a.Children) != 1 || a.Children[0].Note != "Đồng chí cán bộ chuẩn bị số liệu.") {
			t.Errorf("cooperating part's children = %+v", a.Children)
		}
	}
	// The timeline tells the story.
	events, err := f.docs.Timeline(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ek []string
	for _, e := range events {
		ek = append(ek, e.Kind)
	}
	for _, k := range []string{"registered", "presented", "directed", "assigned", "reassigned", "accepted", "progress", "completed"} {
		if !slices.Contains(ek, k) {
			t.Errorf("timeline %v lacks %s", ek, k)
		}
	}
	var audited int
	f.db.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action LIKE 'document.%' AND object_id = $1`, itoa(doc.ID)).Scan(&audited)
	if audited < 6 {
		t.Errorf("%d audit entries for the handling, want at least 6", audited)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReturnResetsToRegistered(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	orgLeader := f.person("truongbantc", f.organisation, identity.RoleLeader)
	doc := f.register(f.clerk, f.province, "Về việc rà soát quy hoạch cán bộ")
	// Directed by a leader without a presentation.
	dir, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, routing.DirectionInput{
		Body: "Giao Ban Tổ chức chủ trì.", Lead: routing.Assignee{UnitID: f.organisation}})
	if err != nil {
		t.Fatal(err)
	}
	unitPart := dir.Assignments[0]
	child, err := f.svc.Reassign(ctx, orgLeader, actorOf(orgLeader), unitPart.ID, routing.ReassignInput{UserID: f.handler.UserID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Return(ctx, f.handler, actorOf(f.handler), child.ID, "  ")
	wantKind(t, err, apperr.KindInvalid, "reason")
	if _, err := f.svc.Return(ctx, f.outsider, actorOf(f.outsider), child.ID, "Không đúng"); !errors.Is(err, routing.ErrAssignmentNotFound) {
		t.Fatalf("outsider returning: %v", err)
	}
	// The handler gives it back to the board: the board has it again, the document stays assigned.
	if _, err := f.svc.Return(ctx, f.handler, actorOf(f.handler), child.ID, "Không thuộc phạm vi công việc được phân công."); err != nil {
		t.Fatal(err)
	}
	back, _, err := f.svc.Assignment(ctx, orgLeader, unitPart.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != routing.StatusAssigned || f.status(doc.ID) != documents.StatusAssigned {
		t.Fatalf("after the handler returned: board part %s, document %s", back.Status, f.status(doc.ID))
	}
	if n := f.unread(orgLeader); len(n) < 2 || n[0].Kind != "returned" {
		t.Fatalf("board leader notifications = %+v", n)
	}
	// The board returns it: the document is registered again and back with the leader.
	if _, err := f.svc.Return(ctx, orgLeader, actorOf(orgLeader), unitPart.ID, "Đề nghị giao Văn phòng Tỉnh ủy chủ trì."); err != nil {
		t.Fatal(err)
	}
	d, err := f.docs.Get(ctx, f.leader, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != documents.StatusRegistered || d.PresentedTo == nil || *d.PresentedTo != f.leader.UserID {
		t.Fatalf("after the lead returned: status %s presented_to %v", d.Status, d.PresentedTo)
	}
	if got := f.inbox(f.leader, routing.BoxAwaitingDirection); !slices.Equal(got, []int64{doc.ID}) {
		t.Fatalf("leader's chờ cho ý kiến = %v", got)
	}
	if n := f.unread(f.leader); len(n) != 1 || n[0].Kind != "returned" {
		t.Fatalf("leader notifications = %+v", n)
	}
	// Returned parts take no more actions; the leader directs again.
	if _, err := f.svc.Accept(ctx, orgLeader, actorOf(orgLeader), unitPart.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("accepting a returned part: %v", err)
	}
	if _, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, routing.DirectionInput{Lead: routing.Assignee{UserID: f.handler.UserID}}); err != nil {
		t.Fatalf("directing again: %v", err)
	}
	if f.status(doc.ID) != documents.StatusAssigned {
		t.Fatalf("status = %s", f.status(doc.ID))
	}
}

func TestCloseWithoutAssignments(t *testing.T) {
	f := newFixture(t)
	doc := f.register(f.clerk, f.province, "Thông báo lịch tiếp công dân")
	if _, err := f.svc.Present(f.ctx, f.clerk, actorOf(f.clerk), doc.ID, f.leader.UserID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Close(f.ctx, f.clerk, actorOf(f.clerk), doc.ID, routing.CloseFile, ""); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("clerk closing: %v", err)
	}
	wantKind(t, f.svc.Close(f.ctx, f.leader, actorOf(f.leader), doc.ID, "vut", ""), apperr.KindInvalid, "result")
	if err := f.svc.Close(f.ctx, f.leader, actorOf(f.leader), doc.ID, routing.CloseNoted, "Đã nắm nội dung."); err != nil {
		t.Fatal(err)
	}
	d, _ := f.docs.Get(f.ctx, f.leader, doc.ID)
	if d.Status != documents.StatusDone || d.CompletedAt == nil {
		t.Fatalf("closed document: %+v", d)
	}
	dirs, _ := f.svc.Directions(f.ctx, doc.ID)
	if len(dirs) != 1 || dirs[0].Body != "Để biết. Đã nắm nội dung." || len(dirs[0].Assignments) != 0 {
		t.Fatalf("directions = %+v", dirs)
	}
	if err := f.svc.Close(f.ctx, f.leader, actorOf(f.leader), doc.ID, routing.CloseFile, ""); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("closing twice: %v", err)
	}
}

func TestInboxesOverdueAndPaging(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for i := range 5 {
		d := f.register(f.clerk, f.province, "Văn bản số "+itoa(int64(i+1)))
		if _, err := f.svc.Present(f.ctx, f.clerk, actorOf(f.clerk), d.ID, f.leader.UserID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	// Pages of two walk all five, newest first, without repeats.
	var seen []int64
	cursor := ""
	for range 10 {
		p, err := f.svc.Inbox(f.ctx, f.leader, routing.BoxAwaitingDirection, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			seen = append(seen, it.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("paged = %v, want %v", seen, want)
	}
	if _, err := f.svc.Inbox(f.ctx, f.leader, "hop_la", "", 0); err == nil {
		t.Fatal("unknown box accepted")
	}
	if _, err := f.svc.Inbox(f.ctx, f.leader, routing.BoxToDo, "!!", 0); err == nil {
		t.Fatal("bad cursor accepted")
	}

	// An assignment past its deadline is overdue for its handler.
	dir, err := f.svc.Direct(f.ctx, f.leader, actorOf(f.leader), ids[0], routing.DirectionInput{Lead: routing.Assignee{UserID: f.handler.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	f.db.Exec(f.ctx, `UPDATE assignments SET deadline = current_date - 3 WHERE id = $1`, dir.Assignments[0].ID)
	if got := f.inbox(f.handler, routing.BoxOverdue); !slices.Equal(got, []int64{ids[0]}) {
		t.Fatalf("handler quá hạn = %v", got)
	}
	// A document past its due date, waiting for the leader, is overdue for them.
	f.db.Exec(f.ctx, `UPDATE documents SET due_date = current_date - 1 WHERE id = $1`, ids[1])
	if got := f.inbox(f.leader, routing.BoxOverdue); !slices.Equal(got, []int64{ids[1]}) {
		t.Fatalf("leader quá hạn = %v", got)
	}
	counts, err := f.svc.InboxCounts(f.ctx, f.leader)
	if err != nil {
		t.Fatal(err)
	}
	if counts[routing.BoxAwaitingDirection] != 4 || counts[routing.BoxOverdue] != 1 || counts[routing.BoxToDo] != 0 {
		t.Fatalf("leader counts = %v", counts)
	}
	counts, err = f.svc.InboxCounts(f.ctx, f.handler)
	if err != nil {
		t.Fatal(err)
	}
	if counts[routing.BoxToDo] != 1 || counts[routing.BoxOverdue] != 1 || counts[routing.BoxAwaitingDirection] != 0 {
		t.Fatalf("handler counts = %v", counts)
	}
	p, err := f.svc.Inbox(f.ctx, f.handler, routing.BoxToDo, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || !p.Items[0].Overdue(time.Now()) || !slices.Equal(p.Items[0].Roles, []string{"lead"}) {
		t.Fatalf("handler's item = %+v", p.Items)
	}
}

func TestRemindersOncePerState(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	doc := f.register(f.clerk, f.province, "Về việc báo cáo sơ kết quý")
	today := routing.Today()
	dir, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), doc.ID, routing.DirectionInput{
		Lead: routing.Assignee{UserID: f.handler.UserID}, Inform: []routing.Assignee{{UserID: f.informed.UserID}}, Deadline: &today})
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.unread(f.handler))

	res, err := f.svc.Remind(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.NearDue != 1 || res.Overdue != 0 || res.Notifications != 1 {
		t.Fatalf("first pass = %+v", res)
	}
	n := f.unread(f.handler)
	if len(n) != before+1 || n[0].Kind != "reminder_due" {
		t.Fatalf("handler notifications = %+v", n)
	}
	if len(f.unread(f.informed)) != 1 {
		t.Fatal("the informed person was chased")
	}
	if res, _ := f.svc.Remind(ctx); res.Notifications != 0 {
		t.Fatalf("second pass reminded again: %+v", res)
	}

	// The deadline passes: one overdue reminder, escalated to the leader.
	f.db.Exec(ctx, `UPDATE assignments SET deadline = current_date - 1, reminded_at = now() - interval '2 days' WHERE id = $1`, dir.Assignments[0].ID)
	res, err = f.svc.Remind(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Overdue != 1 || res.Notifications != 2 {
		t.Fatalf("overdue pass = %+v", res)
	}
	if n := f.unread(f.handler); n[0].Kind != "reminder_overdue" {
		t.Fatalf("handler notifications = %+v", n)
	}
	if n := f.unread(f.leader); len(n) != 1 || n[0].Kind != "overdue_escalation" {
		t.Fatalf("leader notifications = %+v", n)
	}
	if res, _ := f.svc.Remind(ctx); res.Notifications != 0 {
		t.Fatalf("overdue reminded twice: %+v", res)
	}
	// The job stops with its context.
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.svc.RunReminders(rctx, time.Hour, nil); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunReminders did not stop")
	}
}

func TestNotifications(t *testing.T) {
	e := newEnv(t)
	u := e.unit("Đơn vị", "province", 0)
	a := e.person("nguoia", u, identity.RoleHandler)
	b := e.person("nguoib", u, identity.RoleHandler)
	var ids []int64
	for i := range 3 {
		id, err := e.notes.Create(e.ctx, a.UserID, "test", "Thông báo "+itoa(int64(i)), "/documents/1")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if n, _ := e.notes.UnreadCount(e.ctx, a.UserID); n != 3 {
		t.Fatalf("unread = %d", n)
	}
	p, err := e.notes.ListUnread(e.ctx, a.UserID, "", 2)
	if err != nil || len(p.Items) != 2 || p.NextCursor == "" || p.Items[0].ID != ids[2] {
		t.Fatalf("page = %+v, %v", p, err)
	}
	p, err = e.notes.ListUnread(e.ctx, a.UserID, p.NextCursor, 2)
	if err != nil || len(p.Items) != 1 || p.NextCursor != "" || p.Items[0].ID != ids[0] {
		t.Fatalf("second page = %+v, %v", p, err)
	}
	if err := e.notes.MarkRead(e.ctx, b.UserID, ids[0]); !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("marking someone else's: %v", err)
	}
	if err := e.notes.MarkRead(e.ctx, a.UserID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.notes.MarkRead(e.ctx, a.UserID, ids[0]); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	if n, _ := e.notes.UnreadCount(e.ctx, a.UserID); n != 2 {
		t.Fatalf("unread = %d", n)
	}
	if n, _ := e.notes.MarkAllRead(e.ctx, a.UserID); n != 2 {
		t.Fatalf("marked all = %d", n)
	}
	// External links are dropped.
	id, _ := e.notes.Create(e.ctx, b.UserID, "test", "x", "https://evil.example/")
	p, _ = e.notes.ListUnread(e.ctx, b.UserID, "", 0)
	if p.Items[0].ID != id || p.Items[0].Link != "" {
		t.Fatalf("link kept: %+v", p.Items[0])
	}
}

func TestMergeHookMovesOpenHandling(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	admin := f.person("quantri", f.province, identity.RoleAdmin)
	src := f.unit("Huyện ủy Cũ", "district", f.province)
	src2 := f.unit("Huyện ủy Cũ Hai", "district", f.province)
	target := f.unit("Đảng ủy Mới", "commune", f.province)
	srcClerk := f.person("vanthucu", src, identity.RoleClerk)
	srcLeader := f.person("lanhdaocu", src, identity.RoleLeader)
	targetClerk := f.person("vanthumoi", target, identity.RoleClerk)
	targetLeader := f.person("lanhdaomoi", target, identity.RoleLeader)

	open := f.register(srcClerk, src, "Văn bản đang chờ trình")
	closed := f.register(srcClerk, src, "Văn bản đã lưu hồ sơ")
	if err := f.svc.Close(ctx, srcLeader, actorOf(srcLeader), closed.ID, routing.CloseFile, ""); err != nil {
		t.Fatal(err)
	}
	f.register(targetClerk, target, "Văn bản của đơn vị mới") // the target has its own default register
	// A province document whose lead is the second source.
	provDoc := f.register(f.clerk, f.province, "Văn bản tỉnh giao huyện")
	dir, err := f.svc.Direct(ctx, f.leader, actorOf(f.leader), provDoc.ID, routing.DirectionInput{Lead: routing.Assignee{UnitID: src2}})
	if err != nil {
		t.Fatal(err)
	}

	units := org.NewStore(f.db)
	units.RegisterMoveHook(routing.MergeHook{})
	report, err := units.Merge(ctx, actorOf(admin), org.MergeRequest{Sources: []int64{src, src2}, TargetID: target,
		EffectiveDate: routing.Today(), LegalBasis: "Nghị quyết 1/NQ-TU"})
	if err != nil {
		t.Fatal(err)
	}
	var hook *org.HookResult
	for i := range report.Hooks {
		if report.Hooks[i].Hook == routing.HookName {
			hook = &report.Hooks[i]
		}
	}
	// One open document, one open assignment, one register.
	if hook == nil || hook.Moved != 3 || len(hook.Items) != 3 {
		t.Fatalf("hook report = %+v", report.Hooks)
	}
	if !strings.Contains(strings.Join(hook.Items, "\n"), "Văn bản đang chờ trình") {
		t.Fatalf("items = %v", hook.Items)
	}
	unitOf := func(id int64) int64 {
		var u int64
		f.db.QueryRow(ctx, `SELECT unit_id FROM documents WHERE id = $1`, id).Scan(&u)
		return u
	}
	if unitOf(open.ID) != target || unitOf(closed.ID) != src || unitOf(provDoc.ID) != f.province {
		t.Fatalf("units after merge: open %d, closed %d, province %d", unitOf(open.ID), unitOf(closed.ID), unitOf(provDoc.ID))
	}
	a, _, err := f.svc.Assignment(ctx, f.leader, dir.Assignments[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.AssigneeUnitID == nil || *a.AssigneeUnitID != target {
		t.Fatalf("assignment after merge: %+v", a)
	}
	var regUnit int64
	var regName string
	var regDefault bool
	f.db.QueryRow(ctx, `SELECT unit_id, name, is_default FROM registers WHERE id = $1`, *open.RegisterID).Scan(&regUnit, &regName, &regDefault)
	if regUnit != target || regDefault || !strings.Contains(regName, "Huyện ủy Cũ") {
		t.Fatalf("register after merge: unit %d name %q default %v", regUnit, regName, regDefault)
	}
	// The successor's leader now handles the province's assignment.
	tl := f.reload(targetLeader)
	if got := f.inbox(tl, routing.BoxToDo); !slices.Contains(got, provDoc.ID) {
		t.Fatalf("target leader chờ xử lý = %v", got)
	}
	if _, err := f.svc.Accept(ctx, tl, actorOf(tl), a.ID); err != nil {
		t.Fatalf("target leader accepting: %v", err)
	}
	// A dry run reports without moving anything.
	src3 := f.unit("Huyện ủy Ba", "district", f.province)
	c3 := f.person("vanthuba", src3, identity.RoleClerk)
	d3 := f.register(c3, src3, "Văn bản huyện ba")
	rep, err := units.Merge(ctx, actorOf(admin), org.MergeRequest{Sources: []int64{src3}, TargetID: target,
		EffectiveDate: routing.Today(), LegalBasis: "Dự kiến", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if unitOf(d3.ID) != src3 || len(rep.Hooks) == 0 || rep.Hooks[len(rep.Hooks)-1].Moved != 2 {
		t.Fatalf("dry run: unit %d, hooks %+v", unitOf(d3.ID), rep.Hooks)
	}
}
