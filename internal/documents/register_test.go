package documents_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
)

// minimalPDF is a small valid PDF file.
var minimalPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

type env struct {
	ctx   context.Context
	db    *pgxpool.Pool
	store *objectstore.Store
	svc   *documents.Service
	users *identity.Store
	unit  int64
	other int64
	clerk access.Subject
}

func newEnv(t *testing.T, store *objectstore.Store) *env {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewPool(t)
	if store == nil {
		store = s3test.NewStore(t)
	}
	e := &env{ctx: ctx, db: db, store: store, users: identity.NewStore(db)}
	e.svc = documents.NewService(db, store, registry.NewStore(db), "party", false)
	e.unit = e.mkUnit(t, "Tỉnh ủy Thử nghiệm")
	e.other = e.mkUnit(t, "Tỉnh ủy Khác")
	e.clerk = e.subject(t, "vanthu", e.unit, identity.RoleClerk, identity.ClearanceTuyetMat)
	return e
}

func (e *env) mkUnit(t *testing.T, name string) int64 {
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, level, valid_from) VALUES ($1, 'province', '2020-01-01') RETURNING id`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) subject(t *testing.T, login string, unit int64, role identity.Role, c identity.Clearance) access.Subject {
	t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "mat-khau-thu-2026", Clearance: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
		t.Fatal(err)
	}
	ms, _ := e.users.Memberships(e.ctx, u.ID)
	sub, err := access.Load(e.ctx, e.db, u, ms, 0)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func actorOf(s access.Subject) audit.Actor {
	return audit.Actor{UserID: s.UserID, Login: s.Login, UnitID: s.ActingUnit}
}

func input(subject string) documents.IncomingInput {
	d := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	return documents.IncomingInput{TypeName: "Công văn", CodeNumber: "96", CodeNotation: "CV/VPTU", IssuedDate: &d,
		OrganName: "Văn phòng Tỉnh ủy", Subject: subject, Priority: "thuong", Confidentiality: identity.ClearanceNone}
}

func upload(t *testing.T, name string, data []byte) *documents.Upload {
	t.Helper()
	u, err := documents.Receive(bytes.NewReader(data), name, 10<<20)
	if err != nil {
		t.Fatalf("receive %s: %v", name, err)
	}
	t.Cleanup(u.Close)
	return u
}

func (e *env) count(t *testing.T, table string) int {
	var n int
	if err := e.db.QueryRow(e.ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRegisterAssignsNumberStoresFileAndTimeline(t *testing.T) {
	e := newEnv(t, nil)
	reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), input("Về việc triển khai Nghị quyết"), []*documents.Upload{upload(t, "Quyết định.pdf", minimalPDF)}, false)
	if err != nil {
		t.Fatal(err)
	}
	d := reg.Document
	if d.ArrivalNumber == nil || *d.ArrivalNumber != 1 || d.Status != documents.StatusRegistered || d.Symbol != "96-CV/VPTU" {
		t.Fatalf("document = %+v", d)
	}
	if len(reg.Files) != 1 || reg.Files[0].ContentType != "application/pdf" || reg.Files[0].Name != "Quyết định.pdf" {
		t.Fatalf("files = %+v", reg.Files)
	}
	rc, f, err := e.svc.OpenFile(e.ctx, e.clerk, d.ID, reg.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	got.ReadFrom(rc)
	rc.Close()
	if !bytes.Equal(got.Bytes(), minimalPDF) || f.SHA256 != fmt.Sprintf("%x", sha(minimalPDF)) {
		t.Fatal("stored bytes or checksum differ")
	}
	events, _ := e.svc.Timeline(e.ctx, d.ID)
	if len(events) != 1 || events[0].Kind != "registered" {
		t.Fatalf("timeline = %+v", events)
	}
	second := input("Văn bản thứ hai")
	second.CodeNumber = "97"
	next, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), second, nil, false)
	if err != nil || *next.Document.ArrivalNumber != 2 {
		t.Fatalf("second registration: %v %+v", err, next.Document.ArrivalNumber)
	}
}

// Fifty clerks pressing "save" at once get fifty consecutive numbers.
func TestConcurrentRegistrationsGetConsecutiveNumbers(t *testing.T) {
	e := newEnv(t, nil)
	const n = 50
	var wg sync.WaitGroup
	numbers := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := input(fmt.Sprintf("Văn bản đồng thời %d", i))
			in.CodeNumber = fmt.Sprint(1000 + i)
			reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, nil, false)
			errs[i] = err
			if err == nil {
				numbers[i] = *reg.Document.ArrivalNumber
			}
		}()
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
			t.Fatalf("numbers = %v, want 1..%d without gaps or repeats", numbers, n)
		}
	}
}

func TestClassifiedDocumentsAreMetadataOnly(t *testing.T) {
	e := newEnv(t, nil)
	in := input("Văn bản mật")
	in.Confidentiality = identity.ClearanceMat
	_, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, []*documents.Upload{upload(t, "mat.pdf", minimalPDF)}, false)
	if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), "Mật") {
		t.Fatalf("classified with a file: %v", err)
	}
	if e.count(t, "documents") != 0 || e.count(t, "files") != 0 {
		t.Fatal("a refused registration left rows behind")
	}
	reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, nil, false)
	if err != nil || reg.Document.Confidentiality != identity.ClearanceMat {
		t.Fatalf("classified metadata only: %v", err)
	}
	// A reader without clearance does not see it at all.
	reader := e.subject(t, "lanhdao", e.unit, identity.RoleLeader, identity.ClearanceNone)
	if _, err := e.svc.Get(e.ctx, reader, reg.Document.ID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("uncleared leader reads a Mật document: %v", err)
	}
}

func TestOtherUnitGetsNotFound(t *testing.T) {
	e := newEnv(t, nil)
	reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), input("Nội bộ"), []*documents.Upload{upload(t, "a.pdf", minimalPDF)}, false)
	if err != nil {
		t.Fatal(err)
	}
	stranger := e.subject(t, "nguoingoai", e.other, identity.RoleLeader, identity.ClearanceTuyetMat)
	if _, err := e.svc.Get(e.ctx, stranger, reg.Document.ID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("other unit reads the document: %v", err)
	}
	if _, _, err := e.svc.OpenFile(e.ctx, stranger, reg.Document.ID, reg.Files[0].ID); !errors.Is(err, documents.ErrNotFound) {
		t.Fatalf("other unit reads the file: %v", err)
	}
	page, err := e.svc.List(e.ctx, stranger, documents.Filter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("other unit lists %d documents (%v)", len(page.Items), err)
	}
	// Only a clerk of the unit registers.
	if _, err := e.svc.RegisterIncoming(e.ctx, stranger, actorOf(stranger), documents.IncomingInput{UnitID: e.unit, TypeName: "Công văn", OrganName: "X", Subject: "Y"}, nil, false); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("stranger registers in another unit: %v", err)
	}
}

// If the object store is down, the clerk is told so and nothing is kept:
// no document, no number used, no file row.
func TestObjectStoreDownLeavesNothing(t *testing.T) {
	srv := s3test.StartServer(t)
	store, err := objectstore.New(srv.Config("vanthu-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, store)
	srv.Stop(t)
	_, err = e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), input("Khi kho tệp hỏng"), []*documents.Upload{upload(t, "a.pdf", minimalPDF)}, false)
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindUnavailable || !strings.Contains(e.Message, "chưa được vào sổ") {
		t.Fatalf("registration with the store down: %v", err)
	}
	if e.count(t, "documents") != 0 || e.count(t, "files") != 0 || e.count(t, "register_counters") != 0 {
		t.Fatal("a failed registration left rows behind")
	}
	srv.Start(t)
	reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), input("Khi kho tệp trở lại"), []*documents.Upload{upload(t, "a.pdf", minimalPDF)}, false)
	if err != nil || *reg.Document.ArrivalNumber != 1 {
		t.Fatalf("after the store returns: %v (number must still be 1)", err)
	}
}

func TestDuplicateNeedsConfirmation(t *testing.T) {
	e := newEnv(t, nil)
	first, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), input("Lần đầu"), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	again := input("Lần hai")
	again.OrganName = "văn phòng tỉnh ủy"
	_, err = e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), again, nil, false)
	var dup *documents.DuplicateError
	if !errors.As(err, &dup) || len(dup.Matches) != 1 || dup.Matches[0].ID != first.Document.ID {
		t.Fatalf("duplicate not reported: %v", err)
	}
	reg, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), again, nil, true)
	if err != nil || len(reg.Duplicates) != 1 {
		t.Fatalf("confirmed duplicate: %v %+v", err, reg.Duplicates)
	}
}

func TestRefusesFilesByContentNotName(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00", 40))
	_, err := documents.Receive(bytes.NewReader(zip), "hop-le.pdf", 1<<20)
	if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), "hop-le.pdf") {
		t.Fatalf("zip named .pdf: %v", err)
	}
	u, err := documents.Receive(bytes.NewReader(minimalPDF), "scan.bin", 1<<20)
	if err != nil || u.ContentType != "application/pdf" {
		t.Fatalf("pdf named .bin: %v", err)
	}
	u.Close()
	if _, err := documents.Receive(bytes.NewReader(minimalPDF), "big.pdf", 10); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("file over the limit: %v", err)
	}
}

func TestInvalidInputIsExplainedPerField(t *testing.T) {
	e := newEnv(t, nil)
	in := input("")
	in.CodeNumber, in.CodeNotation = "57", "nq/tw"
	in.OrganName = ""
	_, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, nil, false)
	ae, ok := apperr.As(err)
	if !ok || ae.Fields["subject"] == "" || ae.Fields["organ_name"] == "" || ae.Fields["code_notation"] == "" {
		t.Fatalf("errors = %v", err)
	}
}

func TestSearchWithoutDiacriticsRanksExactSymbolFirst(t *testing.T) {
	e := newEnv(t, nil)
	subjects := []string{"Kế hoạch tổ chức hội nghị", "Báo cáo tình hình", "Về việc kế hoạch năm 2026"}
	for i, s := range subjects {
		in := input(s)
		in.CodeNumber = fmt.Sprint(10 + i)
		if _, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	page, err := e.svc.List(e.ctx, e.clerk, documents.Filter{Q: "ke hoach"})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("search ke hoach: %v, %d items", err, len(page.Items))
	}
	page, err = e.svc.List(e.ctx, e.clerk, documents.Filter{Q: "11-CV/VPTU"})
	if err != nil || len(page.Items) == 0 || page.Items[0].Subject != "Báo cáo tình hình" {
		t.Fatalf("exact symbol first: %v %+v", err, page.Items)
	}
}

func TestKeysetPaginationVisitsEveryDocumentOnce(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 23 {
		in := input(fmt.Sprintf("Văn bản %02d", i))
		in.CodeNumber = fmt.Sprint(100 + i)
		if _, err := e.svc.RegisterIncoming(e.ctx, e.clerk, actorOf(e.clerk), in, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, sort := range []string{"arrived_desc", "arrived_asc", "due_asc", "number_desc"} {
		seen := map[int64]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := e.svc.List(e.ctx, e.clerk, documents.Filter{Sort: sort, Limit: 10, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				if seen[it.ID] {
					t.Fatalf("%s: document %d twice", sort, it.ID)
				}
				seen[it.ID] = true
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
			if pages > 5 {
				t.Fatalf("%s: pagination does not end", sort)
			}
		}
		if len(seen) != 23 {
			t.Fatalf("%s: saw %d of 23", sort, len(seen))
		}
	}
	if _, err := e.svc.List(e.ctx, e.clerk, documents.Filter{Cursor: "rác"}); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
}
