package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"safetypilot/rbac"
)

// permissions the checks ask about: what county staff and province
// leadership do all day, and administrator actions they mostly may not.
var checkPerms = []string{"cases:read", "cases:handle", "cases:approve", "catalog:read", "catalog:edit", "disclosure:read",
	"disclosure:write", "disclosure:review", "reports:read", "users:manage", "counties:approve", "audit:read"}

// benchCasbin loads the national policy into the service's enforcer and
// measures Allowed over a mix of real assignments and foreign regions,
// then runs Casbin's own RBAC-with-domains benchmark on this machine.
func (s *suite) benchCasbin(ctx context.Context, _ *slog.Logger) error {
	t0 := time.Now()
	e, err := rbac.NewEnforcer(ctx, s.db)
	if err != nil {
		return err
	}
	load := time.Since(t0)
	var assignments []struct {
		User   int64  `db:"user_id"`
		Region string `db:"region"`
	}
	if err := s.db.SelectContext(ctx, &assignments, `SELECT user_id, region FROM user_roles`); err != nil {
		return err
	}
	var counties []string
	if err := s.db.SelectContext(ctx, &counties, `SELECT code FROM counties`); err != nil {
		return err
	}
	type check struct {
		user         int64
		region, perm string
	}
	rnd := rand.New(rand.NewSource(1))
	checks := make([]check, 1<<16)
	allowed := 0
	for i := range checks {
		a := assignments[rnd.Intn(len(assignments))]
		region := a.Region
		if len(region) != 6 || rnd.Intn(4) == 0 {
			// Province and national staff act in counties; a quarter of
			// county staff try a county not theirs.
			region = counties[rnd.Intn(len(counties))]
		}
		checks[i] = check{a.User, region, checkPerms[rnd.Intn(len(checkPerms))]}
		ok, err := e.Allowed(checks[i].user, checks[i].region, checks[i].perm)
		if err != nil {
			return err
		}
		if ok {
			allowed++
		}
	}
	measure := func() float64 {
		res := testing.Benchmark(func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := checks[i&(len(checks)-1)]
				if _, err := e.Allowed(c.user, c.region, c.perm); err != nil {
					b.Fatal(err)
				}
			}
		})
		return float64(res.T.Nanoseconds()) / float64(res.N)
	}
	// As served: Casbin's decision cache answers repeated questions (a
	// clerk's pages ask the same few on every request).
	cached := measure()
	// Every question new to Casbin: the cost of a first-time check.
	if err := e.SetDecisionCache(false); err != nil {
		return err
	}
	uncached := measure()
	if err := e.SetDecisionCache(true); err != nil {
		return err
	}
	ref, err := casbinOwnBenchmark(ctx)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("Casbin check, %d domains, %d assignments (%.0f%% allowed)", len(counties), len(assignments), 100*float64(allowed)/float64(len(checks)))
	for _, m := range []struct {
		how string
		ns  float64
	}{{"as served (decision cache)", cached}, {"first-time checks (no cache)", uncached}} {
		s.add(row{name: name + ", " + m.how, value: fmt.Sprintf("%.0f ns/op", m.ns),
			floor: fmt.Sprintf("%.0f ns/op Casbin BenchmarkRBACModelWithDomains", ref),
			ratio: fmt.Sprintf("%.2f×", m.ns/ref), target: "<5 µs and faster than Casbin's", met: verdict(m.ns < 5000 && m.ns < ref)})
	}
	s.note("policy load at startup (NewEnforcer over %d assignments): %s", len(assignments), secs(load))
	return nil
}

var nsPerOp = regexp.MustCompile(`BenchmarkRBACModelWithDomains\S*\s+\d+\s+([0-9.]+) ns/op`)

// casbinOwnBenchmark runs Casbin's benchmark from its module (the version
// go.mod pins) and returns its ns/op.
func casbinOwnBenchmark(ctx context.Context) (float64, error) {
	out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkRBACModelWithDomains$",
		"-benchtime", "2s", "github.com/casbin/casbin/v2").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("casbin's benchmark: %w\n%s", err, out)
	}
	m := nsPerOp.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("casbin's benchmark printed no ns/op:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
