package exchange

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/edxml"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

// Imported is the outcome of an import.
type Imported struct {
	DocumentID      int64          `json:"id"`
	Action          string         `json:"action"` // created, replaced, recalled, updated
	UnitID          int64          `json:"unit_id"`
	Status          string         `json:"status"`
	EdxmlDocumentID string         `json:"document_id"`
	BusinessCode    int            `json:"business_code"`
	ReplacedID      *int64         `json:"replaced_id,omitempty"`
	Files           []ImportedFile `json:"files"`
}

// ImportedFile is a stored attachment.
type ImportedFile struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
}

// envelope is what exchange_documents.metadata keeps: the message without
// attachment bytes, and each attachment as it was declared (the stored
// name may be made safe, the type is detected by content).
type envelope struct {
	Message     edxml.Message      `json:"message"`
	Attachments []attachmentRecord `json:"attachments"`
}

type attachmentRecord struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Description string `json:"description"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

func newEnvelope(m edxml.Message, uploads []*documents.Upload) envelope {
	e := envelope{Attachments: []attachmentRecord{}}
	for i, a := range m.Attachments {
		e.Attachments = append(e.Attachments, attachmentRecord{Name: a.Name, ContentType: a.ContentType, Description: a.Description,
			SHA256: hex.EncodeToString(uploads[i].SHA256), Size: uploads[i].Size})
	}
	m.Attachments = nil
	e.Message = m
	return e
}

// Import reads an edXML envelope into the queue of unitID (0: the only
// unit where the subject is a clerk) by its business code: a new document
// (0) or a replacing one (3) arrives as status 01 with its attachments; a
// recall (1) freezes the copy received earlier; an update (2) changes its
// metadata and adds the attachments sent as a new version.
func (s *Service) Import(ctx context.Context, sub access.Subject, actor audit.Actor, unitID int64, body io.Reader) (Imported, error) {
	if unitID == 0 {
		unitID = clerkUnit(sub)
	}
	if unitID == 0 && !sub.IsAdmin && !slices.ContainsFunc(sub.Memberships, func(m identity.Membership) bool { return m.Role == identity.RoleClerk }) {
		return Imported{}, ErrNotClerk
	}
	if unitID == 0 {
		return Imported{}, apperr.Invalid("Vui lòng chọn đơn vị nhận văn bản (unit_id).",
			map[string]string{"unit_id": "Bạn là văn thư của nhiều đơn vị (hoặc không của đơn vị nào): hãy chọn đơn vị."})
	}
	if !sub.HasRole(unitID, identity.RoleClerk) {
		return Imported{}, ErrNotClerk
	}
	var current bool
	if err := s.db.QueryRow(ctx, `SELECT valid_to IS NULL FROM units WHERE id = $1`, unitID).Scan(&current); err != nil || !current {
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Imported{}, err
		}
		return Imported{}, apperr.Invalid("Đơn vị nhận không tồn tại hoặc đã giải thể.", map[string]string{"unit_id": "Đơn vị không hợp lệ."})
	}
	m, err := edxml.Parse(body, s.limits)
	if err != nil {
		return Imported{}, parseError(err)
	}
	in, err := MapIncoming(m)
	if err != nil {
		return Imported{}, err
	}
	switch m.Business.DocType {
	case edxml.BusinessRecall:
		return s.recall(ctx, actor, unitID, m)
	case edxml.BusinessUpdate:
		return s.update(ctx, actor, unitID, m, in)
	}
	return s.create(ctx, actor, unitID, m, in)
}

// importedRow is an earlier import found by its DocumentId.
type importedRow struct {
	ID         int64      `db:"id"`
	UnitID     int64      `db:"unit_id"`
	Status     string     `db:"status"`
	Symbol     string     `db:"symbol"`
	RecalledAt *time.Time `db:"recalled_at"`
	ImportedAt time.Time  `db:"imported_at"`
	Metadata   envelope   `db:"metadata"`
}

// findImported finds what the unit received under an edXML DocumentId,
// locking it when tx is given. A merge may have moved it to the unit.
func findImported(ctx context.Context, q postgres.Querier, unitID int64, docID string, lock bool) (importedRow, bool, error) {
	sql := `SELECT d.id, d.unit_id, d.status, d.symbol, d.recalled_at, e.imported_at, e.metadata
		FROM exchange_documents e JOIN documents d ON d.id = e.document_id
		WHERE e.edxml_document_id = $1 AND (e.receiving_unit_id = $2 OR d.unit_id = $2)
		ORDER BY e.imported_at DESC, d.id DESC LIMIT 1`
	if lock {
		sql += ` FOR UPDATE OF d, e`
	}
	rows, _ := q.Query(ctx, sql, docID, unitID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[importedRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return importedRow{}, false, nil
	}
	return r, err == nil, err
}

func errFrozen(r importedRow) error {
	return apperr.Conflict(fmt.Sprintf("Văn bản %s đã bị thu hồi hoặc thay thế (ngày %s); không cập nhật được.",
		r.Symbol, r.RecalledAt.In(vnZone).Format("02/01/2006")))
}

func duplicate(r importedRow, docID string) error {
	return apperr.Conflict(fmt.Sprintf(
		"Văn bản %s (DocumentId %q) đã được nhận vào đơn vị ngày %s (mã văn bản %d trên hệ thống); không nhận lại lần nữa.",
		r.Symbol, docID, r.ImportedAt.In(vnZone).Format("02/01/2006"), r.ID))
}

func (s *Service) create(ctx context.Context, actor audit.Actor, unitID int64, m edxml.Message, in Incoming) (Imported, error) {
	typeCode, err := s.resolveType(ctx, &in)
	if err != nil {
		return Imported{}, err
	}
	o, err := organ(ctx, s.db, unitID)
	if err != nil {
		return Imported{}, err
	}
	// A unit that declared its identifier refuses what is addressed to
	// others (a wrongly addressed document goes back to its sender).
	if o.Declared && !addressedTo(m.To, o.OrganID) {
		msg := fmt.Sprintf("Văn bản không gửi đến đơn vị này: nơi nhận (To) không có mã định danh %q của %s.", o.OrganID, o.Name)
		return Imported{}, apperr.Invalid(msg, map[string]string{"MessageHeader/To": msg})
	}
	if dup, ok, err := findImported(ctx, s.db, unitID, m.DocumentID, false); err != nil {
		return Imported{}, err
	} else if ok {
		return Imported{}, duplicate(dup, m.DocumentID)
	}
	organUnit, err := unitByOrganID(ctx, s.db, m.From.OrganID)
	if err != nil {
		return Imported{}, err
	}
	uploads, err := s.receive(ctx, m.Attachments)
	if err != nil {
		return Imported{}, err
	}
	defer documents.CloseAll(uploads)
	env := newEnvelope(m, uploads)
	stored, cleanup, err := s.put(ctx, uploads)
	if err != nil {
		return Imported{}, err
	}
	out := Imported{Action: "created", UnitID: unitID, Status: documents.StatusArrived, EdxmlDocumentID: m.DocumentID,
		BusinessCode: int(m.Business.DocType), Files: []ImportedFile{}}
	now := time.Now()
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var replaced importedRow
		var found bool
		notes := ""
		if m.Business.DocType == edxml.BusinessReplace {
			out.Action = "replaced"
			for _, rf := range m.ResponseFor {
				if rf.DocumentID == "" {
					continue
				}
				if replaced, found, err = findImported(ctx, tx, unitID, rf.DocumentID, true); err != nil {
					return err
				} else if found {
					break
				}
			}
			notes = "Văn bản thay thế"
			if found {
				notes += " văn bản " + replaced.Symbol
			}
			if r := strings.TrimSpace(m.Business.DocReason); r != "" {
				notes += ": " + r
			}
			notes += "."
		}
		var organUnitArg any
		if organUnit != 0 {
			organUnitArg = organUnit
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO documents (direction, unit_id, arrived_at, status, type_name, type_code, code_number, code_notation, symbol,
				issued_date, organ_name, organ_unit_id, subject, page_amount, signer_position, signer_full_name, priority,
				due_date, receivers, notes, created_by)
			VALUES ('incoming', $1, $2, '01', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
			RETURNING id`,
			unitID, now, in.TypeName, typeCode, in.CodeNumber, in.CodeNotation, in.Symbol, in.IssuedDate, in.OrganName, organUnitArg,
			in.Subject, nullInt(in.PageAmount), in.SignerPosition, in.SignerFullName, in.Priority, in.DueDate, in.Receivers, notes,
			nullID(actor.UserID)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert imported document: %w", err)
		}
		out.DocumentID = id
		if out.Files, err = insertFiles(ctx, tx, id, actor.UserID, 1, uploads, stored); err != nil {
			return err
		}
		var replacesArg any
		if found {
			replacesArg = replaced.ID
			out.ReplacedID = &replaced.ID
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO exchange_documents (document_id, receiving_unit_id, edxml_document_id, from_organ_id, business_code, metadata,
				replaces_document_id, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, unitID, m.DocumentID, m.From.OrganID, int(m.Business.DocType), env, replacesArg, nullID(actor.UserID))
		if postgres.IsUniqueViolation(err, "exchange_documents_once") {
			// Imported by someone else a moment ago.
			return apperr.Conflict(fmt.Sprintf("Văn bản %s (DocumentId %q) vừa được nhận vào đơn vị; không nhận lại lần nữa.", in.Symbol, m.DocumentID))
		}
		if err != nil {
			return fmt.Errorf("insert exchange document: %w", err)
		}
		if err := logDocumentMessage(ctx, tx, id, m, actor.UserID); err != nil {
			return err
		}
		if organUnit == 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (name) VALUES ($1) ON CONFLICT DO NOTHING`, in.OrganName); err != nil {
				return err
			}
		}
		details := map[string]any{"from": m.From.OrganName, "from_organ_id": m.From.OrganID, "edxml_document_id": m.DocumentID,
			"business_code": int(m.Business.DocType), "files": len(uploads)}
		if found {
			details["replaces_document_id"] = replaced.ID
			if err := s.markReplaced(ctx, tx, actor, replaced, id, m.Business.DocReason); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "exchange_received", details); err != nil {
			return err
		}
		e := actor.Entry("exchange.import", "document", strconv.FormatInt(id, 10), details)
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		cleanup()
		return Imported{}, err
	}
	return out, nil
}

// markReplaced links the replaced copy to its replacement; one still
// waiting to be registered is frozen so the outdated version is not
// registered by mistake.
func (s *Service) markReplaced(ctx context.Context, tx pgx.Tx, actor audit.Actor, old importedRow, newID int64, reason string) error {
	if _, err := tx.Exec(ctx, `UPDATE exchange_documents SET replaced_by_document_id = $2, updated_at = now() WHERE document_id = $1`,
		old.ID, newID); err != nil {
		return err
	}
	frozen := false
	if old.Status == documents.StatusArrived && old.RecalledAt == nil {
		if _, err := tx.Exec(ctx, `UPDATE documents SET recalled_at = now(), updated_at = now() WHERE id = $1`, old.ID); err != nil {
			return err
		}
		frozen = true
	}
	return addEvent(ctx, tx, old.ID, actor.UserID, "exchange_replaced",
		map[string]any{"replaced_by": newID, "reason": strings.TrimSpace(reason), "frozen": frozen})
}

func (s *Service) recall(ctx context.Context, actor audit.Actor, unitID int64, m edxml.Message) (Imported, error) {
	out := Imported{Action: "recalled", UnitID: unitID, EdxmlDocumentID: m.DocumentID, BusinessCode: int(m.Business.DocType), Files: []ImportedFile{}}
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		target, ok, err := findImported(ctx, tx, unitID, m.DocumentID, true)
		if err != nil {
			return err
		}
		if !ok {
			msg := fmt.Sprintf("Không có văn bản nào với DocumentId %q đã nhận vào đơn vị để thu hồi.", m.DocumentID)
			return apperr.Invalid(msg, map[string]string{"MessageHeader/DocumentId": msg})
		}
		if target.RecalledAt != nil {
			return apperr.Conflict(fmt.Sprintf("Văn bản %s đã bị thu hồi hoặc thay thế trước đó (ngày %s).",
				target.Symbol, target.RecalledAt.In(vnZone).Format("02/01/2006")))
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET recalled_at = now(), updated_at = now() WHERE id = $1`, target.ID); err != nil {
			return err
		}
		out.DocumentID, out.Status = target.ID, target.Status
		if err := logDocumentMessage(ctx, tx, target.ID, m, actor.UserID); err != nil {
			return err
		}
		details := map[string]any{"reason": strings.TrimSpace(m.Business.DocReason), "from": m.From.OrganName, "edxml_document_id": m.DocumentID}
		if err := addEvent(ctx, tx, target.ID, actor.UserID, "recalled", details); err != nil {
			return err
		}
		e := actor.Entry("exchange.recall", "document", strconv.FormatInt(target.ID, 10), details)
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	return out, err
}

func (s *Service) update(ctx context.Context, actor audit.Actor, unitID int64, m edxml.Message, in Incoming) (Imported, error) {
	// Checked first so a stray update is refused before its files are
	// stored; checked again under lock below.
	earlier, ok, err := findImported(ctx, s.db, unitID, m.DocumentID, false)
	if err != nil {
		return Imported{}, err
	}
	if !ok {
		msg := fmt.Sprintf("Không có văn bản nào với DocumentId %q đã nhận vào đơn vị để cập nhật.", m.DocumentID)
		return Imported{}, apperr.Invalid(msg, map[string]string{"MessageHeader/DocumentId": msg})
	}
	if earlier.RecalledAt != nil {
		return Imported{}, errFrozen(earlier)
	}
	typeCode, err := s.resolveType(ctx, &in)
	if err != nil {
		return Imported{}, err
	}
	uploads, err := s.receive(ctx, m.Attachments)
	if err != nil {
		return Imported{}, err
	}
	defer documents.CloseAll(uploads)
	env := newEnvelope(m, uploads)
	stored, cleanup, err := s.put(ctx, uploads)
	if err != nil {
		return Imported{}, err
	}
	out := Imported{Action: "updated", UnitID: unitID, EdxmlDocumentID: m.DocumentID, BusinessCode: int(m.Business.DocType), Files: []ImportedFile{}}
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		target, ok, err := findImported(ctx, tx, unitID, m.DocumentID, true)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("Văn bản cần cập nhật vừa thay đổi; vui lòng gửi lại.")
		}
		if target.RecalledAt != nil {
			return errFrozen(target)
		}
		var before Incoming
		var beforeIssued *time.Time
		var pages *int
		if err := tx.QueryRow(ctx, `
			SELECT type_name, symbol, issued_date, organ_name, subject, page_amount, signer_position, signer_full_name, priority, due_date, receivers
			FROM documents WHERE id = $1`, target.ID).Scan(&before.TypeName, &before.Symbol, &beforeIssued, &before.OrganName, &before.Subject,
			&pages, &before.SignerPosition, &before.SignerFullName, &before.Priority, &before.DueDate, &before.Receivers); err != nil {
			return err
		}
		if beforeIssued != nil {
			before.IssuedDate = *beforeIssued
		}
		if pages != nil {
			before.PageAmount = *pages
		}
		if _, err := tx.Exec(ctx, `
			UPDATE documents SET type_name = $2, type_code = $3, code_number = $4, code_notation = $5, symbol = $6, issued_date = $7,
				organ_name = $8, subject = $9, page_amount = $10, signer_position = $11, signer_full_name = $12, priority = $13,
				due_date = $14, receivers = $15, updated_at = now()
			WHERE id = $1`,
			target.ID, in.TypeName, typeCode, in.CodeNumber, in.CodeNotation, in.Symbol, in.IssuedDate, in.OrganName, in.Subject,
			nullInt(in.PageAmount), in.SignerPosition, in.SignerFullName, in.Priority, in.DueDate, in.Receivers); err != nil {
			return fmt.Errorf("update imported document: %w", err)
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM document_files WHERE document_id = $1`, target.ID).Scan(&version); err != nil {
			return err
		}
		if out.Files, err = insertFiles(ctx, tx, target.ID, actor.UserID, version, uploads, stored); err != nil {
			return err
		}
		env.Attachments = append(target.Metadata.Attachments, env.Attachments...)
		if _, err := tx.Exec(ctx, `UPDATE exchange_documents SET metadata = $2, business_code = 2, updated_at = now() WHERE document_id = $1`,
			target.ID, env); err != nil {
			return err
		}
		if err := logDocumentMessage(ctx, tx, target.ID, m, actor.UserID); err != nil {
			return err
		}
		out.DocumentID, out.Status = target.ID, target.Status
		details := map[string]any{"changed": changedFields(before, in), "files": len(uploads),
			"reason": strings.TrimSpace(m.Business.DocReason), "edxml_document_id": m.DocumentID}
		if err := addEvent(ctx, tx, target.ID, actor.UserID, "exchange_updated", details); err != nil {
			return err
		}
		e := actor.Entry("exchange.update", "document", strconv.FormatInt(target.ID, 10), details)
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		cleanup()
		return Imported{}, err
	}
	return out, nil
}

// changedFields names the document columns an update changed.
func changedFields(a, b Incoming) []string {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	var out []string
	for _, c := range []struct {
		name       string
		old, value string
	}{
		{"type_name", a.TypeName, b.TypeName},
		{"symbol", a.Symbol, b.Symbol},
		{"issued_date", day(&a.IssuedDate), day(&b.IssuedDate)},
		{"organ_name", a.OrganName, b.OrganName},
		{"subject", a.Subject, b.Subject},
		{"page_amount", strconv.Itoa(a.PageAmount), strconv.Itoa(b.PageAmount)},
		{"signer_position", a.SignerPosition, b.SignerPosition},
		{"signer_full_name", a.SignerFullName, b.SignerFullName},
		{"priority", a.Priority, b.Priority},
		{"due_date", day(a.DueDate), day(b.DueDate)},
		{"receivers", a.Receivers, b.Receivers},
	} {
		if c.old != c.value {
			out = append(out, c.name)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// logDocumentMessage records a received envelope in exchange_messages.
func logDocumentMessage(ctx context.Context, tx pgx.Tx, docID int64, m edxml.Message, actorID int64) error {
	payload := map[string]any{"edxml_document_id": m.DocumentID, "reason": m.Business.DocReason, "staff": m.Business.StaffInfo,
		"from": m.From, "trace": m.TraceHeaders}
	_, err := tx.Exec(ctx, `
		INSERT INTO exchange_messages (direction, kind, document_id, business_code, organ_id, payload, actor_id)
		VALUES ('in', 'document', $1, $2, $3, $4, $5)`, docID, int(m.Business.DocType), m.From.OrganID, payload, nullID(actorID))
	return err
}

func addressedTo(to []edxml.Organization, id string) bool {
	for _, o := range to {
		if strings.TrimSpace(o.OrganID) == id {
			return true
		}
	}
	return false
}

// resolveType fills a missing type name from the notation's type code.
func (s *Service) resolveType(ctx context.Context, in *Incoming) (string, error) {
	if in.TypeName == "" {
		err := s.db.QueryRow(ctx, `
			SELECT name FROM document_types WHERE code = $1 AND code <> '' AND valid_to IS NULL ORDER BY position LIMIT 1`,
			in.TypeCode).Scan(&in.TypeName)
		if errors.Is(err, pgx.ErrNoRows) {
			msg := fmt.Sprintf("Thiếu tên loại văn bản (TypeName), và ký hiệu %q không ứng với loại văn bản nào trong danh mục.", in.TypeCode)
			return "", apperr.Invalid("Tệp edXML chưa hợp lệ: "+msg, map[string]string{"MessageHeader/DocumentType/TypeName": msg})
		}
		if err != nil {
			return "", err
		}
	}
	code, _, err := s.registers.TypeCode(ctx, in.TypeName)
	return code, err
}

// receive spools and checks each attachment like an uploaded file: type by
// content, size; then the signature check when one is wired.
func (s *Service) receive(ctx context.Context, atts []edxml.Attachment) ([]*documents.Upload, error) {
	uploads := make([]*documents.Upload, 0, len(atts))
	fail := func(i int, err error) ([]*documents.Upload, error) {
		documents.CloseAll(uploads)
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			path := fmt.Sprintf("AttachmentEncoded/Attachment[%d]", i+1)
			return nil, apperr.Invalid("Tệp edXML chưa hợp lệ: "+e.Message, map[string]string{path: e.Message})
		}
		return nil, err
	}
	for i := range atts {
		a := &atts[i]
		u, err := documents.Receive(bytes.NewReader(a.Data), a.Name, s.maxFileBytes)
		if err != nil {
			return fail(i, err)
		}
		a.Data = nil // the spooled copy is enough: free the memory early
		uploads = append(uploads, u)
	}
	documents.InspectAll(ctx, s.inspector, uploads)
	return uploads, nil
}

// put stores uploads in the object store; cleanup removes them again.
func (s *Service) put(ctx context.Context, uploads []*documents.Upload) ([]objectstore.Object, func(), error) {
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
					"Kho lưu trữ tệp đang không sẵn sàng nên văn bản chưa được nhận. Không có dữ liệu nào bị lưu dở; vui lòng thử lại sau ít phút.", err)
			}
			return nil, func() {}, fmt.Errorf("store %s: %w", u.Name, err)
		}
		stored = append(stored, obj)
	}
	return stored, cleanup, nil
}

func insertFiles(ctx context.Context, tx pgx.Tx, docID, userID int64, version int, uploads []*documents.Upload, stored []objectstore.Object) ([]ImportedFile, error) {
	var start int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM document_files WHERE document_id = $1`, docID).Scan(&start); err != nil {
		return nil, err
	}
	out := make([]ImportedFile, 0, len(uploads))
	for i, u := range uploads {
		f := ImportedFile{Name: u.Name, Size: stored[i].Size, SHA256: stored[i].SHA256, ContentType: u.ContentType}
		if err := tx.QueryRow(ctx, `
			INSERT INTO files (object_key, sha256, size, content_type, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			stored[i].Key, stored[i].SHA256, stored[i].Size, u.ContentType, nullID(userID)).Scan(&f.ID); err != nil {
			return nil, fmt.Errorf("insert file: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO document_files (document_id, file_id, name, position, version) VALUES ($1, $2, $3, $4, $5)`,
			docID, f.ID, u.Name, start+i+1, version); err != nil {
			return nil, fmt.Errorf("link file: %w", err)
		}
		if err := u.RecordFinding(ctx, tx, f.ID); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

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

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
