package tasks

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
	"vanthu/internal/platform/postgres"
)

// AssigneeInput is one assignee of a new task.
type AssigneeInput struct {
	Target
	Role string // lead or cooperate
}

// CreateInput is a new task as typed.
type CreateInput struct {
	Title       string
	Description string
	Priority    string // low, normal (default), high, urgent
	Assignees   []AssigneeInput
	// The deadline: DueDate, or DueInWorkingDays working days after
	// StartDate (default today) on the official calendar. Exactly one.
	DueDate          *time.Time
	DueInWorkingDays *int
	StartDate        *time.Time
	// Optional links: a parent task (a subtask), a direction on a
	// document, or a document (a directing document).
	ParentID    int64
	DirectionID int64
	DocumentID  int64
	// UnitID is the assigning unit; default the acting unit.
	UnitID int64
}

var errCreateForbidden = apperr.Forbidden("Bạn không được giao việc con cho công việc này: chỉ người giao việc hoặc người chủ trì được chia nhỏ công việc.")

// resolvedAssignee is an assignee checked against the database.
type resolvedAssignee struct {
	AssigneeInput
	Name string
}

// validate normalises the input and checks what needs no lookup, per field.
func (in *CreateInput) validate(f apperr.Fields) {
	in.Title = trimText(in.Title)
	in.Description = trimText(in.Description)
	switch {
	case in.Title == "":
		f.Add("title", "Vui lòng nhập tên công việc.")
	case utf8.RuneCountInString(in.Title) > MaxTitle:
		f.Add("title", fmt.Sprintf("Tên công việc dài tối đa %d ký tự.", MaxTitle))
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		f.Add("description", "Nội dung dài tối đa 10.000 ký tự.")
	}
	if in.Priority == "" {
		in.Priority = "normal"
	}
	if !slices.Contains(Priorities, in.Priority) {
		f.Add("priority", "Độ ưu tiên phải là một trong: low, normal, high, urgent.")
	}
	leads := 0
	seen := map[string]bool{}
	for _, a := range in.Assignees {
		field := "cooperate"
		if a.Role == RoleLead {
			field = "lead"
			leads++
		} else if a.Role != RoleCooperate {
			f.Add("assignees", "Vai trò phải là lead (chủ trì) hoặc cooperate (phối hợp).")
			continue
		}
		if !a.valid() {
			f.Add(field, "Mỗi người thực hiện phải là một người (user_id) hoặc một đơn vị (unit_id), không phải cả hai.")
			continue
		}
		if seen[a.key()] {
			f.Add(field, "Một người hoặc đơn vị chỉ được giao một vai trò trong một công việc.")
		}
		seen[a.key()] = true
	}
	switch {
	case leads == 0:
		f.Add("lead", "Vui lòng chọn một người hoặc một đơn vị chủ trì.")
	case leads > 1:
		f.Add("lead", "Mỗi công việc chỉ có một người hoặc một đơn vị chủ trì.")
	}
	if len(in.Assignees) > MaxAssignees {
		f.Add("cooperate", fmt.Sprintf("Một công việc giao tối đa %d người và đơn vị.", MaxAssignees))
	}
	if in.DueDate != nil && in.DueInWorkingDays != nil {
		f.Add("due_date", "Chỉ chọn một trong hai: hạn theo ngày hoặc theo số ngày làm việc.")
	}
	if in.DueDate == nil && in.DueInWorkingDays == nil {
		f.Add("due_date", "Vui lòng nhập hạn hoàn thành: một ngày cụ thể hoặc số ngày làm việc.")
	}
	if in.DueInWorkingDays != nil && (*in.DueInWorkingDays < 1 || *in.DueInWorkingDays > 366) {
		f.Add("due_in_working_days", "Số ngày làm việc phải từ 1 đến 366.")
	}
}

// DueDate computes the deadline of n working days after start on the
// official calendar (start itself not counted).
func (s *Service) DueDate(ctx context.Context, start time.Time, n int) (time.Time, error) {
	d, err := s.days.AddWorkingDays(ctx, dateOf(start), n)
	if err != nil {
		return time.Time{}, err
	}
	return dateOf(d), nil
}

// deadline fills start and due from the input.
func (s *Service) deadline(ctx context.Context, in CreateInput, f apperr.Fields) (start, due time.Time, err error) {
	start = Today()
	if in.StartDate != nil {
		start = dateOf(*in.StartDate)
	}
	if start.Year() < 2000 || start.Year() > 2100 {
		f.Add("start_date", "Ngày giao không hợp lệ.")
		return start, start, nil
	}
	switch {
	case in.DueInWorkingDays != nil && in.DueDate == nil && *in.DueInWorkingDays >= 1 && *in.DueInWorkingDays <= 366:
		due, err = s.DueDate(ctx, start, *in.DueInWorkingDays)
		if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
			f.Add("due_in_working_days", e.Message)
			return start, start, nil
		}
		if err != nil {
			return start, start, err
		}
	case in.DueDate != nil:
		due = dateOf(*in.DueDate)
		if due.Before(start) {
			f.Add("due_date", "Hạn hoàn thành không được trước ngày giao ("+start.Format("02/01/2006")+").")
		}
		if due.Year() > 2100 {
			f.Add("due_date", "Hạn hoàn thành không hợp lệ.")
		}
	default:
		due = start
	}
	return start, due, nil
}

// checkAssignees makes sure everyone named exists now: people enabled,
// units current. The lead must be within the assigner's scope (their
// units and, for leaders, everything below); cooperating units and people
// may be anywhere on the platform.
func (s *Service) checkAssignees(ctx context.Context, sub access.Subject, list []AssigneeInput, f apperr.Fields) ([]resolvedAssignee, error) {
	scope := sub.ViewUnits()
	out := make([]resolvedAssignee, 0, len(list))
	for _, a := range list {
		field := "cooperate"
		if a.Role == RoleLead {
			field = "lead"
		}
		r := resolvedAssignee{AssigneeInput: a}
		if a.UserID != 0 {
			var disabled, inScope bool
			err := s.db.QueryRow(ctx, `
				SELECT full_name, disabled_at IS NOT NULL,
					$2::bigint[] IS NULL OR id = $3 OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.unit_id = ANY($2::bigint[]))
				FROM users WHERE id = $1`, a.UserID, scope, sub.UserID).Scan(&r.Name, &disabled, &inScope)
			switch {
			case errors.Is(err, pgx.ErrNoRows) || err == nil && disabled:
				f.Add(field, fmt.Sprintf("Người dùng #%d không tồn tại hoặc đã bị vô hiệu hóa.", a.UserID))
			case err != nil:
				return nil, fmt.Errorf("check assignee: %w", err)
			case a.Role == RoleLead && !inScope:
				f.Add(field, r.Name+" không thuộc đơn vị trong phạm vi bạn được giao việc.")
			}
		} else {
			var current, inScope bool
			err := s.db.QueryRow(ctx, `
				SELECT name, valid_to IS NULL, $2::bigint[] IS NULL OR id = ANY($2::bigint[])
				FROM units WHERE id = $1`, a.UnitID, scope).Scan(&r.Name, &current, &inScope)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				f.Add(field, fmt.Sprintf("Đơn vị #%d không tồn tại.", a.UnitID))
			case err != nil:
				return nil, fmt.Errorf("check assignee unit: %w", err)
			case !current:
				f.Add(field, r.Name+" không còn hoạt động (đã giải thể, sáp nhập hoặc chia tách).")
			case a.Role == RoleLead && !inScope:
				f.Add(field, r.Name+" không thuộc phạm vi bạn được giao việc.")
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// source says where a new task comes from, checking that sub may see the
// document (and the direction belongs to it) and may break the parent
// down.
type sourceInfo struct {
	source      string
	documentID  *int64
	directionID *int64
	parent      *Task
	docSubject  string
}

func (s *Service) checkSource(ctx context.Context, sub access.Subject, in CreateInput, f apperr.Fields) (sourceInfo, error) {
	src := sourceInfo{source: SourceStandalone}
	if in.ParentID != 0 {
		p, err := s.Get(ctx, sub, in.ParentID)
		if errors.Is(err, ErrNotFound) {
			f.Add("parent_id", "Không tìm thấy công việc cha, hoặc bạn không có quyền xem công việc đó.")
			return src, nil
		}
		if err != nil {
			return src, err
		}
		if !CanAddSubtask(sub, p) {
			if !p.Open() {
				return src, apperr.Conflict("Công việc cha đã kết thúc nên không thể thêm việc con.")
			}
			return src, errCreateForbidden
		}
		src.parent = &p
		// A subtask keeps its parent's source, so it shows where it comes from.
		src.source, src.documentID, src.directionID = p.Source, p.DocumentID, p.DirectionID
		return src, nil
	}
	docID := in.DocumentID
	if in.DirectionID != 0 {
		var dirDoc int64
		err := s.db.QueryRow(ctx, `SELECT document_id FROM directions WHERE id = $1`, in.DirectionID).Scan(&dirDoc)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && docID != 0 && docID != dirDoc {
			f.Add("direction_id", "Ý kiến chỉ đạo không tồn tại hoặc không thuộc văn bản này.")
			return src, nil
		}
		if err != nil {
			return src, fmt.Errorf("read direction: %w", err)
		}
		docID = dirDoc
		src.source, src.directionID = SourceDirection, &in.DirectionID
	} else if docID != 0 {
		src.source = SourceDirecting
	}
	if docID != 0 {
		var a postgres.Args
		err := s.db.QueryRow(ctx, `SELECT d.subject FROM documents d WHERE d.id = `+a.Add(docID)+` AND `+documents.Visible(sub)(&a),
			a.Values()...).Scan(&src.docSubject)
		if errors.Is(err, pgx.ErrNoRows) {
			f.Add("document_id", "Không tìm thấy văn bản, hoặc bạn không có quyền xem văn bản này.")
			return src, nil
		}
		if err != nil {
			return src, fmt.Errorf("read source document: %w", err)
		}
		src.documentID = &docID
	}
	return src, nil
}

// prepared is a new task checked and ready to write.
type prepared struct {
	src        sourceInfo
	start, due time.Time
	list       []resolvedAssignee
	unit       int64
}

// prepare checks everything about a new task, collecting field messages
// in the returned Fields; err is for failures and refusals.
func (s *Service) prepare(ctx context.Context, sub access.Subject, in *CreateInput) (prepared, apperr.Fields, error) {
	var p prepared
	f := apperr.Fields{}
	in.validate(f)
	var err error
	if p.src, err = s.checkSource(ctx, sub, *in, f); err != nil {
		return p, f, err
	}
	if p.start, p.due, err = s.deadline(ctx, *in, f); err != nil {
		return p, f, err
	}
	if p.src.parent != nil && p.due.After(p.src.parent.DueDate) {
		f.Add("due_date", "Hạn của việc con không được sau hạn của công việc cha ("+p.src.parent.DueDate.Format("02/01/2006")+").")
	}
	if len(f) == 0 {
		if p.list, err = s.checkAssignees(ctx, sub, in.Assignees, f); err != nil {
			return p, f, err
		}
	}
	p.unit = in.UnitID
	if p.unit == 0 {
		p.unit = sub.ActingUnit
	}
	if p.unit == 0 || !sub.MemberOf(p.unit) && !sub.IsAdmin {
		f.Add("unit_id", "Bạn cần là thành viên của đơn vị giao việc.")
	}
	return p, f, nil
}

// Check validates a new task without giving it, for a form that could not
// read some of its values: the field messages come back as from Create.
func (s *Service) Check(ctx context.Context, sub access.Subject, in CreateInput) error {
	_, f, err := s.prepare(ctx, sub, &in)
	if err != nil {
		return err
	}
	return f.Err()
}

// Create gives a task: it checks everything per field, computes the due
// date on the working-day calendar, stores the task, its assignees, the
// timeline entry and the audit entry in one transaction, lets the
// assignees see the source document, and notifies them.
func (s *Service) Create(ctx context.Context, sub access.Subject, actor audit.Actor, in CreateInput) (Task, error) {
	p, f, err := s.prepare(ctx, sub, &in)
	if err != nil {
		return Task{}, err
	}
	if err := f.Err(); err != nil {
		return Task{}, err
	}
	src, start, due, list, unit := p.src, p.start, p.due, p.list, p.unit
	var id int64
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if src.parent != nil {
			// The parent must still be open when the subtask lands.
			p, err := getTask(ctx, tx, src.parent.ID, true)
			if err != nil {
				return err
			}
			if !p.Open() {
				return apperr.Conflict("Công việc cha đã kết thúc nên không thể thêm việc con.")
			}
		}
		var wd any
		if in.DueInWorkingDays != nil {
			wd = *in.DueInWorkingDays
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO tasks (unit_id, parent_id, source, document_id, direction_id, title, description, priority, status,
				start_date, due_date, working_days, assigner_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9, $10, $11, $12) RETURNING id`,
			unit, ptr(in.ParentID), src.source, src.documentID, src.directionID, in.Title, in.Description, in.Priority,
			start, due, wd, sub.UserID).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert task: %w", err)
		}
		var notes []notice
		names := []map[string]any{}
		for _, a := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO task_assignees (task_id, user_id, unit_id, role) VALUES ($1, $2, $3, $4)`,
				id, ptr(a.UserID), ptr(a.UnitID), a.Role); err != nil {
				return fmt.Errorf("insert assignee: %w", err)
			}
			names = append(names, map[string]any{"role": a.Role, "name": a.Name, "user_id": a.UserID, "unit_id": a.UnitID})
			if src.documentID != nil {
				if _, err := tx.Exec(ctx, `
					INSERT INTO grants (user_id, unit_id, object_type, object_id, permission, granted_by)
					VALUES ($1, $2, 'document', $3, 'view', $4) ON CONFLICT DO NOTHING`,
					ptr(a.UserID), ptr(a.UnitID), *src.documentID, sub.UserID); err != nil {
					return fmt.Errorf("grant document to assignee: %w", err)
				}
			}
			title := "Được giao chủ trì công việc (hạn " + due.Format("02/01/2006") + "): " + short(in.Title)
			if a.Role == RoleCooperate {
				title = "Được giao phối hợp công việc (hạn " + due.Format("02/01/2006") + "): " + short(in.Title)
			}
			as := Assignee{Role: a.Role, UserID: ptr(a.UserID), UnitID: ptr(a.UnitID)}
			n, err := toAssignees(ctx, tx, []Assignee{as}, "", KindAssigned, title, taskLink(id))
			if err != nil {
				return err
			}
			notes = append(notes, n...)
		}
		if src.source == SourceDirecting && src.parent == nil {
			if _, err := tx.Exec(ctx, `INSERT INTO directing_documents (document_id, marked_by) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				*src.documentID, sub.UserID); err != nil {
				return fmt.Errorf("mark directing document: %w", err)
			}
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "created", map[string]any{
			"due_date": due.Format(time.DateOnly), "working_days": wd, "assignees": names, "source": src.source}); err != nil {
			return err
		}
		if src.parent != nil {
			if err := addTaskEvent(ctx, tx, src.parent.ID, sub.UserID, "subtask_added", map[string]any{"task_id": id, "title": in.Title}); err != nil {
				return err
			}
		}
		if _, err = deliver(ctx, tx, notes, sub.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("task.create", "task", fmt.Sprint(id), map[string]any{
			"due_date": due.Format(time.DateOnly), "assignees": len(list), "source": src.source,
			"document_id": src.documentID, "parent_id": ptr(in.ParentID)}))
	})
	if err != nil {
		return Task{}, err
	}
	return getTask(ctx, s.db, id, false)
}
