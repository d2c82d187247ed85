package cluster_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/audit"
)

// galera is the cluster .ci/galera started: the nodes' server DSNs
// (PILOT_TEST_GALERA_DSNS, comma separated) and the script that kills and
// restarts a node (PILOT_TEST_GALERA_CTL).
type galera struct {
	nodes []string
	ctl   string
}

// clusterOrSkip finds the cluster, or skips — in CI (PILOT_TEST_REQUIRE_GALERA=1)
// fails — when there is none.
func clusterOrSkip(t *testing.T) galera {
	t.Helper()
	if testing.Short() {
		t.Skip("brings a Galera cluster under load: skipped with -short")
	}
	g := galera{ctl: os.Getenv("PILOT_TEST_GALERA_CTL")}
	for _, n := range strings.Split(os.Getenv("PILOT_TEST_GALERA_DSNS"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			g.nodes = append(g.nodes, n)
		}
	}
	missing := ""
	switch {
	case len(g.nodes) != 3:
		missing = "PILOT_TEST_GALERA_DSNS does not name three nodes (start one with `.ci/galera start`)"
	case g.ctl == "":
		missing = "PILOT_TEST_GALERA_CTL does not name the control script (.ci/galera)"
	}
	if missing == "" {
		for i, n := range g.nodes {
			if size, err := clusterSize(n); err != nil || size != 3 {
				missing = fmt.Sprintf("node %d (%s): cluster size %d, %v", i+1, n, size, err)
				break
			}
		}
	}
	if missing != "" {
		if os.Getenv("PILOT_TEST_REQUIRE_GALERA") == "1" {
			t.Fatalf("a 3-node Galera cluster is required here: %s", missing)
		}
		t.Skipf("no Galera cluster: %s", missing)
	}
	return g
}

// clusterSize is wsrep_cluster_size as node sees it.
func clusterSize(node string) (int, error) {
	conn, err := sql.Open("mysql", node)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var name string
	var size int
	err = conn.QueryRow(`SHOW STATUS LIKE 'wsrep_cluster_size'`).Scan(&name, &size)
	return size, err
}

// control runs the cluster's control script (kill N, restart N). Its output
// goes through a file, not a pipe: a node it starts must not hold the pipe
// (and so the test) open.
func (g galera) control(t *testing.T, args ...string) string {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "galera-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.ctl, args...)
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	text, _ := os.ReadFile(out.Name())
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", g.ctl, strings.Join(args, " "), err, text)
	}
	return string(text)
}

// database creates a fresh database on the cluster and returns one DSN of
// it per node; it is dropped when the test ends.
func (g galera) database(t *testing.T) []string {
	t.Helper()
	name := fmt.Sprintf("sp_galera_%d", time.Now().UnixNano())
	exec1 := func(q string) error {
		var last error
		for _, n := range g.nodes { // any node that is up
			conn, err := sql.Open("mysql", n)
			if err == nil {
				_, err = conn.Exec(q)
				conn.Close()
			}
			if err == nil {
				return nil
			}
			last = err
		}
		return last
	}
	if err := exec1("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { _ = exec1("DROP DATABASE IF EXISTS " + name) })
	// A node applies the CREATE DATABASE on its own time: a replica that
	// connected to another node at once found no database (CI, session 8).
	// Wait until every node has it.
	for _, n := range g.nodes {
		deadline := time.Now().Add(30 * time.Second)
		for {
			found := 0
			conn, err := sql.Open("mysql", n)
			if err == nil {
				err = conn.QueryRow(`SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`, name).Scan(&found)
				conn.Close()
			}
			if err == nil && found == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s has no database %s after 30 s (%v)", n, name, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	dsns := make([]string, len(g.nodes))
	for i, n := range g.nodes {
		dsns[i] = strings.TrimSuffix(n, "/") + "/" + name
	}
	return dsns
}

// tally counts answers by operation and status, from many goroutines.
type tally struct {
	mu      sync.Mutex
	answers map[string]map[int]int
	errs    []string
}

func newTally() *tally { return &tally{answers: map[string]map[int]int{}} }

func (t *tally) add(op string, r e2e.Response, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.errs = append(t.errs, op+": "+err.Error())
		return
	}
	if t.answers[op] == nil {
		t.answers[op] = map[int]int{}
	}
	t.answers[op][r.Status]++
	if r.Status >= 500 && len(t.errs) < 20 {
		t.errs = append(t.errs, fmt.Sprintf("%s: %d %.300s", op, r.Status, r.Raw))
	}
}

// count is how many answers of op had a status in [lo, hi].
func (t *tally) count(op string, lo, hi int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for status, k := range t.answers[op] {
		if status >= lo && status <= hi {
			n += k
		}
	}
	return n
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ops := make([]string, 0, len(t.answers))
	for op := range t.answers {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "%s %v; ", op, t.answers[op])
	}
	return b.String()
}

// desk is one county as the load uses it.
type desk struct {
	county, admin, clerk, clerkName string
}

// counties of Hefei (Anhui) the test onboards.
var counties = []string{"340102", "340103", "340104", "340111", "340121", "340122"}

// acked are the cases the service acknowledged (201), by tracking number.
type acked struct {
	mu    sync.Mutex
	cases map[string]int // tracking number → replica that created it
}

func (a *acked) add(trk string, replica int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cases[trk] = replica
}

// TestGaleraCluster: three replicas, each writing through its own node of a
// 3-node Galera cluster, migrate once; under concurrent case creations,
// sign-ins and sign-outs, catalog edits and job runs on all three they
// answer no 5xx; every acknowledged case is stored once with one audit
// entry; a case read through another node right after its creation is
// found; and when one node is killed with SIGKILL under load, its replica
// answers 503 (never 500) until the node is back, and nothing acknowledged
// is lost.
func TestGaleraCluster(t *testing.T) {
	g := clusterOrSkip(t)
	dsns := g.database(t)
	started := time.Now()
	reps := e2e.StartReplicas(t, dsns, "--signin-rate-limit", "1000000")
	r1 := reps[0]
	migrated := 0
	for _, r := range reps {
		migrated += r.Migrated
	}
	versions := r1.CountRows(`SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`)
	if migrated != versions {
		t.Fatalf("the replicas applied %d migrations, the schema has %d: each must run once", migrated, versions)
	}
	t.Logf("three replicas migrated %d versions on the cluster in %s", versions, time.Since(started).Round(100*time.Millisecond))

	desks := make([]desk, len(counties))
	for i, county := range counties {
		d := desk{county: county, clerkName: "clerk_" + county}
		d.admin = r1.Onboard("34", county)
		_, d.clerk = r1.AddUser(d.admin, county, d.clerkName, "county_clerk")
		r1.PublishItem(e2e.CaseDesk{County: county, Admin: d.admin, Clerk: d.clerk}, "274", e2e.FireworksContent())
		desks[i] = d
	}
	national := r1.AdminToken()
	casesBefore := r1.CountRows(`SELECT COUNT(*) FROM cases`)
	ack := &acked{cases: map[string]int{}}

	// Phase 1: every node up. Each replica runs workers that create a case
	// and read it back through the next replica's node, sign the county's
	// clerk in and out, edit the county's catalog draft, and trigger the
	// overdue job.
	const workers, rounds = 10, 10
	load := newTally()
	staleReads := 0
	var staleMu sync.Mutex
	var wg sync.WaitGroup
	phase1 := time.Now()
	for ri, r := range reps {
		next := reps[(ri+1)%len(reps)]
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					d := desks[(ri*workers+w+i)%len(desks)]
					res, err := r.Try("POST", e2e.CasePath(d.county, ""), d.clerk, e2e.CaseBody("274"))
					load.add("create case", res, err)
					if err == nil && res.Status == 201 {
						trk, _ := res.Body["tracking_no"].(string)
						ack.add(trk, r.N)
						read, err := next.Try("GET", e2e.CasePath(d.county, "/"+e2e.Itoa(e2e.Num(res.Body["id"]))), d.clerk, nil)
						load.add("read on another node", read, err)
						if err == nil && read.Status == 404 {
							staleMu.Lock()
							staleReads++
							staleMu.Unlock()
						}
					}
					switch i % 4 {
					case 0:
						res, err := r.Try("POST", "/api/v1/session", "", map[string]string{"username": d.clerkName, "password": "User#Pass2026x"})
						load.add("sign in", res, err)
						if err == nil && res.Status == 200 {
							token, _ := res.Body["token"].(string)
							res, err = next.Try("DELETE", "/api/v1/session", token, nil)
							load.add("sign out on another node", res, err)
						}
					case 1:
						res, err := r.Try("PUT", e2e.CatPath(d.county, "/274"), d.clerk,
							e2e.With(e2e.FireworksContent(), "fees", fmt.Sprintf("不收费（副本 %d-%d-%d）", r.N, w, i)))
						load.add("edit catalog", res, err)
					case 2:
						res, err := r.Try("POST", "/api/v1/jobs/overdue/run", national, nil)
						load.add("run overdue job", res, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	took := time.Since(phase1)
	t.Logf("phase 1, all nodes up: %s in %s; %d reads on another node found nothing", load, took.Round(100*time.Millisecond), staleReads)
	for _, e := range load.errs {
		t.Errorf("phase 1: %s", e)
	}
	if staleReads != 0 {
		t.Errorf("%d reads through another node right after a creation answered 404", staleReads)
	}
	created := load.count("create case", 201, 201)
	if created != len(reps)*workers*rounds {
		t.Errorf("%d of %d case creations answered 201", created, len(reps)*workers*rounds)
	}
	for _, op := range []string{"sign in", "sign out on another node", "run overdue job", "read on another node"} {
		if ok, all := load.count(op, 200, 299), load.count(op, 0, 999); ok != all || all == 0 {
			t.Errorf("%s: %d of %d answered 2xx", op, ok, all)
		}
	}

	// Phase 2: node 3 is killed while all three replicas create cases, and
	// restarted; replica 3 must answer 503 while its node is gone.
	crash := newTally()
	stop := make(chan struct{})
	var wg2 sync.WaitGroup
	for ri, r := range reps {
		for w := 0; w < 4; w++ {
			wg2.Add(1)
			go func() {
				defer wg2.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					d := desks[(ri*4+w+i)%len(desks)]
					res, err := r.Try("POST", e2e.CasePath(d.county, ""), d.clerk, e2e.CaseBody("274"))
					crash.add(fmt.Sprintf("create case on replica %d", r.N), res, err)
					if err == nil && res.Status == 201 {
						trk, _ := res.Body["tracking_no"].(string)
						ack.add(trk, r.N)
					}
					if err == nil && res.Status == 503 {
						time.Sleep(200 * time.Millisecond) // as a client told Retry-After would, sooner
					}
				}
			}()
		}
	}
	time.Sleep(2 * time.Second)
	killed := time.Now()
	g.control(t, "kill", "3")
	time.Sleep(8 * time.Second)
	t.Logf("node 3 restart: %s", strings.TrimSpace(g.control(t, "restart", "3")))
	restarted := time.Now()
	recovered := e2e.WaitFor(t, 60*time.Second, "replica 3 creates cases again", func() bool {
		d := desks[0]
		res, err := reps[2].Try("POST", e2e.CasePath(d.county, ""), d.clerk, e2e.CaseBody("274"))
		crash.add("create case on replica 3", res, err)
		if err == nil && res.Status == 201 {
			trk, _ := res.Body["tracking_no"].(string)
			ack.add(trk, 3)
			return true
		}
		return false
	})
	close(stop)
	wg2.Wait()
	t.Logf("phase 2, node 3 killed %s after the load began and restarted %s later: %s; replica 3 served again %s after the restart (%s after the kill)",
		"2s", restarted.Sub(killed).Round(100*time.Millisecond), crash, recovered.Round(100*time.Millisecond),
		time.Since(killed).Round(100*time.Millisecond))
	for op, answers := range crash.answers {
		for status, n := range answers {
			if status >= 500 && status != 503 {
				t.Errorf("%s: %d answers %d, want 503 while a node is away", op, n, status)
			}
		}
	}
	for _, e := range crash.errs {
		if !strings.Contains(e, ": 503 ") {
			t.Errorf("phase 2: %s", e)
		}
	}

	// Nothing acknowledged is lost or doubled, and every case has its entry.
	check := reps[0].Svc.DB
	type row struct {
		TrackingNo string `db:"tracking_no"`
		N          int    `db:"n"`
	}
	var stored []row
	if err := check.Select(&stored, `SELECT tracking_no, COUNT(*) AS n FROM cases GROUP BY tracking_no`); err != nil {
		t.Fatal(err)
	}
	byTrk := map[string]int{}
	for _, s := range stored {
		byTrk[s.TrackingNo] = s.N
		if s.N != 1 {
			t.Errorf("case %s stored %d times", s.TrackingNo, s.N)
		}
	}
	lost := 0
	for trk, replica := range ack.cases {
		if byTrk[trk] == 0 {
			lost++
			t.Errorf("case %s acknowledged by replica %d is not stored", trk, replica)
		}
	}
	var entries []struct {
		Detail string `db:"detail"`
	}
	if err := check.Select(&entries, `SELECT detail FROM audit_log WHERE action = 'POST /api/v1/counties/:county/cases' AND outcome = 'success'`); err != nil {
		t.Fatal(err)
	}
	audited := map[string]int{}
	for _, e := range entries {
		for _, part := range strings.Split(e.Detail, "; ") {
			if trk, ok := strings.CutPrefix(part, "case "); ok {
				audited[trk]++
			}
		}
	}
	for _, s := range stored {
		if audited[s.TrackingNo] != 1 {
			t.Errorf("case %s has %d audit entries, want 1", s.TrackingNo, audited[s.TrackingNo])
		}
	}
	total := r1.CountRows(`SELECT COUNT(*) FROM cases`) - casesBefore
	t.Logf("cases: %d acknowledged, %d stored (%d committed without an answer reaching the client), %d lost, %d audit entries",
		len(ack.cases), total, total-len(ack.cases), lost, len(entries))
	// Every other acknowledged change has its entry: setup signed in
	// and edited too, so the entries are at least the load's answers.
	for _, c := range []struct {
		op, action string
	}{
		{"sign in", "POST /api/v1/session"},
		{"sign out on another node", "DELETE /api/v1/session"},
		{"edit catalog", "PUT /api/v1/counties/:county/catalog/:code"},
	} {
		entries := r1.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND outcome = 'success'`, c.action)
		if answered := load.count(c.op, 200, 299); entries < answered || answered == 0 {
			t.Errorf("%s: %d successes audited, %d answered 2xx", c.op, entries, answered)
		}
	}
	v, err := audit.NewStore(check).Verify(context.Background())
	if err != nil || !v.OK {
		t.Errorf("audit chains after the load: %+v, %v", v, err)
	}
	t.Logf("audit: %d chains, %d entries intact", v.Chains, v.Entries)
	if t.Failed() {
		for _, r := range reps {
			var errors []string
			for _, line := range strings.Split(r.Logs(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) && len(errors) < 10 {
					errors = append(errors, line)
				}
			}
			t.Logf("replica %d errors:\n%s", r.N, strings.Join(errors, "\n"))
		}
	}
}
