package inspections

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/web"
)

// RegisterMetrics exports the inspection figures per county, read from the
// database at scrape time through web.CountyGauges (every replica reports
// the same values: take max, not sum).
func RegisterMetrics(reg prometheus.Registerer, database *db.DB) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"county"}, nil)
	}
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		return readFigures(ctx, database)
	},
		desc("pilot_inspections_assigned", "Drawn inspections (双随机) not yet recorded, by county."),
		desc("pilot_inspection_rectifications_open", "Orders to rectify (责令限期整改) not yet re-checked, by county."),
		desc("pilot_inspection_rectifications_overdue", "Orders to rectify past their deadline without a re-check, by county."),
		desc("pilot_inspection_results_unpublished_overdue", "Inspection results not published by their due date, by county."),
	))
}

// readFigures reads each county's figures in the order RegisterMetrics
// declares them.
func readFigures(ctx context.Context, database *db.DB) (map[string][]float64, error) {
	today := calendar.FormatDate(calendar.Today(time.Now()))
	var rows []struct {
		County         string `db:"county_code"`
		Assigned       int    `db:"assigned"`
		RectifyOpen    int    `db:"rectify_open"`
		RectifyOverdue int    `db:"rectify_overdue"`
		PublishOverdue int    `db:"publish_overdue"`
	}
	if err := database.SelectContext(ctx, &rows, `SELECT county_code,
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS assigned,
		COALESCE(SUM(CASE WHEN status = ? AND rectify_deadline <> '' AND recheck_on = '' THEN 1 ELSE 0 END), 0) AS rectify_open,
		COALESCE(SUM(CASE WHEN status = ? AND rectify_deadline <> '' AND recheck_on = '' AND rectify_deadline < ? THEN 1 ELSE 0 END), 0) AS rectify_overdue,
		COALESCE(SUM(CASE WHEN status = ? AND published_on = '' AND publish_due <> '' AND publish_due < ? THEN 1 ELSE 0 END), 0) AS publish_overdue
		FROM inspections GROUP BY county_code`, StatusAssigned, StatusCompleted, StatusCompleted, today, StatusCompleted, today); err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, r := range rows {
		out[r.County] = []float64{float64(r.Assigned), float64(r.RectifyOpen), float64(r.RectifyOverdue), float64(r.PublishOverdue)}
	}
	return out, nil
}
