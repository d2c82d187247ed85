package penalties

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/web"
)

// RegisterMetrics exports the penalty figures per county, read from the
// database at scrape time (every replica reports the same values: take max,
// not sum).
func RegisterMetrics(reg prometheus.Registerer, database *db.DB) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"county"}, nil)
	}
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		return readFigures(ctx, database)
	},
		desc("pilot_penalty_cases_open", "Penalty cases without a decision yet, by county."),
		desc("pilot_penalty_cases_overdue", "Penalty cases past their decision deadline (行政处罚法 第六十条) without a decision, by county."),
		desc("pilot_penalty_payments_overdue", "Served penalty decisions whose fine is unpaid past its due date (第六十七条), by county."),
		desc("pilot_penalty_fines_decided_yuan", "Fines decided in penalty cases, in yuan, by county."),
		desc("pilot_penalty_enforcement_overdue", "Unpaid fines past the last day to apply to the court for enforcement (行政强制法 第五十三条) without an application, by county."),
	))
}

// readFigures reads each county's figures in the order RegisterMetrics
// declares them.
func readFigures(ctx context.Context, database *db.DB) (map[string][]float64, error) {
	today := calendar.FormatDate(calendar.Today(time.Now()))
	var rows []struct {
		County         string `db:"county_code"`
		Open           int    `db:"open_cases"`
		Overdue        int    `db:"overdue"`
		PaymentOverdue int    `db:"payment_overdue"`
		Fines          int64  `db:"fines"`
		Enforcement    int    `db:"enforcement_overdue"`
	}
	if err := database.SelectContext(ctx, &rows, `SELECT county_code,
		COALESCE(SUM(CASE WHEN decided_on = '' THEN 1 ELSE 0 END), 0) AS open_cases,
		COALESCE(SUM(CASE WHEN decided_on = '' AND decision_due < ? THEN 1 ELSE 0 END), 0) AS overdue,
		COALESCE(SUM(CASE WHEN payment_due <> '' AND paid_on = '' AND payment_due < ? AND status IN (?, ?) AND revoked_on = ''
			THEN 1 ELSE 0 END), 0) AS payment_overdue,
		COALESCE(SUM(fine_yuan), 0) AS fines,
		COALESCE(SUM(CASE WHEN enforcement_due <> '' AND enforcement_due < ? AND paid_on = '' AND revoked_on = '' AND status = ?
			THEN 1 ELSE 0 END), 0) AS enforcement_overdue
		FROM penalty_cases GROUP BY county_code`, today, today, StatusServed, StatusEnforcing, today, StatusServed); err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, r := range rows {
		out[r.County] = []float64{float64(r.Open), float64(r.Overdue), float64(r.PaymentOverdue), float64(r.Fines),
			float64(r.Enforcement)}
	}
	return out, nil
}
