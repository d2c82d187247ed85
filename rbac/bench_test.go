package rbac_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/rbac"
	"safetypilot/rbac/rbacbench"
)

// nationalUsers is the number of users of the national benchmark data set.
const nationalUsers = 100_000

// nationalDB builds the national data set in a fresh SQLite database.
func nationalDB(b *testing.B) (*db.DB, *rbacbench.Dataset) {
	b.Helper()
	d := dbtest.Open(b, db.SQLite)
	m, err := db.NewMigrator(d)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		b.Fatal(err)
	}
	ds := rbacbench.National(nationalUsers, 1)
	if err := ds.Insert(context.Background(), d); err != nil {
		b.Fatal(err)
	}
	return d, ds
}

// BenchmarkAllowedNational measures Allowed at national scale over a random
// mix of checks: allowed ones, denied ones and the whole mix, each fresh (first
// check since the policy was loaded) and warm (asked before, so Casbin's
// decision cache may hold it; with the cache off the two are alike), with
// Casbin's decision cache off and on.
func BenchmarkAllowedNational(b *testing.B) {
	ctx := context.Background()
	d, ds := nationalDB(b)
	e, err := rbac.NewEnforcer(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	mix := ds.Checks(1<<18, 2)
	allow, deny, err := rbacbench.Split(e, mix)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d assignments; mix of %d checks: %d allowed, %d denied", len(ds.Assignments), len(mix), len(allow), len(deny))
	for _, mode := range []struct {
		name  string
		cache bool
	}{{"uncached", false}, {"cached", true}} {
		if err := e.SetDecisionCache(mode.cache); err != nil {
			b.Fatal(err)
		}
		for _, s := range []struct {
			name   string
			checks []rbacbench.Check
		}{{"allow", allow}, {"deny", deny}, {"mix", mix}} {
			b.Run(mode.name+"/"+s.name+"/fresh", func(b *testing.B) { rbacbench.RunFresh(b, e, s.checks) })
			b.Run(mode.name+"/"+s.name+"/warm", func(b *testing.B) {
				// Ask the first b.N once untimed, as a warm service has.
				for _, c := range s.checks[:min(b.N, len(s.checks))] {
					if _, err := e.Allowed(c.UserID, c.Region, c.Perm); err != nil {
						b.Fatal(err)
					}
				}
				rbacbench.Run(b, e, s.checks)
			})
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("%s: heap %.1f MB after the runs, %d cached decisions", mode.name, float64(ms.HeapAlloc)/(1<<20), rbac.Cached(e))
	}
}

// BenchmarkAllowedNationalDenied measures denied checks only, the case that
// walked every policy row in the original model.
func BenchmarkAllowedNationalDenied(b *testing.B) {
	ctx := context.Background()
	d, ds := nationalDB(b)
	e, err := rbac.NewEnforcer(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	_, deny, err := rbacbench.Split(e, ds.Checks(1<<18, 3))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fresh", func(b *testing.B) { rbacbench.RunFresh(b, e, deny) })
}

// BenchmarkEnforcerNational measures loading the national policy (NewEnforcer)
// and how long a second replica takes to apply one grant (ReloadIfChanged).
func BenchmarkEnforcerNational(b *testing.B) {
	ctx := context.Background()
	d, ds := nationalDB(b)
	b.Run("load", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e, err := rbac.NewEnforcer(ctx, d)
			if err != nil {
				b.Fatal(err)
			}
			if i == b.N-1 {
				b.StopTimer()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
				runtime.KeepAlive(e)
			}
		}
	})
	b.Run("grant", func(b *testing.B) {
		replica, err := rbac.NewEnforcer(ctx, d)
		if err != nil {
			b.Fatal(err)
		}
		var applied time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			user := int64(ds.Users() + 1 + i)
			county := ds.Counties[i%len(ds.Counties)]
			if err := grant(ctx, d, user, rbac.CountyClerk, county, 1); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			if err := replica.ReloadIfChanged(ctx); err != nil {
				b.Fatal(err)
			}
			applied += time.Since(start)
			b.StopTimer()
			if ok, err := replica.Allowed(user, county, "cases:handle"); err != nil || !ok {
				b.Fatalf("replica does not see the grant: %v, %v", ok, err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(applied.Microseconds())/float64(b.N), "apply-µs")
	})
}
