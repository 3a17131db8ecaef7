// Package notify keeps in-app notifications: capabilities create them
// inside their own transactions (so a notification exists exactly when the
// change it announces does), and each person lists and marks read their own.
package notify

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

// cursor is where a page ends. Read says the page ended among the read
// notifications, which come after every unread one when both are listed.
type cursor struct {
	At   time.Time `json:"t"`
	ID   int64     `json:"i"`
	Read bool      `json:"r,omitempty"`
}

func decodeCursor(cur string) (cursor, error) {
	var c cursor
	if cur == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cur)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
	}
	return c, nil
}

// ListUnread returns userID's unread notifications, newest first, with
// keyset pagination (limit 1–200, default 50).
func (s *Store) ListUnread(ctx context.Context, userID int64, cur string, limit int) (Page, error) {
	return s.List(ctx, userID, false, cur, limit)
}

// List returns userID's unread notifications, newest first, and with
// includeRead the read ones after them, newest first: what needs attention
// leads. Keyset pagination (limit 1–200, default 50) walks the unread
// part, then the read part; each part reads its own partial index.
func (s *Store) List(ctx context.Context, userID int64, includeRead bool, cur string, limit int) (Page, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	c, err := decodeCursor(cur)
	if err != nil {
		return Page{}, err
	}
	var items []Notification
	if !c.Read {
		if items, err = s.part(ctx, userID, false, c, cur != "", limit+1); err != nil {
			return Page{}, err
		}
	}
	if includeRead && len(items) <= limit {
		var after cursor
		if c.Read {
			after = c
		}
		more, err := s.part(ctx, userID, true, after, c.Read, limit+1-len(items))
		if err != nil {
			return Page{}, err
		}
		items = append(items, more...)
	}
	var p Page
	if len(items) > limit {
		last := items[limit-1]
		b, _ := json.Marshal(cursor{At: last.CreatedAt, ID: last.ID, Read: last.ReadAt != nil})
		p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
		items = items[:limit]
	}
	p.Items = items
	if p.Items == nil {
		p.Items = []Notification{}
	}
	return p, nil
}

// part reads up to n of userID's read or unread notifications, newest
// first, after c when keyed.
func (s *Store) part(ctx context.Context, userID int64, read bool, c cursor, keyed bool, n int) ([]Notification, error) {
	var a postgres.Args
	state := "read_at IS NULL"
	if read {
		state = "read_at IS NOT NULL"
	}
	where := "user_id = " + a.Add(userID) + " AND " + state
	if keyed {
		where += fmt.Sprintf(" AND (created_at, id) < (%s, %s)", a.Add(c.At), a.Add(c.ID))
	}
	rows, _ := s.db.Query(ctx, `SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE `+where+
		` ORDER BY created_at DESC, id DESC LIMIT `+a.Add(n), a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Notification])
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	return items, nil
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

// Open marks one of userID's notifications read and returns its link ("" when
// it has none). Someone else's notification is ErrNotFound.
func (s *Store) Open(ctx context.Context, userID, id int64) (string, error) {
	var link string
	err := s.db.QueryRow(ctx, `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING link`,
		id, userID).Scan(&link)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("notify: open: %w", err)
	}
	return link, nil
}

// MarkAllReadUpTo marks userID's unread notifications with an id up to
// upTo read (every one when upTo is 0), so "mark all read" on a page does
// not swallow notifications that arrived after the page was shown. It
// says how many it marked.
func (s *Store) MarkAllReadUpTo(ctx context.Context, userID, upTo int64) (int, error) {
	if upTo <= 0 {
		return s.MarkAllRead(ctx, userID)
	}
	tag, err := s.db.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND id <= $2`, userID, upTo)
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return int(tag.RowsAffected()), nil
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

// UnreadSummary counts userID's unread notifications and gives the highest
// id among them (0 when none), the bound for MarkAllReadUpTo.
func (s *Store) UnreadSummary(ctx context.Context, userID int64) (count int, newest int64, err error) {
	err = s.db.QueryRow(ctx, `SELECT count(*), coalesce(max(id), 0) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).
		Scan(&count, &newest)
	if err != nil {
		return 0, 0, fmt.Errorf("notify: count: %w", err)
	}
	return count, newest, nil
}
