package disclosure

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// idWithCheck completes 17 digits with their GB 11643 check character,
// computed here independently of the code under test: the weights are
// 2^(17-i) mod 11 and the check value is (12 - sum mod 11) mod 11, with 10
// written as X.
func idWithCheck(base string) string {
	if len(base) != 17 {
		panic("idWithCheck: need 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(base[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return base + "X"
	}
	return base + string(rune('0'+v))
}

// luhnOK is the Luhn check written out independently: from the right, every
// second digit is doubled and its digits summed.
func luhnOK(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d = d/10 + d%10
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// luhnComplete appends the check digit that makes s Luhn-valid.
func luhnComplete(s string) string {
	for c := '0'; c <= '9'; c++ {
		if luhnOK(s + string(c)) {
			return s + string(c)
		}
	}
	panic("unreachable")
}

// Fixtures, each checked by TestScanFixtures below.
var (
	idPlain   = idWithCheck("34010219900307123")   // 340102199003071232, born 1990-03-07
	idX       = idWithCheck("34010219850115006")   // 34010219850115006X
	idSample  = "11010519491231002X"               // the example of GB 11643-1999
	idLeap    = idWithCheck("34010220000229000")   // born 2000-02-29 (a leap day)
	idFeb29   = idWithCheck("34010220010229000")   // 2001-02-29 does not exist
	idFeb30   = idWithCheck("34010219900230123")   // 1990-02-30
	idApr31   = idWithCheck("34010219900431123")   // 1990-04-31
	idMonth13 = idWithCheck("34010219901301123")   // month 13
	idDay00   = idWithCheck("34010219900300125")   // day 0
	idYear18  = idWithCheck("34010218991231123")   // 1899: before any living holder
	idBadSum  = idPlain[:17] + "3"                 // right date, wrong check digit
	idXWrong  = idPlain[:17] + "X"                 // X where 2 is due
	card16    = luhnComplete("622202100000000")    // 6222021000000005
	card19    = luhnComplete("621700123456789012") // 6217001234567890122
	cardBad   = card16[:15] + string(rune('0'+(card16[15]-'0'+1)%10))
	mobile    = "13800138000"

	oldID           = "340102900307123" // first-generation, born 1990-03-07
	oldIDMonth13    = "340102901307123"
	oldIDFeb30      = "340102900230123"
	oldIDProvince   = "990102900307123"
	oldIDPrefecture = "340002900307123"
)

// TestScanFixtures checks the test's own fixtures, so a wrong expectation
// cannot hide behind a wrong fixture.
func TestScanFixtures(t *testing.T) {
	if idWithCheck("11010519491231002") != idSample {
		t.Fatalf("check-digit helper disagrees with the standard's example: %s", idWithCheck("11010519491231002"))
	}
	if idX[17] != 'X' || idPlain != "340102199003071232" {
		t.Fatalf("fixtures changed: %s %s", idX, idPlain)
	}
	if card16 != "6222021000000005" || card19 != "6217001234567890122" || luhnOK(cardBad) || len(cardBad) != 16 {
		t.Fatalf("card fixtures: %s %s %s", card16, card19, cardBad)
	}
	// The runs that must not match must not be Luhn-valid bank cards either.
	for _, run := range []string{idBadSum, idFeb29, idFeb30, idApr31, idMonth13, idDay00, idYear18,
		"9" + idPlain, idPlain + "0", "9" + card16, card16 + "1", "9" + card19, card19 + "3",
		oldIDMonth13, oldIDFeb30, oldIDProvince, oldIDPrefecture, "9" + oldID, "86" + mobile, "1380013800123",
		"6222021000000005"[:15], "3401021990030712"} {
		if luhnOK(run) && len(run) >= 13 && len(run) <= 19 {
			t.Errorf("fixture %s is Luhn-valid; pick another", run)
		}
	}
}

func TestValidIDNumber(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{idPlain, true},
		{idX, true},
		{strings.ToLower(idX), true},
		{idSample, true},
		{"440524188001010014", false}, // the standard's example born 1880: not a living holder
		{idLeap, true},
		{idBadSum, false},
		{idXWrong, false},
		{idFeb29, false},
		{idFeb30, false},
		{idApr31, false},
		{idMonth13, false},
		{idDay00, false},
		{idYear18, false},
		{idPlain[:17], false},
		{idPlain + "1", false},
		{"", false},
		{"34010219900307123A", false},
		{"3401021990030712X2", false},
		{"X40102199003071232", false},
		{"34010２19900307123", false}, // a full-width digit
	}
	for _, c := range cases {
		if got := ValidIDNumber(c.in); got != c.want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	// Every check character: exactly one of the eleven is accepted.
	for _, base := range []string{"34010219900307123", "11010519491231002", "65010120001231999", "34010220240229001"} {
		valid := 0
		for _, c := range "0123456789X" {
			if ValidIDNumber(base + string(c)) {
				valid++
				if base+string(c) != idWithCheck(base) {
					t.Errorf("%s accepted with check %c, want %s", base, c, idWithCheck(base))
				}
			}
		}
		if valid != 1 {
			t.Errorf("%s: %d check characters accepted, want 1", base, valid)
		}
	}
}

func TestLuhn(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{card16, true},
		{card19, true},
		{cardBad, false},
		{"4111111111111111", true},
		{"4111111111111112", false},
		{"79927398713", true}, // the textbook example
		{"79927398710", false},
		{"0", true},
	}
	for _, c := range cases {
		if got := luhn(c.in); got != c.want {
			t.Errorf("luhn(%q) = %v, want %v", c.in, got, c.want)
		}
		if luhnOK(c.in) != c.want {
			t.Errorf("test helper disagrees on %q", c.in)
		}
	}
}

// f builds an expected finding of the body.
func f(kind string, start, end int, text string) Finding {
	return Finding{Field: "body", Kind: kind, Start: start, End: end, Text: text}
}

// scanCases is the table of TestScan, also the seed corpus of FuzzScan.
var scanCases = []struct {
	name  string
	text  string
	terms []string
	want  []Finding
}{
	// ID numbers.
	{"valid id alone", idPlain, nil, []Finding{f(FindingIDNumber, 0, 18, idPlain)}},
	{"id with X", idX, nil, []Finding{f(FindingIDNumber, 0, 18, idX)}},
	{"id with lowercase x", strings.ToLower(idX), nil, []Finding{f(FindingIDNumber, 0, 18, strings.ToLower(idX))}},
	{"standard sample", "号码" + idSample + "。", nil, []Finding{f(FindingIDNumber, 2, 20, idSample)}},
	{"leap-day birth", idLeap, nil, []Finding{f(FindingIDNumber, 0, 18, idLeap)}},
	{"wrong check digit", idBadSum, nil, nil},
	{"X where a digit is due", idXWrong, nil, nil},
	{"birth on 2001-02-29", "身份证" + idFeb29, nil, nil},
	{"birth on 02-30", idFeb30, nil, nil},
	{"birth on 04-31", idApr31, nil, nil},
	{"birth month 13", idMonth13, nil, nil},
	{"birth day 00", idDay00, nil, nil},
	{"born 1899", idYear18, nil, nil},
	{"id inside a longer run (before)", "9" + idPlain, nil, nil},
	{"id inside a longer run (after)", idPlain + "0", nil, nil},
	{"id glued to Latin before", "ID" + idPlain, nil, nil},
	{"id glued to Latin after", idPlain + "abc", nil, nil},
	{"X id glued to Latin after", idX + "Y", nil, nil},
	{"id next to Chinese", "身份证号" + idPlain + "的", nil, []Finding{f(FindingIDNumber, 4, 22, idPlain)}},
	{"id in parentheses", "（" + idPlain + "）", nil, []Finding{f(FindingIDNumber, 1, 19, idPlain)}},

	// Mobile numbers: 1, then 3 to 9, then nine digits.
	{"mobile alone", mobile, nil, []Finding{f(FindingMobile, 0, 11, mobile)}},
	{"mobile 19x", "19912345678", nil, []Finding{f(FindingMobile, 0, 11, "19912345678")}},
	{"mobile 13x next to Chinese", "联系电话13312345678转", nil, []Finding{f(FindingMobile, 4, 15, "13312345678")}},
	{"not mobile: 12x", "12345678901", nil, nil},
	{"not mobile: 10x", "10012345678", nil, nil},
	{"not mobile: 10 digits", "1380013800", nil, nil},
	{"mobile inside 12 digits", "1" + mobile, nil, nil},
	{"mobile inside 12 digits after", mobile + "1", nil, nil},
	{"mobile glued to Latin", "Tel" + mobile, nil, nil},
	{"mobile glued to Latin after", mobile + "ext", nil, nil},
	{"mobile after punctuation", "电话:" + mobile + ",", nil, []Finding{f(FindingMobile, 3, 14, mobile)}},
	{"landline is not a mobile", "0551-64000001", nil, nil},

	// Bank cards.
	{"card of 16", "卡号" + card16, nil, []Finding{f(FindingBankCard, 2, 18, card16)}},
	{"card of 19", "账号" + card19 + "。", nil, []Finding{f(FindingBankCard, 2, 21, card19)}},
	{"Luhn-invalid card", "卡号" + cardBad, nil, nil},
	{"card inside a longer run", "9" + card16, nil, nil},
	{"card inside a longer run after", card16 + "1", nil, nil},
	{"card of 19 inside 20", "9" + card19, nil, nil},
	{"card glued to Latin", "NO" + card16, nil, nil},

	// Rune offsets and markup.
	{"offsets after Chinese", "瑶海区应急管理局通知：请联系" + mobile, nil, []Finding{f(FindingMobile, 14, 25, mobile)}},
	{"tags skipped, offsets of the stored text", "<p class=\"x\">张三<br/>" + idPlain + "</p>", nil,
		[]Finding{f(FindingIDNumber, 20, 38, idPlain)}},
	{"number wrapped in a tag", "<b>" + mobile + "</b>", nil, []Finding{f(FindingMobile, 3, 14, mobile)}},
	{"digits inside a tag are not text", "<img src=\"/a/" + mobile + ".png\">", nil, nil},
	{"a tag does not glue digits to Latin", "<b>x</b>" + mobile, nil, []Finding{f(FindingMobile, 8, 19, mobile)}},
	{"mark in markup is not text", "<span class=\"机密\">公开</span>", nil, nil},
	{"a lone < is text, not a tag", "浓度<0.5%的企业，联系" + mobile, nil, []Finding{f(FindingMobile, 13, 24, mobile)}},
	{"an unclosed tag hides nothing", "标题<a " + mobile, nil, []Finding{f(FindingMobile, 5, 16, mobile)}},

	// Secrecy marks and county terms.
	{"secrecy mark", "本文件属机密，不得外传", nil, []Finding{f(FindingSecrecy, 4, 6, "机密")}},
	{"every mark", "绝密、机密、秘密、内部", nil, []Finding{
		f(FindingSecrecy, 0, 2, "绝密"), f(FindingSecrecy, 3, 5, "机密"), f(FindingSecrecy, 6, 8, "秘密"), f(FindingSecrecy, 9, 11, "内部")}},
	{"mark repeated", "内部资料内部使用", nil, []Finding{f(FindingSecrecy, 0, 2, "内部"), f(FindingSecrecy, 4, 6, "内部")}},
	{"mark inside a county term", "存放于绝密档案室", []string{"绝密档案室"}, []Finding{f(FindingCountyTerm, 3, 8, "绝密档案室")}},
	{"term equal to a mark", "机密", []string{"机密"}, []Finding{f(FindingSecrecy, 0, 2, "机密")}},
	{"overlapping mark and term", "机密件", []string{"密件"}, []Finding{f(FindingSecrecy, 0, 2, "机密"), f(FindingCountyTerm, 1, 3, "密件")}},
	{"county term", "位于化工园区东侧", []string{" 化工园区 ", ""}, []Finding{f(FindingCountyTerm, 2, 6, "化工园区")}},
	{"term and number ordered", "化工园区" + mobile + "机密", []string{"化工园区"}, []Finding{
		f(FindingCountyTerm, 0, 4, "化工园区"), f(FindingMobile, 4, 15, mobile), f(FindingSecrecy, 15, 17, "机密")}},

	// Numbers written in groups, with full-width digits or a country code.
	{"mobile 3-4-4 with spaces", "电话138 0013 8000。", nil, []Finding{f(FindingMobile, 2, 15, "138 0013 8000")}},
	{"mobile 3-4-4 with dashes", "138-0013-8000", nil, []Finding{f(FindingMobile, 0, 13, "138-0013-8000")}},
	{"mobile 3-8", "138 00138000", nil, []Finding{f(FindingMobile, 0, 12, "138 00138000")}},
	{"mobile dash with spaces", "138 - 0013 - 8000", nil, []Finding{f(FindingMobile, 0, 17, "138 - 0013 - 8000")}},
	{"mobile +86 spaced", "+86 138 0013 8000", nil, []Finding{f(FindingMobile, 0, 17, "+86 138 0013 8000")}},
	{"mobile +86 glued", "+86" + mobile, nil, []Finding{f(FindingMobile, 0, 14, "+86"+mobile)}},
	{"mobile +86-", "+86-" + mobile, nil, []Finding{f(FindingMobile, 0, 15, "+86-"+mobile)}},
	{"mobile 86-", "86-" + mobile, nil, []Finding{f(FindingMobile, 0, 14, "86-"+mobile)}},
	{"mobile 0086 glued", "0086" + mobile, nil, []Finding{f(FindingMobile, 0, 15, "0086"+mobile)}},
	{"mobile 0086 spaced", "0086 138 0013 8000", nil, []Finding{f(FindingMobile, 0, 18, "0086 138 0013 8000")}},
	{"mobile full-width", "１３８００１３８０００", nil, []Finding{f(FindingMobile, 0, 11, "１３８００１３８０００")}},
	{"mobile full-width, ideographic spaces", "电话：１３８　００１３　８０００", nil, []Finding{f(FindingMobile, 3, 16, "１３８　００１３　８０００")}},
	{"mobile full-width dashes", "138－0013－8000", nil, []Finding{f(FindingMobile, 0, 13, "138－0013－8000")}},
	{"mobile no-break spaces in rich text", "<p>138&nbsp;0013&nbsp;8000</p>", nil, []Finding{f(FindingMobile, 3, 26, "138&nbsp;0013&nbsp;8000")}},
	{"mobile with a plus after a digit", "1+" + mobile, nil, []Finding{f(FindingMobile, 2, 13, mobile)}},
	{"mobile after a date", "2026-12-07 " + mobile, nil, []Finding{f(FindingMobile, 11, 22, mobile)}},
	{"mobile after a row number and a tab", "1\t" + mobile, nil, []Finding{f(FindingMobile, 2, 13, mobile)}},
	{"mobile then a lone digit", "138 0013 8000 9", nil, []Finding{f(FindingMobile, 0, 13, "138 0013 8000")}},
	{"not mobile: 3-5-3", "138 00138 000", nil, nil},
	{"not mobile: 4-4-3", "1380 0138 000", nil, nil},
	{"not mobile: four spaces", "138    0013    8000", nil, nil},
	{"not mobile: two dashes", "138--0013--8000", nil, nil},
	{"not mobile: 86 glued without plus", "86" + mobile, nil, nil},
	{"not mobile: groups split by markup", "<p>138</p><p>0013 8000</p>", nil, nil},
	{"not mobile: full-width Latin before", "ＴＥＬ" + mobile, nil, nil},
	{"id 6-8-4", "身份证号340102 19900307 1232", nil, []Finding{f(FindingIDNumber, 4, 24, "340102 19900307 1232")}},
	{"id in fours", "3401 0219 9003 0712 32", nil, []Finding{f(FindingIDNumber, 0, 22, "3401 0219 9003 0712 32")}},
	{"id 6-8-4 with X", "340102 19850115 006X", nil, []Finding{f(FindingIDNumber, 0, 20, "340102 19850115 006X")}},
	{"id 6-8-4 with x, dashes", "340102-19850115-006x", nil, []Finding{f(FindingIDNumber, 0, 20, "340102-19850115-006x")}},
	{"id full-width", "３４０１０２１９９００３０７１２３２", nil, []Finding{f(FindingIDNumber, 0, 18, "３４０１０２１９９００３０７１２３２")}},
	{"id full-width X", "３４０１０２１９８５０１１５００６Ｘ", nil, []Finding{f(FindingIDNumber, 0, 18, "３４０１０２１９８５０１１５００６Ｘ")}},
	{"id full-width x", "３４０１０２１９８５０１１５００６ｘ", nil, []Finding{f(FindingIDNumber, 0, 18, "３４０１０２１９８５０１１５００６ｘ")}},
	{"id grouped oddly", "3401021 99003071232", nil, nil},
	{"old id", "旧证号" + oldID, nil, []Finding{f(FindingIDNumber, 3, 18, oldID)}},
	{"old id 6-6-3", "340102 900307 123", nil, []Finding{f(FindingIDNumber, 0, 17, "340102 900307 123")}},
	{"old id full-width", "３４０１０２９００３０７１２３", nil, []Finding{f(FindingIDNumber, 0, 15, "３４０１０２９００３０７１２３")}},
	{"old id: month 13", oldIDMonth13, nil, nil},
	{"old id: 02-30", oldIDFeb30, nil, nil},
	{"old id: no such province", oldIDProvince, nil, nil},
	{"old id: prefecture 00", oldIDPrefecture, nil, nil},
	{"old id inside a longer run", "9" + oldID, nil, nil},
	{"old id grouped oddly", "34010 2900307123", nil, nil},
	{"card in fours", "卡号6222 0210 0000 0005", nil, []Finding{f(FindingBankCard, 2, 21, "6222 0210 0000 0005")}},
	{"card of 19 in fours", "6217 0012 3456 7890 122", nil, []Finding{f(FindingBankCard, 0, 23, "6217 0012 3456 7890 122")}},
	{"card in threes is no card", "622 202 100 000 000 5", nil, nil},

	// Ordinary numbers stay ordinary.
	{"date", "2026-12-07", nil, nil},
	{"date and time", "2026-12-07 13:00", nil, nil},
	{"date in Chinese", "2026年12月07日13时", nil, nil},
	{"document number", "皖应急〔2026〕12号", nil, nil},
	{"amount with commas", "金额：1,380,013,800.00元", nil, nil},
	{"amount with spaces", "1 380 013 800 123", nil, nil},
	{"landline with area code", "0551-6400 0001", nil, nil},
	{"service number", "400-800-8888", nil, nil},
	{"standard number", "GB 11643-1999", nil, nil},
	{"list of numbers", "第1 2 3 4 5 6 7 8 9 10 11项", nil, nil},
	{"dates in a row", "2026-12-07 2026-12-08 2026-12-09", nil, nil},

	// Secrecy marks written out.
	{"mark spaced", "秘 密", nil, []Finding{f(FindingSecrecy, 0, 3, "秘 密")}},
	{"mark with ideographic space and period", "机　密★1年", nil, []Finding{f(FindingSecrecy, 0, 6, "机　密★1年")}},
	{"mark spaced with period", "绝 密 ★ 10年", nil, []Finding{f(FindingSecrecy, 0, 9, "绝 密 ★ 10年")}},
	{"mark with star", "秘密★", nil, []Finding{f(FindingSecrecy, 0, 3, "秘密★")}},
	{"mark with months", "秘密★6个月。", nil, []Finding{f(FindingSecrecy, 0, 6, "秘密★6个月")}},
	{"mark long-term", "机密★长期", nil, []Finding{f(FindingSecrecy, 0, 5, "机密★长期")}},
	{"mark with full-width period", "机密★１０年", nil, []Finding{f(FindingSecrecy, 0, 6, "机密★１０年")}},
	{"mark, star, no period", "机密★本件", nil, []Finding{f(FindingSecrecy, 0, 3, "机密★")}},
	{"mark with no-break space in rich text", "<p>机&nbsp;密</p>", nil, []Finding{f(FindingSecrecy, 3, 11, "机&nbsp;密")}},
	{"internal spaced", "内 部资料", nil, []Finding{f(FindingSecrecy, 0, 3, "内 部")}},
	{"mark too far apart", "秘    密", nil, nil},
	{"mark split by markup", "机<b>密</b>", nil, nil},
	{"term in full-width Latin", "ＡＢＣ化工", []string{"ABC化工"}, []Finding{f(FindingCountyTerm, 0, 5, "ＡＢＣ化工")}},
	{"nothing", "关于开展安全生产月活动的通知", []string{"化工园区"}, nil},
	{"empty", "", nil, nil},
}

func TestScan(t *testing.T) {
	for _, c := range scanCases {
		t.Run(c.name, func(t *testing.T) {
			got := Scan("body", c.text, c.terms)
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Scan(%q)\n got %+v\nwant %+v", c.text, got, c.want)
			}
			checkFindings(t, c.text, got)
		})
	}
}

// checkFindings asserts the invariants every scan keeps.
func checkFindings(t *testing.T, text string, list []Finding) {
	t.Helper()
	runes := []rune(text)
	for _, fd := range list {
		if fd.Start < 0 || fd.Start >= fd.End || fd.End > len(runes) {
			t.Fatalf("finding %+v out of [0,%d] in %q", fd, len(runes), text)
		}
		switch fd.Kind {
		case FindingIDNumber, FindingMobile, FindingBankCard, FindingSecrecy, FindingCountyTerm:
			if got := string(runes[fd.Start:fd.End]); got != fd.Text {
				t.Fatalf("finding %+v: text at its position is %q in %q", fd, got, text)
			}
		default:
			t.Fatalf("unknown kind in %+v", fd)
		}
		if strings.ContainsAny(fd.Text, "<>") {
			t.Fatalf("finding %+v spans markup", fd)
		}
	}
}

func TestScanFieldName(t *testing.T) {
	got := Scan("attachment:7", "机密-"+mobile+".pdf", nil)
	want := []Finding{
		{Field: "attachment:7", Kind: FindingSecrecy, Start: 0, End: 2, Text: "机密"},
		{Field: "attachment:7", Kind: FindingMobile, Start: 3, End: 14, Text: mobile},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestFindingTitle(t *testing.T) {
	for _, k := range []string{FindingIDNumber, FindingMobile, FindingBankCard, FindingSecrecy, FindingCountyTerm, FindingUnreadable} {
		if FindingTitle(k) == k {
			t.Errorf("%s has no Chinese title", k)
		}
	}
	if FindingTitle("other") != "other" {
		t.Error("unknown kinds are named by their code")
	}
}

func ExampleScan() {
	for _, fd := range Scan("body", "联系人电话"+mobile+"，文件密级：机密", nil) {
		fmt.Println(fd.Kind, fd.Start, fd.End, fd.Text)
	}
	// Output:
	// mobile 5 16 13800138000
	// secrecy_mark 22 24 机密
}

// nestedByDefinition is the rule of dropNested written out plainly: a
// finding goes when another covers it and is longer, or is the same span
// listed earlier; the rest are ordered by position.
func nestedByDefinition(list []Finding) []Finding {
	var out []Finding
	for i, f := range list {
		nested := false
		for j, g := range list {
			if i != j && g.Start <= f.Start && f.End <= g.End &&
				(g.End-g.Start > f.End-f.Start || (g.End-g.Start == f.End-f.Start && j < i)) {
				nested = true
			}
		}
		if !nested {
			out = append(out, f)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestDropNestedMatchesDefinition(t *testing.T) {
	seed := uint32(1)
	next := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
	for round := 0; round < 2000; round++ {
		list := make([]Finding, next(8))
		for i := range list {
			start := next(10)
			list[i] = Finding{Field: "body", Kind: FindingCountyTerm, Start: start, End: start + 1 + next(4), Text: fmt.Sprint(i)}
		}
		got, want := dropNested(list), nestedByDefinition(list)
		if len(got) != 0 || len(want) != 0 {
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("dropNested(%+v)\n got %+v\nwant %+v", list, got, want)
			}
		}
	}
}

// TestScanManyFindings: a body full of one mark (here 200,000 findings) is
// scanned in well under a second; the scan runs on every view of a record.
// With the former quadratic de-duplication this took minutes.
func TestScanManyFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("long input")
	}
	text := strings.Repeat("内部", 200_000)
	done := make(chan int, 1)
	go func() { done <- len(Scan("body", text, []string{"部"})) }()
	select {
	case n := <-done:
		if n != 200_000 {
			t.Fatalf("%d findings, want 200000", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("scan of 200,000 marks did not finish in 20s")
	}
}

func TestMaskTags(t *testing.T) {
	for in, want := range map[string]string{
		"<p>正文</p>":                     "   正文    ",
		`<a href="x">链</a>`:             "            链    ",
		"a<b":                           "a<b",
		"1 < 2 > 0":                     "1 < 2 > 0",
		"浓度<0.5%":                       "浓度<0.5%",
		"<!-- c -->x":                   "          x",
		"<br/>中<":                       "     中<",
		"x<":                            "x<",
		"<不是标签>":                        "<不是标签>",
		"</p>" + strings.Repeat("长", 3): "    长长长",
	} {
		if got := string(maskTags([]rune(in))); got != want {
			t.Errorf("maskTags(%q) = %q, want %q", in, got, want)
		}
		if utf8.RuneCountInString(in) != len(maskTags([]rune(in))) {
			t.Errorf("maskTags(%q) changed the length", in)
		}
	}
}

// TestHalfWidth pins the mapping the scan compares text in, and checks the
// full-width block against golang.org/x/text/width's narrow forms.
func TestHalfWidth(t *testing.T) {
	cases := []struct {
		name string
		in   rune
		want rune
	}{
		{"full-width digit", '１', '1'},
		{"full-width zero", '０', '0'},
		{"full-width X", 'Ｘ', 'X'},
		{"full-width x", 'ｘ', 'x'},
		{"full-width plus", '＋', '+'},
		{"full-width hyphen-minus", '－', '-'},
		{"ideographic space", '\u3000', ' '},
		{"no-break space", '\u00a0', ' '},
		{"thin space", '\u2009', ' '},
		{"hyphen", '\u2010', '-'},
		{"en dash", '–', '-'},
		{"em dash", '—', '-'},
		{"minus sign", '−', '-'},
		{"small hyphen-minus", '\ufe63', '-'},
		{"ASCII stays", '7', '7'},
		{"tab stays", '\t', '\t'},
		{"Chinese stays", '密', '密'},
		{"star stays", '★', '★'},
		{"enumeration comma stays", '、', '、'},
		{"past the full-width block", '\uff5f', '\uff5f'},
	}
	for _, c := range cases {
		if got := halfWidth(c.in); got != c.want {
			t.Errorf("%s: halfWidth(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		if want := []rune(width.Narrow.String(string(r))); len(want) != 1 || halfWidth(r) != want[0] {
			t.Errorf("halfWidth(%q) = %q, x/text/width says %q", r, halfWidth(r), string(want))
		}
	}
}

// fullWidthDigits writes ASCII digits and spaces as their full-width forms.
func fullWidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r + 0xFEE0
		case r == ' ':
			return '\u3000'
		}
		return r
	}, s)
}

// TestScanFullWidthSame: every case of the table, written with full-width
// digits and spaces, gives the same findings at the same places.
func TestScanFullWidthSame(t *testing.T) {
	for _, c := range scanCases {
		if strings.ContainsAny(c.text, "&<") {
			continue // digits of character references and tags are not text
		}
		checkFullWidthSame(t, c.text, c.terms)
	}
}

func checkFullWidthSame(t *testing.T, text string, terms []string) {
	t.Helper()
	a, b := Scan("body", text, terms), Scan("body", fullWidthDigits(text), terms)
	if len(a) != len(b) {
		t.Fatalf("%q: %+v, full-width %+v", text, a, b)
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Start != b[i].Start || a[i].End != b[i].End {
			t.Fatalf("%q: %+v, full-width %+v", text, a, b)
		}
	}
}
