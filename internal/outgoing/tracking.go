package outgoing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/documents"
)

// Tracked is one recipient as the sender follows it: where the copy is
// (01–06), its arrival number once registered, why it was refused, and
// whether it was recalled or replaced.
type Tracked struct {
	Position      int        `db:"position" json:"position"`
	UnitID        *int64     `db:"unit_id" json:"unit_id"`
	Name          string     `db:"name" json:"name"`
	Outside       bool       `db:"outside" json:"outside"`
	CopyID        *int64     `db:"delivered_document_id" json:"delivered_document_id"`
	DeliveredAt   *time.Time `db:"delivered_at" json:"delivered_at"`
	Status        *string    `db:"status" json:"status"`
	ArrivalNumber *int       `db:"arrival_number" json:"arrival_number"`
	RejectReason  string     `db:"reject_reason" json:"reject_reason"`
	RecalledAt    *time.Time `db:"recalled_at" json:"recalled_at"`
	ReplacedAt    *time.Time `db:"replaced_at" json:"replaced_at"`
	UpdatedAt     *time.Time `db:"updated_at" json:"updated_at"`
	// OrganID and Description: an outside recipient's identifier on the
	// exchange axis and the words of its last status message.
	OrganID     *string `db:"organ_id" json:"organ_id,omitempty"`
	Description string  `db:"description" json:"description,omitempty"`
}

// Label says where the copy is, in words.
func (t Tracked) Label() string {
	switch {
	case t.Outside && t.Status == nil:
		return "Gửi ngoài hệ thống"
	case t.Outside:
		// Reported by the recipient's own status message (edXML).
		return documents.StatusLabel(*t.Status)
	case t.Status == nil:
		return "Chưa gửi"
	case t.RecalledAt != nil:
		return "Đã thu hồi"
	case *t.Status == documents.StatusArrived:
		return "Đã đến, chờ vào sổ"
	}
	return documents.StatusLabel(*t.Status)
}

// Tracking lists a visible outgoing document's recipients with the state
// of each copy, in the order of the recipients list.
func (s *Service) Tracking(ctx context.Context, sub access.Subject, id int64) ([]Tracked, error) {
	if _, err := s.Get(ctx, sub, id); err != nil {
		return nil, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT r.position, r.unit_id, coalesce(u.name, r.organ_name) AS name, r.unit_id IS NULL AS outside,
			r.delivered_document_id, r.delivered_at, coalesce(c.status, r.exchange_status) AS status, c.arrival_number,
			coalesce(c.reject_reason, CASE WHEN r.exchange_status = '02' THEN r.exchange_description END, '') AS reject_reason,
			c.recalled_at, c.replaced_at, coalesce(c.updated_at, r.exchange_status_at) AS updated_at,
			r.organ_id, CASE WHEN r.exchange_status <> '02' THEN r.exchange_description ELSE '' END AS description
		FROM outgoing_recipients r
		LEFT JOIN units u ON u.id = r.unit_id
		LEFT JOIN documents c ON c.id = r.delivered_document_id
		WHERE r.document_id = $1 ORDER BY r.position`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Tracked])
	if out == nil {
		out = []Tracked{}
	}
	return out, err
}
