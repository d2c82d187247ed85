package written

import (
	"strings"
	"testing"
)

// TestNumber: the document number names the county, the kind's series, the
// year and the number in the series.
func TestNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		n    Notice
		want string
	}{
		{"a licence extension", Notice{Kind: KindCaseExtension, DocYear: 2026, DocSeq: 3}, "瑶海区安监许延告〔2026〕3号"},
		{"a pause", Notice{Kind: KindCasePause, DocYear: 2026, DocSeq: 1}, "瑶海区安监许扣告〔2026〕1号"},
		{"a request correction", Notice{Kind: KindRequestCorrection, DocYear: 2027, DocSeq: 12}, "瑶海区安监依补告〔2027〕12号"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.n.Number("瑶海区"); got != tc.want {
				t.Errorf("Number = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestKindsComplete: every kind has a title, a series of its own, a cited
// provision and a subject.
func TestKindsComplete(t *testing.T) {
	t.Parallel()
	series := map[string]bool{}
	for _, k := range Kinds {
		if k.Title == "" || k.Series == "" || !strings.Contains(k.Basis, "第") || (k.Subject != SubjectCase && k.Subject != SubjectRequest) {
			t.Errorf("kind %+v is incomplete", k)
		}
		if series[k.Series] {
			t.Errorf("series %q is shared", k.Series)
		}
		series[k.Series] = true
	}
	if _, ok := Info("ghost"); ok {
		t.Error("an unknown kind is known")
	}
}

// TestPublicOfMasksPersonalData: the public form keeps the reason but masks
// the addressee's own data typed into it, and never masks on a data item of
// one character.
func TestPublicOfMasksPersonalData(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, reason, want string
		personal           []string
	}{
		{"nothing personal", "缺少营业执照副本", "缺少营业执照副本", []string{"某某烟花经营部", "13812345678"}},
		{"the phone", "请联系13812345678补交材料", "请联系" + Masked + "补交材料", []string{"某某烟花经营部", "13812345678"}},
		{"the name twice", "某某烟花经营部的某某烟花经营部章", Masked + "的" + Masked + "章", []string{"某某烟花经营部"}},
		{"a one-character name is left alone", "王府井店缺少证明", "王府井店缺少证明", []string{"王", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := PublicOf([]Notice{{Kind: KindCaseCorrection, Reason: tc.reason, DocYear: 2026, DocSeq: 1}}, "瑶海区", tc.personal...)
			if len(got) != 1 || got[0].Reason != tc.want || got[0].DocNo != "瑶海区安监许补告〔2026〕1号" || got[0].Title != "补正材料通知书" {
				t.Errorf("PublicOf = %+v, want reason %q", got, tc.want)
			}
		})
	}
}

// TestCompose: each kind's letter states the reason as entered, its dates,
// the deadline computed when it was issued and the provision.
func TestCompose(t *testing.T) {
	t.Parallel()
	a := Addressing{CountyName: "瑶海区", Addressee: "某某烟花经营部", TrackingLabel: "受理编号", TrackingNo: "340102-ABCDEFGHJK",
		SubjectLabel: "申请事项", SubjectText: "烟花爆竹经营（零售）许可", ReceivedOn: "2026-09-21"}
	cases := []struct {
		name string
		n    Notice
		want []string
	}{
		{"pause", Notice{Kind: KindCasePause, PauseKind: "专家评审", Reason: "储存场所需专家评审。", IssuedOn: "2026-09-21",
			PeriodStart: "2026-09-21", PeriodEnd: "2026-09-30", PeriodWorkdays: 6, Deadline: "2026-10-27"},
			[]string{"因储存场所需专家评审，需要进行专家评审", "2026年9月30日", "6个工作日", "2026年10月27日", "第四十五条"}},
		{"correction", Notice{Kind: KindCaseCorrection, PauseKind: "补正", Reason: "缺少零售场所租赁证明", IssuedOn: "2026-09-21",
			PeriodEnd: "2026-10-09"}, []string{"需要补正的全部内容", "请于2026年10月9日前", "第三十二条第一款第（四）项"}},
		{"extension", Notice{Kind: KindCaseExtension, Reason: "需现场核查", IssuedOn: "2026-10-12", PeriodWorkdays: 10,
			Deadline: "2026-11-02", DeadlineProvisional: true}, []string{"因需现场核查", "延长10个工作日", "2026年11月2日（暂定", "第四十二条第一款", "负责人批准"}},
		{"approval", Notice{Kind: KindCaseApproval, IssuedOn: "2026-10-19"},
			[]string{"准予行政许可决定书", "符合法定条件、标准", "决定准予行政许可", "第三十八条第一款", "第四十条", "特此决定", "许准决〔2026〕1号"}},
		{"denial", Notice{Kind: KindCaseDenial, Reason: "储存场所不符合安全条件", IssuedOn: "2026-10-19"},
			[]string{"不予行政许可决定书", "理由如下", "决定不予行政许可", "第三十八条第二款", "申请行政复议或者提起行政诉讼", "特此决定", "许不决〔2026〕1号"}},
		{"request correction", Notice{Kind: KindRequestCorrection, Reason: "请写明文号", IssuedOn: "2026-10-08", PeriodEnd: "2026-10-18"},
			[]string{"请于2026年10月18日前", "视为放弃申请", "第三十条"}},
		{"request extension", Notice{Kind: KindRequestExtension, Reason: "涉及多个部门", IssuedOn: "2026-10-20", PeriodWorkdays: 15,
			Deadline: "2026-11-19"}, []string{"因涉及多个部门", "延长15个工作日，至2026年11月19日", "政府信息公开工作机构负责人同意", "第三十三条第二款"}},
		{"request consultation", Notice{Kind: KindRequestConsultation, IssuedOn: "2026-10-12", PeriodStart: "2026-10-12"},
			[]string{"已于2026年10月12日书面征求", "第三十二条、第三十三条第三款"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.n.DocYear, tc.n.DocSeq = 2026, 1
			page, err := PrintHTML(Compose(tc.n, a))
			if err != nil {
				t.Fatal(err)
			}
			body := string(page)
			for _, w := range append(tc.want, "某某烟花经营部", "340102-ABCDEFGHJK", "瑶海区安全生产监管部门", "（印章）", "〔2026〕1号") {
				if !strings.Contains(body, w) {
					t.Errorf("the %s letter lacks %q:\n%s", tc.name, w, body)
				}
			}
			if tc.n.Reason != "" && !strings.Contains(body, strings.TrimSuffix(tc.n.Reason, "。")) {
				t.Errorf("the %s letter lacks the reason %q", tc.name, tc.n.Reason)
			}
		})
	}
}
