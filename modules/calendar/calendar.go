// Package calendar knows which days are working days (工作日): weekends and the
// State Council's statutory holidays are not, its make-up working days (调休上班)
// are, and a province may overlay local holidays. Statutory time limits are
// counted with it, starting the day after the start date.
//
// A year with no official calendar loaded is never silently treated as
// weekends-only: counting through it still gives a date, but the result says
// the year is missing, the metric and log say so, and administrators see a banner.
package calendar

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"safetypilot/modules/apperr"
)

// DateLayout is how dates are written everywhere: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("calendar: date %q: %w", s, err)
	}
	return t, nil
}

// FormatDate writes a date as YYYY-MM-DD.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// Today is the current date in Beijing, where every county works.
func Today(now time.Time) time.Time {
	y, m, d := now.In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var beijing = time.FixedZone("CST", 8*3600)

// National is the region of the State Council's calendar.
const National = "*"

// Day kinds in the tables.
const (
	KindHoliday = "holiday"
	KindWorkday = "workday"
)

// Days is the set of special days of one region.
type Days struct {
	holidays map[string]string // date → note
	workdays map[string]string // make-up working days
	years    map[int]bool
}

func newDays() *Days {
	return &Days{holidays: map[string]string{}, workdays: map[string]string{}, years: map[int]bool{}}
}

// Calendar is the in-memory view of all loaded calendars; Store keeps it in
// step with the database.
type Calendar struct {
	mu      sync.RWMutex
	regions map[string]*Days
}

// New returns an empty calendar (every year missing).
func New() *Calendar { return &Calendar{regions: map[string]*Days{National: newDays()}} }

// DayRow is one special day as stored.
type DayRow struct {
	Region string `db:"region"`
	Day    string `db:"day"`
	Kind   string `db:"kind"`
	Note   string `db:"note"`
}

// YearRow says a region's calendar for a year is loaded.
type YearRow struct {
	Region string `db:"region"`
	Year   int    `db:"year"`
}

// replace swaps in a freshly loaded set of rows.
func (c *Calendar) replace(days []DayRow, years []YearRow) {
	regions := map[string]*Days{National: newDays()}
	get := func(r string) *Days {
		if regions[r] == nil {
			regions[r] = newDays()
		}
		return regions[r]
	}
	for _, y := range years {
		get(y.Region).years[y.Year] = true
	}
	for _, d := range days {
		if d.Kind == KindWorkday {
			get(d.Region).workdays[d.Day] = d.Note
		} else {
			get(d.Region).holidays[d.Day] = d.Note
		}
	}
	c.mu.Lock()
	c.regions = regions
	c.mu.Unlock()
}

// HasYear reports whether the national calendar of year is loaded.
func (c *Calendar) HasYear(year int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.regions[National].years[year]
}

// Years lists the loaded national years.
func (c *Calendar) Years() []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []int
	for y := range c.regions[National].years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// dayInfo classifies a date for a province: working or not, why, and whether
// the national calendar of its year is known.
func (c *Calendar) dayInfo(province string, d time.Time) (work bool, reason string, known bool) {
	key := FormatDate(d)
	nat := c.regions[National]
	known = nat.years[d.Year()]
	if local := c.regions[province]; local != nil && province != National {
		if note, ok := local.holidays[key]; ok {
			return false, note, known
		}
		if _, ok := local.workdays[key]; ok {
			return true, "", known
		}
	}
	if note, ok := nat.holidays[key]; ok {
		return false, note, known
	}
	if _, ok := nat.workdays[key]; ok {
		return true, "", known
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday, "", known
}

// IsWorkday reports whether d is a working day in province (use National or
// "" for the national calendar alone).
func (c *Calendar) IsWorkday(province string, d time.Time) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	w, _, _ := c.dayInfo(province, d)
	return w
}

// Trace records how a count went, for explanations and warnings.
type Trace struct {
	// Holidays lists non-weekend days off that were skipped, with their names.
	Holidays []string
	// Makeup lists weekend make-up working days that were counted.
	Makeup []string
	// Paused counts working days that did not count because the clock stopped.
	Paused int
	// MissingYears lists years the count crossed without a loaded calendar;
	// there the count treated only weekends as days off.
	MissingYears []int
	// Truncated says the count stopped at MaxCountDays before it reached its
	// number: a limit or a pause beyond any the catalog accepts.
	Truncated bool
}

// MaxCountDays bounds every count to twenty years of calendar days, more than
// the longest limit the catalog accepts (catalog.MaxLimitWorkdays, 3,650
// working days) with its holidays and pauses. So a count ends in
// microseconds whatever a stored limit or a pause says, and never leaves the
// years a date can hold.
const MaxCountDays = 20 * 366

// Provisional reports whether the result depends on a missing calendar.
func (t Trace) Provisional() bool { return len(t.MissingYears) > 0 }

// AddWorkdays returns the n-th working day after start (n ≥ 0; n = 0 gives
// start itself). Days for which paused returns true do not count. A count
// that would run past MaxCountDays stops there (Truncated).
func (c *Calendar) AddWorkdays(province string, start time.Time, n int, paused func(time.Time) bool) (time.Time, Trace) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var tr Trace
	missing := map[int]bool{}
	d := start
	for counted, days := 0, 0; counted < n; days++ {
		if days >= MaxCountDays {
			tr.Truncated = true
			break
		}
		d = d.AddDate(0, 0, 1)
		work, reason, known := c.dayInfo(province, d)
		if !known && !missing[d.Year()] {
			missing[d.Year()] = true
			tr.MissingYears = append(tr.MissingYears, d.Year())
		}
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		if !work {
			if !weekend {
				tr.Holidays = append(tr.Holidays, FormatDate(d)+noteSuffix(reason))
			}
			continue
		}
		if paused != nil && paused(d) {
			tr.Paused++
			continue
		}
		if weekend {
			tr.Makeup = append(tr.Makeup, FormatDate(d))
		}
		counted++
	}
	return d, tr
}

// WorkdaysBetween counts the working days after from up to and including to
// (0 when to is not after from), over at most MaxCountDays days (Truncated
// beyond).
func (c *Calendar) WorkdaysBetween(province string, from, to time.Time) (int, Trace) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var tr Trace
	missing := map[int]bool{}
	n := 0
	for d, days := from.AddDate(0, 0, 1), 0; !d.After(to); d, days = d.AddDate(0, 0, 1), days+1 {
		if days >= MaxCountDays {
			tr.Truncated = true
			break
		}
		work, _, known := c.dayInfo(province, d)
		if !known && !missing[d.Year()] {
			missing[d.Year()] = true
			tr.MissingYears = append(tr.MissingYears, d.Year())
		}
		if work {
			n++
		}
	}
	return n, tr
}

// NextWorkday is the first working day after d.
func (c *Calendar) NextWorkday(province string, d time.Time) time.Time {
	next, _ := c.AddWorkdays(province, d, 1, nil)
	return next
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return "（" + note + "）"
}

// YearInput is a year's calendar as an administrator enters it.
type YearInput struct {
	Holidays       []string `json:"holidays"`
	MakeupWorkdays []string `json:"makeup_workdays"`
	Source         string   `json:"source"`
}

// Validate checks that every date is a real date of year, that no date is
// both a holiday and a working day, and that make-up days fall on weekends.
func (in *YearInput) Validate(year int) error {
	fields := map[string]string{}
	seen := map[string]string{}
	check := func(field string, list []string, weekendOnly bool) {
		for i, s := range list {
			s = strings.TrimSpace(s)
			list[i] = s
			key := fmt.Sprintf("%s[%d]", field, i)
			d, err := ParseDate(s)
			switch {
			case err != nil:
				fields[key] = "日期格式应为 YYYY-MM-DD：" + s
			case d.Year() != year:
				fields[key] = fmt.Sprintf("%s 不在 %d 年", s, year)
			case weekendOnly && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday:
				fields[key] = s + " 不是周末，无需设为调休上班日"
			case seen[s] != "":
				fields[key] = s + " 重复或同时被设为节假日和调休上班日"
			}
			seen[s] = field
		}
	}
	if year < 2000 || year > 2100 {
		fields["year"] = "年份应在2000至2100之间"
	}
	if len(in.Holidays) > 366 || len(in.MakeupWorkdays) > 366 {
		fields["holidays"] = "日期过多"
	} else {
		check("holidays", in.Holidays, false)
		check("makeup_workdays", in.MakeupWorkdays, true)
	}
	if len(in.Source) > 255 {
		fields["source"] = "来源说明不能超过255个字符"
	}
	if len(fields) > 0 {
		return apperr.Invalid("日历数据有误", fields)
	}
	return nil
}

// LatestNextWorkday is the latest "next working day after d" of any region:
// a bound that covers every province's local holidays at once.
func (c *Calendar) LatestNextWorkday(d time.Time) time.Time {
	c.mu.RLock()
	regions := make([]string, 0, len(c.regions))
	for r := range c.regions {
		regions = append(regions, r)
	}
	c.mu.RUnlock()
	latest := d
	for _, r := range regions {
		if next := c.NextWorkday(r, d); next.After(latest) {
			latest = next
		}
	}
	return latest
}
