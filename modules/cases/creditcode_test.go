package cases

import (
	"strings"
	"testing"
)

func TestValidCreditCode(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"published example", "91350100M000100Y43", true},
		{"state organ", "11100000000013127D", true},
		{"wrong check character", "91350100M000100Y44", false},
		{"lower case", "91350100m000100y43", false},
		{"letter I not allowed", "91350100I000100Y43", false},
		{"too short", "91350100M000100Y4", false},
		{"too long", "91350100M000100Y430", false},
		{"empty", "", false},
		{"non-ASCII", "91350100M000100Y4中", false},
		// GB 32100's structure, each with a right check character.
		{"all zeros", "000000000000000000", false},
		{"unknown registration authority", checked("B1350100M000100Y4"), false},
		{"kind the authority does not register", checked("94350100M000100Y4"), false},
		{"individual business (工商, 2)", checked("92340102MA2TX5P41"), true},
		{"social organisation (民政, 1)", checked("51340100MJ0000000"), true},
		{"other authority (Y, 1)", checked("Y1340100MJ0000000"), true},
		{"other authority with kind 2", checked("Y2340100MJ0000000"), false},
		{"division with a letter", checked("913501A0M000100Y4"), false},
		{"no such province 00", checked("91000000M000100Y4"), false},
		{"no such province 99", checked("91990000M000100Y4"), false},
		{"XPCC", checked("91660000M000100Y4"), true},
		{"Hong Kong", checked("91810000M000100Y4"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidCreditCode(tt.code); got != tt.want {
				t.Fatalf("ValidCreditCode(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

// checked completes 17 characters with their GB/T 17710 check character, so
// a case tests the structure and not the check.
func checked(base string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(creditCodeChars, base[i]) * creditCodeWeights[i]
	}
	return base + string(creditCodeChars[(31-sum%31)%31])
}
