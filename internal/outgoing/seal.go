package outgoing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

// Sealer puts the agency's signature on an issued electronic copy (the
// signature capability implements it).
type Sealer interface {
	// AgencyEnabled says whether an agency certificate is configured.
	AgencyEnabled() bool
	// Seal writes in (size bytes) to w with the agency's signature made at
	// time at appended; the output starts with the exact input bytes.
	Seal(w io.Writer, in io.ReadSeeker, size int64, at time.Time) error
}

// SetSignatures makes the service verify the signatures of files it
// receives (inspector) and sign issued copies as the agency (sealer); either
// may be nil.
func (s *Service) SetSignatures(inspector documents.FileInspector, sealer Sealer) {
	s.inspector, s.sealer = inspector, sealer
}

// maxSealBytes bounds a PDF read into memory to be signed.
const maxSealBytes = 512 << 20

// issuedCopy is a final-version PDF with the agency's signature appended,
// already in the object store, waiting for the issue transaction.
type issuedCopy struct {
	source  pdfSource
	obj     objectstore.Object
	finding documents.Finding
}

type pdfSource struct {
	id      int64
	name    string
	key     string
	sha256  string
	version int
}

// finalPDFs are the PDF originals of the draft's latest version: the issued
// electronic copies are made from them.
func finalPDFs(ctx context.Context, q postgres.Querier, id int64) ([]pdfSource, error) {
	rows, _ := q.Query(ctx, `
		SELECT f.id, df.name, f.object_key, f.sha256, df.version
		FROM document_files df JOIN files f ON f.id = df.file_id
		WHERE df.document_id = $1 AND df.role = 'original' AND f.content_type = 'application/pdf'
			AND df.version = (SELECT max(version) FROM document_files WHERE document_id = $1 AND role = 'original')
		ORDER BY df.position`, id)
	var out []pdfSource
	var p pdfSource
	_, err := pgx.ForEachRow(rows, []any{&p.id, &p.name, &p.key, &p.sha256, &p.version}, func() error { out = append(out, p); return nil })
	return out, err
}

// sealIssuedCopies makes the issued electronic copies when an agency
// certificate is configured: each final-version PDF is read from the store,
// signed as the agency at time at, and stored as a new object. It runs
// before the numbering transaction so reading, signing and uploading never
// hold the register's counter lock; discard removes the objects when the
// transaction does not commit. The originals are never changed.
func (s *Service) sealIssuedCopies(ctx context.Context, sub access.Subject, id int64, at time.Time) (copies []issuedCopy, discard func(), err error) {
	discard = func() {
		for _, c := range copies {
			_ = s.store.Delete(context.WithoutCancel(ctx), c.obj.Key)
		}
	}
	if s.sealer == nil || !s.sealer.AgencyEnabled() {
		return nil, func() {}, nil
	}
	// The transaction checks these again; checking first avoids signing
	// for an issue that will be refused.
	d, err := s.Get(ctx, sub, id)
	if err != nil {
		return nil, func() {}, err
	}
	if !sub.HasRole(d.UnitID, identity.RoleClerk) {
		return nil, func() {}, ErrNotClerk
	}
	if d.State != StateApproved {
		return nil, func() {}, ErrNotApproved
	}
	sources, err := finalPDFs(ctx, s.db, id)
	if err != nil {
		return nil, func() {}, err
	}
	unavailable := func(err error) error {
		return apperr.Wrap(apperr.KindUnavailable,
			"Kho lưu trữ tệp đang không sẵn sàng nên văn bản chưa được phát hành (chưa cấp số, chưa gửi). Vui lòng thử lại sau ít phút.", err)
	}
	for _, src := range sources {
		orig, err := s.store.ReadAll(ctx, src.key, src.sha256, maxSealBytes)
		if err != nil {
			discard()
			if errors.Is(err, objectstore.ErrUnavailable) {
				return nil, func() {}, unavailable(err)
			}
			return nil, func() {}, fmt.Errorf("read %s for the agency signature: %w", src.name, err)
		}
		var out bytes.Buffer
		if err := s.sealer.Seal(&out, bytes.NewReader(orig), int64(len(orig)), at); err != nil {
			discard()
			if _, ok := apperr.As(err); ok {
				return nil, func() {}, err
			}
			return nil, func() {}, apperr.Wrap(apperr.KindConflict, fmt.Sprintf(
				"Không ký số được bản điện tử của tệp %q (tệp PDF không đúng cấu trúc). Hãy tải lên phiên bản PDF khác rồi phát hành lại.", src.name), err)
		}
		signed := out.Bytes()
		if !bytes.HasPrefix(signed, orig) {
			discard()
			return nil, func() {}, fmt.Errorf("agency signature of %s does not start with the original bytes", src.name)
		}
		sum := sha256.Sum256(signed)
		obj, err := s.store.Put(ctx, newObjectKey(at), bytes.NewReader(signed), int64(len(signed)),
			objectstore.PutOptions{ContentType: "application/pdf", SHA256: sum[:]})
		if err != nil {
			discard()
			if errors.Is(err, objectstore.ErrUnavailable) || errors.Is(err, objectstore.ErrChecksumMismatch) {
				return nil, func() {}, unavailable(err)
			}
			return nil, func() {}, fmt.Errorf("store the issued copy of %s: %w", src.name, err)
		}
		c := issuedCopy{source: src, obj: obj}
		if s.inspector != nil {
			c.finding = s.inspector.Inspect(ctx, "application/pdf", bytes.NewReader(signed), int64(len(signed)))
		}
		copies = append(copies, c)
	}
	return copies, discard, nil
}

// attachIssuedCopies runs in the issue transaction, after deliver: it links
// the issued copies to the document beside their originals, records their
// signature reports, and makes the copies delivered to recipient units
// reference the signed copy instead of the original.
func attachIssuedCopies(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, copies []issuedCopy) error {
	if len(copies) == 0 {
		return nil
	}
	current, err := finalPDFs(ctx, tx, id)
	if err != nil {
		return err
	}
	same := len(current) == len(copies)
	for i := 0; same && i < len(current); i++ {
		same = current[i] == copies[i].source
	}
	if !same {
		return apperr.Conflict("Dự thảo vừa có phiên bản mới trong lúc phát hành; vui lòng phát hành lại.")
	}
	var pos int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM document_files WHERE document_id = $1`, id).Scan(&pos); err != nil {
		return err
	}
	var signed []map[string]any
	for i, c := range copies {
		var fileID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, 'application/pdf', $4) RETURNING id`,
			c.obj.Key, c.obj.SHA256, c.obj.Size, actor.UserID).Scan(&fileID); err != nil {
			return fmt.Errorf("insert issued copy: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO document_files (document_id, file_id, name, position, version, role, source_file_id)
			VALUES ($1, $2, $3, $4, $5, 'issued_copy', $6)`, id, fileID, c.source.name, pos+i+1, c.source.version, c.source.id); err != nil {
			return fmt.Errorf("link issued copy: %w", err)
		}
		if c.finding != nil {
			if err := c.finding(ctx, tx, fileID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			UPDATE document_files SET file_id = $2, role = 'issued_copy', source_file_id = $3
			WHERE file_id = $3 AND document_id IN (
				SELECT delivered_document_id FROM outgoing_recipients WHERE document_id = $1 AND delivered_document_id IS NOT NULL)`,
			id, fileID, c.source.id); err != nil {
			return fmt.Errorf("deliver issued copy: %w", err)
		}
		signed = append(signed, map[string]any{"source_file_id": c.source.id, "file_id": fileID, "sha256": c.obj.SHA256})
	}
	return audit.Record(ctx, tx, actor.Entry("outgoing.agency_sign", "document", strconv.FormatInt(id, 10), map[string]any{"files": signed}))
}
