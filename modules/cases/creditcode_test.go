package cases

import "testing"

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidCreditCode(tt.code); got != tt.want {
				t.Fatalf("ValidCreditCode(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}
