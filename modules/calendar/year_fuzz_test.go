package calendar

import (
	"encoding/json"
	"testing"
)

// FuzzYearInputValidate: any JSON body a client may send is validated
// without panicking, and an accepted calendar only holds distinct, real
// dates of the year, make-up working days on weekends.
func FuzzYearInputValidate(f *testing.F) {
	f.Add([]byte(`{"holidays":["2027-01-01"],"makeup_workdays":["2027-01-02"],"source":"国务院办公厅"}`), 2027)
	f.Add([]byte(`{"holidays":["2027-02-30"," 2027-01-01 ","2027-01-01"]}`), 2027)
	f.Add([]byte(`{"holidays":["99999-01-01"],"makeup_workdays":["2027-01-04"]}`), 1999)
	f.Add([]byte(`{"holidays":[""],"makeup_workdays":null,"source":"\u0000"}`), 0)
	f.Fuzz(func(t *testing.T, body []byte, year int) {
		var in YearInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		if in.Validate(year) != nil {
			return
		}
		seen := map[string]bool{}
		for i, list := range [][]string{in.Holidays, in.MakeupWorkdays} {
			for _, s := range list {
				d, err := ParseDate(s)
				if err != nil || d.Year() != year || seen[s] {
					t.Fatalf("accepted %q for %d (err %v, duplicate %v)", s, year, err, seen[s])
				}
				if wd := d.Weekday(); i == 1 && wd != 0 && wd != 6 {
					t.Fatalf("accepted make-up working day %s on %s", s, wd)
				}
				seen[s] = true
			}
		}
	})
}
