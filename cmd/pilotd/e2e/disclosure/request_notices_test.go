package disclosure_test

import (
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
)

// fileUnlimited is fileRequest past the portal's limit of five requests a
// minute from one address (the test files more).
func fileUnlimited(s *e2e.Service, county string) (int64, string) {
	s.T.Helper()
	if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
		s.T.Fatalf("reset rate limits: %v", err)
	}
	return fileRequest(s, county)
}

// TestRequestExtensionApproval: 政府信息公开条例 第三十三条第二款 — an
// extension "应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得
// 超过20个工作日". Requests received on 2026-09-24 are due 10-29. Only the
// head of the disclosure office (disclosure_head) or the bureau's 负责人
// (county_leader) may extend one, with a reason, by 1 to 20 working days, up
// to the deadline day and not after (409 extension_too_late, as for a
// licence case). Ten days from 10-29 end on 11-12 (10-30; 11-02 … 06;
// 11-09 … 12), twenty on 11-26.
func TestRequestExtensionApproval(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-09-24")
		path := func(id int64) string { return e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id)+"/extend") }
		unchanged := func(t *testing.T, id int64) {
			t.Helper()
			if n := s.CountRows(`SELECT COUNT(*) FROM info_requests WHERE id = ? AND extended = ? AND deadline = '2026-10-29'`, id, false); n != 1 {
				t.Errorf("a refused extension changed the request")
			}
			if n := s.CountRows(`SELECT COUNT(*) FROM written_notices WHERE subject = 'request' AND subject_id = ?`, id); n != 0 {
				t.Errorf("a refused extension issued %d notices", n)
			}
		}
		disTravel(s, "2026-10-20")
		for _, tc := range []struct {
			name     string
			token    string
			body     map[string]any
			status   int
			deadline string
		}{
			{"the clerk", d.clerk, map[string]any{"reason": "需要会商"}, 403, ""},
			{"the reviewer", d.reviewer, map[string]any{"reason": "需要会商"}, 403, ""},
			{"the county administrator", d.admin, map[string]any{"reason": "需要会商"}, 403, ""},
			{"a clerk who also reviews", d.writer, map[string]any{"reason": "需要会商"}, 403, ""},
			{"the disclosure office head, ten days", d.head, map[string]any{"reason": "涉及多个科室，需要会商", "workdays": 10}, 200, "2026-11-12"},
			{"the bureau's 负责人, the whole twenty", d.leader, map[string]any{"reason": "需要调取档案"}, 200, "2026-11-26"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				disTravel(s, "2026-09-24")
				id, _ := fileUnlimited(s, d.county)
				disTravel(s, "2026-10-20")
				r := s.Do("POST", path(id), tc.token, tc.body)
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
				}
				if tc.status != 200 {
					if r.ErrorCode() != "forbidden" {
						t.Errorf("code %q", r.ErrorCode())
					}
					unchanged(t, id)
					return
				}
				notices, _ := r.Body["notices"].([]any)
				if r.Body["deadline"] != tc.deadline || r.Body["extended"] != true || len(notices) != 1 {
					t.Fatalf("extended: %s", r.Raw)
				}
				n := notices[0].(map[string]any)
				if n["kind"] != "request_extension" || n["deadline"] != tc.deadline || n["reason"] != tc.body["reason"] ||
					!strings.HasPrefix(n["doc_no"].(string), "瑶海区安监依延告〔2026〕") || n["legal_basis"] != "《中华人民共和国政府信息公开条例》第三十三条第二款" {
					t.Errorf("extension notice: %v", n)
				}
			})
		}

		// The law's limits: a reason, at most 20 working days, before the
		// deadline has passed.
		disTravel(s, "2026-09-24")
		id, _ := fileUnlimited(s, d.county)
		onTheDay, _ := fileUnlimited(s, d.county)
		disTravel(s, "2026-10-20")
		for _, tc := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"no reason", map[string]any{"workdays": 10}, []string{"reason"}},
			{"a blank reason", map[string]any{"reason": "  "}, []string{"reason"}},
			{"21 working days", map[string]any{"reason": "需要会商", "workdays": 21}, []string{"workdays"}},
			{"a negative length", map[string]any{"reason": "需要会商", "workdays": -1}, []string{"workdays"}},
			{"both wrong", map[string]any{"workdays": 40}, []string{"reason", "workdays"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.MustInvalid(tc.name, s.Do("POST", path(id), d.head, tc.body), tc.fields...)
				unchanged(t, id)
			})
		}
		disTravel(s, "2026-10-29")
		s.Must(200, s.Do("POST", path(onTheDay), d.head, map[string]any{"reason": "当日决定延期"}))
		disTravel(s, "2026-10-30")
		if r := s.Do("POST", path(id), d.head, map[string]any{"reason": "来不及了"}); r.Status != 409 || r.ErrorCode() != "extension_too_late" {
			t.Errorf("an extension after the deadline: %d %s", r.Status, r.Raw)
		}
		unchanged(t, id)
		// The numbers of the series follow each other.
		if n := s.CountRows(`SELECT COUNT(*) FROM written_notices WHERE county_code = ? AND kind = 'request_extension'
			AND doc_seq BETWEEN 1 AND 3`, d.county); n != 3 {
			t.Errorf("%d extension notices numbered 1 to 3, want 3", n)
		}
	})
}

// TestRequestWrittenNotices: a request received on 2026-09-24 is sent back
// for 补正 on 10-08 — what to correct (it names the requester's phone) and
// by when (10-18) are required, and the notice says both; the corrected
// request arrives on 10-13 (due 11-10); third parties are consulted from
// 10-14 to 10-16; the head extends it on 10-20. Each notice prints with the
// requester's name, the content, the dates and the article; the tracking
// JSON and page list them with the phone masked and nothing else personal.
func TestRequestWrittenNotices(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		disTravel(s, "2026-09-24")
		id, tracking := fileRequest(s, d.county)
		other, _ := fileRequest(s, d.county)
		path := func(rest string) string { return e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id)+rest) }
		disTravel(s, "2026-10-08")
		content := "请写明所需许可证的编号或经营单位名称；如有疑问请联系13912345678"
		for _, tc := range []struct {
			name, field string
			body        map[string]any
		}{
			{"a period ending the day of the notice", "due_on", map[string]any{"notified_on": "2026-10-08", "content": content, "due_on": "2026-10-08"}},
			{"a malformed period", "due_on", map[string]any{"notified_on": "2026-10-08", "content": content, "due_on": "十天内"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.MustInvalid(tc.name, s.Do("POST", path("/correction"), d.clerk, tc.body), tc.field)
			})
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM info_requests WHERE id = ? AND status = 'received'`, id); n != 1 {
			t.Fatalf("a refused correction notice changed the request")
		}
		r := s.Must(200, s.Do("POST", path("/correction"), d.clerk, map[string]any{"notified_on": "2026-10-08", "content": content, "due_on": "2026-10-18"}))
		corr := s.Must(200, s.Do("GET", path(""), d.reviewer, nil))
		if r.Body["status"] != "correcting" || !strings.Contains(string(corr.Raw), `"kind":"request_correction"`) ||
			!strings.Contains(string(corr.Raw), "瑶海区安监依补告〔2026〕1号") {
			t.Fatalf("after the correction notice: %s", corr.Raw)
		}
		disTravel(s, "2026-10-13")
		s.Must(200, s.Do("POST", path("/corrected"), d.clerk, map[string]any{"received_on": "2026-10-13"}))
		disTravel(s, "2026-10-14")
		s.Must(200, s.Do("POST", path("/consultation"), d.clerk, map[string]any{"started_on": "2026-10-14"}))
		disTravel(s, "2026-10-16")
		s.Must(200, s.Do("POST", path("/consultation/end"), d.clerk, map[string]any{"ended_on": "2026-10-16"}))
		disTravel(s, "2026-10-20")
		ext := s.Must(200, s.Do("POST", path("/extend"), d.head, map[string]any{"reason": "需调取多个年度的档案", "workdays": 5}))
		deadline, _ := ext.Body["deadline"].(string)
		list, _ := ext.Body["notices"].([]any)
		if len(list) != 3 || deadline == "" {
			t.Fatalf("notices: %s", ext.Raw)
		}
		ids := map[string]string{}
		for _, n := range list {
			m := n.(map[string]any)
			ids[m["kind"].(string)] = e2e.Itoa(int64(m["id"].(float64)))
		}

		printPath := func(request int64, notice string) string {
			return "/counties/" + d.county + "/info-requests/" + e2e.Itoa(request) + "/notices/" + notice
		}
		for _, tc := range []struct {
			kind string
			want []string
		}{
			{"request_correction", []string{"政府信息公开申请补正告知书", "瑶海区安监依补告〔2026〕1号", content, "2026-10-18", "2026-10-08",
				"第三十条", "视为放弃申请"}},
			{"request_consultation", []string{"征求第三方意见告知书", "瑶海区安监依征告〔2026〕1号", "2026-10-14", "第三十二条",
				"第三十三条第三款", "不计算在答复期限内"}},
			{"request_extension", []string{"延长答复期限告知书", "瑶海区安监依延告〔2026〕1号", "需调取多个年度的档案", deadline,
				"延长5个工作日", "第三十三条第二款", "政府信息公开工作机构负责人同意"}},
		} {
			t.Run("print "+tc.kind, func(t *testing.T) {
				r := s.Do("GET", printPath(id, ids[tc.kind]), d.reviewer, nil)
				if r.Status != 200 {
					t.Fatalf("print page: %d", r.Status)
				}
				for _, w := range append(tc.want, "李四", tracking, "瑶海区安全生产监管部门", "（印章）") {
					if !strings.Contains(string(r.Raw), w) {
						t.Errorf("the %s print page lacks %q", tc.kind, w)
					}
				}
			})
		}
		if r := s.Do("GET", printPath(other, ids["request_extension"]), d.reviewer, nil); r.Status != 404 {
			t.Errorf("a notice under another request: %d", r.Status)
		}
		wantPage(t, "request page", s.Do("GET", "/counties/"+d.county+"/info-requests/"+e2e.Itoa(id), d.clerk, nil), 200,
			"书面告知", printPath(id, ids["request_correction"]), "瑶海区安监依征告〔2026〕1号")

		masked := "请写明所需许可证的编号或经营单位名称；如有疑问请联系＊＊＊"
		for _, tc := range []struct {
			name, path string
			want       []string
		}{
			{"JSON", e2e.DisPublic(d.county, "/info-requests/"+tracking), []string{"request_correction", "request_consultation",
				"request_extension", masked, "2026-10-18", "需调取多个年度的档案", deadline}},
			{"page", "/portal/" + d.county + "/info-requests/track?no=" + tracking, []string{"政府信息公开申请补正告知书",
				"征求第三方意见告知书", "延长答复期限告知书", masked, "2026-10-18", deadline}},
		} {
			t.Run("public "+tc.name, func(t *testing.T) {
				r := s.Must(200, s.Do("GET", tc.path, "", nil))
				for _, w := range tc.want {
					if !strings.Contains(string(r.Raw), w) {
						t.Errorf("the public %s lacks %q", tc.name, w)
					}
				}
				for _, p := range []string{"李四", "13912345678", "辖区烟花爆竹经营许可的情况", "/notices/"} {
					if strings.Contains(string(r.Raw), p) {
						t.Errorf("the public %s shows %q", tc.name, p)
					}
				}
			})
		}
		// The API's fixed form, {notified_on}, still asks for the correction:
		// the printed notice leaves what to correct and by when blank, to be
		// written in by hand.
		bare := s.Must(200, s.Do("POST", e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(other)+"/correction"), d.clerk,
			map[string]any{"notified_on": "2026-10-08"}))
		notes, _ := bare.Body["notices"].([]any)
		if bare.Body["status"] != "correcting" || len(notes) != 1 {
			t.Fatalf("a bare correction: %s", bare.Raw)
		}
		noticeID := e2e.Itoa(e2e.Num(notes[0].(map[string]any)["id"]))
		wantPage(t, "bare correction notice", s.Do("GET", printPath(other, noticeID), d.reviewer, nil), 200,
			"________________________________________", "请于____年__月__日前")
	})
}
