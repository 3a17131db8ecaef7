package exchange

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"vanthu/internal/apperr"
	"vanthu/internal/edxml"
	"vanthu/internal/registry"
)

// Incoming is what an envelope puts in the columns of a documents row; the
// rest of the envelope is kept whole in exchange_documents.metadata.
type Incoming struct {
	TypeName       string // "" when the envelope names no type; see TypeCode
	TypeCode       string // the type part of the notation (CV in CV/VPTU), a fallback for TypeName
	CodeNumber     string
	CodeNotation   string
	Symbol         string // 96-CV/VPTU, as the registry composes it
	IssuedDate     time.Time
	OrganName      string
	Subject        string
	PageAmount     int
	SignerPosition string
	SignerFullName string
	Priority       string // documents.Priorities
	DueDate        *time.Time
	Receivers      string
}

// priorities maps OtherInfo/Priority (0–4) to documents.priority.
var priorities = []string{"thuong", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"}

// priorityCode is the edXML priority of a documents.priority.
func priorityCode(p string) int {
	for i, v := range priorities {
		if v == p {
			return i
		}
	}
	return 0
}

func dateOf(d edxml.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func edDate(t time.Time) edxml.Date {
	return edxml.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// MapIncoming checks what an incoming document needs beyond what
// edxml.Parse validates and maps the envelope to document columns. Every
// problem is reported at once, keyed by the element's path, in Vietnamese.
func MapIncoming(m edxml.Message) (Incoming, error) {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	f := apperr.Fields{}
	const mh = "MessageHeader/"
	in := Incoming{
		TypeName:       clean(m.DocumentType.TypeName),
		OrganName:      clean(m.From.OrganName),
		Subject:        strings.TrimSpace(m.Subject),
		SignerPosition: clean(m.SignerInfo.Position),
		SignerFullName: clean(m.SignerInfo.FullName),
		PageAmount:     m.OtherInfo.PageAmount,
		IssuedDate:     dateOf(m.PromulgationInfo.PromulgationDate),
	}
	sym, err := registry.ComposeSymbol(m.Code.CodeNumber, m.Code.CodeNotation)
	switch {
	case err != nil:
		msg := "Số, ký hiệu (CodeNumber, CodeNotation) không đúng dạng"
		if e, ok := apperr.As(err); ok {
			msg += ": " + e.Message
		}
		f.Add(mh+"Code", msg)
	case sym.Text == "":
		f.Add(mh+"Code", "Thiếu số, ký hiệu văn bản (CodeNumber, CodeNotation).")
	default:
		in.CodeNumber, in.CodeNotation, in.Symbol = sym.Number, sym.Notation, sym.Text
		in.TypeCode = notationType(sym.Notation)
	}
	if in.TypeName == "" && in.TypeCode == "" {
		f.Add(mh+"DocumentType/TypeName", "Thiếu tên loại văn bản (TypeName) và ký hiệu không cho biết loại văn bản.")
	}
	if utf8.RuneCountInString(in.TypeName) > 200 {
		f.Add(mh+"DocumentType/TypeName", "Tên loại văn bản dài tối đa 200 ký tự.")
	}
	if utf8.RuneCountInString(in.Subject) > 2000 {
		f.Add(mh+"Subject", "Trích yếu (Subject) dài tối đa 2.000 ký tự.")
	}
	if in.PageAmount > 100000 {
		f.Add(mh+"OtherInfo/PageAmount", "Số trang (PageAmount) không hợp lệ.")
	}
	if p := m.OtherInfo.Priority; p >= 0 && p < len(priorities) {
		in.Priority = priorities[p]
	}
	if !m.DueDate.IsZero() {
		d := dateOf(m.DueDate)
		if d.Before(in.IssuedDate) {
			f.Add(mh+"DueDate", fmt.Sprintf("Hạn xử lý (DueDate) %s trước ngày ban hành %s.", m.DueDate, m.PromulgationInfo.PromulgationDate))
		}
		in.DueDate = &d
	}
	var places []string
	for _, p := range m.ToPlaces {
		if p = clean(p); p != "" {
			places = append(places, p)
		}
	}
	in.Receivers = strings.Join(places, "; ")

	// DocumentId names the document for status messages, recalls and
	// updates: it must agree with the sender, the date and the symbol.
	if organ, date, code, ok := splitDocumentID(m.DocumentID); ok {
		if organ != strings.TrimSpace(m.From.OrganID) {
			f.Add(mh+"DocumentId", fmt.Sprintf("DocumentId ghi mã cơ quan %q, khác mã cơ quan gửi (From/OrganId) %q.", organ, strings.TrimSpace(m.From.OrganID)))
		} else if date != m.PromulgationInfo.PromulgationDate {
			f.Add(mh+"DocumentId", fmt.Sprintf("DocumentId ghi ngày %s, khác ngày ban hành (PromulgationDate) %s.", date, m.PromulgationInfo.PromulgationDate))
		} else if want := strings.TrimSpace(m.Code.CodeNumber) + "/" + strings.TrimSpace(m.Code.CodeNotation); code != want {
			f.Add(mh+"DocumentId", fmt.Sprintf("DocumentId ghi số, ký hiệu %q, khác số, ký hiệu của văn bản (Code) %q.", code, want))
		}
	}
	if len(f) > 0 {
		return Incoming{}, invalidEnvelope(f)
	}
	return in, nil
}

// notationType is the type part of a notation: CV in CV/VPTU, TTg in
// TTg-KGVX, NĐ in 2020/NĐ-CP.
func notationType(n string) string {
	if len(n) > 5 && n[4] == '/' {
		n = n[5:]
	}
	if i := strings.IndexAny(n, "/-"); i >= 0 {
		return n[:i]
	}
	return n
}

// invalidEnvelope is a 422 whose message names the first problem, with
// every problem by element path.
func invalidEnvelope(f apperr.Fields) error {
	first := ""
	for _, k := range slices.Sorted(maps.Keys(f)) {
		first = f[k] + " (" + k + ")"
		break
	}
	msg := "Tệp edXML chưa hợp lệ: " + first
	if len(f) > 1 {
		msg += fmt.Sprintf(" và %d lỗi khác.", len(f)-1)
	}
	return apperr.Invalid(msg, f)
}

// parseError turns an edxml error into a 422 that names the element.
func parseError(err error) error {
	var e *edxml.Error
	if !errors.As(err, &e) {
		return err
	}
	path := e.Path
	if path == "" {
		path = "edxml"
	}
	path = strings.TrimPrefix(path, "edXMLHeader/")
	// The cause stays reachable: an oversized body is answered 413.
	return &apperr.Error{Kind: apperr.KindInvalid, Message: "Tệp edXML không hợp lệ: " + e.Message + ".",
		Fields: map[string]string{path: e.Message + "."}, Err: err}
}
