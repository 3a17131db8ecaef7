package dashboard

import (
	"math"
	"strconv"
	"strings"
)

// A Widget is one block of a dashboard: a title, what the figures mean, a
// chart and the same numbers as a table (the accessible and printable
// form; exports use the table). It is plain data: pages draw it, exports
// write it, the API returns it.
type Widget struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Note  string `json:"note,omitempty"`
	Chart *Chart `json:"chart,omitempty"`
	Table Table  `json:"table"`
}

// ChartKind is how a chart draws its series.
type ChartKind string

// Chart kinds.
const (
	BarChart  ChartKind = "bar"  // vertical bars per label, series side by side
	LineChart ChartKind = "line" // one line per series, a marker per label
	HBarChart ChartKind = "hbar" // one horizontal bar per label (first series)
)

// Chart is what to draw; values are counts, or percentages when Percent.
type Chart struct {
	Kind    ChartKind `json:"kind"`
	Labels  []string  `json:"labels"`
	Tips    []string  `json:"tips,omitempty"` // labels in full where Labels are shortened
	Series  []Series  `json:"series"`
	Unit    string    `json:"unit"` // what a value counts, for tooltips: "văn bản", "việc"
	Percent bool      `json:"percent,omitempty"`
}

// Series is one named row of values, aligned with Chart.Labels; Missing
// marks labels without a value (no documents to take a rate of).
type Series struct {
	Name    string    `json:"name"`
	Values  []float64 `json:"values"`
	Missing []bool    `json:"missing,omitempty"`
}

// Column is a table column.
type Column struct {
	Label   string `json:"label"`
	Numeric bool   `json:"numeric,omitempty"`
}

// Cell is a table cell: the text shown, the number behind it (for
// exports; nil for text), and where clicking it leads (the filtered list).
type Cell struct {
	Text  string   `json:"text"`
	Value *float64 `json:"value,omitempty"`
	Href  string   `json:"href,omitempty"`
}

// Row is a table row; Total marks the sum row.
type Row struct {
	Cells []Cell `json:"cells"`
	Total bool   `json:"total,omitempty"`
}

// Table is the widget's numbers.
type Table struct {
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
	Empty   string   `json:"empty,omitempty"` // shown when there are no rows
}

// Text is a text cell.
func Text(s string) Cell { return Cell{Text: s} }

// Link is a text cell leading to href.
func Link(s, href string) Cell { return Cell{Text: s, Href: href} }

// Int is a count cell, leading to href when href is not "" and there is
// something to see.
func Int(n int64, href string) Cell {
	v := float64(n)
	if n == 0 {
		href = ""
	}
	return Cell{Text: FormatInt(n), Value: &v, Href: href}
}

// Rate is a share cell (0–1) shown as a percentage, or "—" when !ok.
func Rate(r float64, ok bool) Cell {
	if !ok {
		return Cell{Text: "—"}
	}
	v := math.Round(r*1000) / 10
	return Cell{Text: FormatPercent(r), Value: &v}
}

// Decimal is a number with one decimal, or "—" when !ok.
func Decimal(x float64, ok bool) Cell {
	if !ok {
		return Cell{Text: "—"}
	}
	v := math.Round(x*10) / 10
	return Cell{Text: FormatDecimal(x, 1), Value: &v}
}

// FormatInt writes 1234567 as 1.234.567, the Vietnamese way.
func FormatInt(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// FormatDecimal writes x with digits decimals and a decimal comma.
func FormatDecimal(x float64, digits int) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := FormatInt(n)
	if strings.HasPrefix(whole, "-") && n == 0 {
		out = "-0"
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}

// FormatPercent writes a share (0–1) as 87,5%.
func FormatPercent(r float64) string { return FormatDecimal(r*100, 1) + "%" }
