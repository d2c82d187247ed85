package disclosure

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScan: the scan never panics, every finding lies inside the text
// (rune offsets), and a number finding's text is exactly the runes at its
// position. Terms are valid UTF-8 without angle brackets, as the settings
// (JSON, SaveSettings) guarantee.
func FuzzScan(f *testing.F) {
	for _, c := range scanCases {
		f.Add(c.text, strings.Join(c.terms, "\n"))
	}
	f.Add("<p>"+idX+"</p><", "绝密档案")
	f.Add("\xff\xfe"+mobile+"\xe4\xb8", "内部")
	f.Add("机 密★1年 +86 138 0013 8000 "+oldID+" 340102 19850115 006x", "")
	f.Add("<p>138&nbsp;0013&nbsp;8000</p><b>绝</b>密 ６２２２ ０２１０ ０００００ ００５", "化工")
	f.Fuzz(func(t *testing.T, text, terms string) {
		var list []string
		if utf8.ValidString(terms) && !strings.ContainsAny(terms, "<>") {
			list = strings.Split(terms, "\n")
		}
		got := Scan("body", text, list)
		if !strings.ContainsAny(text, "&<") && utf8.ValidString(text) {
			checkFullWidthSame(t, text, list)
		}
		checkFindings(t, text, got)
		for i := 1; i < len(got); i++ {
			if got[i].Start < got[i-1].Start {
				t.Fatalf("findings out of order: %+v", got)
			}
		}
	})
}

// FuzzValidIDNumber never panics, and agrees with the check written out in
// the test for 17 digits followed by any character.
func FuzzValidIDNumber(f *testing.F) {
	for _, s := range []string{idPlain, idX, idSample, idFeb29, idBadSum, "", "X", "34010219900307123\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidIDNumber(s)
		if ok && (len(s) != 18 || idWithCheck(s[:17]) != strings.ToUpper(s)) {
			t.Fatalf("ValidIDNumber(%q) accepted a wrong check character", s)
		}
	})
}
