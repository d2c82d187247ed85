package platform_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

// freeAddr is a loopback address with a port nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// get fetches a URL and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestMetricsListener: with PILOT_METRICS_ADDR, `pilotd serve` answers
// /metrics on that listener alone — the public port answers 404 for it, and
// the metrics port serves nothing else — as the shipped deployments use it.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, []string{"serve", "--data-dir", t.TempDir(), "--db-dsn", "", "--addr", addr,
			"--metrics-addr", metricsAddr, "--bootstrap-admin-password", e2e.AdminPassword, "--log-format", "text", "--log-level", "error"},
			io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _ := get(t, "http://"+addr+"/readyz"); status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the service did not become ready in 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status, body := get(t, "http://"+addr+"/metrics"); status != 404 || strings.Contains(body, "pilot_") {
		t.Errorf("public port /metrics: %d, want 404 without metrics: %.200s", status, body)
	}
	status, body := get(t, "http://"+metricsAddr+"/metrics")
	if status != 200 || !strings.Contains(body, "pilot_http_requests_total") || !strings.Contains(body, "pilot_database_ready 1") {
		t.Errorf("metrics port /metrics: %d: %.300s", status, body)
	}
	for _, path := range []string{"/", "/login", "/api/v1/session", "/readyz"} {
		if status, _ := get(t, "http://"+metricsAddr+path); status != 404 {
			t.Errorf("metrics port %s: %d, want 404", path, status)
		}
	}
}

// TestCountersStartAtZero: the counters the dashboards and alerts read exist
// at 0 for every active county and every job outcome before anything
// happened, so the first case or failure after a restart shows in
// increase() instead of appearing at 1 and being missed.
func TestCountersStartAtZero(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)
	s.Onboard("34", "340102")
	body := string(s.Must(200, s.Do("GET", "/metrics", "", nil)).Raw)
	for _, series := range []string{
		`pilot_cases_received_total{county="340102"} 0`,
		`pilot_cases_completed_total{county="340102",timeliness="on_time"} 0`,
		`pilot_cases_completed_total{county="340102",timeliness="late"} 0`,
		`pilot_job_runs_total{job="overdue",status="failed"} 0`,
		`pilot_job_runs_total{job="reports",status="succeeded"} 0`,
		`pilot_http_requests_total{code="500",method="POST",route="/api/v1/counties/:county/cases"} 0`,
		`pilot_http_requests_total{code="503",method="GET",route="/api/v1/counties/:county/cases"} 0`,
	} {
		if !strings.Contains(body, series+"\n") {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	// A replica started after the county was onboarded has the series from
	// its start, before its first scrape-time read.
	replica := e2e.New(t, db.SQLite, func(c *server.Config) { c.DataDir = s.Svc.Config.DataDir })
	families, err := replica.Svc.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() == "pilot_cases_received_total" {
			found = len(f.GetMetric()) == 1 && f.GetMetric()[0].GetCounter().GetValue() == 0
		}
	}
	if !found {
		t.Errorf("a replica started after onboarding has no pilot_cases_received_total{county=\"340102\"} 0 at start")
	}
}
