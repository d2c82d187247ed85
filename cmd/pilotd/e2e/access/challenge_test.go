package access_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
	"safetypilot/modules/db/dbtest"
	"safetypilot/web/challenge"
)

// challengeForm is one public form guarded by the challenge, as the tests
// post it.
type challengeForm struct {
	kind    string
	page    string // the form page, GET and POST
	api     string // the public JSON POST
	values  url.Values
	json    map[string]any
	typed   string // a value the refused page must show again
	stored  string // counts what the form stores
	created string // where a successful page POST goes
}

// challengeForms are the two public forms of county, with valid input.
func challengeForms(county string) []challengeForm {
	return []challengeForm{
		{
			kind: challenge.KindApply, page: "/portal/" + county + "/apply", api: e2e.PubPath(county, "/cases"),
			values: url.Values{"item_code": {"274"}, "name": {"合肥市瑶海区平安烟花爆竹零售店"},
				"credit_code": {"91350100M000100Y43"}, "phone": {"13800000000"}},
			json: map[string]any{"item_code": "274", "applicant": map[string]string{"name": "合肥市瑶海区平安烟花爆竹零售店",
				"credit_code": "91350100M000100Y43", "phone": "13800000000"}},
			typed: "合肥市瑶海区平安烟花爆竹零售店", stored: `SELECT COUNT(*) FROM cases`, created: "/portal/" + county + "/track",
		},
		{
			kind: challenge.KindInfoRequest, page: "/portal/" + county + "/info-requests/new", api: e2e.PubPath(county, "/info-requests"),
			values: url.Values{"name": {"王市民"}, "contact": {"13912345678"},
				"description": {"2025年度本区烟花爆竹零售许可证核发数量"}, "preferred_form": {"email"}, "requester_type": {"natural"}},
			json: map[string]any{"name": "王市民", "contact": "13912345678",
				"description": "2025年度本区烟花爆竹零售许可证核发数量", "preferred_form": "email"},
			typed: "2025年度本区烟花爆竹零售许可证核发数量", stored: `SELECT COUNT(*) FROM info_requests`,
			created: "/portal/" + county + "/info-requests/track",
		},
	}
}

// challengeCounty onboards county 340102 with item 274 published, so both
// public forms accept input.
func challengeCounty(s *e2e.Service) string {
	s.T.Helper()
	const county = "340102"
	admin := s.Onboard("34", county)
	s.Must(200, s.Do("PUT", e2e.CatPath(county, "/274"), admin, e2e.FireworksContent()))
	s.Must(200, s.Do("POST", e2e.CatPath(county, "/274/publish"), admin, nil))
	return county
}

var (
	pageChallengeID    = regexp.MustCompile(`name="challenge_id" value="([0-9a-f]{32})"`)
	pageChallengeNonce = regexp.MustCompile(`data-challenge="([0-9a-f]{32})"`)
	pageChallengeBits  = regexp.MustCompile(`data-challenge-difficulty="([0-9]+)"`)
)

// pageChallenge reads the challenge a form page embeds.
func pageChallenge(t *testing.T, page []byte) challenge.Challenge {
	t.Helper()
	id, nonce, bits := pageChallengeID.FindSubmatch(page), pageChallengeNonce.FindSubmatch(page), pageChallengeBits.FindSubmatch(page)
	if id == nil || nonce == nil || bits == nil {
		t.Fatalf("no challenge on the page:\n%s", page)
	}
	n, _ := strconv.Atoi(string(bits[1]))
	return challenge.Challenge{ID: string(id[1]), Nonce: string(nonce[1]), Difficulty: n}
}

// forgetRateLimits clears the per-IP counters: these tests send more public
// POSTs from one address than the limit allows, and check the challenge only
// (the limits have tests of their own).
func forgetRateLimits(s *e2e.Service) {
	s.T.Helper()
	if _, err := s.Svc.DB.Exec(`DELETE FROM rate_limits`); err != nil {
		s.T.Fatalf("clear rate limits: %v", err)
	}
}

// postPage sends a page form as a browser does.
func postPage(s *e2e.Service, path string, v url.Values) e2e.Response {
	s.T.Helper()
	forgetRateLimits(s)
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.Send(req)
}

// postJSON sends a public JSON POST, with a challenge answer when a is set.
func postJSON(s *e2e.Service, path string, body map[string]any, a *e2e.ChallengeAnswer) e2e.Response {
	s.T.Helper()
	forgetRateLimits(s)
	req := httptest.NewRequest("POST", path, strings.NewReader(mustJSON(s.T, body)))
	req.Header.Set("Content-Type", "application/json")
	if a != nil {
		a.Header(req)
	}
	return s.Send(req)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(data)
}

// withAnswer is a copy of a page form's values with the challenge answer.
func withAnswer(v url.Values, a e2e.ChallengeAnswer) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	return a.Fields(out)
}

// ageChallenge moves a challenge's issue (and expiry) back by d.
func ageChallenge(s *e2e.Service, id string, d time.Duration) {
	s.T.Helper()
	now := db.Now()
	if _, err := s.Svc.DB.Exec(`UPDATE form_challenges SET issued_at = ?, expires_at = ? WHERE id = ?`,
		now.Add(-d), now.Add(challenge.DefaultTTL-d), id); err != nil {
		s.T.Fatalf("age challenge: %v", err)
	}
}

// wrongSolution is a solution that does not do the challenge's work.
func wrongSolution(c challenge.Challenge) string {
	for i := 0; ; i++ {
		if s := strconv.Itoa(i); !challenge.Solved(c.Nonce, s, c.Difficulty) {
			return s
		}
	}
}

// TestPublicFormChallenge: the online application and the information
// request pages embed a challenge, its script and a honeypot; a form sent
// without a solution, with a wrong, expired, early, foreign or replayed one,
// or with the honeypot filled in, comes back 400 with the Chinese reason and
// what was typed, and stores nothing; a solved one is accepted once. The
// JSON API, by default, still takes applications without a challenge.
func TestPublicFormChallenge(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		county := challengeCounty(s)
		for _, f := range challengeForms(county) {
			t.Run(f.kind, func(t *testing.T) {
				s.T = t
				count := func() int { return s.CountRows(f.stored) }
				page := s.Must(200, s.Do("GET", f.page, "", nil))
				for _, want := range []string{`<script src="/static/challenge.js" defer></script>`, `name="challenge_solution" value=""`,
					`class="hp" aria-hidden="true"`, `name="website"`, `data-challenge-delay="2000"`, "正在进行安全验证…"} {
					if !strings.Contains(string(page.Raw), want) {
						t.Errorf("the form page lacks %s", want)
					}
				}
				if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q, want no-store (the challenge is single-use)", cc)
				}
				ch := pageChallenge(t, page.Raw)
				if ch.Difficulty != challenge.DefaultDifficulty {
					t.Errorf("difficulty %d, want %d", ch.Difficulty, challenge.DefaultDifficulty)
				}
				solved := challenge.Solve(ch.Nonce, ch.Difficulty)
				with := func(id, solution string, extra ...string) url.Values {
					v := url.Values{}
					for k, vs := range f.values {
						v[k] = vs
					}
					v.Set(challenge.FieldID, id)
					v.Set(challenge.FieldSolution, solution)
					for i := 0; i+1 < len(extra); i += 2 {
						v.Set(extra[i], extra[i+1])
					}
					return v
				}
				refused := func(name string, v url.Values, message string) {
					t.Helper()
					r := postPage(s, f.page, v)
					body := html.UnescapeString(string(r.Raw))
					if r.Status != http.StatusBadRequest || !strings.Contains(body, message) {
						t.Errorf("%s: HTTP %d, want 400 with %q\n%s", name, r.Status, message, e2e.Tail(body, 1500))
					}
					if !strings.Contains(body, f.typed) {
						t.Errorf("%s: the refused form lost what was typed (%s)", name, f.typed)
					}
					if next := pageChallenge(t, r.Raw); next.ID == v.Get(challenge.FieldID) {
						t.Errorf("%s: the refused form offers the same challenge again", name)
					}
					if n := count(); n != 0 {
						t.Fatalf("%s: %d rows stored", name, n)
					}
				}

				refused("no challenge", f.values, "未完成安全验证")
				refused("no solution", with(ch.ID, ""), "未完成安全验证")
				// Issued "a minute from now", so the answer is too fast however
				// long a busy machine takes to send it (CI once took over 2 s).
				ageChallenge(s, ch.ID, -time.Minute)
				refused("too fast", with(ch.ID, solved), "提交过快")
				ageChallenge(s, ch.ID, 3*time.Second)
				refused("wrong solution", with(ch.ID, wrongSolution(ch)), "安全验证未通过")
				refused("unknown challenge", with(strings.Repeat("ab", 16), solved), "安全验证未通过")
				refused("honeypot filled", with(ch.ID, solved, challenge.FieldHoneypot, "http://spam.example"), "安全验证未通过")
				other := challenge.KindApply
				if f.kind == challenge.KindApply {
					other = challenge.KindInfoRequest
				}
				foreign := s.SolvedChallenge(other, county)
				refused("another form's challenge", with(foreign.ID, foreign.Solution), "安全验证未通过")
				expired := s.SolvedChallenge(f.kind, county)
				ageChallenge(s, expired.ID, challenge.DefaultTTL+time.Second)
				refused("expired", with(expired.ID, expired.Solution), "安全验证已过期")

				// The page's own challenge, solved, is accepted once.
				r := postPage(s, f.page, with(ch.ID, solved))
				if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), f.created+"?submitted=1") {
					t.Fatalf("solved: HTTP %d to %q, want 303 to %s\n%s", r.Status, r.Header.Get("Location"), f.created, e2e.Tail(string(r.Raw), 1500))
				}
				if n := count(); n != 1 {
					t.Fatalf("%d rows after the solved form, want 1", n)
				}
				r = postPage(s, f.page, with(ch.ID, solved))
				if body := html.UnescapeString(string(r.Raw)); r.Status != http.StatusBadRequest || !strings.Contains(body, "安全验证已使用过") {
					t.Errorf("replay: HTTP %d, want 400 安全验证已使用过\n%s", r.Status, e2e.Tail(body, 1500))
				}
				if n := count(); n != 1 {
					t.Errorf("%d rows after the replay, want 1", n)
				}

				// PILOT_PUBLIC_API_CHALLENGE is off: the API takes a plain POST.
				s.Must(201, postJSON(s, f.api, f.json, nil))
				if _, err := s.Svc.DB.Exec(strings.Replace(f.stored, "SELECT COUNT(*) FROM", "DELETE FROM", 1)); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestPublicAPIChallenge: with PILOT_PUBLIC_API_CHALLENGE on, the public JSON
// POSTs refuse a missing (challenge_required), wrong, foreign or replayed
// (challenge_failed) solution with 400 and store nothing, and accept a
// solved challenge right after it was fetched. The challenge endpoint checks
// its parameters and hides counties that are not active pilots.
func TestPublicAPIChallenge(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			if d == db.MySQL {
				dbtest.RequireMySQL(t)
			}
			s := e2e.New(t, d, func(c *server.Config) { c.PublicAPIChallenge = true })
			county := challengeCounty(s)

			for _, tc := range []struct {
				query  string
				status int
				field  string
			}{
				{"form=apply&county=34010", 400, "county"},
				{"form=apply", 400, "county"},
				{"form=login&county=" + county, 400, "form"},
				{"county=" + county, 400, "form"},
				{"form=apply&county=340103", 404, ""},
			} {
				r := s.Do("GET", "/api/v1/public/challenge?"+tc.query, "", nil)
				if r.Status != tc.status {
					t.Errorf("challenge?%s: HTTP %d, want %d: %s", tc.query, r.Status, tc.status, r.Raw)
				}
				if fields, _ := r.Body["error"].(map[string]any)["fields"].(map[string]any); tc.field != "" && fields[tc.field] == nil {
					t.Errorf("challenge?%s: no error on %s: %s", tc.query, tc.field, r.Raw)
				}
			}

			for _, f := range challengeForms(county) {
				t.Run(f.kind, func(t *testing.T) {
					s.T = t
					count := func() int { return s.CountRows(f.stored) }
					refused := func(name string, a *e2e.ChallengeAnswer, code, message string) {
						t.Helper()
						r := postJSON(s, f.api, f.json, a)
						if r.Status != http.StatusBadRequest || r.ErrorCode() != code || !strings.Contains(string(r.Raw), message) {
							t.Errorf("%s: HTTP %d %s, want 400 %s %q: %s", name, r.Status, r.ErrorCode(), code, message, r.Raw)
						}
						if n := count(); n != 0 {
							t.Fatalf("%s: %d rows stored", name, n)
						}
					}
					refused("no headers", nil, "challenge_required", "请先完成安全验证")
					r := s.Must(200, s.Do("GET", "/api/v1/public/challenge?form="+f.kind+"&county="+county, "", nil))
					if r.Header.Get("Cache-Control") != "no-store" {
						t.Errorf("challenge Cache-Control %q", r.Header.Get("Cache-Control"))
					}
					ch := challenge.Challenge{ID: r.Body["id"].(string), Nonce: r.Body["nonce"].(string),
						Difficulty: int(r.Body["difficulty"].(float64))}
					if r.Body["form"] != challenge.Form(f.kind, county) || ch.Difficulty != challenge.DefaultDifficulty {
						t.Errorf("challenge %s", r.Raw)
					}
					if exp, err := time.Parse(time.RFC3339, r.Body["expires_at"].(string)); err != nil ||
						exp.Sub(time.Now()) < 9*time.Minute || exp.Sub(time.Now()) > 11*time.Minute {
						t.Errorf("expires_at %v (%v), want about 10 minutes ahead", r.Body["expires_at"], err)
					}
					refused("id only", &e2e.ChallengeAnswer{ID: ch.ID}, "challenge_required", "请先完成安全验证")
					refused("wrong solution", &e2e.ChallengeAnswer{ID: ch.ID, Solution: wrongSolution(ch)}, "challenge_failed", "安全验证未通过")
					other := challenge.KindApply
					if f.kind == challenge.KindApply {
						other = challenge.KindInfoRequest
					}
					foreign := s.SolvedChallenge(other, county)
					refused("another form's challenge", &foreign, "challenge_failed", "安全验证未通过")

					// Solved right away: the API has no minimum fill-in time.
					good := e2e.ChallengeAnswer{ID: ch.ID, Solution: challenge.Solve(ch.Nonce, ch.Difficulty)}
					created := s.Must(201, postJSON(s, f.api, f.json, &good))
					if created.Body["tracking_no"] == nil {
						t.Errorf("no tracking number: %s", created.Raw)
					}
					if n := count(); n != 1 {
						t.Fatalf("%d rows after the solved request, want 1", n)
					}
					r = postJSON(s, f.api, f.json, &good)
					if r.Status != http.StatusBadRequest || r.ErrorCode() != "challenge_failed" || !strings.Contains(string(r.Raw), "安全验证已使用过") {
						t.Errorf("replay: HTTP %d %s: %s", r.Status, r.ErrorCode(), r.Raw)
					}
					if n := count(); n != 1 {
						t.Errorf("%d rows after the replay, want 1", n)
					}
				})
			}
		})
	}
}

// TestChallengeReplayAcrossReplicas: two services on one database (MariaDB,
// and an SQLite file) — a challenge fetched from the first and redeemed on
// the second cannot be redeemed again on either, through the page or the API.
func TestChallengeReplayAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var shared func(*server.Config)
			if d == db.MySQL {
				dsn := dbtest.CreateMySQLDatabase(t)
				shared = func(c *server.Config) { c.DSN, c.PublicAPIChallenge = dsn, true }
			} else {
				dir := t.TempDir()
				shared = func(c *server.Config) { c.DataDir, c.PublicAPIChallenge = dir, true }
			}
			a := e2e.New(t, d, shared)
			b := e2e.New(t, d, shared)
			county := challengeCounty(a)
			for _, f := range challengeForms(county) {
				t.Run(f.kind, func(t *testing.T) {
					a.T, b.T = t, t
					ans := a.SolvedChallenge(f.kind, county)
					r := postPage(b, f.page, withAnswer(f.values, ans))
					if r.Status != http.StatusSeeOther {
						t.Fatalf("first redemption on replica 2: HTTP %d\n%s", r.Status, e2e.Tail(string(r.Raw), 1500))
					}
					for i, s := range []*e2e.Service{a, b} {
						r := postPage(s, f.page, withAnswer(f.values, ans))
						if body := html.UnescapeString(string(r.Raw)); r.Status != http.StatusBadRequest || !strings.Contains(body, "安全验证已使用过") {
							t.Errorf("page replay on replica %d: HTTP %d\n%s", i+1, r.Status, e2e.Tail(body, 1500))
						}
						r = postJSON(s, f.api, f.json, &ans)
						if r.Status != http.StatusBadRequest || r.ErrorCode() != "challenge_failed" {
							t.Errorf("API replay on replica %d: HTTP %d %s", i+1, r.Status, r.Raw)
						}
					}
					if n := a.CountRows(f.stored); n != 1 {
						t.Errorf("%d rows, want 1", n)
					}
				})
			}
		})
	}
}

// TestBrowserApplyChallenge: in Chromium the apply page's script solves the
// challenge (showing 正在进行安全验证…) and submits; the application is stored
// once and the tracking page follows. A browser without the script's answer
// (the hidden solution emptied) is refused with the Chinese reason.
func TestBrowserApplyChallenge(t *testing.T) {
	t.Parallel()
	browser := e2e.Browser(t)
	s, base := e2e.ServeForBrowser(t)
	county := challengeCounty(s)
	count := func() int { return s.CountRows(`SELECT COUNT(*) FROM cases WHERE county_code = ?`, county) }

	citizen := e2e.NewTab(t, browser, base)
	citizen.Open("/portal/" + county + "/apply")
	// Fill in and submit at once: the script holds the form until the
	// challenge is solved and the minimum fill-in time has passed, showing
	// its progress meanwhile.
	start := time.Now()
	if err := chromedp.Do(citizen.Ctx,
		chromedp.SetValue(chromedp.ID("apply-item"), "274"),
		chromedp.SetValue(chromedp.ID("apply-name"), "合肥市瑶海区平安烟花爆竹零售店"),
		chromedp.SetValue(chromedp.ID("apply-credit"), "91350100M000100Y43"),
		chromedp.SetValue(chromedp.ID("apply-phone"), "13800000000")); err != nil {
		t.Fatalf("fill: %v", err)
	}
	shown, err := chromedp.Run(citizen.Ctx, chromedp.Evaluate[bool](`(function () {
		var f = document.querySelector('form[data-challenge]');
		f.requestSubmit(document.getElementById('apply-submit'));
		var status = document.querySelector('[data-challenge-status]');
		return !status.hidden && status.textContent === '正在进行安全验证…' && document.getElementById('apply-submit').disabled;
	})()`))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if !shown {
		t.Errorf("no 正在进行安全验证… (and a disabled button) while the challenge is being solved")
	}
	if err := chromedp.Do(citizen.Ctx, chromedp.WaitVisible(`[data-testid=tracking-no]`)); err != nil {
		t.Fatalf("no tracking page after the solved challenge: %v\n%s", err, citizen.BodyText())
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("solving and submitting took %s", took)
	}
	citizen.WantPath("/portal/" + county + "/track")
	citizen.WantText("[data-testid=submitted]", "请记下受理编号")
	if n := count(); n != 1 {
		t.Fatalf("%d cases after the application, want 1", n)
	}
	var redeemed int
	if err := s.Svc.DB.Get(&redeemed, `SELECT COUNT(*) FROM form_challenges WHERE redeemed_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if redeemed != 1 {
		t.Errorf("%d challenges redeemed, want 1", redeemed)
	}

	// Without the script's answer the form is refused and keeps its input.
	citizen.Open("/portal/" + county + "/apply")
	citizen.Choose("apply-item", "274")
	citizen.Fill("apply-name", "另一家零售店")
	citizen.Fill("apply-credit", "91350100M000100Y43")
	citizen.Fill("apply-phone", "13800000001")
	resp, err := chromedp.RunResponse(citizen.Ctx, chromedp.Evaluate[chromedp.Void](`(function () {
		var f = document.querySelector('form[data-challenge]');
		f.querySelector('input[name=challenge_solution]').value = '';
		HTMLFormElement.prototype.submit.call(f);
	})()`))
	if err != nil || resp == nil {
		t.Fatalf("submit without the answer: %v", err)
	}
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a form without the answer: HTTP %d, want 400", resp.Status)
	}
	citizen.WantText("[data-testid=form-error]", "未完成安全验证")
	if got := citizen.Value("apply-name"); got != "另一家零售店" {
		t.Errorf("the refused form shows name %q", got)
	}
	if n := count(); n != 1 {
		t.Errorf("%d cases after the refused form, want 1", n)
	}
}

// TestPageFormsRefuseAlteredText: a public form or the sign-in form whose
// fields hold NUL or invalid UTF-8 answers 400 naming the field and stores
// nothing, as the JSON API does; the refusal is audited.
func TestPageFormsRefuseAlteredText(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		county := challengeCounty(s)
		for _, f := range challengeForms(county) {
			before := s.CountRows(f.stored)
			for _, bad := range []struct{ name, value string }{
				{"NUL", f.typed + "\x00"},
				{"invalid UTF-8", f.typed[:len(f.typed)-1]}, // the last byte of a Chinese character cut off
			} {
				v := url.Values{}
				for k, vs := range f.values {
					v[k] = append([]string(nil), vs...)
				}
				field := "name"
				if f.kind == challenge.KindInfoRequest {
					field = "description"
				}
				v.Set(field, bad.value)
				r := postPage(s, f.page, s.SolvedChallenge(f.kind, county).Fields(v))
				if r.Status != 400 || !strings.Contains(string(r.Raw), "无效字符") {
					t.Errorf("%s form with %s in %s: %d, want 400: %.300s", f.kind, bad.name, field, r.Status, r.Raw)
				}
			}
			if n := s.CountRows(f.stored); n != before {
				t.Errorf("%s form: %d rows after refused posts, want %d", f.kind, n, before)
			}
		}
		login := postPage(s, "/login", url.Values{"username": {"ad\x00min"}, "password": {e2e.AdminPassword}})
		if login.Status != 400 {
			t.Errorf("sign-in form with NUL in the name: %d, want 400", login.Status)
		}
		if n := s.CountRows(`SELECT COUNT(*) FROM audit_log WHERE object = '/login' AND outcome = 'rejected'`); n != 1 {
			t.Errorf("%d refused sign-in forms audited, want 1", n)
		}
	})
}
