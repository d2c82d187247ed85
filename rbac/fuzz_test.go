package rbac

import "testing"

// FuzzRegionLevel: any string is classified without panicking, and only "*",
// two digits or six digits are regions at all.
func FuzzRegionLevel(f *testing.F) {
	for _, s := range []string{"*", "34", "340102", "3401", "", "**", "３４", "34010２", "6590\x00", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lvl, ok := RegionLevel(s)
		if !ok {
			return
		}
		switch {
		case s == NationalRegion:
			if lvl != LevelNational {
				t.Fatalf("RegionLevel(%q) = %v", s, lvl)
			}
		case len(s) == 2 && allDigits(s):
			if lvl != LevelProvince {
				t.Fatalf("RegionLevel(%q) = %v", s, lvl)
			}
		case len(s) == 6 && allDigits(s):
			if lvl != LevelCounty {
				t.Fatalf("RegionLevel(%q) = %v", s, lvl)
			}
		default:
			t.Fatalf("RegionLevel(%q) accepted a non-region", s)
		}
	})
}

// FuzzCovers: a region covers itself, the country covers everything, and a
// province covers only counties whose province (ProvinceOf) it is.
func FuzzCovers(f *testing.F) {
	for _, p := range [][2]string{{"34", "340102"}, {"66", "659001"}, {"65", "659001"}, {"*", "x"}, {"3", "340102"}, {"", ""}, {"34", "34"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, scope, target string) {
		if !Covers(scope, scope) || !Covers(NationalRegion, target) {
			t.Fatalf("Covers reflexive/national failed for %q, %q", scope, target)
		}
		if !Covers(scope, target) || scope == target || scope == NationalRegion {
			return
		}
		if len(scope) != 2 || len(target) != 6 || ProvinceOf(target) != scope {
			t.Fatalf("Covers(%q, %q) is true but %q is not a county of %q (ProvinceOf = %q)", scope, target, target, scope, ProvinceOf(target))
		}
	})
}
