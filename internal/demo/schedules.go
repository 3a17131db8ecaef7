package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
)

// seedSchedules publishes this week's work schedule of the provincial
// committee (kept by its office's clerk) and of the office itself, and
// drafts next week's from the recurring entries. A week that already has a
// schedule is left alone.
func seedSchedules(ctx context.Context, pool *pgxpool.Pool, units map[string]int64) error {
	users := identity.NewStore(pool)
	svc := schedules.New(pool)
	people := map[string]int64{}
	subject := func(login string) (access.Subject, error) {
		u, err := users.GetByLogin(ctx, login)
		if err != nil {
			return access.Subject{}, fmt.Errorf("%s: %w", login, err)
		}
		ms, err := users.Memberships(ctx, u.ID)
		if err != nil {
			return access.Subject{}, err
		}
		return access.Load(ctx, pool, u, ms, 0)
	}
	for _, login := range []string{"bithu.tinh", "chanhvp", "vanthu.tinh", "truongphong.th", "chuyenvien.th", "bithu.xa1"} {
		s, err := subject(login)
		if err != nil {
			return err
		}
		people[login] = s.UserID
	}
	clerk, err := subject("vanthu.tinh")
	if err != nil {
		return err
	}
	chief, err := subject("chanhvp")
	if err != nil {
		return err
	}
	var communeName string
	if err := pool.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, units["commune1"]).Scan(&communeName); err != nil {
		return err
	}

	week := schedules.WeekOf(vntime.Today())
	day := func(i int) string { return week.Start().AddDate(0, 0, i).Format("2006-01-02") }
	ids := func(logins ...string) []int64 {
		out := make([]int64, len(logins))
		for i, l := range logins {
			out[i] = people[l]
		}
		return out
	}
	plans := []struct {
		by      access.Subject
		unit    int64
		entries []schedules.EntryInput
	}{
		{clerk, units["province"], []schedules.EntryInput{
			{Date: day(0), Start: "07:30", End: "09:00", Content: "Chào cờ đầu tuần; giao ban Thường trực Tỉnh ủy",
				Place: "Phòng họp số 1, trụ sở Tỉnh ủy", ChairIDs: ids("bithu.tinh"), AttendeeIDs: ids("chanhvp"),
				AttendeesText: "Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy", PreparerUnit: units["office"], Recurring: true},
			{Date: day(0), Start: "14:00", End: "16:30", Content: "Làm việc với Ban Tổ chức Tỉnh ủy về công tác cán bộ",
				Place: "Phòng họp số 2, trụ sở Tỉnh ủy", ChairIDs: ids("bithu.tinh"), PreparerUnit: units["organisation"]},
			{Date: day(1), Start: "08:00", End: "11:30", Content: "Hội nghị Ban Thường vụ Tỉnh ủy cho ý kiến về dự thảo báo cáo chính trị",
				Place: "Hội trường Tỉnh ủy", ChairIDs: ids("bithu.tinh"), AttendeeIDs: ids("chanhvp", "truongphong.th"),
				AttendeesText: "Thường trực HĐND, UBND tỉnh; trưởng các ban đảng Tỉnh ủy", PreparerUnit: units["office"],
				PreparerUser: people["truongphong.th"], PreparerText: "Văn phòng chuẩn bị tài liệu, hội trường"},
			{Date: day(2), Start: "08:00", Content: "Đi cơ sở: làm việc với Ban Thường vụ " + communeName,
				Place: "Trụ sở " + communeName, ChairIDs: ids("bithu.tinh"), AttendeeIDs: ids("bithu.xa1"),
				PreparerUnit: units["commune1"], Notes: "Xe xuất phát lúc 06:30 tại trụ sở Tỉnh ủy"},
			{Date: day(3), Start: "14:00", End: "17:00", Content: "Tiếp công dân định kỳ", Place: "Trụ sở Tiếp công dân tỉnh",
				ChairIDs: ids("bithu.tinh"), PreparerUnit: units["internal"], Recurring: true},
			{Date: day(4), Start: "15:00", Content: "Họp Thường trực Tỉnh ủy nghe báo cáo tình hình kinh tế – xã hội trong tuần",
				Place: "Phòng họp số 1, trụ sở Tỉnh ủy", ChairIDs: ids("bithu.tinh"), AttendeeIDs: ids("chanhvp"), PreparerUnit: units["office"]},
		}},
		{chief, units["office"], []schedules.EntryInput{
			{Date: day(0), Start: "09:30", End: "10:30", Content: "Giao ban Văn phòng Tỉnh ủy", Place: "Phòng họp Văn phòng",
				ChairIDs: ids("chanhvp"), AttendeeIDs: ids("truongphong.th", "chuyenvien.th", "vanthu.tinh"), Recurring: true},
			{Date: day(3), Start: "08:00", End: "11:00", Content: "Kiểm tra công tác văn thư, lưu trữ tại Phòng Hành chính – Lưu trữ",
				Place: "Phòng Hành chính – Lưu trữ", ChairIDs: ids("chanhvp"), AttendeeIDs: ids("vanthu.tinh"), PreparerUnit: units["admin"]},
		}},
	}
	for _, plan := range plans {
		sch, err := svc.Week(ctx, plan.by, plan.unit, week)
		if err != nil {
			return err
		}
		if sch.ID != 0 {
			continue
		}
		actor := audit.Actor{UserID: plan.by.UserID, Login: plan.by.Login, UnitID: plan.unit}
		for _, in := range plan.entries {
			in.UnitID = plan.unit
			if _, err := svc.CreateEntry(ctx, plan.by, actor, in); err != nil {
				return fmt.Errorf("entry %q: %w", in.Content, err)
			}
		}
		if _, _, err := svc.Publish(ctx, plan.by, actor, plan.unit, week); err != nil {
			return err
		}
		// Next week starts as a draft from the recurring entries.
		if _, err := svc.CopyRecurring(ctx, plan.by, actor, plan.unit, week.Next()); err != nil {
			return err
		}
	}
	return nil
}
