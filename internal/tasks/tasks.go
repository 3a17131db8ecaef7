// Package tasks is giving and tracking work (giao việc, domain §9): an
// assigner gives a task to one lead (chủ trì) and any cooperating
// (phối hợp) assignees, people or units, with a deadline counted in
// working days on the official calendar; assignees report progress with
// notes and files, ask for extensions the assigner decides, and report
// completion, which the assigner accepts or returns. Tasks come from a
// leader's direction on a document, from a directing document (a
// resolution, directive or conclusion whose implementation is tracked), or
// stand alone, and may have subtasks. Near-due and overdue tasks escalate
// to the assigner once each (escalate.go); a merge carries open tasks to
// the successor unit (mergehook.go).
//
// Visibility (visible.go): the assigner, the assignees (a person; the
// members of an assigned unit and the leaders above it), the leaders above
// the assigning unit and above a person assigned, and people granted the
// task. Anyone else gets ErrNotFound, the same answer as for a task that
// does not exist.
package tasks

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// WorkingDays counts deadlines on the working-day calendar
// (calendar.Calendar implements it).
type WorkingDays interface {
	AddWorkingDays(ctx context.Context, start time.Time, n int) (time.Time, error)
}

// Service gives and tracks tasks.
type Service struct {
	db    *pgxpool.Pool
	store *objectstore.Store
	days  WorkingDays
}

// New wires the tasks capability.
func New(db *pgxpool.Pool, store *objectstore.Store, days WorkingDays) *Service {
	return &Service{db: db, store: store, days: days}
}

// Sources of a task.
const (
	SourceStandalone = "standalone"
	SourceDirection  = "direction"
	SourceDirecting  = "directing"
)

// Assignee roles.
const (
	RoleLead      = "lead"
	RoleCooperate = "cooperate"
)

// States of a task.
const (
	StatusNew        = "new"
	StatusInProgress = "in_progress"
	StatusReturned   = "returned"  // completion returned by the assigner: open again
	StatusCompleted  = "completed" // reported done, awaiting the assigner's acceptance
	StatusAccepted   = "accepted"
	StatusCancelled  = "cancelled"
)

// Statuses lists the states in the order boards show them.
var Statuses = []string{StatusNew, StatusInProgress, StatusReturned, StatusCompleted, StatusAccepted, StatusCancelled}

// openStatuses are the states in which the assignees still owe work.
var openStatuses = []string{StatusNew, StatusInProgress, StatusReturned}

// openSQL is openStatuses for a task aliased t.
const openSQL = "t.status IN ('new', 'in_progress', 'returned')"

// StatusLabel is the Vietnamese name of a state.
func StatusLabel(s string) string {
	switch s {
	case StatusNew:
		return "Mới giao"
	case StatusInProgress:
		return "Đang thực hiện"
	case StatusReturned:
		return "Bị trả lại"
	case StatusCompleted:
		return "Chờ nghiệm thu"
	case StatusAccepted:
		return "Hoàn thành"
	case StatusCancelled:
		return "Đã hủy"
	}
	return s
}

// ValidStatus reports whether s is a state.
func ValidStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Priorities in increasing urgency.
var Priorities = []string{"low", "normal", "high", "urgent"}

// PriorityLabel is the Vietnamese name of a priority.
func PriorityLabel(p string) string {
	switch p {
	case "low":
		return "Thấp"
	case "normal":
		return "Bình thường"
	case "high":
		return "Cao"
	case "urgent":
		return "Khẩn"
	}
	return p
}

// RoleLabel is the Vietnamese name of an assignee role.
func RoleLabel(r string) string {
	switch r {
	case RoleLead:
		return "Chủ trì"
	case RoleCooperate:
		return "Phối hợp"
	}
	return r
}

// SourceLabel is the Vietnamese name of where a task comes from.
func SourceLabel(s string) string {
	switch s {
	case SourceDirection:
		return "Ý kiến chỉ đạo"
	case SourceDirecting:
		return "Văn bản chỉ đạo"
	case SourceStandalone:
		return "Giao trực tiếp"
	}
	return s
}

// Task is a task with its assigner and source.
type Task struct {
	ID             int64      `db:"id" json:"id"`
	UnitID         int64      `db:"unit_id" json:"unit_id"`
	UnitName       string     `db:"unit_name" json:"unit_name"`
	ParentID       *int64     `db:"parent_id" json:"parent_id"`
	ParentTitle    *string    `db:"parent_title" json:"-"`
	Source         string     `db:"source" json:"source"`
	DocumentID     *int64     `db:"document_id" json:"document_id"`
	DirectionID    *int64     `db:"direction_id" json:"direction_id"`
	Title          string     `db:"title" json:"title"`
	Description    string     `db:"description" json:"description"`
	Priority       string     `db:"priority" json:"priority"`
	Status         string     `db:"status" json:"status"`
	StartDate      time.Time  `db:"start_date" json:"-"`
	DueDate        time.Time  `db:"due_date" json:"-"`
	WorkingDays    *int       `db:"working_days" json:"working_days"`
	Progress       int        `db:"progress" json:"progress"`
	AssignerID     int64      `db:"assigner_id" json:"assigner_id"`
	AssignerName   string     `db:"assigner_name" json:"assigner_name"`
	Result         string     `db:"result" json:"result"`
	ReturnReason   string     `db:"return_reason" json:"return_reason"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
	CompletedAt    *time.Time `db:"completed_at" json:"completed_at"`
	AcceptedAt     *time.Time `db:"accepted_at" json:"accepted_at"`
	CancelledAt    *time.Time `db:"cancelled_at" json:"cancelled_at"`
	Assignees      []Assignee `db:"-" json:"assignees"`
	PendingRequest *Extension `db:"-" json:"pending_extension"`
}

// Open reports whether the assignees still owe work.
func (t Task) Open() bool { return isOpen(t.Status) }

func isOpen(status string) bool {
	return status == StatusNew || status == StatusInProgress || status == StatusReturned
}

// Overdue reports whether an open task is past its due date on day today.
func (t Task) Overdue(today time.Time) bool { return t.Open() && t.DueDate.Before(dateOf(today)) }

// Lead is the lead assignee (zero when not loaded).
func (t Task) Lead() Assignee {
	for _, a := range t.Assignees {
		if a.Role == RoleLead {
			return a
		}
	}
	return Assignee{}
}

// Assignee is a person's or unit's part in a task.
type Assignee struct {
	ID     int64  `db:"id" json:"-"`
	UserID *int64 `db:"user_id" json:"user_id,omitempty"`
	UnitID *int64 `db:"unit_id" json:"unit_id,omitempty"`
	Name   string `db:"name" json:"name"`
	Role   string `db:"role" json:"role"`
}

// Target names a person or a unit (exactly one) to assign.
type Target struct {
	UserID int64
	UnitID int64
}

func (a Target) valid() bool { return (a.UserID == 0) != (a.UnitID == 0) }

func (a Target) key() string {
	if a.UserID != 0 {
		return fmt.Sprintf("user:%d", a.UserID)
	}
	return fmt.Sprintf("unit:%d", a.UnitID)
}

// Update is a progress report.
type Update struct {
	ID         int64     `db:"id" json:"id"`
	AuthorID   int64     `db:"author_id" json:"author_id"`
	AuthorName string    `db:"author_name" json:"author_name"`
	Role       string    `db:"role" json:"role"`
	Percent    *int      `db:"percent" json:"percent"`
	Note       string    `db:"note" json:"note"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	Files      []File    `db:"-" json:"files"`
}

// File is a file attached to a task.
type File struct {
	ID          int64     `db:"id" json:"id"`
	UpdateID    *int64    `db:"update_id" json:"-"`
	Name        string    `db:"name" json:"name"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	ContentType string    `db:"content_type" json:"content_type"`
	ObjectKey   string    `db:"object_key" json:"-"`
	CreatedAt   time.Time `db:"created_at" json:"-"`
}

// Extension is a request to move the due date.
type Extension struct {
	ID              int64      `db:"id" json:"id"`
	RequestedBy     int64      `db:"requested_by" json:"requested_by"`
	RequestedByName string     `db:"requested_by_name" json:"requested_by_name"`
	OldDue          time.Time  `db:"old_due" json:"-"`
	RequestedDue    time.Time  `db:"requested_due" json:"-"`
	Reason          string     `db:"reason" json:"reason"`
	Status          string     `db:"status" json:"status"`
	DecidedBy       *int64     `db:"decided_by" json:"decided_by"`
	DecidedByName   *string    `db:"decided_by_name" json:"decided_by_name"`
	DecidedAt       *time.Time `db:"decided_at" json:"decided_at"`
	DecisionNote    string     `db:"decision_note" json:"decision_note"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
}

// ExtensionStatusLabel is the Vietnamese name of a request's state.
func ExtensionStatusLabel(s string) string {
	switch s {
	case "pending":
		return "Chờ quyết định"
	case "approved":
		return "Đã đồng ý"
	case "rejected":
		return "Không đồng ý"
	}
	return s
}

// Event is one entry of a task's timeline.
type Event struct {
	ID        int64          `db:"id" json:"id"`
	At        time.Time      `db:"at" json:"at"`
	ActorID   *int64         `db:"actor_id" json:"actor_id"`
	ActorName *string        `db:"actor_name" json:"actor_name"`
	Kind      string         `db:"kind" json:"kind"`
	Details   map[string]any `db:"details" json:"details"`
}

// EventLabel is the Vietnamese name of a timeline entry.
func EventLabel(kind string) string {
	switch kind {
	case "created":
		return "Giao việc"
	case "progress":
		return "Cập nhật tiến độ"
	case "extension_requested":
		return "Xin gia hạn"
	case "extension_approved":
		return "Đồng ý gia hạn"
	case "extension_rejected":
		return "Không đồng ý gia hạn"
	case "completed":
		return "Báo cáo hoàn thành"
	case "accepted":
		return "Nghiệm thu, hoàn thành"
	case "returned":
		return "Trả lại, yêu cầu làm tiếp"
	case "cancelled":
		return "Hủy việc"
	case "subtask_added":
		return "Thêm việc con"
	case "near_due":
		return "Nhắc sắp đến hạn"
	case "overdue":
		return "Báo quá hạn"
	case "moved":
		return "Chuyển sang đơn vị kế thừa"
	case "file_downloaded":
		return "Tải tệp"
	}
	return kind
}

// Limits.
const (
	MaxTitle       = 500
	MaxDescription = 10000
	MaxNote        = 5000
	MaxAssignees   = 100
	MaxFiles       = 20
)

// ErrNotFound is a task that does not exist or may not be seen.
var ErrNotFound = apperr.NotFound("Không tìm thấy công việc, hoặc bạn không có quyền xem công việc này.")

// dateOf is t's calendar date as 00:00 UTC (how pgx reads a date).
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is the current date in Vietnam, as 00:00 UTC.
func Today() time.Time { return vntime.Today() }

func vnZone() *time.Location { return vntime.Zone }

func taskLink(id int64) string { return fmt.Sprintf("/tasks/%d", id) }

// short cuts a title for a notification.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 120 {
		return string([]rune(s)[:119]) + "…"
	}
	return s
}

func trimText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

func addTaskEvent(ctx context.Context, q postgres.Querier, taskID, actorID int64, kind string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	if _, err := q.Exec(ctx, `INSERT INTO task_events (task_id, actor_id, kind, details) VALUES ($1, $2, $3, $4)`,
		taskID, actor, kind, details); err != nil {
		return fmt.Errorf("add %s event: %w", kind, err)
	}
	return nil
}

func ptr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
