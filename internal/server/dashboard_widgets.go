package server

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"vanthu/internal/access"
	"vanthu/internal/dashboard"
	"vanthu/web"
)

// dashLinks makes the drill-down links of a dashboard: each figure leads
// to the incoming list with the filters that select its documents
// (arrival dates, status 06, overdue, unit, assignee). Exports use the
// zero value, which makes none.
type dashLinks struct {
	on bool
	d  dashboard.Dashboard
	// scope is the unit filter that selects the whole dashboard's
	// documents: "" when the list's own scope is the same as the
	// dashboard's, a unit id when it counts one unit; figures over a
	// subtree the list cannot select are not linked (totals false).
	scope  string
	totals bool
}

func newDashLinks(sub access.Subject, d dashboard.Dashboard) dashLinks {
	l := dashLinks{on: true, d: d}
	switch {
	case len(d.Scope.Units) == 1:
		l.scope, l.totals = strconv.FormatInt(d.Scope.Units[0], 10), true
	case !sub.IsAdmin:
		view := sub.ViewUnits()
		slices.Sort(view)
		l.totals = slices.Equal(view, d.Scope.Units)
	}
	return l
}

// incoming is the list of documents of unit ("" for the dashboard's
// scope) that arrived from–to (zero: any day), with extra filters.
func (l dashLinks) incoming(unit string, from, to time.Time, extra ...string) string {
	if !l.on || unit == "" && !l.totals {
		return ""
	}
	if unit == "" {
		unit = l.scope
	}
	q := url.Values{}
	if unit != "" {
		q.Set("unit_id", unit)
	}
	if !from.IsZero() {
		q.Set("from", web.Date(from))
		q.Set("to", web.Date(to))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/incoming?" + q.Encode()
}

// unitDashboard is another unit's dashboard over the same range.
func (l dashLinks) unitDashboard(id int64) string {
	if !l.on {
		return ""
	}
	p := dashboardParams(l.d)
	p.Set("unit_id", strconv.FormatInt(id, 10))
	return "/reports/dashboard?" + p.Encode()
}

// dashTile is a headline figure.
type dashTile struct {
	web.DashboardTile
	Number *float64 // for exports
}

func num(v float64) *float64 { return &v }

func daysText(v float64, ok bool, unit string) string {
	if !ok {
		return "—"
	}
	return dashboard.FormatDecimal(v, 1) + " " + unit
}

// dashboardTiles are the headline figures of d.
func dashboardTiles(d dashboard.Dashboard, l dashLinks) []web.DashboardTile {
	var out []web.DashboardTile
	for _, t := range dashboardTileData(d, l) {
		out = append(out, t.DashboardTile)
	}
	return out
}

func dashboardTileData(d dashboard.Dashboard, l dashLinks) []dashTile {
	t := d.Totals
	rate, rateOK := t.OnTimeRate()
	mean, meanOK := t.MeanDays()
	work, workOK := t.MeanWorkingDays()
	share := ""
	if t.Received > 0 {
		share = dashboard.FormatPercent(float64(t.Done)/float64(t.Received)) + " số văn bản đến"
	}
	tile := func(key, label, value, note, href string, n *float64) dashTile {
		return dashTile{DashboardTile: web.DashboardTile{Key: key, Label: label, Value: value, Note: note, Href: href}, Number: n}
	}
	var rateNum, meanNum *float64
	rateText := "—"
	if rateOK {
		rateNum, rateText = num(float64(int64(rate*1000+0.5))/10), dashboard.FormatPercent(rate)
	}
	if meanOK {
		meanNum = num(float64(int64(mean*10+0.5)) / 10)
	}
	return []dashTile{
		tile("received", "Văn bản đến", dashboard.FormatInt(t.Received), "đã vào sổ trong kỳ",
			l.incoming("", d.From, d.To), num(float64(t.Received))),
		tile("issued", "Văn bản đi", dashboard.FormatInt(t.Issued), "đã phát hành trong kỳ", "", num(float64(t.Issued))),
		tile("done", "Đã hoàn thành", dashboard.FormatInt(t.Done), share,
			l.incoming("", d.From, d.To, "status", "06"), num(float64(t.Done))),
		tile("on-time", "Tỷ lệ đúng hạn", rateText,
			fmt.Sprintf("%s đúng hạn, %s trễ hạn", dashboard.FormatInt(t.DoneOnTime), dashboard.FormatInt(t.DoneLate)), "", rateNum),
		tile("mean", "Thời gian xử lý trung bình", daysText(mean, meanOK, "ngày"), daysText(work, workOK, "ngày làm việc"), "", meanNum),
		tile("open", "Đang xử lý", dashboard.FormatInt(t.Open), "trong số văn bản đến trong kỳ", "", num(float64(t.Open))),
		tile("overdue-now", "Quá hạn hiện nay", dashboard.FormatInt(d.OverdueNow),
			fmt.Sprintf("trên %s văn bản đang xử lý, mọi ngày đến", dashboard.FormatInt(d.OpenNow)),
			l.incoming("", time.Time{}, time.Time{}, "overdue", "1"), num(float64(d.OverdueNow))),
	}
}

const dashEmpty = "Không có văn bản nào trong phạm vi và khoảng thời gian đã chọn."

// dashboardWidgets are the document widgets of d, then its sections.
func dashboardWidgets(d dashboard.Dashboard, l dashLinks) []dashboard.Widget {
	period := strings.ToLower(d.Period.Label())
	out := []dashboard.Widget{
		periodWidget(d, l, period),
		onTimeWidget(d, l, period),
		unitsWidget(d, l),
		overdueUnitsWidget(d, l),
		peopleWidget(d, l),
	}
	return append(out, d.Sections...)
}

func periodWidget(d dashboard.Dashboard, l dashLinks, period string) dashboard.Widget {
	w := dashboard.Widget{ID: "documents-by-period", Title: "Văn bản đến và đi theo " + period,
		Note: "Văn bản đến: đã vào sổ, theo ngày đến; đã hoàn thành và đang xử lý là tình trạng hôm nay của các văn bản đó. Văn bản đi: đã phát hành, theo ngày phát hành.",
		Chart: &dashboard.Chart{Kind: dashboard.BarChart, Unit: "văn bản",
			Series: []dashboard.Series{{Name: "Văn bản đến"}, {Name: "Văn bản đi"}}},
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Kỳ"}, {Label: "Văn bản đến", Numeric: true},
			{Label: "Đã hoàn thành", Numeric: true}, {Label: "Đang xử lý", Numeric: true}, {Label: "Văn bản đi", Numeric: true}},
			Empty: dashEmpty}}
	for _, b := range d.Series {
		w.Chart.Labels = append(w.Chart.Labels, b.Short)
		w.Chart.Tips = append(w.Chart.Tips, b.Label)
		w.Chart.Series[0].Values = append(w.Chart.Series[0].Values, float64(b.Received))
		w.Chart.Series[1].Values = append(w.Chart.Series[1].Values, float64(b.Issued))
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{
			dashboard.Text(b.Label),
			dashboard.Int(b.Received, l.incoming("", b.Start, b.End)),
			dashboard.Int(b.Done, l.incoming("", b.Start, b.End, "status", "06")),
			dashboard.Int(b.Open, ""),
			dashboard.Int(b.Issued, ""),
		}})
	}
	t := d.Totals
	w.Table.Rows = append(w.Table.Rows, dashboard.Row{Total: true, Cells: []dashboard.Cell{
		dashboard.Text("Tổng cộng"),
		dashboard.Int(t.Received, l.incoming("", d.From, d.To)),
		dashboard.Int(t.Done, l.incoming("", d.From, d.To, "status", "06")),
		dashboard.Int(t.Open, ""),
		dashboard.Int(t.Issued, ""),
	}})
	return w
}

func rateCells(f dashboard.Figures) []dashboard.Cell {
	r, ok := f.OnTimeRate()
	m, mok := f.MeanDays()
	wd, wok := f.MeanWorkingDays()
	return []dashboard.Cell{dashboard.Rate(r, ok), dashboard.Decimal(m, mok), dashboard.Decimal(wd, wok)}
}

func onTimeWidget(d dashboard.Dashboard, l dashLinks, period string) dashboard.Widget {
	w := dashboard.Widget{ID: "on-time-by-period", Title: "Tỷ lệ xử lý đúng hạn theo " + period,
		Note:  "Trong các văn bản đến của kỳ đã hoàn thành và có hạn xử lý: tỷ lệ hoàn thành không muộn hơn hạn. Thời gian xử lý tính từ khi vào sổ đến khi hoàn thành; ngày làm việc theo lịch làm việc của hệ thống.",
		Chart: &dashboard.Chart{Kind: dashboard.LineChart, Unit: "", Percent: true, Series: []dashboard.Series{{Name: "Tỷ lệ đúng hạn"}}},
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Kỳ"}, {Label: "Đúng hạn", Numeric: true}, {Label: "Trễ hạn", Numeric: true},
			{Label: "Không có hạn", Numeric: true}, {Label: "Tỷ lệ đúng hạn", Numeric: true}, {Label: "Thời gian xử lý TB (ngày)", Numeric: true},
			{Label: "TB (ngày làm việc)", Numeric: true}}, Empty: dashEmpty}}
	for _, b := range d.Series {
		r, ok := b.OnTimeRate()
		w.Chart.Labels = append(w.Chart.Labels, b.Short)
		w.Chart.Tips = append(w.Chart.Tips, b.Label)
		w.Chart.Series[0].Values = append(w.Chart.Series[0].Values, r*100)
		w.Chart.Series[0].Missing = append(w.Chart.Series[0].Missing, !ok)
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: append([]dashboard.Cell{
			dashboard.Text(b.Label), dashboard.Int(b.DoneOnTime, ""), dashboard.Int(b.DoneLate, ""), dashboard.Int(b.DoneNoDeadline, ""),
		}, rateCells(b.Figures)...)})
	}
	t := d.Totals
	w.Table.Rows = append(w.Table.Rows, dashboard.Row{Total: true, Cells: append([]dashboard.Cell{
		dashboard.Text("Cả khoảng thời gian"), dashboard.Int(t.DoneOnTime, ""), dashboard.Int(t.DoneLate, ""), dashboard.Int(t.DoneNoDeadline, ""),
	}, rateCells(t)...)})
	return w
}

// unitName names a unit, with its last day when it no longer exists.
func unitName(u dashboard.UnitRef) string {
	if u.ValidTo != nil {
		return u.Name + " (đến " + web.Date(*u.ValidTo) + ")"
	}
	return u.Name
}

func unitsWidget(d dashboard.Dashboard, l dashLinks) dashboard.Widget {
	w := dashboard.Widget{ID: "by-unit", Title: "Theo đơn vị",
		Note: "Văn bản của chính từng đơn vị trong kỳ (quá hạn hiện nay: bảng tiếp theo). Biểu đồ: tỷ lệ đúng hạn của 10 đơn vị có nhiều văn bản hoàn thành có hạn nhất. Bấm tên đơn vị để xem bảng điều hành của đơn vị đó.",
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Đơn vị"}, {Label: "Văn bản đến", Numeric: true},
			{Label: "Đã hoàn thành", Numeric: true}, {Label: "Đúng hạn", Numeric: true}, {Label: "Trễ hạn", Numeric: true},
			{Label: "Tỷ lệ đúng hạn", Numeric: true}, {Label: "TG xử lý TB (ngày)", Numeric: true}, {Label: "Đang xử lý", Numeric: true},
			{Label: "Văn bản đi", Numeric: true}}, Empty: dashEmpty}}
	var charted []dashboard.UnitFigures
	for _, u := range d.ByUnit {
		id := strconv.FormatInt(u.ID, 10)
		m, mok := u.MeanDays()
		r, rok := u.OnTimeRate()
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{
			dashboard.Link(unitName(u.UnitRef), l.unitDashboard(u.ID)),
			dashboard.Int(u.Received, l.incoming(id, d.From, d.To)),
			dashboard.Int(u.Done, l.incoming(id, d.From, d.To, "status", "06")),
			dashboard.Int(u.DoneOnTime, ""), dashboard.Int(u.DoneLate, ""),
			dashboard.Rate(r, rok), dashboard.Decimal(m, mok),
			dashboard.Int(u.Open, ""),
			dashboard.Int(u.Issued, ""),
		}})
		if rok {
			charted = append(charted, u)
		}
	}
	if len(d.ByUnit) > 0 {
		t := d.Totals
		m, mok := t.MeanDays()
		r, rok := t.OnTimeRate()
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Total: true, Cells: []dashboard.Cell{
			dashboard.Text("Tổng cộng"), dashboard.Int(t.Received, ""), dashboard.Int(t.Done, ""), dashboard.Int(t.DoneOnTime, ""),
			dashboard.Int(t.DoneLate, ""), dashboard.Rate(r, rok), dashboard.Decimal(m, mok), dashboard.Int(t.Open, ""),
			dashboard.Int(t.Issued, ""),
		}})
	}
	sort.SliceStable(charted, func(i, j int) bool {
		return charted[i].DoneOnTime+charted[i].DoneLate > charted[j].DoneOnTime+charted[j].DoneLate
	})
	if len(charted) > 0 {
		c := &dashboard.Chart{Kind: dashboard.HBarChart, Percent: true, Series: []dashboard.Series{{Name: "Tỷ lệ đúng hạn"}}}
		for _, u := range charted[:min(10, len(charted))] {
			r, _ := u.OnTimeRate()
			c.Labels = append(c.Labels, u.Name)
			c.Series[0].Values = append(c.Series[0].Values, r*100)
		}
		w.Chart = c
	}
	return w
}

func overdueUnitsWidget(d dashboard.Dashboard, l dashLinks) dashboard.Widget {
	w := dashboard.Widget{ID: "overdue-by-unit", Title: "Quá hạn hiện nay theo đơn vị",
		Note: fmt.Sprintf("Văn bản đến đang xử lý (đã vào sổ, chưa hoàn thành) đã quá hạn tính đến hôm nay %s, không kể ngày đến.", web.Date(d.Today)),
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Đơn vị"}, {Label: "Đang xử lý", Numeric: true}, {Label: "Quá hạn", Numeric: true},
			{Label: "Tỷ lệ quá hạn", Numeric: true}}, Empty: "Không có văn bản nào đang xử lý."}}
	var units []dashboard.UnitFigures
	for _, u := range d.ByUnit {
		if u.OpenNow > 0 {
			units = append(units, u)
		}
	}
	sort.SliceStable(units, func(i, j int) bool { return units[i].OverdueNow > units[j].OverdueNow })
	c := &dashboard.Chart{Kind: dashboard.HBarChart, Unit: "văn bản quá hạn", Series: []dashboard.Series{{Name: "Quá hạn"}}}
	for _, u := range units {
		id := strconv.FormatInt(u.ID, 10)
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{
			dashboard.Link(unitName(u.UnitRef), l.unitDashboard(u.ID)),
			dashboard.Int(u.OpenNow, ""),
			dashboard.Int(u.OverdueNow, l.incoming(id, time.Time{}, time.Time{}, "overdue", "1")),
			dashboard.Rate(float64(u.OverdueNow)/float64(u.OpenNow), true),
		}})
		if u.OverdueNow > 0 {
			c.Labels = append(c.Labels, u.Name)
			c.Series[0].Values = append(c.Series[0].Values, float64(u.OverdueNow))
		}
	}
	if len(units) > 0 {
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Total: true, Cells: []dashboard.Cell{
			dashboard.Text("Tổng cộng"), dashboard.Int(d.OpenNow, ""),
			dashboard.Int(d.OverdueNow, l.incoming("", time.Time{}, time.Time{}, "overdue", "1")),
			dashboard.Rate(float64(d.OverdueNow)/float64(d.OpenNow), true),
		}})
	}
	if len(c.Labels) > 0 {
		w.Chart = c
	}
	return w
}

func peopleWidget(d dashboard.Dashboard, l dashLinks) dashboard.Widget {
	note := fmt.Sprintf("Phần việc chủ trì hoặc phối hợp còn mở của từng người trên văn bản thuộc phạm vi đã chọn, tính đến hôm nay %s.", web.Date(d.Today))
	if d.PeopleTotal > len(d.ByPerson) {
		note += fmt.Sprintf(" %s người có việc đang mở; bảng liệt kê %d người nhiều việc quá hạn nhất.", dashboard.FormatInt(int64(d.PeopleTotal)), len(d.ByPerson))
	}
	w := dashboard.Widget{ID: "overdue-by-person", Title: "Việc quá hạn theo người xử lý", Note: note,
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Người xử lý"}, {Label: "Đang xử lý", Numeric: true},
			{Label: "Quá hạn", Numeric: true}}, Empty: "Không ai có việc đang mở."}}
	c := &dashboard.Chart{Kind: dashboard.HBarChart, Unit: "việc quá hạn", Series: []dashboard.Series{{Name: "Quá hạn"}}}
	for _, p := range d.ByPerson {
		id := strconv.FormatInt(p.UserID, 10)
		href := ""
		if l.on {
			href = "/incoming?" + url.Values{"assignee": {id}}.Encode()
		}
		overdue := ""
		if l.on && p.Overdue > 0 {
			overdue = "/incoming?" + url.Values{"assignee": {id}, "overdue": {"1"}}.Encode()
		}
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{
			dashboard.Link(p.Name, href), dashboard.Int(p.Open, ""), dashboard.Int(p.Overdue, overdue),
		}})
		if p.Overdue > 0 {
			c.Labels = append(c.Labels, p.Name)
			c.Series[0].Values = append(c.Series[0].Values, float64(p.Overdue))
		}
	}
	if len(c.Labels) > 0 {
		w.Chart = c
	}
	return w
}
