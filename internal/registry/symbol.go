package registry

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"vanthu/internal/apperr"
)

// Symbol is a parsed document number and symbol (số, ký hiệu).
type Symbol struct {
	Number   string // "57"
	Notation string // "NQ/TW"
	Text     string // "57-NQ/TW" as written
}

// Party documents write {n}-{TYPE}/{ISSUER} (57-NQ/TW, 96-CV/VPTU); state
// documents {n}/{TYPE-ISSUER} or {n}/{year}/{TYPE-ISSUER} (15/TTg-KGVX,
// 30/2020/NĐ-CP). Letters may be Vietnamese capitals (Đ, Ơ, Ư…); the old
// party type QĐi keeps its small i.
var (
	partySymbol = regexp.MustCompile(`^(\d{1,6})-(\p{Lu}[\p{L}]{0,5})/(\p{Lu}[\p{Lu}\d\-]{0,29})$`)
	stateSymbol = regexp.MustCompile(`^(\d{1,6})/((?:\d{4}/)?\p{Lu}[\p{L}\d]*(?:-[\p{Lu}\d][\p{L}\d]*)*)$`)
)

// ParseSymbol reads "Số 57-NQ/TW", "57-NQ/TW" or "15/TTg-KGVX". It never
// corrects: a lower-case type or a space inside is an error that says so.
func ParseSymbol(s string) (Symbol, error) {
	s = strings.TrimSpace(s)
	for _, prefix := range []string{"Số:", "Số", "số:", "số"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	if s == "" {
		return Symbol{}, symbolError("Vui lòng nhập số, ký hiệu văn bản (ví dụ 57-NQ/TW).")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return Symbol{}, symbolError("Số, ký hiệu không được chứa khoảng trắng (ví dụ đúng: 57-NQ/TW).")
	}
	if m := partySymbol.FindStringSubmatch(s); m != nil {
		if !validType(m[2]) {
			return Symbol{}, symbolError("Tên loại văn bản trong ký hiệu phải viết hoa (ví dụ NQ, QĐ, CV).")
		}
		return Symbol{Number: m[1], Notation: m[2] + "/" + m[3], Text: s}, nil
	}
	if m := stateSymbol.FindStringSubmatch(s); m != nil {
		return Symbol{Number: m[1], Notation: m[2], Text: s}, nil
	}
	if up := strings.ToUpper(s); up != s && (partySymbol.MatchString(up) || stateSymbol.MatchString(up)) {
		return Symbol{}, symbolError("Ký hiệu phải viết hoa như trên văn bản (ví dụ 57-NQ/TW).")
	}
	return Symbol{}, symbolError("Số, ký hiệu chưa đúng dạng: số, gạch nối, tên loại, gạch chéo, cơ quan ban hành (ví dụ 57-NQ/TW, 96-CV/VPTU) hoặc 15/TTg-KGVX.")
}

// ComposeSymbol joins a number and a notation the way they were written:
// party notations (TYPE/ISSUER) take a hyphen, state ones a slash.
func ComposeSymbol(number, notation string) (Symbol, error) {
	number, notation = strings.TrimSpace(number), strings.TrimSpace(notation)
	if number == "" && notation == "" {
		return Symbol{}, nil
	}
	sep := "/"
	if strings.Contains(notation, "/") && !startsWithYear(notation) {
		sep = "-"
	}
	return ParseSymbol(number + sep + notation)
}

func startsWithYear(s string) bool {
	return len(s) > 5 && s[4] == '/' && strings.IndexFunc(s[:4], func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// validType accepts capitals, plus the historical "QĐi".
func validType(t string) bool {
	if t == "QĐi" {
		return true
	}
	for _, r := range t {
		if unicode.IsLower(r) && !(r == 'r' && strings.HasPrefix(t, "CTr")) && !(r == 'r' && t == "TTr") {
			return false
		}
	}
	return utf8.RuneCountInString(t) > 0
}

func symbolError(msg string) error {
	return apperr.Invalid(msg, map[string]string{"symbol": msg})
}
