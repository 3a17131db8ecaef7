package printout

import (
	"fmt"
	"io"
	"strconv"
)

// ReceiptPDF writes the "ĐẾN" slip of one incoming document on an A5
// page: the bordered stamp (unit, ĐẾN, số, ngày, giờ, chuyển, lưu hồ sơ
// số) and below it the document's key metadata, to staple to the paper
// original.
func ReceiptPDF(w io.Writer, r Receipt) error {
	const (
		margin = 15.0
		stampW = 104.0
		pad    = 4.0
	)
	pdf := newPDF("P", "A5", fmt.Sprintf("Dấu đến số %d", r.ArrivalNumber), "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddPage()
	pageW, _ := pdf.GetPageSize()
	x0 := (pageW - stampW) / 2
	y0 := margin
	inner := stampW - 2*pad

	// The unit, upper case, centred.
	pdf.SetFont(serif, "B", 11)
	pdf.SetXY(x0+pad, y0+pad)
	pdf.MultiCell(inner, 5, upper(r.UnitName), "", "C", false)
	y := pdf.GetY() + 2

	// ĐẾN on the left, number, day and time on the right.
	const lineH, rows = 7.0, 3
	boxW := 32.0
	pdf.SetLineWidth(0.4)
	pdf.Rect(x0+pad, y, boxW, lineH*rows, "D")
	pdf.SetFont(serif, "B", 24)
	pdf.SetXY(x0+pad, y)
	pdf.CellFormat(boxW, lineH*rows, "ĐẾN", "", 0, "CM", false, 0, "")
	arrived := r.ArrivedAt.In(vnZone)
	labelX := x0 + pad + boxW + 5
	field := func(row int, label, value string, bold bool) {
		pdf.SetXY(labelX, y+float64(row)*lineH)
		pdf.SetFont(serif, "", 12)
		pdf.CellFormat(15, lineH, label, "", 0, "LM", false, 0, "")
		style, size := "", 12.0
		if bold {
			style, size = "B", 14
		}
		pdf.SetFont(serif, style, size)
		pdf.CellFormat(stampW-pad-(labelX-x0)-15, lineH, value, "", 0, "LM", false, 0, "")
	}
	number := ""
	if r.ArrivalNumber > 0 {
		number = strconv.Itoa(r.ArrivalNumber)
	}
	field(0, "Số:", number, true)
	field(1, "Ngày:", dayVN(r.ArrivedAt), false)
	hour := ""
	if !r.ArrivedAt.IsZero() {
		hour = arrived.Format("15:04")
	}
	field(2, "Giờ:", hour, false)
	y += lineH*rows + 3

	// Lines left blank for the hand: where it goes, which file keeps it.
	blank := func(label string) {
		pdf.SetFont(serif, "", 12)
		pdf.SetXY(x0+pad, y)
		pdf.CellFormat(pdf.GetStringWidth(label)+1.5, lineH, label, "", 0, "LM", false, 0, "")
		pdf.SetDashPattern([]float64{0.4, 1.2}, 0)
		pdf.SetLineWidth(0.25)
		pdf.Line(pdf.GetX(), y+lineH-1.8, x0+stampW-pad, y+lineH-1.8)
		pdf.SetDashPattern([]float64{}, 0)
		y += lineH + 1
	}
	blank("Chuyển:")
	blank("Lưu hồ sơ số:")
	y += pad - 1

	pdf.SetLineWidth(0.8)
	pdf.Rect(x0, y0, stampW, y-y0, "D")
	pdf.SetLineWidth(0.2)

	// The document it belongs to.
	y += 9
	pdf.SetXY(margin, y)
	pdf.SetFont(serif, "B", 12)
	pdf.CellFormat(0, 6, "THÔNG TIN VĂN BẢN", "", 1, "L", false, 0, "")
	pdf.Ln(1.5)
	const labelW = 38.0
	info := func(label, value string) {
		if value == "" {
			return
		}
		yy := pdf.GetY()
		pdf.SetFont(serif, "B", 11)
		pdf.SetX(margin)
		pdf.CellFormat(labelW, 5.6, label, "", 0, "L", false, 0, "")
		pdf.SetFont(serif, "", 11)
		pdf.SetXY(margin+labelW, yy)
		pdf.MultiCell(0, 5.6, value, "", "L", false)
		pdf.Ln(1)
	}
	info("Số, ký hiệu:", oneLine(r.Symbol))
	info("Ngày văn bản:", dateOf(r.IssuedDate))
	info("Loại văn bản:", oneLine(r.TypeName))
	info("Cơ quan ban hành:", oneLine(r.OrganName))
	info("Trích yếu:", clean(r.Subject))
	return pdf.Output(w)
}
