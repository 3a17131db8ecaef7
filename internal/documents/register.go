package documents

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/registry"
)

// Service registers and reads documents.
type Service struct {
	db        *pgxpool.Pool
	store     *objectstore.Store
	registers *registry.Store
	profile   string // numbering preset for registers made on demand
	isolated  bool   // approved for state-secret content
	inspector FileInspector
}

// NewService wires the document capability.
func NewService(db *pgxpool.Pool, store *objectstore.Store, registers *registry.Store, profile string, isolated bool) *Service {
	return &Service{db: db, store: store, registers: registers, profile: profile, isolated: isolated}
}

// IncomingInput is the metadata a clerk types when registering.
type IncomingInput struct {
	UnitID          int64
	RegisterID      int64
	TypeName        string
	CodeNumber      string
	CodeNotation    string
	IssuedDate      *time.Time
	OrganName       string
	OrganUnitID     int64
	Subject         string
	PageAmount      int
	SignerPosition  string
	SignerFullName  string
	Priority        string
	PriorityTime    *time.Time
	Confidentiality identity.Clearance
	DueDate         *time.Time
	Receivers       string
	Notes           string
}

// Registered is the outcome of a registration.
type Registered struct {
	Document   Document
	Files      []File
	Duplicates []Duplicate
}

// Duplicate is an earlier document with the same number, symbol and issuer.
type Duplicate struct {
	ID            int64     `db:"id" json:"id"`
	ArrivalNumber *int      `db:"arrival_number" json:"arrival_number"`
	ArrivedAt     time.Time `db:"arrived_at" json:"arrived_at"`
	Subject       string    `db:"subject" json:"subject"`
}

// DuplicateError asks the clerk to confirm a possible duplicate.
type DuplicateError struct{ Matches []Duplicate }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("possible duplicate of %d registered document(s)", len(e.Matches))
}

// normalise trims the input and validates it, in Vietnamese, per field.
func (in *IncomingInput) normalise(now time.Time) (typeSymbol string, err error) {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	in.TypeName, in.OrganName, in.Subject = clean(in.TypeName), clean(in.OrganName), strings.TrimSpace(in.Subject)
	in.SignerPosition, in.SignerFullName = clean(in.SignerPosition), clean(in.SignerFullName)
	in.Receivers, in.Notes = strings.TrimSpace(in.Receivers), strings.TrimSpace(in.Notes)
	if in.Priority == "" {
		in.Priority = "thuong"
	}
	if in.Confidentiality == "" {
		in.Confidentiality = identity.ClearanceNone
	}
	f := apperr.Fields{}
	if in.TypeName == "" {
		f.Add("type_name", "Vui lòng chọn loại văn bản.")
	}
	if in.OrganName == "" {
		f.Add("organ_name", "Vui lòng nhập cơ quan ban hành.")
	}
	if in.Subject == "" {
		f.Add("subject", "Vui lòng nhập trích yếu nội dung.")
	} else if utf8.RuneCountInString(in.Subject) > 2000 {
		f.Add("subject", "Trích yếu dài tối đa 2.000 ký tự.")
	}
	sym, err := registry.ComposeSymbol(in.CodeNumber, in.CodeNotation)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			f.Add("code_notation", e.Message)
		}
	} else {
		in.CodeNumber, in.CodeNotation, typeSymbol = sym.Number, sym.Notation, sym.Text
	}
	// Dates are calendar days in Vietnam; compare with today there.
	if in.IssuedDate != nil && in.IssuedDate.Format(time.DateOnly) > now.In(vnZone).Format(time.DateOnly) {
		f.Add("issued_date", "Ngày văn bản không được sau ngày hôm nay.")
	}
	if in.PageAmount < 0 || in.PageAmount > 100000 {
		f.Add("page_amount", "Số trang phải là số dương.")
	}
	validPriority := false
	for _, p := range Priorities {
		validPriority = validPriority || p == in.Priority
	}
	if !validPriority {
		f.Add("priority", "Độ khẩn phải là một trong: thuong, khan, thuong_khan, hoa_toc, hoa_toc_hen_gio.")
	}
	if in.Priority == "hoa_toc_hen_gio" && in.PriorityTime == nil {
		f.Add("priority_time", "Hỏa tốc hẹn giờ cần thời hạn (giờ, ngày).")
	}
	if !in.Confidentiality.Valid() {
		f.Add("confidentiality", "Độ mật phải là một trong: none, mat, toi_mat, tuyet_mat.")
	}
	if in.DueDate != nil && in.IssuedDate != nil && in.DueDate.Before(*in.IssuedDate) {
		f.Add("due_date", "Hạn xử lý không được trước ngày văn bản.")
	}
	return typeSymbol, f.Err()
}

// ErrSecretContent refuses file content on a classified document.
var ErrSecretContent = apperr.Invalid(
	"Văn bản có độ mật từ Mật trở lên chỉ được vào sổ thông tin (không kèm tệp nội dung) vì hệ thống chưa được phép lưu trữ bí mật nhà nước (Luật Bảo vệ bí mật nhà nước, Điều 5). Hãy bỏ tệp đính kèm và vào sổ lại.",
	map[string]string{"files": "Văn bản mật không được kèm tệp nội dung trên hệ thống này."})

// RegisterIncoming gives the document its arrival number and time and
// stores it with its files. Files go to the object store first; the record,
// its number, files and timeline entry are then written in one
// transaction. If either step fails nothing remains: uploaded objects are
// removed and the number is not used.
func (s *Service) RegisterIncoming(ctx context.Context, sub access.Subject, actor audit.Actor, in IncomingInput, uploads []*Upload, allowDuplicate bool) (Registered, error) {
	now := time.Now()
	if in.UnitID == 0 {
		in.UnitID = clerkUnit(sub)
	}
	if in.UnitID == 0 {
		return Registered{}, apperr.Invalid("Vui lòng chọn đơn vị vào sổ.", map[string]string{"unit_id": "Bạn là văn thư của nhiều đơn vị (hoặc không của đơn vị nào): hãy chọn đơn vị."})
	}
	if !sub.HasRole(in.UnitID, identity.RoleClerk) {
		return Registered{}, apperr.Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.")
	}
	if _, err := in.normalise(now); err != nil {
		return Registered{}, err
	}
	if in.Confidentiality != identity.ClearanceNone && len(uploads) > 0 && !s.isolated {
		return Registered{}, ErrSecretContent
	}
	if !allowDuplicate && in.CodeNumber != "" {
		dups, err := s.duplicatesExcept(ctx, in, 0)
		if err != nil {
			return Registered{}, err
		}
		if len(dups) > 0 {
			return Registered{}, &DuplicateError{Matches: dups}
		}
	}
	typeCode, _, err := s.registers.TypeCode(ctx, in.TypeName)
	if err != nil {
		return Registered{}, err
	}

	InspectAll(ctx, s.inspector, uploads)
	// 1. Bytes first, each verified by the store against our SHA-256.
	stored := make([]objectstore.Object, 0, len(uploads))
	cleanup := func() {
		for _, o := range stored {
			_ = s.store.Delete(context.WithoutCancel(ctx), o.Key)
		}
	}
	for _, u := range uploads {
		r, err := u.Reader()
		if err != nil {
			cleanup()
			return Registered{}, err
		}
		obj, err := s.store.Put(ctx, newObjectKey(now), r, u.Size, objectstore.PutOptions{ContentType: u.ContentType, SHA256: u.SHA256})
		if err != nil {
			cleanup()
			if errors.Is(err, objectstore.ErrUnavailable) || errors.Is(err, objectstore.ErrChecksumMismatch) {
				return Registered{}, apperr.Wrap(apperr.KindUnavailable,
					"Kho lưu trữ tệp đang không sẵn sàng nên văn bản chưa được vào sổ. Không có dữ liệu nào bị lưu dở; vui lòng thử lại sau ít phút.", err)
			}
			return Registered{}, fmt.Errorf("store %s: %w", u.Name, err)
		}
		stored = append(stored, obj)
	}

	// 2. The record, its number and its files, atomically.
	var out Registered
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var reg registry.Register
		var err error
		if in.RegisterID != 0 {
			reg, err = s.registers.Get(ctx, tx, in.RegisterID)
			if err != nil || reg.UnitID != in.UnitID || reg.Kind != registry.KindIncoming || !reg.Active {
				return apperr.Invalid("Sổ văn bản không thuộc đơn vị hoặc không phải sổ văn bản đến.", map[string]string{"register_id": "Sổ văn bản không hợp lệ."})
			}
		} else if reg, err = s.registers.DefaultFor(ctx, tx, in.UnitID, registry.KindIncoming, s.profile); err != nil {
			return err
		}
		// What does not need the document goes first: the register's
		// counter, taken next, stays locked until commit.
		fileIDs := make([]int64, len(uploads))
		for i, u := range uploads {
			if err := tx.QueryRow(ctx, `
				INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				stored[i].Key, stored[i].SHA256, stored[i].Size, u.ContentType, actor.UserID).Scan(&fileIDs[i]); err != nil {
				return fmt.Errorf("insert file: %w", err)
			}
			if err := u.RecordFinding(ctx, tx, fileIDs[i]); err != nil {
				return err
			}
		}
		if in.OrganUnitID == 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (name) VALUES ($1) ON CONFLICT DO NOTHING`, in.OrganName); err != nil {
				return err
			}
		}
		// Arrival numbers: one sequence for the register, whatever the
		// type. (Numbering the row last with an UPDATE would shorten the
		// wait further, but writes every index of the row twice.)
		number, period, series, err := registry.Take(ctx, tx, reg, now, typeCode, in.Confidentiality != identity.ClearanceNone)
		if err != nil {
			return err
		}
		sym, _ := registry.ComposeSymbol(in.CodeNumber, in.CodeNotation)
		var organUnit any
		if in.OrganUnitID != 0 {
			organUnit = in.OrganUnitID
		}
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO documents (direction, unit_id, register_id, number_period, number_series, arrival_number, arrived_at,
				status, type_name, type_code, code_number, code_notation, symbol, issued_date, organ_name, organ_unit_id,
				subject, page_amount, signer_position, signer_full_name, priority, priority_time, confidentiality,
				due_date, receivers, notes, created_by)
			VALUES ('incoming', $1, $2, $3, $4, $5, $6, '03', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
				$19, $20, $21, $22, $23, $24, $25)
			RETURNING id`,
			in.UnitID, reg.ID, period, series, number, now, in.TypeName, typeCode, in.CodeNumber, in.CodeNotation, sym.Text,
			in.IssuedDate, in.OrganName, organUnit, in.Subject, nullInt(in.PageAmount), in.SignerPosition, in.SignerFullName,
			in.Priority, in.PriorityTime, in.Confidentiality, in.DueDate, in.Receivers, in.Notes, actor.UserID).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert document: %w", err)
		}
		for i, fileID := range fileIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO document_files (document_id, file_id, name, position) VALUES ($1, $2, $3, $4)`,
				id, fileID, uploads[i].Name, i+1); err != nil {
				return fmt.Errorf("link file: %w", err)
			}
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "registered", map[string]any{"arrival_number": number, "register": reg.Name, "files": len(uploads)}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("document.register", "document", fmt.Sprint(id),
			map[string]any{"arrival_number": number, "register_id": reg.ID, "files": len(uploads)})); err != nil {
			return err
		}
		// Read back in the transaction: a failure after a commit would tell
		// the clerk it failed when the document is in the register.
		if out.Document, err = getDocument(ctx, tx, id); err != nil {
			return err
		}
		out.Files, err = listFiles(ctx, tx, id)
		return err
	})
	if err != nil {
		cleanup()
		return Registered{}, err
	}
	if allowDuplicate && in.CodeNumber != "" {
		out.Duplicates, _ = s.duplicatesExcept(ctx, in, out.Document.ID)
	}
	return out, nil
}

// clerkUnit is the only unit where the subject is a clerk, or 0.
func clerkUnit(sub access.Subject) int64 {
	var unit int64
	for _, m := range sub.Memberships {
		if m.Role == identity.RoleClerk {
			if unit != 0 && unit != m.UnitID {
				return 0
			}
			unit = m.UnitID
		}
	}
	if unit == 0 && sub.ActingUnit != 0 && sub.IsAdmin {
		return sub.ActingUnit
	}
	return unit
}

// duplicatesExcept finds documents of the unit with the same number,
// symbol and issuer.
func (s *Service) duplicatesExcept(ctx context.Context, in IncomingInput, except int64) ([]Duplicate, error) {
	sym, err := registry.ComposeSymbol(in.CodeNumber, in.CodeNotation)
	if err != nil || sym.Text == "" {
		return nil, nil
	}
	rows, _ := s.db.Query(ctx, `
		SELECT id, arrival_number, arrived_at, subject FROM documents
		WHERE unit_id = $1 AND symbol = $2 AND vn_fold(organ_name) = vn_fold($3) AND id <> $4 AND direction = 'incoming'
		ORDER BY arrived_at LIMIT 5`, in.UnitID, sym.Text, in.OrganName, except)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Duplicate])
}

// newObjectKey makes a server-side object name: never derived from the
// user's file name.
func newObjectKey(now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "files/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b)
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
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
