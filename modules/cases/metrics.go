package cases

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/tenants"
)

// Metrics are the timeliness figures leadership watches. Counters count what
// this replica did (sum them across replicas); the open, due-soon and overdue
// gauges are read from the database at scrape time, so every replica reports
// the same truth (take max across replicas, never sum).
type Metrics struct {
	receivedTotal  *prometheus.CounterVec
	completedTotal *prometheus.CounterVec
	processing     *prometheus.HistogramVec
	gauges         *gaugeCollector
}

// NewMetrics registers the case metrics on reg.
func NewMetrics(reg prometheus.Registerer, database *db.DB, cal *calendar.Calendar) *Metrics {
	m := &Metrics{
		receivedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pilot_cases_received_total",
			Help: "Cases received, by county.",
		}, []string{"county"}),
		completedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pilot_cases_completed_total",
			Help: "Cases delivered, by county and whether the decision met the promised deadline.",
		}, []string{"county", "timeliness"}),
		processing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pilot_case_processing_workdays",
			Help:    "Working days from receipt to decision of delivered cases, by catalog item.",
			Buckets: []float64{1, 2, 3, 5, 8, 10, 13, 15, 20, 30, 45, 60},
		}, []string{"item"}),
		gauges: &gaugeCollector{db: database, cal: cal, ttl: 15 * time.Second,
			open:    prometheus.NewDesc("pilot_cases_open", "Open cases (not yet decided, withdrawn or refused), by county.", []string{"county"}, nil),
			dueSoon: prometheus.NewDesc("pilot_cases_due_soon", "Open cases whose promised deadline is at most one working day away, by county.", []string{"county"}, nil),
			overdue: prometheus.NewDesc("pilot_cases_overdue", "Open cases past their promised deadline, by county.", []string{"county"}, nil),
		},
	}
	// The counters are collected by the gauge collector, after its read
	// made every active county's series exist (known), so even the first
	// scrape after a county is onboarded shows them at 0.
	m.gauges.known = m.known
	m.gauges.counters = []prometheus.Collector{m.receivedTotal, m.completedTotal}
	reg.MustRegister(m.processing, m.gauges)
	return m
}

// timelinessLabels are the values of pilot_cases_completed_total's
// timeliness label.
var timelinessLabels = []string{"on_time", "late"}

// known makes the counter series of each county exist at 0. A counter
// series that first appears at 1 (the county's first case after a restart
// of this replica) is invisible to increase() and rate(), so the dashboards
// would miss that case; a series seen at 0 before its first event counts
// it. The gauges' scrape-time read calls it with every active county, so
// counties onboarded later get their series within one scrape.
func (m *Metrics) known(counties []string) {
	for _, c := range counties {
		m.receivedTotal.WithLabelValues(c)
		for _, t := range timelinessLabels {
			m.completedTotal.WithLabelValues(c, t)
		}
	}
}

// InitCounties reads the active pilot counties and makes their counter
// series exist at 0 (see known); call it once at start, before serving.
func (m *Metrics) InitCounties(ctx context.Context) error {
	counties, err := activeCounties(ctx, m.gauges.db)
	if err != nil {
		return err
	}
	m.known(counties)
	return nil
}

// activeCounties lists the codes of the active pilot counties.
func activeCounties(ctx context.Context, d *db.DB) ([]string, error) {
	var out []string
	if err := d.SelectContext(ctx, &out, `SELECT code FROM counties WHERE status = ?`, tenants.StatusActive); err != nil {
		return nil, fmt.Errorf("cases: active counties: %w", err)
	}
	return out, nil
}

func (m *Metrics) received(county, item string) {
	if m != nil {
		// county may come from the request path, whose bytes Fiber reuses:
		// the metric keeps its label, so it gets its own copy.
		m.receivedTotal.WithLabelValues(strings.Clone(county)).Inc()
	}
}

// completed counts a delivered case and its processing time.
func (m *Metrics) completed(c Case, clock *Clock) {
	if m == nil {
		return
	}
	timeliness := "late"
	if c.OnTime != nil && *c.OnTime {
		timeliness = "on_time"
	}
	m.completedTotal.WithLabelValues(c.CountyCode, timeliness).Inc()
	if c.DecidedOn != nil {
		days := clock.WorkdaysBetween(c.CountyCode, mustDate(c.ReceivedOn), mustDate(*c.DecidedOn))
		m.processing.WithLabelValues(c.ItemCode).Observe(float64(days))
	}
}

// gaugeCollector reads the open-case figures from the database, at most once
// per ttl however often it is scraped.
type gaugeCollector struct {
	db                     *db.DB
	cal                    *calendar.Calendar
	ttl                    time.Duration
	open, dueSoon, overdue *prometheus.Desc
	// known receives the active counties at each read (Metrics.known).
	known func(counties []string)
	// counters are collected after each read.
	counters []prometheus.Collector

	mu      sync.Mutex
	readAt  time.Time
	figures []countyFigures
}

type countyFigures struct {
	County  string `db:"county_code"`
	Open    int    `db:"open_cases"`
	DueSoon int    `db:"due_soon"`
	Overdue int    `db:"overdue"`
}

func (g *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range g.counters {
		c.Describe(ch)
	}
	ch <- g.open
	ch <- g.dueSoon
	ch <- g.overdue
}

func (g *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	figures, err := g.read()
	for _, c := range g.counters {
		c.Collect(ch)
	}
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.open, err)
		return
	}
	for _, f := range figures {
		ch <- prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue, float64(f.Open), f.County)
		ch <- prometheus.MustNewConstMetric(g.dueSoon, prometheus.GaugeValue, float64(f.DueSoon), f.County)
		ch <- prometheus.MustNewConstMetric(g.overdue, prometheus.GaugeValue, float64(f.Overdue), f.County)
	}
}

func (g *gaugeCollector) read() ([]countyFigures, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.readAt) < g.ttl {
		return g.figures, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	today := calendar.Today(time.Now())
	// Due soon is judged with the national calendar here; a province's local
	// holidays shift it by a day at most, which the per-case light gets right.
	next := g.cal.NextWorkday(rbac.NationalRegion, today)
	var out []countyFigures
	err := g.db.SelectContext(ctx, &out, `SELECT county_code, COUNT(*) AS open_cases,
		COALESCE(SUM(CASE WHEN clock_running = ? AND promised_deadline < ? THEN 1 ELSE 0 END), 0) AS overdue,
		COALESCE(SUM(CASE WHEN clock_running = ? AND promised_deadline >= ? AND promised_deadline <= ? THEN 1 ELSE 0 END), 0) AS due_soon
		FROM cases WHERE status IN (?, ?, ?, ?) GROUP BY county_code`,
		true, calendar.FormatDate(today), true, calendar.FormatDate(today), calendar.FormatDate(next),
		StatusSubmitted, StatusAccepted, StatusInReview, StatusReturned)
	if err != nil {
		return nil, err
	}
	counties, err := activeCounties(ctx, g.db)
	if err != nil {
		return nil, err
	}
	g.known(counties)
	g.figures, g.readAt = out, time.Now()
	return out, nil
}
