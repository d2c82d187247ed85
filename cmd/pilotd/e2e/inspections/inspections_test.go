// Package inspections_test drives 双随机一公开 end to end through HTTP on
// SQLite and MariaDB: plans and their approval, the draw (reproducible from
// its stored seed and pools, conflicts excluded, audited, never re-rolled
// silently), the inspection record with 责令限期整改 and 复查, the overdue
// job's lights raised once, the publication due date and the public results.
package inspections_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/inspections"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const county = "340102"

func api(rest string) string { return "/api/v1/counties/" + county + rest }

// desk is a county with its administrator, a 负责人, three officers in the
// inspector pool, a legal reviewer and two registered entities.
type desk struct {
	admin, leader, legal string
	officers             []string
	officerIDs           []int64
	entities             []int64
}

var entityCodes = []string{e2e.CreditCode("91340102MA2TX5Q41"), e2e.CreditCode("91340102MA2TX5Q42")}

func newDesk(s *e2e.Service) desk {
	s.T.Helper()
	d := desk{admin: s.Onboard("34", county)}
	_, d.leader = s.AddUser(d.admin, county, "leader_"+county, "county_leader")
	_, d.legal = s.AddUser(d.admin, county, "legal_"+county, "county_legal")
	for k, name := range []string{"王执法", "李执法", "赵执法"} {
		id, token := s.AddUser(d.admin, county, "officer"+e2e.Itoa(int64(k))+"_"+county, "county_officer")
		s.Must(200, s.Do("PUT", api("/inspectors/"+e2e.Itoa(id)), d.admin, map[string]any{"certificate_no": "皖34010200" + e2e.Itoa(int64(k))}))
		if _, err := s.Svc.DB.Exec(`UPDATE users SET display_name = ? WHERE id = ?`, name, id); err != nil {
			s.T.Fatal(err)
		}
		d.officers, d.officerIDs = append(d.officers, token), append(d.officerIDs, id)
	}
	for k, code := range entityCodes {
		r := s.Must(201, s.Do("POST", api("/entities"), d.admin, map[string]any{"name": []string{"瑶海烟花爆竹批发有限公司", "长江建材有限公司"}[k],
			"credit_code": code, "address": "合肥市瑶海区长江东路1号", "industry": "fireworks", "risk_grade": "orange",
			"contact": "张联系", "phone": "13800000001"}))
		d.entities = append(d.entities, e2e.Num(r.Body["id"]))
	}
	return d
}

func plan(kv ...any) map[string]any {
	m := map[string]any{"name": "2026年第四季度烟花爆竹双随机抽查", "period_start": "2026-09-01", "period_end": "2026-12-31",
		"industries": []string{"fireworks"}, "entity_count": 2, "inspectors_per_entity": 2}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// approvedPlan creates and approves a plan and returns its id.
func approvedPlan(s *e2e.Service, d desk, kv ...any) int64 {
	s.T.Helper()
	id := e2e.Num(s.Must(201, s.Do("POST", api("/inspection-plans"), d.officers[0], plan(kv...))).Body["id"])
	s.Must(200, s.Do("POST", api("/inspection-plans/"+e2e.Itoa(id)+"/approve"), d.leader, nil))
	return id
}

func result(t *testing.T, r e2e.Response) []map[string]any {
	t.Helper()
	var out []map[string]any
	list, _ := r.Body["result"].([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// TestPlansAndDraw covers the plan and the draw on both engines.
func TestPlansAndDraw(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s)

		// Bad plans: 400 naming each field, nothing stored.
		for _, tc := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"one inspector", plan("inspectors_per_entity", 1), []string{"inspectors_per_entity"}},
			{"dates out of order", plan("period_end", "2026-08-01"), []string{"period_end"}},
			{"unknown industry and grade", plan("industries", []string{"bakery"}, "risk_grades", []string{"purple"}),
				[]string{"industries", "risk_grades"}},
			{"nothing", map[string]any{}, []string{"name", "period_start", "period_end", "entity_count", "inspectors_per_entity"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.MustInvalid(tc.name, s.Do("POST", api("/inspection-plans"), d.officers[0], tc.body), tc.fields...)
			})
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspection_plans`); n != 0 {
			t.Fatalf("%d plans stored after refusals", n)
		}

		// A plan is drawn only once approved, and only the 负责人 approves.
		id := e2e.Num(s.Must(201, s.Do("POST", api("/inspection-plans"), d.officers[0], plan())).Body["id"])
		pid := e2e.Itoa(id)
		if r := s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.officers[0], nil); r.Status != 409 || r.ErrorCode() != "plan_not_approved" {
			t.Errorf("draw of a draft: %d %s", r.Status, r.Raw)
		}
		s.Must(403, s.Do("POST", api("/inspection-plans/"+pid+"/approve"), d.officers[0], nil))
		s.Must(403, s.Do("POST", api("/inspection-plans/"+pid+"/approve"), d.admin, nil))
		s.Must(200, s.Do("POST", api("/inspection-plans/"+pid+"/approve"), d.leader, nil))
		s.Must(409, s.Do("POST", api("/inspection-plans/"+pid+"/approve"), d.leader, nil))

		// Conflicts: an officer declares their own, not another's.
		e0 := d.entities[0]
		s.Must(403, s.Do("POST", api("/inspection-conflicts"), d.officers[0], map[string]any{
			"inspector_id": d.officerIDs[1], "entity_id": e0, "reason": "亲属"}))
		s.MustInvalid("conflict without reason", s.Do("POST", api("/inspection-conflicts"), d.officers[0], map[string]any{
			"inspector_id": d.officerIDs[0], "entity_id": e0}), "reason")
		s.Must(201, s.Do("POST", api("/inspection-conflicts"), d.officers[0], map[string]any{
			"inspector_id": d.officerIDs[0], "entity_id": e0, "reason": "配偶在该单位任安全管理人员"}))
		s.Must(409, s.Do("POST", api("/inspection-conflicts"), d.officers[0], map[string]any{
			"inspector_id": d.officerIDs[0], "entity_id": e0, "reason": "重复"}))

		// The draw: both entities (the whole pool), two of three inspectors
		// each; the conflicted officer is never on entity 0, which therefore
		// gets exactly the two others.
		r := s.Must(201, s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.officers[1], nil))
		draw := e2e.Num(r.Body["id"])
		seed, _ := r.Body["seed"].(string)
		if len(seed) != 64 || r.Body["algorithm"] != inspections.Algorithm {
			t.Errorf("draw: %s", r.Raw)
		}
		res := result(t, r)
		if len(res) != 2 {
			t.Fatalf("draw result: %s", r.Raw)
		}
		for _, a := range res {
			ins := a["inspectors"].([]any)
			if len(ins) != 2 {
				t.Errorf("inspectors of %v: %v", a["entity_id"], ins)
			}
			if e2e.Num(a["entity_id"]) == e0 {
				for _, i := range ins {
					if e2e.Num(i) == d.officerIDs[0] {
						t.Errorf("the conflicted officer was assigned to the entity: %s", r.Raw)
					}
				}
			}
		}
		if pool, _ := r.Body["inspector_pool"].([]any); len(pool) != 3 {
			t.Errorf("inspector pool: %s", r.Raw)
		}
		if c, _ := r.Body["conflicts"].([]any); len(c) != 1 {
			t.Errorf("conflicts kept with the draw: %s", r.Raw)
		}

		// The draw is audited with its seed, and verifies.
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND outcome = 'success' AND detail LIKE ?`,
			"POST /api/v1/counties/:county/inspection-plans/:id/draws", "%seed "+seed+"%"); n != 1 {
			t.Errorf("%d audit entries of the draw with its seed", n)
		}
		v := s.Must(200, s.Do("GET", api("/inspection-draws/"+e2e.Itoa(draw)+"/verify"), d.legal, nil))
		if v.Body["match"] != true || v.Body["conflicts_respected"] != true {
			t.Errorf("verify: %s", v.Raw)
		}

		// A second draw is refused and changes nothing.
		if r := s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.officers[1], nil); r.Status != 409 || r.ErrorCode() != "already_drawn" {
			t.Errorf("second draw: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.officers[1], map[string]any{"redraw": true, "reason": "想换人"}); r.Status != 403 {
			t.Errorf("redraw by an officer: %d %s", r.Status, r.Raw)
		}
		s.MustInvalid("redraw without reason", s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.leader, map[string]any{"redraw": true}), "reason")
		if n := s.CountRows(`SELECT COUNT(*) FROM inspection_draws`); n != 1 {
			t.Errorf("%d draws after refusals", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspections WHERE status = 'assigned'`); n != 2 {
			t.Errorf("%d assigned inspections", n)
		}

		// A redraw by the 负责人 with a reason: audited, the first draw kept.
		r = s.Must(201, s.Do("POST", api("/inspection-plans/"+pid+"/draws"), d.leader, map[string]any{"redraw": true,
			"reason": "执法人员李执法长期病假"}))
		if r.Body["seq"] != float64(2) || r.Body["reason"] != "执法人员李执法长期病假" {
			t.Errorf("redraw: %s", r.Raw)
		}
		list := s.Must(200, s.Do("GET", api("/inspection-plans/"+pid+"/draws"), d.admin, nil))
		items := list.Body["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["superseded"] != true || items[0].(map[string]any)["seed"] != seed ||
			items[1].(map[string]any)["superseded"] != false {
			t.Errorf("draws after the redraw: %s", list.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE ?`,
			"POST /api/v1/counties/:county/inspection-plans/:id/draws", "%redraw reason: 执法人员李执法长期病假%"); n != 1 {
			t.Errorf("%d audit entries of the redraw with its reason", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspections WHERE status = 'superseded'`); n != 2 {
			t.Errorf("%d superseded inspections", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspections WHERE status = 'assigned'`); n != 2 {
			t.Errorf("%d assigned inspections after the redraw", n)
		}

		// Verification fails for a tampered result.
		if _, err := s.Svc.DB.Exec(`UPDATE inspection_draws SET draw_result = ? WHERE id = ?`,
			`[{"entity_id":`+e2e.Itoa(e0)+`,"inspectors":[`+e2e.Itoa(d.officerIDs[0])+`,`+e2e.Itoa(d.officerIDs[1])+`]}]`, draw); err != nil {
			t.Fatal(err)
		}
		v = s.Must(200, s.Do("GET", api("/inspection-draws/"+e2e.Itoa(draw)+"/verify"), d.admin, nil))
		if v.Body["match"] != false || v.Body["conflicts_respected"] != false {
			t.Errorf("verify of a tampered draw: %s", v.Raw)
		}

		// Too few inspectors without a conflict: 409 naming the field, nothing stored.
		s.Must(201, s.Do("POST", api("/inspection-conflicts"), d.officers[1], map[string]any{
			"inspector_id": d.officerIDs[1], "entity_id": e0, "reason": "曾在该单位任职"}))
		small := approvedPlan(s, d, "entity_count", 2)
		r = s.Do("POST", api("/inspection-plans/"+e2e.Itoa(small)+"/draws"), d.officers[2], nil)
		if r.Status != 409 || r.ErrorCode() != "pool_too_small" || e2e.ErrorFields(r)["inspectors_per_entity"] == nil {
			t.Errorf("draw with one free inspector for an entity: %d %s", r.Status, r.Raw)
		}
		too := approvedPlan(s, d, "entity_count", 3)
		r = s.Do("POST", api("/inspection-plans/"+e2e.Itoa(too)+"/draws"), d.officers[2], nil)
		if r.Status != 409 || e2e.ErrorFields(r)["entity_count"] == nil {
			t.Errorf("draw of more entities than the pool: %d %s", r.Status, r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspection_draws`); n != 2 {
			t.Errorf("%d draws after refused draws", n)
		}
	})
}

// TestInspectionRecord covers the record, the 整改 clock flagged once, the
// publication due date and the public results on both engines.
func TestInspectionRecord(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s)
		// Drawn on 2026-09-22, inspected on 09-24.
		clock := s.EnforcementClock("2026-09-22")
		pid := approvedPlan(s, d, "entity_count", 1, "industries", []string{}, "risk_grades", []string{"orange"})
		r := s.Must(201, s.Do("POST", api("/inspection-plans/"+e2e.Itoa(pid)+"/draws"), d.officers[0], nil))
		a := result(t, r)[0]
		list := s.Must(200, s.Do("GET", api("/inspections?plan_id="+e2e.Itoa(pid)), d.admin, nil))
		ins := list.Body["items"].([]any)[0].(map[string]any)
		id := e2e.Itoa(e2e.Num(ins["id"]))
		var drawn, other string
		for k, uid := range d.officerIDs {
			assigned := false
			for _, x := range a["inspectors"].([]any) {
				assigned = assigned || e2e.Num(x) == uid
			}
			if assigned && drawn == "" {
				drawn = d.officers[k]
			} else if !assigned {
				other = d.officers[k]
			}
		}

		// Only an inspector drawn for it records; bad input names the field.
		s.Must(403, s.Do("POST", api("/inspections/"+id+"/findings"), other, map[string]any{"description": "x", "violation": false}))
		s.MustInvalid("violation without provision", s.Do("POST", api("/inspections/"+id+"/findings"), drawn,
			map[string]any{"description": "仓库超量储存烟花爆竹", "violation": true}), "legal_provision")
		s.MustInvalid("finding without violation flag", s.Do("POST", api("/inspections/"+id+"/findings"), drawn,
			map[string]any{"description": "仓库超量储存烟花爆竹"}), "violation")
		f := s.Must(201, s.Do("POST", api("/inspections/"+id+"/findings"), drawn, map[string]any{
			"description": "仓库超量储存烟花爆竹，现场负责人张联系（13800000001）在场", "legal_provision": "《烟花爆竹安全管理条例》第二十二条",
			"violation": true}))
		finding := e2e.Itoa(e2e.Num(f.Body["id"]))
		s.Must(201, s.Do("POST", api("/inspections/"+id+"/findings"), drawn, map[string]any{
			"description": "安全警示标志齐全", "violation": false}))

		// A finding opens a penalty case only once the inspection is
		// recorded: the case rests on the record.
		r = s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"), drawn, map[string]any{"item_code": "CF-001"})
		if r.Status != 409 || r.ErrorCode() != "inspection_not_completed" {
			t.Errorf("penalty case before the inspection is recorded: %d %s", r.Status, r.Raw)
		}

		// Completing: dates checked; the publication clock is 20 working days
		// from the day after the inspection, holidays skipped (2026-09-24 →
		// 2026-10-29 across 中秋 and 国庆; 2026-10-10 is a make-up working day).
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"in the future", map[string]any{"inspected_on": "2099-01-01", "summary": "x"}, "inspected_on"},
			{"before the plan", map[string]any{"inspected_on": "2026-08-01", "summary": "x"}, "inspected_on"},
			{"before the draw", map[string]any{"inspected_on": "2026-09-21", "summary": "x"}, "inspected_on"},
			{"deadline before the inspection", map[string]any{"inspected_on": "2026-09-24", "summary": "x",
				"rectify_deadline": "2026-09-24"}, "rectify_deadline"},
			{"no summary", map[string]any{"inspected_on": "2026-09-24"}, "summary"},
		} {
			s.MustInvalid(tc.name, s.Do("POST", api("/inspections/"+id+"/complete"), drawn, tc.body), tc.field)
		}
		clock.Set("2026-09-25")
		c := s.Must(200, s.Do("POST", api("/inspections/"+id+"/complete"), drawn, map[string]any{
			"inspected_on": "2026-09-24", "summary": "存在超量储存问题，责令限期整改", "rectify_deadline": "2026-10-09"}))
		if c.Body["publish_due"] != "2026-10-29" || c.Body["status"] != "completed" {
			t.Errorf("completed: %s", c.Raw)
		}
		s.Must(409, s.Do("POST", api("/inspections/"+id+"/findings"), drawn, map[string]any{"description": "x", "violation": false}))

		// The 整改 clock: yellow the working day before, red after, once each.
		admin := s.AdminToken()
		count := func(kind string) int {
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = ?`, county, kind)
		}
		clock.Set("2026-10-07") // a holiday; the next working day is 10-08
		s.RunOverdue(admin)
		if n := count("inspection_rectify_yellow"); n != 0 {
			t.Errorf("%d yellow notices two working days early", n)
		}
		clock.Set("2026-10-08")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		yellow := count("inspection_rectify_yellow")
		if yellow != 3 { // the county administrator and the two inspectors, once
			t.Errorf("%d yellow notices, want 3", yellow)
		}
		g := s.Must(200, s.Do("GET", api("/inspections/"+id), d.admin, nil))
		if g.Body["rectify_warning"] != "yellow" {
			t.Errorf("light on 10-08: %s", g.Raw)
		}
		clock.Set("2026-10-12")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if n := count("inspection_rectify_red"); n != 3 {
			t.Errorf("%d red notices after two runs, want 3", n)
		}
		if n := count("inspection_rectify_yellow"); n != yellow {
			t.Errorf("yellow notices went from %d to %d", yellow, n)
		}
		metrics := s.Must(200, s.Do("GET", "/metrics", "", nil))
		if v, ok := e2e.MetricValue(metrics.Raw, "pilot_inspection_rectifications_open", `county="`+county+`"`); !ok || v != 1 {
			t.Errorf("pilot_inspection_rectifications_open = %v (%v)", v, ok)
		}

		// The 复查: not before the deadline, not in the future.
		s.MustInvalid("recheck before the deadline", s.Do("POST", api("/inspections/"+id+"/recheck"), drawn, map[string]any{
			"recheck_on": "2026-10-08", "result": "rectified"}), "recheck_on")
		s.MustInvalid("recheck result", s.Do("POST", api("/inspections/"+id+"/recheck"), drawn, map[string]any{
			"recheck_on": "2026-10-12", "result": "done"}), "result")
		g = s.Must(200, s.Do("POST", api("/inspections/"+id+"/recheck"), drawn, map[string]any{
			"recheck_on": "2026-10-12", "result": "rectified", "note": "已清点，库存符合核定量"}))
		if g.Body["rectify_warning"] != "none" || g.Body["recheck_result"] != "rectified" {
			t.Errorf("after the recheck: %s", g.Raw)
		}
		s.Must(409, s.Do("POST", api("/inspections/"+id+"/recheck"), drawn, map[string]any{"recheck_on": "2026-10-12", "result": "rectified"}))

		// Publication overdue: flagged once after 10-29.
		clock.Set("2026-10-30")
		s.RunOverdue(admin)
		s.RunOverdue(admin)
		if n := count("inspection_publish_red"); n != 3 {
			t.Errorf("%d publication notices, want 3", n)
		}
		pub := s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/inspection-results", "", nil))
		if pub.Body["total"] != float64(0) {
			t.Errorf("unpublished result is public: %s", pub.Raw)
		}
		s.Must(403, s.Do("POST", api("/inspections/"+id+"/publish"), d.legal, nil))
		p := s.Must(200, s.Do("POST", api("/inspections/"+id+"/publish"), d.admin, nil))
		if p.Body["published_on"] != "2026-10-30" || p.Body["publish_warning"] != "none" {
			t.Errorf("published: %s", p.Raw)
		}
		s.Must(409, s.Do("POST", api("/inspections/"+id+"/publish"), d.admin, nil))

		// The public result: the organisation, the findings, the 复查; no
		// natural person's data (contact, phone, inspectors) anywhere.
		pub = s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/inspection-results", "", nil))
		raw := string(pub.Raw)
		if pub.Body["total"] != float64(1) || !strings.Contains(raw, "仓库超量储存烟花爆竹") || !strings.Contains(raw, `"recheck_result":"rectified"`) {
			t.Errorf("public results: %s", raw)
		}
		for _, personal := range []string{"张联系", "13800000001", "王执法", "李执法", "赵执法", "皖340102"} {
			if strings.Contains(raw, personal) {
				t.Errorf("public results contain %q: %s", personal, raw)
			}
		}
		if !strings.Contains(raw, "＊＊＊") {
			t.Errorf("no masked text in %s", raw)
		}

		// The finding opens one real penalty case, the inspected entity as
		// party and the finding as facts (the penalty module, wired in
		// cmd/pilotd), on behalf of the drawn inspector.
		e2e.PenaltyItemPublished(s, county, d.admin)
		s.MustInvalid("penalty case without item", s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"), drawn,
			map[string]any{}), "item_code")
		s.MustInvalid("penalty case filed before the inspection", s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"),
			drawn, map[string]any{"item_code": "CF-001", "filed_on": "2026-09-23"}), "filed_on")
		// A licence item is refused by the penalty module, and the finding
		// stays free to open a case.
		r = s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"), drawn, map[string]any{"item_code": "284"})
		if r.Status != 400 && r.Status != 409 {
			t.Errorf("penalty case on a licence item: %d %s", r.Status, r.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM penalty_cases WHERE county_code = ?`, county); n != 0 {
			t.Fatalf("%d penalty cases after refusals", n)
		}
		pc := s.Must(201, s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"), drawn, map[string]any{"item_code": "CF-001"}))
		caseID := e2e.Num(pc.Body["penalty_case_id"])
		if caseID <= 0 || pc.Body["penalty_case_no"] == "" {
			t.Fatalf("finding after opening a case: %s", pc.Raw)
		}
		opened := s.Must(200, s.Do("GET", api("/penalty-cases/"+e2e.Itoa(caseID)), d.admin, nil))
		party, _ := opened.Body["party"].(map[string]any)
		source, _ := opened.Body["source"].(map[string]any)
		facts, _ := opened.Body["facts"].(string)
		if opened.Body["case_no"] != pc.Body["penalty_case_no"] || party["kind"] != "organization" ||
			(party["credit_code"] != entityCodes[0] && party["credit_code"] != entityCodes[1]) || e2e.Num(party["entity_id"]) == 0 ||
			source["kind"] != "inspection" || !strings.Contains(facts, "仓库超量储存烟花爆竹") || !strings.Contains(facts, "第二十二条") ||
			opened.Body["filed_on"] != "2026-10-30" {
			t.Errorf("the penalty case opened from the finding: %s", opened.Raw)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM penalty_cases WHERE county_code = ?`, county); n != 1 {
			t.Errorf("%d penalty cases, want 1", n)
		}
		s.Must(409, s.Do("POST", api("/inspections/"+id+"/findings/"+finding+"/penalty-case"), drawn, map[string]any{"item_code": "CF-001"}))
		if n := s.CountRows(`SELECT COUNT(*) FROM penalty_cases WHERE county_code = ?`, county); n != 1 {
			t.Errorf("%d penalty cases after a second try, want 1", n)
		}
	})
}

// TestConcurrentDraws: two first draws of one plan at the same moment make
// one draw; the other is told 409, on both engines.
func TestConcurrentDraws(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s)
		pid := e2e.Itoa(approvedPlan(s, d))
		statuses := make(chan int, 2)
		for _, token := range []string{d.officers[0], d.officers[1]} {
			go func(token string) {
				statuses <- s.Do("POST", api("/inspection-plans/"+pid+"/draws"), token, nil).Status
			}(token)
		}
		got := map[int]int{}
		for i := 0; i < 2; i++ {
			got[<-statuses]++
		}
		if got[201] != 1 || got[409] != 1 {
			t.Errorf("two concurrent draws answered %v, want one 201 and one 409", got)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspection_draws`); n != 1 {
			t.Errorf("%d draws stored", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM inspections`); n != 2 {
			t.Errorf("%d inspections stored", n)
		}
	})
}
