package routing

import (
	"context"
	"errors"
	"fmt"
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
	errHandleForbidden   = apperr.Forbidden("Chỉ người được giao, hoặc lãnh đạo của đơn vị được giao, được thực hiện thao tác này.")
	errReassignForbidden = apperr.Forbidden("Chỉ lãnh đạo của đơn vị được giao mới giao lại việc cho người trong đơn vị.")
)

// notOpen explains why an assignment no longer takes an action.
func notOpen(status string) error {
	switch status {
	case StatusDone:
		return apperr.Conflict("Việc này đã hoàn thành.")
	case StatusReturned:
		return apperr.Conflict("Việc này đã được trả lại.")
	case StatusReassigned:
		return apperr.Conflict("Việc này đã được giao lại cho người khác trong đơn vị.")
	}
	return apperr.Conflict("Việc này không còn mở để xử lý.")
}

// act runs fn on an assignment sub acts for, locked with its document,
// after checking it is still open.
func (s *Service) act(ctx context.Context, sub access.Subject, id int64, allowed func(access.Subject, Assignment) bool, denied error,
	fn func(tx pgx.Tx, a Assignment, d lockedDoc) error) (Assignment, error) {
	a, doc, err := s.Assignment(ctx, sub, id)
	if err != nil {
		return a, err
	}
	if !allowed(sub, a) {
		return a, denied
	}
	if doc.RecalledAt != nil {
		return a, errRecalled(*doc.RecalledAt)
	}
	if !a.Open() {
		return a, notOpen(a.Status)
	}
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDocument(ctx, tx, a.DocumentID)
		if err != nil {
			return err
		}
		a, err = getAssignment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !a.Open() {
			return notOpen(a.Status)
		}
		return fn(tx, a, d)
	})
	if err != nil {
		return Assignment{}, err
	}
	return getAssignment(ctx, s.db, id, false)
}

// Members lists the people of a unit, for re-assignment within it.
func (s *Service) Members(ctx context.Context, unitID int64) ([]Person, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT DISTINCT u.id, u.full_name, u.clearance, '' AS units
		FROM memberships m JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL
		WHERE m.unit_id = $1
		ORDER BY u.full_name, u.id LIMIT 500`, unitID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Person])
}

// ReassignInput is a unit leader passing their unit's part to a person.
type ReassignInput struct {
	UserID   int64
	Body     string     // the leader's own direction, optional
	Deadline *time.Time // optional; not after the unit's deadline
}

// Reassign passes a unit's open assignment to a person of that unit: a
// child assignment with the same role; the unit's own becomes
// "reassigned" and follows the child.
func (s *Service) Reassign(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in ReassignInput) (Assignment, error) {
	a, doc, err := s.Assignment(ctx, sub, id)
	if err != nil {
		return a, err
	}
	if doc.RecalledAt != nil && CanHandle(sub, a) {
		return a, errRecalled(*doc.RecalledAt)
	}
	if !CanReassign(sub, a) {
		if a.AssigneeUnitID != nil && sub.HasRole(*a.AssigneeUnitID, identity.RoleLeader) {
			return a, notOpen(a.Status)
		}
		return a, errReassignForbidden
	}
	f := apperr.Fields{}
	in.Body = trimBody(in.Body)
	if utf8.RuneCountInString(in.Body) > maxBody {
		f.Add("body", "Ý kiến chỉ đạo dài tối đa 5.000 ký tự.")
	}
	var name string
	if in.UserID == 0 {
		f.Add("user_id", "Vui lòng chọn người xử lý trong đơn vị.")
	} else {
		members, err := s.Members(ctx, *a.AssigneeUnitID)
		if err != nil {
			return a, err
		}
		found := false
		for _, m := range members {
			if m.ID == in.UserID {
				found, name = true, m.Name
				if !clears(m.Clearance, doc.Confidentiality) {
					f.Add("user_id", m.Name+" chưa được phép xem văn bản có độ mật này.")
				}
			}
		}
		if !found {
			f.Add("user_id", "Người được chọn không thuộc đơn vị được giao.")
		}
	}
	deadline := a.Deadline
	if in.Deadline != nil {
		d := dateOf(*in.Deadline)
		switch {
		case d.Before(Today()):
			f.Add("deadline", "Hạn xử lý không được trước ngày hôm nay.")
		case a.Deadline != nil && d.After(*a.Deadline):
			f.Add("deadline", "Hạn xử lý không được sau hạn của đơn vị ("+a.Deadline.Format("02/01/2006")+").")
		}
		deadline = &d
	}
	if err := f.Err(); err != nil {
		return a, err
	}
	var childID int64
	_, err = s.act(ctx, sub, id, CanReassign, errReassignForbidden, func(tx pgx.Tx, a Assignment, d lockedDoc) error {
		dirID := a.DirectionID
		if in.Body != "" {
			var nid int64
			if err := tx.QueryRow(ctx, `INSERT INTO directions (document_id, author_id, body, deadline) VALUES ($1, $2, $3, $4) RETURNING id`,
				a.DocumentID, sub.UserID, in.Body, deadline).Scan(&nid); err != nil {
				return fmt.Errorf("insert direction: %w", err)
			}
			dirID = &nid
		}
		var err error
		childID, err = insertAssignment(ctx, tx, a.DocumentID, dirID, &a.ID, Assignee{UserID: in.UserID}, a.Role, deadline, sub.UserID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE assignments SET status = 'reassigned' WHERE id = $1`, a.ID); err != nil {
			return fmt.Errorf("mark reassigned: %w", err)
		}
		if err := grant(ctx, tx, a.DocumentID, Assignee{UserID: in.UserID}, sub.UserID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, a.DocumentID, sub.UserID, "reassigned", map[string]any{
			"assignment_id": childID, "parent_id": a.ID, "unit": a.AssigneeName, "assignee": name, "role": a.Role, "body": in.Body}); err != nil {
			return err
		}
		if in.UserID != sub.UserID {
			if _, err := notify.Create(ctx, tx, in.UserID, "assigned", assignedTitle(a.Role, d.Subject), docLink(a.DocumentID)); err != nil {
				return err
			}
		}
		return record(ctx, tx, actor, "document.reassign", a.DocumentID, map[string]any{"assignment_id": childID, "parent_id": a.ID, "user_id": in.UserID})
	})
	if err != nil {
		return Assignment{}, err
	}
	return getAssignment(ctx, s.db, childID, false)
}

// startHandling marks the document in progress once someone who handles
// (not merely informed) starts.
func startHandling(ctx context.Context, tx pgx.Tx, a Assignment) error {
	if a.Role == RoleInform {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE documents SET status = '05', updated_at = now() WHERE id = $1 AND status = '04'`, a.DocumentID)
	return err
}

// Accept takes an assignment on: assigned → in_progress, and the document
// becomes 05.
func (s *Service) Accept(ctx context.Context, sub access.Subject, actor audit.Actor, id int64) (Assignment, error) {
	return s.act(ctx, sub, id, CanHandle, errHandleForbidden, func(tx pgx.Tx, a Assignment, _ lockedDoc) error {
		if a.Status != StatusAssigned {
			return apperr.Conflict("Việc này đã được nhận xử lý.")
		}
		if _, err := tx.Exec(ctx, `UPDATE assignments SET status = 'in_progress', accepted_at = now() WHERE id = $1`, a.ID); err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		if err := startHandling(ctx, tx, a); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, a.DocumentID, sub.UserID, "accepted", map[string]any{"assignment_id": a.ID, "role": a.Role}); err != nil {
			return err
		}
		return record(ctx, tx, actor, "document.accept", a.DocumentID, map[string]any{"assignment_id": a.ID})
	})
}

// Progress records how far the work is (0–100 %) with a note; an
// assignment not yet accepted is accepted by it.
func (s *Service) Progress(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, percent int, note string) (Assignment, error) {
	f := apperr.Fields{}
	if percent < 0 || percent > 100 {
		f.Add("percent", "Tiến độ phải từ 0 đến 100%.")
	}
	note = trimBody(note)
	if utf8.RuneCountInString(note) > maxNote {
		f.Add("note", "Ghi chú dài tối đa 2.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		// Existence and permission come first: a caller who may not see
		// the assignment learns nothing from validation.
		if _, _, gerr := s.Assignment(ctx, sub, id); gerr != nil {
			return Assignment{}, gerr
		}
		return Assignment{}, err
	}
	return s.act(ctx, sub, id, CanHandle, errHandleForbidden, func(tx pgx.Tx, a Assignment, _ lockedDoc) error {
		if _, err := tx.Exec(ctx, `
			UPDATE assignments SET progress = $2, progress_note = $3, status = 'in_progress', accepted_at = coalesce(accepted_at, now())
			WHERE id = $1`, a.ID, percent, note); err != nil {
			return fmt.Errorf("progress: %w", err)
		}
		if err := startHandling(ctx, tx, a); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, a.DocumentID, sub.UserID, "progress", map[string]any{"assignment_id": a.ID, "percent": percent, "note": note}); err != nil {
			return err
		}
		return record(ctx, tx, actor, "document.progress", a.DocumentID, map[string]any{"assignment_id": a.ID, "percent": percent})
	})
}

// CompleteInput is the result of an assignment.
type CompleteInput struct {
	Result          string
	ReplyDocumentID int64 // optional: the reply, a document the assignee may see
}

// Complete finishes an assignment. Finishing a re-assigned part finishes
// the unit's part above it; when no lead remains open the document is done
// (06). Cooperating and informed parts never hold the document back.
func (s *Service) Complete(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in CompleteInput) (Assignment, error) {
	a, doc, err := s.Assignment(ctx, sub, id)
	if err != nil {
		return a, err
	}
	if !CanHandle(sub, a) {
		return a, errHandleForbidden
	}
	if !a.Open() {
		return a, notOpen(a.Status)
	}
	f := apperr.Fields{}
	in.Result = trimBody(in.Result)
	switch {
	case in.Result == "" && a.Role == RoleInform:
		in.Result = "Đã biết"
	case in.Result == "":
		f.Add("result", "Vui lòng nhập kết quả xử lý.")
	case utf8.RuneCountInString(in.Result) > maxNote:
		f.Add("result", "Kết quả dài tối đa 2.000 ký tự.")
	}
	if in.ReplyDocumentID != 0 {
		if in.ReplyDocumentID == doc.ID {
			f.Add("reply_document_id", "Văn bản trả lời phải khác văn bản đang xử lý.")
		} else if _, err := s.docs.Get(ctx, sub, in.ReplyDocumentID); errors.Is(err, documents.ErrNotFound) {
			f.Add("reply_document_id", "Không tìm thấy văn bản trả lời, hoặc bạn không có quyền xem văn bản đó.")
		} else if err != nil {
			return a, err
		}
	}
	if err := f.Err(); err != nil {
		return a, err
	}
	return s.act(ctx, sub, id, CanHandle, errHandleForbidden, func(tx pgx.Tx, a Assignment, d lockedDoc) error {
		reply := ptr(in.ReplyDocumentID)
		progress := "100"
		if a.Role == RoleInform {
			progress = "progress"
		}
		if _, err := tx.Exec(ctx, `
			UPDATE assignments SET status = 'done', result = $2, reply_document_id = $3, progress = `+progress+`,
				accepted_at = coalesce(accepted_at, now()), completed_at = now()
			WHERE id = $1`, a.ID, in.Result, reply); err != nil {
			return fmt.Errorf("complete: %w", err)
		}
		// The units above a re-assigned part are done with it.
		tell := map[int64]bool{}
		if a.AssignedBy != nil {
			tell[*a.AssignedBy] = true
		}
		for parent := a.ParentID; parent != nil; {
			var next, by *int64
			var status string
			if err := tx.QueryRow(ctx, `SELECT parent_id, assigned_by, status FROM assignments WHERE id = $1 FOR UPDATE`, *parent).
				Scan(&next, &by, &status); err != nil {
				return fmt.Errorf("read parent assignment: %w", err)
			}
			if status != StatusReassigned {
				break
			}
			if _, err := tx.Exec(ctx, `
				UPDATE assignments SET status = 'done', result = $2, reply_document_id = $3, progress = 100, completed_at = now()
				WHERE id = $1`, *parent, in.Result, reply); err != nil {
				return fmt.Errorf("complete parent assignment: %w", err)
			}
			if by != nil {
				tell[*by] = true
			}
			parent = next
		}
		var docDone bool
		if a.Role == RoleLead {
			tag, err := tx.Exec(ctx, `
				UPDATE documents SET status = '06', completed_at = now(), updated_at = now()
				WHERE id = $1 AND status IN ('04', '05')
				AND NOT EXISTS (SELECT 1 FROM assignments WHERE document_id = $1 AND role = 'lead' AND status IN ('assigned', 'in_progress', 'reassigned'))`,
				a.DocumentID)
			if err != nil {
				return fmt.Errorf("complete document: %w", err)
			}
			docDone = tag.RowsAffected() > 0
		} else if err := startHandling(ctx, tx, a); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, a.DocumentID, sub.UserID, "completed", map[string]any{
			"assignment_id": a.ID, "role": a.Role, "result": in.Result, "reply_document_id": reply, "document_done": docDone}); err != nil {
			return err
		}
		if a.Role != RoleInform {
			title := "Đã hoàn thành xử lý: " + short(d.Subject)
			if a.Role == RoleCooperate {
				title = "Đã hoàn thành phần phối hợp: " + short(d.Subject)
			}
			for uid := range tell {
				if uid == sub.UserID {
					continue
				}
				if _, err := notify.Create(ctx, tx, uid, "completed", title, docLink(a.DocumentID)); err != nil {
					return err
				}
			}
		}
		return record(ctx, tx, actor, "document.complete", a.DocumentID, map[string]any{
			"assignment_id": a.ID, "reply_document_id": reply, "document_done": docDone})
	})
}

// Return gives an assignment back with a reason: a re-assigned part goes
// back to its unit; a lead given back leaves the document registered (03)
// and in the directing leader's "chờ cho ý kiến" again, to be directed
// anew.
func (s *Service) Return(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Assignment, error) {
	reason = trimBody(reason)
	f := apperr.Fields{}
	switch {
	case reason == "":
		f.Add("reason", "Vui lòng nhập lý do trả lại.")
	case utf8.RuneCountInString(reason) > maxNote:
		f.Add("reason", "Lý do dài tối đa 2.000 ký tự.")
	}
	if err := f.Err(); err != nil {
		if _, _, gerr := s.Assignment(ctx, sub, id); gerr != nil {
			return Assignment{}, gerr
		}
		return Assignment{}, err
	}
	return s.act(ctx, sub, id, CanHandle, errHandleForbidden, func(tx pgx.Tx, a Assignment, d lockedDoc) error {
		if _, err := tx.Exec(ctx, `UPDATE assignments SET status = 'returned', return_reason = $2 WHERE id = $1`, a.ID, reason); err != nil {
			return fmt.Errorf("return: %w", err)
		}
		if a.ParentID != nil {
			if _, err := tx.Exec(ctx, `UPDATE assignments SET status = 'assigned' WHERE id = $1 AND status = 'reassigned'`, *a.ParentID); err != nil {
				return fmt.Errorf("reopen parent assignment: %w", err)
			}
		}
		var reopened bool
		if a.Role == RoleLead {
			tag, err := tx.Exec(ctx, `
				UPDATE documents SET status = '03', presented_to = coalesce($2, presented_to), updated_at = now()
				WHERE id = $1 AND status IN ('04', '05')
				AND NOT EXISTS (SELECT 1 FROM assignments WHERE document_id = $1 AND role = 'lead' AND status IN ('assigned', 'in_progress', 'reassigned'))`,
				a.DocumentID, a.AssignedBy)
			if err != nil {
				return fmt.Errorf("reopen document: %w", err)
			}
			reopened = tag.RowsAffected() > 0
		}
		if err := addEvent(ctx, tx, a.DocumentID, sub.UserID, "returned", map[string]any{
			"assignment_id": a.ID, "role": a.Role, "reason": reason, "document_reopened": reopened}); err != nil {
			return err
		}
		if a.AssignedBy != nil && *a.AssignedBy != sub.UserID {
			if _, err := notify.Create(ctx, tx, *a.AssignedBy, "returned", "Văn bản bị trả lại: "+short(d.Subject), docLink(a.DocumentID)); err != nil {
				return err
			}
		}
		return record(ctx, tx, actor, "document.return", a.DocumentID, map[string]any{"assignment_id": a.ID, "reason": reason})
	})
}

// Directions lists a document's directions, oldest first, each with the
// assignments it made; re-assignments hang under the assignment they
// refine, with the re-assigning leader's words as their Note.
func (s *Service) Directions(ctx context.Context, docID int64) ([]Direction, error) {
	return loadDirections(ctx, s.db, docID, 0)
}

func (s *Service) direction(ctx context.Context, q postgres.Querier, id int64) (Direction, error) {
	var docID int64
	if err := q.QueryRow(ctx, `SELECT document_id FROM directions WHERE id = $1`, id).Scan(&docID); err != nil {
		return Direction{}, fmt.Errorf("read direction %d: %w", id, err)
	}
	ds, err := loadDirections(ctx, q, docID, id)
	if err != nil {
		return Direction{}, err
	}
	if len(ds) == 0 {
		return Direction{}, fmt.Errorf("direction %d vanished", id)
	}
	return ds[0], nil
}

func loadDirections(ctx context.Context, q postgres.Querier, docID, only int64) ([]Direction, error) {
	rows, _ := q.Query(ctx, `
		SELECT d.id, d.document_id, d.author_id, u.full_name AS author_name, d.body, d.deadline, d.created_at
		FROM directions d JOIN users u ON u.id = d.author_id
		WHERE d.document_id = $1 AND ($2 = 0 OR d.id = $2)
		ORDER BY d.created_at, d.id`, docID, only)
	dirs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Direction])
	if err != nil {
		return nil, fmt.Errorf("list directions: %w", err)
	}
	rows, _ = q.Query(ctx, `SELECT `+assignmentColumns+assignmentFrom+`WHERE a.document_id = $1
		ORDER BY CASE a.role WHEN 'lead' THEN 0 WHEN 'cooperate' THEN 1 ELSE 2 END, a.id`, docID)
	all, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	body := map[int64]string{}
	for _, d := range dirs {
		body[d.ID] = d.Body
	}
	dirOf := map[int64]*int64{}
	children := map[int64][]Assignment{}
	var roots []Assignment
	for _, a := range all {
		dirOf[a.ID] = a.DirectionID
		if a.ParentID != nil {
			children[*a.ParentID] = append(children[*a.ParentID], a)
		} else {
			roots = append(roots, a)
		}
	}
	reassignDir := map[int64]bool{}
	var build func(a Assignment, depth int) Assignment
	build = func(a Assignment, depth int) Assignment {
		if a.ParentID != nil && a.DirectionID != nil {
			if pd := dirOf[*a.ParentID]; pd == nil || *pd != *a.DirectionID {
				a.Note = body[*a.DirectionID]
				reassignDir[*a.DirectionID] = true
			}
		}
		if depth < 20 {
			for _, c := range children[a.ID] {
				a.Children = append(a.Children, build(c, depth+1))
			}
		}
		return a
	}
	byDir := map[int64][]Assignment{}
	for _, r := range roots {
		if r.DirectionID != nil {
			byDir[*r.DirectionID] = append(byDir[*r.DirectionID], build(r, 0))
		}
	}
	out := make([]Direction, 0, len(dirs))
	for _, d := range dirs {
		d.Assignments = byDir[d.ID]
		if d.Assignments == nil {
			d.Assignments = []Assignment{}
		}
		d.Reassignment = reassignDir[d.ID] && len(byDir[d.ID]) == 0
		out = append(out, d)
	}
	return out, nil
}
