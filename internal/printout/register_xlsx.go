package printout

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// RegisterSheet is the name of the register's worksheet.
const RegisterSheet = "Sổ văn bản đến"

// xlsxColumns are the register's columns in the sheet, with widths in
// characters.
var xlsxColumns = []struct {
	title string
	width float64
}{
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
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", RegisterSheet); err != nil {
		return err
	}
	title := "Sổ đăng ký văn bản đến"
	if n := oneLine(b.RegisterName); n != "" {
		title += " – " + n
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: title, Subject: oneLine(b.UnitName), Creator: "Vanthu", Language: "vi-VN",
		Description: registerSpan(b),
	}); err != nil {
		return err
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
	var (
		header = style(excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12, Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
		text   = style(excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
		number = style(excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
		date   = style(excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	)

	sw, err := f.NewStreamWriter(RegisterSheet)
	if err != nil {
		return err
	}
	for i, c := range xlsxColumns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	head := make([]any, len(xlsxColumns))
	for i, c := range xlsxColumns {
		head[i] = excelize.Cell{StyleID: header, Value: c.title}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}

	// Excel dates have no zone: write the calendar day as such. in is the
	// zone to read an instant in (nil: t is a calendar date already).
	day := func(t *time.Time, in *time.Location) excelize.Cell {
		if t == nil || t.IsZero() {
			return excelize.Cell{StyleID: date}
		}
		v := *t
		if in != nil {
			v = v.In(in)
		}
		y, m, d := v.Date()
		return excelize.Cell{StyleID: date, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}
	str := func(s string) excelize.Cell { return excelize.Cell{StyleID: text, Value: s} }
	row := 2
	values := make([]any, len(xlsxColumns))
	for r, err := range b.Rows {
		if err != nil {
			return err
		}
		values[0] = day(&r.ArrivedAt, vnZone)
		if r.ArrivalNumber > 0 {
			values[1] = excelize.Cell{StyleID: number, Value: r.ArrivalNumber}
		} else {
			values[1] = excelize.Cell{StyleID: number}
		}
		values[2] = str(oneLine(r.OrganName))
		values[3] = str(oneLine(r.Symbol))
		values[4] = day(r.IssuedDate, nil)
		values[5] = str(typeAndSubject(r.TypeName, r.Subject))
		values[6] = str(clean(r.Receivers))
		values[7] = day(r.ForwardedAt, vnZone)
		values[8] = str("")
		values[9] = str(clean(r.Notes))
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// registerSpan is "Từ ngày … đến ngày …", or "".
func registerSpan(b RegisterBook) string {
	switch {
	case !b.From.IsZero() && !b.To.IsZero():
		return fmt.Sprintf("Từ ngày %s đến ngày %s", dateOf(&b.From), dateOf(&b.To))
	case !b.From.IsZero():
		return "Từ ngày " + dateOf(&b.From)
	case !b.To.IsZero():
		return "Đến ngày " + dateOf(&b.To)
	}
	return ""
}
