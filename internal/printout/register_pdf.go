package printout

import (
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"

	"github.com/go-pdf/fpdf"
)

// registerColumn is a column of the incoming register, with the customary
// columns of the printed "sổ đăng ký văn bản đến".
type registerColumn struct {
	title string
	width float64 // mm
	align string  // L, C or R
}

var registerColumns = []registerColumn{
	{"Ngày đến", 18, "C"},
	{"Số đến", 13, "C"},
	{"Tác giả (cơ quan ban hành)", 38, "L"},
	{"Số, ký hiệu", 26, "L"},
	{"Ngày tháng văn bản", 19, "C"},
	{"Tên loại và trích yếu nội dung", 72, "L"},
	{"Đơn vị hoặc người nhận", 33, "L"},
	{"Ngày chuyển", 18, "C"},
	{"Ký nhận", 18, "C"},
	{"Ghi chú", 22, "L"},
}

// registerCells is a row as the register's columns print it.
func registerCells(r RegisterRow) []string {
	number := ""
	if r.ArrivalNumber > 0 {
		number = strconv.Itoa(r.ArrivalNumber)
	}
	return []string{
		dayVN(r.ArrivedAt),
		number,
		oneLine(r.OrganName),
		oneLine(r.Symbol),
		dateOf(r.IssuedDate),
		typeAndSubject(r.TypeName, r.Subject),
		clean(r.Receivers),
		dayVNPtr(r.ForwardedAt),
		"",
		clean(r.Notes),
	}
}

// Register page layout, in mm (A4 landscape, 297 × 210).
const (
	regMargin     = 10.0
	regBottom     = 12.0 // room for the page number
	regLineH      = 4.2
	regPadY       = 0.9
	regCellMargin = 1.0
	regBodySize   = 9.5
	regHeadSize   = 9.0
	pagesAlias    = "{nb}"
)

// incomingBook lays out the incoming register.
var incomingBook = bookLayout{
	title:   "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
	running: "Sổ đăng ký văn bản đến",
	empty:   "Không có văn bản đến trong khoảng thời gian này.",
	columns: registerColumns,
}

// RegisterPDF writes the incoming register for a date range: A4 landscape,
// the title block on the first page, the column header repeated on every
// page, one row per document in the order given, long cells wrapped and
// a row taller than a page continued on the next, "Trang x/y" at the foot.
// Rows are laid out as they come; none is kept once drawn.
func RegisterPDF(w io.Writer, b RegisterBook) error {
	return writeBookPDF(w, incomingBook, bookHeading{unit: b.UnitName, register: b.RegisterName, span: registerSpan(b)},
		func(yield func([]string, error) bool) {
			for row, err := range b.Rows {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(registerCells(row), nil) {
					return
				}
			}
		})
}

// bookLayout is a register printed as a book: its title, the running head
// of later pages, the columns, and what an empty book says.
type bookLayout struct {
	title, running, empty string
	columns               []registerColumn
}

// bookHeading names the unit, the register and the period of a book.
type bookHeading struct {
	unit, register, span string
}

// writeBookPDF lays out a register book; rows are the cells of each line
// in the layout's column order.
func writeBookPDF(w io.Writer, layout bookLayout, head bookHeading, rows iter.Seq2[[]string, error]) error {
	cols := layout.columns
	pdf := newPDF("L", "A4", layout.running, pagesAlias)
	pdf.SetMargins(regMargin, regMargin, regMargin)
	pdf.SetAutoPageBreak(false, regBottom)
	pdf.SetCellMargin(regCellMargin)
	_, pageH := pdf.GetPageSize()
	bottom := pageH - regBottom

	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() == 1 {
			registerTitle(pdf, layout.title, head)
		} else {
			pdf.SetFont(serif, "I", 8)
			pdf.SetXY(regMargin, regMargin-4)
			running := layout.running
			if n := oneLine(head.register); n != "" {
				running += " – " + n
			}
			if u := oneLine(head.unit); u != "" {
				running = u + " – " + running
			}
			pdf.CellFormat(0, 4, running, "", 1, "L", false, 0, "")
			pdf.SetY(regMargin + 1)
		}
		registerHeader(pdf, cols)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetFont(serif, "I", 8.5)
		pdf.SetXY(regMargin, pageH-regBottom+3)
		pdf.CellFormat(0, 4, fmt.Sprintf("Trang %d/%s", pdf.PageNo(), pagesAlias), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	// Lines of body text a page after the first holds: rows there start
	// under the running line and the column header.
	fullPage := int(math.Floor((bottom - (regMargin + 1 + headerHeight(pdf, cols)) - 2*regPadY) / regLineH))
	pdf.SetFont(serif, "", regBodySize)
	lines := make([][]string, len(cols))
	empty := true
	for cells, err := range rows {
		if err != nil {
			return err
		}
		empty = false
		n := 1
		for i, c := range cells {
			lines[i] = splitCell(pdf, c, cols[i].width)
			n = max(n, len(lines[i]))
		}
		// A row that fits on a page is never split; a longer one fills
		// the page it starts on and carries on.
		room := int(math.Floor((bottom - pdf.GetY() - 2*regPadY) / regLineH))
		if n > room && (n <= fullPage || room < 3) {
			pdf.AddPage()
			pdf.SetFont(serif, "", regBodySize)
			room = fullPage
		}
		for from := 0; from < n; {
			to := min(n, from+max(room, 1))
			drawRowChunk(pdf, cols, lines, from, to)
			from = to
			if from < n {
				pdf.AddPage()
				pdf.SetFont(serif, "", regBodySize)
				room = fullPage
			}
		}
	}
	if empty {
		pdf.SetFont(serif, "I", regBodySize)
		pdf.CellFormat(totalWidth(cols), 10, layout.empty, "1", 1, "C", false, 0, "")
	}
	return pdf.Output(w)
}

func totalWidth(cols []registerColumn) float64 {
	w := 0.0
	for _, c := range cols {
		w += c.width
	}
	return w
}

// splitCell wraps a cell's text to its column; an empty cell has no line.
func splitCell(pdf *fpdf.Fpdf, s string, width float64) []string {
	if s == "" {
		return nil
	}
	return pdf.SplitText(s, width)
}

// drawRowChunk draws lines [from, to) of every cell of a row as one band of
// bordered cells.
func drawRowChunk(pdf *fpdf.Fpdf, cols []registerColumn, lines [][]string, from, to int) {
	y := pdf.GetY()
	h := float64(to-from)*regLineH + 2*regPadY
	x := regMargin
	for i, col := range cols {
		pdf.Rect(x, y, col.width, h, "D")
		for j := from; j < to && j < len(lines[i]); j++ {
			pdf.SetXY(x, y+regPadY+float64(j-from)*regLineH)
			pdf.CellFormat(col.width, regLineH, lines[i][j], "", 0, col.align+"M", false, 0, "")
		}
		x += col.width
	}
	pdf.SetXY(regMargin, y+h)
}

// registerTitle is the first page's heading.
func registerTitle(pdf *fpdf.Fpdf, title string, head bookHeading) {
	pdf.SetXY(regMargin, regMargin)
	if u := upper(head.unit); u != "" {
		pdf.SetFont(serif, "B", 12)
		pdf.MultiCell(0, 5.5, u, "", "C", false)
	}
	pdf.SetFont(serif, "B", 16)
	pdf.CellFormat(0, 8, title, "", 1, "C", false, 0, "")
	if n := oneLine(head.register); n != "" {
		pdf.SetFont(serif, "", 12)
		pdf.CellFormat(0, 6, "Tên sổ: "+n, "", 1, "C", false, 0, "")
	}
	if span := head.span; span != "" {
		pdf.SetFont(serif, "I", 12)
		pdf.CellFormat(0, 6, span, "", 1, "C", false, 0, "")
	}
	pdf.Ln(3)
}

// headerHeight is the height of the column header band. It leaves the
// header's font set.
func headerHeight(pdf *fpdf.Fpdf, cols []registerColumn) float64 {
	pdf.SetFont(serif, "B", regHeadSize)
	n := 1
	for _, c := range cols {
		n = max(n, len(pdf.SplitText(c.title, c.width)))
	}
	return float64(n)*regLineH + 2*regPadY + regLineH // titles, then the column numbers
}

// registerHeader draws the column titles and, under them, the column
// numbers (1)…(10) as printed registers have them.
func registerHeader(pdf *fpdf.Fpdf, cols []registerColumn) {
	pdf.SetFont(serif, "B", regHeadSize)
	y := pdf.GetY()
	n := 1
	titles := make([][]string, len(cols))
	for i, c := range cols {
		titles[i] = pdf.SplitText(c.title, c.width)
		n = max(n, len(titles[i]))
	}
	h := float64(n)*regLineH + 2*regPadY
	x := regMargin
	pdf.SetFillColor(235, 235, 235)
	for i, c := range cols {
		pdf.Rect(x, y, c.width, h, "FD")
		top := y + (h-float64(len(titles[i]))*regLineH)/2
		for j, l := range titles[i] {
			pdf.SetXY(x, top+float64(j)*regLineH)
			pdf.CellFormat(c.width, regLineH, l, "", 0, "CM", false, 0, "")
		}
		x += c.width
	}
	pdf.SetFont(serif, "I", 8)
	x = regMargin
	for i, c := range cols {
		pdf.SetXY(x, y+h)
		pdf.CellFormat(c.width, regLineH, fmt.Sprintf("(%d)", i+1), "1", 0, "C", false, 0, "")
		x += c.width
	}
	pdf.SetXY(regMargin, y+h+regLineH)
}
