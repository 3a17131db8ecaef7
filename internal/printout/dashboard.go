package printout

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// Report is a dashboard as tables: a heading and the tables in order.
type Report struct {
	Title  string    // Bảng điều hành
	Unit   string    // the unit it covers
	Span   string    // "Từ ngày … đến ngày …, theo tháng"
	By     string    // who made it
	At     time.Time // when; shown in Vietnam time
	Tables []Table
}

// Table is one block of a report.
type Table struct {
	Title   string
	Note    string
	Sheet   string // the worksheet name (cut to Excel's 31 characters)
	Chart   *Chart // drawn above the table in the PDF; nil for none
	Columns []Column
	Rows    []Row
	Empty   string // printed when there are no rows
}

// Chart is a chart to draw: "bar" (series side by side per label), "line"
// or "hbar" (one bar per label, first series, at most ten).
type Chart struct {
	Kind    string
	Labels  []string
	Series  []Series
	Percent bool // values are percentages: the axis runs to 100
}

// Series is one named row of values; Missing marks labels without one.
type Series struct {
	Name    string
	Values  []float64
	Missing []bool
}

// Column is a table column; numeric columns align right.
type Column struct {
	Label   string
	Numeric bool
}

// Row is a table row; Total rows print bold.
type Row struct {
	Cells []Cell
	Total bool
}

// Cell is the text shown and, for numbers, the value a spreadsheet keeps.
type Cell struct {
	Text  string
	Value *float64
}

func (r Report) made() string {
	s := "Lập lúc " + r.At.In(vnZone).Format("15:04 02/01/2006")
	if b := oneLine(r.By); b != "" {
		s += ", người lập: " + b
	}
	return s
}

// DashboardXLSX writes the report as a workbook, one sheet per table:
// the heading, then a bold header row, then the rows with numbers as
// numbers.
func DashboardXLSX(w io.Writer, r Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(&excelize.DocProperties{Title: oneLine(r.Title), Subject: oneLine(r.Unit), Creator: "Vanthu",
		Language: "vi-VN", Description: oneLine(r.Span)}); err != nil {
		return err
	}
	font := func(bold, italic bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold, Italic: italic}
	}
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	style := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		if err != nil {
			panic(fmt.Sprintf("printout: bad sheet style: %v", err)) // constant styles: a bug, not input
		}
		return id
	}
	var (
		title   = style(excelize.Style{Font: font(true, false, 14)})
		sub     = style(excelize.Style{Font: font(false, true, 11)})
		header  = style(excelize.Style{Font: font(true, false, 12), Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
		text    = style(excelize.Style{Font: font(false, false, 12), Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		number  = style(excelize.Style{Font: font(false, false, 12), Border: border, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}})
		textB   = style(excelize.Style{Font: font(true, false, 12), Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		numberB = style(excelize.Style{Font: font(true, false, 12), Border: border, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}})
	)
	used := map[string]bool{}
	for i, t := range r.Tables {
		name := sheetName(t.Sheet, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		set := func(col, row int, v any, st int) error {
			cell, err := excelize.CoordinatesToCellName(col, row)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(name, cell, v); err != nil {
				return err
			}
			return f.SetCellStyle(name, cell, cell, st)
		}
		heading := oneLine(t.Title)
		if u := oneLine(r.Unit); u != "" {
			heading += " – " + u
		}
		if err := set(1, 1, heading, title); err != nil {
			return err
		}
		if err := set(1, 2, oneLine(r.Span)+". "+r.made(), sub); err != nil {
			return err
		}
		row := 3
		if n := oneLine(t.Note); n != "" {
			if err := set(1, row, n, sub); err != nil {
				return err
			}
			row++
		}
		row++
		for c, col := range t.Columns {
			if err := set(c+1, row, oneLine(col.Label), header); err != nil {
				return err
			}
			width := 14.0
			if c == 0 {
				width = 44
			}
			colName, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(name, colName, colName, width); err != nil {
				return err
			}
		}
		if err := f.SetRowHeight(name, row, 32); err != nil {
			return err
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: fmt.Sprintf("A%d", row+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		row++
		if len(t.Rows) == 0 && t.Empty != "" {
			if err := set(1, row, oneLine(t.Empty), sub); err != nil {
				return err
			}
		}
		for _, rw := range t.Rows {
			for c, cell := range rw.Cells {
				numeric := c < len(t.Columns) && t.Columns[c].Numeric
				st := text
				switch {
				case numeric && rw.Total:
					st = numberB
				case numeric:
					st = number
				case rw.Total:
					st = textB
				}
				var v any = oneLine(cell.Text)
				if cell.Value != nil {
					v = *cell.Value
				}
				if err := set(c+1, row, v, st); err != nil {
					return err
				}
			}
			row++
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// sheetName makes a worksheet name Excel accepts: at most 31
// characters, none of : \ / ? * [ ], unique in the workbook.
func sheetName(s string, i int, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, oneLine(s))
	if s == "" {
		s = fmt.Sprintf("Bảng %d", i+1)
	}
	cut := func(s string, n int) string {
		if utf8.RuneCountInString(s) <= n {
			return s
		}
		return string([]rune(s)[:n])
	}
	name := cut(s, 31)
	for k := 2; used[strings.ToLower(name)]; k++ {
		suffix := fmt.Sprintf(" (%d)", k)
		name = cut(s, 31-utf8.RuneCountInString(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

// Dashboard page layout, in mm (A4 landscape).
const (
	dashMargin = 12.0
	dashBottom = 14.0
	dashLineH  = 5.0
	dashPad    = 0.8
	dashBody   = 10.0
	dashFirst  = 78.0 // the first (label) column
)

// DashboardPDF writes the report for printing: A4 landscape, the heading
// on the first page, each table with its title and note, the column
// header repeated when a table continues on a new page, "Trang x/y" at
// the foot.
func DashboardPDF(w io.Writer, r Report) error {
	pdf := newPDF("L", "A4", oneLine(r.Title), pagesAlias)
	pdf.SetMargins(dashMargin, dashMargin, dashMargin)
	pdf.SetAutoPageBreak(false, dashBottom)
	pdf.SetCellMargin(1.2)
	pageW, pageH := pdf.GetPageSize()
	width := pageW - 2*dashMargin
	bottom := pageH - dashBottom
	pdf.SetFooterFunc(func() {
		pdf.SetFont(serif, "I", 8.5)
		pdf.SetXY(dashMargin, pageH-dashBottom+4)
		pdf.CellFormat(width/2, 4, oneLine(r.Unit)+" – "+oneLine(r.Title), "", 0, "L", false, 0, "")
		pdf.CellFormat(width/2, 4, fmt.Sprintf("Trang %d/%s", pdf.PageNo(), pagesAlias), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	if u := upper(r.Unit); u != "" {
		pdf.SetFont(serif, "B", 12)
		pdf.MultiCell(0, 5.5, u, "", "C", false)
	}
	pdf.SetFont(serif, "B", 16)
	pdf.CellFormat(0, 9, strings.ToUpper(oneLine(r.Title)), "", 1, "C", false, 0, "")
	pdf.SetFont(serif, "I", 11.5)
	pdf.CellFormat(0, 6, oneLine(r.Span), "", 1, "C", false, 0, "")
	pdf.SetFont(serif, "I", 9)
	pdf.CellFormat(0, 5, r.made(), "", 1, "C", false, 0, "")
	pdf.Ln(2)

	for _, t := range r.Tables {
		widths := make([]float64, len(t.Columns))
		if len(t.Columns) > 0 {
			widths[0] = dashFirst
			if len(t.Columns) == 1 {
				widths[0] = width
			}
			for i := 1; i < len(t.Columns); i++ {
				widths[i] = (width - dashFirst) / float64(len(t.Columns)-1)
			}
			if len(t.Columns) == 3 && !t.Columns[2].Numeric { // label, value, note
				widths[1], widths[2] = 40, width-dashFirst-40
			}
		}
		// The title, the note and the header stay with the first rows.
		pdf.SetFont(serif, "I", 9)
		note := splitCell(pdf, oneLine(t.Note), width)
		head := headerLines(pdf, t.Columns, widths)
		need := 7 + float64(len(note))*4.2 + float64(head)*dashLineH + 2*dashPad + 3*(dashLineH+2*dashPad) + chartHeight(t.Chart)
		if pdf.GetY()+need > bottom {
			pdf.AddPage()
		}
		pdf.Ln(2)
		pdf.SetFont(serif, "B", 12)
		pdf.CellFormat(0, 7, oneLine(t.Title), "", 1, "L", false, 0, "")
		if len(note) > 0 {
			pdf.SetFont(serif, "I", 9)
			for _, l := range note {
				pdf.CellFormat(0, 4.2, l, "", 1, "L", false, 0, "")
			}
			pdf.Ln(1)
		}
		drawChart(pdf, t.Chart, dashMargin, pdf.GetY(), width)
		if len(t.Rows) == 0 {
			pdf.SetFont(serif, "I", dashBody)
			pdf.CellFormat(width, 8, oneLine(t.Empty), "1", 1, "C", false, 0, "")
			continue
		}
		drawHeader := func() {
			pdf.SetFont(serif, "B", 9.5)
			y := pdf.GetY()
			h := float64(head)*dashLineH + 2*dashPad
			x := dashMargin
			pdf.SetFillColor(232, 232, 232)
			for i, c := range t.Columns {
				pdf.Rect(x, y, widths[i], h, "FD")
				lines := splitCell(pdf, oneLine(c.Label), widths[i])
				top := y + (h-float64(len(lines))*dashLineH)/2
				for j, l := range lines {
					pdf.SetXY(x, top+float64(j)*dashLineH)
					pdf.CellFormat(widths[i], dashLineH, l, "", 0, "CM", false, 0, "")
				}
				x += widths[i]
			}
			pdf.SetXY(dashMargin, y+h)
		}
		drawHeader()
		for _, rw := range t.Rows {
			style := ""
			if rw.Total {
				style = "B"
			}
			pdf.SetFont(serif, style, dashBody)
			lines := make([][]string, len(t.Columns))
			n := 1
			for i := range t.Columns {
				text := ""
				if i < len(rw.Cells) {
					text = oneLine(rw.Cells[i].Text)
				}
				lines[i] = splitCell(pdf, text, widths[i])
				n = max(n, len(lines[i]))
			}
			h := float64(n)*dashLineH + 2*dashPad
			if pdf.GetY()+h > bottom {
				pdf.AddPage()
				drawHeader()
				pdf.SetFont(serif, style, dashBody)
			}
			y, x := pdf.GetY(), dashMargin
			for i, c := range t.Columns {
				pdf.Rect(x, y, widths[i], h, "D")
				align := "L"
				if c.Numeric {
					align = "R"
				}
				for j, l := range lines[i] {
					pdf.SetXY(x, y+dashPad+float64(j)*dashLineH)
					pdf.CellFormat(widths[i], dashLineH, l, "", 0, align+"M", false, 0, "")
				}
				x += widths[i]
			}
			pdf.SetXY(dashMargin, y+h)
		}
	}
	return pdf.Output(w)
}

// headerLines is how many lines the tallest column title takes.
func headerLines(pdf *fpdf.Fpdf, cols []Column, widths []float64) int {
	pdf.SetFont(serif, "B", 9.5)
	n := 1
	for i, c := range cols {
		n = max(n, len(splitCell(pdf, oneLine(c.Label), widths[i])))
	}
	return int(math.Max(1, float64(n)))
}

// Okabe and Ito's palette, told apart with colour blindness and in grey.
var chartColours = [][3]int{{0, 114, 178}, {230, 159, 0}, {0, 158, 115}, {204, 121, 167}}

const (
	chartPlotH  = 52.0 // mm, bar and line charts
	chartHBarH  = 6.0  // mm per bar
	chartMaxBar = 10
)

// chartHeight is the room a chart takes, 0 for none.
func chartHeight(c *Chart) float64 {
	if c == nil || len(c.Labels) == 0 || len(c.Series) == 0 {
		return 0
	}
	if c.Kind == "hbar" {
		return float64(min(len(c.Labels), chartMaxBar))*chartHBarH + 6
	}
	return chartPlotH + 14
}

// axisTop picks a round top for a value axis and its step.
func axisTop(max float64, percent bool) (top, step float64) {
	if percent {
		return 100, 25
	}
	if max <= 0 {
		return 1, 1
	}
	raw := max / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	step = math.Max(step, 1)
	return step * math.Ceil(max/step), step
}

func chartValue(v float64, percent bool) string {
	s := strings.Replace(fmt.Sprintf("%.1f", v), ".", ",", 1)
	if percent {
		return s + "%"
	}
	if v == math.Trunc(v) {
		s = fmt.Sprintf("%.0f", v)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "." + s[i:]
		}
	}
	return s
}

func missingAt(s Series, i int) bool { return i < len(s.Missing) && s.Missing[i] }

// drawChart draws c at (x, y), width w wide, and moves below it.
func drawChart(pdf *fpdf.Fpdf, c *Chart, x, y, w float64) {
	h := chartHeight(c)
	if h == 0 {
		return
	}
	pdf.SetLineWidth(0.2)
	if c.Kind == "hbar" {
		s := c.Series[0]
		n := min(len(c.Labels), chartMaxBar)
		top := 0.0
		for i := range n {
			if !missingAt(s, i) {
				top = math.Max(top, s.Values[i])
			}
		}
		top, _ = axisTop(top, c.Percent)
		label, room := 70.0, w*0.55
		pdf.SetFont(serif, "", 8.5)
		for i := range n {
			yy := y + float64(i)*chartHBarH
			pdf.SetXY(x, yy)
			pdf.CellFormat(label-2, chartHBarH, shortText(pdf, oneLine(c.Labels[i]), label-2), "", 0, "RM", false, 0, "")
			if missingAt(s, i) {
				continue
			}
			bw := math.Max(s.Values[i]/top*room, 0.3)
			col := chartColours[0]
			pdf.SetFillColor(col[0], col[1], col[2])
			pdf.Rect(x+label, yy+1, bw, chartHBarH-2, "FD")
			pdf.SetXY(x+label+bw+1, yy)
			pdf.CellFormat(30, chartHBarH, chartValue(s.Values[i], c.Percent), "", 0, "LM", false, 0, "")
		}
		pdf.Line(x+label, y, x+label, y+float64(n)*chartHBarH)
		pdf.SetXY(x, y+h)
		return
	}
	left, plotW := x+16, w*0.6-16
	top := 0.0
	for _, s := range c.Series {
		for i, v := range s.Values {
			if !missingAt(s, i) {
				top = math.Max(top, v)
			}
		}
	}
	top, step := axisTop(top, c.Percent)
	base := y + 4 + chartPlotH // room above for the top tick
	yOf := func(v float64) float64 { return base - v/top*chartPlotH }
	pdf.SetFont(serif, "", 7.5)
	pdf.SetDrawColor(200, 200, 200)
	for v := 0.0; v <= top+step/2; v += step {
		pdf.Line(left, yOf(v), left+plotW, yOf(v))
		pdf.SetXY(x, yOf(v)-2)
		pdf.CellFormat(15, 4, chartValue(v, c.Percent), "", 0, "R", false, 0, "")
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(left, base, left+plotW, base)
	n := len(c.Labels)
	group := plotW / float64(n)
	every := int(math.Ceil(14 / group))
	for i, l := range c.Labels {
		if i%every == 0 {
			pdf.SetXY(left+group*float64(i)+group/2-10, base+1)
			pdf.CellFormat(20, 4, shortText(pdf, oneLine(l), 20), "", 0, "C", false, 0, "")
		}
	}
	for si, s := range c.Series {
		col := chartColours[si%len(chartColours)]
		pdf.SetFillColor(col[0], col[1], col[2])
		pdf.SetDrawColor(col[0], col[1], col[2])
		if c.Kind == "line" {
			pdf.SetLineWidth(0.6)
			var px, py float64
			pen := false
			for i, v := range s.Values {
				if missingAt(s, i) {
					pen = false
					continue
				}
				cx, cy := left+group*(float64(i)+0.5), yOf(v)
				if pen {
					pdf.Line(px, py, cx, cy)
				}
				if si%2 == 0 {
					pdf.Circle(cx, cy, 0.9, "F")
				} else {
					pdf.Rect(cx-0.9, cy-0.9, 1.8, 1.8, "F")
				}
				px, py, pen = cx, cy, true
			}
			pdf.SetLineWidth(0.2)
		} else {
			inner := group * 0.8 / float64(len(c.Series))
			pdf.SetDrawColor(0, 0, 0)
			for i, v := range s.Values {
				if missingAt(s, i) || v == 0 {
					continue
				}
				bx := left + group*float64(i) + group*0.1 + inner*float64(si)
				pdf.Rect(bx, yOf(v), math.Max(inner-0.2, 0.2), v/top*chartPlotH, "FD")
			}
		}
		// The legend, right of the plot.
		ly := y + 4 + float64(si)*6
		pdf.SetDrawColor(0, 0, 0)
		pdf.Rect(left+plotW+6, ly, 5, 3.5, "FD")
		pdf.SetFont(serif, "", 9)
		pdf.SetXY(left+plotW+12, ly-0.5)
		pdf.CellFormat(60, 4.5, oneLine(s.Name), "", 0, "L", false, 0, "")
		pdf.SetFont(serif, "", 7.5)
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetXY(x, y+h)
}

// shortText cuts s with an ellipsis to fit width.
func shortText(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
