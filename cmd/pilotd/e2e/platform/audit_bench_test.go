package platform_test

import (
	"sync/atomic"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/db"
)

// BenchmarkAuditedWrites measures audited writes per second on MariaDB
// through the whole middleware chain, eight at a time: counter case
// creations in one county and spread over four, and sign-ins. Passwords are
// hashed cheaply here, so the sign-in figure is the cost of its writes (the
// session and its audit entry), not argon2id's. Run with
//
//	go test ./cmd/pilotd/e2e/platform -run '^$' -bench AuditedWrites -benchtime 2000x
func BenchmarkAuditedWrites(b *testing.B) {
	s := e2e.New(b, db.MySQL)
	desks := []e2e.CaseDesk{s.CaseDesk("340102"), s.CaseDesk("340103"), s.CaseDesk("340104"), s.CaseDesk("340111")}
	body := e2e.CaseBody("274")
	parallel := func(b *testing.B, write func(i int64) bool) {
		var next, failed atomic.Int64
		b.SetParallelism(4) // 4 × GOMAXPROCS writers
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !write(next.Add(1)) {
					failed.Add(1)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		if n := failed.Load(); n > 0 {
			b.Errorf("%d of %d writes failed", n, b.N)
		}
	}
	b.Run("case creation, one county", func(b *testing.B) {
		parallel(b, func(int64) bool {
			return s.Do("POST", e2e.CasePath(desks[0].County, ""), desks[0].Clerk, body).Status == 201
		})
	})
	b.Run("case creation, four counties", func(b *testing.B) {
		parallel(b, func(i int64) bool {
			d := desks[i%int64(len(desks))]
			return s.Do("POST", e2e.CasePath(d.County, ""), d.Clerk, body).Status == 201
		})
	})
	b.Run("sign-in", func(b *testing.B) {
		credentials := map[string]string{"username": "clerk_340102", "password": "User#Pass2026x"}
		parallel(b, func(int64) bool {
			return s.Do("POST", "/api/v1/session", "", credentials).Status == 200
		})
	})
}
