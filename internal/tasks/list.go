package tasks

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
	"vanthu/internal/platform/postgres"
)

// Tabs of the task list.
const (
	TabMine   = "mine"   // I act for an assignee: me, or a unit I lead
	TabUnit   = "unit"   // assigned to my units or to people in them
	TabGiven  = "given"  // I gave them
	TabReview = "review" // waiting for my decision: completion to accept, extension to decide
	TabOver   = "overdue"
	TabAll    = "all" // everything I may see
)

// Tab is a list tab with its Vietnamese name and hint.
type Tab struct{ Key, Label, Hint string }

// Tabs lists the tabs in the order pages show them.
var Tabs = []Tab{
	{TabMine, "Việc của tôi", "Việc giao cho bạn hoặc cho đơn vị bạn lãnh đạo."},
	{TabUnit, "Việc của đơn vị", "Việc giao cho đơn vị của bạn hoặc cho người trong đơn vị."},
	{TabGiven, "Việc tôi giao", "Việc bạn đã giao."},
	{TabReview, "Chờ tôi duyệt", "Việc bạn giao đã báo cáo hoàn thành chờ nghiệm thu, hoặc có đề nghị gia hạn chờ quyết định."},
	{TabOver, "Quá hạn", "Việc của bạn, của đơn vị hoặc bạn giao đã quá hạn mà chưa hoàn thành."},
	{TabAll, "Tất cả", "Mọi công việc bạn được xem."},
}

// ValidTab reports whether key names a tab ("" is the default, mine).
func ValidTab(key string) bool {
	for _, t := range Tabs {
		if t.Key == key {
			return true
		}
	}
	return key == ""
}

// Sorts the list offers, with Vietnamese labels.
var Sorts = []struct{ Key, Label string }{
	{"due_asc", "Hạn gần nhất trước"},
	{"due_desc", "Hạn xa nhất trước"},
	{"created_desc", "Mới giao trước"},
	{"priority_desc", "Ưu tiên cao trước"},
	{"title_asc", "Tên công việc (A–Z)"},
}

// Filter selects tasks for the list, board, calendar, export and API.
type Filter struct {
	Tab            string
	Q              string
	Status         string // a state, or "open" for new, in progress and returned
	Priority       string
	Overdue        bool
	AssigneeUserID int64
	AssigneeUnitID int64
	AssignerID     int64
	Source         string
	DocumentID     int64
	ParentID       int64
	TopLevel       bool // only tasks that are not subtasks
	DueFrom, DueTo *time.Time
	Sort           string // due_asc (default), due_desc, created_desc, priority_desc, title_asc
	Cursor         string
	Limit          int // 1–500, default 50
	Today          time.Time
}

// Item is a task in a list.
type Item struct {
	ID           int64      `db:"id"`
	ParentID     *int64     `db:"parent_id"`
	Source       string     `db:"source"`
	DocumentID   *int64     `db:"document_id"`
	Title        string     `db:"title"`
	Priority     string     `db:"priority"`
	Status       string     `db:"status"`
	StartDate    time.Time  `db:"start_date"`
	DueDate      time.Time  `db:"due_date"`
	Progress     int        `db:"progress"`
	AssignerID   int64      `db:"assigner_id"`
	AssignerName string     `db:"assigner_name"`
	UnitName     string     `db:"unit_name"`
	Lead         string     `db:"lead_name"`
	Cooperate    string     `db:"cooperate_names"`
	Subtasks     int        `db:"subtasks"`
	PendingExt   bool       `db:"pending_extension"`
	Result       string     `db:"result"`
	CompletedAt  *time.Time `db:"completed_at"`
	CreatedAt    time.Time  `db:"created_at"`
}

// Open reports whether the assignees still owe work.
func (it Item) Open() bool { return isOpen(it.Status) }

// Overdue reports whether the item is open past its due date on today.
func (it Item) Overdue(today time.Time) bool { return it.Open() && it.DueDate.Before(dateOf(today)) }

// Late reports whether the task was reported done after its due date.
func (it Item) Late() bool {
	return it.CompletedAt != nil && dateOf(it.CompletedAt.In(vnZone())).After(it.DueDate)
}

// Page is one page of a list.
type Page struct {
	Items      []Item
	NextCursor string
}

type listCursor struct {
	At time.Time `json:"t,omitzero"`
	N  int64     `json:"n,omitempty"`
	S  string    `json:"s,omitempty"`
	ID int64     `json:"i"`
}

const itemColumns = `t.id, t.parent_id, t.source, t.document_id, t.title, t.priority, t.status, t.start_date, t.due_date, t.progress,
	t.assigner_id, au.full_name AS assigner_name, un.name AS unit_name,
	coalesce((SELECT coalesce(u.full_name, n.name) FROM task_assignees ta LEFT JOIN users u ON u.id = ta.user_id
		LEFT JOIN units n ON n.id = ta.unit_id WHERE ta.task_id = t.id AND ta.role = 'lead'), '') AS lead_name,
	coalesce((SELECT string_agg(coalesce(u.full_name, n.name), ', ' ORDER BY ta.id) FROM task_assignees ta
		LEFT JOIN users u ON u.id = ta.user_id LEFT JOIN units n ON n.id = ta.unit_id
		WHERE ta.task_id = t.id AND ta.role = 'cooperate'), '') AS cooperate_names,
	(SELECT count(*) FROM tasks c WHERE c.parent_id = t.id AND c.status <> 'cancelled')::int AS subtasks,
	EXISTS (SELECT 1 FROM task_extensions e WHERE e.task_id = t.id AND e.status = 'pending') AS pending_extension,
	t.result, t.completed_at, t.created_at`

const itemFrom = ` FROM tasks t JOIN users au ON au.id = t.assigner_id JOIN units un ON un.id = t.unit_id `

// tabPredicate narrows to one tab.
func tabPredicate(sub access.Subject, tab string, today time.Time) (postgres.Predicate, error) {
	mine := func(a *postgres.Args) string {
		return fmt.Sprintf("EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id AND (x.user_id = %s OR x.unit_id = ANY(%s::bigint[])))",
			a.Add(sub.UserID), a.Add(leaderUnits(sub)))
	}
	unit := func(a *postgres.Args) string {
		units := a.Add(memberUnits(sub))
		return fmt.Sprintf(`EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id AND (x.unit_id = ANY(%[1]s::bigint[])
			OR EXISTS (SELECT 1 FROM memberships xm WHERE xm.user_id = x.user_id AND xm.unit_id = ANY(%[1]s::bigint[]))))`, units)
	}
	given := func(a *postgres.Args) string { return "t.assigner_id = " + a.Add(sub.UserID) }
	switch tab {
	case "", TabMine:
		return mine, nil
	case TabUnit:
		return unit, nil
	case TabGiven:
		return given, nil
	case TabReview:
		return func(a *postgres.Args) string {
			return "(" + given(a) + " AND (t.status = 'completed' OR EXISTS (SELECT 1 FROM task_extensions e WHERE e.task_id = t.id AND e.status = 'pending')))"
		}, nil
	case TabOver:
		return func(a *postgres.Args) string {
			return "(" + openSQL + " AND t.due_date < " + a.Add(dateOf(today)) + "::date AND (" + mine(a) + " OR " + unit(a) + " OR " + given(a) + "))"
		}, nil
	case TabAll:
		return postgres.True, nil
	}
	return nil, apperr.Invalid("Nhóm công việc không hợp lệ.", map[string]string{"tab": "Nhóm phải là một trong: mine, unit, given, review, overdue, all."})
}

// where builds the conditions of f (visibility included).
func (f Filter) where(ctx context.Context, q postgres.Querier, sub access.Subject, a *postgres.Args) ([]string, error) {
	vis, err := Visible(ctx, q, sub)
	if err != nil {
		return nil, err
	}
	today := f.Today
	if today.IsZero() {
		today = Today()
	}
	tab, err := tabPredicate(sub, f.Tab, today)
	if err != nil {
		return nil, err
	}
	where := []string{vis(a), tab(a)}
	fields := apperr.Fields{}
	switch {
	case f.Status == "":
	case f.Status == "open":
		where = append(where, openSQL)
	case ValidStatus(f.Status):
		where = append(where, "t.status = "+a.Add(f.Status))
	default:
		fields.Add("status", "Trạng thái không hợp lệ.")
	}
	if f.Priority != "" {
		valid := false
		for _, p := range Priorities {
			valid = valid || p == f.Priority
		}
		if !valid {
			fields.Add("priority", "Độ ưu tiên không hợp lệ.")
		}
		where = append(where, "t.priority = "+a.Add(f.Priority))
	}
	if f.Overdue {
		where = append(where, openSQL+" AND t.due_date < "+a.Add(dateOf(today))+"::date")
	}
	if f.AssigneeUserID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id AND x.user_id = "+a.Add(f.AssigneeUserID)+")")
	}
	if f.AssigneeUnitID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM task_assignees x WHERE x.task_id = t.id AND x.unit_id = "+a.Add(f.AssigneeUnitID)+")")
	}
	if f.AssignerID != 0 {
		where = append(where, "t.assigner_id = "+a.Add(f.AssignerID))
	}
	if f.Source != "" {
		if f.Source != SourceStandalone && f.Source != SourceDirection && f.Source != SourceDirecting {
			fields.Add("source", "Nguồn giao việc không hợp lệ.")
		}
		where = append(where, "t.source = "+a.Add(f.Source))
	}
	if f.DocumentID != 0 {
		where = append(where, "t.document_id = "+a.Add(f.DocumentID))
	}
	if f.ParentID != 0 {
		where = append(where, "t.parent_id = "+a.Add(f.ParentID))
	}
	if f.TopLevel {
		where = append(where, "t.parent_id IS NULL")
	}
	if f.DueFrom != nil {
		where = append(where, "t.due_date >= "+a.Add(dateOf(*f.DueFrom))+"::date")
	}
	if f.DueTo != nil {
		where = append(where, "t.due_date <= "+a.Add(dateOf(*f.DueTo))+"::date")
	}
	if f.DueFrom != nil && f.DueTo != nil && f.DueTo.Before(*f.DueFrom) {
		fields.Add("due_to", "Ngày cuối phải sau ngày đầu.")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		p := a.Add(q)
		// The words as typed (with or without diacritics), or a task number.
		where = append(where, "(to_tsvector('simple', t.search_text) @@ plainto_tsquery('simple', vn_fold("+p+
			")) OR t.search_text LIKE '%' || vn_fold("+p+") || '%' OR t.id::text = ltrim("+p+", '#'))")
	}
	return where, fields.Err()
}

// List returns the tasks sub may see matching f, with keyset pagination.
func (s *Service) List(ctx context.Context, sub access.Subject, f Filter) (Page, error) {
	var a postgres.Args
	where, err := f.where(ctx, s.db, sub, &a)
	if err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var c *listCursor
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		var cur listCursor
		if err == nil {
			err = json.Unmarshal(b, &cur)
		}
		if err != nil {
			return Page{}, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
		}
		c = &cur
	}
	var order string
	switch f.Sort {
	case "", "due_asc":
		order = "t.due_date ASC, t.id ASC"
		if c != nil {
			where = append(where, fmt.Sprintf("(t.due_date, t.id) > (%s::date, %s)", a.Add(c.At), a.Add(c.ID)))
		}
	case "due_desc":
		order = "t.due_date DESC, t.id DESC"
		if c != nil {
			where = append(where, fmt.Sprintf("(t.due_date, t.id) < (%s::date, %s)", a.Add(c.At), a.Add(c.ID)))
		}
	case "created_desc":
		order = "t.created_at DESC, t.id DESC"
		if c != nil {
			where = append(where, fmt.Sprintf("(t.created_at, t.id) < (%s::timestamptz, %s)", a.Add(c.At), a.Add(c.ID)))
		}
	case "priority_desc":
		order = "t.priority_rank DESC, t.due_date ASC, t.id ASC"
		if c != nil {
			r, d, id := a.Add(c.N), a.Add(c.At), a.Add(c.ID)
			where = append(where, fmt.Sprintf("(t.priority_rank < %[1]s OR (t.priority_rank = %[1]s AND (t.due_date, t.id) > (%[2]s::date, %[3]s)))", r, d, id))
		}
	case "title_asc":
		order = "t.title ASC, t.id ASC"
		if c != nil {
			where = append(where, fmt.Sprintf("(t.title, t.id) > (%s COLLATE vi, %s)", a.Add(c.S), a.Add(c.ID)))
		}
	default:
		return Page{}, apperr.Invalid("Cách sắp xếp không hợp lệ.", map[string]string{"sort": "Cách sắp xếp không hợp lệ."})
	}
	sql := `SELECT ` + itemColumns + `, t.priority_rank` + itemFrom + `WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + a.Add(f.Limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return Page{}, fmt.Errorf("list tasks: %w", err)
	}
	type row struct {
		Item
		Rank int16 `db:"priority_rank"`
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return Page{}, fmt.Errorf("list tasks: %w", err)
	}
	page := Page{Items: []Item{}}
	for i, it := range items {
		if i == f.Limit {
			last := items[i-1]
			cur := listCursor{ID: last.ID}
			switch f.Sort {
			case "created_desc":
				cur.At = last.CreatedAt
			case "title_asc":
				cur.S = last.Title
			default:
				cur.At, cur.N = last.DueDate, int64(last.Rank)
			}
			b, _ := json.Marshal(cur)
			page.NextCursor = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		page.Items = append(page.Items, it.Item)
	}
	return page, nil
}

// Count counts the tasks matching f, stopping at limit.
func (s *Service) Count(ctx context.Context, sub access.Subject, f Filter, limit int) (int, error) {
	var a postgres.Args
	where, err := f.where(ctx, s.db, sub, &a)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM tasks t WHERE `+strings.Join(where, " AND ")+
		` LIMIT `+a.Add(limit)+`) x`, a.Values()...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count tasks: %w", err)
	}
	return n, nil
}

// StatusCounts counts the tasks matching f (its Status ignored) in each
// state, for the board's columns.
func (s *Service) StatusCounts(ctx context.Context, sub access.Subject, f Filter) (map[string]int, error) {
	f.Status = ""
	var a postgres.Args
	where, err := f.where(ctx, s.db, sub, &a)
	if err != nil {
		return nil, err
	}
	rows, _ := s.db.Query(ctx, `SELECT t.status, count(*)::int FROM tasks t WHERE `+strings.Join(where, " AND ")+` GROUP BY t.status`, a.Values()...)
	out := map[string]int{}
	var st string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error {
		out[st] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count tasks by status: %w", err)
	}
	return out, nil
}
