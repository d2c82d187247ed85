package cases

import "strings"

// creditCodeChars is the alphabet of the unified social credit code
// (GB 32100-2015): digits and upper-case letters without I, O, Z, S and V.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// registrationKinds maps each registration authority code (the first
// character of a GB 32100-2015 code, as amended in 2016 and extended since:
// 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商,
// A 中央军委改革和编制办公室, N 农业, Y 其他) to the organisation kinds (the
// second character) it registers. Source: the GB 32100 code tables as
// quoted by osuse.cn and ddrv.cn ("统一社会信用代码解析登记管理部门和机构类别"),
// read with the search tool; we could not read the standard itself.
var registrationKinds = map[byte]string{
	'1': "1239", '2': "19", '3': "123459", '4': "19", '5': "1239", '6': "129", '7': "129", '8': "19",
	'9': "123", 'A': "19", 'N': "1239", 'Y': "1",
}

// ValidCreditCode reports whether code is a unified social credit code as
// GB 32100-2015 builds it: a registration authority and an organisation
// kind it registers, six digits of the registering authority's division
// (whose first two name a province, GB/T 2260, or 10 the centre), nine characters of the
// organisation's code, and the right check character (GB/T 17710). The
// nine characters' own GB 11714 check digit is not verified: we could not
// confirm that every code issued since 2015 keeps it.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	if kinds, ok := registrationKinds[code[0]]; !ok || strings.IndexByte(kinds, code[1]) < 0 {
		return false
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	if !provincePrefix(code[2:4]) {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, code[i])
		if v < 0 {
			return false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return code[17] == creditCodeChars[check]
}

// provincePrefix reports whether two digits begin the division code of a
// registering authority: a province-level region of GB/T 2260 (with 66, the
// XPCC, as the service knows it), or 10 for the central authorities
// (100000, as in the State Council's 11100000000013127D).
func provincePrefix(p string) bool {
	switch p {
	case "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "66",
		"71", "81", "82":
		return true
	}
	return false
}
