package rbac_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

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

// streamLen is how many questions each stream of BenchmarkAllowedNational
// draws: four times the national mix, so a stream replayed is no cyclic scan.
const streamLen = 1 << 20

// BenchmarkAllowedNational measures Allowed at national scale, side by side
// with Casbin's own BenchmarkRBACModelWithDomains in the same run (first and
// last, to show drift on a shared machine). The mix is 2^18 random checks, more
// distinct questions than the decision cache holds; allow and deny are its
// allowed and denied subsets. For each set:
//
//   - warm/<set>/uniform: a stream drawn uniformly from the set, after the
//     same stream was asked once untimed (a cache can hold only its share of
//     a set larger than itself: the worst case);
//   - warm/<set>/skewed: a stream drawn by a Zipf law, as real traffic is;
//   - warm/mix/*/parallel: the same from GOMAXPROCS goroutines;
//   - fresh/<set>: every check the first since the policy was loaded;
//   - uncached/<set>: the decision cache off, every check new to Casbin.
//
// hit-% is the share of checks the decision cache answered.
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
	size := e.CacheStats().Size
	if n := distinct(mix); n <= size {
		b.Fatalf("the mix holds %d distinct questions, no more than the cache (%d): it would measure no eviction", n, size)
	}
	b.Logf("%d assignments; decision cache of %d; mix of %d checks (%d distinct): %d allowed (%d distinct), %d denied (%d distinct)",
		len(ds.Assignments), size, len(mix), distinct(mix), len(allow), distinct(allow), len(deny), distinct(deny))

	b.Run("casbin-own", benchCasbinOwn)
	sets := []struct {
		name   string
		checks []rbacbench.Check
	}{{"allow", allow}, {"deny", deny}, {"mix", mix}}
	for _, s := range sets {
		for _, kind := range []struct {
			name string
			draw func([]rbacbench.Check, int, uint64) *rbacbench.Stream
		}{{"uniform", rbacbench.Uniform}, {"skewed", rbacbench.Skewed}} {
			st := kind.draw(s.checks, streamLen, 7)
			if kind.name == "skewed" && s.name == "mix" {
				b.Logf("skewed streams: the most asked tenth of the mix takes %.0f%% of the draws", 100*st.TopShare())
			}
			// Asked once untimed before the first run that uses it (a run
			// left out by -bench costs nothing).
			warm := sync.OnceValue(func() error { return rbacbench.Warm(e, st) })
			name := "warm/" + s.name + "/" + kind.name
			b.Run(name, func(b *testing.B) {
				if err := warm(); err != nil {
					b.Fatal(err)
				}
				rbacbench.RunStream(b, e, st)
			})
			if s.name == "mix" {
				b.Run(name+"/parallel", func(b *testing.B) {
					if err := warm(); err != nil {
						b.Fatal(err)
					}
					rbacbench.RunStreamParallel(b, e, st)
				})
			}
		}
	}
	full := heapAlloc()
	held := e.CacheStats().Held
	if err := e.SetDecisionCache(true); err != nil { // empties it
		b.Fatal(err)
	}
	empty := heapAlloc()
	if held > 0 {
		b.Logf("heap %.1f MB with %d cached decisions, %.1f MB with none: %.0f bytes a decision",
			float64(full)/(1<<20), held, float64(empty)/(1<<20), (float64(full)-float64(empty))/float64(held))
	}

	for _, s := range sets {
		b.Run("fresh/"+s.name, func(b *testing.B) { rbacbench.RunFresh(b, e, s.checks) })
	}
	if err := e.SetDecisionCache(false); err != nil {
		b.Fatal(err)
	}
	for _, s := range sets {
		b.Run("uncached/"+s.name, func(b *testing.B) { rbacbench.Run(b, e, s.checks) })
	}
	if err := e.SetDecisionCache(true); err != nil {
		b.Fatal(err)
	}
	b.Run("casbin-own-again", benchCasbinOwn)
}

// benchCasbinOwn is Casbin's own BenchmarkRBACModelWithDomains as its
// model_b_test.go runs it: the RBAC-with-domains example model and policy of
// the Casbin module go.mod pins, a plain Enforcer (no cache, log off), and
// alice reading data1 in domain1 again and again.
func benchCasbinOwn(b *testing.B) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/casbin/casbin/v2").Output()
	if err != nil {
		b.Fatalf("locating the casbin module: %v", err)
	}
	examples := filepath.Join(strings.TrimSpace(string(out)), "examples")
	ce, err := casbin.NewEnforcer(filepath.Join(examples, "rbac_with_domains_model.conf"),
		filepath.Join(examples, "rbac_with_domains_policy.csv"), false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer rbacbench.CPU(b)()
	for i := 0; i < b.N; i++ {
		if ok, err := ce.Enforce("alice", "domain1", "data1", "read"); err != nil || !ok {
			b.Fatalf("Casbin's example: %v, %v", ok, err)
		}
	}
}

// distinct counts the distinct questions of checks.
func distinct(checks []rbacbench.Check) int {
	seen := make(map[rbacbench.Check]struct{}, len(checks))
	for _, c := range checks {
		seen[c] = struct{}{}
	}
	return len(seen)
}

// heapAlloc is the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
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
