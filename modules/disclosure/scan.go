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
	case FindingUnreadable:
		return "附件内容未能自动检查"
	}
	return kind
}

// FindingUnreadable is not a hit but the lack of one: an attachment whose
// contents could not be read (in full) by the scan, which a reviewer must
// then check by hand.
const FindingUnreadable = "unreadable"

// Finding is one hit of the scan: where and what. In the title, the body and
// an attachment's name (field "attachment:<id>") Start and End are rune
// offsets (end exclusive) into the field's text as stored. In an attachment's
// contents (field "attachment_content:<id>") the text is not stored, so they
// are rune offsets into the part Location names (a paragraph, a cell, a
// page), and Excerpt shows the text around the hit. Text is the text at the
// finding's position, as written (spaces and full-width digits kept).
type Finding struct {
	Field string `json:"field"`
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	// AttachmentID, Location and Excerpt are set on findings in an
	// attachment's contents only.
	AttachmentID int64  `json:"attachment_id,omitempty"`
	Location     string `json:"location,omitempty"`
	Excerpt      string `json:"excerpt,omitempty"`
	// Checked is set in a kept review record only: the reviewer confirmed
	// having checked this attachment's contents by hand.
	Checked bool `json:"checked,omitempty"`
}

// SecrecyMarks are the marks that must never reach the public unreviewed.
// They are also found written with spaces between their characters ("机　密")
// and, as GB/T 9704 prints them, followed by a star and the period of secrecy
// ("机密★1年"), which then belongs to the finding.
var SecrecyMarks = []string{"绝密", "机密", "秘密", "内部"}

// Scan lists what a reviewer must look at in one field: ID numbers (18
// characters with a valid GB 11643 check character, or the 15 digits of a
// first-generation card with a plausible area code and birth date), mobile
// numbers (with or without +86), bank-card numbers passing the Luhn check,
// secrecy marks and the county's own terms. Full-width characters count as
// their ASCII forms, and a number may be written in groups separated by
// spaces or a dash (138 1234 5678, 340102 19900307 1232), as long as the
// groups have a shape such numbers are written in. A number is only
// recognised as whole runs of digits: digits inside a longer run are not a
// match. HTML tags in the text are skipped, so positions stay those of the
// stored text.
func Scan(field, text string, terms []string) []Finding {
	runes := []rune(text)
	markup := markupRunes(runes)
	spaces := make([]int, len(runes))
	for i, start := range entityRunes(runes) {
		if start == i && isNBSPEntity(runes, i) {
			spaces[i] = entityLen(runes, i)
		}
	}
	return scanRunes(field, runes, markup, spaces, terms)
}

// scanPlain is Scan of text that is not HTML: an attachment's contents,
// where "<a" or "&nbsp;" are just characters.
func scanPlain(field, text string, terms []string) []Finding {
	runes := []rune(text)
	return scanRunes(field, runes, make([]bool, len(runes)), make([]int, len(runes)), terms)
}

// scanRunes scans one field. markup marks the runes of HTML tags; spaces[i]
// is the length of a character reference for a no-break space starting at i
// (&nbsp;), which counts as one space.
func scanRunes(field string, runes []rune, markup []bool, spaces []int, terms []string) []Finding {
	norm := normalizeRunes(runes, markup)
	var out []Finding
	add := func(kind string, start, end int) {
		out = append(out, Finding{Field: field, Kind: kind, Start: start, End: end, Text: string(runes[start:end])})
	}
	for _, n := range findNumbers(norm, spaces) {
		add(n.kind, n.start, n.end)
	}
	for _, m := range findMarks(norm, spaces) {
		add(FindingSecrecy, m[0], m[1])
	}
	normText := string(norm)
	for _, t := range terms {
		if t = strings.TrimSpace(t); t != "" {
			for _, f := range findAll(field, FindingCountyTerm, normText, string(normalizeRunes([]rune(t), nil))) {
				if !slices.Contains(markup[f.Start:f.End], true) {
					add(FindingCountyTerm, f.Start, f.End)
				}
			}
		}
	}
	return dropNested(out)
}

// markupRune stands for markup in normalized text: no separator, no letter,
// so a tag neither joins nor glues what stands around it.
const markupRune = '\uFFFF'

// normalizeRunes maps each rune to the form the scan compares: full-width
// forms to ASCII, the other spaces to ' ', the other dashes to '-', markup to
// markupRune. The result has one rune
// for each rune of the input, so its positions are those of the text.
func normalizeRunes(runes []rune, markup []bool) []rune {
	out := make([]rune, len(runes))
	for i, r := range runes {
		if markup != nil && markup[i] {
			out[i] = markupRune
			continue
		}
		out[i] = halfWidth(r)
	}
	return out
}

// halfWidth is the ASCII form of a full-width character (１ → 1, Ｘ → X, the
// ideographic space → ' ', － → '-'), and of the other spaces and dashes a
// document may hold; any other rune is itself.
func halfWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // Fullwidth ASCII variants
		return r - 0xFEE0
	case r == 0x3000, r == 0x00A0, r >= 0x2002 && r <= 0x200A, r == 0x202F, r == 0x205F:
		return ' '
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE58, r == 0xFE63:
		return '-'
	}
	return r
}

// isNBSPEntity reports whether a no-break space is written as a character
// reference at runes[i] (rich text editors write &nbsp; between groups).
func isNBSPEntity(runes []rune, i int) bool {
	n := entityLen(runes, i)
	if n == 0 {
		return false
	}
	switch strings.ToLower(string(runes[i : i+n])) {
	case "&nbsp;", "&#160;", "&#xa0;", "&#x00a0;":
		return true
	}
	return false
}

// entityLen is the length of the character reference at runes[i], or 0.
func entityLen(runes []rune, i int) int {
	if runes[i] != '&' {
		return 0
	}
	for j := i + 1; j < len(runes) && j-i <= 32; j++ {
		if runes[j] == ';' {
			return j - i + 1
		}
	}
	return 0
}

// spaceAt is the length of the space at norm[i] (a space, or a no-break
// space written as a character reference), or 0.
func spaceAt(norm []rune, spaces []int, i int) int {
	switch {
	case spaces[i] > 0:
		return spaces[i]
	case norm[i] == ' ':
		return 1
	}
	return 0
}

// joins reports whether norm[from:to], between two runs of digits, separates
// groups of one number: at most three spaces or a dash, spaces around it.
func joins(norm []rune, spaces []int, from, to int) bool {
	units, dashes := 0, 0
	for i := from; i < to; {
		if n := spaceAt(norm, spaces, i); n > 0 {
			i += n
		} else if norm[i] == '-' {
			dashes++
			i++
		} else {
			return false
		}
		units++
	}
	return units > 0 && units <= 3 && dashes <= 1
}

type numberMatch struct {
	kind       string
	start, end int
}

// maxNumberDigits bounds the digits a candidate may gather: the 19 of a
// bank card, or 0086 and a mobile number.
const maxNumberDigits = 19

// findNumbers lists the numbers in normalized text: every sequence of digit
// runs joined by separators is read as each candidate it may be, and a
// candidate counts when its grouping is one the kind is written in.
func findNumbers(norm []rune, spaces []int) []numberMatch {
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(norm); {
		if !isDigit(norm[i]) {
			i++
			continue
		}
		j := i
		for j < len(norm) && isDigit(norm[j]) {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	var out []numberMatch
	var digits []byte
	var lens []int
	for a := range runs {
		digits, lens = digits[:0], lens[:0]
		for b := a; b < len(runs); b++ {
			if b > a && !joins(norm, spaces, runs[b-1].end, runs[b].start) {
				break
			}
			for _, r := range norm[runs[b].start:runs[b].end] {
				digits = append(digits, byte(r))
			}
			lens = append(lens, runs[b].end-runs[b].start)
			if len(digits) > maxNumberDigits {
				break
			}
			start, end := runs[a].start, runs[b].end
			hasX := end < len(norm) && (norm[end] == 'X' || norm[end] == 'x')
			plus := start > 0 && norm[start-1] == '+'
			kind, prefixed, withX := classifyDigits(string(digits), lens, plus, hasX)
			if kind == "" {
				continue
			}
			if withX {
				end++
			}
			if prefixed && plus {
				start--
			}
			if (start == 0 || !isWordRune(norm[start-1])) && (end == len(norm) || !isWordRune(norm[end])) {
				out = append(out, numberMatch{kind, start, end})
			}
		}
	}
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isWordRune(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// classifyDigits names a candidate number: its digits, the lengths of the
// groups it was written in, whether a '+' stands before it and an X after.
// prefixed says a country code (86, 0086) was read as part of a mobile
// number, withX that the X after the digits belongs to an ID number.
func classifyDigits(digits string, lens []int, plus, hasX bool) (kind string, prefixed, withX bool) {
	n := len(digits)
	if hasX && n == 17 {
		withLast := append(slices.Clone(lens[:len(lens)-1]), lens[len(lens)-1]+1)
		if idGrouping(withLast) && ValidIDNumber(digits+"X") {
			return FindingIDNumber, false, true
		}
	}
	switch {
	case n == 18 && idGrouping(lens) && ValidIDNumber(digits):
		return FindingIDNumber, false, false
	}
	for _, cc := range []string{"", "86", "0086"} {
		if !strings.HasPrefix(digits, cc) || (cc == "86" && !plus && lens[0] != 2) {
			continue
		}
		rest := slices.Clone(lens)
		switch {
		case cc == "":
		case rest[0] == len(cc):
			rest = rest[1:]
		case rest[0] > len(cc):
			rest[0] -= len(cc)
		default:
			continue
		}
		if isMobile(digits[len(cc):]) && groupedAs(rest, [][]int{{11}, {3, 4, 4}, {3, 8}}) {
			return FindingMobile, cc != "", false
		}
	}
	switch {
	case n == 15 && groupedAs(lens, [][]int{{15}, {6, 6, 3}, {6, 9}}) && validOldIDNumber(digits):
		return FindingIDNumber, false, false
	case n >= 13 && n <= 19 && cardGrouping(lens) && luhn(digits):
		return FindingBankCard, false, false
	}
	return "", false, false
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// groupedAs reports whether lens is one of the shapes.
func groupedAs(lens []int, shapes [][]int) bool {
	for _, s := range shapes {
		if slices.Equal(lens, s) {
			return true
		}
	}
	return false
}

// idGrouping: an ID number whole, or split after the area code and the
// birth date, or in fours as on bank forms (the X counted in its group).
func idGrouping(lens []int) bool {
	return groupedAs(lens, [][]int{{18}, {6, 8, 4}, {6, 4, 4, 4}, {4, 4, 4, 4, 2}, {3, 3, 4, 4, 4}})
}

// cardGrouping: a card number whole, or in fours with a shorter last group.
func cardGrouping(lens []int) bool {
	if len(lens) == 1 {
		return true
	}
	if len(lens) < 3 {
		return false
	}
	for i, l := range lens {
		if l != 4 && (i < len(lens)-1 || l > 4) {
			return false
		}
	}
	return true
}

// provinceCodes are the first two digits of the area codes of GB/T 2260 for
// which first-generation ID cards were issued (the mainland provinces).
var provinceCodes = map[string]bool{"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true, "31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true, "52": true, "53": true,
	"54": true, "61": true, "62": true, "63": true, "64": true, "65": true}

// validOldIDNumber checks a first-generation, 15-digit resident ID number:
// a six-digit area code of a province, a birth date YYMMDD in the 1900s and
// a three-digit sequence. It has no check digit, so the area code and the
// date are what keep other 15-digit numbers out.
func validOldIDNumber(s string) bool {
	if len(s) != 15 || !allDigits(s) || !provinceCodes[s[:2]] || s[2:4] == "00" {
		return false
	}
	year := 1900 + int(s[6]-'0')*10 + int(s[7]-'0')
	month := int(s[8]-'0')*10 + int(s[9]-'0')
	day := int(s[10]-'0')*10 + int(s[11]-'0')
	return month >= 1 && month <= 12 && day >= 1 &&
		day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// findMarks lists the secrecy marks in normalized text, with up to three
// spaces between their characters, and a star and period after them
// ("绝 密 ★ 10年", "秘密★6个月", "机密★长期").
func findMarks(norm []rune, spaces []int) [][2]int {
	marks := make([][]rune, len(SecrecyMarks))
	for k, m := range SecrecyMarks {
		marks[k] = []rune(m)
	}
	var out [][2]int
	for i := 0; i < len(norm); i++ {
		for _, m := range marks {
			end, ok := matchSpaced(norm, spaces, i, m)
			if !ok {
				continue
			}
			end = markPeriod(norm, spaces, end)
			out = append(out, [2]int{i, end})
			i = end - 1
			break
		}
	}
	return out
}

// matchSpaced matches word at norm[i:], allowing up to three spaces between
// its characters, and returns where the match ends.
func matchSpaced(norm []rune, spaces []int, i int, word []rune) (int, bool) {
	for k, r := range word {
		if k > 0 {
			for gap := 0; gap < 3 && i < len(norm); gap++ {
				n := spaceAt(norm, spaces, i)
				if n == 0 {
					break
				}
				i += n
			}
		}
		if i >= len(norm) || norm[i] != r {
			return 0, false
		}
		i++
	}
	return i, true
}

// markPeriod extends a mark ending at end over "★", spaces, and a period of
// secrecy (1年, 6个月, 长期) after it.
func markPeriod(norm []rune, spaces []int, end int) int {
	skip := func(i int) int {
		for i < len(norm) {
			n := spaceAt(norm, spaces, i)
			if n == 0 {
				break
			}
			i += n
		}
		return i
	}
	star := skip(end)
	if star >= len(norm) || norm[star] != '★' {
		return end
	}
	end = star + 1
	i := skip(end)
	if strings.HasPrefix(string(norm[i:min(i+2, len(norm))]), "长期") {
		return i + 2
	}
	j := i
	for j < len(norm) && j-i < 3 && isDigit(norm[j]) {
		j++
	}
	if j == i {
		return end
	}
	k := skip(j)
	rest := string(norm[k:min(k+2, len(norm))])
	switch {
	case strings.HasPrefix(rest, "个月"):
		return k + 2
	case strings.HasPrefix(rest, "年"), strings.HasPrefix(rest, "月"), strings.HasPrefix(rest, "天"):
		return k + 1
	}
	return end
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
