// Package outgoing handles outgoing documents (văn bản đi): a draft with
// its recipients and file versions, a leader's approval (or return), the
// number and date given by the clerk at issue from the unit's outgoing
// register, and the exchange on the platform: issuing places a copy (the
// same file rows, never copies of the bytes) in each recipient unit's
// incoming queue as status 01, whose clerk registers it (03) or rejects it
// (02); the sender follows each copy's status; a recall freezes the copies.
package outgoing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
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
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/registry"
)

// Outgoing states (documents.outgoing_state).
const (
	StateDraft    = "draft"
	StateApproved = "approved"
	StateReturned = "returned"
	StateIssued   = "issued"
	StateRecalled = "recalled"
)

// Service runs the outgoing flow.
type Service struct {
	db        *pgxpool.Pool
	store     *objectstore.Store
	registers *registry.Store
	profile   string
	isolated  bool
	inspector documents.FileInspector // verifies signatures of received files
	sealer    Sealer                  // the agency's signature on issued copies; nil: none
}

// New wires the outgoing capability.
func New(db *pgxpool.Pool, store *objectstore.Store, registers *registry.Store, profile string, isolated bool) *Service {
	return &Service{db: db, store: store, registers: registers, profile: profile, isolated: isolated}
}

// Recipient is a unit on the platform (UnitID) or an outside organisation
// (OrganName).
type Recipient struct {
	UnitID    int64  `json:"unit_id,omitempty"`
	OrganName string `json:"organ_name,omitempty"`
}

// DraftInput is what the drafter fills in.
type DraftInput struct {
	UnitID          int64
	TypeName        string
	Subject         string
	Confidentiality identity.Clearance
	Priority        string
	SignerPosition  string
	SignerFullName  string
	Recipients      []Recipient
	// SignerUserID is the leader who will sign (optional at drafting; the
	// circuit needs one). Link makes the draft replace or correct an
	// issued document (review.go, links.go).
	SignerUserID int64
	Link         *LinkInput
}

// File is a file of a draft, with its version.
type File struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Size      int64     `db:"size" json:"size"`
	SHA256    string    `db:"sha256" json:"sha256"`
	Version   int       `db:"version" json:"version"`
	CreatedBy *int64    `db:"created_by" json:"created_by"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Draft is an outgoing document as the flow sees it.
type Draft struct {
	ID              int64              `db:"id" json:"id"`
	UnitID          int64              `db:"unit_id" json:"unit_id"`
	State           string             `db:"outgoing_state" json:"status"`
	TypeName        string             `db:"type_name" json:"type_name"`
	TypeCode        string             `db:"type_code" json:"type_code"`
	Subject         string             `db:"subject" json:"subject"`
	Confidentiality identity.Clearance `db:"confidentiality" json:"confidentiality"`
	Number          *int               `db:"outgoing_number" json:"number"`
	Symbol          string             `db:"symbol" json:"symbol"`
	IssuedDate      *time.Time         `db:"issued_date" json:"issued_date"`
	RegisterID      *int64             `db:"register_id" json:"register_id"`
	Files           []File             `db:"-" json:"files"`
}

// RecipientStatus is a recipient with the status of its copy.
type RecipientStatus struct {
	ID                  int64      `db:"id" json:"id"`
	UnitID              *int64     `db:"unit_id" json:"unit_id"`
	UnitName            *string    `db:"unit_name" json:"unit_name"`
	OrganName           string     `db:"organ_name" json:"organ_name"`
	DeliveredDocumentID *int64     `db:"delivered_document_id" json:"delivered_document_id"`
	DeliveredAt         *time.Time `db:"delivered_at" json:"delivered_at"`
	Status              *string    `db:"status" json:"status"` // the copy's 01–06 code (an outside organ's from its edXML status messages); null until known
	RejectReason        string     `db:"reject_reason" json:"reject_reason,omitempty"`
	RecalledAt          *time.Time `db:"recalled_at" json:"recalled_at"`
}

// Errors, in Vietnamese.
var (
	ErrNotOutgoing = apperr.NotFound("Không tìm thấy văn bản đi, hoặc bạn không có quyền xem văn bản này.")
	ErrNotLeader   = apperr.Forbidden("Chỉ lãnh đạo của đơn vị được duyệt hoặc trả lại dự thảo.")
	ErrNotClerk    = apperr.Forbidden("Chỉ văn thư của đơn vị được cấp số và phát hành văn bản đi.")
	ErrNotApproved = apperr.Conflict("Chỉ phát hành được dự thảo đã được lãnh đạo duyệt.")
)

var vnZone = vntime.Zone

func (in *DraftInput) normalise(sub access.Subject) error {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	in.TypeName, in.Subject = clean(in.TypeName), strings.TrimSpace(in.Subject)
	in.SignerPosition, in.SignerFullName = clean(in.SignerPosition), clean(in.SignerFullName)
	if in.UnitID == 0 {
		in.UnitID = sub.ActingUnit
	}
	if in.Priority == "" {
		in.Priority = "thuong"
	}
	if in.Confidentiality == "" {
		in.Confidentiality = identity.ClearanceNone
	}
	f := apperr.Fields{}
	if in.UnitID == 0 {
		f.Add("unit_id", "Vui lòng chọn đơn vị ban hành.")
	}
	if in.TypeName == "" {
		f.Add("type_name", "Vui lòng chọn loại văn bản.")
	}
	if in.Subject == "" {
		f.Add("subject", "Vui lòng nhập trích yếu nội dung.")
	} else if utf8.RuneCountInString(in.Subject) > 2000 {
		f.Add("subject", "Trích yếu dài tối đa 2.000 ký tự.")
	}
	ok := false
	for _, p := range documents.Priorities {
		ok = ok || p == in.Priority
	}
	if !ok || in.Priority == "hoa_toc_hen_gio" {
		f.Add("priority", "Độ khẩn phải là một trong: thuong, khan, thuong_khan, hoa_toc.")
	}
	if !in.Confidentiality.Valid() {
		f.Add("confidentiality", "Độ mật phải là một trong: none, mat, toi_mat, tuyet_mat.")
	}
	if len(in.Recipients) == 0 {
		f.Add("recipients", "Vui lòng chọn ít nhất một nơi nhận.")
	}
	seen := map[int64]bool{}
	for i := range in.Recipients {
		r := &in.Recipients[i]
		r.OrganName = clean(r.OrganName)
		switch {
		case (r.UnitID == 0) == (r.OrganName == ""):
			f.Add("recipients", "Mỗi nơi nhận là một đơn vị trên hệ thống (unit_id) hoặc một cơ quan ngoài (organ_name).")
		case r.UnitID != 0 && seen[r.UnitID]:
			f.Add("recipients", "Một đơn vị được chọn làm nơi nhận hai lần.")
		case r.UnitID != 0 && r.UnitID == in.UnitID:
			f.Add("recipients", "Đơn vị ban hành không gửi văn bản cho chính mình.")
		}
		seen[r.UnitID] = true
	}
	return f.Err()
}

// CreateDraft stores a draft with its recipients and its first version.
// Files go to the object store first, then the rows in one transaction.
func (s *Service) CreateDraft(ctx context.Context, sub access.Subject, actor audit.Actor, in DraftInput, uploads []*documents.Upload) (Draft, error) {
	if err := in.normalise(sub); err != nil {
		return Draft{}, err
	}
	if !sub.MemberOf(in.UnitID) && !sub.IsAdmin {
		return Draft{}, apperr.Forbidden("Bạn chỉ soạn thảo văn bản đi cho đơn vị của mình.")
	}
	if in.Confidentiality != identity.ClearanceNone && len(uploads) > 0 && !s.isolated {
		return Draft{}, documents.ErrSecretContent
	}
	typeCode, _, err := s.registers.TypeCode(ctx, in.TypeName)
	if err != nil {
		return Draft{}, err
	}
	stored, cleanup, err := s.put(ctx, uploads)
	if err != nil {
		return Draft{}, err
	}
	var out Draft
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var unitName string
		if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, in.UnitID).Scan(&unitName); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.Invalid("Đơn vị ban hành không tồn tại.", map[string]string{"unit_id": "Đơn vị không tồn tại."})
			}
			return err
		}
		var names []string
		for _, r := range in.Recipients {
			if r.UnitID == 0 {
				names = append(names, r.OrganName)
				continue
			}
			var n string
			if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1 AND valid_to IS NULL`, r.UnitID).Scan(&n); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					return apperr.Invalid("Đơn vị nhận không tồn tại hoặc đã giải thể.", map[string]string{"recipients": fmt.Sprintf("Không có đơn vị %d.", r.UnitID)})
				}
				return err
			}
			names = append(names, n)
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO documents (direction, unit_id, status, outgoing_state, type_name, type_code, organ_name, organ_unit_id,
				subject, signer_position, signer_full_name, priority, confidentiality, receivers, created_by)
			VALUES ('outgoing', $1, '01', 'draft', $2, $3, $4, $1, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			in.UnitID, in.TypeName, typeCode, unitName, in.Subject, in.SignerPosition, in.SignerFullName, in.Priority,
			in.Confidentiality, strings.Join(names, "; "), actor.UserID).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert draft: %w", err)
		}
		for i, r := range in.Recipients {
			var unit any
			if r.UnitID != 0 {
				unit = r.UnitID
			}
			if _, err := tx.Exec(ctx, `INSERT INTO outgoing_recipients (document_id, position, unit_id, organ_name) VALUES ($1, $2, $3, $4)`,
				id, i+1, unit, r.OrganName); err != nil {
				return fmt.Errorf("insert recipient: %w", err)
			}
		}
		if err := insertFiles(ctx, tx, id, actor.UserID, 1, uploads, stored); err != nil {
			return err
		}
		if err := afterCreate(ctx, tx, sub, actor, id, in); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "drafted", map[string]any{"files": len(uploads), "recipients": len(in.Recipients)}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing.draft", "document", strconv.FormatInt(id, 10), map[string]any{"files": len(uploads)})); err != nil {
			return err
		}
		out, err = load(ctx, tx, id)
		return err
	})
	if err != nil {
		cleanup()
		return Draft{}, err
	}
	return out, nil
}

// put stores uploads in the object store; cleanup removes them again.
func (s *Service) put(ctx context.Context, uploads []*documents.Upload) ([]objectstore.Object, func(), error) {
	documents.InspectAll(ctx, s.inspector, uploads)
	stored := make([]objectstore.Object, 0, len(uploads))
	cleanup := func() {
		for _, o := range stored {
			_ = s.store.Delete(context.WithoutCancel(ctx), o.Key)
		}
	}
	now := time.Now()
	for _, u := range uploads {
		r, err := u.Reader()
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		obj, err := s.store.Put(ctx, newObjectKey(now), r, u.Size, objectstore.PutOptions{ContentType: u.ContentType, SHA256: u.SHA256})
		if err != nil {
			cleanup()
			if errors.Is(err, objectstore.ErrUnavailable) || errors.Is(err, objectstore.ErrChecksumMismatch) {
				return nil, func() {}, apperr.Wrap(apperr.KindUnavailable,
					"Kho lưu trữ tệp đang không sẵn sàng nên dự thảo chưa được lưu. Vui lòng thử lại sau ít phút.", err)
			}
			return nil, func() {}, fmt.Errorf("store %s: %w", u.Name, err)
		}
		stored = append(stored, obj)
	}
	return stored, cleanup, nil
}

func insertFiles(ctx context.Context, tx pgx.Tx, docID, userID int64, version int, uploads []*documents.Upload, stored []objectstore.Object) error {
	var start int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM document_files WHERE document_id = $1`, docID).Scan(&start); err != nil {
		return err
	}
	for i, u := range uploads {
		var fileID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			stored[i].Key, stored[i].SHA256, stored[i].Size, u.ContentType, userID).Scan(&fileID); err != nil {
			return fmt.Errorf("insert file: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO document_files (document_id, file_id, name, position, version) VALUES ($1, $2, $3, $4, $5)`,
			docID, fileID, u.Name, start+i+1, version); err != nil {
			return fmt.Errorf("link file: %w", err)
		}
		if err := u.RecordFinding(ctx, tx, fileID); err != nil {
			return err
		}
	}
	return nil
}

const draftColumns = `d.id, d.unit_id, d.outgoing_state, d.type_name, d.type_code, d.subject, d.confidentiality,
	d.outgoing_number, d.symbol, d.issued_date, d.register_id`

func load(ctx context.Context, q postgres.Querier, id int64) (Draft, error) {
	rows, _ := q.Query(ctx, `SELECT `+draftColumns+` FROM documents d WHERE d.id = $1 AND d.direction = 'outgoing'`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Draft])
	if errors.Is(err, pgx.ErrNoRows) {
		return Draft{}, ErrNotOutgoing
	}
	if err != nil {
		return Draft{}, err
	}
	rows, _ = q.Query(ctx, `
		SELECT f.id, df.name, f.size, f.sha256, df.version, f.created_by, f.created_at
		FROM document_files df JOIN files f ON f.id = df.file_id WHERE df.document_id = $1 ORDER BY df.position`, id)
	d.Files, err = pgx.CollectRows(rows, pgx.RowToStructByName[File])
	if d.Files == nil {
		d.Files = []File{}
	}
	return d, err
}

// lockVisible locks an outgoing document the subject may see, for a
// change; otherwise ErrNotOutgoing (invisible and missing look alike).
func lockVisible(ctx context.Context, tx pgx.Tx, sub access.Subject, id int64) (Draft, error) {
	var a postgres.Args
	sql := `SELECT ` + draftColumns + ` FROM documents d WHERE d.id = ` + a.Add(id) +
		` AND d.direction = 'outgoing' AND ` + documents.Visible(sub)(&a) + ` FOR UPDATE`
	rows, _ := tx.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Draft])
	if errors.Is(err, pgx.ErrNoRows) {
		return Draft{}, ErrNotOutgoing
	}
	return d, err
}

// Get returns an outgoing document the subject may see.
func (s *Service) Get(ctx context.Context, sub access.Subject, id int64) (Draft, error) {
	var a postgres.Args
	sql := `SELECT 1 FROM documents d WHERE d.id = ` + a.Add(id) + ` AND d.direction = 'outgoing' AND ` + documents.Visible(sub)(&a)
	var one int
	if err := s.db.QueryRow(ctx, sql, a.Values()...).Scan(&one); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Draft{}, ErrNotOutgoing
		}
		return Draft{}, err
	}
	return load(ctx, s.db, id)
}

// Approve is a leader of the unit approving a draft.
func (s *Service) Approve(ctx context.Context, sub access.Subject, actor audit.Actor, id int64) (Draft, error) {
	return s.decide(ctx, sub, actor, id, StateApproved, "")
}

// Return is a leader of the unit sending a draft back with a reason.
func (s *Service) Return(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Draft, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Draft{}, apperr.Invalid("Vui lòng nhập lý do trả lại.", map[string]string{"reason": "Vui lòng nhập lý do trả lại."})
	}
	return s.decide(ctx, sub, actor, id, StateReturned, reason)
}

func (s *Service) decide(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, to, reason string) (Draft, error) {
	var out Draft
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockVisible(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if !sub.HasRole(d.UnitID, identity.RoleLeader) {
			return ErrNotLeader
		}
		if d.State != StateDraft {
			return apperr.Conflict(fmt.Sprintf("Chỉ duyệt hoặc trả lại được dự thảo đang chờ duyệt (văn bản đang ở trạng thái %q).", StateLabel(d.State)))
		}
		if err := circuitDecision(ctx, tx, sub, actor, d, to, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET outgoing_state = $2, updated_at = now() WHERE id = $1`, id, to); err != nil {
			return err
		}
		details := map[string]any{}
		if reason != "" {
			details["reason"] = reason
		}
		event := "outgoing_approved"
		if to == StateReturned {
			event = "outgoing_returned"
		}
		if err := addEvent(ctx, tx, id, actor.UserID, event, details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing."+to, "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		out, err = load(ctx, tx, id)
		return err
	})
	return out, err
}

// Issued is the outcome of an issue.
type Issued struct {
	Draft
	Delivered []RecipientStatus
}

// Issue is a clerk of the unit numbering, dating, registering and sending
// an approved draft. The number comes from the unit's default outgoing
// register in this transaction (gap-free); copies are delivered to the
// recipient units on the platform, referencing the same file rows.
func (s *Service) Issue(ctx context.Context, sub access.Subject, actor audit.Actor, id int64) (Issued, error) {
	var out Issued
	now := time.Now()
	copies, discard, err := s.sealIssuedCopies(ctx, sub, id, now)
	if err != nil {
		return Issued{}, err
	}
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockVisible(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if !sub.HasRole(d.UnitID, identity.RoleClerk) {
			return ErrNotClerk
		}
		if d.State != StateApproved {
			return ErrNotApproved
		}
		var unitName, issuer string
		if err := tx.QueryRow(ctx, `SELECT name, symbol FROM units WHERE id = $1`, d.UnitID).Scan(&unitName, &issuer); err != nil {
			return err
		}
		issuer = strings.TrimSpace(issuer)
		if issuer == "" {
			return apperr.Conflict("Đơn vị chưa có ký hiệu cơ quan ban hành (ví dụ TU, VPTU, ĐU); quản trị viên hãy khai báo trước khi phát hành.")
		}
		reg, err := s.registers.DefaultFor(ctx, tx, d.UnitID, registry.KindOutgoing, s.profile)
		if err != nil {
			return err
		}
		// A type without a symbol code still numbers in its own sequence.
		seq := d.TypeCode
		if seq == "" {
			seq = d.TypeName
		}
		number, period, series, err := registry.Take(ctx, tx, reg, now, seq, d.Confidentiality != identity.ClearanceNone)
		if err != nil {
			return err
		}
		notation := ComposeNotation(d.TypeCode, issuer)
		symbol := ComposeSymbol(number, d.TypeCode, issuer)
		day := now.In(vnZone).Format(time.DateOnly)
		if _, err := tx.Exec(ctx, `
			UPDATE documents SET outgoing_state = 'issued', status = '03', register_id = $2, number_period = $3, number_series = $4,
				outgoing_number = $5, code_number = $6, code_notation = $7, symbol = $8, issued_date = $9::date, issued_at = $10,
				updated_at = now()
			WHERE id = $1`, id, reg.ID, period, series, number, strconv.Itoa(number), notation, symbol, day, now); err != nil {
			return fmt.Errorf("number outgoing: %w", err)
		}
		delivered, err := deliver(ctx, tx, actor, id, d.UnitID, unitName, now)
		if err != nil {
			return err
		}
		if err := attachIssuedCopies(ctx, tx, actor, id, copies); err != nil {
			return err
		}
		if err := afterIssue(ctx, tx, actor, id, symbol, now); err != nil {
			return err
		}
		details := map[string]any{"number": number, "symbol": symbol, "register": reg.Name, "delivered": delivered}
		if err := addEvent(ctx, tx, id, actor.UserID, "issued", details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing.issue", "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		if out.Draft, err = load(ctx, tx, id); err != nil {
			return err
		}
		out.Delivered, err = recipients(ctx, tx, id)
		return err
	})
	if err != nil {
		discard()
	}
	return out, err
}

// deliver places a copy of the issued document in each recipient unit's
// incoming queue (status 01): its metadata, and document_files rows that
// point at the same files rows, of the latest version only (the final,
// signed one; earlier drafts stay with the sender).
func deliver(ctx context.Context, tx pgx.Tx, actor audit.Actor, id, unitID int64, unitName string, now time.Time) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id, unit_id FROM outgoing_recipients WHERE document_id = $1 AND unit_id IS NOT NULL ORDER BY position`, id)
	type rcpt struct{ id, unit int64 }
	var list []rcpt
	var r rcpt
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.unit}, func() error { list = append(list, r); return nil }); err != nil {
		return 0, err
	}
	for _, r := range list {
		var copyID int64
		err := tx.QueryRow(ctx, `
			INSERT INTO documents (direction, unit_id, arrived_at, status, type_name, type_code, code_number, code_notation, symbol,
				issued_date, organ_name, organ_unit_id, subject, page_amount, signer_position, signer_full_name, priority, priority_time,
				confidentiality, due_date, receivers, source_document_id, created_by)
			SELECT 'incoming', $2, $3, '01', type_name, type_code, code_number, code_notation, symbol,
				issued_date, $4, $5, subject, page_amount, signer_position, signer_full_name, priority, priority_time,
				confidentiality, due_date, receivers, id, $6
			FROM documents WHERE id = $1 RETURNING id`, id, r.unit, now, unitName, unitID, actor.UserID).Scan(&copyID)
		if err != nil {
			return 0, fmt.Errorf("deliver to unit %d: %w", r.unit, err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO document_files (document_id, file_id, name, position, version)
			SELECT $2, file_id, name, position, version FROM document_files WHERE document_id = $1
				AND version = (SELECT max(version) FROM document_files WHERE document_id = $1)`, id, copyID); err != nil {
			return 0, fmt.Errorf("reference files: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE outgoing_recipients SET delivered_document_id = $2, delivered_at = $3 WHERE id = $1`, r.id, copyID, now); err != nil {
			return 0, err
		}
		if err := addEvent(ctx, tx, copyID, actor.UserID, "delivered", map[string]any{"source_document_id": id, "from": unitName}); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

func recipients(ctx context.Context, q postgres.Querier, id int64) ([]RecipientStatus, error) {
	rows, _ := q.Query(ctx, `
		SELECT r.id, r.unit_id, u.name AS unit_name, r.organ_name, r.delivered_document_id, r.delivered_at,
			coalesce(c.status, r.exchange_status) AS status,
			coalesce(c.reject_reason, CASE WHEN r.exchange_status = '02' THEN r.exchange_description END, '') AS reject_reason, c.recalled_at
		FROM outgoing_recipients r
		LEFT JOIN units u ON u.id = r.unit_id
		LEFT JOIN documents c ON c.id = r.delivered_document_id
		WHERE r.document_id = $1 ORDER BY r.position`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RecipientStatus])
	if out == nil {
		out = []RecipientStatus{}
	}
	return out, err
}

// Recipients lists a visible outgoing document's recipients with the
// current status of each delivered copy.
func (s *Service) Recipients(ctx context.Context, sub access.Subject, id int64) ([]RecipientStatus, error) {
	if _, err := s.Get(ctx, sub, id); err != nil {
		return nil, err
	}
	return recipients(ctx, s.db, id)
}

// Recall (thu hồi) withdraws an issued document: the recipients' copies
// are marked recalled and frozen. A clerk or leader of the issuing unit.
func (s *Service) Recall(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Draft, error) {
	reason = strings.TrimSpace(reason)
	var out Draft
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockVisible(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if !sub.HasRole(d.UnitID, identity.RoleClerk, identity.RoleLeader) {
			return apperr.Forbidden("Chỉ lãnh đạo hoặc văn thư của đơn vị ban hành được thu hồi văn bản.")
		}
		if d.State != StateIssued {
			return apperr.Conflict("Chỉ thu hồi được văn bản đã phát hành.")
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET outgoing_state = 'recalled', updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE documents SET recalled_at = now(), updated_at = now()
			WHERE source_document_id = $1 AND recalled_at IS NULL RETURNING id`, id)
		copies, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, c := range copies {
			if err := addEvent(ctx, tx, c, actor.UserID, "recalled", map[string]any{"source_document_id": id, "reason": reason}); err != nil {
				return err
			}
		}
		if err := notifyRecalled(ctx, tx, copies, d.Subject, reason); err != nil {
			return err
		}
		details := map[string]any{"copies": len(copies), "reason": reason}
		if err := addEvent(ctx, tx, id, actor.UserID, "recalled", details); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("outgoing.recall", "document", strconv.FormatInt(id, 10), details)); err != nil {
			return err
		}
		out, err = load(ctx, tx, id)
		return err
	})
	return out, err
}

// ComposeNotation is TYPE/ISSUER (or ISSUER alone for a type without a
// code).
func ComposeNotation(typeCode, issuer string) string {
	if typeCode == "" {
		return issuer
	}
	return typeCode + "/" + issuer
}

// ComposeSymbol writes the number and symbol the party way: {n}-{TYPE}/{ISSUER}
// (e.g. 1-CV/TU); a type without a code gives {n}/{ISSUER}.
func ComposeSymbol(number int, typeCode, issuer string) string {
	if typeCode == "" {
		return fmt.Sprintf("%d/%s", number, issuer)
	}
	return fmt.Sprintf("%d-%s/%s", number, typeCode, issuer)
}

// StateLabel is the Vietnamese name of an outgoing state.
func StateLabel(s string) string {
	switch s {
	case StateDraft:
		return "Dự thảo chờ duyệt"
	case StateApproved:
		return "Đã duyệt"
	case StateReturned:
		return "Bị trả lại"
	case StateIssued:
		return "Đã phát hành"
	case StateRecalled:
		return "Đã thu hồi"
	}
	return s
}

func newObjectKey(now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "files/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b)
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
	return err
}
