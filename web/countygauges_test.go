package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestCountyGauges: each county's values come out under their gauges; a
// read is kept for the ttl; a failed read is an error of the scrape, not
// stale values.
func TestCountyGauges(t *testing.T) {
	reads := 0
	g := NewCountyGauges(time.Hour, func(context.Context) (map[string][]float64, error) {
		reads++
		return map[string][]float64{"340102": {3, 1}, "340103": {0, 2}}, nil
	},
		prometheus.NewDesc("test_open", "Open things.", []string{"county"}, nil),
		prometheus.NewDesc("test_late", "Late things.", []string{"county"}, nil))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(g)
	for i := 0; i < 3; i++ {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				got[f.GetName()+"/"+m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
			}
		}
		want := map[string]float64{"test_open/340102": 3, "test_open/340103": 0, "test_late/340102": 1, "test_late/340103": 2}
		if len(got) != len(want) {
			t.Fatalf("gathered %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
	}
	if reads != 1 {
		t.Errorf("%d reads within the ttl, want 1", reads)
	}

	failing := prometheus.NewPedanticRegistry()
	failing.MustRegister(NewCountyGauges(0, func(context.Context) (map[string][]float64, error) {
		return nil, errors.New("database down")
	}, prometheus.NewDesc("test_open", "Open things.", []string{"county"}, nil)))
	if _, err := failing.Gather(); err == nil || !strings.Contains(err.Error(), "database down") {
		t.Errorf("a failed read gathered without error: %v", err)
	}
}
