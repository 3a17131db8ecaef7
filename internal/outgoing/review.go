package outgoing

// The approval circuit (luồng trình duyệt). The drafter submits a draft in
// a round: review steps run in order, the reviewers of one step in
// parallel (all must agree); then a clerk of the issuing unit checks the
// format (thể thức); then the chosen signer approves and signs (Approve,
// after uploading the signed PDF as the last version) or returns it. Any
// reviewer, the format checker or the signer may return the draft with a
// reason: the round closes, the draft goes back to the drafter, who
// revises and submits a new round that starts from the first step.
//
// The document's outgoing_state stays "draft" while a round is open (the
// round's stage says where it is), becomes "returned" on a return and
// "approved" when the signer approves. A draft never submitted keeps the
// first slice's rule: any leader of the unit may approve it directly.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// Stages of a round.
const (
	StageReview    = "review"
	StageFormat    = "format"
	StageSigning   = "signing"
	StageApproved  = "approved"
	StageReturned  = "returned"
	StageWithdrawn = "withdrawn"
)

// Review decisions.
const (
	DecisionApproved = "approved"
	DecisionReturned = "returned"
)

// Limits of a circuit.
const (
	MaxSteps         = 10
	MaxStepReviewers = 20
	maxNoteRunes     = 2000
)

// Round is one submission of a draft with its circuit.
type Round struct {
	ID                  int64      `db:"id" json:"id"`
	DocumentID          int64      `db:"document_id" json:"document_id"`
	Number              int        `db:"number" json:"number"`
	Version             int        `db:"version" json:"version"`
	Stage               string     `db:"stage" json:"stage"`
	CurrentStep         *int       `db:"current_step" json:"current_step"`
	Steps               int        `db:"steps" json:"steps"`
	SignerID            int64      `db:"signer_id" json:"signer_id"`
	SignerName          string     `db:"signer_name" json:"signer_name"`
	Note                string     `db:"note" json:"note"`
	SubmittedBy         int64      `db:"submitted_by" json:"submitted_by"`
	SubmittedByName     string     `db:"submitted_by_name" json:"submitted_by_name"`
	SubmittedAt         time.Time  `db:"submitted_at" json:"submitted_at"`
	FormatCheckedBy     *int64     `db:"format_checked_by" json:"format_checked_by"`
	FormatCheckedByName *string    `db:"format_checked_by_name" json:"format_checked_by_name"`
	FormatCheckedAt     *time.Time `db:"format_checked_at" json:"format_checked_at"`
	FormatNote          string     `db:"format_note" json:"format_note"`
	ClosedBy            *int64     `db:"closed_by" json:"closed_by"`
	ClosedByName        *string    `db:"closed_by_name" json:"closed_by_name"`
	ClosedAt            *time.Time `db:"closed_at" json:"closed_at"`
	ReturnReason        string     `db:"return_reason" json:"return_reason"`
	Reviews             []Review   `db:"-" json:"reviews"`
}

// Open reports whether the round still runs.
func (r Round) Open() bool { return r.ClosedAt == nil }

// Review is one reviewer's part in a round.
type Review struct {
	ID           int64      `db:"id" json:"id"`
	Step         int        `db:"step" json:"step"`
	ReviewerID   int64      `db:"reviewer_id" json:"reviewer_id"`
	ReviewerName string     `db:"reviewer_name" json:"reviewer_name"`
	Decision     *string    `db:"decision" json:"decision"`
	Note         string     `db:"note" json:"note"`
	DecidedAt    *time.Time `db:"decided_at" json:"decided_at"`
}

// SubmitInput is a circuit: the signer and the review steps in order, each
// a list of reviewers who review in parallel.
type SubmitInput struct {
	SignerID int64     `json:"signer_id"`
	Steps    [][]int64 `json:"steps"`
	Note     string    `json:"note"`
}

// ErrNoOpenRound is an action of the circuit on a draft not under review.
var ErrNoOpenRound = apperr.Conflict("Dự thảo không đang được trình duyệt.")

// draftRow is what the circuit needs of an outgoing document, locked.
type draftRow struct {
	ID              int64              `db:"id"`
	UnitID          int64              `db:"unit_id"`
	State           string             `db:"outgoing_state"`
	Subject         string             `db:"subject"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	CreatedBy       *int64             `db:"created_by"`
	SignerUserID    *int64             `db:"signer_user_id"`
}

func (d draftRow) drafter() int64 {
	if d.CreatedBy == nil {
		return 0
	}
	return *d.CreatedBy
}

// lockDraft locks an outgoing document the subject may see (FOR UPDATE);
// an invisible one is ErrNotOutgoing.
func lockDraft(ctx context.Context, tx pgx.Tx, sub access.Subject, id int64) (draftRow, error) {
	var a postgres.Args
	sql := `SELECT d.id, d.unit_id, d.outgoing_state, d.subject, d.confidentiality, d.created_by, d.signer_user_id
		FROM documents d WHERE d.id = ` + a.Add(id) + ` AND d.direction = 'outgoing' AND ` + documents.Visible(sub)(&a) + ` FOR UPDATE`
	rows, _ := tx.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[draftRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return draftRow{}, ErrNotOutgoing
	}
	return d, err
}

const roundColumns = `r.id, r.document_id, r.number, r.version, r.stage, r.current_step, r.steps, r.signer_id,
	su.full_name AS signer_name, r.note, r.submitted_by, sb.full_name AS submitted_by_name, r.submitted_at,
	r.format_checked_by, fc.full_name AS format_checked_by_name, r.format_checked_at, r.format_note,
	r.closed_by, cb.full_name AS closed_by_name, r.closed_at, r.return_reason`

const roundFrom = ` FROM outgoing_rounds r
	JOIN users su ON su.id = r.signer_id
	JOIN users sb ON sb.id = r.submitted_by
	LEFT JOIN users fc ON fc.id = r.format_checked_by
	LEFT JOIN users cb ON cb.id = r.closed_by `

// openRound returns the document's open round, locked, or nil.
func openRound(ctx context.Context, tx pgx.Tx, docID int64) (*Round, error) {
	rows, _ := tx.Query(ctx, `SELECT `+roundColumns+roundFrom+`WHERE r.document_id = $1 AND r.closed_at IS NULL FOR UPDATE OF r`, docID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Round])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.Reviews, err = reviews(ctx, tx, r.ID); err != nil {
		return nil, err
	}
	return &r, nil
}

func reviews(ctx context.Context, q postgres.Querier, roundID int64) ([]Review, error) {
	rows, _ := q.Query(ctx, `
		SELECT v.id, v.step, v.reviewer_id, u.full_name AS reviewer_name, v.decision, v.note, v.decided_at
		FROM outgoing_reviews v JOIN users u ON u.id = v.reviewer_id
		WHERE v.round_id = $1 ORDER BY v.step, v.id`, roundID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Review])
	if out == nil {
		out = []Review{}
	}
	return out, err
}

// Rounds lists a visible draft's rounds, newest first, with their reviews.
func (s *Service) Rounds(ctx context.Context, sub access.Subject, id int64) ([]Round, error) {
	if _, err := s.Get(ctx, sub, id); err != nil {
		return nil, err
	}
	rows, _ := s.db.Query(ctx, `SELECT `+roundColumns+roundFrom+`WHERE r.document_id = $1 ORDER BY r.number DESC`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Round])
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Reviews, err = reviews(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []Round{}
	}
	return out, nil
}

// person is a user the circuit names.
type person struct {
	ID        int64              `db:"id"`
	Name      string             `db:"full_name"`
	Clearance identity.Clearance `db:"clearance"`
	Disabled  bool               `db:"disabled"`
}

func people(ctx context.Context, q postgres.Querier, ids []int64) (map[int64]person, error) {
	rows, _ := q.Query(ctx, `SELECT id, full_name, clearance, disabled_at IS NOT NULL AS disabled FROM users WHERE id = ANY($1)`, ids)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[person])
	if err != nil {
		return nil, err
	}
	out := map[int64]person{}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

func clearanceRank(c identity.Clearance) int { return slices.Index(identity.Clearances, c) }

// isLeaderOf reports whether user leads unit.
func isLeaderOf(ctx context.Context, q postgres.Querier, user, unit int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND unit_id = $2 AND role = 'leader')`, user, unit).Scan(&ok)
	return ok, err
}

// checkSigner validates the chosen signer: an active leader of the unit
// cleared for the document.
func checkSigner(ctx context.Context, q postgres.Querier, signer, unit int64, conf identity.Clearance, f apperr.Fields) error {
	if signer == 0 {
		f.Add("signer_id", "Vui lòng chọn lãnh đạo ký văn bản.")
		return nil
	}
	ps, err := people(ctx, q, []int64{signer})
	if err != nil {
		return err
	}
	p, ok := ps[signer]
	leader, err := isLeaderOf(ctx, q, signer, unit)
	if err != nil {
		return err
	}
	switch {
	case !ok || p.Disabled:
		f.Add("signer_id", "Người ký không tồn tại hoặc đã bị khóa.")
	case !leader:
		f.Add("signer_id", "Người ký phải là lãnh đạo của đơn vị ban hành.")
	case clearanceRank(p.Clearance) < clearanceRank(conf):
		f.Add("signer_id", "Người ký chưa được phép tiếp cận văn bản có độ mật này.")
	}
	return nil
}

func cleanNote(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// Submit sends a draft (never submitted, or returned) into a new round
// with its circuit. Only the drafter submits.
func (s *Service) Submit(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in SubmitInput) (Round, error) {
	in.Note = cleanNote(in.Note)
	var out Round
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if d.drafter() != sub.UserID {
			return apperr.Forbidden("Chỉ người soạn thảo được trình duyệt dự thảo.")
		}
		if d.State != StateDraft && d.State != StateReturned {
			return apperr.Conflict(fmt.Sprintf("Văn bản đang ở trạng thái %q, không trình duyệt được nữa.", StateLabel(d.State)))
		}
		if r, err := openRound(ctx, tx, id); err != nil {
			return err
		} else if r != nil {
			return apperr.Conflict("Dự thảo đang được trình duyệt; hãy rút lại trước khi trình lại.")
		}
		f := apperr.Fields{}
		if utf8.RuneCountInString(in.Note) > maxNoteRunes {
			f.Add("note", "Ghi chú dài tối đa 2.000 ký tự.")
		}
		if err := checkSigner(ctx, tx, in.SignerID, d.UnitID, d.Confidentiality, f); err != nil {
			return err
		}
		var all []int64
		steps := make([][]int64, 0, len(in.Steps))
		for _, st := range in.Steps {
			var step []int64
			for _, u := range st {
				if u != 0 && !slices.Contains(step, u) {
					step = append(step, u)
				}
			}
			if len(step) > 0 {
				steps = append(steps, step)
				all = append(all, step...)
			}
		}
		if len(steps) > MaxSteps {
			f.Add("steps", fmt.Sprintf("Luồng duyệt có tối đa %d bước.", MaxSteps))
		}
		ps, err := people(ctx, tx, all)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for i, st := range steps {
			if len(st) > MaxStepReviewers {
				f.Add("steps", fmt.Sprintf("Bước %d có quá %d người.", i+1, MaxStepReviewers))
			}
			for _, u := range st {
				p, ok := ps[u]
				switch {
				case !ok || p.Disabled:
					f.Add("steps", fmt.Sprintf("Bước %d: người dùng #%d không tồn tại hoặc đã bị khóa.", i+1, u))
				case seen[u]:
					f.Add("steps", fmt.Sprintf("%s có mặt ở hơn một bước.", p.Name))
				case u == sub.UserID:
					f.Add("steps", "Người soạn thảo không tự cho ý kiến dự thảo của mình.")
				case u == in.SignerID:
					f.Add("steps", fmt.Sprintf("%s là người ký, không cần có trong các bước cho ý kiến.", p.Name))
				case clearanceRank(p.Clearance) < clearanceRank(d.Confidentiality):
					f.Add("steps", fmt.Sprintf("%s chưa được phép tiếp cận văn bản có độ mật này.", p.Name))
				}
				seen[u] = true
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		var version, number int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM document_files WHERE document_id = $1`, id).Scan(&version); err != nil {
			return err
		}
		if version == 0 && (d.Confidentiality == identity.ClearanceNone || s.isolated) {
			return apperr.Invalid("Dự thảo chưa có tệp nội dung: hãy tải lên bản dự thảo (DOCX hoặc PDF) trước khi trình.",
				map[string]string{"files": "Chưa có phiên bản dự thảo nào."})
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM outgoing_rounds WHERE document_id = $1`, id).Scan(&number); err != nil {
			return err
		}
		stage, step := StageFormat, any(nil)
		if len(steps) > 0 {
			stage, step = StageReview, 1
		}
		var roundID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO outgoing_rounds (document_id, number, version, stage, current_step, steps, signer_id, note, submitted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			id, number, version, stage, step, len(steps), in.SignerID, in.Note, sub.UserID).Scan(&roundID); err != nil {
			return fmt.Errorf("insert round: %w", err)
		}
		for i, st := range steps {
			for _, u := range st {
				if _, err := tx.Exec(ctx, `INSERT INTO outgoing_reviews (round_id, step, reviewer_id) VALUES ($1, $2, $3)`, roundID, i+1, u); err != nil {
					return fmt.Errorf("insert review: %w", err)
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET outgoing_state = 'draft', signer_user_id = $2, updated_at = now() WHERE id = $1`, id, in.SignerID); err != nil {
			return err
		}
		// Reviewers and the signer may sit outside the unit's scope.
		for _, u := range append(slices.Clone(all), in.SignerID) {
			if _, err := tx.Exec(ctx, `
				INSERT INTO grants (user_id, object_type, object_id, permission, granted_by)
				VALUES ($1, 'document', $2, 'view', $3) ON CONFLICT DO NOTHING`, u, id, sub.UserID); err != nil {
				return fmt.Errorf("grant reviewer: %w", err)
			}
		}
		names := make([][]string, 0, len(steps))
		for _, st := range steps {
			var n []string
			for _, u := range st {
				n = append(n, ps[u].Name)
			}
			names = append(names, n)
		}
		details := map[string]any{"round": number, "version": version, "steps": names, "note": in.Note}
		if signer, err := people(ctx, tx, []int64{in.SignerID}); err == nil {
			details["signer"] = signer[in.SignerID].Name
		}
		if err := addEvent(ctx, tx, id, sub.UserID, "submitted", details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing.submit", "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		if len(steps) > 0 {
			err = notifyUsers(ctx, tx, steps[0], "outgoing_review", "Dự thảo chờ bạn cho ý kiến: "+short(d.Subject), id)
		} else {
			err = notifyRole(ctx, tx, d.UnitID, identity.RoleClerk, "outgoing_format", "Dự thảo chờ kiểm tra thể thức: "+short(d.Subject), id)
		}
		if err != nil {
			return err
		}
		r, err := openRound(ctx, tx, id)
		if err != nil {
			return err
		}
		out = *r
		return nil
	})
	return out, err
}

// Review is a reviewer of the current step agreeing (approve) or returning
// the draft with a reason (note).
func (s *Service) Review(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, approve bool, note string) (Round, error) {
	note = cleanNote(note)
	if !approve && note == "" {
		return Round{}, apperr.Invalid("Vui lòng nhập lý do trả lại.", map[string]string{"reason": "Vui lòng nhập lý do trả lại."})
	}
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return Round{}, apperr.Invalid("Ý kiến dài tối đa 2.000 ký tự.", map[string]string{"reason": "Ý kiến dài tối đa 2.000 ký tự."})
	}
	var out Round
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		r, err := openRound(ctx, tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrNoOpenRound
		}
		var mine *Review
		for i := range r.Reviews {
			if r.Reviews[i].ReviewerID == sub.UserID {
				mine = &r.Reviews[i]
			}
		}
		switch {
		case mine == nil:
			return apperr.Forbidden("Bạn không có trong luồng cho ý kiến của dự thảo này.")
		case mine.Decision != nil:
			return apperr.Conflict("Bạn đã cho ý kiến về dự thảo trong vòng trình này.")
		case r.Stage != StageReview:
			return apperr.Conflict(fmt.Sprintf("Dự thảo không còn ở bước cho ý kiến (đang: %s).", StageLabel(r.Stage)))
		case mine.Step != *r.CurrentStep:
			return apperr.Conflict(fmt.Sprintf("Chưa đến lượt bạn: dự thảo đang ở bước %d, bạn cho ý kiến ở bước %d.", *r.CurrentStep, mine.Step))
		}
		decision := DecisionApproved
		if !approve {
			decision = DecisionReturned
		}
		if _, err := tx.Exec(ctx, `UPDATE outgoing_reviews SET decision = $2, note = $3, decided_at = now() WHERE id = $1`,
			mine.ID, decision, note); err != nil {
			return err
		}
		details := map[string]any{"round": r.Number, "step": mine.Step}
		if approve {
			details["note"] = note
			var pending int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM outgoing_reviews WHERE round_id = $1 AND step = $2 AND decision IS NULL`,
				r.ID, mine.Step).Scan(&pending); err != nil {
				return err
			}
			switch {
			case pending > 0: // others of the step still review
			case mine.Step < r.Steps:
				next := mine.Step + 1
				if _, err := tx.Exec(ctx, `UPDATE outgoing_rounds SET current_step = $2 WHERE id = $1`, r.ID, next); err != nil {
					return err
				}
				var ids []int64
				for _, v := range r.Reviews {
					if v.Step == next {
						ids = append(ids, v.ReviewerID)
					}
				}
				details["next_step"] = next
				if err := notifyUsers(ctx, tx, ids, "outgoing_review", "Dự thảo chờ bạn cho ý kiến: "+short(d.Subject), id); err != nil {
					return err
				}
			default:
				if _, err := tx.Exec(ctx, `UPDATE outgoing_rounds SET stage = 'format', current_step = NULL WHERE id = $1`, r.ID); err != nil {
					return err
				}
				details["next"] = StageFormat
				if err := notifyRole(ctx, tx, d.UnitID, identity.RoleClerk, "outgoing_format", "Dự thảo chờ kiểm tra thể thức: "+short(d.Subject), id); err != nil {
					return err
				}
			}
		} else {
			details["reason"] = note
			if err := closeReturned(ctx, tx, d, r.ID, sub.UserID, note); err != nil {
				return err
			}
		}
		// Literal kinds, so the timeline-label test sees them.
		kind := "review_approved"
		if !approve {
			kind = "review_returned"
		}
		if err := addEvent(ctx, tx, id, sub.UserID, kind, details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing."+kind, "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		return reloadRound(ctx, tx, r.ID, &out)
	})
	return out, err
}

// FormatCheck is a clerk of the issuing unit passing the draft's format
// (on to the signer) or returning it with a reason.
func (s *Service) FormatCheck(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, pass bool, note string) (Round, error) {
	note = cleanNote(note)
	if !pass && note == "" {
		return Round{}, apperr.Invalid("Vui lòng nhập lý do trả lại.", map[string]string{"reason": "Vui lòng nhập lý do trả lại."})
	}
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return Round{}, apperr.Invalid("Ý kiến dài tối đa 2.000 ký tự.", map[string]string{"reason": "Ý kiến dài tối đa 2.000 ký tự."})
	}
	var out Round
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if !sub.HasRole(d.UnitID, identity.RoleClerk) {
			return apperr.Forbidden("Chỉ văn thư, văn phòng của đơn vị ban hành kiểm tra thể thức văn bản.")
		}
		r, err := openRound(ctx, tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrNoOpenRound
		}
		if r.Stage != StageFormat {
			return apperr.Conflict(fmt.Sprintf("Dự thảo không chờ kiểm tra thể thức (đang: %s).", StageLabel(r.Stage)))
		}
		details := map[string]any{"round": r.Number}
		kind := "format_checked"
		if pass {
			details["note"] = note
			if _, err := tx.Exec(ctx, `
				UPDATE outgoing_rounds SET stage = 'signing', format_checked_by = $2, format_checked_at = now(), format_note = $3
				WHERE id = $1`, r.ID, sub.UserID, note); err != nil {
				return err
			}
			if err := notifyUsers(ctx, tx, []int64{r.SignerID}, "outgoing_sign", "Dự thảo chờ bạn ký: "+short(d.Subject), id); err != nil {
				return err
			}
		} else {
			kind = "format_returned"
			details["reason"] = note
			if _, err := tx.Exec(ctx, `UPDATE outgoing_rounds SET format_checked_by = $2, format_checked_at = now(), format_note = $3 WHERE id = $1`,
				r.ID, sub.UserID, note); err != nil {
				return err
			}
			if err := closeReturned(ctx, tx, d, r.ID, sub.UserID, note); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, id, sub.UserID, kind, details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing."+kind, "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		return reloadRound(ctx, tx, r.ID, &out)
	})
	return out, err
}

// Withdraw is the drafter taking a submitted draft back (to change it)
// before the signer approves: the round closes, nothing is returned.
func (s *Service) Withdraw(ctx context.Context, sub access.Subject, actor audit.Actor, id int64) (Round, error) {
	var out Round
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if d.drafter() != sub.UserID {
			return apperr.Forbidden("Chỉ người soạn thảo được rút lại dự thảo đã trình.")
		}
		r, err := openRound(ctx, tx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrNoOpenRound
		}
		if _, err := tx.Exec(ctx, `UPDATE outgoing_rounds SET stage = 'withdrawn', current_step = NULL, closed_by = $2, closed_at = now() WHERE id = $1`,
			r.ID, sub.UserID); err != nil {
			return err
		}
		details := map[string]any{"round": r.Number}
		if err := addEvent(ctx, tx, id, sub.UserID, "withdrawn", details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing.withdraw", "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		return reloadRound(ctx, tx, r.ID, &out)
	})
	return out, err
}

// closeReturned ends a round with a return: the draft goes back to its
// drafter.
func closeReturned(ctx context.Context, tx pgx.Tx, d draftRow, roundID, by int64, reason string) error {
	if _, err := tx.Exec(ctx, `
		UPDATE outgoing_rounds SET stage = 'returned', current_step = NULL, closed_by = $2, closed_at = now(), return_reason = $3
		WHERE id = $1`, roundID, by, reason); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE documents SET outgoing_state = 'returned', updated_at = now() WHERE id = $1`, d.ID); err != nil {
		return err
	}
	if d.drafter() != 0 {
		return notifyUsers(ctx, tx, []int64{d.drafter()}, "outgoing_returned", "Dự thảo bị trả lại: "+short(d.Subject), d.ID)
	}
	return nil
}

func reloadRound(ctx context.Context, tx pgx.Tx, roundID int64, out *Round) error {
	rows, _ := tx.Query(ctx, `SELECT `+roundColumns+roundFrom+`WHERE r.id = $1`, roundID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Round])
	if err != nil {
		return err
	}
	if r.Reviews, err = reviews(ctx, tx, r.ID); err != nil {
		return err
	}
	*out = r
	return nil
}

// circuitDecision is the circuit's say in a leader's approve or return
// (decide, in the same transaction). With no open round (a draft never
// submitted) any leader of the unit decides, as before. With one, only its
// signer decides, and only at the signing stage; approving needs the
// signed PDF as the last version unless the draft carries no files (a
// classified one on a networked system).
func circuitDecision(ctx context.Context, tx pgx.Tx, sub access.Subject, actor audit.Actor, d Draft, to, reason string) error {
	row, err := lockDraft(ctx, tx, sub, d.ID)
	if err != nil {
		return err
	}
	r, err := openRound(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	if r != nil {
		if r.Stage != StageSigning {
			return apperr.Conflict(fmt.Sprintf("Dự thảo đang ở bước %q; người ký duyệt sau khi các bước cho ý kiến và kiểm tra thể thức đã xong.", StageLabel(r.Stage)))
		}
		if r.SignerID != sub.UserID {
			return apperr.Forbidden(fmt.Sprintf("Chỉ người ký được chọn (%s) duyệt hoặc trả lại dự thảo ở bước ký.", r.SignerName))
		}
		if to == StateApproved {
			var last int
			var kind *string
			if err := tx.QueryRow(ctx, `
				SELECT coalesce(max(df.version), 0), (SELECT v.kind FROM outgoing_versions v WHERE v.document_id = $1
					AND v.version = (SELECT max(version) FROM document_files WHERE document_id = $1))
				FROM document_files df WHERE df.document_id = $1`, d.ID).Scan(&last, &kind); err != nil {
				return err
			}
			if last > 0 && (kind == nil || *kind != "signed") {
				return apperr.Conflict("Vui lòng tải lên bản PDF đã ký số làm phiên bản cuối trước khi duyệt.")
			}
			if _, err := tx.Exec(ctx, `UPDATE outgoing_rounds SET stage = 'approved', closed_by = $2, closed_at = now() WHERE id = $1`,
				r.ID, sub.UserID); err != nil {
				return err
			}
		} else if err := closeReturned(ctx, tx, row, r.ID, sub.UserID, reason); err != nil {
			return err
		}
	} else if to == StateReturned && row.drafter() != 0 {
		if err := notifyUsers(ctx, tx, []int64{row.drafter()}, "outgoing_returned", "Dự thảo bị trả lại: "+short(row.Subject), d.ID); err != nil {
			return err
		}
	}
	if to == StateApproved {
		if err := notifyRole(ctx, tx, row.UnitID, identity.RoleClerk, "outgoing_issue", "Văn bản đã ký, chờ cấp số và phát hành: "+short(row.Subject), d.ID); err != nil {
			return err
		}
		if row.drafter() != 0 && row.drafter() != sub.UserID {
			if err := notifyUsers(ctx, tx, []int64{row.drafter()}, "outgoing_approved", "Dự thảo đã được duyệt, ký: "+short(row.Subject), d.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
