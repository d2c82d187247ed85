package disclosure

import (
	"strings"
	"testing"
)

// span is the finding of kind over the first occurrence of what in text,
// in runes of the stored text.
func span(t *testing.T, text, what, kind string) Finding {
	t.Helper()
	i := strings.Index(text, what)
	if i < 0 {
		t.Fatalf("%q not in %q", what, text)
	}
	start := len([]rune(text[:i]))
	return Finding{Field: "body", Kind: kind, Start: start, End: start + len([]rune(what))}
}

func TestRenderHighlighted(t *testing.T) {
	t.Parallel()
	sanitize := bodyPolicy().Sanitize
	bold := "<p>联系人手机<strong>1381234</strong>5678，谢谢</p>"
	cell := "<table><tbody><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张三</td><td>11010519491231002X</td></tr></tbody></table>"
	cases := []struct {
		name       string
		text       string
		findings   func(string) []Finding
		redactions func(string) []Redaction
		want       string
	}{
		{"a finding spanning a bold run", bold,
			func(s string) []Finding { return []Finding{span(t, s, "1381234</strong>5678", FindingMobile)} }, nil,
			`<p>联系人手机<strong><mark id="finding-mark-1" class="finding" data-finding="1" title="手机号码（第1处）">1381234</mark></strong>` +
				`<mark class="finding" data-finding="1" title="手机号码（第1处）">5678</mark><sup class="mark-no" aria-hidden="true">1</sup>，谢谢</p>`},
		{"a finding inside a table cell, as the scan finds it", cell,
			func(s string) []Finding { return Scan("body", s, nil) }, nil,
			`<table><tbody><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张三</td><td>` +
				`<mark id="finding-mark-1" class="finding" data-finding="1" title="居民身份证号码（第1处）">11010519491231002X</mark><sup class="mark-no" aria-hidden="true">1</sup></td></tr></tbody></table>`},
		{"a masked span and a masked finding", "<p>机密：甲乙丙</p>",
			func(s string) []Finding { return []Finding{span(t, s, "机密", FindingSecrecy)} },
			func(s string) []Redaction {
				f := span(t, s, "机密", "")
				g := span(t, s, "乙丙", "")
				return []Redaction{{Field: "body", Start: f.Start, End: f.End}, {Field: "body", Start: g.Start, End: g.End}}
			},
			`<p><mark id="finding-mark-1" class="finding masked" data-finding="1" title="密级标志（第1处）">机密</mark><sup class="mark-no" aria-hidden="true">1</sup>：甲` +
				`<mark class="masked" title="已遮盖">乙丙</mark></p>`},
		{"a span ending inside a character reference", "<p>A&amp;B内部</p>",
			func(s string) []Finding { return []Finding{{Field: "body", Kind: FindingCountyTerm, Start: 4, End: 6}} }, nil,
			`<p>A<mark id="finding-mark-1" class="finding" data-finding="1" title="本县敏感词（第1处）">&amp;</mark><sup class="mark-no" aria-hidden="true">1</sup>B内部</p>`},
		{"stored markup never escapes the sanitiser", `<p onclick="x()">甲<script>alert(1)</script>13812345678<img src=x onerror=alert(1)></p>` + "\U000F0003\U00100001",
			func(s string) []Finding { return []Finding{span(t, s, "13812345678", FindingMobile)} }, nil,
			`<p>甲<mark id="finding-mark-1" class="finding" data-finding="1" title="手机号码（第1处）">13812345678</mark><sup class="mark-no" aria-hidden="true">1</sup><img src="x"></p>` + "\uFFFD\uFFFD"},
		{"a finding over a tag only marks text", `<p>甲</p><p>乙</p>`,
			func(s string) []Finding {
				return []Finding{{Field: "body", Kind: FindingCountyTerm, Start: 3, End: 12}}
			}, nil,
			`<p><mark id="finding-mark-1" class="finding" data-finding="1" title="本县敏感词（第1处）">甲</mark></p><p><mark class="finding" data-finding="1" title="本县敏感词（第1处）">乙</mark><sup class="mark-no" aria-hidden="true">1</sup></p>`},
		{"findings of other fields are ignored", bold,
			func(s string) []Finding { return []Finding{{Field: "title", Kind: FindingMobile, Start: 0, End: 3}} }, nil, bold},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var reds []Redaction
			if tc.redactions != nil {
				reds = tc.redactions(tc.text)
			}
			got := string(RenderHighlighted("body", tc.text, tc.findings(tc.text), reds, sanitize))
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			// Without the marks, what is left is exactly the sanitised text.
			plain := strings.NewReplacer("</mark>", "").Replace(got)
			for strings.Contains(plain, "<mark") {
				i := strings.Index(plain, "<mark")
				plain = plain[:i] + plain[i+strings.Index(plain[i:], ">")+1:]
			}
			for strings.Contains(plain, `<sup class="mark-no"`) {
				i := strings.Index(plain, `<sup class="mark-no"`)
				plain = plain[:i] + plain[i+strings.Index(plain[i:], "</sup>")+len("</sup>"):]
			}
			if want := sanitize(strings.NewReplacer("\U000F0003", "\uFFFD", "\U00100001", "\uFFFD").Replace(tc.text)); plain != want {
				t.Errorf("the marks change the text:\n%s\nsanitised:\n%s", plain, want)
			}
		})
	}
}
