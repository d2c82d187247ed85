// Package reports compiles the pilot-experience summary reports (试点工作总结)
// that counties send to their province and provinces send to the national
// administration (point 六 of the notice), and the county's annual report on
// government information disclosure in the 2021 national format. Figures are
// computed from the data as of the period's end, stored with the report, and
// never recomputed once it is submitted.
package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/rbac"
)

// CatalogFigures describe the county's catalog as of the period's end.
type CatalogFigures struct {
	ItemsByCategory     map[string]int           `json:"items_by_category"`
	PublishedByCategory map[string]int           `json:"published_by_category"`
	FlowchartsPublished int                      `json:"flowcharts_published"`
	StandardsPublished  int                      `json:"discretion_standards_published"`
	PowersTotal         int                      `json:"powers_total"`
	Inventory           []catalog.InventoryCount `json:"inventory"`
	// Cleanup is the 2026 clean-up of the basic powers as of the period's
	// end: the powers held before, the results decided, those still held.
	Cleanup catalog.CleanupSummary `json:"cleanup"`
}

// DisclosureFigures describe publication and review in the period.
type DisclosureFigures struct {
	Published        int     `json:"published"`
	PublishedOnTime  int     `json:"published_on_time"`
	PublishedLate    int     `json:"published_late"`
	Reviews          int     `json:"reviews"`
	Rejections       int     `json:"rejections"`
	AvgReviewHours   float64 `json:"avg_review_hours"`
	reviewHoursTotal float64
}

// RequestFigures describe requests for information in the period.
type RequestFigures struct {
	Received       int            `json:"received"`
	Answered       int            `json:"answered"`
	AnsweredOnTime int            `json:"answered_on_time"`
	Outcomes       map[string]int `json:"outcomes"`
}

// ItemTiming is processing time of one item's cases decided in the period.
type ItemTiming struct {
	Item        string  `json:"item"`
	Name        string  `json:"name"`
	Decided     int     `json:"decided"`
	AvgWorkdays float64 `json:"avg_workdays"`
	P90Workdays int     `json:"p90_workdays"`
	days        []int
}

// CaseFigures describe case handling in the period.
type CaseFigures struct {
	Received      int          `json:"received"`
	Completed     int          `json:"completed"`
	Decided       int          `json:"decided"`
	DecidedOnTime int          `json:"decided_on_time"`
	OnTimeRate    float64      `json:"on_time_rate"`
	OverdueAtEnd  int          `json:"overdue_at_end"`
	Warnings      int          `json:"warnings"`
	ByItem        []ItemTiming `json:"by_item"`
}

// CountyFigures are the figures of one county for one period.
type CountyFigures struct {
	County     string            `json:"county"`
	CountyName string            `json:"county_name"`
	Catalog    CatalogFigures    `json:"catalog"`
	Disclosure DisclosureFigures `json:"disclosure"`
	Requests   RequestFigures    `json:"requests"`
	Cases      CaseFigures       `json:"cases"`
	Ratings    RatingFigures     `json:"ratings"`
	// Enforcement is the period's inspections, penalties and granted
	// licences, counted from those records themselves.
	Enforcement EnforcementFigures `json:"enforcement"`
}

// EnforcementFigures are the period's enforcement work (issue 17 point 9):
// inspections completed under 双随机一公开 (by inspection date; a redrawn
// plan's superseded inspections do not count) and those that found a
// violation; penalty cases filed (立案) and decided, and the fines of the
// decisions not since revoked (行政处罚法 第四十八条) that impose one; and
// the licences granted (准予行政许可 decisions, which 双公示 publishes).
type EnforcementFigures struct {
	Inspections               int   `json:"inspections"`
	InspectionsWithViolations int   `json:"inspections_with_violations"`
	PenaltyCasesFiled         int   `json:"penalty_cases_filed"`
	PenaltyDecisions          int   `json:"penalty_decisions"`
	FinesYuan                 int64 `json:"fines_yuan"`
	// OnSpotDecisions and OnSpotFinesYuan are the 简易程序's 当场行政处罚决定
	// (modules/onspot) made in the period and their fines.
	OnSpotDecisions int   `json:"onspot_decisions"`
	OnSpotFinesYuan int64 `json:"onspot_fines_yuan"`
	LicencesGranted int   `json:"licences_granted"`
}

// RatingFigures are the period's 政务服务好差评: the ratings made in it that
// stand (one the province excluded on appeal counts nowhere), the satisfied
// among them (基本满意 and better, levels 3–5), the 差评 (levels 1–2), and of
// those the ones whose rectification was closed by the period's end.
type RatingFigures struct {
	Rated     int `json:"rated"`
	Satisfied int `json:"satisfied"`
	Bad       int `json:"bad"`
	Rectified int `json:"rectified"`
}

// Period is a reporting period: [Start, End] in dates.
type Period struct {
	Kind  string `json:"kind"` // month, quarter or year
	Start string `json:"start"`
	End   string `json:"end"`
	Label string `json:"label"`
}

// MonthPeriod is the calendar month containing d.
func MonthPeriod(d time.Time) Period {
	start := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, -1)
	return Period{Kind: "month", Start: calendar.FormatDate(start), End: calendar.FormatDate(end),
		Label: fmt.Sprintf("%d年%d月", d.Year(), int(d.Month()))}
}

// QuarterPeriod is the quarter containing d.
func QuarterPeriod(d time.Time) Period {
	q := (int(d.Month()) - 1) / 3
	start := time.Date(d.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 3, -1)
	return Period{Kind: "quarter", Start: calendar.FormatDate(start), End: calendar.FormatDate(end),
		Label: fmt.Sprintf("%d年第%d季度", d.Year(), q+1)}
}

// YearPeriod is the calendar year containing d.
func YearPeriod(d time.Time) Period {
	return Period{Kind: "year", Start: fmt.Sprintf("%d-01-01", d.Year()), End: fmt.Sprintf("%d-12-31", d.Year()),
		Label: fmt.Sprintf("%d年度", d.Year())}
}

// ParsePeriod reads a period from its kind and any date inside it.
func ParsePeriod(kind, date string) (Period, error) {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return Period{}, err
	}
	switch kind {
	case "month":
		return MonthPeriod(d), nil
	case "quarter":
		return QuarterPeriod(d), nil
	case "year":
		return YearPeriod(d), nil
	}
	return Period{}, fmt.Errorf("unknown period kind %q", kind)
}

// bounds are the instants the period covers, Beijing days in UTC.
func (p Period) bounds() (time.Time, time.Time) {
	start, _ := calendar.ParseDate(p.Start)
	end, _ := calendar.ParseDate(p.End)
	const cst = 8 * time.Hour
	return start.Add(-cst), end.AddDate(0, 0, 1).Add(-cst)
}

// compiler reads the figures from the database.
type compiler struct {
	db  *db.DB
	cal *calendar.Calendar
}

// countyRef names a county whose figures are compiled.
type countyRef struct {
	Code string
	Name string
}

// county computes one county's figures for the period as of its end, on the
// same path as a province's counties.
func (c *compiler) county(ctx context.Context, county, name string, p Period) (CountyFigures, error) {
	list, err := c.counties(ctx, []countyRef{{Code: county, Name: name}}, p)
	if err != nil {
		return CountyFigures{}, err
	}
	return list[0], nil
}

// counties computes the figures of several counties for the period, in the
// order given. Every query covers all of them at once (county_code IN (…),
// counted per county), so a province of 150 counties costs the same dozen
// queries as one county instead of a dozen per county.
func (c *compiler) counties(ctx context.Context, refs []countyRef, p Period) ([]CountyFigures, error) {
	out := make([]CountyFigures, len(refs))
	set := countySet{byCode: make(map[string]*CountyFigures, len(refs))}
	for i, r := range refs {
		out[i] = CountyFigures{County: r.Code, CountyName: r.Name,
			// Empty maps and lists, never null in JSON, for counties without rows.
			Catalog: CatalogFigures{ItemsByCategory: map[string]int{}, PublishedByCategory: map[string]int{}, Inventory: []catalog.InventoryCount{},
				Cleanup: catalog.CleanupSummary{ByResult: map[string]int{}}},
			Requests: RequestFigures{Outcomes: map[string]int{}},
			Cases:    CaseFigures{ByItem: []ItemTiming{}},
		}
		set.codes = append(set.codes, r.Code)
		set.byCode[r.Code] = &out[i]
	}
	if len(refs) == 0 {
		return out, nil
	}
	for _, step := range []func(context.Context, countySet, Period) error{
		c.catalogFigures, c.disclosureFigures, c.requestFigures, c.caseFigures, c.ratingFigures, c.enforcementFigures,
	} {
		if err := step(ctx, set, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// countySet is the counties being compiled: their codes for IN (…) and their
// figures by code, filled in by each section.
type countySet struct {
	codes  []string
	byCode map[string]*CountyFigures
}

// selectIn runs a query whose IN (?) takes the county codes.
func (c *compiler) selectIn(ctx context.Context, dest any, query string, args ...any) error {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return err
	}
	return c.db.SelectContext(ctx, dest, q, a...)
}

// perCounty is a count by county.
type perCounty struct {
	County string `db:"county_code"`
	N      int    `db:"n"`
}

// countIn runs a COUNT(*) … GROUP BY county_code query and hands each
// county's count to store; counties without rows keep zero.
func (c *compiler) countIn(ctx context.Context, s countySet, store func(*CountyFigures, int), query string, args ...any) error {
	var rows []perCounty
	if err := c.selectIn(ctx, &rows, query, args...); err != nil {
		return err
	}
	for _, r := range rows {
		if f := s.byCode[r.County]; f != nil {
			store(f, r.N)
		}
	}
	return nil
}

func (c *compiler) catalogFigures(ctx context.Context, s countySet, p Period) error {
	_, endTS := p.bounds()
	var items []struct {
		County   string `db:"county_code"`
		Code     string `db:"code"`
		Category string `db:"category"`
	}
	// Items marked not applicable are out of the figures (and so are their
	// published versions, which the category map below leaves out).
	if err := c.selectIn(ctx, &items, `SELECT county_code, code, category FROM catalog_items WHERE county_code IN (?) AND created_at < ?
		AND status <> ?`, s.codes, endTS, catalog.StatusNotApplicable); err != nil {
		return fmt.Errorf("reports: catalog items: %w", err)
	}
	category := map[[2]string]string{}
	for _, it := range items {
		if f := s.byCode[it.County]; f != nil {
			f.Catalog.ItemsByCategory[it.Category]++
			category[[2]string{it.County, it.Code}] = it.Category
		}
	}
	// The version each item had published as of the period's end.
	var published []struct {
		County  string `db:"county_code"`
		Code    string `db:"code"`
		Content string `db:"content"`
	}
	if err := c.selectIn(ctx, &published, `SELECT v.county_code, v.code, v.content FROM catalog_versions v
		JOIN (SELECT county_code, code, MAX(version) AS version FROM catalog_versions WHERE county_code IN (?) AND published_at IS NOT NULL
		      AND published_at < ? GROUP BY county_code, code) last
		  ON last.county_code = v.county_code AND last.code = v.code AND last.version = v.version`, s.codes, endTS); err != nil {
		return fmt.Errorf("reports: published versions: %w", err)
	}
	views := map[string][]catalog.ItemView{}
	for _, pv := range published {
		f := s.byCode[pv.County]
		cat := category[[2]string{pv.County, pv.Code}]
		if f == nil || cat == "" {
			continue
		}
		f.Catalog.PublishedByCategory[cat]++
		var content catalog.Content
		if err := json.Unmarshal([]byte(pv.Content), &content); err != nil {
			return fmt.Errorf("reports: decode content: %w", err)
		}
		if cat != catalog.CategoryInformation && len(content.Steps) > 0 {
			f.Catalog.FlowchartsPublished++
		}
		f.Catalog.StandardsPublished += len(content.Discretion)
		views[pv.County] = append(views[pv.County], catalog.ItemView{Item: catalog.Item{Code: pv.Code, Category: cat}, Content: content})
	}
	for code, f := range s.byCode {
		inv := catalog.Summarize(views[code])
		f.Catalog.PowersTotal, f.Catalog.Inventory = inv.Total, inv.Cells
	}
	return c.cleanupFigures(ctx, s, endTS, category)
}

// cleanupFigures counts the clean-up decisions taken before the period's end
// over the basic powers each county held then (an item's latest decision is
// what the county recorded; a decision changed after the period's end counts
// as undecided for that period).
func (c *compiler) cleanupFigures(ctx context.Context, s countySet, endTS time.Time, category map[[2]string]string) error {
	codes := catalog.CleanupCodes()
	before := map[string]int{}
	decided := map[string]map[string]string{}
	for key := range category {
		if codes[key[1]] {
			before[key[0]]++
		}
	}
	var rows []struct {
		County string `db:"county_code"`
		Code   string `db:"code"`
		Status string `db:"decided_status"`
	}
	if err := c.selectIn(ctx, &rows, `SELECT county_code, code, decided_status FROM catalog_cleanup WHERE county_code IN (?)
		AND decided_at < ?`, s.codes, endTS); err != nil {
		return fmt.Errorf("reports: cleanup: %w", err)
	}
	for _, r := range rows {
		if category[[2]string{r.County, r.Code}] == "" {
			continue // not held (or not applicable) at the period's end
		}
		if decided[r.County] == nil {
			decided[r.County] = map[string]string{}
		}
		decided[r.County][r.Code] = r.Status
	}
	for code, f := range s.byCode {
		f.Catalog.Cleanup = catalog.SummarizeCleanup(before[code], decided[code])
	}
	return nil
}

func (c *compiler) disclosureFigures(ctx context.Context, s countySet, p Period) error {
	startTS, endTS := p.bounds()
	var published []struct {
		County string `db:"county_code"`
		N      int    `db:"n"`
		OnTime int    `db:"on_time"`
	}
	if err := c.selectIn(ctx, &published, `SELECT county_code, COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN published_on_time = ? THEN 1 ELSE 0 END), 0) AS on_time
		FROM disclosure_records WHERE county_code IN (?) AND published_at >= ? AND published_at < ? GROUP BY county_code`,
		true, s.codes, startTS, endTS); err != nil {
		return fmt.Errorf("reports: disclosure: %w", err)
	}
	for _, r := range published {
		if f := s.byCode[r.County]; f != nil {
			// Not known to be on time (late, or never given a deadline) counts as late.
			f.Disclosure.Published, f.Disclosure.PublishedOnTime, f.Disclosure.PublishedLate = r.N, r.OnTime, r.N-r.OnTime
		}
	}
	// Review hours are summed here rather than in SQL, where each engine
	// subtracts instants differently.
	var reviews []struct {
		County      string    `db:"county_code"`
		Decision    string    `db:"decision"`
		SubmittedAt time.Time `db:"submitted_at"`
		DecidedAt   time.Time `db:"decided_at"`
	}
	if err := c.selectIn(ctx, &reviews, `SELECT county_code, decision, submitted_at, decided_at FROM disclosure_reviews
		WHERE county_code IN (?) AND stage > 0 AND decided_at >= ? AND decided_at < ? ORDER BY county_code, id`,
		s.codes, startTS, endTS); err != nil {
		return fmt.Errorf("reports: reviews: %w", err)
	}
	for _, r := range reviews {
		f := s.byCode[r.County]
		if f == nil {
			continue
		}
		f.Disclosure.Reviews++
		if r.Decision == "reject" {
			f.Disclosure.Rejections++
		}
		f.Disclosure.reviewHoursTotal += r.DecidedAt.Sub(r.SubmittedAt).Hours()
	}
	for _, f := range s.byCode {
		if d := &f.Disclosure; d.Reviews > 0 {
			d.AvgReviewHours = round1(d.reviewHoursTotal / float64(d.Reviews))
		}
	}
	return nil
}

func (c *compiler) requestFigures(ctx context.Context, s countySet, p Period) error {
	if err := c.countIn(ctx, s, func(f *CountyFigures, n int) { f.Requests.Received = n },
		`SELECT county_code, COUNT(*) AS n FROM info_requests WHERE county_code IN (?) AND received_on >= ? AND received_on <= ?
		GROUP BY county_code`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: requests: %w", err)
	}
	// Rows rather than GROUP BY outcome: MySQL's collation would group
	// outcomes that differ in case or trailing spaces.
	var answered []struct {
		County  string `db:"county_code"`
		Outcome string `db:"outcome"`
		OnTime  *bool  `db:"on_time"`
	}
	if err := c.selectIn(ctx, &answered, `SELECT county_code, outcome, on_time FROM info_requests WHERE county_code IN (?)
		AND answered_on >= ? AND answered_on <= ?`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: answered: %w", err)
	}
	for _, a := range answered {
		f := s.byCode[a.County]
		if f == nil {
			continue
		}
		f.Requests.Answered++
		f.Requests.Outcomes[a.Outcome]++
		if a.OnTime != nil && *a.OnTime {
			f.Requests.AnsweredOnTime++
		}
	}
	return nil
}

func (c *compiler) ratingFigures(ctx context.Context, s countySet, p Period) error {
	var rows []struct {
		County    string `db:"county_code"`
		Rated     int    `db:"rated"`
		Satisfied int    `db:"satisfied"`
		Bad       int    `db:"bad"`
		Rectified int    `db:"rectified"`
	}
	if err := c.selectIn(ctx, &rows, `SELECT r.county_code, COUNT(*) AS rated,
		COALESCE(SUM(CASE WHEN r.level >= 3 THEN 1 ELSE 0 END), 0) AS satisfied,
		COALESCE(SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END), 0) AS bad,
		COALESCE(SUM(CASE WHEN x.status = 'closed' AND x.closed_on <= ? THEN 1 ELSE 0 END), 0) AS rectified
		FROM ratings r LEFT JOIN rectifications x ON x.county_code = r.county_code AND x.rating_id = r.id
		WHERE r.county_code IN (?) AND r.rated_on >= ? AND r.rated_on <= ? AND r.excluded = ? GROUP BY r.county_code`,
		p.End, s.codes, p.Start, p.End, false); err != nil {
		return fmt.Errorf("reports: ratings: %w", err)
	}
	for _, r := range rows {
		if f := s.byCode[r.County]; f != nil {
			f.Ratings = RatingFigures{Rated: r.Rated, Satisfied: r.Satisfied, Bad: r.Bad, Rectified: r.Rectified}
		}
	}
	return nil
}

func (c *compiler) enforcementFigures(ctx context.Context, s countySet, p Period) error {
	for _, q := range []struct {
		store func(*CountyFigures, int)
		query string
		args  []any
	}{
		{func(f *CountyFigures, n int) { f.Enforcement.Inspections = n },
			`SELECT county_code, COUNT(*) AS n FROM inspections WHERE county_code IN (?) AND status = 'completed'
			AND inspected_on >= ? AND inspected_on <= ? GROUP BY county_code`, []any{s.codes, p.Start, p.End}},
		{func(f *CountyFigures, n int) { f.Enforcement.InspectionsWithViolations = n },
			`SELECT i.county_code, COUNT(DISTINCT i.id) AS n FROM inspections i JOIN inspection_findings x
			ON x.county_code = i.county_code AND x.inspection_id = i.id AND x.violation = ?
			WHERE i.county_code IN (?) AND i.status = 'completed' AND i.inspected_on >= ? AND i.inspected_on <= ? GROUP BY i.county_code`,
			[]any{true, s.codes, p.Start, p.End}},
		{func(f *CountyFigures, n int) { f.Enforcement.PenaltyCasesFiled = n },
			`SELECT county_code, COUNT(*) AS n FROM penalty_cases WHERE county_code IN (?) AND filed_on >= ? AND filed_on <= ?
			GROUP BY county_code`, []any{s.codes, p.Start, p.End}},
		{func(f *CountyFigures, n int) { f.Enforcement.PenaltyDecisions = n },
			`SELECT county_code, COUNT(*) AS n FROM penalty_cases WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ?
			GROUP BY county_code`, []any{s.codes, p.Start, p.End}},
		{func(f *CountyFigures, n int) { f.Enforcement.OnSpotDecisions = n },
			`SELECT county_code, COUNT(*) AS n FROM onspot_decisions WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ?
			GROUP BY county_code`, []any{s.codes, p.Start, p.End}},
		{func(f *CountyFigures, n int) { f.Enforcement.LicencesGranted = n },
			`SELECT county_code, COUNT(*) AS n FROM publicity_entries WHERE county_code IN (?) AND kind = 'licensing'
			AND decided_on >= ? AND decided_on <= ? GROUP BY county_code`, []any{s.codes, p.Start, p.End}},
	} {
		if err := c.countIn(ctx, s, q.store, q.query, q.args...); err != nil {
			return fmt.Errorf("reports: enforcement: %w", err)
		}
	}
	var fines []struct {
		County string `db:"county_code"`
		Yuan   int64  `db:"yuan"`
	}
	if err := c.selectIn(ctx, &fines, `SELECT county_code, COALESCE(SUM(fine_yuan), 0) AS yuan FROM penalty_cases
		WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ? AND outcome <> 'no_penalty' AND revoked_on = ''
		GROUP BY county_code`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: fines: %w", err)
	}
	for _, r := range fines {
		if f := s.byCode[r.County]; f != nil {
			f.Enforcement.FinesYuan = r.Yuan
		}
	}
	fines = nil
	if err := c.selectIn(ctx, &fines, `SELECT county_code, COALESCE(SUM(fine_yuan), 0) AS yuan FROM onspot_decisions
		WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ? GROUP BY county_code`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: on-the-spot fines: %w", err)
	}
	for _, r := range fines {
		if f := s.byCode[r.County]; f != nil {
			f.Enforcement.OnSpotFinesYuan = r.Yuan
		}
	}
	return nil
}

func (c *compiler) caseFigures(ctx context.Context, s countySet, p Period) error {
	if err := c.countIn(ctx, s, func(f *CountyFigures, n int) { f.Cases.Received = n },
		`SELECT county_code, COUNT(*) AS n FROM cases WHERE county_code IN (?) AND received_on >= ? AND received_on <= ?
		GROUP BY county_code`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: cases received: %w", err)
	}
	if err := c.countIn(ctx, s, func(f *CountyFigures, n int) { f.Cases.Completed = n },
		`SELECT county_code, COUNT(*) AS n FROM cases WHERE county_code IN (?) AND status = 'delivered'
		AND completed_on >= ? AND completed_on <= ? GROUP BY county_code`, s.codes, p.Start, p.End); err != nil {
		return fmt.Errorf("reports: cases completed: %w", err)
	}
	if err := c.decided(ctx, s, p); err != nil {
		return err
	}
	if err := c.countIn(ctx, s, func(f *CountyFigures, n int) { f.Cases.OverdueAtEnd = n },
		`SELECT county_code, COUNT(*) AS n FROM cases WHERE county_code IN (?) AND received_on <= ?
		AND (decided_on IS NULL OR decided_on > ?) AND (completed_on IS NULL OR completed_on > ?) AND promised_deadline < ?
		GROUP BY county_code`, s.codes, p.End, p.End, p.End, p.End); err != nil {
		return fmt.Errorf("reports: overdue: %w", err)
	}
	// warning_county is the county of a case's own light events (flag_yellow,
	// flag_red) and NULL for the rest, step lights included (migration 00053).
	startTS, endTS := p.bounds()
	if err := c.countIn(ctx, s, func(f *CountyFigures, n int) { f.Cases.Warnings = n },
		`SELECT warning_county AS county_code, COUNT(*) AS n FROM case_events WHERE warning_county IN (?)
		AND at >= ? AND at < ? GROUP BY warning_county`, s.codes, startTS, endTS); err != nil {
		return fmt.Errorf("reports: warnings: %w", err)
	}
	return nil
}

// decided reads the cases decided in the period: the on-time count and each
// item's working days. The rows come from the index cases_county_decided
// alone; item names, which it does not hold, are read afterwards for the one
// case that names each item: its first (lowest id) decided in the period.
func (c *compiler) decided(ctx context.Context, s countySet, p Period) error {
	rows, err := c.queryIn(ctx, `SELECT county_code, id, item_code, received_on, decided_on, on_time FROM cases
		WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ?`, s.codes, p.Start, p.End)
	if err != nil {
		return fmt.Errorf("reports: cases decided: %w", err)
	}
	defer rows.Close()
	type itemKey struct{ county, item string }
	type item struct {
		timing ItemTiming
		first  int64
	}
	items := map[itemKey]*item{}
	days := workdayCounter{cal: c.cal, known: map[workdayKey]int{}}
	var (
		county, code, receivedOn, decidedOn string
		id                                  int64
		onTime                              sql.NullBool
	)
	for rows.Next() {
		if err := rows.Scan(&county, &id, &code, &receivedOn, &decidedOn, &onTime); err != nil {
			return fmt.Errorf("reports: cases decided: %w", err)
		}
		f := s.byCode[county]
		if f == nil {
			continue
		}
		f.Cases.Decided++
		if onTime.Valid && onTime.Bool {
			f.Cases.DecidedOnTime++
		}
		k := itemKey{county, code}
		it := items[k]
		if it == nil {
			it = &item{timing: ItemTiming{Item: code}, first: id}
			items[k] = it
		} else if id < it.first {
			it.first = id
		}
		it.timing.days = append(it.timing.days, days.between(rbac.ProvinceOf(county), receivedOn, decidedOn))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: cases decided: %w", err)
	}
	rows.Close()
	for _, f := range s.byCode {
		if f.Cases.Decided > 0 {
			f.Cases.OnTimeRate = round3(float64(f.Cases.DecidedOnTime) / float64(f.Cases.Decided))
		}
	}
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.first)
	}
	var names []struct {
		ID   int64  `db:"id"`
		Name string `db:"item_name"`
	}
	if err := c.selectIn(ctx, &names, `SELECT id, item_name FROM cases WHERE id IN (?)`, ids); err != nil {
		return fmt.Errorf("reports: item names: %w", err)
	}
	name := make(map[int64]string, len(names))
	for _, n := range names {
		name[n.ID] = n.Name
	}
	// Byte order, as Sum uses: MySQL's case-insensitive collation would
	// order mixed-case item codes differently from SQLite and the province.
	keys := make([]itemKey, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].item < keys[j].item })
	for _, k := range keys {
		it := items[k]
		it.timing.Name = name[it.first]
		f := s.byCode[k.county]
		f.Cases.ByItem = append(f.Cases.ByItem, timing(&it.timing))
	}
	return nil
}

// queryIn runs a query whose IN (?) takes the county codes, for rows too many
// to scan into structs.
func (c *compiler) queryIn(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return nil, err
	}
	return c.db.QueryContext(ctx, q, a...)
}

// workdayKey is one count of working days: a province's calendar between two dates.
type workdayKey struct{ province, from, to string }

// workdayCounter remembers the counts it has made: a province's decided cases
// share few pairs of dates, and counting walks every day between them.
type workdayCounter struct {
	cal   *calendar.Calendar
	known map[workdayKey]int
}

func (w workdayCounter) between(province, from, to string) int {
	k := workdayKey{province, from, to}
	if n, ok := w.known[k]; ok {
		return n
	}
	a, _ := calendar.ParseDate(from)
	b, _ := calendar.ParseDate(to)
	n, _ := w.cal.WorkdaysBetween(province, a, b)
	w.known[k] = n
	return n
}

// timing summarises the working days of an item's decided cases: the mean and
// the 90th percentile by nearest rank. The raw days stay with the figures
// while compiling, so a province total is exact, not an average of averages.
func timing(t *ItemTiming) ItemTiming {
	sort.Ints(t.days)
	t.Decided = len(t.days)
	if t.Decided == 0 {
		return *t
	}
	sum := 0
	for _, d := range t.days {
		sum += d
	}
	t.AvgWorkdays = round1(float64(sum) / float64(t.Decided))
	t.P90Workdays = t.days[int(math.Ceil(0.9*float64(t.Decided)))-1]
	return *t
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Sum adds county figures into a province total (rates recomputed from counts;
// the average review time weighed by the counties' exact review hours; per-item
// timings recomputed from the counties' raw working days, which freshly
// compiled figures carry).
func Sum(list []CountyFigures) CountyFigures {
	t := CountyFigures{Catalog: CatalogFigures{ItemsByCategory: map[string]int{}, PublishedByCategory: map[string]int{},
		Inventory: []catalog.InventoryCount{}, Cleanup: catalog.CleanupSummary{ByResult: map[string]int{}}}, Requests: RequestFigures{Outcomes: map[string]int{}}, Cases: CaseFigures{ByItem: []ItemTiming{}}}
	inv := map[[2]string]int{}
	items := map[string]*ItemTiming{}
	var itemOrder []string
	reviewHours := 0.0
	for _, f := range list {
		for k, v := range f.Catalog.ItemsByCategory {
			t.Catalog.ItemsByCategory[k] += v
		}
		for k, v := range f.Catalog.PublishedByCategory {
			t.Catalog.PublishedByCategory[k] += v
		}
		t.Catalog.FlowchartsPublished += f.Catalog.FlowchartsPublished
		t.Catalog.StandardsPublished += f.Catalog.StandardsPublished
		t.Catalog.PowersTotal += f.Catalog.PowersTotal
		cl := f.Catalog.Cleanup
		t.Catalog.Cleanup.Before += cl.Before
		t.Catalog.Cleanup.Decided += cl.Decided
		t.Catalog.Cleanup.Pending += cl.Pending
		t.Catalog.Cleanup.HeldAfter += cl.HeldAfter
		for k, v := range cl.ByResult {
			t.Catalog.Cleanup.ByResult[k] += v
		}
		for _, cell := range f.Catalog.Inventory {
			inv[[2]string{cell.PowerType, cell.Status}] += cell.Count
		}
		t.Ratings.Rated += f.Ratings.Rated
		t.Ratings.Satisfied += f.Ratings.Satisfied
		t.Ratings.Bad += f.Ratings.Bad
		t.Ratings.Rectified += f.Ratings.Rectified
		e := f.Enforcement
		t.Enforcement.Inspections += e.Inspections
		t.Enforcement.InspectionsWithViolations += e.InspectionsWithViolations
		t.Enforcement.PenaltyCasesFiled += e.PenaltyCasesFiled
		t.Enforcement.PenaltyDecisions += e.PenaltyDecisions
		t.Enforcement.FinesYuan += e.FinesYuan
		t.Enforcement.OnSpotDecisions += e.OnSpotDecisions
		t.Enforcement.OnSpotFinesYuan += e.OnSpotFinesYuan
		t.Enforcement.LicencesGranted += e.LicencesGranted
		d := f.Disclosure
		t.Disclosure.Published += d.Published
		t.Disclosure.PublishedOnTime += d.PublishedOnTime
		t.Disclosure.PublishedLate += d.PublishedLate
		t.Disclosure.Reviews += d.Reviews
		t.Disclosure.Rejections += d.Rejections
		if d.reviewHoursTotal > 0 {
			reviewHours += d.reviewHoursTotal
		} else {
			// Figures read back from JSON keep only the rounded average.
			reviewHours += d.AvgReviewHours * float64(d.Reviews)
		}
		t.Requests.Received += f.Requests.Received
		t.Requests.Answered += f.Requests.Answered
		t.Requests.AnsweredOnTime += f.Requests.AnsweredOnTime
		for k, v := range f.Requests.Outcomes {
			t.Requests.Outcomes[k] += v
		}
		c := f.Cases
		t.Cases.Received += c.Received
		t.Cases.Completed += c.Completed
		t.Cases.Decided += c.Decided
		t.Cases.DecidedOnTime += c.DecidedOnTime
		t.Cases.OverdueAtEnd += c.OverdueAtEnd
		t.Cases.Warnings += c.Warnings
		for _, it := range c.ByItem {
			agg := items[it.Item]
			if agg == nil {
				agg = &ItemTiming{Item: it.Item, Name: it.Name}
				items[it.Item] = agg
				itemOrder = append(itemOrder, it.Item)
			}
			agg.days = append(agg.days, it.days...)
		}
	}
	if t.Disclosure.Reviews > 0 {
		t.Disclosure.AvgReviewHours = round1(reviewHours / float64(t.Disclosure.Reviews))
	}
	if t.Cases.Decided > 0 {
		t.Cases.OnTimeRate = round3(float64(t.Cases.DecidedOnTime) / float64(t.Cases.Decided))
	}
	for _, pt := range catalog.PowerTypes {
		for _, st := range catalog.InventoryStatuses {
			if n := inv[[2]string{pt.Code, st.Code}]; n > 0 {
				t.Catalog.Inventory = append(t.Catalog.Inventory, catalog.InventoryCount{PowerType: pt.Code, Status: st.Code, Count: n})
			}
		}
	}
	sort.Strings(itemOrder)
	for _, code := range itemOrder {
		t.Cases.ByItem = append(t.Cases.ByItem, timing(items[code]))
	}
	return t
}
