package exchange

import (
	"bytes"
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
	"vanthu/internal/edxml"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
)

// StatusMessage is a status message owed to the outside sender of an
// imported document, recorded when the document's status changed.
type StatusMessage struct {
	ID          int64     `json:"id"`
	DocumentID  int64     `json:"document_id"`
	StatusCode  string    `json:"status"`
	Description string    `json:"description"`
	OrganID     string    `json:"to_organ_id"` // the sender, who gets the message
	CreatedAt   time.Time `json:"created_at"`
	XML         string    `json:"edxml"`
}

type statusRow struct {
	ID            int64          `db:"id"`
	DocumentID    int64          `db:"document_id"`
	StatusCode    string         `db:"status_code"`
	OrganID       string         `db:"organ_id"`
	Payload       map[string]any `db:"payload"`
	CreatedAt     time.Time      `db:"created_at"`
	EdxmlDocID    string         `db:"edxml_document_id"`
	UnitOrganID   string         `db:"unit_organ_id"`
	UnitName      string         `db:"unit_name"`
	Staff         string         `db:"staff"`
	StaffEmail    string         `db:"staff_email"`
	DocumentState string         `db:"status"`
}

// statusSelect reads outgoing status messages with what their XML needs:
// the receiving unit at the time (payload unit_id) and who acted, from the
// timeline entry written in the same transaction (same now()).
const statusSelect = `SELECT m.id, m.document_id, m.status_code, m.organ_id, m.payload, m.created_at, e.edxml_document_id,
		` + `coalesce((SELECT o.organ_id FROM exchange_organ_ids o WHERE o.unit_id = un.id), 'VT.' || un.id) AS unit_organ_id,
		un.name AS unit_name, coalesce(st.full_name, '') AS staff, coalesce(st.email, '') AS staff_email, d.status
	FROM exchange_messages m
	JOIN exchange_documents e ON e.document_id = m.document_id
	JOIN documents d ON d.id = m.document_id
	JOIN units un ON un.id = coalesce((m.payload->>'unit_id')::bigint, d.unit_id)
	LEFT JOIN LATERAL (
		SELECT u.full_name, u.email FROM document_events ev JOIN users u ON u.id = ev.actor_id
		WHERE ev.document_id = m.document_id AND ev.at = m.created_at ORDER BY ev.id DESC LIMIT 1
	) st ON true
	WHERE m.direction = 'out' AND m.kind = 'status'`

// statusDescription is the Vietnamese description of a status change.
func statusDescription(code string, payload map[string]any) string {
	switch code {
	case documents.StatusRejected:
		if r, _ := payload["reason"].(string); strings.TrimSpace(r) != "" {
			return "Từ chối tiếp nhận: " + strings.TrimSpace(r)
		}
		return "Từ chối tiếp nhận"
	case documents.StatusRegistered:
		if n, ok := payload["arrival_number"].(float64); ok && n > 0 {
			return fmt.Sprintf("Đã tiếp nhận, vào sổ văn bản đến số %d", int(n))
		}
		return "Đã tiếp nhận"
	case documents.StatusAssigned:
		return "Đã phân công xử lý"
	case documents.StatusInProgress:
		return "Đang xử lý"
	case documents.StatusDone:
		return "Đã hoàn thành xử lý"
	}
	return documents.StatusLabel(code)
}

func (r statusRow) message() (StatusMessage, error) {
	out := StatusMessage{ID: r.ID, DocumentID: r.DocumentID, StatusCode: r.StatusCode, OrganID: r.OrganID, CreatedAt: r.CreatedAt,
		Description: statusDescription(r.StatusCode, r.Payload)}
	organ, date, code, _ := splitDocumentID(r.EdxmlDocID)
	n, _ := strconv.Atoi(r.StatusCode)
	st := edxml.Status{
		ResponseFor: edxml.ResponseFor{OrganID: organ, Code: code, PromulgationDate: date, DocumentID: r.EdxmlDocID},
		From:        edxml.Organization{OrganID: r.UnitOrganID, OrganName: r.UnitName},
		StatusCode:  n,
		Description: out.Description,
		Timestamp:   r.CreatedAt.In(edxml.Zone).Truncate(time.Second),
		StaffInfo:   edxml.StaffInfo{Department: r.UnitName, Staff: r.Staff, Email: r.StaffEmail},
	}
	var buf bytes.Buffer
	if err := edxml.BuildStatus(&buf, st); err != nil {
		return StatusMessage{}, fmt.Errorf("build status message %d: %w", r.ID, err)
	}
	out.XML = buf.String()
	return out, nil
}

// StatusMessages lists, oldest first, the status messages owed to outside
// senders for documents the subject may see, after the message id since
// (0: from the start). An exchange gateway polls it and sends each one.
func (s *Service) StatusMessages(ctx context.Context, sub access.Subject, since int64, limit int) ([]StatusMessage, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var a postgres.Args
	sql := statusSelect + ` AND m.id > ` + a.Add(since) + ` AND ` + documents.Visible(sub)(&a) +
		` ORDER BY m.id LIMIT ` + a.Add(limit)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[statusRow])
	if err != nil {
		return nil, fmt.Errorf("list status messages: %w", err)
	}
	out := make([]StatusMessage, 0, len(list))
	for _, r := range list {
		m, err := r.message()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// LatestStatus is the newest status message owed for an imported
// document the subject may see.
func (s *Service) LatestStatus(ctx context.Context, sub access.Subject, docID int64) (StatusMessage, error) {
	var a postgres.Args
	sql := `SELECT 1 FROM documents d WHERE d.id = ` + a.Add(docID) + ` AND ` + documents.Visible(sub)(&a)
	var one int
	if err := s.db.QueryRow(ctx, sql, a.Values()...).Scan(&one); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return StatusMessage{}, documents.ErrNotFound
		}
		return StatusMessage{}, err
	}
	rows, _ := s.db.Query(ctx, statusSelect+` AND m.document_id = $1 ORDER BY m.id DESC LIMIT 1`, docID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[statusRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return StatusMessage{}, apperr.NotFound("Văn bản chưa có thông điệp trạng thái nào: văn bản không nhận qua liên thông edXML, hoặc trạng thái chưa thay đổi kể từ khi nhận.")
	}
	if err != nil {
		return StatusMessage{}, err
	}
	return r.message()
}

// RecipientStatus is the outcome of a status message received about one of
// our documents.
type RecipientStatus struct {
	DocumentID  int64     `json:"document_id"`
	RecipientID int64     `json:"recipient_id"`
	OrganName   string    `json:"organ_name"`
	OrganID     string    `json:"organ_id"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	At          time.Time `json:"at"`
	// Applied is false when a newer status was already known: the message
	// is kept in the log, the recipient's status stays.
	Applied bool `json:"applied"`
}

// ReceiveStatus records a status message an outside recipient sent about
// one of our issued documents: it becomes that recipient's status in the
// sender's tracking. A clerk of the issuing unit (or its gateway token).
func (s *Service) ReceiveStatus(ctx context.Context, sub access.Subject, actor audit.Actor, body io.Reader) (RecipientStatus, error) {
	st, err := edxml.ParseStatus(body)
	if err != nil {
		return RecipientStatus{}, parseError(err)
	}
	organ, date, code, _ := splitDocumentID(st.ResponseFor.DocumentID)
	var out RecipientStatus
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var a postgres.Args
		sql := `SELECT d.id, d.unit_id, d.symbol FROM documents d
			WHERE d.direction = 'outgoing' AND d.outgoing_state IN ('issued', 'recalled')
			AND d.issued_date = ` + a.Add(dateOf(date)) + `
			AND d.code_number || '/' || d.code_notation = ` + a.Add(code) + `
			AND ` + organIDOf("d.unit_id") + ` = ` + a.Add(organ) + `
			AND ` + documents.Visible(sub)(&a) + ` ORDER BY d.id LIMIT 1`
		var docID, unitID int64
		var symbol string
		if err := tx.QueryRow(ctx, sql, a.Values()...).Scan(&docID, &unitID, &symbol); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.NotFound(fmt.Sprintf("Không tìm thấy văn bản đi có DocumentId %q, hoặc bạn không có quyền xem văn bản này.",
					st.ResponseFor.DocumentID))
			}
			return err
		}
		if !sub.HasRole(unitID, identity.RoleClerk) {
			return apperr.Forbidden("Chỉ văn thư của đơn vị ban hành được ghi nhận trạng thái văn bản từ nơi nhận.")
		}
		fromUnit, err := unitByOrganID(ctx, tx, st.From.OrganID)
		if err != nil {
			return err
		}
		var recipientID int64
		var name string
		var known *string
		err = tx.QueryRow(ctx, `
			SELECT id, organ_name, organ_id FROM outgoing_recipients
			WHERE document_id = $1 AND unit_id IS NULL
			AND (organ_id = $2 OR (organ_id IS NULL AND vn_fold(organ_name) = vn_fold($3)))
			ORDER BY (organ_id = $2) DESC NULLS LAST, position LIMIT 1 FOR UPDATE`,
			docID, st.From.OrganID, strings.Join(strings.Fields(st.From.OrganName), " ")).Scan(&recipientID, &name, &known)
		if errors.Is(err, pgx.ErrNoRows) {
			var onPlatform bool
			if fromUnit != 0 {
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outgoing_recipients WHERE document_id = $1 AND unit_id = $2)`,
					docID, fromUnit).Scan(&onPlatform); err != nil {
					return err
				}
			}
			if onPlatform {
				return apperr.Conflict("Đơn vị gửi trạng thái nhận văn bản trên hệ thống; trạng thái của đơn vị được cập nhật tự động.")
			}
			msg := fmt.Sprintf("Cơ quan %q (mã định danh %q) không có trong nơi nhận ngoài hệ thống của văn bản %s.",
				st.From.OrganName, st.From.OrganID, symbol)
			return apperr.Invalid(msg, map[string]string{"Status/From": msg})
		}
		if err != nil {
			return err
		}
		status := fmt.Sprintf("%02d", st.StatusCode)
		description := strings.TrimSpace(st.Description)
		tag, err := tx.Exec(ctx, `
			UPDATE outgoing_recipients SET organ_id = coalesce(organ_id, $2), exchange_status = $3, exchange_status_at = $4,
				exchange_description = $5, delivered_at = coalesce(delivered_at, $4)
			WHERE id = $1 AND (exchange_status_at IS NULL OR exchange_status_at <= $4)`,
			recipientID, st.From.OrganID, status, st.Timestamp, description)
		if err != nil {
			return fmt.Errorf("record recipient status: %w", err)
		}
		out = RecipientStatus{DocumentID: docID, RecipientID: recipientID, OrganName: name, OrganID: st.From.OrganID,
			Status: status, Description: description, At: st.Timestamp, Applied: tag.RowsAffected() == 1}
		if !out.Applied {
			// An older message arriving late: learn the identifier anyway.
			if _, err := tx.Exec(ctx, `UPDATE outgoing_recipients SET organ_id = coalesce(organ_id, $2) WHERE id = $1`,
				recipientID, st.From.OrganID); err != nil {
				return err
			}
		}
		payload := map[string]any{"description": description, "timestamp": st.Timestamp, "from": st.From, "staff": st.StaffInfo,
			"applied": out.Applied}
		if _, err := tx.Exec(ctx, `
			INSERT INTO exchange_messages (direction, kind, document_id, status_code, organ_id, recipient_id, payload, actor_id)
			VALUES ('in', 'status', $1, $2, $3, $4, $5, $6)`, docID, status, st.From.OrganID, recipientID, payload, nullID(actor.UserID)); err != nil {
			return err
		}
		details := map[string]any{"organ": name, "organ_id": st.From.OrganID, "status": status, "description": description, "applied": out.Applied}
		if err := addEvent(ctx, tx, docID, actor.UserID, "recipient_status", details); err != nil {
			return err
		}
		e := actor.Entry("exchange.status_in", "document", strconv.FormatInt(docID, 10), details)
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	return out, err
}
