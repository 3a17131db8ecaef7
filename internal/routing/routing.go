// Package routing is the handling of incoming documents after
// registration (domain §4): a clerk presents the document to a leader
// (trình), the leader writes a direction (bút phê) naming who leads
// (chủ trì), who cooperates (phối hợp) and who is informed (để biết), with
// a deadline in working days; a unit leader passes their unit's part to a
// handler (giao lại); assignees accept, report progress, complete or
// return; inboxes, reminders and notifications keep everyone on time.
//
// Document states follow the exchange codes: 03 registered (and back to 03
// when the lead returns it), 04 assigned, 05 in progress, 06 done. Only the
// lead chain decides completion; cooperating and informed assignees never
// block it.
//
// People outside the owning unit see the document through grants
// (object_type 'document', permission 'view') added for every assignee.
package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// WorkingDays counts deadlines on the working-day calendar
// (calendar.Calendar implements it).
type WorkingDays interface {
	AddWorkingDays(ctx context.Context, start time.Time, n int) (time.Time, error)
}

// Service presents, directs and tracks documents.
type Service struct {
	db   *pgxpool.Pool
	docs *documents.Service
	days WorkingDays
}

// New wires the routing capability.
func New(db *pgxpool.Pool, docs *documents.Service, days WorkingDays) *Service {
	return &Service{db: db, docs: docs, days: days}
}

// Assignment roles.
const (
	RoleLead      = "lead"
	RoleCooperate = "cooperate"
	RoleInform    = "inform"
)

// Assignment states.
const (
	StatusAssigned   = "assigned"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusReturned   = "returned"
	StatusReassigned = "reassigned"
)

// RoleLabel is the Vietnamese name of an assignment role.
func RoleLabel(role string) string {
	switch role {
	case RoleLead:
		return "Chủ trì"
	case RoleCooperate:
		return "Phối hợp"
	case RoleInform:
		return "Để biết"
	}
	return role
}

// StatusLabel is the Vietnamese name of an assignment state.
func StatusLabel(status string) string {
	switch status {
	case StatusAssigned:
		return "Chờ xử lý"
	case StatusInProgress:
		return "Đang xử lý"
	case StatusDone:
		return "Hoàn thành"
	case StatusReturned:
		return "Đã trả lại"
	case StatusReassigned:
		return "Đã giao lại"
	}
	return status
}

// Closing results of a document finished without assignments.
const (
	CloseFile   = "luu_ho_so" // Lưu hồ sơ
	CloseNoted  = "de_biet"   // Để biết
	maxBody     = 5000
	maxNote     = 2000
	maxAssignee = 100
)

// CloseLabel is the Vietnamese result of a closing.
func CloseLabel(kind string) string {
	switch kind {
	case CloseFile:
		return "Lưu hồ sơ"
	case CloseNoted:
		return "Để biết"
	}
	return kind
}

// Assignee is a person or a unit (exactly one of the two).
type Assignee struct {
	UserID int64 `json:"user_id,omitempty"`
	UnitID int64 `json:"unit_id,omitempty"`
}

func (a Assignee) empty() bool { return a.UserID == 0 && a.UnitID == 0 }
func (a Assignee) valid() bool { return (a.UserID == 0) != (a.UnitID == 0) }

func (a Assignee) key() string {
	if a.UserID != 0 {
		return fmt.Sprintf("user:%d", a.UserID)
	}
	return fmt.Sprintf("unit:%d", a.UnitID)
}

// Direction is a leader's written direction with what it assigned.
type Direction struct {
	ID          int64        `db:"id" json:"id"`
	DocumentID  int64        `db:"document_id" json:"document_id"`
	AuthorID    int64        `db:"author_id" json:"author_id"`
	AuthorName  string       `db:"author_name" json:"author_name"`
	Body        string       `db:"body" json:"body"`
	Deadline    *time.Time   `db:"deadline" json:"deadline"`
	CreatedAt   time.Time    `db:"created_at" json:"created_at"`
	Assignments []Assignment `db:"-" json:"assignments"`
	// Reassignment is a unit leader's note when passing their unit's part
	// on; such directions show under the assignment they refine.
	Reassignment bool `db:"-" json:"-"`
}

// Assignment is one person's or unit's part in handling a document.
type Assignment struct {
	ID              int64      `db:"id" json:"id"`
	DocumentID      int64      `db:"document_id" json:"document_id"`
	DirectionID     *int64     `db:"direction_id" json:"direction_id"`
	ParentID        *int64     `db:"parent_id" json:"parent_id"`
	AssigneeUserID  *int64     `db:"assignee_user_id" json:"assignee_user_id"`
	AssigneeUnitID  *int64     `db:"assignee_unit_id" json:"assignee_unit_id"`
	AssigneeName    string     `db:"assignee_name" json:"assignee_name"`
	Role            string     `db:"role" json:"role"`
	Status          string     `db:"status" json:"status"`
	Deadline        *time.Time `db:"deadline" json:"deadline"`
	Progress        int        `db:"progress" json:"progress"`
	ProgressNote    string     `db:"progress_note" json:"progress_note"`
	Result          string     `db:"result" json:"result"`
	ReplyDocumentID *int64     `db:"reply_document_id" json:"reply_document_id"`
	ReturnReason    string     `db:"return_reason" json:"return_reason"`
	AssignedBy      *int64     `db:"assigned_by" json:"assigned_by"`
	AssignedByName  *string    `db:"assigned_by_name" json:"assigned_by_name"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	AcceptedAt      *time.Time `db:"accepted_at" json:"accepted_at"`
	CompletedAt     *time.Time `db:"completed_at" json:"completed_at"`
	// Note is the direction a unit leader wrote when re-assigning.
	Note     string       `db:"-" json:"note,omitempty"`
	Children []Assignment `db:"-" json:"children,omitempty"`
}

// Open reports whether the assignment still awaits its assignee.
func (a Assignment) Open() bool { return a.Status == StatusAssigned || a.Status == StatusInProgress }

// Overdue reports whether an open assignment is past its deadline.
func (a Assignment) Overdue(today time.Time) bool {
	return (a.Open() || a.Status == StatusReassigned) && a.Deadline != nil && a.Deadline.Before(dateOf(today))
}

const assignmentColumns = `a.id, a.document_id, a.direction_id, a.parent_id, a.assignee_user_id, a.assignee_unit_id,
	coalesce(au.full_name, an.name, '') AS assignee_name, a.role, a.status, a.deadline, a.progress, a.progress_note,
	a.result, a.reply_document_id, a.return_reason, a.assigned_by, ab.full_name AS assigned_by_name,
	a.created_at, a.accepted_at, a.completed_at`

const assignmentFrom = ` FROM assignments a
	LEFT JOIN users au ON au.id = a.assignee_user_id
	LEFT JOIN units an ON an.id = a.assignee_unit_id
	LEFT JOIN users ab ON ab.id = a.assigned_by `

// ErrAssignmentNotFound is an assignment that does not exist or whose
// document the caller may not see.
var ErrAssignmentNotFound = apperr.NotFound("Không tìm thấy việc được giao, hoặc bạn không có quyền xem văn bản này.")

var vnZone = vntime.Zone

// dateOf is t's calendar date as 00:00 UTC (how pgx reads a date).
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is the current date in Vietnam, as 00:00 UTC.
func Today() time.Time { return dateOf(time.Now().In(vnZone)) }

func docLink(id int64) string { return fmt.Sprintf("/documents/%d", id) }

// short cuts a subject for a notification title.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 120 {
		return string([]rune(s)[:119]) + "…"
	}
	return s
}

func addEvent(ctx context.Context, q postgres.Querier, docID, actorID int64, kind string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	_, err := q.Exec(ctx, `INSERT INTO document_events (document_id, actor_id, kind, details) VALUES ($1, $2, $3, $4)`,
		docID, actor, kind, details)
	if err != nil {
		return fmt.Errorf("add %s event: %w", kind, err)
	}
	return nil
}

func record(ctx context.Context, tx pgx.Tx, actor audit.Actor, action string, docID int64, details map[string]any) error {
	return audit.Record(ctx, tx, actor.Entry(action, "document", fmt.Sprint(docID), details))
}

// lockDocument locks the document row for a state change and returns its
// status, owning unit, subject and presentee.
type lockedDoc struct {
	ID              int64
	UnitID          int64
	Status          string
	Subject         string
	PresentedTo     *int64
	Confidentiality identity.Clearance
}

// errRecalled refuses any handling of a copy its sender recalled.
func errRecalled(at time.Time) error {
	return apperr.Conflict(fmt.Sprintf("Văn bản đã bị nơi gửi thu hồi (lúc %s): không trình, chỉ đạo, phân công hay xử lý tiếp được nữa.",
		at.In(vnZone).Format("15:04 02/01/2006")))
}

// lockDocument locks the document row for a state change. Every handling
// action goes through it, so a recalled copy (frozen) is refused here.
func lockDocument(ctx context.Context, tx pgx.Tx, id int64) (lockedDoc, error) {
	d := lockedDoc{ID: id}
	var recalled *time.Time
	err := tx.QueryRow(ctx, `SELECT unit_id, status, subject, presented_to, confidentiality, recalled_at FROM documents WHERE id = $1 FOR UPDATE`, id).
		Scan(&d.UnitID, &d.Status, &d.Subject, &d.PresentedTo, &d.Confidentiality, &recalled)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, documents.ErrNotFound
	}
	if err == nil && recalled != nil {
		return d, errRecalled(*recalled)
	}
	return d, err
}

func getAssignment(ctx context.Context, q postgres.Querier, id int64, lock bool) (Assignment, error) {
	sql := `SELECT ` + assignmentColumns + assignmentFrom + `WHERE a.id = $1`
	if lock {
		sql += ` FOR UPDATE OF a`
	}
	rows, _ := q.Query(ctx, sql, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Assignment])
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrAssignmentNotFound
	}
	if err != nil {
		return a, fmt.Errorf("read assignment %d: %w", id, err)
	}
	return a, nil
}

// Assignment returns an assignment whose document sub may see, with that
// document; otherwise ErrAssignmentNotFound.
func (s *Service) Assignment(ctx context.Context, sub access.Subject, id int64) (Assignment, documents.Document, error) {
	a, err := getAssignment(ctx, s.db, id, false)
	if err != nil {
		return a, documents.Document{}, err
	}
	doc, err := s.docs.Get(ctx, sub, a.DocumentID)
	if errors.Is(err, documents.ErrNotFound) {
		return Assignment{}, doc, ErrAssignmentNotFound
	}
	return a, doc, err
}

// recipients are the people who act for an assignee: the person, or the
// leaders of the unit (its clerks when it has no leader).
func recipients(ctx context.Context, q postgres.Querier, userID, unitID *int64) ([]int64, error) {
	if userID != nil {
		return []int64{*userID}, nil
	}
	if unitID == nil {
		return nil, nil
	}
	rows, _ := q.Query(ctx, `
		WITH r AS (
			SELECT m.user_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.unit_id = $1 AND m.role IN ('leader', 'clerk') AND u.disabled_at IS NULL
		)
		SELECT DISTINCT user_id FROM r
		WHERE role = 'leader' OR NOT EXISTS (SELECT 1 FROM r WHERE role = 'leader')
		ORDER BY user_id`, *unitID)
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// notifyAssignee notifies whoever acts for an assignee, except skip.
func notifyAssignee(ctx context.Context, q postgres.Querier, userID, unitID *int64, skip int64, kind, title, link string) error {
	ids, err := recipients(ctx, q, userID, unitID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == skip {
			continue
		}
		if _, err := notify.Create(ctx, q, id, kind, title, link); err != nil {
			return err
		}
	}
	return nil
}

// CanHandle reports whether sub acts for the assignee of a: the person
// themselves, or a leader of the assigned unit.
func CanHandle(sub access.Subject, a Assignment) bool {
	if a.AssigneeUserID != nil {
		return *a.AssigneeUserID == sub.UserID
	}
	return a.AssigneeUnitID != nil && sub.HasRole(*a.AssigneeUnitID, identity.RoleLeader)
}

// CanReassign reports whether sub may pass a unit's open assignment to a
// person of the unit.
func CanReassign(sub access.Subject, a Assignment) bool {
	return a.AssigneeUnitID != nil && a.Open() && sub.HasRole(*a.AssigneeUnitID, identity.RoleLeader)
}

// CanPresent reports whether sub may present doc: a clerk of the owning
// unit, while the document is registered and not yet directed.
func CanPresent(sub access.Subject, doc documents.Document) bool {
	return doc.Status == documents.StatusRegistered && doc.RecalledAt == nil && sub.HasRole(doc.UnitID, identity.RoleClerk)
}

// CanDirect reports whether sub may direct doc: a leader of the owning
// unit or the person it was presented to, while it is registered.
func CanDirect(sub access.Subject, doc documents.Document) bool {
	if doc.Status != documents.StatusRegistered || doc.RecalledAt != nil {
		return false
	}
	return sub.HasRole(doc.UnitID, identity.RoleLeader) || (doc.PresentedTo != nil && *doc.PresentedTo == sub.UserID)
}

func trimBody(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
