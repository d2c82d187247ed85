package publicity

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/web"
)

// RegisterMetrics exports, by county, the decisions awaiting publication and
// those of them past their due day, read from the database at scrape time
// (so every replica reports the same; aggregate with max).
func RegisterMetrics(reg prometheus.Registerer, database *db.DB, now func() time.Time) {
	pending := prometheus.NewDesc("pilot_publicity_pending", "Licensing and penalty decisions not yet published (双公示), by county.", []string{"county"}, nil)
	overdue := prometheus.NewDesc("pilot_publicity_overdue", "Decisions not yet published past their due day (7 working days after the decision), by county.", []string{"county"}, nil)
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		var rows []struct {
			County  string `db:"county_code"`
			Pending int    `db:"pending"`
			Overdue int    `db:"overdue"`
		}
		today := calendar.FormatDate(calendar.Today(now()))
		// Every county reports, 0 included, so a county that has published
		// everything reads 0 rather than vanishing from the series.
		if err := database.SelectContext(ctx, &rows, `SELECT c.code AS county_code, COUNT(p.id) AS pending,
			COALESCE(SUM(CASE WHEN p.due_on < ? THEN 1 ELSE 0 END), 0) AS overdue
			FROM counties c LEFT JOIN publicity_entries p ON p.county_code = c.code AND p.status = ?
			GROUP BY c.code`, today, StatusPending); err != nil {
			return nil, fmt.Errorf("publicity: metrics: %w", err)
		}
		out := map[string][]float64{}
		for _, r := range rows {
			out[r.County] = []float64{float64(r.Pending), float64(r.Overdue)}
		}
		return out, nil
	}, pending, overdue))
}
