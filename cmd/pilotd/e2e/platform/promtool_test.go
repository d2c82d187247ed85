package platform_test

// Tests of the observability files against the real service and promtool:
// /metrics passes `promtool check metrics`; deploy/prometheus passes
// `promtool check config`, `check rules` and `test rules`; every dashboard
// query parses in promtool too and names only metrics the service exports;
// and the dashboards' queries over the database gauges give the same answer
// whether one replica is scraped or three (no double counting).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"safetypilot/cmd/dashboards/promqlcheck"
	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
)

// Where the observability files are, seen from this package.
var (
	dashboardDir  = filepath.Join("..", "..", "..", "..", promqlcheck.DashboardDir)
	prometheusDir = filepath.Join("..", "..", "..", "..", "deploy", "prometheus")
)

// promtoolPath is the promtool binary. Without one the test skips, or fails
// when PILOT_TEST_REQUIRE_PROMTOOL=1 (as in CI, which installs Debian's
// prometheus package).
func promtoolPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("PILOT_TEST_REQUIRE_PROMTOOL") == "1" {
			t.Fatalf("promtool not found (PILOT_TEST_REQUIRE_PROMTOOL=1): %v", err)
		}
		t.Skip("promtool not found; install Debian's prometheus package")
	}
	return path
}

// runPromtool runs promtool with args in dir, stdin as its input, and
// returns what it printed and whether it succeeded.
func runPromtool(t *testing.T, dir string, stdin []byte, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(promtoolPath(t), args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// observe fills the service with something behind every metric: in 340102
// an overdue and a fresh open case, one delivered on time and one late, a
// disclosure record waiting for review and one past its publication
// deadline; in 340103 an open case and an unanswered request for
// information; a run of the overdue job and an unmatched request.
func observe(s *e2e.Service) {
	s.T.Helper()
	a, b := s.CaseDesk(e2e.CaseCountyA), s.CaseDesk(e2e.CaseCountyB)
	admin := s.AdminToken()
	today := calendar.Today(time.Now())
	todayStr, longAgo := calendar.FormatDate(today), calendar.FormatDate(today.AddDate(0, 0, -60))

	s.NewCase(a.Clerk, a.County, e2e.CaseBody("274", "received_on", longAgo))
	s.NewCase(a.Clerk, a.County, e2e.CaseBody("274"))
	s.NewCase(b.Clerk, b.County, e2e.CaseBody("274"))
	deliver := func(d e2e.CaseDesk, c e2e.CaseView) {
		s.MustAct(d.Clerk, d.County, c.ID, "accept")
		s.MustAct(d.Clerk, d.County, c.ID, "advance")
		s.MustAct(d.Clerk, d.County, c.ID, "advance")
		s.MustAct(d.Reviewer, d.County, c.ID, "approve", "note", "符合条件")
		s.MustAct(d.Clerk, d.County, c.ID, "deliver")
	}
	deliver(a, s.NewCase(a.Clerk, a.County, e2e.CaseBody("274")))
	deliver(a, s.NewCase(a.Clerk, a.County, e2e.CaseBody("274", "received_on", longAgo)))

	s.DisCreate(a.Clerk, a.County, e2e.DisPlain("早已超期", longAgo))
	pending := s.DisCreate(a.Clerk, a.County, e2e.DisPlain("待审查", todayStr))
	s.DisAct(200, a.Clerk, a.County, pending.ID, "submit", nil)
	s.Must(201, s.Do("POST", e2e.DisPublic(b.County, "/info-requests"), "",
		map[string]any{"name": "李四", "contact": "lisi@example.com", "description": "辖区烟花爆竹经营许可发放情况"}))

	// A 差评 of a delivered case: the rating gauges and an open rectification.
	rated := s.NewCase(a.Clerk, a.County, e2e.CaseBody("274"))
	deliver(a, rated)
	s.Must(201, s.Do("POST", "/api/v1/public/counties/"+a.County+"/cases/"+rated.TrackingNo+"/rating", "",
		map[string]any{"phone": e2e.ApplicantPhone, "level": 2, "comment": "等候时间过长"}))

	// A drawn inspection recorded with an order to rectify long past, and
	// another drawn and not yet recorded: the inspection gauges.
	base := "/api/v1/counties/" + a.County
	var officers []string
	for k := 0; k < 2; k++ {
		id, token := s.AddUser(a.Admin, a.County, "officer"+e2e.Itoa(int64(k))+"_"+a.County, "county_officer")
		s.Must(200, s.Do("PUT", base+"/inspectors/"+e2e.Itoa(id), a.Admin, map[string]any{"certificate_no": "cert" + e2e.Itoa(int64(k))}))
		officers = append(officers, token)
	}
	for k, code := range []string{"91340102MA2TX5R41", "91340102MA2TX5R42"} {
		s.Must(201, s.Do("POST", base+"/entities", a.Admin, map[string]any{"name": "抽查单位" + e2e.Itoa(int64(k)),
			"credit_code": e2e.CreditCode(code), "address": "地址", "industry": "fireworks", "risk_grade": "orange"}))
	}
	// Drawn on the day it was inspected, long ago.
	clock := s.EnforcementClock(longAgo)
	plan := e2e.Itoa(e2e.Num(s.Must(201, s.Do("POST", base+"/inspection-plans", officers[0], map[string]any{"name": "抽查",
		"period_start": longAgo, "period_end": todayStr, "entity_count": 2, "inspectors_per_entity": 2})).Body["id"]))
	s.Must(200, s.Do("POST", base+"/inspection-plans/"+plan+"/approve", a.Leader, nil))
	s.Must(201, s.Do("POST", base+"/inspection-plans/"+plan+"/draws", officers[0], nil))
	first := e2e.Itoa(e2e.Num(s.Must(200, s.Do("GET", base+"/inspections", a.Admin, nil)).Body["items"].([]any)[0].(map[string]any)["id"]))
	s.Must(201, s.Do("POST", base+"/inspections/"+first+"/findings", officers[0], map[string]any{
		"description": "超量储存", "legal_provision": "条例第二十二条", "violation": true}))
	clock.Set(todayStr)
	s.Must(200, s.Do("POST", base+"/inspections/"+first+"/complete", officers[0], map[string]any{
		"inspected_on": longAgo, "summary": "责令整改", "rectify_deadline": calendar.FormatDate(today.AddDate(0, 0, -50))}))
	// A penalty case past its 90 days (行政处罚法 第六十条): the penalty gauges.
	e2e.PenaltyItemPublished(s, a.County, a.Admin)
	s.Must(201, s.Do("POST", "/api/v1/counties/"+a.County+"/penalty-cases", a.Leader, map[string]any{"item_code": "CF-001",
		"party": map[string]any{"kind": "individual", "name": "王某"}, "facts": "未按规定培训从业人员",
		"filed_on": calendar.FormatDate(today.AddDate(0, 0, -100))}))
	// A fine collected on the spot ten days ago and never handed to the
	// bureau (行政处罚法 第七十一条): the on-the-spot gauges.
	tenDays := calendar.FormatDate(today.AddDate(0, 0, -10))
	s.Must(201, s.Do("POST", "/api/v1/counties/"+a.County+"/onspot-decisions", officers[0], map[string]any{"item_code": "CF-001",
		"party": map[string]any{"kind": "individual", "name": "李某", "id_number": "11010519491231002X"}, "facts": "未佩戴安全帽进入作业现场",
		"penalty": "fine", "fine_yuan": 50, "place": "作业现场", "decided_on": tenDays, "informed": true,
		"officers": []map[string]any{{"user_id": s.UserID(officers[0]), "cert_no": "C1"}, {"user_id": s.UserID(officers[1]), "cert_no": "C2"}},
		"payment":  "on_spot", "ground": "small", "receipt_no": "P0001", "collected_on": tenDays}))

	s.RunOverdue(admin)
	s.Must(404, s.Do("GET", "/no/such/page", "", nil))
}

// scrape reads /metrics as Prometheus would.
func scrape(s *e2e.Service) []byte {
	s.T.Helper()
	return s.Must(200, s.Do("GET", "/metrics", "", nil)).Raw
}

// families parses a scrape.
func families(t *testing.T, scrape []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(scrape))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// seriesNames are the names of the series a scrape holds, as PromQL selects
// them (a histogram is its _bucket, _sum and _count series), with their type.
func seriesNames(fams map[string]*dto.MetricFamily) map[string]dto.MetricType {
	out := map[string]dto.MetricType{}
	for name, f := range fams {
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				out[name+suffix] = f.GetType()
			}
		case dto.MetricType_SUMMARY:
			out[name] = f.GetType()
			out[name+"_sum"] = f.GetType()
			out[name+"_count"] = f.GetType()
		default:
			out[name] = f.GetType()
		}
	}
	return out
}

// TestPromtoolCheckMetrics: /metrics of a service with traffic and data has
// no promtool lint finding.
func TestPromtoolCheckMetrics(t *testing.T) {
	t.Parallel()
	promtoolPath(t)
	s := e2e.New(t, db.SQLite)
	observe(s)
	scrape := scrape(s)
	out, err := runPromtool(t, "", scrape, "check", "metrics")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
	// Label values are the requests' own, not bytes of a reused buffer.
	methods := map[string]bool{}
	for _, name := range []string{"pilot_http_requests_total", "pilot_http_request_duration_seconds"} {
		for _, m := range families(t, scrape)[name].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" {
					methods[l.GetValue()] = true
				}
			}
		}
	}
	for m := range methods {
		switch m {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			t.Errorf("%s: method label %q", "pilot_http_requests_total", m)
		}
	}
	if !methods["GET"] || !methods["POST"] {
		t.Errorf("methods seen: %v", methods)
	}
}

// TestPromtoolMetricsDatabaseDown: with its database gone a replica still
// answers the scrape, says pilot_database_ready 0 (what DatabaseNotReady
// fires on) and leaves out the figures it cannot read.
func TestPromtoolMetricsDatabaseDown(t *testing.T) {
	t.Parallel()
	promtoolPath(t)
	s := e2e.New(t, db.SQLite)
	s.Must(200, s.Do("GET", "/readyz", "", nil))
	if scrape := scrape(s); !bytes.Contains(scrape, []byte("\npilot_database_ready 1\n")) {
		t.Fatalf("pilot_database_ready is not 1 with the database up:\n%s", grepLines(scrape, "pilot_database_ready"))
	}
	s2 := e2e.New(t, db.SQLite) // fresh: its case and backlog collectors have read nothing yet
	if err := s2.Svc.DB.Close(); err != nil {
		t.Fatal(err)
	}
	s2.Must(503, s2.Do("GET", "/readyz", "", nil))
	scrape := scrape(s2)
	if !bytes.Contains(scrape, []byte("\npilot_database_ready 0\n")) {
		t.Errorf("pilot_database_ready is not 0 with the database closed:\n%s", grepLines(scrape, "pilot_database_ready"))
	}
	if !bytes.Contains(scrape, []byte("pilot_http_requests_total{")) {
		t.Errorf("the HTTP metrics are missing when the database is down")
	}
	if bytes.Contains(scrape, []byte("\npilot_cases_open")) {
		t.Errorf("case figures reported without a database:\n%s", grepLines(scrape, "pilot_cases_open"))
	}
	out, err := runPromtool(t, "", scrape, "check", "metrics")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("promtool check metrics with the database down: %v\n%s", err, out)
	}
}

func grepLines(data []byte, word string) string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPromtoolRules: the scrape configuration, the alert rules and their
// unit tests pass promtool.
func TestPromtoolRules(t *testing.T) {
	t.Parallel()
	promtoolPath(t)
	for _, args := range [][]string{
		{"check", "config", "prometheus.yml"}, // checks alerts.yml too, through rule_files
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
	} {
		out, err := runPromtool(t, prometheusDir, nil, args...)
		if err != nil || !strings.Contains(out, "SUCCESS") {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestPromtoolDashboardQueries: the Prometheus that promtool comes with
// (Debian's, older than the Go parser) parses every dashboard query too.
func TestPromtoolDashboardQueries(t *testing.T) {
	t.Parallel()
	promtoolPath(t)
	queries, err := promqlcheck.DashboardQueries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) < 30 {
		t.Fatalf("%d dashboard queries found", len(queries))
	}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboards\n    rules:\n")
	for i, q := range queries {
		concrete, err := promqlcheck.Concrete(q.Expr, promqlcheck.Values)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %s\n", i, strconv.Quote(concrete))
	}
	path := filepath.Join(t.TempDir(), "dashboards.yml")
	if err := os.WriteFile(path, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runPromtool(t, "", nil, "check", "rules", path)
	if err != nil || !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", len(queries))) {
		t.Fatalf("promtool check rules on the dashboard queries: %v\n%s", err, out)
	}
}

// TestDashboardMetricsExported: every metric a dashboard panel or variable
// or an alert rule names is exported by the wired service (alerts may also
// use Prometheus' own up), and the database gauges the aggregation check
// knows are exactly the service's pilot_* gauges but pilot_database_ready.
func TestDashboardMetricsExported(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	observe(s)
	exported := seriesNames(families(t, scrape(s)))

	dashboards, err := promqlcheck.DashboardQueries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := promqlcheck.RuleQueries(filepath.Join(prometheusDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dashboards) < 30 || len(alerts) < 6 {
		t.Fatalf("%d dashboard queries and %d alert rules found", len(dashboards), len(alerts))
	}
	used := map[string]bool{}
	for _, q := range append(dashboards, alerts...) {
		concrete, err := promqlcheck.Concrete(q.Expr, promqlcheck.Values)
		if err != nil {
			t.Fatal(err)
		}
		expr, err := promqlcheck.Parse(concrete)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		names, err := promqlcheck.MetricNames(expr)
		if err != nil || len(names) == 0 {
			t.Errorf("%s: names no metric (%v)", q, err)
		}
		for _, n := range names {
			used[n] = true
			if _, ok := exported[n]; !ok && !(q.File == "alerts.yml" && n == "up") {
				t.Errorf("%s: %s is not exported by the service", q, n)
			}
		}
	}
	// Everything leadership asked for is on a dashboard.
	for _, n := range []string{"pilot_cases_open", "pilot_cases_due_soon", "pilot_cases_overdue", "pilot_cases_completed_total",
		"pilot_case_processing_workdays_bucket", "pilot_disclosure_review_backlog", "pilot_info_requests_open",
		"pilot_http_requests_total", "pilot_http_request_duration_seconds_bucket", "go_sql_in_use_connections",
		"pilot_job_runs_total", "pilot_job_last_success_timestamp_seconds", "pilot_database_ready",
		"pilot_ratings", "pilot_ratings_satisfied", "pilot_rectifications_open", "pilot_rectifications_overdue",
		"pilot_inspections_assigned", "pilot_inspection_rectifications_open", "pilot_inspection_rectifications_overdue",
		"pilot_inspection_results_unpublished_overdue",
		"pilot_penalty_cases_open", "pilot_penalty_cases_overdue", "pilot_penalty_payments_overdue",
		"pilot_penalty_enforcement_overdue", "pilot_onspot_decisions", "pilot_onspot_unfiled", "pilot_onspot_deposits_overdue"} {
		if !used[n] {
			t.Errorf("no dashboard or alert uses %s", n)
		}
	}

	var gauges []string
	for n, typ := range exported {
		if typ == dto.MetricType_GAUGE && strings.HasPrefix(n, "pilot_") && n != "pilot_database_ready" {
			gauges = append(gauges, n)
		}
	}
	sort.Strings(gauges)
	want := append([]string(nil), promqlcheck.DatabaseGauges...)
	sort.Strings(want)
	if strings.Join(gauges, " ") != strings.Join(want, " ") {
		t.Errorf("the service's database gauges are %v; promqlcheck.DatabaseGauges lists %v", gauges, want)
	}
}

// TestDoubleCount: three replicas report the same database gauges. Scraped
// three times, as three instances, every dashboard query over those gauges
// gives what it gives over one instance (promtool evaluates both), and the
// per-county maximum is the real count where a sum would triple it. A query
// that sums the gauges fails the same check.
func TestDoubleCount(t *testing.T) {
	t.Parallel()
	promtoolPath(t)
	s := e2e.New(t, db.SQLite)
	observe(s)
	scrapes := [][]byte{scrape(s), scrape(s), scrape(s)}
	for _, c := range []struct {
		county      string
		open, overd float64
	}{{e2e.CaseCountyA, 2, 1}, {e2e.CaseCountyB, 1, 0}} {
		open, _ := e2e.MetricValue(scrapes[0], "pilot_cases_open", `county="`+c.county+`"`)
		overdue, _ := e2e.MetricValue(scrapes[0], "pilot_cases_overdue", `county="`+c.county+`"`)
		if open != c.open || overdue != c.overd {
			t.Fatalf("%s: open %v overdue %v in /metrics, want %v and %v", c.county, open, overdue, c.open, c.overd)
		}
	}

	queries, err := promqlcheck.DashboardQueries(dashboardDir)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, q := range queries {
		if q.Variable {
			continue
		}
		names := queryNames(t, q.Expr)
		gauge, other := false, false
		for _, n := range names {
			if promqlcheck.IsDatabaseGauge(n) {
				gauge = true
			} else {
				other = true
			}
		}
		if gauge && other {
			t.Errorf("%s mixes database gauges with other metrics; the check cannot tell what it should give", q)
		}
		if gauge {
			exprs = append(exprs, q.Expr)
		}
	}
	if len(exprs) < 10 {
		t.Fatalf("only %d dashboard queries over database gauges", len(exprs))
	}

	extra := []promtoolExpr{
		{`max by (county) (pilot_cases_open{world="replicas"})`,
			[]string{`{county="340102"} 2`, `{county="340103"} 1`}},
		{`sum by (county) (pilot_cases_open{world="replicas"})`, // what max avoids
			[]string{`{county="340102"} 6`, `{county="340103"} 3`}},
		{`max by (county) (pilot_cases_overdue{world="replicas"})`,
			[]string{`{county="340102"} 1`, `{county="340103"} 0`}},
	}
	if out, err := runDoubleCount(t, scrapes, exprs, extra); err != nil {
		t.Fatalf("the dashboards count replicas more than once: %v\n%s", err, out)
	}

	// The check is not vacuous: a panel summing the gauges fails it.
	for _, bad := range []string{
		`sum by (county) (pilot_cases_open{county=~"$county"})`,
		`sum(pilot_cases_overdue{county=~"$county"})`,
		`pilot_info_requests_open{county=~"$county"}`,
	} {
		if out, err := runDoubleCount(t, scrapes, []string{bad}, nil); err == nil {
			t.Errorf("%s passed the double-count check:\n%s", bad, out)
		}
	}
}

// queryNames are the metrics a dashboard query names.
func queryNames(t *testing.T, raw string) []string {
	t.Helper()
	concrete, err := promqlcheck.Concrete(raw, promqlcheck.Values)
	if err != nil {
		t.Fatal(err)
	}
	expr, err := promqlcheck.Parse(concrete)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	names, err := promqlcheck.MetricNames(expr)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// promtoolExpr is a promql_expr_test: an expression and its samples.
type promtoolExpr struct {
	expr    string
	samples []string // `{labels} value`
}

// runDoubleCount writes a promtool unit test and runs it. Its input is the
// database gauges of each scrape as one instance (world="replicas") and of
// the first scrape alone (world="single"). Each dashboard expression, with
// every county and replica selected, is evaluated in both worlds: the
// difference must be present (the query returns something) and zero
// everywhere, with as many series in both. A query that keeps one series
// per replica fails too: its worlds do not match one to one.
func runDoubleCount(t *testing.T, scrapes [][]byte, dashboardExprs []string, extra []promtoolExpr) (string, error) {
	t.Helper()
	values := map[string]string{}
	for k, v := range promqlcheck.Values {
		values[k] = v
	}
	values["county"] = ".*"

	var b strings.Builder
	b.WriteString("rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n")
	series := func(labels string, v float64) {
		fmt.Fprintf(&b, "      - series: %s\n        values: '%sx30'\n", strconv.Quote(labels), strconv.FormatFloat(v, 'f', -1, 64))
	}
	for i, scrape := range scrapes {
		instance := fmt.Sprintf("replica-%d:8080", i+1)
		for _, name := range promqlcheck.DatabaseGauges {
			f := families(t, scrape)[name]
			if f == nil {
				continue
			}
			for _, m := range f.GetMetric() {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, l.GetName()+"="+strconv.Quote(l.GetValue()))
				}
				labels = append(labels, `instance="`+instance+`"`)
				series(name+"{"+strings.Join(append(labels, `world="replicas"`), ",")+"}", m.GetGauge().GetValue())
				if i == 0 {
					series(name+"{"+strings.Join(append(labels, `world="single"`), ",")+"}", m.GetGauge().GetValue())
				}
			}
		}
	}
	b.WriteString("    promql_expr_test:\n")
	check := func(expr string, samples []string) {
		fmt.Fprintf(&b, "      - expr: %s\n        eval_time: 10m\n", strconv.Quote(expr))
		if len(samples) == 0 {
			b.WriteString("        exp_samples: []\n")
			return
		}
		b.WriteString("        exp_samples:\n")
		for _, s := range samples {
			i := strings.LastIndex(s, " ")
			fmt.Fprintf(&b, "          - labels: %s\n            value: %s\n", strconv.Quote(s[:i]), s[i+1:])
		}
	}
	for _, raw := range dashboardExprs {
		concrete, err := promqlcheck.Concrete(raw, values)
		if err != nil {
			t.Fatal(err)
		}
		world := func(w string) string {
			expr, err := promqlcheck.Parse(concrete)
			if err != nil {
				t.Fatal(err)
			}
			out, err := promqlcheck.AddMatcher(expr, "world", w)
			if err != nil {
				t.Fatal(err)
			}
			return "(" + out + ")"
		}
		diff := world("replicas") + " - ignoring(instance, world) " + world("single")
		check("("+diff+") != 0", nil)                                                        // no series differs
		check("absent("+diff+")", nil)                                                       // and there are series to compare
		check("count("+world("replicas")+") - count("+world("single")+")", []string{"{} 0"}) // as many in both
	}
	for _, e := range extra {
		check(e.expr, e.samples)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "double_count_test.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return runPromtool(t, dir, nil, "test", "rules", "double_count_test.yml")
}
