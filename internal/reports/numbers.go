package reports

import (
	"math/big"
	"strings"
)

// Numbers are typed the Vietnamese way: a comma before the decimals, dots
// (or spaces) between groups of thousands: 1.250, 12,5, 1.234.567,89. A dot
// that does not separate a group of three digits is refused rather than
// guessed at, so "2.5" never silently becomes 25 or 2,5. Parsed numbers are
// kept as canonical decimal strings ("-1234567.89") and stored as numeric:
// no binary floating point anywhere.

// Messages for numbers that cannot be read.
const (
	msgNotNumber = "Phải là số, ví dụ 1.250 hoặc 12,5."
	msgDotComma  = "Dùng dấu phẩy (,) trước phần thập phân và dấu chấm (.) để phân cách hàng nghìn, ví dụ 2,5 hoặc 1.250."
	msgTooLong   = "Số quá dài (tối đa 15 chữ số phần nguyên và 6 chữ số thập phân)."
)

const (
	maxIntDigits  = 15
	maxFracDigits = 6
)

// ParseNumber reads a number typed in Vietnamese notation and returns it in
// canonical form, or a Vietnamese message saying what is wrong.
func ParseNumber(s string) (canonical, msg string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", msgNotNumber
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		neg = true
		s = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−"), " ")
	case strings.HasPrefix(s, "+"):
		s = strings.TrimLeft(strings.TrimPrefix(s, "+"), " ")
	}
	// Spaces between thousands count as dots.
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return '.'
		}
		return r
	}, s)
	intPart, frac, hasComma := strings.Cut(s, ",")
	if strings.Contains(frac, ",") {
		return "", msgNotNumber
	}
	if hasComma && frac == "" {
		return "", msgNotNumber
	}
	if !digits(frac) {
		if strings.Contains(frac, ".") {
			return "", msgDotComma
		}
		return "", msgNotNumber
	}
	if strings.Contains(intPart, ".") {
		groups := strings.Split(intPart, ".")
		for i, g := range groups {
			if !digits(g) || g == "" {
				return "", msgNotNumber
			}
			if (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
				return "", msgDotComma
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !digits(intPart) || (intPart == "" && frac == "") {
		return "", msgNotNumber
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if len(intPart) > maxIntDigits || len(frac) > maxFracDigits {
		return "", msgTooLong
	}
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, ""
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// decimalPlaces counts the digits after the point of a canonical number.
func decimalPlaces(canonical string) int {
	_, frac, _ := strings.Cut(canonical, ".")
	return len(frac)
}

// compareNumbers compares two canonical numbers exactly.
func compareNumbers(a, b string) int {
	x, okX := new(big.Rat).SetString(a)
	y, okY := new(big.Rat).SetString(b)
	if !okX || !okY {
		return strings.Compare(a, b)
	}
	return x.Cmp(y)
}

// FormatNumber writes a canonical (or PostgreSQL numeric) number the
// Vietnamese way: 1234567.5 → 1.234.567,5. Trailing zeros of the decimals
// are dropped. Anything that is not a plain decimal is returned as it is.
func FormatNumber(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(body, ".")
	if !digits(intPart) || !digits(frac) || intPart == "" {
		return s
	}
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if neg && (strings.Trim(intPart, "0") != "" || frac != "") {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}
