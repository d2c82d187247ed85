package disclosure

import (
	"html"
	"strings"
	"unicode"
)

// Segment is a run of one field's stored text as the review view shows it:
// plain text, part of a scan finding, or a span already masked.
type Segment struct {
	Text string
	// Finding is the 1-based number of the finding the run belongs to in
	// the list Highlight was given; 0 for none.
	Finding int
	Kind    string
	// Last marks the final run of a finding, where its number is shown.
	Last   bool
	Masked bool
}

// Highlight splits one field's stored text (rune offsets, as the scan and the
// redactions count them) into segments, so a page can show the text escaped
// with each finding marked and each masked span set apart. Findings and
// redactions of other fields are ignored; spans outside the text are clipped.
func Highlight(field, text string, findings []Finding, redactions []Redaction) []Segment {
	runes := []rune(text)
	owner := make([]int, len(runes))
	masked := make([]bool, len(runes))
	for i, f := range findings {
		if f.Field != field {
			continue
		}
		for k := max(f.Start, 0); k < min(f.End, len(runes)); k++ {
			if owner[k] == 0 {
				owner[k] = i + 1
			}
		}
	}
	for _, r := range redactions {
		if r.Field != field {
			continue
		}
		for k := max(r.Start, 0); k < min(r.End, len(runes)); k++ {
			masked[k] = true
		}
	}
	var out []Segment
	for i := 0; i < len(runes); {
		j := i + 1
		for j < len(runes) && owner[j] == owner[i] && masked[j] == masked[i] {
			j++
		}
		s := Segment{Text: string(runes[i:j]), Finding: owner[i], Masked: masked[i]}
		if s.Finding > 0 {
			s.Kind = findings[s.Finding-1].Kind
			s.Last = j == len(runes) || owner[j] != owner[i]
		}
		out = append(out, s)
		i = j
	}
	return out
}

// PhraseRedactions returns a span for every occurrence of phrase in one
// field's stored text outside HTML markup. Stored rich text has its special
// characters escaped (& is &amp;), so the escaped form of the phrase is looked
// for too. Spans never contain angle brackets, as Review requires.
func PhraseRedactions(field, text, phrase string) []Redaction {
	phrase = strings.TrimSpace(phrase)
	if phrase == "" || strings.ContainsAny(phrase, "<>") {
		return nil
	}
	runes := []rune(text)
	visible := maskTags(runes)
	inTag := markupRunes(runes)
	entity := entityRunes(runes)
	candidates := []string{phrase}
	if esc := html.EscapeString(phrase); esc != phrase {
		candidates = append(candidates, esc)
	}
	var out []Redaction
	seen := map[[2]int]bool{}
	for _, cand := range candidates {
		for _, f := range findAll(field, "", string(visible), cand) {
			// Never half an entity: the span starts on its & or ends on its ;.
			ok := (entity[f.Start] < 0 || entity[f.Start] == f.Start) &&
				(entity[f.End-1] < 0 || runes[f.End-1] == ';')
			for k := f.Start; k < f.End && ok; k++ {
				ok = !inTag[k] && runes[k] != '<' && runes[k] != '>'
			}
			if key := [2]int{f.Start, f.End}; ok && !seen[key] {
				seen[key] = true
				out = append(out, Redaction{Field: field, Start: f.Start, End: f.End})
			}
		}
	}
	return out
}

// entityRunes gives, rune by rune, where the character reference it belongs
// to starts (&amp;, &#34;), or -1.
func entityRunes(runes []rune) []int {
	out := make([]int, len(runes))
	for i := range out {
		out[i] = -1
	}
	for i := 0; i < len(runes); i++ {
		if runes[i] != '&' {
			continue
		}
		j := i + 1
		for j < len(runes) && j-i <= 32 && (runes[j] == '#' || runes[j] < 128 && (unicode.IsLetter(runes[j]) || unicode.IsDigit(runes[j]))) {
			j++
		}
		if j < len(runes) && j > i+1 && runes[j] == ';' {
			for k := i; k <= j; k++ {
				out[k] = i
			}
			i = j
		}
	}
	return out
}

// SpanText is the text a span covers in a field's stored text, or "" when the
// span lies outside it.
func SpanText(text string, start, end int) string {
	runes := []rune(text)
	if start < 0 || end > len(runes) || start >= end {
		return ""
	}
	return string(runes[start:end])
}

// MaskedPreview is a field's stored text with the redactions applied, as
// Publish will make it.
func MaskedPreview(field, text string, redactions []Redaction) string {
	return applyRedactions(field, text, redactions)
}
