package reports_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/reports"
)

// env is a province with its office and three commune committees that
// report to it, and a commune of another province that does not.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	svc   *reports.Service
	users *identity.Store
	clock time.Time

	province, office, a, b, c, other int64

	provLeader, provClerk, provHandler, officeLeader access.Subject
	leaderA, leaderB, leaderC, handlerA              access.Subject
	otherLeader                                      access.Subject
}

var vn = time.FixedZone("ICT", 7*3600)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewPool(t)
	if _, err := calendar.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, db: db, users: identity.NewStore(db)}
	e.svc = reports.New(db, s3test.NewStore(t), calendar.New(db))
	e.clock = time.Date(2026, 12, 3, 10, 0, 0, 0, vn)
	e.svc.Now = func() time.Time { return e.clock }

	root := e.unit("Ban Chấp hành Trung ương Đảng", "central", 0, "")
	e.province = e.unit("Tỉnh ủy Thử nghiệm", "province", root, "Tỉnh ủy")
	e.office = e.unit("Văn phòng Tỉnh ủy Thử nghiệm", "body", e.province, "Văn phòng")
	e.a = e.unit("Đảng ủy xã An Bình", "commune", e.province, "Đảng ủy xã")
	e.b = e.unit("Đảng ủy phường Bến Thành", "commune", e.province, "Đảng ủy phường")
	e.c = e.unit("Đảng ủy xã Cát Tiên", "commune", e.province, "Đảng ủy xã")
	otherProvince := e.unit("Tỉnh ủy Khác", "province", root, "Tỉnh ủy")
	e.other = e.unit("Đảng ủy xã Ngoài", "commune", otherProvince, "Đảng ủy xã")

	e.provLeader = e.subject("bithu.tinh", e.province, identity.RoleLeader)
	e.provClerk = e.subject("vanthu.tinh", e.province, identity.RoleClerk)
	e.provHandler = e.subject("chuyenvien.tinh", e.province, identity.RoleHandler)
	e.officeLeader = e.subject("chanhvp", e.office, identity.RoleLeader)
	e.leaderA = e.subject("bithu.a", e.a, identity.RoleLeader)
	e.handlerA = e.subject("chuyenvien.a", e.a, identity.RoleHandler)
	e.leaderB = e.subject("bithu.b", e.b, identity.RoleLeader)
	e.leaderC = e.subject("bithu.c", e.c, identity.RoleLeader)
	e.otherLeader = e.subject("bithu.ngoai", e.other, identity.RoleLeader)
	return e
}

func (e *env) unit(name, level string, parent int64, kind string) int64 {
	e.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO units (name, level, kind, parent_id, valid_from) VALUES ($1, $2, $3, $4, '2025-07-01') RETURNING id`,
		name, level, kind, p).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) subject(login string, unit int64, role identity.Role) access.Subject {
	e.t.Helper()
	u, err := e.users.Create(e.ctx, e.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "mat-khau-thu-2026", Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.users.AddMembership(e.ctx, e.db, u.ID, unit, role, ""); err != nil {
		e.t.Fatal(err)
	}
	return e.reload(u.ID)
}

// reload rebuilds a subject (after memberships change).
func (e *env) reload(userID int64) access.Subject {
	e.t.Helper()
	u, err := e.users.Get(e.ctx, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.users.Memberships(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := access.Load(e.ctx, e.db, u, ms, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func actor(s access.Subject) audit.Actor { return audit.Actor{UserID: s.UserID, Login: s.Login} }

// monthly is the template the tests use: a monthly report from every
// commune of the province, due five working days after the month.
func monthly() reports.TemplateInput {
	return reports.TemplateInput{
		Name:            "Báo cáo tình hình công tác xây dựng Đảng hằng tháng",
		Description:     "Số liệu tính đến hết ngày cuối tháng.",
		PeriodKind:      reports.PeriodMonth,
		DueRule:         reports.DueWorkingDays,
		DueN:            5,
		RecipientsKind:  "subtree",
		RecipientsLevel: "commune",
		StartsOn:        time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Fields: []reports.Field{
			{Label: "Số đảng viên mới kết nạp", Kind: reports.KindNumber, Unit: "người", Min: "0", Required: true},
			{Label: "Kinh phí hoạt động", Kind: reports.KindNumber, Unit: "triệu đồng", Decimals: 2, Min: "0", Max: "1.000.000"},
			{Label: "Tình hình chung", Kind: reports.KindText, Required: true},
			{Label: "Các cuộc họp", Kind: reports.KindTable, Columns: []reports.Column{
				{Label: "Nội dung", Kind: reports.KindText}, {Label: "Số người dự", Kind: reports.KindNumber, Unit: "người"}}},
			{Label: "Biên bản kèm theo", Kind: reports.KindAttachment},
		},
	}
}

func (e *env) create(in reports.TemplateInput) reports.Template {
	e.t.Helper()
	tpl, err := e.svc.CreateTemplate(e.ctx, e.provClerk, actor(e.provClerk), in)
	if err != nil {
		e.t.Fatalf("create template: %v", err)
	}
	return tpl
}

// period returns the template's period with label.
func (e *env) period(tpl reports.Template, label string) reports.Period {
	e.t.Helper()
	ps, err := e.svc.Periods(e.ctx, e.provClerk, tpl.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Label == label {
			return p
		}
	}
	e.t.Fatalf("no period %q among %+v", label, ps)
	return reports.Period{}
}

// submission returns unit's submission in period.
func (e *env) submission(period, unit int64) int64 {
	e.t.Helper()
	var id int64
	if err := e.db.QueryRow(e.ctx, `SELECT id FROM report_submissions WHERE period_id = $1 AND unit_id = $2`, period, unit).Scan(&id); err != nil {
		e.t.Fatalf("submission of unit %d in period %d: %v", unit, period, err)
	}
	return id
}

func vals(kv ...string) reports.Values {
	v := reports.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = reports.Value{Text: kv[i+1]}
	}
	return v
}

func (e *env) send(sub access.Subject, id int64, v reports.Values) reports.SubmitResult {
	e.t.Helper()
	res, err := e.svc.Submit(e.ctx, sub, actor(sub), id, v)
	if err != nil {
		e.t.Fatalf("submit %d: %v", id, err)
	}
	return res
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != kind {
		t.Fatalf("error = %v, want kind %v", err, kind)
	}
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("error = %v, want not found", err)
	}
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// equalDecimal compares decimals exactly.
func equalDecimal(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}
