package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/server"
)

// syncBuffer collects a replica's log lines from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Replica is one replica started as `pilotd serve` starts: its own pool
// on the shared database, its own HTTP listener on a real port, and its
// background loops (policy and calendar polling, the job scheduler).
type Replica struct {
	*Service
	N        int // 1, 2, 3 …
	URL      string
	Migrated int // migrations this replica applied at start
	logs     *syncBuffer
	stopOnce sync.Once
	stopErr  error
	stopFn   func() error
}

// Stop shuts the replica down as on SIGTERM: background loops end (the
// scheduler waits for a running job), then the server drains.
func (r *Replica) Stop() error {
	r.stopOnce.Do(func() { r.stopErr = r.stopFn() })
	return r.stopErr
}

// replicaClient talks to the replicas over their real listeners.
var replicaClient = &http.Client{Timeout: 20 * time.Second}

// Logs is what the replica has logged (JSON lines), for a failing test to show.
func (r *Replica) Logs() string { return r.logs.String() }

// Call sends a request to the replica over HTTP; body is nil or a JSON value.
func (r *Replica) Call(method, path, token string, body any) Response {
	r.T.Helper()
	out, err := r.Try(method, path, token, body)
	if err != nil {
		r.T.Fatal(err)
	}
	return out
}

// Try is Call for goroutines other than the test's: it returns the error
// instead of failing the test.
func (r *Replica) Try(method, path, token string, body any) (Response, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, r.URL+path, reader)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := replicaClient.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("replica %d: %s %s: %w", r.N, method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out, nil
}

// SignIn signs in over HTTP on this replica and returns the bearer token.
func (r *Replica) SignIn(username, password string) string {
	r.T.Helper()
	res := r.Must(200, r.Call("POST", "/api/v1/session", "", map[string]string{"username": username, "password": password}))
	token, _ := res.Body["token"].(string)
	if token == "" {
		r.T.Fatalf("replica %d: no token in %s", r.N, res.Raw)
	}
	return token
}

// StartReplicas starts one replica per DSN at the same moment, as a
// deployment's pods start together: each opens its own pool and migrates
// (goose's lock table lets one of them do it), then wires the service,
// listens on 127.0.0.1 and starts its background loops. Every job is
// scheduled each minute so that a real tick happens within the test; args
// add to or override the replicas' flags.
func StartReplicas(t *testing.T, dsns []string, args ...string) []*Replica {
	t.Helper()
	replicas := make([]*Replica, len(dsns))
	errs := make([]error, len(dsns))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		r := &Replica{N: i + 1, logs: &syncBuffer{}}
		replicas[i] = r
		cfg := FlagConfig(t, append([]string{"--db-dsn", dsns[i], "--log-format", "json", "--log-level", "info",
			"--db-max-open", "8", "--policy-poll", "200ms", "--overdue-schedule", "* * * * *",
			"--reports-schedule", "* * * * *"}, args...)...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			log := slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			<-start
			database, migrator, err := server.OpenDatabase(ctx, cfg, log)
			if err != nil {
				errs[i] = fmt.Errorf("replica %d: open database: %w", r.N, err)
				return
			}
			t.Cleanup(func() { database.Close() })
			svc, err := server.Build(ctx, cfg, log, database, migrator)
			if err != nil {
				errs[i] = fmt.Errorf("replica %d: build: %w", r.N, err)
				return
			}
			r.Service = &Service{T: t, Svc: svc}
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	for _, r := range replicas {
		r.Migrated = migrationsApplied(t, r)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		r.URL = "http://" + ln.Addr().String()
		served := make(chan error, 1)
		go func() { served <- r.Svc.App.Listener(ln) }()
		bg, cancel := context.WithCancel(context.Background())
		r.Svc.RunBackground(bg)
		r.stopFn = func() error {
			cancel()
			r.Svc.Jobs.Stop() // as runBackground's own stop does, but waited for here
			if err := r.Svc.App.ShutdownWithTimeout(10 * time.Second); err != nil {
				return fmt.Errorf("replica %d: shutdown: %w", r.N, err)
			}
			select {
			case err := <-served:
				if err != nil {
					return fmt.Errorf("replica %d: server: %w", r.N, err)
				}
			case <-time.After(15 * time.Second):
				return fmt.Errorf("replica %d: server still running 15s after shutdown", r.N)
			}
			return nil
		}
		t.Cleanup(func() { _ = r.Stop() })
	}
	return replicas
}

// migrationsApplied reads the "database ready" line the replica logged at start.
func migrationsApplied(t *testing.T, r *Replica) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Applied *int   `json:"migrations_applied"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "database ready" && line.Applied != nil {
			return *line.Applied
		}
	}
	t.Fatalf("replica %d logged no \"database ready\" line:\n%s", r.N, r.logs.String())
	return 0
}

// WaitFor polls cond every 100ms until it holds or within passes; it returns
// how long that took, and fails the test when it never held.
func WaitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
