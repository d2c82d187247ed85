package e2e

import (
	"sync/atomic"
	"time"
)

// EnforcementClock is "now" for the enforcement services (inspections,
// penalties, publicity) in a test that walks a case across months: the test
// moves it with Set while the server runs, so it is read atomically.
type EnforcementClock struct {
	t  *Service
	at atomic.Int64
}

// EnforcementClock stops the clocks of inspections, penalties and publicity
// at 10:00 Beijing time on date (YYYY-MM-DD) and returns the clock to move.
func (s *Service) EnforcementClock(date string) *EnforcementClock {
	s.T.Helper()
	c := &EnforcementClock{t: s}
	c.Set(date)
	s.Svc.Inspections.Now, s.Svc.Penalties.Now, s.Svc.Publicity.Now, s.Svc.OnSpot.Now = c.Now, c.Now, c.Now, c.Now
	return c
}

// Set moves the clock to 10:00 Beijing time on date.
func (c *EnforcementClock) Set(date string) {
	c.t.T.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", date+" 10:00", Beijing)
	if err != nil {
		c.t.T.Fatalf("clock date %q: %v", date, err)
	}
	c.at.Store(at.UnixNano())
}

// Now is the time the clock shows.
func (c *EnforcementClock) Now() time.Time { return time.Unix(0, c.at.Load()).In(Beijing) }
