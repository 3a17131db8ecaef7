package identity

import (
	"context"
	"fmt"
	"time"

	"vanthu/internal/apperr"
)

// LoginPolicy holds the lock-out and inactivity rules.
type LoginPolicy struct {
	MaxFailures  int
	LockDuration time.Duration
	InactiveFor  time.Duration // accounts unused this long are disabled
}

// Login errors, with the Vietnamese message the login form shows.
var (
	ErrBadCredentials = apperr.New(apperr.KindUnauthenticated, "Tên đăng nhập hoặc mật khẩu không đúng.")
	ErrAccountLocked  = apperr.New(apperr.KindLocked, "Tài khoản đang tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau hoặc liên hệ quản trị viên để mở khóa.")
	ErrAccountOff     = apperr.New(apperr.KindForbidden, "Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.")
)

// a hash of a random password, verified for unknown logins so that timing
// does not tell which logins exist.
var dummyHash, _ = HashPassword("dummy-password-for-timing-0")

// Authenticate checks a login and password. Each failure counts; reaching
// MaxFailures locks the account for LockDuration. A locked account refuses
// even the right password.
func (s *Store) Authenticate(ctx context.Context, login, password string, pol LoginPolicy) (User, error) {
	u, err := s.GetByLogin(ctx, login)
	if err != nil {
		_, _ = VerifyPassword(dummyHash, password)
		if err == ErrUserNotFound {
			return User{}, ErrBadCredentials
		}
		return User{}, err
	}
	now := time.Now()
	if u.Locked(now) {
		return u, ErrAccountLocked
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return User{}, fmt.Errorf("verify password of user %d: %w", u.ID, err)
	}
	if !ok {
		locked, err := s.RecordFailedAttempt(ctx, u.ID, pol)
		if err != nil {
			return User{}, err
		}
		if locked {
			return u, ErrAccountLocked
		}
		return u, ErrBadCredentials
	}
	if u.DisabledAt != nil {
		return u, ErrAccountOff
	}
	// Inactivity counts from the last login, creation or re-enabling.
	lastUse := u.CreatedAt
	for _, t := range []*time.Time{u.LastLoginAt, u.EnabledAt} {
		if t != nil && t.After(lastUse) {
			lastUse = *t
		}
	}
	if pol.InactiveFor > 0 && now.Sub(lastUse) > pol.InactiveFor {
		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			return User{}, err
		}
		return u, ErrAccountOff
	}
	if _, err := s.db.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1`, u.ID); err != nil {
		return User{}, fmt.Errorf("record login: %w", err)
	}
	return u, nil
}

// RecordFailedAttempt counts a wrong password or code; reaching MaxFailures
// locks the account. A lock that has expired starts the count again.
func (s *Store) RecordFailedAttempt(ctx context.Context, userID int64, pol LoginPolicy) (locked bool, err error) {
	err = s.db.QueryRow(ctx, `
		WITH next AS (
			SELECT CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_logins + 1 END AS n
			FROM users WHERE id = $1
		)
		UPDATE users SET failed_logins = next.n,
			locked_until = CASE WHEN next.n >= $2 THEN now() + $3::interval END
		FROM next WHERE id = $1
		RETURNING locked_until IS NOT NULL`, userID, pol.MaxFailures, pol.LockDuration).Scan(&locked)
	if err != nil {
		return false, fmt.Errorf("count failed attempt: %w", err)
	}
	return locked, nil
}
