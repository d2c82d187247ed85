package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// The charts of a report are drawn here as SVG, on the server: no script, no
// styles (only SVG presentation attributes, which the page's CSP allows), so
// the same markup works on screen, in the print-ready export and in a PDF.

// chart is one figure of a report.
type reportChart struct {
	No    int
	For   string // the table it illustrates
	ID    string
	Title string
	SVG   template.HTML
}

// Chart geometry, in SVG user units (1 unit = 1 CSS pixel at 100%).
const (
	chartWidth    = 640.0
	chartFontSize = 12.0
	chartTitleY   = 20.0
	chartFont     = `'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif`
	colorBar      = "#0b5394"
	colorLine     = "#b71c1c"
	colorGrid     = "#d9e2ec"
	colorAxis     = "#52606d"
	colorInk      = "#1f2933"
	colorMuted    = "#616e7c"
)

// textWidth estimates the width of s at size: CJK and full-width characters
// take a full em, others a little over half.
func chartTextWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if wideRune(r) {
			w += size
		} else {
			w += size * 0.6
		}
	}
	return w
}

func wideRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// truncate shortens s to fit width at size, ending in "…".
func truncateText(s string, width, size float64) string {
	if chartTextWidth(s, size) <= width {
		return s
	}
	var b strings.Builder
	w := size // room for the ellipsis
	for _, r := range s {
		cw := size * 0.6
		if wideRune(r) {
			cw = size
		}
		if w+cw > width {
			break
		}
		w += cw
		b.WriteRune(r)
	}
	return b.String() + "…"
}

// svgDoc collects the elements of one chart.
type svgDoc struct {
	b     strings.Builder
	title string
	w, h  float64
}

func svgNum(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func (d *svgDoc) text(x, y float64, anchor, fill string, size float64, bold bool, s string) {
	weight := ""
	if bold {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(&d.b, `<text x="%s" y="%s" text-anchor="%s" fill="%s" font-size="%s"%s>%s</text>`,
		svgNum(x), svgNum(y), anchor, fill, svgNum(size), weight, html.EscapeString(s))
}

func (d *svgDoc) line(x1, y1, x2, y2 float64, stroke string, width float64) {
	fmt.Fprintf(&d.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`,
		svgNum(x1), svgNum(y1), svgNum(x2), svgNum(y2), stroke, svgNum(width))
}

// html wraps the elements in the <svg> element: sized by its viewBox, titled
// for screen readers, fonts that carry Chinese.
func (d *svgDoc) html() template.HTML {
	var out strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" font-family="%s">`,
		svgNum(d.w), svgNum(d.h), svgNum(d.w), svgNum(d.h), html.EscapeString(d.title), html.EscapeString(chartFont))
	fmt.Fprintf(&out, `<title>%s</title>`, html.EscapeString(d.title))
	fmt.Fprintf(&out, `<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`, svgNum(d.w), svgNum(d.h))
	out.WriteString(d.b.String())
	out.WriteString(`</svg>`)
	return template.HTML(out.String())
}

// emptyChart is a chart frame saying there is nothing to draw.
func emptyChart(title, message string) template.HTML {
	d := &svgDoc{title: title, w: chartWidth, h: 90}
	d.text(chartWidth/2, chartTitleY, "middle", colorInk, 14, true, title)
	d.text(chartWidth/2, 60, "middle", colorMuted, chartFontSize, false, message)
	return d.html()
}

// bar is one row of a horizontal bar chart; a bar without a value shows Note.
type chartBar struct {
	Label string
	Value float64
	Has   bool
	Note  string
}

// chartBarSpec describes a horizontal bar chart.
type chartBarSpec struct {
	Title     string
	AxisTitle string
	Bars      []chartBar
	// Max is the end of the value axis; Ticks the values marked on it.
	Max   float64
	Ticks []float64
	// Format writes a value (on the bars and the axis).
	Format func(float64) string
	Empty  string
}

// horizontalBars draws one bar per row, labels on the left, values at the bar
// ends, a value axis with grid lines underneath.
func horizontalBars(s chartBarSpec) template.HTML {
	if len(s.Bars) == 0 {
		return emptyChart(s.Title, s.Empty)
	}
	const (
		top      = 40.0
		rowH     = 26.0
		barH     = 16.0
		maxLabel = 210.0
		valueW   = 64.0
	)
	labelW := 0.0
	for _, b := range s.Bars {
		labelW = math.Max(labelW, chartTextWidth(b.Label, chartFontSize))
	}
	labelW = math.Min(labelW, maxLabel)
	x0 := 12 + labelW + 8
	plotW := chartWidth - x0 - valueW
	plotH := rowH * float64(len(s.Bars))
	d := &svgDoc{title: s.Title, w: chartWidth, h: top + plotH + 50}
	d.text(chartWidth/2, chartTitleY, "middle", colorInk, 14, true, s.Title)
	scale := func(v float64) float64 {
		if s.Max <= 0 {
			return x0
		}
		return x0 + math.Min(v, s.Max)/s.Max*plotW
	}
	// Grid and value axis.
	for _, t := range s.Ticks {
		x := scale(t)
		d.line(x, top-4, x, top+plotH, colorGrid, 1)
		d.text(x, top+plotH+16, "middle", colorMuted, 11, false, s.Format(t))
	}
	d.line(x0, top+plotH, x0+plotW, top+plotH, colorAxis, 1)
	d.line(x0, top-4, x0, top+plotH, colorAxis, 1)
	d.text(x0+plotW/2, top+plotH+38, "middle", colorMuted, chartFontSize, false, s.AxisTitle)
	for i, b := range s.Bars {
		y := top + float64(i)*rowH
		mid := y + rowH/2
		d.text(x0-8, mid+4, "end", colorInk, chartFontSize, false, truncateText(b.Label, labelW, chartFontSize))
		if !b.Has {
			d.text(x0+6, mid+4, "start", colorMuted, 11, false, b.Note)
			continue
		}
		w := scale(b.Value) - x0
		fmt.Fprintf(&d.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s：%s</title></rect>`,
			svgNum(x0), svgNum(mid-barH/2), svgNum(math.Max(w, 1)), svgNum(barH), colorBar, html.EscapeString(b.Label), html.EscapeString(s.Format(b.Value)))
		d.text(x0+w+5, mid+4, "start", colorInk, chartFontSize, true, s.Format(b.Value))
	}
	return d.html()
}

// point is one x position of a line chart; a point without a value breaks the line.
type chartPoint struct {
	Label, Sub, Group string
	Value             float64
	Has               bool
}

// chartLineSpec describes a line chart over a value axis from 0 to Max.
type chartLineSpec struct {
	Title     string
	AxisTitle string
	Points    []chartPoint
	Max       float64
	Ticks     []float64
	Format    func(float64) string
	Note      string
}

// lineChart draws the points left to right joined by a line, with the values
// above them and the x labels (and a smaller second line) below.
func lineChart(s chartLineSpec) template.HTML {
	const (
		top    = 40.0
		left   = 56.0
		right  = 24.0
		plotH  = 170.0
		bottom = 86.0
	)
	d := &svgDoc{title: s.Title, w: chartWidth, h: top + plotH + bottom}
	d.text(chartWidth/2, chartTitleY, "middle", colorInk, 14, true, s.Title)
	plotW := chartWidth - left - right
	y := func(v float64) float64 { return top + plotH - math.Min(v, s.Max)/s.Max*plotH }
	for _, t := range s.Ticks {
		d.line(left, y(t), left+plotW, y(t), colorGrid, 1)
		d.text(left-6, y(t)+4, "end", colorMuted, 11, false, s.Format(t))
	}
	d.line(left, top, left, top+plotH, colorAxis, 1)
	d.line(left, top+plotH, left+plotW, top+plotH, colorAxis, 1)
	fmt.Fprintf(&d.b, `<text x="14" y="%s" text-anchor="middle" fill="%s" font-size="%s" transform="rotate(-90 14 %s)">%s</text>`,
		svgNum(top+plotH/2), colorMuted, svgNum(chartFontSize), svgNum(top+plotH/2), html.EscapeString(s.AxisTitle))
	n := len(s.Points)
	step := plotW / float64(max(n, 1))
	x := func(i int) float64 { return left + step*(float64(i)+0.5) }
	// The line, broken where a point has no value.
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			fmt.Fprintf(&d.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(seg, " "), colorLine)
		}
		seg = seg[:0]
	}
	for i, p := range s.Points {
		if !p.Has {
			flush()
			continue
		}
		seg = append(seg, svgNum(x(i))+","+svgNum(y(p.Value)))
	}
	flush()
	for i, p := range s.Points {
		d.text(x(i), top+plotH+16, "middle", colorInk, 11, false, p.Label)
		if p.Sub != "" {
			d.text(x(i), top+plotH+31, "middle", colorMuted, 10, false, p.Sub)
		}
		if p.Group != "" {
			d.text(x(i), top+plotH+46, "middle", colorMuted, 10, true, p.Group)
		}
		if !p.Has {
			continue
		}
		fmt.Fprintf(&d.b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s：%s</title></circle>`,
			svgNum(x(i)), svgNum(y(p.Value)), colorLine, html.EscapeString(p.Label), html.EscapeString(s.Format(p.Value)))
		d.text(x(i), y(p.Value)-8, "middle", colorInk, 10.5, true, s.Format(p.Value))
	}
	if s.Note != "" {
		d.text(left, top+plotH+72, "start", colorMuted, 11, false, s.Note)
	}
	return d.html()
}

// pctText writes a rate (0…1) as a percentage with at most one decimal.
func pctText(v float64) string { return svgNum(v*100) + "%" }

// rateTicks are the marks of a 0–100% axis.
var rateTicks = []float64{0, 0.2, 0.4, 0.6, 0.8, 1}

// niceAxis picks the end of a value axis at or above top and about five
// round ticks up to it.
func niceAxis(top float64) (float64, []float64) {
	if top <= 0 {
		top = 1
	}
	raw := top / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < 1 {
		step = 1
	}
	end := math.Ceil(top/step) * step
	var ticks []float64
	for t := 0.0; t <= end+step/2; t += step {
		ticks = append(ticks, t)
	}
	return end, ticks
}

// onTimeByCountyChart compares the counties' on-time rates.
func onTimeByCountyChart(counties []CountyFigures) reportChart {
	title := "各试点县按时办结率"
	bars := make([]chartBar, 0, len(counties))
	for _, c := range counties {
		bars = append(bars, chartBar{Label: c.CountyName, Value: c.Cases.OnTimeRate, Has: c.Cases.Decided > 0, Note: "本期无办结决定"})
	}
	return reportChart{For: "counties", ID: "chart-ontime-by-county", Title: title, SVG: horizontalBars(chartBarSpec{
		Title: title, AxisTitle: "按时办结率（在承诺期限内作出决定的件数 ÷ 作出决定的件数）", Bars: bars,
		Max: 1, Ticks: rateTicks, Format: pctText, Empty: "本省尚无进行中的试点县",
	})}
}

// trendChart shows the monthly on-time rate of a province.
func trendChart(trend []TrendPoint) reportChart {
	title := "按时办结率月度趋势"
	pts := make([]chartPoint, 0, len(trend))
	for i, t := range trend {
		label, year := t.Month, ""
		if len(t.Month) == 7 {
			m, _ := strconv.Atoi(t.Month[5:])
			label = fmt.Sprintf("%d月", m)
			if m == 1 || i == 0 {
				year = t.Month[:4] + "年"
			}
		}
		pts = append(pts, chartPoint{Label: label, Sub: fmt.Sprintf("%d件", t.Decided), Group: year, Value: t.OnTimeRate, Has: t.Decided > 0})
	}
	return reportChart{For: "trend", ID: "chart-trend", Title: title, SVG: lineChart(chartLineSpec{
		Title: title, AxisTitle: "按时办结率", Points: pts, Max: 1, Ticks: rateTicks, Format: pctText,
		Note: "月份下方为当月作出决定的件数；当月没有作出决定的不标点。",
	})}
}

// itemDaysChart shows the average working days each item's decided cases took.
func itemDaysChart(items []ItemTiming) reportChart {
	title := "各事项平均办理用时"
	bars := make([]chartBar, 0, len(items))
	top := 0.0
	for _, it := range items {
		bars = append(bars, chartBar{Label: it.Item + " " + it.Name, Value: it.AvgWorkdays, Has: it.Decided > 0, Note: "无办结决定"})
		top = math.Max(top, it.AvgWorkdays)
	}
	end, ticks := niceAxis(top)
	return reportChart{For: "items", ID: "chart-item-days", Title: title, SVG: horizontalBars(chartBarSpec{
		Title: title, AxisTitle: "平均用时（工作日，自收件次日起至作出决定）", Bars: bars,
		Max: end, Ticks: ticks, Format: func(v float64) string { return svgNum(v) }, Empty: "本期没有作出决定的办件",
	})}
}

// reportCharts are the charts of a report: by item for every report, and the
// county comparison and monthly trend for a province.
func reportCharts(v View) []reportChart {
	var out []reportChart
	switch {
	case v.Province != nil:
		out = []reportChart{itemDaysChart(v.Province.Totals.Cases.ByItem), onTimeByCountyChart(v.Province.Counties), trendChart(v.Province.Trend)}
	case v.County != nil:
		out = []reportChart{itemDaysChart(v.County.Cases.ByItem)}
	}
	for i := range out {
		out[i].No = i + 1
	}
	return out
}
