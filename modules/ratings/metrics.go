package ratings

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/web"
)

// RegisterMetrics exports the rating figures per county, read from the
// database at scrape time (every replica reports the same values: take max,
// not sum). Satisfaction is pilot_ratings_satisfied / pilot_ratings.
func RegisterMetrics(reg prometheus.Registerer, database *db.DB) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"county"}, nil)
	}
	reg.MustRegister(web.NewCountyGauges(15*time.Second, func(ctx context.Context) (map[string][]float64, error) {
		return readFigures(ctx, database)
	},
		desc("pilot_ratings", "Ratings (好差评) that stand, excluded ones left out, by county."),
		desc("pilot_ratings_satisfied", "Ratings of 基本满意, 满意 or 非常满意 (levels 3-5) that stand, by county."),
		desc("pilot_rectifications_open", "Rectifications of 差评 not yet closed, by county."),
		desc("pilot_rectifications_overdue", "Open rectifications past their due date, by county."),
	))
}

// readFigures reads each county's ratings, satisfied ratings, open and
// overdue rectifications, in the order RegisterMetrics declares them.
func readFigures(ctx context.Context, database *db.DB) (map[string][]float64, error) {
	today := calendar.FormatDate(calendar.Today(time.Now()))
	out := map[string][]float64{}
	get := func(county string) []float64 {
		if out[county] == nil {
			out[county] = make([]float64, 4)
		}
		return out[county]
	}
	var rated []struct {
		County    string `db:"county_code"`
		Ratings   int    `db:"ratings"`
		Satisfied int    `db:"satisfied"`
	}
	if err := database.SelectContext(ctx, &rated, `SELECT county_code, COUNT(*) AS ratings,
		COALESCE(SUM(CASE WHEN level >= 3 THEN 1 ELSE 0 END), 0) AS satisfied
		FROM ratings WHERE excluded = ? GROUP BY county_code`, false); err != nil {
		return nil, err
	}
	for _, r := range rated {
		v := get(r.County)
		v[0], v[1] = float64(r.Ratings), float64(r.Satisfied)
	}
	var rects []struct {
		County  string `db:"county_code"`
		Open    int    `db:"open"`
		Overdue int    `db:"overdue"`
	}
	if err := database.SelectContext(ctx, &rects, `SELECT county_code, COUNT(*) AS open,
		COALESCE(SUM(CASE WHEN due_on < ? THEN 1 ELSE 0 END), 0) AS overdue
		FROM rectifications WHERE status = ? GROUP BY county_code`, today, StatusOpen); err != nil {
		return nil, err
	}
	for _, r := range rects {
		v := get(r.County)
		v[2], v[3] = float64(r.Open), float64(r.Overdue)
	}
	return out, nil
}
