package outgoing

// Versions of a draft. Each upload (one or more files) is a new version,
// kept with who uploaded it and when; every version stays downloadable.
// The drafter uploads drafts (DOCX or PDF) while the draft is with them;
// the signer uploads the PDF they signed with their own token, outside the
// platform, as the final version (kind "signed") at the signing stage.
// Issue sends only the latest version to the recipients.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Version kinds.
const (
	VersionDraft  = "draft"
	VersionSigned = "signed"
)

// Content types a version may have, decided by content (documents.Receive).
const (
	typePDF  = "application/pdf"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// MaxVersionFiles bounds one upload.
const MaxVersionFiles = 20

// VersionFile is one file of a version.
type VersionFile struct {
	ID          int64  `db:"id" json:"id"`
	Name        string `db:"name" json:"name"`
	Size        int64  `db:"size" json:"size"`
	SHA256      string `db:"sha256" json:"sha256"`
	ContentType string `db:"content_type" json:"content_type"`
}

// Version is one upload of a draft.
type Version struct {
	Number        int           `json:"version"`
	Kind          string        `json:"kind"`
	Note          string        `json:"note"`
	CreatedBy     *int64        `json:"created_by"`
	CreatedByName string        `json:"created_by_name"`
	CreatedAt     time.Time     `json:"created_at"`
	Files         []VersionFile `json:"files"`
}

// versionTarget says which kind of version sub may upload now, or why not.
func versionTarget(ctx context.Context, tx pgx.Tx, sub access.Subject, d draftRow) (string, error) {
	r, err := openRound(ctx, tx, d.ID)
	if err != nil {
		return "", err
	}
	switch {
	case r != nil && r.Stage == StageSigning && r.SignerID == sub.UserID:
		return VersionSigned, nil
	case r != nil:
		return "", apperr.Conflict(fmt.Sprintf("Dự thảo đang được trình duyệt (%s); không tải lên phiên bản mới được. Người soạn thảo có thể rút lại để sửa.", StageLabel(r.Stage)))
	case d.State != StateDraft && d.State != StateReturned:
		return "", apperr.Conflict(fmt.Sprintf("Văn bản đang ở trạng thái %q; không tải lên phiên bản mới được.", StateLabel(d.State)))
	case d.drafter() != sub.UserID:
		return "", apperr.Forbidden("Chỉ người soạn thảo tải lên phiên bản mới của dự thảo (người ký tải lên bản đã ký ở bước ký).")
	}
	return VersionDraft, nil
}

// checkVersionFiles refuses an upload that is not DOCX or PDF (a signed
// version: PDF only).
func checkVersionFiles(uploads []*documents.Upload, kind string) error {
	if len(uploads) == 0 {
		return apperr.Invalid("Vui lòng chọn tệp cho phiên bản mới.", map[string]string{"files": "Vui lòng chọn tệp."})
	}
	if len(uploads) > MaxVersionFiles {
		msg := fmt.Sprintf("Mỗi phiên bản có tối đa %d tệp.", MaxVersionFiles)
		return apperr.Invalid(msg, map[string]string{"files": msg})
	}
	var bad []string
	for _, u := range uploads {
		switch {
		case u.ContentType == typePDF:
		case u.ContentType == typeDOCX && kind == VersionDraft:
		default:
			bad = append(bad, u.Name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	msg := "Dự thảo chỉ nhận tệp DOCX hoặc PDF (kiểm tra theo nội dung tệp): " + strings.Join(bad, ", ") + "."
	if kind == VersionSigned {
		msg = "Bản đã ký phải là tệp PDF có chữ ký số (kiểm tra theo nội dung tệp): " + strings.Join(bad, ", ") + "."
	}
	return apperr.Invalid(msg, map[string]string{"files": msg})
}

// UploadVersion stores a new version: the files go to the object store
// first, then the rows in one transaction (the files are removed again if
// it fails).
func (s *Service) UploadVersion(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, uploads []*documents.Upload, note string) (Version, error) {
	note = cleanNote(note)
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return Version{}, apperr.Invalid("Ghi chú dài tối đa 2.000 ký tự.", map[string]string{"note": "Ghi chú dài tối đa 2.000 ký tự."})
	}
	// Ask first, so a refused upload never reaches the object store.
	var kind string
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if d.Confidentiality != identity.ClearanceNone && !s.isolated {
			return documents.ErrSecretContent
		}
		kind, err = versionTarget(ctx, tx, sub, d)
		return err
	})
	if err != nil {
		return Version{}, err
	}
	if err := checkVersionFiles(uploads, kind); err != nil {
		return Version{}, err
	}
	stored, cleanup, err := s.put(ctx, uploads)
	if err != nil {
		return Version{}, err
	}
	var number int
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		again, err := versionTarget(ctx, tx, sub, d)
		if err != nil {
			return err
		}
		if again != kind {
			return apperr.Conflict("Dự thảo vừa chuyển bước; vui lòng tải lại trang rồi thử lại.")
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM document_files WHERE document_id = $1`, id).Scan(&number); err != nil {
			return err
		}
		if err := insertFiles(ctx, tx, id, actor.UserID, number, uploads, stored); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outgoing_versions (document_id, version, kind, note, created_by) VALUES ($1, $2, $3, $4, $5)`,
			id, number, kind, note, actor.UserID); err != nil {
			return fmt.Errorf("insert version: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		names := make([]string, 0, len(uploads))
		for _, u := range uploads {
			names = append(names, u.Name)
		}
		details := map[string]any{"version": number, "kind": kind, "files": names, "note": note}
		if err := addEvent(ctx, tx, id, actor.UserID, "version_uploaded", details); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("outgoing.version", "document", strconv.FormatInt(id, 10), details))
	})
	if err != nil {
		cleanup()
		return Version{}, err
	}
	vs, err := versions(ctx, s.db, id)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if v.Number == number {
			return v, nil
		}
	}
	return Version{}, fmt.Errorf("version %d of %d not found after upload", number, id)
}

// Versions lists a visible document's versions, newest first.
func (s *Service) Versions(ctx context.Context, sub access.Subject, id int64) ([]Version, error) {
	if _, err := s.Get(ctx, sub, id); err != nil {
		return nil, err
	}
	return versions(ctx, s.db, id)
}

func versions(ctx context.Context, q postgres.Querier, id int64) ([]Version, error) {
	rows, _ := q.Query(ctx, `
		SELECT df.version, coalesce(v.kind, 'draft'), coalesce(v.note, ''), f.created_by, coalesce(u.full_name, ''), f.created_at,
			f.id, df.name, f.size, f.sha256, f.content_type
		FROM document_files df
		JOIN files f ON f.id = df.file_id
		LEFT JOIN users u ON u.id = f.created_by
		LEFT JOIN outgoing_versions v ON v.document_id = df.document_id AND v.version = df.version
		WHERE df.document_id = $1
		ORDER BY df.version DESC, df.position`, id)
	var out []Version
	var (
		number             int
		kind, note, byName string
		by                 *int64
		at                 time.Time
		vf                 VersionFile
	)
	_, err := pgx.ForEachRow(rows, []any{&number, &kind, &note, &by, &byName, &at, &vf.ID, &vf.Name, &vf.Size, &vf.SHA256, &vf.ContentType}, func() error {
		if len(out) == 0 || out[len(out)-1].Number != number {
			out = append(out, Version{Number: number, Kind: kind, Note: note, CreatedBy: by, CreatedByName: byName, CreatedAt: at})
		}
		last := &out[len(out)-1]
		last.Files = append(last.Files, vf)
		if at.Before(last.CreatedAt) {
			last.CreatedAt = at
		}
		return nil
	})
	if out == nil {
		out = []Version{}
	}
	return out, err
}
