package signature

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

// Service verifies every PDF that enters the platform, keeps one report per
// stored file (file_signatures), verifies a document's files again on
// request, and makes the agency's signature on issued copies.
type Service struct {
	db    *pgxpool.Pool
	store *objectstore.Store
	setup *Setup
	now   func() time.Time
}

// NewService wires the signature capability; a nil setup trusts no root and
// signs nothing.
func NewService(db *pgxpool.Pool, store *objectstore.Store, setup *Setup) *Service {
	if setup == nil {
		setup = &Setup{}
		setup.setRoots(nil)
	}
	return &Service{db: db, store: store, setup: setup, now: time.Now}
}

// Setup is the configuration the service runs with.
func (s *Service) Setup() *Setup { return s.setup }

// FileReport is the stored verdict on one file.
type FileReport struct {
	FileID          int64          `json:"-"`
	Status          Status         `json:"status"`
	Label           string         `json:"label"`
	Reason          string         `json:"reason"`
	TrustConfigured bool           `json:"trust_configured"`
	Signers         []SignerReport `json:"signers"`
	Details         []string       `json:"-"`
	VerifiedAt      time.Time      `json:"verified_at"`
	VerifiedBy      *int64         `json:"-"`
}

// SignerReport is one signature of a file, as stored and shown.
type SignerReport struct {
	Name               string     `json:"name"`
	Organization       string     `json:"organization"`
	Serial             string     `json:"serial"`
	Issuer             string     `json:"issuer"`
	IssuerOrganization string     `json:"issuer_organization"`
	NotBefore          time.Time  `json:"not_before"`
	NotAfter           time.Time  `json:"not_after"`
	SigningTime        *time.Time `json:"signing_time"`
	TimeSource         string     `json:"time_source"`
	Status             Status     `json:"status"`
	Valid              bool       `json:"valid"`
	Reason             string     `json:"reason"`
	Intact             bool       `json:"intact"`
	Trusted            bool       `json:"trusted"`
	ValidAtSigningTime bool       `json:"valid_at_signing_time"`
	Coverage           string     `json:"coverage"`
	SignReason         string     `json:"sign_reason"` // the signature's own /Reason text
	Location           string     `json:"location"`
}

// ReasonNoTrustRoots is the reason when a signature cannot be trusted
// because the installation trusts no root at all.
const ReasonNoTrustRoots = "Chứng thư số không được tin cậy: hệ thống chưa được cấu hình chứng thư gốc tin cậy (VANTHU_SIGNATURE_TRUST_ROOTS_FILE), nên không chữ ký nào được xác nhận hợp lệ"

const reasonUnreadable = "Không đọc được cấu trúc tệp PDF để tìm chữ ký số"

// Check verifies the PDF in r against the configured roots. It never
// fails: a file it cannot read is reported as unreadable.
func (s *Service) Check(r io.ReaderAt, size int64) (fr FileReport) {
	now := s.now()
	fr = FileReport{TrustConfigured: s.setup.TrustConfigured(), VerifiedAt: now, Signers: []SignerReport{}}
	defer func() {
		if p := recover(); p != nil {
			fr = FileReport{Status: StatusUnreadable, Label: StatusUnreadable.Label(), Reason: reasonUnreadable,
				TrustConfigured: fr.TrustConfigured, VerifiedAt: now, Signers: []SignerReport{}, Details: []string{fmt.Sprint("panic: ", p)}}
		}
	}()
	rep, err := Verify(r, size, s.setup.Roots(), now)
	if err != nil {
		fr.Status, fr.Reason, fr.Details = StatusUnreadable, reasonUnreadable, []string{err.Error()}
		fr.Label = fr.Status.Label()
		return fr
	}
	fr.Status, fr.Reason, fr.Details = StatusOf(rep), rep.Reason, rep.Details
	if fr.Status == StatusUntrusted && !fr.TrustConfigured {
		fr.Reason = ReasonNoTrustRoots
	}
	for _, si := range rep.Signatures {
		fr.Signers = append(fr.Signers, signerReport(si))
	}
	fr.Label = fr.Status.Label()
	return fr
}

func signerReport(si SignatureInfo) SignerReport {
	r := SignerReport{Name: si.SignerCN, Organization: si.SignerOrg, Serial: si.SignerSerial, Issuer: si.IssuerCN,
		IssuerOrganization: si.IssuerOrg, NotBefore: si.NotBefore, NotAfter: si.NotAfter, TimeSource: si.TimeSource,
		Status: statusForReason(si.Reason), Valid: si.Valid, Reason: si.Reason, Intact: si.Intact, Trusted: si.Trusted,
		ValidAtSigningTime: si.ValidAtSigningTime, Coverage: string(si.Coverage), SignReason: si.SignReason, Location: si.Location}
	if r.Name == "" {
		r.Name = si.Name
	}
	if !si.SigningTime.IsZero() {
		t := si.SigningTime
		r.SigningTime = &t
	}
	return r
}

// Inspect verifies a received PDF before it is stored and returns the
// finding that records the report with the file row (documents.FileInspector).
// Other types are not inspected.
func (s *Service) Inspect(ctx context.Context, contentType string, r io.ReaderAt, size int64) documents.Finding {
	if contentType != "application/pdf" {
		return nil
	}
	rep := s.Check(r, size)
	return func(ctx context.Context, q postgres.Querier, fileID int64) error {
		return s.record(ctx, q, fileID, rep, 0)
	}
}

func (s *Service) record(ctx context.Context, q postgres.Querier, fileID int64, rep FileReport, by int64) error {
	var verifiedBy any
	if by != 0 {
		verifiedBy = by
	}
	details := rep.Details
	if details == nil {
		details = []string{}
	}
	_, err := q.Exec(ctx, `
		INSERT INTO file_signatures (file_id, status, reason, trust_configured, roots_sha256, signatures, details, verified_at, verified_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (file_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
			trust_configured = EXCLUDED.trust_configured, roots_sha256 = EXCLUDED.roots_sha256, signatures = EXCLUDED.signatures,
			details = EXCLUDED.details, verified_at = EXCLUDED.verified_at, verified_by = EXCLUDED.verified_by`,
		fileID, rep.Status, rep.Reason, rep.TrustConfigured, s.setup.RootsSHA256(), rep.Signers, details, rep.VerifiedAt, verifiedBy)
	if err != nil {
		return fmt.Errorf("record signature report of file %d: %w", fileID, err)
	}
	return nil
}

// File roles in document_files.
const (
	RoleOriginal   = "original"
	RoleIssuedCopy = "issued_copy"
)

// FileSignature is what the pages and the API show about one file of a
// document.
type FileSignature struct {
	FileID       int64
	Role         string // RoleOriginal or RoleIssuedCopy
	SourceFileID *int64 // the original an issued copy was made from
	PDF          bool
	Report       *FileReport // nil: not a PDF, or not verified yet
}

// DocumentSignatures are the signature facts of a document's files.
type DocumentSignatures struct {
	Files map[int64]FileSignature
	// Issued: an issued outgoing document, or a copy delivered from one.
	Issued bool
	// AgencySigned: one of its files is an issued copy with the agency's
	// signature.
	AgencySigned bool
	// AgencyConfigured: issued copies get the agency's signature here.
	AgencyConfigured bool
}

// HasPDF says whether any file can carry a signature.
func (d DocumentSignatures) HasPDF() bool {
	for _, f := range d.Files {
		if f.PDF {
			return true
		}
	}
	return false
}

// ForDocument returns the reports of a document's files. The caller has
// checked that the subject may see the document.
func (s *Service) ForDocument(ctx context.Context, docID int64) (DocumentSignatures, error) {
	out := DocumentSignatures{Files: map[int64]FileSignature{}, AgencyConfigured: s.setup.AgencyConfigured()}
	err := s.db.QueryRow(ctx, `
		SELECT (d.direction = 'outgoing' AND d.outgoing_state IN ('issued', 'recalled')) OR d.source_document_id IS NOT NULL
		FROM documents d WHERE d.id = $1`, docID).Scan(&out.Issued)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, documents.ErrNotFound
	}
	if err != nil {
		return out, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT df.file_id, df.role, df.source_file_id, f.content_type = 'application/pdf',
			fs.status, fs.reason, fs.trust_configured, fs.signatures, fs.details, fs.verified_at, fs.verified_by
		FROM document_files df
		JOIN files f ON f.id = df.file_id
		LEFT JOIN file_signatures fs ON fs.file_id = df.file_id
		WHERE df.document_id = $1`, docID)
	var (
		fsig    FileSignature
		status  *string
		reason  *string
		trusted *bool
		signers []SignerReport
		details []string
		at      *time.Time
		by      *int64
	)
	_, err = pgx.ForEachRow(rows, []any{&fsig.FileID, &fsig.Role, &fsig.SourceFileID, &fsig.PDF, &status, &reason, &trusted, &signers, &details, &at, &by}, func() error {
		f := fsig
		if status != nil {
			rep := &FileReport{FileID: f.FileID, Status: Status(*status), Reason: *reason, TrustConfigured: *trusted,
				Signers: signers, Details: details, VerifiedAt: *at, VerifiedBy: by}
			if rep.Signers == nil {
				rep.Signers = []SignerReport{}
			}
			rep.Label = rep.Status.Label()
			f.Report = rep
		}
		if f.Role == RoleIssuedCopy && f.Report != nil && len(f.Report.Signers) > 0 {
			out.AgencySigned = true
		}
		out.Files[f.FileID] = f
		signers, details = nil, nil
		return nil
	})
	return out, err
}

// Reverify verifies again every PDF of a document the subject may see (for
// instance after the trusted roots changed), from the stored bytes, and
// records the new reports with who asked.
func (s *Service) Reverify(ctx context.Context, sub access.Subject, actor audit.Actor, docID int64) (DocumentSignatures, error) {
	var a postgres.Args
	sql := `SELECT 1 FROM documents d WHERE d.id = ` + a.Add(docID) + ` AND ` + documents.Visible(sub)(&a)
	var one int
	if err := s.db.QueryRow(ctx, sql, a.Values()...).Scan(&one); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return DocumentSignatures{}, documents.ErrNotFound
		}
		return DocumentSignatures{}, err
	}
	type stored struct {
		id        int64
		key, hash string
		size      int64
	}
	rows, _ := s.db.Query(ctx, `
		SELECT f.id, f.object_key, f.sha256, f.size FROM document_files df JOIN files f ON f.id = df.file_id
		WHERE df.document_id = $1 AND f.content_type = 'application/pdf' ORDER BY df.position`, docID)
	var files []stored
	var f stored
	if _, err := pgx.ForEachRow(rows, []any{&f.id, &f.key, &f.hash, &f.size}, func() error { files = append(files, f); return nil }); err != nil {
		return DocumentSignatures{}, err
	}
	if len(files) == 0 {
		return DocumentSignatures{}, apperr.Conflict("Văn bản không có tệp PDF nào để kiểm tra chữ ký số.")
	}
	// Read and verify outside the transaction: it takes time.
	reports := make([]FileReport, 0, len(files))
	for _, f := range files {
		b, err := s.store.ReadAll(ctx, f.key, f.hash, maxVerifySize)
		var rep FileReport
		switch {
		case errors.Is(err, objectstore.ErrChecksumMismatch):
			// The stored bytes are not those received: say so, loudly.
			rep = FileReport{Status: StatusAltered, Reason: "Tệp trong kho lưu trữ khác với tệp đã nhận (mã băm SHA-256 không khớp)",
				TrustConfigured: s.setup.TrustConfigured(), VerifiedAt: s.now(), Signers: []SignerReport{}, Details: []string{err.Error()}}
		case errors.Is(err, objectstore.ErrUnavailable):
			return DocumentSignatures{}, apperr.Wrap(apperr.KindUnavailable,
				"Kho lưu trữ tệp đang không sẵn sàng nên chưa kiểm tra lại được chữ ký số. Vui lòng thử lại sau ít phút.", err)
		case err != nil:
			return DocumentSignatures{}, fmt.Errorf("read file %d: %w", f.id, err)
		default:
			rep = s.Check(bytes.NewReader(b), int64(len(b)))
		}
		rep.FileID = f.id
		reports = append(reports, rep)
	}
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		results := make([]map[string]any, 0, len(reports))
		for _, rep := range reports {
			if err := s.record(ctx, tx, rep.FileID, rep, actor.UserID); err != nil {
				return err
			}
			results = append(results, map[string]any{"file_id": rep.FileID, "status": rep.Status})
		}
		return audit.Record(ctx, tx, actor.Entry("document.verify_signatures", "document", strconv.FormatInt(docID, 10),
			map[string]any{"files": results, "roots_sha256": s.setup.RootsSHA256()}))
	})
	if err != nil {
		return DocumentSignatures{}, err
	}
	return s.ForDocument(ctx, docID)
}
