package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
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

// Envelope is an edXML message ready to be written: its attachments are
// read from the object store (and their SHA-256 checked) while
// edxml.Build writes them, never held in memory whole.
type Envelope struct {
	DocumentID int64
	FileName   string
	Message    edxml.Message
}

type exportDoc struct {
	ID              int64              `db:"id"`
	Direction       string             `db:"direction"`
	UnitID          int64              `db:"unit_id"`
	State           *string            `db:"outgoing_state"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	TypeName        string             `db:"type_name"`
	CodeNumber      string             `db:"code_number"`
	CodeNotation    string             `db:"code_notation"`
	Symbol          string             `db:"symbol"`
	IssuedDate      *time.Time         `db:"issued_date"`
	IssuedAt        *time.Time         `db:"issued_at"`
	Subject         string             `db:"subject"`
	PageAmount      *int               `db:"page_amount"`
	SignerPosition  string             `db:"signer_position"`
	SignerFullName  string             `db:"signer_full_name"`
	Priority        string             `db:"priority"`
	DueDate         *time.Time         `db:"due_date"`
	Imported        *envelope          `db:"metadata"`
}

// Errors of an export, in Vietnamese.
var (
	ErrNotExportable = apperr.Conflict("Chỉ xuất edXML cho văn bản đi đã phát hành (hoặc đã thu hồi) và văn bản đến nhận qua liên thông edXML.")
	ErrSecret        = apperr.Conflict("Văn bản có độ mật không được gửi qua trục liên thông edXML; văn bản mật chỉ gửi qua đường cơ yếu hoặc bản giấy.")
)

// Export makes the edXML envelope of a document the subject may see: an
// issued outgoing document as we send it (a recalled one as a recall), or
// an imported document as it was received. The export is recorded on the
// document's timeline and in the audit log.
func (s *Service) Export(ctx context.Context, sub access.Subject, actor audit.Actor, docID int64) (Envelope, error) {
	var a postgres.Args
	sql := `SELECT d.id, d.direction, d.unit_id, d.outgoing_state, d.confidentiality, d.type_name, d.code_number, d.code_notation,
			d.symbol, d.issued_date, d.issued_at, d.subject, d.page_amount, d.signer_position, d.signer_full_name, d.priority,
			d.due_date, e.metadata
		FROM documents d LEFT JOIN exchange_documents e ON e.document_id = d.id
		WHERE d.id = ` + a.Add(docID) + ` AND ` + documents.Visible(sub)(&a)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[exportDoc])
	if errors.Is(err, pgx.ErrNoRows) {
		return Envelope{}, documents.ErrNotFound
	}
	if err != nil {
		return Envelope{}, fmt.Errorf("read document %d for export: %w", docID, err)
	}
	if d.Confidentiality != identity.ClearanceNone {
		return Envelope{}, ErrSecret
	}
	var env Envelope
	switch {
	case d.Imported != nil:
		env, err = s.importedEnvelope(ctx, d)
	case d.Direction == "outgoing" && d.State != nil && (*d.State == "issued" || *d.State == "recalled"):
		env, err = s.outgoingEnvelope(ctx, sub, d)
	default:
		return Envelope{}, ErrNotExportable
	}
	if err != nil {
		return Envelope{}, err
	}
	if err := edxml.Validate(env.Message); err != nil {
		msg := err.Error()
		var e *edxml.Error
		if errors.As(err, &e) {
			msg = e.Message + " (" + e.Path + ")"
		}
		return Envelope{}, apperr.Conflict("Chưa xuất được edXML vì văn bản thiếu thông tin bắt buộc: " + msg + ".")
	}
	name := strings.NewReplacer("/", "-", `\`, "-").Replace(d.Symbol)
	if name == "" {
		name = "van-ban-" + strconv.FormatInt(d.ID, 10)
	}
	env.DocumentID, env.FileName = d.ID, name+".edxml"
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		details := map[string]any{"edxml_document_id": env.Message.DocumentID, "business_code": int(env.Message.Business.DocType),
			"files": len(env.Message.Attachments)}
		if err := addEvent(ctx, tx, d.ID, actor.UserID, "edxml_exported", details); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("exchange.export", "document", strconv.FormatInt(d.ID, 10), details))
	})
	return env, err
}

func (s *Service) outgoingEnvelope(ctx context.Context, sub access.Subject, d exportDoc) (Envelope, error) {
	from, err := organ(ctx, s.db, d.UnitID)
	if err != nil {
		return Envelope{}, err
	}
	var parent string
	if err := s.db.QueryRow(ctx, `SELECT coalesce(p.name, '') FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = $1`,
		d.UnitID).Scan(&parent); err != nil {
		return Envelope{}, err
	}
	m := edxml.Message{
		From:         edxml.Organization{OrganID: from.OrganID, OrganName: from.Name, OrganizationInCharge: parent},
		Code:         edxml.Code{CodeNumber: d.CodeNumber, CodeNotation: d.CodeNotation},
		DocumentType: edxml.DocumentType{TypeName: d.TypeName},
		Subject:      d.Subject,
		SignerInfo:   edxml.SignerInfo{Position: d.SignerPosition, FullName: d.SignerFullName},
		OtherInfo:    edxml.OtherInfo{Priority: priorityCode(d.Priority)},
		Business: edxml.Business{DocType: edxml.BusinessNew,
			StaffInfo: edxml.StaffInfo{Department: from.Name, Staff: sub.Name}},
	}
	if d.PageAmount != nil {
		m.OtherInfo.PageAmount = *d.PageAmount
	}
	if d.IssuedDate != nil {
		m.PromulgationInfo.PromulgationDate = edDate(*d.IssuedDate)
		m.DocumentID = from.OrganID + "," + m.PromulgationInfo.PromulgationDate.String() + "," + d.CodeNumber + "/" + d.CodeNotation
	}
	if d.DueDate != nil {
		m.DueDate = edDate(*d.DueDate)
	}
	if d.IssuedAt != nil {
		m.TraceHeaders = []edxml.TraceHeader{{OrganID: from.OrganID, Timestamp: d.IssuedAt.In(edxml.Zone).Truncate(time.Second)}}
	}
	// The type's place in the catalogue stands for its numeric code.
	if err := s.db.QueryRow(ctx, `SELECT coalesce((SELECT position FROM document_types WHERE name = $1 AND valid_to IS NULL
		ORDER BY position LIMIT 1), 0)`, d.TypeName).Scan(&m.DocumentType.Type); err != nil {
		return Envelope{}, err
	}
	if *d.State == "recalled" {
		m.Business.DocType = edxml.BusinessRecall
		if err := s.db.QueryRow(ctx, `SELECT coalesce((SELECT details->>'reason' FROM document_events
			WHERE document_id = $1 AND kind = 'recalled' ORDER BY id DESC LIMIT 1), '')`, d.ID).Scan(&m.Business.DocReason); err != nil {
			return Envelope{}, err
		}
	}
	// Recipients: all are named in ToPlaces; those with an identifier
	// (every unit on the platform, outside organs once known) are To.
	rows, _ := s.db.Query(ctx, `
		SELECT coalesce(u.name, r.organ_name), CASE WHEN r.unit_id IS NOT NULL THEN `+organIDOf("r.unit_id")+` ELSE r.organ_id END
		FROM outgoing_recipients r LEFT JOIN units u ON u.id = r.unit_id
		WHERE r.document_id = $1 ORDER BY r.position`, d.ID)
	var name string
	var id *string
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error {
		m.ToPlaces = append(m.ToPlaces, name)
		if id != nil && *id != "" {
			m.To = append(m.To, edxml.Organization{OrganID: *id, OrganName: name})
		}
		return nil
	}); err != nil {
		return Envelope{}, fmt.Errorf("recipients for export: %w", err)
	}
	// Copies: one for each recipient and the one kept (lưu).
	m.OtherInfo.PromulgationAmount = len(m.ToPlaces) + 1
	if len(m.To) == 0 {
		return Envelope{}, apperr.Conflict("Chưa xuất được edXML: văn bản chưa có nơi nhận nào có mã định danh liên thông (To). " +
			"Nơi nhận là cơ quan ngoài hệ thống cần được khai báo mã định danh.")
	}
	files, err := s.exportFiles(ctx, d.ID, true)
	if err != nil {
		return Envelope{}, err
	}
	for _, f := range files {
		m.Attachments = append(m.Attachments, edxml.Attachment{Name: f.name, ContentType: f.contentType, Open: s.opener(ctx, f)})
	}
	return Envelope{Message: m}, nil
}

// importedEnvelope is the envelope as received (the last update included),
// its attachments from the stored files.
func (s *Service) importedEnvelope(ctx context.Context, d exportDoc) (Envelope, error) {
	m := d.Imported.Message
	files, err := s.exportFiles(ctx, d.ID, false)
	if err != nil {
		return Envelope{}, err
	}
	m.Attachments = nil
	for i, f := range files {
		a := edxml.Attachment{Name: f.name, ContentType: f.contentType, Open: s.opener(ctx, f)}
		if i < len(d.Imported.Attachments) {
			rec := d.Imported.Attachments[i]
			a.Name, a.ContentType, a.Description = rec.Name, rec.ContentType, rec.Description
		}
		m.Attachments = append(m.Attachments, a)
	}
	return Envelope{Message: m}, nil
}

type exportFile struct {
	name, contentType, sha256, key string
	size                           int64
}

// exportFiles lists a document's files in order; latest keeps only the
// newest version (a draft's earlier versions are not sent).
func (s *Service) exportFiles(ctx context.Context, docID int64, latest bool) ([]exportFile, error) {
	sql := `SELECT df.name, f.content_type, f.sha256, f.object_key, f.size
		FROM document_files df JOIN files f ON f.id = df.file_id WHERE df.document_id = $1`
	if latest {
		sql += ` AND df.version = (SELECT max(version) FROM document_files WHERE document_id = $1)`
	}
	rows, _ := s.db.Query(ctx, sql+` ORDER BY df.position`, docID)
	var out []exportFile
	var f exportFile
	_, err := pgx.ForEachRow(rows, []any{&f.name, &f.contentType, &f.sha256, &f.key, &f.size}, func() error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// opener streams a stored file, checking its SHA-256 at the end: a
// corrupted object fails the export instead of being sent.
func (s *Service) opener(ctx context.Context, f exportFile) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rc, _, err := s.store.Get(ctx, f.key, 0, -1)
		if err != nil {
			return nil, err
		}
		return &verifiedReader{rc: rc, h: sha256.New(), want: f.sha256, name: f.name}, nil
	}
}

type verifiedReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
	name string
}

func (v *verifiedReader) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("file %q: sha256 %s, want %s: %w", v.name, got, v.want, objectstore.ErrChecksumMismatch)
		}
	}
	return n, err
}

func (v *verifiedReader) Close() error { return v.rc.Close() }

// Exportable reports whether a document (already known visible to the
// caller) is one Export accepts, so pages show the download only where it
// works: an imported document, or an issued or recalled outgoing one, that
// is not classified.
func (s *Service) Exportable(ctx context.Context, docID int64) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `
		SELECT d.confidentiality = $2 AND (
			EXISTS (SELECT 1 FROM exchange_documents e WHERE e.document_id = d.id)
			OR (d.direction = 'outgoing' AND d.outgoing_state IN ('issued', 'recalled')))
		FROM documents d WHERE d.id = $1`, docID, identity.ClearanceNone).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return ok, err
}
