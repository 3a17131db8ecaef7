// Package printout renders the paper artefacts of the incoming flow: the
// "ĐẾN" stamp slip stapled to a paper original, and the incoming register
// (sổ đăng ký văn bản đến) as a PDF to print and bind each year or as an
// XLSX sheet; and the weekly work schedule (lịch công tác tuần). It is pure: it takes data and writes bytes, and knows nothing
// of the database or HTTP.
package printout

import (
	"embed"
	"iter"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

	"vanthu/internal/platform/vntime"
)

// Receipt is what the "ĐẾN" stamp slip of one incoming document shows.
type Receipt struct {
	UnitName      string
	ArrivalNumber int
	ArrivedAt     time.Time // shown in Vietnam time
	Symbol        string    // số, ký hiệu, e.g. 57-NQ/TW
	OrganName     string    // cơ quan ban hành
	Subject       string    // trích yếu
	// Optional.
	TypeName   string
	IssuedDate *time.Time // a calendar date: its own year, month and day are shown
}

// RegisterRow is one line of the incoming register.
type RegisterRow struct {
	ArrivedAt     time.Time // zero: blank; shown in Vietnam time
	ArrivalNumber int       // 0: blank
	OrganName     string
	Symbol        string
	IssuedDate    *time.Time // a calendar date: its own year, month and day are shown
	TypeName      string
	Subject       string
	Receivers     string     // đơn vị hoặc người nhận
	ForwardedAt   *time.Time // ngày chuyển; shown in Vietnam time
	Notes         string
}

// RegisterBook is the incoming register over a date range. Rows are
// consumed once, in the order given (arrival order); a row error stops the
// rendering before anything is written.
type RegisterBook struct {
	UnitName     string
	RegisterName string
	From, To     time.Time // calendar dates; either may be zero
	Rows         iter.Seq2[RegisterRow, error]
}

// SliceRows adapts a slice to RegisterBook.Rows.
func SliceRows(rows []RegisterRow) iter.Seq2[RegisterRow, error] {
	return func(yield func(RegisterRow, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

//go:embed fonts/*.ttf
var fontFiles embed.FS

// The serif face is Liberation Serif: metric-compatible with Times New
// Roman, which Vietnamese administrative documents use.
const serif = "LiberationSerif"

func mustFont(name string) []byte {
	b, err := fontFiles.ReadFile("fonts/" + name)
	if err != nil {
		panic("printout: embedded font missing: " + name)
	}
	return b
}

var (
	fontRegular = mustFont("LiberationSerif-Regular.ttf")
	fontBold    = mustFont("LiberationSerif-Bold.ttf")
	fontItalic  = mustFont("LiberationSerif-Italic.ttf")
)

// newPDF starts a document in millimetres with the Unicode fonts loaded.
// pageAlias, when not "", is replaced by the page count at output; it must
// be set before fonts are added.
func newPDF(orientation, size, title, pageAlias string) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", size, "")
	if pageAlias != "" {
		pdf.AliasNbPages(pageAlias)
	}
	pdf.AddUTF8FontFromBytes(serif, "", fontRegular)
	pdf.AddUTF8FontFromBytes(serif, "B", fontBold)
	pdf.AddUTF8FontFromBytes(serif, "I", fontItalic)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Vanthu", true)
	pdf.SetProducer("Vanthu", true)
	pdf.SetLang("vi-VN")
	return pdf
}

var vnZone = vntime.Zone

// dayVN formats an instant as its day in Vietnam.
func dayVN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vnZone).Format("02/01/2006")
}

// dateOf formats a calendar date (its own year, month and day).
func dateOf(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

func dayVNPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dayVN(*t)
}

// clean makes user text safe to lay out: composed Unicode (Vietnamese typed
// with combining marks would otherwise print its marks apart), no control
// characters but newlines, tabs as spaces, and nothing beyond the Basic
// Multilingual Plane (emoji), which the PDF library cannot measure.
func clean(s string) string {
	if s == "" {
		return s
	}
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r == '\r', unicode.IsControl(r), r == '\uFEFF':
			return -1
		case r > 0xFFFE || unicode.Is(unicode.Cs, r):
			return '?'
		}
		return r
	}, s)
}

// oneLine is clean text with line breaks and runs of spaces folded.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// upper is a unit name as stamps print it.
func upper(s string) string {
	return strings.ToUpper(oneLine(s))
}

// typeAndSubject joins the document type and its summary as the register's
// "Tên loại và trích yếu nội dung" reads: "Công văn về việc …".
func typeAndSubject(typeName, subject string) string {
	typeName, subject = oneLine(typeName), strings.TrimSpace(clean(subject))
	switch {
	case typeName == "":
		return subject
	case subject == "":
		return typeName
	}
	for _, p := range []string{"Về ", "V/v "} {
		if strings.HasPrefix(subject, p) {
			return typeName + " " + strings.ToLower(p[:1]) + subject[1:]
		}
	}
	return typeName + ": " + subject
}
