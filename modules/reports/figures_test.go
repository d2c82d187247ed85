package reports

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"safetypilot/modules/catalog"
)

// TestTiming: the mean is rounded to one decimal and the 90th percentile is
// the nearest rank, ceil(0.9·n), of the sorted working days.
func TestTiming(t *testing.T) {
	seq := func(from, to int) []int {
		var out []int
		for i := to; i >= from; i-- { // descending: timing must sort
			out = append(out, i)
		}
		return out
	}
	cases := []struct {
		name    string
		days    []int
		decided int
		avg     float64
		p90     int
	}{
		{"none", nil, 0, 0, 0},
		{"one", []int{7}, 1, 7, 7},
		{"two", []int{2, 1}, 2, 1.5, 2},                     // rank ceil(1.8) = 2
		{"thirds round down", []int{1, 2, 1}, 3, 1.3, 2},    // 4/3 = 1.33; rank ceil(2.7) = 3
		{"thirds round up", []int{2, 1, 2}, 3, 1.7, 2},      // 5/3 = 1.67
		{"half rounds up", []int{17, 5, 13, 4}, 4, 9.8, 17}, // 39/4 = 9.75; rank ceil(3.6) = 4
		{"ten", seq(1, 10), 10, 5.5, 9},                     // rank ceil(9.0) = 9, not 10
		{"eleven", seq(1, 11), 11, 6, 10},                   // rank ceil(9.9) = 10
		{"twenty", seq(1, 20), 20, 10.5, 18},                // rank 18
		{"ties", []int{3, 3, 3, 3, 3, 3, 3, 3, 3, 40}, 10, 6.7, 3},
	}
	for _, c := range cases {
		in := &ItemTiming{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", days: append([]int(nil), c.days...)}
		got := timing(in)
		if got.Decided != c.decided || got.AvgWorkdays != c.avg || got.P90Workdays != c.p90 {
			t.Errorf("%s: decided %d avg %v p90 %d; want %d %v %d", c.name, got.Decided, got.AvgWorkdays, got.P90Workdays,
				c.decided, c.avg, c.p90)
		}
		if got.Item != "274" || got.Name != "烟花爆竹经营（零售）许可证核发" {
			t.Errorf("%s: identity lost: %+v", c.name, got)
		}
		for i := 1; i < len(got.days); i++ {
			if got.days[i-1] > got.days[i] {
				t.Errorf("%s: days not sorted: %v", c.name, got.days)
			}
		}
	}
}

// TestTimingJSON: the raw days never reach the stored figures.
func TestTimingJSON(t *testing.T) {
	data, err := json.Marshal(timing(&ItemTiming{Item: "274", Name: "x", days: []int{3, 1}}))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	want := map[string]any{"item": "274", "name": "x", "decided": 2.0, "avg_workdays": 2.0, "p90_workdays": 3.0}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("JSON %s, want %v", data, want)
	}
}

// TestSumCounties: a province total adds the counts, recomputes the rates
// from the counts, merges the inventory in the fixed power-type order, and
// takes each item's average and 90th percentile over all the counties'
// cases — not an average of averages.
func TestSumCounties(t *testing.T) {
	a := CountyFigures{County: "340102", CountyName: "瑶海区",
		Catalog: CatalogFigures{
			ItemsByCategory:     map[string]int{"information": 20, "power": 12},
			PublishedByCategory: map[string]int{"information": 1, "power": 2},
			FlowchartsPublished: 2, StandardsPublished: 1, PowersTotal: 2,
			Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 1}, {PowerType: "CF", Status: "kept", Count: 1}},
			Cleanup:   catalog.SummarizeCleanup(11, map[string]string{"274": "kept", "278": "cancelled", "282": "transferred", "283": ""}),
		},
		// Three reviews of one hour in all: the average shown is 0.3.
		Disclosure: DisclosureFigures{Published: 3, PublishedOnTime: 2, PublishedLate: 1, Reviews: 3, Rejections: 1,
			AvgReviewHours: 0.3, reviewHoursTotal: 1.0},
		Requests: RequestFigures{Received: 4, Answered: 4, AnsweredOnTime: 3,
			Outcomes: map[string]int{"disclosed": 1, "not_disclosed": 1, "unable": 1, "other": 1}},
		Cases: CaseFigures{Received: 7, Completed: 2, Decided: 5, DecidedOnTime: 4, OnTimeRate: 0.8, OverdueAtEnd: 1, Warnings: 2,
			ByItem: []ItemTiming{
				timing(&ItemTiming{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", days: []int{5, 13, 17, 4}}),
				timing(&ItemTiming{Item: "281", Name: "生产经营单位安全生产事故应急救援预案备案", days: []int{4}}),
			}},
	}
	b := CountyFigures{County: "340103", CountyName: "庐阳区",
		Catalog: CatalogFigures{
			ItemsByCategory:     map[string]int{"information": 20, "power": 11},
			PublishedByCategory: map[string]int{"power": 1},
			FlowchartsPublished: 1, PowersTotal: 1,
			Inventory: []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 1}, {PowerType: "JC", Status: "delegated", Count: 2}},
			Cleanup:   catalog.SummarizeCleanup(10, map[string]string{"275": "adjusted"}),
		},
		// One review of 0.04 hours: the average shown is 0.0.
		Disclosure: DisclosureFigures{Reviews: 1, AvgReviewHours: 0, reviewHoursTotal: 0.04},
		Requests:   RequestFigures{Received: 1, Answered: 1, AnsweredOnTime: 1, Outcomes: map[string]int{"disclosed": 1}},
		Cases: CaseFigures{Received: 2, Decided: 2, DecidedOnTime: 1, OnTimeRate: 0.5, Warnings: 1,
			ByItem: []ItemTiming{timing(&ItemTiming{Item: "274", Name: "烟花爆竹经营（零售）许可证核发", days: []int{3, 16}})}},
	}
	got := Sum([]CountyFigures{a, b})

	c := got.Catalog
	if !reflect.DeepEqual(c.ItemsByCategory, map[string]int{"information": 40, "power": 23}) ||
		!reflect.DeepEqual(c.PublishedByCategory, map[string]int{"information": 1, "power": 3}) ||
		c.FlowchartsPublished != 3 || c.StandardsPublished != 1 || c.PowersTotal != 3 {
		t.Errorf("catalog total: %+v", c)
	}
	wantInv := []catalog.InventoryCount{{PowerType: "XK", Status: "kept", Count: 2}, {PowerType: "CF", Status: "kept", Count: 1},
		{PowerType: "JC", Status: "delegated", Count: 2}}
	if !reflect.DeepEqual(c.Inventory, wantInv) {
		t.Errorf("inventory %+v, want %+v", c.Inventory, wantInv)
	}
	wantCleanup := catalog.CleanupSummary{Before: 21, Decided: 4, Pending: 17, HeldAfter: 2,
		ByResult: map[string]int{"kept": 1, "cancelled": 1, "transferred": 1, "adjusted": 1}}
	if !reflect.DeepEqual(c.Cleanup, wantCleanup) {
		t.Errorf("clean-up total %+v, want %+v", c.Cleanup, wantCleanup)
	}

	d := got.Disclosure
	// 1.04 hours over 4 reviews = 0.26 → 0.3; the rounded averages would give
	// (0.3·3 + 0.0·1) / 4 = 0.225 → 0.2.
	if d.Published != 3 || d.PublishedOnTime != 2 || d.PublishedLate != 1 || d.Reviews != 4 || d.Rejections != 1 || d.AvgReviewHours != 0.3 {
		t.Errorf("disclosure total: %+v", d)
	}

	r := got.Requests
	if r.Received != 5 || r.Answered != 5 || r.AnsweredOnTime != 4 ||
		!reflect.DeepEqual(r.Outcomes, map[string]int{"disclosed": 2, "not_disclosed": 1, "unable": 1, "other": 1}) {
		t.Errorf("requests total: %+v", r)
	}

	k := got.Cases
	// 5 of 7 on time = 0.714, not the mean of 0.8 and 0.5.
	if k.Received != 9 || k.Completed != 2 || k.Decided != 7 || k.DecidedOnTime != 5 || k.OnTimeRate != 0.714 ||
		k.OverdueAtEnd != 1 || k.Warnings != 3 {
		t.Errorf("cases total: %+v", k)
	}
	// 274 over both counties: 3 4 5 13 16 17 → mean 58/6 = 9.67 → 9.7, rank
	// ceil(5.4) = 6 → 17 (the counties' own p90s are 17 and 16).
	if len(k.ByItem) != 2 {
		t.Fatalf("by item: %+v", k.ByItem)
	}
	if it := k.ByItem[0]; it.Item != "274" || it.Name != "烟花爆竹经营（零售）许可证核发" || it.Decided != 6 || it.AvgWorkdays != 9.7 || it.P90Workdays != 17 {
		t.Errorf("274 total: %+v", it)
	}
	if it := k.ByItem[1]; it.Item != "281" || it.Decided != 1 || it.AvgWorkdays != 4 || it.P90Workdays != 4 {
		t.Errorf("281 total: %+v", it)
	}
	// The counties' own figures are untouched by the sum.
	if a.Cases.ByItem[0].Decided != 4 || a.Cases.ByItem[0].P90Workdays != 17 || b.Cases.ByItem[0].AvgWorkdays != 9.5 {
		t.Errorf("county figures changed: %+v %+v", a.Cases.ByItem[0], b.Cases.ByItem[0])
	}
}

// TestSumEmpty: a province without counties has zero figures, empty lists
// and maps (never null in JSON), and no rates.
func TestSumEmpty(t *testing.T) {
	got := Sum(nil)
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, path := range [][2]string{{"catalog", "items_by_category"}, {"catalog", "published_by_category"}, {"catalog", "inventory"},
		{"requests", "outcomes"}, {"cases", "by_item"}} {
		section, _ := m[path[0]].(map[string]any)
		if v := section[path[1]]; v == nil {
			t.Errorf("%s.%s is null in %s", path[0], path[1], data)
		}
	}
	if got.Cases.OnTimeRate != 0 || got.Disclosure.AvgReviewHours != 0 || got.Cases.Decided != 0 {
		t.Errorf("empty sum: %+v", got)
	}
}

// TestSumDecodedFigures: figures read back from a stored report keep only
// the average review time; the total still weighs it by the reviews.
func TestSumDecodedFigures(t *testing.T) {
	stored, _ := json.Marshal(CountyFigures{Disclosure: DisclosureFigures{Reviews: 2, AvgReviewHours: 3.5, reviewHoursTotal: 7}})
	var decoded CountyFigures
	if err := json.Unmarshal(stored, &decoded); err != nil {
		t.Fatal(err)
	}
	other := CountyFigures{Disclosure: DisclosureFigures{Reviews: 1, AvgReviewHours: 1, reviewHoursTotal: 1}}
	if got := Sum([]CountyFigures{decoded, other}).Disclosure; got.Reviews != 3 || got.AvgReviewHours != 2.7 {
		t.Errorf("decoded sum: %+v, want 3 reviews averaging 8/3 = 2.7", got)
	}
}

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestPeriods: months, quarters and years with their Chinese labels,
// including month ends, leap years and the year's last quarter.
func TestPeriods(t *testing.T) {
	cases := []struct {
		got  Period
		want Period
	}{
		{MonthPeriod(day("2026-09-21")), Period{"month", "2026-09-01", "2026-09-30", "2026年9月"}},
		{MonthPeriod(day("2026-02-01")), Period{"month", "2026-02-01", "2026-02-28", "2026年2月"}},
		{MonthPeriod(day("2024-02-29")), Period{"month", "2024-02-01", "2024-02-29", "2024年2月"}},
		{MonthPeriod(day("2026-12-31")), Period{"month", "2026-12-01", "2026-12-31", "2026年12月"}},
		{MonthPeriod(day("2026-01-31")), Period{"month", "2026-01-01", "2026-01-31", "2026年1月"}},
		{QuarterPeriod(day("2026-01-01")), Period{"quarter", "2026-01-01", "2026-03-31", "2026年第1季度"}},
		{QuarterPeriod(day("2026-06-30")), Period{"quarter", "2026-04-01", "2026-06-30", "2026年第2季度"}},
		{QuarterPeriod(day("2026-09-30")), Period{"quarter", "2026-07-01", "2026-09-30", "2026年第3季度"}},
		{QuarterPeriod(day("2026-11-26")), Period{"quarter", "2026-10-01", "2026-12-31", "2026年第4季度"}},
		{YearPeriod(day("2026-07-15")), Period{"year", "2026-01-01", "2026-12-31", "2026年度"}},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("period %+v, want %+v", c.got, c.want)
		}
	}
}

// TestParsePeriod reads a kind and any date inside the period.
func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		kind, date string
		want       Period
	}{
		{"month", "2026-09-15", Period{"month", "2026-09-01", "2026-09-30", "2026年9月"}},
		{"quarter", "2026-08-01", Period{"quarter", "2026-07-01", "2026-09-30", "2026年第3季度"}},
		{"year", "2025-12-31", Period{"year", "2025-01-01", "2025-12-31", "2025年度"}},
	} {
		got, err := ParsePeriod(c.kind, c.date)
		if err != nil || got != c.want {
			t.Errorf("ParsePeriod(%s, %s) = %+v, %v; want %+v", c.kind, c.date, got, err, c.want)
		}
	}
	for _, bad := range [][2]string{{"week", "2026-09-15"}, {"", "2026-09-15"}, {"month", "2026-9-15"}, {"month", ""},
		{"month", "2026-02-30"}, {"quarter", "15.09.2026"}, {"MONTH", "2026-09-15"}} {
		if p, err := ParsePeriod(bad[0], bad[1]); err == nil {
			t.Errorf("ParsePeriod(%q, %q) = %+v, want an error", bad[0], bad[1], p)
		}
	}
}

// TestPeriodBounds: a period covers Beijing days, so its instants start and
// end at 16:00 UTC of the previous day.
func TestPeriodBounds(t *testing.T) {
	start, end := MonthPeriod(day("2026-09-10")).bounds()
	if want := time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC); !start.Equal(want) {
		t.Errorf("start %v, want %v", start, want)
	}
	if want := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Errorf("end %v, want %v", end, want)
	}
	ys, ye := YearPeriod(day("2026-05-05")).bounds()
	if !ys.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !ye.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("year bounds %v – %v", ys, ye)
	}
}
