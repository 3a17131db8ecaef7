// Package documents keeps documents (incoming now, outgoing and internal
// later), their files, timelines and comments: registration with arrival
// numbers, the registry list and search, and the document page.
package documents

import (
	"time"

	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
)

// Status follows the exchange status codes.
const (
	StatusArrived    = "01" // đã đến (from another unit, not yet registered)
	StatusRejected   = "02"
	StatusRegistered = "03"
	StatusAssigned   = "04"
	StatusInProgress = "05"
	StatusDone       = "06"
)

// StatusLabel is the Vietnamese name of a status code.
func StatusLabel(code string) string {
	switch code {
	case StatusArrived:
		return "Đã đến"
	case StatusRejected:
		return "Từ chối"
	case StatusRegistered:
		return "Đã vào sổ"
	case StatusAssigned:
		return "Đã phân công"
	case StatusInProgress:
		return "Đang xử lý"
	case StatusDone:
		return "Hoàn thành"
	}
	return code
}

// Priorities (độ khẩn) in increasing urgency.
var Priorities = []string{"thuong", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"}

// PriorityLabel is the Vietnamese name of a priority.
func PriorityLabel(p string) string {
	switch p {
	case "thuong":
		return "Thường"
	case "khan":
		return "Khẩn"
	case "thuong_khan":
		return "Thượng khẩn"
	case "hoa_toc":
		return "Hỏa tốc"
	case "hoa_toc_hen_gio":
		return "Hỏa tốc hẹn giờ"
	}
	return p
}

// Document is a registered document with its metadata (Nghị định 30,
// Appendix VI).
type Document struct {
	ID              int64              `db:"id" json:"id"`
	Direction       string             `db:"direction" json:"direction"`
	UnitID          int64              `db:"unit_id" json:"unit_id"`
	UnitName        string             `db:"unit_name" json:"unit_name"`
	RegisterID      *int64             `db:"register_id" json:"register_id"`
	RegisterName    *string            `db:"register_name" json:"register_name"`
	ArrivalNumber   *int               `db:"arrival_number" json:"arrival_number"`
	ArrivedAt       *time.Time         `db:"arrived_at" json:"arrived_at"`
	Status          string             `db:"status" json:"status"`
	TypeName        string             `db:"type_name" json:"type_name"`
	TypeCode        string             `db:"type_code" json:"-"`
	CodeNumber      string             `db:"code_number" json:"code_number"`
	CodeNotation    string             `db:"code_notation" json:"code_notation"`
	Symbol          string             `db:"symbol" json:"symbol"`
	IssuedDate      *time.Time         `db:"issued_date" json:"issued_date"`
	OrganName       string             `db:"organ_name" json:"organ_name"`
	OrganUnitID     *int64             `db:"organ_unit_id" json:"organ_unit_id"`
	Subject         string             `db:"subject" json:"subject"`
	PageAmount      *int               `db:"page_amount" json:"page_amount"`
	SignerPosition  string             `db:"signer_position" json:"-"`
	SignerFullName  string             `db:"signer_full_name" json:"-"`
	Priority        string             `db:"priority" json:"priority"`
	PriorityTime    *time.Time         `db:"priority_time" json:"priority_time"`
	Confidentiality identity.Clearance `db:"confidentiality" json:"confidentiality"`
	DueDate         *time.Time         `db:"due_date" json:"due_date"`
	Receivers       string             `db:"receivers" json:"receivers"`
	Notes           string             `db:"notes" json:"notes"`
	PresentedTo     *int64             `db:"presented_to" json:"presented_to"`
	CompletedAt     *time.Time         `db:"completed_at" json:"completed_at"`
	CreatedBy       *int64             `db:"created_by" json:"created_by"`
	CreatedAt       time.Time          `db:"created_at" json:"created_at"`
	// RecalledAt: the sender recalled this copy (delivered on the platform
	// or imported by edXML); it is frozen, no one handles it further.
	RecalledAt *time.Time `db:"recalled_at" json:"recalled_at,omitempty"`
}

// Overdue reports whether the document is past its due date unfinished.
func (d Document) Overdue(today time.Time) bool {
	return d.DueDate != nil && d.Status != StatusDone && d.DueDate.Before(today.Truncate(24*time.Hour))
}

// File is a stored file attached to a document.
type File struct {
	ID          int64     `db:"id" json:"id"`
	Name        string    `db:"name" json:"name"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	ContentType string    `db:"content_type" json:"content_type"`
	ObjectKey   string    `db:"object_key" json:"-"`
	Position    int       `db:"position" json:"-"`
	CreatedAt   time.Time `db:"created_at" json:"-"`
}

// Event is one entry of a document's timeline.
type Event struct {
	ID        int64          `db:"id" json:"id"`
	At        time.Time      `db:"at" json:"at"`
	ActorID   *int64         `db:"actor_id" json:"actor_id"`
	ActorName *string        `db:"actor_name" json:"actor_name"`
	Kind      string         `db:"kind" json:"kind"`
	Details   map[string]any `db:"details" json:"details"`
}

// Comment is a note exchanged on a document.
type Comment struct {
	ID         int64     `db:"id" json:"id"`
	AuthorID   int64     `db:"author_id" json:"author_id"`
	AuthorName string    `db:"author_name" json:"author_name"`
	Body       string    `db:"body" json:"body"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

var vnZone = vntime.Zone
