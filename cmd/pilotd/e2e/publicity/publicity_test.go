// Package publicity_test drives the 双公示 end to end through HTTP: a granted
// licence falls due for publication 7 working days after its written
// decision, the overdue job lights it once per light, a reviewer publishes
// it with personal data masked, the public sees it, and a revoked decision
// is withdrawn with its reason.
package publicity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/modules/publicity"
)

func TestMain(m *testing.M) { e2e.Main(m) }

// puTravel moves "today" of the case and publicity rules to date, 10:00
// Beijing time.
func puTravel(s *e2e.Service, date string) {
	s.T.Helper()
	now, err := time.ParseInLocation("2006-01-02 15:04", date+" 10:00", e2e.Beijing)
	if err != nil {
		s.T.Fatal(err)
	}
	f := func() time.Time { return now }
	s.Svc.Cases.Now, s.Svc.Publicity.Now = f, f
}

func puPath(county, rest string) string { return "/api/v1/counties/" + county + "/publicity" + rest }

// puEntries lists a county's entries as its administrator sees them.
func puEntries(s *e2e.Service, token, county string) []map[string]any {
	s.T.Helper()
	var out []map[string]any
	for _, e := range s.Must(200, s.Do("GET", puPath(county, ""), token, nil)).Body["entries"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func puPublic(s *e2e.Service, county string) []map[string]any {
	s.T.Helper()
	var out []map[string]any
	for _, e := range s.Must(200, s.Do("GET", "/api/v1/public/counties/"+county+"/publicity", "", nil)).Body["decisions"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func puFlag(s *e2e.Service) publicity.Flags {
	s.T.Helper()
	f, err := s.Svc.Publicity.FlagOverdue(context.Background())
	if err != nil {
		s.T.Fatal(err)
	}
	return f
}

func TestPublicity(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CaseCountyA
		d := s.CaseDesk(county)
		dB := s.CaseDesk(e2e.CaseCountyB)

		// Monday 2026-09-14: one licence granted, one refused, one granted
		// with a secrecy mark in its reason.
		puTravel(s, "2026-09-14")
		open := func() e2e.CaseView {
			c := s.NewCase(d.Clerk, county, e2e.CaseBody("274"))
			s.MustAct(d.Clerk, county, c.ID, "accept")
			return c
		}
		granted, refused, marked := open(), open(), open()
		s.MustAct(d.Reviewer, county, granted.ID, "approve", "reason", "请持本决定领取许可证，咨询电话13912345678")
		s.MustAct(d.Reviewer, county, refused.ID, "deny", "reason", "储存场所不符合安全条件")
		s.MustAct(d.Reviewer, county, marked.ID, "approve", "reason", "依据机密文件审批")

		// Each decision is written and numbered (行政许可法 第三十八条).
		kinds := s.CountRows(`SELECT COUNT(*) FROM written_notices WHERE county_code = ? AND kind = 'case_approval'`, county)
		denials := s.CountRows(`SELECT COUNT(*) FROM written_notices WHERE county_code = ? AND kind = 'case_denial'`, county)
		if kinds != 2 || denials != 1 {
			t.Fatalf("%d approval and %d denial notices, want 2 and 1", kinds, denials)
		}

		// Only granted licences are published (第四十条).
		list := puEntries(s, d.Admin, county)
		if len(list) != 2 {
			t.Fatalf("%d entries, want the 2 granted licences: %v", len(list), list)
		}
		var entry, markedEntry map[string]any
		for _, e := range list {
			switch int64(e["source_id"].(float64)) {
			case granted.ID:
				entry = e
			case marked.ID:
				markedEntry = e
			}
		}
		if entry == nil || markedEntry == nil {
			t.Fatalf("entries are not of the granted cases: %v", list)
		}
		id := int64(entry["id"].(float64))
		// Seven working days from the day after: 15–18, Sunday 20 (a
		// make-up working day), 21, 22.
		if entry["status"] != "pending" || entry["due_on"] != "2026-09-22" || entry["kind"] != "licensing" ||
			entry["party_name"] != e2e.ApplicantName || entry["decided_on"] != "2026-09-14" ||
			!strings.Contains(entry["decision_no"].(string), "许准决〔2026〕") {
			t.Fatalf("entry: %v", entry)
		}
		if got := puPublic(s, county); len(got) != 0 {
			t.Fatalf("the portal shows %v before publication", got)
		}

		// The lights: none two working days ahead, yellow the day before,
		// red after; each lit once, with one notice each.
		puTravel(s, "2026-09-18")
		if f := puFlag(s); f.DueSoon != 0 || f.Overdue != 0 {
			t.Fatalf("flags on 09-18: %+v", f)
		}
		puTravel(s, "2026-09-21")
		if f := puFlag(s); f.DueSoon != 2 || f.Overdue != 0 {
			t.Fatalf("flags on 09-21: %+v", f)
		}
		if f := puFlag(s); f.DueSoon != 0 {
			t.Fatalf("second run on 09-21 flagged again: %+v", f)
		}
		puTravel(s, "2026-09-23")
		if f := puFlag(s); f.Overdue != 2 || f.DueSoon != 0 {
			t.Fatalf("flags on 09-23: %+v", f)
		}
		if f := puFlag(s); f.Overdue != 0 {
			t.Fatalf("second run on 09-23 flagged again: %+v", f)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM notices WHERE county_code = ? AND kind IN ('publicity_yellow', 'publicity_red')`, county); n != 4 {
			t.Errorf("%d notices, want 4 (two entries, two lights each, one administrator)", n)
		}
		if got := puEntries(s, d.Admin, county)[0]["warning"]; got != "red" {
			t.Errorf("light %v on 09-23, want red", got)
		}

		// Roles and counties: a clerk cannot publish, another county sees nothing.
		puTravel(s, "2026-09-24")
		if r := s.Do("POST", puPath(county, "/"+e2e.Itoa(id)+"/publish"), d.Clerk, nil); r.Status != 403 {
			t.Errorf("clerk publishing: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("GET", puPath(county, "/"+e2e.Itoa(id)), dB.Admin, nil); r.Status != 403 && r.Status != 404 {
			t.Errorf("another county's administrator reads the entry: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", puPath(e2e.CaseCountyB, "/"+e2e.Itoa(id)+"/publish"), dB.Reviewer, nil); r.Status != 404 {
			t.Errorf("another county's reviewer publishes it through their county: %d %s", r.Status, r.Raw)
		}
		if got := puEntries(s, dB.Admin, e2e.CaseCountyB); len(got) != 0 {
			t.Errorf("county B lists %v", got)
		}

		// The secrecy mark blocks publication; nothing changes.
		markedID := int64(markedEntry["id"].(float64))
		if r := s.Do("POST", puPath(county, "/"+e2e.Itoa(markedID)+"/publish"), d.Reviewer, nil); r.Status != 409 || r.ErrorCode() != "secrecy_mark" {
			t.Errorf("publishing a secrecy mark: %d %s", r.Status, r.Raw)
		}

		// The preview masks the phone number the reviewer typed in the reason.
		detail := s.Must(200, s.Do("GET", puPath(county, "/"+e2e.Itoa(id)), d.Reviewer, nil)).Body
		preview := detail["preview"].(map[string]any)["public"].(map[string]any)
		if c := preview["content"].(string); strings.Contains(c, "13912345678") || !strings.Contains(c, "＊＊＊＊＊＊＊＊＊＊＊") {
			t.Errorf("preview content %q, want the phone masked", c)
		}

		pub := s.Must(200, s.Do("POST", puPath(county, "/"+e2e.Itoa(id)+"/publish"), d.Reviewer, nil)).Body
		if pub["status"] != "published" || pub["published_on"] != "2026-09-24" || pub["published_late"] != true {
			t.Fatalf("published: %v", pub)
		}
		if r := s.Do("POST", puPath(county, "/"+e2e.Itoa(id)+"/publish"), d.Reviewer, nil); r.Status != 409 {
			t.Errorf("publishing twice: %d %s", r.Status, r.Raw)
		}
		public := puPublic(s, county)
		if len(public) != 1 || public[0]["party_name"] != e2e.ApplicantName || strings.Contains(public[0]["content"].(string), "13912345678") ||
			public[0]["decision_no"] != entry["decision_no"] {
			t.Fatalf("portal: %v", public)
		}
		if got := puPublic(s, e2e.CaseCountyB); len(got) != 0 {
			t.Errorf("county B's portal shows %v", got)
		}

		// Withdrawal: bad input is refused naming the field, nothing changes.
		withdraw := puPath(county, "/"+e2e.Itoa(id)+"/withdraw")
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no reason", map[string]any{"revoked_on": "2026-09-24"}, "reason"},
			{"no date", map[string]any{"reason": "经行政复议撤销"}, "revoked_on"},
			{"not a date", map[string]any{"reason": "经行政复议撤销", "revoked_on": "9月24日"}, "revoked_on"},
			{"in the future", map[string]any{"reason": "经行政复议撤销", "revoked_on": "2026-10-30"}, "revoked_on"},
			{"before the decision", map[string]any{"reason": "经行政复议撤销", "revoked_on": "2026-09-01"}, "revoked_on"},
		} {
			r := s.Do("POST", withdraw, d.Reviewer, tc.body)
			if r.Status != 400 || e2e.ErrorFields(r)[tc.field] == nil {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.name, r.Status, r.Raw, tc.field)
			}
		}
		if got := puPublic(s, county); len(got) != 1 || got[0]["status"] != "published" {
			t.Fatalf("after refused withdrawals the portal shows %v", got)
		}

		// Revoked on 09-24; three working days after it (25–27 are the
		// Mid-Autumn holiday) end on 09-30. Recorded on 10-08: late.
		puTravel(s, "2026-10-08")
		w := s.Must(200, s.Do("POST", withdraw, d.Reviewer, map[string]any{"reason": "经行政复议撤销", "revoked_on": "2026-09-24"})).Body
		if w["status"] != "withdrawn" || w["withdraw_due"] != "2026-09-30" || w["withdrawn_late"] != true || w["withdrawn_on"] != "2026-10-08" {
			t.Fatalf("withdrawn: %v", w)
		}
		public = puPublic(s, county)
		if len(public) != 1 || public[0]["status"] != "withdrawn" || public[0]["withdraw_reason"] != "经行政复议撤销" ||
			public[0]["content"] != "" || public[0]["party_name"] != "" {
			t.Fatalf("portal after the withdrawal: %v", public)
		}
		if r := s.Do("POST", withdraw, d.Reviewer, map[string]any{"reason": "再次撤回", "revoked_on": "2026-09-24"}); r.Status != 409 {
			t.Errorf("withdrawing twice: %d %s", r.Status, r.Raw)
		}

		// A natural person's name is masked to the surname and their code
		// dropped when recorded, so it is never kept for publication.
		err := s.Svc.DB.InTx(context.Background(), func(tx *sqlx.Tx) error {
			return s.Svc.Publicity.Record(context.Background(), tx, publicity.Decision{CountyCode: county, Kind: publicity.KindPenalty,
				SourceKind: "test", SourceID: 1, DecisionNo: "测试罚决〔2026〕1号", ItemCode: "X", ItemName: "测试事项",
				PartyName: "张三丰", PartyCode: "340102199001011234", PartyIsPerson: true, Content: "罚款2000元", DecidedOn: "2026-10-08"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM publicity_entries WHERE party_name = '张＊＊' AND party_code = '' AND kind = 'penalty'`); n != 1 {
			t.Errorf("%d masked penalty entries, want 1", n)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM publicity_entries WHERE party_name LIKE '%三丰%' OR party_code LIKE '%1234'`); n != 0 {
			t.Errorf("the person's name or ID number is stored")
		}
	})
}
