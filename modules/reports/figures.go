// Package reports compiles the pilot-experience summary reports (试点工作总结)
// that counties send to their province and provinces send to the national
// administration (point 六 of the notice), and the county's annual report on
// government information disclosure in the 2021 national format. Figures are
// computed from the data as of the period's end, stored with the report, and
// never recomputed once it is submitted.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

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

// county computes one county's figures for the period as of its end.
func (c *compiler) county(ctx context.Context, county, name string, p Period) (CountyFigures, error) {
	f := CountyFigures{County: county, CountyName: name}
	var err error
	if f.Catalog, err = c.catalogFigures(ctx, county, p); err != nil {
		return f, err
	}
	if f.Disclosure, err = c.disclosureFigures(ctx, county, p); err != nil {
		return f, err
	}
	if f.Requests, err = c.requestFigures(ctx, county, p); err != nil {
		return f, err
	}
	f.Cases, err = c.caseFigures(ctx, county, p)
	return f, err
}

func (c *compiler) catalogFigures(ctx context.Context, county string, p Period) (CatalogFigures, error) {
	_, endTS := p.bounds()
	f := CatalogFigures{ItemsByCategory: map[string]int{}, PublishedByCategory: map[string]int{}, Inventory: []catalog.InventoryCount{}}
	var items []struct {
		Code     string `db:"code"`
		Category string `db:"category"`
	}
	if err := c.db.SelectContext(ctx, &items, `SELECT code, category FROM catalog_items WHERE county_code = ? AND created_at < ?`, county, endTS); err != nil {
		return f, fmt.Errorf("reports: catalog items: %w", err)
	}
	category := map[string]string{}
	for _, it := range items {
		f.ItemsByCategory[it.Category]++
		category[it.Code] = it.Category
	}
	// The version each item had published as of the period's end.
	var published []struct {
		Code    string `db:"code"`
		Name    string `db:"name"`
		Content string `db:"content"`
	}
	if err := c.db.SelectContext(ctx, &published, `SELECT v.code, v.name, v.content FROM catalog_versions v
		JOIN (SELECT code, MAX(version) AS version FROM catalog_versions WHERE county_code = ? AND published_at IS NOT NULL
		      AND published_at < ? GROUP BY code) last ON last.code = v.code AND last.version = v.version
		WHERE v.county_code = ?`, county, endTS, county); err != nil {
		return f, fmt.Errorf("reports: published versions: %w", err)
	}
	var views []catalog.ItemView
	for _, pv := range published {
		cat := category[pv.Code]
		if cat == "" {
			continue
		}
		f.PublishedByCategory[cat]++
		var content catalog.Content
		if err := json.Unmarshal([]byte(pv.Content), &content); err != nil {
			return f, fmt.Errorf("reports: decode content: %w", err)
		}
		if cat != catalog.CategoryInformation && len(content.Steps) > 0 {
			f.FlowchartsPublished++
		}
		f.StandardsPublished += len(content.Discretion)
		views = append(views, catalog.ItemView{Item: catalog.Item{Code: pv.Code, Category: cat}, Content: content})
	}
	inv := catalog.Summarize(views)
	f.PowersTotal, f.Inventory = inv.Total, inv.Cells
	return f, nil
}

func (c *compiler) disclosureFigures(ctx context.Context, county string, p Period) (DisclosureFigures, error) {
	startTS, endTS := p.bounds()
	var f DisclosureFigures
	var rows []struct {
		OnTime *bool `db:"published_on_time"`
	}
	if err := c.db.SelectContext(ctx, &rows, `SELECT published_on_time FROM disclosure_records WHERE county_code = ?
		AND published_at >= ? AND published_at < ?`, county, startTS, endTS); err != nil {
		return f, fmt.Errorf("reports: disclosure: %w", err)
	}
	for _, r := range rows {
		f.Published++
		if r.OnTime != nil && *r.OnTime {
			f.PublishedOnTime++
		} else {
			f.PublishedLate++
		}
	}
	var reviews []struct {
		Decision    string    `db:"decision"`
		SubmittedAt time.Time `db:"submitted_at"`
		DecidedAt   time.Time `db:"decided_at"`
	}
	if err := c.db.SelectContext(ctx, &reviews, `SELECT decision, submitted_at, decided_at FROM disclosure_reviews
		WHERE county_code = ? AND stage > 0 AND decided_at >= ? AND decided_at < ?`, county, startTS, endTS); err != nil {
		return f, fmt.Errorf("reports: reviews: %w", err)
	}
	for _, r := range reviews {
		f.Reviews++
		if r.Decision == "reject" {
			f.Rejections++
		}
		f.reviewHoursTotal += r.DecidedAt.Sub(r.SubmittedAt).Hours()
	}
	if f.Reviews > 0 {
		f.AvgReviewHours = round1(f.reviewHoursTotal / float64(f.Reviews))
	}
	return f, nil
}

func (c *compiler) requestFigures(ctx context.Context, county string, p Period) (RequestFigures, error) {
	f := RequestFigures{Outcomes: map[string]int{}}
	if err := c.db.GetContext(ctx, &f.Received, `SELECT COUNT(*) FROM info_requests WHERE county_code = ? AND received_on >= ? AND received_on <= ?`,
		county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: requests: %w", err)
	}
	var answered []struct {
		Outcome string `db:"outcome"`
		OnTime  *bool  `db:"on_time"`
	}
	if err := c.db.SelectContext(ctx, &answered, `SELECT outcome, on_time FROM info_requests WHERE county_code = ?
		AND answered_on >= ? AND answered_on <= ?`, county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: answered: %w", err)
	}
	for _, a := range answered {
		f.Answered++
		f.Outcomes[a.Outcome]++
		if a.OnTime != nil && *a.OnTime {
			f.AnsweredOnTime++
		}
	}
	return f, nil
}

func (c *compiler) caseFigures(ctx context.Context, county string, p Period) (CaseFigures, error) {
	var f CaseFigures
	f.ByItem = []ItemTiming{}
	if err := c.db.GetContext(ctx, &f.Received, `SELECT COUNT(*) FROM cases WHERE county_code = ? AND received_on >= ? AND received_on <= ?`,
		county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: cases received: %w", err)
	}
	if err := c.db.GetContext(ctx, &f.Completed, `SELECT COUNT(*) FROM cases WHERE county_code = ? AND status = 'delivered'
		AND completed_on >= ? AND completed_on <= ?`, county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: cases completed: %w", err)
	}
	var decided []struct {
		ItemCode   string `db:"item_code"`
		ItemName   string `db:"item_name"`
		ReceivedOn string `db:"received_on"`
		DecidedOn  string `db:"decided_on"`
		OnTime     *bool  `db:"on_time"`
	}
	if err := c.db.SelectContext(ctx, &decided, `SELECT item_code, item_name, received_on, decided_on, on_time FROM cases
		WHERE county_code = ? AND decided_on >= ? AND decided_on <= ? ORDER BY item_code, id`, county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: cases decided: %w", err)
	}
	byItem := map[string]*ItemTiming{}
	var order []string
	province := rbac.ProvinceOf(county)
	for _, d := range decided {
		f.Decided++
		if d.OnTime != nil && *d.OnTime {
			f.DecidedOnTime++
		}
		t := byItem[d.ItemCode]
		if t == nil {
			t = &ItemTiming{Item: d.ItemCode, Name: d.ItemName}
			byItem[d.ItemCode] = t
			order = append(order, d.ItemCode)
		}
		from, _ := calendar.ParseDate(d.ReceivedOn)
		to, _ := calendar.ParseDate(d.DecidedOn)
		n, _ := c.cal.WorkdaysBetween(province, from, to)
		t.days = append(t.days, n)
	}
	// Byte order, as Sum uses: MySQL's case-insensitive collation would
	// order mixed-case item codes differently from SQLite and the province.
	sort.Strings(order)
	for _, code := range order {
		f.ByItem = append(f.ByItem, timing(byItem[code]))
	}
	if f.Decided > 0 {
		f.OnTimeRate = round3(float64(f.DecidedOnTime) / float64(f.Decided))
	}
	if err := c.db.GetContext(ctx, &f.OverdueAtEnd, `SELECT COUNT(*) FROM cases WHERE county_code = ? AND received_on <= ?
		AND (decided_on IS NULL OR decided_on > ?) AND (completed_on IS NULL OR completed_on > ?) AND promised_deadline < ?`,
		county, p.End, p.End, p.End, p.End); err != nil {
		return f, fmt.Errorf("reports: overdue: %w", err)
	}
	startTS, endTS := p.bounds()
	if err := c.db.GetContext(ctx, &f.Warnings, `SELECT COUNT(*) FROM case_events WHERE county_code = ? AND kind IN ('flag_yellow', 'flag_red')
		AND at >= ? AND at < ?`, county, startTS, endTS); err != nil {
		return f, fmt.Errorf("reports: warnings: %w", err)
	}
	return f, nil
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
		Inventory: []catalog.InventoryCount{}}, Requests: RequestFigures{Outcomes: map[string]int{}}, Cases: CaseFigures{ByItem: []ItemTiming{}}}
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
		for _, cell := range f.Catalog.Inventory {
			inv[[2]string{cell.PowerType, cell.Status}] += cell.Count
		}
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
