package penalties

import (
	"strings"
	"testing"
	"time"

	"safetypilot/modules/apperr"
	"safetypilot/modules/calendar"
	"safetypilot/modules/catalog"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestHearingRequired: 第六十三条 with the default 较大数额 (含本数) and the
// kinds that give a hearing whatever the amount.
func TestHearingRequired(t *testing.T) {
	for _, tc := range []struct {
		name       string
		kinds      []string
		fine, conf int64
		party      string
		want       bool
	}{
		{"organisation just below 5万", []string{"fine"}, 49999, 0, PartyOrganization, false},
		{"organisation at 5万 (含本数)", []string{"fine"}, 50000, 0, PartyOrganization, true},
		{"individual below 2万", []string{"fine"}, 19999, 0, PartyIndividual, false},
		{"individual at 2万", []string{"fine"}, 20000, 0, PartyIndividual, true},
		{"warning only", []string{"warning"}, 0, 0, PartyIndividual, false},
		{"confiscation of 较大数额", []string{"confiscate"}, 0, 50000, PartyOrganization, true},
		{"small confiscation", []string{"confiscate"}, 0, 100, PartyOrganization, false},
		{"责令停产停业 with a small fine", []string{"fine", "suspend"}, 1000, 0, PartyOrganization, true},
		{"吊销许可证件", []string{"revoke"}, 0, 0, PartyOrganization, true},
		{"降低资质等级", []string{"downgrade"}, 0, 0, PartyOrganization, true},
		{"责令关闭", []string{"close"}, 0, 0, PartyOrganization, true},
		{"限制从业", []string{"restrict"}, 0, 0, PartyIndividual, true},
		{"通报批评", []string{"criticism"}, 0, 0, PartyIndividual, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := HearingRequired(tc.kinds, tc.fine, tc.conf, tc.party, DefaultThresholds)
			if got != tc.want || (got && why == "") {
				t.Errorf("HearingRequired = %v (%q), want %v", got, why, tc.want)
			}
		})
	}
	// A province's own thresholds replace the default.
	low := Thresholds{IndividualYuan: 10000, OrganizationYuan: 30000}
	if got, _ := HearingRequired([]string{"fine"}, 30000, 0, PartyOrganization, low); !got {
		t.Errorf("3万 under a 3万 threshold gives no hearing")
	}
}

// TestSurchargeFen: 3% of the fine a day after the due day, up to the day
// paid, never above the fine (第七十二条第一款第（一）项), exact in fen.
func TestSurchargeFen(t *testing.T) {
	for _, tc := range []struct {
		name            string
		fine            int64
		due, paid, asOf string
		want            int64
	}{
		{"on the due day", 20000, "2026-06-05", "", "2026-06-05", 0},
		{"one day late", 20000, "2026-06-05", "", "2026-06-06", 60000},
		{"ten days late", 20000, "2026-06-05", "", "2026-06-15", 600000},
		{"capped at the fine", 20000, "2026-06-05", "", "2026-12-31", 2000000},
		{"33 days, just below the cap", 20000, "2026-06-05", "", "2026-07-08", 1980000},
		{"stops on the day paid", 20000, "2026-06-05", "2026-06-08", "2026-12-31", 180000},
		{"paid in time", 20000, "2026-06-05", "2026-06-01", "2026-12-31", 0},
		{"odd fine in fen", 1001, "2026-06-05", "", "2026-06-06", 3003},
		{"no fine", 0, "2026-06-05", "", "2026-12-31", 0},
		{"not served", 20000, "", "", "2026-12-31", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SurchargeFen(tc.fine, tc.due, tc.paid, date(t, tc.asOf), nil); got != tc.want {
				t.Errorf("SurchargeFen = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestSurchargeExcludesRemedies: the days of a 复议 or 诉讼 do not count
// (第七十三条第三款), from the day it was brought through the day it ended,
// or up to today while it lasts; days before payment_due were never
// counted; two remedies one after the other both count.
func TestSurchargeExcludesRemedies(t *testing.T) {
	const fine = 20000 // 600 yuan (60000 fen) a day
	for _, tc := range []struct {
		name     string
		remedies []Remedy
		asOf     string
		days     int64
	}{
		{"none", nil, "2026-06-15", 10},
		{"ended, inside the late days", []Remedy{{StartedOn: "2026-06-08", EndedOn: "2026-06-10"}}, "2026-06-15", 7},
		{"brought before the due day", []Remedy{{StartedOn: "2026-05-25", EndedOn: "2026-06-07"}}, "2026-06-15", 8},
		{"wholly before the due day", []Remedy{{StartedOn: "2026-05-25", EndedOn: "2026-06-01"}}, "2026-06-15", 10},
		{"still running", []Remedy{{StartedOn: "2026-06-11"}}, "2026-06-15", 5},
		{"running since before the due day", []Remedy{{StartedOn: "2026-06-01"}}, "2026-06-15", 0},
		{"two in turn", []Remedy{{StartedOn: "2026-06-06", EndedOn: "2026-06-07"}, {StartedOn: "2026-06-12", EndedOn: "2026-06-13"}},
			"2026-06-15", 6},
		{"ended after as_of", []Remedy{{StartedOn: "2026-06-14", EndedOn: "2026-07-01"}}, "2026-06-15", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SurchargeFen(fine, "2026-06-05", "", date(t, tc.asOf), tc.remedies); got != tc.days*60000 {
				t.Errorf("SurchargeFen = %d, want %d days (%d)", got, tc.days, tc.days*60000)
			}
		})
	}
}

// TestAddMonths counts months as 民法典 第二百零二条 does: the
// corresponding day of the last month, else that month's last day.
func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-05-21", 6, "2026-11-21"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2027-08-31", 6, "2028-02-29"},
		{"2026-12-31", 3, "2027-03-31"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-01-31", 1, "2026-02-28"},
	} {
		if got := calendarFormat(AddMonths(date(t, tc.from), tc.months)); got != tc.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
	// The court period counts from the end of the six months, so a day
	// lost at a short month stays lost (08-31 → 02-28 → 05-28).
	for served, want := range map[string]string{"2026-05-21": "2027-02-21", "2026-08-31": "2027-05-28", "": ""} {
		if got := EnforcementDue(served); got != want {
			t.Errorf("EnforcementDue(%q) = %q, want %q", served, got, want)
		}
	}
}

func calendarFormat(d time.Time) string { return d.Format(time.DateOnly) }

// TestEnforcementLight: yellow in the last 30 days, red after the due day,
// only for a served, unpaid, standing fine.
func TestEnforcementLight(t *testing.T) {
	c := Case{Status: StatusServed, FineYuan: 100, EnforcementDue: "2027-02-21"}
	for day, want := range map[string]string{"2027-01-21": WarningNone, "2027-01-22": WarningYellow, "2027-02-21": WarningYellow,
		"2027-02-22": WarningRed} {
		if got := EnforcementLight(c, date(t, day)); got != want {
			t.Errorf("light on %s = %s, want %s", day, got, want)
		}
	}
	for name, x := range map[string]Case{
		"paid":    {Status: StatusServed, FineYuan: 100, EnforcementDue: "2027-02-21", PaidOn: "2026-06-10"},
		"revoked": {Status: StatusServed, FineYuan: 100, EnforcementDue: "2027-02-21", RevokedOn: "2026-06-10"},
		"applied": {Status: StatusEnforcing, FineYuan: 100, EnforcementDue: "2027-02-21"},
		"remedy":  {Status: StatusServed, FineYuan: 100},
	} {
		if got := EnforcementLight(x, date(t, "2027-03-01")); got != WarningNone {
			t.Errorf("%s: light %s", name, got)
		}
	}
}

// TestLights: the decision clock is yellow in its last ten days and red
// after its due day; a decided case has no decision light; an unpaid fine
// goes red after payment_due.
func TestLights(t *testing.T) {
	c := Case{Status: StatusNotified, DecisionDue: "2026-06-30"}
	for day, want := range map[string]string{"2026-06-19": WarningNone, "2026-06-20": WarningYellow, "2026-06-30": WarningYellow,
		"2026-07-01": WarningRed} {
		if got, _ := Lights(c, date(t, day)); got != want {
			t.Errorf("decision light on %s = %s, want %s", day, got, want)
		}
	}
	c.Status, c.FineYuan, c.PaymentDue = StatusServed, 100, "2026-07-10"
	for day, want := range map[string]string{"2026-07-06": WarningNone, "2026-07-07": WarningYellow, "2026-07-11": WarningRed} {
		if d, p := Lights(c, date(t, day)); p != want || d != WarningNone {
			t.Errorf("lights on %s = %s/%s, want none/%s", day, d, p, want)
		}
	}
	c.PaidOn = "2026-07-09"
	if _, p := Lights(c, date(t, "2026-08-01")); p != WarningNone {
		t.Errorf("a paid fine is %s", p)
	}
}

// TestStatutoryRange: the envelope of the tiers that apply to the party.
func TestStatutoryRange(t *testing.T) {
	item := catalog.ItemView{Content: catalog.Content{Discretion: []catalog.Standard{{Tiers: []catalog.Tier{
		{Level: "轻微", Fine: &catalog.Range{Min: 0, Max: 10000, MinInclusive: true, MaxInclusive: true}, AppliesTo: catalog.TierOrganization},
		{Level: "一般", Fine: &catalog.Range{Min: 10000, Max: 30000, MaxInclusive: true}, AppliesTo: catalog.TierOrganization},
		{Level: "个人", Fine: &catalog.Range{Min: 1000, Max: 5000, MinInclusive: true, MaxInclusive: true}, AppliesTo: catalog.TierIndividual},
	}}}}}
	if r := statutoryRange(item, PartyOrganization); r == nil || r.Min != 0 || r.Max != 30000 || !r.MaxInclusive {
		t.Errorf("organisation range %+v", r)
	}
	if r := statutoryRange(item, PartyIndividual); r == nil || r.Min != 1000 || r.Max != 5000 {
		t.Errorf("individual range %+v", r)
	}
}

// TestNumber: the document number in the form counties use.
func TestNumber(t *testing.T) {
	if got := Number("瑶海区", "罚告", 2026, 7); got != "瑶海区应急罚告〔2026〕第7号" {
		t.Errorf("Number = %q", got)
	}
}

// TestPublicContent: what 双公示 publishes of a decision — the facts with a
// natural person's name and ID number replaced and the county's terms
// masked, and the result as the decision has it.
func TestPublicContent(t *testing.T) {
	person := Case{PartyKind: PartyIndividual, PartyName: "王小明", PartyIDNumber: "11010519491231002X", Outcome: OutcomePenalty,
		Penalties: "warning,fine", FineYuan: 5000, Facts: "王小明（身份证号11010519491231002X）在幸福村仓库违规储存"}
	got := publicContent(person, []string{"幸福村仓库"})
	for _, secret := range []string{"王小明", "11010519491231002X", "幸福村仓库"} {
		if strings.Contains(got, secret) {
			t.Errorf("content shows %q: %s", secret, got)
		}
	}
	if want := "主要违法事实：王＊＊（身份证号＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊）在＊＊＊＊＊违规储存\n处罚结果：警告；罚款人民币5000元"; got != want {
		t.Errorf("content\n got %q\nwant %q", got, want)
	}
	org := Case{PartyKind: PartyOrganization, PartyName: "瑶海烟花爆竹批发有限公司", Outcome: OutcomeNoPenalty,
		MitigationGround: "初次违法且危害后果轻微并及时改正", Facts: "瑶海烟花爆竹批发有限公司未培训"}
	if got, want := publicContent(org, nil), "主要违法事实：瑶海烟花爆竹批发有限公司未培训\n处罚结果：不予行政处罚（初次违法且危害后果轻微并及时改正）"; got != want {
		t.Errorf("organisation\n got %q\nwant %q", got, want)
	}
}

// TestEvidenceStates: evidence changes from the approved 立案 until the
// 法制审核 or the decision, and each refusal says why.
func TestEvidenceStates(t *testing.T) {
	for status := range StatusTitles {
		err := evidenceOpen(Case{Status: status}, "添加证据")
		open := status == StatusInvestigating || status == StatusNotified || status == StatusHearingRequested ||
			status == StatusHearingScheduled || status == StatusHeard
		if open != (err == nil) {
			t.Errorf("%s: open %v, got %v", status, open, err)
		}
		if err != nil {
			e, _ := apperr.As(err)
			want := map[string]string{StatusFiling: "立案尚未批准", StatusReviewed: "法制审核已完成"}[status]
			if want == "" {
				want = "处罚决定已作出"
			}
			if e.Status != 409 || !strings.Contains(e.Message, want) {
				t.Errorf("%s: %d %q, want 409 saying %q", status, e.Status, e.Message, want)
			}
		}
	}
}

// TestReliedKinds: the 决定书 lists each kind once, in the order of
// 第四十六条, leaving voided items out.
func TestReliedKinds(t *testing.T) {
	got := reliedKinds([]Evidence{{Kind: "record"}, {Kind: "expert", Voided: true}, {Kind: "documentary"}, {Kind: "record"}})
	if strings.Join(got, "、") != "书证、勘验笔录、现场笔录" {
		t.Errorf("reliedKinds = %v", got)
	}
	if len(EvidenceKinds) != 8 {
		t.Errorf("%d kinds, 第四十六条 lists eight", len(EvidenceKinds))
	}
}
