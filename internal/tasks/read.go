package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

const taskColumns = `t.id, t.unit_id, un.name AS unit_name, t.parent_id, pt.title AS parent_title, t.source, t.document_id,
	t.direction_id, t.title, t.description, t.priority, t.status, t.start_date, t.due_date, t.working_days, t.progress,
	t.assigner_id, au.full_name AS assigner_name, t.result, t.return_reason, t.created_at, t.updated_at,
	t.completed_at, t.accepted_at, t.cancelled_at`

const taskFrom = ` FROM tasks t JOIN units un ON un.id = t.unit_id JOIN users au ON au.id = t.assigner_id
	LEFT JOIN tasks pt ON pt.id = t.parent_id `

// getTask reads a task with its assignees and pending extension, without
// an access check (callers check first); lock takes the row for a change.
func getTask(ctx context.Context, q postgres.Querier, id int64, lock bool) (Task, error) {
	sql := `SELECT ` + taskColumns + taskFrom + `WHERE t.id = $1`
	if lock {
		sql += ` FOR UPDATE OF t`
	}
	rows, _ := q.Query(ctx, sql, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Task])
	if errors.Is(err, pgx.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("read task %d: %w", id, err)
	}
	if t.Assignees, err = assignees(ctx, q, id); err != nil {
		return t, err
	}
	rows, _ = q.Query(ctx, `SELECT `+extensionColumns+extensionFrom+`WHERE e.task_id = $1 AND e.status = 'pending'`, id)
	pending, err := pgx.CollectRows(rows, pgx.RowToStructByName[Extension])
	if err != nil {
		return t, fmt.Errorf("read pending extension: %w", err)
	}
	if len(pending) > 0 {
		t.PendingRequest = &pending[0]
	}
	return t, nil
}

func assignees(ctx context.Context, q postgres.Querier, taskID int64) ([]Assignee, error) {
	rows, _ := q.Query(ctx, `
		SELECT ta.id, ta.user_id, ta.unit_id, coalesce(u.full_name, n.name, '') AS name, ta.role
		FROM task_assignees ta LEFT JOIN users u ON u.id = ta.user_id LEFT JOIN units n ON n.id = ta.unit_id
		WHERE ta.task_id = $1
		ORDER BY ta.role DESC, ta.id`, taskID) // 'lead' sorts after 'cooperate': DESC puts the lead first
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignee])
	if err != nil {
		return nil, fmt.Errorf("read assignees: %w", err)
	}
	return as, nil
}

// Get returns a task sub may see; otherwise ErrNotFound.
func (s *Service) Get(ctx context.Context, sub access.Subject, id int64) (Task, error) {
	if err := s.checkVisible(ctx, s.db, sub, id); err != nil {
		return Task{}, err
	}
	return getTask(ctx, s.db, id, false)
}

// checkVisible answers ErrNotFound unless sub may see task id.
func (s *Service) checkVisible(ctx context.Context, q postgres.Querier, sub access.Subject, id int64) error {
	vis, err := Visible(ctx, q, sub)
	if err != nil {
		return err
	}
	var a postgres.Args
	var ok bool
	err = q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks t WHERE t.id = `+a.Add(id)+` AND `+vis(&a)+`)`, a.Values()...).Scan(&ok)
	if err != nil {
		return fmt.Errorf("check task %d: %w", id, err)
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// Updates lists a task's progress reports, newest first, with their files.
func (s *Service) Updates(ctx context.Context, taskID int64) ([]Update, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT u.id, u.author_id, usr.full_name AS author_name, u.role, u.percent, u.note, u.created_at
		FROM task_updates u JOIN users usr ON usr.id = u.author_id
		WHERE u.task_id = $1 ORDER BY u.created_at DESC, u.id DESC`, taskID)
	ups, err := pgx.CollectRows(rows, pgx.RowToStructByName[Update])
	if err != nil {
		return nil, fmt.Errorf("list task updates: %w", err)
	}
	files, err := s.Files(ctx, taskID)
	if err != nil {
		return nil, err
	}
	for i := range ups {
		for _, f := range files {
			if f.UpdateID != nil && *f.UpdateID == ups[i].ID {
				ups[i].Files = append(ups[i].Files, f)
			}
		}
		if ups[i].Files == nil {
			ups[i].Files = []File{}
		}
	}
	return ups, nil
}

// Files lists a task's files in the order they were attached.
func (s *Service) Files(ctx context.Context, taskID int64) ([]File, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT f.id, tf.update_id, tf.name, f.size, f.sha256, f.content_type, f.object_key, f.created_at
		FROM task_files tf JOIN files f ON f.id = tf.file_id
		WHERE tf.task_id = $1 ORDER BY tf.position, f.id`, taskID)
	files, err := pgx.CollectRows(rows, pgx.RowToStructByName[File])
	if err != nil {
		return nil, fmt.Errorf("list task files: %w", err)
	}
	return files, nil
}

const extensionColumns = `e.id, e.requested_by, rb.full_name AS requested_by_name, e.old_due, e.requested_due, e.reason, e.status,
	e.decided_by, db.full_name AS decided_by_name, e.decided_at, e.decision_note, e.created_at`

const extensionFrom = ` FROM task_extensions e JOIN users rb ON rb.id = e.requested_by LEFT JOIN users db ON db.id = e.decided_by `

// Extensions lists a task's extension requests, newest first.
func (s *Service) Extensions(ctx context.Context, taskID int64) ([]Extension, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+extensionColumns+extensionFrom+`WHERE e.task_id = $1 ORDER BY e.created_at DESC, e.id DESC`, taskID)
	exts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Extension])
	if err != nil {
		return nil, fmt.Errorf("list extensions: %w", err)
	}
	return exts, nil
}

// Timeline lists a task's events, oldest first.
func (s *Service) Timeline(ctx context.Context, taskID int64) ([]Event, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT e.id, e.at, e.actor_id, u.full_name AS actor_name, e.kind, e.details
		FROM task_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.task_id = $1 ORDER BY e.at, e.id`, taskID)
	evs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
	if err != nil {
		return nil, fmt.Errorf("task timeline: %w", err)
	}
	return evs, nil
}

// OpenFile returns a file of a task sub may see, and records the download
// on the task's timeline.
func (s *Service) OpenFile(ctx context.Context, sub access.Subject, taskID, fileID int64) (io.ReadCloser, File, error) {
	if err := s.checkVisible(ctx, s.db, sub, taskID); err != nil {
		return nil, File{}, err
	}
	files, err := s.Files(ctx, taskID)
	if err != nil {
		return nil, File{}, err
	}
	for _, f := range files {
		if f.ID != fileID {
			continue
		}
		rc, _, err := s.store.Get(ctx, f.ObjectKey, 0, -1)
		if errors.Is(err, objectstore.ErrNotExist) {
			return nil, File{}, fmt.Errorf("file %d of task %d missing from the object store: %w", fileID, taskID, err)
		}
		if err != nil {
			return nil, File{}, apperr.Wrap(apperr.KindUnavailable, "Kho lưu trữ tệp đang không sẵn sàng; vui lòng thử lại sau ít phút.", err)
		}
		if err := addTaskEvent(ctx, s.db, taskID, sub.UserID, "file_downloaded", map[string]any{"file": f.Name, "sha256": f.SHA256}); err != nil {
			rc.Close()
			return nil, File{}, err
		}
		return rc, f, nil
	}
	return nil, File{}, apperr.NotFound("Không tìm thấy tệp.")
}

// DirectionDocument returns the document a direction was written on.
func (s *Service) DirectionDocument(ctx context.Context, directionID int64) (int64, error) {
	var docID int64
	err := s.db.QueryRow(ctx, `SELECT document_id FROM directions WHERE id = $1`, directionID).Scan(&docID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.NotFound("Không tìm thấy ý kiến chỉ đạo.")
	}
	return docID, err
}
