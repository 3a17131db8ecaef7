package tasks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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

// Directing is a directing document (a resolution, directive or
// conclusion) with how its implementation stands: its tasks (not
// subtasks, not cancelled) by state and their overall progress, where an
// accepted task counts as 100 %.
type Directing struct {
	DocumentID int64     `db:"document_id" json:"document_id"`
	Symbol     string    `db:"symbol" json:"symbol"`
	TypeName   string    `db:"type_name" json:"type_name"`
	Subject    string    `db:"subject" json:"subject"`
	OrganName  string    `db:"organ_name" json:"organ_name"`
	UnitName   string    `db:"unit_name" json:"unit_name"`
	MarkedAt   time.Time `db:"marked_at" json:"marked_at"`
	MarkedBy   string    `db:"marked_by_name" json:"marked_by"`
	Note       string    `db:"note" json:"note"`
	Tasks      int       `db:"tasks" json:"tasks"`
	Accepted   int       `db:"accepted" json:"accepted"`
	Completed  int       `db:"completed" json:"completed"`
	Open       int       `db:"open" json:"open"`
	Overdue    int       `db:"overdue" json:"overdue"`
	Progress   int       `db:"progress" json:"progress"` // 0–100
}

// directingStats are the aggregate columns of a directing document d.
const directingStats = `
	(SELECT count(*) FROM tasks t WHERE t.document_id = d.id AND t.parent_id IS NULL AND t.status <> 'cancelled')::int AS tasks,
	(SELECT count(*) FROM tasks t WHERE t.document_id = d.id AND t.parent_id IS NULL AND t.status = 'accepted')::int AS accepted,
	(SELECT count(*) FROM tasks t WHERE t.document_id = d.id AND t.parent_id IS NULL AND t.status = 'completed')::int AS completed,
	(SELECT count(*) FROM tasks t WHERE t.document_id = d.id AND t.parent_id IS NULL AND ` + openSQL + `)::int AS open,
	(SELECT count(*) FROM tasks t WHERE t.document_id = d.id AND t.parent_id IS NULL AND ` + openSQL + ` AND t.due_date < $1::date)::int AS overdue,
	coalesce((SELECT round(avg(CASE WHEN t.status = 'accepted' THEN 100 ELSE t.progress END)) FROM tasks t
		WHERE t.document_id = d.id AND t.parent_id IS NULL AND t.status <> 'cancelled'), 0)::int AS progress`

const directingFrom = ` FROM directing_documents dd JOIN documents d ON d.id = dd.document_id JOIN units un ON un.id = d.unit_id
	JOIN users mb ON mb.id = dd.marked_by `

const directingColumns = `d.id AS document_id, d.symbol, d.type_name, d.subject, d.organ_name, un.name AS unit_name,
	dd.marked_at, mb.full_name AS marked_by_name, dd.note, `

// CanMarkDirecting reports whether sub may mark or unmark a document they
// see as directing: a leader or clerk of the owning unit.
func CanMarkDirecting(sub access.Subject, doc documents.Document) bool {
	return sub.HasRole(doc.UnitID, identity.RoleLeader, identity.RoleClerk)
}

// IsDirecting reports whether a document is tracked as directing.
func (s *Service) IsDirecting(ctx context.Context, docID int64) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM directing_documents WHERE document_id = $1)`, docID).Scan(&ok)
	return ok, err
}

// SetDirecting marks (or unmarks) a document sub may see as directing.
// Unmarking keeps its tasks; they stay linked to the document.
func (s *Service) SetDirecting(ctx context.Context, sub access.Subject, actor audit.Actor, doc documents.Document, on bool, note string) error {
	if !CanMarkDirecting(sub, doc) {
		return apperr.Forbidden("Chỉ lãnh đạo hoặc văn thư của đơn vị có văn bản được đánh dấu văn bản chỉ đạo.")
	}
	note = trimText(note)
	if utf8.RuneCountInString(note) > 1000 {
		return apperr.Invalid("Ghi chú dài tối đa 1.000 ký tự.", map[string]string{"note": "Ghi chú dài tối đa 1.000 ký tự."})
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		action := "document.directing_mark"
		if on {
			if _, err := tx.Exec(ctx, `
				INSERT INTO directing_documents (document_id, marked_by, note) VALUES ($1, $2, $3)
				ON CONFLICT (document_id) DO UPDATE SET note = excluded.note`, doc.ID, sub.UserID, note); err != nil {
				return fmt.Errorf("mark directing: %w", err)
			}
		} else {
			action = "document.directing_unmark"
			if _, err := tx.Exec(ctx, `DELETE FROM directing_documents WHERE document_id = $1`, doc.ID); err != nil {
				return fmt.Errorf("unmark directing: %w", err)
			}
		}
		return audit.Record(ctx, tx, actor.Entry(action, "document", fmt.Sprint(doc.ID), map[string]any{"note": note}))
	})
}

// DirectingSummary returns a directing document sub may see with its
// implementation figures (over all its tasks, seen or not: the figures
// name nobody).
func (s *Service) DirectingSummary(ctx context.Context, sub access.Subject, docID int64, today time.Time) (Directing, error) {
	a := postgres.Args{}
	a.Add(dateOf(today))
	sql := `SELECT ` + directingColumns + directingStats + directingFrom + `WHERE d.id = ` + a.Add(docID) + ` AND ` + documents.Visible(sub)(&a)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Directing])
	if errors.Is(err, pgx.ErrNoRows) {
		return d, apperr.NotFound("Không tìm thấy văn bản chỉ đạo, hoặc bạn không có quyền xem văn bản này.")
	}
	if err != nil {
		return d, fmt.Errorf("directing summary: %w", err)
	}
	return d, nil
}

// DirectingPage is one page of directing documents.
type DirectingPage struct {
	Items      []Directing
	NextCursor string
}

type directingCursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// DirectingList lists the directing documents sub may see, most recently
// marked first, optionally searched (symbol, subject, issuer, with or
// without diacritics), with keyset pagination (limit 1–200, default 50).
func (s *Service) DirectingList(ctx context.Context, sub access.Subject, q, cursor string, limit int, today time.Time) (DirectingPage, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	a := postgres.Args{}
	a.Add(dateOf(today))
	visible, err := sub.ListPredicate(ctx, s.db, "document", "d.unit_id", "d.id", "d.confidentiality")
	if err != nil {
		return DirectingPage{}, err
	}
	where := []string{visible(&a)}
	if q = strings.TrimSpace(q); q != "" {
		p := a.Add(q)
		where = append(where, "(d.symbol = "+p+" OR d.search_text LIKE '%' || vn_fold("+p+") || '%')")
	}
	if cursor != "" {
		var c directingCursor
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil {
			return DirectingPage{}, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
		}
		where = append(where, fmt.Sprintf("(dd.marked_at, d.id) < (%s::timestamptz, %s)", a.Add(c.At), a.Add(c.ID)))
	}
	sql := `SELECT ` + directingColumns + directingStats + directingFrom + `WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY dd.marked_at DESC, d.id DESC LIMIT ` + a.Add(limit+1)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Directing])
	if err != nil {
		return DirectingPage{}, fmt.Errorf("list directing documents: %w", err)
	}
	page := DirectingPage{Items: items}
	if len(items) > limit {
		last := items[limit-1]
		b, _ := json.Marshal(directingCursor{At: last.MarkedAt, ID: last.DocumentID})
		page.NextCursor = base64.RawURLEncoding.EncodeToString(b)
		page.Items = items[:limit]
	}
	if page.Items == nil {
		page.Items = []Directing{}
	}
	return page, nil
}

// DocumentTasks counts the tasks linked to a document, and those of them
// sub may see, for the document page's panel.
func (s *Service) DocumentTasks(ctx context.Context, sub access.Subject, docID int64) ([]Item, int, error) {
	page, err := s.List(ctx, sub, Filter{Tab: TabAll, DocumentID: docID, TopLevel: true, Limit: 100})
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE document_id = $1 AND parent_id IS NULL`, docID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count document tasks: %w", err)
	}
	return page.Items, total, nil
}
