package ratings

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
)

// RegisterMetrics exports the rating figures per county, read from the
// database at scrape time (every replica reports the same values: take max,
// not sum). Satisfaction is pilot_ratings_satisfied / pilot_ratings.
func RegisterMetrics(reg prometheus.Registerer, database *db.DB) {
	reg.MustRegister(&figuresCollector{db: database, ttl: 15 * time.Second,
		ratings:   prometheus.NewDesc("pilot_ratings", "Ratings (好差评) that stand, excluded ones left out, by county.", []string{"county"}, nil),
		satisfied: prometheus.NewDesc("pilot_ratings_satisfied", "Ratings of 基本满意, 满意 or 非常满意 (levels 3-5) that stand, by county.", []string{"county"}, nil),
		open:      prometheus.NewDesc("pilot_rectifications_open", "Rectifications of 差评 not yet closed, by county.", []string{"county"}, nil),
		overdue:   prometheus.NewDesc("pilot_rectifications_overdue", "Open rectifications past their due date, by county.", []string{"county"}, nil),
	})
}

type figuresCollector struct {
	db  *db.DB
	ttl time.Duration

	ratings, satisfied, open, overdue *prometheus.Desc

	mu     sync.Mutex
	readAt time.Time
	rows   []figuresRow
}

type figuresRow struct {
	County    string `db:"county_code"`
	Ratings   int    `db:"ratings"`
	Satisfied int    `db:"satisfied"`
	Open      int    `db:"open"`
	Overdue   int    `db:"overdue"`
}

func (f *figuresCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{f.ratings, f.satisfied, f.open, f.overdue} {
		ch <- d
	}
}

func (f *figuresCollector) Collect(ch chan<- prometheus.Metric) {
	rows, err := f.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(f.ratings, err)
		return
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(f.ratings, prometheus.GaugeValue, float64(r.Ratings), r.County)
		ch <- prometheus.MustNewConstMetric(f.satisfied, prometheus.GaugeValue, float64(r.Satisfied), r.County)
		ch <- prometheus.MustNewConstMetric(f.open, prometheus.GaugeValue, float64(r.Open), r.County)
		ch <- prometheus.MustNewConstMetric(f.overdue, prometheus.GaugeValue, float64(r.Overdue), r.County)
	}
}

func (f *figuresCollector) read() ([]figuresRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if time.Since(f.readAt) < f.ttl {
		return f.rows, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	today := calendar.FormatDate(calendar.Today(time.Now()))
	byCounty := map[string]*figuresRow{}
	get := func(c string) *figuresRow {
		if byCounty[c] == nil {
			byCounty[c] = &figuresRow{County: c}
		}
		return byCounty[c]
	}
	var rated []figuresRow
	if err := f.db.SelectContext(ctx, &rated, `SELECT county_code, COUNT(*) AS ratings,
		COALESCE(SUM(CASE WHEN level >= 3 THEN 1 ELSE 0 END), 0) AS satisfied, 0 AS open, 0 AS overdue
		FROM ratings WHERE excluded = ? GROUP BY county_code`, false); err != nil {
		return nil, err
	}
	for _, r := range rated {
		row := get(r.County)
		row.Ratings, row.Satisfied = r.Ratings, r.Satisfied
	}
	var rects []figuresRow
	if err := f.db.SelectContext(ctx, &rects, `SELECT county_code, 0 AS ratings, 0 AS satisfied, COUNT(*) AS open,
		COALESCE(SUM(CASE WHEN due_on < ? THEN 1 ELSE 0 END), 0) AS overdue
		FROM rectifications WHERE status = ? GROUP BY county_code`, today, StatusOpen); err != nil {
		return nil, err
	}
	for _, r := range rects {
		row := get(r.County)
		row.Open, row.Overdue = r.Open, r.Overdue
	}
	f.rows = f.rows[:0]
	for _, r := range byCounty {
		f.rows = append(f.rows, *r)
	}
	f.readAt = time.Now()
	return f.rows, nil
}
