package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// Submission is one unit's report for one period, with the fields of its
// version.
type Submission struct {
	ID               int64      `db:"id" json:"id"`
	PeriodID         int64      `db:"period_id" json:"period_id"`
	TemplateID       int64      `db:"template_id" json:"template_id"`
	UnitID           int64      `db:"unit_id" json:"unit_id"`
	UnitName         string     `db:"unit_name" json:"unit_name"`
	IssuerUnitID     int64      `db:"issuer_unit_id" json:"issuer_unit_id"`
	IssuerName       string     `db:"issuer_name" json:"issuer_name"`
	TemplateName     string     `db:"template_name" json:"template_name"`
	Description      string     `db:"description" json:"description"`
	PeriodLabel      string     `db:"period_label" json:"period_label"`
	StartsOn         time.Time  `db:"starts_on" json:"starts_on"`
	EndsOn           time.Time  `db:"ends_on" json:"ends_on"`
	DueDate          time.Time  `db:"due_date" json:"due_date"`
	Version          int        `db:"version" json:"version"`
	Status           string     `db:"status" json:"status"`
	Data             Values     `db:"data" json:"values"`
	Revision         int        `db:"revision" json:"revision"`
	DraftSavedAt     *time.Time `db:"draft_saved_at" json:"draft_saved_at"`
	DraftSavedBy     *int64     `db:"draft_saved_by" json:"-"`
	DraftSavedByName *string    `db:"draft_saved_by_name" json:"draft_saved_by_name"`
	FirstSubmittedAt *time.Time `db:"first_submitted_at" json:"first_submitted_at"`
	SubmittedAt      *time.Time `db:"submitted_at" json:"submitted_at"`
	SubmittedBy      *int64     `db:"submitted_by" json:"-"`
	SubmittedByName  *string    `db:"submitted_by_name" json:"submitted_by_name"`
	DecidedAt        *time.Time `db:"decided_at" json:"decided_at"`
	DecidedByName    *string    `db:"decided_by_name" json:"decided_by_name"`
	Fields           []Field    `db:"fields" json:"fields"`

	// What the subject may do, filled by Get.
	Can Permissions `db:"-" json:"-"`
}

// Permissions say what the subject may do with a submission now.
type Permissions struct {
	Edit         bool // change values and attachments
	Send         bool // send it up (the unit's leader)
	AskApproval  bool // hand it to the unit's leader
	SendBack     bool // the unit's leader returns it to the drafter
	Decide       bool // accept or return (the upper unit's leader)
	Oversee      bool // the upper unit's view
	Remind       bool
	LateNow      bool // not sent and the due date has passed
	SubmitLate   bool // sent after the due date (judged on the first sending)
	CurrentState string
}

// Late reports whether the first sending came after the due date.
func (s Submission) Late() bool {
	return s.FirstSubmittedAt != nil && vntime.DateOf(*s.FirstSubmittedAt).After(s.DueDate)
}

const submissionColumns = `s.id, s.period_id, s.template_id, s.unit_id, u.name AS unit_name, t.issuer_unit_id, iu.name AS issuer_name,
	v.name AS template_name, v.description, p.label AS period_label, p.starts_on, p.ends_on, p.due_date, s.version, s.status,
	s.data, s.revision, s.draft_saved_at, s.draft_saved_by, ds.full_name AS draft_saved_by_name, s.first_submitted_at,
	s.submitted_at, s.submitted_by, sb.full_name AS submitted_by_name, s.decided_at, db.full_name AS decided_by_name, v.fields`

const submissionFrom = ` FROM report_submissions s
	JOIN report_periods p ON p.id = s.period_id
	JOIN report_templates t ON t.id = s.template_id
	JOIN report_template_versions v ON v.template_id = s.template_id AND v.version = s.version
	JOIN units u ON u.id = s.unit_id
	JOIN units iu ON iu.id = t.issuer_unit_id
	LEFT JOIN users ds ON ds.id = s.draft_saved_by
	LEFT JOIN users sb ON sb.id = s.submitted_by
	LEFT JOIN users db ON db.id = s.decided_by `

// visible loads a submission the subject may see (locking it when lock).
func visible(ctx context.Context, q postgres.Querier, sub access.Subject, id int64, lock bool) (Submission, error) {
	var a postgres.Args
	sql := `SELECT ` + submissionColumns + submissionFrom + `WHERE s.id = ` + a.Add(id) + ` AND ` +
		sub.ReportSubmissionPredicate("t.issuer_unit_id", "s.unit_id")(&a)
	if lock {
		sql += ` FOR UPDATE OF s`
	}
	rows, _ := q.Query(ctx, sql, a.Values()...)
	sm, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Submission])
	if err != nil {
		return Submission{}, notFoundAs(err, ErrSubmissionNotFound)
	}
	if sm.Data == nil {
		sm.Data = Values{}
	}
	return sm, nil
}

// Get returns a submission the subject may see, with what they may do.
func (s *Service) Get(ctx context.Context, sub access.Subject, id int64) (Submission, error) {
	sm, err := visible(ctx, s.db, sub, id, false)
	if err != nil {
		return Submission{}, err
	}
	sm.Can, err = s.permissions(ctx, s.db, sub, sm)
	return sm, err
}

func (s *Service) permissions(ctx context.Context, q postgres.Querier, sub access.Subject, sm Submission) (Permissions, error) {
	var p Permissions
	oversee, err := allowed(ctx, q, sm.IssuerUnitID, sub.ReportOverseePredicate)
	if err != nil {
		return p, err
	}
	decide, err := allowed(ctx, q, sm.IssuerUnitID, sub.ReportDecidePredicate)
	if err != nil {
		return p, err
	}
	manage, err := allowed(ctx, q, sm.IssuerUnitID, sub.ReportManagePredicate)
	if err != nil {
		return p, err
	}
	fill := sub.CanFillReport(sm.UnitID)
	p.Oversee = oversee
	p.Edit = fill && editable(sm.Status)
	p.Send = p.Edit && sub.CanSendReport(sm.UnitID)
	p.AskApproval = p.Edit && !p.Send && sm.Status != StatusAwaitingApproval
	p.SendBack = sm.Status == StatusAwaitingApproval && sub.CanSendReport(sm.UnitID)
	p.Decide = decide && sm.Status == StatusSubmitted
	p.LateNow = sm.FirstSubmittedAt == nil && s.today().After(sm.DueDate)
	p.Remind = manage && (sm.Status == StatusPending || sm.Status == StatusAwaitingApproval || sm.Status == StatusReturned)
	p.SubmitLate = sm.Late()
	return p, nil
}

// SaveResult is the outcome of saving a draft: when it was saved and what
// is wrong with what was typed (the draft is saved all the same).
type SaveResult struct {
	SavedAt time.Time         `json:"saved_at"`
	Errors  map[string]string `json:"errors"`
}

// draftAuditEvery: a draft saved as its author types is audited once in
// this span (per person), not at every keystroke pause.
const draftAuditEvery = 10 * time.Minute

// SaveDraft stores the values typed so far. Attachments are kept as they
// are (they change through AddFile and RemoveFile). Values that cannot be
// read are kept as typed and reported in the result.
func (s *Service) SaveDraft(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, vals Values) (SaveResult, error) {
	var res SaveResult
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := s.lockEditable(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		res, err = s.saveDraft(ctx, tx, actor, sm, vals)
		return err
	})
	return res, err
}

func (s *Service) saveDraft(ctx context.Context, tx pgx.Tx, actor audit.Actor, sm Submission, vals Values) (SaveResult, error) {
	merged := Values{}
	for k, v := range vals {
		merged[k] = Value{Text: v.Text, Rows: v.Rows}
	}
	for _, fl := range sm.Fields {
		if fl.Kind == KindAttachment {
			merged[fl.Key] = sm.Data[fl.Key]
		}
	}
	data := tidy(sm.Fields, merged)
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE report_submissions SET data = $2, draft_saved_at = $3, draft_saved_by = $4, updated_at = now() WHERE id = $1`,
		sm.ID, data, now, actor.UserID); err != nil {
		return SaveResult{}, fmt.Errorf("save draft: %w", err)
	}
	if sm.DraftSavedBy == nil || *sm.DraftSavedBy != actor.UserID || sm.DraftSavedAt == nil || now.Sub(*sm.DraftSavedAt) > draftAuditEvery {
		if err := audit.Record(ctx, tx, actor.Entry("report.draft_save", "report_submission", strconv.FormatInt(sm.ID, 10),
			map[string]any{"fields": len(data)})); err != nil {
			return SaveResult{}, err
		}
	}
	return SaveResult{SavedAt: now, Errors: check(sm.Fields, data, false).errors}, nil
}

// lockEditable locks a visible submission the subject may fill in and that
// is still open for changes.
func (s *Service) lockEditable(ctx context.Context, tx pgx.Tx, sub access.Subject, id int64) (Submission, error) {
	sm, err := visible(ctx, tx, sub, id, true)
	if err != nil {
		return Submission{}, err
	}
	if !sub.CanFillReport(sm.UnitID) {
		return Submission{}, ErrNotFiller
	}
	if !editable(sm.Status) {
		return Submission{}, ErrNotEditable
	}
	return sm, nil
}

// SubmitResult says what a submission became.
type SubmitResult struct {
	Status   string `json:"status"`
	Revision int    `json:"revision"`
	Late     bool   `json:"late"`
}

// Submit sends the report: the unit's leader sends it up to the issuing
// unit (a new revision, its numbers stored exactly for the aggregates);
// anyone else of the unit hands it to the unit's leaders for approval.
// When vals is not nil they are saved first (the form's latest values).
// Required fields and unreadable values are refused with a message per
// field, the draft saved all the same.
func (s *Service) Submit(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, vals Values) (SubmitResult, error) {
	var res SubmitResult
	var invalid map[string]string
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := s.lockEditable(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if vals != nil {
			if _, err := s.saveDraft(ctx, tx, actor, sm, vals); err != nil {
				return err
			}
			if sm, err = visible(ctx, tx, sub, id, false); err != nil {
				return err
			}
		}
		c := check(sm.Fields, sm.Data, true)
		if len(c.errors) > 0 {
			invalid = c.errors
			return nil // keep the draft
		}
		now := s.now()
		subID := strconv.FormatInt(id, 10)
		if !sub.CanSendReport(sm.UnitID) {
			if sm.Status == StatusAwaitingApproval {
				return apperr.Conflict("Báo cáo đã được trình lãnh đạo đơn vị, đang chờ duyệt.")
			}
			if _, err := tx.Exec(ctx, `UPDATE report_submissions SET status = 'awaiting_approval', updated_at = now() WHERE id = $1`, id); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, id, actor.UserID, "sent_for_approval", nil, "", nil); err != nil {
				return err
			}
			leaders, err := unitPeople(ctx, tx, sm.UnitID, identity.RoleLeader)
			if err != nil {
				return err
			}
			title := fmt.Sprintf("Báo cáo chờ duyệt: %s — %s", sm.TemplateName, sm.PeriodLabel)
			for _, uid := range leaders {
				if _, err := notify.Create(ctx, tx, uid, "report_approval", title, SubmissionLink(id)); err != nil {
					return err
				}
			}
			res = SubmitResult{Status: StatusAwaitingApproval, Revision: sm.Revision}
			return audit.Record(ctx, tx, actor.Entry("report.send_for_approval", "report_submission", subID, nil))
		}
		rev := sm.Revision + 1
		if _, err := tx.Exec(ctx, `
			UPDATE report_submissions SET status = 'submitted', revision = $2, submitted_at = $3, submitted_by = $4,
				first_submitted_at = coalesce(first_submitted_at, $3), updated_at = now()
			WHERE id = $1`, id, rev, now, actor.UserID); err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_revisions (submission_id, revision, version, data, submitted_by, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, rev, sm.Version, sm.Data, actor.UserID, now); err != nil {
			return fmt.Errorf("store revision: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM report_values WHERE submission_id = $1`, id); err != nil {
			return err
		}
		for key, n := range c.numbers {
			if _, err := tx.Exec(ctx, `INSERT INTO report_values (submission_id, field_key, value) VALUES ($1, $2, $3::text::numeric)`, id, key, n); err != nil {
				return fmt.Errorf("store value %s: %w", key, err)
			}
		}
		first := sm.FirstSubmittedAt
		if first == nil {
			first = &now
		}
		late := vntime.DateOf(*first).After(sm.DueDate)
		details := map[string]any{"late": late}
		if sm.Status == StatusReturned {
			details["resubmitted"] = true
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "submitted", &rev, "", details); err != nil {
			return err
		}
		res = SubmitResult{Status: StatusSubmitted, Revision: rev, Late: late}
		details["revision"] = rev
		return audit.Record(ctx, tx, actor.Entry("report.submit", "report_submission", subID, details))
	})
	if err != nil {
		return SubmitResult{}, err
	}
	if invalid != nil {
		return SubmitResult{}, apperr.Invalid("Báo cáo chưa được gửi: vui lòng sửa các ô được đánh dấu (bản nháp đã được lưu).", invalid)
	}
	return res, nil
}

// SendBack is the unit's leader returning a report handed to them, with a
// comment, to whoever drafted it.
func (s *Service) SendBack(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, comment string) error {
	comment, err := cleanComment(comment, true, "Vui lòng ghi nội dung cần sửa.")
	if err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := visible(ctx, tx, sub, id, true)
		if err != nil {
			return err
		}
		if !sub.CanSendReport(sm.UnitID) {
			return apperr.Forbidden("Chỉ lãnh đạo đơn vị báo cáo được trả lại báo cáo đang chờ duyệt.")
		}
		if sm.Status != StatusAwaitingApproval {
			return apperr.Conflict("Báo cáo không ở trạng thái chờ lãnh đạo đơn vị duyệt.")
		}
		if _, err := tx.Exec(ctx, `UPDATE report_submissions SET status = 'pending', updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "sent_back", nil, comment, nil); err != nil {
			return err
		}
		if err := notifyPeople(ctx, tx, []*int64{sm.DraftSavedBy}, actor.UserID, "report_sent_back",
			fmt.Sprintf("Lãnh đạo đơn vị yêu cầu sửa báo cáo: %s — %s", sm.TemplateName, sm.PeriodLabel), SubmissionLink(id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report.send_back", "report_submission", strconv.FormatInt(id, 10), map[string]any{"comment": comment}))
	})
}

// Return is the upper unit's leader returning a submitted report with a
// comment; the unit corrects and resubmits it.
func (s *Service) Return(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, comment string) error {
	comment, err := cleanComment(comment, true, "Vui lòng ghi lý do trả lại, để đơn vị biết cần sửa gì.")
	if err != nil {
		return err
	}
	return s.decide(ctx, sub, actor, id, StatusReturned, comment)
}

// Accept is the upper unit's leader accepting a submitted report.
func (s *Service) Accept(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, comment string) error {
	comment, err := cleanComment(comment, false, "")
	if err != nil {
		return err
	}
	return s.decide(ctx, sub, actor, id, StatusAccepted, comment)
}

func (s *Service) decide(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, to, comment string) error {
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := visible(ctx, tx, sub, id, true)
		if err != nil {
			return err
		}
		ok, err := allowed(ctx, tx, sm.IssuerUnitID, sub.ReportDecidePredicate)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotDecider
		}
		if sm.Status != StatusSubmitted {
			return apperr.Conflict(fmt.Sprintf("Chỉ chấp nhận hoặc trả lại được báo cáo đã nộp đang chờ xem xét (báo cáo đang ở trạng thái “%s”).", StatusLabel(sm.Status)))
		}
		if _, err := tx.Exec(ctx, `UPDATE report_submissions SET status = $2, decided_at = $3, decided_by = $4, updated_at = now() WHERE id = $1`,
			id, to, s.now(), actor.UserID); err != nil {
			return err
		}
		kind, title := "accepted", "Báo cáo đã được chấp nhận"
		if to == StatusReturned {
			kind, title = "returned", "Báo cáo bị trả lại"
		}
		rev := sm.Revision
		if err := addEvent(ctx, tx, id, actor.UserID, kind, &rev, comment, nil); err != nil {
			return err
		}
		if err := notifyPeople(ctx, tx, []*int64{sm.SubmittedBy, sm.DraftSavedBy}, actor.UserID, "report_"+kind,
			fmt.Sprintf("%s: %s — %s", title, sm.TemplateName, sm.PeriodLabel), SubmissionLink(id)); err != nil {
			return err
		}
		details := map[string]any{"revision": rev}
		if comment != "" {
			details["comment"] = comment
		}
		action := "report.accept"
		if to == StatusReturned {
			action = "report.return"
		}
		return audit.Record(ctx, tx, actor.Entry(action, "report_submission", strconv.FormatInt(id, 10), details))
	})
}

// notifyPeople notifies each distinct person once, never the actor.
func notifyPeople(ctx context.Context, tx pgx.Tx, people []*int64, actorID int64, kind, title, link string) error {
	seen := map[int64]bool{actorID: true}
	for _, p := range people {
		if p == nil || seen[*p] {
			continue
		}
		seen[*p] = true
		if _, err := notify.Create(ctx, tx, *p, kind, title, link); err != nil {
			return err
		}
	}
	return nil
}

// unitPeople lists the active people holding one of roles in unit.
func unitPeople(ctx context.Context, q postgres.Querier, unit int64, roles ...identity.Role) ([]int64, error) {
	rs := make([]string, len(roles))
	for i, r := range roles {
		rs[i] = string(r)
	}
	rows, _ := q.Query(ctx, `SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.unit_id = $1 AND m.role::text = ANY($2) AND u.disabled_at IS NULL ORDER BY m.user_id`, unit, rs)
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// SubmissionLink is the page of a submission.
func SubmissionLink(id int64) string { return "/reports/submissions/" + strconv.FormatInt(id, 10) }

// Revision is one sending of a submission.
type Revision struct {
	Revision        int       `db:"revision" json:"revision"`
	Version         int       `db:"version" json:"version"`
	Data            Values    `db:"data" json:"values"`
	SubmittedAt     time.Time `db:"submitted_at" json:"submitted_at"`
	SubmittedByName *string   `db:"submitted_by_name" json:"submitted_by_name"`
}

// History lists a visible submission's events (oldest first) and its
// revisions (newest first).
func (s *Service) History(ctx context.Context, sub access.Subject, id int64) ([]Event, []Revision, error) {
	if _, err := visible(ctx, s.db, sub, id, false); err != nil {
		return nil, nil, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT e.id, e.at, e.actor_id, u.full_name AS actor_name, e.kind, e.revision, e.comment, e.details
		FROM report_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.submission_id = $1 ORDER BY e.at, e.id`, id)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
	if err != nil {
		return nil, nil, err
	}
	rows, _ = s.db.Query(ctx, `
		SELECT r.revision, r.version, r.data, r.submitted_at, u.full_name AS submitted_by_name
		FROM report_revisions r LEFT JOIN users u ON u.id = r.submitted_by
		WHERE r.submission_id = $1 ORDER BY r.revision DESC`, id)
	revs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Revision])
	return events, revs, err
}

// ---- Attachments ----

// AddFile attaches an uploaded file (already checked by content) to an
// attachment field of an editable submission: bytes to the object store,
// then the rows in one transaction (the object is deleted if that fails).
func (s *Service) AddFile(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, fieldKey string, u *documents.Upload) (FileRef, error) {
	sm, err := visible(ctx, s.db, sub, id, false)
	if err != nil {
		return FileRef{}, err
	}
	if !sub.CanFillReport(sm.UnitID) {
		return FileRef{}, ErrNotFiller
	}
	if !editable(sm.Status) {
		return FileRef{}, ErrNotEditable
	}
	if err := attachable(sm, fieldKey); err != nil {
		return FileRef{}, err
	}
	r, err := u.Reader()
	if err != nil {
		return FileRef{}, err
	}
	obj, err := s.store.Put(ctx, newObjectKey(s.now()), r, u.Size, objectstore.PutOptions{ContentType: u.ContentType, SHA256: u.SHA256})
	if err != nil {
		if errors.Is(err, objectstore.ErrUnavailable) || errors.Is(err, objectstore.ErrChecksumMismatch) {
			return FileRef{}, apperr.Wrap(apperr.KindUnavailable, "Kho lưu trữ tệp đang không sẵn sàng nên tệp chưa được lưu. Vui lòng thử lại sau ít phút.", err)
		}
		return FileRef{}, fmt.Errorf("store %s: %w", u.Name, err)
	}
	var ref FileRef
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := s.lockEditable(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if err := attachable(sm, fieldKey); err != nil {
			return err
		}
		var fileID int64
		if err := tx.QueryRow(ctx, `INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			obj.Key, obj.SHA256, obj.Size, u.ContentType, actor.UserID).Scan(&fileID); err != nil {
			return fmt.Errorf("insert file: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_files (submission_id, file_id, field_key, name) VALUES ($1, $2, $3, $4)`,
			id, fileID, fieldKey, u.Name); err != nil {
			return fmt.Errorf("link file: %w", err)
		}
		ref = FileRef{ID: fileID, Name: u.Name, Size: obj.Size}
		v := sm.Data[fieldKey]
		v.Files = append(v.Files, ref)
		sm.Data[fieldKey] = v
		if _, err := tx.Exec(ctx, `UPDATE report_submissions SET data = $2, draft_saved_at = $3, draft_saved_by = $4, updated_at = now() WHERE id = $1`,
			id, sm.Data, s.now(), actor.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report.file_add", "report_submission", strconv.FormatInt(id, 10),
			map[string]any{"file_id": fileID, "field": fieldKey, "sha256": obj.SHA256, "size": obj.Size}))
	})
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), obj.Key)
		return FileRef{}, err
	}
	return ref, nil
}

func attachable(sm Submission, fieldKey string) error {
	for _, fl := range sm.Fields {
		if fl.Key == fieldKey && fl.Kind == KindAttachment {
			if len(sm.Data[fieldKey].Files) >= MaxFilesInField {
				msg := fmt.Sprintf("Mỗi mục đính kèm tối đa %d tệp.", MaxFilesInField)
				return apperr.Invalid(msg, map[string]string{fieldKey: msg})
			}
			return nil
		}
	}
	msg := "Mẫu báo cáo không có mục đính kèm này."
	return apperr.Invalid(msg, map[string]string{"field": msg})
}

// RemoveFile takes a file off an editable submission's values; the file
// stays linked for the revisions that showed it.
func (s *Service) RemoveFile(ctx context.Context, sub access.Subject, actor audit.Actor, id, fileID int64) error {
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		sm, err := s.lockEditable(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		found := false
		for k, v := range sm.Data {
			kept := v.Files[:0:0]
			for _, f := range v.Files {
				if f.ID == fileID {
					found = true
					continue
				}
				kept = append(kept, f)
			}
			v.Files = kept
			sm.Data[k] = v
		}
		if !found {
			return apperr.NotFound("Không tìm thấy tệp trong báo cáo.")
		}
		data := tidy(sm.Fields, sm.Data)
		if _, err := tx.Exec(ctx, `UPDATE report_submissions SET data = $2, draft_saved_at = $3, draft_saved_by = $4, updated_at = now() WHERE id = $1`,
			id, data, s.now(), actor.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report.file_remove", "report_submission", strconv.FormatInt(id, 10), map[string]any{"file_id": fileID}))
	})
}

// StoredFile is an attachment as the download needs it.
type StoredFile struct {
	ID          int64  `db:"id"`
	Name        string `db:"name"`
	Size        int64  `db:"size"`
	SHA256      string `db:"sha256"`
	ContentType string `db:"content_type"`
	ObjectKey   string `db:"object_key"`
}

// OpenFile opens an attachment of a visible submission.
func (s *Service) OpenFile(ctx context.Context, sub access.Subject, id, fileID int64) (io.ReadCloser, StoredFile, error) {
	if _, err := visible(ctx, s.db, sub, id, false); err != nil {
		return nil, StoredFile{}, err
	}
	rows, _ := s.db.Query(ctx, `SELECT f.id, rf.name, f.size, f.sha256, f.content_type, f.object_key
		FROM report_files rf JOIN files f ON f.id = rf.file_id WHERE rf.submission_id = $1 AND rf.file_id = $2`, id, fileID)
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[StoredFile])
	if err != nil {
		return nil, StoredFile{}, notFoundAs(err, apperr.NotFound("Không tìm thấy tệp."))
	}
	rc, _, err := s.store.Get(ctx, f.ObjectKey, 0, -1)
	if err != nil {
		if errors.Is(err, objectstore.ErrNotExist) {
			return nil, StoredFile{}, fmt.Errorf("file %d of report %d missing from the object store: %w", fileID, id, err)
		}
		return nil, StoredFile{}, apperr.Wrap(apperr.KindUnavailable, "Kho lưu trữ tệp đang không sẵn sàng; vui lòng thử lại sau ít phút.", err)
	}
	return rc, f, nil
}

// ---- The unit's list ----

// Item is a submission in a list.
type Item struct {
	ID           int64      `db:"id" json:"id"`
	TemplateID   int64      `db:"template_id" json:"template_id"`
	TemplateName string     `db:"template_name" json:"template_name"`
	IssuerName   string     `db:"issuer_name" json:"issuer_name"`
	PeriodID     int64      `db:"period_id" json:"period_id"`
	PeriodLabel  string     `db:"period_label" json:"period_label"`
	UnitID       int64      `db:"unit_id" json:"unit_id"`
	UnitName     string     `db:"unit_name" json:"unit_name"`
	DueDate      time.Time  `db:"due_date" json:"due_date"`
	Status       string     `db:"status" json:"status"`
	DraftSavedAt *time.Time `db:"draft_saved_at" json:"draft_saved_at"`
	FirstSentAt  *time.Time `db:"first_submitted_at" json:"first_submitted_at"`
	SubmittedAt  *time.Time `db:"submitted_at" json:"submitted_at"`
	Reminders    int        `db:"reminders" json:"reminders"`
}

// Late reports whether the item was first sent after its due date.
func (it Item) Late() bool {
	return it.FirstSentAt != nil && vntime.DateOf(*it.FirstSentAt).After(it.DueDate)
}

// Overdue reports whether the item is still unsent after its due date.
func (it Item) Overdue(today time.Time) bool {
	return it.FirstSentAt == nil && today.After(it.DueDate)
}

// ToDo boxes of the unit's list.
const (
	BoxOpen = "open" // to fill in, awaiting the unit's leader, returned
	BoxSent = "sent" // submitted or accepted
)

// ItemFilter selects the subject's units' submissions.
type ItemFilter struct {
	Box    string // BoxOpen (default) or BoxSent
	Q      string // template name
	Cursor string
	Limit  int
}

// ItemPage is one page of submissions.
type ItemPage struct {
	Items      []Item
	NextCursor string
}

type dueCursor struct {
	Due time.Time `json:"d"`
	ID  int64     `json:"i"`
}

// ToDo lists the submissions of the units the subject reports for: open
// ones by due date (earliest first), sent ones newest first.
func (s *Service) ToDo(ctx context.Context, sub access.Subject, f ItemFilter) (ItemPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var a postgres.Args
	where := []string{"s.unit_id = ANY(" + a.Add(sub.ReportFillUnits()) + "::bigint[])"}
	order, cmp := "p.due_date, s.id", ">"
	if f.Box == BoxSent {
		where = append(where, "s.status IN ('submitted', 'accepted')")
		order, cmp = "p.due_date DESC, s.id DESC", "<"
	} else {
		where = append(where, "s.status IN ('pending', 'awaiting_approval', 'returned')")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, "t.search LIKE '%' || vn_fold("+a.Add(q)+") || '%'")
	}
	if f.Cursor != "" {
		var c dueCursor
		if err := decodeCursor(f.Cursor, &c); err != nil {
			return ItemPage{}, err
		}
		where = append(where, fmt.Sprintf("(p.due_date, s.id) %s (%s::date, %s)", cmp, a.Add(c.Due), a.Add(c.ID)))
	}
	rows, _ := s.db.Query(ctx, `
		SELECT s.id, s.template_id, v.name AS template_name, iu.name AS issuer_name, s.period_id, p.label AS period_label,
			s.unit_id, u.name AS unit_name, p.due_date, s.status, s.draft_saved_at, s.first_submitted_at, s.submitted_at,
			(SELECT count(*) FROM report_events e WHERE e.submission_id = s.id AND e.kind = 'reminded')::int AS reminders
		FROM report_submissions s
		JOIN report_periods p ON p.id = s.period_id
		JOIN report_templates t ON t.id = s.template_id
		JOIN report_template_versions v ON v.template_id = s.template_id AND v.version = s.version
		JOIN units u ON u.id = s.unit_id
		JOIN units iu ON iu.id = t.issuer_unit_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+order+` LIMIT `+a.Add(f.Limit+1), a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Item])
	if err != nil {
		return ItemPage{}, fmt.Errorf("list submissions: %w", err)
	}
	var page ItemPage
	if len(items) > f.Limit {
		last := items[f.Limit-1]
		page.NextCursor = encodeCursor(dueCursor{Due: last.DueDate, ID: last.ID})
		items = items[:f.Limit]
	}
	page.Items = items
	if page.Items == nil {
		page.Items = []Item{}
	}
	return page, nil
}
