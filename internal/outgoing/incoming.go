package outgoing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/registry"
)

// Received is a delivered copy after the recipient clerk acted on it.
type Received struct {
	ID            int64      `db:"id" json:"id"`
	UnitID        int64      `db:"unit_id" json:"unit_id"`
	Status        string     `db:"status" json:"status"`
	ArrivalNumber *int       `db:"arrival_number" json:"arrival_number"`
	ArrivedAt     *time.Time `db:"arrived_at" json:"arrived_at"`
	RegisterID    *int64     `db:"register_id" json:"register_id"`
	RejectReason  string     `db:"reject_reason" json:"reject_reason,omitempty"`
}

const receivedColumns = `d.id, d.unit_id, d.status, d.arrival_number, d.arrived_at, d.register_id, d.reject_reason`

type copyRow struct {
	Received
	TypeCode        string             `db:"type_code"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	RecalledAt      *time.Time         `db:"recalled_at"`
	SourceID        *int64             `db:"source_document_id"`
	UnitName        string             `db:"unit_name"`
}

// lockDelivered locks a delivered copy the subject may see and checks the
// subject is a clerk of the receiving unit and the copy still waits (01).
func lockDelivered(ctx context.Context, tx pgx.Tx, sub access.Subject, id int64) (copyRow, error) {
	var a postgres.Args
	sql := `SELECT ` + receivedColumns + `, d.type_code, d.confidentiality, d.recalled_at, d.source_document_id,
			(SELECT name FROM units WHERE id = d.unit_id) AS unit_name
		FROM documents d WHERE d.id = ` + a.Add(id) + ` AND d.direction = 'incoming' AND ` + documents.Visible(sub)(&a) + ` FOR UPDATE`
	rows, _ := tx.Query(ctx, sql, a.Values()...)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[copyRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return copyRow{}, documents.ErrNotFound
	}
	if err != nil {
		return copyRow{}, err
	}
	if !sub.HasRole(c.UnitID, identity.RoleClerk) {
		return copyRow{}, apperr.Forbidden("Chỉ văn thư của đơn vị nhận được vào sổ hoặc từ chối văn bản đến.")
	}
	if c.RecalledAt != nil {
		return copyRow{}, apperr.Conflict("Văn bản đã bị cơ quan ban hành thu hồi; không được vào sổ hay xử lý.")
	}
	if c.Status != documents.StatusArrived {
		return copyRow{}, apperr.Conflict(fmt.Sprintf("Văn bản không còn chờ tiếp nhận (trạng thái: %s).", documents.StatusLabel(c.Status)))
	}
	return c, nil
}

// RegisterDelivered is the recipient unit's clerk registering a document
// delivered on the platform: it gets an arrival number from the unit's
// incoming register (in this transaction, gap-free) and becomes 03.
// registerID 0 means the unit's default incoming register.
func (s *Service) RegisterDelivered(ctx context.Context, sub access.Subject, actor audit.Actor, id, registerID int64) (Received, error) {
	var out Received
	now := time.Now()
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		c, err := lockDelivered(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		var reg registry.Register
		if registerID != 0 {
			reg, err = s.registers.Get(ctx, tx, registerID)
			if err != nil || reg.UnitID != c.UnitID || reg.Kind != registry.KindIncoming || !reg.Active {
				return apperr.Invalid("Sổ văn bản không thuộc đơn vị hoặc không phải sổ văn bản đến.", map[string]string{"register_id": "Sổ văn bản không hợp lệ."})
			}
		} else if reg, err = s.registers.DefaultFor(ctx, tx, c.UnitID, registry.KindIncoming, s.profile); err != nil {
			return err
		}
		number, period, series, err := registry.Take(ctx, tx, reg, now, c.TypeCode, c.Confidentiality != identity.ClearanceNone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE documents SET status = '03', register_id = $2, number_period = $3, number_series = $4, arrival_number = $5,
				updated_at = now() WHERE id = $1`, id, reg.ID, period, series, number); err != nil {
			return fmt.Errorf("register delivered: %w", err)
		}
		details := map[string]any{"arrival_number": number, "register": reg.Name}
		if err := addEvent(ctx, tx, id, actor.UserID, "registered", details); err != nil {
			return err
		}
		if c.SourceID != nil {
			if err := addEvent(ctx, tx, *c.SourceID, actor.UserID, "recipient_registered", map[string]any{"unit_id": c.UnitID, "unit": c.UnitName}); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor.Entry("document.register", "document", strconv.FormatInt(id, 10),
			map[string]any{"arrival_number": number, "register_id": reg.ID, "delivered": true})); err != nil {
			return err
		}
		out, err = getReceived(ctx, tx, id)
		return err
	})
	return out, err
}

// RejectDelivered is the recipient unit's clerk refusing a delivered
// document (02) with a reason the sender sees.
func (s *Service) RejectDelivered(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, reason string) (Received, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Received{}, apperr.Invalid("Vui lòng nhập lý do từ chối.", map[string]string{"reason": "Vui lòng nhập lý do từ chối."})
	}
	var out Received
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		c, err := lockDelivered(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET status = '02', reject_reason = $2, updated_at = now() WHERE id = $1`, id, reason); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, actor.UserID, "rejected", map[string]any{"reason": reason}); err != nil {
			return err
		}
		if c.SourceID != nil {
			if err := addEvent(ctx, tx, *c.SourceID, actor.UserID, "recipient_rejected", map[string]any{"unit_id": c.UnitID, "unit": c.UnitName, "reason": reason}); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor.Entry("document.reject", "document", strconv.FormatInt(id, 10), map[string]any{"reason": reason})); err != nil {
			return err
		}
		out, err = getReceived(ctx, tx, id)
		return err
	})
	return out, err
}

func getReceived(ctx context.Context, q postgres.Querier, id int64) (Received, error) {
	rows, _ := q.Query(ctx, `SELECT `+receivedColumns+` FROM documents d WHERE d.id = $1`, id)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Received])
}
