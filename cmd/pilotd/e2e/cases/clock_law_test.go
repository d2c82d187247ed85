package cases_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// TestExtensionFollowsArticle42: the review's case — received 2026-02-13,
// statutory deadline 2026-03-19 (20 working days past the Spring Festival),
// red on 03-20 — cannot be extended on 03-25: 行政许可法 第四十二条 gives the
// ten days to a decision that cannot be made within the twenty, so the
// extension is refused (409) and the red light stays. Before the deadline
// only the 负责人 (county_leader) may extend, not the reviewer or the
// county administrator.
func TestExtensionFollowsArticle42(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		admin := s.AdminToken()
		travel(s, "2026-02-13")
		late := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		early := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		for _, c := range []e2e.CaseView{late, early} {
			s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		}
		if late.Deadline != "2026-03-19" {
			t.Fatalf("statutory deadline %s, want 2026-03-19", late.Deadline)
		}
		// Before the deadline: the reviewer and the administrator may not.
		travel(s, "2026-03-10")
		for name, tok := range map[string]string{"reviewer": d.Reviewer, "county admin": d.Admin, "clerk": d.Clerk} {
			if r := e2e.Act(s, tok, e2e.CaseCountyA, early.ID, "extend", "reason", "现场核查"); r.Status != 403 {
				t.Errorf("the %s extends: %d %s", name, r.Status, r.Raw)
			}
		}
		early = s.MustAct(d.Leader, e2e.CaseCountyA, early.ID, "extend", "reason", "现场核查")
		if early.Deadline != "2026-04-02" || early.ExtensionDays != 10 {
			t.Errorf("extended on 03-10: deadline %s, %d days; want 2026-04-02, 10", early.Deadline, early.ExtensionDays)
		}
		// On the deadline itself it still may be; the day after, not.
		travel(s, "2026-03-19")
		if r := e2e.Act(s, d.Leader, e2e.CaseCountyA, late.ID, "extend"); r.Status != 400 {
			t.Errorf("an extension on the deadline day without a reason: %d %s", r.Status, r.Raw)
		}
		travel(s, "2026-03-25")
		s.RunOverdue(admin)
		events := s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, late.ID)
		r := e2e.Act(s, d.Leader, e2e.CaseCountyA, late.ID, "extend", "reason", "情况复杂")
		if r.Status != 409 || r.ErrorCode() != "extension_too_late" {
			t.Fatalf("an extension after the deadline: %d %s", r.Status, r.Raw)
		}
		after := s.GetCase(d.Leader, e2e.CaseCountyA, late.ID)
		if after.Deadline != "2026-03-19" || after.Extended || after.Warning != "red" || !after.StatutoryOverdue ||
			s.CountRows(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, late.ID) != events {
			t.Errorf("the refused extension changed the case: deadline %s extended %v light %s", after.Deadline, after.Extended, after.Warning)
		}
	})
}

// TestPauseKindsOfArticle45: every period 行政许可法 第四十五条 excludes (and
// 补正) stops the clock; anything else is refused, naming the field; the
// tracking page lists the stop, and the written notice with the reason the
// applicant is told (第四十五条: the time needed, in writing), nothing of the
// applicant's own.
func TestPauseKindsOfArticle45(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		travel(s, "2026-09-21")
		for _, kind := range []string{"听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审", "补正"} {
			c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
			s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
			c = s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "pause", "kind", kind, "reason", "送省级机构检测，约需五个工作日",
				"expected_end", "2026-09-28")
			if !c.Paused || len(c.Pauses) != 1 || c.Pauses[0].Kind != kind {
				t.Errorf("pause %s: paused %v, pauses %+v", kind, c.Paused, c.Pauses)
			}
			pub := s.Must(200, s.Do("GET", trackPath(e2e.CaseCountyA, c.TrackingNo), "", nil))
			pauses, _ := pub.Body["pauses"].([]any)
			notices, _ := pub.Body["notices"].([]any)
			if len(pauses) != 1 || pauses[0].(map[string]any)["kind"] != kind || pauses[0].(map[string]any)["ended_on"] != nil ||
				len(notices) != 1 || notices[0].(map[string]any)["reason"] != "送省级机构检测，约需五个工作日" ||
				strings.Contains(string(pub.Raw), e2e.ValidApplicant()["name"].(string)) {
				t.Errorf("tracking page of a %s pause: %s", kind, pub.Raw)
			}
		}
		c := s.NewCase(d.Clerk, e2e.CaseCountyA, e2e.CaseBody("274"))
		s.MustAct(d.Clerk, e2e.CaseCountyA, c.ID, "accept")
		for _, kind := range []string{"检验检测", "等待领导签字", ""} {
			s.MustInvalid("pause of kind "+kind, e2e.Act(s, d.Clerk, e2e.CaseCountyA, c.ID, "pause", "kind", kind, "reason", "x"), "kind")
		}
	})
}

// TestItemExtensionCapped: an item's extension is at most the fifteen days
// 行政许可法 第四十二条 gives joint handling; sixteen is refused, naming the
// field, and changes nothing.
func TestItemExtensionCapped(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		before := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CaseCountyA, "/274"), d.Clerk, nil)).Raw
		s.MustInvalid("an extension of 16 working days",
			s.Do("PUT", e2e.CatPath(e2e.CaseCountyA, "/274"), d.Clerk, e2e.With(e2e.FireworksContent(), "extension_workdays", 16)),
			"extension_workdays")
		if after := s.Must(200, s.Do("GET", e2e.CatPath(e2e.CaseCountyA, "/274"), d.Clerk, nil)).Raw; string(after) != string(before) {
			t.Errorf("a refused edit changed the item")
		}
		s.Must(200, s.Do("PUT", e2e.CatPath(e2e.CaseCountyA, "/274"), d.Clerk, e2e.With(e2e.FireworksContent(), "extension_workdays", 15)))
	})
}

// TestCreditCodeStructure: a credit code with a right check character but no
// GB 32100 structure — eighteen zeros, an authority that registers no such
// kind, a division of no province — is refused, naming the field, and stores
// nothing.
func TestCreditCodeStructure(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := s.CaseDesk(e2e.CaseCountyA)
		before := s.CountRows(`SELECT COUNT(*) FROM cases`)
		for _, code := range []string{"000000000000000000", e2e.CreditCode("94340102MA2TX5P41"), e2e.CreditCode("91990000MA2TX5P41")} {
			applicant := e2e.ValidApplicant()
			applicant["credit_code"] = code
			s.MustInvalid("credit code "+code, s.Do("POST", e2e.CasePath(e2e.CaseCountyA, ""), d.Clerk,
				map[string]any{"item_code": "274", "applicant": applicant}), "applicant.credit_code")
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM cases`); n != before {
			t.Errorf("refused applications stored %d cases", n-before)
		}
	})
}
