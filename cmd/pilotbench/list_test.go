package main

import (
	"testing"
	"time"
)

// A report of wrk 4.1 (Debian) with --latency.
const wrkReport = `Running 10s test @ http://127.0.0.1:18082
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.52ms   12.31ms 186.40ms   89.12%
    Req/Sec     1.02k   201.33     1.50k    70.00%
  Latency Distribution
     50%  621.00us
     75%   12.03ms
     90%   24.87ms
     99%    1.20s
  20345 requests in 10.01s, 35.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2032.51
Transfer/sec:      3.51MB
`

func TestParseWrk(t *testing.T) {
	res, err := parseWrk(wrkReport)
	if err != nil {
		t.Fatal(err)
	}
	if res.rps != 2032.51 || res.requests != 20345 {
		t.Errorf("rps %v, requests %d", res.rps, res.requests)
	}
	if res.p50 != 621*time.Microsecond || res.p99 != 1200*time.Millisecond {
		t.Errorf("p50 %v, p99 %v", res.p50, res.p99)
	}
	if res.errors != 7 {
		t.Errorf("errors %d, want 4 non-2xx + 3 socket errors", res.errors)
	}
	if _, err := parseWrk("wrk: connection refused"); err == nil {
		t.Error("an unreadable report parsed")
	}
}
