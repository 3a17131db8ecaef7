package identity

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"vanthu/internal/apperr"
)

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// ErrBadTOTP is a wrong, expired or reused code.
var ErrBadTOTP = apperr.Invalid("Mã xác thực không đúng hoặc đã hết hạn.", map[string]string{"code": "Mã xác thực không đúng hoặc đã hết hạn."})

// Enrollment is a new authenticator secret waiting for its first code.
type Enrollment struct {
	Secret string
	URL    string
	QRPNG  []byte
}

// BeginTOTP stores a new pending secret for the user and returns what the
// enrolment page shows. The secret is active only after ConfirmTOTP.
func (s *Store) BeginTOTP(ctx context.Context, u User, issuer string) (Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Login, Period: totpPeriod})
	if err != nil {
		return Enrollment{}, err
	}
	if _, err := s.db.Exec(ctx, `UPDATE users SET totp_secret = $2, totp_enabled_at = NULL, updated_at = now() WHERE id = $1`,
		u.ID, key.Secret()); err != nil {
		return Enrollment{}, fmt.Errorf("store totp secret: %w", err)
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return Enrollment{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrollment{}, err
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL(), QRPNG: buf.Bytes()}, nil
}

// PendingTOTP returns the enrolment for a secret already begun, so a
// reloaded page shows the same code.
func PendingTOTP(u User, issuer string) (Enrollment, bool) {
	if u.TOTPSecret == nil || u.TOTPEnabled() {
		return Enrollment{}, false
	}
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d",
		issuer, u.Login, *u.TOTPSecret, issuer, totpPeriod))
	if err != nil {
		return Enrollment{}, false
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return Enrollment{}, false
	}
	var buf bytes.Buffer
	if png.Encode(&buf, img) != nil {
		return Enrollment{}, false
	}
	return Enrollment{Secret: *u.TOTPSecret, URL: key.URL(), QRPNG: buf.Bytes()}, true
}

// ConfirmTOTP enables the pending secret when code matches it.
func (s *Store) ConfirmTOTP(ctx context.Context, u User, code string) error {
	if u.TOTPSecret == nil {
		return ErrBadTOTP
	}
	if err := s.checkTOTP(ctx, u, code); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `UPDATE users SET totp_enabled_at = now(), updated_at = now() WHERE id = $1`, u.ID)
	return err
}

// VerifyTOTP checks a login code for an enrolled user.
func (s *Store) VerifyTOTP(ctx context.Context, u User, code string) error {
	if !u.TOTPEnabled() {
		return ErrBadTOTP
	}
	return s.checkTOTP(ctx, u, code)
}

// checkTOTP accepts the code of the current 30-second step or either
// neighbour (clock drift), at most once: the used step is remembered.
func (s *Store) checkTOTP(ctx context.Context, u User, code string) error {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return ErrBadTOTP
	}
	now := time.Now().Unix() / totpPeriod
	for step := now - 1; step <= now+1; step++ {
		want, err := totp.GenerateCodeCustom(*u.TOTPSecret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return fmt.Errorf("totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		tag, err := s.db.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, u.ID, step)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrBadTOTP // replayed
		}
		return nil
	}
	return ErrBadTOTP
}
