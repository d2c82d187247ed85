package catalog_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"safetypilot/cmd/pilotd/internal/e2e"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// stepJSON is a flowchart step as the API reads and writes it.
type stepJSON struct {
	Name      string `json:"name"`
	Post      string `json:"post"`
	Authority string `json:"authority"`
	Procedure string `json:"procedure"`
	Limit     int    `json:"limit_workdays"`
	Excluded  bool   `json:"excluded_from_limit"`
}

// decodeSteps reads steps sent or received as JSON values.
func decodeSteps(t *testing.T, v any) []stepJSON {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("steps: %v", err)
	}
	var out []stepJSON
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("steps %s: %v", raw, err)
	}
	return out
}

// fireworksStepsWith is FireworksSteps changed by edit.
func fireworksStepsWith(edit func(st []map[string]any) []map[string]any) []map[string]any {
	return edit(e2e.FireworksSteps())
}

// TestCatalogStepsToPublish: a draft keeps flowchart steps that lack their
// post, authority, procedure or time limit and reads them back as saved;
// publishing names each missing part by step (point 三 of the 2011 notice
// asks every step's 岗位、权限、程序和时限) and publishes nothing until every
// step is complete.
func TestCatalogStepsToPublish(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		_, clerk := s.AddUser(admin, county, "clerk_a", "county_clerk")
		cases := []struct {
			name   string
			steps  []map[string]any
			fields []string
		}{
			{"first step without post", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				delete(st[0], "post")
				return st
			}), []string{"steps[0].post"}},
			{"second step with an empty authority", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[1]["authority"] = ""
				return st
			}), []string{"steps[1].authority"}},
			{"third step without procedure", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				delete(st[2], "procedure")
				return st
			}), []string{"steps[2].procedure"}},
			{"third step with a blank procedure", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[2]["procedure"] = " \n　"
				return st
			}), []string{"steps[2].procedure"}},
			{"second step without time limit", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				delete(st[1], "limit_workdays")
				return st
			}), []string{"steps[1].limit_workdays"}},
			{"first step with a time limit of 0", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[0]["limit_workdays"] = 0
				return st
			}), []string{"steps[0].limit_workdays"}},
			{"first step without name", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[0]["name"] = ""
				return st
			}), []string{"steps[0].name"}},
			{"a fourth step typed only in part", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				return append(st, map[string]any{"name": "送达", "procedure": "通知申请人领取许可证，或者邮寄送达并制作送达回证"})
			}), []string{"steps[3].post", "steps[3].authority", "steps[3].limit_workdays"}},
			{"parts missing in every step", fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[0]["post"], st[1]["procedure"], st[2]["authority"], st[2]["limit_workdays"] = "", "", "", 0
				return st
			}), []string{"steps[0].post", "steps[1].procedure", "steps[2].authority", "steps[2].limit_workdays"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := versionCount(s, county)
				s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.With(e2e.FireworksContent(), "steps", c.steps)))
				if n := versionCount(s, county); n != before+1 {
					t.Errorf("%d versions after saving the draft, want %d", n, before+1)
				}
				it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), clerk, nil))
				if got, want := decodeSteps(t, it.Body["steps"]), decodeSteps(t, c.steps); !reflect.DeepEqual(got, want) {
					t.Errorf("steps read back\n got %+v\nwant %+v", got, want)
				}

				r := s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil)
				s.MustInvalid(c.name, r, c.fields...)
				got := []string{}
				for k := range e2e.ErrorFields(r) {
					got = append(got, k)
				}
				sort.Strings(got)
				if want := append([]string(nil), c.fields...); fmt.Sprint(got) != fmt.Sprint(sortedCopy(want)) {
					t.Errorf("error fields %v, want %v", got, sortedCopy(want))
				}
				if it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), admin, nil)); it.Body["status"] != "draft" ||
					e2e.Num(it.Body["published_version"]) != 0 {
					t.Errorf("item after the refused publication: %s", it.Raw)
				}
				s.Must(404, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
			})
		}

		// The message names the step and the part, as the editor lists it.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.With(e2e.FireworksContent(), "steps",
			fireworksStepsWith(func(st []map[string]any) []map[string]any {
				st[2]["procedure"] = ""
				return st
			}))))
		r := s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil)
		if msg := e2e.ErrorFields(r)["steps[2].procedure"]; msg != "请填写第3步的办理程序" {
			t.Errorf("message of steps[2].procedure %q", msg)
		}

		// Complete steps are published.
		s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), clerk, e2e.FireworksContent()))
		s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
		pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
		if got, want := decodeSteps(t, pub.Body["steps"]), decodeSteps(t, e2e.FireworksSteps()); !reflect.DeepEqual(got, want) {
			t.Errorf("published steps\n got %+v\nwant %+v", got, want)
		}
	})
}

func sortedCopy(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

// itemForm is content as the console's item form posts it, from the version
// baseVersion.
func itemForm(content map[string]any, baseVersion int) url.Values {
	v := url.Values{"base_version": {strconv.Itoa(baseVersion)}}
	for k, x := range content {
		switch x := x.(type) {
		case []map[string]any:
			for i, row := range x {
				for f, y := range row {
					v.Set(fmt.Sprintf("%s[%d].%s", k, i, f), fmt.Sprint(y))
				}
			}
		default:
			v.Set(k, fmt.Sprint(x))
		}
	}
	return v
}

// TestCatalogStepsPage: on the console item page a draft with incomplete
// steps is saved as typed; publishing it shows each missing part beside its
// field and, at the top, a list linking to those fields in form order.
// 保存并发布 saves what was typed first, so a refusal keeps it (and adds no
// version when nothing changed), and publishes once every step is complete.
func TestCatalogStepsPage(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const county = e2e.CatCountyA
		admin := s.Onboard("34", county)
		page := "/counties/" + county + "/catalog/274"
		incomplete := fireworksStepsWith(func(st []map[string]any) []map[string]any {
			delete(st[1], "authority")
			delete(st[2], "procedure")
			delete(st[2], "limit_workdays")
			return st
		})
		content := e2e.With(e2e.FireworksContent(), "steps", incomplete)

		// The draft is saved as typed.
		r := e2e.IsoRequest(s, "POST", page, admin, itemForm(content, 0))
		if r.Status != 303 || r.Header.Get("Location") != page+"?saved=1" {
			t.Fatalf("saving the draft: %d %s %s", r.Status, r.Header.Get("Location"), r.Raw)
		}
		it := s.Must(200, s.Do("GET", e2e.CatPath(county, "/274"), admin, nil))
		if got, want := decodeSteps(t, it.Body["steps"]), decodeSteps(t, incomplete); !reflect.DeepEqual(got, want) {
			t.Fatalf("draft steps\n got %+v\nwant %+v", got, want)
		}

		// Publishing it: 400, each message beside its field, the list at the top.
		missing := []struct{ id, field, msg string }{
			{"step-1-authority", `<input type="text" id="step-1-authority" name="steps[1].authority" value="">`, "请填写第2步的办理权限"},
			{"step-2-limit", `<input type="text" inputmode="numeric" id="step-2-limit" name="steps[2].limit_workdays" value="">`, "请填写第3步的办理时限（至少1个工作日）"},
			{"step-2-procedure", `<textarea id="step-2-procedure" name="steps[2].procedure"></textarea>`, "请填写第3步的办理程序"},
		}
		assertMarked := func(what string, html string) {
			t.Helper()
			var links []string
			for _, m := range missing {
				if !strings.Contains(html, m.field+`<p class="error field-error">`+m.msg+`</p>`) {
					t.Errorf("%s: %q is not marked beside %s", what, m.msg, m.id)
				}
				links = append(links, `<li><a href="#`+m.id+`">`+m.msg+`</a></li>`)
			}
			if !strings.Contains(html, `<ul class="errors" data-testid="error-list">`+strings.Join(links, "")+`</ul>`) {
				list := regexp.MustCompile(`(?s)<ul class="errors" data-testid="error-list">.*?</ul>`).FindString(html)
				t.Errorf("%s: list of errors at the top %q, want links to %v in form order", what, list, links)
			}
			if n := strings.Count(html, `class="error field-error"`); n != len(missing) {
				t.Errorf("%s: %d field errors, want %d", what, n, len(missing))
			}
		}
		r = e2e.IsoRequest(s, "POST", page+"/publish", admin, url.Values{})
		if r.Status != 400 {
			t.Fatalf("publishing incomplete steps: %d, want 400", r.Status)
		}
		html := string(r.Raw)
		assertMarked("publish", html)
		if !strings.Contains(html, `<p class="error" data-testid="form-error">发布失败：填写内容有误`) {
			t.Errorf("publish: no form error at the top")
		}
		for _, typed := range []string{`id="step-0-post" name="steps[0].post" value="政务服务中心应急窗口&lt;A&amp;B&gt;"`,
			`id="step-1-limit" name="steps[1].limit_workdays" value="8"`} {
			if !strings.Contains(html, typed) {
				t.Errorf("publish: the form lacks the saved %s", typed)
			}
		}

		// 保存并发布 with a changed fee and still incomplete steps: the form
		// is saved as version 2, not published, and shown as typed.
		const fee = "按规定收取工本费10元"
		r = e2e.IsoRequest(s, "POST", page+"/publish", admin, itemForm(e2e.With(content, "fees", fee), 1))
		if r.Status != 400 {
			t.Fatalf("saving and publishing incomplete steps: %d, want 400", r.Status)
		}
		html = string(r.Raw)
		assertMarked("save and publish", html)
		if !strings.Contains(html, `data-testid="form-error">已保存为第 2 版草稿，但未发布：`) {
			t.Errorf("save and publish: the form error does not say version 2 was saved")
		}
		if !strings.Contains(html, `id="fees" name="fees" value="`+fee+`"`) || !strings.Contains(html, `name="base_version" value="2"`) {
			t.Errorf("save and publish: the typed fee or the new base version is not on the form")
		}
		if n := versionCount(s, county); n != 2 {
			t.Errorf("%d versions after saving and publishing, want 2", n)
		}
		// The same form again adds no version.
		r = e2e.IsoRequest(s, "POST", page+"/publish", admin, itemForm(e2e.With(content, "fees", fee), 2))
		if r.Status != 400 || !strings.Contains(string(r.Raw), `data-testid="form-error">发布失败：`) {
			t.Errorf("saving and publishing an unchanged form: %d", r.Status)
		}
		if n := versionCount(s, county); n != 2 {
			t.Errorf("%d versions after an unchanged form, want 2", n)
		}
		s.Must(404, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))

		// Complete steps: saved as version 3 and published.
		r = e2e.IsoRequest(s, "POST", page+"/publish", admin, itemForm(e2e.With(e2e.FireworksContent(), "fees", fee), 2))
		if r.Status != 303 || r.Header.Get("Location") != page+"?published=1" {
			t.Fatalf("saving and publishing complete steps: %d %s %s", r.Status, r.Header.Get("Location"), r.Raw)
		}
		pub := s.Must(200, s.Do("GET", e2e.PubPath(county, "/catalog/274"), "", nil))
		if e2e.Num(pub.Body["version"]) != 3 || pub.Body["fees"] != fee {
			t.Errorf("public item after saving and publishing: %s", pub.Raw)
		}
		if got, want := decodeSteps(t, pub.Body["steps"]), decodeSteps(t, e2e.FireworksSteps()); !reflect.DeepEqual(got, want) {
			t.Errorf("published steps\n got %+v\nwant %+v", got, want)
		}

		// A clerk saves drafts but cannot save and publish.
		_, clerk := s.AddUser(admin, county, "clerk_a", "county_clerk")
		if html := string(s.Must(200, s.Do("GET", page, clerk, nil)).Raw); strings.Contains(html, `id="save-publish"`) ||
			!strings.Contains(html, `id="save"`) {
			t.Errorf("the clerk's form offers 保存并发布 or lacks 保存草稿")
		}
		s.Must(403, e2e.IsoRequest(s, "POST", page+"/publish", clerk, itemForm(e2e.FireworksContent(), 3)))
		if n := versionCount(s, county); n != 3 {
			t.Errorf("%d versions after the clerk's refused request, want 3", n)
		}
	})
}
