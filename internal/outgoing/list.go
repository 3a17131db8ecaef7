package outgoing

// The outgoing list: boxes by who must act, search (with or without
// diacritics), filters, sorts and keyset pagination, all in SQL under the
// access predicate.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// Boxes of the outgoing list.
const (
	BoxAll      = ""
	BoxMine     = "mine"     // my drafts not yet approved (drafting, under review, returned)
	BoxReview   = "review"   // waiting for my opinion in the current step
	BoxFormat   = "format"   // waiting for a format check in a unit where I am a clerk
	BoxSign     = "sign"     // waiting for me to sign
	BoxIssue    = "issue"    // approved, waiting for a clerk of the unit to issue
	BoxIssued   = "issued"   // issued
	BoxRecalled = "recalled" // recalled
)

// ListFilter selects outgoing documents.
type ListFilter struct {
	Box             string
	Q               string
	TypeName        string
	Priority        string
	Confidentiality string
	From, To        *time.Time // issue day, or drafting day before issue
	Sort            string     // created_desc (default), created_asc, issued_desc, updated_desc
	Cursor          string
	Limit           int
}

// ListSorts are the sorts the list offers, with Vietnamese labels.
var ListSorts = []struct{ Key, Label string }{
	{"created_desc", "Mới soạn trước"},
	{"created_asc", "Cũ trước"},
	{"updated_desc", "Mới cập nhật trước"},
	{"issued_desc", "Mới phát hành trước"},
}

// Item is one row of the list.
type Item struct {
	ID              int64              `db:"id"`
	State           string             `db:"outgoing_state"`
	TypeName        string             `db:"type_name"`
	Symbol          string             `db:"symbol"`
	IssuedDate      *time.Time         `db:"issued_date"`
	Subject         string             `db:"subject"`
	Priority        string             `db:"priority"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	Receivers       string             `db:"receivers"`
	UnitName        string             `db:"unit_name"`
	CreatedAt       time.Time          `db:"created_at"`
	CreatedByName   *string            `db:"created_by_name"`
	Stage           *string            `db:"stage"`
	CurrentStep     *int               `db:"current_step"`
	Steps           *int               `db:"steps"`
	ReplacedAt      *time.Time         `db:"replaced_at"`
}

// Label is the item's state in words.
func (it Item) Label() string {
	return DisplayState(it.State, it.Stage, it.CurrentStep, it.Steps, it.ReplacedAt != nil)
}

// ListPage is one page of the list.
type ListPage struct {
	Items      []Item
	NextCursor string
}

type listCursor struct {
	Rank float64   `json:"r"`
	At   time.Time `json:"t"`
	ID   int64     `json:"i"`
}

var farPast = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// boxPredicate narrows the list to a box.
func boxPredicate(sub access.Subject, box string) (postgres.Predicate, error) {
	roleUnits := func(role identity.Role) []int64 {
		var out []int64
		for _, m := range sub.Memberships {
			if m.Role == role {
				out = append(out, m.UnitID)
			}
		}
		return out
	}
	inUnits := func(a *postgres.Args, role identity.Role) string {
		if sub.IsAdmin {
			return "TRUE"
		}
		return "d.unit_id = ANY(" + a.Add(roleUnits(role)) + "::bigint[])"
	}
	switch box {
	case BoxAll:
		return nil, nil
	case BoxMine:
		return func(a *postgres.Args) string {
			return "d.created_by = " + a.Add(sub.UserID) + " AND d.outgoing_state IN ('draft', 'returned')"
		}, nil
	case BoxReview:
		return func(a *postgres.Args) string {
			return `EXISTS (SELECT 1 FROM outgoing_rounds r JOIN outgoing_reviews v ON v.round_id = r.id
				WHERE r.document_id = d.id AND r.stage = 'review' AND v.step = r.current_step AND v.decision IS NULL
				AND v.reviewer_id = ` + a.Add(sub.UserID) + `)`
		}, nil
	case BoxFormat:
		return func(a *postgres.Args) string {
			return "EXISTS (SELECT 1 FROM outgoing_rounds r WHERE r.document_id = d.id AND r.stage = 'format') AND " + inUnits(a, identity.RoleClerk)
		}, nil
	case BoxSign:
		return func(a *postgres.Args) string {
			return "EXISTS (SELECT 1 FROM outgoing_rounds r WHERE r.document_id = d.id AND r.stage = 'signing' AND r.signer_id = " + a.Add(sub.UserID) + ")"
		}, nil
	case BoxIssue:
		return func(a *postgres.Args) string {
			return "d.outgoing_state = 'approved' AND " + inUnits(a, identity.RoleClerk)
		}, nil
	case BoxIssued:
		return func(*postgres.Args) string { return "d.outgoing_state = 'issued'" }, nil
	case BoxRecalled:
		return func(*postgres.Args) string { return "d.outgoing_state = 'recalled'" }, nil
	}
	return nil, apperr.Invalid("Hộp văn bản không hợp lệ.", map[string]string{"tab": "Hộp văn bản không hợp lệ."})
}

func (f ListFilter) where(ctx context.Context, db postgres.Querier, sub access.Subject, a *postgres.Args) ([]string, error) {
	visible, err := sub.ListPredicate(ctx, db, "document", "d.unit_id", "d.id", "d.confidentiality")
	if err != nil {
		return nil, err
	}
	where := []string{"d.direction = 'outgoing'", visible(a)}
	box, err := boxPredicate(sub, f.Box)
	if err != nil {
		return nil, err
	}
	if box != nil {
		where = append(where, box(a))
	}
	fields := apperr.Fields{}
	if f.TypeName != "" {
		where = append(where, "d.type_name = "+a.Add(f.TypeName))
	}
	if f.Priority != "" {
		ok := false
		for _, p := range documents.Priorities {
			ok = ok || p == f.Priority
		}
		if !ok {
			fields.Add("priority", "Độ khẩn không hợp lệ.")
		} else {
			where = append(where, "d.priority = "+a.Add(f.Priority))
		}
	}
	if f.Confidentiality != "" {
		if !identity.Clearance(f.Confidentiality).Valid() {
			fields.Add("confidentiality", "Độ mật không hợp lệ.")
		} else {
			where = append(where, "d.confidentiality = "+a.Add(f.Confidentiality)+"::clearance_level")
		}
	}
	day := func(t time.Time) time.Time {
		y, m, dd := t.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, vntime.Zone)
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fields.Add("to", "Ngày kết thúc phải sau ngày bắt đầu.")
	}
	if f.From != nil {
		where = append(where, "coalesce(d.issued_at, d.created_at) >= "+a.Add(day(*f.From)))
	}
	if f.To != nil {
		where = append(where, "coalesce(d.issued_at, d.created_at) < "+a.Add(day(*f.To).AddDate(0, 0, 1)))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		p := a.Add(q)
		where = append(where, "(d.symbol = "+p+" OR to_tsvector('simple', d.search_text) @@ plainto_tsquery('simple', vn_fold("+p+
			")) OR vn_fold(d.receivers) LIKE '%' || vn_fold("+p+") || '%')")
	}
	return where, fields.Err()
}

// List returns the outgoing documents the subject may see matching f.
// A search ranks an exact symbol first, then summaries containing the
// words as typed (with or without diacritics), then the sort order.
func (s *Service) List(ctx context.Context, sub access.Subject, f ListFilter) (ListPage, error) {
	var a postgres.Args
	where, err := f.where(ctx, s.db, sub, &a)
	if err != nil {
		return ListPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rank := "0::float8"
	if q := strings.TrimSpace(f.Q); q != "" {
		p := a.Add(q)
		rank = "((d.symbol = " + p + ")::int * 2 + (d.search_text LIKE '%' || vn_fold(" + p + ") || '%')::int)::float8"
	}
	var key, order, cmp string
	switch f.Sort {
	case "", "created_desc":
		key, order, cmp = "d.created_at", "DESC", "<"
	case "created_asc":
		key, order, cmp = "d.created_at", "ASC", ">"
	case "updated_desc":
		key, order, cmp = "d.updated_at", "DESC", "<"
	case "issued_desc":
		key, order, cmp = "coalesce(d.issued_at, "+a.Add(farPast)+"::timestamptz)", "DESC", "<"
	default:
		return ListPage{}, apperr.Invalid("Cách sắp xếp không hợp lệ.", map[string]string{"sort": "Cách sắp xếp không hợp lệ."})
	}
	searching := strings.TrimSpace(f.Q) != ""
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return ListPage{}, err
		}
		after := fmt.Sprintf("(%s, d.id) %s (%s::timestamptz, %s::bigint)", key, cmp, a.Add(c.At), a.Add(c.ID))
		if searching {
			r := a.Add(c.Rank)
			after = fmt.Sprintf("(%[1]s < %[2]s OR (%[1]s = %[2]s AND %[3]s))", rank, r, after)
		}
		where = append(where, after)
	}
	orderBy := key + " " + order + ", d.id " + order
	if searching {
		orderBy = "rank DESC, " + orderBy
	}
	sql := `SELECT d.id, d.outgoing_state, d.type_name, d.symbol, d.issued_date, d.subject, d.priority, d.confidentiality,
		d.receivers, un.name AS unit_name, d.created_at, cb.full_name AS created_by_name, r.stage, r.current_step, r.steps,
		d.replaced_at, ` + rank + ` AS rank, ` + key + ` AS sort_key
		FROM documents d
		JOIN units un ON un.id = d.unit_id
		LEFT JOIN users cb ON cb.id = d.created_by
		LEFT JOIN outgoing_rounds r ON r.document_id = d.id AND r.closed_at IS NULL
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + orderBy + ` LIMIT ` + a.Add(f.Limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return ListPage{}, fmt.Errorf("list outgoing: %w", err)
	}
	type row struct {
		Item
		Rank    float64   `db:"rank"`
		SortKey time.Time `db:"sort_key"`
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return ListPage{}, fmt.Errorf("list outgoing: %w", err)
	}
	var page ListPage
	for i, it := range items {
		if i == f.Limit {
			last := items[i-1]
			page.NextCursor = encodeCursor(listCursor{Rank: last.Rank, At: last.SortKey, ID: last.ID})
			break
		}
		page.Items = append(page.Items, it.Item)
	}
	return page, nil
}

// Count counts matching documents, stopping at limit.
func (s *Service) Count(ctx context.Context, sub access.Subject, f ListFilter, limit int) (int, error) {
	var a postgres.Args
	where, err := f.where(ctx, s.db, sub, &a)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM documents d WHERE `+strings.Join(where, " AND ")+
		` LIMIT `+a.Add(limit)+`) x`, a.Values()...).Scan(&n)
	return n, err
}

func encodeCursor(c listCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (listCursor, error) {
	var c listCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
	}
	return c, nil
}
