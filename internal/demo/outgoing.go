package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
	"vanthu/internal/registry"
)

// seedOutgoing adds outgoing documents of the demo province at different
// stages: a draft being written, a classified report waiting for the
// format check, a notice signed and waiting to be issued, and a letter
// issued to two communes, one of which has registered it. They carry no
// files: `make run` seeds before its object store starts (a classified
// draft never has any), so the circuit shown with content is the
// classified one. Seeding again changes nothing.
func seedOutgoing(ctx context.Context, pool *pgxpool.Pool, units map[string]int64) error {
	var existing int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE direction = 'outgoing' AND unit_id = $1`, units["province"]).Scan(&existing); err != nil {
		return err
	}
	if existing > 0 {
		return nil
	}
	users := identity.NewStore(pool)
	subject := func(login string) (access.Subject, audit.Actor, error) {
		u, err := users.GetByLogin(ctx, login)
		if err != nil {
			return access.Subject{}, audit.Actor{}, fmt.Errorf("demo outgoing: %s: %w", login, err)
		}
		ms, err := users.Memberships(ctx, u.ID)
		if err != nil {
			return access.Subject{}, audit.Actor{}, err
		}
		sub, err := access.Load(ctx, pool, u, ms, units["province"])
		return sub, audit.Actor{UserID: u.ID, Login: u.Login, UnitID: sub.ActingUnit}, err
	}
	// The office's specialist and the head of its general department draft
	// for the provincial committee.
	for _, m := range []struct{ login, title string }{
		{"chuyenvien.th", "Chuyên viên Văn phòng Tỉnh ủy"}, {"truongphong.th", "Trưởng phòng Tổng hợp, Văn phòng Tỉnh ủy"},
	} {
		u, err := users.GetByLogin(ctx, m.login)
		if err != nil {
			return fmt.Errorf("demo outgoing: %s: %w", m.login, err)
		}
		if err := users.AddMembership(ctx, pool, u.ID, units["province"], identity.RoleHandler, m.title); err != nil {
			return err
		}
	}
	drafter, drafterA, err := subject("chuyenvien.th")
	if err != nil {
		return err
	}
	head, headA, err := subject("truongphong.th")
	if err != nil {
		return err
	}
	chief, chiefA, err := subject("chanhvp")
	if err != nil {
		return err
	}
	secretary, secretaryA, err := subject("bithu.tinh")
	if err != nil {
		return err
	}
	clerk, clerkA, err := subject("vanthu.tinh")
	if err != nil {
		return err
	}
	commune1Clerk, commune1ClerkA, err := subject("vanthu.xa1")
	if err != nil {
		return err
	}
	svc := outgoing.New(pool, nil, registry.NewStore(pool), "party", false)
	communes := []outgoing.Recipient{{UnitID: units["commune1"]}, {UnitID: units["commune2"]}}
	draft := func(sub access.Subject, a audit.Actor, in outgoing.DraftInput) (outgoing.Draft, error) {
		in.UnitID = units["province"]
		in.SignerUserID = secretary.UserID
		in.SignerPosition, in.SignerFullName = "T/M Ban Thường vụ, Bí thư", "Hoàng Văn Bình"
		d, err := svc.CreateDraft(ctx, sub, a, in, nil)
		if err != nil {
			return d, fmt.Errorf("demo outgoing %q: %w", in.Subject, err)
		}
		return d, nil
	}

	// Being written.
	if _, err := draft(drafter, drafterA, outgoing.DraftInput{TypeName: "Kế hoạch",
		Subject:    "Kế hoạch tổ chức Hội nghị sơ kết 6 tháng đầu năm 2026 của Ban Chấp hành Đảng bộ tỉnh",
		Recipients: append(communes, outgoing.Recipient{OrganName: "Sở Nội vụ tỉnh Lào Cai"})}); err != nil {
		return err
	}

	// Classified (metadata only): agreed by the Chief of Office, waiting
	// for the format check.
	secret, err := draft(head, headA, outgoing.DraftInput{TypeName: "Báo cáo", Confidentiality: identity.ClearanceMat, Priority: "khan",
		Subject:    "Báo cáo tình hình an ninh chính trị nội bộ quý II năm 2026",
		Recipients: []outgoing.Recipient{{OrganName: "Văn phòng Trung ương Đảng"}}})
	if err != nil {
		return err
	}
	if _, err := svc.Submit(ctx, head, headA, secret.ID, outgoing.SubmitInput{SignerID: secretary.UserID,
		Steps: [][]int64{{chief.UserID}}, Note: "Kính trình đồng chí Chánh Văn phòng cho ý kiến."}); err != nil {
		return fmt.Errorf("demo outgoing: submit: %w", err)
	}
	if _, err := svc.Review(ctx, chief, chiefA, secret.ID, true, "Nhất trí, đề nghị văn phòng kiểm tra thể thức."); err != nil {
		return fmt.Errorf("demo outgoing: review: %w", err)
	}

	// Signed, waiting to be issued.
	notice, err := draft(drafter, drafterA, outgoing.DraftInput{TypeName: "Thông báo",
		Subject: "Thông báo kết luận của Ban Thường vụ Tỉnh ủy tại hội nghị tháng 6 năm 2026", Recipients: communes})
	if err != nil {
		return err
	}
	if _, err := svc.Approve(ctx, secretary, secretaryA, notice.ID); err != nil {
		return fmt.Errorf("demo outgoing: approve: %w", err)
	}

	// Issued to two communes; the first has registered it.
	letter, err := draft(drafter, drafterA, outgoing.DraftInput{TypeName: "Công văn", Priority: "khan",
		Subject:    "Về việc đẩy mạnh chuyển đổi số trong các cơ quan Đảng năm 2026",
		Recipients: append(communes, outgoing.Recipient{OrganName: "Sở Khoa học và Công nghệ tỉnh Lào Cai"})})
	if err != nil {
		return err
	}
	if _, err := svc.Approve(ctx, secretary, secretaryA, letter.ID); err != nil {
		return fmt.Errorf("demo outgoing: approve: %w", err)
	}
	issued, err := svc.Issue(ctx, clerk, clerkA, letter.ID)
	if err != nil {
		return fmt.Errorf("demo outgoing: issue: %w", err)
	}
	if len(issued.Delivered) > 0 && issued.Delivered[0].DeliveredDocumentID != nil {
		if _, err := svc.RegisterDelivered(ctx, commune1Clerk, commune1ClerkA, *issued.Delivered[0].DeliveredDocumentID, 0); err != nil {
			return fmt.Errorf("demo outgoing: register: %w", err)
		}
	}
	return nil
}
