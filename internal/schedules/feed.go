package schedules

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// FeedTokenPrefix marks calendar feed tokens, so secret scanners find
// leaked addresses.
const FeedTokenPrefix = "vc_"

// ErrFeedNotFound is an unknown or revoked feed token.
var ErrFeedNotFound = apperr.NotFound("Địa chỉ lịch không tồn tại hoặc đã bị thu hồi.")

// Feed is a person's calendar feed address, without its secret.
type Feed struct {
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

func newFeedToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := FeedTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashFeedToken(token)
}

func hashFeedToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Feed returns userID's feed address, or nil when they have none.
func (s *Service) Feed(ctx context.Context, userID int64) (*Feed, error) {
	var f Feed
	err := s.db.QueryRow(ctx, `SELECT created_at, last_used_at FROM calendar_feeds WHERE user_id = $1`, userID).Scan(&f.CreatedAt, &f.LastUsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("schedules: read feed: %w", err)
	}
	return &f, nil
}

// RotateFeed gives userID a new secret feed token (the old address stops
// working at once) and returns it; only its hash is kept.
func (s *Service) RotateFeed(ctx context.Context, actor audit.Actor, userID int64) (string, error) {
	token, hash := newFeedToken()
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var created bool
		err := tx.QueryRow(ctx, `
			INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now(), last_used_at = NULL
			RETURNING (xmax = 0)`, userID, hash).Scan(&created)
		if err != nil {
			return fmt.Errorf("schedules: rotate feed: %w", err)
		}
		action := "calendar_feed.rotate"
		if created {
			action = "calendar_feed.create"
		}
		return audit.Record(ctx, tx, actor.Entry(action, "calendar_feed", fmt.Sprint(userID), nil))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeFeed removes userID's feed address.
func (s *Service) RevokeFeed(ctx context.Context, actor audit.Actor, userID int64) error {
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("schedules: revoke feed: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrFeedNotFound
		}
		return audit.Record(ctx, tx, actor.Entry("calendar_feed.revoke", "calendar_feed", fmt.Sprint(userID), nil))
	})
}

// FeedUser returns the user a feed token belongs to and records its use
// (at most once a minute). An unknown, revoked or malformed token, or a
// disabled account, is ErrFeedNotFound.
func (s *Service) FeedUser(ctx context.Context, token string) (int64, error) {
	if !strings.HasPrefix(token, FeedTokenPrefix) || len(token) > 100 {
		return 0, ErrFeedNotFound
	}
	var userID int64
	err := s.db.QueryRow(ctx, `
		UPDATE calendar_feeds f SET last_used_at = CASE
			WHEN f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute' THEN now() ELSE f.last_used_at END
		FROM users u
		WHERE f.token_hash = $1 AND u.id = f.user_id AND u.disabled_at IS NULL
		RETURNING f.user_id`, hashFeedToken(token)).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrFeedNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("schedules: feed token: %w", err)
	}
	return userID, nil
}

// Feed window: what a calendar subscription carries.
const (
	feedPastDays   = 60
	feedFutureDays = 400
)

// FeedEntries returns what the subject's calendar feed carries: published
// entries (cancelled ones included, so calendars remove them) from
// feedPastDays ago to feedFutureDays ahead that they preside, attend or
// prepare, or that belong to the schedule of a unit they are a member of.
func (s *Service) FeedEntries(ctx context.Context, sub access.Subject) ([]Entry, error) {
	today := vntime.Today()
	members := []int64{}
	for _, m := range sub.Memberships {
		members = append(members, m.UnitID)
	}
	var a postgres.Args
	me := a.Add(sub.UserID)
	sql := entrySelect + fmt.Sprintf(`
		WHERE s.status = 'published' AND e.day BETWEEN %s AND %s
		AND (e.preparer_user_id = %s
			OR EXISTS (SELECT 1 FROM schedule_attendees at WHERE at.entry_id = e.id AND at.user_id = %s)
			OR (s.unit_id = ANY(%s::bigint[]) AND %s))`,
		a.Add(today.AddDate(0, 0, -feedPastDays)), a.Add(today.AddDate(0, 0, feedFutureDays)), me, me,
		a.Add(members), sub.ScheduleViewPredicate("s.unit_id")(&a)) + entryOrder + ` LIMIT 5000`
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	entries, err := scanEntries(ctx, s.db, rows)
	for i := range entries {
		entries[i].Role = entries[i].roleOf(sub.UserID)
	}
	return entries, err
}
