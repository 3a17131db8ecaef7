// Package org owns the unit tree: party organisations over time, their
// validity periods and the events (merge, split, dissolve, rename,
// reclassify, move) that link predecessors to successors.
package org

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
)

// Level is a unit's place in the party hierarchy.
type Level string

const (
	LevelCentral    Level = "central"
	LevelProvince   Level = "province"
	LevelBody       Level = "body" // advisory or subordinate body of a committee
	LevelDistrict   Level = "district"
	LevelCommune    Level = "commune"
	LevelGrassroots Level = "grassroots"
	LevelCell       Level = "cell"
)

// Levels lists the levels from top to bottom.
var Levels = []Level{LevelCentral, LevelProvince, LevelBody, LevelDistrict, LevelCommune, LevelGrassroots, LevelCell}

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	for _, k := range Levels {
		if l == k {
			return true
		}
	}
	return false
}

// Label is the Vietnamese name of the level.
func (l Level) Label() string {
	switch l {
	case LevelCentral:
		return "Trung ương"
	case LevelProvince:
		return "Tỉnh, thành phố"
	case LevelBody:
		return "Cơ quan tham mưu, trực thuộc"
	case LevelDistrict:
		return "Huyện (lịch sử)"
	case LevelCommune:
		return "Xã, phường, đặc khu"
	case LevelGrassroots:
		return "Cơ sở"
	case LevelCell:
		return "Chi bộ"
	}
	return string(l)
}

// Unit is a party organisation over its validity period.
type Unit struct {
	ID         int64      `db:"id" json:"id"`
	Code       *string    `db:"code" json:"code"`
	Name       string     `db:"name" json:"name"`
	Symbol     string     `db:"symbol" json:"symbol"`
	Level      Level      `db:"level" json:"level"`
	Kind       string     `db:"kind" json:"kind"`
	ParentID   *int64     `db:"parent_id" json:"parent_id"`
	ParentName *string    `db:"parent_name" json:"-"`
	ValidFrom  time.Time  `db:"valid_from" json:"valid_from"`
	ValidTo    *time.Time `db:"valid_to" json:"valid_to"`
	Note       string     `db:"note" json:"-"`
}

// Current reports whether the unit exists today.
func (u Unit) Current(today time.Time) bool {
	return !u.ValidFrom.After(today) && (u.ValidTo == nil || !u.ValidTo.Before(today))
}

// CodeString returns the code or "".
func (u Unit) CodeString() string {
	if u.Code == nil {
		return ""
	}
	return *u.Code
}

// Store reads and changes units.
type Store struct {
	db    *pgxpool.Pool
	hooks []MoveHook
}

// NewStore returns a store over the pool.
func NewStore(db *pgxpool.Pool) *Store { return &Store{db: db} }

// ErrUnitNotFound means no unit has that id.
var ErrUnitNotFound = apperr.NotFound("Không tìm thấy đơn vị.")

const unitColumns = `u.id, u.code, u.name, u.symbol, u.level, u.kind, u.parent_id, p.name AS parent_name,
	u.valid_from, u.valid_to, u.note`

const unitFrom = ` FROM units u LEFT JOIN units p ON p.id = u.parent_id `

// Get returns one unit.
func (s *Store) Get(ctx context.Context, q postgres.Querier, id int64) (Unit, error) {
	rows, _ := q.Query(ctx, `SELECT `+unitColumns+unitFrom+`WHERE u.id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
	if errors.Is(err, pgx.ErrNoRows) {
		return Unit{}, ErrUnitNotFound
	}
	if err != nil {
		return Unit{}, fmt.Errorf("read unit %d: %w", id, err)
	}
	return u, nil
}

// ListFilter selects units for the directory and the API.
type ListFilter struct {
	Level    Level
	ParentID int64
	Q        string    // matches code or name, with or without diacritics
	ValidOn  time.Time // zero: today
	AllTime  bool      // ignore ValidOn (history included)
	Cursor   string
	Limit    int
}

// ListPage is one page of units.
type ListPage struct {
	Items      []Unit
	NextCursor string
}

type unitCursor struct {
	Rank float64 `json:"r"`
	Name string  `json:"n"`
	ID   int64   `json:"i"`
}

// List returns units matching f in Vietnamese name order, or by relevance
// when searching (exact code or name first), with keyset pagination.
func (s *Store) List(ctx context.Context, f ListFilter) (ListPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var a postgres.Args
	where := []string{"TRUE"}
	if f.Level != "" {
		if !f.Level.Valid() {
			return ListPage{}, apperr.Invalid("Cấp đơn vị không hợp lệ.", map[string]string{"level": "Cấp đơn vị phải là một trong: central, province, body, district, commune, grassroots, cell."})
		}
		where = append(where, "u.level = "+a.Add(string(f.Level))+"::unit_level")
	}
	if f.ParentID != 0 {
		where = append(where, "u.parent_id = "+a.Add(f.ParentID))
	}
	if !f.AllTime {
		day := f.ValidOn
		if day.IsZero() {
			day = time.Now()
		}
		d := a.Add(day.Format(time.DateOnly))
		where = append(where, "u.valid_from <= "+d+"::date AND (u.valid_to IS NULL OR u.valid_to >= "+d+"::date)")
	}
	rank := "0::float8"
	q := strings.TrimSpace(f.Q)
	if q != "" {
		p := a.Add(q)
		where = append(where, "(u.search LIKE '%' || vn_fold("+p+") || '%' OR u.search % vn_fold("+p+"))")
		// Exact code or name first, then names starting with the query,
		// then by similarity.
		rank = "(CASE WHEN u.code = " + p + " OR vn_fold(u.name) = vn_fold(" + p + ") THEN 3 " +
			"WHEN vn_fold(u.name) LIKE vn_fold(" + p + ") || '%' THEN 2 ELSE 1 END + similarity(u.search, vn_fold(" + p + ")))::float8"
	}
	order := "rank DESC, u.name, u.id"
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return ListPage{}, err
		}
		where = append(where, "("+rank+" < "+a.Add(c.Rank)+" OR ("+rank+" = "+a.Add(c.Rank)+
			" AND (u.name, u.id) > ("+a.Add(c.Name)+"::text COLLATE vi, "+a.Add(c.ID)+")))")
	}
	sql := `SELECT ` + unitColumns + `, ` + rank + ` AS rank` + unitFrom +
		`WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + a.Add(f.Limit+1)
	rows, err := s.db.Query(ctx, sql, a.Values()...)
	if err != nil {
		return ListPage{}, fmt.Errorf("list units: %w", err)
	}
	type ranked struct {
		Unit
		Rank float64 `db:"rank"`
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[ranked])
	if err != nil {
		return ListPage{}, fmt.Errorf("list units: %w", err)
	}
	var page ListPage
	for i, it := range items {
		if i == f.Limit {
			last := items[i-1]
			page.NextCursor = encodeCursor(unitCursor{Rank: last.Rank, Name: last.Name, ID: last.ID})
			break
		}
		page.Items = append(page.Items, it.Unit)
	}
	return page, nil
}

func encodeCursor(c unitCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (unitCursor, error) {
	var c unitCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
	}
	return c, nil
}

// Children returns the direct children of a unit valid on day (zero: all).
func (s *Store) Children(ctx context.Context, parentID int64, day time.Time) ([]Unit, error) {
	var a postgres.Args
	where := "u.parent_id = " + a.Add(parentID)
	if !day.IsZero() {
		d := a.Add(day.Format(time.DateOnly))
		where += " AND u.valid_from <= " + d + "::date AND (u.valid_to IS NULL OR u.valid_to >= " + d + "::date)"
	}
	rows, _ := s.db.Query(ctx, `SELECT `+unitColumns+unitFrom+`WHERE `+where+` ORDER BY u.level, u.name, u.id`, a.Values()...)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
}

// Ancestors returns the chain from the root down to the unit's parent.
func (s *Store) Ancestors(ctx context.Context, id int64) ([]Unit, error) {
	rows, _ := s.db.Query(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT parent_id, 1 FROM units WHERE id = $1 AND parent_id IS NOT NULL
			UNION ALL
			SELECT x.parent_id, up.depth + 1 FROM up JOIN units x ON x.id = up.id WHERE x.parent_id IS NOT NULL AND up.depth < 50
		)
		SELECT `+unitColumns+unitFrom+` JOIN up ON up.id = u.id ORDER BY up.depth DESC`, id)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
}

// Link is a predecessor or successor of a unit.
type Link struct {
	ID            int64     `db:"id" json:"id"`
	Name          string    `db:"name" json:"name"`
	Code          *string   `db:"code" json:"code"`
	Event         string    `db:"event" json:"event"`
	EventID       int64     `db:"event_id" json:"event_id"`
	EffectiveDate time.Time `db:"effective_date" json:"effective_date"`
	LegalBasis    string    `db:"legal_basis" json:"legal_basis"`
}

// Predecessors lists the units this one succeeded.
func (s *Store) Predecessors(ctx context.Context, id int64) ([]Link, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT u.id, u.name, u.code, e.kind AS event, e.id AS event_id, e.effective_date, e.legal_basis
		FROM unit_succession l JOIN units u ON u.id = l.predecessor_id JOIN unit_events e ON e.id = l.event_id
		WHERE l.successor_id = $1 ORDER BY e.effective_date, u.name`, id)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Link])
}

// Successors lists the units that succeeded this one.
func (s *Store) Successors(ctx context.Context, id int64) ([]Link, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT u.id, u.name, u.code, e.kind AS event, e.id AS event_id, e.effective_date, e.legal_basis
		FROM unit_succession l JOIN units u ON u.id = l.successor_id JOIN unit_events e ON e.id = l.event_id
		WHERE l.predecessor_id = $1 ORDER BY e.effective_date, u.name`, id)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Link])
}

// Event is one change in a unit's history.
type Event struct {
	ID            int64           `db:"id" json:"id"`
	Kind          string          `db:"kind" json:"kind"`
	UnitID        *int64          `db:"unit_id" json:"unit_id"`
	EffectiveDate time.Time       `db:"effective_date" json:"effective_date"`
	LegalBasis    string          `db:"legal_basis" json:"legal_basis"`
	OldValue      string          `db:"old_value" json:"old_value"`
	NewValue      string          `db:"new_value" json:"new_value"`
	Report        json.RawMessage `db:"report" json:"report,omitempty"`
	CreatedAt     time.Time       `db:"created_at" json:"created_at"`
}

// EventLabel is the Vietnamese name of an event kind.
func EventLabel(kind string) string {
	switch kind {
	case "create":
		return "Thành lập"
	case "merge":
		return "Hợp nhất, sáp nhập"
	case "split":
		return "Chia tách"
	case "dissolve":
		return "Giải thể"
	case "rename":
		return "Đổi tên"
	case "reclassify":
		return "Chuyển loại hình"
	case "move":
		return "Chuyển đơn vị cấp trên"
	}
	return kind
}

// History lists every event that touched the unit, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]Event, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT e.id, e.kind, e.unit_id, e.effective_date, e.legal_basis, e.old_value, e.new_value, e.report, e.created_at
		FROM unit_events e
		WHERE e.unit_id = $1
		   OR e.id IN (SELECT event_id FROM unit_succession WHERE predecessor_id = $1 OR successor_id = $1)
		ORDER BY e.effective_date, e.id`, id)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Event])
}

// GetEvent returns one event, e.g. a stored merge report.
func (s *Store) GetEvent(ctx context.Context, id int64) (Event, error) {
	rows, _ := s.db.Query(ctx, `
		SELECT id, kind, unit_id, effective_date, legal_basis, old_value, new_value, report, created_at
		FROM unit_events WHERE id = $1`, id)
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Event])
	if errors.Is(err, pgx.ErrNoRows) {
		return Event{}, apperr.NotFound("Không tìm thấy sự kiện.")
	}
	return e, err
}

// CountCurrent counts units of level existing today.
func (s *Store) CountCurrent(ctx context.Context, level Level) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM units WHERE level = $1 AND valid_to IS NULL AND valid_from <= current_date`, level).Scan(&n)
	return n, err
}
