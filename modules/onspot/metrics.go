package onspot

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/db"
	"safetypilot/web"
)

// RegisterMetrics exports the figures of on-the-spot decisions per county,
// read from the database at scrape time (every replica reports the same
// values: take max, not sum). A deposit counts as overdue once the overdue
// job has lit it red (第七十一条: two working days to the bureau, two more
// to the bank), so the gauge follows the job, which counts working days on
// the shared calendar.
func RegisterMetrics(reg prometheus.Registerer, database *db.DB) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"county"}, nil)
	}
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		return readFigures(ctx, database)
	},
		desc("pilot_onspot_decisions", "On-the-spot penalty decisions (简易程序), by county."),
		desc("pilot_onspot_unfiled", "On-the-spot decisions not yet acknowledged by the bureau (备案), by county."),
		desc("pilot_onspot_deposits_overdue", "Fines collected on the spot not handed to the bureau or paid into the bank in time (第七十一条), by county."),
	))
}

func readFigures(ctx context.Context, database *db.DB) (map[string][]float64, error) {
	var rows []struct {
		County  string `db:"county_code"`
		All     int    `db:"total"`
		Unfiled int    `db:"unfiled"`
		Overdue int    `db:"overdue"`
	}
	if err := database.SelectContext(ctx, &rows, `SELECT county_code, COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN filed_on = '' THEN 1 ELSE 0 END), 0) AS unfiled,
		COALESCE(SUM(CASE WHEN payment = ? AND banked_on = '' AND deposit_warning = ? THEN 1 ELSE 0 END), 0) AS overdue
		FROM onspot_decisions GROUP BY county_code`, PaymentOnSpot, WarningRed); err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, r := range rows {
		out[r.County] = []float64{float64(r.All), float64(r.Unfiled), float64(r.Overdue)}
	}
	return out, nil
}
