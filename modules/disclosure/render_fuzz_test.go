package disclosure

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// ourMarks are the only tags RenderHighlighted adds.
var ourMarks = regexp.MustCompile(`<mark (id="finding-mark-[0-9]+" )?class="(finding|finding masked|masked)"( data-finding="[0-9]+")? title="[^"<>]*">|</mark>|<sup class="mark-no" aria-hidden="true">[0-9]+</sup>`)

// FuzzRenderHighlighted: whatever the stored text and wherever the spans
// fall (inside tags, inside character references, past the end), the page
// gets nothing but what the sanitiser lets through plus our marks: removed,
// the marks leave HTML the sanitiser keeps as it is, and every mark opens and
// closes within one run of text (never around or inside a tag).
func FuzzRenderHighlighted(f *testing.F) {
	for _, c := range scanCases {
		f.Add(c.text, 0, 5, 3, 9)
	}
	f.Add(`<p onclick="x">甲<strong>1381234</strong>5678&amp;<a href="javascript:x">乙</a></p>`, 4, 30, 10, 40)
	f.Add("<table><tr><td>11010519491231002X</td></tr></table>\U000F0001", 15, 33, 0, 2)
	f.Add(`<p title="a>b">内部</p><`, 3, 12, 12, 20)
	policy := bodyPolicy()
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		findings := []Finding{{Field: "body", Kind: FindingMobile, Start: s1, End: e1}, {Field: "body", Kind: FindingSecrecy, Start: s2, End: e2}}
		reds := []Redaction{{Field: "body", Start: s2, End: e1}}
		got := string(RenderHighlighted("body", text, findings, reds, policy.Sanitize))
		// Marks only ever sit between text: none inside a tag.
		z := html.NewTokenizer(strings.NewReader(got))
		depth := 0
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			name, _ := z.TagName()
			switch {
			case tt == html.StartTagToken && string(name) == "mark":
				if depth > 0 {
					t.Fatalf("nested mark in %q", got)
				}
				depth++
			case tt == html.EndTagToken && string(name) == "mark":
				depth--
			case (tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken) && depth > 0 && string(name) != "mark":
				t.Fatalf("a tag inside a mark in %q", got)
			}
		}
		if depth != 0 {
			t.Fatalf("unbalanced marks in %q", got)
		}
		rest := ourMarks.ReplaceAllString(got, "")
		if strings.Contains(rest, "<mark class=") || strings.Contains(rest, `class="mark-no"`) {
			t.Fatalf("a mark of an unexpected shape in %q", got)
		}
		if again := policy.Sanitize(rest); again != rest {
			t.Fatalf("what is left of\n%q\nis not sanitiser-stable:\n%q\n%q", text, rest, again)
		}
	})
}
