package penalties_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
)

// bigUploads lets a request reach the handlers with more than a file's
// 10 MB, so the evidence's own limit is what refuses.
func bigUploads(cfg *server.Config) { cfg.UploadLimit = 34 << 20 }

// evidenceRows counts a county's stored evidence items and files.
func evidenceRows(s *e2e.Service, c string) (items, files int) {
	return s.CountRows(`SELECT COUNT(*) FROM penalty_evidence WHERE county_code = ?`, c),
		s.CountRows(`SELECT COUNT(*) FROM penalty_evidence_files WHERE county_code = ?`, c)
}

// upload posts an item of evidence to a case of county c.
func upload(s *e2e.Service, c, token string, id int64, fields url.Values, files ...e2e.MaterialFile) e2e.Response {
	s.T.Helper()
	return s.Send(e2e.EvidenceUpload(path(c, "/"+e2e.Itoa(id)+"/evidence"), token, fields, files...))
}

func evidenceID(r e2e.Response) string { return e2e.Itoa(e2e.Num(r.Body["id"])) }

func fileID(r e2e.Response, i int) string {
	return e2e.Itoa(e2e.Num(r.Body["files"].([]any)[i].(map[string]any)["id"]))
}

// TestPenaltyEvidence: officers attach evidence of the kinds of 第四十六条
// while the case is investigated and until the 法制审核 or the decision;
// the list and the files are read by officers, the reviewer and the
// 负责人 but not the county administrator; a download is byte for byte the
// upload with its type and name; a renamed executable, a file over 10 MB, a
// date after today, an unknown kind are refused with nothing
// stored; a void keeps the item and its file; after the decision nothing
// is added or voided (409) but all stays readable; another county reaches
// nothing, by its own path or by guessed ids.
func TestPenaltyEvidence(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, bigUploads, func(t *testing.T, s *e2e.Service) {
		d := newDesk(s, county)
		far := newDesk(s, other)
		s.EnforcementClock("2026-06-15")
		r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
			"facts": "未按规定培训从业人员2人", "filed_on": "2026-06-01"}))
		id := e2e.Num(r.Body["id"])
		base := path(county, "/"+e2e.Itoa(id)+"/evidence")

		// Upload: a 现场笔录 with a PDF and a photo.
		pdf := e2e.PDF(5000)
		png := e2e.PNG()
		fields := e2e.EvidenceFields("record", "现场检查记录", "2026-06-02")
		fields.Set("note", "检查时当事人在场")
		r = s.Must(201, upload(s, county, d.o3, id, fields, e2e.File("现场检查记录.pdf", pdf), e2e.File("现场照片.png", png)))
		first := evidenceID(r)
		if r.Body["kind_title"] != "勘验笔录、现场笔录" || r.Body["collected_on"] != "2026-06-02" || r.Body["voided"] != false ||
			len(r.Body["files"].([]any)) != 2 || r.Body["uploaded_by_name"] != "o3_"+county {
			t.Errorf("stored item: %s", r.Raw)
		}
		pdfID := fileID(r, 0)
		if items, files := evidenceRows(s, county); items != 1 || files != 2 {
			t.Fatalf("stored %d items, %d files; want 1, 2", items, files)
		}

		// Read by officers, the 法制审核 reviewer and the 负责人; not by the
		// county administrator, nor a clerk.
		for who, tok := range map[string]string{"officer": d.o3, "legal": d.legal, "leader": d.leader} {
			r := s.Must(200, s.Do("GET", base, tok, nil))
			if r.Body["total"] != 1.0 {
				t.Errorf("%s reads %s", who, r.Raw)
			}
		}
		for who, tok := range map[string]string{"admin": d.admin, "clerk": d.clerk} {
			if r := s.Do("GET", base, tok, nil); r.Status != 403 {
				t.Errorf("%s reads the evidence: %d", who, r.Status)
			}
			if r := s.Do("GET", base+"/"+first+"/files/"+pdfID, tok, nil); r.Status != 403 {
				t.Errorf("%s downloads a file: %d", who, r.Status)
			}
		}

		// Download: the same bytes, the stored type and name, no sniffing.
		dl := s.Must(200, s.Do("GET", base+"/"+first+"/files/"+pdfID, d.legal, nil))
		if !bytes.Equal(dl.Raw, pdf) {
			t.Errorf("downloaded %d bytes, not the %d uploaded", len(dl.Raw), len(pdf))
		}
		if ct := dl.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, url.PathEscape("现场检查记录.pdf")) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if dl.Header.Get("X-Content-Type-Options") != "nosniff" || dl.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("download headers: %v", dl.Header)
		}

		// Refusals store nothing.
		refusedUpload := func(what, token string, status int, field, inMessage string, f url.Values, files ...e2e.MaterialFile) {
			t.Helper()
			items, stored := evidenceRows(s, county)
			r := upload(s, county, token, id, f, files...)
			if r.Status != status {
				t.Errorf("%s: status %d, want %d: %.300s", what, r.Status, status, r.Raw)
			}
			if field != "" {
				if m, _ := e2e.ErrorFields(r)[field].(string); !strings.Contains(m, inMessage) {
					t.Errorf("%s: error.fields.%s = %q, want it to say %q: %s", what, field, m, inMessage, r.Raw)
				}
			}
			if i, f := evidenceRows(s, county); i != items || f != stored {
				t.Errorf("%s stored something: %d→%d items, %d→%d files", what, items, i, stored, f)
			}
		}
		good := e2e.EvidenceFields("statement", "询问笔录（王某）", "2026-06-03")
		refusedUpload("an executable renamed .pdf beside a good file", d.o3, 400, "file", "程序.pdf",
			good, e2e.File("笔录.pdf", pdf), e2e.File("程序.pdf", e2e.EXE()))
		refusedUpload("a file over 10 MB", d.o3, 413, "file", "不能超过10MB", good, e2e.File("大.pdf", e2e.PDF(10<<20+1)))
		refusedUpload("a type not accepted", d.o3, 400, "file", "只接受 PDF、OFD、JPEG、PNG", good, e2e.File("笔录.docx", []byte("PK\x03\x04abc")))
		refusedUpload("collected tomorrow", d.o3, 400, "collected_on", "不能晚于今天",
			e2e.EvidenceFields("statement", "询问笔录", "2026-06-16"), e2e.File("笔录.pdf", pdf))
		refusedUpload("not a date", d.o3, 400, "collected_on", "YYYY-MM-DD",
			e2e.EvidenceFields("statement", "询问笔录", "6月3日"), e2e.File("笔录.pdf", pdf))
		refusedUpload("a kind 第四十六条 does not list", d.o3, 400, "kind", "第四十六条",
			e2e.EvidenceFields("rumour", "传闻", "2026-06-03"), e2e.File("笔录.pdf", pdf))
		refusedUpload("no title, no collector", d.o3, 400, "title", "不能为空",
			url.Values{"kind": {"witness"}, "collected_on": {"2026-06-03"}}, e2e.File("笔录.pdf", pdf))
		refusedUpload("no file", d.o3, 400, "file", "请选择", good)
		refusedUpload("the 法制审核 reviewer adds", d.legal, 403, "", "", good, e2e.File("笔录.pdf", pdf))
		refusedUpload("the 负责人 adds", d.leader, 403, "", "", good, e2e.File("笔录.pdf", pdf))
		refusedUpload("the administrator adds", d.admin, 403, "", "", good, e2e.File("笔录.pdf", pdf))

		// A second item, then voided: kept with its file and the reason.
		r = s.Must(201, upload(s, county, d.o3, id, e2e.EvidenceFields("expert", "鉴定意见（错传）", "2026-06-03"),
			e2e.File("笔录-错.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00scan"))))
		wrong, wrongFile := evidenceID(r), fileID(r, 0)
		s.MustInvalid("void without a reason", s.Do("POST", base+"/"+wrong+"/void", d.o3, map[string]any{"reason": " "}), "reason")
		if r := s.Do("POST", base+"/"+wrong+"/void", d.legal, map[string]any{"reason": "x"}); r.Status != 403 {
			t.Errorf("the reviewer voids: %d", r.Status)
		}
		r = s.Must(200, s.Do("POST", base+"/"+wrong+"/void", d.o3, map[string]any{"reason": "上传错了案件的笔录"}))
		if r.Body["voided"] != true || r.Body["void_reason"] != "上传错了案件的笔录" || r.Body["voided_at"] == nil {
			t.Errorf("voided: %s", r.Raw)
		}
		if r := s.Do("POST", base+"/"+wrong+"/void", d.o3, map[string]any{"reason": "again"}); r.Status != 409 || r.ErrorCode() != "evidence_voided" {
			t.Errorf("void twice: %d %s", r.Status, r.Raw)
		}
		if items, files := evidenceRows(s, county); items != 2 || files != 3 {
			t.Errorf("after the void: %d items, %d files; want 2, 3 (nothing deleted)", items, files)
		}
		if dl := s.Must(200, s.Do("GET", base+"/"+wrong+"/files/"+wrongFile, d.o3, nil)); dl.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("the voided item's file: %s", dl.Header.Get("Content-Type"))
		}
		list := s.Must(200, s.Do("GET", base, d.leader, nil))
		items := list.Body["items"].([]any)
		if len(items) != 2 || items[1].(map[string]any)["voided"] != true || items[0].(map[string]any)["voided"] != false {
			t.Errorf("list after the void: %s", list.Raw)
		}
		events := s.Must(200, s.Do("GET", path(county, "/"+e2e.Itoa(id)), d.o3, nil)).Raw
		if !strings.Contains(string(events), `"action":"evidence"`) || !strings.Contains(string(events), `"action":"evidence_void"`) {
			t.Errorf("the timeline lacks the evidence steps: %.500s", events)
		}

		// A case awaiting its 立案 approval takes no evidence yet.
		r = s.Must(201, s.Do("POST", path(county, ""), d.o3, map[string]any{"item_code": "CF-001", "party": organization(),
			"facts": "x", "filed_on": "2026-06-01"}))
		if r := upload(s, county, d.o3, e2e.Num(r.Body["id"]), good, e2e.File("a.pdf", pdf)); r.Status != 409 || r.ErrorCode() != "evidence_closed" {
			t.Errorf("evidence before the 立案 is approved: %d %s", r.Status, r.Raw)
		}

		// 告知: the 陈述申辩 may still bring evidence.
		mustAct(s, d.o3, id, map[string]any{"action": "investigate", "investigated_on": "2026-06-03", "investigators": []map[string]any{
			{"user_id": d.o3ID, "cert_no": "A1"}, {"user_id": d.o2ID, "cert_no": "A2"}}})
		mustAct(s, d.o3, id, map[string]any{"action": "notify", "penalty": "fine", "fine_yuan": 8000, "notified_on": "2026-06-04"})
		s.Must(201, upload(s, county, d.o3, id, e2e.EvidenceFields("statement", "陈述申辩笔录", "2026-06-05"), e2e.File("申辩.pdf", pdf)))
		// Once the 法制审核 is done, and after the decision, the file is
		// closed; it stays readable.
		mustAct(s, d.legal, id, map[string]any{"action": "legal_review", "reviewed_on": "2026-06-08", "opinion": "证据确凿"})
		refusedUpload("after the 法制审核", d.o3, 409, "", "", good, e2e.File("a.pdf", pdf))
		mustAct(s, d.leader, id, map[string]any{"action": "decide", "decided_on": "2026-06-09", "fine_yuan": 3000,
			"standard_id": "CF-001-1", "tier_level": "轻微"})
		r = upload(s, county, d.o3, id, good, e2e.File("a.pdf", pdf))
		if r.Status != 409 || r.ErrorCode() != "evidence_closed" || !strings.Contains(string(r.Raw), "处罚决定已作出") {
			t.Errorf("upload after the decision: %d %s", r.Status, r.Raw)
		}
		if r := s.Do("POST", base+"/"+first+"/void", d.o3, map[string]any{"reason": "x"}); r.Status != 409 {
			t.Errorf("void after the decision: %d %s", r.Status, r.Raw)
		}
		for _, tok := range []string{d.legal, d.leader, d.o3} {
			if r := s.Must(200, s.Do("GET", base, tok, nil)); r.Body["total"] != 3.0 {
				t.Errorf("after the decision: %s", r.Raw)
			}
			if dl := s.Must(200, s.Do("GET", base+"/"+first+"/files/"+pdfID, tok, nil)); !bytes.Equal(dl.Raw, pdf) {
				t.Errorf("after the decision the file differs")
			}
		}

		// The 决定书 names the kinds of evidence relied on, not the voided one's.
		doc := string(s.Must(200, s.Do("GET", "/counties/"+county+"/penalty-cases/"+e2e.Itoa(id)+"/documents/decision", d.admin, nil)).Raw)
		if !strings.Contains(doc, "上述事实有以下证据证明：当事人的陈述、勘验笔录、现场笔录。") || strings.Contains(doc, "鉴定意见") {
			t.Errorf("the 决定书's evidence: %s", doc)
		}

		// Isolation. The other county's case with its own evidence.
		r = s.Must(201, s.Do("POST", path(other, ""), far.leader, map[string]any{"item_code": "CF-001", "party": organization(),
			"facts": "外县案件", "filed_on": "2026-06-01"}))
		farID := e2e.Num(r.Body["id"])
		farBase := path(other, "/"+e2e.Itoa(farID)+"/evidence")
		r = s.Must(201, upload(s, other, far.o3, farID, e2e.EvidenceFields("documentary", "外县书证", "2026-06-02"), e2e.File("外县.pdf", e2e.PDF(900))))
		farEv, farFile := evidenceID(r), fileID(r, 0)
		beforeItems, beforeFiles := evidenceRows(s, other)
		ownItems, ownFiles := evidenceRows(s, county)
		for _, tc := range []struct {
			what, method, url, token string
			body                     any
			status                   int
		}{
			// By the other county's path: refused by the county scope.
			{"list of B's case", "GET", farBase, d.o3, nil, 403},
			{"B's file", "GET", farBase + "/" + farEv + "/files/" + farFile, d.legal, nil, 403},
			{"void B's item", "POST", farBase + "/" + farEv + "/void", d.o3, map[string]any{"reason": "x"}, 403},
			// A's own path with B's ids, guessed: not found.
			{"B's case on A's path", "GET", path(county, "/"+e2e.Itoa(farID)+"/evidence"), d.o3, nil, 404},
			{"B's item on A's case", "GET", base + "/" + farEv + "/files/" + farFile, d.o3, nil, 404},
			{"B's file under A's item", "GET", base + "/" + first + "/files/" + farFile, d.leader, nil, 404},
			{"B's item voided on A's case", "POST", base + "/" + farEv + "/void", d.o3, map[string]any{"reason": "x"}, 404},
			{"B's item voided on B's case id on A's path", "POST", path(county, "/"+e2e.Itoa(farID)+"/evidence/"+farEv+"/void"), d.o3,
				map[string]any{"reason": "x"}, 404},
			// And B's officer on A's things.
			{"A's case on B's path", "GET", path(other, "/"+e2e.Itoa(id)+"/evidence"), far.o3, nil, 404},
			{"A's file on B's path", "GET", path(other, "/"+e2e.Itoa(id)+"/evidence/"+first+"/files/"+pdfID), far.leader, nil, 404},
			{"A's list by A's path", "GET", base, far.legal, nil, 403},
		} {
			r := s.Do(tc.method, tc.url, tc.token, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: status %d, want %d: %.200s", tc.what, r.Status, tc.status, r.Raw)
			}
			if strings.Contains(string(r.Raw), "外县") || (tc.token != d.o3 && tc.token != d.legal && tc.token != d.leader && bytes.Contains(r.Raw, pdf[:20])) {
				t.Errorf("%s: the answer shows the other county's evidence: %.200s", tc.what, r.Raw)
			}
		}
		if r := upload(s, other, far.o3, id, good, e2e.File("a.pdf", pdf)); r.Status != 404 {
			t.Errorf("B's officer adds to A's case by B's path: %d", r.Status)
		}
		if r := upload(s, county, far.o3, id, good, e2e.File("a.pdf", pdf)); r.Status != 403 {
			t.Errorf("B's officer adds to A's case by A's path: %d", r.Status)
		}
		if r := upload(s, county, d.o3, farID, good, e2e.File("a.pdf", pdf)); r.Status != 404 {
			t.Errorf("A's officer adds to B's case by A's path: %d", r.Status)
		}
		if i, f := evidenceRows(s, other); i != beforeItems || f != beforeFiles {
			t.Errorf("B's evidence changed: %d→%d items, %d→%d files", beforeItems, i, beforeFiles, f)
		}
		if i, f := evidenceRows(s, county); i != ownItems || f != ownFiles {
			t.Errorf("A's evidence changed: %d→%d items, %d→%d files", ownItems, i, ownFiles, f)
		}
		var voided int
		if err := s.Svc.DB.Get(&voided, `SELECT COUNT(*) FROM penalty_evidence WHERE voided_at IS NOT NULL`); err != nil || voided != 1 {
			t.Errorf("%d items voided (%v), want 1", voided, err)
		}
	})
}

// TestPenaltyEvidenceBrowser: an officer uploads a scanned PDF through the
// case page's form and sees it listed with its kind and a link; a renamed
// executable is refused next to the file field with what was typed kept;
// the 法制审核 reviewer sees the list without the form; the page passes
// axe-core with the list and the form.
func TestPenaltyEvidenceBrowser(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	d := newDesk(s, county)
	s.EnforcementClock("2026-06-15")
	r := s.Must(201, s.Do("POST", path(county, ""), d.leader, map[string]any{"item_code": "CF-001", "party": organization(),
		"facts": "未按规定培训从业人员2人", "filed_on": "2026-06-01"}))
	casePath := "/counties/" + county + "/penalty-cases/" + e2e.Itoa(e2e.Num(r.Body["id"]))
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scan, fake := write("询问笔录.pdf", e2e.PDF(3000)), write("病毒.pdf", e2e.EXE())
	setFile := func(tab *e2e.Tab, p string) {
		if err := chromedp.Do(tab.Ctx, chromedp.SetUploadFiles(chromedp.ID("ev-file"), []string{p})); err != nil {
			t.Fatalf("file on #ev-file: %v", err)
		}
	}

	officer := e2e.NewTab(t, browser, base)
	officer.SignIn("o3_"+county, e2e.CasesUserPassword)
	officer.Open(casePath)
	officer.WantText("[data-testid=no-evidence]", "尚未上传证据材料")
	for _, id := range []string{"ev-kind", "ev-title", "ev-by", "ev-on", "ev-file"} {
		if mark := officer.Text("label[for=" + id + "] .req"); mark != "*" {
			t.Errorf("the label of %s shows %q, want the required mark *", id, mark)
		}
	}
	officer.Choose("ev-kind", "statement")
	officer.Fill("ev-title", "询问笔录（王某）")
	officer.Fill("ev-by", "张三、李四")
	officer.Choose("ev-on", "2026-06-03")
	setFile(officer, fake)
	if status := officer.Click("#evidence-submit"); status != 400 {
		t.Fatalf("a renamed executable: HTTP %d, want 400\n%s", status, officer.BodyText())
	}
	officer.WantText("#ev-file-error", "病毒.pdf")
	if officer.Value("ev-title") != "询问笔录（王某）" || officer.Value("ev-on") != "2026-06-03" || officer.Value("ev-kind") != "statement" {
		t.Errorf("the refused form lost what was typed: %q %q %q", officer.Value("ev-title"), officer.Value("ev-on"), officer.Value("ev-kind"))
	}
	if items, _ := evidenceRows(s, county); items != 0 {
		t.Fatalf("a refused upload stored %d items", items)
	}
	setFile(officer, scan)
	officer.Submit("#evidence-submit")
	officer.WantText("[data-testid=evidence]", "当事人的陈述")
	officer.WantText("[data-testid=evidence-title]", "询问笔录（王某）")
	officer.WantText("[data-testid=evidence-file]", "询问笔录.pdf")
	officer.WantText("[data-testid=evidence]", "张三、李四")
	if officer.Count("a[data-testid=evidence-file][href*='/evidence/'][href*='/files/']") != 1 {
		t.Errorf("the file is not linked to its download")
	}
	axe := e2e.AxeScript(t)
	officer.Accessible("penalty-evidence", axe)

	legal := e2e.NewTab(t, browser, base)
	legal.SignIn("legal_"+county, e2e.CasesUserPassword)
	legal.Open(casePath)
	legal.WantText("[data-testid=evidence-title]", "询问笔录（王某）")
	if legal.Count("#form-evidence") != 0 {
		t.Errorf("the 法制审核 reviewer is offered the upload form")
	}
}
