// Package demo seeds a demonstration installation: the real unit tree, the
// official working-day calendar, a
// provincial committee's office and departments, and people in every role
// in the province and two of its commune committees. Running it again
// changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/calendar"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/platform/postgres"
)

// Password is every demo account's password. Demo data only.
const Password = "Demo@Vanthu2026"

// ProvinceCode is the demo provincial committee: Lào Cai, formed on
// 1 July 2025 from Lào Cai and Yên Bái, so its history is worth showing.
const ProvinceCode = "15"

// Login is one demo account as printed for the person trying the demo.
type Login struct {
	Login, Name, Role, Unit, Title string
}

// Result lists the demo accounts.
type Result struct {
	Logins       []Login
	UnitsCreated int
	UsersCreated int
}

type demoUser struct {
	login, name, title string
	role               identity.Role
	clearance          identity.Clearance
	unit               string // key in the units map
}

// Seed imports the unit tree when it is missing and adds the demo office,
// departments and accounts.
func Seed(ctx context.Context, pool *pgxpool.Pool) (Result, error) {
	var res Result
	if _, err := org.ImportUnits(ctx, pool, org.UnitData); err != nil {
		return res, fmt.Errorf("import units: %w", err)
	}
	if _, err := calendar.Seed(ctx, pool); err != nil {
		return res, fmt.Errorf("seed the working-day calendar: %w", err)
	}
	units := map[string]int64{}
	err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		var root, province int64
		if err := tx.QueryRow(ctx, `SELECT id FROM units WHERE level = 'central' AND parent_id IS NULL AND valid_to IS NULL ORDER BY id LIMIT 1`).Scan(&root); err != nil {
			return fmt.Errorf("central committee: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM units WHERE level = 'province' AND code = $1 AND valid_to IS NULL`, ProvinceCode).Scan(&province); err != nil {
			return fmt.Errorf("demo province %s: %w", ProvinceCode, err)
		}
		units["root"], units["province"] = root, province
		rows, _ := tx.Query(ctx, `SELECT id FROM units WHERE level = 'commune' AND parent_id = $1 AND valid_to IS NULL ORDER BY code LIMIT 2`, units["province"])
		communes, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(communes) < 2 {
			return fmt.Errorf("demo communes: %v", err)
		}
		units["commune1"], units["commune2"] = communes[0], communes[1]

		bodies := []struct{ key, parent, name, symbol, kind string }{
			{"office", "province", "Văn phòng Tỉnh ủy Lào Cai", "VPTU", "Văn phòng"},
			{"organisation", "province", "Ban Tổ chức Tỉnh ủy Lào Cai", "BTCTU", "Ban"},
			{"propaganda", "province", "Ban Tuyên giáo và Dân vận Tỉnh ủy Lào Cai", "BTGDVTU", "Ban"},
			{"inspection", "province", "Ủy ban Kiểm tra Tỉnh ủy Lào Cai", "UBKTTU", "Ủy ban Kiểm tra"},
			{"internal", "province", "Ban Nội chính Tỉnh ủy Lào Cai", "BNCTU", "Ban"},
			{"general", "office", "Phòng Tổng hợp", "PTH", "Phòng"},
			{"admin", "office", "Phòng Hành chính – Lưu trữ", "PHCLT", "Phòng"},
			{"finance", "office", "Phòng Quản trị – Tài chính", "PQTTC", "Phòng"},
		}
		for _, b := range bodies {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM units WHERE parent_id = $1 AND name = $2 AND valid_to IS NULL`, units[b.parent], b.name).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				err = tx.QueryRow(ctx, `
					INSERT INTO units (name, symbol, level, kind, parent_id, valid_from)
					VALUES ($1, $2, 'body', $3, $4, DATE '2025-07-01') RETURNING id`, b.name, b.symbol, b.kind, units[b.parent]).Scan(&id)
				res.UnitsCreated++
			}
			if err != nil {
				return fmt.Errorf("demo unit %s: %w", b.name, err)
			}
			units[b.key] = id
		}
		return nil
	})
	if err != nil {
		return res, err
	}

	people := []demoUser{
		{"admin", "Nguyễn Quản Trị", "Quản trị hệ thống", identity.RoleAdmin, identity.ClearanceNone, "root"},
		{"quantri.tinh", "Trần Thị Quản", "Quản trị Tỉnh ủy", identity.RoleUnitAdmin, identity.ClearanceNone, "province"},
		{"bithu.tinh", "Hoàng Văn Bình", "Bí thư Tỉnh ủy", identity.RoleLeader, identity.ClearanceTuyetMat, "province"},
		{"chanhvp", "Lê Thị Hồng", "Chánh Văn phòng Tỉnh ủy", identity.RoleLeader, identity.ClearanceToiMat, "office"},
		{"vanthu.tinh", "Phạm Thị Thư", "Văn thư Văn phòng Tỉnh ủy", identity.RoleClerk, identity.ClearanceMat, "province"},
		{"truongphong.th", "Đỗ Minh Tuấn", "Trưởng phòng Tổng hợp", identity.RoleLeader, identity.ClearanceMat, "general"},
		{"chuyenvien.th", "Vũ Thị Lan", "Chuyên viên Phòng Tổng hợp", identity.RoleHandler, identity.ClearanceNone, "general"},
		{"vanthu.xa1", "Nguyễn Văn Sơn", "Văn thư Đảng ủy", identity.RoleClerk, identity.ClearanceNone, "commune1"},
		{"bithu.xa1", "Lò Văn Phong", "Bí thư Đảng ủy", identity.RoleLeader, identity.ClearanceMat, "commune1"},
		{"chuyenvien.xa1", "Giàng Thị Mai", "Chuyên viên Văn phòng Đảng ủy", identity.RoleHandler, identity.ClearanceNone, "commune1"},
		{"vanthu.xa2", "Sùng A Páo", "Văn thư Đảng ủy", identity.RoleClerk, identity.ClearanceNone, "commune2"},
		{"bithu.xa2", "Hà Thị Yến", "Bí thư Đảng ủy", identity.RoleLeader, identity.ClearanceMat, "commune2"},
	}
	users := identity.NewStore(pool)
	for _, p := range people {
		u, err := users.GetByLogin(ctx, p.login)
		if errors.Is(err, identity.ErrUserNotFound) {
			u, err = users.Create(ctx, pool, identity.NewUser{Login: p.login, FullName: p.name, Password: Password, Clearance: p.clearance})
			res.UsersCreated++
		}
		if err != nil {
			if e, ok := apperr.As(err); ok {
				return res, fmt.Errorf("demo user %s: %s", p.login, e.Error())
			}
			return res, fmt.Errorf("demo user %s: %w", p.login, err)
		}
		if err := users.AddMembership(ctx, pool, u.ID, units[p.unit], p.role, p.title); err != nil {
			return res, fmt.Errorf("demo membership %s: %w", p.login, err)
		}
		var unitName string
		if err := pool.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, units[p.unit]).Scan(&unitName); err != nil {
			return res, err
		}
		res.Logins = append(res.Logins, Login{Login: p.login, Name: p.name, Role: p.role.Label(), Unit: unitName, Title: p.title})
	}
	if err := seedOutgoing(ctx, pool, units); err != nil {
		return res, err
	}
	if err := seedSchedules(ctx, pool, units); err != nil {
		return res, fmt.Errorf("demo schedules: %w", err)
	}
	if err := SeedReports(ctx, pool); err != nil {
		return res, fmt.Errorf("demo reports: %w", err)
	}
	return res, nil
}
