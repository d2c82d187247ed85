package entities

import "testing"

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13800138000", "138****8000"},
		{"0551-66778899", "055*-****8899"},
		{"12345678", "******78"},
		{"", ""},
		{"无", "无"},
	} {
		if got := MaskPhone(tc.in); got != tc.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
