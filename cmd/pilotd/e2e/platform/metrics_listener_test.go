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
