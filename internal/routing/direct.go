package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
)

var (
	errPresentForbidden = apperr.Forbidden("Chỉ văn thư của đơn vị tiếp nhận văn bản được trình lãnh đạo.")
	errDirectForbidden  = apperr.Forbidden("Chỉ lãnh đạo của đơn vị tiếp nhận văn bản, hoặc người được trình văn bản, được cho ý kiến chỉ đạo.")
)

// notRegistered explains why a document that is not in state 03 cannot be
// presented, directed or closed.
func notRegistered(status string) error {
	switch status {
	case documents.StatusAssigned, documents.StatusInProgress:
		return apperr.Conflict("Văn bản đã được phân công xử lý; không thể trình hoặc cho ý kiến chỉ đạo lại khi việc chủ trì chưa được trả lại.")
	case documents.StatusDone:
		return apperr.Conflict("Văn bản đã hoàn thành xử lý.")
	}
	return apperr.Conflict("Văn bản chưa được vào sổ nên chưa thể trình hoặc cho ý kiến chỉ đạo.")
}

// Person is someone who can be chosen in a form.
type Person struct {
	ID        int64              `db:"id" json:"id"`
	Name      string             `db:"full_name" json:"name"`
	Units     string             `db:"units" json:"units"` // where they belong, for telling namesakes apart
	Clearance identity.Clearance `db:"clearance" json:"-"`
}

// Leaders lists the leaders of unitID and of its ancestors, nearest
// first: the people a clerk may present a document to.
func (s *Service) Leaders(ctx context.Context, unitID int64) ([]Person, error) {
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id
			WHERE u.parent_id IS NOT NULL AND up.depth < 50
		),
		l AS (
			SELECT usr.id, usr.full_name, usr.clearance, min(up.depth) AS depth,
				string_agg(DISTINCT un.name, ', ') AS units
			FROM up
			JOIN memberships m ON m.unit_id = up.id AND m.role = 'leader'
			JOIN users usr ON usr.id = m.user_id AND usr.disabled_at IS NULL
			JOIN units un ON un.id = up.id
			GROUP BY usr.id, usr.full_name, usr.clearance
		)
		SELECT id, full_name, units, clearance FROM l ORDER BY depth, full_name, id LIMIT 200`, unitID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Person])
}

// Present sends a registered document to a leader of the owning unit (or
// of a unit above it) for direction.
func (s *Service) Present(ctx context.Context, sub access.Subject, actor audit.Actor, docID, leaderID int64) (documents.Document, error) {
	doc, err := s.docs.Get(ctx, sub, docID)
	if err != nil {
		return doc, err
	}
	if !sub.HasRole(doc.UnitID, identity.RoleClerk) {
		return doc, errPresentForbidden
	}
	if doc.RecalledAt != nil {
		return doc, errRecalled(*doc.RecalledAt)
	}
	if doc.Status != documents.StatusRegistered {
		return doc, notRegistered(doc.Status)
	}
	if leaderID == 0 {
		return doc, apperr.Invalid("Vui lòng chọn lãnh đạo để trình.", map[string]string{"leader_id": "Vui lòng chọn lãnh đạo để trình."})
	}
	leaders, err := s.Leaders(ctx, doc.UnitID)
	if err != nil {
		return doc, err
	}
	i := slices.IndexFunc(leaders, func(p Person) bool { return p.ID == leaderID })
	if i < 0 {
		msg := "Người được chọn không phải lãnh đạo của đơn vị tiếp nhận văn bản hoặc của đơn vị cấp trên."
		return doc, apperr.Invalid(msg, map[string]string{"leader_id": msg})
	}
	leader := leaders[i]
	if !clears(leader.Clearance, doc.Confidentiality) {
		msg := "Lãnh đạo được chọn chưa được phép xem văn bản có độ mật này."
		return doc, apperr.Invalid(msg, map[string]string{"leader_id": msg})
	}
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		if d.Status != documents.StatusRegistered {
			return notRegistered(d.Status)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET presented_to = $2, updated_at = now() WHERE id = $1`, docID, leaderID); err != nil {
			return fmt.Errorf("present: %w", err)
		}
		if err := addEvent(ctx, tx, docID, sub.UserID, "presented", map[string]any{"leader_id": leaderID, "leader": leader.Name}); err != nil {
			return err
		}
		if leaderID != sub.UserID {
			if _, err := notify.Create(ctx, tx, leaderID, "presented", "Văn bản chờ cho ý kiến: "+short(d.Subject), docLink(docID)); err != nil {
				return err
			}
		}
		return record(ctx, tx, actor, "document.present", docID, map[string]any{"leader_id": leaderID})
	})
	if err != nil {
		return doc, err
	}
	doc.PresentedTo = &leaderID
	return doc, nil
}

func clears(have, need identity.Clearance) bool {
	return slices.Index(identity.Clearances, need) <= slices.Index(identity.Clearances, have)
}

// DirectionInput is a leader's direction as typed.
type DirectionInput struct {
	Body      string
	Lead      Assignee
	Cooperate []Assignee
	Inform    []Assignee
	// Deadline is a date, or DeadlineWorkingDays working days from today;
	// at most one of the two. With neither, the document's own due date
	// (if still ahead) applies.
	Deadline            *time.Time
	DeadlineWorkingDays int
}

// resolved is an assignee checked against the database.
type resolved struct {
	Assignee
	Role string
	Name string
}

// checkAssignees validates the lead, cooperating and informed assignees
// and the deadline, per field, in Vietnamese.
func (s *Service) checkDirection(ctx context.Context, doc documents.Document, in *DirectionInput) ([]resolved, *time.Time, error) {
	f := apperr.Fields{}
	in.Body = trimBody(in.Body)
	if utf8.RuneCountInString(in.Body) > maxBody {
		f.Add("body", "Ý kiến chỉ đạo dài tối đa 5.000 ký tự.")
	}
	var list []resolved
	seen := map[string]string{}
	add := func(field, role string, a Assignee) {
		if !a.valid() {
			if field == "lead" && a.empty() {
				f.Add(field, "Vui lòng chọn một người hoặc một đơn vị chủ trì.")
			} else {
				f.Add(field, "Mỗi người nhận phải là một người (user_id) hoặc một đơn vị (unit_id), không phải cả hai.")
			}
			return
		}
		if prev, ok := seen[a.key()]; ok {
			if prev != role || field == "lead" {
				f.Add(field, "Một người hoặc đơn vị chỉ được giao một vai trò trong một ý kiến chỉ đạo.")
			}
			return
		}
		seen[a.key()] = role
		list = append(list, resolved{Assignee: a, Role: role})
	}
	add("lead", RoleLead, in.Lead)
	for _, a := range in.Cooperate {
		add("cooperate", RoleCooperate, a)
	}
	for _, a := range in.Inform {
		add("inform", RoleInform, a)
	}
	if len(list) > maxAssignee {
		f.Add("cooperate", fmt.Sprintf("Một ý kiến chỉ đạo giao tối đa %d người và đơn vị.", maxAssignee))
	}
	today := Today()
	var deadline *time.Time
	switch {
	case in.Deadline != nil && in.DeadlineWorkingDays != 0:
		f.Add("deadline", "Chỉ chọn một trong hai: hạn theo ngày hoặc theo số ngày làm việc.")
	case in.DeadlineWorkingDays < 0 || in.DeadlineWorkingDays > 366:
		f.Add("deadline_working_days", "Số ngày làm việc phải từ 1 đến 366.")
	case in.DeadlineWorkingDays > 0:
		d, err := s.days.AddWorkingDays(ctx, today, in.DeadlineWorkingDays)
		if err != nil {
			if e, ok := apperr.As(err); ok {
				f.Add("deadline_working_days", e.Message)
			} else {
				return nil, nil, err
			}
		} else {
			d = dateOf(d)
			deadline = &d
		}
	case in.Deadline != nil:
		d := dateOf(*in.Deadline)
		if d.Before(today) {
			f.Add("deadline", "Hạn xử lý không được trước ngày hôm nay.")
		}
		deadline = &d
	case doc.DueDate != nil && !dateOf(*doc.DueDate).Before(today):
		d := dateOf(*doc.DueDate)
		deadline = &d
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	// Everyone named must exist now: people not locked out, with clearance
	// for the document; units current.
	for i := range list {
		r := &list[i]
		field := r.Role
		if r.Role == RoleLead {
			field = "lead"
		}
		if r.UserID != 0 {
			var name string
			var clearance identity.Clearance
			var disabled bool
			err := s.db.QueryRow(ctx, `SELECT full_name, clearance, disabled_at IS NOT NULL FROM users WHERE id = $1`, r.UserID).
				Scan(&name, &clearance, &disabled)
			switch {
			case errors.Is(err, pgx.ErrNoRows) || err == nil && disabled:
				f.Add(field, fmt.Sprintf("Người dùng #%d không tồn tại hoặc đã bị vô hiệu hóa.", r.UserID))
			case err != nil:
				return nil, nil, fmt.Errorf("check assignee: %w", err)
			case !clears(clearance, doc.Confidentiality):
				f.Add(field, fmt.Sprintf("%s chưa được phép xem văn bản có độ mật này.", name))
			}
			r.Name = name
			continue
		}
		var name string
		var current bool
		err := s.db.QueryRow(ctx, `SELECT name, valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) FROM units WHERE id = $1`,
			r.UnitID, today).Scan(&name, &current)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			f.Add(field, fmt.Sprintf("Đơn vị #%d không tồn tại.", r.UnitID))
		case err != nil:
			return nil, nil, fmt.Errorf("check assignee unit: %w", err)
		case !current:
			f.Add(field, fmt.Sprintf("%s không còn hoạt động (đã giải thể, sáp nhập hoặc chia tách).", name))
		}
		r.Name = name
	}
	return list, deadline, f.Err()
}

// Direct records a leader's direction and its assignments: the document
// becomes 04, every assignee may see it and is notified (a unit through
// its leaders).
func (s *Service) Direct(ctx context.Context, sub access.Subject, actor audit.Actor, docID int64, in DirectionInput) (Direction, error) {
	doc, err := s.docs.Get(ctx, sub, docID)
	if err != nil {
		return Direction{}, err
	}
	if !sub.HasRole(doc.UnitID, identity.RoleLeader) && (doc.PresentedTo == nil || *doc.PresentedTo != sub.UserID) {
		return Direction{}, errDirectForbidden
	}
	if doc.RecalledAt != nil {
		return Direction{}, errRecalled(*doc.RecalledAt)
	}
	if doc.Status != documents.StatusRegistered {
		return Direction{}, notRegistered(doc.Status)
	}
	list, deadline, err := s.checkDirection(ctx, doc, &in)
	if err != nil {
		return Direction{}, err
	}
	var dirID int64
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		if d.Status != documents.StatusRegistered {
			return notRegistered(d.Status)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO directions (document_id, author_id, body, deadline) VALUES ($1, $2, $3, $4) RETURNING id`,
			docID, sub.UserID, in.Body, deadline).Scan(&dirID); err != nil {
			return fmt.Errorf("insert direction: %w", err)
		}
		if err := addEvent(ctx, tx, docID, sub.UserID, "directed", map[string]any{
			"direction_id": dirID, "body": in.Body, "deadline": dateJSON(deadline)}); err != nil {
			return err
		}
		for _, r := range list {
			id, err := insertAssignment(ctx, tx, docID, &dirID, nil, r.Assignee, r.Role, deadline, sub.UserID)
			if err != nil {
				return err
			}
			if err := grant(ctx, tx, docID, r.Assignee, sub.UserID); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, docID, sub.UserID, "assigned", map[string]any{
				"assignment_id": id, "role": r.Role, "assignee": r.Name, "user_id": r.UserID, "unit_id": r.UnitID}); err != nil {
				return err
			}
			if err := notifyAssignee(ctx, tx, ptr(r.UserID), ptr(r.UnitID), sub.UserID, "assigned", assignedTitle(r.Role, d.Subject), docLink(docID)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET status = '04', due_date = coalesce(due_date, $2), updated_at = now() WHERE id = $1`,
			docID, deadline); err != nil {
			return fmt.Errorf("mark assigned: %w", err)
		}
		return record(ctx, tx, actor, "document.direct", docID, map[string]any{
			"direction_id": dirID, "lead": in.Lead.key(), "assignees": len(list), "deadline": dateJSON(deadline)})
	})
	if err != nil {
		return Direction{}, err
	}
	return s.direction(ctx, s.db, dirID)
}

// Close finishes a registered document without assignments: "Lưu hồ sơ"
// (filed) or "Để biết" (noted), with an optional note.
func (s *Service) Close(ctx context.Context, sub access.Subject, actor audit.Actor, docID int64, kind, note string) error {
	doc, err := s.docs.Get(ctx, sub, docID)
	if err != nil {
		return err
	}
	if !sub.HasRole(doc.UnitID, identity.RoleLeader) && (doc.PresentedTo == nil || *doc.PresentedTo != sub.UserID) {
		return errDirectForbidden
	}
	if doc.RecalledAt != nil {
		return errRecalled(*doc.RecalledAt)
	}
	if doc.Status != documents.StatusRegistered {
		return notRegistered(doc.Status)
	}
	f := apperr.Fields{}
	if kind != CloseFile && kind != CloseNoted {
		f.Add("result", "Vui lòng chọn Lưu hồ sơ hoặc Để biết.")
	}
	note = trimBody(note)
	if utf8.RuneCountInString(note) > maxNote {
		f.Add("note", "Ghi chú dài tối đa 2.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	body := CloseLabel(kind)
	if note != "" {
		body += ". " + note
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		if d.Status != documents.StatusRegistered {
			return notRegistered(d.Status)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO directions (document_id, author_id, body) VALUES ($1, $2, $3)`, docID, sub.UserID, body); err != nil {
			return fmt.Errorf("insert closing direction: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET status = '06', completed_at = now(), updated_at = now() WHERE id = $1`, docID); err != nil {
			return fmt.Errorf("close document: %w", err)
		}
		if err := addEvent(ctx, tx, docID, sub.UserID, "completed", map[string]any{"result": CloseLabel(kind), "note": note}); err != nil {
			return err
		}
		return record(ctx, tx, actor, "document.close", docID, map[string]any{"result": kind})
	})
}

func insertAssignment(ctx context.Context, tx pgx.Tx, docID int64, dirID, parentID *int64, a Assignee, role string, deadline *time.Time, by int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO assignments (document_id, direction_id, parent_id, assignee_user_id, assignee_unit_id, role, status, deadline, assigned_by)
		VALUES ($1, $2, $3, $4, $5, $6, 'assigned', $7, $8) RETURNING id`,
		docID, dirID, parentID, ptr(a.UserID), ptr(a.UnitID), role, deadline, by).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert assignment: %w", err)
	}
	return id, nil
}

// grant lets an assignee see the document (a unit: everyone whose scope
// includes it).
func grant(ctx context.Context, q postgres.Querier, docID int64, a Assignee, by int64) error {
	_, err := q.Exec(ctx, `
		INSERT INTO grants (user_id, unit_id, object_type, object_id, permission, granted_by)
		VALUES ($1, $2, 'document', $3, 'view', $4) ON CONFLICT DO NOTHING`, ptr(a.UserID), ptr(a.UnitID), docID, ptr(by))
	if err != nil {
		return fmt.Errorf("grant view: %w", err)
	}
	return nil
}

func ptr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func dateJSON(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}

// assignedTitle is the notification title for a new assignment.
func assignedTitle(role, subject string) string {
	switch role {
	case RoleLead:
		return "Được giao chủ trì xử lý: " + short(subject)
	case RoleCooperate:
		return "Được giao phối hợp xử lý: " + short(subject)
	}
	return "Văn bản để biết: " + short(subject)
}
