package outgoing_test

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
)

var minimalPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	svc   *outgoing.Service
	users *identity.Store
	unit  int64 // Tỉnh ủy, symbol TU
	a, b  int64 // recipient units
	drafter, leader, clerk,
	clerkA, clerkB access.Subject
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewPool(t)
	e := &env{t: t, ctx: ctx, db: db, users: identity.NewStore(db)}
	e.svc = outgoing.New(db, s3test.NewStore(t), registry.NewStore(db), "party", false)
	e.unit = e.mkUnit("Tỉnh ủy Thử nghiệm", "TU")
	e.a = e.mkUnit("Huyện ủy A", "HU")
	e.b = e.mkUnit("Huyện ủy B", "HU")
	e.drafter = e.subject("chuyenvien", e.unit, identity.RoleHandler)
	e.leader = e.subject("lanhdao", e.unit, identity.RoleLeader)
	e.clerk = e.subject("vanthu", e.unit, identity.RoleClerk)
	e.clerkA = e.subject("vanthua", e.a, identity.RoleClerk)
	e.clerkB = e.subject("vanthub", e.b, identity.RoleClerk)
	return e
}

func (e *env) mkUnit(name, symbol string) int64 {
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, symbol, level, valid_from) VALUES ($1, $2, 'province', '2020-01-01') RETURNING id`,
		name, symbol).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) subject(login string, unit int64, role identity.Role) access.Subject {
	e.t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "mat-khau-thu-2026", Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
		e.t.Fatal(err)
	}
	ms, _ := e.users.Memberships(e.ctx, u.ID)
	sub, err := access.Load(e.ctx, e.db, u, ms, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func actor(s access.Subject) audit.Actor { return audit.Actor{UserID: s.UserID, Login: s.Login} }

func upload(t *testing.T, name string, b []byte) *documents.Upload {
	t.Helper()
	u, err := documents.Receive(bytes.NewReader(b), name, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

func (e *env) draft(recipients ...outgoing.Recipient) outgoing.Draft {
	e.t.Helper()
	d, err := e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{
		UnitID: e.unit, TypeName: "Công văn", Subject: "V/v báo cáo sơ kết", SignerPosition: "Bí thư", SignerFullName: "Nguyễn Văn A",
		Recipients: recipients}, []*documents.Upload{upload(e.t, "du-thao.pdf", minimalPDF)})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != kind {
		t.Fatalf("error = %v, want kind %v", err, kind)
	}
}

func TestFlowDeliverRegisterRejectRecall(t *testing.T) {
	e := newEnv(t)
	d := e.draft(outgoing.Recipient{UnitID: e.a}, outgoing.Recipient{UnitID: e.b}, outgoing.Recipient{OrganName: "Bộ Nội vụ"})
	if d.State != outgoing.StateDraft || len(d.Files) != 1 || d.Files[0].Version != 1 {
		t.Fatalf("draft = %+v", d)
	}

	// Issue before approval: refused.
	_, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	wantKind(t, err, apperr.KindConflict)
	// A non-leader cannot approve.
	_, err = e.svc.Approve(e.ctx, e.clerk, actor(e.clerk), d.ID)
	wantKind(t, err, apperr.KindForbidden)
	// Someone from another unit does not see it.
	_, err = e.svc.Approve(e.ctx, e.clerkA, actor(e.clerkA), d.ID)
	wantKind(t, err, apperr.KindNotFound)
	if _, err := e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID); err != nil {
		t.Fatal(err)
	}
	// A non-clerk cannot issue.
	_, err = e.svc.Issue(e.ctx, e.leader, actor(e.leader), d.ID)
	wantKind(t, err, apperr.KindForbidden)
	iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if iss.Symbol != "1-CV/TU" || iss.Number == nil || *iss.Number != 1 || iss.IssuedDate == nil || iss.State != outgoing.StateIssued {
		t.Fatalf("issued = %+v", iss.Draft)
	}
	// Issuing twice is refused.
	_, err = e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	wantKind(t, err, apperr.KindConflict)

	rs, err := e.svc.Recipients(e.ctx, e.drafter, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Status == nil || *rs[0].Status != "01" || *rs[1].Status != "01" || rs[2].Status != nil {
		t.Fatalf("recipients = %+v", rs)
	}
	copyA, copyB := *rs[0].DeliveredDocumentID, *rs[1].DeliveredDocumentID

	// The copies reference the very same files rows as the original.
	var origFile, fileA, fileB int64
	var status, organ, symbol string
	var organUnit, source int64
	var arrival *int
	for _, q := range []struct {
		id  int64
		dst *int64
	}{{d.ID, &origFile}, {copyA, &fileA}, {copyB, &fileB}} {
		if err := e.db.QueryRow(e.ctx, `SELECT file_id FROM document_files WHERE document_id = $1`, q.id).Scan(q.dst); err != nil {
			t.Fatal(err)
		}
	}
	if fileA != origFile || fileB != origFile {
		t.Fatalf("files: original %d, copies %d %d", origFile, fileA, fileB)
	}
	if err := e.db.QueryRow(e.ctx, `SELECT status, organ_name, organ_unit_id, source_document_id, symbol, arrival_number FROM documents WHERE id = $1 AND direction = 'incoming' AND unit_id = $2`,
		copyA, e.a).Scan(&status, &organ, &organUnit, &source, &symbol, &arrival); err != nil {
		t.Fatal(err)
	}
	if status != "01" || organ != "Tỉnh ủy Thử nghiệm" || organUnit != e.unit || source != d.ID || symbol != "1-CV/TU" || arrival != nil {
		t.Fatalf("copy A: %s %s %d %d %s %v", status, organ, organUnit, source, symbol, arrival)
	}

	// The recipient A's clerk registers; B's clerk rejects; not each other's.
	_, err = e.svc.RegisterDelivered(e.ctx, e.clerkB, actor(e.clerkB), copyA, 0)
	wantKind(t, err, apperr.KindNotFound)
	reg, err := e.svc.RegisterDelivered(e.ctx, e.clerkA, actor(e.clerkA), copyA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != "03" || reg.ArrivalNumber == nil || *reg.ArrivalNumber != 1 {
		t.Fatalf("registered = %+v", reg)
	}
	_, err = e.svc.RejectDelivered(e.ctx, e.clerkB, actor(e.clerkB), copyB, " ")
	wantKind(t, err, apperr.KindInvalid)
	rs, _ = e.svc.Recipients(e.ctx, e.drafter, d.ID)
	if *rs[0].Status != "03" || *rs[1].Status != "01" {
		t.Fatalf("after register: %s %s", *rs[0].Status, *rs[1].Status)
	}
	if _, err := e.svc.RejectDelivered(e.ctx, e.clerkB, actor(e.clerkB), copyB, "Gửi nhầm đơn vị"); err != nil {
		t.Fatal(err)
	}
	rs, _ = e.svc.Recipients(e.ctx, e.drafter, d.ID)
	if *rs[0].Status != "03" || *rs[1].Status != "02" || rs[1].RejectReason != "Gửi nhầm đơn vị" {
		t.Fatalf("after reject: %+v", rs[1])
	}
	_, err = e.svc.RegisterDelivered(e.ctx, e.clerkB, actor(e.clerkB), copyB, 0)
	wantKind(t, err, apperr.KindConflict)

	// Recall marks every copy recalled.
	_, err = e.svc.Recall(e.ctx, e.drafter, actor(e.drafter), d.ID, "")
	wantKind(t, err, apperr.KindForbidden)
	if _, err := e.svc.Recall(e.ctx, e.clerk, actor(e.clerk), d.ID, "Sai nội dung"); err != nil {
		t.Fatal(err)
	}
	rs, _ = e.svc.Recipients(e.ctx, e.drafter, d.ID)
	if rs[0].RecalledAt == nil || rs[1].RecalledAt == nil {
		t.Fatalf("after recall: %+v", rs)
	}
	got, _ := e.svc.Get(e.ctx, e.drafter, d.ID)
	if got.State != outgoing.StateRecalled {
		t.Fatalf("state = %s", got.State)
	}
}

func TestReturnNeedsReason(t *testing.T) {
	e := newEnv(t)
	d := e.draft(outgoing.Recipient{UnitID: e.a})
	_, err := e.svc.Return(e.ctx, e.leader, actor(e.leader), d.ID, "")
	wantKind(t, err, apperr.KindInvalid)
	r, err := e.svc.Return(e.ctx, e.leader, actor(e.leader), d.ID, "Sửa lại trích yếu")
	if err != nil || r.State != outgoing.StateReturned {
		t.Fatalf("return: %+v %v", r, err)
	}
	_, err = e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID)
	wantKind(t, err, apperr.KindConflict)
}

func TestDraftValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{UnitID: e.unit,
		Recipients: []outgoing.Recipient{{UnitID: e.a, OrganName: "x"}}}, nil)
	ae, ok := apperr.As(err)
	if !ok || ae.Fields["type_name"] == "" || ae.Fields["subject"] == "" || ae.Fields["recipients"] == "" {
		t.Fatalf("err = %v", err)
	}
	// Confidential drafts carry no file content on a networked system.
	_, err = e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{UnitID: e.unit, TypeName: "Công văn",
		Subject: "Mật", Confidentiality: identity.ClearanceMat, Recipients: []outgoing.Recipient{{UnitID: e.a}}},
		[]*documents.Upload{upload(t, "a.pdf", minimalPDF)})
	if !errors.Is(err, documents.ErrSecretContent) {
		t.Fatalf("err = %v", err)
	}
}

// Twenty clerks issuing at once in one register get 1…20, no gap, no repeat.
func TestConcurrentIssueIsGapFree(t *testing.T) {
	e := newEnv(t)
	const n = 20
	ids := make([]int64, n)
	for i := range ids {
		d := e.draft(outgoing.Recipient{UnitID: e.a})
		if _, err := e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID); err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	var wg sync.WaitGroup
	numbers := make([]int, n)
	symbols := map[string]bool{}
	var mu sync.Mutex
	errs := make([]error, n)
	for i, id := range ids {
		wg.Go(func() {
			iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), id)
			if err != nil {
				errs[i] = err
				return
			}
			numbers[i] = *iss.Number
			mu.Lock()
			symbols[iss.Symbol] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(numbers)
	for i, got := range numbers {
		if got != i+1 {
			t.Fatalf("numbers = %v", numbers)
		}
	}
	if len(symbols) != n || !symbols["20-CV/TU"] {
		t.Fatalf("symbols = %v", symbols)
	}
	var regs int
	_ = e.db.QueryRow(e.ctx, `SELECT count(DISTINCT register_id) FROM documents WHERE direction = 'outgoing'`).Scan(&regs)
	if regs != 1 {
		t.Fatalf("%d registers", regs)
	}
}

func TestComposeSymbol(t *testing.T) {
	for _, c := range []struct {
		n          int
		code, unit string
		want       string
	}{{1, "CV", "TU", "1-CV/TU"}, {57, "NQ", "TW", "57-NQ/TW"}, {5, "KH", "ĐU", "5-KH/ĐU"}, {3, "", "VPTU", "3/VPTU"}} {
		if got := outgoing.ComposeSymbol(c.n, c.code, c.unit); got != c.want {
			t.Errorf("ComposeSymbol(%d, %q, %q) = %q, want %q", c.n, c.code, c.unit, got, c.want)
		}
		if _, err := registry.ParseSymbol(outgoing.ComposeSymbol(c.n, c.code, c.unit)); c.code != "" && err != nil {
			t.Errorf("%s does not parse: %v", c.want, err)
		}
	}
}
