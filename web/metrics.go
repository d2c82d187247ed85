package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the HTTP instruments and the registry /metrics serves.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP instruments on reg.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pilot_http_requests_total",
			Help: "HTTP requests served, by route template and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pilot_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *Metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = fiber.StatusInternalServerError
		if s, ok := asClientError(err); ok {
			status = s
		}
	}
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched" // keep unknown paths out of the label set
	}
	// Fiber's method string shares a buffer that later requests reuse (a
	// POST turned into "GETT"): the metrics keep their labels, so they get a copy.
	method := strings.Clone(c.Method())
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	return err
}

// ServerErrorCodes are the status codes whose requests counter starts at 0
// for every route: the alert and the panels of server errors take increase()
// and rate() of them, which would miss the first error of a series that
// appeared at 1. Other codes are left to appear on their first request
// (their first request after a restart costs a rate nothing lasting).
var ServerErrorCodes = []string{"500", "503"}

// InitRoutes starts the requests counter at 0 for every route of app and
// each of ServerErrorCodes; called once all routes are mounted.
func (m *Metrics) InitRoutes(app *fiber.App) {
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Method == "USE" || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		for _, code := range ServerErrorCodes {
			m.requests.WithLabelValues(r.Method, r.Path, code)
		}
	}
}

// Handler serves the registry in the Prometheus text format. When a
// collector fails (the database is away) the rest is still served, so the
// scrape succeeds and pilot_database_ready can say 0.
func (m *Metrics) Handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
}
