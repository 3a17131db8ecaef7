package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/registry"
)

// SeedDocuments gives the demo province and its two demo communes this
// year's incoming documents in every state (registered with gap-free
// arrival numbers, directed, assigned, in progress, finished on time or
// late, some overdue) and outgoing documents issued, so the registers,
// inboxes and dashboards have something to show. It does nothing once the
// demo clerks have registered anything, and returns how many documents it
// added. Seed must have run first.
func SeedDocuments(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int, error) {
	ids := map[string]int64{}
	for _, login := range []string{"vanthu.tinh", "vanthu.xa1", "vanthu.xa2", "bithu.tinh", "bithu.xa1", "bithu.xa2",
		"chuyenvien.th", "chuyenvien.xa1", "truongphong.th"} {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE login = $1`, login).Scan(&id); err != nil {
			return 0, fmt.Errorf("demo user %s: %w", login, err)
		}
		ids[login] = id
	}
	var done bool
	// Seeded once: its registrations are marked in their timeline details
	// (other demo parts also make documents by these clerks).
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM document_events WHERE kind = 'registered' AND details @> '{"demo": true}'
		AND actor_id = ANY($1))`,
		[]int64{ids["vanthu.tinh"], ids["vanthu.xa1"], ids["vanthu.xa2"]}).Scan(&done); err != nil || done {
		return 0, err
	}
	type place struct {
		unit                   int64
		name                   string
		clerk, leader, handler int64
		weight                 int
	}
	var places []place
	for _, p := range []struct{ clerk, leader, handler string }{
		{"vanthu.tinh", "bithu.tinh", "chuyenvien.th"}, {"vanthu.xa1", "bithu.xa1", "chuyenvien.xa1"}, {"vanthu.xa2", "bithu.xa2", "bithu.xa2"},
	} {
		pl := place{clerk: ids[p.clerk], leader: ids[p.leader], handler: ids[p.handler], weight: 1}
		if err := pool.QueryRow(ctx, `SELECT u.id, u.name FROM memberships m JOIN units u ON u.id = m.unit_id
			WHERE m.user_id = $1 AND m.role = 'clerk'`, pl.clerk).Scan(&pl.unit, &pl.name); err != nil {
			return 0, fmt.Errorf("demo unit of %s: %w", p.clerk, err)
		}
		places = append(places, pl)
	}
	places[0].weight = 6

	today := vntime.DateOf(now)
	yearStart := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(2026, 15))
	type plan struct {
		at    time.Time
		place place
	}
	var plans []plan
	for range 360 {
		days := r.IntN(300)
		day := today.AddDate(0, 0, -days)
		if day.Before(yearStart) {
			day = yearStart.AddDate(0, 0, r.IntN(max(1, int(today.Sub(yearStart).Hours()/24)+1)))
		}
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		// 07:30–16:30 in Vietnam, never after now.
		at := time.Date(day.Year(), day.Month(), day.Day(), 0, 30, 0, 0, time.UTC).Add(time.Duration(r.IntN(9*60)) * time.Minute)
		if at.After(now) {
			at = now.Add(-time.Minute)
		}
		w := r.IntN(8)
		pl := places[0]
		if w >= 6 {
			pl = places[w-5]
		}
		plans = append(plans, plan{at, pl})
	}
	slices.SortFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })

	kinds := []struct{ name, code, lead string }{
		{"Công văn", "CV", "Về việc "}, {"Kế hoạch", "KH", "Kế hoạch "}, {"Báo cáo", "BC", "Báo cáo kết quả "},
		{"Thông báo", "TB", "Thông báo về "}, {"Giấy mời", "GM", "Mời dự hội nghị "}, {"Hướng dẫn", "HD", "Hướng dẫn "},
	}
	topics := []string{"triển khai Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ và chuyển đổi số",
		"công tác kiểm tra, giám sát và thi hành kỷ luật đảng", "tổ chức chính quyền địa phương hai cấp",
		"công tác phát triển đảng viên", "sắp xếp tổ chức bộ máy của hệ thống chính trị", "công tác văn thư, lưu trữ",
		"phòng, chống thiên tai, tìm kiếm cứu nạn", "thu, nộp, quản lý và sử dụng đảng phí"}
	issuers := []string{"Văn phòng Trung ương Đảng", "Ban Tổ chức Trung ương", "Ủy ban nhân dân tỉnh Lào Cai", "Sở Nội vụ tỉnh Lào Cai",
		"Ban Tuyên giáo và Dân vận Tỉnh ủy Lào Cai", "Ủy ban Kiểm tra Tỉnh ủy Lào Cai"}
	registers := registry.NewStore(pool)
	added := 0
	err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		for i, p := range plans {
			k := kinds[r.IntN(len(kinds))]
			reg, err := registers.DefaultFor(ctx, tx, p.place.unit, registry.KindIncoming, "party")
			if err != nil {
				return err
			}
			number, period, series, err := registry.Take(ctx, tx, reg, p.at, k.code, false)
			if err != nil {
				return err
			}
			age := now.Sub(p.at)
			var status string
			switch x := r.Float64(); {
			case age < 10*24*time.Hour && x < 0.35, x < 0.04:
				status = "03"
			case age < 30*24*time.Hour && x < 0.6, x < 0.09:
				status = "04"
			case age < 60*24*time.Hour && x < 0.8, x < 0.16:
				status = "05"
			default:
				status = "06"
			}
			var due, completed *time.Time
			if r.IntN(2) == 0 {
				d := vntime.DateOf(p.at).AddDate(0, 0, 3+r.IntN(15))
				due = &d
			}
			if status == "06" {
				c := p.at.Add(time.Duration(2+r.IntN(20*24)) * time.Hour)
				if c.After(now) {
					c = now
				}
				completed = &c
			}
			var presented *int64
			if status != "03" {
				presented = &p.place.leader
			}
			num := 1 + r.IntN(900)
			var id int64
			if err := tx.QueryRow(ctx, `
				INSERT INTO documents (direction, unit_id, register_id, number_period, number_series, arrival_number, arrived_at, status,
					type_name, type_code, code_number, code_notation, symbol, issued_date, organ_name, subject, due_date, presented_to,
					completed_at, created_by, created_at, updated_at)
				VALUES ('incoming', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $6, $6)
				RETURNING id`,
				p.place.unit, reg.ID, period, series, number, p.at, status, k.name, k.code, fmt.Sprint(num), k.code+"/VPTW",
				fmt.Sprintf("%d-%s/VPTW", num, k.code), vntime.DateOf(p.at).AddDate(0, 0, -1-r.IntN(4)), issuers[r.IntN(len(issuers))],
				k.lead+topics[r.IntN(len(topics))], due, presented, completed, p.place.clerk).Scan(&id); err != nil {
				return fmt.Errorf("demo document %d: %w", i, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO document_events (document_id, at, actor_id, kind, details)
				VALUES ($1, $2, $3, 'registered', $4)`, id, p.at, p.place.clerk, map[string]any{"arrival_number": number, "demo": true}); err != nil {
				return err
			}
			added++
			if status == "03" {
				continue
			}
			directed := p.at.Add(2 * time.Hour)
			if status == "06" && r.IntN(4) == 0 { // filed without assignments
				_, err := tx.Exec(ctx, `INSERT INTO directions (document_id, author_id, body, created_at) VALUES ($1, $2, 'Lưu hồ sơ', $3)`,
					id, p.place.leader, directed)
				if err != nil {
					return err
				}
				continue
			}
			var dir int64
			if err := tx.QueryRow(ctx, `INSERT INTO directions (document_id, author_id, body, deadline, created_at)
				VALUES ($1, $2, 'Giao chuyên viên chủ trì tham mưu xử lý, báo cáo kết quả.', $3, $4) RETURNING id`,
				id, p.place.leader, due, directed).Scan(&dir); err != nil {
				return err
			}
			st := map[string]string{"04": "assigned", "05": "in_progress", "06": "done"}[status]
			progress := map[string]int{"04": 0, "05": 50, "06": 100}[status]
			if _, err := tx.Exec(ctx, `
				INSERT INTO assignments (document_id, direction_id, assignee_user_id, role, status, deadline, progress, result,
					assigned_by, created_at, accepted_at, completed_at)
				VALUES ($1, $2, $3, 'lead', $4, $5, $6, CASE WHEN $4 = 'done' THEN 'Đã tham mưu xử lý xong.' ELSE '' END, $7, $8,
					CASE WHEN $4 <> 'assigned' THEN $8::timestamptz + interval '1 hour' END, $9)`,
				id, dir, p.place.handler, st, due, progress, p.place.leader, directed, completed); err != nil {
				return err
			}
		}
		// Outgoing documents of the province, issued through the year.
		for n := 1; n <= 60; n++ {
			at := yearStart.Add(time.Duration(r.Int64N(int64(now.Sub(yearStart)))))
			k := kinds[r.IntN(3)]
			if _, err := tx.Exec(ctx, `
				INSERT INTO documents (direction, unit_id, status, outgoing_state, outgoing_number, issued_at, issued_date, type_name, type_code,
					code_number, code_notation, symbol, organ_name, organ_unit_id, subject, created_by, created_at, updated_at)
				VALUES ('outgoing', $1, '01', 'issued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $1, $11, $12, $3, $3)`,
				places[0].unit, n, at, vntime.DateOf(at), k.name, k.code, fmt.Sprint(n), k.code+"/TU", fmt.Sprintf("%d-%s/TU", n, k.code),
				places[0].name, k.lead+topics[r.IntN(len(topics))], places[0].clerk); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo documents: %w", err)
	}
	return added, nil
}
