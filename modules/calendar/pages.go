package calendar

import (
	"embed"
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Pages serves the calendar administration pages: the State Council's
// calendar at national level and each province's local overlay.
type Pages struct {
	api   *API
	pages *web.Pages
	page  *template.Template
	// now is the wall clock for the missing-year banner.
	now func() time.Time
}

// pageFuncs are the calendar pages' template helpers.
var pageFuncs = template.FuncMap{
	"dateRanges": DateRanges,
	"weekdayOf":  weekdayOf,
	"hasErrors":  func(errs map[string][]string, key string) bool { return len(errs[key]) > 0 },
}

// NewPages parses the module's templates.
func NewPages(api *API, pages *web.Pages) (*Pages, error) {
	p := &Pages{api: api, pages: pages, now: time.Now}
	var err error
	if p.page, err = pages.ParseWithFuncs(pageFuncs, templateFiles, "templates/calendar.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount registers the page routes.
func (p *Pages) Mount(app *fiber.App) {
	national := web.Require(p.api.enforcer, "calendar:manage", web.NationalScope)
	app.Get("/national/calendar", national, p.showCalendarPage(nationalRegion))
	app.Post("/national/calendar", national, p.submitYear(nationalRegion))
	province := web.Require(p.api.enforcer, "calendar:manage", web.ProvinceScope)
	app.Get("/provinces/:province/calendar", province, p.showCalendarPage(web.ProvinceScope))
	app.Post("/provinces/:province/calendar", province, p.submitYear(web.ProvinceScope))
}

// yearForm is the entry form as typed: one date per line.
type yearForm struct {
	Year, Holidays, Makeup, Source string
}

// calendarView is what the template shows.
type calendarView struct {
	Region   string // National or a province code
	National bool
	Path     string
	Years    []YearSummary
	// NationalYears are the loaded State Council years (shown on a province's page).
	NationalYears []int
	// Missing are the national years administrators must be warned about.
	Missing []int
	Form    yearForm
	Error   string
	Errors  map[string][]string // field → messages, in the order of the lines
	// Replacing: the year in the form is already loaded and will be replaced.
	Replacing bool
}

func pagePath(region string) string {
	if region == National {
		return "/national/calendar"
	}
	return "/provinces/" + region + "/calendar"
}

func pageTitle(region string) string {
	if region == National {
		return "工作日历"
	}
	return "地方节假日"
}

func (p *Pages) render(c *fiber.Ctx, region string, v calendarView, flash string) error {
	ctx := c.UserContext()
	years, err := p.api.svc.Years(ctx, region)
	if err != nil {
		return err
	}
	st := p.api.svc.StatusNow(p.now())
	v.Region, v.National, v.Path, v.Years = region, region == National, pagePath(region), years
	v.NationalYears, v.Missing = st.Years, st.MissingYears
	if y, err := strconv.Atoi(strings.TrimSpace(v.Form.Year)); err == nil {
		for _, ys := range years {
			v.Replacing = v.Replacing || ys.Year == y
		}
	}
	return p.pages.Render(c, p.page, web.View{Title: pageTitle(region), Region: region, Flash: flash, Data: v})
}

func (p *Pages) showCalendarPage(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, err := scope(c)
		if err != nil {
			return err
		}
		years, err := p.api.svc.Years(c.UserContext(), region)
		if err != nil {
			return err
		}
		v := calendarView{Form: p.defaultForm(region, years)}
		// ?year= fills the form with a loaded year to correct it, or names a year to enter.
		if q := c.Query("year"); q != "" {
			if y, err := strconv.Atoi(q); err == nil && y >= 2000 && y <= 2100 {
				v.Form = yearForm{Year: q}
				for _, ys := range years {
					if ys.Year == y {
						v.Form = yearForm{Year: q, Holidays: strings.Join(ys.Holidays, "\n"),
							Makeup: strings.Join(ys.MakeupWorkdays, "\n"), Source: ys.Source}
					}
				}
			}
		}
		flash := ""
		if y, err := strconv.Atoi(c.Query("saved")); err == nil && y >= 2000 && y <= 2100 {
			if region == National {
				flash = fmt.Sprintf("已保存%d年的工作日历，未办结办件的办理期限已按新日历重新计算。", y)
			} else {
				flash = fmt.Sprintf("已保存本省%d年的地方节假日安排，本省未办结办件的办理期限已重新计算。", y)
			}
		}
		return p.render(c, region, v, flash)
	}
}

// defaultForm proposes the year to enter: the first missing national year,
// otherwise the year after the last loaded one (national) or this year
// (province).
func (p *Pages) defaultForm(region string, years []YearSummary) yearForm {
	today := Today(p.now())
	if region != National {
		return yearForm{Year: strconv.Itoa(today.Year())}
	}
	if missing := p.api.svc.MissingYears(p.now()); len(missing) > 0 {
		return yearForm{Year: strconv.Itoa(missing[0])}
	}
	y := today.Year()
	for _, ys := range years {
		if ys.Year >= y {
			y = ys.Year + 1
		}
	}
	return yearForm{Year: strconv.Itoa(y)}
}

func (p *Pages) submitYear(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, err := scope(c)
		if err != nil {
			return err
		}
		form := yearForm{Year: strings.TrimSpace(c.FormValue("year")), Holidays: c.FormValue("holidays"),
			Makeup: c.FormValue("makeup_workdays"), Source: strings.TrimSpace(c.FormValue("source"))}
		in := YearInput{Holidays: splitDates(form.Holidays), MakeupWorkdays: splitDates(form.Makeup), Source: form.Source}
		year, yerr := strconv.Atoi(form.Year)
		if yerr != nil {
			err = apperr.InvalidField("year", "年份应为2000至2100之间的四位数字")
		} else {
			web.SetAuditDetail(c, fmt.Sprintf("calendar %s %d", region, year))
			err = p.api.svc.SetYear(c.UserContext(), region, year, in, web.CurrentUser(c).UserID)
		}
		if err == nil {
			return c.Redirect(pagePath(region)+"?saved="+strconv.Itoa(year), fiber.StatusSeeOther)
		}
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		c.Status(e.Status)
		return p.render(c, region, calendarView{Form: form, Error: e.Message, Errors: groupErrors(e.Fields)}, "")
	}
}

// splitDates reads a textarea: one date per line (commas, 、 and spaces also
// separate), blank lines ignored.
func splitDates(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '\n', '\r', '\t', ' ', ',', '，', '、', ';', '；', '\u3000':
			return true
		}
		return false
	})
}

// groupErrors turns Validate's keys ("holidays[3]") into messages per form
// field, in line order.
func groupErrors(fields map[string]string) map[string][]string {
	type msg struct {
		idx  int
		text string
	}
	byField := map[string][]msg{}
	for k, v := range fields {
		field, idx := k, -1
		if i := strings.IndexByte(k, '['); i > 0 && strings.HasSuffix(k, "]") {
			field = k[:i]
			idx, _ = strconv.Atoi(k[i+1 : len(k)-1])
		}
		switch field {
		case "year", "holidays", "makeup_workdays", "source":
		default:
			field = "form"
		}
		byField[field] = append(byField[field], msg{idx, v})
	}
	out := map[string][]string{}
	for f, list := range byField {
		sort.Slice(list, func(i, j int) bool {
			if list[i].idx != list[j].idx {
				return list[i].idx < list[j].idx
			}
			return list[i].text < list[j].text
		})
		for _, m := range list {
			out[f] = append(out[f], m.text)
		}
	}
	return out
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func weekdayOf(s string) string {
	d, err := ParseDate(s)
	if err != nil {
		return ""
	}
	return weekdayNames[d.Weekday()]
}

// DateRanges writes sorted dates compactly: runs of consecutive days become
// "2026-02-15至02-23（9天）", single days "2026-04-06（周一）".
func DateRanges(days []string) []string {
	var out []string
	for i := 0; i < len(days); {
		first, err := ParseDate(days[i])
		if err != nil {
			out = append(out, days[i])
			i++
			continue
		}
		j, last := i+1, first
		for j < len(days) {
			d, err := ParseDate(days[j])
			if err != nil || !d.Equal(last.AddDate(0, 0, 1)) {
				break
			}
			last, j = d, j+1
		}
		if j-i == 1 {
			out = append(out, days[i]+"（"+weekdayOf(days[i])+"）")
		} else {
			end := last.Format("01-02")
			if last.Year() != first.Year() {
				end = FormatDate(last)
			}
			out = append(out, fmt.Sprintf("%s至%s（%d天）", days[i], end, j-i))
		}
		i = j
	}
	return out
}
