package web

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CountyGauges collects gauges by county that are read from the database at
// scrape time: every replica reports the same values (aggregate them with
// max, not sum), and a read is kept for a while so a busy scraper does not
// query the database on every scrape.
type CountyGauges struct {
	descs []*prometheus.Desc
	read  func(ctx context.Context) (map[string][]float64, error)
	ttl   time.Duration

	mu     sync.Mutex
	readAt time.Time
	values map[string][]float64
}

// NewCountyGauges makes the collector of descs, each labelled by county
// alone; read returns each county's values in the order of descs.
func NewCountyGauges(ttl time.Duration, read func(ctx context.Context) (map[string][]float64, error),
	descs ...*prometheus.Desc) *CountyGauges {
	return &CountyGauges{descs: descs, read: read, ttl: ttl}
}

// Describe sends the gauges' descriptions.
func (g *CountyGauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range g.descs {
		ch <- d
	}
}

// Collect sends each county's values, read at most once per ttl; a failed
// read is reported as an invalid metric rather than as stale values.
func (g *CountyGauges) Collect(ch chan<- prometheus.Metric) {
	values, err := g.current()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.descs[0], err)
		return
	}
	for county, vs := range values {
		for i, d := range g.descs {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, vs[i], county)
		}
	}
}

func (g *CountyGauges) current() (map[string][]float64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.values != nil && time.Since(g.readAt) < g.ttl {
		return g.values, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	values, err := g.read(ctx)
	if err != nil {
		return nil, err
	}
	g.values, g.readAt = values, time.Now()
	return values, nil
}
