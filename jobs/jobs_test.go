package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// newTestRunner is a replica's runner with its own registry and a fixed name.
func newTestRunner(t *testing.T, d *db.DB, name string) (*Runner, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	r := NewRunner(d, slog.New(slog.NewTextHandler(io.Discard, nil)), reg)
	r.replica = name
	return r, reg
}

func addJob(t *testing.T, r *Runner, j Job) Job {
	t.Helper()
	if err := r.Add(j); err != nil {
		t.Fatalf("add: %v", err)
	}
	return r.jobs[j.Name]
}

func countRuns(t *testing.T, d *db.DB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Get(&n, `SELECT COUNT(*) FROM job_runs WHERE `+where, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTickRunsOnceAcrossReplicas: two replicas whose schedules fire in the
// same minute both try the tick; exactly one runs it, the other is told the
// tick is taken, and the job's work happens once.
func TestTickRunsOnceAcrossReplicas(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, dbA, dbB *db.DB) {
		var executions atomic.Int32
		job := Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			executions.Add(1)
			time.Sleep(20 * time.Millisecond) // long enough for the other replica to arrive
			return "done", nil
		}}
		a, _ := newTestRunner(t, dbA, "replica-a")
		b, _ := newTestRunner(t, dbB, "replica-b")
		ja, jb := addJob(t, a, job), addJob(t, b, job)

		const ticks = 12
		wins := map[string]int{}
		for i := 0; i < ticks; i++ {
			tick := time.Date(2026, 11, 26, 9, 5*i, 0, 0, time.UTC).Format(time.RFC3339)
			var wg sync.WaitGroup
			start := make(chan struct{})
			runs := make([]Run, 2)
			errs := make([]error, 2)
			for k, rr := range []struct {
				r *Runner
				j Job
			}{{a, ja}, {b, jb}} {
				wg.Add(1)
				go func(k int, r *Runner, j Job) {
					defer wg.Done()
					<-start
					runs[k], errs[k] = r.runTick(context.Background(), j, tick)
				}(k, rr.r, rr.j)
			}
			close(start)
			wg.Wait()
			ran, taken := -1, 0
			for k := range runs {
				switch {
				case errs[k] == nil && runs[k].Status == StatusSucceeded:
					if ran >= 0 {
						t.Fatalf("tick %s run by both replicas", tick)
					}
					ran = k
				case errors.Is(errs[k], errTickTaken):
					taken++
				default:
					t.Fatalf("tick %s, replica %d: %+v %v", tick, k, runs[k], errs[k])
				}
			}
			if ran < 0 || taken != 1 {
				t.Fatalf("tick %s: ran %d, taken %d", tick, ran, taken)
			}
			wins[runs[ran].Replica]++
			if n := countRuns(t, dbA, `job = ? AND tick = ?`, "overdue", tick); n != 1 {
				t.Fatalf("tick %s recorded %d times", tick, n)
			}
			var rec Run
			if err := dbB.Get(&rec, `SELECT id, job, tick, replica, started_at, finished_at, status, detail FROM job_runs WHERE tick = ?`, tick); err != nil {
				t.Fatal(err)
			}
			if rec.Status != StatusSucceeded || rec.Detail != "done" || rec.Replica != runs[ran].Replica || rec.FinishedAt == nil ||
				rec.FinishedAt.Before(rec.StartedAt) {
				t.Errorf("record of tick %s: %+v", tick, rec)
			}
		}
		if got := executions.Load(); got != ticks {
			t.Errorf("the job ran %d times for %d ticks", got, ticks)
		}
		t.Logf("ticks won: %v", wins)
	})
}

// TestScheduledTickAcrossReplicas: the real schedule. Two started replicas
// fire on the same wall-clock minute; the job runs once and the tick is
// recorded once, named by that minute. (Waits for the next minute: ≤ 62 s.)
func TestScheduledTickAcrossReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a real cron tick, up to a minute: skipped with -short")
	}
	t.Parallel()
	dbA, dbB := dbtest.OpenReplicas(t, db.SQLite)
	var executions atomic.Int32
	ran := make(chan struct{}, 2)
	var runners []*Runner
	for _, x := range []struct {
		d    *db.DB
		name string
	}{{dbA, "replica-a"}, {dbB, "replica-b"}} {
		r, _ := newTestRunner(t, x.d, x.name)
		addJob(t, r, Job{Name: "overdue", Schedule: "* * * * *", Run: func(ctx context.Context) (string, error) {
			executions.Add(1)
			ran <- struct{}{}
			return "scheduled", nil
		}})
		runners = append(runners, r)
	}
	for _, r := range runners {
		r.Start()
	}
	select {
	case <-ran:
	case <-time.After(65 * time.Second):
		t.Fatal("no scheduled run within 65 s")
	}
	time.Sleep(2 * time.Second) // the other replica's attempt at the same tick
	for _, r := range runners {
		r.Stop()
	}
	if got := executions.Load(); got != 1 {
		t.Fatalf("the job ran %d times", got)
	}
	var runs []Run
	if err := dbB.Select(&runs, `SELECT id, job, tick, replica, started_at, finished_at, status, detail FROM job_runs`); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != StatusSucceeded || runs[0].Detail != "scheduled" {
		t.Fatalf("runs: %+v", runs)
	}
	tick, err := time.Parse(time.RFC3339, runs[0].Tick)
	if err != nil || !tick.Equal(tick.Truncate(time.Minute)) || runs[0].StartedAt.Sub(tick) < 0 || runs[0].StartedAt.Sub(tick) > 5*time.Second {
		t.Errorf("tick %q for a run started at %v", runs[0].Tick, runs[0].StartedAt)
	}
}

// TestLeaseSkipsOverlappingRun: while one replica's run holds the job's lease
// (renewed past its length), a run started on another replica is recorded as
// skipped without doing the work; once the lease is released it runs.
func TestLeaseSkipsOverlappingRun(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, dbA, dbB *db.DB) {
		started, release := make(chan struct{}), make(chan struct{})
		var onA, onB atomic.Int32
		a, _ := newTestRunner(t, dbA, "replica-a")
		b, regB := newTestRunner(t, dbB, "replica-b")
		a.lease = 300 * time.Millisecond // renewed every 100 ms while the job runs
		addJob(t, a, Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			onA.Add(1)
			close(started)
			<-release
			return "slow run done", nil
		}})
		addJob(t, b, Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			onB.Add(1)
			return "quick run", nil
		}})

		var slow Run
		var slowErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			slow, slowErr = a.runTick(context.Background(), a.jobs["overdue"], "2026-11-26T09:05:00Z")
		}()
		<-started
		// Three lease lengths later the lease is still held: it was renewed.
		time.Sleep(3 * a.lease)
		skipped, err := b.RunNow(context.Background(), "overdue")
		if err != nil {
			t.Fatalf("manual run on the other replica: %v", err)
		}
		if skipped.Status != StatusSkipped || skipped.Detail == "" || skipped.FinishedAt == nil || onB.Load() != 0 {
			t.Errorf("manual run during the other replica's run: %+v (job ran %d times)", skipped, onB.Load())
		}
		if n := countRuns(t, dbA, `id = ? AND status = ? AND replica = ? AND tick LIKE 'manual-%'`, skipped.ID, StatusSkipped, "replica-b"); n != 1 {
			t.Errorf("the skipped run is not recorded as skipped")
		}
		if got := counterValue(t, regB, "pilot_job_runs_total", map[string]string{"job": "overdue", "status": "skipped"}); got != 1 {
			t.Errorf("pilot_job_runs_total{status=skipped} = %v", got)
		}

		close(release)
		<-done
		if slowErr != nil || slow.Status != StatusSucceeded || slow.Detail != "slow run done" {
			t.Fatalf("slow run: %+v %v", slow, slowErr)
		}
		// Released at once: the next manual run on B does the work.
		again, err := b.RunNow(context.Background(), "overdue")
		if err != nil || again.Status != StatusSucceeded || again.Detail != "quick run" || onB.Load() != 1 {
			t.Errorf("run after the lease was released: %+v %v", again, err)
		}
		if n := countRuns(t, dbA, `job = 'overdue'`); n != 3 {
			t.Errorf("%d runs recorded, want 3", n)
		}
	})
}

// TestExpiredLeaseIsTaken: a replica that died holding the lease blocks the
// job only until the lease expires.
func TestExpiredLeaseIsTaken(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, dbA, _ *db.DB) {
		var ran atomic.Int32
		a, _ := newTestRunner(t, dbA, "replica-a")
		addJob(t, a, Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			ran.Add(1)
			return "ok", nil
		}})
		if _, err := dbA.Exec(`INSERT INTO job_locks (name, holder, expires_at) VALUES (?, ?, ?)`,
			"overdue", "dead-replica", db.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if r, err := a.RunNow(context.Background(), "overdue"); err != nil || r.Status != StatusSkipped || ran.Load() != 0 {
			t.Fatalf("run while a live lease is held: %+v %v", r, err)
		}
		if _, err := dbA.Exec(`UPDATE job_locks SET expires_at = ? WHERE name = ?`, db.Now().Add(-time.Second), "overdue"); err != nil {
			t.Fatal(err)
		}
		if r, err := a.RunNow(context.Background(), "overdue"); err != nil || r.Status != StatusSucceeded || ran.Load() != 1 {
			t.Fatalf("run after the lease expired: %+v %v", r, err)
		}
		var holder string
		if err := dbA.Get(&holder, `SELECT holder FROM job_locks WHERE name = 'overdue'`); err != nil || holder != "replica-a" {
			t.Errorf("lease holder %q %v", holder, err)
		}
	})
}

// TestAbandonedRunClosed: a replica killed mid-run leaves its run
// "running" and its lease unrenewed; the next run to take the lease closes
// that run as abandoned and does the work, while a run recorded a moment ago
// by another replica (which may not have asked for the lease yet) is left
// alone.
func TestAbandonedRunClosed(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, dbA, _ *db.DB) {
		var ran atomic.Int32
		a, reg := newTestRunner(t, dbA, "replica-a")
		addJob(t, a, Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			ran.Add(1)
			return "ok", nil
		}})
		now := db.Now()
		for _, row := range []struct {
			tick    string
			started time.Time
		}{{"2026-12-07T01:00:00Z", now.Add(-10 * time.Minute)}, {"2026-12-07T01:05:00Z", now.Add(-10 * time.Second)}} {
			if _, err := dbA.Exec(`INSERT INTO job_runs (job, tick, replica, started_at, status, detail) VALUES ('overdue', ?, 'dead-replica', ?, 'running', '')`,
				row.tick, row.started); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := dbA.Exec(`INSERT INTO job_locks (name, holder, expires_at) VALUES ('overdue', 'dead-replica', ?)`, now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		r, err := a.RunNow(context.Background(), "overdue")
		if err != nil || r.Status != StatusSucceeded || ran.Load() != 1 {
			t.Fatalf("run after a replica died mid-run: %+v %v", r, err)
		}
		if n := countRuns(t, dbA, `job = 'overdue' AND tick = '2026-12-07T01:00:00Z' AND status = 'abandoned' AND finished_at IS NOT NULL`); n != 1 {
			t.Errorf("the dead replica's run is not closed as abandoned (%d)", n)
		}
		if n := countRuns(t, dbA, `job = 'overdue' AND tick = '2026-12-07T01:05:00Z' AND status = 'running'`); n != 1 {
			t.Errorf("a run recorded 10 s ago was closed (%d still running, want 1)", n)
		}
		if got, _ := sample(t, reg, "pilot_job_runs_total", map[string]string{"job": "overdue", "status": StatusAbandoned}); got != 1 {
			t.Errorf("pilot_job_runs_total{status=abandoned} = %v, want 1", got)
		}
	})
}

// TestFailedRunRecorded: a failing job is recorded as failed without its
// cause (which goes to the log), and is not a success in the metrics.
func TestFailedRunRecorded(t *testing.T) {
	dbtest.ForEachReplicaPair(t, func(t *testing.T, dbA, dbB *db.DB) {
		a, regA := newTestRunner(t, dbA, "replica-a")
		_, regB := newTestRunner(t, dbB, "replica-b")
		fail := true
		addJob(t, a, Job{Name: "overdue", Schedule: "*/5 * * * *", Run: func(ctx context.Context) (string, error) {
			if fail {
				return "", fmt.Errorf("secret dsn user:pw@tcp(db) unreachable")
			}
			return "fine", nil
		}})
		r, err := a.RunNow(context.Background(), "overdue")
		if err == nil || r.Status != StatusFailed || r.ID == 0 || strings.Contains(r.Detail, "secret") {
			t.Fatalf("failed run: %+v %v", r, err)
		}
		if n := countRuns(t, dbA, `status = ? AND detail NOT LIKE '%secret%'`, StatusFailed); n != 1 {
			t.Errorf("failed run not recorded as such")
		}
		if _, ok := lastSuccess(t, regB, "overdue"); ok {
			t.Errorf("a failed run is reported as a success")
		}
		// A failure does not keep the lease: the next run goes ahead.
		fail = false
		before := time.Now().Add(-time.Second)
		if r, err := a.RunNow(context.Background(), "overdue"); err != nil || r.Status != StatusSucceeded {
			t.Fatalf("run after a failure: %+v %v", r, err)
		}
		after := time.Now().Add(time.Second)
		// Every replica reports the last success, read from the database.
		for name, reg := range map[string]*prometheus.Registry{"a": regA, "b": regB} {
			v, ok := lastSuccess(t, reg, "overdue")
			if !ok || v < float64(before.UnixNano())/1e9 || v > float64(after.UnixNano())/1e9 {
				t.Errorf("replica %s: last success %v (%v), want between %v and %v", name, v, ok, before, after)
			}
		}
	})
}

// TestRunnerRegistration: schedules are wall-clock specs, names are known.
func TestRunnerRegistration(t *testing.T) {
	r := NewRunner(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	for _, bad := range []string{"", "every five minutes", "@every 5m", "61 * * * *"} {
		if err := r.Add(Job{Name: "x", Schedule: bad}); err == nil {
			t.Errorf("schedule %q accepted", bad)
		}
	}
	if err := r.Add(Job{Name: "overdue", Schedule: "*/5 * * * *"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(Job{Name: "reports", Schedule: "0 1 1 * *"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "overdue,reports" {
		t.Errorf("names %s", got)
	}
	if _, err := r.RunNow(context.Background(), "nosuch"); err != ErrUnknownJob {
		t.Errorf("unknown job: %v", err)
	}
	// Two runners of one process never share a name (the lease is per name).
	other := NewRunner(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	if other.Replica() == r.Replica() || r.Replica() == "" {
		t.Errorf("replica names %q and %q", r.Replica(), other.Replica())
	}
}

// sample reads the value of the sample of metric name whose labels include want.
func sample(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) (float64, bool) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			matched := 0
			for _, l := range m.GetLabel() {
				if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
					matched++
				}
			}
			if matched != len(want) {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue(), true
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	v, _ := sample(t, reg, name, labels)
	return v
}

func lastSuccess(t *testing.T, reg *prometheus.Registry, job string) (float64, bool) {
	t.Helper()
	return sample(t, reg, "pilot_job_last_success_timestamp_seconds", map[string]string{"job": job})
}
