package disclosure

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Sentinels RenderHighlighted threads through the sanitiser: code points of
// the supplementary private-use planes, which stored text never keeps (they
// are replaced before), one rune each so offsets hold.
const (
	stateBase  = 0xF0000  // + finding*2 + masked: the state of the text from here
	numberBase = 0x100000 // + finding: the number of a finding that ends here
	maxMarked  = 0x7FFE   // findings beyond this number are left unmarked
)

// RenderHighlighted is one field's stored rich text rendered, as the public
// will see it, with each scan finding and masked span marked where it lies.
// Findings and masks are rune offsets into the stored text, tags included,
// so they cannot be marked in the rendered page directly; nor may the stored
// markup be trusted by inserting tags into it. So the change of state at
// every boundary is put into the stored text as a private-use character
// (moved out of any tag or character reference it falls in), the result
// passes the sanitiser like any body, and only then are the characters
// turned into <mark> elements, each opened and closed inside one run of text
// so that no mark ever straddles a tag. Whatever the stored HTML holds, the
// page gets the sanitiser's output plus marks of our own.
func RenderHighlighted(field, text string, findings []Finding, redactions []Redaction, sanitize func(string) string) template.HTML {
	runes := []rune(text)
	for i, r := range runes {
		if r >= stateBase {
			runes[i] = '\uFFFD'
		}
	}
	clean := string(runes)
	markup := markupRunes(runes)
	entity := entityRunes(runes)
	// forward moves a position out of a tag to the text after it, and out
	// of a character reference: to its start when what begins there is
	// marked (the whole character is), else past its end.
	forward := func(p int, marked bool) int {
		for p < len(runes) && markup[p] {
			p++
		}
		if p < len(runes) && entity[p] >= 0 && entity[p] != p {
			if marked {
				return entity[p]
			}
			for p < len(runes) && entity[p] >= 0 && runes[p] != ';' {
				p++
			}
			p++
		}
		return p
	}
	// backward moves a position out of a tag to the end of the text before
	// it, and out of a character reference to its end.
	backward := func(p int) int {
		for p > 0 && markup[p-1] {
			p--
		}
		if p > 0 && entity[p-1] >= 0 && runes[p-1] != ';' {
			for p < len(runes) && entity[p] >= 0 && entity[p] == entity[p-1] {
				p++
			}
		}
		return p
	}
	insert := map[int][]rune{}
	off := 0
	for _, s := range Highlight(field, clean, findings, redactions) {
		n := len([]rune(s.Text))
		finding := s.Finding
		if finding > maxMarked {
			finding = 0
		}
		state := rune(stateBase + finding*2)
		if s.Masked {
			state++
		}
		at := forward(off, finding > 0 || s.Masked)
		insert[at] = append(insert[at], state)
		if s.Last && finding > 0 {
			end := backward(off + n)
			insert[end] = append(insert[end], rune(numberBase+finding))
		}
		off += n
	}
	var b strings.Builder
	for i, r := range runes {
		for _, s := range insert[i] {
			b.WriteRune(s)
		}
		b.WriteRune(r)
	}
	for _, s := range insert[len(runes)] {
		b.WriteRune(s)
	}
	return template.HTML(marksFromSentinels(sanitize(b.String()), findings)) // #nosec G203 -- sanitiser output plus fixed tags
}

// marksFromSentinels turns the sentinels in sanitised HTML into marks, inside
// text only; sentinels left in a tag (never, unless the sanitiser moved text
// into an attribute) change the state but write nothing.
func marksFromSentinels(sanitized string, findings []Finding) string {
	var out bytes.Buffer
	finding, masked, open := 0, false, false
	// The first mark of each finding is the target of its row's link in
	// the findings table.
	first := map[int]bool{}
	closeMark := func() {
		if open {
			out.WriteString("</mark>")
			open = false
		}
	}
	z := html.NewTokenizer(strings.NewReader(sanitized))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		text := tt == html.TextToken
		for _, r := range raw {
			switch {
			case r >= numberBase && r < numberBase+0x10000:
				if text {
					closeMark()
					n := int(r - numberBase)
					out.WriteString(`<sup class="mark-no" aria-hidden="true">` + strconv.Itoa(n) + `</sup>`)
				}
			case r >= stateBase && r < stateBase+0x10000:
				if text {
					closeMark()
				}
				finding, masked = int(r-stateBase)/2, (r-stateBase)%2 == 1
			default:
				if text && !open && (finding > 0 || masked) {
					tag := markTag(finding, masked, findings)
					if finding > 0 && !first[finding] {
						first[finding] = true
						tag = strings.Replace(tag, "<mark ", `<mark id="finding-mark-`+strconv.Itoa(finding)+`" `, 1)
					}
					out.WriteString(tag)
					open = true
				}
				out.WriteRune(r)
			}
		}
		if text {
			closeMark()
		}
	}
	return out.String()
}

// markTag opens the mark of a finding (1-based) or a masked span.
func markTag(finding int, masked bool, findings []Finding) string {
	if finding == 0 {
		return `<mark class="masked" title="已遮盖">`
	}
	class := "finding"
	if masked {
		class += " masked"
	}
	title := ""
	if finding <= len(findings) {
		title = FindingTitle(findings[finding-1].Kind)
	}
	return `<mark class="` + class + `" data-finding="` + strconv.Itoa(finding) + `" title="` + html.EscapeString(title) + `（第` + strconv.Itoa(finding) + `处）">`
}
