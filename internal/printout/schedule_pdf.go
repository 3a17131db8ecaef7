package printout

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// ScheduleWeek is a unit's weekly work schedule (lịch công tác tuần) as
// printed and posted.
type ScheduleWeek struct {
	ParentName string // the committee above the unit, printed over its name ("" for none)
	UnitName   string
	Week, Year int       // ISO week number and week-numbering year
	From, To   time.Time // Monday and Sunday, calendar dates
	Draft      bool      // not yet published: the page says so
	PrintedAt  time.Time // shown in Vietnam time
	Rows       []ScheduleRow
}

// ScheduleRow is one entry. Rows come in day and time order.
type ScheduleRow struct {
	Day       time.Time // calendar date
	Period    string    // Sáng, Chiều, Tối
	Time      string    // 08:00 or 08:00 – 10:30
	Content   string
	Attendees string // chủ trì and thành phần
	Place     string
	Preparer  string
	Adjusted  bool // changed after publishing (điều chỉnh)
	Cancelled bool // removed after publishing
}

var scheduleColumns = []registerColumn{
	{"Thứ, ngày", 24, "C"},
	{"Buổi", 16, "C"},
	{"Thời gian", 26, "C"},
	{"Nội dung", 81, "L"},
	{"Thành phần, chủ trì", 58, "L"},
	{"Địa điểm", 37, "L"},
	{"Chuẩn bị", 35, "L"},
}

// Schedule page layout, in mm (A4 landscape).
const (
	schMargin   = 10.0
	schBottom   = 12.0
	schLineH    = 4.6
	schPadY     = 1.2
	schBodySize = 10.5
	schHeadSize = 10.5
)

var vnWeekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// SchedulePDF writes the weekly work schedule in the customary layout: A4
// landscape; the committee and unit on the left and the Party's name on
// the right; "LỊCH CÔNG TÁC TUẦN n" with the week's dates; a table of
// Thứ/ngày, Buổi (Sáng/Chiều), Thời gian, Nội dung, Thành phần/Chủ trì,
// Địa điểm, Chuẩn bị, each day's and each period's cell spanning its
// rows. Monday to Friday always appear; Saturday and Sunday when they
// have entries. The column header repeats on every page.
func SchedulePDF(w io.Writer, s ScheduleWeek) error {
	pdf := newPDF("L", "A4", fmt.Sprintf("Lịch công tác tuần %d năm %d", s.Week, s.Year), pagesAlias)
	pdf.SetMargins(schMargin, schMargin, schMargin)
	pdf.SetAutoPageBreak(false, schBottom)
	pdf.SetCellMargin(1.2)
	_, pageH := pdf.GetPageSize()
	bottom := pageH - schBottom
	t := &scheduleTable{pdf: pdf, bottom: bottom}

	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() == 1 {
			scheduleTitle(pdf, s)
		} else {
			pdf.SetFont(serif, "I", 8.5)
			pdf.SetXY(schMargin, schMargin-4)
			pdf.CellFormat(0, 4, fmt.Sprintf("%s – Lịch công tác tuần %d (%s – %s)", oneLine(s.UnitName), s.Week,
				s.From.Format("02/01/2006"), s.To.Format("02/01/2006")), "", 1, "L", false, 0, "")
			pdf.SetY(schMargin + 1)
		}
		scheduleHeader(pdf)
		t.top = pdf.GetY()
	})
	pdf.SetFooterFunc(func() {
		pdf.SetFont(serif, "I", 8.5)
		pdf.SetXY(schMargin, pageH-schBottom+3)
		if !s.PrintedAt.IsZero() {
			pdf.CellFormat(100, 4, "In lúc "+s.PrintedAt.In(vnZone).Format("15:04 02/01/2006"), "", 0, "L", false, 0, "")
		}
		pdf.SetX(schMargin)
		pdf.CellFormat(0, 4, fmt.Sprintf("Trang %d/%s", pdf.PageNo(), pagesAlias), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	for d := 0; d < 7; d++ {
		day := s.From.AddDate(0, 0, d)
		var rows []ScheduleRow
		for _, r := range s.Rows {
			if sameDate(r.Day, day) {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 && d >= 5 {
			continue // the weekend only when something is planned
		}
		t.day(day, rows)
	}
	if s.Draft {
		pdf.Ln(3)
		pdf.SetFont(serif, "I", 10)
		pdf.MultiCell(0, 5, "Lịch đang là bản nháp, chưa được công bố; có thể còn thay đổi.", "", "L", false)
	}
	return pdf.Output(w)
}

func sameDate(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day()
}

// scheduleTitle is the first page's heading.
func scheduleTitle(pdf *fpdf.Fpdf, s ScheduleWeek) {
	const leftW, rightW = 120.0, 120.0
	pageW, _ := pdf.GetPageSize()
	top := schMargin
	// Left: the committee, then the unit in bold, then a short rule.
	pdf.SetXY(schMargin, top)
	if p := upper(s.ParentName); p != "" {
		pdf.SetFont(serif, "", 12)
		pdf.MultiCell(leftW, 5.5, p, "", "C", false)
		pdf.SetX(schMargin)
	}
	pdf.SetFont(serif, "B", 12)
	pdf.MultiCell(leftW, 5.5, upper(s.UnitName), "", "C", false)
	pdf.SetFont(serif, "", 12)
	pdf.SetX(schMargin)
	pdf.CellFormat(leftW, 5, "*", "", 1, "C", false, 0, "")
	leftBottom := pdf.GetY()
	// Right: the Party's name, underlined, and the date.
	rx := pageW - schMargin - rightW
	pdf.SetXY(rx, top)
	pdf.SetFont(serif, "B", 13)
	pdf.CellFormat(rightW, 6, "ĐẢNG CỘNG SẢN VIỆT NAM", "", 1, "C", false, 0, "")
	nameW := pdf.GetStringWidth("ĐẢNG CỘNG SẢN VIỆT NAM")
	pdf.SetLineWidth(0.3)
	pdf.Line(rx+(rightW-nameW)/2, top+6.2, rx+(rightW+nameW)/2, top+6.2)
	pdf.SetLineWidth(0.2)
	if !s.PrintedAt.IsZero() {
		d := s.PrintedAt.In(vnZone)
		pdf.SetXY(rx, top+8)
		pdf.SetFont(serif, "I", 12)
		pdf.CellFormat(rightW, 6, fmt.Sprintf("ngày %02d tháng %02d năm %d", d.Day(), int(d.Month()), d.Year()), "", 1, "C", false, 0, "")
	}
	pdf.SetY(max(leftBottom, pdf.GetY()) + 3)

	pdf.SetFont(serif, "B", 15)
	pdf.CellFormat(0, 7, "LỊCH CÔNG TÁC TUẦN "+strconv.Itoa(s.Week), "", 1, "C", false, 0, "")
	pdf.SetFont(serif, "I", 12)
	pdf.CellFormat(0, 6, fmt.Sprintf("(Từ ngày %s đến ngày %s)", s.From.Format("02/01/2006"), s.To.Format("02/01/2006")), "", 1, "C", false, 0, "")
	if s.Draft {
		pdf.SetFont(serif, "B", 11)
		pdf.SetTextColor(170, 0, 0)
		pdf.CellFormat(0, 6, "BẢN NHÁP – CHƯA CÔNG BỐ", "", 1, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.Ln(2)
}

// scheduleHeader draws the column titles.
func scheduleHeader(pdf *fpdf.Fpdf) {
	pdf.SetFont(serif, "B", schHeadSize)
	y := pdf.GetY()
	h := 2*schLineH + 2*schPadY
	x := schMargin
	pdf.SetFillColor(235, 235, 235)
	for _, c := range scheduleColumns {
		pdf.Rect(x, y, c.width, h, "FD")
		lines := pdf.SplitText(c.title, c.width)
		top := y + (h-float64(len(lines))*schLineH)/2
		for j, l := range lines {
			pdf.SetXY(x, top+float64(j)*schLineH)
			pdf.CellFormat(c.width, schLineH, l, "", 0, "CM", false, 0, "")
		}
		x += c.width
	}
	pdf.SetXY(schMargin, y+h)
}

// scheduleTable lays out days, periods and rows, with the day's and the
// period's cells spanning their rows on each page.
type scheduleTable struct {
	pdf    *fpdf.Fpdf
	bottom float64
	top    float64 // where rows start on the current page
}

func colX(i int) float64 {
	x := schMargin
	for _, c := range scheduleColumns[:i] {
		x += c.width
	}
	return x
}

// span draws a bordered cell over [y0, y1) of column col with label at
// its top, and leaves the position where it was.
func (t *scheduleTable) span(col int, y0, y1 float64, label []string, style string) {
	pdf := t.pdf
	x, y := pdf.GetXY()
	defer pdf.SetXY(x, y)
	c := scheduleColumns[col]
	pdf.Rect(colX(col), y0, c.width, y1-y0, "D")
	pdf.SetFont(serif, style, schBodySize)
	for i, l := range label {
		pdf.SetXY(colX(col), y0+schPadY+float64(i)*schLineH)
		pdf.CellFormat(c.width, schLineH, l, "", 0, "CM", false, 0, "")
	}
}

func rowCells(r ScheduleRow) []string {
	content := clean(r.Content)
	switch {
	case r.Cancelled:
		content = "(Đã hủy) " + content
	case r.Adjusted:
		content += "\n(Điều chỉnh)"
	}
	return []string{oneLine(r.Time), content, clean(r.Attendees), clean(r.Place), clean(r.Preparer)}
}

// day draws one day: its period groups and rows, or an empty row.
func (t *scheduleTable) day(day time.Time, rows []ScheduleRow) {
	pdf := t.pdf
	dayLabel := []string{vnWeekdays[day.Weekday()], day.Format("02/01/2006")}
	minH := float64(len(dayLabel))*schLineH + 2*schPadY
	// Lay out every row first to know its height.
	pdf.SetFont(serif, "", schBodySize)
	type laid struct {
		lines [][]string
		h     float64
	}
	var out []laid
	total := 0.0
	for _, r := range rows {
		cells := rowCells(r)
		l := laid{lines: make([][]string, len(cells))}
		n := 1
		for i, c := range cells {
			l.lines[i] = splitCell(pdf, c, scheduleColumns[i+2].width)
			n = max(n, len(l.lines[i]))
		}
		l.h = float64(n)*schLineH + 2*schPadY
		out = append(out, l)
		total += l.h
	}
	if len(rows) == 0 {
		total = minH
	} else if total < minH {
		// A short day: its last row grows to the label's height.
		out[len(out)-1].h += minH - total
		total = minH
	}
	// Keep a short day together on the next page rather than cut it; a
	// long one starts where it is and carries on.
	fresh := t.bottom - (schMargin + 1 + 2*schLineH + 2*schPadY)
	if pdf.GetY()+total > t.bottom && (total <= fresh/2 || pdf.GetY()+minH+schLineH > t.bottom) && pdf.GetY() > t.top+0.1 {
		pdf.AddPage()
	}
	if len(rows) == 0 {
		y := pdf.GetY()
		t.span(0, y, y+minH, dayLabel, "B")
		for i := 1; i < len(scheduleColumns); i++ {
			pdf.Rect(colX(i), y, scheduleColumns[i].width, minH, "D")
		}
		pdf.SetXY(schMargin, y+minH)
		return
	}
	dayTop, periodTop := pdf.GetY(), pdf.GetY()
	period := rows[0].Period
	closeDay := func(y float64) { t.span(0, dayTop, y, dayLabel, "B") }
	for i, r := range rows {
		l := out[i]
		if r.Period != period {
			t.span(1, periodTop, pdf.GetY(), []string{period}, "")
			period, periodTop = r.Period, pdf.GetY()
		}
		if pdf.GetY()+l.h > t.bottom {
			// Continue on the next page; the day and the period say so.
			t.span(1, periodTop, pdf.GetY(), []string{period}, "")
			closeDay(pdf.GetY())
			pdf.AddPage()
			dayTop, periodTop = pdf.GetY(), pdf.GetY()
			dayLabel = []string{vnWeekdays[day.Weekday()], day.Format("02/01/2006"), "(tiếp)"}
			rest := 0.0
			for _, x := range out[i:] {
				rest += x.h
			}
			if need := float64(len(dayLabel))*schLineH + 2*schPadY; rest < need {
				out[len(out)-1].h += need - rest
			}
			l = out[i]
		}
		y := pdf.GetY()
		pdf.SetFont(serif, "", schBodySize)
		if r.Cancelled {
			pdf.SetFont(serif, "I", schBodySize)
		}
		for c := range l.lines {
			col := scheduleColumns[c+2]
			x := colX(c + 2)
			pdf.Rect(x, y, col.width, l.h, "D")
			for j, text := range l.lines[c] {
				pdf.SetXY(x, y+schPadY+float64(j)*schLineH)
				pdf.CellFormat(col.width, schLineH, text, "", 0, col.align+"M", false, 0, "")
			}
		}
		pdf.SetXY(schMargin, y+l.h)
	}
	t.span(1, periodTop, pdf.GetY(), []string{period}, "")
	closeDay(pdf.GetY())
}
