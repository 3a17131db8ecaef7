// Package notify keeps in-app notifications: capabilities create them
// inside their own transactions (so a notification exists exactly when the
// change it announces does), and each person lists and marks read their own.
package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
)

// Notification is one message to one person.
type Notification struct {
	ID        int64      `db:"id" json:"id"`
	Kind      string     `db:"kind" json:"kind"`
	Title     string     `db:"title" json:"title"`
	Link      string     `db:"link" json:"link"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	ReadAt    *time.Time `db:"read_at" json:"read_at"`
}

// MaxTitleRunes bounds a title; longer ones are cut with an ellipsis.
const MaxTitleRunes = 300

// ErrNotFound is a notification that does not exist or is someone else's.
var ErrNotFound = apperr.NotFound("Không tìm thấy thông báo.")

// Create adds a notification for userID through q (pass the transaction
// that makes the change it announces). Links are paths on this site.
func Create(ctx context.Context, q postgres.Querier, userID int64, kind, title, link string) (int64, error) {
	title = strings.Join(strings.Fields(title), " ")
	if utf8.RuneCountInString(title) > MaxTitleRunes {
		title = string([]rune(title)[:MaxTitleRunes-1]) + "…"
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		link = ""
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO notifications (user_id, kind, title, link) VALUES ($1, $2, $3, $4) RETURNING id`,
		userID, kind, title, link).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: create for user %d: %w", userID, err)
	}
	return id, nil
}

// Store lists and marks a person's notifications.
type Store struct{ db *pgxpool.Pool }

// New returns the notifications kept in db.
func New(db *pgxpool.Pool) *Store { return &Store{db: db} }

// Create adds a notification outside any other transaction.
func (s *Store) Create(ctx context.Context, userID int64, kind, title, link string) (int64, error) {
	return Create(ctx, s.db, userID, kind, title, link)
}

// Page is one page of notifications, newest first.
type Page struct {
	Items      []Notification
	NextCursor string
}

type cursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// ListUnread returns userID's unread notifications, newest first, with
// keyset pagination (limit 1–200, default 50).
func (s *Store) ListUnread(ctx context.Context, userID int64, cur string, limit int) (Page, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var a postgres.Args
	where := "user_id = " + a.Add(userID) + " AND read_at IS NULL"
	if cur != "" {
		var c cursor
		b, err := base64.RawURLEncoding.DecodeString(cur)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil {
			return Page{}, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
		}
		where += fmt.Sprintf(" AND (created_at, id) < (%s, %s)", a.Add(c.At), a.Add(c.ID))
	}
	rows, _ := s.db.Query(ctx, `SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE `+where+
		` ORDER BY created_at DESC, id DESC LIMIT `+a.Add(limit+1), a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Notification])
	if err != nil {
		return Page{}, fmt.Errorf("notify: list: %w", err)
	}
	var p Page
	if len(items) > limit {
		last := items[limit-1]
		b, _ := json.Marshal(cursor{At: last.CreatedAt, ID: last.ID})
		p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
		items = items[:limit]
	}
	p.Items = items
	if p.Items == nil {
		p.Items = []Notification{}
	}
	return p, nil
}

// MarkRead marks one of userID's notifications read; marking it again is
// harmless. Someone else's notification is ErrNotFound.
func (s *Store) MarkRead(ctx context.Context, userID, id int64) error {
	var found bool
	err := s.db.QueryRow(ctx, `
		WITH upd AS (UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM upd)`, id, userID).Scan(&found)
	if err != nil {
		return fmt.Errorf("notify: mark read: %w", err)
	}
	if !found {
		return ErrNotFound
	}
	return nil
}

// MarkAllRead marks every unread notification of userID read and says how
// many there were.
func (s *Store) MarkAllRead(ctx context.Context, userID int64) (int, error) {
	tag, err := s.db.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, userID)
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// UnreadCount counts userID's unread notifications.
func (s *Store) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: count: %w", err)
	}
	return n, nil
}
