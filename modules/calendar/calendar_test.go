package calendar

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/apperr"
)

// officialCalendar builds a Calendar from the shipped official data (2025,
// 2026), exactly as the seed migration stores it, without a database.
func officialCalendar(t testing.TB) *Calendar {
	t.Helper()
	var f officialFile
	if err := json.Unmarshal(officialCalendars, &f); err != nil {
		t.Fatalf("shipped calendar: %v", err)
	}
	var days []DayRow
	var years []YearRow
	for ys, in := range f.Years {
		y, err := strconv.Atoi(ys)
		if err != nil {
			t.Fatalf("year %q: %v", ys, err)
		}
		if err := in.Validate(y); err != nil {
			t.Fatalf("shipped %d does not validate: %v", y, err)
		}
		years = append(years, YearRow{Region: National, Year: y})
		for _, d := range in.Holidays {
			days = append(days, DayRow{Region: National, Day: d, Kind: KindHoliday, Note: "法定节假日"})
		}
		for _, d := range in.MakeupWorkdays {
			days = append(days, DayRow{Region: National, Day: d, Kind: KindWorkday, Note: "调休上班"})
		}
	}
	c := New()
	c.replace(days, years)
	return c
}

// withLocal adds a province's overlay to the official data.
func withLocal(t testing.TB, region string, holidays, workdays []string) *Calendar {
	t.Helper()
	c := officialCalendar(t)
	var days []DayRow
	years := []YearRow{{Region: region, Year: 2026}}
	for r, d := range c.regions {
		for day, note := range d.holidays {
			days = append(days, DayRow{Region: r, Day: day, Kind: KindHoliday, Note: note})
		}
		for day, note := range d.workdays {
			days = append(days, DayRow{Region: r, Day: day, Kind: KindWorkday, Note: note})
		}
		for y := range d.years {
			years = append(years, YearRow{Region: r, Year: y})
		}
	}
	for _, d := range holidays {
		days = append(days, DayRow{Region: region, Day: d, Kind: KindHoliday, Note: "地方节假日"})
	}
	for _, d := range workdays {
		days = append(days, DayRow{Region: region, Day: d, Kind: KindWorkday, Note: "调休上班"})
	}
	c.replace(days, years)
	return c
}

func date(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := ParseDate(s)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return v
}

func TestOfficialYearsLoaded(t *testing.T) {
	c := officialCalendar(t)
	if got := c.Years(); !reflect.DeepEqual(got, []int{2025, 2026}) {
		t.Fatalf("years %v, want [2025 2026]", got)
	}
	if !c.HasYear(2026) || c.HasYear(2027) {
		t.Errorf("HasYear(2026)=%v HasYear(2027)=%v", c.HasYear(2026), c.HasYear(2027))
	}
	if New().HasYear(2026) || len(New().Years()) != 0 {
		t.Errorf("an empty calendar has years")
	}
}

func TestIsWorkday(t *testing.T) {
	c := officialCalendar(t)
	cases := []struct {
		day  string
		want bool
		why  string
	}{
		// Spring Festival 2026: 02-15 (Sun) .. 02-23 (Mon) off; Sat 02-14 and Sat 02-28 worked.
		{"2026-02-13", true, "Friday before the Spring Festival"},
		{"2026-02-14", true, "Saturday make-up working day"},
		{"2026-02-15", false, "Sunday folded into the holiday"},
		{"2026-02-16", false, "Monday, 除夕 holiday"},
		{"2026-02-17", false, "Tuesday, 春节"},
		{"2026-02-20", false, "Friday in the holiday"},
		{"2026-02-21", false, "Saturday folded into the holiday"},
		{"2026-02-22", false, "Sunday folded into the holiday"},
		{"2026-02-23", false, "Monday, last day of the holiday"},
		{"2026-02-24", true, "first working day after the Spring Festival"},
		{"2026-02-28", true, "Saturday make-up working day"},
		{"2026-03-01", false, "ordinary Sunday"},
		// 2026-01-04 is a Sunday make-up day after New Year's Day (01-01..03).
		{"2026-01-01", false, "New Year's Day (Thursday)"},
		{"2026-01-03", false, "Saturday folded into New Year"},
		{"2026-01-04", true, "Sunday make-up working day"},
		// National Day and Mid-Autumn 2026.
		{"2026-09-20", true, "Sunday make-up working day"},
		{"2026-09-25", false, "Friday, 中秋节"},
		{"2026-09-26", false, "Saturday folded into 中秋节"},
		{"2026-10-01", false, "National Day (Thursday)"},
		{"2026-10-07", false, "Wednesday, last day of National Day holiday"},
		{"2026-10-08", true, "Thursday after National Day"},
		{"2026-10-10", true, "Saturday make-up working day"},
		{"2026-10-11", false, "ordinary Sunday"},
		// Ordinary days.
		{"2026-03-07", false, "ordinary Saturday"},
		{"2026-03-08", false, "ordinary Sunday"},
		{"2026-03-09", true, "ordinary Monday"},
		{"2025-10-08", false, "2025 National Day (Wednesday)"},
		{"2025-10-11", true, "2025 Saturday make-up working day"},
		// A year without a calendar: weekends only.
		{"2027-01-01", true, "Friday of an unloaded year (no holidays known)"},
		{"2027-01-02", false, "Saturday of an unloaded year"},
	}
	for _, tc := range cases {
		for _, province := range []string{National, "", "34"} {
			if got := c.IsWorkday(province, date(t, tc.day)); got != tc.want {
				t.Errorf("IsWorkday(%q, %s) = %v, want %v (%s)", province, tc.day, got, tc.want, tc.why)
			}
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := officialCalendar(t)
	pausedBetween := func(from, to string) func(time.Time) bool {
		f, l := date(t, from), date(t, to)
		return func(d time.Time) bool { return !d.Before(f) && !d.After(l) }
	}
	cases := []struct {
		name       string
		start      string
		n          int
		paused     func(time.Time) bool
		want       string
		holidays   []string // the trace's Holidays (dates only, in order)
		makeup     []string
		pausedDays int
	}{
		{
			// From Tue 02-10: 02-11 Wed (1), 02-12 Thu (2), 02-13 Fri (3),
			// Sat 02-14 make-up (4), 02-15..02-23 off, 02-24 Tue (5).
			// Skipped weekday holidays: 02-16..02-20 and 02-23; the folded
			// weekend days 02-15, 02-21, 02-22 are weekends and not listed.
			name: "Spring Festival 2026", start: "2026-02-10", n: 5, want: "2026-02-24",
			holidays: []string{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"},
			makeup:   []string{"2026-02-14"},
		},
		{
			// The same plus 5 more: 02-25 (6), 02-26 (7), 02-27 (8), Sat
			// 02-28 make-up (9), Sun 03-01 off, Mon 03-02 (10).
			name: "Spring Festival and both make-up Saturdays", start: "2026-02-10", n: 10, want: "2026-03-02",
			holidays: []string{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"},
			makeup:   []string{"2026-02-14", "2026-02-28"},
		},
		{
			// From Fri 09-18: Sat 09-19 off, Sun 09-20 make-up (1), 09-21..09-24
			// (2..5), 09-25..09-27 off (中秋), 09-28..09-30 (6..8), 10-01..10-07
			// off, 10-08 Thu (9), 10-09 Fri (10).
			name: "National Day 2026", start: "2026-09-18", n: 10, want: "2026-10-09",
			holidays: []string{"2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
			makeup:   []string{"2026-09-20"},
		},
		{
			// One more lands on the make-up Saturday 10-10.
			name: "National Day 2026 onto the make-up Saturday", start: "2026-09-18", n: 11, want: "2026-10-10",
			holidays: []string{"2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
			makeup:   []string{"2026-09-20", "2026-10-10"},
		},
		{
			name: "n = 0 is the start itself", start: "2026-02-15", n: 0, want: "2026-02-15",
		},
		{
			// The next working day after the last day of a holiday.
			name: "n = 1 from a holiday", start: "2026-02-20", n: 1, want: "2026-02-24",
			holidays: []string{"2026-02-23"},
		},
		{
			// Paused 09-24..10-08. Counted: 09-20 (1), 09-21 (2), 09-22 (3),
			// 09-23 (4); paused working days 09-24, 09-28, 09-29, 09-30, 10-08
			// (5 — the holidays 09-25..27 and 10-01..07 inside the pause are
			// days off, not paused days); 10-09 (5), Sat 10-10 make-up (6),
			// 10-12..10-15 (7..10).
			name: "pause spanning National Day", start: "2026-09-18", n: 10,
			paused: pausedBetween("2026-09-24", "2026-10-08"), want: "2026-10-15",
			holidays: []string{"2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
			makeup:   []string{"2026-09-20", "2026-10-10"}, pausedDays: 5,
		},
		{
			// 2025 National Day: 10-01..10-08 off, Sun 09-28 and Sat 10-11
			// worked. From Fri 09-26: Sun 09-28 (1), 09-29 (2), 09-30 (3),
			// 10-09 Thu (4), 10-10 Fri (5).
			name: "National Day 2025", start: "2025-09-26", n: 5, want: "2025-10-10",
			holidays: []string{"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"},
			makeup:   []string{"2025-09-28"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, tr := c.AddWorkdays(National, date(t, tc.start), tc.n, tc.paused)
			if FormatDate(got) != tc.want {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.start, tc.n, FormatDate(got), tc.want)
			}
			var hol []string
			for _, h := range tr.Holidays {
				if !strings.HasSuffix(h, "（法定节假日）") {
					t.Errorf("holiday %q lacks its name", h)
				}
				hol = append(hol, strings.TrimSuffix(h, "（法定节假日）"))
			}
			if !reflect.DeepEqual(hol, tc.holidays) {
				t.Errorf("Holidays %v, want %v", hol, tc.holidays)
			}
			if !reflect.DeepEqual(tr.Makeup, tc.makeup) {
				t.Errorf("Makeup %v, want %v", tr.Makeup, tc.makeup)
			}
			if tr.Paused != tc.pausedDays {
				t.Errorf("Paused %d, want %d", tr.Paused, tc.pausedDays)
			}
			if tr.Provisional() || len(tr.MissingYears) != 0 {
				t.Errorf("provisional within loaded years: %v", tr.MissingYears)
			}
		})
	}
}

func TestAddWorkdaysIntoMissingYear(t *testing.T) {
	c := officialCalendar(t)
	// From Thu 2026-12-24: 12-25 Fri (1), 12-28..12-31 (2..5), then 2027
	// without a calendar: Fri 2027-01-01 counts (6) because only weekends
	// are known there, Sat/Sun 01-02/03 skipped, 01-04 Mon (7).
	got, tr := c.AddWorkdays(National, date(t, "2026-12-24"), 7, nil)
	if FormatDate(got) != "2027-01-04" {
		t.Errorf("date %s, want 2027-01-04", FormatDate(got))
	}
	if !reflect.DeepEqual(tr.MissingYears, []int{2027}) || !tr.Provisional() {
		t.Errorf("MissingYears %v provisional %v, want [2027] true", tr.MissingYears, tr.Provisional())
	}
	// Entirely inside 2027: still weekends skipped, never a plain calendar-day count.
	got, tr = c.AddWorkdays(National, date(t, "2027-03-05"), 1, nil) // Fri → Mon
	if FormatDate(got) != "2027-03-08" || !reflect.DeepEqual(tr.MissingYears, []int{2027}) {
		t.Errorf("2027-03-05 + 1 = %s %v, want 2027-03-08 [2027]", FormatDate(got), tr.MissingYears)
	}
	// Crossing two missing years reports both, once each.
	_, tr = c.AddWorkdays(National, date(t, "2027-12-20"), 30, nil)
	if !reflect.DeepEqual(tr.MissingYears, []int{2027, 2028}) {
		t.Errorf("MissingYears %v, want [2027 2028]", tr.MissingYears)
	}
	// An empty calendar: every year is missing.
	_, tr = New().AddWorkdays(National, date(t, "2026-02-10"), 5, nil)
	if !reflect.DeepEqual(tr.MissingYears, []int{2026}) {
		t.Errorf("empty calendar MissingYears %v", tr.MissingYears)
	}
	// WorkdaysBetween reports the missing year too.
	n, tr := c.WorkdaysBetween(National, date(t, "2026-12-30"), date(t, "2027-01-05"))
	// 12-31 Thu, 2027-01-01 Fri (unknown: counted), 01-04 Mon, 01-05 Tue.
	if n != 4 || !reflect.DeepEqual(tr.MissingYears, []int{2027}) {
		t.Errorf("WorkdaysBetween into 2027 = %d %v, want 4 [2027]", n, tr.MissingYears)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := officialCalendar(t)
	cases := []struct {
		from, to string
		want     int
	}{
		// 02-11, 02-12, 02-13, Sat 02-14, 02-24: the days counted by AddWorkdays(02-10, 5).
		{"2026-02-10", "2026-02-24", 5},
		{"2026-02-10", "2026-03-02", 10},
		{"2026-02-14", "2026-02-23", 0}, // the whole holiday
		{"2026-09-18", "2026-10-10", 11},
		{"2026-09-29", "2026-10-09", 3}, // 09-30, 10-08, 10-09
		{"2026-03-09", "2026-03-09", 0}, // to not after from
		{"2026-03-10", "2026-03-09", 0},
		{"2026-03-06", "2026-03-09", 1}, // Fri → Mon: only Monday
	}
	for _, tc := range cases {
		n, tr := c.WorkdaysBetween(National, date(t, tc.from), date(t, tc.to))
		if n != tc.want || tr.Provisional() {
			t.Errorf("WorkdaysBetween(%s, %s) = %d (provisional %v), want %d", tc.from, tc.to, n, tr.Provisional(), tc.want)
		}
	}
	// Consistent with AddWorkdays.
	for _, start := range []string{"2026-02-10", "2026-09-18", "2026-12-01", "2025-09-26"} {
		for n := 0; n <= 25; n++ {
			end, _ := c.AddWorkdays(National, date(t, start), n, nil)
			if got, _ := c.WorkdaysBetween(National, date(t, start), end); got != n {
				t.Errorf("WorkdaysBetween(%s, AddWorkdays(%d)=%s) = %d", start, n, FormatDate(end), got)
			}
		}
	}
}

func TestNextWorkday(t *testing.T) {
	c := officialCalendar(t)
	for from, want := range map[string]string{
		"2026-02-13": "2026-02-14", // Fri → make-up Sat
		"2026-02-14": "2026-02-24",
		"2026-03-06": "2026-03-09",
		"2026-10-09": "2026-10-10",
	} {
		if got := FormatDate(c.NextWorkday(National, date(t, from))); got != want {
			t.Errorf("NextWorkday(%s) = %s, want %s", from, got, want)
		}
	}
}

func TestProvinceOverlay(t *testing.T) {
	// Xinjiang (65) adds a local holiday on Mon 2026-03-16 and makes Sat
	// 2026-03-21 a local working day.
	c := withLocal(t, "65", []string{"2026-03-16"}, []string{"2026-03-21"})
	if c.IsWorkday("65", date(t, "2026-03-16")) || !c.IsWorkday("34", date(t, "2026-03-16")) || !c.IsWorkday(National, date(t, "2026-03-16")) {
		t.Errorf("local holiday: 65=%v 34=%v national=%v", c.IsWorkday("65", date(t, "2026-03-16")),
			c.IsWorkday("34", date(t, "2026-03-16")), c.IsWorkday(National, date(t, "2026-03-16")))
	}
	if !c.IsWorkday("65", date(t, "2026-03-21")) || c.IsWorkday("34", date(t, "2026-03-21")) {
		t.Errorf("local working Saturday not local")
	}
	// National holidays still apply in 65.
	if c.IsWorkday("65", date(t, "2026-02-16")) || !c.IsWorkday("65", date(t, "2026-02-14")) {
		t.Errorf("national calendar not under the overlay")
	}
	// Fri 03-13 + 1: Monday 03-16 elsewhere; in 65 Monday is off → Tue 03-17.
	got, tr := c.AddWorkdays("65", date(t, "2026-03-13"), 1, nil)
	if FormatDate(got) != "2026-03-17" || !reflect.DeepEqual(tr.Holidays, []string{"2026-03-16（地方节假日）"}) {
		t.Errorf("65: %s %v, want 2026-03-17 [2026-03-16（地方节假日）]", FormatDate(got), tr.Holidays)
	}
	for _, p := range []string{"34", National, "", "66"} {
		if got, tr := c.AddWorkdays(p, date(t, "2026-03-13"), 1, nil); FormatDate(got) != "2026-03-16" || len(tr.Holidays) != 0 {
			t.Errorf("%q: %s %v, want 2026-03-16 without holidays", p, FormatDate(got), tr.Holidays)
		}
	}
	// Fri 03-20 + 1 in 65 is the local working Saturday.
	if got, tr := c.AddWorkdays("65", date(t, "2026-03-20"), 1, nil); FormatDate(got) != "2026-03-21" ||
		!reflect.DeepEqual(tr.Makeup, []string{"2026-03-21"}) {
		t.Errorf("65 local working Saturday: %s %v", FormatDate(got), tr.Makeup)
	}
	if n, _ := c.WorkdaysBetween("65", date(t, "2026-03-13"), date(t, "2026-03-21")); n != 5 {
		t.Errorf("65 WorkdaysBetween = %d, want 5 (03-17..03-21)", n)
	}
	if n, _ := c.WorkdaysBetween("34", date(t, "2026-03-13"), date(t, "2026-03-21")); n != 5 {
		t.Errorf("34 WorkdaysBetween = %d, want 5 (03-16..03-20)", n)
	}
	// The overlay does not make a year known, nor add a national year.
	if !reflect.DeepEqual(c.Years(), []int{2025, 2026}) {
		t.Errorf("years %v", c.Years())
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("x", 256)
	cases := []struct {
		name   string
		year   int
		in     YearInput
		fields map[string]string // field → part of the message; nil means valid
	}{
		{"official 2026", 2026, YearInput{Holidays: []string{"2026-10-01", "2026-10-02"}, MakeupWorkdays: []string{"2026-10-10", "2026-09-20"}}, nil},
		{"empty year", 2027, YearInput{}, nil},
		{"spaces trimmed", 2026, YearInput{Holidays: []string{" 2026-10-01 "}}, nil},
		{"bad format slash", 2026, YearInput{Holidays: []string{"2026/10/01"}}, map[string]string{"holidays[0]": "日期格式应为 YYYY-MM-DD"}},
		{"bad format short", 2026, YearInput{Holidays: []string{"2026-10-01", "2026-1-2"}}, map[string]string{"holidays[1]": "日期格式应为 YYYY-MM-DD"}},
		{"no such day", 2026, YearInput{Holidays: []string{"2026-02-30"}}, map[string]string{"holidays[0]": "日期格式应为 YYYY-MM-DD"}},
		{"empty line", 2026, YearInput{MakeupWorkdays: []string{""}}, map[string]string{"makeup_workdays[0]": "日期格式应为 YYYY-MM-DD"}},
		{"wrong year holiday", 2026, YearInput{Holidays: []string{"2025-10-01"}}, map[string]string{"holidays[0]": "不在 2026 年"}},
		{"wrong year make-up", 2026, YearInput{MakeupWorkdays: []string{"2027-01-02"}}, map[string]string{"makeup_workdays[0]": "不在 2026 年"}},
		{"make-up on a Monday", 2026, YearInput{MakeupWorkdays: []string{"2026-02-14", "2026-02-16"}}, map[string]string{"makeup_workdays[1]": "不是周末"}},
		{"duplicate holiday", 2026, YearInput{Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-01"}}, map[string]string{"holidays[2]": "重复"}},
		{"duplicate make-up", 2026, YearInput{MakeupWorkdays: []string{"2026-10-10", "2026-10-10"}}, map[string]string{"makeup_workdays[1]": "重复"}},
		{"duplicate after trimming", 2026, YearInput{Holidays: []string{"2026-10-01", "2026-10-01 "}}, map[string]string{"holidays[1]": "重复"}},
		{"holiday and make-up", 2026, YearInput{Holidays: []string{"2026-02-14"}, MakeupWorkdays: []string{"2026-02-14"}}, map[string]string{"makeup_workdays[0]": "同时被设为节假日和调休上班日"}},
		{"year too early", 1999, YearInput{}, map[string]string{"year": "2000至2100"}},
		{"year too late", 2101, YearInput{}, map[string]string{"year": "2000至2100"}},
		{"source too long", 2026, YearInput{Source: long}, map[string]string{"source": "255"}},
		{"several errors", 2026, YearInput{Holidays: []string{"x", "2026-10-03"}, MakeupWorkdays: []string{"2026-10-03", "2026-10-09"}},
			map[string]string{"holidays[0]": "日期格式", "makeup_workdays[0]": "同时", "makeup_workdays[1]": "不是周末"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate(tc.year)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Status != 400 {
				t.Fatalf("error %v, want a 400", err)
			}
			if len(e.Fields) != len(tc.fields) {
				t.Errorf("fields %v, want keys of %v", e.Fields, tc.fields)
			}
			for k, want := range tc.fields {
				if !strings.Contains(e.Fields[k], want) {
					t.Errorf("field %s = %q, want it to contain %q (all: %v)", k, e.Fields[k], want, e.Fields)
				}
			}
		})
	}
	// Trimmed values are written back, so what is stored is clean.
	in := YearInput{Holidays: []string{" 2026-10-01\t"}}
	if err := in.Validate(2026); err != nil || in.Holidays[0] != "2026-10-01" {
		t.Errorf("trim: %v %q", err, in.Holidays[0])
	}
	// Too many dates are refused before checking each.
	many := make([]string, 367)
	for i := range many {
		many[i] = "2026-01-01"
	}
	if e, ok := apperr.As((&YearInput{Holidays: many}).Validate(2026)); !ok || e.Fields["holidays"] == "" {
		t.Errorf("367 dates accepted: %v", e)
	}
}

// TestCountsAreBounded: however large a limit or however long a pause a
// stored item or case holds, a count stops at MaxCountDays (a few
// microseconds of work) and says so, instead of running for seconds and
// past the year 9999; counts within the bound are untouched.
func TestCountsAreBounded(t *testing.T) {
	c := officialCalendar(t)
	start := date(t, "2026-02-10")
	horizon := start.AddDate(0, 0, MaxCountDays)
	for _, tc := range []struct {
		name   string
		n      int
		paused func(time.Time) bool
	}{
		{"ten million working days", 10_000_000, nil},
		{"the largest int", int(^uint(0) >> 1), nil},
		{"a pause that never ends", 1, func(time.Time) bool { return true }},
	} {
		end, tr := c.AddWorkdays(National, start, tc.n, tc.paused)
		if !tr.Truncated || !end.Equal(horizon) {
			t.Errorf("%s: AddWorkdays ended %s (truncated %v), want %s, truncated", tc.name, FormatDate(end), tr.Truncated, FormatDate(horizon))
		}
	}
	if n, tr := c.WorkdaysBetween(National, start, date(t, "9999-12-31")); !tr.Truncated || n <= 0 || n > MaxCountDays {
		t.Errorf("WorkdaysBetween to 9999-12-31 = %d (truncated %v), want a bounded count, truncated", n, tr.Truncated)
	}
	// The longest limit the catalog accepts is counted in full.
	end, tr := c.AddWorkdays(National, start, 3650, nil)
	if tr.Truncated {
		t.Fatalf("3,650 working days truncated at %s", FormatDate(end))
	}
	if got, tr := c.WorkdaysBetween(National, start, end); got != 3650 || tr.Truncated {
		t.Errorf("WorkdaysBetween(start, AddWorkdays(3650)) = %d (truncated %v)", got, tr.Truncated)
	}
}
