package reports_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"vanthu/internal/apperr"
	"vanthu/internal/documents"
	"vanthu/internal/org"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/reports"
)

// Three commune committees submit the monthly report; the province's
// aggregate is their exact sum (decimals included), and the next period
// compares against it.
func TestMonthlyReportAddsUpAcrossCommunes(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	if tpl.CurrentVersion != 1 || len(tpl.Fields) != 5 || tpl.Fields[0].Key != "f1" || tpl.Fields[4].Key != "f5" {
		t.Fatalf("template = %+v", tpl)
	}
	if tpl.Fields[1].Max != "1000000" || tpl.Fields[3].Columns[1].Key != "c2" {
		t.Fatalf("bounds and column keys not normalised: %+v", tpl.Fields)
	}

	// Today is 3 December 2026: November and December are open.
	ps, err := e.svc.Periods(e.ctx, e.provClerk, tpl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Label != "Tháng 12/2026" || ps[1].Label != "Tháng 11/2026" {
		t.Fatalf("periods = %+v", ps)
	}
	nov := ps[1]
	// 30/11/2026 is a Monday: five working days later is Monday 7/12.
	if got := nov.DueDate.Format(time.DateOnly); got != "2026-12-07" {
		t.Fatalf("due date = %s", got)
	}
	if nov.Expected != 3 {
		t.Fatalf("expected units = %d, want the three communes only", nov.Expected)
	}

	figures := []struct {
		unit         int64
		members, fee string
	}{
		{e.a, "12", "1.250,75"},
		{e.b, "7", "980,5"},
		{e.c, "1.003", "0,25"},
	}
	for i, f := range figures {
		leader := e.leaderA
		switch i {
		case 1:
			leader = e.leaderB
		case 2:
			leader = e.leaderC
		}
		id := e.submission(nov.ID, f.unit)
		res := e.send(leader, id, vals("f1", f.members, "f2", f.fee, "f3", "Tình hình ổn định."))
		if res.Status != reports.StatusSubmitted || res.Revision != 1 || res.Late {
			t.Fatalf("unit %d: %+v", f.unit, res)
		}
	}

	ag, err := e.svc.AggregatePeriod(e.ctx, e.provLeader, nov.ID, reports.AggregateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ag.Counted != 3 || len(ag.Units) != 3 {
		t.Fatalf("counted %d, units %d", ag.Counted, len(ag.Units))
	}
	byKey := map[string]reports.FieldTotal{}
	for _, f := range ag.Fields {
		byKey[f.Key] = f
	}
	if len(ag.Fields) != 2 {
		t.Fatalf("number fields = %+v", ag.Fields)
	}
	m, fee := byKey["f1"], byKey["f2"]
	if !equalDecimal(m.Sum, "1022") || m.Count != 3 || !equalDecimal(m.Min, "7") || !equalDecimal(m.Max, "1003") || !equalDecimal(m.Avg, "340.67") {
		t.Fatalf("members = %+v", m)
	}
	// 1250.75 + 980.5 + 0.25 = 2231.5 exactly (a float sum would be too, but
	// the value went through numeric the whole way).
	if !equalDecimal(fee.Sum, "2231.5") || reports.FormatNumber(fee.Sum) != "2.231,5" {
		t.Fatalf("fee = %+v", fee)
	}
	var sql string
	if err := e.db.QueryRow(e.ctx, `SELECT sum(v.value)::text FROM report_values v JOIN report_submissions s ON s.id = v.submission_id
		WHERE s.period_id = $1 AND v.field_key = 'f2'`, nov.ID).Scan(&sql); err != nil || !equalDecimal(sql, fee.Sum) {
		t.Fatalf("SQL sum %s, aggregate %s (%v)", sql, fee.Sum, err)
	}
	for _, u := range ag.Units {
		if !u.Counted || u.Values["f1"] == "" {
			t.Fatalf("unit figures = %+v", u)
		}
	}

	// The office leader sees the same; accepted-only counts nothing yet.
	ag2, err := e.svc.AggregatePeriod(e.ctx, e.officeLeader, nov.ID, reports.AggregateOptions{AcceptedOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if ag2.Counted != 0 || ag2.Fields[0].Sum != "" {
		t.Fatalf("accepted only = %+v", ag2.Fields)
	}

	// December compares with November.
	dec := e.period(tpl, "Tháng 12/2026")
	e.send(e.leaderA, e.submission(dec.ID, e.a), vals("f1", "15", "f2", "1.000", "f3", "Tốt."))
	ag3, err := e.svc.AggregatePeriod(e.ctx, e.provLeader, dec.ID, reports.AggregateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ag3.Previous == nil || ag3.Previous.ID != nov.ID {
		t.Fatalf("previous = %+v", ag3.Previous)
	}
	f1 := ag3.Fields[0]
	if !equalDecimal(f1.PrevSum, "1022") || f1.Diff != "-1007" || f1.Pct != "-98.5" {
		t.Fatalf("comparison = %+v", f1)
	}
	for _, u := range ag3.Units {
		if u.UnitID == e.a && (u.Previous["f1"] != "12" || u.Values["f1"] != "15") {
			t.Fatalf("unit A: %+v", u)
		}
	}

	// The compliance view dashboards read agrees.
	if n := e.count(`SELECT count(*) FROM report_compliance WHERE period_id = $1 AND compliance = 'on_time'`, nov.ID); n != 3 {
		t.Fatalf("on time = %d", n)
	}
}

// A unit that sends after the due date is flagged late; one that sends
// nothing is overdue and reminded, and repeated reminders show.
func TestLateUnitFlaggedAndReminded(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	nov := e.period(tpl, "Tháng 11/2026")
	e.send(e.leaderA, e.submission(nov.ID, e.a), vals("f1", "1", "f3", "Đúng hạn."))

	e.clock = time.Date(2026, 12, 9, 8, 30, 0, 0, vn) // after the due date, 7/12
	res := e.send(e.leaderB, e.submission(nov.ID, e.b), vals("f1", "2", "f3", "Muộn."))
	if !res.Late {
		t.Fatalf("B sent on 9/12 for a 7/12 deadline: %+v", res)
	}
	p, _, err := e.svc.GetPeriod(e.ctx, e.provClerk, nov.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Late != 1 || p.Overdue != 1 || p.Pending != 1 || p.Submitted != 2 {
		t.Fatalf("counts = %+v", p.Counts)
	}
	page, err := e.svc.Rows(e.ctx, e.provClerk, nov.ID, reports.RowFilter{State: reports.StateLate})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].UnitID != e.b || !page.Items[0].Late() {
		t.Fatalf("late rows = %+v", page.Items)
	}
	page, err = e.svc.Rows(e.ctx, e.provClerk, nov.ID, reports.RowFilter{State: reports.StateMissing})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].UnitID != e.c || !page.Items[0].Overdue(time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("missing rows = %+v", page.Items)
	}

	// A commune leader may not remind; the province clerk may.
	if _, err := e.svc.Remind(e.ctx, e.leaderA, actor(e.leaderA), nov.ID, nil); err == nil {
		t.Fatal("a commune leader reminded")
	}
	for i := 0; i < 2; i++ {
		r, err := e.svc.Remind(e.ctx, e.provClerk, actor(e.provClerk), nov.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Units != 1 || r.Notifications != 1 {
			t.Fatalf("remind = %+v", r)
		}
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'report_reminder' AND title LIKE 'Quá hạn nộp báo cáo (hạn 07/12/2026)%' AND link = $2`,
		e.leaderC.UserID, reports.SubmissionLink(e.submission(nov.ID, e.c))); n != 2 {
		t.Fatalf("C's leader has %d reminders", n)
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE kind = 'report_reminder' AND user_id IN ($1, $2)`, e.leaderA.UserID, e.leaderB.UserID); n != 0 {
		t.Fatalf("units that sent were reminded %d times", n)
	}
	page, err = e.svc.Rows(e.ctx, e.provClerk, nov.ID, reports.RowFilter{State: reports.StateMissing})
	if err != nil || page.Items[0].Reminders != 2 || page.Items[0].LastRemindedAt == nil {
		t.Fatalf("reminders shown = %+v, %v", page.Items, err)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'report.remind' AND actor_id = $1`, e.provClerk.UserID); n != 2 {
		t.Fatalf("audit entries = %d", n)
	}
	if n := e.count(`SELECT count(*) FROM report_compliance WHERE period_id = $1 AND compliance = 'late'`, nov.ID); n != 1 {
		t.Fatalf("late in the compliance view = %d", n)
	}
}

// A drafter hands the report to the unit's leader, who sends it back once
// and then up; the province office's leader returns it with a comment, the
// commune resubmits, the province leader accepts. History keeps it all.
func TestSubmitReturnResubmitAccept(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	nov := e.period(tpl, "Tháng 11/2026")
	id := e.submission(nov.ID, e.a)

	res := e.send(e.handlerA, id, vals("f1", "4", "f3", "Bản nháp của chuyên viên."))
	if res.Status != reports.StatusAwaitingApproval {
		t.Fatalf("a handler's submit = %+v", res)
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'report_approval'`, e.leaderA.UserID); n != 1 {
		t.Fatalf("leader notified %d times", n)
	}
	// Nothing reached the province yet.
	if sm, _ := e.svc.Get(e.ctx, e.provLeader, id); sm.Can.Decide {
		t.Fatal("province may decide on a report still with the commune")
	}
	if err := e.svc.SendBack(e.ctx, e.leaderA, actor(e.leaderA), id, "Bổ sung số liệu kinh phí."); err != nil {
		t.Fatal(err)
	}
	e.send(e.handlerA, id, vals("f1", "4", "f2", "12,5", "f3", "Đã bổ sung."))
	res = e.send(e.leaderA, id, nil)
	if res.Status != reports.StatusSubmitted || res.Revision != 1 {
		t.Fatalf("leader's submit = %+v", res)
	}

	// Not for the commune's leader or the province's clerk to decide.
	wantKind(t, e.svc.Accept(e.ctx, e.leaderA, actor(e.leaderA), id, ""), apperr.KindForbidden)
	wantKind(t, e.svc.Return(e.ctx, e.provClerk, actor(e.provClerk), id, "Sai"), apperr.KindForbidden)
	// A return needs a reason.
	wantKind(t, e.svc.Return(e.ctx, e.officeLeader, actor(e.officeLeader), id, "  "), apperr.KindInvalid)
	if err := e.svc.Return(e.ctx, e.officeLeader, actor(e.officeLeader), id, "Số liệu kinh phí chưa khớp với quyết toán."); err != nil {
		t.Fatal(err)
	}
	sm, err := e.svc.Get(e.ctx, e.leaderA, id)
	if err != nil {
		t.Fatal(err)
	}
	if sm.Status != reports.StatusReturned || !sm.Can.Edit || !sm.Can.Send {
		t.Fatalf("returned = %s %+v", sm.Status, sm.Can)
	}
	if n := e.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'report_returned'`, e.leaderA.UserID); n != 1 {
		t.Fatalf("return notifications = %d", n)
	}
	// Returned numbers are out of the totals until resubmitted.
	ag, _ := e.svc.AggregatePeriod(e.ctx, e.provLeader, nov.ID, reports.AggregateOptions{})
	if ag.Fields[0].Sum != "" {
		t.Fatalf("returned figures counted: %+v", ag.Fields[0])
	}

	res = e.send(e.leaderA, id, vals("f1", "4", "f2", "12,75", "f3", "Đã điều chỉnh theo quyết toán."))
	if res.Status != reports.StatusSubmitted || res.Revision != 2 {
		t.Fatalf("resubmit = %+v", res)
	}
	if err := e.svc.Accept(e.ctx, e.provLeader, actor(e.provLeader), id, "Đạt yêu cầu."); err != nil {
		t.Fatal(err)
	}
	// Accepted is final.
	wantKind(t, e.svc.Return(e.ctx, e.provLeader, actor(e.provLeader), id, "Đổi ý"), apperr.KindConflict)
	if _, err := e.svc.SaveDraft(e.ctx, e.leaderA, actor(e.leaderA), id, vals("f1", "5")); err == nil {
		t.Fatal("an accepted report was edited")
	}

	events, revs, err := e.svc.History(e.ctx, e.provLeader, id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	want := "sent_for_approval,sent_back,sent_for_approval,submitted,returned,submitted,accepted"
	if strings.Join(kinds, ",") != want {
		t.Fatalf("events = %v", kinds)
	}
	if events[4].Comment != "Số liệu kinh phí chưa khớp với quyết toán." {
		t.Fatalf("return comment = %q", events[4].Comment)
	}
	if len(revs) != 2 || revs[0].Data["f2"].Text != "12,75" || revs[1].Data["f2"].Text != "12,5" {
		t.Fatalf("revisions = %+v", revs)
	}
	var value string
	if err := e.db.QueryRow(e.ctx, `SELECT value::text FROM report_values WHERE submission_id = $1 AND field_key = 'f2'`, id).Scan(&value); err != nil || value != "12.75" {
		t.Fatalf("stored value = %q, %v", value, err)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE object_type = 'report_submission' AND object_id = $1 AND action IN ('report.submit', 'report.return', 'report.accept', 'report.send_back', 'report.send_for_approval')`,
		reports.SubmissionLink(id)[len("/reports/submissions/"):]); n != 7 {
		t.Fatalf("audit entries = %d", n)
	}
}

// Who sees what: a unit outside the recipients, and people without the
// role, get nothing (not found) or are refused.
func TestReportAccess(t *testing.T) {
	e := newEnv(t)
	// A handler of the province cannot set up reports.
	_, err := e.svc.CreateTemplate(e.ctx, e.provHandler, actor(e.provHandler), monthly())
	wantKind(t, err, apperr.KindForbidden)
	// Nor can a commune issue to the province's communes.
	in := monthly()
	in.IssuerUnitID = e.province
	_, err = e.svc.CreateTemplate(e.ctx, e.leaderA, actor(e.leaderA), in)
	wantKind(t, err, apperr.KindForbidden)

	// The office leader manages the province's reports (office of the committee).
	in.IssuerUnitID = e.province
	tpl, err := e.svc.CreateTemplate(e.ctx, e.officeLeader, actor(e.officeLeader), in)
	if err != nil {
		t.Fatal(err)
	}
	nov := e.period(tpl, "Tháng 11/2026")
	idA := e.submission(nov.ID, e.a)
	if n := e.count(`SELECT count(*) FROM report_submissions WHERE period_id = $1 AND unit_id = $2`, nov.ID, e.other); n != 0 {
		t.Fatal("a commune of another province was asked to report")
	}

	// The outsider sees none of it.
	_, err = e.svc.GetTemplate(e.ctx, e.otherLeader, tpl.ID)
	wantNotFound(t, err)
	_, _, err = e.svc.GetPeriod(e.ctx, e.otherLeader, nov.ID)
	wantNotFound(t, err)
	_, err = e.svc.Get(e.ctx, e.otherLeader, idA)
	wantNotFound(t, err)
	_, err = e.svc.AggregatePeriod(e.ctx, e.otherLeader, nov.ID, reports.AggregateOptions{})
	wantNotFound(t, err)
	_, err = e.svc.SaveDraft(e.ctx, e.otherLeader, actor(e.otherLeader), idA, vals("f1", "1"))
	wantNotFound(t, err)
	_, err = e.svc.Remind(e.ctx, e.otherLeader, actor(e.otherLeader), nov.ID, nil)
	wantNotFound(t, err)
	page, err := e.svc.ListTemplates(e.ctx, e.otherLeader, reports.TemplateFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("outsider's templates = %+v, %v", page.Items, err)
	}
	todo, err := e.svc.ToDo(e.ctx, e.otherLeader, reports.ItemFilter{})
	if err != nil || len(todo.Items) != 0 {
		t.Fatalf("outsider's to-do = %+v, %v", todo.Items, err)
	}

	// Commune B sees its own report, not A's; A's handler sees A's but not
	// the province's view of the period.
	_, err = e.svc.Get(e.ctx, e.leaderB, idA)
	wantNotFound(t, err)
	if _, err := e.svc.Get(e.ctx, e.handlerA, idA); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.GetPeriod(e.ctx, e.handlerA, nov.ID)
	wantNotFound(t, err)
	todo, err = e.svc.ToDo(e.ctx, e.handlerA, reports.ItemFilter{})
	if err != nil || len(todo.Items) != 2 { // November and December
		t.Fatalf("A's to-do = %+v, %v", todo.Items, err)
	}
	// The province's own handler does not oversee; its leader does.
	_, err = e.svc.GetTemplate(e.ctx, e.provHandler, tpl.ID)
	wantNotFound(t, err)
	if got, err := e.svc.GetTemplate(e.ctx, e.provLeader, tpl.ID); err != nil || !got.CanDecide || !got.CanManage {
		t.Fatalf("province leader: %+v, %v", got, err)
	}
	page, err = e.svc.ListTemplates(e.ctx, e.provClerk, reports.TemplateFilter{Q: "xay dung dang"})
	if err != nil || len(page.Items) != 1 || page.Items[0].Expected != 3 {
		t.Fatalf("search without diacritics = %+v, %v", page.Items, err)
	}
}

// Values are checked field by field with Vietnamese messages; a draft is
// saved whatever was typed, a submission needs everything right.
func TestValidationMessages(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	nov := e.period(tpl, "Tháng 11/2026")
	id := e.submission(nov.ID, e.a)

	v := vals("f1", "2.5", "f2", "1,234")
	v["f4"] = reports.Value{Rows: []map[string]string{{"c1": "Hội nghị quý", "c2": "ba mươi"}, {}}}
	res, err := e.svc.SaveDraft(e.ctx, e.handlerA, actor(e.handlerA), id, v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"f1":       "Dùng dấu phẩy (,) trước phần thập phân và dấu chấm (.) để phân cách hàng nghìn, ví dụ 2,5 hoặc 1.250.",
		"f2":       "Tối đa 2 chữ số sau dấu phẩy.",
		"f4[0].c2": "Phải là số, ví dụ 1.250 hoặc 12,5.",
	}
	for k, m := range want {
		if res.Errors[k] != m {
			t.Errorf("%s: %q, want %q", k, res.Errors[k], m)
		}
	}
	if _, ok := res.Errors["f3"]; ok || len(res.Errors) != 3 {
		t.Fatalf("a draft is not told about required fields: %v", res.Errors)
	}
	sm, _ := e.svc.Get(e.ctx, e.handlerA, id)
	if sm.Data["f1"].Text != "2.5" || len(sm.Data["f4"].Rows) != 1 || sm.DraftSavedAt == nil {
		t.Fatalf("draft kept = %+v", sm.Data)
	}

	// Bounds, whole numbers, required fields on submit.
	_, err = e.svc.Submit(e.ctx, e.leaderA, actor(e.leaderA), id, vals("f1", "-3", "f2", "2.000.000"))
	wantKind(t, err, apperr.KindInvalid)
	fields, _ := asInvalid(err)
	if fields["f1"] != "Không được nhỏ hơn 0." || fields["f2"] != "Không được lớn hơn 1.000.000." || fields["f3"] != "Vui lòng nhập nội dung." {
		t.Fatalf("submit messages = %v", fields)
	}
	_, err = e.svc.Submit(e.ctx, e.leaderA, actor(e.leaderA), id, vals("f1", "3,5", "f3", "x"))
	if fields, _ := asInvalid(err); fields["f1"] != "Phải là số nguyên." {
		t.Fatalf("whole numbers: %v", err)
	}
	_, err = e.svc.Submit(e.ctx, e.leaderA, actor(e.leaderA), id, vals("f3", "x"))
	if fields, _ := asInvalid(err); fields["f1"] != "Vui lòng nhập số liệu." {
		t.Fatalf("required number: %v", err)
	}
	if sm, _ := e.svc.Get(e.ctx, e.leaderA, id); sm.Status != reports.StatusPending || sm.Revision != 0 {
		t.Fatalf("an invalid report was sent: %+v", sm)
	}

	// Template fields are checked too.
	bad := monthly()
	bad.Name = " "
	bad.Fields = append(bad.Fields, reports.Field{Label: "Tỷ lệ", Kind: reports.KindNumber, Min: "10", Max: "1"},
		reports.Field{Label: "", Kind: reports.KindText}, reports.Field{Label: "Bảng trống", Kind: reports.KindTable})
	_, err = e.svc.CreateTemplate(e.ctx, e.provClerk, actor(e.provClerk), bad)
	fields, _ = asInvalid(err)
	if fields["name"] != "Vui lòng nhập tên báo cáo." || fields["fields[5].max"] == "" || fields["fields[6].label"] != "Vui lòng nhập tên trường." ||
		fields["fields[7].columns"] != "Bảng cần ít nhất một cột." {
		t.Fatalf("template messages = %v", fields)
	}
}

// Editing fields a unit has filled in makes a new version: the unit keeps
// its version, untouched reports move to the new one.
func TestTemplateVersions(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	nov := e.period(tpl, "Tháng 11/2026")

	// Nobody has typed yet: the version changes in place.
	in := monthly()
	in.Fields[0].Key = "f1"
	in.Fields[0].Label = "Số đảng viên được kết nạp"
	in.Fields[1].Key, in.Fields[2].Key, in.Fields[3].Key, in.Fields[4].Key = "f2", "f3", "f4", "f5"
	got, err := e.svc.UpdateTemplate(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.CurrentVersion != 1 || got.Fields[0].Label != "Số đảng viên được kết nạp" {
		t.Fatalf("in place = %+v", got)
	}

	if _, err := e.svc.SaveDraft(e.ctx, e.leaderA, actor(e.leaderA), e.submission(nov.ID, e.a), vals("f1", "3")); err != nil {
		t.Fatal(err)
	}
	in.Fields = append(in.Fields[:2], in.Fields[3:]...) // drop f3 (text)
	in.Fields = append(in.Fields, reports.Field{Label: "Số chi bộ", Kind: reports.KindNumber, Unit: "chi bộ"})
	got, err = e.svc.UpdateTemplate(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.CurrentVersion != 2 || got.Fields[len(got.Fields)-1].Key != "f6" {
		t.Fatalf("new version = %+v", got)
	}
	smA, _ := e.svc.Get(e.ctx, e.leaderA, e.submission(nov.ID, e.a))
	smB, _ := e.svc.Get(e.ctx, e.leaderB, e.submission(nov.ID, e.b))
	if smA.Version != 1 || len(smA.Fields) != 5 || smB.Version != 2 || len(smB.Fields) != 5 || smB.Fields[4].Key != "f6" {
		t.Fatalf("A v%d %d fields, B v%d %v", smA.Version, len(smA.Fields), smB.Version, smB.Fields)
	}
	vs, err := e.svc.Versions(e.ctx, e.provClerk, tpl.ID)
	if err != nil || len(vs) != 2 || vs[1].Submissions != 1 {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	// The period kind is fixed once periods exist.
	in.PeriodKind = reports.PeriodQuarter
	_, err = e.svc.UpdateTemplate(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, in)
	if fields, _ := asInvalid(err); fields["period_kind"] == "" {
		t.Fatalf("period kind changed: %v", err)
	}
}

// Attachments are stored in the object store, listed on the submission,
// readable by who sees it, and removable from a draft.
func TestAttachments(t *testing.T) {
	e := newEnv(t)
	tpl := e.create(monthly())
	id := e.submission(e.period(tpl, "Tháng 11/2026").ID, e.a)
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	u, err := documents.Receive(bytes.NewReader(pdf), "bien-ban-hop.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	_, err = e.svc.AddFile(e.ctx, e.handlerA, actor(e.handlerA), id, "f1", u)
	wantKind(t, err, apperr.KindInvalid) // not an attachment field
	ref, err := e.svc.AddFile(e.ctx, e.handlerA, actor(e.handlerA), id, "f5", u)
	if err != nil {
		t.Fatal(err)
	}
	// Saving the draft keeps the attachment.
	if _, err := e.svc.SaveDraft(e.ctx, e.handlerA, actor(e.handlerA), id, vals("f1", "2")); err != nil {
		t.Fatal(err)
	}
	sm, _ := e.svc.Get(e.ctx, e.handlerA, id)
	if fs := sm.Data["f5"].Files; len(fs) != 1 || fs[0].ID != ref.ID || fs[0].Name != "bien-ban-hop.pdf" {
		t.Fatalf("files = %+v", sm.Data)
	}
	rc, f, err := e.svc.OpenFile(e.ctx, e.provLeader, id, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, pdf) || f.ContentType != "application/pdf" {
		t.Fatalf("read back %d bytes, %s", len(got), f.ContentType)
	}
	_, _, err = e.svc.OpenFile(e.ctx, e.leaderB, id, ref.ID)
	wantNotFound(t, err)
	if err := e.svc.RemoveFile(e.ctx, e.handlerA, actor(e.handlerA), id, ref.ID); err != nil {
		t.Fatal(err)
	}
	sm, _ = e.svc.Get(e.ctx, e.handlerA, id)
	if len(sm.Data["f5"].Files) != 0 {
		t.Fatalf("removed file still listed: %+v", sm.Data)
	}
}

// A listed unit that merged away is replaced by its successor when a
// period opens; an ad hoc template opens periods by hand.
func TestRecipientListFollowsSuccession(t *testing.T) {
	e := newEnv(t)
	old := e.unit("Đảng ủy xã Cũ", "commune", e.province, "Đảng ủy xã")
	in := monthly()
	in.PeriodKind = reports.PeriodAdHoc
	in.RecipientsKind, in.RecipientsLevel = "list", ""
	in.RecipientUnits = []int64{e.a, old}
	tpl := e.create(in)
	if ps, _ := e.svc.Periods(e.ctx, e.provClerk, tpl.ID); len(ps) != 0 {
		t.Fatalf("ad hoc periods opened by themselves: %+v", ps)
	}
	// The old commune merges into C.
	var ev int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO unit_events (kind, effective_date, legal_basis) VALUES ('merge', '2026-12-01', 'Nghị quyết thử') RETURNING id`).Scan(&ev); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(e.ctx, `UPDATE units SET valid_to = '2026-11-30' WHERE id = $1`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(e.ctx, `INSERT INTO unit_succession (event_id, predecessor_id, successor_id) VALUES ($1, $2, $3)`, ev, old, e.c); err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	_, err := e.svc.OpenAdHoc(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, reports.AdHocInput{Label: "Đợt 1", StartsOn: day("2026-12-01"), EndsOn: day("2026-12-02"), DueDate: day("2026-12-01")})
	if fields, _ := asInvalid(err); fields["due_date"] != "Hạn nộp không được trước hôm nay." {
		t.Fatalf("past due date: %v", err)
	}
	p, err := e.svc.OpenAdHoc(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, reports.AdHocInput{Label: "Đợt 1", StartsOn: day("2026-12-01"), EndsOn: day("2026-12-02"), DueDate: day("2026-12-10")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Expected != 2 || e.count(`SELECT count(*) FROM report_submissions WHERE period_id = $1 AND unit_id = ANY($2)`, p.ID, []int64{e.a, e.c}) != 2 {
		t.Fatalf("expected units = %d", p.Expected)
	}
	_, err = e.svc.OpenAdHoc(e.ctx, e.provClerk, actor(e.provClerk), tpl.ID, reports.AdHocInput{Label: "Đợt 1", StartsOn: day("2026-12-03"), EndsOn: day("2026-12-04"), DueDate: day("2026-12-10")})
	wantKind(t, err, apperr.KindInvalid)
}

// asInvalid returns the field messages of a validation error.
func asInvalid(err error) (map[string]string, bool) {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindInvalid {
		return nil, false
	}
	return ae.Fields, true
}

// When communes merge, the reports they have not sent go to the successor
// (unless it has its own), listed recipients are replaced, sent reports
// stay with the unit that sent them.
func TestMergeMovesOpenReports(t *testing.T) {
	e := newEnv(t)
	in := monthly()
	in.RecipientsKind, in.RecipientsLevel, in.RecipientUnits = "list", "", []int64{e.a, e.b}
	tpl := e.create(in)
	nov := e.period(tpl, "Tháng 11/2026")
	dec := e.period(tpl, "Tháng 12/2026")
	e.send(e.leaderA, e.submission(nov.ID, e.a), vals("f1", "3", "f3", "Đã gửi."))
	decA := e.submission(dec.ID, e.a)

	units := org.NewStore(e.db)
	units.RegisterMoveHook(reports.MergeHook{})
	rep, err := units.Merge(e.ctx, actor(e.provClerk), org.MergeRequest{Sources: []int64{e.a}, TargetID: e.c,
		EffectiveDate: vntime.Today(), LegalBasis: "Nghị quyết thử nghiệm"})
	if err != nil {
		t.Fatal(err)
	}
	var hook org.HookResult
	for _, h := range rep.Hooks {
		if h.Hook == reports.HookName {
			hook = h
		}
	}
	// The list changed, and A's unsent December report moved (C's own
	// November and December reports stay C's).
	if hook.Moved != 2 || len(hook.Items) != 2 {
		t.Fatalf("hook = %+v", hook)
	}
	if n := e.count(`SELECT count(*) FROM report_submissions WHERE id = $1 AND unit_id = $2`, decA, e.c); n != 1 {
		t.Fatalf("A's unsent December report did not move to C: %+v", hook)
	}
	if n := e.count(`SELECT count(*) FROM report_submissions WHERE period_id = $1 AND unit_id = $2 AND status = 'submitted'`, nov.ID, e.a); n != 1 {
		t.Fatal("A's sent November report left A")
	}
	if n := e.count(`SELECT count(*) FROM report_template_units WHERE template_id = $1 AND unit_id = ANY($2)`, tpl.ID, []int64{e.b, e.c}); n != 2 ||
		e.count(`SELECT count(*) FROM report_template_units WHERE template_id = $1 AND unit_id = $2`, tpl.ID, e.a) != 0 {
		t.Fatal("the recipient list still names A")
	}
}
