// Command pilotbench runs the national-scale benchmark suite against
// MariaDB/MySQL and prints one table of figures, each beside its floor or
// reference and its target:
//
//	go run ./cmd/pilotbench                          generate if needed, then measure
//	go run ./cmd/pilotbench --dsn 'root@tcp(127.0.0.1:3306)/pilot_national' --duration 30s
//	pilotbench bare --dsn … --addr …                 the bare case-list handler (started by the suite)
//
// It builds pilotd, fills an empty database with `pilotd generate` (2,854
// counties, 100,000 users, 10,000,000 cases, 1,000,000 disclosure records),
// then measures in one run: the overdue pass against its bare SQL, the case
// list under wrk load against a bare net/http handler running the same SQL,
// the Casbin check against Casbin's own RBAC-with-domains benchmark, a
// province report, and the service's resident memory.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"safetypilot/modules/db"
)

type options struct {
	DSN         string
	Cases       int
	Disclosures int
	Users       int
	Duration    time.Duration
	Rate        int
	Connections int
	Sessions    int
	Only        string
	CPUProfile  string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := runBare(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "pilotbench bare:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	fs := flag.NewFlagSet("pilotbench", flag.ExitOnError)
	fs.StringVar(&o.DSN, "dsn", "root@tcp(127.0.0.1:3306)/pilot_national", "MariaDB/MySQL DSN of the benchmark database (created and generated when empty)")
	fs.IntVar(&o.Cases, "cases", 10_000_000, "cases to generate")
	fs.IntVar(&o.Disclosures, "disclosures", 1_000_000, "disclosure records to generate")
	fs.IntVar(&o.Users, "users", 100_000, "staff accounts to generate")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "length of each load run")
	fs.IntVar(&o.Rate, "rate", 500, "request rate of the fixed-rate load runs (requests/s)")
	fs.IntVar(&o.Connections, "connections", 32, "wrk connections")
	fs.IntVar(&o.Sessions, "sessions", 0, "signed-in clerks, each of a different county, that the load rotates through (0: one per county)")
	fs.StringVar(&o.Only, "only", "", "comma-separated subset: overdue,list,casbin,report (default all)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the in-process benchmarks (overdue, casbin, report) to this file")
	_ = fs.Parse(os.Args[1:])
	ctx := context.Background()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pilotbench:", err)
		os.Exit(1)
	}
}

// row is one line of the result table.
type row struct {
	name, value, floor, ratio, target, met string
}

type suite struct {
	o      options
	out    io.Writer
	db     *db.DB
	dir    string
	pilotd string
	// env is pilotd's environment: a fresh secret key each run (the
	// generated accounts have no second factor to decrypt).
	env   []string
	rows  []row
	notes []string
}

func (s *suite) add(r row) {
	s.rows = append(s.rows, r)
	fmt.Fprintf(s.out, "  %s: %s (floor/reference %s, ratio %s, target %s) %s\n", r.name, r.value, r.floor, r.ratio, r.target, r.met)
}

func (s *suite) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	s.notes = append(s.notes, n)
	fmt.Fprintln(s.out, "  "+n)
}

func (s *suite) want(part string) bool {
	if s.o.Only == "" {
		return true
	}
	for _, p := range strings.Split(s.o.Only, ",") {
		if strings.TrimSpace(p) == part {
			return true
		}
	}
	return false
}

func run(ctx context.Context, o options, out io.Writer) error {
	s := &suite{o: o, out: out}
	dir, err := os.MkdirTemp("", "pilotbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s.dir = dir
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	s.env = append(os.Environ(), "PILOT_SECRET_KEY="+base64.StdEncoding.EncodeToString(key))
	if err := ensureDatabase(ctx, o.DSN); err != nil {
		return err
	}
	fmt.Fprintln(out, "==> building pilotd")
	s.pilotd = filepath.Join(dir, "pilotd")
	if err := command(ctx, out, "go", "build", "-o", s.pilotd, "./cmd/pilotd").Run(); err != nil {
		return fmt.Errorf("build pilotd (run pilotbench from the repository root): %w", err)
	}
	fmt.Fprintln(out, "==> generating the national data set (skipped when present)")
	gen := command(ctx, out, s.pilotd, "generate", "--db-dsn", o.DSN, "--log-level", "warn", "--tune-server",
		"--cases", fmt.Sprint(o.Cases), "--disclosures", fmt.Sprint(o.Disclosures), "--users", fmt.Sprint(o.Users))
	gen.Env = s.env
	if err := gen.Run(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if s.db, err = db.Open(ctx, db.Config{DSN: o.DSN, MaxOpenConns: 8}); err != nil {
		return err
	}
	defer s.db.Close()
	if err := s.describe(ctx); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	parts := []struct {
		name string
		run  func(context.Context, *slog.Logger) error
	}{
		{"overdue", s.benchOverdue}, {"casbin", s.benchCasbin}, {"report", s.benchReport}, {"list", s.benchList},
	}
	for _, p := range parts {
		if !s.want(p.name) {
			continue
		}
		fmt.Fprintf(out, "==> %s\n", p.name)
		if err := p.run(ctx, log); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	s.print()
	return nil
}

// describe prints what the database holds and the machine it runs on.
func (s *suite) describe(ctx context.Context) error {
	var counts struct {
		Counties    int `db:"counties"`
		Users       int `db:"users"`
		Roles       int `db:"roles"`
		Cases       int `db:"cases"`
		Steps       int `db:"steps"`
		Disclosures int `db:"disclosures"`
	}
	err := s.db.GetContext(ctx, &counts, `SELECT (SELECT COUNT(*) FROM counties) AS counties, (SELECT COUNT(*) FROM users) AS users,
		(SELECT COUNT(*) FROM user_roles) AS roles, (SELECT MAX(id) FROM cases) AS cases,
		(SELECT COUNT(*) FROM case_steps) AS steps, (SELECT COUNT(*) FROM disclosure_records) AS disclosures`)
	if err != nil {
		return err
	}
	var pool int64
	var version string
	_ = s.db.GetContext(ctx, &pool, `SELECT @@innodb_buffer_pool_size`)
	_ = s.db.GetContext(ctx, &version, `SELECT VERSION()`)
	cpus, _ := exec.Command("nproc").Output()
	s.note("data: %d counties, %d users with %d role assignments, %d cases with %d steps, %d disclosure records",
		counts.Counties, counts.Users, counts.Roles, counts.Cases, counts.Steps, counts.Disclosures)
	s.note("machine: %s CPUs; database %s, innodb_buffer_pool_size %d MB", strings.TrimSpace(string(cpus)), version, pool>>20)
	return nil
}

func (s *suite) print() {
	fmt.Fprintln(s.out)
	fmt.Fprintln(s.out, "| benchmark | SafetyPilot | floor / reference | ratio | target | met |")
	fmt.Fprintln(s.out, "|---|---|---|---|---|---|")
	for _, r := range s.rows {
		fmt.Fprintf(s.out, "| %s | %s | %s | %s | %s | %s |\n", r.name, r.value, r.floor, r.ratio, r.target, r.met)
	}
	fmt.Fprintln(s.out)
	for _, n := range s.notes {
		fmt.Fprintln(s.out, "- "+n)
	}
}

// ensureDatabase creates the benchmark database when it does not exist.
func ensureDatabase(ctx context.Context, dsn string) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("--dsn: %w", err)
	}
	name := cfg.DBName
	if name == "" {
		return fmt.Errorf("--dsn names no database")
	}
	cfg.DBName = ""
	server, err := db.Open(ctx, db.Config{DSN: cfg.FormatDSN(), MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer server.Close()
	_, err = server.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+strings.ReplaceAll(name, "`", "")+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	return err
}

func command(ctx context.Context, out io.Writer, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	return cmd
}

// verdict says whether a figure met its target.
func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// secs shows a duration in seconds, or in milliseconds under one second.
func secs(d time.Duration) string {
	if d < time.Second {
		return ms(d)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// median runs fn n times and returns the median duration.
func median(n int, fn func() error) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	return middle(ds), nil
}

// middle is the median of durations.
func middle(ds []time.Duration) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}
