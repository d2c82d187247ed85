package reports

// The county's annual report on government information disclosure
// (政府信息公开工作年度报告) in the national template of 2021
// (国办公开办函〔2021〕30号): six sections, of which the tables of 二 and 三 are
// derived from the data of the year and the rest is entered by hand. A report
// is a draft until it is published; publishing needs every table to balance
// and freezes the report.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/tenants"
	"safetypilot/web"
)

// AnnualPublished is the status of a published (frozen) annual report; a
// report being prepared has StatusDraft.
const AnnualPublished = "published"

// AnnualStatusTitle is the Chinese name of an annual report's status.
func AnnualStatusTitle(s string) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case AnnualPublished:
		return "已发布"
	}
	return s
}

// FirstAnnualYear is the first year an annual report can be compiled for:
// the Regulations on Open Government Information took effect in 2008.
const FirstAnnualYear = 2008

// CategoryCount is the number of records published under one disclosure
// item of the catalog.
type CategoryCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// AnnualRequests are the request figures of the year (section 三).
type AnnualRequests struct {
	// NewReceived: received in the year.
	NewReceived int `json:"new_received"`
	// CarriedOver: received before the year and not answered before it began.
	CarriedOver int `json:"carried_over"`
	// Results counts the answers given in the year by outcome, and by
	// "outcome.reason" for the outcomes the template splits by reason.
	Results map[string]int `json:"results"`
	// Total: every request answered in the year.
	Total int `json:"total"`
	// CarriedForward: received by the year's end and not answered by then.
	CarriedForward int `json:"carried_forward"`
	// ByRequester are the same figures per requester type (the template's
	// columns, disclosure.RequesterTypes); requests filed before the type
	// was asked count in the totals above only. Reports compiled before it
	// existed have none.
	ByRequester map[string]*RequesterFigures `json:"by_requester,omitempty"`
}

// RequesterFigures are one column of table 三.
type RequesterFigures struct {
	NewReceived    int            `json:"new_received"`
	CarriedOver    int            `json:"carried_over"`
	Results        map[string]int `json:"results"`
	Total          int            `json:"total"`
	CarriedForward int            `json:"carried_forward"`
}

// column is the figures of requester type t, made on first use.
func (r *AnnualRequests) column(t string) *RequesterFigures {
	if r.ByRequester == nil {
		r.ByRequester = map[string]*RequesterFigures{}
	}
	if r.ByRequester[t] == nil {
		r.ByRequester[t] = &RequesterFigures{Results: map[string]int{}}
	}
	return r.ByRequester[t]
}

// AnnualFigures are the parts of the annual report derived from the data.
type AnnualFigures struct {
	County     string `json:"county"`
	CountyName string `json:"county_name"`
	Year       int    `json:"year"`
	// PublishedByCategory: proactive records published in the year per
	// disclosure item (本年发布的主动公开信息数), in catalog order.
	PublishedByCategory []CategoryCount `json:"published_by_category"`
	PublishedTotal      int             `json:"published_total"`
	// LicensingDecisions: cases of licensing items (power type XK) decided in
	// the year, granted or refused.
	LicensingDecisions int `json:"licensing_decisions"`
	// PenaltyDecisions: penalty cases decided in the year and on-the-spot
	// decisions made in it (by decision date).
	PenaltyDecisions int `json:"penalty_decisions"`
	// EnforcementDecisions: cases of administrative-coercion items (power
	// type QZ) decided in the year.
	EnforcementDecisions int            `json:"enforcement_decisions"`
	Requests             AnnualRequests `json:"requests"`
}

// DocCounts are the 规章 or 规范性文件 figures of article 20 (1).
type DocCounts struct {
	Made     int `json:"made"`
	Repealed int `json:"repealed"`
	InForce  int `json:"in_force"`
}

// ReviewCounts are the outcomes of reconsiderations or lawsuits about
// disclosure, with their total.
type ReviewCounts struct {
	Upheld    int `json:"upheld"`
	Corrected int `json:"corrected"`
	Other     int `json:"other"`
	Pending   int `json:"pending"`
	Total     int `json:"total"`
}

func (r ReviewCounts) sum() int { return r.Upheld + r.Corrected + r.Other + r.Pending }

// AnnualManual is what the county enters by hand.
type AnnualManual struct {
	// Overview is 一、总体情况.
	Overview           string    `json:"overview"`
	Regulations        DocCounts `json:"regulations"`
	NormativeDocuments DocCounts `json:"normative_documents"`
	// FeeAmount is the administrative fees charged in the year, in 万元.
	FeeAmount                      float64      `json:"fee_amount"`
	Reconsideration                ReviewCounts `json:"reconsideration"`
	LitigationDirect               ReviewCounts `json:"litigation_direct"`
	LitigationAfterReconsideration ReviewCounts `json:"litigation_after_reconsideration"`
	// Problems is 五、存在的主要问题及改进情况.
	Problems string `json:"problems"`
	// ProcessingFees are section 六's figures of the information-processing
	// fees of the year.
	ProcessingFees ProcessingFees `json:"processing_fees"`
	// Other is the rest of 六、其他需要报告的事项.
	Other string `json:"other"`
}

// ProcessingFees are the information-processing fees (信息处理费) of the
// year, which the 2021 template asks for under 六: the fee notices sent, the
// amount they asked for and the amount actually collected, in yuan. The fees
// themselves are set by 政府信息公开信息处理费管理办法 (国办函〔2020〕109号);
// requests do not record fee notices, so the county enters the figures.
type ProcessingFees struct {
	Notices      int     `json:"notices"`
	NoticeAmount float64 `json:"notice_amount"`
	Collected    float64 `json:"collected"`
}

// maxAnnualCount bounds every entered count.
const maxAnnualCount = 1_000_000

func (m *AnnualManual) validate() error {
	f := map[string]string{}
	count := func(field string, v int) {
		if v < 0 || v > maxAnnualCount {
			f[field] = "应为0至1000000之间的整数"
		}
	}
	for prefix, d := range map[string]DocCounts{"regulations": m.Regulations, "normative_documents": m.NormativeDocuments} {
		count(prefix+".made", d.Made)
		count(prefix+".repealed", d.Repealed)
		count(prefix+".in_force", d.InForce)
	}
	for prefix, r := range map[string]ReviewCounts{"reconsideration": m.Reconsideration, "litigation_direct": m.LitigationDirect,
		"litigation_after_reconsideration": m.LitigationAfterReconsideration} {
		count(prefix+".upheld", r.Upheld)
		count(prefix+".corrected", r.Corrected)
		count(prefix+".other", r.Other)
		count(prefix+".pending", r.Pending)
		count(prefix+".total", r.Total)
	}
	if m.FeeAmount < 0 || m.FeeAmount > 1e8 {
		f["fee_amount"] = "收费金额（万元）应为0至100000000之间的数"
	}
	count("processing_fees.notices", m.ProcessingFees.Notices)
	for field, v := range map[string]float64{"processing_fees.notice_amount": m.ProcessingFees.NoticeAmount,
		"processing_fees.collected": m.ProcessingFees.Collected} {
		if v < 0 || v > 1e9 || math.Abs(v*100-math.Round(v*100)) > 1e-6 {
			f[field] = "金额（元）应为0至1000000000之间、最多两位小数的数"
		}
	}
	for field, v := range map[string]string{"overview": m.Overview, "problems": m.Problems, "other": m.Other} {
		if utf8.RuneCountInString(v) > 20000 {
			f[field] = "不能超过20000字"
		}
	}
	if len(f) > 0 {
		return apperr.Invalid("年度报告填报内容有误", f)
	}
	return nil
}

// AnnualReport is a stored annual report; figures and manual parts are kept
// as JSON.
type AnnualReport struct {
	ID          int64      `db:"id" json:"id"`
	CountyCode  string     `db:"county_code" json:"county_code"`
	Year        int        `db:"year" json:"year"`
	Status      string     `db:"status" json:"status"`
	FiguresJSON string     `db:"figures" json:"-"`
	ManualJSON  string     `db:"manual" json:"-"`
	CompiledAt  time.Time  `db:"compiled_at" json:"compiled_at"`
	PublishedAt *time.Time `db:"published_at" json:"published_at"`
	PublishedBy int64      `db:"published_by" json:"published_by"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
}

// AnnualColumn is a column of a template table. Group is the heading above
// it where the template nests columns (行政复议, 行政诉讼 …).
type AnnualColumn struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Group string `json:"group,omitempty"`
}

// Row sources: figures from the data, or entered by hand.
const (
	SourceDerived = "derived"
	SourceManual  = "manual"
)

// AnnualRow is a row of a template table: a heading row (Header) has no
// values; Level is its indentation (0 for 一、, 1 for （一）, 2 for 1.).
type AnnualRow struct {
	Code   string             `json:"code"`
	Label  string             `json:"label"`
	Level  int                `json:"level"`
	Header bool               `json:"header,omitempty"`
	Source string             `json:"source,omitempty"`
	Values map[string]float64 `json:"values,omitempty"`
}

// AnnualTable is one table of the template.
type AnnualTable struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	// Heading spans every value column (table 三's 申请人情况).
	Heading string         `json:"heading,omitempty"`
	Columns []AnnualColumn `json:"columns"`
	Rows    []AnnualRow    `json:"rows"`
	Note    string         `json:"note,omitempty"`
}

// AnnualSection is one of the template's six sections.
type AnnualSection struct {
	Code   string        `json:"code"`
	Number string        `json:"number"`
	Title  string        `json:"title"`
	Text   string        `json:"text,omitempty"`
	Tables []AnnualTable `json:"tables,omitempty"`
}

// AnnualCheck is one balance rule of the template and whether it holds.
// Field names the row (or entered field) that is out of balance.
type AnnualCheck struct {
	Field   string `json:"field"`
	Label   string `json:"label"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// AnnualView is an annual report with its figures, manual parts, the
// assembled template and its checks.
type AnnualView struct {
	AnnualReport
	Title       string          `json:"title"`
	StatusTitle string          `json:"status_title"`
	Figures     AnnualFigures   `json:"figures"`
	Manual      AnnualManual    `json:"manual"`
	Sections    []AnnualSection `json:"sections"`
	Checks      []AnnualCheck   `json:"checks"`
	Balanced    bool            `json:"balanced"`
	// PublishBy is the last day to publish the report (AnnualPublishBy).
	PublishBy string `json:"publish_by"`
}

// AnnualSummary is a report in a list.
type AnnualSummary struct {
	AnnualReport
	Title       string `json:"title"`
	StatusTitle string `json:"status_title"`
}

// PublicAnnual is what the public reads of a published report.
type PublicAnnual struct {
	CountyCode  string          `json:"county_code"`
	CountyName  string          `json:"county_name"`
	Year        int             `json:"year"`
	Title       string          `json:"title"`
	PublishedAt *time.Time      `json:"published_at"`
	Sections    []AnnualSection `json:"sections"`
}

// AnnualTitle is the report's title.
func AnnualTitle(countyName string, year int) string {
	return fmt.Sprintf("%s安全生产监管部门%d年政府信息公开工作年度报告", countyName, year)
}

// ---- compiling ----

// annual computes the derived parts of a county's report for a year.
func (c *compiler) annual(ctx context.Context, county, name string, year int) (AnnualFigures, error) {
	p := YearPeriod(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	startTS, endTS := p.bounds()
	f := AnnualFigures{County: county, CountyName: name, Year: year, PublishedByCategory: []CategoryCount{},
		Requests: AnnualRequests{Results: map[string]int{}}}

	// 二: proactive records published in the year, per disclosure item.
	var published []struct {
		Code string `db:"category"`
		N    int    `db:"n"`
	}
	if err := c.db.SelectContext(ctx, &published, `SELECT category, COUNT(*) AS n FROM disclosure_records WHERE county_code = ?
		AND published_at >= ? AND published_at < ? GROUP BY category`, county, startTS, endTS); err != nil {
		return f, fmt.Errorf("reports: annual published: %w", err)
	}
	var items []struct {
		Code      string `db:"code"`
		Name      string `db:"name"`
		SortOrder int    `db:"sort_order"`
	}
	if err := c.db.SelectContext(ctx, &items, `SELECT code, name, sort_order FROM catalog_items WHERE county_code = ? AND category = ?`,
		county, catalog.CategoryInformation); err != nil {
		return f, fmt.Errorf("reports: annual items: %w", err)
	}
	order := map[string]int{}
	names := map[string]string{}
	for _, it := range items {
		order[it.Code], names[it.Code] = it.SortOrder, it.Name
	}
	for _, pc := range published {
		n := names[pc.Code]
		if n == "" {
			n = pc.Code
		}
		f.PublishedByCategory = append(f.PublishedByCategory, CategoryCount{Code: pc.Code, Name: n, Count: pc.N})
		f.PublishedTotal += pc.N
	}
	sort.Slice(f.PublishedByCategory, func(i, j int) bool {
		a, b := f.PublishedByCategory[i], f.PublishedByCategory[j]
		_, aKnown := order[a.Code]
		_, bKnown := order[b.Code]
		if aKnown != bKnown {
			return aKnown
		}
		if order[a.Code] != order[b.Code] {
			return order[a.Code] < order[b.Code]
		}
		return a.Code < b.Code
	})

	// 二: decisions of licensing and coercion cases, by the power type of
	// the item version each case was opened on.
	var decided []struct {
		Code    string `db:"item_code"`
		Version int    `db:"item_version"`
		N       int    `db:"n"`
	}
	if err := c.db.SelectContext(ctx, &decided, `SELECT item_code, item_version, COUNT(*) AS n FROM cases WHERE county_code = ?
		AND decided_on >= ? AND decided_on <= ? GROUP BY item_code, item_version`, county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: annual decisions: %w", err)
	}
	for _, d := range decided {
		var raw string
		err := c.db.GetContext(ctx, &raw, `SELECT content FROM catalog_versions WHERE county_code = ? AND code = ? AND version = ?`,
			county, d.Code, d.Version)
		if db.IsNoRows(err) {
			continue
		}
		if err != nil {
			return f, fmt.Errorf("reports: annual item version: %w", err)
		}
		var content catalog.Content
		if err := json.Unmarshal([]byte(raw), &content); err != nil {
			return f, fmt.Errorf("reports: annual decode content: %w", err)
		}
		switch content.PowerType {
		case "XK":
			f.LicensingDecisions += d.N
		case "QZ":
			f.EnforcementDecisions += d.N
		}
	}
	// The penalty decisions of the year, from the penalty cases themselves
	// (modules/penalties) and the on-the-spot decisions of the 简易程序
	// (modules/onspot), by decision date.
	if err := c.db.GetContext(ctx, &f.PenaltyDecisions, `SELECT (SELECT COUNT(*) FROM penalty_cases
		WHERE county_code = ? AND decided_on >= ? AND decided_on <= ?) + (SELECT COUNT(*) FROM onspot_decisions
		WHERE county_code = ? AND decided_on >= ? AND decided_on <= ?)`, county, p.Start, p.End, county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: annual penalties: %w", err)
	}

	// 三: requests, per requester type and in all.
	r := &f.Requests
	for _, t := range disclosure.RequesterTypes {
		r.column(t.Code)
	}
	counts := []struct {
		query string
		args  []any
		add   func(col *RequesterFigures, n int)
		total *int
	}{
		{`received_on >= ? AND received_on <= ?`, []any{p.Start, p.End},
			func(col *RequesterFigures, n int) { col.NewReceived += n }, &r.NewReceived},
		{`received_on < ? AND (answered_on IS NULL OR answered_on >= ?)`, []any{p.Start, p.Start},
			func(col *RequesterFigures, n int) { col.CarriedOver += n }, &r.CarriedOver},
		{`received_on <= ? AND (answered_on IS NULL OR answered_on > ?)`, []any{p.End, p.End},
			func(col *RequesterFigures, n int) { col.CarriedForward += n }, &r.CarriedForward},
	}
	for _, q := range counts {
		var rows []struct {
			Type string `db:"requester_type"`
			N    int    `db:"n"`
		}
		if err := c.db.SelectContext(ctx, &rows, `SELECT requester_type, COUNT(*) AS n FROM info_requests WHERE county_code = ? AND `+
			q.query+` GROUP BY requester_type`, append([]any{county}, q.args...)...); err != nil {
			return f, fmt.Errorf("reports: annual requests: %w", err)
		}
		for _, row := range rows {
			*q.total += row.N
			if row.Type != "" {
				q.add(r.column(row.Type), row.N)
			}
		}
	}
	var results []struct {
		Type    string `db:"requester_type"`
		Outcome string `db:"outcome"`
		Reason  string `db:"outcome_reason"`
		N       int    `db:"n"`
	}
	if err := c.db.SelectContext(ctx, &results, `SELECT requester_type, outcome, outcome_reason, COUNT(*) AS n FROM info_requests
		WHERE county_code = ? AND answered_on >= ? AND answered_on <= ? GROUP BY requester_type, outcome, outcome_reason`,
		county, p.Start, p.End); err != nil {
		return f, fmt.Errorf("reports: annual results: %w", err)
	}
	for _, res := range results {
		key := resultKey(res.Outcome, res.Reason)
		r.Results[key] += res.N
		r.Total += res.N
		if res.Type != "" {
			col := r.column(res.Type)
			col.Results[key] += res.N
			col.Total += res.N
		}
	}
	return f, nil
}

// untypedRequests counts the requests of the year's figures that record no
// requester type (filed before it was asked): the 总计 column's new and
// carried-over requests less those of the type columns.
func untypedRequests(r AnnualRequests) int {
	typed := 0
	for _, col := range r.ByRequester {
		typed += col.NewReceived + col.CarriedOver
	}
	return r.NewReceived + r.CarriedOver - typed
}

// resultKey is the row code of an answer: the outcome, with its reason for
// the outcomes the template splits by reason.
func resultKey(outcome, reason string) string {
	for _, o := range disclosure.Outcomes {
		if o.Code == outcome && len(o.Reasons) == 0 {
			return outcome
		}
	}
	return outcome + "." + reason
}

// ---- the template ----

var chineseNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// requestRows are the rows of section 三 in template order, without values.
func requestRows() []AnnualRow {
	rows := []AnnualRow{
		{Code: "new_received", Label: "一、本年新收政府信息公开申请数量"},
		{Code: "carried_over", Label: "二、上年结转政府信息公开申请数量"},
		{Code: "results", Label: "三、本年度办理结果", Header: true},
	}
	for i, o := range disclosure.Outcomes {
		label := "（" + chineseNumbers[i] + "）" + o.Title
		if len(o.Reasons) == 0 {
			rows = append(rows, AnnualRow{Code: o.Code, Label: label, Level: 1})
			continue
		}
		rows = append(rows, AnnualRow{Code: o.Code, Label: label, Level: 1, Header: true})
		for j, r := range o.Reasons {
			rows = append(rows, AnnualRow{Code: o.Code + "." + r.Code, Label: fmt.Sprintf("%d.%s", j+1, r.Title), Level: 2})
		}
	}
	rows = append(rows,
		AnnualRow{Code: "total", Label: "（" + chineseNumbers[len(disclosure.Outcomes)] + "）总计", Level: 1},
		AnnualRow{Code: "carried_forward", Label: "四、结转下年度继续办理"})
	return rows
}

// resultRowCodes are the codes of the template's result rows (those summed into 总计).
func resultRowCodes() []string {
	var out []string
	for _, row := range requestRows() {
		if row.Level >= 1 && !row.Header && row.Code != "total" {
			out = append(out, row.Code)
		}
	}
	return out
}

func one(col string, v float64) map[string]float64 { return map[string]float64{col: v} }

// sections assembles the six sections of the template.
func (v AnnualView) sections() []AnnualSection {
	f, m := v.Figures, v.Manual
	decisions := []AnnualColumn{{Code: "decisions", Label: "本年处理决定数量"}}
	docColumns := []AnnualColumn{{Code: "made", Label: "本年制发件数"}, {Code: "repealed", Label: "本年废止件数"},
		{Code: "in_force", Label: "现行有效件数"}}
	docValues := func(d DocCounts) map[string]float64 {
		return map[string]float64{"made": float64(d.Made), "repealed": float64(d.Repealed), "in_force": float64(d.InForce)}
	}
	proactive := []AnnualTable{
		{Code: "article20_1", Title: "第二十条第（一）项", Columns: docColumns, Rows: []AnnualRow{
			{Code: "regulations", Label: "规章", Source: SourceManual, Values: docValues(m.Regulations)},
			{Code: "normative_documents", Label: "行政规范性文件", Source: SourceManual, Values: docValues(m.NormativeDocuments)},
		}},
		{Code: "article20_5", Title: "第二十条第（五）项", Columns: decisions, Rows: []AnnualRow{
			{Code: "licensing", Label: "行政许可", Source: SourceDerived, Values: one("decisions", float64(f.LicensingDecisions))},
		}},
		{Code: "article20_6", Title: "第二十条第（六）项", Columns: decisions, Rows: []AnnualRow{
			{Code: "penalty", Label: "行政处罚", Source: SourceDerived, Values: one("decisions", float64(f.PenaltyDecisions))},
			{Code: "enforcement", Label: "行政强制", Source: SourceDerived, Values: one("decisions", float64(f.EnforcementDecisions))},
		}},
		{Code: "article20_8", Title: "第二十条第（八）项", Columns: []AnnualColumn{{Code: "amount", Label: "本年收费金额（单位：万元）"}},
			Rows: []AnnualRow{{Code: "fees", Label: "行政事业性收费", Source: SourceManual, Values: one("amount", m.FeeAmount)}}},
	}

	// The template's columns: 自然人; 法人或其他组织 (商业企业, 科研机构,
	// 社会公益组织, 法律服务机构, 其他); 总计.
	requests := AnnualTable{Code: "requests", Title: "收到和处理政府信息公开申请情况", Heading: "申请人情况"}
	r := f.Requests
	if r.ByRequester != nil {
		for _, t := range disclosure.RequesterTypes {
			group := "法人或其他组织"
			if t.Code == "natural" {
				group = ""
			}
			requests.Columns = append(requests.Columns, AnnualColumn{Code: t.Code, Label: t.Title, Group: group})
		}
		requests.Columns[len(requests.Columns)-1].Label = "其他"
		if untyped := untypedRequests(r); untyped > 0 {
			requests.Note = fmt.Sprintf("另有%d件申请登记于记录申请人类型之前，只计入“总计”栏", untyped)
		}
	} else {
		// Figures compiled before requests recorded who asked.
		requests.Note = "本报告编制时申请登记尚不区分申请人类型，各类申请人合并列入“总计”栏"
	}
	requests.Columns = append(requests.Columns, AnnualColumn{Code: "total", Label: "总计"})
	figure := func(col RequesterFigures, code string) int {
		switch code {
		case "new_received":
			return col.NewReceived
		case "carried_over":
			return col.CarriedOver
		case "total":
			return col.Total
		case "carried_forward":
			return col.CarriedForward
		}
		return col.Results[code]
	}
	all := RequesterFigures{NewReceived: r.NewReceived, CarriedOver: r.CarriedOver, Results: r.Results, Total: r.Total,
		CarriedForward: r.CarriedForward}
	for _, row := range requestRows() {
		if row.Header {
			requests.Rows = append(requests.Rows, row)
			continue
		}
		row.Source, row.Values = SourceDerived, map[string]float64{"total": float64(figure(all, row.Code))}
		for _, t := range disclosure.RequesterTypes {
			if col := r.ByRequester[t.Code]; col != nil {
				row.Values[t.Code] = float64(figure(*col, row.Code))
			}
		}
		requests.Rows = append(requests.Rows, row)
	}

	var cols []AnnualColumn
	values := map[string]float64{}
	for _, g := range []struct {
		code, label string
		counts      ReviewCounts
	}{
		{"reconsideration", "行政复议", m.Reconsideration},
		{"litigation_direct", "行政诉讼·未经复议直接起诉", m.LitigationDirect},
		{"litigation_after_reconsideration", "行政诉讼·复议后起诉", m.LitigationAfterReconsideration},
	} {
		for _, c := range []struct {
			code, label string
			v           int
		}{{"upheld", "结果维持", g.counts.Upheld}, {"corrected", "结果纠正", g.counts.Corrected}, {"other", "其他结果", g.counts.Other},
			{"pending", "尚未审结", g.counts.Pending}, {"total", "总计", g.counts.Total}} {
			cols = append(cols, AnnualColumn{Code: g.code + "." + c.code, Label: c.label, Group: g.label})
			values[g.code+"."+c.code] = float64(c.v)
		}
	}
	pf := m.ProcessingFees
	processingFees := AnnualTable{Code: "processing_fees", Title: "收取信息处理费情况",
		Columns: []AnnualColumn{{Code: "notices", Label: "发出收费通知件数"}, {Code: "notice_amount", Label: "收费通知总金额（元）"},
			{Code: "collected", Label: "实际收取总金额（元）"}},
		Rows: []AnnualRow{{Code: "processing_fees", Label: "信息处理费", Source: SourceManual, Values: map[string]float64{
			"notices": float64(pf.Notices), "notice_amount": pf.NoticeAmount, "collected": pf.Collected}}},
		Note: "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"}
	review := AnnualTable{Code: "review_litigation", Title: "政府信息公开行政复议、行政诉讼情况", Columns: cols,
		Rows: []AnnualRow{{Code: "review_litigation", Label: "件数", Source: SourceManual, Values: values}}}

	return []AnnualSection{
		{Code: "overview", Number: "一", Title: "总体情况", Text: m.Overview},
		{Code: "proactive", Number: "二", Title: "主动公开政府信息情况", Tables: proactive},
		{Code: "requests", Number: "三", Title: "收到和处理政府信息公开申请情况", Tables: []AnnualTable{requests}},
		{Code: "review_litigation", Number: "四", Title: "政府信息公开行政复议、行政诉讼情况", Tables: []AnnualTable{review}},
		{Code: "problems", Number: "五", Title: "存在的主要问题及改进情况", Text: m.Problems},
		{Code: "other", Number: "六", Title: "其他需要报告的事项", Text: m.Other, Tables: []AnnualTable{processingFees}},
	}
}

// AnnualChecks are the template's balance rules: each 总计 equals the sum of
// its rows, and what came in equals what was handled plus what goes on.
func AnnualChecks(f AnnualFigures, m AnnualManual) []AnnualCheck {
	r := f.Requests
	var out []AnnualCheck

	sum := 0
	known := map[string]bool{}
	for _, code := range resultRowCodes() {
		sum += r.Results[code]
		known[code] = true
	}
	c := AnnualCheck{Field: "requests.total", Label: "三、（七）总计等于（一）至（六）各项之和", OK: sum == r.Total}
	if c.OK {
		c.Message = fmt.Sprintf("总计%d件，各项之和%d件", r.Total, sum)
	} else {
		var unknown []string
		for k, n := range r.Results {
			if !known[k] && n > 0 {
				unknown = append(unknown, fmt.Sprintf("%s（%d件）", k, n))
			}
		}
		sort.Strings(unknown)
		c.Message = fmt.Sprintf("总计%d件与各项之和%d件不符", r.Total, sum)
		if len(unknown) > 0 {
			c.Message += "：答复结果不在模板所列情形之内：" + strings.Join(unknown, "、")
		}
	}
	out = append(out, c)

	in, outN := r.NewReceived+r.CarriedOver, r.Total+r.CarriedForward
	c = AnnualCheck{Field: "requests.balance", Label: "本年新收＋上年结转＝本年度办理结果总计＋结转下年度继续办理", OK: in == outN,
		Message: fmt.Sprintf("本年新收%d＋上年结转%d＝%d；办理结果总计%d＋结转下年度%d＝%d", r.NewReceived, r.CarriedOver, in,
			r.Total, r.CarriedForward, outN)}
	if !c.OK {
		c.Message = "收支不平衡：" + c.Message
	}
	out = append(out, c)

	// The same balance holds in every requester column (the template's
	// columns are filled alike).
	for _, t := range disclosure.RequesterTypes {
		col := r.ByRequester[t.Code]
		if col == nil {
			continue
		}
		sum := 0
		for _, code := range resultRowCodes() {
			sum += col.Results[code]
		}
		in, outN := col.NewReceived+col.CarriedOver, col.Total+col.CarriedForward
		c := AnnualCheck{Field: "requests." + t.Code, Label: "“" + t.Title + "”栏：各项之和等于总计，收支平衡",
			OK: sum == col.Total && in == outN, Message: fmt.Sprintf("各项之和%d件，总计%d件；新收%d＋结转%d＝%d，办理%d＋结转下年%d＝%d",
				sum, col.Total, col.NewReceived, col.CarriedOver, in, col.Total, col.CarriedForward, outN)}
		out = append(out, c)
	}

	for _, g := range []struct {
		field, label string
		counts       ReviewCounts
	}{
		{"reconsideration.total", "行政复议总计等于各项结果之和", m.Reconsideration},
		{"litigation_direct.total", "行政诉讼（未经复议直接起诉）总计等于各项结果之和", m.LitigationDirect},
		{"litigation_after_reconsideration.total", "行政诉讼（复议后起诉）总计等于各项结果之和", m.LitigationAfterReconsideration},
	} {
		s := g.counts.sum()
		c := AnnualCheck{Field: g.field, Label: g.label, OK: s == g.counts.Total,
			Message: fmt.Sprintf("结果维持%d＋结果纠正%d＋其他结果%d＋尚未审结%d＝%d，总计填报%d", g.counts.Upheld, g.counts.Corrected,
				g.counts.Other, g.counts.Pending, s, g.counts.Total)}
		out = append(out, c)
	}

	// Fees: a notice asks for an amount, and no more can be collected than
	// the notices asked for.
	pf := m.ProcessingFees
	out = append(out, AnnualCheck{Field: "processing_fees.notice_amount", Label: "信息处理费：收费通知件数与总金额相符",
		OK:      (pf.Notices == 0) == (pf.NoticeAmount == 0),
		Message: fmt.Sprintf("发出收费通知%d件，总金额%s元", pf.Notices, yuan(pf.NoticeAmount))})
	out = append(out, AnnualCheck{Field: "processing_fees.collected", Label: "信息处理费：实际收取金额不超过收费通知总金额",
		OK:      pf.Collected <= pf.NoticeAmount+0.001,
		Message: fmt.Sprintf("实际收取%s元，收费通知总金额%s元", yuan(pf.Collected), yuan(pf.NoticeAmount))})
	return out
}

// yuan writes an amount in yuan with the cents it has.
func yuan(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// publishProblems lists, by field, what keeps a report from being published.
func publishProblems(f AnnualFigures, m AnnualManual) map[string]string {
	out := map[string]string{}
	for _, c := range AnnualChecks(f, m) {
		if !c.OK {
			out[c.Field] = c.Label + "：" + c.Message
		}
	}
	if strings.TrimSpace(m.Overview) == "" {
		out["overview"] = "请填写“一、总体情况”"
	}
	if strings.TrimSpace(m.Problems) == "" {
		out["problems"] = "请填写“五、存在的主要问题及改进情况”"
	}
	return out
}

func decodeAnnual(r AnnualReport) (AnnualView, error) {
	v := AnnualView{AnnualReport: r, StatusTitle: AnnualStatusTitle(r.Status)}
	if err := json.Unmarshal([]byte(r.FiguresJSON), &v.Figures); err != nil {
		return v, fmt.Errorf("reports: annual figures: %w", err)
	}
	if err := json.Unmarshal([]byte(r.ManualJSON), &v.Manual); err != nil {
		return v, fmt.Errorf("reports: annual manual: %w", err)
	}
	if v.Figures.PublishedByCategory == nil {
		v.Figures.PublishedByCategory = []CategoryCount{}
	}
	if v.Figures.Requests.Results == nil {
		v.Figures.Requests.Results = map[string]int{}
	}
	v.Title = AnnualTitle(v.Figures.CountyName, r.Year)
	v.PublishBy = calendar.FormatDate(AnnualPublishBy(r.Year))
	v.Sections = v.sections()
	v.Checks = AnnualChecks(v.Figures, v.Manual)
	v.Balanced = true
	for _, c := range v.Checks {
		v.Balanced = v.Balanced && c.OK
	}
	return v, nil
}

// ---- storage and workflow ----

const annualColumns = `id, county_code, year, status, figures, manual, compiled_at, published_at, published_by, updated_at`

// lockAnnual takes the report's row lock and reads it.
func lockAnnual(ctx context.Context, tx *sqlx.Tx, county string, year int) (AnnualReport, bool, error) {
	var r AnnualReport
	if _, err := tx.ExecContext(ctx, `UPDATE annual_reports SET updated_at = updated_at WHERE county_code = ? AND year = ?`, county, year); err != nil {
		return r, false, fmt.Errorf("reports: lock annual: %w", err)
	}
	err := tx.GetContext(ctx, &r, `SELECT `+annualColumns+` FROM annual_reports WHERE county_code = ? AND year = ?`, county, year)
	if db.IsNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("reports: annual: %w", err)
	}
	return r, true, nil
}

var errAnnualFrozen = apperr.Conflict("report_frozen", "年度报告已发布，不能再修改")

// CompileAnnual computes the derived parts of a county's annual report,
// creating the draft or refreshing it (the manual parts are kept). It
// reports whether the report was created. A published report is frozen.
func (s *Service) CompileAnnual(ctx context.Context, county string, year int) (AnnualView, bool, error) {
	if current := calendar.Today(s.Now()).Year(); year < FirstAnnualYear || year > current {
		return AnnualView{}, false, apperr.InvalidField("year", fmt.Sprintf("年度应在%d年至%d年之间", FirstAnnualYear, current))
	}
	c, err := s.tenants.County(ctx, county)
	if err != nil {
		return AnnualView{}, false, err
	}
	figures, err := s.compiler.annual(ctx, county, c.Name, year)
	if err != nil {
		return AnnualView{}, false, err
	}
	data, err := json.Marshal(figures)
	if err != nil {
		return AnnualView{}, false, err
	}
	created := false
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		created = false
		existing, found, err := lockAnnual(ctx, tx, county, year)
		if err != nil {
			return err
		}
		now := db.Now()
		if found {
			if existing.Status == AnnualPublished {
				return errAnnualFrozen
			}
			_, err := tx.ExecContext(ctx, `UPDATE annual_reports SET figures = ?, compiled_at = ?, updated_at = ? WHERE id = ?`,
				string(data), now, now, existing.ID)
			return err
		}
		manual, _ := json.Marshal(AnnualManual{})
		_, err = tx.ExecContext(ctx, `INSERT INTO annual_reports (county_code, year, status, figures, manual, compiled_at, published_by,
			updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, county, year, StatusDraft, string(data), string(manual), now, now)
		if db.IsDuplicate(err) {
			return apperr.Conflict("duplicate", "该年度报告正由他人同时生成，请稍后刷新")
		}
		if err != nil {
			return fmt.Errorf("reports: insert annual: %w", err)
		}
		created = true
		return nil
	})
	if err != nil {
		return AnnualView{}, false, err
	}
	v, err := s.Annual(ctx, county, year)
	return v, created, err
}

// Annual returns a county's report of a year.
func (s *Service) Annual(ctx context.Context, county string, year int) (AnnualView, error) {
	var r AnnualReport
	err := s.db.GetContext(ctx, &r, `SELECT `+annualColumns+` FROM annual_reports WHERE county_code = ? AND year = ?`, county, year)
	if db.IsNoRows(err) {
		return AnnualView{}, apperr.ErrNotFound
	}
	if err != nil {
		return AnnualView{}, fmt.Errorf("reports: annual: %w", err)
	}
	return decodeAnnual(r)
}

// AnnualReports lists a page of a county's annual reports, newest year first.
func (s *Service) AnnualReports(ctx context.Context, county string, page, perPage int) ([]AnnualSummary, int, error) {
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM annual_reports WHERE county_code = ?`, county); err != nil {
		return nil, 0, fmt.Errorf("reports: count annual: %w", err)
	}
	var rows []AnnualReport
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+annualColumns+` FROM annual_reports WHERE county_code = ?
		ORDER BY year DESC LIMIT ? OFFSET ?`, county, perPage, (page-1)*perPage); err != nil {
		return nil, 0, fmt.Errorf("reports: list annual: %w", err)
	}
	out := make([]AnnualSummary, 0, len(rows))
	for _, r := range rows {
		var f struct {
			CountyName string `json:"county_name"`
		}
		_ = json.Unmarshal([]byte(r.FiguresJSON), &f)
		out = append(out, AnnualSummary{AnnualReport: r, Title: AnnualTitle(f.CountyName, r.Year), StatusTitle: AnnualStatusTitle(r.Status)})
	}
	return out, total, nil
}

// SaveAnnualManual replaces the hand-entered parts of a draft. The totals
// need not balance yet: publishing checks them.
func (s *Service) SaveAnnualManual(ctx context.Context, county string, year int, m AnnualManual) (AnnualView, error) {
	if err := m.validate(); err != nil {
		return AnnualView{}, err
	}
	data, _ := json.Marshal(m)
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, found, err := lockAnnual(ctx, tx, county, year)
		if err != nil {
			return err
		}
		if !found {
			return apperr.ErrNotFound
		}
		if r.Status == AnnualPublished {
			return errAnnualFrozen
		}
		_, err = tx.ExecContext(ctx, `UPDATE annual_reports SET manual = ?, updated_at = ? WHERE id = ?`, string(data), db.Now(), r.ID)
		return err
	})
	if err != nil {
		return AnnualView{}, err
	}
	return s.Annual(ctx, county, year)
}

// PublishAnnual publishes a draft whose tables balance and whose narrative
// sections are written; anything out of balance is a 400 naming its rows.
func (s *Service) PublishAnnual(ctx context.Context, county string, year int, by int64) (AnnualView, error) {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, found, err := lockAnnual(ctx, tx, county, year)
		if err != nil {
			return err
		}
		if !found {
			return apperr.ErrNotFound
		}
		if r.Status == AnnualPublished {
			return errAnnualFrozen
		}
		v, err := decodeAnnual(r)
		if err != nil {
			return err
		}
		if problems := publishProblems(v.Figures, v.Manual); len(problems) > 0 {
			return apperr.Invalid("年度报告数据不平衡或内容不全，不能发布", problems)
		}
		now := db.Now()
		_, err = tx.ExecContext(ctx, `UPDATE annual_reports SET status = ?, published_at = ?, published_by = ?, updated_at = ? WHERE id = ?`,
			AnnualPublished, now, by, now, r.ID)
		return err
	})
	if err != nil {
		return AnnualView{}, err
	}
	return s.Annual(ctx, county, year)
}

// publicCounty is an active pilot county; anything else is not found.
func (s *Service) publicCounty(ctx context.Context, county string) (tenants.County, error) {
	c, err := s.tenants.County(ctx, county)
	if err != nil {
		return c, err
	}
	if c.Status != tenants.StatusActive {
		return c, apperr.ErrNotFound
	}
	return c, nil
}

// publishedAnnual is a published report of an active pilot county; anything
// else is not found.
func (s *Service) publishedAnnual(ctx context.Context, county string, year int) (AnnualView, error) {
	if _, err := s.publicCounty(ctx, county); err != nil {
		return AnnualView{}, err
	}
	v, err := s.Annual(ctx, county, year)
	if err != nil {
		return AnnualView{}, err
	}
	if v.Status != AnnualPublished {
		return AnnualView{}, apperr.ErrNotFound
	}
	return v, nil
}

// PublicAnnualReport is a published report as the public reads it.
func (s *Service) PublicAnnualReport(ctx context.Context, county string, year int) (PublicAnnual, error) {
	v, err := s.publishedAnnual(ctx, county, year)
	if err != nil {
		return PublicAnnual{}, err
	}
	return PublicAnnual{CountyCode: v.CountyCode, CountyName: v.Figures.CountyName, Year: v.Year, Title: v.Title,
		PublishedAt: v.PublishedAt, Sections: v.Sections}, nil
}

// PublishedAnnualReports lists an active pilot county's published reports,
// newest year first.
func (s *Service) PublishedAnnualReports(ctx context.Context, county string) (tenants.County, []AnnualSummary, error) {
	c, err := s.publicCounty(ctx, county)
	if err != nil {
		return c, nil, err
	}
	var rows []AnnualReport
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+annualColumns+` FROM annual_reports WHERE county_code = ? AND status = ?
		ORDER BY year DESC`, county, AnnualPublished); err != nil {
		return c, nil, fmt.Errorf("reports: published annual: %w", err)
	}
	out := make([]AnnualSummary, 0, len(rows))
	for _, r := range rows {
		out = append(out, AnnualSummary{AnnualReport: r, Title: AnnualTitle(c.Name, r.Year), StatusTitle: AnnualStatusTitle(r.Status)})
	}
	return c, out, nil
}

// ---- HTTP ----

// mountAnnual registers the annual disclosure report endpoints.
func (a *API) mountAnnual(app *fiber.App) {
	perm := func(p string) fiber.Handler { return web.Require(a.enforcer, p, web.CountyScope) }
	g := app.Group("/api/v1/counties/:county/annual-reports")
	g.Get("", perm("reports:read"), a.listAnnual)
	g.Post("", perm("reports:edit"), countyStaffOnly, a.compileAnnual)
	// The exports come before /:year, which would take "2026.xlsx" whole.
	g.Get("/:year.xlsx", perm("reports:read"), a.sendAnnual(".xlsx"))
	g.Get("/:year.html", perm("reports:read"), a.sendAnnual(".html"))
	g.Get("/:year", perm("reports:read"), a.showAnnual)
	g.Put("/:year/manual", perm("reports:edit"), countyStaffOnly, a.saveAnnualManual)
	g.Post("/:year/publish", perm("reports:submit"), countyStaffOnly, a.publishAnnual)
	app.Get("/api/v1/public/counties/:county/annual-reports", a.listPublicAnnual)
	app.Get("/api/v1/public/counties/:county/annual-reports/:year", a.showPublicAnnual)
}

// annualYear reads the :year parameter; anything but a year is not found.
func annualYear(c *fiber.Ctx) (int, error) {
	raw := c.Params("year")
	y, err := strconv.Atoi(raw)
	if err != nil || len(raw) != 4 {
		return 0, apperr.ErrNotFound
	}
	return y, nil
}

// LoadAnnual is the report the path names (county and year), for the
// handlers of other views of it (pages, exports).
func (a *API) LoadAnnual(c *fiber.Ctx) (AnnualView, error) {
	y, err := annualYear(c)
	if err != nil {
		return AnnualView{}, err
	}
	return a.svc.Annual(c.UserContext(), c.Params("county"), y)
}

func (a *API) listAnnual(c *fiber.Ctx) error {
	page, perPage, err := web.Paging(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.AnnualReports(c.UserContext(), c.Params("county"), page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": total})
}

func (a *API) compileAnnual(c *fiber.Ctx) error {
	var in struct {
		Year int `json:"year"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, created, err := a.svc.CompileAnnual(c.UserContext(), c.Params("county"), in.Year)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(v)
}

// sendAnnual answers with the print document or the workbook of a report.
func (a *API) sendAnnual(ext string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := a.LoadAnnual(c)
		if err != nil {
			return err
		}
		return sendAnnual(c, v, ext, false)
	}
}

func (a *API) showAnnual(c *fiber.Ctx) error {
	v, err := a.LoadAnnual(c)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) saveAnnualManual(c *fiber.Ctx) error {
	var m AnnualManual
	if err := web.DecodeJSON(c, &m); err != nil {
		return err
	}
	y, err := annualYear(c)
	if err != nil {
		return err
	}
	v, err := a.svc.SaveAnnualManual(c.UserContext(), c.Params("county"), y, m)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) publishAnnual(c *fiber.Ctx) error {
	y, err := annualYear(c)
	if err != nil {
		return err
	}
	v, err := a.svc.PublishAnnual(c.UserContext(), c.Params("county"), y, web.CurrentUser(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// publicAnnualItem is a published report in the public list.
type publicAnnualItem struct {
	Year        int        `json:"year"`
	Title       string     `json:"title"`
	PublishedAt *time.Time `json:"published_at"`
}

func (a *API) listPublicAnnual(c *fiber.Ctx) error {
	county, err := web.CountyScope(c)
	if err != nil {
		return err
	}
	_, rows, err := a.svc.PublishedAnnualReports(c.UserContext(), county)
	if err != nil {
		return err
	}
	items := make([]publicAnnualItem, 0, len(rows))
	for _, r := range rows {
		items = append(items, publicAnnualItem{Year: r.Year, Title: r.Title, PublishedAt: r.PublishedAt})
	}
	return c.JSON(fiber.Map{"items": items})
}

func (a *API) showPublicAnnual(c *fiber.Ctx) error {
	county, err := web.CountyScope(c)
	if err != nil {
		return err
	}
	y, err := annualYear(c)
	if err != nil {
		return err
	}
	v, err := a.svc.PublicAnnualReport(c.UserContext(), county, y)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
