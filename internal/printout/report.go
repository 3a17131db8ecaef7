package printout

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// A unit's report (báo cáo) as printed, and a period's figures added up
// across units as a workbook.

// ReportItem is one field of a printed report.
type ReportItem struct {
	Label string
	Unit  string     // unit of measure, for numbers
	Text  string     // a number already written the Vietnamese way, or text
	Table [][]string // rows of a table field, without the header
	Head  []string   // a table's column titles
	Files []string   // names of attached files
}

// ReportDoc is a submitted report.
type ReportDoc struct {
	UnitName    string // the reporting unit
	ParentName  string // its upper committee, printed above it (may be empty)
	IssuerName  string // who asked for the report (nơi nhận)
	Title       string // the template's name
	PeriodLabel string
	Status      string    // e.g. "Đã nộp lần 2", printed in the margin note
	Place       string    // place before the date, may be empty
	Date        time.Time // day of sending (or printing), a calendar date in Vietnam
	SignerName  string
	Items       []ReportItem
}

// Report page layout, in mm (A4 portrait, 210 × 297).
const (
	repLeft   = 25.0
	repRight  = 15.0
	repTop    = 15.0
	repBottom = 18.0
	repLineH  = 6.0
	repBody   = 13.0
	repCellH  = 5.0
)

// ReportPDF writes a report the way party reports are laid out: the unit at
// the top left with a star line, "ĐẢNG CỘNG SẢN VIỆT NAM" and the date at
// the top right, the title, numbered items (tables as bordered grids),
// then the recipient and the signer.
func ReportPDF(w io.Writer, d ReportDoc) error {
	pdf := newPDF("P", "A4", "Báo cáo – "+oneLine(d.Title), pagesAlias)
	pdf.SetMargins(repLeft, repTop, repRight)
	pdf.SetAutoPageBreak(true, repBottom)
	pageW, pageH := pdf.GetPageSize()
	width := pageW - repLeft - repRight
	pdf.SetFooterFunc(func() {
		pdf.SetFont(serif, "I", 9)
		pdf.SetXY(repLeft, pageH-repBottom+6)
		pdf.CellFormat(width, 4, fmt.Sprintf("Trang %d/%s", pdf.PageNo(), pagesAlias), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	// Heading: two columns.
	half := width / 2
	y := pdf.GetY()
	pdf.SetFont(serif, "", 12)
	if p := upper(d.ParentName); p != "" {
		pdf.MultiCell(half, 5.5, p, "", "C", false)
	}
	pdf.SetFont(serif, "B", 12)
	pdf.SetX(repLeft)
	pdf.MultiCell(half, 5.5, upper(d.UnitName), "", "C", false)
	pdf.SetX(repLeft)
	pdf.CellFormat(half, 5, "*", "", 1, "C", false, 0, "")
	leftBottom := pdf.GetY()
	pdf.SetXY(repLeft+half, y)
	pdf.SetFont(serif, "B", 13)
	pdf.CellFormat(half, 6, "ĐẢNG CỘNG SẢN VIỆT NAM", "", 2, "C", false, 0, "")
	pdf.SetFont(serif, "I", 13)
	pdf.CellFormat(half, 6, placeAndDate(d.Place, d.Date), "", 2, "C", false, 0, "")
	pdf.SetY(math.Max(leftBottom, pdf.GetY()) + 6)

	pdf.SetFont(serif, "B", 15)
	pdf.CellFormat(width, 7, "BÁO CÁO", "", 1, "C", false, 0, "")
	pdf.SetFont(serif, "B", 13)
	pdf.MultiCell(width, 6, oneLine(d.Title), "", "C", false)
	if p := oneLine(d.PeriodLabel); p != "" {
		pdf.SetFont(serif, "I", 13)
		pdf.MultiCell(width, 6, "Kỳ báo cáo: "+p, "", "C", false)
	}
	pdf.Ln(5)

	for i, it := range d.Items {
		pdf.SetFont(serif, "B", repBody)
		label := fmt.Sprintf("%d. %s", i+1, oneLine(it.Label))
		switch {
		case it.Table != nil || it.Head != nil:
			pdf.MultiCell(width, repLineH, label, "", "L", false)
			reportTable(pdf, width, it.Head, it.Table)
		case it.Files != nil:
			pdf.MultiCell(width, repLineH, label+":", "", "L", false)
			pdf.SetFont(serif, "", repBody)
			if len(it.Files) == 0 {
				pdf.MultiCell(width, repLineH, "(không có tệp)", "", "L", false)
			}
			for _, f := range it.Files {
				pdf.MultiCell(width, repLineH, "- "+oneLine(f), "", "L", false)
			}
		default:
			text := strings.TrimSpace(clean(it.Text))
			if text == "" {
				text = "…"
			}
			if it.Unit != "" && text != "…" {
				text += " " + oneLine(it.Unit)
			}
			if strings.Contains(text, "\n") || len([]rune(text)) > 60 {
				pdf.MultiCell(width, repLineH, label+":", "", "L", false)
				pdf.SetFont(serif, "", repBody)
				pdf.MultiCell(width, repLineH, text, "", "J", false)
			} else {
				pdf.Write(repLineH, label+": ")
				pdf.SetFont(serif, "", repBody)
				pdf.Write(repLineH, text)
				pdf.Ln(repLineH)
			}
		}
		pdf.Ln(1.5)
	}

	// Recipient and signer.
	pdf.Ln(6)
	y = pdf.GetY()
	if y > pageH-repBottom-40 {
		pdf.AddPage()
		y = pdf.GetY()
	}
	pdf.SetFont(serif, "B", 12)
	pdf.CellFormat(half, 5.5, "Nơi nhận:", "", 2, "L", false, 0, "")
	pdf.SetFont(serif, "", 11)
	if n := oneLine(d.IssuerName); n != "" {
		pdf.MultiCell(half, 5, "- "+n+",", "", "L", false)
	}
	pdf.SetX(repLeft)
	pdf.MultiCell(half, 5, "- Lưu.", "", "L", false)
	pdf.SetXY(repLeft+half, y)
	pdf.SetFont(serif, "B", 13)
	pdf.CellFormat(half, 6, "T/M "+upper(d.UnitName), "", 2, "C", false, 0, "")
	if d.Status != "" {
		pdf.SetFont(serif, "I", 10)
		pdf.CellFormat(half, 5, "("+oneLine(d.Status)+")", "", 2, "C", false, 0, "")
	}
	pdf.Ln(14)
	pdf.SetX(repLeft + half)
	pdf.SetFont(serif, "B", 13)
	pdf.CellFormat(half, 6, oneLine(d.SignerName), "", 2, "C", false, 0, "")
	return pdf.Output(w)
}

func placeAndDate(place string, d time.Time) string {
	if d.IsZero() {
		return ""
	}
	s := fmt.Sprintf("ngày %02d tháng %02d năm %d", d.Day(), int(d.Month()), d.Year())
	if p := oneLine(place); p != "" {
		return p + ", " + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// reportTable draws a table field: equal columns (a first "STT" column),
// wrapped cells, the header repeated when a row moves to a new page.
func reportTable(pdf *fpdf.Fpdf, width float64, head []string, rows [][]string) {
	cols := len(head)
	if cols == 0 {
		return
	}
	const sttW = 12.0
	colW := (width - sttW) / float64(cols)
	_, pageH := pdf.GetPageSize()
	drawRow := func(cells []string, style string, fill bool) {
		pdf.SetFont(serif, style, 11)
		lines := make([][]string, cols+1)
		n := 1
		for i, c := range cells {
			w := colW
			if i == 0 {
				w = sttW
			}
			if c != "" {
				lines[i] = pdf.SplitText(clean(c), w-2)
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*repCellH + 1.5
		if pdf.GetY()+h > pageH-repBottom {
			pdf.AddPage()
		}
		y := pdf.GetY()
		x := repLeft
		for i := range cells {
			w := colW
			if i == 0 {
				w = sttW
			}
			if fill {
				pdf.SetFillColor(235, 235, 235)
				pdf.Rect(x, y, w, h, "FD")
			} else {
				pdf.Rect(x, y, w, h, "D")
			}
			for j, l := range lines[i] {
				pdf.SetXY(x+1, y+0.75+float64(j)*repCellH)
				pdf.CellFormat(w-2, repCellH, l, "", 0, "L", false, 0, "")
			}
			x += w
		}
		pdf.SetXY(repLeft, y+h)
	}
	drawRow(append([]string{"STT"}, head...), "B", true)
	if len(rows) == 0 {
		drawRow(append([]string{""}, make([]string, cols)...), "", false)
	}
	for i, r := range rows {
		cells := make([]string, cols+1)
		cells[0] = strconv.Itoa(i + 1)
		copy(cells[1:], r)
		drawRow(cells, "", false)
	}
	pdf.Ln(1)
}

// AggregateColumn is a number field of the workbook.
type AggregateColumn struct {
	Label string
	Unit  string
}

// AggregateTotal is one field's line of the summary sheet; numbers are
// canonical decimals ("" for none).
type AggregateTotal struct {
	Count              int
	Sum, Avg, Min, Max string
	PrevSum, Diff, Pct string
}

// AggregateUnit is one unit's line of the by-unit sheet.
type AggregateUnit struct {
	Name   string
	Status string
	Late   bool
	Values []string // canonical decimals by column, "" for none
}

// AggregateBook is a period's figures added up.
type AggregateBook struct {
	IssuerName  string
	Title       string
	PeriodLabel string
	PrevLabel   string // "" when there is no previous period
	Note        string // what was counted
	Columns     []AggregateColumn
	Totals      []AggregateTotal // one per column
	Units       []AggregateUnit
}

// AggregateXLSX writes the figures as a workbook with a summary sheet
// (count, sum, average, minimum, maximum and the change from the previous
// period per field) and a by-unit sheet with a total row.
func AggregateXLSX(w io.Writer, b AggregateBook) error {
	f := excelize.NewFile()
	defer f.Close()
	const summary, byUnit = "Tổng hợp", "Theo đơn vị"
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(byUnit); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: oneLine(b.Title) + " – " + oneLine(b.PeriodLabel),
		Subject: oneLine(b.IssuerName), Creator: "Vanthu", Language: "vi-VN", Description: b.Note}); err != nil {
		return err
	}
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	font := &excelize.Font{Family: "Times New Roman", Size: 12}
	numFmt := "#,##0.######"
	style := func(s excelize.Style) int {
		if s.Font == nil {
			s.Font = font
		}
		s.Border = border
		id, err := f.NewStyle(&s)
		if err != nil {
			panic(fmt.Sprintf("printout: bad sheet style: %v", err))
		}
		return id
	}
	var (
		header = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
		text    = style(excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		number  = style(excelize.Style{CustomNumFmt: &numFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
		bold    = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
		boldNum = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true}, CustomNumFmt: &numFmt})
		title   = mustTitleStyle(f)
	)
	num := func(s string, st int) any {
		if s == "" {
			return excelize.Cell{StyleID: st}
		}
		// Cells hold doubles, as Excel does; the exact figures are in Vanthu.
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return excelize.Cell{StyleID: text, Value: s}
		}
		return excelize.Cell{StyleID: st, Value: v}
	}
	str := func(s string, st int) any { return excelize.Cell{StyleID: st, Value: s} }

	// Summary.
	sw, err := f.NewStreamWriter(summary)
	if err != nil {
		return err
	}
	_ = sw.SetColWidth(1, 1, 45)
	_ = sw.SetColWidth(2, 10, 16)
	heading := oneLine(b.Title) + " – " + oneLine(b.PeriodLabel)
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: title, Value: heading}}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{oneLine(b.IssuerName) + ". " + b.Note}); err != nil {
		return err
	}
	head := []any{str("Chỉ tiêu", header), str("Đơn vị tính", header), str("Số báo cáo có số liệu", header), str("Tổng", header),
		str("Trung bình", header), str("Nhỏ nhất", header), str("Lớn nhất", header)}
	if b.PrevLabel != "" {
		head = append(head, str("Tổng kỳ trước ("+oneLine(b.PrevLabel)+")", header), str("Chênh lệch", header), str("Tỷ lệ thay đổi (%)", header))
	}
	if err := sw.SetRow("A4", head, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	for i, c := range b.Columns {
		t := AggregateTotal{}
		if i < len(b.Totals) {
			t = b.Totals[i]
		}
		row := []any{str(oneLine(c.Label), text), str(oneLine(c.Unit), text), excelize.Cell{StyleID: number, Value: t.Count},
			num(t.Sum, number), num(t.Avg, number), num(t.Min, number), num(t.Max, number)}
		if b.PrevLabel != "" {
			row = append(row, num(t.PrevSum, number), num(t.Diff, number), num(t.Pct, number))
		}
		cell, _ := excelize.CoordinatesToCellName(1, 5+i)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	// By unit.
	sw, err = f.NewStreamWriter(byUnit)
	if err != nil {
		return err
	}
	_ = sw.SetColWidth(1, 1, 6)
	_ = sw.SetColWidth(2, 2, 40)
	_ = sw.SetColWidth(3, 3, 22)
	if len(b.Columns) > 0 {
		_ = sw.SetColWidth(4, 3+len(b.Columns), 18)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, XSplit: 2, TopLeftCell: "C2", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "C2", ActiveCell: "C2", Pane: "bottomRight"}}}); err != nil {
		return err
	}
	uhead := []any{str("STT", header), str("Đơn vị", header), str("Trạng thái", header)}
	for _, c := range b.Columns {
		label := oneLine(c.Label)
		if c.Unit != "" {
			label += " (" + oneLine(c.Unit) + ")"
		}
		uhead = append(uhead, str(label, header))
	}
	if err := sw.SetRow("A1", uhead, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	for i, u := range b.Units {
		status := u.Status
		if u.Late {
			status += " (nộp muộn)"
		}
		row := []any{excelize.Cell{StyleID: text, Value: i + 1}, str(oneLine(u.Name), text), str(status, text)}
		for j := range b.Columns {
			v := ""
			if j < len(u.Values) {
				v = u.Values[j]
			}
			row = append(row, num(v, number))
		}
		cell, _ := excelize.CoordinatesToCellName(1, 2+i)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	total := []any{str("", bold), str("Tổng cộng", bold), str("", bold)}
	for i := range b.Columns {
		s := ""
		if i < len(b.Totals) {
			s = b.Totals[i].Sum
		}
		total = append(total, num(s, boldNum))
	}
	cell, _ := excelize.CoordinatesToCellName(1, 2+len(b.Units))
	if err := sw.SetRow(cell, total); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func mustTitleStyle(f *excelize.File) int {
	id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 14, Bold: true}})
	if err != nil {
		panic(fmt.Sprintf("printout: bad sheet style: %v", err))
	}
	return id
}
