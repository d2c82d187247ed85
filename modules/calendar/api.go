package calendar

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"safetypilot/modules/apperr"
	"safetypilot/rbac"
	"safetypilot/web"
)

// API serves the calendar endpoints.
type API struct {
	svc      *Service
	enforcer *rbac.Enforcer
}

// NewAPI builds the handlers.
func NewAPI(svc *Service, enforcer *rbac.Enforcer) *API { return &API{svc: svc, enforcer: enforcer} }

// Mount registers the routes.
func (a *API) Mount(app *fiber.App) {
	app.Get("/api/v1/calendar", web.RequireUser, a.showStatus)
	app.Get("/api/v1/calendar/add-workdays", web.RequireUser, a.addWorkdays)
	app.Get("/api/v1/calendar/years", web.RequireUser, a.listYears(nationalRegion))
	app.Put("/api/v1/calendar/years/:year", web.Require(a.enforcer, "calendar:manage", web.NationalScope), a.setYear(nationalRegion))
	app.Get("/api/v1/provinces/:province/calendar/years", web.Require(a.enforcer, "region:read", web.ProvinceScope), a.listYears(web.ProvinceScope))
	app.Put("/api/v1/provinces/:province/calendar/years/:year", web.Require(a.enforcer, "calendar:manage", web.ProvinceScope), a.setYear(web.ProvinceScope))
}

func nationalRegion(*fiber.Ctx) (string, error) { return National, nil }

// Status is what administrators need to know about the calendars.
type Status struct {
	Years        []int    `json:"years"`
	MissingYears []int    `json:"missing_years"`
	Warnings     []string `json:"warnings"`
}

// StatusNow reports the loaded years and the warnings for missing ones.
func (s *Service) StatusNow(now time.Time) Status {
	st := Status{Years: s.cal.Years(), MissingYears: s.MissingYears(now), Warnings: []string{}}
	if st.Years == nil {
		st.Years = []int{}
	}
	if st.MissingYears == nil {
		st.MissingYears = []int{}
	}
	for _, y := range st.MissingYears {
		st.Warnings = append(st.Warnings, MissingYearWarning(y))
	}
	return st
}

// MissingYearWarning is the banner text for a year without a calendar.
func MissingYearWarning(year int) string {
	return "尚未录入" + strconv.Itoa(year) + "年的国务院节假日安排：落入该年的办理期限暂按仅排除周末计算，结果为“暂定”。请国家级管理员尽快录入。"
}

func (a *API) showStatus(c *fiber.Ctx) error { return c.JSON(a.svc.StatusNow(time.Now())) }

func yearParam(c *fiber.Ctx) (int, error) {
	y, err := strconv.Atoi(c.Params("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, apperr.InvalidField("year", "年份应为2000至2100之间的四位数字")
	}
	return y, nil
}

func (a *API) listYears(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, err := scope(c)
		if err != nil {
			return err
		}
		list, err := a.svc.Years(c.UserContext(), region)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": list, "total": len(list)})
	}
}

func (a *API) setYear(scope web.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, err := scope(c)
		if err != nil {
			return err
		}
		year, err := yearParam(c)
		if err != nil {
			return err
		}
		var in YearInput
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
		if err := a.svc.SetYear(c.UserContext(), region, year, in, web.CurrentUser(c).UserID); err != nil {
			return err
		}
		list, err := a.svc.Years(c.UserContext(), region)
		if err != nil {
			return err
		}
		for _, y := range list {
			if y.Year == year {
				return c.JSON(y)
			}
		}
		return apperr.ErrNotFound
	}
}

// addWorkdays answers "which date is N working days after D?" with the trace.
func (a *API) addWorkdays(c *fiber.Ctx) error {
	from, err := ParseDate(c.Query("from"))
	if err != nil {
		return apperr.InvalidField("from", "日期格式应为 YYYY-MM-DD")
	}
	n, err := strconv.Atoi(c.Query("days"))
	if err != nil || n < 0 || n > 1000 {
		return apperr.InvalidField("days", "工作日数应为0至1000之间的整数")
	}
	province := c.Query("province", National)
	if lvl, ok := rbac.RegionLevel(province); !ok || lvl == rbac.LevelCounty {
		return apperr.InvalidField("province", "省级区划代码应为2位数字")
	}
	date, tr := a.svc.cal.AddWorkdays(province, from, n, nil)
	return c.JSON(fiber.Map{
		"date": FormatDate(date), "provisional": tr.Provisional(), "holidays_skipped": nonNil(tr.Holidays),
		"makeup_workdays": nonNil(tr.Makeup), "missing_years": tr.MissingYears,
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
