package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
)

// TokenPrefix marks Vanthu API tokens, so secret scanners can find leaks.
const TokenPrefix = "vt_"

// APIToken is a long-lived credential for scripts, sent as a Bearer token.
type APIToken struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Name       string     `db:"name"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// ErrBadToken means the token is unknown or revoked.
var ErrBadToken = apperr.New(apperr.KindUnauthenticated, "Mã truy cập API không hợp lệ hoặc đã bị thu hồi.")

// CreateToken issues a token for userID; the plain value is returned once
// and only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string) (string, APIToken, error) {
	token, hash := NewToken(TokenPrefix)
	rows, _ := s.db.Query(ctx, `
		INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3)
		RETURNING id, user_id, name, created_at, last_used_at, revoked_at`, userID, strings.TrimSpace(name), hash)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[APIToken])
	if err != nil {
		return "", APIToken{}, fmt.Errorf("create token: %w", err)
	}
	return token, t, nil
}

// AuthenticateToken returns the user a live token belongs to and records
// its use (at most once a minute).
func (s *Store) AuthenticateToken(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return User{}, ErrBadToken
	}
	var userID int64
	err := s.db.QueryRow(ctx, `
		UPDATE api_tokens SET last_used_at = CASE
			WHEN last_used_at IS NULL OR last_used_at < now() - interval '1 minute' THEN now() ELSE last_used_at END
		WHERE token_hash = $1 AND revoked_at IS NULL
		RETURNING user_id`, HashToken(token)).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrBadToken
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate token: %w", err)
	}
	u, err := s.Get(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if u.DisabledAt != nil {
		return User{}, ErrAccountOff
	}
	return u, nil
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[APIToken])
}

// RevokeToken stops a token of userID from working.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	tag, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, tokenID, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return apperr.NotFound("Không tìm thấy mã truy cập.")
	}
	return nil
}
