package cases

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
)

// officialClock is a Clock on the shipped official calendars (2025, 2026),
// loaded the way the service loads them: the calendar's seed migration into
// an embedded SQLite file, then calendar.NewService. (The calendar builds its
// in-memory view only from stored rows, so this is the one way in from here.)
func officialClock(t *testing.T) *Clock {
	t.Helper()
	d := dbtest.Open(t, db.SQLite)
	migrateSeeded(t, d)
	return NewClock(loadCalendar(t, d))
}

// migrateSeeded brings d to the current schema with the seed data the case
// rules read: the divisions, the catalog template and the official calendars.
func migrateSeeded(tb testing.TB, d *db.DB) {
	tb.Helper()
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// loadCalendar is the working-day calendar as the service loads it from d.
func loadCalendar(tb testing.TB, d *db.DB) *calendar.Calendar {
	tb.Helper()
	svc, err := calendar.NewService(context.Background(), d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	return svc.Calendar()
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func strp(s string) *string { return &s }

// county is a pilot county of Anhui (34), which has no local overlay.
const county = "340102"

func TestClockSpringFestival(t *testing.T) {
	k := officialClock(t)
	c := Case{CountyCode: county, ReceivedOn: "2026-02-10", StatutoryDays: 20, PromisedDays: 13}
	d, err := k.Compute(c, nil, mustParse(t, "2026-02-10"))
	if err != nil {
		t.Fatal(err)
	}
	// Counting starts Wed 02-11 (the day after receipt, a Tuesday):
	//   02-11 (1), 02-12 (2), 02-13 (3), Sat 02-14 make-up (4),
	//   02-15 Sun .. 02-23 Mon: Spring Festival, not counted,
	//   02-24 (5), 02-25 (6), 02-26 (7), 02-27 (8), Sat 02-28 make-up (9),
	//   Sun 03-01 off, 03-02 (10), 03-03 (11), 03-04 (12), Thu 03-05 (13) = promised,
	//   03-06 (14), 03-09..03-13 (15..19), Mon 03-16 (20) = statutory.
	if got := calendar.FormatDate(d.Promised); got != "2026-03-05" {
		t.Errorf("promised %s, want 2026-03-05", got)
	}
	if got := calendar.FormatDate(d.Statutory); got != "2026-03-16" {
		t.Errorf("statutory %s, want 2026-03-16", got)
	}
	if d.Provisional || d.PausedDays != 0 {
		t.Errorf("provisional %v paused %d", d.Provisional, d.PausedDays)
	}
	for _, want := range []string{
		"2026-02-10收件，自次日起按工作日计算：法定时限20个工作日，承诺时限13个工作日。",
		// Weekday holidays skipped; the folded weekend days 02-15, 02-21 and
		// 02-22 are ordinary weekend days and not listed.
		"跳过节假日：2026-02-16（法定节假日）、2026-02-17（法定节假日）、2026-02-18（法定节假日）、" +
			"2026-02-19（法定节假日）、2026-02-20（法定节假日）、2026-02-23（法定节假日）。",
		"调休上班日照常计算：2026-02-14、2026-02-28。",
		"法定期限：2026-03-16；承诺期限：2026-03-05。",
	} {
		if !strings.Contains(d.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, d.Explanation)
		}
	}
	if strings.Contains(d.Explanation, "暂停") || strings.Contains(d.Explanation, "暂按") {
		t.Errorf("explanation mentions a pause or a missing calendar:\n%s", d.Explanation)
	}

	// With the approved extension of 10: statutory 30, promised 19.
	// 03-17..03-20 (21..24), 03-23..03-27 (25..29), Mon 03-30 (30);
	// promised keeps its cut: 10 × 13/20 = 6 more, 03-12 (17) … Fri 03-13 (19).
	c.ExtensionDays = 10
	d, err = k.Compute(c, nil, mustParse(t, "2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	if s, p := calendar.FormatDate(d.Statutory), calendar.FormatDate(d.Promised); s != "2026-03-30" || p != "2026-03-13" {
		t.Errorf("extended: statutory %s promised %s, want 2026-03-30 2026-03-13", s, p)
	}
	if !strings.Contains(d.Explanation, "经负责人批准法定时限延长10个工作日、承诺时限相应延长6个工作日") {
		t.Errorf("extension not explained:\n%s", d.Explanation)
	}
}

func TestClockPauseOverNationalDay(t *testing.T) {
	k := officialClock(t)
	// Received Mon 2026-09-21; 补正 from Tue 09-29 to Fri 10-09. Paused days
	// are the working days after the start through the end: Wed 09-30, Thu
	// 10-08, Fri 10-09 = 3. The holidays 10-01..10-07 inside the pause are
	// days off either way and are not counted twice.
	c := Case{CountyCode: county, ReceivedOn: "2026-09-21", StatutoryDays: 20, PromisedDays: 10}
	pauses := []Pause{{Kind: "补正", StartedOn: "2026-09-29", EndedOn: strp("2026-10-09")}}
	d, err := k.Compute(c, pauses, mustParse(t, "2026-11-26"))
	if err != nil {
		t.Fatal(err)
	}
	// 09-22 (1), 09-23 (2), 09-24 (3), 09-25..27 中秋 off, 09-28 (4), 09-29 (5),
	// 09-30 paused, 10-01..07 off, 10-08 and 10-09 paused, Sat 10-10 make-up
	// (6), 10-12..10-15 (7..10) = promised Thu 10-15; 10-16 (11),
	// 10-19..10-23 (12..16), 10-26..10-29 (17..20) = statutory Thu 10-29.
	// Without the pause the dates are 10-12 and 10-26: three working days earlier.
	if s, p := calendar.FormatDate(d.Statutory), calendar.FormatDate(d.Promised); s != "2026-10-29" || p != "2026-10-15" {
		t.Errorf("statutory %s promised %s, want 2026-10-29 2026-10-15", s, p)
	}
	if d.PausedDays != 3 {
		t.Errorf("paused %d working days, want 3", d.PausedDays)
	}
	if n := k.WorkdaysBetween(county, mustParse(t, "2026-09-29"), mustParse(t, "2026-10-09")); n != 3 {
		t.Errorf("the pause ledger counts %d working days, want 3", n)
	}
	for _, want := range []string{
		"暂停计时3个工作日：补正（2026-09-29至2026-10-09）。",
		"跳过节假日：2026-09-25（法定节假日）、2026-10-01（法定节假日）、2026-10-02（法定节假日）、" +
			"2026-10-05（法定节假日）、2026-10-06（法定节假日）、2026-10-07（法定节假日）。",
		"调休上班日照常计算：2026-10-10。",
	} {
		if !strings.Contains(d.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, d.Explanation)
		}
	}
	if d.Provisional {
		t.Errorf("provisional")
	}
	noPause, err := k.Compute(c, nil, mustParse(t, "2026-11-26"))
	if err != nil {
		t.Fatal(err)
	}
	if s, p := calendar.FormatDate(noPause.Statutory), calendar.FormatDate(noPause.Promised); s != "2026-10-26" || p != "2026-10-12" {
		t.Errorf("without pause: statutory %s promised %s, want 2026-10-26 2026-10-12", s, p)
	}
	// A pause that lies wholly inside the holiday stops no working day.
	inside := []Pause{{Kind: "听证", StartedOn: "2026-10-01", EndedOn: strp("2026-10-07")}}
	d, _ = k.Compute(c, inside, mustParse(t, "2026-11-26"))
	if d.PausedDays != 0 || calendar.FormatDate(d.Statutory) != "2026-10-26" {
		t.Errorf("pause inside the holiday: paused %d statutory %s", d.PausedDays, calendar.FormatDate(d.Statutory))
	}
}

func TestClockOpenPause(t *testing.T) {
	k := officialClock(t)
	// Received Tue 2026-02-24, 10 working days; 补正 since Mon 03-02, still open.
	// 02-25 (1), 02-26 (2), 02-27 (3), Sat 02-28 make-up (4), 03-02 (5, the
	// day the pause began still counts), then paused from 03-03 through today.
	c := Case{CountyCode: county, ReceivedOn: "2026-02-24", StatutoryDays: 10, PromisedDays: 10}
	pauses := []Pause{{Kind: "补正", StartedOn: "2026-03-02"}}
	cases := []struct {
		today  string
		want   string
		paused int
	}{
		// Today Wed 03-04: 03-03, 03-04 paused; 03-05 (6), 03-06 (7), 03-09..03-11 (8..10).
		{"2026-03-04", "2026-03-11", 2},
		// Today Fri 03-06: 03-03..03-06 paused; 03-09..03-13 (6..10).
		{"2026-03-06", "2026-03-13", 4},
		// Today Sun 03-08: the weekend adds nothing.
		{"2026-03-08", "2026-03-13", 4},
	}
	for _, tc := range cases {
		d, err := k.Compute(c, pauses, mustParse(t, tc.today))
		if err != nil {
			t.Fatal(err)
		}
		if got := calendar.FormatDate(d.Statutory); got != tc.want || d.PausedDays != tc.paused {
			t.Errorf("today %s: statutory %s paused %d, want %s %d", tc.today, got, d.PausedDays, tc.want, tc.paused)
		}
		if !strings.Contains(d.Explanation, "补正（2026-03-02至今）") {
			t.Errorf("open pause not explained:\n%s", d.Explanation)
		}
	}
}

func TestClockIntoMissingYear(t *testing.T) {
	k := officialClock(t)
	// Received Thu 2026-12-10, 20 working days (promised 15):
	// 12-11 (1), 12-14..12-18 (2..6), 12-21..12-25 (7..11), 12-28..12-31
	// (12..15) = promised Thu 12-31; then 2027 has no calendar, so only the
	// weekend is skipped and Fri 2027-01-01 counts: 01-01 (16), 01-04..01-07
	// (17..20) = statutory Thu 2027-01-07, provisional.
	c := Case{CountyCode: county, ReceivedOn: "2026-12-10", StatutoryDays: 20, PromisedDays: 15}
	d, err := k.Compute(c, nil, mustParse(t, "2026-12-10"))
	if err != nil {
		t.Fatal(err)
	}
	if s, p := calendar.FormatDate(d.Statutory), calendar.FormatDate(d.Promised); s != "2027-01-07" || p != "2026-12-31" {
		t.Errorf("statutory %s promised %s, want 2027-01-07 2026-12-31", s, p)
	}
	if !d.Provisional {
		t.Errorf("a count through 2027 is not provisional")
	}
	if !strings.Contains(d.Explanation, "注意：尚未录入2027年的节假日安排，期限暂按仅排除周末计算，录入后将自动重算。") {
		t.Errorf("explanation does not say the result is provisional:\n%s", d.Explanation)
	}
	// Only the promised limit reaching into 2027 is enough too.
	c2 := Case{CountyCode: county, ReceivedOn: "2026-12-10", StatutoryDays: 15, PromisedDays: 16}
	if d, _ := k.Compute(c2, nil, mustParse(t, "2026-12-10")); !d.Provisional || !strings.Contains(d.Explanation, "2027年") {
		t.Errorf("promised into 2027: provisional %v\n%s", d.Provisional, d.Explanation)
	}
	// Entirely within 2026: exact.
	c3 := Case{CountyCode: county, ReceivedOn: "2026-12-10", StatutoryDays: 15, PromisedDays: 15}
	if d, _ := k.Compute(c3, nil, mustParse(t, "2026-12-10")); d.Provisional || strings.Contains(d.Explanation, "尚未录入") {
		t.Errorf("within 2026: provisional %v\n%s", d.Provisional, d.Explanation)
	}
}

func TestClockLight(t *testing.T) {
	k := officialClock(t)
	cases := []struct {
		deadline, today, want string
	}{
		// A Monday deadline, 2026-03-16.
		{"2026-03-16", "2026-03-02", WarningNone},
		{"2026-03-16", "2026-03-12", WarningNone},   // Thursday: the next working day is Friday, still before
		{"2026-03-16", "2026-03-13", WarningYellow}, // Friday: the working day before, across the weekend
		{"2026-03-16", "2026-03-14", WarningYellow}, // the weekend in between
		{"2026-03-16", "2026-03-15", WarningYellow},
		{"2026-03-16", "2026-03-16", WarningYellow}, // the deadline day itself
		{"2026-03-16", "2026-03-17", WarningRed},    // the day after
		{"2026-03-16", "2026-04-30", WarningRed},
		// A Thursday deadline.
		{"2026-03-05", "2026-03-03", WarningNone},
		{"2026-03-05", "2026-03-04", WarningYellow},
		{"2026-03-05", "2026-03-05", WarningYellow},
		{"2026-03-05", "2026-03-06", WarningRed},
		// Tue 02-24 after the Spring Festival: the working day before it is the
		// make-up Saturday 02-14; on Friday 02-13 the next working day is still
		// before the deadline.
		{"2026-02-24", "2026-02-12", WarningNone},
		{"2026-02-24", "2026-02-13", WarningNone},
		{"2026-02-24", "2026-02-14", WarningYellow},
		{"2026-02-24", "2026-02-18", WarningYellow},
		{"2026-02-24", "2026-02-24", WarningYellow},
		{"2026-02-24", "2026-02-25", WarningRed},
		// A deadline on the make-up Saturday 02-28.
		{"2026-02-28", "2026-02-26", WarningNone},
		{"2026-02-28", "2026-02-27", WarningYellow},
		{"2026-02-28", "2026-03-01", WarningRed},
	}
	for _, tc := range cases {
		if got := k.Light(county, mustParse(t, tc.deadline), mustParse(t, tc.today)); got != tc.want {
			t.Errorf("Light(deadline %s, today %s) = %s, want %s", tc.deadline, tc.today, got, tc.want)
		}
	}
}

func TestClockStepDue(t *testing.T) {
	k := officialClock(t)
	// A 5-working-day step started Tue 02-10 is due Tue 02-24 (see the Spring Festival count).
	if got := calendar.FormatDate(k.StepDue(county, mustParse(t, "2026-02-10"), 5, nil, mustParse(t, "2026-02-10"))); got != "2026-02-24" {
		t.Errorf("step due %s, want 2026-02-24", got)
	}
	// A pause moves it: paused since Wed 02-11 (open), today Fri 02-13: 02-11 (1), 02-12 and 02-13 paused,
	// Sat 02-14 (2), 02-24 (3), 02-25 (4), 02-26 (5).
	p := []Pause{{Kind: "补正", StartedOn: "2026-02-11"}}
	if got := calendar.FormatDate(k.StepDue(county, mustParse(t, "2026-02-10"), 5, p, mustParse(t, "2026-02-13"))); got != "2026-02-26" {
		t.Errorf("paused step due %s, want 2026-02-26", got)
	}
}
