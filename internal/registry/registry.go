// Package registry keeps the registers (sổ văn bản) of each unit and gives
// out their numbers: arrival numbers for incoming documents, numbers for
// outgoing ones. The numbering policy of a register is data (reset per year
// or per committee term, one sequence per document type or shared, a
// separate confidential series or not), with Party and State presets.
package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// Kinds of register.
const (
	KindIncoming = "incoming"
	KindOutgoing = "outgoing"
	KindInternal = "internal"
)

// KindLabel is the Vietnamese name of a register kind.
func KindLabel(kind string) string {
	switch kind {
	case KindIncoming:
		return "Sổ văn bản đến"
	case KindOutgoing:
		return "Sổ văn bản đi"
	case KindInternal:
		return "Sổ văn bản nội bộ"
	}
	return kind
}

// Policy is how a register numbers.
type Policy struct {
	Preset             string     `db:"preset" json:"preset"`
	ResetPeriod        string     `db:"reset_period" json:"reset_period"` // year, term, never
	PerType            bool       `db:"per_type" json:"per_type"`
	ConfidentialSeries bool       `db:"confidential_series" json:"confidential_series"`
	TermStart          *time.Time `db:"term_start" json:"term_start"`
}

// Preset returns the policy a profile prescribes for a kind of register.
//
//   - Party (Hướng dẫn 36-HD/VPTW): outgoing numbers run per document type
//     within the committee term; confidential documents share their type's
//     sequence.
//   - State (Nghị định 30/2020/NĐ-CP): numbers run per year; confidential
//     documents have their own series.
//
// Incoming arrival numbers run through the year in one sequence under
// both profiles.
func Preset(profile, kind string, termStart *time.Time) Policy {
	if kind == KindIncoming {
		return Policy{Preset: profile, ResetPeriod: "year"}
	}
	if profile == "party" {
		if termStart == nil {
			return Policy{Preset: profile, ResetPeriod: "year", PerType: true}
		}
		return Policy{Preset: profile, ResetPeriod: "term", PerType: true, TermStart: termStart}
	}
	return Policy{Preset: "state", ResetPeriod: "year", ConfidentialSeries: true}
}

// Register is a unit's register.
type Register struct {
	ID        int64  `db:"id" json:"id"`
	UnitID    int64  `db:"unit_id" json:"unit_id"`
	Kind      string `db:"kind" json:"kind"`
	Name      string `db:"name" json:"name"`
	IsDefault bool   `db:"is_default" json:"is_default"`
	Active    bool   `db:"active" json:"active"`
	Policy
}

var vnZone = vntime.Zone

// Sequence says which counter a document numbered at `at` uses.
func (p Policy) Sequence(at time.Time, typeCode string, confidential bool) (period, series string) {
	switch p.ResetPeriod {
	case "term":
		period = "term:" + p.TermStart.Format(time.DateOnly)
	case "never":
		period = "all"
	default:
		period = fmt.Sprint(at.In(vnZone).Year())
	}
	if p.PerType {
		series = typeCode
	}
	if p.ConfidentialSeries && confidential {
		series += "/mat"
	}
	return period, series
}

// Store reads and changes registers.
type Store struct {
	db *pgxpool.Pool
}

// NewStore returns a store over the pool.
func NewStore(db *pgxpool.Pool) *Store { return &Store{db: db} }

// ErrRegisterNotFound means no such register in scope.
var ErrRegisterNotFound = apperr.NotFound("Không tìm thấy sổ văn bản.")

const registerColumns = `id, unit_id, kind, name, is_default, active, preset, reset_period, per_type, confidential_series, term_start`

// Get returns a register.
func (s *Store) Get(ctx context.Context, q postgres.Querier, id int64) (Register, error) {
	rows, _ := q.Query(ctx, `SELECT `+registerColumns+` FROM registers WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Register])
	if errors.Is(err, pgx.ErrNoRows) {
		return Register{}, ErrRegisterNotFound
	}
	return r, err
}

// ForUnit lists a unit's registers, default first.
func (s *Store) ForUnit(ctx context.Context, unitID int64) ([]Register, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+registerColumns+` FROM registers WHERE unit_id = $1 ORDER BY kind, is_default DESC, name`, unitID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Register])
}

// InUnits lists the registers of several units (nil: all).
func (s *Store) InUnits(ctx context.Context, units []int64, kind string) ([]Register, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+registerColumns+` FROM registers
		WHERE ($1::bigint[] IS NULL OR unit_id = ANY($1)) AND ($2 = '' OR kind = $2) AND active
		ORDER BY unit_id, kind, is_default DESC, name LIMIT 1000`, units, kind)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Register])
}

// DefaultFor returns the unit's default register of kind, creating one with
// the profile's preset the first time it is needed.
func (s *Store) DefaultFor(ctx context.Context, q postgres.Querier, unitID int64, kind, profile string) (Register, error) {
	rows, _ := q.Query(ctx, `SELECT `+registerColumns+` FROM registers WHERE unit_id = $1 AND kind = $2 AND is_default`, unitID, kind)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Register])
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return r, err
	}
	p := Preset(profile, kind, nil)
	// Two first registrations in a new unit may race to create it: the
	// loser's insert does nothing (after waiting for the winner) and it
	// reads the winner's row.
	if _, err := q.Exec(ctx, `
		INSERT INTO registers (unit_id, kind, name, preset, reset_period, per_type, confidential_series, term_start, is_default)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
		ON CONFLICT DO NOTHING`,
		unitID, kind, KindLabel(kind), p.Preset, p.ResetPeriod, p.PerType, p.ConfidentialSeries, p.TermStart); err != nil {
		return Register{}, fmt.Errorf("create default register: %w", err)
	}
	rows, _ = q.Query(ctx, `SELECT `+registerColumns+` FROM registers WHERE unit_id = $1 AND kind = $2 AND is_default`, unitID, kind)
	r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Register])
	if errors.Is(err, pgx.ErrNoRows) {
		return Register{}, apperr.Conflict("Đơn vị đã có một sổ cùng tên nhưng chưa đặt làm sổ mặc định; quản trị viên hãy chọn sổ mặc định.")
	}
	return r, err
}

// NewRegister is what an administrator fills in.
type NewRegister struct {
	UnitID    int64
	Kind      string
	Name      string
	IsDefault bool
	Policy
}

// Validate checks a register's fields, in Vietnamese.
func (n *NewRegister) Validate() error {
	n.Name = strings.Join(strings.Fields(n.Name), " ")
	f := apperr.Fields{}
	if n.Name == "" {
		f.Add("name", "Vui lòng nhập tên sổ.")
	}
	if n.Kind != KindIncoming && n.Kind != KindOutgoing && n.Kind != KindInternal {
		f.Add("kind", "Vui lòng chọn loại sổ.")
	}
	switch n.ResetPeriod {
	case "year", "never":
	case "term":
		if n.TermStart == nil {
			f.Add("term_start", "Đánh số theo nhiệm kỳ cần ngày bắt đầu nhiệm kỳ.")
		}
	default:
		f.Add("reset_period", "Vui lòng chọn cách đánh lại số.")
	}
	if n.Preset == "" {
		n.Preset = "custom"
	}
	return f.Err()
}

// Create adds a register; making it the default unsets the previous one.
func (s *Store) Create(ctx context.Context, n NewRegister) (Register, error) {
	if err := n.Validate(); err != nil {
		return Register{}, err
	}
	var r Register
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if n.IsDefault {
			if _, err := tx.Exec(ctx, `UPDATE registers SET is_default = false WHERE unit_id = $1 AND kind = $2 AND is_default`, n.UnitID, n.Kind); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `
			INSERT INTO registers (unit_id, kind, name, preset, reset_period, per_type, confidential_series, term_start, is_default)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+registerColumns,
			n.UnitID, n.Kind, n.Name, n.Preset, n.ResetPeriod, n.PerType, n.ConfidentialSeries, n.TermStart, n.IsDefault)
		var err error
		r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Register])
		if postgres.IsUniqueViolation(err, "registers_unit_name") {
			return apperr.Invalid("Đơn vị đã có sổ cùng tên.", map[string]string{"name": "Đơn vị đã có sổ cùng tên."})
		}
		return err
	})
	return r, err
}

// Take gives the next number of the register's sequence for a document
// numbered at `at`. It must run in the transaction that stores the
// document: the counter row stays locked until commit, so concurrent
// registrations queue and a rollback returns the number, leaving no gap.
func Take(ctx context.Context, tx pgx.Tx, r Register, at time.Time, typeCode string, confidential bool) (number int, period, series string, err error) {
	period, series = r.Sequence(at, typeCode, confidential)
	err = tx.QueryRow(ctx, `
		INSERT INTO register_counters (register_id, period, series, last_number) VALUES ($1, $2, $3, 1)
		ON CONFLICT (register_id, period, series) DO UPDATE SET last_number = register_counters.last_number + 1
		RETURNING last_number`, r.ID, period, series).Scan(&number)
	if err != nil {
		return 0, "", "", fmt.Errorf("take number: %w", err)
	}
	return number, period, series, nil
}

// DocType is an entry of the document type catalogue.
type DocType struct {
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
}

// DocTypes lists the catalogue in force on day.
func (s *Store) DocTypes(ctx context.Context, day time.Time) ([]DocType, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT code, name FROM document_types
		WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY position, name`, day)
	return pgx.CollectRows(rows, pgx.RowToStructByName[DocType])
}

// TypeCode returns the symbol code of a type name in the current
// catalogue, or "" when the type has none.
func (s *Store) TypeCode(ctx context.Context, name string) (string, bool, error) {
	var code string
	err := s.db.QueryRow(ctx, `
		SELECT code FROM document_types WHERE name = $1 AND valid_to IS NULL ORDER BY position LIMIT 1`, name).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return code, err == nil, err
}
