package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/reports"
)

// DemoReportName is the demo's monthly report template.
const DemoReportName = "Báo cáo kết quả công tác xây dựng Đảng hằng tháng"

// SeedReports adds a monthly report the province asks of every commune,
// opened three months back: earlier months sent and accepted by a dozen
// communes, last month with one commune on time, one late and most not
// sent yet (overdue, to remind), this month a draft. It also opens an ad hoc
// report to the two demo communes. It does nothing when the template exists.
func SeedReports(ctx context.Context, pool *pgxpool.Pool) error {
	var province int64
	if err := pool.QueryRow(ctx, `SELECT id FROM units WHERE level = 'province' AND code = $1 AND valid_to IS NULL`, ProvinceCode).Scan(&province); err != nil {
		return fmt.Errorf("demo province: %w", err)
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM report_templates WHERE issuer_unit_id = $1 AND name = $2)`, province, DemoReportName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	users := identity.NewStore(pool)
	subject := func(login string) (access.Subject, audit.Actor, error) {
		u, err := users.GetByLogin(ctx, login)
		if err != nil {
			return access.Subject{}, audit.Actor{}, fmt.Errorf("demo user %s: %w", login, err)
		}
		ms, err := users.Memberships(ctx, u.ID)
		if err != nil {
			return access.Subject{}, audit.Actor{}, err
		}
		sub, err := access.Load(ctx, pool, u, ms, 0)
		return sub, audit.Actor{UserID: u.ID, Login: u.Login, UnitID: sub.ActingUnit, RequestID: "demo-seed"}, err
	}
	clerk, clerkA, err := subject("vanthu.tinh")
	if err != nil {
		return err
	}
	leader, leaderA, err := subject("bithu.tinh")
	if err != nil {
		return err
	}
	// Communes without demo accounts report through the administrator.
	admin, adminA, err := subject("admin")
	if err != nil {
		return err
	}
	xa1, xa1A, err := subject("bithu.xa1")
	if err != nil {
		return err
	}
	xa2, xa2A, err := subject("bithu.xa2")
	if err != nil {
		return err
	}
	drafter, drafterA, err := subject("chuyenvien.xa1")
	if err != nil {
		return err
	}

	svc := reports.New(pool, nil, calendar.New(pool))
	now := time.Now()
	clock := now
	svc.Now = func() time.Time { return clock }
	today := vntime.DateOf(now)
	first := time.Date(today.Year(), today.Month()-3, 1, 0, 0, 0, 0, time.UTC)
	tpl, err := svc.CreateTemplate(ctx, clerk, clerkA, reports.TemplateInput{
		IssuerUnitID: province, Name: DemoReportName,
		Description: "Số liệu tính đến hết ngày cuối tháng. Ghi số nguyên với số người; kinh phí ghi đến hai chữ số thập phân (ví dụ 125,50).",
		PeriodKind:  reports.PeriodMonth, DueRule: reports.DueWorkingDays, DueN: 5,
		RecipientsKind: "subtree", RecipientsLevel: "commune", StartsOn: first,
		Fields: []reports.Field{
			{Label: "Số đảng viên mới kết nạp", Kind: reports.KindNumber, Unit: "người", Min: "0", Required: true},
			{Label: "Số đảng viên được miễn sinh hoạt", Kind: reports.KindNumber, Unit: "người", Min: "0"},
			{Label: "Kinh phí hoạt động đã sử dụng", Kind: reports.KindNumber, Unit: "triệu đồng", Min: "0", Decimals: 2},
			{Label: "Tình hình chung, kết quả nổi bật", Kind: reports.KindText, Required: true},
			{Label: "Hội nghị, sinh hoạt chuyên đề", Kind: reports.KindTable, Columns: []reports.Column{
				{Label: "Nội dung", Kind: reports.KindText}, {Label: "Số người dự", Kind: reports.KindNumber, Unit: "người"}}},
			{Label: "Tài liệu kèm theo", Kind: reports.KindAttachment},
		},
	})
	if err != nil {
		return fmt.Errorf("demo report template: %w", err)
	}
	periods, err := svc.Periods(ctx, clerk, tpl.ID)
	if err != nil {
		return err
	}
	var communes []int64
	rows, _ := pool.Query(ctx, `SELECT u.id FROM units u WHERE u.level = 'commune' AND u.parent_id = $1 AND u.valid_to IS NULL ORDER BY u.code, u.id`, province)
	if communes, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	if len(communes) < 2 {
		return errors.New("demo reports: the province has fewer than two communes")
	}
	submissionOf := func(period, unit int64) (int64, error) {
		var id int64
		err := pool.QueryRow(ctx, `SELECT id FROM report_submissions WHERE period_id = $1 AND unit_id = $2`, period, unit).Scan(&id)
		return id, err
	}
	values := func(unit int64, k int) reports.Values {
		n := int(unit)
		return reports.Values{
			"f1": {Text: fmt.Sprint((n*7 + k*3) % 15)},
			"f2": {Text: fmt.Sprint((n*3 + k) % 4)},
			"f3": {Text: fmt.Sprintf("%d,%02d", (n*13+k*29)%900+50, (n*17+k)%100)},
			"f4": {Text: "Các chi bộ duy trì sinh hoạt định kỳ; triển khai kịp thời các văn bản của cấp trên."},
			"f5": {Rows: []map[string]string{{"c1": "Sinh hoạt chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "c2": fmt.Sprint(20 + (n+k)%30)}}},
		}
	}
	// who sends for a commune: its demo leader, else the administrator.
	who := func(unit int64) (access.Subject, audit.Actor) {
		switch unit {
		case communes[0]:
			return xa1, xa1A
		case communes[1]:
			return xa2, xa2A
		}
		return admin, adminA
	}
	submit := func(p reports.Period, unit int64, k int, at time.Time) error {
		id, err := submissionOf(p.ID, unit)
		if err != nil {
			return fmt.Errorf("demo submission of unit %d: %w", unit, err)
		}
		clock = at
		sub, act := who(unit)
		_, err = svc.Submit(ctx, sub, act, id, values(unit, k))
		return err
	}
	accept := func(p reports.Period, unit int64, at time.Time) error {
		id, err := submissionOf(p.ID, unit)
		if err != nil {
			return err
		}
		clock = at
		return svc.Accept(ctx, leader, leaderA, id, "Đạt yêu cầu.")
	}
	onTime := func(p reports.Period, hour int) time.Time {
		return time.Date(p.DueDate.Year(), p.DueDate.Month(), p.DueDate.Day()-1, hour, 0, 0, 0, vntime.Zone)
	}
	// Periods come newest first: this month, last month, then earlier.
	for i := len(periods) - 1; i >= 0; i-- {
		p := periods[i]
		k := len(periods) - i
		switch {
		case i >= 2: // older months: a dozen communes sent and were accepted
			for j, unit := range communes[:min(12, len(communes))] {
				if err := submit(p, unit, k, onTime(p, 8+j%9)); err != nil {
					return err
				}
				if err := accept(p, unit, onTime(p, 18).Add(24*time.Hour)); err != nil {
					return err
				}
			}
		case i == 1: // last month: one on time and accepted, one late, a few more; the rest overdue
			if p.DueDate.Before(today) {
				if err := submit(p, communes[0], k, onTime(p, 9)); err != nil {
					return err
				}
				if err := accept(p, communes[0], onTime(p, 16)); err != nil {
					return err
				}
				if err := submit(p, communes[1], k, onTime(p, 10).Add(72*time.Hour)); err != nil {
					return err
				}
				for j, unit := range communes[2:min(8, len(communes))] {
					if err := submit(p, unit, k, onTime(p, 8+j)); err != nil {
						return err
					}
				}
			}
		case i == 0: // this month: commune 1's specialist has started a draft
			id, err := submissionOf(p.ID, communes[0])
			if err != nil {
				return err
			}
			clock = now
			v := values(communes[0], k)
			delete(v, "f4")
			if _, err := svc.SaveDraft(ctx, drafter, drafterA, id, v); err != nil {
				return err
			}
		}
	}
	clock = now

	// An ad hoc report to the two demo communes, due in five working days.
	adhoc, err := svc.CreateTemplate(ctx, clerk, clerkA, reports.TemplateInput{
		IssuerUnitID: province, Name: "Báo cáo nhanh thiệt hại do mưa lũ",
		PeriodKind: reports.PeriodAdHoc, RecipientsKind: "list", RecipientUnits: communes[:2],
		Fields: []reports.Field{
			{Label: "Số hộ đảng viên bị thiệt hại", Kind: reports.KindNumber, Unit: "hộ", Min: "0", Required: true},
			{Label: "Ước tính thiệt hại", Kind: reports.KindNumber, Unit: "triệu đồng", Min: "0", Decimals: 1},
			{Label: "Công tác khắc phục", Kind: reports.KindText, Required: true},
		},
	})
	if err != nil {
		return fmt.Errorf("demo ad hoc template: %w", err)
	}
	due, err := calendar.New(pool).AddWorkingDays(ctx, today, 5)
	if err != nil {
		return err
	}
	if _, err := svc.OpenAdHoc(ctx, clerk, clerkA, adhoc.ID, reports.AdHocInput{Label: "Đợt 1/" + fmt.Sprint(today.Year()),
		StartsOn: today.AddDate(0, 0, -7), EndsOn: today, DueDate: due}); err != nil {
		return fmt.Errorf("demo ad hoc period: %w", err)
	}
	return nil
}
