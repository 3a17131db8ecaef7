package org

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/platform/postgres"
)

// Create adds a unit valid from `from`, recording a create event.
func (s *Store) Create(ctx context.Context, actor Actor, n NewUnit, from time.Time, legal string) (Unit, error) {
	f := apperr.Fields{}
	n.validate("", f)
	if from.IsZero() {
		f.Add("valid_from", "Vui lòng nhập ngày thành lập (dd/mm/yyyy).")
	}
	if err := f.Err(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var err error
		if n.ParentID != 0 {
			if _, err := s.lockCurrent(ctx, tx, []int64{n.ParentID}, from, "parent_id"); err != nil {
				return err
			}
		}
		if u, err = s.insertUnit(ctx, tx, n, from); err != nil {
			return err
		}
		if err := s.recordEvent(ctx, tx, "create", u.ID, from, legal, "", u.Name); err != nil {
			return err
		}
		return audit.Record(ctx, tx, entry(actor, "unit.create", "unit", fmt.Sprint(u.ID), u.ID, map[string]any{"name": u.Name}))
	})
	return u, err
}

// Rename changes a unit's name from a date, keeping the old name in history.
func (s *Store) Rename(ctx context.Context, actor Actor, id int64, name string, from time.Time, legal string) error {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return apperr.Invalid("Vui lòng nhập tên mới.", map[string]string{"name": "Vui lòng nhập tên mới."})
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		u, err := s.lockOne(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Name == name {
			return apperr.Invalid("Tên mới trùng với tên hiện tại.", map[string]string{"name": "Tên mới trùng với tên hiện tại."})
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET name = $2, updated_at = now() WHERE id = $1`, id, name); err != nil {
			return err
		}
		if err := s.recordEvent(ctx, tx, "rename", id, from, legal, u.Name, name); err != nil {
			return err
		}
		return audit.Record(ctx, tx, entry(actor, "unit.rename", "unit", fmt.Sprint(id), id, map[string]any{"old": u.Name, "new": name}))
	})
}

// MoveUnder puts a unit under a new parent; a unit cannot move into its
// own subtree.
func (s *Store) MoveUnder(ctx context.Context, actor Actor, id, parentID int64, from time.Time, legal string) error {
	if id == parentID {
		return apperr.Invalid("Không thể chuyển đơn vị vào chính nó.", map[string]string{"parent_id": "Không thể chuyển đơn vị vào chính nó."})
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		u, err := s.lockOne(ctx, tx, id)
		if err != nil {
			return err
		}
		parent, err := s.Get(ctx, tx, parentID)
		if err != nil {
			return apperr.Invalid("Đơn vị cấp trên không tồn tại.", map[string]string{"parent_id": "Đơn vị cấp trên không tồn tại."})
		}
		if parent.ValidTo != nil {
			return apperr.Invalid("Đơn vị cấp trên đã hết hiệu lực.", map[string]string{"parent_id": "Đơn vị cấp trên đã hết hiệu lực."})
		}
		var cycle bool
		if err := tx.QueryRow(ctx, `
			WITH RECURSIVE up(id) AS (SELECT $2::bigint UNION SELECT x.parent_id FROM units x JOIN up ON x.id = up.id WHERE x.parent_id IS NOT NULL)
			SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)`, id, parentID).Scan(&cycle); err != nil {
			return err
		}
		if cycle {
			return apperr.Invalid("Không thể chuyển đơn vị vào một đơn vị trực thuộc nó.", map[string]string{"parent_id": "Không thể chuyển đơn vị vào một đơn vị trực thuộc nó."})
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET parent_id = $2, updated_at = now() WHERE id = $1`, id, parentID); err != nil {
			return err
		}
		old := ""
		if u.ParentName != nil {
			old = *u.ParentName
		}
		if err := s.recordEvent(ctx, tx, "move", id, from, legal, old, parent.Name); err != nil {
			return err
		}
		return audit.Record(ctx, tx, entry(actor, "unit.move", "unit", fmt.Sprint(id), id, map[string]any{"parent_id": parentID}))
	})
}

// Dissolve ends a unit the day before `from`. A unit that still has current
// sub-units or members must hand them over first.
func (s *Store) Dissolve(ctx context.Context, actor Actor, id int64, from time.Time, legal string) error {
	f := apperr.Fields{}
	checkEffective(from, strings.TrimSpace(legal), f)
	if err := f.Err(); err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		u, err := s.lockOne(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.ValidFrom.Before(from) {
			return apperr.Invalid("Ngày giải thể phải sau ngày thành lập.", map[string]string{"effective_date": "Ngày giải thể phải sau ngày thành lập."})
		}
		var children, members int
		if err := tx.QueryRow(ctx, `
			SELECT (SELECT count(*) FROM units WHERE parent_id = $1 AND valid_to IS NULL),
			       (SELECT count(*) FROM memberships WHERE unit_id = $1)`, id).Scan(&children, &members); err != nil {
			return err
		}
		if children > 0 || members > 0 {
			return apperr.Conflict(fmt.Sprintf("Đơn vị còn %d đơn vị trực thuộc và %d thành viên; hãy chuyển hoặc sáp nhập trước khi giải thể.", children, members))
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET valid_to = $2, updated_at = now() WHERE id = $1`, id, from.AddDate(0, 0, -1)); err != nil {
			return err
		}
		if err := s.recordEvent(ctx, tx, "dissolve", id, from, legal, u.Name, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, entry(actor, "unit.dissolve", "unit", fmt.Sprint(id), id, nil))
	})
}

func (s *Store) lockOne(ctx context.Context, tx pgx.Tx, id int64) (Unit, error) {
	var got int64
	if err := tx.QueryRow(ctx, `SELECT id FROM units WHERE id = $1 FOR UPDATE`, id).Scan(&got); err != nil {
		if err == pgx.ErrNoRows {
			return Unit{}, ErrUnitNotFound
		}
		return Unit{}, err
	}
	u, err := s.Get(ctx, tx, id)
	if err != nil {
		return Unit{}, err
	}
	if u.ValidTo != nil {
		return Unit{}, apperr.Conflict("Đơn vị đã hết hiệu lực; chỉ xem được lịch sử.")
	}
	return u, nil
}

func (s *Store) recordEvent(ctx context.Context, tx pgx.Tx, kind string, unitID int64, day time.Time, legal, oldV, newV string) error {
	if day.IsZero() {
		day = time.Now()
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO unit_events (kind, unit_id, effective_date, legal_basis, old_value, new_value)
		VALUES ($1, $2, $3, $4, $5, $6)`, kind, unitID, day, strings.TrimSpace(legal), oldV, newV)
	return err
}
