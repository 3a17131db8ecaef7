package outgoing_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"vanthu/internal/apperr"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
	"vanthu/internal/signature"
	"vanthu/internal/signature/sigtest"
)

// sealEnv is env with a private S3 server the test stops and starts, and
// the signature capability configured with an agency certificate.
type sealEnv struct {
	*env
	s3    *s3test.Server
	store *objectstore.Store
	pki   *sigtest.PKI
}

func newSealEnv(t *testing.T) *sealEnv {
	t.Helper()
	srv := s3test.StartServer(t)
	store, err := objectstore.New(srv.Config("vanthu-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	db := pgtest.NewPool(t)
	e := &env{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db)}
	e.svc = outgoing.New(db, store, registry.NewStore(db), "party", false)
	pki := sigtest.New(t)
	setup, err := signature.NewSetup([]*x509.Certificate{pki.Root}, pki.AgencyP12(t, "mật khẩu"), "mật khẩu")
	if err != nil {
		t.Fatal(err)
	}
	sigs := signature.NewService(db, store, setup)
	e.svc.SetSignatures(sigs, sigs)
	e.unit = e.mkUnit("Tỉnh ủy Thử nghiệm", "TU")
	e.a = e.mkUnit("Huyện ủy A", "HU")
	e.drafter = e.subject("chuyenvien", e.unit, identity.RoleHandler)
	e.leader = e.subject("lanhdao", e.unit, identity.RoleLeader)
	e.clerk = e.subject("vanthu", e.unit, identity.RoleClerk)
	return &sealEnv{env: e, s3: srv, store: store, pki: pki}
}

// approvedDraft is a person-signed PDF draft, approved by the leader.
func (e *sealEnv) approvedDraft(pdf []byte) outgoing.Draft {
	e.t.Helper()
	d, err := e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{
		UnitID: e.unit, TypeName: "Công văn", Subject: "V/v ký số", Recipients: []outgoing.Recipient{{UnitID: e.a}}},
		[]*documents.Upload{upload(e.t, "cong-van.pdf", pdf)})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *sealEnv) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *sealEnv) objects() int {
	e.t.Helper()
	cfg := e.s3.Config("vanthu-test")
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for o := range c.ListObjects(e.ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			e.t.Fatal(o.Err)
		}
		n++
	}
	return n
}

// What an unfinished issue must leave: the approved draft as it was.
func (e *sealEnv) wantNothingWritten(id int64, objects int) {
	e.t.Helper()
	d, err := e.svc.Get(e.ctx, e.drafter, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if d.State != outgoing.StateApproved || d.Number != nil || len(d.Files) != 1 {
		e.t.Fatalf("after a failed issue: %+v", d)
	}
	if n := e.count(`SELECT count(*) FROM register_counters`); n != 0 {
		e.t.Fatal("a number was taken")
	}
	if n := e.count(`SELECT count(*) FROM files`); n != 1 {
		e.t.Fatalf("%d files rows", n)
	}
	if n := e.count(`SELECT count(*) FROM documents WHERE source_document_id IS NOT NULL`); n != 0 {
		e.t.Fatal("copies were delivered")
	}
	if n := e.objects(); n != objects {
		e.t.Fatalf("%d objects in the store, want %d: the signed copy was left behind", n, objects)
	}
}

// The issued copy is the final version with the agency's signature
// appended: the original bytes are its prefix, the original stays, and the
// person's signature still verifies.
func TestIssueMakesAgencySignedCopy(t *testing.T) {
	e := newSealEnv(t)
	person := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Cong van ky so"), e.pki.Person(t, "Nguyễn Văn An"))
	d := e.approvedDraft(person)
	before := time.Now().Add(-time.Second)
	iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(iss.Files) != 2 || iss.Files[0].ID != d.Files[0].ID || iss.Files[0].SHA256 != d.Files[0].SHA256 {
		t.Fatalf("files after issue = %+v", iss.Files)
	}
	var key string
	if err := e.db.QueryRow(e.ctx, `SELECT f.object_key FROM document_files df JOIN files f ON f.id = df.file_id
		WHERE df.document_id = $1 AND df.role = 'issued_copy' AND df.source_file_id = $2`, d.ID, d.Files[0].ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	rc, _, err := e.store.Get(e.ctx, key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.HasPrefix(sealed, person) || len(sealed) <= len(person) {
		t.Fatal("the original bytes are not a prefix of the issued copy")
	}
	rep, err := signature.Verify(bytes.NewReader(sealed), int64(len(sealed)), e.pki.Roots(), time.Now())
	if err != nil || !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatalf("issued copy: %v %+v", err, rep)
	}
	p, a := rep.Signatures[0], rep.Signatures[1]
	if !p.Valid || p.SignerCN != "Nguyễn Văn An" || p.Coverage != signature.CoverageRevision {
		t.Fatalf("person's signature: %+v", p)
	}
	if !a.Valid || a.SignerCN != sigtest.AgencyCN || a.SigningTime.Before(before.Truncate(time.Second)) || a.SigningTime.After(time.Now()) {
		t.Fatalf("agency signature: %+v", a)
	}
	// Its report was recorded with the file row, and the delivered copy
	// references the signed copy.
	if n := e.count(`SELECT count(*) FROM file_signatures fs JOIN document_files df ON df.file_id = fs.file_id
		WHERE df.document_id = $1 AND df.role = 'issued_copy' AND fs.status = 'valid'`, d.ID); n != 1 {
		t.Fatal("no valid report for the issued copy")
	}
	if n := e.count(`SELECT count(*) FROM document_files df JOIN documents c ON c.id = df.document_id
		WHERE c.source_document_id = $1 AND df.role = 'issued_copy' AND df.source_file_id = $2`, d.ID, d.Files[0].ID); n != 1 {
		t.Fatal("the delivered copy does not reference the signed copy")
	}
}

// With the object store down, issuing is refused and nothing is written:
// no number, no file row, no delivered copy, no object. Once it is back the
// same draft issues with number 1.
func TestIssueWithStoreDownLeavesNothing(t *testing.T) {
	e := newSealEnv(t)
	d := e.approvedDraft(sigtest.UnsignedPDF(t, "Cong van"))
	e.s3.Stop(t)
	_, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindUnavailable {
		t.Fatalf("issue with the store down: %v", err)
	}
	e.s3.Start(t)
	e.wantNothingWritten(d.ID, 1)
	iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if err != nil || iss.Number == nil || *iss.Number != 1 || len(iss.Files) != 2 {
		t.Fatalf("after the store returns: %v %+v", err, iss.Draft)
	}
}

// A transaction that fails after the copy was signed and stored removes the
// stored copy again.
func TestIssueRefusedAfterSealingRemovesTheCopy(t *testing.T) {
	e := newSealEnv(t)
	d := e.approvedDraft(sigtest.UnsignedPDF(t, "Cong van"))
	// Without an issuer symbol the numbering transaction refuses.
	if _, err := e.db.Exec(e.ctx, `UPDATE units SET symbol = '' WHERE id = $1`, e.unit); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindConflict {
		t.Fatalf("issue without issuer symbol: %v", err)
	}
	e.wantNothingWritten(d.ID, 1)
}
