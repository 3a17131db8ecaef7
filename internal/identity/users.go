// Package identity knows who people are: users and their memberships in
// units, passwords, sessions, multi-factor codes and API tokens.
package identity

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
)

// Role is what a membership lets a person do in a unit.
type Role string

const (
	RoleAdmin     Role = "admin" // the whole system
	RoleUnitAdmin Role = "unit_admin"
	RoleClerk     Role = "clerk"
	RoleLeader    Role = "leader"
	RoleHandler   Role = "handler"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleUnitAdmin, RoleLeader, RoleClerk, RoleHandler}

// Label is the Vietnamese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Quản trị hệ thống"
	case RoleUnitAdmin:
		return "Quản trị đơn vị"
	case RoleClerk:
		return "Văn thư"
	case RoleLeader:
		return "Lãnh đạo"
	case RoleHandler:
		return "Chuyên viên"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Clearance is the highest confidentiality a person may see.
type Clearance string

const (
	ClearanceNone     Clearance = "none"
	ClearanceMat      Clearance = "mat"
	ClearanceToiMat   Clearance = "toi_mat"
	ClearanceTuyetMat Clearance = "tuyet_mat"
)

// Clearances lists the levels from lowest to highest.
var Clearances = []Clearance{ClearanceNone, ClearanceMat, ClearanceToiMat, ClearanceTuyetMat}

// Valid reports whether c is a known level.
func (c Clearance) Valid() bool {
	for _, k := range Clearances {
		if c == k {
			return true
		}
	}
	return false
}

// Label is the Vietnamese name of the level.
func (c Clearance) Label() string {
	switch c {
	case ClearanceNone:
		return "Không"
	case ClearanceMat:
		return "Mật"
	case ClearanceToiMat:
		return "Tối mật"
	case ClearanceTuyetMat:
		return "Tuyệt mật"
	}
	return string(c)
}

// User is a person who signs in.
type User struct {
	ID                 int64      `db:"id"`
	Login              string     `db:"login"`
	FullName           string     `db:"full_name"`
	Email              string     `db:"email"`
	PasswordHash       string     `db:"password_hash"`
	Clearance          Clearance  `db:"clearance"`
	MustChangePassword bool       `db:"must_change_password"`
	FailedLogins       int        `db:"failed_logins"`
	LockedUntil        *time.Time `db:"locked_until"`
	DisabledAt         *time.Time `db:"disabled_at"`
	EnabledAt          *time.Time `db:"enabled_at"`
	TOTPSecret         *string    `db:"totp_secret"`
	TOTPEnabledAt      *time.Time `db:"totp_enabled_at"`
	LastLoginAt        *time.Time `db:"last_login_at"`
	CreatedAt          time.Time  `db:"created_at"`
}

// Locked reports whether the account is locked at now.
func (u User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && u.LockedUntil.After(now)
}

// TOTPEnabled reports whether the user has enrolled an authenticator.
func (u User) TOTPEnabled() bool { return u.TOTPEnabledAt != nil && u.TOTPSecret != nil }

// Membership is a user's role in a unit.
type Membership struct {
	UserID   int64  `db:"user_id"`
	UnitID   int64  `db:"unit_id"`
	UnitName string `db:"unit_name"`
	Role     Role   `db:"role"`
	Title    string `db:"title"`
}

// Store reads and writes people.
type Store struct {
	db *pgxpool.Pool
}

// NewStore returns a store over the pool.
func NewStore(db *pgxpool.Pool) *Store { return &Store{db: db} }

// ErrUserNotFound means no user has that id or login.
var ErrUserNotFound = apperr.NotFound("Không tìm thấy người dùng.")

const userColumns = `id, login, full_name, email, password_hash, clearance, must_change_password, failed_logins,
	locked_until, disabled_at, enabled_at, totp_secret, totp_enabled_at, last_login_at, created_at`

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// NewUser is what an administrator types to create an account.
type NewUser struct {
	Login              string
	FullName           string
	Email              string
	Password           string
	Clearance          Clearance
	MustChangePassword bool
}

// Validate returns field messages in Vietnamese.
func (n *NewUser) Validate() error {
	n.Login = strings.ToLower(strings.TrimSpace(n.Login))
	n.FullName = strings.Join(strings.Fields(n.FullName), " ")
	n.Email = strings.TrimSpace(n.Email)
	if n.Clearance == "" {
		n.Clearance = ClearanceNone
	}
	f := apperr.Fields{}
	if !loginPattern.MatchString(n.Login) {
		f.Add("login", "Tên đăng nhập gồm 2–63 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.")
	}
	if n.FullName == "" {
		f.Add("full_name", "Vui lòng nhập họ và tên.")
	}
	if n.Email != "" && !strings.Contains(n.Email, "@") {
		f.Add("email", "Địa chỉ thư điện tử không hợp lệ.")
	}
	if msg := CheckPasswordPolicy(n.Password, n.Login); msg != "" {
		f.Add("password", msg)
	}
	if !n.Clearance.Valid() {
		f.Add("clearance", "Mức tiếp cận bí mật không hợp lệ.")
	}
	return f.Err()
}

// Create adds a user. A taken login is a field error.
func (s *Store) Create(ctx context.Context, q postgres.Querier, n NewUser) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	rows, _ := q.Query(ctx, `
		INSERT INTO users (login, full_name, email, password_hash, clearance, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+userColumns,
		n.Login, n.FullName, n.Email, hash, n.Clearance, n.MustChangePassword)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if postgres.IsUniqueViolation(err, "users_login") {
		return User{}, apperr.Invalid("Tên đăng nhập đã được dùng.", map[string]string{"login": "Tên đăng nhập đã được dùng."})
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// Get returns the user with id.
func (s *Store) Get(ctx context.Context, id int64) (User, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	return collectUser(rows)
}

// GetByLogin returns the user with login (case-insensitive).
func (s *Store) GetByLogin(ctx context.Context, login string) (User, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+userColumns+` FROM users WHERE login = lower($1)`, strings.TrimSpace(login))
	return collectUser(rows)
}

func collectUser(rows pgx.Rows) (User, error) {
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

// Memberships lists a user's units and roles, units by Vietnamese name.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT m.user_id, m.unit_id, u.name AS unit_name, m.role, m.title
		FROM memberships m JOIN units u ON u.id = m.unit_id
		WHERE m.user_id = $1
		ORDER BY u.name, m.role`, userID)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Membership])
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return ms, nil
}

// AddMembership gives user a role in unit; adding it twice changes nothing
// but the title.
func (s *Store) AddMembership(ctx context.Context, q postgres.Querier, userID, unitID int64, role Role, title string) error {
	if !role.Valid() {
		return apperr.Invalid("Vai trò không hợp lệ.", map[string]string{"role": "Vai trò không hợp lệ."})
	}
	_, err := q.Exec(ctx, `
		INSERT INTO memberships (user_id, unit_id, role, title) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, unit_id, role) DO UPDATE SET title = EXCLUDED.title`,
		userID, unitID, role, strings.TrimSpace(title))
	if postgres.IsForeignKeyViolation(err, "") {
		return apperr.Invalid("Đơn vị hoặc người dùng không tồn tại.", nil)
	}
	return err
}

// RemoveMembership takes a role away.
func (s *Store) RemoveMembership(ctx context.Context, q postgres.Querier, userID, unitID int64, role Role) error {
	tag, err := q.Exec(ctx, `DELETE FROM memberships WHERE user_id = $1 AND unit_id = $2 AND role = $3`, userID, unitID, role)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return apperr.NotFound("Người dùng không có vai trò này ở đơn vị.")
	}
	return nil
}

// SetPassword replaces the password; mustChange forces another change at
// the next login (after an administrator's reset). All sessions end.
func (s *Store) SetPassword(ctx context.Context, userID int64, login, password string, mustChange bool) error {
	if msg := CheckPasswordPolicy(password, login); msg != "" {
		return apperr.Invalid(msg, map[string]string{"password": msg})
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = now(),
				failed_logins = 0, locked_until = NULL, updated_at = now()
			WHERE id = $1`, userID, hash, mustChange)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrUserNotFound
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// SetDisabled disables or re-enables an account; disabling ends its sessions
// and revokes nothing else, so re-enabling restores the same access.
func (s *Store) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END,
				enabled_at = CASE WHEN $2 THEN enabled_at ELSE now() END, updated_at = now()
			WHERE id = $1`, userID, disabled)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrUserNotFound
		}
		if disabled {
			_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		}
		return err
	})
}

// Unlock clears a login lock and the failure count.
func (s *Store) Unlock(ctx context.Context, userID int64) error {
	tag, err := s.db.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrUserNotFound
	}
	return nil
}

// SetClearance changes the highest confidentiality a user may see.
func (s *Store) SetClearance(ctx context.Context, userID int64, c Clearance) error {
	if !c.Valid() {
		return apperr.Invalid("Mức tiếp cận bí mật không hợp lệ.", map[string]string{"clearance": "Mức tiếp cận bí mật không hợp lệ."})
	}
	tag, err := s.db.Exec(ctx, `UPDATE users SET clearance = $2, updated_at = now() WHERE id = $1`, userID, c)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrUserNotFound
	}
	return nil
}

// ResetTOTP removes an enrolled authenticator so the user enrols again.
func (s *Store) ResetTOTP(ctx context.Context, userID int64) error {
	tag, err := s.db.Exec(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, updated_at = now() WHERE id = $1`, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrUserNotFound
	}
	return nil
}
