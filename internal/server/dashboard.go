package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/dashboard"
	"vanthu/internal/printout"
	"vanthu/web"
)

// dashboardRoutes serve the leaders' dashboard under /reports/dashboard:
// the page, and the same figures as XLSX and PDF. Mounted in the
// signed-in page group.
func (s *Server) dashboardRoutes(r chi.Router) {
	r.Get("/reports/dashboard", s.dashboardPage)
	r.Get("/reports/dashboard/export.xlsx", s.dashboardXLSX)
	r.Get("/reports/dashboard/export.pdf", s.dashboardPDF)
}

// dashboardAPIRoutes serve GET /api/v1/dashboard.
func (s *Server) dashboardAPIRoutes(r chi.Router) {
	r.Get("/dashboard", s.apiDashboard)
}

// dashboardQuery reads ?unit_id=&from=&to=&period= (dates dd/mm/yyyy or
// YYYY-MM-DD), with a message per bad field.
func dashboardQuery(q url.Values) (dashboard.Query, map[string]string, error) {
	vals := map[string]string{}
	for _, k := range []string{"unit_id", "from", "to", "period"} {
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	var dq dashboard.Query
	fields := apperr.Fields{}
	if v := vals["unit_id"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fields.Add("unit_id", "Đơn vị không hợp lệ.")
		}
		dq.UnitID = n
	}
	for key, dst := range map[string]*time.Time{"from": &dq.From, "to": &dq.To} {
		if v := vals[key]; v != "" {
			d, ok := parseDate(v)
			if !ok {
				fields.Add(key, "Ngày phải có dạng dd/mm/yyyy.")
				continue
			}
			*dst = d
		}
	}
	dq.Period = dashboard.Period(vals["period"])
	return dq, vals, fields.Err()
}

// buildDashboard answers a dashboard request's figures; a unit outside
// the viewer's scope is audited as refused.
func (s *Server) buildDashboard(r *http.Request) (dashboard.Dashboard, map[string]string, error) {
	q, vals, err := dashboardQuery(r.URL.Query())
	if err != nil {
		return dashboard.Dashboard{}, vals, err
	}
	d, err := s.dashboards.Build(r.Context(), subjectFrom(r.Context()), q)
	if errors.Is(err, dashboard.ErrUnitNotFound) {
		s.recordAudit(r, audit.Entry{Action: "dashboard.view", Outcome: audit.OutcomeDenied, ObjectType: "unit",
			ObjectID: strconv.FormatInt(q.UnitID, 10)})
	}
	return d, vals, err
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	d, vals, err := s.buildDashboard(r)
	status := http.StatusOK
	v := web.DashboardView{}
	unit := sub.ActingUnit
	switch e, _ := apperr.As(err); {
	case err == nil:
		unit = d.Unit.ID
		vals = map[string]string{"unit_id": strconv.FormatInt(d.Unit.ID, 10), "from": web.Date(d.From), "to": web.Date(d.To),
			"period": string(d.Period)}
		v.Form = web.Form{Values: vals, Errors: map[string]string{}}
		s.fillDashboardView(r, &v, d)
	case e != nil && e.Kind == apperr.KindInvalid:
		status = http.StatusUnprocessableEntity
		v.Form = formFromError(err, vals)
		if n, err := strconv.ParseInt(vals["unit_id"], 10, 64); err == nil && sub.CanViewUnitRecords(n) {
			unit = n
		}
	default:
		s.writeError(w, r, err)
		return
	}
	choices, err := s.dashboards.Choices(ctx, sub, unit)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range choices {
		if n := len(v.UnitGroups); n == 0 || v.UnitGroups[n-1].Label != c.Group {
			v.UnitGroups = append(v.UnitGroups, web.OptionGroup{Label: c.Group})
		}
		g := &v.UnitGroups[len(v.UnitGroups)-1]
		g.Options = append(g.Options, web.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	if v.Form.Get("unit_id") == "" {
		v.Form.Values["unit_id"] = strconv.FormatInt(unit, 10)
	}
	for _, p := range dashboard.Periods {
		v.Periods = append(v.Periods, web.Option{Value: string(p), Label: p.Label()})
	}
	if v.Form.Get("period") == "" {
		v.Form.Values["period"] = string(dashboard.Month)
	}
	s.render(w, r, status, web.DashboardPage(s.page(r, "Bảng điều hành", "reports"), v))
}

// fillDashboardView turns the figures into the page: the scope line, the
// quick ranges, the headline tiles and the widgets.
func (s *Server) fillDashboardView(r *http.Request, v *web.DashboardView, d dashboard.Dashboard) {
	v.Ready = true
	v.Heading = d.Unit.Name
	scope := "chỉ văn bản của đơn vị"
	if n := d.UnitCount - 1; n > 0 {
		scope = fmt.Sprintf("cùng %s đơn vị trực thuộc và tiền thân", dashboard.FormatInt(int64(n)))
	}
	v.Scope = fmt.Sprintf("%s · từ %s đến %s · theo %s", scope, web.Date(d.From), web.Date(d.To), strings.ToLower(d.Period.Label()))
	q := dashboardParams(d)
	v.ExportXLSX = "/reports/dashboard/export.xlsx?" + q.Encode()
	v.ExportPDF = "/reports/dashboard/export.pdf?" + q.Encode()
	today := d.Today
	y, m, _ := today.Date()
	quarter := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	for _, qr := range []struct {
		label    string
		from, to time.Time
	}{
		{"Tháng này", time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), today},
		{"Quý này", quarter, today},
		{"Năm nay", time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), today},
		{"12 tháng qua", today.AddDate(-1, 0, 1), today},
		{"Năm trước", time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y-1, 12, 31, 0, 0, 0, 0, time.UTC)},
	} {
		p := dashboardParams(d)
		p.Set("from", web.Date(qr.from))
		p.Set("to", web.Date(qr.to))
		v.QuickRanges = append(v.QuickRanges, web.QuickRange{Label: qr.label, Href: "/reports/dashboard?" + p.Encode(),
			Current: qr.from.Equal(d.From) && qr.to.Equal(d.To)})
	}
	links := newDashLinks(subjectFrom(r.Context()), d)
	v.Tiles = dashboardTiles(d, links)
	v.Widgets = dashboardWidgets(d, links)
}

// dashboardParams is the query of d's own page.
func dashboardParams(d dashboard.Dashboard) url.Values {
	return url.Values{"unit_id": {strconv.FormatInt(d.Unit.ID, 10)}, "from": {web.Date(d.From)}, "to": {web.Date(d.To)},
		"period": {string(d.Period)}}
}

// dashboardReport is the dashboard as printout tables: the headline
// figures first, then every widget's table.
func dashboardReport(d dashboard.Dashboard, viewer string) printout.Report {
	rep := printout.Report{Title: "Bảng điều hành", Unit: d.Unit.Name,
		Span: fmt.Sprintf("Từ ngày %s đến ngày %s, theo %s", web.Date(d.From), web.Date(d.To), strings.ToLower(d.Period.Label())),
		By:   viewer, At: time.Now()}
	links := dashLinks{}
	tiles := printout.Table{Title: "Tổng hợp", Sheet: "Tổng hợp",
		Columns: []printout.Column{{Label: "Chỉ tiêu"}, {Label: "Giá trị", Numeric: true}, {Label: "Ghi chú"}}}
	for _, t := range dashboardTileData(d, links) {
		tiles.Rows = append(tiles.Rows, printout.Row{Cells: []printout.Cell{{Text: t.Label}, {Text: t.Value, Value: t.Number}, {Text: t.Note}}})
	}
	rep.Tables = append(rep.Tables, tiles)
	for _, w := range dashboardWidgets(d, links) {
		t := printout.Table{Title: w.Title, Note: w.Note, Sheet: w.Title, Empty: w.Table.Empty}
		if c := w.Chart; c != nil {
			t.Chart = &printout.Chart{Kind: string(c.Kind), Labels: c.Labels, Percent: c.Percent}
			for _, s := range c.Series {
				t.Chart.Series = append(t.Chart.Series, printout.Series{Name: s.Name, Values: s.Values, Missing: s.Missing})
			}
		}
		for _, c := range w.Table.Columns {
			t.Columns = append(t.Columns, printout.Column{Label: c.Label, Numeric: c.Numeric})
		}
		for _, row := range w.Table.Rows {
			pr := printout.Row{Total: row.Total}
			for _, c := range row.Cells {
				pr.Cells = append(pr.Cells, printout.Cell{Text: c.Text, Value: c.Value})
			}
			t.Rows = append(t.Rows, pr)
		}
		rep.Tables = append(rep.Tables, t)
	}
	return rep
}

func (s *Server) dashboardExport(w http.ResponseWriter, r *http.Request, format string) {
	d, _, err := s.buildDashboard(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sub := subjectFrom(r.Context())
	rep := dashboardReport(d, sub.Name)
	var buf bytes.Buffer
	contentType := "application/pdf"
	if format == "xlsx" {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = printout.DashboardXLSX(&buf, rep)
	} else {
		err = printout.DashboardPDF(&buf, rep)
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("dashboard %s: %w", format, err))
		return
	}
	s.recordAudit(r, audit.Entry{Action: "dashboard.export", Outcome: audit.OutcomeSuccess, ObjectType: "unit",
		ObjectID: strconv.FormatInt(d.Unit.ID, 10), Details: map[string]any{"format": format,
			"from": d.From.Format(time.DateOnly), "to": d.To.Format(time.DateOnly), "period": string(d.Period)}})
	name := fmt.Sprintf("Bảng điều hành %s từ %s đến %s.%s", d.Unit.Name, d.From.Format("02-01-2006"), d.To.Format("02-01-2006"), format)
	writeDownload(w, contentType, name, format == "pdf", buf.Bytes())
}

func (s *Server) dashboardXLSX(w http.ResponseWriter, r *http.Request) {
	s.dashboardExport(w, r, "xlsx")
}
func (s *Server) dashboardPDF(w http.ResponseWriter, r *http.Request) { s.dashboardExport(w, r, "pdf") }

// ---- API ----

// apiFigures are Figures with the rates and means worked out.
type apiFigures struct {
	dashboard.Figures
	OnTimeRate      *float64 `json:"on_time_rate"`
	MeanDays        *float64 `json:"mean_handling_days"`
	MeanWorkingDays *float64 `json:"mean_handling_working_days"`
}

func figuresJSON(f dashboard.Figures) apiFigures {
	out := apiFigures{Figures: f}
	if v, ok := f.OnTimeRate(); ok {
		out.OnTimeRate = &v
	}
	if v, ok := f.MeanDays(); ok {
		out.MeanDays = &v
	}
	if v, ok := f.MeanWorkingDays(); ok {
		out.MeanWorkingDays = &v
	}
	return out
}

type apiDashUnit struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	ValidTo *string `json:"valid_to,omitempty"`
}

type apiDashBucket struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Label string `json:"label"`
	apiFigures
}

type apiDashUnitFigures struct {
	Unit apiDashUnit `json:"unit"`
	apiFigures
	OpenNow    int64 `json:"open_now"`
	OverdueNow int64 `json:"overdue_now"`
}

type apiDashPerson struct {
	UserID  int64  `json:"user_id"`
	Name    string `json:"name"`
	Open    int64  `json:"open"`
	Overdue int64  `json:"overdue"`
}

type apiDashboardResponse struct {
	Unit         apiDashUnit          `json:"unit"`
	From         string               `json:"from"`
	To           string               `json:"to"`
	Period       string               `json:"period"`
	Today        string               `json:"today"`
	UnitsCounted int                  `json:"units_counted"`
	Totals       apiFigures           `json:"totals"`
	OpenNow      int64                `json:"open_now"`
	OverdueNow   int64                `json:"overdue_now"`
	Series       []apiDashBucket      `json:"series"`
	ByUnit       []apiDashUnitFigures `json:"by_unit"`
	ByPerson     []apiDashPerson      `json:"by_person"`
	PeopleTotal  int                  `json:"people_total"`
	Sections     []dashboard.Widget   `json:"sections"`
}

func dashUnitJSON(u dashboard.UnitRef) apiDashUnit {
	out := apiDashUnit{ID: u.ID, Name: u.Name}
	if u.ValidTo != nil {
		s := u.ValidTo.Format(time.DateOnly)
		out.ValidTo = &s
	}
	return out
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) {
	d, _, err := s.buildDashboard(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := apiDashboardResponse{Unit: dashUnitJSON(d.Unit), From: d.From.Format(time.DateOnly), To: d.To.Format(time.DateOnly),
		Period: string(d.Period), Today: d.Today.Format(time.DateOnly), UnitsCounted: d.UnitCount, Totals: figuresJSON(d.Totals),
		OpenNow: d.OpenNow, OverdueNow: d.OverdueNow, PeopleTotal: d.PeopleTotal,
		Series: []apiDashBucket{}, ByUnit: []apiDashUnitFigures{}, ByPerson: []apiDashPerson{}, Sections: d.Sections}
	if out.Sections == nil {
		out.Sections = []dashboard.Widget{}
	}
	for _, b := range d.Series {
		out.Series = append(out.Series, apiDashBucket{Start: b.Start.Format(time.DateOnly), End: b.End.Format(time.DateOnly), Label: b.Label,
			apiFigures: figuresJSON(b.Figures)})
	}
	for _, u := range d.ByUnit {
		out.ByUnit = append(out.ByUnit, apiDashUnitFigures{Unit: dashUnitJSON(u.UnitRef), apiFigures: figuresJSON(u.Figures),
			OpenNow: u.OpenNow, OverdueNow: u.OverdueNow})
	}
	for _, p := range d.ByPerson {
		out.ByPerson = append(out.ByPerson, apiDashPerson(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// The API document's schemas for the dashboard, added to the shared
// catalogue so openapi.go only lists the operation.
func init() {
	figures := obj{
		"received": integer, "issued": integer, "done": integer, "done_on_time": integer, "done_late": integer,
		"done_without_deadline": integer, "open": integer,
		"handling_count": integer, "handling_seconds": integer, "handling_working_days": integer,
		"on_time_rate":               obj{"type": []string{"number", "null"}, "description": "done_on_time / (done_on_time + done_late)"},
		"mean_handling_days":         obj{"type": []string{"number", "null"}},
		"mean_handling_working_days": obj{"type": []string{"number", "null"}},
	}
	unit := obj{"type": "object", "properties": obj{"id": integer, "name": str, "valid_to": obj{"type": "string", "format": "date"}}}
	with := func(extra obj) obj {
		p := obj{}
		for k, v := range figures {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		return obj{"type": "object", "properties": p}
	}
	schemas["DashboardFigures"] = obj{"type": "object", "description": "Incoming figures follow the documents registered in the range " +
		"(by arrival day): done, on time, late, still open; issued counts outgoing documents issued in the range.",
		"properties": figures}
	schemas["DashboardWidget"] = obj{"type": "object", "description": "A section added by another capability: a table (and chart data).",
		"properties": obj{"id": str, "title": str, "note": str, "chart": obj{"type": "object"}, "table": obj{"type": "object"}}}
	schemas["Dashboard"] = obj{"type": "object", "properties": obj{
		"unit": unit, "from": obj{"type": "string", "format": "date"}, "to": obj{"type": "string", "format": "date"},
		"period": str, "today": obj{"type": "string", "format": "date"}, "units_counted": integer,
		"totals":      ref("DashboardFigures"),
		"open_now":    obj{"type": "integer", "description": "Incoming documents in handling today, whenever they arrived"},
		"overdue_now": obj{"type": "integer", "description": "Of open_now, past their due date"},
		"series": obj{"type": "array", "items": with(obj{"start": obj{"type": "string", "format": "date"},
			"end": obj{"type": "string", "format": "date"}, "label": str})},
		"by_unit": obj{"type": "array", "items": with(obj{"unit": unit, "open_now": integer, "overdue_now": integer}),
			"description": "Each unit's own documents"},
		"by_person": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"user_id": integer, "name": str, "open": integer, "overdue": integer}}, "description": "Open lead and cooperating assignments, most overdue first (at most 50)"},
		"people_total": integer,
		"sections":     obj{"type": "array", "items": ref("DashboardWidget")},
	}}
}
