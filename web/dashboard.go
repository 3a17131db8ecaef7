package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"vanthu/internal/dashboard"
)

// DashboardView is the leaders' dashboard page.
type DashboardView struct {
	Form        Form // unit_id, from, to, period and their messages
	UnitGroups  []OptionGroup
	Periods     []Option
	Heading     string // the unit
	Scope       string // "Tỉnh ủy … và 12 đơn vị trực thuộc · 01/01/2026–05/03/2026 · theo tháng"
	QuickRanges []QuickRange
	Tiles       []DashboardTile
	Widgets     []dashboard.Widget
	ExportXLSX  string
	ExportPDF   string
	Ready       bool // figures computed (false when the query was refused)
}

// OptionGroup is a labelled group of a select's options.
type OptionGroup struct {
	Label   string
	Options []Option
}

// QuickRange is a ready-made time range of the dashboard.
type QuickRange struct {
	Label, Href string
	Current     bool
}

// DashboardTile is one headline figure.
type DashboardTile struct {
	Key   string // for tests: tile-{key}
	Label string
	Value string
	Note  string
	Href  string
}

// chartPalette is Okabe and Ito's palette, told apart with colour
// blindness; series also differ in pattern or marker shape.
var chartPalette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

// chart geometry, in SVG user units.
const (
	chartW      = 640.0
	chartH      = 300.0
	chartLeft   = 64.0
	chartRight  = 16.0
	chartTop    = 16.0
	chartBottom = 56.0
	hbarRow     = 26.0
	hbarLabel   = 210.0
	hbarMax     = 10 // bars a horizontal chart shows
)

// svgChart is a chart laid out for drawing.
type svgChart struct {
	ID, Title, Desc string
	ViewBox         string
	Height          string
	Grid            []svgLine
	Bars            []svgBar
	Lines           []svgPath
	Points          []svgPoint
	Texts           []svgText
	Legend          []svgLegend
	Patterns        []svgPattern
}

type svgLine struct{ X1, Y1, X2, Y2, Class string }

type svgBar struct{ X, Y, W, H, Fill, Title string }

type svgPath struct{ D, Stroke, Dash string }

type svgPoint struct {
	X, Y, Fill, Title string
	Square            bool
	SX, SY            string // square corner
}

type svgText struct{ X, Y, Anchor, Class, Text, Title string }

type svgLegend struct{ X, Y, TX, TY, Fill, Name string }

type svgPattern struct{ ID, Colour string }

func f1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// axis picks the top of a value axis and its step: steps of 1, 2 or 5 ×
// 10ⁿ (whole numbers for counts), about four of them; percentages run to
// 100 by 25.
func axis(max float64, percent bool) (top, step float64) {
	if percent {
		return 100, 25
	}
	if max <= 0 {
		return 1, 1
	}
	raw := max / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	step = math.Max(step, 1)
	return step * math.Ceil(max/step), step
}

func valueText(v float64, c *dashboard.Chart) string {
	if c.Percent {
		return dashboard.FormatDecimal(v, 1) + "%"
	}
	if v == math.Trunc(v) {
		return dashboard.FormatInt(int64(v))
	}
	return dashboard.FormatDecimal(v, 1)
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// layoutChart lays out a widget's chart; nil when it has none.
func layoutChart(w dashboard.Widget) *svgChart {
	c := w.Chart
	if c == nil || len(c.Labels) == 0 || len(c.Series) == 0 {
		return nil
	}
	out := &svgChart{ID: "chart-" + w.ID, Title: w.Title,
		Desc: "Biểu đồ; số liệu đầy đủ ở bảng bên cạnh."}
	switch c.Kind {
	case dashboard.HBarChart:
		layoutHBar(out, c)
	case dashboard.LineChart:
		layoutColumns(out, c, true)
	default:
		layoutColumns(out, c, false)
	}
	return out
}

// layoutColumns draws vertical bars (series side by side) or lines over
// the labels.
func layoutColumns(out *svgChart, c *dashboard.Chart, line bool) {
	out.ViewBox = fmt.Sprintf("0 0 %s %s", f1(chartW), f1(chartH))
	out.Height = f1(chartH)
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	top := 0.0
	for _, s := range c.Series {
		for i, v := range s.Values {
			if !missing(s, i) {
				top = math.Max(top, v)
			}
		}
	}
	top, step := axis(top, c.Percent)
	y := func(v float64) float64 { return chartTop + plotH - v/top*plotH }
	for v := 0.0; v <= top+step/2; v += step {
		yy := f1(y(v))
		out.Grid = append(out.Grid, svgLine{X1: f1(chartLeft), Y1: yy, X2: f1(chartW - chartRight), Y2: yy, Class: "grid"})
		out.Texts = append(out.Texts, svgText{X: f1(chartLeft - 6), Y: f1(y(v) + 4), Anchor: "end", Class: "tick", Text: valueText(v, c)})
	}
	out.Grid = append(out.Grid, svgLine{X1: f1(chartLeft), Y1: f1(chartTop + plotH), X2: f1(chartW - chartRight), Y2: f1(chartTop + plotH), Class: "axis"})
	n := len(c.Labels)
	group := plotW / float64(n)
	// Labels: as many as fit, about 70 units apart.
	every := int(math.Ceil(80 / group))
	for i, l := range c.Labels {
		if i%every != 0 {
			continue
		}
		out.Texts = append(out.Texts, svgText{X: f1(chartLeft + group*(float64(i)+0.5)), Y: f1(chartTop + plotH + 16), Anchor: "middle",
			Class: "tick", Text: shorten(l, 12), Title: tip(c, i)})
	}
	for si, s := range c.Series {
		colour := chartPalette[si%len(chartPalette)]
		fill := colour
		if !line && si%2 == 1 {
			id := fmt.Sprintf("%s-hatch-%d", out.ID, si)
			out.Patterns = append(out.Patterns, svgPattern{ID: id, Colour: colour})
			fill = "url(#" + id + ")"
		}
		lx := chartLeft + float64(si)*190
		out.Legend = append(out.Legend, svgLegend{X: f1(lx), Y: f1(chartH - 22), TX: f1(lx + 18), TY: f1(chartH - 12), Fill: fill, Name: s.Name})
		if line {
			var d strings.Builder
			pen := false
			for i, v := range s.Values {
				if missing(s, i) {
					pen = false
					continue
				}
				x, yy := chartLeft+group*(float64(i)+0.5), y(v)
				if pen {
					fmt.Fprintf(&d, " L%s %s", f1(x), f1(yy))
				} else {
					fmt.Fprintf(&d, "M%s %s", f1(x), f1(yy))
					pen = true
				}
				p := svgPoint{X: f1(x), Y: f1(yy), Fill: colour, Title: fmt.Sprintf("%s – %s: %s", tip(c, i), s.Name, valueText(v, c)),
					Square: si%2 == 1, SX: f1(x - 4), SY: f1(yy - 4)}
				out.Points = append(out.Points, p)
			}
			dash := ""
			if si%2 == 1 {
				dash = "6 4"
			}
			out.Lines = append(out.Lines, svgPath{D: d.String(), Stroke: colour, Dash: dash})
			continue
		}
		inner := group * 0.8 / float64(len(c.Series))
		for i, v := range s.Values {
			if missing(s, i) {
				continue
			}
			x := chartLeft + group*float64(i) + group*0.1 + inner*float64(si)
			h := v / top * plotH
			out.Bars = append(out.Bars, svgBar{X: f1(x), Y: f1(y(v)), W: f1(math.Max(inner-1, 1)), H: f1(h), Fill: fill,
				Title: strings.TrimSpace(fmt.Sprintf("%s – %s: %s %s", tip(c, i), s.Name, valueText(v, c), c.Unit))})
		}
	}
}

// tip is label i in full, for tooltips.
func tip(c *dashboard.Chart, i int) string {
	if i < len(c.Tips) && c.Tips[i] != "" {
		return c.Tips[i]
	}
	return c.Labels[i]
}

func missing(s dashboard.Series, i int) bool { return i < len(s.Missing) && s.Missing[i] }

// layoutHBar draws one horizontal bar per label (the first hbarMax) with
// its value at the end.
func layoutHBar(out *svgChart, c *dashboard.Chart) {
	s := c.Series[0]
	n := min(len(c.Labels), hbarMax)
	h := chartTop + float64(n)*hbarRow + 8
	out.ViewBox = fmt.Sprintf("0 0 %s %s", f1(chartW), f1(h))
	out.Height = f1(h)
	top := 0.0
	for i := range n {
		if !missing(s, i) {
			top = math.Max(top, s.Values[i])
		}
	}
	top, _ = axis(top, c.Percent)
	width := chartW - hbarLabel - chartRight - 64
	colour := chartPalette[0]
	for i := range n {
		y := chartTop + float64(i)*hbarRow
		out.Texts = append(out.Texts, svgText{X: f1(hbarLabel - 8), Y: f1(y + 15), Anchor: "end", Class: "label", Text: shorten(c.Labels[i], 26), Title: c.Labels[i]})
		if missing(s, i) {
			out.Texts = append(out.Texts, svgText{X: f1(hbarLabel + 4), Y: f1(y + 15), Anchor: "start", Class: "value", Text: "—"})
			continue
		}
		v := s.Values[i]
		bw := v / top * width
		out.Bars = append(out.Bars, svgBar{X: f1(hbarLabel), Y: f1(y + 3), W: f1(math.Max(bw, 1)), H: f1(hbarRow - 8), Fill: colour,
			Title: strings.TrimSpace(fmt.Sprintf("%s: %s %s", tip(c, i), valueText(v, c), c.Unit))})
		out.Texts = append(out.Texts, svgText{X: f1(hbarLabel + bw + 6), Y: f1(y + 15), Anchor: "start", Class: "value", Text: valueText(v, c)})
	}
	out.Grid = append(out.Grid, svgLine{X1: f1(hbarLabel), Y1: f1(chartTop - 2), X2: f1(hbarLabel), Y2: f1(h - 6), Class: "axis"})
	if len(c.Labels) > n {
		out.Desc = fmt.Sprintf("Biểu đồ %d dòng đầu; đủ %d dòng ở bảng bên cạnh.", n, len(c.Labels))
	}
}

// cellClass marks numeric and total cells.
func cellClass(col dashboard.Column) string {
	if col.Numeric {
		return "num"
	}
	return ""
}

func columnAt(t dashboard.Table, i int) dashboard.Column {
	if i < len(t.Columns) {
		return t.Columns[i]
	}
	return dashboard.Column{}
}
