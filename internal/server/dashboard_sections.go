package server

import (
	"context"

	"vanthu/internal/dashboard"
	"vanthu/internal/reports"
	"vanthu/internal/tasks"
)

// The dashboard's sections from other capabilities: each asks its own
// capability for counts over the dashboard's scope and draws them.

// taskSection is "tasks by status": tasks given in the range by the
// scope's units or to them (and their people), with the overdue ones.
func taskSection(svc *tasks.Service) dashboard.Section {
	return dashboard.SectionFunc(func(ctx context.Context, sc dashboard.Scope) ([]dashboard.Widget, error) {
		counts, err := svc.Summary(ctx, sc.Viewer, sc.Units, sc.From, sc.To, sc.Today)
		if err != nil {
			return nil, err
		}
		return []dashboard.Widget{taskWidget(counts)}, nil
	})
}

func taskWidget(counts []tasks.StatusCount) dashboard.Widget {
	w := dashboard.Widget{ID: "tasks-by-status", Title: "Công việc theo trạng thái",
		Note:  "Công việc (kể cả việc con) giao trong khoảng thời gian đã chọn, do đơn vị giao hoặc giao cho đơn vị và cán bộ của đơn vị; quá hạn tính đến hôm nay.",
		Chart: &dashboard.Chart{Kind: dashboard.HBarChart, Unit: "việc", Series: []dashboard.Series{{Name: "Số việc"}}},
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Trạng thái"}, {Label: "Số việc", Numeric: true},
			{Label: "Trong đó quá hạn", Numeric: true}, {Label: "Tỷ lệ", Numeric: true}},
			Empty: "Chưa có công việc nào được giao trong khoảng thời gian này."}}
	var total, overdue int64
	for _, c := range counts {
		total += c.N
		overdue += c.Overdue
	}
	if total == 0 {
		w.Chart = nil
		return w
	}
	for _, c := range counts {
		w.Chart.Labels = append(w.Chart.Labels, tasks.StatusLabel(c.Status))
		w.Chart.Series[0].Values = append(w.Chart.Series[0].Values, float64(c.N))
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{dashboard.Text(tasks.StatusLabel(c.Status)),
			dashboard.Int(c.N, ""), dashboard.Int(c.Overdue, ""), dashboard.Rate(float64(c.N)/float64(total), true)}})
	}
	w.Table.Rows = append(w.Table.Rows, dashboard.Row{Total: true, Cells: []dashboard.Cell{dashboard.Text("Tổng cộng"),
		dashboard.Int(total, ""), dashboard.Int(overdue, ""), dashboard.Rate(1, true)}})
	return w
}

// reportSection is "report compliance": the reports the scope's units
// sent up and received over the periods due in the range, then the units
// most behind with what they owe the scope.
func reportSection(svc *reports.Service) dashboard.Section {
	return dashboard.SectionFunc(func(ctx context.Context, sc dashboard.Scope) ([]dashboard.Widget, error) {
		counts, late, err := svc.Compliance(ctx, sc.Viewer, sc.Units, sc.From, sc.To, sc.Today)
		if err != nil {
			return nil, err
		}
		return []dashboard.Widget{complianceWidget(counts), lateUnitsWidget(late)}, nil
	})
}

func complianceWidget(counts []reports.ComplianceCount) dashboard.Widget {
	w := dashboard.Widget{ID: "report-compliance", Title: "Chấp hành chế độ báo cáo",
		Note: "Báo cáo của các kỳ có hạn nộp trong khoảng thời gian đã chọn: đơn vị gửi cấp trên, và cấp dưới gửi đơn vị. Đúng hạn hay muộn tính theo ngày gửi lần đầu; chưa nộp tính đến hôm nay.",
		Chart: &dashboard.Chart{Kind: dashboard.BarChart, Unit: "báo cáo",
			Series: []dashboard.Series{{Name: "Gửi cấp trên"}, {Name: "Cấp dưới gửi đến"}}},
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Tình trạng"}, {Label: "Gửi cấp trên", Numeric: true},
			{Label: "Cấp dưới gửi đến", Numeric: true}},
			Empty: "Không có kỳ báo cáo nào đến hạn trong khoảng thời gian này."}}
	// Totals, those already due, and of them on time: sent, received.
	var sent, received, sentDue, receivedDue, sentOnTime, receivedOnTime int64
	for _, c := range counts {
		sent += c.Sent
		received += c.Received
		if c.State != reports.ComplianceNotDue {
			sentDue += c.Sent
			receivedDue += c.Received
		}
		if c.State == reports.ComplianceOnTime {
			sentOnTime, receivedOnTime = c.Sent, c.Received
		}
	}
	if sent+received == 0 {
		w.Chart = nil
		return w
	}
	for _, c := range counts {
		label := reports.ComplianceLabel(c.State)
		w.Chart.Labels = append(w.Chart.Labels, label)
		w.Chart.Series[0].Values = append(w.Chart.Series[0].Values, float64(c.Sent))
		w.Chart.Series[1].Values = append(w.Chart.Series[1].Values, float64(c.Received))
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{dashboard.Text(label),
			dashboard.Int(c.Sent, ""), dashboard.Int(c.Received, "")}})
	}
	w.Table.Rows = append(w.Table.Rows,
		dashboard.Row{Total: true, Cells: []dashboard.Cell{dashboard.Text("Tổng cộng"), dashboard.Int(sent, ""), dashboard.Int(received, "")}},
		dashboard.Row{Cells: []dashboard.Cell{dashboard.Text("Tỷ lệ đúng hạn (trên số đã đến hạn)"),
			dashboard.Rate(ratio(sentOnTime, sentDue)), dashboard.Rate(ratio(receivedOnTime, receivedDue))}})
	return w
}

func ratio(n, of int64) (float64, bool) {
	if of == 0 {
		return 0, false
	}
	return float64(n) / float64(of), true
}

func lateUnitsWidget(late []reports.LateUnit) dashboard.Widget {
	w := dashboard.Widget{ID: "report-late-units", Title: "Đơn vị chậm nộp báo cáo",
		Note:  "Cấp dưới còn nợ báo cáo của các kỳ có hạn nộp trong khoảng thời gian đã chọn (nhiều nhất 20 đơn vị).",
		Chart: &dashboard.Chart{Kind: dashboard.HBarChart, Unit: "báo cáo", Series: []dashboard.Series{{Name: "Chậm hoặc chưa nộp"}}},
		Table: dashboard.Table{Columns: []dashboard.Column{{Label: "Đơn vị"}, {Label: "Quá hạn chưa nộp", Numeric: true},
			{Label: "Nộp muộn", Numeric: true}},
			Empty: "Không có đơn vị nào chậm nộp báo cáo."}}
	if len(late) == 0 {
		w.Chart = nil
		return w
	}
	for _, u := range late {
		w.Chart.Labels = append(w.Chart.Labels, u.Name)
		w.Chart.Series[0].Values = append(w.Chart.Series[0].Values, float64(u.Missing+u.Late))
		w.Table.Rows = append(w.Table.Rows, dashboard.Row{Cells: []dashboard.Cell{dashboard.Text(u.Name),
			dashboard.Int(u.Missing, ""), dashboard.Int(u.Late, "")}})
	}
	return w
}
