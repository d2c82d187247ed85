package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/db"
	"safetypilot/tenants"
)

// Report kinds.
const (
	KindCounty   = "county"
	KindProvince = "province"
)

// Report statuses. A county report goes draft → submitted (to the province)
// → accepted, or back to returned (editable again); a province report goes
// draft → submitted (to the national administration). Submitted and accepted
// reports are frozen.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusAccepted  = "accepted"
)

// StatusTitle is the Chinese name of a report status.
func StatusTitle(s string) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusSubmitted:
		return "已上报"
	case StatusReturned:
		return "已退回修改"
	case StatusAccepted:
		return "省级已审核"
	}
	return s
}

func frozen(status string) bool { return status == StatusSubmitted || status == StatusAccepted }

// Narrative is the report's own text: experience and practices, problems, next steps.
type Narrative struct {
	Experience string `json:"experience"`
	Problems   string `json:"problems"`
	NextSteps  string `json:"next_steps"`
}

// TrendPoint is one month of a province's case timeliness.
type TrendPoint struct {
	Month      string  `json:"month"`
	Decided    int     `json:"decided"`
	OnTime     int     `json:"on_time"`
	OnTimeRate float64 `json:"on_time_rate"`
}

// ProvinceFigures are a province's totals, its counties side by side, and the trend.
type ProvinceFigures struct {
	Totals   CountyFigures   `json:"totals"`
	Counties []CountyFigures `json:"counties"`
	Trend    []TrendPoint    `json:"trend"`
}

// Report is a stored report; its figures are kept as compiled.
type Report struct {
	ID            int64      `db:"id" json:"id"`
	Kind          string     `db:"kind" json:"kind"`
	Region        string     `db:"region" json:"region"`
	ProvinceCode  string     `db:"province_code" json:"province_code"`
	PeriodKind    string     `db:"period_kind" json:"period_kind"`
	PeriodStart   string     `db:"period_start" json:"period_start"`
	PeriodEnd     string     `db:"period_end" json:"period_end"`
	Title         string     `db:"title" json:"title"`
	Status        string     `db:"status" json:"status"`
	FiguresJSON   string     `db:"figures" json:"-"`
	NarrativeJSON string     `db:"narrative" json:"-"`
	ReviewComment string     `db:"review_comment" json:"review_comment"`
	CompiledAt    time.Time  `db:"compiled_at" json:"compiled_at"`
	SubmittedAt   *time.Time `db:"submitted_at" json:"submitted_at"`
	SubmittedBy   int64      `db:"submitted_by" json:"submitted_by"`
	UpdatedAt     time.Time  `db:"updated_at" json:"updated_at"`
}

// Interim reports a report compiled before its period ended: its figures
// are as of its compilation (AsOf), not of the whole period, so it is shown
// as interim and cannot be submitted; compiled again after the period, it
// is final.
func (r Report) Interim() bool { return r.AsOf() <= r.PeriodEnd }

// AsOf is the day (Beijing time) the figures were compiled.
func (r Report) AsOf() string { return calendar.FormatDate(calendar.Today(r.CompiledAt)) }

// View is a report with its figures and narrative decoded.
type View struct {
	Report
	StatusTitle string `json:"status_title"`
	// InterimFigures and FiguresAsOf say a report compiled before its period
	// ended holds the figures of that day (Report.Interim).
	InterimFigures bool             `json:"interim"`
	FiguresAsOf    string           `json:"figures_as_of"`
	Narrative      Narrative        `json:"narrative"`
	County         *CountyFigures   `json:"county_figures,omitempty"`
	Province       *ProvinceFigures `json:"province_figures,omitempty"`
}

// Service compiles and moves reports through their workflow.
type Service struct {
	db       *db.DB
	tenants  *tenants.Service
	compiler *compiler
	// Now is the wall clock; tests replace it.
	Now func() time.Time
}

// NewService wires the report rules.
func NewService(database *db.DB, t *tenants.Service, cal *calendar.Calendar) *Service {
	return &Service{db: database, tenants: t, compiler: &compiler{db: database, cal: cal}, Now: time.Now}
}

const reportColumns = `id, kind, region, province_code, period_kind, period_start, period_end, title, status, figures,
	narrative, review_comment, compiled_at, submitted_at, submitted_by, updated_at`

func (s *Service) byPeriod(ctx context.Context, q sqlx.QueryerContext, kind, region string, p Period) (Report, bool, error) {
	var r Report
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+reportColumns+` FROM reports WHERE kind = ? AND region = ? AND period_kind = ? AND period_start = ?`,
		kind, region, p.Kind, p.Start)
	if db.IsNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("reports: by period: %w", err)
	}
	return r, true, nil
}

// started refuses a period that has not begun (Beijing's today): its report
// would state figures of days to come. A period under way is compiled with
// the figures so far.
func (s *Service) started(p Period) error {
	today := calendar.FormatDate(calendar.Today(s.Now()))
	if p.Start > today {
		return apperr.InvalidField("date", "报告期（"+p.Start+"起）尚未开始，不能编制总结报告")
	}
	return nil
}

// soFar is the part of a period the figures can speak of: the whole period
// once it has ended, else up to today (Beijing), so that an interim report
// counts as overdue only what is overdue today, not at the period's end.
func (s *Service) soFar(p Period) Period {
	if today := calendar.FormatDate(calendar.Today(s.Now())); today < p.End {
		p.End = today
	}
	return p
}

// CompileCounty computes (or recomputes, while still editable) a county's
// report for the period. A submitted report is returned untouched.
func (s *Service) CompileCounty(ctx context.Context, county string, p Period) (View, error) {
	if err := s.started(p); err != nil {
		return View{}, err
	}
	c, err := s.tenants.County(ctx, county)
	if err != nil {
		return View{}, err
	}
	figures, err := s.compiler.county(ctx, county, c.Name, s.soFar(p))
	if err != nil {
		return View{}, err
	}
	return s.storeCounty(ctx, c, p, figures)
}

// CompileProvince computes a province's report from its active pilot counties.
func (s *Service) CompileProvince(ctx context.Context, province string, p Period) (View, error) {
	if err := s.started(p); err != nil {
		return View{}, err
	}
	pr, _, pf, err := s.provinceFigures(ctx, province, p)
	if err != nil {
		return View{}, err
	}
	return s.storeProvince(ctx, pr, p, pf)
}

// provinceFigures computes the figures of a province's active pilot
// counties, all at once, and their totals and trend.
func (s *Service) provinceFigures(ctx context.Context, province string, p Period) (tenants.Province, []tenants.County, ProvinceFigures, error) {
	pf := ProvinceFigures{}
	pr, err := s.tenants.Province(ctx, province)
	if err != nil {
		return pr, nil, pf, err
	}
	counties, err := s.tenants.Counties(ctx, province)
	if err != nil {
		return pr, nil, pf, err
	}
	var active []tenants.County
	var refs []countyRef
	var codes []string
	for _, c := range counties {
		if c.Status != tenants.StatusActive {
			continue
		}
		active = append(active, c)
		refs = append(refs, countyRef{Code: c.Code, Name: c.Name})
		codes = append(codes, c.Code)
	}
	if pf.Counties, err = s.compiler.counties(ctx, refs, s.soFar(p)); err != nil {
		return pr, nil, pf, err
	}
	pf.Totals = Sum(pf.Counties)
	pf.Totals.CountyName = pr.Name
	if pf.Trend, err = s.trend(ctx, codes, p); err != nil {
		return pr, nil, pf, err
	}
	return pr, active, pf, nil
}

func (s *Service) storeProvince(ctx context.Context, pr tenants.Province, p Period, pf ProvinceFigures) (View, error) {
	title := fmt.Sprintf("%s安全生产政务公开和政务服务试点工作总结（%s）", pr.Name, p.Label)
	return s.store(ctx, KindProvince, pr.Code, pr.Code, p, title, pf)
}

func (s *Service) storeCounty(ctx context.Context, c tenants.County, p Period, f CountyFigures) (View, error) {
	title := fmt.Sprintf("%s安全生产政务公开和政务服务试点工作总结（%s）", c.Name, p.Label)
	return s.store(ctx, KindCounty, c.Code, c.ProvinceCode, p, title, f)
}

// trend is the monthly on-time rate over the twelve months ending with the period.
func (s *Service) trend(ctx context.Context, counties []string, p Period) ([]TrendPoint, error) {
	end, _ := calendar.ParseDate(p.End)
	first := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	points := make([]TrendPoint, 12)
	index := map[string]int{}
	for i := range points {
		m := first.AddDate(0, i, 0)
		points[i].Month = m.Format("2006-01")
		index[points[i].Month] = i
	}
	if len(counties) == 0 {
		return points, nil
	}
	var rows []struct {
		Month   string `db:"month"`
		Decided int    `db:"decided"`
		OnTime  int    `db:"on_time"`
	}
	q, args, err := sqlx.In(`SELECT SUBSTR(decided_on, 1, 7) AS month, COUNT(*) AS decided,
		COALESCE(SUM(CASE WHEN on_time = ? THEN 1 ELSE 0 END), 0) AS on_time
		FROM cases WHERE county_code IN (?) AND decided_on >= ? AND decided_on <= ? GROUP BY SUBSTR(decided_on, 1, 7)`,
		true, counties, calendar.FormatDate(first), p.End)
	if err != nil {
		return nil, err
	}
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("reports: trend: %w", err)
	}
	for _, r := range rows {
		if i, ok := index[r.Month]; ok {
			points[i].Decided, points[i].OnTime = r.Decided, r.OnTime
			if r.Decided > 0 {
				points[i].OnTimeRate = round3(float64(r.OnTime) / float64(r.Decided))
			}
		}
	}
	return points, nil
}

// store inserts the report or refreshes its figures while it is editable.
func (s *Service) store(ctx context.Context, kind, region, province string, p Period, title string, figures any) (View, error) {
	data, err := json.Marshal(figures)
	if err != nil {
		return View{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		existing, found, err := s.byPeriod(ctx, tx, kind, region, p)
		if err != nil {
			return err
		}
		// compiled on the service's clock, which Interim compares with the period
		compiled, now := s.Now().UTC().Truncate(time.Microsecond), db.Now()
		if found {
			id = existing.ID
			if frozen(existing.Status) {
				return nil
			}
			_, err := tx.ExecContext(ctx, `UPDATE reports SET figures = ?, title = ?, compiled_at = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)`,
				string(data), title, compiled, now, id, StatusDraft, StatusReturned)
			return err
		}
		narrative, _ := json.Marshal(Narrative{})
		res, err := tx.ExecContext(ctx, `INSERT INTO reports (kind, region, province_code, period_kind, period_start, period_end, title,
			status, figures, narrative, review_comment, compiled_at, submitted_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?)`,
			kind, region, province, p.Kind, p.Start, p.End, title, StatusDraft, string(data), string(narrative), compiled, now)
		if db.IsDuplicate(err) {
			return apperr.Conflict("duplicate", "该期报告正由他人同时生成，请稍后刷新")
		}
		if err != nil {
			return fmt.Errorf("reports: insert: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, id)
}

// Get returns a report by id (callers check that it belongs to their region).
func (s *Service) Get(ctx context.Context, id int64) (View, error) {
	var r Report
	err := s.db.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports WHERE id = ?`, id)
	if db.IsNoRows(err) {
		return View{}, apperr.ErrNotFound
	}
	if err != nil {
		return View{}, fmt.Errorf("reports: get: %w", err)
	}
	return decode(r)
}

func decode(r Report) (View, error) {
	v := View{Report: r, StatusTitle: StatusTitle(r.Status), InterimFigures: r.Interim(), FiguresAsOf: r.AsOf()}
	if err := json.Unmarshal([]byte(r.NarrativeJSON), &v.Narrative); err != nil {
		return v, fmt.Errorf("reports: narrative: %w", err)
	}
	if r.Kind == KindCounty {
		v.County = &CountyFigures{}
		if err := json.Unmarshal([]byte(r.FiguresJSON), v.County); err != nil {
			return v, fmt.Errorf("reports: figures: %w", err)
		}
	} else {
		v.Province = &ProvinceFigures{}
		if err := json.Unmarshal([]byte(r.FiguresJSON), v.Province); err != nil {
			return v, fmt.Errorf("reports: figures: %w", err)
		}
	}
	return v, nil
}

// ForCounty returns a county's report, or not found when it is another's.
func (s *Service) ForCounty(ctx context.Context, county string, id int64) (View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if v.Kind != KindCounty || v.Region != county {
		return View{}, apperr.ErrNotFound
	}
	return v, nil
}

// ForProvince returns the province's own report or one of its counties'
// reports that has been submitted to it; anything else is not found.
func (s *Service) ForProvince(ctx context.Context, province string, id int64) (View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return v, err
	}
	switch {
	case v.Kind == KindProvince && v.Region == province:
	case v.Kind == KindCounty && v.ProvinceCode == province && v.Status != StatusDraft:
	default:
		return View{}, apperr.ErrNotFound
	}
	return v, nil
}

// ForNational returns a provincial report submitted upward.
func (s *Service) ForNational(ctx context.Context, id int64) (View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if v.Kind != KindProvince || v.Status != StatusSubmitted {
		return View{}, apperr.ErrNotFound
	}
	return v, nil
}

// List returns reports matching a filter, newest period first.
func (s *Service) list(ctx context.Context, where string, args ...any) ([]Report, error) {
	out := []Report{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+reportColumns+` FROM reports WHERE `+where+` ORDER BY period_start DESC, kind, region`, args...)
	if err != nil {
		return nil, fmt.Errorf("reports: list: %w", err)
	}
	return out, nil
}

// CountyReports lists a county's reports.
func (s *Service) CountyReports(ctx context.Context, county string) ([]Report, error) {
	return s.list(ctx, `kind = ? AND region = ?`, KindCounty, county)
}

// ProvinceReports lists the province's reports and those its counties submitted.
func (s *Service) ProvinceReports(ctx context.Context, province string) ([]Report, error) {
	return s.list(ctx, `province_code = ? AND (kind = ? OR status <> ?)`, province, KindProvince, StatusDraft)
}

// NationalReports lists every provincial report submitted upward.
func (s *Service) NationalReports(ctx context.Context) ([]Report, error) {
	return s.list(ctx, `kind = ? AND status = ?`, KindProvince, StatusSubmitted)
}

// transition moves a report under its row lock when its status allows.
func (s *Service) transition(ctx context.Context, id int64, from []string, apply func(tx *sqlx.Tx, r Report) error) (View, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET updated_at = updated_at WHERE id = ?`, id); err != nil {
			return err
		}
		var r Report
		err := tx.GetContext(ctx, &r, `SELECT `+reportColumns+` FROM reports WHERE id = ?`, id)
		if db.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		allowed := false
		for _, st := range from {
			allowed = allowed || r.Status == st
		}
		if !allowed {
			if frozen(r.Status) {
				return apperr.Conflict("report_frozen", "报告已上报，不能再修改")
			}
			return apperr.Conflict("invalid_transition", "当前状态（"+StatusTitle(r.Status)+"）下不能执行该操作")
		}
		return apply(tx, r)
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, id)
}

// SaveNarrative replaces the narrative of an editable report.
func (s *Service) SaveNarrative(ctx context.Context, id int64, n Narrative) (View, error) {
	f := map[string]string{}
	for field, v := range map[string]string{"experience": n.Experience, "problems": n.Problems, "next_steps": n.NextSteps} {
		if utf8.RuneCountInString(v) > 20000 {
			f[field] = "不能超过20000字"
		}
	}
	if len(f) > 0 {
		return View{}, apperr.Invalid("内容过长", f)
	}
	data, _ := json.Marshal(n)
	return s.transition(ctx, id, []string{StatusDraft, StatusReturned}, func(tx *sqlx.Tx, r Report) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET narrative = ?, updated_at = ? WHERE id = ?`, string(data), db.Now(), id)
		return err
	})
}

// Submit sends a report upward and freezes it.
func (s *Service) Submit(ctx context.Context, id, by int64) (View, error) {
	return s.transition(ctx, id, []string{StatusDraft, StatusReturned}, func(tx *sqlx.Tx, r Report) error {
		if r.Interim() {
			return apperr.Conflict("report_interim", "报告期（至"+r.PeriodEnd+"）结束前编制的报告只是截至"+r.AsOf()+
				"的临时数据：请在报告期结束后重新编制，再上报")
		}
		var n Narrative
		_ = json.Unmarshal([]byte(r.NarrativeJSON), &n)
		if strings.TrimSpace(n.Experience) == "" || strings.TrimSpace(n.Problems) == "" || strings.TrimSpace(n.NextSteps) == "" {
			return apperr.Invalid("上报前请填写经验做法、存在问题和下一步打算", map[string]string{"narrative": "三部分文字均须填写"})
		}
		now := db.Now()
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = ?, submitted_at = ?, submitted_by = ?, updated_at = ? WHERE id = ?`,
			StatusSubmitted, now, by, now, id)
		return err
	})
}

// Return sends a county report back to the county with comments.
func (s *Service) Return(ctx context.Context, id int64, comment string) (View, error) {
	comment = strings.TrimSpace(comment)
	if comment == "" || utf8.RuneCountInString(comment) > 4000 {
		return View{}, apperr.InvalidField("comment", "退回须填写意见（不超过4000字）")
	}
	return s.transition(ctx, id, []string{StatusSubmitted}, func(tx *sqlx.Tx, r Report) error {
		if r.Kind != KindCounty {
			return apperr.Conflict("invalid_transition", "只能退回县级报告")
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = ?, review_comment = ?, updated_at = ? WHERE id = ?`,
			StatusReturned, comment, db.Now(), id)
		return err
	})
}

// Accept records the province's review of a submitted county report.
func (s *Service) Accept(ctx context.Context, id int64, comment string) (View, error) {
	return s.transition(ctx, id, []string{StatusSubmitted}, func(tx *sqlx.Tx, r Report) error {
		if r.Kind != KindCounty {
			return apperr.Conflict("invalid_transition", "只能审核县级报告")
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = ?, review_comment = ?, updated_at = ? WHERE id = ?`,
			StatusAccepted, strings.TrimSpace(comment), db.Now(), id)
		return err
	})
}

// CompileAll compiles the reports of a period for every active county and
// every province that has one: what the scheduled job does.
func (s *Service) CompileAll(ctx context.Context, p Period) (int, error) {
	provinces, err := s.tenants.Provinces(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, pr := range provinces {
		// One set-based compile per province gives its counties' reports too.
		_, active, pf, err := s.provinceFigures(ctx, pr.Code, p)
		if err != nil {
			return n, err
		}
		if len(active) == 0 {
			continue
		}
		for i, c := range active {
			if _, err := s.storeCounty(ctx, c, p, pf.Counties[i]); err != nil {
				return n, err
			}
			n++
		}
		if _, err := s.storeProvince(ctx, pr, p, pf); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunScheduled compiles last month's reports, and last quarter's at the start
// of a quarter.
func (s *Service) RunScheduled(ctx context.Context) (string, error) {
	today := calendar.Today(s.Now())
	lastMonth := MonthPeriod(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
	n, err := s.CompileAll(ctx, lastMonth)
	if err != nil {
		return "", err
	}
	summary := fmt.Sprintf("%s：%d份", lastMonth.Label, n)
	if (int(today.Month())-1)%3 == 0 {
		lastQuarter := QuarterPeriod(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
		m, err := s.CompileAll(ctx, lastQuarter)
		if err != nil {
			return "", err
		}
		summary += fmt.Sprintf("；%s：%d份", lastQuarter.Label, m)
	}
	return summary, nil
}
