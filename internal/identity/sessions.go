package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Session states: a password alone gives mfa_pending (or mfa_enroll for an
// administrator without an authenticator); only active sessions act.
const (
	SessionActive     = "active"
	SessionMFAPending = "mfa_pending"
	SessionMFAEnroll  = "mfa_enroll"
)

// Session is a signed-in browser.
type Session struct {
	TokenHash    []byte    `db:"token_hash"`
	UserID       int64     `db:"user_id"`
	State        string    `db:"state"`
	ActingUnitID *int64    `db:"acting_unit_id"`
	CreatedAt    time.Time `db:"created_at"`
	LastSeenAt   time.Time `db:"last_seen_at"`
	ExpiresAt    time.Time `db:"expires_at"`
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("no live session")

// SessionPolicy holds the timeouts.
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
}

// ClientInfo is where a request came from, for sessions and audit.
type ClientInfo struct {
	IP        string
	UserAgent string
}

// NewToken returns a random URL-safe token and its SHA-256, which is all we
// store: a leaked sessions table does not yield usable cookies.
func NewToken(prefix string) (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession starts a session in state for userID and returns the
// cookie value.
func (s *Store) CreateSession(ctx context.Context, userID int64, state string, pol SessionPolicy, client ClientInfo) (string, error) {
	token, hash := NewToken("")
	_, err := s.db.Exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, state, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, now() + $4::interval, $5, left($6, 300))`,
		hash, userID, state, pol.Absolute, client.IP, client.UserAgent)
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// LookupSession returns the live session for token, touching its last-seen
// time. An idle or expired session is deleted and reported as ErrNoSession.
func (s *Store) LookupSession(ctx context.Context, token string, pol SessionPolicy) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	hash := HashToken(token)
	rows, _ := s.db.Query(ctx, `
		SELECT token_hash, user_id, state, acting_unit_id, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1`, hash)
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Session])
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	now := time.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > pol.Idle {
		_, _ = s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
		return Session{}, ErrNoSession
	}
	// Writing on every request would make reads expensive; a minute of
	// slack on a 15-minute idle timeout is harmless.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if _, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, hash); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return sess, nil
}

// ActivateSession replaces a half-authenticated session with a new active
// one (a new id after each step defeats session fixation).
func (s *Store) ActivateSession(ctx context.Context, oldToken string, userID int64, pol SessionPolicy, client ClientInfo) (string, error) {
	if err := s.DeleteSession(ctx, oldToken); err != nil {
		return "", err
	}
	return s.CreateSession(ctx, userID, SessionActive, pol, client)
}

// SetActingUnit records which of the user's units the session acts for.
func (s *Store) SetActingUnit(ctx context.Context, token string, unitID int64) error {
	_, err := s.db.Exec(ctx, `UPDATE sessions SET acting_unit_id = $2 WHERE token_hash = $1`, HashToken(token), unitID)
	return err
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, HashToken(token))
	return err
}

// DeleteUserSessions ends every session of a user ("log out everywhere").
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return tag.RowsAffected(), err
}

// CountSessions returns how many live sessions a user has.
func (s *Store) CountSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > now()`, userID).Scan(&n)
	return n, err
}

// PurgeExpiredSessions deletes sessions past their absolute or idle limit.
func (s *Store) PurgeExpiredSessions(ctx context.Context, pol SessionPolicy) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < now() - $1::interval`, pol.Idle)
	return tag.RowsAffected(), err
}
