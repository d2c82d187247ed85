package cases

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/notices"
	"safetypilot/rbac"
)

// TestFlagOverdueManyBatches runs FlagOverdue over enough due cases and steps
// that every pass reads more than one batch and, on MySQL, flags two batches
// at once, which the small fixtures elsewhere never do. Each light must be
// raised exactly once, with one event and one notice per recipient (a yellow
// light's administrators in one digest per county), and the decoys left alone; a second pass does nothing; and on MySQL two replicas
// whose passes overlap together do exactly what one pass does.
//
// The fixture (see manyGroups) has 5,800 open cases whose clock runs, plus
// 300 paused and 300 closed ones, in five counties. One pass must turn 3,200
// cases red (2,100 from none, 1,100 from yellow), 1,100 yellow, 2,200 steps
// red (1,100 from each light) and 2,100 yellow.
func TestFlagOverdueManyBatches(t *testing.T) {
	dbtest.ForEachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		began := time.Now()
		first, second := openManyBatches(t, dialect)
		migrated := time.Since(began)
		fx := buildManyFixture(t, first)
		t.Logf("migrated in %.1f s, loaded %d cases in %.1f s", migrated.Seconds(), len(fx.cases), (time.Since(began) - migrated).Seconds())

		want := fx.wantResult()
		for pass, n := range fx.passSizes() {
			// Each pass must span batches, or the test checks nothing new.
			floor := flagBatch
			if pass == "case none→red" || pass == "step none→yellow" {
				floor = 2 * flagBatch
			}
			if n <= floor {
				t.Fatalf("fixture: pass %s has %d candidates, want more than %d", pass, n, floor)
			}
		}
		if want.CasesRed != 3200 || want.CasesYellow != 1100 || want.StepsRed != 2200 || want.StepsYellow != 2100 {
			t.Fatalf("fixture: expects %s", want)
		}

		svc := fx.service(t, first)
		eventsBefore, noticesBefore := fx.maxID(t, "case_events"), fx.maxID(t, "notices")
		phase := time.Now()
		got, err := svc.FlagOverdue(ctx)
		if err != nil {
			t.Fatalf("first pass: %v", err)
		}
		t.Logf("first pass in %.1f s: %s", time.Since(phase).Seconds(), got)
		if got != want {
			t.Errorf("first pass: %s\nwant %s", got, want)
		}
		fx.check(t, "first pass", eventsBefore, noticesBefore, 1)

		// A second pass finds every light already raised.
		events, notices := fx.count(t, "case_events"), fx.count(t, "notices")
		phase = time.Now()
		if got, err := svc.FlagOverdue(ctx); err != nil || got != (OverdueResult{}) {
			t.Errorf("second pass: %s, %v; want nothing flagged", got, err)
		}
		t.Logf("second pass in %.1f s", time.Since(phase).Seconds())
		if e, n := fx.count(t, "case_events"), fx.count(t, "notices"); e != events || n != notices {
			t.Errorf("second pass wrote %d events and %d notices", e-events, n-notices)
		}
		fx.check(t, "second pass", eventsBefore, noticesBefore, 1)

		if dialect != db.MySQL {
			t.Logf("total %.1f s", time.Since(began).Seconds())
			return
		}
		// Two replicas whose ticks overlap, each with its own connection pool,
		// over the lights as they were before the first pass.
		fx.reset(t, eventsBefore, noticesBefore)
		replicas := []*Service{svc, fx.service(t, second)}
		results := make([]OverdueResult, len(replicas))
		errs := make([]error, len(replicas))
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for i, r := range replicas {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				results[i], errs[i] = r.FlagOverdue(ctx)
			}()
		}
		ready.Wait()
		phase = time.Now()
		close(start)
		done.Wait()
		t.Logf("overlapping passes in %.1f s: %s | %s", time.Since(phase).Seconds(), results[0], results[1])
		for i, err := range errs {
			if err != nil {
				t.Fatalf("replica %d: %v", i, err)
			}
		}
		sum := OverdueResult{
			CasesRed:    results[0].CasesRed + results[1].CasesRed,
			CasesYellow: results[0].CasesYellow + results[1].CasesYellow,
			StepsRed:    results[0].StepsRed + results[1].StepsRed,
			StepsYellow: results[0].StepsYellow + results[1].StepsYellow,
			Notices:     results[0].Notices + results[1].Notices,
		}
		// Each replica sends a digest of its own yellow lights, so an
		// administrator may get one from each.
		digests := fx.check(t, "overlapping passes", eventsBefore, noticesBefore, 2)
		want.Notices += digests - fx.wantDigests()
		if sum != want {
			t.Errorf("overlapping passes together: %s\nwant %s", sum, want)
		}
		t.Logf("total %.1f s", time.Since(began).Seconds())
	})
}

// openManyBatches returns a migrated database and, on MySQL, a second handle
// with its own pool on the same database, as a second replica has.
func openManyBatches(t *testing.T, dialect db.Dialect) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	var first, second *db.DB
	if dialect == db.SQLite {
		first = dbtest.Open(t, dialect)
	} else {
		dsn := dbtest.CreateMySQLDatabase(t)
		for _, h := range []**db.DB{&first, &second} {
			d, err := db.Open(ctx, db.Config{DSN: dsn, MaxOpenConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			*h = d
		}
	}
	migrateSeeded(t, first)
	return first, second
}

// manyCase is a case of the fixture: its lights before a pass and the lights
// one pass must leave, for the case and for its active step (activeSeq; 0
// when none). Dates are in days from today.
type manyCase struct {
	id                  int64
	county              string
	handler             int64
	status              string
	running             bool
	promised            int
	light, want         string
	activeSeq           int
	stepDue             int
	stepLight, stepWant string
}

// manyGroup is a block of cases alike but for county, handler, status and
// dates.
type manyGroup struct {
	n                   int
	paused, closed      bool
	caseDay             func(k int) int
	light, want         string
	stepDay             func(k, caseDay int) int // nil: no active step
	stepLight, stepWant string
}

// manyToday is the fixture's today, Monday 2026-11-16 (10:00 in Beijing):
// the next working day is 11-17, so yellow means due 11-16 or 11-17.
var manyToday = time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)

// The counties, their administrators (user 102 serves two counties; the last
// two counties have none) and role rows that must receive no notice.
var (
	manyCounties = []string{"340102", "340103", "340104", "340111", "340121"}
	manyAdmins   = map[string][]int64{"340102": {101, 102}, "340103": {103}, "340104": {104, 102}}
	manyOthers   = []struct {
		user         int64
		role, region string
	}{{900, rbac.CountyClerk, "340102"}, {901, rbac.ProvinceAdmin, "34"}, {902, rbac.CountyReviewer, "340111"}}
)

func manyGroups() []manyGroup {
	past := func(k int) int { return -1 - k%14 }    // 11-15 back to 11-02
	soon := func(k int) int { return k % 2 }        // 11-16 or 11-17
	later := func(k int) int { return 2 + k%30 }    // 11-18 onwards
	before := func(k, c int) int { return c - k%3 } // a step is due by its case's deadline
	stepSoon := func(k, c int) int { return min(c, k/2%2) }
	stepLater := func(k, c int) int { return max(2, c-k%3) }
	none, yellow, red := WarningNone, WarningYellow, WarningRed
	return []manyGroup{
		{n: 1100, caseDay: past, light: none, want: red, stepDay: before, stepLight: none, stepWant: red},
		{n: 1000, caseDay: past, light: none, want: red, stepDay: before, stepLight: red, stepWant: red},
		{n: 1100, caseDay: past, light: yellow, want: red, stepDay: before, stepLight: yellow, stepWant: red},
		{n: 1100, caseDay: soon, light: none, want: yellow, stepDay: stepSoon, stepLight: none, stepWant: yellow},
		{n: 1000, caseDay: later, light: none, want: none, stepDay: stepSoon, stepLight: none, stepWant: yellow},
		// Decoys: not yet due, already raised, paused, closed.
		{n: 200, caseDay: later, light: none, want: none, stepDay: stepLater, stepLight: none, stepWant: none},
		{n: 200, caseDay: past, light: red, want: red, stepDay: before, stepLight: red, stepWant: red},
		{n: 100, caseDay: soon, light: yellow, want: yellow, stepDay: stepSoon, stepLight: yellow, stepWant: yellow},
		{n: 300, paused: true, caseDay: func(k int) int { return 1 - k%10 }, light: none, want: none, stepDay: before,
			stepLight: none, stepWant: none},
		{n: 300, closed: true, caseDay: past, light: none, want: none},
	}
}

// manyFixture is the loaded fixture and what is known about it.
type manyFixture struct {
	d     *db.DB
	today time.Time
	cases []manyCase
	// events are the events loaded with the fixture (flags of earlier passes).
	events []manyEvent
}

type manyEvent struct {
	ID     int64  `db:"id"`
	CaseID int64  `db:"case_id"`
	County string `db:"county_code"`
	Kind   string `db:"kind"`
	From   string `db:"from_status"`
	To     string `db:"to_status"`
	Actor  int64  `db:"actor_id"`
	Note   string `db:"note"`
}

// buildManyFixture loads manyGroups with multi-row INSERTs of literal values,
// as the benchmark's loader does, 500 cases (or their 1,500 steps) a statement.
func buildManyFixture(t *testing.T, d *db.DB) *manyFixture {
	t.Helper()
	ctx := context.Background()
	fx := &manyFixture{d: d, today: calendar.Today(manyToday)}
	rnd := rand.New(rand.NewSource(20261116))
	var id int64
	for _, g := range manyGroups() {
		for k := 0; k < g.n; k++ {
			id++
			c := manyCase{id: id, county: manyCounties[rnd.Intn(len(manyCounties))], running: !g.paused && !g.closed,
				promised: g.caseDay(k), light: g.light, want: g.want, stepLight: WarningNone, stepWant: WarningNone}
			switch {
			case g.closed:
				c.status = []string{StatusDelivered, StatusDenied, StatusWithdrawn, StatusNotAccepted}[rnd.Intn(4)]
			case g.paused:
				c.status = StatusReturned
			default:
				c.status = []string{StatusSubmitted, StatusAccepted, StatusInReview}[rnd.Intn(3)]
			}
			// A case not yet accepted has no handler; some handlers are
			// also the county's administrator (one notice, not two).
			if c.status != StatusSubmitted {
				c.handler = 3000 + int64(rnd.Intn(40))
				if admins := manyAdmins[c.county]; len(admins) > 0 && rnd.Intn(3) == 0 {
					c.handler = admins[rnd.Intn(len(admins))]
				}
			}
			if g.stepDay != nil {
				c.activeSeq = 1 + rnd.Intn(3)
				c.stepDue, c.stepLight, c.stepWant = g.stepDay(k, c.promised), g.stepLight, g.stepWant
			}
			fx.cases = append(fx.cases, c)
		}
	}

	var roles strings.Builder
	roles.WriteString(`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES `)
	sep := ""
	for county, admins := range manyAdmins {
		for _, u := range admins {
			fmt.Fprintf(&roles, "%s(%d, '%s', '%s', 1, '2026-01-01 00:00:00')", sep, u, rbac.CountyAdmin, county)
			sep = ","
		}
	}
	for _, o := range manyOthers {
		fmt.Fprintf(&roles, ",(%d, '%s', '%s', 1, '2026-01-01 00:00:00')", o.user, o.role, o.region)
	}
	fx.exec(t, roles.String())

	day := func(offset int) string { return calendar.FormatDate(fx.today.AddDate(0, 0, offset)) }
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	const chunk = 500
	for lo := 0; lo < len(fx.cases); lo += chunk {
		var cs, ss strings.Builder
		cs.WriteString(`INSERT INTO cases (id, county_code, tracking_no, item_code, item_version, item_name, channel, applicant_name,
			applicant_credit_code, applicant_contact, applicant_phone, received_on, status, statutory_days, promised_days,
			extension_days, extension_allowed, extended, deadline, promised_deadline, provisional, clock_running, warning,
			current_step, handler_id, decision, reason, decided_on, completed_on, on_time, created_by, created_at, updated_at) VALUES `)
		ss.WriteString(`INSERT INTO case_steps (case_id, seq, county_code, name, post, authority, limit_days, excluded, active,
			started_on, due_on, completed_on, warning) VALUES `)
		for i := lo; i < lo+chunk && i < len(fx.cases); i++ {
			c := fx.cases[i]
			decided, completed, onTime, current := "NULL", "NULL", "NULL", c.activeSeq
			if !isOpen(c.status) {
				decided, completed, onTime, current = "'"+day(c.promised-2)+"'", "'"+day(c.promised-1)+"'", "1", 3
			}
			if i > lo {
				cs.WriteByte(',')
				ss.WriteByte(',')
			}
			fmt.Fprintf(&cs, "(%d,'%s','%s-M%08d','274',1,'烟花爆竹经营（零售）许可证核发','counter','某某烟花爆竹经营部',"+
				"'92340102MA2TX5P41H','联系人','0551-64000001','%s','%s',20,13,0,10,0,'%s','%s',0,%d,'%s',%d,%d,'',''"+
				",%s,%s,%s,%d,'2026-01-01 00:00:00','2026-01-01 00:00:00')",
				c.id, c.county, c.county, c.id, day(c.promised-19), c.status, day(c.promised+10), day(c.promised),
				b2i(c.running), c.light, current, c.handler, decided, completed, onTime, c.handler)
			for seq := 1; seq <= 3; seq++ {
				if seq > 1 {
					ss.WriteByte(',')
				}
				name := []string{"受理", "审查", "决定"}[seq-1]
				switch {
				case seq == c.activeSeq:
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,1,'%s','%s',NULL,'%s')", c.id, seq, c.county, name,
						seq*3, day(c.stepDue-5), day(c.stepDue), c.stepLight)
				case c.activeSeq == 0 || seq < c.activeSeq:
					// Done steps, long past due: no light for them.
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,0,'%s','%s','%s','none')", c.id, seq, c.county, name,
						seq*3, day(c.promised-20+seq), day(c.promised-16+seq), day(c.promised-17+seq))
				default:
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,0,NULL,NULL,NULL,'none')", c.id, seq, c.county, name, seq*3)
				}
			}
		}
		fx.exec(t, cs.String())
		fx.exec(t, ss.String())
	}

	// The lights already raised come with the events of the pass that raised them.
	var ev strings.Builder
	ev.WriteString(`INSERT INTO case_events (case_id, county_code, kind, from_status, to_status, actor_id, actor_name, note, at) VALUES `)
	sep = ""
	for _, c := range fx.cases {
		for _, e := range []struct{ light, kind string }{{c.light, "flag_"}, {c.stepLight, "step_flag_"}} {
			if e.light != WarningNone {
				fmt.Fprintf(&ev, "%s(%d,'%s','%s%s','%s','%s',0,'超期预警任务','earlier pass %d','2026-11-13 02:00:00')",
					sep, c.id, c.county, e.kind, e.light, c.status, c.status, c.id)
				sep = ","
			}
		}
	}
	fx.exec(t, ev.String())
	if err := d.SelectContext(ctx, &fx.events, `SELECT id, case_id, county_code, kind, from_status, to_status, actor_id, note
		FROM case_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *manyFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := fx.d.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%.80s…: %v", q, err)
	}
}

func (fx *manyFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := fx.d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func (fx *manyFixture) maxID(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := fx.d.GetContext(context.Background(), &n, `SELECT COALESCE(MAX(id), 0) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// service is a replica's case service on handle d, with its own calendar.
func (fx *manyFixture) service(t *testing.T, d *db.DB) *Service {
	t.Helper()
	svc := NewService(d, loadCalendar(t, d), nil, nil)
	svc.Now = func() time.Time { return manyToday }
	return svc
}

// recipients are who must be told, one notice each, of a case's or step's
// light turning to: the handler, and for red the county's administrators.
func (c manyCase) recipients(to string) []int64 {
	var out []int64
	if to == WarningRed {
		out = append(out, manyAdmins[c.county]...)
	}
	if c.handler != 0 && !containsID(out, c.handler) {
		out = append(out, c.handler)
	}
	return out
}

// yellowByCounty counts the yellow lights one pass must raise in each county.
func (fx *manyFixture) yellowByCounty() map[string]yellowCount {
	out := map[string]yellowCount{}
	for _, c := range fx.cases {
		n := out[c.county]
		if c.light != c.want && c.want == WarningYellow {
			n.cases++
		}
		if c.stepLight != c.stepWant && c.stepWant == WarningYellow {
			n.steps++
		}
		if n != (yellowCount{}) {
			out[c.county] = n
		}
	}
	return out
}

// wantDigests is how many digests one pass sends: one to each administrator
// of every county with a new yellow light.
func (fx *manyFixture) wantDigests() int {
	n := 0
	for county := range fx.yellowByCounty() {
		n += len(manyAdmins[county])
	}
	return n
}

// wantResult is what one pass over the fixture must report.
func (fx *manyFixture) wantResult() OverdueResult {
	var r OverdueResult
	for _, c := range fx.cases {
		if c.light != c.want {
			if c.want == WarningRed {
				r.CasesRed++
			} else {
				r.CasesYellow++
			}
			r.Notices += len(c.recipients(c.want))
		}
		if c.stepLight != c.stepWant {
			if c.stepWant == WarningRed {
				r.StepsRed++
			} else {
				r.StepsYellow++
			}
			r.Notices += len(c.recipients(c.stepWant))
		}
	}
	r.Notices += fx.wantDigests()
	return r
}

// passSizes counts the lights each pass of FlagOverdue must raise.
func (fx *manyFixture) passSizes() map[string]int {
	sizes := map[string]int{}
	for _, c := range fx.cases {
		if c.light != c.want {
			sizes["case "+c.light+"→"+c.want]++
		}
		if c.stepLight != c.stepWant {
			sizes["step "+c.stepLight+"→"+c.stepWant]++
		}
	}
	return sizes
}

// check compares the lights, the events and the notices with what one pass
// must leave: every light as wanted, the fixture's events as loaded, one new
// event per raised light, one new notice per raised light and recipient, and
// digests to each administrator whose yellow counts add up to the county's,
// from at most runs runs. It returns the number of digests.
func (fx *manyFixture) check(t *testing.T, phase string, eventsBefore, noticesBefore int64, runs int) int {
	t.Helper()
	ctx := context.Background()
	var bad []string
	report := func(format string, args ...any) {
		bad = append(bad, fmt.Sprintf(format, args...))
	}

	byID := make(map[int64]manyCase, len(fx.cases))
	for _, c := range fx.cases {
		byID[c.id] = c
	}
	var lights []struct {
		ID      int64  `db:"id"`
		Warning string `db:"warning"`
	}
	if err := fx.d.SelectContext(ctx, &lights, `SELECT id, warning FROM cases`); err != nil {
		t.Fatal(err)
	}
	for _, l := range lights {
		if c := byID[l.ID]; l.Warning != c.want {
			report("case %d (%s, promised %+d, was %s): light %s, want %s", l.ID, c.status, c.promised, c.light, l.Warning, c.want)
		}
	}
	var steps []struct {
		ID      int64  `db:"case_id"`
		Seq     int    `db:"seq"`
		Warning string `db:"warning"`
	}
	if err := fx.d.SelectContext(ctx, &steps, `SELECT case_id, seq, warning FROM case_steps`); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		c, want := byID[s.ID], WarningNone
		if s.Seq == c.activeSeq {
			want = c.stepWant
		}
		if s.Warning != want {
			report("step %d/%d (active %d, due %+d): light %s, want %s", s.ID, s.Seq, c.activeSeq, c.stepDue, s.Warning, want)
		}
	}
	if len(lights) != len(fx.cases) || len(steps) != 3*len(fx.cases) {
		report("%d cases and %d steps, want %d and %d", len(lights), len(steps), len(fx.cases), 3*len(fx.cases))
	}

	var events []manyEvent
	if err := fx.d.SelectContext(ctx, &events, `SELECT id, case_id, county_code, kind, from_status, to_status, actor_id, note
		FROM case_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	type eventKey struct {
		caseID int64
		kind   string
	}
	wantEvents := map[eventKey]manyCase{}
	type noticeKey struct {
		caseID int64
		kind   string
		user   int64
	}
	wantNotices := map[noticeKey]string{}
	for _, c := range fx.cases {
		for _, f := range []struct{ from, to, prefix string }{{c.light, c.want, "flag_"}, {c.stepLight, c.stepWant, "step_flag_"}} {
			if f.from == f.to {
				continue
			}
			wantEvents[eventKey{c.id, f.prefix + f.to}] = c
			for _, u := range c.recipients(f.to) {
				wantNotices[noticeKey{c.id, f.prefix + f.to, u}] = c.county
			}
		}
	}
	old, seen := 0, map[eventKey]int{}
	for _, e := range events {
		if e.ID <= eventsBefore {
			if old >= len(fx.events) || e != fx.events[old] {
				report("loaded event %+v changed or appeared", e)
			}
			old++
			continue
		}
		k := eventKey{e.CaseID, e.Kind}
		seen[k]++
		c, ok := wantEvents[k]
		switch {
		case !ok:
			c = byID[e.CaseID]
			report("unexpected event %+v (case %s→%s, step %s→%s)", e, c.light, c.want, c.stepLight, c.stepWant)
		case seen[k] == 2:
			report("case %d: %s recorded more than once", e.CaseID, e.Kind)
		case e.From != c.status || e.To != c.status || e.County != c.county || e.Actor != 0:
			report("case %d: event %+v, want %s→%s in %s by the job", e.CaseID, e, c.status, c.status, c.county)
		}
	}
	if old != len(fx.events) {
		report("%d of the %d loaded events remain", old, len(fx.events))
	}
	for k := range wantEvents {
		if seen[k] == 0 {
			report("case %d: no %s event", k.caseID, k.kind)
		}
	}

	var all []struct {
		CaseID  int64  `db:"case_id"`
		County  string `db:"county_code"`
		Kind    string `db:"kind"`
		User    int64  `db:"user_id"`
		Message string `db:"message"`
	}
	if err := fx.d.SelectContext(ctx, &all, `SELECT case_id, county_code, kind, user_id, message FROM notices WHERE id > ?`, noticesBefore); err != nil {
		t.Fatal(err)
	}
	lightNotices, digests := all[:0:0], all[:0:0]
	for _, n := range all {
		if n.Kind == notices.KindYellowDigest {
			digests = append(digests, n)
		} else {
			lightNotices = append(lightNotices, n)
		}
	}
	type digestKey struct {
		county string
		user   int64
	}
	digested, sent := map[digestKey]yellowCount{}, map[digestKey]int{}
	for _, n := range digests {
		k := digestKey{n.County, n.User}
		sent[k]++
		sum := yellowCount{cases: digestCount(digestCases, n.Message), steps: digestCount(digestSteps, n.Message)}
		if n.CaseID != 0 || !containsID(manyAdmins[n.County], n.User) || sum == (yellowCount{}) {
			report("digest to user %d in %s about case %d: %q", n.User, n.County, n.CaseID, n.Message)
		}
		total := digested[k]
		digested[k] = yellowCount{total.cases + sum.cases, total.steps + sum.steps}
	}
	for county, want := range fx.yellowByCounty() {
		for _, u := range manyAdmins[county] {
			k := digestKey{county, u}
			if digested[k] != want || sent[k] < 1 || sent[k] > runs {
				report("administrator %d of %s: %d digests of %+v, want %+v from at most %d", u, county, sent[k], digested[k], want, runs)
			}
			delete(sent, k)
		}
	}
	for k, n := range sent {
		report("administrator %d of %s: %d digests of no yellow light", k.user, k.county, n)
	}
	got := map[noticeKey]int{}
	for _, n := range lightNotices {
		k := noticeKey{n.CaseID, n.Kind, n.User}
		got[k]++
		county, ok := wantNotices[k]
		switch {
		case !ok:
			report("unexpected notice: case %d %s to user %d", n.CaseID, n.Kind, n.User)
		case got[k] == 2:
			report("case %d: %s notice to user %d more than once", n.CaseID, n.Kind, n.User)
		case n.County != county:
			report("case %d: notice in county %s, want %s", n.CaseID, n.County, county)
		}
	}
	for k := range wantNotices {
		if got[k] == 0 {
			report("case %d: no %s notice to user %d", k.caseID, k.kind, k.user)
		}
	}
	if len(events)-len(fx.events) != len(wantEvents) || len(lightNotices) != len(wantNotices) {
		report("%d new events and %d notices, want %d and %d", len(events)-len(fx.events), len(lightNotices), len(wantEvents), len(wantNotices))
	}

	if n := len(bad); n > 0 {
		const shown = 10
		more := ""
		if n > shown {
			more = fmt.Sprintf("\n… and %d more", n-shown)
			bad = bad[:shown]
		}
		t.Errorf("%s: %d wrong:\n%s%s", phase, n, strings.Join(bad, "\n"), more)
	}
	return len(digests)
}

// digestCases and digestSteps find the counts in a digest's message.
var (
	digestCases = regexp.MustCompile(`办件 (\d+) 件`)
	digestSteps = regexp.MustCompile(`办理环节 (\d+) 个`)
)

// digestCount is the count re finds in a digest's message, 0 when absent.
func digestCount(re *regexp.Regexp, message string) int {
	m := re.FindStringSubmatch(message)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// reset puts back the lights and removes the events and notices of a pass,
// so that another pass finds the fixture as it was loaded.
func (fx *manyFixture) reset(t *testing.T, eventsBefore, noticesBefore int64) {
	t.Helper()
	cases, steps := map[string][]any{}, map[string][]any{}
	for _, c := range fx.cases {
		if c.light != c.want {
			cases[c.light] = append(cases[c.light], c.id)
		}
		if c.stepLight != c.stepWant {
			steps[c.stepLight] = append(steps[c.stepLight], c.id)
		}
	}
	const chunk = 500
	for light, ids := range cases {
		for lo := 0; lo < len(ids); lo += chunk {
			part := ids[lo:min(lo+chunk, len(ids))]
			fx.exec(t, `UPDATE cases SET warning = ? WHERE id IN (`+tuples(len(part), 1)+`)`, append([]any{light}, part...)...)
		}
	}
	// A case has one active step, the one with a light.
	for light, ids := range steps {
		for lo := 0; lo < len(ids); lo += chunk {
			part := ids[lo:min(lo+chunk, len(ids))]
			fx.exec(t, `UPDATE case_steps SET warning = ? WHERE active = ? AND case_id IN (`+tuples(len(part), 1)+`)`,
				append([]any{light, true}, part...)...)
		}
	}
	fx.exec(t, `DELETE FROM case_events WHERE id > ?`, eventsBefore)
	fx.exec(t, `DELETE FROM notices WHERE id > ?`, noticesBefore)
}
