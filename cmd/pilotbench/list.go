package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	serviceAddr = "127.0.0.1:18081"
	bareAddr    = "127.0.0.1:18082"
	// generatedPassword is pilotd generate's password for every account.
	generatedPassword = "Bench@2026pilot"
)

// loadResult is what one wrk run measured.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int
	errors   int
	maxRSS   int64
}

// benchList measures the authenticated case list (a page of 20 with
// filters, rotating through clerks of many counties) under wrk load from a
// second process, against the bare handler running the same SQL; and the
// service's resident memory at idle and under that load.
func (s *suite) benchList(ctx context.Context, _ *slog.Logger) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (apt-get install wrk)")
	}
	var counties []string
	if err := s.db.SelectContext(ctx, &counties, `SELECT code FROM counties ORDER BY code`); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(s.dir, "pilotd.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	svc := exec.CommandContext(ctx, s.pilotd, "serve", "--db-dsn", s.o.DSN, "--addr", serviceAddr, "--log-level", "warn",
		"--log-format", "json", "--signin-rate-limit", "1000000",
		// The jobs run at fixed hours in production; keep them out of the measured minutes.
		"--overdue-schedule", "0 3 1 1 *", "--reports-schedule", "0 4 1 1 *")
	svc.Env = s.env
	svc.Stdout, svc.Stderr = logFile, logFile
	t0 := time.Now()
	if err := svc.Start(); err != nil {
		return err
	}
	defer func() { _ = svc.Process.Kill(); _ = svc.Wait() }()
	if err := waitReady("http://"+serviceAddr+"/readyz", 5*time.Minute); err != nil {
		return fmt.Errorf("service: %w (log in %s)", err, logFile.Name())
	}
	s.note("service ready in %s on %d tenants", secs(time.Since(t0)), len(counties))

	picked := counties
	if s.o.Sessions > 0 && s.o.Sessions < len(counties) {
		picked = nil
		for i := 0; i < s.o.Sessions; i++ {
			picked = append(picked, counties[i*len(counties)/s.o.Sessions])
		}
	}
	t1 := time.Now()
	tokens, err := signIn(picked)
	if err != nil {
		return err
	}
	s.note("%d clerks signed in, one per county, in %s", len(picked), secs(time.Since(t1)))
	time.Sleep(5 * time.Second)
	idle := rssMB(svc.Process.Pid)
	script, err := writeScript(s.dir, picked, tokens)
	if err != nil {
		return err
	}

	measure := func(base string, pid int) (max, fixed loadResult, err error) {
		if _, err = s.wrk(base, script, 0, 5*time.Second, pid); err != nil { // warm-up
			return
		}
		if max, err = s.wrk(base, script, 0, s.o.Duration, pid); err != nil {
			return
		}
		fixed, err = s.wrk(base, script, s.o.Rate, s.o.Duration, pid)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	bare := exec.CommandContext(ctx, exe, "bare", "--dsn", s.o.DSN, "--addr", bareAddr)
	bare.Stdout, bare.Stderr = logFile, logFile
	if err := bare.Start(); err != nil {
		return err
	}
	defer func() { _ = bare.Process.Kill(); _ = bare.Wait() }()
	if err := waitReady("http://"+bareAddr+"/api/v1/counties/"+picked[0]+"/cases", time.Minute); err != nil {
		return fmt.Errorf("bare handler: %w", err)
	}
	// One rotation through every county's pages first, so both are measured
	// on a warm buffer pool rather than the second on pages the first read.
	if _, err := s.wrk("http://"+bareAddr, script, 0, 40*time.Second, bare.Process.Pid); err != nil {
		return err
	}
	svcMax, svcFixed, err := measure("http://"+serviceAddr, svc.Process.Pid)
	if err != nil {
		return err
	}

	bareMax, bareFixed, err := measure("http://"+bareAddr, bare.Process.Pid)
	if err != nil {
		return err
	}

	share := svcMax.rps / bareMax.rps
	s.add(row{name: fmt.Sprintf("case list, max throughput (wrk %d connections, %d tenants signed in)", s.o.Connections, len(picked)),
		value: fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", svcMax.rps, ms(svcMax.p50), ms(svcMax.p99)),
		floor: fmt.Sprintf("%.0f req/s, p50 %s, p99 %s bare handler", bareMax.rps, ms(bareMax.p50), ms(bareMax.p99)),
		ratio: fmt.Sprintf("%.0f%% of bare", 100*share), target: "≥60% of bare", met: verdict(share >= 0.6)})
	s.add(row{name: fmt.Sprintf("case list at %d req/s (achieved %.0f)", s.o.Rate, svcFixed.rps),
		value: fmt.Sprintf("p50 %s, p99 %s", ms(svcFixed.p50), ms(svcFixed.p99)),
		floor: fmt.Sprintf("p50 %s, p99 %s bare (achieved %.0f/s)", ms(bareFixed.p50), ms(bareFixed.p99), bareFixed.rps),
		ratio: fmt.Sprintf("%.2f× p99", float64(svcFixed.p99)/float64(bareFixed.p99)), target: "p99 <25 ms",
		met: verdict(svcFixed.p99 < 25*time.Millisecond && svcFixed.rps >= 0.95*float64(s.o.Rate))})
	peak := max(svcMax.maxRSS, svcFixed.maxRSS)
	s.add(row{name: fmt.Sprintf("service resident memory, %d tenants", len(counties)), value: fmt.Sprintf("%d MB idle, %d MB peak under load", idle, peak),
		floor: fmt.Sprintf("%d MB bare handler peak", max(bareMax.maxRSS, bareFixed.maxRSS)), ratio: "–", target: "<200 MB",
		met: verdict(idle < 200 && peak < 200)})
	return nil
}

// waitReady polls url until it answers 200.
func waitReady(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s", url, limit)
}

// signIn signs in the first clerk of each county, two at a time.
func signIn(counties []string) ([]string, error) {
	tokens := make([]string, len(counties))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(counties) {
					return
				}
				body, _ := json.Marshal(map[string]string{"username": "c" + counties[i] + "_clerk1", "password": generatedPassword})
				resp, err := http.Post("http://"+serviceAddr+"/api/v1/session", "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				var out struct {
					Token string `json:"token"`
				}
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
					errs <- fmt.Errorf("sign-in of clerk of %s: status %d, %v", counties[i], resp.StatusCode, err)
					return
				}
				tokens[i] = out.Token
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return tokens, nil
}

// listQueries are the filters a clerk's list page uses, a page of 20 each.
var listQueries = []string{
	"page=1&per_page=20",
	"status=in_review&page=1&per_page=20",
	"status=delivered&item=281&page=2&per_page=20",
	"sort=received&page=3&per_page=20",
}

// writeScript writes the wrk Lua script: requests rotate through every
// signed-in county and filter; INTERVAL_MS in the environment fixes the rate.
func writeScript(dir string, counties, tokens []string) (string, error) {
	var b strings.Builder
	b.WriteString("local reqs = {\n")
	for i, c := range counties {
		for _, q := range listQueries {
			fmt.Fprintf(&b, "  {%q, %q},\n", "/api/v1/counties/"+c+"/cases?"+q, "Bearer "+tokens[i])
		}
	}
	b.WriteString(`}
local n = #reqs
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
local i = 0
request = function()
  i = i + 1
  local r = reqs[((offset or 0) + i) % n + 1]
  return wrk.format("GET", r[1], {["Authorization"] = r[2]})
end
-- A fixed rate: each thread hands out send times INTERVAL_MS apart to
-- whichever of its connections is ready next (an open schedule, so a slow
-- response does not lower the rate).
local interval = tonumber(os.getenv("INTERVAL_MS") or "0")
if interval > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_usec; } pilot_timeval;
    int gettimeofday(pilot_timeval *tv, void *tz);
  ]]
  local tv = ffi.new("pilot_timeval")
  local function now_ms()
    ffi.C.gettimeofday(tv, nil)
    return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
  end
  local next_at = nil
  delay = function()
    local t = now_ms()
    if next_at == nil or next_at < t - 1000 then next_at = t end
    local d = next_at - t
    next_at = next_at + interval
    if d < 0 then d = 0 end
    return d
  end
end
`)
	path := filepath.Join(dir, "list.lua")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

var (
	wrkRPS      = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal    = regexp.MustCompile(`(\d+) requests in ([0-9.]+)(us|ms|s|m)`)
	wrkPct      = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErrs = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// wrk runs one load and samples the target's resident memory meanwhile.
// rate 0 means as fast as possible; otherwise each connection waits so the
// total is about rate requests per second.
func (s *suite) wrk(base, script string, rate int, d time.Duration, pid int) (loadResult, error) {
	cmd := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", s.o.Connections), fmt.Sprintf("-d%ds", int(d.Seconds())),
		"--latency", "-s", script, base)
	cmd.Env = os.Environ()
	if rate > 0 {
		// Two wrk threads share the rate.
		cmd.Env = append(cmd.Env, fmt.Sprintf("INTERVAL_MS=%g", 2*1000/float64(rate)))
	}
	var res loadResult
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if mb := rssMB(pid); mb > res.maxRSS {
				res.maxRSS = mb
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	out, err := cmd.CombinedOutput()
	close(stop)
	<-done
	if err != nil {
		return res, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	parsed, err := parseWrk(string(out))
	parsed.maxRSS = res.maxRSS
	if err == nil && parsed.errors > 0 {
		err = fmt.Errorf("%d failed requests against %s:\n%s", parsed.errors, base, out)
	}
	return parsed, err
}

// parseWrk reads throughput, median and 99th percentile latency and the
// failed requests from wrk's --latency report.
func parseWrk(text string) (loadResult, error) {
	var res loadResult
	if m := wrkRPS.FindStringSubmatch(text); m != nil {
		res.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := wrkTotal.FindStringSubmatch(text); m != nil {
		res.requests, _ = strconv.Atoi(m[1])
	}
	for _, m := range wrkPct.FindAllStringSubmatch(text, -1) {
		v := parseWrkDuration(m[2], m[3])
		if m[1] == "50" {
			res.p50 = v
		} else {
			res.p99 = v
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(text); m != nil {
		res.errors, _ = strconv.Atoi(m[1])
	}
	if m := wrkSockErrs.FindStringSubmatch(text); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			res.errors += n
		}
	}
	if res.rps == 0 || res.p99 == 0 {
		return res, fmt.Errorf("could not read wrk's output:\n%s", text)
	}
	return res, nil
}

func parseWrkDuration(v, unit string) time.Duration {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "us":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	}
	return time.Duration(f * float64(time.Second))
}

// rssMB reads a process's resident set size in MB from /proc.
func rssMB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb / 1024
			}
		}
	}
	return 0
}
