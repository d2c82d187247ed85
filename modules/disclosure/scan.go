package disclosure

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Finding kinds of the confidentiality scan.
const (
	FindingIDNumber   = "id_number"
	FindingMobile     = "mobile"
	FindingBankCard   = "bank_card"
	FindingSecrecy    = "secrecy_mark"
	FindingCountyTerm = "county_term"
)

// FindingTitle is the Chinese name of a finding kind.
func FindingTitle(kind string) string {
	switch kind {
	case FindingIDNumber:
		return "居民身份证号码"
	case FindingMobile:
		return "手机号码"
	case FindingBankCard:
		return "银行卡号"
	case FindingSecrecy:
		return "密级标志"
	case FindingCountyTerm:
		return "本县敏感词"
	}
	return kind
}

// Finding is one hit of the scan: where (rune offsets, end exclusive, in the
// field's text as stored) and what.
type Finding struct {
	Field string `json:"field"`
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// SecrecyMarks are the marks that must never reach the public unreviewed.
var SecrecyMarks = []string{"绝密", "机密", "秘密", "内部"}

// Scan lists what a reviewer must look at in one field: ID numbers with a
// valid GB 11643 check character, mobile numbers, bank-card numbers passing
// the Luhn check, secrecy marks and the county's own terms. A number is only
// recognised as a whole run of digits: digits inside a longer run are not a
// match. HTML tags in the text are skipped, so positions stay those of the
// stored text.
func Scan(field, text string, terms []string) []Finding {
	runes := []rune(text)
	visible := maskTags(runes)
	var out []Finding
	for i := 0; i < len(visible); {
		if !isDigit(visible[i]) {
			i++
			continue
		}
		j := i
		for j < len(visible) && isDigit(visible[j]) {
			j++
		}
		end := j
		// An ID number may end in X.
		if j-i == 17 && j < len(visible) && (visible[j] == 'X' || visible[j] == 'x') {
			end = j + 1
		}
		// Digits glued to Latin letters or more digits (a code, a model
		// number) are not a number of their own.
		bounded := (i == 0 || !isWordRune(visible[i-1])) && (end == len(visible) || !isWordRune(visible[end]))
		if kind := classifyNumber(string(visible[i:end])); bounded && kind != "" {
			out = append(out, Finding{Field: field, Kind: kind, Start: i, End: end, Text: string(visible[i:end])})
		}
		i = end
	}
	text2 := string(visible)
	for _, m := range SecrecyMarks {
		out = append(out, findAll(field, FindingSecrecy, text2, m)...)
	}
	for _, t := range terms {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, findAll(field, FindingCountyTerm, text2, t)...)
		}
	}
	return dropNested(out)
}

// maskTags replaces HTML tags by spaces so offsets into the copy are offsets
// into the original.
func maskTags(runes []rune) []rune {
	out := make([]rune, len(runes))
	for i, markup := range markupRunes(runes) {
		out[i] = runes[i]
		if markup {
			out[i] = ' '
		}
	}
	return out
}

// markupRunes reports, rune by rune, what is HTML markup. As in HTML, a '<'
// opens a tag only when a letter, '/', '!' or '?' follows it, and only a tag
// closed by '>' is markup: a lone '<' (浓度<0.5%, or any '<' in a plain-text
// title) hides nothing from the scan.
func markupRunes(runes []rune) []bool {
	out := make([]bool, len(runes))
	for i := 0; i < len(runes); i++ {
		if runes[i] != '<' || i+1 == len(runes) || !opensTag(runes[i+1]) {
			continue
		}
		end := i + 1
		for end < len(runes) && runes[end] != '>' {
			end++
		}
		if end == len(runes) {
			break
		}
		for k := i; k <= end; k++ {
			out[k] = true
		}
		i = end
	}
	return out
}

func opensTag(r rune) bool {
	return r == '/' || r == '!' || r == '?' || (r < 128 && unicode.IsLetter(r))
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isWordRune(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// classifyNumber names a whole digit run, or "".
func classifyNumber(run string) string {
	switch {
	case len(run) == 18 && ValidIDNumber(run):
		return FindingIDNumber
	case len(run) == 11 && run[0] == '1' && run[1] >= '3' && run[1] <= '9':
		return FindingMobile
	case len(run) >= 13 && len(run) <= 19 && allDigits(run) && luhn(run):
		return FindingBankCard
	}
	return ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// ValidIDNumber checks an 18-character resident ID number (GB 11643): 17
// digits, a plausible birth date, and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	month := int(s[10]-'0')*10 + int(s[11]-'0')
	day := int(s[12]-'0')*10 + int(s[13]-'0')
	year := int(s[6]-'0')*1000 + int(s[7]-'0')*100 + int(s[8]-'0')*10 + int(s[9]-'0')
	if year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 ||
		day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return false
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return idCheckChars[sum%11] == last
}

// luhn is the check of bank-card numbers.
func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// findAll lists every occurrence of term, with rune offsets.
func findAll(field, kind, text, term string) []Finding {
	var out []Finding
	termRunes := len([]rune(term))
	offset := 0 // runes before text[byteStart:]
	for byteStart := 0; ; {
		k := strings.Index(text[byteStart:], term)
		if k < 0 {
			return out
		}
		offset += len([]rune(text[byteStart : byteStart+k]))
		out = append(out, Finding{Field: field, Kind: kind, Start: offset, End: offset + termRunes, Text: term})
		byteStart += k + len(term)
		offset += termRunes
	}
}

// dropNested removes a mark found inside a longer one (绝密 inside a county
// term 绝密档案 is not two findings; of two equal spans the first is kept) and
// orders the findings by position. Sorting first keeps it O(n log n): a long
// body full of one term must not stall every view of the record.
func dropNested(list []Finding) []Finding {
	sorted := slices.Clone(list)
	slices.SortStableFunc(sorted, func(a, b Finding) int {
		if a.Start != b.Start {
			return cmp.Compare(a.Start, b.Start)
		}
		return cmp.Compare(b.End, a.End)
	})
	var out []Finding
	maxEnd := -1
	for _, f := range sorted {
		if f.End <= maxEnd {
			continue
		}
		out = append(out, f)
		maxEnd = f.End
	}
	return out
}
