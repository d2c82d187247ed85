// Package rbacbench measures permission checks at national scale: it builds a
// national data set of role assignments (31 provinces, 2,850 counties with
// GB/T 2260-shaped codes, any number of users), a random mix of checks,
// streams of questions drawn from it (uniform or skewed), and runs
// rbac.Enforcer.Allowed over them. The rbac benchmarks use it, and so can any
// other benchmark against an already-loaded Enforcer on any database:
//
//	ds := rbacbench.National(100_000, 1)
//	_ = ds.Insert(ctx, database)             // once, into a migrated database
//	e, _ := rbac.NewEnforcer(ctx, database)
//	allow, deny, _ := rbacbench.Split(e, ds.Checks(1<<18, 2))
//	s := rbacbench.Skewed(deny, 1<<20, 7)
//	_ = rbacbench.Warm(e, s)
//	b.Run("deny", func(b *testing.B) { rbacbench.RunStream(b, e, s) })
package rbacbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// Check is one permission question.
type Check struct {
	UserID int64
	Region string
	Perm   string
}

// Assignment is one generated role assignment.
type Assignment struct {
	UserID int64
	Role   string
	Region string
}

// Dataset is a generated national set of regions and role assignments.
type Dataset struct {
	Provinces   []string
	Counties    []string            // 2,850 county codes
	Assignments []Assignment        // ordered by user
	byUser      map[int64][2]int    // user → [first, end) in Assignments
	countiesOf  map[string][]string // province → its counties
}

// provinceCodes are the 31 province-level codes of GB/T 2260 (the XPCC aside).
var provinceCodes = []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33",
	"34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
	"61", "62", "63", "64", "65"}

// Permissions lists every permission of policy.csv, for random checks.
var Permissions = []string{"region:read", "counties:read", "counties:recommend", "counties:approve",
	"users:manage", "catalog:read", "catalog:edit", "catalog:publish", "catalog:push", "reports:read",
	"reports:review", "reports:edit", "reports:submit", "jobs:run", "divisions:manage",
	"calendar:manage", "dashboard:read", "cases:read", "cases:handle", "cases:approve",
	"disclosure:read", "disclosure:write", "disclosure:review", "disclosure:publish",
	"disclosure:configure", "security:manage", "audit:read"}

// National generates the national data set for that many users (ids 1..users),
// deterministically from seed: a handful of national roles, a few hundred
// province roles, and one or two county roles for everyone else.
func National(users int, seed int64) *Dataset {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	ds := &Dataset{Provinces: provinceCodes, byUser: map[int64][2]int{}, countiesOf: map[string][]string{}}
	for i, p := range provinceCodes {
		n := 92
		if i >= 29 {
			n = 91 // 29×92 + 2×91 = 2,850
		}
		for j := 0; j < n; j++ {
			c := fmt.Sprintf("%s%02d%02d", p, 1+j/12, 1+j%12)
			ds.Counties = append(ds.Counties, c)
			ds.countiesOf[p] = append(ds.countiesOf[p], c)
		}
	}
	add := func(uid int64, role, region string) {
		ds.Assignments = append(ds.Assignments, Assignment{uid, role, region})
	}
	nationalRoles := []string{rbac.NationalAdmin, rbac.NationalAdmin, rbac.SecurityAdmin, rbac.AuditAdmin}
	provinceRoles := []string{rbac.ProvinceAdmin, rbac.ProvinceLeader, rbac.ProvinceLeader, rbac.SecurityAdmin, rbac.AuditAdmin}
	countyRoles := []string{rbac.CountyClerk, rbac.CountyClerk, rbac.CountyClerk, rbac.CountyReviewer, rbac.CountyReviewer, rbac.CountyAdmin}
	for uid := int64(1); uid <= int64(users); uid++ {
		first := len(ds.Assignments)
		switch {
		case uid <= 8:
			add(uid, nationalRoles[int(uid)%len(nationalRoles)], rbac.NationalRegion)
		case uid <= 408:
			add(uid, provinceRoles[r.IntN(len(provinceRoles))], provinceCodes[r.IntN(len(provinceCodes))])
		default:
			c := ds.Counties[r.IntN(len(ds.Counties))]
			role := countyRoles[r.IntN(len(countyRoles))]
			add(uid, role, c)
			if r.IntN(10) < 3 { // three in ten hold a second county role
				switch role {
				case rbac.CountyClerk:
					add(uid, rbac.CountyReviewer, c)
				default:
					if other := ds.countiesOf[c[:2]][r.IntN(len(ds.countiesOf[c[:2]]))]; other != c {
						add(uid, role, other)
					}
				}
			}
		}
		ds.byUser[uid] = [2]int{first, len(ds.Assignments)}
	}
	return ds
}

// Users is the number of users of the data set.
func (ds *Dataset) Users() int { return len(ds.byUser) }

// Insert writes the assignments into user_roles of a migrated database in
// batched inserts and bumps the policy version once.
func (ds *Dataset) Insert(ctx context.Context, d *db.DB) error {
	const batch = 500
	now := db.Now()
	return d.InTx(ctx, func(tx *sqlx.Tx) error {
		for start := 0; start < len(ds.Assignments); start += batch {
			rows := ds.Assignments[start:min(start+batch, len(ds.Assignments))]
			args := make([]any, 0, 5*len(rows))
			for _, a := range rows {
				args = append(args, a.UserID, a.Role, a.Region, int64(0), now)
			}
			q := `INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(rows)), ", ")
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("rbacbench: insert: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE policy_version SET version = version + 1 WHERE id = 1`)
		return err
	})
}

// Checks returns n random checks: a random user (most are county users), in
// half the cases a region near one the user holds (the region itself, a county
// below it, or its province), otherwise any province or county; and a random
// permission. The mix holds both allowed and denied checks.
func (ds *Dataset) Checks(n int, seed int64) []Check {
	r := rand.New(rand.NewPCG(uint64(seed), 0xc4ec))
	out := make([]Check, n)
	for i := range out {
		uid := int64(1 + r.IntN(ds.Users()))
		span := ds.byUser[uid]
		held := ds.Assignments[span[0]+r.IntN(span[1]-span[0])]
		var region string
		switch k := r.IntN(10); {
		case k < 5:
			region = ds.near(r, held.Region)
		case k < 6:
			region = ds.Provinces[r.IntN(len(ds.Provinces))]
		default:
			region = ds.Counties[r.IntN(len(ds.Counties))]
		}
		out[i] = Check{UserID: uid, Region: region, Perm: Permissions[r.IntN(len(Permissions))]}
	}
	return out
}

// near picks the region itself, a county below it or the province above it.
func (ds *Dataset) near(r *rand.Rand, region string) string {
	switch {
	case region == rbac.NationalRegion:
		if r.IntN(2) == 0 {
			return region
		}
		return ds.Counties[r.IntN(len(ds.Counties))]
	case len(region) == 2:
		if r.IntN(3) == 0 {
			return region
		}
		cs := ds.countiesOf[region]
		return cs[r.IntN(len(cs))]
	case r.IntN(4) == 0:
		return region[:2]
	}
	return region
}

// Split asks the enforcer once per check and returns the allowed and the
// denied ones, so each kind can be measured alone.
func Split(e *rbac.Enforcer, checks []Check) (allow, deny []Check, err error) {
	for _, c := range checks {
		ok, err := e.Allowed(c.UserID, c.Region, c.Perm)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			allow = append(allow, c)
		} else {
			deny = append(deny, c)
		}
	}
	return allow, deny, nil
}

// Stream is a sequence of questions drawn from a set of checks, as a running
// service is asked them; runs over it go on where the previous one stopped.
type Stream struct {
	Checks []Check
	Order  []int32 // indexes into Checks
	next   int
}

// Uniform draws n questions from checks, each as likely as any other: the
// worst case for a cache smaller than the set, which can then answer only
// the share of the set it holds.
func Uniform(checks []Check, n int, seed uint64) *Stream {
	r := rand.New(rand.NewPCG(seed, 0x0a1f))
	s := &Stream{Checks: checks, Order: make([]int32, n)}
	for i := range s.Order {
		s.Order[i] = int32(r.IntN(len(checks)))
	}
	return s
}

// Skewed draws n questions from checks by a Zipf law (s = 1.01, v = 1, over
// the checks in their random order), as request popularity usually goes
// (YCSB's is 0.99): a few questions are asked very often, most rarely.
func Skewed(checks []Check, n int, seed uint64) *Stream {
	z := rand.NewZipf(rand.New(rand.NewPCG(seed, 0x21bf)), 1.01, 1, uint64(len(checks)-1))
	s := &Stream{Checks: checks, Order: make([]int32, n)}
	for i := range s.Order {
		s.Order[i] = int32(z.Uint64())
	}
	return s
}

// TopShare is the share of the stream's draws that go to its most asked
// tenth of the set, which says how skewed it is.
func (s *Stream) TopShare() float64 {
	counts := make([]int, len(s.Checks))
	for _, i := range s.Order {
		counts[i]++
	}
	slices.SortFunc(counts, func(a, b int) int { return b - a })
	top := 0
	for _, c := range counts[:max(1, len(counts)/10)] {
		top += c
	}
	return float64(top) / float64(len(s.Order))
}

// Warm asks the whole stream once, so the decision cache holds what a
// service asked these questions for a while would hold.
func Warm(e *rbac.Enforcer, s *Stream) error {
	for _, i := range s.Order {
		c := s.Checks[i]
		if _, err := e.Allowed(c.UserID, c.Region, c.Perm); err != nil {
			return err
		}
	}
	return nil
}

// RunStream measures e.Allowed over the stream, going on where the last run
// over it stopped (warm it first with Warm).
func RunStream(b *testing.B, e *rbac.Enforcer, s *Stream) {
	b.Helper()
	b.ReportAllocs()
	done := measure(b, e)
	defer done()
	for i := 0; i < b.N; i++ {
		c := s.Checks[s.Order[s.next]]
		if s.next++; s.next == len(s.Order) {
			s.next = 0
		}
		if _, err := e.Allowed(c.UserID, c.Region, c.Perm); err != nil {
			b.Fatal(err)
		}
	}
}

// RunStreamParallel is RunStream from GOMAXPROCS goroutines at once (as a
// server checks), each going through the stream from its own place, spread
// evenly over it so no goroutine asks what another has just asked; ns/op is
// wall time per check over all goroutines.
func RunStreamParallel(b *testing.B, e *rbac.Enforcer, s *Stream) {
	b.Helper()
	b.ReportAllocs()
	var started atomic.Int64
	procs := int64(runtime.GOMAXPROCS(0))
	done := measure(b, e)
	defer done()
	b.RunParallel(func(pb *testing.PB) {
		k := started.Add(1) - 1
		j := (s.next + int(k%procs*int64(len(s.Order))/procs)) % len(s.Order)
		for pb.Next() {
			c := s.Checks[s.Order[j]]
			if j++; j == len(s.Order) {
				j = 0
			}
			if _, err := e.Allowed(c.UserID, c.Region, c.Perm); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Run measures e.Allowed over the checks, cycling through them b.N times.
// The enforcer caches decisions until the policy changes, so a check asked
// again is cheaper: Run measures that warm path once the mix has been seen.
func Run(b *testing.B, e *rbac.Enforcer, checks []Check) {
	b.Helper()
	run(b, e, checks, false)
}

// RunFresh is Run, except that the policy is reloaded (timer stopped) before
// the first check and whenever the mix starts over, so every check is asked
// for the first time since the last policy change, as after a grant.
func RunFresh(b *testing.B, e *rbac.Enforcer, checks []Check) {
	b.Helper()
	run(b, e, checks, true)
}

func run(b *testing.B, e *rbac.Enforcer, checks []Check, fresh bool) {
	b.Helper()
	if len(checks) == 0 {
		b.Skip("no checks")
	}
	reload := func() {
		b.StopTimer()
		if err := e.Reload(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportAllocs()
	done := measure(b, e)
	defer done()
	for i := 0; i < b.N; i++ {
		j := i % len(checks)
		if fresh && j == 0 {
			reload()
		}
		c := checks[j]
		if _, err := e.Allowed(c.UserID, c.Region, c.Perm); err != nil {
			b.Fatal(err)
		}
	}
}

// measure resets the timer and returns the function that reports, at the
// end of the run, the CPU time per check (cpu-ns/op) and, with the decision
// cache on, the share of checks it answered (hit-%: a check it could not
// answer stores its decision).
func measure(b *testing.B, e *rbac.Enforcer) func() {
	before := e.CacheStats()
	report := CPU(b)
	return func() {
		report()
		if after := e.CacheStats(); after.On {
			b.ReportMetric(100*(1-float64(after.Stored-before.Stored)/float64(b.N)), "hit-%")
		}
	}
}

// CPU resets the timer and returns the function that reports the process's
// CPU time per op (cpu-ns/op) since, which a machine shared with other work
// inflates less than wall time. It also counts untimed work (the reloads of
// RunFresh), so compare it on the other runs.
func CPU(b *testing.B) func() {
	b.ResetTimer()
	cpu0 := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op") }
}

// cpuTime is the CPU time the process has used (all threads, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
