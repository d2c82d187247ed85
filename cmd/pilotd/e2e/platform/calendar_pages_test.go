package platform_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/calendar"
)

// calendarState is what a refused submission must not change.
func calendarState(s *e2e.Service) string {
	s.T.Helper()
	return fmt.Sprint(s.CountRows(`SELECT COUNT(*) FROM calendar_days`), s.CountRows(`SELECT COUNT(*) FROM calendar_years`),
		s.CountRows(`SELECT version FROM change_versions WHERE name = 'calendar'`))
}

// weekdayIn is the first date of year on or after month/day that falls on wd.
func weekdayIn(year int, month time.Month, day int, wd time.Weekday) string {
	d := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return calendar.FormatDate(d)
}

// fieldErrorAfter finds the error messages printed right after a form field.
func fieldErrorAfter(html, id string) string {
	re := regexp.MustCompile(`id="` + id + `"[^>]*>(?:[^<]*</textarea>)?\s*<div id="` + id + `-error">((?:<p class="error field-error">[^<]*</p>)+)</div>`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestCalendarPages: the national administrator sees the loaded years and
// the warning for a missing one, is refused invalid input with the messages
// next to the fields, and enters the missing year; a province administrator
// keeps the local overlay of their own province only; a county clerk and
// the signed-out get nothing.
func TestCalendarPages(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		ctx := context.Background()
		cal := s.Svc.Calendar
		// Make sure some year is missing, whatever today's date: outside
		// October–December of 2025/2026 nothing is, so drop this year.
		if len(cal.MissingYears(time.Now())) == 0 {
			y := calendar.Today(time.Now()).Year()
			if _, err := s.Svc.DB.Exec(`DELETE FROM calendar_days WHERE region = '*' AND day LIKE ?`, fmt.Sprintf("%d-%%", y)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Svc.DB.Exec(`DELETE FROM calendar_years WHERE region = '*' AND year = ?`, y); err != nil {
				t.Fatal(err)
			}
			if err := cal.Reload(ctx); err != nil {
				t.Fatal(err)
			}
		}
		year := cal.MissingYears(time.Now())[0]
		ys := fmt.Sprint(year)
		missingText := "尚未录入" + ys + "年的国务院节假日安排"

		admin := s.BrowserLogin("admin", e2e.AdminPassword)
		html := string(s.Must(200, admin.Get("/national/calendar")).Raw)
		for _, want := range []string{
			"<h1>工作日历</h1>",
			`data-testid="calendar-year-2025"`,
			`data-testid="calendar-year-2026"`,
			"2026-02-15至02-23（9天）", // the Spring Festival as a run of days
			"2026-10-01至10-07（7天）",
			"2026-02-14（周六）", // make-up working days with their weekday
			"2026-09-20（周日）",
			`data-testid="calendar-missing">` + missingText,
			`href="/national/calendar?year=` + ys + `#calendar-form"`,
			`id="cal-year" name="year" class="short" inputmode="numeric" maxlength="4" value="` + ys + `"`,
			`name="_csrf" value="` + admin.CSRF + `"`,
			`<form method="post" action="/national/calendar">`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("calendar page lacks %q", want)
			}
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "style=") {
			t.Errorf("script or inline style on the page")
		}
		// ?year= fills the form with a loaded year for correction.
		html = string(s.Must(200, admin.Get("/national/calendar?year=2026")).Raw)
		if !strings.Contains(html, `data-testid="calendar-replacing"`) ||
			!strings.Contains(html, "2026-02-23\n2026-04-04") || !strings.Contains(html, ">2026-01-04\n2026-02-14\n") {
			t.Errorf("year 2026 not filled into the form")
		}

		// Refused input: 400, each message after its field, what was typed kept, nothing stored.
		before := calendarState(s)
		monday := weekdayIn(year, time.March, 1, time.Monday)
		badHolidays := ys + "-01-01\n" + ys + "-13-01\n\n" + ys + "-01-01"
		r := admin.Post("/national/calendar", url.Values{"year": {ys}, "holidays": {badHolidays},
			"makeup_workdays": {monday}, "source": {"测试"}}, true)
		html = string(r.Raw)
		if r.Status != 400 {
			t.Fatalf("invalid year: status %d", r.Status)
		}
		if got := fieldErrorAfter(html, "cal-holidays"); !strings.Contains(got, "日期格式应为 YYYY-MM-DD："+ys+"-13-01") ||
			!strings.Contains(got, ys+"-01-01 重复") || strings.Index(got, "日期格式") > strings.Index(got, "重复") {
			t.Errorf("holiday errors after the field: %q", got)
		}
		if got := fieldErrorAfter(html, "cal-makeup"); !strings.Contains(got, monday+" 不是周末") {
			t.Errorf("make-up error after the field: %q", got)
		}
		if !strings.Contains(html, `data-testid="calendar-error">日历数据有误`) || !strings.Contains(html, ">"+badHolidays+"</textarea>") ||
			!strings.Contains(html, `aria-invalid="true" aria-describedby="cal-holidays-error"`) {
			t.Errorf("error page lacks the summary, the typed dates or aria-invalid")
		}
		for _, c := range []struct {
			form       url.Values
			field, msg string
		}{
			{url.Values{"year": {"二〇二七"}, "holidays": {ys + "-01-01"}}, "cal-year", "年份应为2000至2100之间的四位数字"},
			{url.Values{"year": {"1999"}, "holidays": {"1999-01-01"}}, "cal-year", "年份应在2000至2100之间"},
			{url.Values{"year": {ys}, "holidays": {"2020-01-01"}}, "cal-holidays", "不在 " + ys + " 年"},
			{url.Values{"year": {ys}, "holidays": {"\n \n"}}, "cal-holidays", "国务院节假日安排应至少包含一个放假日期"},
			{url.Values{"year": {ys}, "holidays": {ys + "-01-01"}, "source": {strings.Repeat("通", 100)}}, "cal-source", "来源说明不能超过255个字符"},
		} {
			r := admin.Post("/national/calendar", c.form, true)
			if r.Status != 400 || !strings.Contains(fieldErrorAfter(string(r.Raw), c.field), c.msg) {
				t.Errorf("%v: %d, no %q after #%s", c.form, r.Status, c.msg, c.field)
			}
		}
		// Without the CSRF token: refused.
		good := url.Values{"year": {ys},
			"holidays":        {fmt.Sprintf("%[1]s-01-01\n%[1]s-10-01\n%[1]s-10-02\n%[1]s-10-03\n%[1]s-10-04\n%[1]s-10-05\n%[1]s-10-06\n%[1]s-10-07", ys)},
			"makeup_workdays": {weekdayIn(year, time.September, 20, time.Saturday)}, "source": {"国务院办公厅测试通知"}}
		if r := admin.Post("/national/calendar", good, false); r.Status != 403 {
			t.Errorf("without CSRF: %d", r.Status)
		}
		if after := calendarState(s); after != before || cal.Calendar().HasYear(year) {
			t.Fatalf("refused submissions changed the calendar: %s → %s", before, after)
		}

		// Accepted: back to the page with a message; the warning is gone.
		r = admin.Post("/national/calendar", good, true)
		if r.Status != 303 || r.Header.Get("Location") != "/national/calendar?saved="+ys {
			t.Fatalf("save: %d %s %s", r.Status, r.Header.Get("Location"), r.Raw)
		}
		if !cal.Calendar().HasYear(year) || cal.Calendar().IsWorkday(calendar.National, mustDate(t, ys+"-10-05")) {
			t.Fatalf("year %d not loaded after saving", year)
		}
		html = string(s.Must(200, admin.Get(r.Header.Get("Location"))).Raw)
		for _, want := range []string{"已保存" + ys + "年的工作日历，未办结办件的办理期限已按新日历重新计算。",
			`data-testid="calendar-year-` + ys + `"`, ys + "-10-01至10-07（7天）", "国务院办公厅测试通知"} {
			if !strings.Contains(html, want) {
				t.Errorf("after saving, the page lacks %q", want)
			}
		}
		if strings.Contains(html, missingText) {
			t.Errorf("after saving, %d is still reported missing", year)
		}
		api := s.Must(200, s.Do("GET", "/api/v1/calendar/years", s.AdminToken(), nil))
		if !strings.Contains(string(api.Raw), `"year":`+ys) {
			t.Errorf("API does not list %d: %s", year, api.Raw)
		}

		// A province: the national administrator and the province's own
		// administrator manage its overlay; other provinces are refused.
		s.Must(200, admin.Get("/provinces/65/calendar"))
		s.ProvinceUser("34", "prov34_admin", "province_admin")
		prov := s.BrowserLogin("prov34_admin", "Prov#Pass2026x")
		html = string(s.Must(200, prov.Get("/provinces/34/calendar")).Raw)
		if !strings.Contains(html, "<h1>地方节假日</h1>") || !strings.Contains(html, `action="/provinces/34/calendar"`) ||
			!strings.Contains(html, "尚未录入") {
			t.Errorf("province page incomplete:\n%s", html)
		}
		for _, path := range []string{"/provinces/65/calendar", "/national/calendar"} {
			if r := prov.Get(path); r.Status != 403 {
				t.Errorf("province administrator of 34 on %s: %d", path, r.Status)
			}
		}
		before = calendarState(s)
		if r := prov.Post("/provinces/65/calendar", url.Values{"year": {"2026"}, "holidays": {"2026-03-16"}}, true); r.Status != 403 {
			t.Errorf("province 34 posting for 65: %d", r.Status)
		}
		if r := prov.Post("/provinces/34/calendar", url.Values{"year": {"2026"}, "makeup_workdays": {"2026-03-17"}}, true); r.Status != 400 ||
			!strings.Contains(fieldErrorAfter(string(r.Raw), "cal-makeup"), "2026-03-17 不是周末") {
			t.Errorf("province weekday make-up: %d", r.Status)
		}
		if calendarState(s) != before {
			t.Fatalf("refused province submissions changed the calendar")
		}
		r = prov.Post("/provinces/34/calendar", url.Values{"year": {"2026"}, "holidays": {"2026-03-16"}, "source": {"省政府测试通知"}}, true)
		if r.Status != 303 || r.Header.Get("Location") != "/provinces/34/calendar?saved=2026" {
			t.Fatalf("province save: %d %s", r.Status, r.Header.Get("Location"))
		}
		if cal.Calendar().IsWorkday("34", mustDate(t, "2026-03-16")) || !cal.Calendar().IsWorkday("65", mustDate(t, "2026-03-16")) {
			t.Errorf("local holiday of 34 not applied to 34 only")
		}
		html = string(s.Must(200, prov.Get("/provinces/34/calendar?saved=2026")).Raw)
		if !strings.Contains(html, "已保存本省2026年的地方节假日安排") || !strings.Contains(html, "2026-03-16（周一）") ||
			!strings.Contains(html, `data-testid="calendar-year-2026"`) {
			t.Errorf("province page after saving:\n%s", html)
		}
		// The national page lists national years only.
		if strings.Contains(string(admin.Get("/national/calendar").Raw), "2026-03-16（周一）") {
			t.Errorf("a province's holiday shown as national")
		}
		// An empty overlay clears the province's year.
		if r := prov.Post("/provinces/34/calendar", url.Values{"year": {"2026"}}, true); r.Status != 303 {
			t.Errorf("clearing the overlay: %d", r.Status)
		}
		if !cal.Calendar().IsWorkday("34", mustDate(t, "2026-03-16")) {
			t.Errorf("cleared overlay still applies")
		}

		// A county clerk: refused everywhere, nothing changed.
		countyAdmin := s.Onboard("34", "340102")
		s.AddUser(countyAdmin, "340102", "clerk_cal", "county_clerk")
		clerk := s.BrowserLogin("clerk_cal", "User#Pass2026x")
		before = calendarState(s)
		for _, path := range []string{"/national/calendar", "/provinces/34/calendar"} {
			if r := clerk.Get(path); r.Status != 403 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("clerk GET %s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
			}
			if r := clerk.Post(path, good, true); r.Status != 403 {
				t.Errorf("clerk POST %s: %d", path, r.Status)
			}
		}
		if calendarState(s) != before {
			t.Errorf("the clerk's submissions changed the calendar")
		}
		// Signed out: to the sign-in page.
		r = s.Do("GET", "/national/calendar", "", nil)
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("signed out: %d %s", r.Status, r.Header.Get("Location"))
		}
	})
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
