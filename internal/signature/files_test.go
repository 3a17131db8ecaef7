package signature_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
	"vanthu/internal/signature"
	"vanthu/internal/signature/sigtest"
)

// A file registered while no root was trusted reads "not trusted"; after
// the roots are configured, "verify again" reads the stored bytes and
// finds it valid. Stored bytes that no longer match their SHA-256 are
// reported as altered.
func TestVerifyAgainAfterTrustRootsChange(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	store := s3test.NewStore(t)
	pki := sigtest.New(t)

	users := identity.NewStore(db)
	clerkIn := func(login, unitName string) (identity.User, access.Subject) {
		var unit int64
		if err := db.QueryRow(ctx, `INSERT INTO units (name, level, valid_from) VALUES ($1, 'province', '2020-01-01') RETURNING id`, unitName).Scan(&unit); err != nil {
			t.Fatal(err)
		}
		u, err := users.Create(ctx, db, identity.NewUser{Login: login, FullName: "Văn thư " + login, Password: "mat-khau-thu-2026"})
		if err != nil {
			t.Fatal(err)
		}
		if err := users.AddMembership(ctx, db, u.ID, unit, identity.RoleClerk, ""); err != nil {
			t.Fatal(err)
		}
		ms, _ := users.Memberships(ctx, u.ID)
		sub, err := access.Load(ctx, db, u, ms, 0)
		if err != nil {
			t.Fatal(err)
		}
		return u, sub
	}
	u, clerk := clerkIn("vanthu", "Tỉnh ủy Thử nghiệm")
	_, stranger := clerkIn("ngoai", "Tỉnh ủy Khác")
	act := audit.Actor{UserID: u.ID, Login: u.Login}

	untrusting := signature.NewService(db, store, nil)
	docs := documents.NewService(db, store, registry.NewStore(db), "party", false)
	docs.SetInspector(untrusting)
	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Hello"), pki.Person(t, "Nguyễn Văn An"))
	up, err := documents.Receive(bytes.NewReader(signed), "ky-so.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	reg, err := docs.RegisterIncoming(ctx, clerk, act, documents.IncomingInput{TypeName: "Công văn", OrganName: "Bộ Nội vụ", Subject: "Ký số"},
		[]*documents.Upload{up}, false)
	if err != nil {
		t.Fatal(err)
	}
	docID, fileID := reg.Document.ID, reg.Files[0].ID

	ds, err := untrusting.ForDocument(ctx, docID)
	if err != nil {
		t.Fatal(err)
	}
	if r := ds.Files[fileID].Report; r == nil || r.Status != signature.StatusUntrusted || r.TrustConfigured || r.VerifiedBy != nil {
		t.Fatalf("on arrival without roots: %+v", r)
	}

	setup, err := signature.NewSetup([]*x509.Certificate{pki.Root}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	trusting := signature.NewService(db, store, setup)
	ds, err = trusting.Reverify(ctx, clerk, act, docID)
	if err != nil {
		t.Fatal(err)
	}
	r := ds.Files[fileID].Report
	if r == nil || r.Status != signature.StatusValid || !r.TrustConfigured || r.VerifiedBy == nil || *r.VerifiedBy != u.ID ||
		len(r.Signers) != 1 || r.Signers[0].Name != "Nguyễn Văn An" {
		t.Fatalf("after verify again with roots: %+v", r)
	}
	var roots string
	if err := db.QueryRow(ctx, `SELECT roots_sha256 FROM file_signatures WHERE file_id = $1`, fileID).Scan(&roots); err != nil || roots != setup.RootsSHA256() || roots == "" {
		t.Fatalf("roots recorded %q (%v), want %q", roots, err, setup.RootsSHA256())
	}

	// Someone who may not see the document cannot ask.
	if _, err := trusting.Reverify(ctx, stranger, act, docID); !errorsIsNotFound(err) {
		t.Fatalf("stranger: %v", err)
	}

	// The object is replaced behind our back: reported as altered.
	tampered := sigtest.Tamper(t, signed, "Hello")
	sum := sha256.Sum256(tampered)
	files, _ := docs.Files(ctx, docID)
	if _, err := store.Put(ctx, files[0].ObjectKey, bytes.NewReader(tampered), int64(len(tampered)), objectstore.PutOptions{ContentType: "application/pdf", SHA256: sum[:]}); err != nil {
		t.Fatal(err)
	}
	ds, err = trusting.Reverify(ctx, clerk, act, docID)
	if err != nil {
		t.Fatal(err)
	}
	if r := ds.Files[fileID].Report; r.Status != signature.StatusAltered || r.Reason == "" {
		t.Fatalf("stored bytes changed: %+v", r)
	}
}

func errorsIsNotFound(err error) bool {
	ae, ok := apperr.As(err)
	return ok && ae.Kind == apperr.KindNotFound
}
