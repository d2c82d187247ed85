package main

import (
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// isolationCase is one tenant-scoped route and what county A's users may do
// on it in their own county.
type isolationCase struct {
	// route is "METHOD /pattern" exactly as registered on the app.
	route string
	// allowed are the users of county A ("admin", "clerk", "reviewer") the
	// route admits in county A; empty for province routes.
	allowed []string
	// body is sent with unsafe methods: a JSON value, or url.Values for a page form.
	body any
	// public routes need no sign-in: they must answer everyone alike, show
	// nothing of a county that is not an active pilot, and nothing internal.
	public bool
}

// isolationCases must name every route with a :county or :province parameter;
// TestCountyIsolation fails on a route missing here.
var isolationCases = []isolationCase{
	// County API.
	{route: "GET /api/v1/counties/:county", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog/:code", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog", allowed: []string{"admin", "clerk"},
		body: map[string]any{"category": "service", "name": "probe item"}},
	{route: "PUT /api/v1/counties/:county/catalog/:code", allowed: []string{"admin", "clerk"},
		body: map[string]any{"legal_basis": "probe"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/publish", allowed: []string{"admin"}},
	{route: "GET /api/v1/counties/:county/catalog/:code/versions", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog/:code/flowchart.svg", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/discretion/calculate", allowed: []string{"admin", "clerk", "reviewer"},
		body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/catalog/:code/discretion/decisions", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog/:code/discretion/decisions", allowed: []string{"clerk"},
		body: map[string]any{}},
	{route: "GET /api/v1/counties/:county/inventory", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /api/v1/counties/:county/catalog-changes", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /api/v1/counties/:county/catalog-changes/:push/acknowledge", allowed: []string{"admin", "clerk"},
		body: map[string]any{}},

	// Public county pages of the API: no sign-in, published data only.
	{route: "GET /api/v1/public/counties/:county/catalog", public: true},
	{route: "GET /api/v1/public/counties/:county/catalog/:code", public: true},
	{route: "GET /api/v1/public/counties/:county/catalog/:code/flowchart.svg", public: true},
	{route: "GET /api/v1/public/counties/:county/inventory", public: true},

	// The public portal.
	{route: "GET /portal/:county", public: true},
	{route: "GET /portal/:county/items/:code", public: true},
	{route: "GET /portal/:county/discretion", public: true},
	{route: "GET /portal/:county/inventory", public: true},
	{route: "GET /portal/provinces/:province", public: true},
	{route: "GET /api/v1/counties/:county/users", allowed: []string{"admin"}},
	{route: "GET /api/v1/counties/:county/users/:id", allowed: []string{"admin"}},
	{route: "POST /api/v1/counties/:county/users", allowed: []string{"admin"},
		body: map[string]any{"username": "probe_user", "display_name": "probe", "roles": []string{"county_clerk"}}},
	{route: "POST /api/v1/counties/:county/users/:id/roles", allowed: []string{"admin"},
		body: map[string]any{"role": "county_reviewer"}},
	{route: "DELETE /api/v1/counties/:county/users/:id/roles/:role", allowed: []string{"admin"}},

	// Province API: no county user holds a role there.
	{route: "GET /api/v1/provinces/:province/counties"},
	{route: "POST /api/v1/provinces/:province/counties",
		body: map[string]any{"code": "340111", "egov_readiness": "probe", "recommendation": "probe"}},
	{route: "POST /api/v1/provinces/:province/counties/:county/approve"},
	{route: "POST /api/v1/provinces/:province/counties/:county/decline", body: map[string]any{"note": "probe"}},
	{route: "GET /api/v1/provinces/:province/users"},
	{route: "GET /api/v1/provinces/:province/users/:id"},
	{route: "POST /api/v1/provinces/:province/users",
		body: map[string]any{"username": "probe_prov", "roles": []string{"province_admin"}}},
	{route: "POST /api/v1/provinces/:province/users/:id/roles", body: map[string]any{"role": "province_leader"}},
	{route: "DELETE /api/v1/provinces/:province/users/:id/roles/:role"},
	{route: "GET /api/v1/provinces/:province/catalog-pushes"},
	{route: "POST /api/v1/provinces/:province/catalog-pushes", body: map[string]any{"note": "probe"}},

	// Pages.
	{route: "GET /counties/:county", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/users", allowed: []string{"admin"}},
	{route: "POST /counties/:county/users", allowed: []string{"admin"},
		body: url.Values{"username": {"probe_page"}, "roles": {"county_clerk"}}},
	{route: "GET /counties/:county/catalog", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "GET /counties/:county/catalog/:code", allowed: []string{"admin", "clerk", "reviewer"}},
	{route: "POST /counties/:county/catalog", allowed: []string{"admin", "clerk"},
		body: url.Values{"category": {"service"}, "name": {"probe item"}}},
	{route: "POST /counties/:county/catalog/:code", allowed: []string{"admin", "clerk"},
		body: url.Values{"legal_basis": {"probe"}}},
	{route: "POST /counties/:county/catalog/:code/publish", allowed: []string{"admin"}, body: url.Values{}},
	{route: "POST /counties/:county/catalog-changes/:push/acknowledge", allowed: []string{"admin", "clerk"}, body: url.Values{}},
	{route: "GET /provinces/:province/catalog-pushes"},
	{route: "POST /provinces/:province/catalog-pushes", body: url.Values{"note": {"probe"}}},
	{route: "GET /provinces/:province"},
	{route: "GET /provinces/:province/users"},
	{route: "POST /provinces/:province/users", body: url.Values{"username": {"probe_page_prov"}, "roles": {"province_admin"}}},
	{route: "POST /provinces/:province/counties", body: url.Values{"code": {"340111"}}},
	{route: "POST /provinces/:province/counties/:county/approve", body: url.Values{}},
}

// Markers of county B's data that no answer to a user of county A may contain.
const (
	isoCountyA     = "340102"
	isoCountyB     = "340103"
	isoCountyC     = "340104" // recommended, not yet approved
	isoCountyCName = "蜀山区"
	isoBReadiness  = "乙县电子政务基础-MARKER-B1"
	isoBRecommends = "乙县推荐理由-MARKER-B2"
)

var (
	// isoBInternal is what of county B only B's staff and their superiors see.
	isoBInternal = []string{"admin_" + isoCountyB, "clerk_b", "reviewer_b", isoBReadiness, isoBRecommends}
	// isoBMarkers adds what names county B at all.
	isoBMarkers = append([]string{"庐阳区", isoCountyB}, isoBInternal...)
)

// onboardMarked is s.onboard with recognisable recommendation texts.
func onboardMarked(s *testService, province, county, readiness, recommendation string) string {
	s.t.Helper()
	admin := s.adminToken()
	s.must(201, s.do("POST", "/api/v1/provinces/"+province+"/counties", admin,
		map[string]string{"code": county, "egov_readiness": readiness, "recommendation": recommendation}))
	r := s.must(200, s.do("POST", "/api/v1/provinces/"+province+"/counties/"+county+"/approve", admin, nil))
	creds := r.Body["admin"].(map[string]any)
	username, initial := creds["username"].(string), creds["initial_password"].(string)
	token := s.login(username, initial)
	s.must(204, s.do("POST", "/api/v1/session/password", token,
		map[string]string{"current_password": initial, "new_password": "County#Pass2026"}))
	return token
}

// fillRoute puts values into a route pattern's parameters; it fails on a
// parameter the test does not know, so a new route gets a deliberate value.
func fillRoute(t *testing.T, pattern string, values map[string]string) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		v, ok := values[p[1:]]
		if !ok {
			t.Fatalf("%s: no test value for parameter %s", pattern, p)
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

// isoRequest sends body as JSON, or as a form when it is url.Values.
func isoRequest(s *testService, method, path, token string, body any) response {
	s.t.Helper()
	form, ok := body.(url.Values)
	if !ok || method == "GET" {
		if method == "GET" {
			body = nil
		}
		return s.do(method, path, token, body)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// isoSnapshot is what no refused request may change.
type isoSnapshot struct {
	counts   map[string]int
	roles    string // every user-role assignment, sorted
	cStatus  string
	bCatalog string // county B's catalog as its administrator sees it
}

func takeIsoSnapshot(s *testService, adminB string) isoSnapshot {
	s.t.Helper()
	snap := isoSnapshot{counts: map[string]int{}}
	for _, table := range []string{"counties", "users", "user_roles", "sessions", "county_events", "catalog_items"} {
		snap.counts[table] = s.countRows("SELECT COUNT(*) FROM " + table)
	}
	snap.bCatalog = string(s.must(200, s.do("GET", "/api/v1/counties/"+isoCountyB+"/catalog", adminB, nil)).Raw)
	var rows []struct {
		UserID int64  `db:"user_id"`
		Role   string `db:"role"`
		Region string `db:"region"`
	}
	if err := s.svc.db.Select(&rows, `SELECT user_id, role, region FROM user_roles`); err != nil {
		s.t.Fatalf("roles: %v", err)
	}
	roles := make([]string, 0, len(rows))
	for _, r := range rows {
		roles = append(roles, itoa(r.UserID)+":"+r.Role+"@"+r.Region)
	}
	sort.Strings(roles)
	snap.roles = strings.Join(roles, ",")
	if err := s.svc.db.Get(&snap.cStatus, `SELECT status FROM counties WHERE code = ?`, isoCountyC); err != nil {
		s.t.Fatalf("county C: %v", err)
	}
	return snap
}

// TestCountyIsolation checks every tenant-scoped route: users of county A
// never reach county B, B's objects through A's path, or province endpoints.
func TestCountyIsolation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *testService) {
		// Every route with a region parameter has a case, and every case a route.
		known := map[string]bool{}
		for _, c := range isolationCases {
			if known[c.route] {
				t.Fatalf("duplicate case %s", c.route)
			}
			known[c.route] = true
		}
		registered := map[string]bool{}
		var missing []string
		for _, r := range s.svc.app.GetRoutes(true) {
			if r.Method == "HEAD" || !(strings.Contains(r.Path, ":county") || strings.Contains(r.Path, ":province")) {
				continue
			}
			key := r.Method + " " + r.Path
			if registered[key] {
				continue
			}
			registered[key] = true
			if !known[key] {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Fatalf("tenant-scoped routes without an isolation case:\n  %s", strings.Join(missing, "\n  "))
		}
		for _, c := range isolationCases {
			if !registered[c.route] {
				t.Errorf("isolation case for a route that is not registered: %s", c.route)
			}
		}

		// Two active counties with staff, and one recommended county.
		adminA := s.onboard("34", isoCountyA)
		adminB := onboardMarked(s, "34", isoCountyB, isoBReadiness, isoBRecommends)
		clerkAID, clerkA := s.addUser(adminA, isoCountyA, "clerk_a", "county_clerk")
		_, reviewerA := s.addUser(adminA, isoCountyA, "reviewer_a", "county_reviewer")
		clerkBID, _ := s.addUser(adminB, isoCountyB, "clerk_b", "county_clerk")
		s.addUser(adminB, isoCountyB, "reviewer_b", "county_reviewer")
		national := s.adminToken()
		s.must(201, s.do("POST", "/api/v1/provinces/34/counties", national,
			map[string]string{"code": isoCountyC, "egov_readiness": "丙", "recommendation": "丙"}))
		actors := []struct{ name, token string }{{"admin", adminA}, {"clerk", clerkA}, {"reviewer", reviewerA}}

		before := takeIsoSnapshot(s, adminB)

		// noLeak asserts a response to a user of A carries nothing of B's.
		noLeak := func(what string, r response) {
			t.Helper()
			for _, m := range isoBMarkers {
				if strings.Contains(string(r.Raw), m) {
					t.Errorf("%s: response (%d) contains county B's %q: %.300s", what, r.Status, m, r.Raw)
				}
			}
		}
		// denied asserts a refusal: want is 403 or 404 (0 means either); API
		// answers carry the JSON error envelope.
		denied := func(what string, page bool, r response, want ...int) {
			t.Helper()
			if r.Status >= 500 {
				t.Errorf("%s: status %d: %.300s", what, r.Status, r.Raw)
				return
			}
			ok := false
			for _, w := range want {
				ok = ok || r.Status == w
			}
			if !ok {
				t.Errorf("%s: status %d, want %v: %.300s", what, r.Status, want, r.Raw)
				return
			}
			if page {
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: page refusal is %q, want an HTML error page", what, r.Header.Get("Content-Type"))
				}
				return
			}
			code := r.ErrorCode()
			if (r.Status == 403 && code != "forbidden") || (r.Status == 404 && code != "not_found") {
				t.Errorf("%s: error code %q for status %d: %s", what, code, r.Status, r.Raw)
			}
			if e, _ := r.Body["error"].(map[string]any); e == nil || e["message"] == "" || e["message"] == nil {
				t.Errorf("%s: no error message: %s", what, r.Raw)
			}
		}
		isAllowed := func(c isolationCase, actor string) bool {
			for _, a := range c.allowed {
				if a == actor {
					return true
				}
			}
			return false
		}

		for _, c := range isolationCases {
			method, pattern, _ := strings.Cut(c.route, " ")
			page := !strings.HasPrefix(pattern, "/api/")
			provinceRoute := strings.Contains(pattern, ":province")
			hasID := strings.Contains(pattern, ":id")
			params := func(county, id string) map[string]string {
				// :push names a province's catalog push, shared by its counties.
				return map[string]string{"county": county, "province": "34", "id": id, "code": "274", "role": "county_clerk", "push": "1"}
			}

			t.Run(strings.ReplaceAll(c.route, "/", "_"), func(t *testing.T) {
				if c.public {
					// A county that is not an active pilot does not exist publicly.
					if strings.Contains(pattern, ":county") {
						path := fillRoute(t, pattern, params(isoCountyC, ""))
						r := isoRequest(s, method, path, "", nil)
						if r.Status != 404 || (!page && r.ErrorCode() != "not_found") {
							t.Errorf("anonymous %s %s: status %d code %q, want 404 for a county that is not active",
								method, path, r.Status, r.ErrorCode())
						}
					}
					// B's public answer is the same for everyone (word for word
					// from the API; pages show who is signed in) and carries
					// nothing internal of B's, nor the county that is not active.
					path := fillRoute(t, pattern, params(isoCountyB, ""))
					anon := isoRequest(s, method, path, "", nil)
					if anon.Status == 401 || anon.Status == 403 || anon.Status == 303 || anon.Status >= 500 {
						t.Errorf("anonymous %s %s: status %d on a public route: %.300s", method, path, anon.Status, anon.Raw)
					}
					answers := []response{anon}
					for _, a := range actors {
						r := isoRequest(s, method, path, a.token, nil)
						if r.Status != anon.Status || (!page && string(r.Raw) != string(anon.Raw)) {
							t.Errorf("%s of A: %s %s answers %d %.200s, but anonymously %d %.200s",
								a.name, method, path, r.Status, r.Raw, anon.Status, anon.Raw)
						}
						answers = append(answers, r)
					}
					for _, r := range answers {
						for _, m := range append([]string{isoCountyCName}, isoBInternal...) {
							if strings.Contains(string(r.Raw), m) {
								t.Errorf("public %s %s contains %q: %.300s", method, path, m, r.Raw)
							}
						}
					}
					return
				}
				// Signed out: 401 from the API, a redirect to the sign-in page from pages.
				anonPath := fillRoute(t, pattern, params(isoCountyB, itoa(clerkBID)))
				r := isoRequest(s, method, anonPath, "", c.body)
				if page {
					if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
						t.Errorf("anonymous %s %s: status %d location %q, want 303 to /login", method, anonPath, r.Status, r.Header.Get("Location"))
					}
				} else if r.Status != 401 || r.ErrorCode() != "unauthorized" {
					t.Errorf("anonymous %s %s: status %d code %q, want 401 unauthorized", method, anonPath, r.Status, r.ErrorCode())
				}

				for _, a := range actors {
					if provinceRoute {
						// Province endpoints: 403 for every county user, whichever
						// county or object the path names, and in another province too.
						targets := []map[string]string{
							params(isoCountyB, itoa(clerkBID)),
							params(isoCountyC, itoa(clerkBID)),
							params(isoCountyA, itoa(clerkAID)),
						}
						other := params("110101", itoa(clerkBID))
						other["province"] = "11"
						for _, v := range append(targets, other) {
							path := fillRoute(t, pattern, v)
							r := isoRequest(s, method, path, a.token, c.body)
							what := a.name + " of A: " + method + " " + path
							denied(what, page, r, 403)
							noLeak(what, r)
						}
						continue
					}

					// B's county by path: refused, nothing of B's shown.
					path := fillRoute(t, pattern, params(isoCountyB, itoa(clerkBID)))
					r := isoRequest(s, method, path, a.token, c.body)
					what := a.name + " of A: " + method + " " + path
					denied(what, page, r, 403, 404)
					noLeak(what, r)

					// A's own path with B's object: not found for those the route
					// admits, forbidden for the others.
					if hasID {
						path := fillRoute(t, pattern, params(isoCountyA, itoa(clerkBID)))
						r := isoRequest(s, method, path, a.token, c.body)
						what := a.name + " of A: " + method + " " + path + " (B's object)"
						if isAllowed(c, a.name) {
							denied(what, page, r, 404)
						} else {
							denied(what, page, r, 403)
						}
						noLeak(what, r)
					}

					// Control: reads in A's own county work for those admitted, so
					// the refusals above are about the county, not the route.
					if method == "GET" {
						path := fillRoute(t, pattern, params(isoCountyA, itoa(clerkAID)))
						r := isoRequest(s, method, path, a.token, nil)
						what := a.name + " of A: " + method + " " + path + " (own county)"
						if isAllowed(c, a.name) {
							if r.Status != 200 {
								t.Errorf("%s: status %d, want 200: %.300s", what, r.Status, r.Raw)
							}
						} else {
							denied(what, page, r, 403)
						}
						noLeak(what, r)
					}
				}
			})
		}

		// Nothing any refused request could have changed has changed.
		after := takeIsoSnapshot(s, adminB)
		for table, n := range before.counts {
			if after.counts[table] != n {
				t.Errorf("%s: %d rows before, %d after the refused requests", table, n, after.counts[table])
			}
		}
		if after.roles != before.roles {
			t.Errorf("role assignments changed:\nbefore %s\nafter  %s", before.roles, after.roles)
		}
		if after.bCatalog != before.bCatalog {
			t.Errorf("county B's catalog changed:\nbefore %.500s\nafter  %.500s", before.bCatalog, after.bCatalog)
		}
		if after.cStatus != "recommended" {
			t.Errorf("county %s is %q after refused approvals, want recommended", isoCountyC, after.cStatus)
		}
		if n := s.countRows("SELECT COUNT(*) FROM users WHERE username LIKE 'probe%'"); n != 0 {
			t.Errorf("%d probe users were stored", n)
		}
	})
}
