package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

var (
	errNotAssignee = apperr.Forbidden("Chỉ người được giao (hoặc thành viên đơn vị được giao) mới cập nhật được công việc này.")
	errNotLead     = apperr.Forbidden("Chỉ người chủ trì (hoặc thành viên đơn vị chủ trì) mới thực hiện được thao tác này.")
	errNotAssigner = apperr.Forbidden("Chỉ người giao việc mới thực hiện được thao tác này.")
)

// notOpen explains why a finished task cannot change.
func notOpen(status string) error {
	switch status {
	case StatusCompleted:
		return apperr.Conflict("Công việc đã được báo cáo hoàn thành và đang chờ người giao việc nghiệm thu.")
	case StatusAccepted:
		return apperr.Conflict("Công việc đã hoàn thành.")
	case StatusCancelled:
		return apperr.Conflict("Công việc đã bị hủy.")
	}
	return apperr.Conflict("Công việc không còn mở.")
}

// change runs fn on task id inside a transaction holding the task's row,
// after checking that sub may see it (ErrNotFound otherwise). fn returns
// the notifications to send; they are created in the same transaction.
func (s *Service) change(ctx context.Context, sub access.Subject, id int64, fn func(tx pgx.Tx, t Task) ([]notice, error)) (Task, error) {
	if err := s.checkVisible(ctx, s.db, sub, id); err != nil {
		return Task{}, err
	}
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		t, err := getTask(ctx, tx, id, true)
		if err != nil {
			return err
		}
		notes, err := fn(tx, t)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = deliver(ctx, tx, notes, sub.UserID)
		return err
	})
	if err != nil {
		return Task{}, err
	}
	return getTask(ctx, s.db, id, false)
}

func record(ctx context.Context, tx pgx.Tx, actor audit.Actor, action string, id int64, details map[string]any) error {
	return audit.Record(ctx, tx, actor.Entry(action, "task", fmt.Sprint(id), details))
}

// ProgressInput is a progress report.
type ProgressInput struct {
	Percent *int // the lead's sets the task's progress; optional
	Note    string
	Files   []*documents.Upload // received and checked by content (documents.Receive)
}

// Progress records a progress report by whoever acts for an assignee: a
// percent, a note and files. The lead's percent becomes the task's
// progress; the first report starts the task, and the lead's report starts
// a returned task again.
func (s *Service) Progress(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in ProgressInput) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	role := ActsFor(sub, t)
	if role == "" {
		return t, errNotAssignee
	}
	if !t.Open() {
		return t, notOpen(t.Status)
	}
	f := apperr.Fields{}
	in.Note = trimText(in.Note)
	if in.Percent != nil && (*in.Percent < 0 || *in.Percent > 100) {
		f.Add("percent", "Tiến độ phải từ 0 đến 100%.")
	}
	if utf8.RuneCountInString(in.Note) > MaxNote {
		f.Add("note", "Nội dung dài tối đa 5.000 ký tự.")
	}
	if in.Percent == nil && in.Note == "" && len(in.Files) == 0 {
		f.Add("note", "Vui lòng nhập tiến độ, nội dung hoặc đính kèm tệp.")
	}
	if len(in.Files) > MaxFiles {
		f.Add("files", fmt.Sprintf("Mỗi lần cập nhật kèm tối đa %d tệp.", MaxFiles))
	}
	if err := f.Err(); err != nil {
		return t, err
	}

	// Bytes first, each verified by the store; removed again if the
	// record cannot be written.
	now := time.Now()
	stored := make([]objectstore.Object, 0, len(in.Files))
	cleanup := func() {
		for _, o := range stored {
			_ = s.store.Delete(context.WithoutCancel(ctx), o.Key)
		}
	}
	for _, u := range in.Files {
		r, err := u.Reader()
		if err != nil {
			cleanup()
			return t, err
		}
		obj, err := s.store.Put(ctx, newObjectKey(now), r, u.Size, objectstore.PutOptions{ContentType: u.ContentType, SHA256: u.SHA256})
		if err != nil {
			cleanup()
			if errors.Is(err, objectstore.ErrUnavailable) || errors.Is(err, objectstore.ErrChecksumMismatch) {
				return t, apperr.Wrap(apperr.KindUnavailable,
					"Kho lưu trữ tệp đang không sẵn sàng nên tiến độ chưa được cập nhật. Không có dữ liệu nào bị lưu dở; vui lòng thử lại sau ít phút.", err)
			}
			return t, fmt.Errorf("store %s: %w", u.Name, err)
		}
		stored = append(stored, obj)
	}
	out, err := s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		role := ActsFor(sub, t)
		if role == "" {
			return nil, errNotAssignee
		}
		if !t.Open() {
			return nil, notOpen(t.Status)
		}
		percent := in.Percent
		var updateID int64
		if err := tx.QueryRow(ctx, `INSERT INTO task_updates (task_id, author_id, role, percent, note) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, sub.UserID, role, percent, in.Note).Scan(&updateID); err != nil {
			return nil, fmt.Errorf("insert update: %w", err)
		}
		var pos int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM task_files WHERE task_id = $1`, id).Scan(&pos); err != nil {
			return nil, err
		}
		for i, u := range in.Files {
			var fileID int64
			if err := tx.QueryRow(ctx, `
				INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				stored[i].Key, stored[i].SHA256, stored[i].Size, u.ContentType, sub.UserID).Scan(&fileID); err != nil {
				return nil, fmt.Errorf("insert file: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO task_files (task_id, file_id, update_id, name, position) VALUES ($1, $2, $3, $4, $5)`,
				id, fileID, updateID, u.Name, pos+i+1); err != nil {
				return nil, fmt.Errorf("link file: %w", err)
			}
		}
		status := t.Status
		if status == StatusNew || (status == StatusReturned && role == RoleLead) {
			status = StatusInProgress
		}
		progress := t.Progress
		if role == RoleLead && percent != nil {
			progress = *percent
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET status = $2, progress = $3 WHERE id = $1`, id, status, progress); err != nil {
			return nil, fmt.Errorf("update progress: %w", err)
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "progress", map[string]any{
			"percent": percent, "note": in.Note, "files": len(in.Files), "role": role}); err != nil {
			return nil, err
		}
		return nil, record(ctx, tx, actor, "task.progress", id, map[string]any{"percent": percent, "files": len(in.Files), "role": role})
	})
	if err != nil {
		cleanup()
	}
	return out, err
}

// newObjectKey makes a server-side object name, never derived from the
// user's file name.
func newObjectKey(now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "files/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b)
}

// ExtensionInput asks for a later due date: a date, or a number of
// working days after the current due date.
type ExtensionInput struct {
	DueDate     *time.Time
	WorkingDays int
	Reason      string
}

// RequestExtension asks the assigner for a later due date; whoever acts
// for the lead asks, one request at a time.
func (s *Service) RequestExtension(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in ExtensionInput) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if ActsFor(sub, t) != RoleLead {
		return t, errNotLead
	}
	if !t.Open() {
		return t, notOpen(t.Status)
	}
	f := apperr.Fields{}
	in.Reason = trimText(in.Reason)
	switch {
	case in.Reason == "":
		f.Add("reason", "Vui lòng nêu lý do xin gia hạn.")
	case utf8.RuneCountInString(in.Reason) > MaxNote:
		f.Add("reason", "Lý do dài tối đa 5.000 ký tự.")
	}
	var due time.Time
	switch {
	case in.DueDate != nil && in.WorkingDays != 0:
		f.Add("due_date", "Chỉ chọn một trong hai: hạn mới theo ngày hoặc số ngày làm việc xin thêm.")
	case in.WorkingDays < 0 || in.WorkingDays > 366:
		f.Add("working_days", "Số ngày làm việc xin thêm phải từ 1 đến 366.")
	case in.WorkingDays > 0:
		if due, err = s.DueDate(ctx, t.DueDate, in.WorkingDays); err != nil {
			if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
				f.Add("working_days", e.Message)
			} else {
				return t, err
			}
		}
	case in.DueDate != nil:
		due = dateOf(*in.DueDate)
		if !due.After(t.DueDate) {
			f.Add("due_date", "Hạn mới phải sau hạn hiện tại ("+t.DueDate.Format("02/01/2006")+").")
		}
	default:
		f.Add("due_date", "Vui lòng chọn hạn mới.")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if !t.Open() {
			return nil, notOpen(t.Status)
		}
		if t.PendingRequest != nil {
			return nil, apperr.Conflict("Công việc đang có một đề nghị gia hạn chờ người giao việc quyết định.")
		}
		if !due.After(t.DueDate) {
			return nil, apperr.Invalid("Hạn mới phải sau hạn hiện tại.", map[string]string{"due_date": "Hạn mới phải sau hạn hiện tại (" + t.DueDate.Format("02/01/2006") + ")."})
		}
		var extID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO task_extensions (task_id, requested_by, old_due, requested_due, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, sub.UserID, t.DueDate, due, in.Reason).Scan(&extID); err != nil {
			return nil, fmt.Errorf("insert extension: %w", err)
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "extension_requested", map[string]any{
			"extension_id": extID, "old_due": t.DueDate.Format(time.DateOnly), "requested_due": due.Format(time.DateOnly), "reason": in.Reason}); err != nil {
			return nil, err
		}
		title := fmt.Sprintf("Đề nghị gia hạn đến %s: %s", due.Format("02/01/2006"), short(t.Title))
		return []notice{{t.AssignerID, KindExtensionRequested, title, taskLink(id)}},
			record(ctx, tx, actor, "task.extension_request", id, map[string]any{"extension_id": extID, "requested_due": due.Format(time.DateOnly)})
	})
}

// DecideExtension is the assigner's answer to a pending request: approved,
// the due date moves (and near-due and overdue escalations may come again
// for the new date); rejected, a reason is required.
func (s *Service) DecideExtension(ctx context.Context, sub access.Subject, actor audit.Actor, id, extID int64, approve bool, note string) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if !IsAssigner(sub, t) {
		return t, errNotAssigner
	}
	note = trimText(note)
	f := apperr.Fields{}
	if !approve && note == "" {
		f.Add("decision_note", "Vui lòng nêu lý do không đồng ý gia hạn.")
	}
	if utf8.RuneCountInString(note) > MaxNote {
		f.Add("decision_note", "Ý kiến dài tối đa 5.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if t.PendingRequest == nil || t.PendingRequest.ID != extID {
			return nil, apperr.Conflict("Đề nghị gia hạn này đã được quyết định hoặc không còn chờ.")
		}
		e := t.PendingRequest
		status, kind := "rejected", "extension_rejected"
		if approve {
			status, kind = "approved", "extension_approved"
		}
		if _, err := tx.Exec(ctx, `
			UPDATE task_extensions SET status = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1`,
			extID, status, sub.UserID, note); err != nil {
			return nil, fmt.Errorf("decide extension: %w", err)
		}
		title := fmt.Sprintf("Không đồng ý gia hạn (hạn vẫn là %s): %s", t.DueDate.Format("02/01/2006"), short(t.Title))
		if approve {
			if _, err := tx.Exec(ctx, `UPDATE tasks SET due_date = $2 WHERE id = $1`, id, e.RequestedDue); err != nil {
				return nil, fmt.Errorf("move due date: %w", err)
			}
			title = fmt.Sprintf("Đồng ý gia hạn đến %s: %s", e.RequestedDue.Format("02/01/2006"), short(t.Title))
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, kind, map[string]any{
			"extension_id": extID, "requested_due": e.RequestedDue.Format(time.DateOnly), "note": note}); err != nil {
			return nil, err
		}
		notes, err := toAssignees(ctx, tx, t.Assignees, RoleLead, KindExtensionDecided, title, taskLink(id))
		if err != nil {
			return nil, err
		}
		notes = append(notes, notice{e.RequestedBy, KindExtensionDecided, title, taskLink(id)})
		return notes, record(ctx, tx, actor, "task.extension_decide", id, map[string]any{"extension_id": extID, "approved": approve})
	})
}

// Complete reports the task done (whoever acts for the lead, with a
// result); it then waits for the assigner's acceptance. Open subtasks
// must be finished first.
func (s *Service) Complete(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, result string) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if ActsFor(sub, t) != RoleLead {
		return t, errNotLead
	}
	result = trimText(result)
	f := apperr.Fields{}
	switch {
	case result == "":
		f.Add("result", "Vui lòng nhập kết quả thực hiện.")
	case utf8.RuneCountInString(result) > MaxNote:
		f.Add("result", "Kết quả dài tối đa 5.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if !t.Open() {
			return nil, notOpen(t.Status)
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM tasks t WHERE t.parent_id = $1 AND t.status IN ('new', 'in_progress', 'returned', 'completed')`, id).Scan(&open); err != nil {
			return nil, err
		}
		if open > 0 {
			return nil, apperr.Conflict(fmt.Sprintf("Còn %d việc con chưa hoàn thành (hoặc chưa được nghiệm thu); hãy hoàn thành hoặc hủy chúng trước.", open))
		}
		if _, err := tx.Exec(ctx, `
			UPDATE tasks SET status = 'completed', progress = 100, result = $2, completed_at = now(), return_reason = '' WHERE id = $1`,
			id, result); err != nil {
			return nil, fmt.Errorf("complete task: %w", err)
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "completed", map[string]any{"result": result}); err != nil {
			return nil, err
		}
		title := "Báo cáo hoàn thành, chờ nghiệm thu: " + short(t.Title)
		return []notice{{t.AssignerID, KindCompleted, title, taskLink(id)}},
			record(ctx, tx, actor, "task.complete", id, nil)
	})
}

// Accept is the assigner's acceptance of a completed task.
func (s *Service) Accept(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, note string) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if !IsAssigner(sub, t) {
		return t, errNotAssigner
	}
	note = trimText(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return t, apperr.Invalid("Ý kiến dài tối đa 5.000 ký tự.", map[string]string{"note": "Ý kiến dài tối đa 5.000 ký tự."})
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if t.Status != StatusCompleted {
			return nil, apperr.Conflict("Chỉ nghiệm thu được công việc đã báo cáo hoàn thành.")
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET status = 'accepted', accepted_at = now() WHERE id = $1`, id); err != nil {
			return nil, fmt.Errorf("accept task: %w", err)
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "accepted", map[string]any{"note": note}); err != nil {
			return nil, err
		}
		notes, err := toAssignees(ctx, tx, t.Assignees, "", KindAccepted, "Công việc đã được nghiệm thu: "+short(t.Title), taskLink(id))
		if err != nil {
			return nil, err
		}
		return notes, record(ctx, tx, actor, "task.accept", id, nil)
	})
}

// Return gives a completed task back to its assignees with a reason; it
// is open again.
func (s *Service) Return(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if !IsAssigner(sub, t) {
		return t, errNotAssigner
	}
	reason = trimText(reason)
	f := apperr.Fields{}
	switch {
	case reason == "":
		f.Add("reason", "Vui lòng nêu lý do trả lại.")
	case utf8.RuneCountInString(reason) > MaxNote:
		f.Add("reason", "Lý do dài tối đa 5.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if t.Status != StatusCompleted {
			return nil, apperr.Conflict("Chỉ trả lại được công việc đã báo cáo hoàn thành.")
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET status = 'returned', return_reason = $2, completed_at = NULL WHERE id = $1`, id, reason); err != nil {
			return nil, fmt.Errorf("return task: %w", err)
		}
		if err := addTaskEvent(ctx, tx, id, sub.UserID, "returned", map[string]any{"reason": reason}); err != nil {
			return nil, err
		}
		notes, err := toAssignees(ctx, tx, t.Assignees, RoleLead, KindReturned, "Công việc bị trả lại, cần làm tiếp: "+short(t.Title), taskLink(id))
		if err != nil {
			return nil, err
		}
		return notes, record(ctx, tx, actor, "task.return", id, map[string]any{"reason": reason})
	})
}

// Cancel ends a task that is no longer needed (the assigner, with a
// reason): its open subtasks end with it and a pending extension request
// is refused.
func (s *Service) Cancel(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Task, error) {
	t, err := s.Get(ctx, sub, id)
	if err != nil {
		return t, err
	}
	if !IsAssigner(sub, t) {
		return t, errNotAssigner
	}
	reason = trimText(reason)
	f := apperr.Fields{}
	switch {
	case reason == "":
		f.Add("reason", "Vui lòng nêu lý do hủy việc.")
	case utf8.RuneCountInString(reason) > MaxNote:
		f.Add("reason", "Lý do dài tối đa 5.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.change(ctx, sub, id, func(tx pgx.Tx, t Task) ([]notice, error) {
		if !t.Open() && t.Status != StatusCompleted {
			return nil, notOpen(t.Status)
		}
		rows, _ := tx.Query(ctx, `
			WITH RECURSIVE tree(id) AS (
				SELECT $1::bigint
				UNION ALL
				SELECT c.id FROM tasks c JOIN tree ON c.parent_id = tree.id
			)
			UPDATE tasks SET status = 'cancelled', cancelled_at = now(), updated_at = now(),
				return_reason = CASE WHEN id = $1 THEN $2 ELSE return_reason END
			WHERE id IN (SELECT id FROM tree) AND status IN ('new', 'in_progress', 'returned', 'completed')
			RETURNING id`, id, reason)
		ended, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("cancel task: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE task_extensions SET status = 'rejected', decided_by = $2, decided_at = now(), decision_note = 'Công việc đã bị hủy.'
			WHERE task_id = ANY($1) AND status = 'pending'`, ended, sub.UserID); err != nil {
			return nil, fmt.Errorf("close pending extensions: %w", err)
		}
		var notes []notice
		for _, tid := range ended {
			if err := addTaskEvent(ctx, tx, tid, sub.UserID, "cancelled", map[string]any{"reason": reason, "cascade_from": cascade(tid, id)}); err != nil {
				return nil, err
			}
			as, err := assignees(ctx, tx, tid)
			if err != nil {
				return nil, err
			}
			n, err := toAssignees(ctx, tx, as, "", KindCancelled, "Công việc đã bị hủy: "+short(t.Title), taskLink(tid))
			if err != nil {
				return nil, err
			}
			notes = append(notes, n...)
		}
		return notes, record(ctx, tx, actor, "task.cancel", id, map[string]any{"reason": reason, "tasks": len(ended)})
	})
}

func cascade(tid, root int64) any {
	if tid == root {
		return nil
	}
	return root
}
