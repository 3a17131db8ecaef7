package printout

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// RegisterSheet is the name of the register's worksheet.
const RegisterSheet = "Sổ văn bản đến"

// xlsxColumn is a column of a register sheet, with its width in
// characters.
type xlsxColumn struct {
	title string
	width float64
}

// xlsxColumns are the incoming register's columns in the sheet.
var xlsxColumns = []xlsxColumn{
	{"Ngày đến", 12},
	{"Số đến", 8},
	{"Tác giả (cơ quan ban hành)", 30},
	{"Số, ký hiệu", 18},
	{"Ngày tháng văn bản", 12},
	{"Tên loại và trích yếu nội dung", 60},
	{"Đơn vị hoặc người nhận", 26},
	{"Ngày chuyển", 12},
	{"Ký nhận", 12},
	{"Ghi chú", 24},
}

// RegisterXLSX writes the register's rows as an XLSX workbook with one
// sheet: a bold, frozen header row, then one row per document with dates as
// Excel dates (dd/mm/yyyy) and wrapped text. Rows are streamed to the
// sheet, so thousands of them stay cheap.
func RegisterXLSX(w io.Writer, b RegisterBook) error {
	title := "Sổ đăng ký văn bản đến"
	if n := oneLine(b.RegisterName); n != "" {
		title += " – " + n
	}
	k, err := newSheet(RegisterSheet, title, b.UnitName, registerSpan(b), xlsxColumns)
	if err != nil {
		return err
	}
	defer k.f.Close()
	values := make([]any, len(xlsxColumns))
	for r, err := range b.Rows {
		if err != nil {
			return err
		}
		values[0] = k.day(&r.ArrivedAt, vnZone)
		values[1] = k.num(r.ArrivalNumber)
		values[2] = k.str(oneLine(r.OrganName))
		values[3] = k.str(oneLine(r.Symbol))
		values[4] = k.day(r.IssuedDate, nil)
		values[5] = k.str(typeAndSubject(r.TypeName, r.Subject))
		values[6] = k.str(clean(r.Receivers))
		values[7] = k.day(r.ForwardedAt, vnZone)
		values[8] = k.str("")
		values[9] = k.str(clean(r.Notes))
		if err := k.row(values); err != nil {
			return err
		}
	}
	return k.finish(w)
}

// sheet streams one register sheet: its styles, the header row, then rows.
type sheet struct {
	f                          *excelize.File
	sw                         *excelize.StreamWriter
	next                       int
	header, text, number, date int
}

// newSheet starts a workbook with one sheet: a bold, frozen header row in
// Times New Roman, columns sized, document properties set.
func newSheet(name, title, unit, span string, cols []xlsxColumn) (*sheet, error) {
	f := excelize.NewFile()
	k := &sheet{f: f, next: 2}
	fail := func(err error) (*sheet, error) {
		f.Close()
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fail(err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: title, Subject: oneLine(unit), Creator: "Vanthu", Language: "vi-VN", Description: span,
	}); err != nil {
		return fail(err)
	}
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	font := &excelize.Font{Family: "Times New Roman", Size: 12}
	style := func(s excelize.Style) int {
		if s.Font == nil {
			s.Font = font
		}
		s.Border = border
		id, err := f.NewStyle(&s)
		if err != nil {
			panic(fmt.Sprintf("printout: bad sheet style: %v", err)) // constant styles: a bug, not input
		}
		return id
	}
	dateFmt := "dd/mm/yyyy"
	k.header = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	k.text = style(excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	k.number = style(excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	k.date = style(excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})

	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fail(err)
	}
	k.sw = sw
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fail(err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fail(err)
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: k.header, Value: c.title}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 32}); err != nil {
		return fail(err)
	}
	return k, nil
}

// day is a date cell. Excel dates have no zone: the calendar day is
// written as such. in is the zone to read an instant in (nil: t is a
// calendar date already).
func (k *sheet) day(t *time.Time, in *time.Location) excelize.Cell {
	if t == nil || t.IsZero() {
		return excelize.Cell{StyleID: k.date}
	}
	v := *t
	if in != nil {
		v = v.In(in)
	}
	y, m, d := v.Date()
	return excelize.Cell{StyleID: k.date, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (k *sheet) str(s string) excelize.Cell { return excelize.Cell{StyleID: k.text, Value: s} }

// num is a centred number cell, blank for 0.
func (k *sheet) num(n int) excelize.Cell {
	if n <= 0 {
		return excelize.Cell{StyleID: k.number}
	}
	return excelize.Cell{StyleID: k.number, Value: n}
}

func (k *sheet) row(values []any) error {
	cell, err := excelize.CoordinatesToCellName(1, k.next)
	if err != nil {
		return err
	}
	k.next++
	return k.sw.SetRow(cell, values)
}

func (k *sheet) finish(w io.Writer) error {
	if err := k.sw.Flush(); err != nil {
		return err
	}
	_, err := k.f.WriteTo(w)
	return err
}

// registerSpan is "Từ ngày … đến ngày …", or "".
func registerSpan(b RegisterBook) string { return spanOf(b.From, b.To) }

func spanOf(from, to time.Time) string {
	switch {
	case !from.IsZero() && !to.IsZero():
		return fmt.Sprintf("Từ ngày %s đến ngày %s", dateOf(&from), dateOf(&to))
	case !from.IsZero():
		return "Từ ngày " + dateOf(&from)
	case !to.IsZero():
		return "Đến ngày " + dateOf(&to)
	}
	return ""
}
