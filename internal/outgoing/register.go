package outgoing

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/documents"
	"vanthu/internal/platform/postgres"
)

// RegisterEntry is an issued document as the outgoing register (sổ đăng
// ký văn bản đi) lists it.
type RegisterEntry struct {
	ID             int64      `db:"id"`
	Symbol         string     `db:"symbol"`
	IssuedDate     *time.Time `db:"issued_date"`
	IssuedAt       time.Time  `db:"issued_at"`
	TypeName       string     `db:"type_name"`
	Subject        string     `db:"subject"`
	SignerPosition string     `db:"signer_position"`
	SignerFullName string     `db:"signer_full_name"`
	Recipients     string     `db:"recipients"`
	RecipientCount int        `db:"recipient_count"`
	UnitName       string     `db:"unit_name"`
	Drafter        string     `db:"drafter"`
	State          string     `db:"outgoing_state"`
	RecalledAt     *time.Time `db:"recalled_at"`
	Notes          string     `db:"notes"`
}

// registerPage is how many entries one query reads.
const registerPage = 500

// registerWhere selects the issued (or since recalled) documents of a
// register dated from–to that the subject may see.
func registerWhere(a *postgres.Args, sub access.Subject, registerID int64, from, to time.Time) string {
	return `d.direction = 'outgoing' AND d.outgoing_state IN ('issued', 'recalled') AND d.register_id = ` + a.Add(registerID) +
		` AND d.issued_date BETWEEN ` + a.Add(from) + `::date AND ` + a.Add(to) + `::date AND ` + documents.Visible(sub)(a)
}

// CountRegister counts the register's entries from–to, stopping at limit.
func (s *Service) CountRegister(ctx context.Context, sub access.Subject, registerID int64, from, to time.Time, limit int) (int, error) {
	var a postgres.Args
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM documents d WHERE `+registerWhere(&a, sub, registerID, from, to)+
		` LIMIT `+a.Add(limit)+`) x`, a.Values()...).Scan(&n)
	return n, err
}

// RegisterEntries yields the register's entries dated from–to in issue
// order, reading them a page at a time.
func (s *Service) RegisterEntries(ctx context.Context, sub access.Subject, registerID int64, from, to time.Time) iter.Seq2[RegisterEntry, error] {
	return func(yield func(RegisterEntry, error) bool) {
		var afterAt time.Time
		var afterID int64
		for {
			var a postgres.Args
			where := registerWhere(&a, sub, registerID, from, to)
			if afterID != 0 {
				where += ` AND (d.issued_at, d.id) > (` + a.Add(afterAt) + `::timestamptz, ` + a.Add(afterID) + `)`
			}
			rows, _ := s.db.Query(ctx, `
				SELECT d.id, d.symbol, d.issued_date, d.issued_at, d.type_name, d.subject, d.signer_position, d.signer_full_name,
					coalesce(rc.names, '') AS recipients, coalesce(rc.n, 0) AS recipient_count, un.name AS unit_name,
					coalesce(cu.full_name, '') AS drafter, d.outgoing_state,
					(SELECT max(e.at) FROM document_events e WHERE e.document_id = d.id AND e.kind = 'recalled') AS recalled_at,
					d.notes
				FROM documents d
				JOIN units un ON un.id = d.unit_id
				LEFT JOIN users cu ON cu.id = d.created_by
				LEFT JOIN LATERAL (
					SELECT string_agg(coalesce(u.name, r.organ_name), '; ' ORDER BY r.position) AS names, count(*) AS n
					FROM outgoing_recipients r LEFT JOIN units u ON u.id = r.unit_id WHERE r.document_id = d.id
				) rc ON true
				WHERE `+where+`
				ORDER BY d.issued_at, d.id LIMIT `+a.Add(registerPage), a.Values()...)
			page, err := pgx.CollectRows(rows, pgx.RowToStructByName[RegisterEntry])
			if err != nil {
				yield(RegisterEntry{}, fmt.Errorf("outgoing register: %w", err))
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < registerPage {
				return
			}
			afterAt, afterID = page[len(page)-1].IssuedAt, page[len(page)-1].ID
		}
	}
}
