package cases_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/web/challenge"
)

// TestOwnMotionItemsAreNotApplications: penalty, inspection and coercion
// items (行政处罚, 行政检查, 行政强制) are exercised on the bureau's own
// motion. Nobody applies for them: the counter and the portal refuse a case
// on them (400 naming item_code, nothing stored), the pickers and the item's
// portal page do not offer them, and a licensing item still works.
func TestOwnMotionItemsAreNotApplications(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CaseCountyA
		d := s.CaseDesk(county)
		e2e.PenaltyItemPublished(s, county, d.Admin)
		for _, it := range []struct{ code, powerType, name string }{
			{"JC-001", "JC", "对生产经营单位执行安全生产法律法规情况的监督检查"},
			{"QZ-001", "QZ", "查封、扣押不符合保障安全生产的设施、设备、器材"},
		} {
			s.Must(201, s.Do("POST", e2e.CatPath(county, ""), d.Admin, map[string]any{"code": it.code, "category": "power", "name": it.name}))
			s.PublishItem(d, it.code, e2e.With(e2e.FireworksContent(), "power_type", it.powerType, "item_code", it.code, "extension_workdays", nil))
		}
		online := func(item string) e2e.Response {
			answer := s.SolvedChallenge(challenge.KindApply, county)
			raw, _ := json.Marshal(map[string]any{"item_code": item, "applicant": e2e.ValidApplicant()})
			req := httptest.NewRequest("POST", e2e.PubPath(county, "/cases"), strings.NewReader(string(raw)))
			req.Header.Set("Content-Type", "application/json")
			answer.Header(req)
			return s.Send(req)
		}
		for _, c := range []struct{ item, title string }{{"CF-001", "行政处罚"}, {"JC-001", "行政检查"}, {"QZ-001", "行政强制"}} {
			for name, r := range map[string]e2e.Response{
				"counter": s.Do("POST", e2e.CasePath(county, ""), d.Clerk, e2e.CaseBody(c.item)),
				"online":  online(c.item),
			} {
				s.MustInvalid(name+" "+c.item, r, "item_code")
				if msg, _ := e2e.ErrorFields(r)["item_code"].(string); !strings.Contains(msg, c.title+"事项由执法人员依职权立案办理") {
					t.Errorf("%s %s: message %q", name, c.item, msg)
				}
			}
			if page := string(s.Must(200, s.Do("GET", "/portal/"+county+"/items/"+c.item, "", nil)).Raw); strings.Contains(page, "/apply?item=") {
				t.Errorf("the portal page of %s offers an application", c.item)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM cases`); n != 0 {
			t.Fatalf("%d cases stored by refused applications", n)
		}
		apply := string(s.Must(200, s.Do("GET", "/portal/"+county+"/apply", "", nil)).Raw)
		if !strings.Contains(apply, `value="274"`) {
			t.Errorf("the application form does not offer 274")
		}
		for _, code := range []string{"CF-001", "JC-001", "QZ-001"} {
			if strings.Contains(apply, `value="`+code+`"`) {
				t.Errorf("the application form offers %s", code)
			}
		}
		if page := string(s.Must(200, s.Do("GET", "/portal/"+county+"/items/274", "", nil)).Raw); !strings.Contains(page, "/apply?item=274") {
			t.Errorf("the portal page of 274 does not offer an application")
		}
		s.NewCase(d.Clerk, county, e2e.CaseBody("274"))
		if r := online("274"); r.Status != 201 {
			t.Errorf("online application of 274: %d %s", r.Status, r.Raw)
		}
	})
}
