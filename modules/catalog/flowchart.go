package catalog

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/goccy/go-graphviz"
)

// Flowcharts renders power-operation flowcharts (行政权力运行流程图) with
// Graphviz (compiled to WebAssembly, so no system binary is needed). The
// layout is Graphviz's; we only describe the steps.
type Flowcharts struct {
	gv *graphviz.Graphviz
}

// graphvizMu serialises every use of go-graphviz in the process: the library
// runs all its calls, parsing included, in one WebAssembly module that it
// creates once per process, and that module is not safe for concurrent use.
// A lock per Flowcharts would let two of them (two wired services in one
// test binary) corrupt each other's graphs.
var graphvizMu sync.Mutex

// NewFlowcharts prepares a renderer; the Graphviz runtime starts on first use.
func NewFlowcharts() *Flowcharts { return &Flowcharts{} }

// SVG draws the item's steps top to bottom, each box showing the step's name,
// post, authority, procedure and time limit, and whether it counts.
func (f *Flowcharts) SVG(ctx context.Context, it ItemView) ([]byte, error) {
	dot := flowchartDOT(it)
	graphvizMu.Lock()
	defer graphvizMu.Unlock()
	if f.gv == nil {
		gv, err := graphviz.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("flowchart: start graphviz: %w", err)
		}
		f.gv = gv
	}
	graph, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("flowchart: parse: %w", err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := f.gv.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("flowchart: render: %w", err)
	}
	return buf.Bytes(), nil
}

// flowchartDOT describes the chart in the DOT language with HTML-like labels.
func flowchartDOT(it ItemView) string {
	var b strings.Builder
	var limits []string
	if it.StatutoryLimitWorkdays > 0 {
		limits = append(limits, fmt.Sprintf("法定时限%d个工作日", it.StatutoryLimitWorkdays))
	}
	if it.PromisedLimitWorkdays > 0 {
		limits = append(limits, fmt.Sprintf("承诺时限%d个工作日", it.PromisedLimitWorkdays))
	}
	title := []labelLine{{text: it.Name + "运行流程图", bold: true, size: 16}}
	if len(limits) > 0 {
		title = append(title, labelLine{text: strings.Join(limits, "，"), size: 13})
	}
	b.WriteString("digraph flow {\n")
	b.WriteString(`  graph [rankdir=TB, nodesep=0.4, ranksep=0.35, fontname="sans-serif", labelloc=t, bgcolor=white, pad=0.3];` + "\n")
	b.WriteString(`  node [fontname="sans-serif", fontsize=12, shape=box, style="rounded", color="#333333", margin="0.12,0.06"];` + "\n")
	b.WriteString(`  edge [color="#333333", arrowsize=0.8];` + "\n")
	fmt.Fprintf(&b, "  label=<%s>;\n", htmlLabel(title))
	b.WriteString(`  start [label="申请人提出申请", shape=ellipse, style=solid, width=1.8];` + "\n")
	prev := "start"
	for i, s := range it.Steps {
		id := fmt.Sprintf("s%d", i+1)
		limit := fmt.Sprintf("时限：%d个工作日", s.LimitWorkdays)
		if s.ExcludedFromLimit {
			limit += "（不计入办理时限）"
		}
		lines := []labelLine{{text: fmt.Sprintf("%d. %s", i+1, s.Name), bold: true}, {text: "岗位：" + s.Post}}
		if s.Authority != "" {
			lines = append(lines, wrap("权限："+s.Authority)...)
		}
		if s.Procedure != "" {
			lines = append(lines, wrap("程序："+s.Procedure)...)
		}
		lines = append(lines, labelLine{text: limit})
		style := ""
		if s.ExcludedFromLimit {
			style = `, style="rounded,dashed"`
		}
		fmt.Fprintf(&b, "  %s [label=<%s>%s];\n", id, htmlLabel(lines), style)
		fmt.Fprintf(&b, "  %s -> %s;\n", prev, id)
		prev = id
	}
	b.WriteString(`  done [label="办结", shape=ellipse, style=solid, width=1.2];` + "\n")
	fmt.Fprintf(&b, "  %s -> done;\n", prev)
	if len(it.SpecialSteps) > 0 {
		lines := []labelLine{{text: "特别程序（不计入时限）", bold: true}}
		for _, sp := range it.SpecialSteps {
			line := sp.Name
			if sp.LimitWorkdays > 0 {
				line += fmt.Sprintf("（%d个工作日）", sp.LimitWorkdays)
			}
			lines = append(lines, wrap(line)...)
		}
		fmt.Fprintf(&b, "  special [label=<%s>, shape=note, style=solid];\n", htmlLabel(lines))
		b.WriteString("  { rank=same; start; special; }\n")
	}
	if it.Complaint != "" {
		lines := append([]labelLine{{text: "监督投诉", bold: true}}, wrap(it.Complaint)...)
		fmt.Fprintf(&b, "  complaint [label=<%s>, shape=note, style=solid];\n", htmlLabel(lines))
		b.WriteString("  { rank=same; done; complaint; }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// labelLine is one line of a box's text.
type labelLine struct {
	text string
	bold bool
	size int // points; 0 means the node's 12
}

// htmlLabel lays the lines out as a one-column table whose width we state:
// Graphviz cannot measure CJK glyphs without the font, and would otherwise
// draw boxes about half as wide as their Chinese text.
func htmlLabel(lines []labelLine) string {
	width := 0
	for _, l := range lines {
		width = max(width, textWidth(l.text, l.fontSize()))
	}
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">`)
	for _, l := range lines {
		text := htmlText(l.text)
		if l.bold {
			text = "<B>" + text + "</B>"
		}
		if l.size != 0 {
			text = fmt.Sprintf(`<FONT POINT-SIZE="%d">%s</FONT>`, l.size, text)
		}
		fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT" WIDTH="%d">%s</TD></TR>`, width, text)
	}
	b.WriteString("</TABLE>")
	return b.String()
}

func (l labelLine) fontSize() int {
	if l.size == 0 {
		return 12
	}
	return l.size
}

// textWidth estimates the rendered width in points: a full em for CJK and
// other wide characters, a little over half an em for Latin letters and digits.
func textWidth(s string, size int) int {
	w := 0.0
	for _, r := range s {
		if r < 0x2E80 {
			w += 0.6 * float64(size)
		} else {
			w += float64(size)
		}
	}
	return int(w) + 4
}

// htmlText escapes text for a Graphviz HTML-like label.
func htmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", " ", "\r", "")
	return r.Replace(s)
}

// wrap breaks long text into lines of about 18 characters so boxes stay
// narrow enough to print on A4.
func wrap(s string) []labelLine {
	const width = 18
	runes := []rune(strings.TrimSpace(s))
	var lines []labelLine
	for len(runes) > width {
		lines = append(lines, labelLine{text: string(runes[:width])})
		runes = runes[width:]
	}
	return append(lines, labelLine{text: string(runes)})
}
