package catalog_test

import (
	"net/url"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
)

// TestCatalogDiscretionPage: the discretion calculator of the console item
// page. Everyone with catalog:read calculates; only those with cases:handle
// are offered and allowed to record a decision; errors are shown next to
// their fields and nothing refused is stored.
func TestCatalogDiscretionPage(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		clerkID, clerk := s.AddUser(admin, county, "clerk_a", "county_clerk")
		_, reviewer := s.AddUser(admin, county, "reviewer_a", "county_reviewer")
		page := "/counties/" + county + "/catalog/CF-001"
		calc := page + "/discretion"

		// Before publishing, the item has no calculator and the route is not found.
		s.Must(201, s.Do("POST", e2e.CatPath(county, ""), admin,
			map[string]any{"code": "CF-001", "category": "power", "name": "对未按规定开展安全生产教育和培训的处罚"}))
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/CF-001"), clerk, e2e.PenaltyContent()))
		if r := s.Must(200, s.Do("GET", page, clerk, nil)); strings.Contains(string(r.Raw), "discretion-calculator") {
			t.Errorf("calculator shown for an unpublished standard")
		}
		form := func(kv ...string) url.Values {
			v := url.Values{"standard_id": {"CF-001-1"}, "tier_level:CF-001-1": {"一般"}}
			for i := 0; i < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
		s.Must(404, e2e.IsoRequest(s, "POST", calc, clerk, form()))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/CF-001/publish"), admin, nil))

		countDecisions := func() int {
			return s.CountRows(`SELECT COUNT(*) FROM discretion_decisions WHERE county_code = ?`, county)
		}
		// Who is offered what.
		for _, who := range []struct {
			name, token string
			records     bool
		}{{"clerk", clerk, true}, {"reviewer", reviewer, false}, {"admin", admin, false}} {
			html := string(s.Must(200, s.Do("GET", page, who.token, nil)).Raw)
			if !strings.Contains(html, `data-testid="discretion-calculator"`) || !strings.Contains(html, `name="tier_level:CF-001-1"`) ||
				!strings.Contains(html, `name="mitigating:CF-001-1" value="主动消除违法行为危害后果"`) ||
				!strings.Contains(html, `name="aggravating:CF-001-1" value="拒不改正"`) {
				t.Errorf("%s: calculator form incomplete:\n%s", who.name, html)
			}
			if got := strings.Contains(html, `name="case_ref"`); got != who.records {
				t.Errorf("%s: case reference field shown = %v, want %v", who.name, got, who.records)
			}
		}

		// Calculating: everyone with catalog:read, nothing stored.
		for _, token := range []string{reviewer, admin, clerk} {
			r := s.Must(200, e2e.IsoRequest(s, "POST", calc, token, form("mitigating:CF-001-1", "主动消除违法行为危害后果")))
			html := string(r.Raw)
			for _, want := range []string{"超过1万元2万元以下罚款", "具有从轻情节（主动消除违法行为危害后果），在阶次幅度的下半段内裁量",
				`value="主动消除违法行为危害后果" checked`, `<option value="一般" selected>`} {
				if !strings.Contains(html, want) {
					t.Errorf("calculation page lacks %q", want)
				}
			}
		}
		serious := url.Values{"standard_id": {"CF-001-1"}, "tier_level:CF-001-1": {"严重"}, "aggravating:CF-001-1": {"拒不改正"}}
		html := string(s.Must(200, e2e.IsoRequest(s, "POST", calc, reviewer, serious)).Raw)
		for _, want := range []string{"4万元以上5万元以下罚款", "应当告知当事人有要求听证的权利", "须经行政机关负责人集体讨论决定"} {
			if !strings.Contains(html, want) {
				t.Errorf("serious tier lacks %q", want)
			}
		}
		// A circumstance ticked under another standard does not count.
		html = string(s.Must(200, e2e.IsoRequest(s, "POST", calc, reviewer, form("mitigating:CF-OTHER", "主动消除违法行为危害后果"))).Raw)
		if !strings.Contains(html, "超过1万元3万元以下罚款") {
			t.Errorf("a circumstance of another standard changed the range")
		}
		if n := countDecisions(); n != 0 {
			t.Fatalf("%d decisions stored by calculating", n)
		}

		// Recording needs cases:handle: the reviewer and the administrator are refused.
		record := form("mitigating:CF-001-1", "主动消除违法行为危害后果", "case_ref", "瑶应急罚〔2026〕1号", "decided_amount", "15000")
		for _, token := range []string{reviewer, admin} {
			r := e2e.IsoRequest(s, "POST", calc, token, record)
			if r.Status != 403 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("recording without cases:handle: %d %s", r.Status, r.Header.Get("Content-Type"))
			}
		}
		if n := countDecisions(); n != 0 {
			t.Fatalf("%d decisions stored by refused requests", n)
		}

		// Refused input, each message next to its field; nothing stored.
		fieldErr := func(id string) *regexp.Regexp {
			return regexp.MustCompile(`id="` + id + `"[^>]*>(?:[^<]*</textarea>|(?:[^<]|<option[^>]*>|</option>)*</select>)?<p class="error field-error">([^<]*)</p>`)
		}
		cases := []struct {
			name  string
			form  url.Values
			id    string // the field the message follows
			wants string
		}{
			{"deviation without a reason", form("mitigating:CF-001-1", "主动消除违法行为危害后果", "case_ref", "瑶应急罚〔2026〕1号",
				"decided_amount", "25000"), "calc-reason", "决定金额超出建议幅度（超过1万元2万元以下罚款），须说明理由"},
			{"at the exclusive lower bound without a reason", form("mitigating:CF-001-1", "主动消除违法行为危害后果",
				"case_ref", "瑶应急罚〔2026〕1号", "decided_amount", "10000", "deviation_reason", "  "), "calc-reason", "须说明理由"},
			{"amount without a case reference", form("decided_amount", "15000"), "calc-case-ref", "请填写案件编号"},
			{"amount in words", form("case_ref", "瑶应急罚〔2026〕1号", "decided_amount", "两万元"), "calc-amount", "请填写以元为单位的整数金额"},
			{"negative amount", form("case_ref", "瑶应急罚〔2026〕1号", "decided_amount", "-1", "deviation_reason", "理由"), "calc-amount", "罚款金额不能为负数"},
			{"no tier", url.Values{"standard_id": {"CF-001-1"}, "case_ref": {"x"}}, "calc-tier-0", "请选择裁量阶次"},
			{"unknown tier", url.Values{"standard_id": {"CF-001-1"}, "tier_level:CF-001-1": {"特别严重"}}, "calc-tier-0", "没有名为“特别严重”的裁量阶次"},
			{"unknown standard", url.Values{"standard_id": {"CF-999"}, "tier_level:CF-999": {"一般"}}, "calc-standard", "没有编号为“CF-999”的裁量基准"},
			{"no standard", url.Values{}, "calc-standard", "请选择违法行为"},
		}
		for _, c := range cases {
			r := e2e.IsoRequest(s, "POST", calc, clerk, c.form)
			if r.Status != 400 {
				t.Errorf("%s: status %d, want 400", c.name, r.Status)
				continue
			}
			m := fieldErr(c.id).FindStringSubmatch(string(r.Raw))
			if m == nil || !strings.Contains(m[1], c.wants) {
				t.Errorf("%s: no message %q after #%s (got %q):\n%s", c.name, c.wants, c.id, m, r.Raw)
			}
			if !strings.Contains(string(r.Raw), `data-testid="calc-error"`) {
				t.Errorf("%s: no error summary", c.name)
			}
		}
		// An unknown circumstance is reported under the standard's circumstances.
		r := e2e.IsoRequest(s, "POST", calc, clerk, form("aggravating:CF-001-1", "态度恶劣"))
		if r.Status != 400 || !strings.Contains(string(r.Raw), "不是该基准列明的从重情节：态度恶劣") {
			t.Errorf("unknown circumstance: %d", r.Status)
		}
		// The deviation message comes with the calculation it refers to.
		r = e2e.IsoRequest(s, "POST", calc, clerk, cases[0].form)
		if !strings.Contains(string(r.Raw), `data-testid="calc-range">超过1万元2万元以下罚款`) || !strings.Contains(string(r.Raw), `value="瑶应急罚〔2026〕1号"`) {
			t.Errorf("refused deviation lacks the calculation or the typed case reference")
		}
		if n := countDecisions(); n != 0 {
			t.Fatalf("%d decisions stored by refused input", n)
		}

		// Recorded: within the range without a reason, outside it with one.
		r = s.Must(200, e2e.IsoRequest(s, "POST", calc, clerk, record))
		if !strings.Contains(string(r.Raw), "已记录案件“瑶应急罚〔2026〕1号”的裁量决定") {
			t.Errorf("no confirmation of the recorded decision")
		}
		reason := "违法行为造成较大社会影响，经集体讨论从重"
		r = s.Must(200, e2e.IsoRequest(s, "POST", calc, clerk, form("mitigating:CF-001-1", "主动消除违法行为危害后果",
			"case_ref", "瑶应急罚〔2026〕2号", "decided_amount", "25000", "deviation_reason", reason)))
		if n := countDecisions(); n != 2 {
			t.Fatalf("%d decisions stored, want 2", n)
		}
		var rows []struct {
			CaseRef string `db:"case_ref"`
			Min     int64  `db:"recommended_min"`
			Max     int64  `db:"recommended_max"`
			Amount  int64  `db:"decided_amount"`
			Reason  string `db:"deviation_reason"`
			By      int64  `db:"decided_by"`
			Version int    `db:"item_version"`
		}
		if err := s.Svc.DB.Select(&rows, `SELECT case_ref, recommended_min, recommended_max, decided_amount, deviation_reason,
			decided_by, item_version FROM discretion_decisions WHERE county_code = ? ORDER BY id`, county); err != nil {
			t.Fatalf("decisions: %v", err)
		}
		if len(rows) != 2 || rows[0].CaseRef != "瑶应急罚〔2026〕1号" || rows[0].Amount != 15000 || rows[0].Reason != "" ||
			rows[1].Amount != 25000 || rows[1].Reason != reason || rows[1].Min != 10000 || rows[1].Max != 20000 ||
			rows[0].By != clerkID || rows[1].By != clerkID || rows[1].Version != 1 {
			t.Errorf("stored decisions: %+v", rows)
		}
		// The item page lists them, newest first, to everyone who reads the catalog.
		for _, token := range []string{reviewer, admin} {
			html := string(s.Must(200, s.Do("GET", page, token, nil)).Raw)
			first, second := strings.Index(html, "瑶应急罚〔2026〕2号"), strings.Index(html, "瑶应急罚〔2026〕1号")
			if first < 0 || second < 0 || first > second || !strings.Contains(html, reason) || !strings.Contains(html, "25000元") {
				t.Errorf("decision list on the item page:\n%s", html)
			}
		}
		// The API sees the same decisions.
		list := s.Must(200, s.Do("GET", e2e.CatPath(county, "/CF-001/discretion/decisions"), reviewer, nil))
		if e2e.Num(list.Body["total"]) != 2 {
			t.Errorf("API decisions: %s", list.Raw)
		}

		// A licence item has no calculator.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.FireworksContent()))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
		if r := s.Must(200, s.Do("GET", "/counties/"+county+"/catalog/274", clerk, nil)); strings.Contains(string(r.Raw), "discretion-calculator") {
			t.Errorf("calculator on a licence item")
		}
		s.Must(404, e2e.IsoRequest(s, "POST", "/counties/"+county+"/catalog/274/discretion", clerk, form()))
		s.Must(404, e2e.IsoRequest(s, "POST", "/counties/"+county+"/catalog/999/discretion", clerk, form()))
	})
}
