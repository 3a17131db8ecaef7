package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadCursor means a search cursor was not one that Search handed out.
var ErrBadCursor = errors.New("audit: malformed search cursor")

// Search page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter selects entries for the administrators' audit screen. Zero fields
// do not filter.
type Filter struct {
	From, To   time.Time // From inclusive, To exclusive
	Actor      string    // prefix of the actor's login, any case
	Action     string    // prefix of the action: "login" matches "login.success"
	Outcome    string    // exact: OutcomeSuccess, OutcomeFailure or OutcomeDenied
	ObjectType string    // exact
	ObjectID   string    // exact
	Limit      int       // page size: DefaultLimit when 0, at most MaxLimit
	Cursor     string    // Page.NextCursor of the previous page; "" for the first
}

// Recorded is a stored entry: what the caller recorded plus the id and
// time the database gave it.
type Recorded struct {
	ID int64
	At time.Time // UTC
	Entry
}

// Page is one page of search results, newest first.
type Page struct {
	Items      []Recorded
	NextCursor string // "" on the last page
}

// Search returns the entries matching f, newest first, one page at a time.
// Pages are keyed on (at, id), so entries recorded while paging neither
// shift nor repeat the following pages.
func (l *Log) Search(ctx context.Context, f Filter) (Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	if f.Outcome != "" && !validOutcome(f.Outcome) {
		return Page{}, fmt.Errorf("audit: unknown outcome %q", f.Outcome)
	}

	// The WHERE clause is built only from the fixed fragments below; every
	// value travels as a parameter.
	var (
		where []string
		args  []any
	)
	add := func(fragment string, values ...any) {
		refs := make([]any, len(values))
		for i, v := range values {
			args = append(args, v)
			refs[i] = len(args)
		}
		where = append(where, fmt.Sprintf(fragment, refs...))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if f.Actor != "" {
		add("starts_with(lower(actor_login), lower($%d::text))", f.Actor)
	}
	if f.Action != "" {
		add("starts_with(action, $%d::text)", f.Action)
	}
	if f.Outcome != "" {
		add("outcome = $%d", f.Outcome)
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return Page{}, err
		}
		add("(at, id) < ($%d::timestamptz, $%d::bigint)", at, id)
	}
	sql := `SELECT id, at, coalesce(actor_id, 0), actor_login, action, outcome, object_type, object_id,
	               coalesce(unit_id, 0), ip, user_agent, request_id, details
	        FROM audit_log`
	if len(where) > 0 {
		sql += "\nWHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	sql += fmt.Sprintf("\nORDER BY at DESC, id DESC\nLIMIT $%d", len(args))

	rows, err := l.pool.Query(ctx, sql, args...)
	if err != nil {
		return Page{}, fmt.Errorf("audit: search: %w", err)
	}
	defer rows.Close()
	var page Page
	for rows.Next() {
		var r Recorded
		if err := rows.Scan(&r.ID, &r.At, &r.ActorID, &r.ActorLogin, &r.Action, &r.Outcome, &r.ObjectType,
			&r.ObjectID, &r.UnitID, &r.IP, &r.UserAgent, &r.RequestID, &r.Details); err != nil {
			return Page{}, fmt.Errorf("audit: search: %w", err)
		}
		r.At = r.At.UTC()
		page.Items = append(page.Items, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("audit: search: %w", err)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(last.At, last.ID)
	}
	return page, nil
}

// A cursor is base64url of "v1.<microseconds since epoch>.<id>" of the last
// entry of the previous page; its content is not part of the API.
const cursorVersion = "v1"

func encodeCursor(at time.Time, id int64) string {
	raw := cursorVersion + "." + strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(c string) (time.Time, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != cursorVersion {
		return time.Time{}, 0, ErrBadCursor
	}
	micros, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, ErrBadCursor
	}
	return time.UnixMicro(micros).UTC(), id, nil
}
