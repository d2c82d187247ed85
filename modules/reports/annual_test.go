package reports

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"safetypilot/modules/apperr"
)

// templateRequestRows are the rows of section 三 of the 2021 national template
// (国办公开办函〔2021〕30号), written out here independently of the outcome list
// of the disclosure module: code, label, level, heading.
var templateRequestRows = []struct {
	code, label string
	level       int
	header      bool
}{
	{"new_received", "一、本年新收政府信息公开申请数量", 0, false},
	{"carried_over", "二、上年结转政府信息公开申请数量", 0, false},
	{"results", "三、本年度办理结果", 0, true},
	{"disclosed", "（一）予以公开", 1, false},
	{"partly_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, false},
	{"not_disclosed", "（三）不予公开", 1, true},
	{"not_disclosed.state_secret", "1.属于国家秘密", 2, false},
	{"not_disclosed.prohibited_by_law", "2.其他法律行政法规禁止公开", 2, false},
	{"not_disclosed.three_securities", "3.危及“三安全一稳定”", 2, false},
	{"not_disclosed.third_party", "4.保护第三方合法权益", 2, false},
	{"not_disclosed.internal_affairs", "5.属于三类内部事务信息", 2, false},
	{"not_disclosed.process_info", "6.属于四类过程性信息", 2, false},
	{"not_disclosed.enforcement_file", "7.属于行政执法案卷", 2, false},
	{"not_disclosed.administrative_query", "8.属于行政查询事项", 2, false},
	{"unable", "（四）无法提供", 1, true},
	{"unable.not_held", "1.本机关不掌握相关政府信息", 2, false},
	{"unable.needs_creation", "2.没有现成信息需要另行制作", 2, false},
	{"unable.unclear_after_correction", "3.补正后申请内容仍不明确", 2, false},
	{"not_processed", "（五）不予处理", 1, true},
	{"not_processed.petition", "1.信访举报投诉类申请", 2, false},
	{"not_processed.repeated", "2.重复申请", 2, false},
	{"not_processed.publication", "3.要求提供公开出版物", 2, false},
	{"not_processed.abusive", "4.无正当理由大量反复申请", 2, false},
	{"not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", 2, false},
	{"other", "（六）其他处理", 1, true},
	{"other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2, false},
	{"other.no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2, false},
	{"other.other", "3.其他", 2, false},
	{"total", "（七）总计", 1, false},
	{"carried_forward", "四、结转下年度继续办理", 0, false},
}

func TestAnnualRequestRowsFollowTemplate(t *testing.T) {
	rows := requestRows()
	if len(rows) != len(templateRequestRows) {
		t.Fatalf("%d rows, want %d", len(rows), len(templateRequestRows))
	}
	for i, w := range templateRequestRows {
		r := rows[i]
		if r.Code != w.code || r.Label != w.label || r.Level != w.level || r.Header != w.header {
			t.Errorf("row %d = %+v, want %+v", i+1, r, w)
		}
	}
	// The rows summed into 总计: (一), (二) and the 19 reasons.
	if got := resultRowCodes(); len(got) != 2+8+3+5+3 || got[0] != "disclosed" || got[len(got)-1] != "other.other" {
		t.Errorf("result rows %v", got)
	}
}

func TestAnnualResultKey(t *testing.T) {
	for _, c := range [][3]string{
		{"disclosed", "", "disclosed"},
		{"partly_disclosed", "", "partly_disclosed"},
		{"not_disclosed", "state_secret", "not_disclosed.state_secret"},
		{"other", "other", "other.other"},
		{"not_disclosed", "", "not_disclosed."}, // no reason: fits no row
		{"bogus", "x", "bogus.x"},
	} {
		if got := resultKey(c[0], c[1]); got != c[2] {
			t.Errorf("resultKey(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// balancedFigures: 8 new + 2 carried over = 8 handled + 2 carried forward.
func balancedFigures() AnnualFigures {
	return AnnualFigures{County: "340102", CountyName: "瑶海区", Year: 2026,
		PublishedByCategory: []CategoryCount{{"1", "行政法规、规章和规范性文件", 2}, {"11", "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况", 1}},
		PublishedTotal:      3, LicensingDecisions: 2, PenaltyDecisions: 2, EnforcementDecisions: 1,
		Requests: AnnualRequests{NewReceived: 8, CarriedOver: 2, Total: 8, CarriedForward: 2, Results: map[string]int{
			"disclosed": 2, "partly_disclosed": 1, "not_disclosed.state_secret": 1, "not_disclosed.process_info": 1,
			"unable.not_held": 1, "not_processed.repeated": 1, "other.other": 1}}}
}

func balancedManual() AnnualManual {
	return AnnualManual{Overview: "本年度……", Problems: "存在的问题……", Other: "无",
		Regulations: DocCounts{}, NormativeDocuments: DocCounts{Made: 2, Repealed: 1, InForce: 9}, FeeAmount: 0,
		Reconsideration:                ReviewCounts{Upheld: 1, Corrected: 1, Pending: 1, Total: 3},
		LitigationDirect:               ReviewCounts{Other: 1, Total: 1},
		LitigationAfterReconsideration: ReviewCounts{}}
}

func failing(checks []AnnualCheck) []string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Field)
		}
	}
	return out
}

func TestAnnualChecks(t *testing.T) {
	f, m := balancedFigures(), balancedManual()
	checks := AnnualChecks(f, m)
	fields := []string{}
	for _, c := range checks {
		fields = append(fields, c.Field)
		if c.Label == "" || c.Message == "" {
			t.Errorf("check without label or message: %+v", c)
		}
	}
	want := []string{"requests.total", "requests.balance", "reconsideration.total", "litigation_direct.total", "litigation_after_reconsideration.total",
		"processing_fees.notice_amount", "processing_fees.collected"}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("checks %v, want %v", fields, want)
	}
	if got := failing(checks); len(got) != 0 {
		t.Errorf("balanced report fails %v", got)
	}
	if p := publishProblems(f, m); len(p) != 0 {
		t.Errorf("balanced report cannot be published: %v", p)
	}

	// An answer whose reason fits no row: 总计 9 against rows summing to 8.
	g := balancedFigures()
	g.Requests.Results["not_disclosed."]++
	g.Requests.Total++
	g.Requests.CarriedForward-- // keeps the in/out balance, so only the total fails
	checks = AnnualChecks(g, m)
	if got := failing(checks); !reflect.DeepEqual(got, []string{"requests.total"}) {
		t.Errorf("unknown reason: failing %v", got)
	}
	if !strings.Contains(checks[0].Message, "not_disclosed.（1件）") || !strings.Contains(checks[0].Message, "总计9件与各项之和8件不符") {
		t.Errorf("message %q", checks[0].Message)
	}

	// In and out out of balance.
	g = balancedFigures()
	g.Requests.CarriedForward = 3
	checks = AnnualChecks(g, m)
	if got := failing(checks); !reflect.DeepEqual(got, []string{"requests.balance"}) {
		t.Errorf("imbalance: failing %v", got)
	}
	if msg := checks[1].Message; !strings.Contains(msg, "本年新收8＋上年结转2＝10") || !strings.Contains(msg, "办理结果总计8＋结转下年度3＝11") {
		t.Errorf("balance message %q", msg)
	}

	// Entered totals that do not add up, and missing narrative.
	n := balancedManual()
	n.Reconsideration.Total = 4
	n.LitigationAfterReconsideration.Pending = 1
	n.Overview, n.Problems = " ", ""
	p := publishProblems(f, n)
	if len(p) != 4 || p["reconsideration.total"] == "" || p["litigation_after_reconsideration.total"] == "" || p["overview"] == "" || p["problems"] == "" {
		t.Errorf("problems %v", p)
	}
	if !strings.Contains(p["reconsideration.total"], "结果维持1＋结果纠正1＋其他结果0＋尚未审结1＝3，总计填报4") {
		t.Errorf("reconsideration message %q", p["reconsideration.total"])
	}

	// Information-processing fees (section 六): notices and their amount go
	// together, and no more is collected than the notices asked for.
	for _, c := range []struct {
		name    string
		fees    ProcessingFees
		failing []string
	}{
		{"none", ProcessingFees{}, nil},
		{"collected in full", ProcessingFees{Notices: 2, NoticeAmount: 300, Collected: 300}, nil},
		{"collected in part", ProcessingFees{Notices: 2, NoticeAmount: 300.5, Collected: 100.25}, nil},
		{"notices without amount", ProcessingFees{Notices: 1}, []string{"processing_fees.notice_amount"}},
		{"amount without notices", ProcessingFees{NoticeAmount: 100, Collected: 100}, []string{"processing_fees.notice_amount"}},
		{"more collected than asked", ProcessingFees{Notices: 1, NoticeAmount: 100, Collected: 100.01}, []string{"processing_fees.collected"}},
		{"collected without notices", ProcessingFees{Collected: 50}, []string{"processing_fees.collected"}},
	} {
		n := balancedManual()
		n.ProcessingFees = c.fees
		if got := failing(AnnualChecks(f, n)); !reflect.DeepEqual(got, c.failing) {
			t.Errorf("%s: failing %v, want %v", c.name, got, c.failing)
		}
	}
}

func TestAnnualManualValidate(t *testing.T) {
	m := balancedManual()
	if err := m.validate(); err != nil {
		t.Fatalf("valid manual: %v", err)
	}
	m.NormativeDocuments.Made = -1
	m.LitigationDirect.Total = maxAnnualCount + 1
	m.FeeAmount = -0.5
	m.Other = strings.Repeat("文", 20001)
	m.ProcessingFees = ProcessingFees{Notices: -1, NoticeAmount: 10.005, Collected: -3}
	err := m.validate()
	if err == nil {
		t.Fatal("invalid manual accepted")
	}
	ae, ok := apperr.As(err)
	if !ok || ae.Status != 400 {
		t.Fatalf("error %v", err)
	}
	for _, f := range []string{"normative_documents.made", "litigation_direct.total", "fee_amount", "other", "processing_fees.notices",
		"processing_fees.notice_amount", "processing_fees.collected"} {
		if ae.Fields[f] == "" {
			t.Errorf("fields lack %s: %v", f, ae.Fields)
		}
	}
	if len(ae.Fields) != 7 {
		t.Errorf("fields %v", ae.Fields)
	}
}

// TestAnnualSections: the six sections in order, every row with a code and
// a Chinese label, and the values where the template puts them.
func TestAnnualSections(t *testing.T) {
	f, m := balancedFigures(), balancedManual()
	m.FeeAmount = 1.25
	m.ProcessingFees = ProcessingFees{Notices: 3, NoticeAmount: 1200, Collected: 800.5}
	fj, _ := json.Marshal(f)
	mj, _ := json.Marshal(m)
	v, err := decodeAnnual(AnnualReport{ID: 1, CountyCode: "340102", Year: 2026, Status: StatusDraft, FiguresJSON: string(fj), ManualJSON: string(mj)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Title != "瑶海区安全生产监管部门2026年政府信息公开工作年度报告" || v.StatusTitle != "草稿" || !v.Balanced || len(v.Checks) != 7 ||
		v.PublishBy != "2027-01-31" {
		t.Errorf("view: title %q status %q balanced %v checks %d", v.Title, v.StatusTitle, v.Balanced, len(v.Checks))
	}
	var heads []string
	for _, s := range v.Sections {
		heads = append(heads, s.Number+"、"+s.Title)
		for _, tb := range s.Tables {
			if tb.Code == "" || tb.Title == "" || len(tb.Columns) == 0 || len(tb.Rows) == 0 {
				t.Errorf("table %+v", tb)
			}
			for _, r := range tb.Rows {
				if r.Code == "" || r.Label == "" {
					t.Errorf("row without code or label in %s: %+v", tb.Code, r)
				}
				if !r.Header && len(r.Values) != len(tb.Columns) {
					t.Errorf("row %s of %s has %d values for %d columns", r.Code, tb.Code, len(r.Values), len(tb.Columns))
				}
			}
		}
	}
	want := []string{"一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
		"五、存在的主要问题及改进情况", "六、其他需要报告的事项"}
	if !reflect.DeepEqual(heads, want) {
		t.Errorf("sections %v", heads)
	}
	if v.Sections[0].Text != "本年度……" || v.Sections[4].Text != "存在的问题……" || v.Sections[5].Text != "无" {
		t.Errorf("texts: %+v", v.Sections)
	}

	value := func(sec, table, row, col string) float64 {
		t.Helper()
		for _, s := range v.Sections {
			for _, tb := range s.Tables {
				if s.Code != sec || tb.Code != table {
					continue
				}
				for _, r := range tb.Rows {
					if r.Code == row {
						x, ok := r.Values[col]
						if !ok {
							t.Errorf("%s/%s/%s has no %s", sec, table, row, col)
						}
						return x
					}
				}
			}
		}
		t.Errorf("no row %s/%s/%s", sec, table, row)
		return -1
	}
	for _, c := range []struct {
		sec, table, row, col string
		want                 float64
	}{
		{"proactive", "article20_1", "regulations", "made", 0},
		{"proactive", "article20_1", "normative_documents", "made", 2},
		{"proactive", "article20_1", "normative_documents", "repealed", 1},
		{"proactive", "article20_1", "normative_documents", "in_force", 9},
		{"proactive", "article20_5", "licensing", "decisions", 2},
		{"proactive", "article20_6", "penalty", "decisions", 2},
		{"proactive", "article20_6", "enforcement", "decisions", 1},
		{"proactive", "article20_8", "fees", "amount", 1.25},
		{"requests", "requests", "new_received", "total", 8},
		{"requests", "requests", "carried_over", "total", 2},
		{"requests", "requests", "disclosed", "total", 2},
		{"requests", "requests", "partly_disclosed", "total", 1},
		{"requests", "requests", "not_disclosed.state_secret", "total", 1},
		{"requests", "requests", "not_disclosed.third_party", "total", 0},
		{"requests", "requests", "not_disclosed.process_info", "total", 1},
		{"requests", "requests", "unable.not_held", "total", 1},
		{"requests", "requests", "not_processed.repeated", "total", 1},
		{"requests", "requests", "other.other", "total", 1},
		{"requests", "requests", "total", "total", 8},
		{"requests", "requests", "carried_forward", "total", 2},
		{"review_litigation", "review_litigation", "review_litigation", "reconsideration.upheld", 1},
		{"review_litigation", "review_litigation", "review_litigation", "reconsideration.total", 3},
		{"review_litigation", "review_litigation", "review_litigation", "litigation_direct.other", 1},
		{"review_litigation", "review_litigation", "review_litigation", "litigation_after_reconsideration.total", 0},
		{"other", "processing_fees", "processing_fees", "notices", 3},
		{"other", "processing_fees", "processing_fees", "notice_amount", 1200},
		{"other", "processing_fees", "processing_fees", "collected", 800.5},
	} {
		if got := value(c.sec, c.table, c.row, c.col); got != c.want {
			t.Errorf("%s/%s/%s/%s = %v, want %v", c.sec, c.table, c.row, c.col, got, c.want)
		}
	}
	// Section 二 has the template's four tables and no other (the
	// per-category counts are a drafting aid, not part of the report).
	var proactive []string
	for _, tb := range v.Sections[1].Tables {
		proactive = append(proactive, tb.Code)
	}
	if !reflect.DeepEqual(proactive, []string{"article20_1", "article20_5", "article20_6", "article20_8"}) {
		t.Errorf("section 二 tables %v", proactive)
	}
	// The review table follows the template: three groups of five columns.
	cols := v.Sections[3].Tables[0].Columns
	if len(cols) != 15 || cols[0].Group != "行政复议" || cols[0].Label != "结果维持" || cols[4].Label != "总计" ||
		cols[5].Group != "行政诉讼·未经复议直接起诉" || cols[10].Group != "行政诉讼·复议后起诉" || cols[14].Code != "litigation_after_reconsideration.total" {
		t.Errorf("review columns %+v", cols)
	}
	// The request table collapses the requester columns into 总计, and says so.
	req := v.Sections[2].Tables[0]
	if len(req.Columns) != 1 || req.Columns[0].Label != "总计" || req.Note == "" {
		t.Errorf("request table columns %+v note %q", req.Columns, req.Note)
	}
	// Every derived row says so; the entered ones too.
	for _, r := range v.Sections[1].Tables[0].Rows {
		if r.Source != SourceManual {
			t.Errorf("article 20 (1) row %s source %q", r.Code, r.Source)
		}
	}
	if r := v.Sections[1].Tables[1].Rows[0]; r.Source != SourceDerived {
		t.Errorf("licensing source %q", r.Source)
	}
}
