package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"safetypilot/cmd/dashboards/promqlcheck"
)

// committedDir is deploy/grafana/dashboards seen from this package.
var committedDir = filepath.Join("..", "..", promqlcheck.DashboardDir)

// TestDashboardsCommitted: the committed JSON is exactly what the code
// generates, and nothing else lies in the folder.
func TestDashboardsCommitted(t *testing.T) {
	files, err := render()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("render made %d dashboards", len(files))
	}
	const hint = "run `go run ./cmd/dashboards` and commit deploy/grafana/dashboards"
	generated := map[string]bool{}
	for _, f := range files {
		generated[f.Name] = true
		committed, err := os.ReadFile(filepath.Join(committedDir, f.Name))
		if err != nil {
			t.Errorf("%s: %v; %s", f.Name, err, hint)
			continue
		}
		if !bytes.Equal(committed, f.Data) {
			t.Errorf("%s differs from what cmd/dashboards generates (first at line %d); %s",
				f.Name, firstDifferentLine(committed, f.Data), hint)
		}
	}
	entries, err := os.ReadDir(committedDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !generated[e.Name()] {
			t.Errorf("%s is in %s but cmd/dashboards does not generate it: remove it or generate it", e.Name(), committedDir)
		}
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// TestDashboardQueries: every query of every committed panel and variable
// parses as PromQL once Grafana's variables have values, names at least one
// metric, and aggregates replicas the way the README says (database gauges
// with max, counters through rate or increase, then sum). That the metrics
// exist is checked against the running service in cmd/pilotd
// (TestDashboardMetricsExported).
func TestDashboardQueries(t *testing.T) {
	queries, err := promqlcheck.DashboardQueries(committedDir)
	if err != nil {
		t.Fatal(err)
	}
	perFile := map[string]int{}
	variables := map[string]string{}
	for _, q := range queries {
		perFile[q.File]++
		if q.Variable {
			variables[q.File+" $"+strings.TrimPrefix(q.Where, "variable ")] = q.Expr
		}
		concrete, err := promqlcheck.Concrete(q.Expr, promqlcheck.Values)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		expr, err := promqlcheck.Parse(concrete)
		if err != nil {
			t.Errorf("%s: does not parse: %v", q, err)
			continue
		}
		names, err := promqlcheck.MetricNames(expr)
		if err != nil || len(names) == 0 {
			t.Errorf("%s: names no metric (%v)", q, err)
		}
		if !q.Variable {
			for _, err := range promqlcheck.CheckAggregation(expr) {
				t.Errorf("%s: %v", q, err)
			}
		}
	}
	// The check cannot pass on an empty or half-read folder.
	for _, f := range []string{"pilot-province-timeliness.json", "pilot-service-health.json"} {
		if perFile[f] < 15 {
			t.Errorf("%s: %d queries found, want at least 15", f, perFile[f])
		}
	}
	if got := variables["pilot-province-timeliness.json $county"]; got != "pilot_cases_open" {
		t.Errorf("county variable selects from %q, want label_values(pilot_cases_open, county)", got)
	}
}

// TestDashboardAggregationCheck: the aggregation check itself refuses what
// would count replicas twice.
func TestDashboardAggregationCheck(t *testing.T) {
	for _, c := range []struct {
		expr string
		ok   bool
	}{
		{`max by (county) (pilot_cases_open)`, true},
		{`sum(max by (county) (pilot_cases_open{county=~"340102"}))`, true},
		{`time() - max by (job) (pilot_job_last_success_timestamp_seconds)`, true},
		{`sum by (county) (increase(pilot_cases_completed_total[1d]))`, true},
		{`histogram_quantile(0.9, sum by (le) (rate(pilot_http_request_duration_seconds_bucket[5m])))`, true},
		{`min by (instance) (pilot_database_ready)`, true},
		{`sum by (county) (pilot_cases_open)`, false},
		{`sum(pilot_cases_overdue)`, false},
		{`avg by (county) (pilot_info_requests_open)`, false},
		{`pilot_cases_open`, false},
		{`max by (county) (sum by (county, instance) (pilot_cases_open))`, false},
		{`sum(pilot_cases_received_total)`, false},
		{`pilot_case_processing_workdays_bucket`, false},
	} {
		expr, err := promqlcheck.Parse(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if errs := promqlcheck.CheckAggregation(expr); (len(errs) == 0) != c.ok {
			t.Errorf("%s: problems %v, want ok=%v", c.expr, errs, c.ok)
		}
	}
}

// TestDashboardVariables: Grafana's variables are replaced, and one left
// without a value is an error rather than a query that silently differs.
func TestDashboardVariables(t *testing.T) {
	got, err := promqlcheck.Concrete(`sum(rate(x{county=~"$county",instance=~"${instance}"}[$__rate_interval]))`, promqlcheck.Values)
	if err != nil || got != `sum(rate(x{county=~"(340102|340103)",instance=~".*"}[1m]))` {
		t.Errorf("Concrete = %q, %v", got, err)
	}
	if _, err := promqlcheck.Concrete(`x{a="$nosuch"}`, promqlcheck.Values); err == nil {
		t.Errorf("an unknown variable passed")
	}
}
