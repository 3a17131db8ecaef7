// Package exchange connects Vanthu to organisations outside the platform
// through edXML (QCVN 102:2016/BTTTT): it exports an issued document as an
// envelope, imports an envelope as an incoming document in a unit's queue
// (business codes new, recall, update, replace), keeps every metadata field
// of what it imported, owes the outside sender a status message at each
// status change of that document, and records the status messages outside
// recipients send about our documents.
//
// The envelope format lives in internal/edxml; this package owns the SQL of
// exchange_organ_ids, exchange_documents and exchange_messages (migration
// 0007), and the trigger there that records outgoing status messages.
package exchange

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/edxml"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/registry"
)

// Service runs the exchange.
type Service struct {
	db           *pgxpool.Pool
	store        *objectstore.Store
	registers    *registry.Store
	limits       edxml.Limits
	maxFileBytes int64

	// inspector looks at each imported attachment before it is stored (the
	// signature capability verifies PDFs); what it finds is recorded with
	// the file row. nil: attachments are not inspected.
	inspector documents.FileInspector
}

// New wires the exchange. limits bound an imported envelope (its size,
// attachments and each attachment); maxFileBytes bounds one stored file.
func New(db *pgxpool.Pool, store *objectstore.Store, registers *registry.Store, limits edxml.Limits, maxFileBytes int64) *Service {
	return &Service{db: db, store: store, registers: registers, limits: limits, maxFileBytes: maxFileBytes}
}

// SetInspector makes the exchange inspect every imported attachment.
func (s *Service) SetInspector(i documents.FileInspector) { s.inspector = i }

var vnZone = vntime.Zone

// Errors, in Vietnamese.
var (
	ErrNotClerk = apperr.Forbidden("Chỉ văn thư của đơn vị được nhận văn bản hoặc thông điệp liên thông cho đơn vị.")
)

// organIDSQL is a unit's identifier on the exchange axis: the one an
// administrator declared, else VT.{id}, stable and unique on the platform.
const organIDSQL = `coalesce((SELECT o.organ_id FROM exchange_organ_ids o WHERE o.unit_id = %s), 'VT.' || %s)`

func organIDOf(col string) string { return fmt.Sprintf(organIDSQL, col, col) }

// fallbackOrganID is the identifier of a unit without a declared one.
func fallbackOrganID(unitID int64) string { return "VT." + strconv.FormatInt(unitID, 10) }

// Organ is a unit as the exchange names it.
type Organ struct {
	UnitID   int64  `json:"unit_id"`
	Name     string `json:"name"`
	OrganID  string `json:"organ_id"` // effective: declared or VT.{id}
	Declared bool   `json:"declared"`
}

func organ(ctx context.Context, q postgres.Querier, unitID int64) (Organ, error) {
	o := Organ{UnitID: unitID}
	var declared *string
	err := q.QueryRow(ctx, `
		SELECT u.name, x.organ_id FROM units u LEFT JOIN exchange_organ_ids x ON x.unit_id = u.id WHERE u.id = $1`,
		unitID).Scan(&o.Name, &declared)
	if errors.Is(err, pgx.ErrNoRows) {
		return Organ{}, apperr.NotFound("Không tìm thấy đơn vị.")
	}
	if err != nil {
		return Organ{}, err
	}
	o.OrganID, o.Declared = fallbackOrganID(unitID), declared != nil
	if declared != nil {
		o.OrganID = *declared
	}
	return o, nil
}

// unitByOrganID finds the platform unit an organ identifier names, or 0.
func unitByOrganID(ctx context.Context, q postgres.Querier, id string) (int64, error) {
	var unit int64
	err := q.QueryRow(ctx, `SELECT unit_id FROM exchange_organ_ids WHERE organ_id = $1`, id).Scan(&unit)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return unit, err
	}
	rest, ok := strings.CutPrefix(id, "VT.")
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != rest {
		return 0, nil
	}
	// A unit with a declared identifier is no longer known by VT.{id}.
	err = q.QueryRow(ctx, `SELECT id FROM units WHERE id = $1
		AND NOT EXISTS (SELECT 1 FROM exchange_organ_ids WHERE unit_id = $1)`, n).Scan(&unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return unit, err
}

// Organ returns a unit's identifier on the exchange axis; anyone who may
// see the unit's records may read it.
func (s *Service) Organ(ctx context.Context, sub access.Subject, unitID int64) (Organ, error) {
	if !sub.CanViewUnitRecords(unitID) {
		return Organ{}, apperr.NotFound("Không tìm thấy đơn vị.")
	}
	return organ(ctx, s.db, unitID)
}

// SetOrganID declares a unit's identifier on the exchange axis (mã định
// danh, e.g. 000.00.00.G12); an administrator of the unit. "" removes it.
func (s *Service) SetOrganID(ctx context.Context, sub access.Subject, actor audit.Actor, unitID int64, id string) (Organ, error) {
	if !sub.CanViewUnitRecords(unitID) {
		return Organ{}, apperr.NotFound("Không tìm thấy đơn vị.")
	}
	if !sub.CanManageUnit(unitID) {
		return Organ{}, apperr.Forbidden("Chỉ quản trị viên của đơn vị được khai báo mã định danh liên thông.")
	}
	id = strings.TrimSpace(id)
	if id != "" && (len(id) > 64 || strings.ContainsAny(id, ", \t\r\n")) {
		msg := "Mã định danh không được chứa dấu phẩy hay khoảng trắng và dài tối đa 64 ký tự (ví dụ 000.00.00.G12)."
		return Organ{}, apperr.Invalid(msg, map[string]string{"organ_id": msg})
	}
	if strings.HasPrefix(id, "VT.") {
		msg := "Mã định danh bắt đầu bằng “VT.” được hệ thống dành cho đơn vị chưa khai báo mã."
		return Organ{}, apperr.Invalid(msg, map[string]string{"organ_id": msg})
	}
	var out Organ
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		before, err := organ(ctx, tx, unitID)
		if err != nil {
			return err
		}
		if id == "" {
			_, err = tx.Exec(ctx, `DELETE FROM exchange_organ_ids WHERE unit_id = $1`, unitID)
		} else {
			_, err = tx.Exec(ctx, `
				INSERT INTO exchange_organ_ids (unit_id, organ_id) VALUES ($1, $2)
				ON CONFLICT (unit_id) DO UPDATE SET organ_id = EXCLUDED.organ_id, updated_at = now()`, unitID, id)
		}
		if postgres.IsUniqueViolation(err, "") {
			msg := fmt.Sprintf("Mã định danh %q đã được khai báo cho một đơn vị khác.", id)
			return apperr.Conflict(msg)
		}
		if err != nil {
			return fmt.Errorf("set organ id: %w", err)
		}
		if out, err = organ(ctx, tx, unitID); err != nil {
			return err
		}
		e := actor.Entry("exchange.organ_id", "unit", strconv.FormatInt(unitID, 10),
			map[string]any{"old": before.OrganID, "new": out.OrganID})
		e.UnitID = unitID
		return audit.Record(ctx, tx, e)
	})
	return out, err
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
	return unit
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

// splitDocumentID reads "OrganId,yyyy/MM/dd,Số/Ký hiệu".
func splitDocumentID(s string) (organ string, date edxml.Date, code string, ok bool) {
	if !edxml.ValidDocumentID(s) {
		return "", edxml.Date{}, "", false
	}
	parts := strings.SplitN(s, ",", 3)
	date, ok = edxml.ParseDate(parts[1])
	return strings.TrimSpace(parts[0]), date, strings.TrimSpace(parts[2]), ok
}
