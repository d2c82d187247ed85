package calendar

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterMetrics exports whether this year's and next year's national
// calendars are loaded, so a missing year is an alert, not a surprise.
func (s *Service) RegisterMetrics(reg prometheus.Registerer) {
	reg.MustRegister(&yearsCollector{svc: s, loaded: prometheus.NewDesc("pilot_calendar_year_loaded",
		"Whether the national working-day calendar of this year and the next is loaded (1) or missing (0).",
		[]string{"year"}, nil)})
}

type yearsCollector struct {
	svc    *Service
	loaded *prometheus.Desc
}

func (y *yearsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- y.loaded }

func (y *yearsCollector) Collect(ch chan<- prometheus.Metric) {
	this := Today(time.Now()).Year()
	for _, year := range []int{this, this + 1} {
		v := 0.0
		if y.svc.cal.HasYear(year) {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(y.loaded, prometheus.GaugeValue, v, strconv.Itoa(year))
	}
}
