package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

// ErrNotFound is a document that does not exist or may not be seen.
var ErrNotFound = apperr.NotFound("Không tìm thấy văn bản, hoặc bạn không có quyền xem văn bản này.")

const documentColumns = `d.id, d.direction, d.unit_id, un.name AS unit_name, d.register_id, rg.name AS register_name,
	d.arrival_number, d.arrived_at, d.status, d.type_name, d.type_code, d.code_number, d.code_notation, d.symbol,
	d.issued_date, d.organ_name, d.organ_unit_id, d.subject, d.page_amount, d.signer_position, d.signer_full_name,
	d.priority, d.priority_time, d.confidentiality, d.due_date, d.receivers, d.notes, d.presented_to, d.completed_at,
	d.created_by, d.created_at, d.recalled_at`

const documentFrom = ` FROM documents d JOIN units un ON un.id = d.unit_id LEFT JOIN registers rg ON rg.id = d.register_id `

func getDocument(ctx context.Context, q postgres.Querier, id int64) (Document, error) {
	rows, _ := q.Query(ctx, `SELECT `+documentColumns+documentFrom+`WHERE d.id = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Document])
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, ErrNotFound
	}
	return d, err
}

// Visible is the access rule for documents.
func Visible(sub access.Subject) postgres.Predicate {
	return sub.RecordPredicate("document", "d.unit_id", "d.id", "d.confidentiality")
}

// Get returns a document the subject may see; otherwise ErrNotFound, the
// same answer as for a document that does not exist.
func (s *Service) Get(ctx context.Context, sub access.Subject, id int64) (Document, error) {
	var a postgres.Args
	sql := `SELECT ` + documentColumns + documentFrom + `WHERE d.id = ` + a.Add(id) + ` AND ` + Visible(sub)(&a)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Document])
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, ErrNotFound
	}
	if err != nil {
		return Document{}, fmt.Errorf("read document %d: %w", id, err)
	}
	return d, nil
}

func listFiles(ctx context.Context, q postgres.Querier, docID int64) ([]File, error) {
	rows, _ := q.Query(ctx, `
		SELECT f.id, df.name, f.size, f.sha256, f.content_type, f.object_key, df.position, f.created_at
		FROM document_files df JOIN files f ON f.id = df.file_id
		WHERE df.document_id = $1 ORDER BY df.position`, docID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[File])
}

// Files lists a visible document's files.
func (s *Service) Files(ctx context.Context, docID int64) ([]File, error) {
	return listFiles(ctx, s.db, docID)
}

// OpenFile returns a file of a document the subject may see.
func (s *Service) OpenFile(ctx context.Context, sub access.Subject, docID, fileID int64) (io.ReadCloser, File, error) {
	if _, err := s.Get(ctx, sub, docID); err != nil {
		return nil, File{}, err
	}
	files, err := listFiles(ctx, s.db, docID)
	if err != nil {
		return nil, File{}, err
	}
	for _, f := range files {
		if f.ID == fileID {
			rc, _, err := s.store.Get(ctx, f.ObjectKey, 0, -1)
			if errors.Is(err, objectstore.ErrNotExist) {
				return nil, File{}, fmt.Errorf("file %d of document %d missing from the object store: %w", fileID, docID, err)
			}
			if err != nil {
				return nil, File{}, apperr.Wrap(apperr.KindUnavailable, "Kho lưu trữ tệp đang không sẵn sàng; vui lòng thử lại sau ít phút.", err)
			}
			return rc, f, nil
		}
	}
	return nil, File{}, apperr.NotFound("Không tìm thấy tệp.")
}

// Timeline lists a document's events, oldest first.
func (s *Service) Timeline(ctx context.Context, docID int64) ([]Event, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT e.id, e.at, e.actor_id, u.full_name AS actor_name, e.kind, e.details
		FROM document_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.document_id = $1 ORDER BY e.at, e.id`, docID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Event])
}

// RecordView adds a "viewed" entry unless the same person viewed the
// document within the hour (a timeline of every reload says nothing).
func (s *Service) RecordView(ctx context.Context, docID, userID int64) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO document_events (document_id, actor_id, kind)
		SELECT $1, $2, 'viewed'
		WHERE NOT EXISTS (SELECT 1 FROM document_events WHERE document_id = $1 AND actor_id = $2 AND kind = 'viewed'
			AND at > now() - interval '1 hour')`, docID, userID)
	return err
}

// RecordDownload adds a download to the timeline.
func (s *Service) RecordDownload(ctx context.Context, docID, userID int64, f File) error {
	return addEvent(ctx, s.db, docID, userID, "file_downloaded", map[string]any{"file": f.Name, "sha256": f.SHA256})
}

// Comments lists a document's comments, oldest first.
func (s *Service) Comments(ctx context.Context, docID int64) ([]Comment, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT c.id, c.author_id, u.full_name AS author_name, c.body, c.created_at
		FROM document_comments c JOIN users u ON u.id = c.author_id
		WHERE c.document_id = $1 ORDER BY c.created_at, c.id`, docID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Comment])
}

// AddComment adds a comment to a document the subject may see.
func (s *Service) AddComment(ctx context.Context, sub access.Subject, docID int64, body string) (Comment, error) {
	if _, err := s.Get(ctx, sub, docID); err != nil {
		return Comment{}, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return Comment{}, apperr.Invalid("Vui lòng nhập nội dung ý kiến.", map[string]string{"body": "Vui lòng nhập nội dung ý kiến."})
	}
	if utf8.RuneCountInString(body) > 5000 {
		return Comment{}, apperr.Invalid("Ý kiến dài tối đa 5.000 ký tự.", map[string]string{"body": "Ý kiến dài tối đa 5.000 ký tự."})
	}
	var c Comment
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO document_comments (document_id, author_id, body) VALUES ($1, $2, $3) RETURNING id, created_at`,
			docID, sub.UserID, body).Scan(&c.ID, &c.CreatedAt); err != nil {
			return err
		}
		return addEvent(ctx, tx, docID, sub.UserID, "commented", nil)
	})
	c.AuthorID, c.AuthorName, c.Body = sub.UserID, sub.Name, body
	return c, err
}
