package disclosure

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/rbac"
	"safetypilot/web"
)

// RegisterMetrics exports the disclosure backlogs, read from the database at
// scrape time (every replica reports the same values: take max, not sum).
func RegisterMetrics(reg prometheus.Registerer, database *db.DB, cal *calendar.Calendar) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"county"}, nil)
	}
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		return readBacklogs(ctx, database, cal)
	},
		desc("pilot_disclosure_review_backlog", "Records waiting for confidentiality review, by county."),
		desc("pilot_disclosure_overdue", "Proactive records past the 20-working-day publication deadline and not published, by county."),
		desc("pilot_info_requests_open", "Requests for information not yet answered, by county."),
		desc("pilot_info_requests_due_soon", "Unanswered requests due within one working day, by county."),
		desc("pilot_info_requests_overdue", "Unanswered requests past their deadline, by county."),
	))
}

// readBacklogs reads each county's backlogs in the order RegisterMetrics
// declares them.
func readBacklogs(ctx context.Context, database *db.DB, cal *calendar.Calendar) (map[string][]float64, error) {
	today := calendar.Today(time.Now())
	todayStr, next := calendar.FormatDate(today), calendar.FormatDate(cal.NextWorkday(rbac.NationalRegion, today))
	out := map[string][]float64{}
	get := func(county string) []float64 {
		if out[county] == nil {
			out[county] = make([]float64, 5)
		}
		return out[county]
	}
	var recs []struct {
		County      string `db:"county_code"`
		Reviews     int    `db:"reviews"`
		Unpublished int    `db:"unpublished"`
	}
	if err := database.SelectContext(ctx, &recs, `SELECT county_code,
		COALESCE(SUM(CASE WHEN status IN (?, ?) THEN 1 ELSE 0 END), 0) AS reviews,
		COALESCE(SUM(CASE WHEN publish_deadline <> '' AND publish_deadline < ? THEN 1 ELSE 0 END), 0) AS unpublished
		FROM disclosure_records WHERE status IN (?, ?, ?, ?, ?) GROUP BY county_code`,
		StatusPendingReview, StatusPendingSecond, todayStr,
		StatusDraft, StatusPendingReview, StatusPendingSecond, StatusApproved, StatusRejected); err != nil {
		return nil, err
	}
	for _, r := range recs {
		v := get(r.County)
		v[0], v[1] = float64(r.Reviews), float64(r.Unpublished)
	}
	var reqs []struct {
		County  string `db:"county_code"`
		Open    int    `db:"requests_open"`
		DueSoon int    `db:"requests_due_soon"`
		Overdue int    `db:"requests_overdue"`
	}
	if err := database.SelectContext(ctx, &reqs, `SELECT county_code, COUNT(*) AS requests_open,
		COALESCE(SUM(CASE WHEN deadline >= ? AND deadline <= ? THEN 1 ELSE 0 END), 0) AS requests_due_soon,
		COALESCE(SUM(CASE WHEN deadline <> '' AND deadline < ? THEN 1 ELSE 0 END), 0) AS requests_overdue
		FROM info_requests WHERE status = ? GROUP BY county_code`, todayStr, next, todayStr, RequestReceived); err != nil {
		return nil, err
	}
	for _, r := range reqs {
		v := get(r.County)
		v[2], v[3], v[4] = float64(r.Open), float64(r.DueSoon), float64(r.Overdue)
	}
	return out, nil
}
