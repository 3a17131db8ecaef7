package documents

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
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Filter selects documents for the registry list, the inboxes and the API.
type Filter struct {
	Direction       string // incoming (default)
	From, To        *time.Time
	RegisterID      int64
	UnitID          int64
	TypeName        string
	Organ           string
	Priority        string
	Confidentiality string
	Status          string
	AssigneeUserID  int64
	Overdue         bool
	Q               string
	// Extra narrows the list further, e.g. to one of a person's inboxes
	// (routing.BoxPredicate).
	Extra  postgres.Predicate
	Sort   string // arrived_desc (default), arrived_asc, due_asc, number_desc
	Cursor string
	Limit  int
}

// Sorts the list offers, with Vietnamese labels.
var Sorts = []struct{ Key, Label string }{
	{"arrived_desc", "Mới đến trước"},
	{"arrived_asc", "Cũ trước"},
	{"due_asc", "Hạn xử lý gần nhất"},
	{"number_desc", "Số đến giảm dần"},
}

// Item is one row of the registry list.
type Item struct {
	ID              int64              `db:"id"`
	ArrivalNumber   *int               `db:"arrival_number"`
	ArrivedAt       *time.Time         `db:"arrived_at"`
	Status          string             `db:"status"`
	TypeName        string             `db:"type_name"`
	Symbol          string             `db:"symbol"`
	CodeNumber      string             `db:"code_number"`
	CodeNotation    string             `db:"code_notation"`
	IssuedDate      *time.Time         `db:"issued_date"`
	OrganName       string             `db:"organ_name"`
	Subject         string             `db:"subject"`
	Priority        string             `db:"priority"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	DueDate         *time.Time         `db:"due_date"`
	UnitName        string             `db:"unit_name"`
	RegisterName    *string            `db:"register_name"`
}

// Overdue reports whether the item is past due unfinished.
func (it Item) Overdue(today time.Time) bool {
	return it.DueDate != nil && it.Status != StatusDone && it.DueDate.Before(today.Truncate(24*time.Hour))
}

// Page is one page of the list.
type Page struct {
	Items      []Item
	NextCursor string
}

type listCursor struct {
	Rank float64   `json:"r"`
	At   time.Time `json:"t"`
	N    int64     `json:"n"`
	ID   int64     `json:"i"`
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// List returns the documents the subject may see matching f, with keyset
// pagination. A search ranks an exact symbol first, then subjects and
// issuers containing the words as typed (with or without diacritics),
// then the newest.
func (s *Service) List(ctx context.Context, sub access.Subject, f Filter) (Page, error) {
	visible, err := sub.ListPredicate(ctx, s.db, "document", "d.unit_id", "d.id", "d.confidentiality")
	if err != nil {
		return Page{}, err
	}
	var a postgres.Args
	where, err := f.where(&a, visible)
	if err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rank := "0::float8"
	if q := strings.TrimSpace(f.Q); q != "" {
		p := a.Add(q)
		where = append(where, "(d.symbol = "+p+" OR to_tsvector('simple', d.search_text) @@ plainto_tsquery('simple', vn_fold("+p+")))")
		rank = "((d.symbol = " + p + ")::int * 2 + (d.search_text LIKE '%' || vn_fold(" + p + ") || '%')::int)::float8"
	}
	// key is the sort column as a timestamp or number, so one cursor shape
	// serves every sort.
	var key, order, cmp string
	switch f.Sort {
	case "", "arrived_desc":
		key, order, cmp = "d.arrived_at", "DESC", "<"
	case "arrived_asc":
		key, order, cmp = "d.arrived_at", "ASC", ">"
	case "due_asc":
		key, order, cmp = "coalesce(d.due_date::timestamptz, "+a.Add(farFuture)+"::timestamptz)", "ASC", ">"
	case "number_desc":
		key, order, cmp = "d.arrival_number", "DESC", "<"
	default:
		return Page{}, apperr.Invalid("Cách sắp xếp không hợp lệ.", map[string]string{"sort": "Cách sắp xếp không hợp lệ."})
	}
	numeric := f.Sort == "number_desc"
	if f.Cursor != "" {
		c, err := decodeListCursor(f.Cursor)
		if err != nil {
			return Page{}, err
		}
		var kv string
		if numeric {
			kv = a.Add(c.N) + "::int"
		} else {
			kv = a.Add(c.At) + "::timestamptz"
		}
		id := a.Add(c.ID)
		// A row comparison lets PostgreSQL start the index scan at the cursor.
		after := fmt.Sprintf("(%s, d.id) %s (%s, %s)", key, cmp, kv, id)
		if strings.TrimSpace(f.Q) != "" {
			r := a.Add(c.Rank)
			after = fmt.Sprintf("(%[1]s < %[2]s OR (%[1]s = %[2]s AND %[3]s))", rank, r, after)
		}
		where = append(where, after)
	}
	// Without a search the order is the sort key alone, which an index
	// (unit_id|status|…, arrived_at DESC, id DESC) delivers without sorting.
	orderBy := key + " " + order + ", d.id " + order
	if strings.TrimSpace(f.Q) != "" {
		orderBy = "rank DESC, " + orderBy
	}
	sql := `SELECT d.id, d.arrival_number, d.arrived_at, d.status, d.type_name, d.symbol, d.code_number, d.code_notation, d.issued_date,
		d.organ_name, d.subject, d.priority, d.confidentiality, d.due_date, un.name AS unit_name, rg.name AS register_name,
		` + rank + ` AS rank, ` + key + ` AS sort_key` + documentFrom +
		`WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + orderBy + ` LIMIT ` + a.Add(f.Limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return Page{}, fmt.Errorf("list documents: %w", err)
	}
	type row struct {
		Item
		Rank    float64 `db:"rank"`
		SortKey any     `db:"sort_key"`
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return Page{}, fmt.Errorf("list documents: %w", err)
	}
	var page Page
	for i, it := range items {
		if i == f.Limit {
			last := items[i-1]
			c := listCursor{Rank: last.Rank, ID: last.ID}
			switch v := last.SortKey.(type) {
			case time.Time:
				c.At = v
			case int32:
				c.N = int64(v)
			case int64:
				c.N = v
			}
			page.NextCursor = encodeListCursor(c)
			break
		}
		page.Items = append(page.Items, it.Item)
	}
	return page, nil
}

// Count counts matching documents, stopping at limit (counting a million
// rows to print "10 000+" is wasted work).
func (s *Service) Count(ctx context.Context, sub access.Subject, f Filter, limit int) (int, error) {
	visible, err := sub.ListPredicate(ctx, s.db, "document", "d.unit_id", "d.id", "d.confidentiality")
	if err != nil {
		return 0, err
	}
	var a postgres.Args
	where, err := f.where(&a, visible)
	if err != nil {
		return 0, err
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		p := a.Add(q)
		where = append(where, "(d.symbol = "+p+" OR to_tsvector('simple', d.search_text) @@ plainto_tsquery('simple', vn_fold("+p+")))")
	}
	var n int
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM documents d WHERE `+strings.Join(where, " AND ")+
		` LIMIT `+a.Add(limit)+`) x`, a.Values()...).Scan(&n)
	return n, err
}

func (f Filter) where(a *postgres.Args, visible postgres.Predicate) ([]string, error) {
	dir := f.Direction
	if dir == "" {
		dir = "incoming"
	}
	where := []string{"d.direction = " + a.Add(dir), visible(a)}
	fields := apperr.Fields{}
	if f.From != nil {
		where = append(where, "d.arrived_at >= "+a.Add(dayStart(*f.From)))
	}
	if f.To != nil {
		where = append(where, "d.arrived_at < "+a.Add(dayStart(*f.To).AddDate(0, 0, 1)))
	}
	if f.RegisterID != 0 {
		where = append(where, "d.register_id = "+a.Add(f.RegisterID))
	}
	if f.UnitID != 0 {
		where = append(where, "d.unit_id = "+a.Add(f.UnitID))
	}
	if f.TypeName != "" {
		where = append(where, "d.type_name = "+a.Add(f.TypeName))
	}
	if o := strings.TrimSpace(f.Organ); o != "" {
		where = append(where, "vn_fold(d.organ_name) LIKE '%' || vn_fold("+a.Add(o)+") || '%'")
	}
	if f.Priority != "" {
		ok := false
		for _, p := range Priorities {
			ok = ok || p == f.Priority
		}
		if !ok {
			fields.Add("priority", "Độ khẩn không hợp lệ.")
		}
		where = append(where, "d.priority = "+a.Add(f.Priority))
	}
	if f.Confidentiality != "" {
		if !identity.Clearance(f.Confidentiality).Valid() {
			fields.Add("confidentiality", "Độ mật không hợp lệ.")
		} else {
			where = append(where, "d.confidentiality = "+a.Add(f.Confidentiality)+"::clearance_level")
		}
	}
	if f.Status != "" {
		if StatusLabel(f.Status) == f.Status {
			fields.Add("status", "Trạng thái phải là một mã từ 01 đến 06.")
		}
		where = append(where, "d.status = "+a.Add(f.Status))
	}
	if f.AssigneeUserID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM assignments x WHERE x.document_id = d.id AND x.assignee_user_id = "+a.Add(f.AssigneeUserID)+")")
	}
	if f.Overdue {
		where = append(where, "d.due_date < current_date AND d.status <> '06'")
	}
	if f.Extra != nil {
		where = append(where, "("+f.Extra(a)+")")
	}
	return where, fields.Err()
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, vnZone)
}

func encodeListCursor(c listCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeListCursor(s string) (listCursor, error) {
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
