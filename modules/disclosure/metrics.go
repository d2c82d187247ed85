package disclosure

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// RegisterMetrics exports the disclosure backlogs, read from the database at
// scrape time (every replica reports the same values: take max, not sum).
func RegisterMetrics(reg prometheus.Registerer, database *db.DB, cal *calendar.Calendar) {
	reg.MustRegister(&backlogCollector{db: database, cal: cal, ttl: 15 * time.Second,
		reviews:         prometheus.NewDesc("pilot_disclosure_review_backlog", "Records waiting for confidentiality review, by county.", []string{"county"}, nil),
		unpublished:     prometheus.NewDesc("pilot_disclosure_overdue", "Proactive records past the 20-working-day publication deadline and not published, by county.", []string{"county"}, nil),
		requestsOpen:    prometheus.NewDesc("pilot_info_requests_open", "Requests for information not yet answered, by county.", []string{"county"}, nil),
		requestsDueSoon: prometheus.NewDesc("pilot_info_requests_due_soon", "Unanswered requests due within one working day, by county.", []string{"county"}, nil),
		requestsOverdue: prometheus.NewDesc("pilot_info_requests_overdue", "Unanswered requests past their deadline, by county.", []string{"county"}, nil),
	})
}

type backlogCollector struct {
	db  *db.DB
	cal *calendar.Calendar
	ttl time.Duration

	reviews, unpublished, requestsOpen, requestsDueSoon, requestsOverdue *prometheus.Desc

	mu     sync.Mutex
	readAt time.Time
	rows   []backlogRow
}

type backlogRow struct {
	County          string `db:"county_code"`
	Reviews         int    `db:"reviews"`
	Unpublished     int    `db:"unpublished"`
	RequestsOpen    int    `db:"requests_open"`
	RequestsDueSoon int    `db:"requests_due_soon"`
	RequestsOverdue int    `db:"requests_overdue"`
}

func (b *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{b.reviews, b.unpublished, b.requestsOpen, b.requestsDueSoon, b.requestsOverdue} {
		ch <- d
	}
}

func (b *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	rows, err := b.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(b.reviews, err)
		return
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(b.reviews, prometheus.GaugeValue, float64(r.Reviews), r.County)
		ch <- prometheus.MustNewConstMetric(b.unpublished, prometheus.GaugeValue, float64(r.Unpublished), r.County)
		ch <- prometheus.MustNewConstMetric(b.requestsOpen, prometheus.GaugeValue, float64(r.RequestsOpen), r.County)
		ch <- prometheus.MustNewConstMetric(b.requestsDueSoon, prometheus.GaugeValue, float64(r.RequestsDueSoon), r.County)
		ch <- prometheus.MustNewConstMetric(b.requestsOverdue, prometheus.GaugeValue, float64(r.RequestsOverdue), r.County)
	}
}

func (b *backlogCollector) read() ([]backlogRow, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.readAt) < b.ttl {
		return b.rows, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	today := calendar.Today(time.Now())
	todayStr, next := calendar.FormatDate(today), calendar.FormatDate(b.cal.NextWorkday(rbac.NationalRegion, today))
	byCounty := map[string]*backlogRow{}
	get := func(c string) *backlogRow {
		if byCounty[c] == nil {
			byCounty[c] = &backlogRow{County: c}
		}
		return byCounty[c]
	}
	var recs []backlogRow
	if err := b.db.SelectContext(ctx, &recs, `SELECT county_code,
		COALESCE(SUM(CASE WHEN status IN (?, ?) THEN 1 ELSE 0 END), 0) AS reviews,
		COALESCE(SUM(CASE WHEN publish_deadline <> '' AND publish_deadline < ? THEN 1 ELSE 0 END), 0) AS unpublished,
		0 AS requests_open, 0 AS requests_due_soon, 0 AS requests_overdue
		FROM disclosure_records WHERE status IN (?, ?, ?, ?, ?) GROUP BY county_code`,
		StatusPendingReview, StatusPendingSecond, todayStr,
		StatusDraft, StatusPendingReview, StatusPendingSecond, StatusApproved, StatusRejected); err != nil {
		return nil, err
	}
	for _, r := range recs {
		row := get(r.County)
		row.Reviews, row.Unpublished = r.Reviews, r.Unpublished
	}
	var reqs []backlogRow
	if err := b.db.SelectContext(ctx, &reqs, `SELECT county_code, 0 AS reviews, 0 AS unpublished, COUNT(*) AS requests_open,
		COALESCE(SUM(CASE WHEN deadline >= ? AND deadline <= ? THEN 1 ELSE 0 END), 0) AS requests_due_soon,
		COALESCE(SUM(CASE WHEN deadline <> '' AND deadline < ? THEN 1 ELSE 0 END), 0) AS requests_overdue
		FROM info_requests WHERE status = ? GROUP BY county_code`, todayStr, next, todayStr, RequestReceived); err != nil {
		return nil, err
	}
	for _, r := range reqs {
		row := get(r.County)
		row.RequestsOpen, row.RequestsDueSoon, row.RequestsOverdue = r.RequestsOpen, r.RequestsDueSoon, r.RequestsOverdue
	}
	b.rows = b.rows[:0]
	for _, r := range byCounty {
		b.rows = append(b.rows, *r)
	}
	b.readAt = time.Now()
	return b.rows, nil
}
