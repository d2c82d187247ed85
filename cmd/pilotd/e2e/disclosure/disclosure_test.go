package disclosure_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/http/httptest"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
	"time"
)

// Counties of the disclosure tests (Anhui, province 34).
const (
	disCountyA = "340102"
	disCountyB = "340103"
)

// disDesk is a county with its disclosure staff: a clerk who writes, a
// reviewer, a writer who holds both the clerk and the reviewer role (so
// the author-may-not-review rules are reached past the permission check),
// the head of the disclosure office and the bureau's 负责人 (both may agree
// to extend a request's answer period).
type disDesk struct {
	county                                                  string
	admin, clerk, reviewer, writer, head, leader            string
	adminID, clerkID, reviewerID, writeID, headID, leaderID int64
}

func disclosureDesk(s *e2e.Service, county string) disDesk {
	s.T.Helper()
	d := disDesk{county: county}
	d.admin = s.Onboard("34", county)
	r := s.Must(200, s.Do("GET", "/api/v1/session", d.admin, nil))
	if u, ok := r.Body["user"].(map[string]any); ok {
		d.adminID = disNum(u["id"])
	}
	d.clerkID, d.clerk = s.AddUser(d.admin, county, "dclerk_"+county, "county_clerk")
	d.reviewerID, d.reviewer = s.AddUser(d.admin, county, "dreviewer_"+county, "county_reviewer")
	d.writeID, d.writer = s.AddUser(d.admin, county, "dwriter_"+county, "county_clerk", "county_reviewer")
	d.headID, d.head = s.AddUser(d.admin, county, "dhead_"+county, "disclosure_head")
	d.leaderID, d.leader = s.AddUser(d.admin, county, "dleader_"+county, "county_leader")
	return d
}

func disNum(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// disTravel moves "today" of the disclosure and case rules to date, 10:00
// Beijing time.
func disTravel(s *e2e.Service, date string) {
	s.T.Helper()
	d, err := time.ParseInLocation("2006-01-02", date, time.FixedZone("CST", 8*3600))
	if err != nil {
		s.T.Fatalf("travel: %v", err)
	}
	now := d.Add(10 * time.Hour)
	s.Svc.Disclosure.Now = func() time.Time { return now }
	s.Svc.Cases.Now = func() time.Time { return now }
}

type disPublicPage struct {
	Items []disPublicRecord `json:"items"`
	Total int               `json:"total"`
}

type disPublicRecord struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Category    string `json:"category"`
	Body        string `json:"body"`
	Attachments []struct {
		ID       int64  `json:"id"`
		FileName string `json:"file_name"`
	} `json:"attachments"`
}

// disRuneIndex is the rune offset of sub in s, or -1.
func disRuneIndex(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return -1
	}
	return len([]rune(s[:i]))
}

// disWantCode asserts a status and an error code.
func disWantCode(s *e2e.Service, status int, code string, r e2e.Response) {
	s.T.Helper()
	if r.Status != status || r.ErrorCode() != code {
		s.T.Fatalf("got %d %q, want %d %q: %s", r.Status, r.ErrorCode(), status, code, r.Raw)
	}
}

// disField is the message of a field of a 400 answer.
func disField(r e2e.Response, field string) string {
	e, _ := r.Body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	v, _ := fields[field].(string)
	return v
}

func disGet(s *e2e.Service, token, county string, id int64) e2e.DisRecord {
	s.T.Helper()
	return e2e.DisDecode[e2e.DisRecord](s.T, s.Must(200, s.Do("GET", e2e.DisPath(county, "/disclosures/"+e2e.Itoa(id)), token, nil)))
}

const disMobile = "13800138000"

// TestDisclosureWorkflow walks one record from draft to withdrawal through
// the API: scan, sanitizing, the separation of author and reviewer, review
// with redactions, publication of the masked text and the public portal.
func TestDisclosureWorkflow(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		s.Must(200, s.Do("PUT", e2e.DisPath(d.county, "/disclosure-settings"), d.admin,
			map[string]any{"second_review": false, "terms": []string{"化工园区"}}))

		// Create: 201, the body sanitized, the scan's findings with rune
		// offsets into the stored title and body.
		title := "关于化工园区张三举报问题的核查情况"
		body := `<p>检查人员张三，联系电话` + disMobile + `。</p><script>alert("x")</script>` +
			`<p onclick="steal()">本件属机密</p><a href="javascript:alert(1)">链接</a>`
		rec := s.DisCreate(d.clerk, d.county, map[string]any{"title": title, "category": "11", "body": body,
			"formed_on": "2026-10-09", "attribute": "proactive"})
		if rec.Status != "draft" || rec.AuthorID != d.clerkID || rec.Title != title {
			t.Fatalf("created %+v", rec)
		}
		for _, bad := range []string{"<script", "alert(\"x\")", "onclick", "javascript:"} {
			if strings.Contains(rec.Body, bad) {
				t.Fatalf("stored body keeps %q: %s", bad, rec.Body)
			}
		}
		if !strings.HasPrefix(rec.Body, "<p>检查人员张三，联系电话"+disMobile) {
			t.Fatalf("sanitized body lost its text: %s", rec.Body)
		}
		secret := disRuneIndex(rec.Body, "机密")
		want := []e2e.DisFinding{
			{Field: "title", Kind: "county_term", Start: 2, End: 6, Text: "化工园区"},
			{Field: "body", Kind: "mobile", Start: 14, End: 25, Text: disMobile},
			{Field: "body", Kind: "secrecy_mark", Start: secret, End: secret + 2, Text: "机密"},
		}
		if fmt.Sprint(rec.ScanFindings) != fmt.Sprint(want) {
			t.Fatalf("scan findings %+v, want %+v", rec.ScanFindings, want)
		}
		if got := string([]rune(rec.Body)[14:25]); got != disMobile {
			t.Fatalf("finding offsets are not rune offsets of the stored body: %q", got)
		}

		// Publishing a draft, then an unreviewed record: 409.
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))
		if r := s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil); r.Body["status"] != "pending_review" {
			t.Fatalf("submitted: %s", r.Raw)
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/submit"), d.clerk, nil))
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.admin, nil))
		// The clerk holds no review or publish permission at all.
		disWantCode(s, 403, "forbidden", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.clerk,
			map[string]any{"decision": "approve"}))
		disWantCode(s, 403, "forbidden", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.clerk, nil))
		// A pending record cannot be edited.
		disWantCode(s, 409, "invalid_transition", s.Do("PUT", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), d.clerk,
			map[string]any{"title": "改", "category": "11", "body": "x", "formed_on": "2026-10-09"}))

		// The writer holds the review permission, but never on their own record.
		own := s.DisCreate(d.writer, d.county, e2e.DisPlain("本人撰写的信息", "2026-10-09"))
		s.DisAct(200, d.writer, d.county, own.ID, "submit", nil)
		disWantCode(s, 403, "reviewer_is_author", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(own.ID)+"/review"), d.writer,
			map[string]any{"decision": "approve"}))
		disWantCode(s, 403, "reviewer_is_author", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(own.ID)+"/review"), d.writer,
			map[string]any{"decision": "reject", "opinion": "自己否决自己"}))
		s.DisAct(200, d.reviewer, d.county, own.ID, "review", map[string]any{"decision": "approve"})
		disWantCode(s, 403, "publisher_is_author", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(own.ID)+"/publish"), d.writer, nil))
		if got := disGet(s, d.admin, d.county, own.ID); got.Status != "approved" || len(got.Reviews) != 1 {
			t.Fatalf("own record after refused publish: %+v", got)
		}

		// Bad decisions and bad redaction spans: 400, nothing changes.
		for _, bad := range []map[string]any{
			{"decision": "maybe"},
			{"decision": "approve", "redactions": []map[string]any{{"field": "body", "start": 0, "end": 3}}},          // cuts "<p>"
			{"decision": "approve", "redactions": []map[string]any{{"field": "body", "start": 20, "end": 10000}}},     // past the end
			{"decision": "approve", "redactions": []map[string]any{{"field": "title", "start": 3, "end": 3}}},         // empty
			{"decision": "approve", "redactions": []map[string]any{{"field": "attachment:99", "start": 0, "end": 1}}}, // no such file
			{"decision": "approve", "redactions": []map[string]any{{"field": "author", "start": 0, "end": 1}}},
		} {
			s.Must(400, s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer, bad))
		}
		if got := disGet(s, d.admin, d.county, rec.ID); got.Status != "pending_review" || len(got.Reviews) != 0 {
			t.Fatalf("refused reviews changed the record: %+v", got)
		}

		// Approve with redactions: the person's name in the title, the mobile
		// number in the body.
		reds := []map[string]any{{"field": "title", "start": 6, "end": 8}, {"field": "body", "start": 14, "end": 25}}
		ap := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "review",
			map[string]any{"decision": "approve", "opinion": "同意公开，遮盖个人信息", "redactions": reds}))
		if ap.Status != "approved" || len(ap.Redactions) != 2 || len(ap.Reviews) != 1 {
			t.Fatalf("approved: %+v", ap)
		}
		rv := ap.Reviews[0]
		if rv.Stage != 1 || rv.ReviewerID != d.reviewerID || rv.Decision != "approve" || rv.Opinion != "同意公开，遮盖个人信息" ||
			len(rv.Redactions) != 2 || fmt.Sprint(rv.Findings) != fmt.Sprint(want) {
			t.Fatalf("kept review record %+v", rv)
		}
		// Still not public.
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), "", nil))

		pub := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "publish", nil))
		maskedMobile := strings.Repeat("＊", 11)
		if pub.Status != "published" || pub.PublishedOnTime == nil || !*pub.PublishedOnTime || pub.PublishedAt == nil {
			t.Fatalf("published: %+v", pub)
		}
		if pub.PublishedTitle != "关于化工园区＊＊举报问题的核查情况" {
			t.Errorf("published title %q", pub.PublishedTitle)
		}
		if !strings.Contains(pub.PublishedBody, "联系电话"+maskedMobile+"。") || strings.Contains(pub.PublishedBody, disMobile) {
			t.Errorf("published body not masked: %s", pub.PublishedBody)
		}
		for _, bad := range []string{"<script", "onclick", "javascript:"} {
			if strings.Contains(pub.PublishedBody, bad) {
				t.Errorf("published body keeps %q: %s", bad, pub.PublishedBody)
			}
		}
		// The staff still see the original.
		if got := disGet(s, d.clerk, d.county, rec.ID); got.Body != rec.Body || got.Title != title {
			t.Errorf("original changed by publishing: %+v", got)
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))

		// The public portal: only published records, only masked text, no staff data.
		list := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/disclosures"), "", nil))
		page := e2e.DisDecode[disPublicPage](t, list)
		if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != rec.ID {
			t.Fatalf("public list %s", list.Raw)
		}
		for _, leak := range []string{disMobile, "张三举报", "author", "redactions", "scan_findings", "dclerk_"} {
			if strings.Contains(string(list.Raw), leak) {
				t.Errorf("public list shows %q: %s", leak, list.Raw)
			}
		}
		det := e2e.DisDecode[disPublicRecord](t, s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), "", nil)))
		if det.Title != pub.PublishedTitle || det.Body != pub.PublishedBody || det.Category != "11" {
			t.Errorf("public detail %+v", det)
		}
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(own.ID)), "", nil))
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/999999"), "", nil))

		// Withdraw: a reason is required; the record leaves the portal; the
		// review records are all kept.
		s.Must(400, s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/withdraw"), d.reviewer, map[string]any{"reason": "  "}))
		disWantCode(s, 403, "forbidden", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/withdraw"), d.clerk,
			map[string]any{"reason": "有误"}))
		wd := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.admin, d.county, rec.ID, "withdraw", map[string]any{"reason": "信息有误，撤回更正"}))
		if wd.Status != "withdrawn" || len(wd.Reviews) != 2 || wd.Reviews[1].Decision != "withdraw" ||
			wd.Reviews[1].Opinion != "信息有误，撤回更正" || wd.Reviews[1].ReviewerID != d.adminID {
			t.Fatalf("withdrawn: %+v", wd)
		}
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), "", nil))
		if r := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/disclosures"), "", nil)); disNum(r.Body["total"]) != 0 {
			t.Errorf("withdrawn record still listed: %s", r.Raw)
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/withdraw"), d.admin,
			map[string]any{"reason": "再撤一次"}))
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.admin, nil))
		if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_reviews WHERE record_id = ?`, rec.ID); n != 2 {
			t.Errorf("%d review rows kept, want 2", n)
		}

		// The staff list and its status filter.
		r := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosures?status=withdrawn"), d.clerk, nil))
		if disNum(r.Body["total"]) != 1 {
			t.Errorf("withdrawn list %s", r.Raw)
		}
		s.Must(400, s.Do("GET", e2e.DisPath(d.county, "/disclosures?status=lost"), d.clerk, nil))
	})
}

// TestDisclosureSecondReview: with the county's second review on, the first
// approval waits for a second reviewer, who must be someone else.
func TestDisclosureSecondReview(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		// Only the administrator configures.
		disWantCode(s, 403, "forbidden", s.Do("PUT", e2e.DisPath(d.county, "/disclosure-settings"), d.reviewer, map[string]any{"second_review": true}))
		st := s.Must(200, s.Do("PUT", e2e.DisPath(d.county, "/disclosure-settings"), d.admin, map[string]any{"second_review": true}))
		if st.Body["second_review"] != true {
			t.Fatalf("settings %s", st.Raw)
		}
		if r := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosure-settings"), d.clerk, nil)); r.Body["second_review"] != true {
			t.Fatalf("settings read back %s", r.Raw)
		}

		rec := s.DisCreate(d.clerk, d.county, map[string]any{"title": "安全生产检查通报", "category": "11",
			"body": "<p>企业负责人电话" + disMobile + "</p>", "formed_on": "2026-10-09"})
		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)
		reds := []map[string]any{{"field": "body", "start": 10, "end": 21}} // "<p>企业负责人电话" is 10 runes
		first := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "review",
			map[string]any{"decision": "approve", "opinion": "初审同意", "redactions": reds}))
		if first.Status != "pending_second_review" || len(first.Reviews) != 1 || first.Reviews[0].Stage != 1 {
			t.Fatalf("after the first review: %+v", first)
		}
		// Not yet publishable; the first reviewer cannot also do the second.
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))
		disWantCode(s, 403, "same_reviewer", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer,
			map[string]any{"decision": "approve", "redactions": reds}))
		disWantCode(s, 403, "forbidden", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.clerk,
			map[string]any{"decision": "approve"}))
		second := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.admin, d.county, rec.ID, "review",
			map[string]any{"decision": "approve", "opinion": "复审同意", "redactions": reds}))
		if second.Status != "approved" || len(second.Reviews) != 2 || second.Reviews[1].Stage != 2 ||
			second.Reviews[1].ReviewerID != d.adminID || len(second.Redactions) != 1 {
			t.Fatalf("after the second review: %+v", second)
		}
		pub := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "publish", nil))
		if pub.Status != "published" || strings.Contains(pub.PublishedBody, disMobile) || !strings.Contains(pub.PublishedBody, strings.Repeat("＊", 11)) {
			t.Fatalf("published: %+v", pub)
		}

		// A second reviewer may reject: the record goes back to its author.
		rec2 := s.DisCreate(d.clerk, d.county, e2e.DisPlain("第二条信息", "2026-10-09"))
		s.DisAct(200, d.clerk, d.county, rec2.ID, "submit", nil)
		s.DisAct(200, d.admin, d.county, rec2.ID, "review", map[string]any{"decision": "approve"})
		disWantCode(s, 403, "same_reviewer", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec2.ID)+"/review"), d.admin,
			map[string]any{"decision": "reject", "opinion": "再看看"}))
		rj := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec2.ID, "review", map[string]any{"decision": "reject", "opinion": "数据需核实"}))
		if rj.Status != "rejected" || len(rj.Reviews) != 2 || rj.Reviews[1].Stage != 2 {
			t.Fatalf("rejected at the second review: %+v", rj)
		}

		// Switched off again: one approval is enough.
		s.Must(200, s.Do("PUT", e2e.DisPath(d.county, "/disclosure-settings"), d.admin, map[string]any{"second_review": false}))
		rec3 := s.DisCreate(d.clerk, d.county, e2e.DisPlain("第三条信息", "2026-10-09"))
		s.DisAct(200, d.clerk, d.county, rec3.ID, "submit", nil)
		if r := s.DisAct(200, d.reviewer, d.county, rec3.ID, "review", map[string]any{"decision": "approve"}); r.Body["status"] != "approved" {
			t.Fatalf("single review: %s", r.Raw)
		}
	})
}

// TestDisclosureRejectAndResubmit: a rejection needs an opinion; the author
// edits the rejected record and submits it again.
func TestDisclosureRejectAndResubmit(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		rec := s.DisCreate(d.clerk, d.county, e2e.DisPlain("隐患排查治理情况", "2026-10-09"))
		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)

		r := s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer, map[string]any{"decision": "reject"})
		disWantCode(s, 400, "invalid_input", r)
		if disField(r, "opinion") == "" {
			t.Fatalf("no opinion field error: %s", r.Raw)
		}
		s.Must(400, s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer,
			map[string]any{"decision": "reject", "opinion": "   "}))
		rj := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "review",
			map[string]any{"decision": "reject", "opinion": "企业名称须核实"}))
		if rj.Status != "rejected" || len(rj.Reviews) != 1 || rj.Reviews[0].Opinion != "企业名称须核实" || rj.Reviews[0].Decision != "reject" {
			t.Fatalf("rejected: %+v", rj)
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/publish"), d.reviewer, nil))
		disWantCode(s, 409, "invalid_transition", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer,
			map[string]any{"decision": "approve"}))

		// Only the author edits it.
		edit := map[string]any{"title": "隐患排查治理情况（修订）", "category": "11", "body": "<p>已核实企业名称。</p>",
			"formed_on": "2026-10-12", "attribute": "proactive"}
		disWantCode(s, 403, "not_author", s.Do("PUT", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), d.writer, edit))
		ed := e2e.DisDecode[e2e.DisRecord](t, s.Must(200, s.Do("PUT", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), d.clerk, edit)))
		// 2026-10-12 + 20 working days: 10-13..16 (4), 19..23 (9), 26..30 (14), 11-02..06 (19), 11-09 (20).
		if ed.Status != "draft" || ed.Title != "隐患排查治理情况（修订）" || ed.FormedOn != "2026-10-12" || ed.PublishDeadline != "2026-11-09" {
			t.Fatalf("edited: %+v", ed)
		}
		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)
		ap := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "review", map[string]any{"decision": "approve"}))
		if ap.Status != "approved" || len(ap.Reviews) != 2 || ap.Reviews[0].Decision != "reject" || ap.Reviews[1].Decision != "approve" {
			t.Fatalf("approved after resubmission: %+v", ap)
		}
		pub := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, rec.ID, "publish", nil))
		if pub.PublishedTitle != "隐患排查治理情况（修订）" || pub.PublishedBody != "<p>已核实企业名称。</p>" {
			t.Fatalf("published: %+v", pub)
		}
	})
}

// TestDisclosureAttributesAndValidation: only proactive records are
// published; withheld ones need a statutory reason; the category must be an
// information item of the county's catalog; a refused record stores nothing.
func TestDisclosureAttributesAndValidation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)

		onReq := s.DisCreate(d.clerk, d.county, map[string]any{"title": "企业执法档案", "category": "11", "body": "x",
			"formed_on": "2026-10-09", "attribute": "on_request"})
		if onReq.PublishDeadline != "" || onReq.Attribute != "on_request" {
			t.Fatalf("on_request record has a publication deadline: %+v", onReq)
		}
		s.DisAct(200, d.clerk, d.county, onReq.ID, "submit", nil)
		s.DisAct(200, d.reviewer, d.county, onReq.ID, "review", map[string]any{"decision": "approve"})
		disWantCode(s, 409, "not_proactive", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(onReq.ID)+"/publish"), d.reviewer, nil))

		before := s.CountRows(`SELECT COUNT(*) FROM disclosure_records`)
		r := s.Do("POST", e2e.DisPath(d.county, "/disclosures"), d.clerk, map[string]any{"title": "涉密事项", "category": "11",
			"body": "x", "formed_on": "2026-10-09", "attribute": "withheld"})
		disWantCode(s, 400, "invalid_input", r)
		if disField(r, "withheld_reason") == "" {
			t.Fatalf("no withheld_reason error: %s", r.Raw)
		}
		s.Must(400, s.Do("POST", e2e.DisPath(d.county, "/disclosures"), d.clerk, map[string]any{"title": "涉密事项", "category": "11",
			"body": "x", "formed_on": "2026-10-09", "attribute": "withheld", "withheld_reason": "because"}))
		withheld := s.DisCreate(d.clerk, d.county, map[string]any{"title": "涉密事项", "category": "11", "body": "x",
			"formed_on": "2026-10-09", "attribute": "withheld", "withheld_reason": "state_secret"})
		if withheld.WithheldReason != "state_secret" || withheld.PublishDeadline != "" {
			t.Fatalf("withheld: %+v", withheld)
		}
		s.DisAct(200, d.clerk, d.county, withheld.ID, "submit", nil)
		s.DisAct(200, d.reviewer, d.county, withheld.ID, "review", map[string]any{"decision": "approve"})
		disWantCode(s, 409, "not_proactive", s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(withheld.ID)+"/publish"), d.admin, nil))
		// A reason given with another attribute is dropped.
		pro := s.DisCreate(d.clerk, d.county, map[string]any{"title": "主动公开", "category": "1", "body": "x",
			"formed_on": "2026-10-09", "withheld_reason": "state_secret"})
		if pro.Attribute != "proactive" || pro.WithheldReason != "" {
			t.Fatalf("default attribute: %+v", pro)
		}
		before += 2 // withheld and pro

		for _, c := range []struct {
			name  string
			patch map[string]any
			field string
		}{
			{"a power item", map[string]any{"category": "274"}, "category"},
			{"no such item", map[string]any{"category": "99"}, "category"},
			{"no category", map[string]any{"category": ""}, "category"},
			{"no title", map[string]any{"title": "  "}, "title"},
			{"title too long", map[string]any{"title": strings.Repeat("长", 201)}, "title"},
			{"bad date", map[string]any{"formed_on": "2026-13-01"}, "formed_on"},
			{"future date", map[string]any{"formed_on": "2026-10-13"}, "formed_on"},
			{"bad attribute", map[string]any{"attribute": "secret"}, "attribute"},
		} {
			in := map[string]any{"title": "标题", "category": "11", "body": "x", "formed_on": "2026-10-09", "attribute": "proactive"}
			for k, v := range c.patch {
				in[k] = v
			}
			r := s.Do("POST", e2e.DisPath(d.county, "/disclosures"), d.clerk, in)
			if r.Status != 400 || disField(r, c.field) == "" {
				t.Errorf("%s: %d %s, want 400 on %s", c.name, r.Status, r.Raw, c.field)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_records`); n != before {
			t.Errorf("%d records stored, want %d", n, before)
		}
		// An update with a bad category is refused too and changes nothing.
		s.Must(400, s.Do("PUT", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(pro.ID)), d.clerk,
			map[string]any{"title": "改", "category": "274", "body": "y", "formed_on": "2026-10-09"}))
		if got := disGet(s, d.clerk, d.county, pro.ID); got.Title != "主动公开" || got.Category != "1" {
			t.Errorf("refused update changed the record: %+v", got)
		}
		// Not JSON: 415.
		s.Must(415, s.Do("POST", e2e.DisPath(d.county, "/disclosures"), d.clerk, nil))
	})
}

// disMultipart builds a multipart/form-data body by hand with one file field.
func disMultipart(field, filename string, data []byte) (body []byte, contentType string) {
	const boundary = "----pilotBoundary7MA4YWxkTrZu0gW"
	var b bytes.Buffer
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString(`Content-Disposition: form-data; name="` + field + `"; filename="` + filename + "\"\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\n\r\n")
	b.Write(data)
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), "multipart/form-data; boundary=" + boundary
}

func disUpload(s *e2e.Service, token, county string, id int64, filename string, data []byte) e2e.Response {
	s.T.Helper()
	body, ct := disMultipart("file", filename, data)
	req := httptest.NewRequest("POST", e2e.DisPath(county, "/disclosures/"+e2e.Itoa(id)+"/attachments"), bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

var disPDF = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// TestDisclosureAttachments: files checked by their bytes, stored in the
// database, scanned by name and contents, and served to the public under the
// masked name.
func TestDisclosureAttachments(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		rec := s.DisCreate(d.clerk, d.county, e2e.DisPlain("检查通报", "2026-10-09"))

		name := "张三-" + disMobile + ".pdf"
		up := s.Must(201, disUpload(s, d.clerk, d.county, rec.ID, name, disPDF))
		att := e2e.DisDecode[e2e.DisAttachment](t, up)
		if att.FileName != name || att.Size != int64(len(disPDF)) || len(att.SHA256) != 64 || att.ID == 0 {
			t.Fatalf("uploaded %s", up.Raw)
		}
		// An executable or a web page named .pdf, a script file: 400.
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 64)...)
		for _, bad := range []struct {
			name string
			data []byte
		}{
			{"通知.pdf", exe},
			{"通知.pdf", []byte("<html><script>alert(1)</script></html>")},
			{"run.exe", exe},
			{"<b>.pdf", disPDF},
			{"empty.pdf", nil},
		} {
			r := disUpload(s, d.clerk, d.county, rec.ID, bad.name, bad.data)
			if r.Status != 400 || disField(r, "file") == "" {
				t.Errorf("upload %q: %d %s, want 400 on file", bad.name, r.Status, r.Raw)
			}
		}
		// No file field, or not multipart at all.
		s.Must(400, s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments"), d.clerk, map[string]any{}))
		// A path in the name keeps only the file name.
		trick := e2e.DisDecode[e2e.DisAttachment](t, s.Must(201, disUpload(s, d.clerk, d.county, rec.ID, "../../etc/passwd.pdf", disPDF)))
		if trick.FileName != "passwd.pdf" {
			t.Errorf("path kept in %q", trick.FileName)
		}
		// Only the author adds files.
		disWantCode(s, 403, "not_author", disUpload(s, d.writer, d.county, rec.ID, "a.pdf", disPDF))
		disWantCode(s, 403, "forbidden", disUpload(s, d.reviewer, d.county, rec.ID, "a.pdf", disPDF))
		if n := s.CountRows(`SELECT COUNT(*) FROM disclosure_attachments WHERE record_id = ?`, rec.ID); n != 2 {
			t.Fatalf("%d attachments stored, want 2", n)
		}

		// Download by the staff: the bytes as uploaded.
		dl := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments/"+e2e.Itoa(att.ID)), d.reviewer, nil))
		if !bytes.Equal(dl.Raw, disPDF) || dl.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %q %q", dl.Header.Get("Content-Type"), dl.Raw)
		}
		if fn := disFilename(t, dl.Header.Get("Content-Disposition")); fn != name {
			t.Errorf("staff download named %q", fn)
		}
		s.Must(404, s.Do("GET", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments/999999"), d.reviewer, nil))

		// The name is scanned.
		v := disGet(s, d.reviewer, d.county, rec.ID)
		field := "attachment:" + e2e.Itoa(att.ID)
		found := false
		for _, f := range v.ScanFindings {
			if f.Field == field && f.Kind == "mobile" && f.Start == 3 && f.End == 14 && f.Text == disMobile {
				found = true
			}
		}
		if !found || len(v.Attachments) != 2 {
			t.Fatalf("attachment name not scanned: %+v", v)
		}
		// Not public before publication.
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments/"+e2e.Itoa(att.ID)), "", nil))

		s.DisAct(200, d.clerk, d.county, rec.ID, "submit", nil)
		disWantCode(s, 409, "invalid_transition", disUpload(s, d.clerk, d.county, rec.ID, "late.pdf", disPDF))
		// These PDFs hold no text: the scan says it could not check them, and
		// approval waits for the reviewer's hand check of both.
		unread := map[string]bool{}
		for _, f := range disGet(s, d.reviewer, d.county, rec.ID).ScanFindings {
			if f.Kind == "unreadable" {
				unread[f.Field] = true
			}
		}
		if !unread["attachment_content:"+e2e.Itoa(att.ID)] || !unread["attachment_content:"+e2e.Itoa(trick.ID)] {
			t.Fatalf("PDFs without text not reported: %v", unread)
		}
		if r := s.Do("POST", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/review"), d.reviewer, map[string]any{"decision": "approve",
			"redactions": []map[string]any{{"field": field, "start": 3, "end": 14}}}); r.Status != 400 || disField(r, "checked_attachments") == "" {
			t.Fatalf("approved without the hand check: %d %s", r.Status, r.Raw)
		}
		s.DisAct(200, d.reviewer, d.county, rec.ID, "review", map[string]any{"decision": "approve",
			"redactions": []map[string]any{{"field": field, "start": 3, "end": 14}}, "checked_attachments": []int64{att.ID, trick.ID}})
		s.DisAct(200, d.reviewer, d.county, rec.ID, "publish", nil)

		masked := "张三-" + strings.Repeat("＊", 11) + ".pdf"
		det := e2e.DisDecode[disPublicRecord](t, s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)), "", nil)))
		if len(det.Attachments) != 2 || det.Attachments[0].FileName != masked || det.Attachments[1].FileName != "passwd.pdf" {
			t.Fatalf("public attachments %+v", det.Attachments)
		}
		pdl := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments/"+e2e.Itoa(att.ID)), "", nil))
		if !bytes.Equal(pdl.Raw, disPDF) {
			t.Fatalf("public download bytes %q", pdl.Raw)
		}
		if fn := disFilename(t, pdl.Header.Get("Content-Disposition")); fn != masked {
			t.Errorf("public download named %q, want %q", fn, masked)
		}
		if strings.Contains(pdl.Header.Get("Content-Disposition"), disMobile) {
			t.Errorf("header leaks the number: %s", pdl.Header.Get("Content-Disposition"))
		}
		// The staff download keeps the real name.
		sdl := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/disclosures/"+e2e.Itoa(rec.ID)+"/attachments/"+e2e.Itoa(att.ID)), d.clerk, nil))
		if fn := disFilename(t, sdl.Header.Get("Content-Disposition")); fn != name {
			t.Errorf("staff download named %q after publication", fn)
		}
	})
}

func disFilename(t *testing.T, header string) string {
	t.Helper()
	disp, params, err := mime.ParseMediaType(header)
	if err != nil || disp != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", header, err)
	}
	return params["filename"]
}

// TestDisclosurePublicationDeadline: 20 working days from the formation date,
// across the 2026 Mid-Autumn and National Day holidays; the overdue job flags
// a record past it exactly once; a late publication is recorded as late.
func TestDisclosurePublicationDeadline(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		d := disclosureDesk(s, disCountyA)
		admin := s.AdminToken()

		// formed_on 2026-09-21 (Mon). The calendar (cn-workday-calendar.json,
		// 2026) has holidays 09-25..27 (Mid-Autumn) and 10-01..07 (National
		// Day), and 10-10 (Sat) as a make-up working day. Counting from the day
		// after: 09-22, 23, 24 (3); 28, 29, 30 (6); 10-08, 09 (8); 10-10 (9);
		// 12..16 (14); 19..23 (19); 10-26 (20). Deadline 2026-10-26.
		late := s.DisCreate(d.clerk, d.county, e2e.DisPlain("九月形成的信息", "2026-09-21"))
		if late.PublishDeadline != "2026-10-26" || late.DeadlineProvisional {
			t.Fatalf("deadline %s provisional %v, want 2026-10-26", late.PublishDeadline, late.DeadlineProvisional)
		}
		// Others that must never be flagged: published in time, on request, withdrawn.
		onTime := s.DisCreate(d.clerk, d.county, e2e.DisPlain("按时发布的信息", "2026-09-21"))
		s.DisAct(200, d.clerk, d.county, onTime.ID, "submit", nil)
		s.DisAct(200, d.reviewer, d.county, onTime.ID, "review", map[string]any{"decision": "approve"})
		if p := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, onTime.ID, "publish", nil)); p.PublishedOnTime == nil || !*p.PublishedOnTime {
			t.Fatalf("published in time: %+v", p)
		}
		onReq := s.DisCreate(d.clerk, d.county, map[string]any{"title": "依申请公开", "category": "11", "body": "x",
			"formed_on": "2026-09-21", "attribute": "on_request"})

		notices := func() int {
			return s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = 'disclosure_overdue'`, d.county)
		}
		runJob := func() string {
			r := s.Must(200, s.Do("POST", "/api/v1/jobs/overdue/run", admin, nil))
			if r.Body["status"] != "succeeded" {
				t.Fatalf("job: %s", r.Raw)
			}
			detail, _ := r.Body["detail"].(string)
			return detail
		}

		// On the deadline day itself the record is not late.
		disTravel(s, "2026-10-26")
		if detail := runJob(); !strings.Contains(detail, "records past the 20-day rule 0") {
			t.Errorf("deadline day: %s", detail)
		}
		if n := notices(); n != 0 {
			t.Fatalf("%d notices on the deadline day", n)
		}
		if v := disGet(s, d.clerk, d.county, late.ID); v.Overdue || v.OverdueFlagged {
			t.Fatalf("overdue on the deadline day: %+v", v)
		}

		// The next day: flagged once, with a notice to the county
		// administrator and to the author.
		disTravel(s, "2026-10-27")
		if detail := runJob(); !strings.Contains(detail, "records past the 20-day rule 1") {
			t.Errorf("day after: %s", detail)
		}
		for i := 0; i < 3; i++ {
			if detail := runJob(); !strings.Contains(detail, "records past the 20-day rule 0") {
				t.Errorf("run %d again: %s", i, detail)
			}
		}
		if n := notices(); n != 2 {
			t.Fatalf("%d notices, want 2 (administrator and author)", n)
		}
		for _, uid := range []int64{d.adminID, d.clerkID} {
			if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE kind = 'disclosure_overdue' AND user_id = ?`, uid); n != 1 {
				t.Errorf("user %d has %d notices", uid, n)
			}
		}
		v := disGet(s, d.clerk, d.county, late.ID)
		if !v.Overdue || !v.OverdueFlagged {
			t.Fatalf("late record: %+v", v)
		}
		for _, id := range []int64{onTime.ID, onReq.ID} {
			if v := disGet(s, d.clerk, d.county, id); v.Overdue || v.OverdueFlagged {
				t.Errorf("record %d flagged: %+v", id, v)
			}
		}

		// Published late: recorded so; never flagged again.
		s.DisAct(200, d.clerk, d.county, late.ID, "submit", nil)
		s.DisAct(200, d.reviewer, d.county, late.ID, "review", map[string]any{"decision": "approve"})
		p := e2e.DisDecode[e2e.DisRecord](t, s.DisAct(200, d.reviewer, d.county, late.ID, "publish", nil))
		if p.PublishedOnTime == nil || *p.PublishedOnTime || p.Overdue {
			t.Fatalf("published late: %+v", p)
		}
		disTravel(s, "2026-11-20")
		runJob()
		if n := notices(); n != 2 {
			t.Fatalf("%d notices after publication, want 2", n)
		}
	})
}

// TestDisclosureMetrics: the backlog gauges, read at scrape time against
// the real clock.
func TestDisclosureMetrics(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		today := time.Now().In(time.FixedZone("CST", 8*3600))
		// Formed 90 days ago: past 20 working days whatever the holidays.
		old := today.AddDate(0, 0, -90).Format("2006-01-02")
		s.DisCreate(d.clerk, d.county, e2e.DisPlain("早已超期", old))
		pending := s.DisCreate(d.clerk, d.county, e2e.DisPlain("待审查", today.Format("2006-01-02")))
		s.DisAct(200, d.clerk, d.county, pending.ID, "submit", nil)
		s.DisCreate(d.clerk, d.county, map[string]any{"title": "依申请", "category": "11", "body": "x", "formed_on": old, "attribute": "on_request"})
		r := s.Must(200, s.Do("GET", "/metrics", "", nil))
		for _, line := range []string{
			`pilot_disclosure_overdue{county="` + d.county + `"} 1`,
			`pilot_disclosure_review_backlog{county="` + d.county + `"} 1`,
		} {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `$`).Match(r.Raw) {
				t.Errorf("metrics lack %s", line)
			}
		}
	})
}

// TestDisclosureInfoRequests: requests filed on the portal, their deadline
// of 20 working days, the annual-report outcomes, the one extension, and
// tracking by number.
func TestDisclosureInfoRequests(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		d := disclosureDesk(s, disCountyA)
		b := disclosureDesk(s, disCountyB)
		// Received on 2026-09-24 (Thu); counting from the next day, 09-25..27
		// and 10-01..07 are holidays and 10-10 (Sat) is worked: 09-28, 29, 30
		// (3); 10-08, 09, 10 (6); 12..16 (11); 19..23 (16); 26, 27, 28, 29 (20).
		disTravel(s, "2026-09-24")
		s.Must(400, s.Do("POST", e2e.DisPublic(d.county, "/info-requests"), "", map[string]any{"name": "", "contact": "x", "description": "y"}))
		req := map[string]any{"name": "李四", "contact": "lisi@example.com 13912345678", "description": "2025年度辖区烟花爆竹经营许可发放情况",
			"preferred_form": "email"}
		r := s.Must(201, s.Do("POST", e2e.DisPublic(d.county, "/info-requests"), "", req))
		tracking, _ := r.Body["tracking_no"].(string)
		if !regexp.MustCompile(`^GK`+d.county+`-[2-9A-HJKMNP-Z]{10}$`).MatchString(tracking) ||
			r.Body["deadline"] != "2026-10-29" || r.Body["received_on"] != "2026-09-24" || r.Body["deadline_provisional"] != false {
			t.Fatalf("filed: %s", r.Raw)
		}
		for _, k := range []string{"name", "contact", "requester_name", "id"} {
			if _, ok := r.Body[k]; ok {
				t.Errorf("filing answer shows %q: %s", k, r.Raw)
			}
		}
		var id int64
		if err := s.Svc.DB.Get(&id, `SELECT id FROM info_requests WHERE tracking_no = ?`, tracking); err != nil {
			t.Fatal(err)
		}
		rp := func(rest string) string { return e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id)+rest) }
		got := s.Must(200, s.Do("GET", rp(""), d.clerk, nil))
		if got.Body["requester_name"] != "李四" || got.Body["status"] != "received" || got.Body["extended"] != false {
			t.Fatalf("staff view %s", got.Raw)
		}
		if l := s.Must(200, s.Do("GET", e2e.DisPath(d.county, "/info-requests?status=received"), d.reviewer, nil)); disNum(l.Body["total"]) != 1 {
			t.Errorf("list %s", l.Raw)
		}

		// Extension: the head of the disclosure office only, with a reason, once.
		disWantCode(s, 403, "forbidden", s.Do("POST", rp("/extend"), d.clerk, map[string]any{"reason": "需要协调"}))
		s.Must(400, s.Do("POST", rp("/extend"), d.head, map[string]any{"reason": ""}))
		disTravel(s, "2026-10-20")
		ext := s.Must(200, s.Do("POST", rp("/extend"), d.head, map[string]any{"reason": "涉及第三方，需征求意见"}))
		// 40 working days from 09-24: the 20 above to 10-29, then 10-30 (21);
		// 11-02..06 (26); 09..13 (31); 16..20 (36); 23..26 (40).
		if ext.Body["deadline"] != "2026-11-26" || ext.Body["extended"] != true || disNum(ext.Body["extension_approved_by"]) != d.headID {
			t.Fatalf("extended: %s", ext.Raw)
		}
		disWantCode(s, 409, "already_extended", s.Do("POST", rp("/extend"), d.leader, map[string]any{"reason": "再延"}))

		// Answer: the outcome's sub-reason is required where it has some.
		for _, bad := range []map[string]any{
			{"outcome": "not_disclosed", "answer": "不予公开"},
			{"outcome": "not_disclosed", "reason": "not_held", "answer": "不予公开"},
			{"outcome": "refused", "answer": "x"},
			{"outcome": "disclosed", "answer": "  "},
		} {
			disWantCode(s, 400, "invalid_input", s.Do("POST", rp("/answer"), d.clerk, bad))
		}
		disWantCode(s, 403, "forbidden", s.Do("POST", rp("/answer"), d.reviewer,
			map[string]any{"outcome": "disclosed", "answer": "见附件"}))
		disTravel(s, "2026-11-02")
		ans := s.Must(200, s.Do("POST", rp("/answer"), d.clerk,
			map[string]any{"outcome": "not_disclosed", "reason": "state_secret", "answer": "所申请信息属于国家秘密，不予公开。"}))
		if ans.Body["status"] != "answered" || ans.Body["outcome"] != "not_disclosed" || ans.Body["outcome_reason"] != "state_secret" ||
			ans.Body["answered_on"] != "2026-11-02" || ans.Body["on_time"] != true || disNum(ans.Body["answered_by"]) != d.clerkID {
			t.Fatalf("answered: %s", ans.Raw)
		}
		disWantCode(s, 409, "invalid_transition", s.Do("POST", rp("/answer"), d.clerk, map[string]any{"outcome": "disclosed", "answer": "改为公开"}))
		disWantCode(s, 409, "invalid_transition", s.Do("POST", rp("/extend"), d.head, map[string]any{"reason": "晚了"}))

		// Public tracking: status only.
		tr := s.Must(200, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+tracking), "", nil))
		if tr.Body["tracking_no"] != tracking || tr.Body["status"] != "answered" || tr.Body["outcome"] != "not_disclosed" ||
			tr.Body["deadline"] != "2026-11-26" || tr.Body["extended"] != true {
			t.Fatalf("tracking %s", tr.Raw)
		}
		for _, leak := range []string{"李四", "lisi@", "13912345678", "烟花爆竹", "国家秘密，不予公开", "requester", "contact"} {
			if strings.Contains(string(tr.Raw), leak) {
				t.Errorf("tracking shows %q: %s", leak, tr.Raw)
			}
		}
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/GK"+d.county+"-AAAAAAAAAA"), "", nil))

		// A request of county B is not found under county A, nor by A's staff.
		rb := s.Must(201, s.Do("POST", e2e.DisPublic(b.county, "/info-requests"), "", req))
		trackingB, _ := rb.Body["tracking_no"].(string)
		s.Must(200, s.Do("GET", e2e.DisPublic(b.county, "/info-requests/"+trackingB), "", nil))
		s.Must(404, s.Do("GET", e2e.DisPublic(d.county, "/info-requests/"+trackingB), "", nil))
		s.Must(404, s.Do("GET", e2e.DisPublic(b.county, "/info-requests/"+tracking), "", nil))
		var idB int64
		if err := s.Svc.DB.Get(&idB, `SELECT id FROM info_requests WHERE tracking_no = ?`, trackingB); err != nil {
			t.Fatal(err)
		}
		s.Must(404, s.Do("GET", e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(idB)), d.admin, nil))
		s.Must(404, s.Do("POST", e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(idB)+"/answer"), d.clerk,
			map[string]any{"outcome": "disclosed", "answer": "x"}))
		s.Must(404, s.Do("POST", e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(idB)+"/extend"), d.head, map[string]any{"reason": "x"}))
		if got := s.Must(200, s.Do("GET", e2e.DisPath(b.county, "/info-requests/"+e2e.Itoa(idB)), b.admin, nil)); got.Body["status"] != "received" {
			t.Fatalf("B's request touched: %s", got.Raw)
		}

		// Outcomes without sub-reasons, and late answers.
		disTravel(s, "2026-09-24")
		r3 := s.Must(201, s.Do("POST", e2e.DisPublic(d.county, "/info-requests"), "", req))
		var id3 int64
		if err := s.Svc.DB.Get(&id3, `SELECT id FROM info_requests WHERE tracking_no = ?`, r3.Body["tracking_no"]); err != nil {
			t.Fatal(err)
		}
		// The overdue job warns once when it is due on the next working day
		// (10-28, Wed: due 10-29) and once when it is late (10-30), with a
		// notice to the county administrator.
		admin := s.AdminToken()
		runJob := func(date, want string) {
			t.Helper()
			disTravel(s, date)
			r := s.Must(200, s.Do("POST", "/api/v1/jobs/overdue/run", admin, nil))
			if detail, _ := r.Body["detail"].(string); !strings.Contains(detail, want) {
				t.Errorf("%s: job detail %q, want %q", date, detail, want)
			}
		}
		runJob("2026-10-27", "requests due soon 0, overdue 0")
		runJob("2026-10-28", "requests due soon 1, overdue 0")
		runJob("2026-10-28", "requests due soon 0, overdue 0")
		runJob("2026-10-29", "requests due soon 0, overdue 0")
		runJob("2026-10-30", "requests due soon 0, overdue 1")
		runJob("2026-10-30", "requests due soon 0, overdue 0")
		for kind, want := range map[string]int{"request_yellow": 1, "request_red": 1} {
			if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind = ? AND user_id = ?`, d.county, kind, d.adminID); n != want {
				t.Errorf("%d %s notices, want %d", n, kind, want)
			}
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ?`, b.county); n != 0 {
			t.Errorf("county B has %d notices", n)
		}
		a3 := s.Must(200, s.Do("POST", e2e.DisPath(d.county, "/info-requests/"+e2e.Itoa(id3)+"/answer"), d.clerk,
			map[string]any{"outcome": "disclosed", "reason": "state_secret", "answer": "予以公开"}))
		if a3.Body["outcome_reason"] != "" || a3.Body["on_time"] != false {
			t.Fatalf("late answer: %s", a3.Raw)
		}
	})
}

// TestDisclosureIsolation: county B's staff get 403 on county A's routes,
// and A's record ids under B's path are not found.
func TestDisclosureIsolation(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		disTravel(s, "2026-10-12")
		a := disclosureDesk(s, disCountyA)
		b := disclosureDesk(s, disCountyB)
		rec := s.DisCreate(a.clerk, a.county, e2e.DisPlain("甲县信息", "2026-10-09"))
		idp := "/disclosures/" + e2e.Itoa(rec.ID)

		for _, tok := range []string{b.admin, b.clerk, b.reviewer} {
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/disclosures", nil},
				{"POST", "/disclosures", e2e.DisPlain("乙县写到甲县", "2026-10-09")},
				{"GET", idp, nil},
				{"PUT", idp, e2e.DisPlain("改", "2026-10-09")},
				{"POST", idp + "/submit", nil},
				{"POST", idp + "/review", map[string]any{"decision": "approve"}},
				{"POST", idp + "/publish", nil},
				{"POST", idp + "/withdraw", map[string]any{"reason": "x"}},
				{"GET", "/disclosure-settings", nil},
				{"PUT", "/disclosure-settings", map[string]any{"second_review": true}},
				{"GET", "/info-requests", nil},
			} {
				disWantCode(s, 403, "forbidden", s.Do(c.method, e2e.DisPath(a.county, c.path), tok, c.body))
			}
		}
		disWantCode(s, 403, "forbidden", disUpload(s, b.clerk, a.county, rec.ID, "a.pdf", disPDF))

		// A's record under B's path: not found, for every action.
		s.Must(404, s.Do("GET", e2e.DisPath(b.county, idp), b.admin, nil))
		s.Must(404, s.Do("PUT", e2e.DisPath(b.county, idp), b.clerk, e2e.DisPlain("改", "2026-10-09")))
		s.Must(404, s.Do("POST", e2e.DisPath(b.county, idp+"/submit"), b.clerk, nil))
		s.Must(404, disUpload(s, b.clerk, b.county, rec.ID, "a.pdf", disPDF))

		s.DisAct(200, a.clerk, a.county, rec.ID, "submit", nil)
		s.Must(404, s.Do("POST", e2e.DisPath(b.county, idp+"/review"), b.reviewer, map[string]any{"decision": "approve"}))
		s.DisAct(200, a.reviewer, a.county, rec.ID, "review", map[string]any{"decision": "approve"})
		s.Must(404, s.Do("POST", e2e.DisPath(b.county, idp+"/publish"), b.admin, nil))
		s.DisAct(200, a.reviewer, a.county, rec.ID, "publish", nil)
		s.Must(404, s.Do("POST", e2e.DisPath(b.county, idp+"/withdraw"), b.admin, map[string]any{"reason": "x"}))
		s.Must(404, s.Do("GET", e2e.DisPublic(b.county, idp), "", nil))
		s.Must(200, s.Do("GET", e2e.DisPublic(a.county, idp), "", nil))
		if l := s.Must(200, s.Do("GET", e2e.DisPath(b.county, "/disclosures"), b.admin, nil)); disNum(l.Body["total"]) != 0 {
			t.Errorf("B lists A's records: %s", l.Raw)
		}
		if l := s.Must(200, s.Do("GET", e2e.DisPublic(b.county, "/disclosures"), "", nil)); disNum(l.Body["total"]) != 0 {
			t.Errorf("B's portal lists A's records: %s", l.Raw)
		}
		if got := disGet(s, a.admin, a.county, rec.ID); got.Status != "published" || len(got.Reviews) != 1 {
			t.Fatalf("A's record after B's attempts: %+v", got)
		}
		// A county that is not a pilot has no portal.
		s.Must(404, s.Do("GET", e2e.DisPublic("340104", "/disclosures"), "", nil))
	})
}
