package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
)

// Account states, as the administrators' list filters and shows them.
const (
	StatusActive   = "active"   // may sign in
	StatusLocked   = "locked"   // locked out after failed attempts, until locked_until
	StatusDisabled = "disabled" // switched off by an administrator or for inactivity
)

// Statuses lists the account states in display order.
var Statuses = []string{StatusActive, StatusLocked, StatusDisabled}

// StatusLabel is the Vietnamese name of an account state.
func StatusLabel(status string) string {
	switch status {
	case StatusActive:
		return "Đang hoạt động"
	case StatusLocked:
		return "Tạm khóa"
	case StatusDisabled:
		return "Đã vô hiệu hóa"
	}
	return status
}

func accountStatus(disabledAt, lockedUntil *time.Time, now time.Time) string {
	switch {
	case disabledAt != nil:
		return StatusDisabled
	case lockedUntil != nil && lockedUntil.After(now):
		return StatusLocked
	}
	return StatusActive
}

// Status is the account's state at now: disabled wins over locked.
func (u User) Status(now time.Time) string { return accountStatus(u.DisabledAt, u.LockedUntil, now) }

// ListFilter selects users for the administrators' list. Zero fields do not
// filter.
type ListFilter struct {
	Q      string // login, full name or e-mail, with or without diacritics
	UnitID int64  // has a membership in this unit…
	Role   Role   // …with this role (in UnitID when both are given)
	Status string // "", StatusActive, StatusLocked or StatusDisabled
	Cursor string // the next cursor of the previous page; "" for the first
	Limit  int    // page size: 50 when 0, at most MaxListLimit
}

// List page sizes.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// ListItem is one row of the administrators' user list. It carries no
// secrets (no password hash, no TOTP secret).
type ListItem struct {
	ID                 int64
	Login              string
	FullName           string
	Email              string
	Clearance          Clearance
	MustChangePassword bool
	LockedUntil        *time.Time
	DisabledAt         *time.Time
	LastLoginAt        *time.Time
	TOTPEnabled        bool
	CreatedAt          time.Time
	// Units is "unit name (role label)" for every membership, comma-joined,
	// units in Vietnamese order.
	Units string
}

// Status is the account's state at now.
func (it ListItem) Status(now time.Time) string {
	return accountStatus(it.DisabledAt, it.LockedUntil, now)
}

type listCursor struct {
	Name string `json:"n"`
	ID   int64  `json:"i"`
}

var errBadListCursor = apperr.Invalid("Tham số phân trang không hợp lệ. Vui lòng tải lại danh sách từ trang đầu.",
	map[string]string{"cursor": "Tham số phân trang không hợp lệ."})

func encodeListCursor(c listCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeListCursor(s string) (listCursor, error) {
	var c listCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return listCursor{}, errBadListCursor
	}
	return c, nil
}

// likeEscaper makes typed text match literally inside a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List returns the users matching f that visible admits, by full name in
// Vietnamese order then id, one page at a time (keyset pagination: rows
// added while paging neither shift nor repeat later pages). visible comes
// from access (e.g. Subject.ManagedUsersPredicate("u.id")) and is part of
// the WHERE clause: nothing is filtered after the query.
func (s *Store) List(ctx context.Context, f ListFilter, visible postgres.Predicate) (items []ListItem, next string, err error) {
	if visible == nil {
		return nil, "", errors.New("list users: no visibility predicate")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)

	var a postgres.Args
	where := []string{"(" + visible(&a) + ")"}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, "u.search LIKE '%' || vn_fold("+a.Add(likeEscaper.Replace(q))+"::text) || '%'")
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, "", apperr.Invalid("Vai trò không hợp lệ.", map[string]string{"role": "Vai trò không hợp lệ."})
	}
	if f.UnitID != 0 || f.Role != "" {
		cond := []string{"fm.user_id = u.id"}
		if f.UnitID != 0 {
			cond = append(cond, "fm.unit_id = "+a.Add(f.UnitID))
		}
		if f.Role != "" {
			cond = append(cond, "fm.role = "+a.Add(string(f.Role))+"::member_role")
		}
		where = append(where, "EXISTS (SELECT 1 FROM memberships fm WHERE "+strings.Join(cond, " AND ")+")")
	}
	switch f.Status {
	case "":
	case StatusActive:
		where = append(where, "u.disabled_at IS NULL AND (u.locked_until IS NULL OR u.locked_until <= now())")
	case StatusLocked:
		where = append(where, "u.disabled_at IS NULL AND u.locked_until > now()")
	case StatusDisabled:
		where = append(where, "u.disabled_at IS NOT NULL")
	default:
		return nil, "", apperr.Invalid("Trạng thái không hợp lệ.", map[string]string{"status": "Trạng thái không hợp lệ."})
	}
	if f.Cursor != "" {
		c, err := decodeListCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(u.full_name, u.id) > ("+a.Add(c.Name)+"::text COLLATE vi, "+a.Add(c.ID)+"::bigint)")
	}
	sql := `
		SELECT u.id, u.login, u.full_name, u.email, u.clearance, u.must_change_password, u.locked_until,
		       u.disabled_at, u.last_login_at, u.totp_enabled_at IS NOT NULL AND u.totp_secret IS NOT NULL,
		       u.created_at, coalesce(ms.names, '{}'), coalesce(ms.roles, '{}')
		FROM users u
		LEFT JOIN LATERAL (
			SELECT array_agg(un.name::text ORDER BY un.name, m.role) AS names,
			       array_agg(m.role::text ORDER BY un.name, m.role) AS roles
			FROM memberships m JOIN units un ON un.id = m.unit_id
			WHERE m.user_id = u.id
		) ms ON true
		WHERE ` + strings.Join(where, "\n\t\t  AND ") + `
		ORDER BY u.full_name, u.id
		LIMIT ` + a.Add(limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ListItem
		var names, roles []string
		if err := rows.Scan(&it.ID, &it.Login, &it.FullName, &it.Email, &it.Clearance, &it.MustChangePassword,
			&it.LockedUntil, &it.DisabledAt, &it.LastLoginAt, &it.TOTPEnabled, &it.CreatedAt, &names, &roles); err != nil {
			return nil, "", fmt.Errorf("list users: %w", err)
		}
		parts := make([]string, len(names))
		for i := range names {
			parts[i] = names[i] + " (" + Role(roles[i]).Label() + ")"
		}
		it.Units = strings.Join(parts, ", ")
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = encodeListCursor(listCursor{Name: last.FullName, ID: last.ID})
	}
	return items, next, nil
}

// GetVisible returns the user with id if visible admits it, else
// ErrUserNotFound: a user outside the caller's scope looks exactly like a
// missing one.
func (s *Store) GetVisible(ctx context.Context, id int64, visible postgres.Predicate) (User, error) {
	if visible == nil {
		return User{}, errors.New("get user: no visibility predicate")
	}
	var a postgres.Args
	sql := `SELECT ` + userColumns + ` FROM users u WHERE u.id = ` + a.Add(id) + ` AND (` + visible(&a) + `)`
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	return collectUser(rows)
}

// UnitOption is a current unit offered in a select.
type UnitOption struct {
	ID         int64
	Name       string
	ParentName string
}

// Label names the unit with its parent, since names such as "Văn phòng"
// repeat under every committee.
func (o UnitOption) Label() string {
	if o.ParentName == "" {
		return o.Name
	}
	return o.Name + " – " + o.ParentName
}

// UnitOptions returns current units in Vietnamese name order: every unit
// when all is true, else those in ids. At most limit are returned;
// truncated reports that there were more.
func (s *Store) UnitOptions(ctx context.Context, all bool, ids []int64, limit int) (opts []UnitOption, truncated bool, err error) {
	if !all && len(ids) == 0 {
		return nil, false, nil
	}
	if limit <= 0 {
		limit = 500
	}
	var a postgres.Args
	where := "(u.valid_to IS NULL OR u.valid_to >= current_date) AND u.valid_from <= current_date"
	if !all {
		where += " AND u.id = ANY(" + a.Add(ids) + "::bigint[])"
	}
	rows, _ := s.db.Query(ctx, `
		SELECT u.id, u.name::text, coalesce(p.name::text, '')
		FROM units u LEFT JOIN units p ON p.id = u.parent_id
		WHERE `+where+`
		ORDER BY u.name, p.name, u.id
		LIMIT `+a.Add(limit+1), a.Values()...)
	var o UnitOption
	_, err = pgx.ForEachRow(rows, []any{&o.ID, &o.Name, &o.ParentName}, func() error {
		opts = append(opts, o)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("unit options: %w", err)
	}
	if len(opts) > limit {
		return opts[:limit], true, nil
	}
	return opts, false, nil
}
