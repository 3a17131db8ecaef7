package routing

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
)

// Inboxes of a person.
const (
	BoxAwaitingDirection = "cho_y_kien" // presented to me, waiting for my direction
	BoxToDo              = "cho_xu_ly"  // assigned to me (or my unit, for its leaders), not yet accepted
	BoxInProgress        = "dang_xu_ly" // accepted, or passed on within my unit
	BoxOverdue           = "qua_han"    // past the deadline, still open
	BoxForInfo           = "de_biet"    // for my information, not yet acknowledged
	BoxDone              = "hoan_thanh" // finished by me or my unit
)

// Box is an inbox with its Vietnamese name.
type Box struct{ Key, Label string }

// Boxes lists the inboxes in the order screens show them.
var Boxes = []Box{
	{BoxAwaitingDirection, "Chờ cho ý kiến"},
	{BoxToDo, "Chờ xử lý"},
	{BoxInProgress, "Đang xử lý"},
	{BoxOverdue, "Quá hạn"},
	{BoxForInfo, "Để biết"},
	{BoxDone, "Đã hoàn thành"},
}

// BoxLabel is the Vietnamese name of a box.
func BoxLabel(key string) string {
	for _, b := range Boxes {
		if b.Key == key {
			return b.Label
		}
	}
	return key
}

func errBox() error {
	return apperr.Invalid("Hộp văn bản không hợp lệ.", map[string]string{
		"box": "Hộp văn bản phải là một trong: cho_y_kien, cho_xu_ly, dang_xu_ly, qua_han, de_biet, hoan_thanh."})
}

// leaderUnits are the units whose assignments sub handles as a leader.
func leaderUnits(sub access.Subject) []int64 {
	units := []int64{}
	for _, m := range sub.Memberships {
		if m.Role == identity.RoleLeader {
			units = append(units, m.UnitID)
		}
	}
	return units
}

// mine says an assignment (alias x) is sub's: to them, or to a unit they
// lead.
func mine(sub access.Subject, a *postgres.Args) string {
	return fmt.Sprintf("(x.assignee_user_id = %s OR x.assignee_unit_id = ANY(%s::bigint[]))", a.Add(sub.UserID), a.Add(leaderUnits(sub)))
}

func hasMine(sub access.Subject, a *postgres.Args, cond string) string {
	return "EXISTS (SELECT 1 FROM assignments x WHERE x.document_id = d.id AND " + mine(sub, a) + " AND " + cond + ")"
}

// candidates narrows a query to the documents sub is involved in (an
// assignment to them or a unit they lead, or presented to them), so the
// inboxes read a person's few documents, not the whole table.
func candidates(sub access.Subject, a *postgres.Args) string {
	return "d.id IN (SELECT x.document_id FROM assignments x WHERE " + mine(sub, a) +
		" UNION ALL SELECT p.id FROM documents p WHERE p.presented_to = " + a.Add(sub.UserID) + ")"
}

// BoxPredicate is the SQL condition (on documents d) of one of sub's
// inboxes on day today, for any list that wants it; visibility is not
// included (combine it with documents.Visible).
func BoxPredicate(sub access.Subject, box string, today time.Time) (postgres.Predicate, error) {
	today = dateOf(today)
	switch box {
	case BoxAwaitingDirection:
		return func(a *postgres.Args) string {
			return "(d.presented_to = " + a.Add(sub.UserID) + " AND d.status = '03')"
		}, nil
	case BoxToDo:
		return func(a *postgres.Args) string {
			return hasMine(sub, a, "x.role <> 'inform' AND x.status = 'assigned'")
		}, nil
	case BoxInProgress:
		return func(a *postgres.Args) string {
			return hasMine(sub, a, "x.role <> 'inform' AND x.status IN ('in_progress', 'reassigned')")
		}, nil
	case BoxOverdue:
		return func(a *postgres.Args) string {
			t := a.Add(today) + "::date"
			return "(" + hasMine(sub, a, "x.role <> 'inform' AND x.status IN ('assigned', 'in_progress', 'reassigned') AND x.deadline < "+t) +
				" OR (d.due_date < " + t + " AND d.status IN ('03', '04', '05') AND (d.presented_to = " + a.Add(sub.UserID) +
				" OR " + hasMine(sub, a, "x.status IN ('assigned', 'in_progress', 'reassigned')") + ")))"
		}, nil
	case BoxForInfo:
		return func(a *postgres.Args) string {
			return hasMine(sub, a, "x.role = 'inform' AND x.status IN ('assigned', 'in_progress')")
		}, nil
	case BoxDone:
		return func(a *postgres.Args) string {
			return hasMine(sub, a, "x.status = 'done'")
		}, nil
	}
	return nil, errBox()
}

// InboxItem is a document in an inbox with the person's part in it.
type InboxItem struct {
	documents.Item
	// Deadline is the earliest deadline of the person's open parts.
	Deadline *time.Time `db:"deadline"`
	// Roles are the person's roles (lead, cooperate, inform) in it.
	Roles []string `db:"roles"`
}

// Overdue reports whether the person's part or the document is late.
func (it InboxItem) Overdue(today time.Time) bool {
	return it.Deadline != nil && it.Deadline.Before(dateOf(today)) || it.Item.Overdue(today)
}

// InboxPage is one page of an inbox, newest arrivals first.
type InboxPage struct {
	Items      []InboxItem
	NextCursor string
}

type inboxCursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// Inbox lists one of sub's inboxes with keyset pagination (limit 1–200,
// default 50), filtered in SQL and by visibility.
func (s *Service) Inbox(ctx context.Context, sub access.Subject, box, cursor string, limit int) (InboxPage, error) {
	pred, err := BoxPredicate(sub, box, Today())
	if err != nil {
		return InboxPage{}, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var a postgres.Args
	where := []string{candidates(sub, &a), pred(&a), documents.Visible(sub)(&a)}
	if cursor != "" {
		var c inboxCursor
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil {
			return InboxPage{}, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
		}
		where = append(where, fmt.Sprintf("(coalesce(d.arrived_at, d.created_at), d.id) < (%s::timestamptz, %s)", a.Add(c.At), a.Add(c.ID)))
	}
	open := "x.status IN ('assigned', 'in_progress', 'reassigned')"
	sql := `SELECT d.id, d.arrival_number, d.arrived_at, d.status, d.type_name, d.symbol, d.code_number, d.code_notation, d.issued_date,
		d.organ_name, d.subject, d.priority, d.confidentiality, d.due_date, un.name AS unit_name, rg.name AS register_name,
		(SELECT min(x.deadline) FROM assignments x WHERE x.document_id = d.id AND ` + mine(sub, &a) + ` AND ` + open + `) AS deadline,
		coalesce((SELECT array_agg(DISTINCT x.role ORDER BY x.role) FROM assignments x WHERE x.document_id = d.id AND ` + mine(sub, &a) + `), '{}') AS roles,
		coalesce(d.arrived_at, d.created_at) AS sort_key
		FROM documents d JOIN units un ON un.id = d.unit_id LEFT JOIN registers rg ON rg.id = d.register_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY sort_key DESC, d.id DESC LIMIT ` + a.Add(limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return InboxPage{}, fmt.Errorf("inbox %s: %w", box, err)
	}
	type row struct {
		InboxItem
		SortKey time.Time `db:"sort_key"`
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return InboxPage{}, fmt.Errorf("inbox %s: %w", box, err)
	}
	page := InboxPage{Items: []InboxItem{}}
	for i, it := range items {
		if i == limit {
			last := items[i-1]
			b, _ := json.Marshal(inboxCursor{At: last.SortKey, ID: last.ID})
			page.NextCursor = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		page.Items = append(page.Items, it.InboxItem)
	}
	return page, nil
}

// InboxCounts counts the documents in each of sub's inboxes, in one query.
func (s *Service) InboxCounts(ctx context.Context, sub access.Subject) (map[string]int, error) {
	var a postgres.Args
	today := Today()
	cols := make([]string, len(Boxes))
	anyOf := make([]string, len(Boxes))
	for i, b := range Boxes {
		pred, err := BoxPredicate(sub, b.Key, today)
		if err != nil {
			return nil, err
		}
		p := pred(&a)
		cols[i] = "count(*) FILTER (WHERE " + p + ")"
		anyOf[i] = p
	}
	sql := `SELECT ` + strings.Join(cols, ", ") + ` FROM documents d WHERE ` + candidates(sub, &a) +
		` AND (` + strings.Join(anyOf, " OR ") + `) AND ` + documents.Visible(sub)(&a)
	counts := make([]int, len(Boxes))
	dst := make([]any, len(Boxes))
	for i := range counts {
		dst[i] = &counts[i]
	}
	if err := s.db.QueryRow(ctx, sql, a.Values()...).Scan(dst...); err != nil {
		return nil, fmt.Errorf("inbox counts: %w", err)
	}
	out := make(map[string]int, len(Boxes))
	for i, b := range Boxes {
		out[b.Key] = counts[i]
	}
	return out, nil
}
