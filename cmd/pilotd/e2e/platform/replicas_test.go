package platform_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db/dbtest"
	"safetypilot/modules/seeds"
)

// TestReplicas: three replicas on one machine share one MariaDB database as a
// deployment's pods do. Started together, they migrate once; a session made
// on one works on the others and ends on all when signed out on one; a role
// granted on one is enforced on the others within seconds, and so is its
// revocation; the scheduled jobs run once per cron tick across all three;
// jobs triggered on two replicas at once are both recorded without
// overlapping; and every replica shuts down cleanly.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real cron ticks of three replicas: skipped with -short")
	}
	t.Parallel()
	dbtest.RequireMySQL(t)
	if testing.Short() {
		t.Skip("waits for a real cron minute")
	}
	const county = "340102"
	reps := e2e.StartReplicas(t, sameDatabase(t, 3))
	started := time.Now()
	r1, r2, r3 := reps[0], reps[1], reps[2]
	ctx := context.Background()

	{
		t.Log("migrations ran once")
		var dup []struct {
			Version int64 `db:"version_id"`
			N       int   `db:"n"`
		}
		if err := r1.Svc.DB.SelectContext(ctx, &dup, `SELECT version_id, COUNT(*) AS n FROM goose_db_version
			GROUP BY version_id HAVING COUNT(*) > 1`); err != nil {
			t.Fatal(err)
		}
		if len(dup) > 0 {
			t.Errorf("migrations recorded more than once: %+v", dup)
		}
		versions := r1.CountRows(`SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`)
		if n := r1.CountRows(`SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0 AND is_applied = 1`); n != versions {
			t.Errorf("%d of %d migrations applied", n, versions)
		}
		total, migrators := 0, 0
		for _, r := range reps {
			total += r.Migrated
			if r.Migrated > 0 {
				migrators++
			}
		}
		if total != versions || migrators != 1 {
			t.Errorf("replicas applied %d, %d, %d migrations; want all %d by exactly one",
				r1.Migrated, r2.Migrated, r3.Migrated, versions)
		}
		sqlFiles, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "modules", "db", "migrations", "mysql", "*.sql"))
		if err != nil || versions != len(sqlFiles)+len(seeds.All()) {
			t.Errorf("%d migrations recorded, want %d SQL files and %d seeds", versions, len(sqlFiles), len(seeds.All()))
		}
		if n := r1.CountRows(`SELECT COUNT(*) FROM goose_lock WHERE locked`); n != 0 {
			t.Errorf("the migration lock is still held")
		}
		for _, r := range reps {
			if current, err := r.Svc.Migrator.Current(ctx); err != nil || !current {
				t.Errorf("replica %d: schema current %v (%v)", r.N, current, err)
			}
			r.Must(200, r.Call("GET", "/healthz", "", nil))
			if res := r.Must(200, r.Call("GET", "/readyz", "", nil)); res.Body["status"] != "ready" {
				t.Errorf("replica %d: /readyz %s", r.N, res.Raw)
			}
		}
		// The bootstrap administrator was created once, though all three
		// started with its password.
		if n := r1.CountRows(`SELECT COUNT(*) FROM users WHERE username = 'admin'`); n != 1 {
			t.Errorf("%d bootstrap administrators", n)
		}
	}

	{
		t.Log("sessions are shared")
		token := r1.SignIn("admin", e2e.AdminPassword)
		for _, r := range []*e2e.Replica{r2, r3} {
			res := r.Must(200, r.Call("GET", "/api/v1/session", token, nil))
			if user, _ := res.Body["user"].(map[string]any); user["username"] != "admin" {
				t.Errorf("replica %d: session %s", r.N, res.Raw)
			}
		}
		// Signed out on the third, the session ends on every replica.
		r3.Must(204, r3.Call("DELETE", "/api/v1/session", token, nil))
		for _, r := range reps {
			r.Must(401, r.Call("GET", "/api/v1/session", token, nil))
		}
	}

	// A county with its administrator (signed in on replica 1), and a clerk
	// created there, who signs in on replica 2 and changes the one-time
	// password on replica 3.
	countyAdmin := r1.Onboard("34", county)
	created := r1.Must(201, r1.Call("POST", "/api/v1/counties/"+county+"/users", countyAdmin,
		map[string]any{"username": "clerk_replicas", "display_name": "多副本测试", "roles": []string{"county_clerk"}}))
	clerkID := e2e.Itoa(int64(created.Body["id"].(float64)))
	clerk := r2.SignIn("clerk_replicas", created.Body["initial_password"].(string))
	r3.Must(204, r3.Call("POST", "/api/v1/session/password", clerk,
		map[string]string{"current_password": created.Body["initial_password"].(string), "new_password": "Clerk#Replica2026"}))

	{
		t.Log("roles are enforced everywhere within seconds")
		// Reviewing a disclosure record needs disclosure:review, which a clerk
		// lacks and a reviewer has. The record does not exist: an allowed
		// caller gets 404, a refused one 403, and nothing is changed.
		probe := func(r *e2e.Replica) int {
			return r.Call("POST", "/api/v1/counties/"+county+"/disclosures/999999999/review", clerk,
				map[string]string{"decision": "approve"}).Status
		}
		for _, r := range reps {
			if got := probe(r); got != 403 {
				t.Fatalf("replica %d: the clerk reviews before the grant: %d", r.N, got)
			}
		}
		r2.Must(200, r2.Call("POST", "/api/v1/counties/"+county+"/users/"+clerkID+"/roles", countyAdmin,
			map[string]string{"role": "county_reviewer"}))
		if got := probe(r2); got != 404 {
			t.Fatalf("replica 2, where the role was granted: %d, want 404", got)
		}
		for _, r := range []*e2e.Replica{r3, r1} {
			took := e2e.WaitFor(t, 5*time.Second, fmt.Sprintf("replica %d enforces the grant", r.N), func() bool { return probe(r) == 404 })
			t.Logf("grant on replica 2 enforced on replica %d after %s", r.N, took.Round(time.Millisecond))
		}

		r3.Must(204, r3.Call("DELETE", "/api/v1/counties/"+county+"/users/"+clerkID+"/roles/county_reviewer", countyAdmin, nil))
		if got := probe(r3); got != 403 {
			t.Fatalf("replica 3, where the role was revoked: %d, want 403", got)
		}
		for _, r := range []*e2e.Replica{r1, r2} {
			took := e2e.WaitFor(t, 5*time.Second, fmt.Sprintf("replica %d enforces the revocation", r.N), func() bool { return probe(r) == 403 })
			t.Logf("revocation on replica 3 enforced on replica %d after %s", r.N, took.Round(time.Millisecond))
		}
	}
	if t.Failed() {
		return
	}

	names := map[string]int{}
	for _, r := range reps {
		names[r.Svc.Jobs.Replica()] = r.N
	}
	if len(names) != 3 {
		t.Fatalf("replicas share a name: %v", names)
	}
	admin := r1.SignIn("admin", e2e.AdminPassword)

	{
		t.Log("scheduled jobs run once per tick")
		// The first minute that every replica's scheduler saw begin.
		tick := started.UTC().Truncate(time.Minute).Add(time.Minute)
		label := tick.Format(time.RFC3339)
		t.Logf("waiting for the cron tick %s", label)
		e2e.WaitFor(t, time.Until(tick)+45*time.Second, "both jobs of tick "+label+" finished", func() bool {
			return r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE tick = ? AND job IN ('overdue', 'reports') AND finished_at IS NOT NULL`, label) == 2
		})
		for _, job := range []string{"overdue", "reports"} {
			var runs []struct {
				Replica string `db:"replica"`
				Status  string `db:"status"`
			}
			if err := r1.Svc.DB.SelectContext(ctx, &runs, `SELECT replica, status FROM job_runs WHERE job = ? AND tick = ?`, job, label); err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].Status != "succeeded" || names[runs[0].Replica] == 0 {
				t.Errorf("job %s, tick %s: runs %+v; want one succeeded run by one of %v", job, label, runs, names)
			} else {
				t.Logf("job %s, tick %s: run by replica %d", job, label, names[runs[0].Replica])
			}
		}
		// However many ticks passed, each job's runs were started by one
		// replica each: the replicas' run counters add up to the recorded runs
		// (the losers of a tick count nothing).
		for _, job := range []string{"overdue", "reports"} {
			recorded := r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = ? AND finished_at IS NOT NULL`, job)
			ticks := r1.CountRows(`SELECT COUNT(DISTINCT tick) FROM job_runs WHERE job = ?`, job)
			counted := 0.0
			for _, r := range reps {
				body := r.Must(200, r.Call("GET", "/metrics", "", nil)).Raw
				for _, status := range []string{"succeeded", "failed", "skipped"} {
					v, _ := e2e.MetricValue(body, "pilot_job_runs_total", `job="`+job+`",status="`+status+`"`)
					counted += v
				}
			}
			if ticks != recorded || counted != float64(recorded) {
				t.Errorf("job %s: %d ticks, %d runs recorded, %v counted by the replicas", job, ticks, recorded, counted)
			}
		}
		if n := r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE status <> 'succeeded'`); n != 0 {
			t.Errorf("%d scheduled runs did not succeed", n)
		}
	}

	{
		t.Log("jobs triggered on two replicas at once")
		before := r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue'`)
		results := make([]e2e.Response, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, r := range []*e2e.Replica{r1, r2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = r.Call("POST", "/api/v1/jobs/overdue/run", admin, nil)
			}()
		}
		close(start)
		wg.Wait()
		succeeded := 0
		ticks := map[string]bool{}
		replicas := map[string]bool{}
		for i, res := range results {
			if res.Status != 200 {
				t.Fatalf("trigger on replica %d: %d %s", i+1, res.Status, res.Raw)
			}
			tick, _ := res.Body["tick"].(string)
			ticks[tick] = strings.HasPrefix(tick, "manual-")
			replicas[fmt.Sprint(res.Body["replica"])] = true
			switch res.Body["status"] {
			case "succeeded":
				succeeded++
			case "skipped": // the other replica held the lease
			default:
				t.Errorf("trigger on replica %d: %s", i+1, res.Raw)
			}
		}
		if succeeded == 0 || len(ticks) != 2 || !ticks[fmt.Sprint(results[0].Body["tick"])] || !ticks[fmt.Sprint(results[1].Body["tick"])] || len(replicas) != 2 {
			t.Errorf("triggered runs: %s / %s", results[0].Raw, results[1].Raw)
		}
		if got := r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue' AND tick LIKE 'manual-%' AND finished_at IS NOT NULL`); got != 2 ||
			r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE job = 'overdue'`) < before+2 {
			t.Errorf("%d triggered runs recorded, want 2", got)
		}
		// Both ran under the lease, one after the other: it is free again.
		if n := r1.CountRows(`SELECT COUNT(*) FROM job_locks WHERE name = 'overdue' AND expires_at > UTC_TIMESTAMP(6)`); n != 0 {
			t.Errorf("the overdue lease is still held")
		}
	}

	{
		t.Log("clean shutdown")
		errs := make([]error, len(reps))
		var wg sync.WaitGroup
		for i, r := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = r.Stop()
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if _, err := r.Try("GET", "/healthz", "", nil); err == nil {
				t.Errorf("replica %d still answers after shutdown", r.N)
			}
		}
		// Nothing was left running: no job run is unfinished.
		if n := r1.CountRows(`SELECT COUNT(*) FROM job_runs WHERE finished_at IS NULL`); n != 0 {
			t.Errorf("%d job runs left unfinished", n)
		}
	}
	t.Logf("three replicas: %s in all", time.Since(started).Round(time.Second))
	if t.Failed() {
		for _, r := range reps {
			t.Logf("replica %d log:\n%s", r.N, e2e.Tail(r.Logs(), 40))
		}
	}
}

// sameDatabase is n DSNs of one fresh MariaDB database, one per replica.
func sameDatabase(t *testing.T, n int) []string {
	t.Helper()
	dsn := dbtest.CreateMySQLDatabase(t)
	dsns := make([]string, n)
	for i := range dsns {
		dsns[i] = dsn
	}
	return dsns
}
