package printout

import (
	"io"
	"iter"
	"strconv"
	"time"
)

// OutgoingRow is one line of the outgoing register (sổ đăng ký văn bản
// đi), with the columns the domain names: number and symbol, date, type
// and summary, signer, recipients, the unit or person keeping the copy,
// copies, date sent, notes.
type OutgoingRow struct {
	Symbol     string     // 12-CV/TU
	IssuedDate *time.Time // a calendar date: its own year, month and day are shown
	TypeName   string
	Subject    string
	Signer     string     // position and full name
	Recipients string     // nơi nhận
	CopyKeeper string     // đơn vị, người nhận bản lưu
	Copies     int        // số lượng bản; 0: blank
	SentAt     *time.Time // ngày chuyển; shown in Vietnam time
	Notes      string
}

// OutgoingBook is the outgoing register over a date range. Rows are
// consumed once, in the order given (issue order).
type OutgoingBook struct {
	UnitName     string
	RegisterName string
	From, To     time.Time // calendar dates; either may be zero
	Rows         iter.Seq2[OutgoingRow, error]
}

// OutgoingSheet is the name of the outgoing register's worksheet.
const OutgoingSheet = "Sổ văn bản đi"

var outgoingColumns = []registerColumn{
	{"Số, ký hiệu văn bản", 28, "L"},
	{"Ngày tháng văn bản", 19, "C"},
	{"Tên loại và trích yếu nội dung", 72, "L"},
	{"Người ký", 30, "L"},
	{"Nơi nhận văn bản", 40, "L"},
	{"Đơn vị, người nhận bản lưu", 30, "L"},
	{"Số lượng bản", 14, "C"},
	{"Ngày chuyển", 18, "C"},
	{"Ghi chú", 26, "L"},
}

var outgoingBook = bookLayout{
	title:   "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
	running: "Sổ đăng ký văn bản đi",
	empty:   "Không có văn bản đi trong khoảng thời gian này.",
	columns: outgoingColumns,
}

func outgoingCells(r OutgoingRow) []string {
	copies := ""
	if r.Copies > 0 {
		copies = strconv.Itoa(r.Copies)
	}
	return []string{
		oneLine(r.Symbol),
		dateOf(r.IssuedDate),
		typeAndSubject(r.TypeName, r.Subject),
		clean(r.Signer),
		clean(r.Recipients),
		clean(r.CopyKeeper),
		copies,
		dayVNPtr(r.SentAt),
		clean(r.Notes),
	}
}

func outgoingSpan(b OutgoingBook) string { return spanOf(b.From, b.To) }

// OutgoingRegisterPDF writes the outgoing register for a date range, laid
// out like the incoming register: A4 landscape, the header repeated on
// every page, rows wrapped, "Trang x/y" at the foot.
func OutgoingRegisterPDF(w io.Writer, b OutgoingBook) error {
	return writeBookPDF(w, outgoingBook, bookHeading{unit: b.UnitName, register: b.RegisterName, span: outgoingSpan(b)},
		func(yield func([]string, error) bool) {
			for row, err := range b.Rows {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(outgoingCells(row), nil) {
					return
				}
			}
		})
}

var outgoingXLSXColumns = []xlsxColumn{
	{"Số, ký hiệu văn bản", 18},
	{"Ngày tháng văn bản", 12},
	{"Tên loại và trích yếu nội dung", 60},
	{"Người ký", 24},
	{"Nơi nhận văn bản", 36},
	{"Đơn vị, người nhận bản lưu", 26},
	{"Số lượng bản", 10},
	{"Ngày chuyển", 12},
	{"Ghi chú", 24},
}

// OutgoingRegisterXLSX writes the outgoing register as a workbook with
// one sheet, like RegisterXLSX.
func OutgoingRegisterXLSX(w io.Writer, b OutgoingBook) error {
	title := "Sổ đăng ký văn bản đi"
	if n := oneLine(b.RegisterName); n != "" {
		title += " – " + n
	}
	k, err := newSheet(OutgoingSheet, title, b.UnitName, outgoingSpan(b), outgoingXLSXColumns)
	if err != nil {
		return err
	}
	defer k.f.Close()
	values := make([]any, len(outgoingXLSXColumns))
	for r, err := range b.Rows {
		if err != nil {
			return err
		}
		values[0] = k.str(oneLine(r.Symbol))
		values[1] = k.day(r.IssuedDate, nil)
		values[2] = k.str(typeAndSubject(r.TypeName, r.Subject))
		values[3] = k.str(clean(r.Signer))
		values[4] = k.str(clean(r.Recipients))
		values[5] = k.str(clean(r.CopyKeeper))
		values[6] = k.num(r.Copies)
		values[7] = k.day(r.SentAt, vnZone)
		values[8] = k.str(clean(r.Notes))
		if err := k.row(values); err != nil {
			return err
		}
	}
	return k.finish(w)
}

// SliceOutgoing adapts a slice to OutgoingBook.Rows.
func SliceOutgoing(rows []OutgoingRow) iter.Seq2[OutgoingRow, error] {
	return func(yield func(OutgoingRow, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}
