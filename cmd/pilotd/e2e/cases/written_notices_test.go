package cases_test

import (
	"net/url"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestCaseWrittenNotices: the applicant is told in writing what stops or
// extends their clock. Received and accepted on 2026-09-21 (Mon), a case
// pauses that day for 专家评审 expected to end on 09-30: six working days
// (09-22, 23, 24, 28, 29, 30; 09-25 is the Mid-Autumn Festival), and the
// notice states the statutory deadline should it end then — the deadline
// the case has when it does resume on 09-30. The 负责人 then extends it by
// ten days with a reason. A second case is sent back for 补正, its reason
// naming the applicant's phone. Each notice has a number in its series, a
// print page with the reason, the dates and the article, and a line on the
// public tracking page and JSON without the applicant's data.
func TestCaseWrittenNotices(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		notices := func() int { return s.CountRows(`SELECT COUNT(*) FROM written_notices`) }

		// What the law asks to state is required, naming the field, and a
		// refused pause issues nothing.
		for _, tc := range []struct {
			name, field string
			kv          []string
		}{
			{"an expected end before today", "expected_end", []string{"kind", "专家评审", "reason", "专家评审", "expected_end", "2026-09-18"}},
			{"an expected end more than a year away", "expected_end", []string{"kind", "鉴定", "reason", "鉴定", "expected_end", "2027-10-01"}},
			{"a malformed expected end", "expected_end", []string{"kind", "检验", "reason", "送检", "expected_end", "9月30日"}},
			{"a 补正 without what to correct", "reason", []string{"kind", "补正", "expected_end", "2026-09-30"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := notices()
				s.MustInvalid(tc.name, e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "pause", tc.kv...), tc.field)
				if notices() != before {
					t.Errorf("a refused pause issued a notice")
				}
			})
		}

		paused := s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "pause", "kind", "专家评审",
			"reason", "储存场所安全条件需委托专家评审。", "expected_end", "2026-09-30")
		if len(paused.Notices) != 1 {
			t.Fatalf("notices after the pause: %+v", paused.Notices)
		}
		pause := paused.Notices[0]
		if pause.Kind != "case_pause" || pause.PauseKind != "专家评审" || pause.DocNo != "瑶海区安监许扣告〔2026〕1号" ||
			pause.IssuedOn != "2026-09-21" || pause.PeriodStart != "2026-09-21" || pause.PeriodEnd != "2026-09-30" ||
			pause.PeriodWorkdays != 6 || pause.Reason != "储存场所安全条件需委托专家评审。" || pause.Title != "行政许可期限扣除告知书" ||
			!strings.Contains(pause.Basis, "第四十五条") {
			t.Errorf("pause notice: %+v", pause)
		}
		travel(s, "2026-09-30")
		resumed := s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "resume")
		if pause.Deadline == "" || resumed.Deadline != pause.Deadline {
			t.Errorf("the notice said the deadline would be %q if the pause ended on 09-30; resumed that day it is %q",
				pause.Deadline, resumed.Deadline)
		}

		extended := s.MustAct(d.Leader, e2e.CaseCountyA, c.ID, "extend", "reason", "需组织现场核查")
		if len(extended.Notices) != 2 {
			t.Fatalf("notices after the extension: %+v", extended.Notices)
		}
		ext := extended.Notices[1]
		if ext.Kind != "case_extension" || ext.DocNo != "瑶海区安监许延告〔2026〕1号" || ext.PeriodWorkdays != 10 ||
			ext.Deadline != extended.Deadline || ext.Deadline == resumed.Deadline || ext.Reason != "需组织现场核查" {
			t.Errorf("extension notice %+v, case deadline %s", ext, extended.Deadline)
		}

		// 补正 on a second case: what to correct, by when; the reason names
		// the applicant's phone, which the public never sees.
		other := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		content := "请补交零售场所租赁证明，有疑问请联系" + e2e.ApplicantPhone + "核对"
		returned := s.MustAct(d.Clerk, e2e.CaseCountyA, other.ID, "pause", "kind", "补正", "reason", content, "expected_end", "2026-10-16")
		if len(returned.Notices) != 1 || returned.Notices[0].Kind != "case_correction" || returned.Notices[0].PeriodEnd != "2026-10-16" ||
			returned.Notices[0].DocNo != "瑶海区安监许补告〔2026〕1号" || returned.Notices[0].Deadline != "" {
			t.Errorf("补正 notice: %+v", returned.Notices)
		}

		// Each notice's print page, for staff: the reason as entered, the
		// dates, the article, the addressee and the seal block.
		printPage := func(caseID, noticeID int64) string {
			return "/counties/" + e2e.CaseCountyA + "/cases/" + e2e.Itoa(caseID) + "/notices/" + e2e.Itoa(noticeID)
		}
		for _, tc := range []struct {
			name   string
			caseID int64
			notice e2e.NoticeView
			want   []string
		}{
			{"the pause", c.ID, pause, []string{"行政许可期限扣除告知书", "瑶海区安监许扣告〔2026〕1号", "储存场所安全条件需委托专家评审",
				"2026-09-21", "2026-09-30", "6个工作日", pause.Deadline, "第四十五条"}},
			{"the extension", c.ID, ext, []string{"行政许可延期告知书", "瑶海区安监许延告〔2026〕1号", "需组织现场核查",
				ext.Deadline, "延长10个工作日", "第四十二条第一款", "负责人批准"}},
			{"the 补正", other.ID, returned.Notices[0], []string{"补正材料通知书", content, "2026-10-16", "第三十二条第一款第（四）项",
				"一次告知需要补正的全部内容"}},
		} {
			t.Run("print "+tc.name, func(t *testing.T) {
				r := s.Do("GET", printPage(tc.caseID, tc.notice.ID), d.Clerk, nil)
				body := string(r.Raw)
				if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("print page: %d %s", r.Status, r.Header.Get("Content-Type"))
				}
				for _, w := range append(tc.want, e2e.ApplicantName, "瑶海区安全生产监管部门", "（印章）", "data-testid=\"letter-date\"") {
					if !strings.Contains(body, w) {
						t.Errorf("the print page of %s lacks %q", tc.name, w)
					}
				}
			})
		}
		// The API's fixed form of a pause, {kind, reason}, still pauses: the
		// notice leaves the time needed blank, to be written in by hand.
		bare := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, bare.ID, "accept")
		barePause := s.MustAct(d.Clerk, e2e.CaseCountyA, bare.ID, "pause", "kind", "检测", "reason", "样品送检。")
		if len(barePause.Notices) != 1 || barePause.Notices[0].PeriodEnd != "" || !barePause.Paused {
			t.Fatalf("a pause without its expected end: %+v", barePause)
		}
		if p := string(s.Must(200, s.Do("GET", printPage(bare.ID, barePause.Notices[0].ID), d.Clerk, nil)).Raw); !strings.Contains(p, "预计所需时间为____个工作日（至____年__月__日）") {
			t.Errorf("the notice of a pause without its expected end does not leave the time blank")
		}

		// The staff form asks for the expected end of a 第四十五条 pause.
		form := s.BrowserLogin("clerk_"+e2e.CaseCountyA, "User#Pass2026x")
		formCase := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, formCase.ID, "accept")
		casePage := "/counties/" + e2e.CaseCountyA + "/cases/" + e2e.Itoa(formCase.ID)
		if r := form.Post(casePage+"/actions", url.Values{"action": {"pause"}, "kind": {"鉴定"}, "reason": {"委托鉴定。"}}, true); r.Status != 400 ||
			!strings.Contains(string(r.Raw), "请填写预计结束日期") {
			t.Errorf("the form paused without the expected end: %d", r.Status)
		}
		if got := s.GetCase(d.Clerk, e2e.CaseCountyA, formCase.ID); got.Paused || len(got.Notices) != 0 {
			t.Errorf("a refused form paused the case: %+v", got.Notices)
		}

		// A notice is found only under its own case.
		if r := s.Do("GET", printPage(c.ID, returned.Notices[0].ID), d.Clerk, nil); r.Status != 404 {
			t.Errorf("another case's notice under this case: %d", r.Status)
		}
		if r := s.Do("GET", printPage(c.ID, 0), d.Clerk, nil); r.Status != 404 {
			t.Errorf("notice 0: %d", r.Status)
		}
		wantPageHas(t, s, "/counties/"+e2e.CaseCountyA+"/cases/"+e2e.Itoa(c.ID), d.Reviewer,
			"书面告知", "瑶海区安监许延告〔2026〕1号", printPage(c.ID, ext.ID))

		// The public tracking JSON and page: the notices, the reason, the
		// period and deadline, nothing of the applicant's.
		personal := []string{e2e.ApplicantName, e2e.ApplicantPhone, e2e.ApplicantCode, e2e.ApplicantContact}
		for _, tc := range []struct {
			name string
			path string
			want []string
			json bool
		}{
			{"JSON of the extended case", trackPath(e2e.CaseCountyA, c.TrackingNo), []string{"case_pause", "case_extension",
				"需组织现场核查", ext.Deadline, "2026-09-30", "瑶海区安监许延告〔2026〕1号"}, true},
			{"page of the extended case", "/portal/" + e2e.CaseCountyA + "/track?no=" + c.TrackingNo, []string{"行政许可期限扣除告知书",
				"行政许可延期告知书", "储存场所安全条件需委托专家评审", "需组织现场核查", ext.Deadline}, false},
			{"JSON of the returned case", trackPath(e2e.CaseCountyA, other.TrackingNo), []string{"case_correction",
				"请补交零售场所租赁证明，有疑问请联系＊＊＊核对", "2026-10-16"}, true},
			{"page of the returned case", "/portal/" + e2e.CaseCountyA + "/track?no=" + other.TrackingNo, []string{"补正材料通知书",
				"请补交零售场所租赁证明，有疑问请联系＊＊＊核对"}, false},
		} {
			t.Run("public "+tc.name, func(t *testing.T) {
				r := s.Must(200, s.Do("GET", tc.path, "", nil))
				body := string(r.Raw)
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s lacks %q", tc.name, w)
					}
				}
				for _, p := range personal {
					if strings.Contains(body, p) {
						t.Errorf("%s shows the applicant's %q", tc.name, p)
					}
				}
				if strings.Contains(body, "/notices/") {
					t.Errorf("%s links to the print page, which names the applicant", tc.name)
				}
				if tc.json {
					list, _ := r.Body["notices"].([]any)
					for _, n := range list {
						for _, k := range []string{"id", "issued_by", "subject_id", "addressee"} {
							if _, ok := n.(map[string]any)[k]; ok {
								t.Errorf("a public notice carries %q: %v", k, n)
							}
						}
					}
				}
			})
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM written_notices WHERE county_code = ?`, e2e.CaseCountyA); n != 4 {
			t.Errorf("%d notices stored, want 4 (three of the case, one of the bare pause)", n)
		}
	})
}

// wantPageHas asserts a signed-in page answers 200 and holds every want.
func wantPageHas(t *testing.T, s *e2e.Service, path, token string, want ...string) {
	t.Helper()
	r := s.Do("GET", path, token, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d", path, r.Status)
	}
	for _, w := range want {
		if !strings.Contains(string(r.Raw), w) {
			t.Errorf("GET %s lacks %q", path, w)
		}
	}
}
