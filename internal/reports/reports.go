// Package reports is digital reporting (báo cáo số, domain §9): an upper
// unit sets report templates — a period (week, month, quarter, six months,
// year or ad hoc), a due-date rule, recipients (every unit of a level in its
// subtree, or a list), structured fields (numbers with units, text, tables,
// attachments) — in versions; periods open with their due dates and one
// submission per expected unit, which the unit drafts (saved as it types),
// sends up through its own leader, and resubmits when the upper unit's
// leader returns it with a comment, until it is accepted. The upper unit
// sees who submitted, who is late, reminds, and adds the figures up across
// units with comparison to the previous period.
//
// Access is decided by internal/access (ReportManagePredicate and
// friends): what a person may not see answers ErrNotFound.
package reports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// WorkingDays counts due dates on the working-day calendar
// (calendar.Calendar implements it).
type WorkingDays interface {
	AddWorkingDays(ctx context.Context, start time.Time, n int) (time.Time, error)
	IsWorkingDay(ctx context.Context, day time.Time) (bool, error)
}

// Service runs reporting.
type Service struct {
	db    *pgxpool.Pool
	store *objectstore.Store
	days  WorkingDays
	// Log records background failures; slog.Default when nil.
	Log *slog.Logger
	// Now is the clock (tests set it); time.Now when nil.
	Now func() time.Time
}

// New wires the reports capability.
func New(db *pgxpool.Pool, store *objectstore.Store, days WorkingDays) *Service {
	return &Service{db: db, store: store, days: days}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// today is the calendar day in Vietnam.
func (s *Service) today() time.Time { return vntime.DateOf(s.now()) }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Errors, in Vietnamese.
var (
	ErrTemplateNotFound   = apperr.NotFound("Không tìm thấy mẫu báo cáo, hoặc bạn không có quyền xem.")
	ErrPeriodNotFound     = apperr.NotFound("Không tìm thấy kỳ báo cáo, hoặc bạn không có quyền xem.")
	ErrSubmissionNotFound = apperr.NotFound("Không tìm thấy báo cáo, hoặc bạn không có quyền xem.")
	ErrNotManager         = apperr.Forbidden("Chỉ lãnh đạo, văn thư của đơn vị ban hành (hoặc Văn phòng của đơn vị) được quản lý mẫu báo cáo.")
	ErrNotFiller          = apperr.Forbidden("Chỉ lãnh đạo, văn thư, chuyên viên của đơn vị báo cáo được nhập báo cáo.")
	ErrNotDecider         = apperr.Forbidden("Chỉ lãnh đạo đơn vị ban hành (hoặc lãnh đạo Văn phòng) được chấp nhận hoặc trả lại báo cáo.")
	ErrNotEditable        = apperr.Conflict("Báo cáo đã gửi lên cấp trên nên không sửa được; chỉ sửa lại khi bị trả lại.")
)

// Submission states.
const (
	StatusPending          = "pending"           // chưa nộp (may hold a draft)
	StatusAwaitingApproval = "awaiting_approval" // chờ lãnh đạo đơn vị ký gửi
	StatusSubmitted        = "submitted"         // đã nộp, chờ cấp trên xem xét
	StatusReturned         = "returned"          // bị trả lại
	StatusAccepted         = "accepted"          // đã chấp nhận
)

// StatusLabel is the Vietnamese name of a state.
func StatusLabel(s string) string {
	switch s {
	case StatusPending:
		return "Chưa nộp"
	case StatusAwaitingApproval:
		return "Chờ lãnh đạo đơn vị duyệt"
	case StatusSubmitted:
		return "Đã nộp"
	case StatusReturned:
		return "Bị trả lại"
	case StatusAccepted:
		return "Đã chấp nhận"
	}
	return s
}

// editable reports whether the unit may still change the values.
func editable(status string) bool {
	return status == StatusPending || status == StatusAwaitingApproval || status == StatusReturned
}

// UnitRef names a unit.
type UnitRef struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// Event is one step in a submission's history.
type Event struct {
	ID        int64          `db:"id" json:"id"`
	At        time.Time      `db:"at" json:"at"`
	ActorID   *int64         `db:"actor_id" json:"actor_id"`
	ActorName *string        `db:"actor_name" json:"actor_name"`
	Kind      string         `db:"kind" json:"kind"`
	Revision  *int           `db:"revision" json:"revision"`
	Comment   string         `db:"comment" json:"comment"`
	Details   map[string]any `db:"details" json:"details"`
}

// EventLabel is the Vietnamese name of an event kind.
func EventLabel(kind string) string {
	switch kind {
	case "sent_for_approval":
		return "Trình lãnh đạo đơn vị"
	case "sent_back":
		return "Lãnh đạo đơn vị trả lại để sửa"
	case "submitted":
		return "Gửi báo cáo lên cấp trên"
	case "returned":
		return "Cấp trên trả lại"
	case "accepted":
		return "Cấp trên chấp nhận"
	case "reminded":
		return "Cấp trên nhắc nộp"
	}
	return kind
}

// cleanComment trims a comment and checks its length; required says
// whether it may be empty.
func cleanComment(c string, required bool, emptyMsg string) (string, error) {
	c = strings.TrimSpace(strings.ReplaceAll(c, "\r\n", "\n"))
	if c == "" && required {
		return "", apperr.Invalid(emptyMsg, map[string]string{"comment": emptyMsg})
	}
	if utf8.RuneCountInString(c) > 4000 {
		msg := "Ý kiến dài tối đa 4.000 ký tự."
		return "", apperr.Invalid(msg, map[string]string{"comment": msg})
	}
	return c, nil
}

func addEvent(ctx context.Context, q postgres.Querier, submissionID, actorID int64, kind string, revision *int, comment string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	_, err := q.Exec(ctx, `INSERT INTO report_events (submission_id, actor_id, kind, revision, comment, details) VALUES ($1, $2, $3, $4, $5, $6)`,
		submissionID, actor, kind, revision, comment, details)
	if err != nil {
		return fmt.Errorf("report event: %w", err)
	}
	return nil
}

// allowed evaluates an access predicate about one issuing unit.
func allowed(ctx context.Context, q postgres.Querier, issuer int64, pred func(col string) postgres.Predicate) (bool, error) {
	var a postgres.Args
	col := a.Add(issuer) + "::bigint"
	var ok bool
	err := q.QueryRow(ctx, `SELECT coalesce(`+pred(col)(&a)+`, false)`, a.Values()...).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("reports: access check: %w", err)
	}
	return ok, nil
}

// CanIssue reports whether the subject manages templates of the unit.
func (s *Service) CanIssue(ctx context.Context, sub access.Subject, unit int64) (bool, error) {
	return allowed(ctx, s.db, unit, sub.ReportManagePredicate)
}

// IssuerChoices lists the units the subject may issue templates for: the
// units where they are a leader or clerk, and the committees whose office
// they work in (everything for an administrator would be too much: their
// own units).
func (s *Service) IssuerChoices(ctx context.Context, sub access.Subject) ([]UnitRef, error) {
	var ids []int64
	for _, m := range sub.Memberships {
		ids = append(ids, m.UnitID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var a postgres.Args
	cand := a.Add(ids)
	rows, _ := s.db.Query(ctx, `
		SELECT DISTINCT u.id, u.name FROM units u
		WHERE (u.id = ANY(`+cand+`::bigint[]) OR u.id IN (SELECT parent_id FROM units WHERE id = ANY(`+cand+`::bigint[])))
		AND u.valid_to IS NULL AND `+sub.ReportManagePredicate("u.id")(&a)+`
		ORDER BY u.name, u.id`, a.Values()...)
	return pgx.CollectRows(rows, pgx.RowToStructByName[UnitRef])
}

func newObjectKey(now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "files/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b)
}

func notFoundAs(err, as error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return as
	}
	return err
}
