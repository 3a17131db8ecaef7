package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/registry"
	"vanthu/internal/tasks"
)

// SeedTasks gives the demo province some work to show: tasks in every
// state, one overdue, one with an extension request waiting, one waiting
// for acceptance, and a directive (chỉ thị) tracked as a directing
// document with its tasks. It runs once: when any task exists it does
// nothing and returns 0. Seed must have run first.
func SeedTasks(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks)`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("demo tasks: %w", err)
	}
	if exists {
		return 0, nil
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
		return sub, audit.Actor{UserID: u.ID, Login: u.Login, UnitID: sub.ActingUnit, RequestID: "demo"}, err
	}
	bithu, bithuA, err := subject("bithu.tinh")
	if err != nil {
		return 0, err
	}
	chanh, chanhA, err := subject("chanhvp")
	if err != nil {
		return 0, err
	}
	tp, tpA, err := subject("truongphong.th")
	if err != nil {
		return 0, err
	}
	cv, cvA, err := subject("chuyenvien.th")
	if err != nil {
		return 0, err
	}
	clerk, clerkA, err := subject("vanthu.tinh")
	if err != nil {
		return 0, err
	}
	unitOf := func(sub access.Subject) int64 { return sub.ActingUnit }
	cal := calendar.New(pool)
	svc := tasks.New(pool, nil, cal)
	today := tasks.Today()
	ago := func(n int) *time.Time {
		d := today.AddDate(0, 0, -n)
		return &d
	}
	days := func(n int) *int { return &n }
	person := func(s access.Subject, role string) tasks.AssigneeInput {
		return tasks.AssigneeInput{Target: tasks.Target{UserID: s.UserID}, Role: role}
	}
	unit := func(id int64, role string) tasks.AssigneeInput {
		return tasks.AssigneeInput{Target: tasks.Target{UnitID: id}, Role: role}
	}
	n := 0
	give := func(sub access.Subject, a audit.Actor, in tasks.CreateInput) (tasks.Task, error) {
		t, err := svc.Create(ctx, sub, a, in)
		if err != nil {
			return t, fmt.Errorf("demo task %q: %w", in.Title, err)
		}
		n++
		return t, nil
	}

	// The office: a meeting to prepare, in progress.
	t1, err := give(chanh, chanhA, tasks.CreateInput{Title: "Chuẩn bị tài liệu hội nghị Ban Thường vụ Tỉnh ủy tháng này",
		Description: "Tổng hợp báo cáo của các ban, dự thảo chương trình hội nghị, gửi tài liệu trước 3 ngày làm việc.", Priority: "high",
		Assignees: []tasks.AssigneeInput{person(cv, tasks.RoleLead)}, StartDate: ago(3), DueInWorkingDays: days(5)})
	if err != nil {
		return n, err
	}
	p := 60
	if _, err := svc.Progress(ctx, cv, cvA, t1.ID, tasks.ProgressInput{Percent: &p, Note: "Đã nhận đủ báo cáo của 4/5 ban; đang dự thảo chương trình."}); err != nil {
		return n, err
	}
	// Overdue, with a subtask done and an extension request waiting.
	t2, err := give(tp, tpA, tasks.CreateInput{Title: "Tổng hợp số liệu đảng viên mới 6 tháng đầu năm",
		Assignees: []tasks.AssigneeInput{person(cv, tasks.RoleLead)}, StartDate: ago(20), DueInWorkingDays: days(8)})
	if err != nil {
		return n, err
	}
	p = 70
	if _, err := svc.Progress(ctx, cv, cvA, t2.ID, tasks.ProgressInput{Percent: &p, Note: "Còn 2 đảng ủy xã chưa gửi số liệu."}); err != nil {
		return n, err
	}
	ext := today.AddDate(0, 0, 7)
	if _, err := svc.RequestExtension(ctx, cv, cvA, t2.ID, tasks.ExtensionInput{DueDate: &ext, Reason: "Chờ số liệu của Đảng ủy xã còn thiếu."}); err != nil {
		return n, err
	}
	// Waiting for acceptance.
	t3, err := give(tp, tpA, tasks.CreateInput{Title: "Dự thảo báo cáo tình hình tư tưởng cán bộ, đảng viên quý này",
		Assignees: []tasks.AssigneeInput{person(cv, tasks.RoleLead)}, StartDate: ago(10), DueInWorkingDays: days(10)})
	if err != nil {
		return n, err
	}
	if _, err := svc.Complete(ctx, cv, cvA, t3.ID, "Đã hoàn thành dự thảo, trình đồng chí Trưởng phòng."); err != nil {
		return n, err
	}
	// Done and accepted.
	t4, err := give(chanh, chanhA, tasks.CreateInput{Title: "Rà soát danh mục hồ sơ năm của Văn phòng",
		Assignees: []tasks.AssigneeInput{person(tp, tasks.RoleLead), person(cv, tasks.RoleCooperate)}, StartDate: ago(30), DueInWorkingDays: days(10)})
	if err != nil {
		return n, err
	}
	if _, err := svc.Complete(ctx, tp, tpA, t4.ID, "Đã rà soát, bổ sung 12 hồ sơ."); err != nil {
		return n, err
	}
	if _, err := svc.Accept(ctx, chanh, chanhA, t4.ID, "Tốt."); err != nil {
		return n, err
	}

	// A directive, registered and tracked as directing, with its tasks.
	docs := documents.NewService(pool, nil, registry.NewStore(pool), "party", false)
	issued := today.AddDate(0, 0, -12)
	reg, err := docs.RegisterIncoming(ctx, clerk, clerkA, documents.IncomingInput{UnitID: unitOf(clerk), TypeName: "Chỉ thị",
		CodeNumber: "42", CodeNotation: "CT/TU", IssuedDate: &issued, OrganName: "Ban Thường vụ Tỉnh ủy",
		Subject: "Về tăng cường công tác chuyển đổi số trong các cơ quan Đảng", Priority: "thuong",
		Confidentiality: identity.ClearanceNone, SignerPosition: "Bí thư", SignerFullName: "Hoàng Văn Bình"}, nil, true)
	if err != nil {
		return n, fmt.Errorf("demo directive: %w", err)
	}
	doc := reg.Document.ID
	d1, err := give(bithu, bithuA, tasks.CreateInput{Title: "Xây dựng kế hoạch triển khai Chỉ thị 42-CT/TU", DocumentID: doc, Priority: "urgent",
		Assignees: []tasks.AssigneeInput{unit(unitOf(chanh), tasks.RoleLead), unit(unitOf(tp), tasks.RoleCooperate)},
		StartDate: ago(10), DueInWorkingDays: days(15)})
	if err != nil {
		return n, err
	}
	p = 40
	if _, err := svc.Progress(ctx, chanh, chanhA, d1.ID, tasks.ProgressInput{Percent: &p, Note: "Đã xin ý kiến các ban về dự thảo kế hoạch."}); err != nil {
		return n, err
	}
	if _, err := give(chanh, chanhA, tasks.CreateInput{Title: "Tổng hợp dự thảo kế hoạch từ các ban", ParentID: d1.ID,
		Assignees: []tasks.AssigneeInput{person(tp, tasks.RoleLead)}, StartDate: ago(5), DueInWorkingDays: days(5)}); err != nil {
		return n, err
	}
	d2, err := give(bithu, bithuA, tasks.CreateInput{Title: "Khảo sát hạ tầng công nghệ thông tin của các đảng ủy xã", DocumentID: doc,
		Assignees: []tasks.AssigneeInput{person(cv, tasks.RoleLead)}, StartDate: ago(10), DueInWorkingDays: days(5)})
	if err != nil {
		return n, err
	}
	if _, err := svc.Complete(ctx, cv, cvA, d2.ID, "Đã khảo sát 99 đảng ủy xã, báo cáo kèm theo."); err != nil {
		return n, err
	}
	if _, err := svc.Accept(ctx, bithu, bithuA, d2.ID, ""); err != nil {
		return n, err
	}
	return n, nil
}
