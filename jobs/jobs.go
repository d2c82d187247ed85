// Package jobs runs the scheduled work of the service (robfig/cron) so that
// each job runs once per tick across every replica: the first replica to
// record a tick in job_runs (unique per job and tick) runs it, and a lease in
// job_locks, kept alive while the job runs, stops a slow run from overlapping
// the next tick on another replica. Every run is recorded; the last success
// of each job is exported from the database, so any replica reports it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"safetypilot/modules/apperr"
	"safetypilot/modules/db"
)

// Job is one kind of scheduled work. Run must be idempotent: it may be run
// again by hand at any time.
type Job struct {
	Name     string
	Schedule string // cron spec, e.g. "*/5 * * * *" or "@every 5m"
	Run      func(ctx context.Context) (string, error)
}

// Run is a recorded execution.
type Run struct {
	ID         int64      `db:"id" json:"id"`
	Job        string     `db:"job" json:"job"`
	Tick       string     `db:"tick" json:"tick"`
	Replica    string     `db:"replica" json:"replica"`
	StartedAt  time.Time  `db:"started_at" json:"started_at"`
	FinishedAt *time.Time `db:"finished_at" json:"finished_at"`
	Status     string     `db:"status" json:"status"`
	Detail     string     `db:"detail" json:"detail"`
}

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped" // another replica still held the lease
	// StatusAbandoned closes a run whose replica stopped mid-run (killed,
	// or cut off from the database): its lease expired unrenewed.
	StatusAbandoned = "abandoned"
)

// Runner schedules the jobs of this replica.
type Runner struct {
	db      *db.DB
	log     *slog.Logger
	replica string
	lease   time.Duration
	jobs    map[string]Job
	cron    *cron.Cron
	runs    *prometheus.CounterVec
	wg      sync.WaitGroup
}

// NewRunner prepares a scheduler; replica names this process in job_runs.
func NewRunner(database *db.DB, log *slog.Logger, reg prometheus.Registerer) *Runner {
	host, _ := os.Hostname()
	r := &Runner{
		db: database, log: log, replica: host + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano()%100000, 10),
		lease: 2 * time.Minute, jobs: map[string]Job{},
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pilot_job_runs_total",
			Help: "Job runs started by this replica, by job and outcome.",
		}, []string{"job", "status"}),
	}
	reg.MustRegister(r.runs, &lastSuccessCollector{db: database,
		success:  prometheus.NewDesc("pilot_job_last_success_timestamp_seconds", "When each job last succeeded on any replica (Unix time).", []string{"job"}, nil),
		duration: prometheus.NewDesc("pilot_job_last_duration_seconds", "How long each job's last successful run took.", []string{"job"}, nil),
	})
	return r
}

// Replica is this process's name in the run records.
func (r *Runner) Replica() string { return r.replica }

// Add registers a job; it is scheduled by Start.
func (r *Runner) Add(j Job) error {
	if _, err := cron.ParseStandard(j.Schedule); err != nil {
		return fmt.Errorf("jobs: schedule of %s: %w", j.Name, err)
	}
	if strings.HasPrefix(j.Schedule, "@every") {
		// Intervals start when each replica starts, so ticks would not line up.
		return fmt.Errorf("jobs: schedule of %s: use a wall-clock spec such as \"*/5 * * * *\", not @every", j.Name)
	}
	r.jobs[j.Name] = j
	// Every outcome's series exists at 0 from the start, so the first
	// failure after a restart shows in increase() and the alerts.
	for _, status := range []string{StatusSucceeded, StatusFailed, StatusSkipped, StatusAbandoned} {
		r.runs.WithLabelValues(j.Name, status)
	}
	return nil
}

// Start schedules every job until Stop.
func (r *Runner) Start() {
	r.cron = cron.New(cron.WithChain(cron.Recover(cronLogger{r.log}), cron.SkipIfStillRunning(cronLogger{r.log})))
	for _, j := range r.jobs {
		j := j
		sched, _ := cron.ParseStandard(j.Schedule)
		r.cron.Schedule(sched, cron.FuncJob(func() {
			// Wall-clock schedules fire in the same minute on every replica,
			// so the minute names the tick everywhere.
			tick := time.Now().UTC().Truncate(time.Minute)
			r.wg.Add(1)
			defer r.wg.Done()
			switch _, err := r.runTick(context.Background(), j, tick.Format(time.RFC3339)); {
			case errors.Is(err, errTickTaken):
				r.log.Debug("tick taken by another replica", "job", j.Name)
			case err != nil:
				r.log.Error("job failed", "job", j.Name, "err", err)
			}
		}))
	}
	r.cron.Start()
}

// Stop waits for running jobs to finish.
func (r *Runner) Stop() {
	if r.cron != nil {
		<-r.cron.Stop().Done()
	}
	r.wg.Wait()
}

// ErrUnknownJob is returned for a job name nobody registered.
var ErrUnknownJob = &apperr.Error{Status: 404, Code: "not_found", Message: "没有该任务"}

// RunNow runs a job at once (an administrator's trigger) and returns its record.
func (r *Runner) RunNow(ctx context.Context, name string) (Run, error) {
	j, ok := r.jobs[name]
	if !ok {
		return Run{}, ErrUnknownJob
	}
	return r.runTick(ctx, j, "manual-"+time.Now().UTC().Format(time.RFC3339Nano))
}

// errTickTaken means another replica already claimed this tick.
var errTickTaken = errors.New("tick taken")

// runTick claims the tick, takes the lease, runs the job and records the outcome.
func (r *Runner) runTick(ctx context.Context, j Job, tick string) (Run, error) {
	run := Run{Job: j.Name, Tick: tick, Replica: r.replica, StartedAt: db.Now(), Status: StatusRunning}
	res, err := r.db.ExecContext(ctx, `INSERT INTO job_runs (job, tick, replica, started_at, status, detail) VALUES (?, ?, ?, ?, ?, '')`,
		run.Job, run.Tick, run.Replica, run.StartedAt, run.Status)
	if db.IsDuplicate(err) {
		return run, errTickTaken
	}
	if err != nil {
		return run, fmt.Errorf("jobs: record run: %w", err)
	}
	run.ID, _ = res.LastInsertId()

	held, err := r.acquire(ctx, j.Name)
	if err != nil {
		return run, err
	}
	if !held {
		run.Status, run.Detail = StatusSkipped, "上一次运行尚未结束（其他副本持有租约）"
		return run, r.finish(ctx, &run)
	}
	if err := r.abandonStale(ctx, j.Name, run.ID); err != nil {
		r.log.Error("closing abandoned job runs failed", "job", j.Name, "err", err)
	}
	leaseCtx, stopLease := context.WithCancel(ctx)
	go r.keepLease(leaseCtx, j.Name)
	detail, jobErr := j.Run(ctx)
	stopLease()
	r.release(context.WithoutCancel(ctx), j.Name)

	run.Status, run.Detail = StatusSucceeded, detail
	if jobErr != nil {
		// The cause goes to the log; the record says only that it failed.
		r.log.Error("job run failed", "job", j.Name, "tick", tick, "err", jobErr)
		run.Status, run.Detail = StatusFailed, "任务运行失败，原因见服务日志"
	}
	if err := r.finish(context.WithoutCancel(ctx), &run); err != nil {
		return run, err
	}
	if jobErr != nil {
		return run, jobErr
	}
	return run, nil
}

// abandonStale closes the runs of a job that a replica left running when it
// stopped mid-run. This run has just taken the job's lease, so no other run
// of the job still holds it, and a live run older than one lease would have
// renewed it; younger rows are left alone, since another replica may have
// recorded its tick and not yet asked for the lease. The work itself is
// picked up by this run: jobs are idempotent.
func (r *Runner) abandonStale(ctx context.Context, name string, current int64) error {
	now := db.Now()
	res, err := r.db.ExecContext(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, detail = ?
		WHERE job = ? AND status = ? AND id <> ? AND started_at < ?`,
		StatusAbandoned, now, "运行中断（所在副本停止，租约过期未续）；后续运行已接续处理",
		name, StatusRunning, current, now.Add(-r.lease))
	if err != nil {
		return fmt.Errorf("jobs: abandon stale runs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		r.runs.WithLabelValues(name, StatusAbandoned).Add(float64(n))
		r.log.Warn("job runs left running by a stopped replica closed as abandoned", "job", name, "runs", n)
	}
	return nil
}

func (r *Runner) finish(ctx context.Context, run *Run) error {
	now := db.Now()
	run.FinishedAt = &now
	r.runs.WithLabelValues(run.Job, run.Status).Inc()
	_, err := r.db.ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, status = ?, detail = ? WHERE id = ?`,
		now, run.Status, truncate(run.Detail, 4000), run.ID)
	if err != nil {
		return fmt.Errorf("jobs: finish run: %w", err)
	}
	return nil
}

// acquire takes the job's lease if it is free or expired.
func (r *Runner) acquire(ctx context.Context, name string) (bool, error) {
	now := db.Now()
	res, err := r.db.ExecContext(ctx, `UPDATE job_locks SET holder = ?, expires_at = ? WHERE name = ? AND (expires_at < ? OR holder = ?)`,
		r.replica, now.Add(r.lease), name, now, r.replica)
	if err != nil {
		return false, fmt.Errorf("jobs: lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	_, err = r.db.ExecContext(ctx, `INSERT INTO job_locks (name, holder, expires_at) VALUES (?, ?, ?)`, name, r.replica, now.Add(r.lease))
	if db.IsDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: lease: %w", err)
	}
	return true, nil
}

// keepLease renews the lease until ctx ends, so a long run keeps it.
func (r *Runner) keepLease(ctx context.Context, name string) {
	t := time.NewTicker(r.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.db.ExecContext(ctx, `UPDATE job_locks SET expires_at = ? WHERE name = ? AND holder = ?`,
				db.Now().Add(r.lease), name, r.replica); err != nil && ctx.Err() == nil {
				r.log.Error("job lease renewal failed", "job", name, "err", err)
			}
		}
	}
}

func (r *Runner) release(ctx context.Context, name string) {
	if _, err := r.db.ExecContext(ctx, `UPDATE job_locks SET expires_at = ? WHERE name = ? AND holder = ?`,
		time.Unix(0, 0).UTC(), name, r.replica); err != nil {
		r.log.Error("job lease release failed", "job", name, "err", err)
	}
}

// Runs lists a job's recent runs, newest first.
func (r *Runner) Runs(ctx context.Context, name string, limit int) ([]Run, error) {
	out := []Run{}
	err := r.db.SelectContext(ctx, &out, `SELECT id, job, tick, replica, started_at, finished_at, status, detail
		FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?`, name, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: runs: %w", err)
	}
	return out, nil
}

// Names lists the registered jobs.
func (r *Runner) Names() []string {
	var out []string
	for n := range r.jobs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// lastSuccessCollector exports each job's last success from job_runs.
type lastSuccessCollector struct {
	db                *db.DB
	success, duration *prometheus.Desc
}

func (c *lastSuccessCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.success
	ch <- c.duration
}

func (c *lastSuccessCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var rows []Run
	err := c.db.SelectContext(ctx, &rows, `SELECT r.id, r.job, r.tick, r.replica, r.started_at, r.finished_at, r.status, '' AS detail
		FROM job_runs r WHERE r.id IN (SELECT MAX(id) FROM job_runs WHERE status = ? GROUP BY job)`, StatusSucceeded)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.success, err)
		return
	}
	for _, r := range rows {
		if r.FinishedAt == nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, float64(r.FinishedAt.UnixNano())/1e9, r.Job)
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, r.FinishedAt.Sub(r.StartedAt).Seconds(), r.Job)
	}
}
