package cases

import (
	"strings"
	"testing"
)

// FuzzValidCreditCode: any input is judged without panicking; an accepted
// code has 18 characters of the GB 32100 alphabet, and any other check
// character makes it invalid.
func FuzzValidCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "11100000000013127D", "91350100M000100Y4中", "", "\xff", strings.Repeat("0", 18)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if !ValidCreditCode(code) {
			return
		}
		if len(code) != 18 {
			t.Fatalf("accepted %q of length %d", code, len(code))
		}
		for i := 0; i < 18; i++ {
			if strings.IndexByte(creditCodeChars, code[i]) < 0 {
				t.Fatalf("accepted %q with %q outside the alphabet", code, code[i])
			}
		}
		for i := 0; i < len(creditCodeChars); i++ {
			if c := creditCodeChars[i]; c != code[17] && ValidCreditCode(code[:17]+string(c)) {
				t.Fatalf("both %q and check %q accepted", code, c)
			}
		}
	})
}
