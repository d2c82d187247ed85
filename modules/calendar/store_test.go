package calendar_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
)

// migrated opens a fresh database of dialect with every migration and the
// seeds of cmd/pilotd (the calendar seed loads the official 2025 and 2026).
func migrated(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect)
	m, err := db.NewMigrator(d, seeds.All()...)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

func newService(t *testing.T, d *db.DB) *calendar.Service {
	t.Helper()
	s, err := calendar.NewService(context.Background(), d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("service: %v", err)
	}
	return s
}

func forEachDialect(t *testing.T, f func(t *testing.T, d *db.DB)) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			if dialect == db.MySQL {
				dbtest.RequireMySQL(t)
			}
			f(t, migrated(t, dialect))
		})
	}
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// state is what a refused change must leave as it was.
func state(t *testing.T, d *db.DB) [3]int {
	return [3]int{count(t, d, `SELECT COUNT(*) FROM calendar_days`), count(t, d, `SELECT COUNT(*) FROM calendar_years`),
		count(t, d, `SELECT version FROM change_versions WHERE name = 'calendar'`)}
}

// a2027 is a test calendar for 2027: New Year's Day on Friday 01-01 with the
// weekend folded in, and a make-up Saturday 02-06.
func a2027() calendar.YearInput {
	return calendar.YearInput{Holidays: []string{"2027-01-01", "2027-01-02", "2027-01-03"},
		MakeupWorkdays: []string{"2027-02-06"}, Source: "测试：2027年安排"}
}

func TestStoreSeededYears(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		if got := s.Calendar().Years(); !reflect.DeepEqual(got, []int{2025, 2026}) {
			t.Fatalf("loaded years %v, want [2025 2026]", got)
		}
		list, err := s.Years(ctx, calendar.National)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Year != 2025 || list[1].Year != 2026 {
			t.Fatalf("years %+v", list)
		}
		// The shipped file: 2025 has 28 days off and 5 make-up days, 2026 has 33 and 6.
		for i, want := range [][2]int{{28, 5}, {33, 6}} {
			y := list[i]
			if len(y.Holidays) != want[0] || len(y.MakeupWorkdays) != want[1] || y.Source == "" || y.Region != calendar.National {
				t.Errorf("%d: %d holidays, %d make-up days, source %q", y.Year, len(y.Holidays), len(y.MakeupWorkdays), y.Source)
			}
		}
		if list[1].MakeupWorkdays[1] != "2026-02-14" || list[1].Holidays[3] != "2026-02-15" {
			t.Errorf("2026 days not sorted or wrong: %v %v", list[1].Holidays, list[1].MakeupWorkdays)
		}
		// The seeded calendar counts like the shipped file: Tue 2026-02-10 + 5 = Tue 02-24.
		got, tr := s.Calendar().AddWorkdays(calendar.National, day(t, "2026-02-10"), 5, nil)
		if calendar.FormatDate(got) != "2026-02-24" || tr.Provisional() || !reflect.DeepEqual(tr.Makeup, []string{"2026-02-14"}) {
			t.Errorf("seeded count: %s %+v", calendar.FormatDate(got), tr)
		}
		if n := count(t, d, `SELECT version FROM change_versions WHERE name = 'calendar'`); n != 1 {
			t.Errorf("version %d after seeding, want 1", n)
		}
		// No province has an overlay yet.
		if list, err := s.Years(ctx, "65"); err != nil || len(list) != 0 {
			t.Errorf("65 years %v %v", list, err)
		}
		// Warnings: in November 2026, 2027 is missing; in May 2026 nothing is.
		if got := s.MissingYears(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, []int{2027}) {
			t.Errorf("missing in Nov 2026 %v", got)
		}
		if got := s.MissingYears(time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)); len(got) != 0 {
			t.Errorf("missing in May 2026 %v", got)
		}
		// 2026-09-30 20:00 UTC is already October 1st in Beijing.
		if got := s.MissingYears(time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, []int{2027}) {
			t.Errorf("missing on 1 October Beijing time %v", got)
		}
		st := s.StatusNow(time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC))
		if !reflect.DeepEqual(st.MissingYears, []int{2027}) || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "2027年") {
			t.Errorf("status in 2027: %+v", st)
		}
	})
}

func TestStoreSetYear(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		replica := newService(t, d) // another replica on the same database
		var runs atomic.Int32
		var sawYear atomic.Bool
		s.OnChange(func(context.Context) error {
			runs.Add(1)
			// Hooks run after the reload: recomputing deadlines sees the new calendar.
			sawYear.Store(s.Calendar().HasYear(2027))
			return nil
		})

		// Before: counting from Thu 2026-12-24 through New Year is provisional,
		// with 2027-01-01 (a Friday) counted as a working day:
		// 12-25 (1), 12-28..12-31 (2..5), 01-01 (6), 01-04 (7).
		cal := s.Calendar()
		got, tr := cal.AddWorkdays(calendar.National, day(t, "2026-12-24"), 7, nil)
		if calendar.FormatDate(got) != "2027-01-04" || !tr.Provisional() || !reflect.DeepEqual(tr.MissingYears, []int{2027}) {
			t.Fatalf("before: %s %+v", calendar.FormatDate(got), tr)
		}

		// Invalid input: 400, nothing stored, no hook.
		before := state(t, d)
		bad := []calendar.YearInput{
			{Holidays: []string{"2027-13-01"}},
			{Holidays: []string{"2026-10-01"}},
			{MakeupWorkdays: []string{"2027-01-04"}}, // a Monday
			{Holidays: []string{"2027-01-02"}, MakeupWorkdays: []string{"2027-01-02"}},
		}
		for _, in := range bad {
			err := s.SetYear(ctx, calendar.National, 2027, in, 1)
			if e, ok := apperr.As(err); !ok || e.Status != 400 {
				t.Errorf("SetYear(%+v) = %v, want 400", in, err)
			}
		}
		if err := s.SetYear(ctx, calendar.National, 1999, calendar.YearInput{}, 1); err == nil {
			t.Errorf("year 1999 accepted")
		}
		// A national year without any day off would make 2027 "loaded" and
		// silently weekends-only.
		if e, ok := apperr.As(s.SetYear(ctx, calendar.National, 2027, calendar.YearInput{MakeupWorkdays: []string{"2027-02-06"}}, 1)); !ok ||
			e.Status != 400 || e.Fields["holidays"] == "" {
			t.Errorf("national year without holidays: %v", e)
		}
		if after := state(t, d); after != before || cal.HasYear(2027) || runs.Load() != 0 {
			t.Fatalf("refused input changed something: %v → %v, HasYear %v, hooks %d", before, after, cal.HasYear(2027), runs.Load())
		}

		// Valid: stored, loaded, hooks run once, version bumped.
		if err := s.SetYear(ctx, calendar.National, 2027, a2027(), 42); err != nil {
			t.Fatalf("SetYear 2027: %v", err)
		}
		if !cal.HasYear(2027) || !reflect.DeepEqual(cal.Years(), []int{2025, 2026, 2027}) {
			t.Fatalf("2027 not loaded: %v", cal.Years())
		}
		if runs.Load() != 1 || !sawYear.Load() {
			t.Errorf("hooks ran %d times, saw 2027: %v", runs.Load(), sawYear.Load())
		}
		if v := count(t, d, `SELECT version FROM change_versions WHERE name = 'calendar'`); v != before[2]+1 {
			t.Errorf("version %d, want %d", v, before[2]+1)
		}
		// The same count is now exact: 01-01 is a holiday, so
		// 12-25 (1), 12-28..12-31 (2..5), 01-04 (6), 01-05 (7).
		got, tr = cal.AddWorkdays(calendar.National, day(t, "2026-12-24"), 7, nil)
		if calendar.FormatDate(got) != "2027-01-05" || tr.Provisional() || !reflect.DeepEqual(tr.Holidays, []string{"2027-01-01（法定节假日）"}) {
			t.Errorf("after: %s %+v", calendar.FormatDate(got), tr)
		}
		if !cal.IsWorkday(calendar.National, day(t, "2027-02-06")) {
			t.Errorf("make-up Saturday 2027-02-06 not a working day")
		}
		list, err := s.Years(ctx, calendar.National)
		if err != nil || len(list) != 3 {
			t.Fatalf("years %v %v", list, err)
		}
		y := list[2]
		if y.Year != 2027 || y.Source != "测试：2027年安排" || !reflect.DeepEqual(y.Holidays, a2027().Holidays) ||
			!reflect.DeepEqual(y.MakeupWorkdays, a2027().MakeupWorkdays) || y.UpdatedAt.IsZero() {
			t.Errorf("2027 stored as %+v", y)
		}
		if by := count(t, d, `SELECT updated_by FROM calendar_years WHERE region = '*' AND year = 2027`); by != 42 {
			t.Errorf("updated_by %d", by)
		}
		if s.MissingYears(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) != nil {
			t.Errorf("2027 still reported missing")
		}

		// Replacing a year drops its old days and keeps the other years.
		repl := calendar.YearInput{Holidays: []string{"2027-02-11"}}
		if err := s.SetYear(ctx, calendar.National, 2027, repl, 42); err != nil {
			t.Fatal(err)
		}
		if !cal.IsWorkday(calendar.National, day(t, "2027-01-01")) || cal.IsWorkday(calendar.National, day(t, "2027-02-06")) ||
			cal.IsWorkday(calendar.National, day(t, "2027-02-11")) || cal.IsWorkday(calendar.National, day(t, "2026-02-16")) {
			t.Errorf("replacement not applied as a whole")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE region = '*' AND day LIKE '2027-%'`); n != 1 {
			t.Errorf("%d days of 2027 stored, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE region = '*' AND day LIKE '2026-%'`); n != 39 {
			t.Errorf("%d days of 2026 stored, want 39", n)
		}
		var source string
		if err := d.GetContext(ctx, &source, `SELECT source FROM calendar_years WHERE region = '*' AND year = 2027`); err != nil || source != "管理员录入" {
			t.Errorf("default source %q %v", source, err)
		}
		if runs.Load() != 2 {
			t.Errorf("hooks ran %d times, want 2", runs.Load())
		}

		// The other replica still has its old view until it checks the version.
		if replica.Calendar().HasYear(2027) {
			t.Fatalf("replica changed without reloading")
		}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { replica.Watch(wctx, 10*time.Millisecond); close(done) }()
		deadline := time.Now().Add(5 * time.Second)
		for !replica.Calendar().HasYear(2027) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		if !replica.Calendar().HasYear(2027) || !replica.Calendar().IsWorkday(calendar.National, day(t, "2027-01-01")) ||
			replica.Calendar().IsWorkday(calendar.National, day(t, "2027-02-11")) {
			t.Fatalf("replica did not pick up the change through Watch")
		}
	})
}

func TestStoreHookError(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		boom := errors.New("recompute failed")
		var second atomic.Bool
		s.OnChange(func(context.Context) error { return boom })
		s.OnChange(func(context.Context) error { second.Store(true); return nil })
		err := s.SetYear(context.Background(), calendar.National, 2027, a2027(), 1)
		if !errors.Is(err, boom) {
			t.Errorf("SetYear = %v, want the hook's error", err)
		}
		// The calendar itself was saved and loaded; the failure is reported.
		if !s.Calendar().HasYear(2027) || second.Load() {
			t.Errorf("HasYear %v, later hook ran %v", s.Calendar().HasYear(2027), second.Load())
		}
	})
}

func TestStoreReplicaReload(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, b := newService(t, d), newService(t, d)
		if err := a.SetYear(ctx, calendar.National, 2027, a2027(), 1); err != nil {
			t.Fatal(err)
		}
		if b.Calendar().HasYear(2027) {
			t.Fatal("b changed before reloading")
		}
		if err := b.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if !b.Calendar().HasYear(2027) || b.Calendar().IsWorkday(calendar.National, day(t, "2027-01-01")) {
			t.Errorf("b after Reload does not see 2027")
		}
	})
}

func TestStoreProvinceOverlay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		var runs atomic.Int32
		s.OnChange(func(context.Context) error { runs.Add(1); return nil })
		cal := s.Calendar()
		nationalDays := count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE region = '*'`)

		// Xinjiang: a local holiday on Mon 2026-03-16, a local working Saturday 03-21.
		in := calendar.YearInput{Holidays: []string{"2026-03-16"}, MakeupWorkdays: []string{"2026-03-21"}, Source: "新疆维吾尔自治区通知"}
		if err := s.SetYear(ctx, "65", 2026, in, 7); err != nil {
			t.Fatalf("SetYear 65: %v", err)
		}
		if runs.Load() != 1 {
			t.Errorf("hooks ran %d times", runs.Load())
		}
		if cal.IsWorkday("65", day(t, "2026-03-16")) || !cal.IsWorkday("34", day(t, "2026-03-16")) || !cal.IsWorkday(calendar.National, day(t, "2026-03-16")) {
			t.Errorf("local holiday leaks or is missing")
		}
		if !cal.IsWorkday("65", day(t, "2026-03-21")) || cal.IsWorkday("34", day(t, "2026-03-21")) {
			t.Errorf("local working Saturday leaks or is missing")
		}
		// Fri 03-13 + 1: Tue 03-17 in 65, Mon 03-16 elsewhere.
		if got, tr := cal.AddWorkdays("65", day(t, "2026-03-13"), 1, nil); calendar.FormatDate(got) != "2026-03-17" ||
			!reflect.DeepEqual(tr.Holidays, []string{"2026-03-16（地方节假日）"}) {
			t.Errorf("65: %s %v", calendar.FormatDate(got), tr.Holidays)
		}
		if got, _ := cal.AddWorkdays("34", day(t, "2026-03-13"), 1, nil); calendar.FormatDate(got) != "2026-03-16" {
			t.Errorf("34: %s", calendar.FormatDate(got))
		}
		// National years and days untouched.
		if !reflect.DeepEqual(cal.Years(), []int{2025, 2026}) || count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE region = '*'`) != nationalDays {
			t.Errorf("national calendar changed by an overlay")
		}
		list, err := s.Years(ctx, "65")
		if err != nil || len(list) != 1 || list[0].Year != 2026 || list[0].Source != "新疆维吾尔自治区通知" ||
			!reflect.DeepEqual(list[0].Holidays, in.Holidays) || !reflect.DeepEqual(list[0].MakeupWorkdays, in.MakeupWorkdays) {
			t.Errorf("65 years %+v %v", list, err)
		}
		if list, _ := s.Years(ctx, "34"); len(list) != 0 {
			t.Errorf("34 has years %+v", list)
		}
		// Replacing the overlay with an empty one removes the local days only.
		if err := s.SetYear(ctx, "65", 2026, calendar.YearInput{}, 7); err != nil {
			t.Fatal(err)
		}
		if !cal.IsWorkday("65", day(t, "2026-03-16")) || cal.IsWorkday("65", day(t, "2026-02-16")) ||
			count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE region = '65'`) != 0 {
			t.Errorf("empty overlay did not clear the local days")
		}
		// A refused overlay changes nothing.
		before := state(t, d)
		if err := s.SetYear(ctx, "65", 2026, calendar.YearInput{MakeupWorkdays: []string{"2026-03-17"}}, 7); err == nil {
			t.Errorf("weekday make-up accepted")
		}
		if state(t, d) != before {
			t.Errorf("refused overlay changed the tables")
		}
	})
}
