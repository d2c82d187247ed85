package cases

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
)

// BenchmarkFlagOverdue measures the overdue job's case pass (FlagOverdue) over
// a large cases table in MariaDB, bulk-loaded once with multi-row INSERTs:
// PILOT_BENCH_CASES cases (default 1,000,000), three steps each, across 100
// counties; about 8% open, of which some are overdue or due soon, the rest
// closed. Run it with
//
//	go test ./modules/cases/ -run '^$' -bench FlagOverdue -benchtime 3x -timeout 90m
//
// Sub-benchmarks, in order:
//
//	scan_first    the bare candidate SQL over the fresh table (every due case
//	              and step found, nothing written): the floor of first_pass
//	first_pass    a full pass that flags every due case and step (lights
//	              reset to none before each iteration, outside the timer)
//	steady_state  the pass that runs every 5 minutes when nothing new is due
//	scan_steady   the bare candidate SQL of that steady pass: its floor
//
// At 1,000,000 cases the tables and indexes take about 1.1 GB, so the figures
// depend on innodb_buffer_pool_size (Debian's default is 128 MB: most reads
// of the first pass then go to disk). It is skipped unless MariaDB answers
// (PILOT_TEST_MYSQL_DSN).
func BenchmarkFlagOverdue(b *testing.B) {
	if !mysqlReachable() {
		b.Skip("no MariaDB/MySQL at " + dbtest.MySQLServerDSN())
	}
	n := 1_000_000
	if v := os.Getenv("PILOT_BENCH_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("PILOT_BENCH_CASES=%q: want a number ≥ 1000", v)
		}
	}
	ctx := context.Background()
	database, err := db.Open(ctx, db.Config{DSN: dbtest.CreateMySQLDatabase(b), MaxOpenConns: 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { database.Close() })
	migrateSeeded(b, database)
	svc := NewService(database, loadCalendar(b, database), nil, nil)
	// Monday 2026-11-16, 10:00 in Beijing; the next working day is 11-17.
	now := time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }

	start := time.Now()
	mix, err := loadBenchCases(ctx, database, n, calendar.Today(now))
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	if _, err := database.ExecContext(ctx, `ANALYZE TABLE cases, case_steps`); err != nil {
		b.Fatal(err)
	}
	// A benchmark with sub-benchmarks prints only their logs: these go with scan_first.
	notes := []string{fmt.Sprintf("loaded %d cases and %d steps in %.1f s (%.0f rows/s): %d open (%d running: %d overdue, %d due soon; %d paused), %d closed",
		n, 3*n, load.Seconds(), float64(4*n)/load.Seconds(), mix.open, mix.open-mix.paused, mix.overdue, mix.dueSoon, mix.paused, n-mix.open),
		// The step scan filters the case's clock in the join, so these are read
		// (and dropped) on every pass, the steady one included.
		fmt.Sprintf("active steps of paused cases past due (re-read by every pass): %d", mix.pausedPastDue)}
	for _, q := range []string{caseCandidatesSQL, stepCandidatesSQL} {
		plan, err := explain(ctx, database, fmt.Sprintf(q, "<"), svc.today())
		if err != nil {
			b.Fatal(err)
		}
		notes = append(notes, "EXPLAIN "+plan)
	}

	reset := func() {
		for _, q := range []string{
			`UPDATE cases SET warning = 'none' WHERE clock_running = 1 AND warning <> 'none'`,
			`UPDATE case_steps SET warning = 'none' WHERE active = 1 AND warning <> 'none'`,
			`DELETE FROM case_events`, `DELETE FROM notices`,
		} {
			if _, err := database.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	report := func(b *testing.B, rows int) {
		b.ReportMetric(float64(n), "cases")
		b.ReportMetric(float64(rows), "candidates/op")
	}

	b.Run("scan_first", func(b *testing.B) {
		for _, note := range notes {
			b.Log(note)
		}
		reset()
		b.ResetTimer()
		var found int
		for i := 0; i < b.N; i++ {
			if found, err = svc.ScanOverdue(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b, found)
	})
	b.Run("first_pass", func(b *testing.B) {
		var res OverdueResult
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			reset()
			b.StartTimer()
			if res, err = svc.FlagOverdue(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if res.CasesRed != mix.overdue {
			b.Errorf("first pass flagged %d cases red, loaded %d overdue", res.CasesRed, mix.overdue)
		}
		report(b, res.CasesRed+res.CasesYellow+res.StepsRed+res.StepsYellow)
		b.ReportMetric(float64(res.Notices), "notices/op")
		b.Logf("first pass: %s", res)
	})
	b.Run("steady_state", func(b *testing.B) {
		// One untimed pass first, so this and scan_steady both start warm.
		if _, err := svc.FlagOverdue(ctx); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := svc.FlagOverdue(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if res != (OverdueResult{}) {
				b.Fatalf("steady pass flagged %s", res)
			}
		}
		report(b, 0)
	})
	b.Run("scan_steady", func(b *testing.B) {
		found, err := svc.ScanOverdue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if found, err = svc.ScanOverdue(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b, found)
	})
}

func mysqlReachable() bool {
	conn, err := sql.Open("mysql", dbtest.MySQLServerDSN())
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return conn.PingContext(ctx) == nil
}

// explain shows MariaDB's plan of a candidate query (first batch).
func explain(ctx context.Context, d *db.DB, query string, today time.Time) (string, error) {
	t := calendar.FormatDate(today)
	args := []any{true, WarningNone, t, "", "", 0, flagBatch}
	if strings.Contains(query, "case_steps") {
		args = []any{true, WarningNone, t, true, "", "", 0, flagBatch}
	}
	rows, err := d.QueryxContext(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		row := map[string]any{}
		if err := rows.MapScan(row); err != nil {
			return "", err
		}
		var parts []string
		for _, k := range []string{"table", "type", "key", "rows", "Extra"} {
			v := row[k]
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
		out = append(out, strings.Join(parts, " "))
	}
	return strings.Join(out, " | "), rows.Err()
}

// benchMix says what was loaded.
type benchMix struct {
	open, paused, overdue, dueSoon, pausedPastDue int
}

// loadBenchCases inserts n cases (ids 1..n) and their steps with multi-row
// INSERTs, 1,000 cases (or their 3,000 steps) a statement, and one
// administrator per county.
func loadBenchCases(ctx context.Context, d *db.DB, n int, today time.Time) (benchMix, error) {
	const counties = 100
	county := func(i int) string { return fmt.Sprintf("34%02d%02d", 1+i/10, 2+i%10) }
	var admins strings.Builder
	admins.WriteString(`INSERT INTO user_roles (user_id, role, region, granted_by, granted_at) VALUES `)
	for i := 0; i < counties; i++ {
		if i > 0 {
			admins.WriteByte(',')
		}
		fmt.Fprintf(&admins, "(%d, 'county_admin', '%s', 1, '2026-01-01 00:00:00')", 10_000+i, county(i))
	}
	if _, err := d.ExecContext(ctx, admins.String()); err != nil {
		return benchMix{}, err
	}

	rnd := rand.New(rand.NewSource(20261116))
	day := func(offset int) string { return calendar.FormatDate(today.AddDate(0, 0, offset)) }
	var mix benchMix
	const batch = 1000
	// Batches are built in order (the data is the same every run) and sent
	// by two connections at once.
	stmts := make(chan string, 4)
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func() {
			var err error
			for q := range stmts {
				if err == nil {
					if _, e := d.ExecContext(ctx, q); e != nil {
						err = fmt.Errorf("bulk insert: %w", e)
					}
				}
			}
			errs <- err
		}()
	}
	for lo := 0; lo < n; lo += batch {
		var cs, ss strings.Builder
		cs.WriteString(`INSERT INTO cases (id, county_code, tracking_no, item_code, item_version, item_name, channel, applicant_name,
			applicant_credit_code, applicant_contact, applicant_phone, received_on, status, statutory_days, promised_days,
			extension_days, extension_allowed, extended, deadline, promised_deadline, provisional, clock_running, warning,
			current_step, handler_id, decision, reason, decided_on, completed_on, on_time, created_by, created_at, updated_at) VALUES `)
		ss.WriteString(`INSERT INTO case_steps (case_id, seq, county_code, name, post, authority, limit_days, excluded, active,
			started_on, due_on, completed_on, warning) VALUES `)
		for i := lo; i < lo+batch && i < n; i++ {
			id := i + 1
			cty := county(rnd.Intn(counties))
			handler := 20_000 + rnd.Intn(5_000)
			var status, warning, decision, decided, completed, onTime string
			running, current, promised := 0, 3, 0
			stepDue, stepActive := 0, 0
			switch r := rnd.Float64(); {
			case r < 0.08: // open
				mix.open++
				status, decided, completed, onTime = []string{"submitted", "accepted", "in_review", "in_review"}[rnd.Intn(4)], "NULL", "NULL", "NULL"
				warning, decision = "none", ""
				current = 1 + rnd.Intn(3)
				stepActive = current
				switch q := rnd.Float64(); {
				case q < 0.05: // paused: the clock stands, whatever the dates
					mix.paused++
					status, promised = "returned", -30+rnd.Intn(60)
				case q < 0.11: // overdue
					mix.overdue++
					running, promised = 1, -1-rnd.Intn(40)
				case q < 0.14: // due today or the next working day
					mix.dueSoon++
					running, promised = 1, rnd.Intn(2)
				default:
					running, promised = 1, 2+rnd.Intn(40)
				}
				// The running step is due a few days before the case, sometimes past while the case is not.
				stepDue = promised - rnd.Intn(7)
				if status == "returned" && stepDue < 0 {
					mix.pausedPastDue++
				}
			default: // closed over the last two years
				promised = -1 - rnd.Intn(730)
				status = []string{"delivered", "delivered", "delivered", "delivered", "delivered", "delivered", "withdrawn", "not_accepted", "denied"}[rnd.Intn(9)]
				decision, warning = "approved", "none"
				if status == "denied" {
					decision = "denied"
				}
				if w := rnd.Float64(); w < 0.08 {
					warning = "red" // flagged once, then closed late
				} else if w < 0.12 {
					warning = "yellow"
				}
				done := promised - rnd.Intn(10)
				decided, completed, onTime = "'"+day(done)+"'", "'"+day(done+2)+"'", "1"
			}
			received := promised - 19
			if i > lo {
				cs.WriteByte(',')
			}
			fmt.Fprintf(&cs, "(%d,'%s','%s-B%09d','274',1,'烟花爆竹经营（零售）许可证核发','counter','某某烟花爆竹经营部',"+
				"'92340102MA2TX5P41H','联系人','0551-64000001','%s','%s',20,13,0,10,0,'%s','%s',0,%d,'%s',%d,%d,'%s','',%s,%s,%s,%d,"+
				"'2026-01-01 00:00:00','2026-01-01 00:00:00')",
				id, cty, cty, id, day(received), status, day(promised+10), day(promised), running, warning, current, handler,
				decision, decided, completed, onTime, handler)
			for seq := 1; seq <= 3; seq++ {
				if i > lo || seq > 1 {
					ss.WriteByte(',')
				}
				name := []string{"受理", "审查", "决定"}[seq-1]
				switch {
				case seq == stepActive:
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,1,'%s','%s',NULL,'none')", id, seq, cty, name, seq*3,
						day(stepDue-5), day(stepDue))
				case stepActive == 0 || seq < stepActive:
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,0,'%s','%s','%s','none')", id, seq, cty, name, seq*3,
						day(received+seq), day(received+seq+3), day(received+seq+2))
				default:
					fmt.Fprintf(&ss, "(%d,%d,'%s','%s','岗位','职权',%d,0,0,NULL,NULL,NULL,'none')", id, seq, cty, name, seq*3)
				}
			}
		}
		stmts <- cs.String()
		stmts <- ss.String()
	}
	close(stmts)
	for w := 0; w < 2; w++ {
		if err := <-errs; err != nil {
			return mix, err
		}
	}
	return mix, nil
}
