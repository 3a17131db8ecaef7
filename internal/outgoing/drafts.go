package outgoing

// A draft's full metadata for its page, and editing it while it is with
// its drafter.

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
)

// Detail is an outgoing document as its page shows it.
type Detail struct {
	ID              int64              `db:"id"`
	UnitID          int64              `db:"unit_id"`
	UnitName        string             `db:"unit_name"`
	State           string             `db:"outgoing_state"`
	TypeName        string             `db:"type_name"`
	Subject         string             `db:"subject"`
	Priority        string             `db:"priority"`
	Confidentiality identity.Clearance `db:"confidentiality"`
	SignerPosition  string             `db:"signer_position"`
	SignerFullName  string             `db:"signer_full_name"`
	SignerUserID    *int64             `db:"signer_user_id"`
	SignerUserName  *string            `db:"signer_user_name"`
	Receivers       string             `db:"receivers"`
	Number          *int               `db:"outgoing_number"`
	Symbol          string             `db:"symbol"`
	IssuedDate      *time.Time         `db:"issued_date"`
	IssuedAt        *time.Time         `db:"issued_at"`
	RegisterName    *string            `db:"register_name"`
	CreatedBy       *int64             `db:"created_by"`
	CreatedByName   *string            `db:"created_by_name"`
	CreatedAt       time.Time          `db:"created_at"`
	UpdatedAt       time.Time          `db:"updated_at"`
	ReplacedAt      *time.Time         `db:"replaced_at"`
	Recipients      []Recipient        `db:"-"`
	RecipientNames  []string           `db:"-"` // as shown, in order
}

// Drafter returns the drafter's id (0 when unknown).
func (d Detail) Drafter() int64 {
	if d.CreatedBy == nil {
		return 0
	}
	return *d.CreatedBy
}

// Detail returns a visible outgoing document with everything its page
// shows.
func (s *Service) Detail(ctx context.Context, sub access.Subject, id int64) (Detail, error) {
	var a postgres.Args
	sql := `SELECT d.id, d.unit_id, un.name AS unit_name, d.outgoing_state, d.type_name, d.subject, d.priority, d.confidentiality,
			d.signer_position, d.signer_full_name, d.signer_user_id, su.full_name AS signer_user_name, d.receivers,
			d.outgoing_number, d.symbol, d.issued_date, d.issued_at, rg.name AS register_name,
			d.created_by, cb.full_name AS created_by_name, d.created_at, d.updated_at, d.replaced_at
		FROM documents d
		JOIN units un ON un.id = d.unit_id
		LEFT JOIN registers rg ON rg.id = d.register_id
		LEFT JOIN users su ON su.id = d.signer_user_id
		LEFT JOIN users cb ON cb.id = d.created_by
		WHERE d.id = ` + a.Add(id) + ` AND d.direction = 'outgoing' AND ` + documents.Visible(sub)(&a)
	rows, _ := s.db.Query(ctx, sql, a.Values()...)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Detail])
	if errors.Is(err, pgx.ErrNoRows) {
		return Detail{}, ErrNotOutgoing
	}
	if err != nil {
		return Detail{}, fmt.Errorf("read outgoing %d: %w", id, err)
	}
	rows, _ = s.db.Query(ctx, `
		SELECT coalesce(r.unit_id, 0), r.organ_name, coalesce(u.name, r.organ_name)
		FROM outgoing_recipients r LEFT JOIN units u ON u.id = r.unit_id
		WHERE r.document_id = $1 ORDER BY r.position`, id)
	var rc Recipient
	var name string
	_, err = pgx.ForEachRow(rows, []any{&rc.UnitID, &rc.OrganName, &name}, func() error {
		d.Recipients = append(d.Recipients, rc)
		d.RecipientNames = append(d.RecipientNames, name)
		return nil
	})
	return d, err
}

// UpdateDraft changes a draft's metadata while it is with its drafter
// (never submitted, withdrawn or returned): type, summary, recipients,
// signer, confidentiality and urgency.
func (s *Service) UpdateDraft(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in DraftInput) (Detail, error) {
	cur, err := s.Detail(ctx, sub, id)
	if err != nil {
		return Detail{}, err
	}
	in.UnitID = cur.UnitID
	if err := in.normalise(sub); err != nil {
		return Detail{}, err
	}
	typeCode, _, err := s.registers.TypeCode(ctx, in.TypeName)
	if err != nil {
		return Detail{}, err
	}
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		d, err := lockDraft(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if d.drafter() != sub.UserID {
			return apperr.Forbidden("Chỉ người soạn thảo được sửa dự thảo.")
		}
		if d.State != StateDraft && d.State != StateReturned {
			return apperr.Conflict(fmt.Sprintf("Văn bản đang ở trạng thái %q; không sửa được nữa.", StateLabel(d.State)))
		}
		if r, err := openRound(ctx, tx, id); err != nil {
			return err
		} else if r != nil {
			return apperr.Conflict("Dự thảo đang được trình duyệt; hãy rút lại trước khi sửa.")
		}
		f := apperr.Fields{}
		if in.SignerUserID != 0 {
			if err := checkSigner(ctx, tx, in.SignerUserID, d.UnitID, in.Confidentiality, f); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if in.Confidentiality != identity.ClearanceNone && !s.isolated {
			var files int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM document_files WHERE document_id = $1`, id).Scan(&files); err != nil {
				return err
			}
			if files > 0 {
				return apperr.Invalid("Dự thảo đã có tệp nội dung nên không chuyển sang văn bản mật được trên hệ thống này.",
					map[string]string{"confidentiality": "Văn bản mật không được kèm tệp nội dung trên hệ thống này."})
			}
		}
		names, err := recipientNames(ctx, tx, in.Recipients)
		if err != nil {
			return err
		}
		var signer any
		if in.SignerUserID != 0 {
			signer = in.SignerUserID
		}
		if _, err := tx.Exec(ctx, `
			UPDATE documents SET type_name = $2, type_code = $3, subject = $4, signer_position = $5, signer_full_name = $6,
				priority = $7, confidentiality = $8, receivers = $9, signer_user_id = $10, updated_at = now()
			WHERE id = $1`, id, in.TypeName, typeCode, in.Subject, in.SignerPosition, in.SignerFullName, in.Priority,
			in.Confidentiality, strings.Join(names, "; "), signer); err != nil {
			return fmt.Errorf("update draft: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outgoing_recipients WHERE document_id = $1`, id); err != nil {
			return err
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
		details := map[string]any{"recipients": len(in.Recipients)}
		if err := addEvent(ctx, tx, id, sub.UserID, "edited", details); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("outgoing.edit", "document", strconv.FormatInt(id, 10), details))
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Detail(ctx, sub, id)
}

// recipientNames checks recipient units exist today and returns the names
// as written in the receivers text.
func recipientNames(ctx context.Context, q postgres.Querier, rs []Recipient) ([]string, error) {
	var names []string
	for _, r := range rs {
		if r.UnitID == 0 {
			names = append(names, r.OrganName)
			continue
		}
		var n string
		if err := q.QueryRow(ctx, `SELECT name FROM units WHERE id = $1 AND valid_to IS NULL`, r.UnitID).Scan(&n); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, apperr.Invalid("Đơn vị nhận không tồn tại hoặc đã giải thể.", map[string]string{"recipients": fmt.Sprintf("Không có đơn vị %d.", r.UnitID)})
			}
			return nil, err
		}
		names = append(names, n)
	}
	return names, nil
}

// Person is someone a draft form offers: a signer or a reviewer.
type Person struct {
	ID    int64  `db:"id" json:"id"`
	Name  string `db:"full_name" json:"name"`
	Title string `db:"title" json:"title"`
	Units string `db:"units" json:"units"`
}

// Signers lists the leaders of unit who may sign its documents.
func (s *Service) Signers(ctx context.Context, unit int64) ([]Person, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT u.id, u.full_name, coalesce(max(m.title), '') AS title, string_agg(DISTINCT un.name, ', ') AS units
		FROM memberships m JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL JOIN units un ON un.id = m.unit_id
		WHERE m.unit_id = $1 AND m.role = 'leader'
		GROUP BY u.id, u.full_name ORDER BY u.full_name COLLATE vi, u.id`, unit)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Person])
}

// Reviewers lists who a circuit may name: the people of unit, of the
// units below it (three levels) and of the unit above it, leaders first.
func (s *Service) Reviewers(ctx context.Context, unit int64) ([]Person, error) {
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE sub(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id WHERE u.valid_to IS NULL AND sub.depth < 3
		), scope AS (
			SELECT id FROM sub UNION SELECT parent_id FROM units WHERE id = $1 AND parent_id IS NOT NULL
		)
		SELECT u.id, u.full_name, coalesce(max(m.title), '') AS title, string_agg(DISTINCT un.name, ', ') AS units
		FROM scope JOIN memberships m ON m.unit_id = scope.id AND m.role <> 'admin'
		JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL JOIN units un ON un.id = m.unit_id
		GROUP BY u.id, u.full_name
		ORDER BY bool_or(m.role = 'leader') DESC, u.full_name COLLATE vi, u.id LIMIT 500`, unit)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Person])
}
