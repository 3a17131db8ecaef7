package web

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"vanthu/internal/org"
	"vanthu/internal/reports"
)

// ReportsHomeView is /reports: the reports the viewer's units must send,
// those sent, and the templates the viewer's units issue.
type ReportsHomeView struct {
	Tab       string // todo, sent, issued
	Tabs      []IncomingTab
	Q         string
	Items     []reports.Item
	Templates []reports.TemplateItem
	NextURL   string
	FirstURL  string
	Paged     bool
	Today     time.Time
	CanIssue  bool
}

// ReportFieldRow is one field row of the template form, as typed.
type ReportFieldRow struct {
	Index                                            int
	Key, Label, Kind, Unit, Min, Max, Decimals, Help string
	Columns                                          string // one column a line: Tên cột | số | đơn vị
	Required                                         bool
}

// ReportTemplateFormView is the form that creates or edits a template.
type ReportTemplateFormView struct {
	Form        Form
	Action      string
	Editing     bool
	ID          int64
	Issuers     []Option
	Rows        []ReportFieldRow
	Recipients  UnitPickerField
	PeriodFixed bool
	Version     int
	InUse       bool // editing the fields makes a new version
}

// ReportTemplateView is a template with its periods and versions.
type ReportTemplateView struct {
	T         reports.Template
	Periods   []reports.Period
	Versions  []reports.Version
	Today     time.Time
	AdHocForm Form
	Flash     string
}

// ReportPeriodView is a period's matrix: units × state.
type ReportPeriodView struct {
	T         reports.Template
	P         reports.Period
	Rows      []reports.Row
	State     string
	Tabs      []IncomingTab
	Q         string
	NextURL   string
	FirstURL  string
	Paged     bool
	Today     time.Time
	CanRemind bool
}

// ReportAggregateView is a period's figures added up.
type ReportAggregateView struct {
	Ag           reports.Aggregate
	Compare      bool
	AcceptedOnly bool
	Self         string // this page's path, for the option links
	ExportURL    string
}

// ReportSubmissionView is one unit's report.
type ReportSubmissionView struct {
	S            reports.Submission
	Errors       map[string]string // by field path
	FormError    string
	Events       []reports.Event
	Revisions    []reports.Revision
	LastReturn   *reports.Event
	LastSendBack *reports.Event
	Today        time.Time
	MaxFile      string
	Decide       Form
	Back         Form
	Reminders    int
}

var reportStateLabels = map[string]string{
	reports.StateAll: "Tất cả", reports.StateMissing: "Chưa nộp", reports.StateLate: "Nộp muộn",
	reports.StateSubmitted: "Chờ xem xét", reports.StateReturned: "Bị trả lại", reports.StateAccepted: "Đã chấp nhận",
}

// ReportStateLabel is the Vietnamese name of a matrix filter.
func ReportStateLabel(s string) string { return reportStateLabels[s] }

// ReportPeriodKindOptions are the choices of the period select.
func ReportPeriodKindOptions() []Option {
	var out []Option
	for _, k := range reports.PeriodKinds {
		out = append(out, Option{k, reports.PeriodKindLabel(k)})
	}
	return out
}

var reportDueRuleOptions = []Option{
	{reports.DueWorkingDays, "Số ngày làm việc sau khi kết thúc kỳ"},
	{reports.DueMonthDay, "Ngày cố định của tháng sau kỳ"},
}

var reportLevelOptions = func() []Option {
	var out []Option
	for _, l := range []org.Level{org.LevelProvince, org.LevelBody, org.LevelCommune, org.LevelGrassroots, org.LevelCell} {
		out = append(out, Option{string(l), l.Label()})
	}
	return out
}()

var reportFieldKindOptions = func() []Option {
	var out []Option
	for _, k := range reports.FieldKinds {
		out = append(out, Option{string(k), k.Label()})
	}
	return out
}()

// reportStatus is a row's badge: its text and class.
func reportStatus(status string, late, overdue bool) (string, string) {
	switch status {
	case reports.StatusPending, reports.StatusAwaitingApproval:
		label := "Chưa nộp"
		if status == reports.StatusAwaitingApproval {
			label = "Chưa nộp (chờ lãnh đạo đơn vị duyệt)"
		}
		if overdue {
			return label + " – quá hạn", "badge bad"
		}
		return label, "badge"
	case reports.StatusSubmitted:
		if late {
			return "Nộp muộn", "badge warn"
		}
		return "Đã nộp", "badge ok"
	case reports.StatusReturned:
		return "Bị trả lại", "badge bad"
	case reports.StatusAccepted:
		if late {
			return "Đã chấp nhận (nộp muộn)", "badge ok"
		}
		return "Đã chấp nhận", "badge ok"
	}
	return status, "badge"
}

func reportStatusText(status string, late, overdue bool) string {
	t, _ := reportStatus(status, late, overdue)
	return t
}

func reportStatusClass(status string, late, overdue bool) string {
	_, c := reportStatus(status, late, overdue)
	return c
}

func num(s string) string { return reports.FormatNumber(s) }

// changePct writes a percentage with a Vietnamese decimal comma and a sign.
func changePct(s string) string {
	if s == "" {
		return "—"
	}
	if !strings.HasPrefix(s, "-") && s != "0.0" {
		s = "+" + s
	}
	return strings.Replace(s, ".", ",", 1) + "%"
}

// signed writes a difference with its sign.
func signed(s string) string {
	if s == "" {
		return "—"
	}
	f := num(s)
	if !strings.HasPrefix(f, "-") && f != "0" {
		f = "+" + f
	}
	return f
}

func reportTemplateHref(id int64) templ.SafeURL {
	return templ.SafeURL("/reports/templates/" + i64(id))
}
func reportPeriodHref(id int64) templ.SafeURL { return templ.SafeURL("/reports/periods/" + i64(id)) }
func reportSubmissionHref(id int64) templ.SafeURL {
	return templ.SafeURL(reports.SubmissionLink(id))
}

// TableErrors lists the messages of a table's cells in row order, as
// "Dòng 2, cột Số người dự: …".
func TableErrors(f reports.Field, errs map[string]string) []string {
	type msg struct {
		row, col int
		text     string
	}
	var list []msg
	for k, m := range errs {
		rest, ok := strings.CutPrefix(k, f.Key+"[")
		if !ok {
			continue
		}
		idx, colKey, ok := strings.Cut(rest, "].")
		if !ok {
			continue
		}
		row, _ := strconv.Atoi(idx)
		for ci, c := range f.Columns {
			if c.Key == colKey {
				list = append(list, msg{row, ci, fmt.Sprintf("Dòng %d, cột %s: %s", row+1, c.Label, m)})
			}
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].row != list[j].row {
			return list[i].row < list[j].row
		}
		return list[i].col < list[j].col
	})
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.text
	}
	return out
}

// tableRows are the rows a table field shows for editing: those entered
// and a few blank ones to type into.
func tableRows(v reports.Value) []map[string]string {
	rows := append([]map[string]string{}, v.Rows...)
	blank := 3
	if len(rows) > 0 {
		blank = 2
	}
	for i := 0; i < blank; i++ {
		rows = append(rows, map[string]string{})
	}
	return rows
}

func cellName(field string, row int, col string) string {
	return "v." + field + "[" + strconv.Itoa(row) + "]." + col
}

func cellPath(field string, row int, col string) string {
	return field + "[" + strconv.Itoa(row) + "]." + col
}

// bounds describes a number field's limits for its hint.
func bounds(f reports.Field) string {
	var parts []string
	if f.Unit != "" {
		parts = append(parts, "Đơn vị tính: "+f.Unit+".")
	}
	switch {
	case f.Min != "" && f.Max != "":
		parts = append(parts, "Từ "+num(f.Min)+" đến "+num(f.Max)+".")
	case f.Min != "":
		parts = append(parts, "Không nhỏ hơn "+num(f.Min)+".")
	case f.Max != "":
		parts = append(parts, "Không lớn hơn "+num(f.Max)+".")
	}
	if f.Decimals == 0 {
		parts = append(parts, "Số nguyên.")
	} else {
		parts = append(parts, fmt.Sprintf("Tối đa %d chữ số sau dấu phẩy.", f.Decimals))
	}
	return strings.Join(parts, " ")
}

// shownValue writes a submitted value for reading: numbers the Vietnamese
// way when they read as numbers, anything else as typed.
func shownValue(f reports.Field, v reports.Value) string {
	if v.Text == "" {
		return "—"
	}
	if f.Kind == reports.KindNumber {
		if c, msg := reports.ParseNumber(v.Text); msg == "" {
			s := num(c)
			if f.Unit != "" {
				s += " " + f.Unit
			}
			return s
		}
	}
	return v.Text
}

func shownCell(c reports.Column, s string) string {
	if c.Kind == reports.KindNumber {
		if n, msg := reports.ParseNumber(s); msg == "" {
			return num(n)
		}
	}
	return s
}

func reportFileHref(subID, fileID int64) templ.SafeURL {
	return templ.SafeURL(reports.SubmissionLink(subID) + "/files/" + i64(fileID))
}

func timeVN(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(vnZone).Format("15:04 02/01/2006")
}

func savedLabel(t *time.Time) string {
	if t == nil {
		return "Chưa lưu bản nháp."
	}
	return "Đã lưu lúc " + t.In(vnZone).Format("15:04") + " ngày " + t.In(vnZone).Format("02/01/2006")
}

// unitValue is a unit's figure in the aggregate, with the change against
// the previous period when asked.
func unitValue(u reports.UnitFigures, key string) string {
	if v, ok := u.Values[key]; ok {
		return num(v)
	}
	return ""
}

func unitChange(u reports.UnitFigures, key string) string {
	cur, ok1 := u.Values[key]
	prev, ok2 := u.Previous[key]
	if !ok1 || !ok2 {
		return ""
	}
	d, p := reports.Difference(cur, prev)
	return "kỳ trước " + num(prev) + "; " + signed(d) + " (" + changePct(p) + ")"
}

// reportQuery adds the non-empty key/value pairs to base as a query.
func reportQuery(base string, kv ...string) templ.SafeURL {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
		}
	}
	if len(parts) == 0 {
		return templ.SafeURL(base)
	}
	return templ.SafeURL(base + "?" + strings.Join(parts, "&"))
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// rowName names an input of field row i of the template form.
func rowName(i int, name string) string { return "fields[" + strconv.Itoa(i) + "]." + name }

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return ", " + u
}

func branchParam(b *reports.UnitRef) string {
	if b == nil {
		return ""
	}
	return i64(b.ID)
}

func aggregateNote(v ReportAggregateView) string {
	n := fmt.Sprintf("%s. Tính %d báo cáo ", v.Ag.Template.Name, v.Ag.Counted)
	if v.AcceptedOnly {
		return n + "đã được chấp nhận."
	}
	return n + "đã nộp (kể cả đã chấp nhận); báo cáo bị trả lại chưa được tính."
}
