package cases_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/web/challenge"
)

// Materials of 274 (FireworksContent), in the order of the apply page's inputs.
const (
	fireworksApplication = "烟花爆竹经营（零售）许可证申请书"
	fireworksPremises    = "零售经营场所产权或租赁证明"
)

// bigUploads lets a request reach the handlers with more than the 30 MB of
// an application, so the application's own limits are what refuse.
func bigUploads(cfg *server.Config) { cfg.UploadLimit = 34 << 20 }

// materialRows counts the stored files of a county's materials.
func materialRows(s *e2e.Service, county string) int {
	return s.CountRows(`SELECT COUNT(*) FROM case_materials WHERE county_code = ?`, county)
}

// TestMaterialsOnlineApplication: the online application takes files per
// listed material and stores them with the case; a refused file (too big,
// a refused type, an executable renamed .pdf, too much together, or no
// solved challenge) is refused with a message naming the file and the
// material, and neither the case nor any file is stored.
func TestMaterialsOnlineApplication(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, bigUploads, func(t *testing.T, s *e2e.Service) {
		const county = "340102"
		desk := s.CaseDesk(county)
		field0, field1 := "material_274_0", "material_274_1"
		pdf, png := e2e.PDF(2048), e2e.PNG()
		apply := func(solved bool, files map[string][]e2e.MaterialFile) e2e.Response {
			if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
				t.Fatal(err)
			}
			v := url.Values{"item_code": {"274"}, "name": {"瑶海区平安烟花爆竹零售店"}, "credit_code": {"91350100M000100Y43"},
				"phone": {"13800000000"}}
			if solved {
				v = s.SolvedChallenge(challenge.KindApply, county).Fields(v)
			}
			return s.Send(e2e.Multipart("/portal/"+county+"/apply", v, files))
		}
		cases := func() int { return s.CountRows(`SELECT COUNT(*) FROM cases WHERE county_code = ?`, county) }

		for _, tc := range []struct {
			name   string
			solved bool
			files  map[string][]e2e.MaterialFile
			status int
			// want is in the refusal.
			want []string
		}{
			{"executable renamed pdf", true, map[string][]e2e.MaterialFile{field0: {e2e.File("申请书.pdf", e2e.EXE())}},
				http.StatusBadRequest, []string{"申请书.pdf", fireworksApplication, "文件内容与扩展名不符"}},
			{"refused type", true, map[string][]e2e.MaterialFile{field1: {e2e.File("租赁合同.docx", []byte("PK\x03\x04docx"))}},
				http.StatusBadRequest, []string{"租赁合同.docx", fireworksPremises, "只接受 PDF、OFD、JPEG、PNG"}},
			{"file over 10 MB", true, map[string][]e2e.MaterialFile{field0: {e2e.File("大扫描件.pdf", e2e.PDF(10<<20+1))}},
				http.StatusRequestEntityTooLarge, []string{"大扫描件.pdf", "文件不能超过10MB"}},
			{"over 30 MB together", true, map[string][]e2e.MaterialFile{field0: {e2e.File("a.pdf", e2e.PDF(8<<20)), e2e.File("b.pdf", e2e.PDF(8<<20))},
				field1: {e2e.File("c.pdf", e2e.PDF(8<<20)), e2e.File("d.pdf", e2e.PDF(8<<20))}},
				http.StatusRequestEntityTooLarge, []string{"合计不能超过30MB"}},
			{"one good file and one refused", true, map[string][]e2e.MaterialFile{field0: {e2e.File("申请书.pdf", pdf)},
				field1: {e2e.File("证明.png", e2e.EXE())}}, http.StatusBadRequest, []string{"证明.png", fireworksPremises}},
			{"no solved challenge", false, map[string][]e2e.MaterialFile{field0: {e2e.File("申请书.pdf", pdf)}},
				http.StatusBadRequest, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before, rows := cases(), materialRows(s, county)
				r := apply(tc.solved, tc.files)
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %.400s", r.Status, tc.status, r.Raw)
				}
				for _, w := range tc.want {
					if !strings.Contains(string(r.Raw), w) {
						t.Errorf("refusal lacks %q", w)
					}
				}
				if cases() != before || materialRows(s, county) != rows {
					t.Errorf("a refused application stored something: cases %d→%d, files %d→%d", before, cases(), rows, materialRows(s, county))
				}
			})
		}

		// Accepted: two files for the application form, one for the premises.
		r := apply(true, map[string][]e2e.MaterialFile{field0: {e2e.File("申请书第1页.pdf", pdf), e2e.File("申请书第2页.png", png)},
			field1: {e2e.File("租赁证明.pdf", pdf)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("apply with materials: %d %.400s", r.Status, r.Raw)
		}
		loc, _ := url.Parse(r.Header.Get("Location"))
		tracking := loc.Query().Get("no")
		id := casesIDOf(s, tracking)
		k := s.Must(200, s.Do("GET", e2e.CasePath(county, "/"+id), desk.Reviewer, nil))
		ms, _ := k.Body["materials"].([]any)
		want := []struct{ material, name, ct string }{
			{fireworksApplication, "申请书第1页.pdf", "application/pdf"},
			{fireworksApplication, "申请书第2页.png", "image/png"},
			{fireworksPremises, "租赁证明.pdf", "application/pdf"},
		}
		if len(ms) != len(want) {
			t.Fatalf("case has %d materials, want %d: %s", len(ms), len(want), k.Raw)
		}
		for i, w := range want {
			m := ms[i].(map[string]any)
			if m["material"] != w.material || m["file_name"] != w.name || m["content_type"] != w.ct || m["source"] != "online" {
				t.Errorf("material %d = %v, want %+v", i, m, w)
			}
		}
		// Staff of the county download them as attachments, never cached.
		first := e2e.Itoa(int64(ms[1].(map[string]any)["id"].(float64)))
		d := s.Do("GET", e2e.CasePath(county, "/"+id+"/materials/"+first), desk.Reviewer, nil)
		if d.Status != 200 || !bytes.Equal(d.Raw, png) || d.Header.Get("Content-Type") != "image/png" ||
			!strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment;") || d.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("download: %d %v (%d bytes)", d.Status, d.Header, len(d.Raw))
		}
		// The public sees how many files were received, not the files.
		p := s.Must(200, s.Do("GET", e2e.PubPath(county, "/cases/"+tracking), "", nil))
		if p.Body["materials_received"] != float64(3) || strings.Contains(string(p.Raw), "申请书第1页") {
			t.Errorf("public view: %s", p.Raw)
		}
		page := s.Do("GET", "/portal/"+county+"/track?no="+tracking, "", nil)
		if !strings.Contains(string(page.Raw), "3个文件") || strings.Contains(string(page.Raw), "/materials/") {
			t.Errorf("tracking page shows the files or not their number")
		}
	})
}

// TestMaterialsCounter: a clerk attaches scans to an existing case through
// the API and the case page; a refused file stores nothing; the reviewer
// may read but not attach; no public path and no other county reaches a
// file.
func TestMaterialsCounter(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialectWith(t, bigUploads, func(t *testing.T, s *e2e.Service) {
		const county, other = "340102", "340103"
		desk := s.CaseDesk(county)
		far := s.CaseDesk(other)
		k := s.NewCase(desk.Clerk, county, e2e.CaseBody("274"))
		id := e2e.Itoa(k.ID)
		path := e2e.CasePath(county, "/"+id+"/materials")
		pdf := e2e.PDF(4096)

		for _, tc := range []struct {
			name     string
			token    string
			material string
			files    []e2e.MaterialFile
			status   int
			stored   int
		}{
			{"scan of a listed material", desk.Clerk, fireworksPremises, []e2e.MaterialFile{e2e.File("租赁证明.pdf", pdf)}, 201, 1},
			{"another material, two files", desk.Clerk, "", []e2e.MaterialFile{e2e.File("补充1.png", e2e.PNG()), e2e.File("补充2.pdf", pdf)}, 201, 2},
			{"a material the item does not list", desk.Clerk, "营业执照", []e2e.MaterialFile{e2e.File("执照.pdf", pdf)}, 400, 0},
			{"executable renamed pdf among good files", desk.Clerk, "", []e2e.MaterialFile{e2e.File("好.pdf", pdf), e2e.File("坏.pdf", e2e.EXE())}, 400, 0},
			{"file over 10 MB", desk.Clerk, "", []e2e.MaterialFile{e2e.File("大.pdf", e2e.PDF(10<<20+1))}, 413, 0},
			{"no file", desk.Clerk, "", nil, 400, 0},
			{"reviewer may not attach", desk.Reviewer, "", []e2e.MaterialFile{e2e.File("a.pdf", pdf)}, 403, 0},
			{"clerk of another county", far.Clerk, "", []e2e.MaterialFile{e2e.File("a.pdf", pdf)}, 403, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rows := materialRows(s, county)
				r := s.Send(e2e.MaterialUpload(path, tc.token, tc.material, tc.files...))
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Raw)
				}
				if got := materialRows(s, county) - rows; got != tc.stored {
					t.Errorf("%d files stored, want %d", got, tc.stored)
				}
			})
		}

		// The case page: the clerk's form stores a scan; a refused one is
		// named on the page and nothing is stored.
		clerk := s.BrowserLogin("clerk_"+county, e2e.CasesUserPassword)
		pagePath := "/counties/" + county + "/cases/" + id + "/materials"
		rows := materialRows(s, county)
		r := clerk.PostMultipart(pagePath, url.Values{"material": {fireworksApplication}},
			map[string][]e2e.MaterialFile{"file": {e2e.File("申请书扫描.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00scan"))}})
		if r.Status != 303 || materialRows(s, county) != rows+1 {
			t.Fatalf("page upload: %d, files %d→%d", r.Status, rows, materialRows(s, county))
		}
		r = clerk.PostMultipart(pagePath, url.Values{"material": {""}},
			map[string][]e2e.MaterialFile{"file": {e2e.File("程序.pdf", e2e.EXE())}})
		if r.Status != 400 || !strings.Contains(string(r.Raw), "程序.pdf") || materialRows(s, county) != rows+1 {
			t.Errorf("page upload of a renamed executable: %d, files %d", r.Status, materialRows(s, county))
		}
		show := clerk.Get("/counties/" + county + "/cases/" + id)
		for _, w := range []string{"申请书扫描.jpg", "租赁证明.pdf", "窗口扫描", "/materials/"} {
			if !strings.Contains(string(show.Raw), w) {
				t.Errorf("case page lacks %q", w)
			}
		}

		c := s.Must(200, s.Do("GET", e2e.CasePath(county, "/"+id), desk.Reviewer, nil))
		mid := e2e.Itoa(int64(c.Body["materials"].([]any)[0].(map[string]any)["id"].(float64)))
		for _, tc := range []struct {
			name, path, token string
			status            int
		}{
			{"reviewer of the county", path + "/" + mid, desk.Reviewer, 200},
			{"page route", "/counties/" + county + "/cases/" + id + "/materials/" + mid, desk.Clerk, 200},
			{"signed out", path + "/" + mid, "", 401},
			{"public API path", e2e.PubPath(county, "/cases/"+k.TrackingNo+"/materials/"+mid), "", 404},
			{"public portal path", "/portal/" + county + "/cases/" + id + "/materials/" + mid, "", 404},
			{"another county's clerk", path + "/" + mid, far.Clerk, 403},
			{"another county's path", e2e.CasePath(other, "/"+id+"/materials/"+mid), far.Clerk, 404},
			{"material of another case", e2e.CasePath(county, "/"+e2e.Itoa(s.NewCase(desk.Clerk, county, e2e.CaseBody("274")).ID)+"/materials/"+mid), desk.Clerk, 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Do("GET", tc.path, tc.token, nil)
				if r.Status != tc.status {
					t.Fatalf("GET %s: %d, want %d", tc.path, r.Status, tc.status)
				}
				if tc.status == 200 && !bytes.Equal(r.Raw, pdf) {
					t.Errorf("GET %s: not the file stored", tc.path)
				}
			})
		}
	})
}
