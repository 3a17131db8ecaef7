package identity_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"vanthu/internal/apperr"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/platform/postgres/pgtest"
)

const goodPassword = "Mat-khau-dung-2026"

var (
	loginPolicy   = identity.LoginPolicy{MaxFailures: 5, LockDuration: time.Hour, InactiveFor: 45 * 24 * time.Hour}
	sessionPolicy = identity.SessionPolicy{Idle: 15 * time.Minute, Absolute: 12 * time.Hour}
	client        = identity.ClientInfo{IP: "10.0.0.1", UserAgent: "identity-test"}
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	users *identity.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.NewPool(t)
	return &fixture{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db)}
}

func (f *fixture) user(login string) identity.User {
	f.t.Helper()
	u, err := f.users.Create(f.ctx, f.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: goodPassword})
	if err != nil {
		f.t.Fatalf("create %s: %v", login, err)
	}
	return u
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (f *fixture) unit(name string) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRow(f.ctx, `INSERT INTO units (name, level, valid_from) VALUES ($1, 'province', DATE '2020-01-01') RETURNING id`,
		name).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := identity.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC format with the OWASP parameters", h)
	}
	if ok, err := identity.VerifyPassword(h, goodPassword); err != nil || !ok {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	for _, wrong := range []string{"", "mat-khau-dung-2026", goodPassword + " ", goodPassword[:len(goodPassword)-1]} {
		if ok, err := identity.VerifyPassword(h, wrong); err != nil || ok {
			t.Errorf("wrong password %q: ok=%v err=%v", wrong, ok, err)
		}
	}
	h2, err := identity.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
	if ok, err := identity.VerifyPassword(h2, goodPassword); err != nil || !ok {
		t.Fatalf("second hash: ok=%v err=%v", ok, err)
	}
	// Vietnamese passwords work byte for byte.
	vn, _ := identity.HashPassword("Đảng-ủy-xã-2026")
	if ok, _ := identity.VerifyPassword(vn, "Đảng-ủy-xã-2026"); !ok {
		t.Fatal("Vietnamese password not verified")
	}
	if ok, _ := identity.VerifyPassword(vn, "Dang-uy-xa-2026"); ok {
		t.Fatal("password without diacritics accepted for one with them")
	}
	for _, bad := range []string{"", "plain", "$2a$10$abcdefghijklmnopqrstuv", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5"} {
		if ok, err := identity.VerifyPassword(bad, goodPassword); err == nil || ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	for _, c := range []struct{ password, login, want string }{
		{"abc123", "x", "Mật khẩu phải có ít nhất 12 ký tự."},
		{"Đảngủy12345", "x", "Mật khẩu phải có ít nhất 12 ký tự."}, // 11 letters, more bytes: counts runes
		{strings.Repeat("a1", 64) + "b", "x", "Mật khẩu dài tối đa 128 ký tự."},
		{"xx-NGUYENVAN-2026", "nguyenvan", "Mật khẩu không được chứa tên đăng nhập."},
		{"khongcochuso-nao", "x", "Mật khẩu cần có cả chữ và số."},
		{"123456789012345", "x", "Mật khẩu cần có cả chữ và số."},
		{"Đảngủy123456", "x", ""},
		{goodPassword, "vanthu", ""},
		{strings.Repeat("a1", 64), "x", ""},
		{"abcdefghijk1", "", ""},
	} {
		if got := identity.CheckPasswordPolicy(c.password, c.login); got != c.want {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %q, want %q", c.password, c.login, got, c.want)
		}
	}
}

func TestCreateValidatesAndRefusesDuplicateLogin(t *testing.T) {
	f := newFixture(t)
	_, err := f.users.Create(f.ctx, f.db, identity.NewUser{Login: "A", FullName: "  ", Password: "short", Clearance: "secret"})
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("invalid user: %v", err)
	}
	for _, field := range []string{"login", "full_name", "password", "clearance"} {
		if e.Fields[field] == "" {
			t.Errorf("no message for %s: %v", field, e.Fields)
		}
	}
	u, err := f.users.Create(f.ctx, f.db, identity.NewUser{Login: " Nguyen.Van-A ", FullName: " Nguyễn   Văn A ", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "nguyen.van-a" || u.FullName != "Nguyễn Văn A" || u.Clearance != identity.ClearanceNone {
		t.Fatalf("created %+v", u)
	}
	if u.PasswordHash == goodPassword || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("stored password is not a hash: %q", u.PasswordHash)
	}
	_, err = f.users.Create(f.ctx, f.db, identity.NewUser{Login: "NGUYEN.VAN-A", FullName: "Khác", Password: goodPassword})
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || e.Fields["login"] != "Tên đăng nhập đã được dùng." {
		t.Fatalf("duplicate login: %v", err)
	}
	if got, err := f.users.GetByLogin(f.ctx, "  NGUYEN.van-a "); err != nil || got.ID != u.ID {
		t.Fatalf("GetByLogin is not case-insensitive: %v %v", got.ID, err)
	}
	if _, err := f.users.GetByLogin(f.ctx, "khong-co"); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("unknown login: %v", err)
	}
}

func TestAuthenticateLockout(t *testing.T) {
	f := newFixture(t)
	u := f.user("vanthu.tinh")

	if got, err := f.users.Authenticate(f.ctx, "vanthu.tinh", goodPassword, loginPolicy); err != nil || got.ID != u.ID {
		t.Fatalf("right password: %v", err)
	}
	if f.count(`SELECT count(*) FROM users WHERE id = $1 AND last_login_at > now() - interval '1 minute'`, u.ID) != 1 {
		t.Error("last_login_at not recorded")
	}
	for i := 1; i <= 4; i++ {
		if _, err := f.users.Authenticate(f.ctx, "vanthu.tinh", "sai-mat-khau-1", loginPolicy); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("wrong password %d: %v, want ErrBadCredentials", i, err)
		}
	}
	if n := f.count(`SELECT failed_logins FROM users WHERE id = $1`, u.ID); n != 4 {
		t.Fatalf("failed_logins = %d after 4 failures", n)
	}
	if _, err := f.users.Authenticate(f.ctx, "vanthu.tinh", "sai-mat-khau-1", loginPolicy); !errors.Is(err, identity.ErrAccountLocked) {
		t.Fatalf("5th wrong password: %v, want ErrAccountLocked", err)
	}
	if f.count(`SELECT count(*) FROM users WHERE id = $1 AND locked_until BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'`, u.ID) != 1 {
		t.Fatal("locked_until is not an hour ahead")
	}
	// The right password does not open a locked account.
	_, err := f.users.Authenticate(f.ctx, "vanthu.tinh", goodPassword, loginPolicy)
	if !errors.Is(err, identity.ErrAccountLocked) {
		t.Fatalf("right password while locked: %v, want ErrAccountLocked", err)
	}
	if e, _ := apperr.As(err); e == nil || e.Kind != apperr.KindLocked || !strings.Contains(e.Message, "tạm khóa") {
		t.Fatalf("lock error %v is not the Vietnamese 423 error", err)
	}

	if err := f.users.Unlock(f.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.Authenticate(f.ctx, "vanthu.tinh", goodPassword, loginPolicy); err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	if n := f.count(`SELECT failed_logins FROM users WHERE id = $1`, u.ID); n != 0 {
		t.Fatalf("failed_logins = %d after a successful login", n)
	}
	if err := f.users.Unlock(f.ctx, 999999); !errors.Is(err, identity.ErrUserNotFound) {
		t.Fatalf("Unlock of a missing user: %v", err)
	}

	// An expired lock lets the right password in, and a wrong one counts
	// from one again instead of locking at once.
	f.exec(`UPDATE users SET failed_logins = 5, locked_until = now() - interval '1 minute' WHERE id = $1`, u.ID)
	if _, err := f.users.Authenticate(f.ctx, "vanthu.tinh", "sai-mat-khau-1", loginPolicy); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("wrong password after an expired lock: %v, want ErrBadCredentials", err)
	}
	if n := f.count(`SELECT failed_logins FROM users WHERE id = $1`, u.ID); n != 1 {
		t.Fatalf("failed_logins = %d after an expired lock and one failure, want 1", n)
	}
	f.exec(`UPDATE users SET failed_logins = 5, locked_until = now() - interval '1 second' WHERE id = $1`, u.ID)
	if _, err := f.users.Authenticate(f.ctx, "vanthu.tinh", goodPassword, loginPolicy); err != nil {
		t.Fatalf("right password after the lock expired: %v", err)
	}
	if f.count(`SELECT count(*) FROM users WHERE id = $1 AND failed_logins = 0 AND locked_until IS NULL`, u.ID) != 1 {
		t.Fatal("a successful login did not clear the expired lock")
	}
}

func TestAuthenticateUnknownDisabledInactive(t *testing.T) {
	f := newFixture(t)
	if _, err := f.users.Authenticate(f.ctx, "khong-ton-tai", goodPassword, loginPolicy); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("unknown login: %v, want ErrBadCredentials", err)
	}

	off := f.user("nghi.viec")
	if err := f.users.SetDisabled(f.ctx, off.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.Authenticate(f.ctx, "nghi.viec", goodPassword, loginPolicy); !errors.Is(err, identity.ErrAccountOff) {
		t.Fatalf("disabled account: %v, want ErrAccountOff", err)
	}
	// A wrong password on a disabled account says only that it is wrong.
	if _, err := f.users.Authenticate(f.ctx, "nghi.viec", "sai-mat-khau-1", loginPolicy); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("disabled account, wrong password: %v", err)
	}
	if err := f.users.SetDisabled(f.ctx, off.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.Authenticate(f.ctx, "nghi.viec", goodPassword, loginPolicy); err != nil {
		t.Fatalf("re-enabled account: %v", err)
	}

	idle := f.user("lau.khong.dung")
	if _, err := f.users.CreateSession(f.ctx, idle.ID, identity.SessionActive, sessionPolicy, client); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE users SET created_at = now() - interval '90 days', last_login_at = now() - interval '50 days' WHERE id = $1`, idle.ID)
	if _, err := f.users.Authenticate(f.ctx, "lau.khong.dung", goodPassword, loginPolicy); !errors.Is(err, identity.ErrAccountOff) {
		t.Fatalf("unused for 50 days: %v, want ErrAccountOff", err)
	}
	if f.count(`SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NOT NULL`, idle.ID) != 1 {
		t.Fatal("inactive account was not disabled")
	}
	if n := f.count(`SELECT count(*) FROM sessions WHERE user_id = $1`, idle.ID); n != 0 {
		t.Fatalf("disabling left %d sessions", n)
	}
	// It stays disabled: the next attempt is refused too.
	if _, err := f.users.Authenticate(f.ctx, "lau.khong.dung", goodPassword, loginPolicy); !errors.Is(err, identity.ErrAccountOff) {
		t.Fatalf("second attempt: %v", err)
	}

	// Never logged in: the account's creation counts.
	fresh := f.user("chua.dang.nhap")
	f.exec(`UPDATE users SET created_at = now() - interval '46 days' WHERE id = $1`, fresh.ID)
	if _, err := f.users.Authenticate(f.ctx, "chua.dang.nhap", goodPassword, loginPolicy); !errors.Is(err, identity.ErrAccountOff) {
		t.Fatalf("created 46 days ago, never used: %v, want ErrAccountOff", err)
	}
	// 44 days is within the limit.
	recent := f.user("moi.dung")
	f.exec(`UPDATE users SET created_at = now() - interval '90 days', last_login_at = now() - interval '44 days' WHERE id = $1`, recent.ID)
	if _, err := f.users.Authenticate(f.ctx, "moi.dung", goodPassword, loginPolicy); err != nil {
		t.Fatalf("used 44 days ago: %v", err)
	}
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	u := f.user("chuyenvien")

	tok, err := f.users.CreateSession(f.ctx, u.ID, identity.SessionActive, sessionPolicy, client)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 40 {
		t.Fatalf("session token %q is too short", tok)
	}
	sess, err := f.users.LookupSession(f.ctx, tok, sessionPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if sess.UserID != u.ID || sess.State != identity.SessionActive {
		t.Fatalf("session = %+v", sess)
	}
	if got := sha256.Sum256([]byte(tok)); !bytes.Equal(sess.TokenHash, got[:]) {
		t.Fatal("stored token hash is not SHA-256 of the token")
	}
	if n := f.count(`SELECT count(*) FROM sessions WHERE strpos(to_jsonb(sessions)::text, $1) > 0`, tok); n != 0 {
		t.Fatal("the sessions table holds the plain token")
	}
	if f.count(`SELECT count(*) FROM sessions WHERE user_id = $1 AND ip = '10.0.0.1' AND user_agent = 'identity-test'
		AND expires_at BETWEEN now() + interval '11 hours 59 minutes' AND now() + interval '12 hours 1 minute'`, u.ID) != 1 {
		t.Fatal("session client info or absolute expiry not stored")
	}
	for _, bad := range []string{"", "khong-co", tok + "x"} {
		if _, err := f.users.LookupSession(f.ctx, bad, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
			t.Errorf("LookupSession(%q) = %v, want ErrNoSession", bad, err)
		}
	}

	// Use within the idle limit touches last_seen_at.
	f.exec(`UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE user_id = $1`, u.ID)
	if _, err := f.users.LookupSession(f.ctx, tok, sessionPolicy); err != nil {
		t.Fatalf("10 minutes idle: %v", err)
	}
	if f.count(`SELECT count(*) FROM sessions WHERE user_id = $1 AND last_seen_at > now() - interval '1 minute'`, u.ID) != 1 {
		t.Fatal("last_seen_at not touched")
	}

	// Idle for longer than the limit: gone.
	f.exec(`UPDATE sessions SET last_seen_at = now() - interval '16 minutes' WHERE user_id = $1`, u.ID)
	if _, err := f.users.LookupSession(f.ctx, tok, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
		t.Fatalf("16 minutes idle: %v, want ErrNoSession", err)
	}
	if n := f.count(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 0 {
		t.Fatalf("idle session not deleted (%d rows)", n)
	}

	// Past the absolute limit, however active: gone.
	tok, err = f.users.CreateSession(f.ctx, u.ID, identity.SessionActive, sessionPolicy, client)
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE user_id = $1`, u.ID)
	if _, err := f.users.LookupSession(f.ctx, tok, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
		t.Fatalf("expired session: %v, want ErrNoSession", err)
	}
	if n := f.count(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 0 {
		t.Fatalf("expired session not deleted (%d rows)", n)
	}

	// A half-authenticated session becomes a new active one; the old token dies.
	pending, err := f.users.CreateSession(f.ctx, u.ID, identity.SessionMFAPending, sessionPolicy, client)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.users.LookupSession(f.ctx, pending, sessionPolicy); err != nil || s.State != identity.SessionMFAPending {
		t.Fatalf("pending session: %+v %v", s, err)
	}
	active, err := f.users.ActivateSession(f.ctx, pending, u.ID, sessionPolicy, client)
	if err != nil {
		t.Fatal(err)
	}
	if active == pending {
		t.Fatal("ActivateSession kept the token (session fixation)")
	}
	if _, err := f.users.LookupSession(f.ctx, pending, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
		t.Fatalf("old token after activation: %v, want ErrNoSession", err)
	}
	if s, err := f.users.LookupSession(f.ctx, active, sessionPolicy); err != nil || s.State != identity.SessionActive || s.UserID != u.ID {
		t.Fatalf("new token: %+v %v", s, err)
	}

	// Log out everywhere.
	other := f.user("nguoi.khac")
	otherTok, err := f.users.CreateSession(f.ctx, other.ID, identity.SessionActive, sessionPolicy, client)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.users.CreateSession(f.ctx, u.ID, identity.SessionActive, sessionPolicy, client); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.users.CountSessions(f.ctx, u.ID); err != nil || n != 3 {
		t.Fatalf("CountSessions = %d, %v; want 3", n, err)
	}
	if n, err := f.users.DeleteUserSessions(f.ctx, u.ID); err != nil || n != 3 {
		t.Fatalf("DeleteUserSessions = %d, %v; want 3", n, err)
	}
	if _, err := f.users.LookupSession(f.ctx, active, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
		t.Fatalf("session after DeleteUserSessions: %v", err)
	}
	if _, err := f.users.LookupSession(f.ctx, otherTok, sessionPolicy); err != nil {
		t.Fatalf("another user's session was ended too: %v", err)
	}

	// A password change ends every session.
	if err := f.users.SetPassword(f.ctx, other.ID, other.Login, "Mat-khau-moi-2027", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.LookupSession(f.ctx, otherTok, sessionPolicy); !errors.Is(err, identity.ErrNoSession) {
		t.Fatalf("session after a password change: %v", err)
	}
}

// otherCode returns a six-digit code valid in none of the steps around now.
func otherCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-60 * time.Second, -30 * time.Second, 0, 30 * time.Second, 60 * time.Second} {
		c, err := totp.GenerateCode(secret, time.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "123456", "999999", "424242"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no invalid code found")
	return ""
}

func TestTOTP(t *testing.T) {
	f := newFixture(t)
	u := f.user("quantri")

	enr, err := f.users.BeginTOTP(f.ctx, u, "Vanthu")
	if err != nil {
		t.Fatal(err)
	}
	if enr.Secret == "" || !strings.HasPrefix(enr.URL, "otpauth://totp/") || !strings.Contains(enr.URL, "quantri") {
		t.Fatalf("enrolment = %+v", enr)
	}
	if !bytes.HasPrefix(enr.QRPNG, []byte("\x89PNG")) {
		t.Fatal("QR code is not a PNG")
	}
	u, err = f.users.Get(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.TOTPEnabled() {
		t.Fatal("TOTP enabled before the first code")
	}
	if again, ok := identity.PendingTOTP(u, "Vanthu"); !ok || again.Secret != enr.Secret {
		t.Fatalf("PendingTOTP = %v, %v; want the same secret", again.Secret, ok)
	}
	// Not yet enrolled: login codes are refused.
	code, _ := totp.GenerateCode(enr.Secret, time.Now())
	if err := f.users.VerifyTOTP(f.ctx, u, code); !errors.Is(err, identity.ErrBadTOTP) {
		t.Fatalf("VerifyTOTP before enrolment: %v", err)
	}

	if err := f.users.ConfirmTOTP(f.ctx, u, otherCode(t, enr.Secret)); !errors.Is(err, identity.ErrBadTOTP) {
		t.Fatalf("wrong code: %v, want ErrBadTOTP", err)
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if err := f.users.ConfirmTOTP(f.ctx, u, bad); !errors.Is(err, identity.ErrBadTOTP) {
			t.Errorf("code %q: %v, want ErrBadTOTP", bad, err)
		}
	}
	if e, _ := apperr.As(identity.ErrBadTOTP); e.Kind != apperr.KindInvalid || e.Fields["code"] == "" {
		t.Fatalf("ErrBadTOTP = %+v", e)
	}
	code, err = totp.GenerateCode(enr.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.users.ConfirmTOTP(f.ctx, u, code); err != nil {
		t.Fatalf("right code: %v", err)
	}
	u, _ = f.users.Get(f.ctx, u.ID)
	if !u.TOTPEnabled() {
		t.Fatal("TOTP not enabled after confirmation")
	}
	// The same code a second time is a replay.
	if err := f.users.VerifyTOTP(f.ctx, u, code); !errors.Is(err, identity.ErrBadTOTP) {
		t.Fatalf("replayed code: %v, want ErrBadTOTP", err)
	}
	if err := f.users.VerifyTOTP(f.ctx, u, otherCode(t, enr.Secret)); !errors.Is(err, identity.ErrBadTOTP) {
		t.Fatalf("wrong login code: %v", err)
	}
	// The next step's code (clock drift) is accepted once, typed with a space…
	next, _ := totp.GenerateCode(enr.Secret, time.Now().Add(30*time.Second))
	if err := f.users.VerifyTOTP(f.ctx, u, next[:3]+" "+next[3:]); err != nil {
		t.Fatalf("next step's code: %v", err)
	}
	// …after which an older step's code is refused even if unused.
	prev, _ := totp.GenerateCode(enr.Secret, time.Now().Add(-30*time.Second))
	if prev != next {
		if err := f.users.VerifyTOTP(f.ctx, u, prev); !errors.Is(err, identity.ErrBadTOTP) {
			t.Fatalf("older step's code after a newer one: %v", err)
		}
	}

	// Reset removes the authenticator.
	if err := f.users.ResetTOTP(f.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	u, _ = f.users.Get(f.ctx, u.ID)
	if u.TOTPEnabled() || u.TOTPSecret != nil {
		t.Fatal("ResetTOTP left the secret")
	}
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t)
	u := f.user("script")
	other := f.user("nguoi.khac")

	tok, meta, err := f.users.CreateToken(f.ctx, u.ID, "  đồng bộ  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "vt_") || len(tok) < 40 {
		t.Fatalf("token %q", tok)
	}
	if meta.ID == 0 || meta.UserID != u.ID || meta.Name != "đồng bộ" || meta.RevokedAt != nil {
		t.Fatalf("token metadata = %+v", meta)
	}
	got, err := f.users.AuthenticateToken(f.ctx, tok)
	if err != nil || got.ID != u.ID {
		t.Fatalf("AuthenticateToken = %v, %v", got.ID, err)
	}
	if f.count(`SELECT count(*) FROM api_tokens WHERE id = $1 AND last_used_at IS NOT NULL`, meta.ID) != 1 {
		t.Fatal("last_used_at not recorded")
	}
	// Only a hash is stored: no row of any column holds the token.
	if n := f.count(`SELECT count(*) FROM api_tokens t WHERE strpos(to_jsonb(t)::text, $1) > 0 OR strpos(to_jsonb(t)::text, $2) > 0`,
		tok, strings.TrimPrefix(tok, "vt_")); n != 0 {
		t.Fatal("api_tokens holds the plain token")
	}
	sum := sha256.Sum256([]byte(tok))
	if f.count(`SELECT count(*) FROM api_tokens WHERE token_hash = $1`, sum[:]) != 1 {
		t.Fatal("token_hash is not the SHA-256 of the token")
	}

	for _, bad := range []string{"", "vt_", "vt_khongco", strings.TrimPrefix(tok, "vt_"), "Bearer " + tok, tok + "x"} {
		if _, err := f.users.AuthenticateToken(f.ctx, bad); !errors.Is(err, identity.ErrBadToken) {
			t.Errorf("AuthenticateToken(%q) = %v, want ErrBadToken", bad, err)
		}
	}

	// Another user cannot revoke it.
	if err := f.users.RevokeToken(f.ctx, other.ID, meta.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("revoke by another user: %v", err)
	}
	if _, err := f.users.AuthenticateToken(f.ctx, tok); err != nil {
		t.Fatalf("token stopped working after a refused revoke: %v", err)
	}
	if err := f.users.RevokeToken(f.ctx, u.ID, meta.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.AuthenticateToken(f.ctx, tok); !errors.Is(err, identity.ErrBadToken) {
		t.Fatalf("revoked token: %v, want ErrBadToken", err)
	}
	if err := f.users.RevokeToken(f.ctx, u.ID, meta.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	list, err := f.users.Tokens(f.ctx, u.ID)
	if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
		t.Fatalf("Tokens = %+v, %v", list, err)
	}

	// A disabled owner's token stops working.
	tok2, _, err := f.users.CreateToken(f.ctx, u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == tok {
		t.Fatal("two tokens are equal")
	}
	if err := f.users.SetDisabled(f.ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.AuthenticateToken(f.ctx, tok2); !errors.Is(err, identity.ErrAccountOff) {
		t.Fatalf("token of a disabled user: %v, want ErrAccountOff", err)
	}
}

func TestMembershipsHookMovesMembershipsOnMerge(t *testing.T) {
	f := newFixture(t)
	a, b, target := f.unit("Tỉnh ủy A"), f.unit("Tỉnh ủy B"), f.unit("Tỉnh ủy Mới")
	u1, u2, u3, u4 := f.user("vanthu.a"), f.user("lanhdao.b"), f.user("hai.noi"), f.user("o.ngoai")
	add := func(u identity.User, unit int64, role identity.Role, title string) {
		t.Helper()
		if err := f.users.AddMembership(f.ctx, f.db, u.ID, unit, role, title); err != nil {
			t.Fatal(err)
		}
	}
	add(u1, a, identity.RoleClerk, "Văn thư")
	add(u2, b, identity.RoleLeader, "Bí thư")
	add(u3, a, identity.RoleClerk, "")
	add(u3, target, identity.RoleClerk, "Văn thư tỉnh mới") // already there: kept once
	add(u4, target, identity.RoleHandler, "")
	if err := f.users.AddMembership(f.ctx, f.db, u1.ID, a, "chief", ""); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("unknown role accepted: %v", err)
	}

	units := org.NewStore(f.db)
	units.RegisterMoveHook(identity.MembershipsHook{})
	day := time.Now().UTC().Truncate(24 * time.Hour)
	rep, err := units.Merge(f.ctx, org.Actor{Login: "test"}, org.MergeRequest{
		Sources: []int64{a, b}, TargetID: target, EffectiveDate: day, LegalBasis: "Quyết định 1-QĐ/TW"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hooks) != 1 || rep.Hooks[0].Hook != "Thành viên" || rep.Hooks[0].Moved != 3 {
		t.Fatalf("hook report = %+v, want Thành viên with 3 moved", rep.Hooks)
	}
	if !slices.Contains(rep.Hooks[0].Items, "Người lanhdao.b (lanhdao.b) — Lãnh đạo") {
		t.Errorf("hook items = %q", rep.Hooks[0].Items)
	}

	rows, err := f.db.Query(f.ctx, `SELECT u.login || ' ' || m.role || ' ' || m.title FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.unit_id = ANY($1) ORDER BY 1`, []int64{a, b, target})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"hai.noi clerk Văn thư tỉnh mới", "lanhdao.b leader Bí thư", "o.ngoai handler ", "vanthu.a clerk Văn thư"}
	if !slices.Equal(got, want) {
		t.Fatalf("memberships after merge = %q, want %q", got, want)
	}
	if n := f.count(`SELECT count(*) FROM memberships WHERE unit_id = ANY($1)`, []int64{a, b}); n != 0 {
		t.Fatalf("%d memberships left in the merged units", n)
	}
	ms, err := f.users.Memberships(f.ctx, u1.ID)
	if err != nil || len(ms) != 1 || ms[0].UnitID != target || ms[0].UnitName != "Tỉnh ủy Mới" {
		t.Fatalf("Memberships(u1) = %+v, %v", ms, err)
	}
}
