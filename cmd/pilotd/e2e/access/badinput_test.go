package access_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"safetypilot/cmd/pilotd/internal/e2e"
	"strings"
	"testing"
	"time"
)

// badCase is one bad request to a JSON endpoint that creates or changes things.
type badCase struct {
	name   string
	method string
	path   string
	token  string
	// contentType is sent as is; "-" sends none.
	contentType string
	body        string
	// chunked sends the body with chunked transfer encoding.
	chunked bool
	status  int
	code    string   // error.code, checked when set
	fields  []string // keys error.fields must have
	// anyFields asks only that error.fields is not empty.
	anyFields bool
}

// goErrorText is what would show an internal error leaked to the client.
var goErrorText = []string{"sql:", "runtime error", "goroutine ", "panic", "sqlite", "mysql", "Error 1", "SQLSTATE", ".go:", "syntax error", "json:"}

// tableCounts are the rows no refused request may add or remove.
func tableCounts(s *e2e.Service) map[string]int {
	s.T.Helper()
	out := map[string]int{}
	for _, table := range []string{"counties", "users", "user_roles", "sessions", "county_events"} {
		out[table] = s.CountRows("SELECT COUNT(*) FROM " + table)
	}
	return out
}

// listen serves the app on a loopback port, for what app.Test cannot do
// (fasthttp answers an oversized body before the handler runs, and app.Test
// reports that as an error instead of returning the answer).
func listen(t *testing.T, s *e2e.Service) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	go func() { _ = s.Svc.App.Listener(ln) }()
	t.Cleanup(func() { _ = s.Svc.App.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// sendRaw writes one HTTP/1.1 request on a new connection and reads the answer.
func sendRaw(t *testing.T, addr string, c badCase) e2e.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", c.method, c.path, addr)
	if c.contentType != "-" {
		fmt.Fprintf(&head, "Content-Type: %s\r\n", c.contentType)
	}
	if c.token != "" {
		fmt.Fprintf(&head, "Authorization: Bearer %s\r\n", c.token)
	}
	payload := c.body
	if c.chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
		payload = fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(c.body), c.body)
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", len(c.body))
	}
	head.WriteString("\r\n")
	// The server may answer and close before it has read the whole body.
	go func() { _, _ = io.WriteString(conn, head.String()+payload) }()
	req, _ := http.NewRequest(c.method, c.path, nil)
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s: read response: %v", c.name, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := e2e.Response{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out
}

// TestBadInput sends malformed, mistyped, oversized and invalid input to every
// JSON endpoint that creates or changes things: each answers the exact 4xx with
// the error envelope, never a 500 or internal text, and stores nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e2e.ForEachDialect(t, func(t *testing.T, s *e2e.Service) {
		const a = "340102"
		admin := s.AdminToken()
		countyAdmin := s.Onboard("34", a)
		clerkID, clerk := s.AddUser(countyAdmin, a, "clerk_a", "county_clerk")
		prov := s.Must(201, s.Do("POST", "/api/v1/provinces/34/users", admin,
			map[string]any{"username": "leader34", "roles": []string{"province_leader"}}))
		provID := int64(prov.Body["id"].(float64))
		nat := s.Must(201, s.Do("POST", "/api/v1/national/users", admin,
			map[string]any{"username": "auditor", "roles": []string{"audit_admin"}}))
		natID := int64(nat.Body["id"].(float64))
		// A recommended county that is not yet a tenant.
		s.Must(201, s.Do("POST", "/api/v1/provinces/34/counties", admin,
			map[string]string{"code": "340111", "egov_readiness": "好", "recommendation": "推荐"}))
		addr := listen(t, s)

		const limit = 1 << 20
		endpoints := []struct {
			name, path, token string
			valid             string // a body the endpoint would accept (shape only)
		}{
			{"session", "/api/v1/session", "", `{"username":"nobody","password":"x"}`},
			{"password", "/api/v1/session/password", clerk, `{"current_password":"User#Pass2026x","new_password":"short"}`},
			{"recommend", "/api/v1/provinces/34/counties", admin, `{"code":"340104"}`},
			{"county_users", "/api/v1/counties/" + a + "/users", countyAdmin, `{"username":"new_clerk","roles":["county_clerk"]}`},
			{"province_users", "/api/v1/provinces/34/users", admin, `{"username":"new_leader","roles":["province_leader"]}`},
			{"national_users", "/api/v1/national/users", admin, `{"username":"new_sec","roles":["security_admin"]}`},
			{"county_grant", "/api/v1/counties/" + a + "/users/" + e2e.Itoa(clerkID) + "/roles", countyAdmin, `{"role":"county_reviewer"}`},
			{"province_grant", "/api/v1/provinces/34/users/" + e2e.Itoa(provID) + "/roles", admin, `{"role":"province_admin"}`},
			{"national_grant", "/api/v1/national/users/" + e2e.Itoa(natID) + "/roles", admin, `{"role":"national_admin"}`},
		}

		var cases []badCase
		add := func(c badCase) {
			if c.method == "" {
				c.method = "POST"
			}
			if c.contentType == "" {
				c.contentType = "application/json"
			}
			cases = append(cases, c)
		}

		// The same malformed shapes for every endpoint.
		for _, e := range endpoints {
			for _, m := range []struct{ name, body string }{
				{"truncated JSON", `{"username": "x",`},
				{"not JSON", `username=x&password=y`},
				{"single quotes", `{'username': 'x'}`},
				{"two objects", e.valid + ` {}`},
				{"bare string", `"hello"`},
			} {
				add(badCase{name: e.name + ": " + m.name, path: e.path, token: e.token, body: m.body, status: 400, code: "invalid_input"})
			}
			add(badCase{name: e.name + ": array instead of object", path: e.path, token: e.token, body: `[` + e.valid + `]`,
				status: 400, code: "invalid_input", fields: []string{"body"}})
			add(badCase{name: e.name + ": empty body", path: e.path, token: e.token, body: "", status: 400, code: "invalid_input"})
			// Text that would be stored altered (invalid UTF-8 replaced) or as
			// is (NUL) is refused, naming the field.
			firstKey := e.valid[2:strings.Index(e.valid, `":"`)]
			add(badCase{name: e.name + ": NUL in a string", path: e.path, token: e.token,
				body: strings.Replace(e.valid, `":"`, `":"a\u0000`, 1), status: 400, code: "invalid_input", fields: []string{firstKey}})
			add(badCase{name: e.name + ": invalid UTF-8", path: e.path, token: e.token,
				body: strings.Replace(e.valid, `":"`, "\":\"\xff\xfe", 1), status: 400, code: "invalid_input", fields: []string{"body"}})
			add(badCase{name: e.name + ": null", path: e.path, token: e.token, body: `null`, status: 400, code: "invalid_input", anyFields: true})
			add(badCase{name: e.name + ": empty object", path: e.path, token: e.token, body: `{}`, status: 400, code: "invalid_input", anyFields: true})
			add(badCase{name: e.name + ": text/plain", path: e.path, token: e.token, contentType: "text/plain", body: e.valid,
				status: 415, code: "unsupported_media_type", fields: []string{"content_type"}})
			add(badCase{name: e.name + ": form content type", path: e.path, token: e.token, contentType: "application/x-www-form-urlencoded",
				body: "username=x", status: 415, code: "unsupported_media_type", fields: []string{"content_type"}})
			add(badCase{name: e.name + ": no content type", path: e.path, token: e.token, contentType: "-", body: e.valid,
				status: 415, code: "unsupported_media_type", fields: []string{"content_type"}})
			huge := `{"username":"` + strings.Repeat("a", limit) + `"}`
			add(badCase{name: e.name + ": body over 1 MiB", path: e.path, token: e.token, body: huge, status: 413, code: "body_too_large"})
		}
		add(badCase{name: "session: chunked body over 1 MiB", path: "/api/v1/session", chunked: true,
			body: `{"username":"` + strings.Repeat("a", limit) + `"}`, status: 413, code: "body_too_large"})
		// Exactly at the limit is read and judged on its content.
		atLimit := `{"username":"nobody","password":"` + strings.Repeat("a", limit-len(`{"username":"nobody","password":""}`)) + `"}`
		add(badCase{name: "session: body of exactly 1 MiB", path: "/api/v1/session", body: atLimit, status: 401, code: "invalid_credentials"})

		// Wrong types.
		for _, w := range []struct {
			endpoint, body, field string
		}{
			{"session", `{"username":123,"password":"x"}`, "username"},
			{"session", `{"username":"admin","password":["x"]}`, "password"},
			{"session", `{"username":{"$ne":null},"password":"x"}`, "username"},
			{"password", `{"current_password":123,"new_password":"New#Pass20261"}`, "current_password"},
			{"password", `{"current_password":"User#Pass2026x","new_password":true}`, "new_password"},
			{"recommend", `{"code":340104}`, "code"},
			{"recommend", `{"code":"340104","name":["蜀山区"]}`, "name"},
			{"recommend", `{"code":"340104","egov_readiness":{"a":1}}`, "egov_readiness"},
			{"county_users", `{"username":"new_clerk","roles":"county_clerk"}`, "roles"},
			{"county_users", `{"username":42,"roles":["county_clerk"]}`, "username"},
			{"county_users", `{"username":"new_clerk","display_name":7,"roles":["county_clerk"]}`, "display_name"},
			{"county_users", `{"username":"new_clerk","roles":[1]}`, "roles"},
			{"province_users", `{"username":"new_leader","roles":"province_leader"}`, "roles"},
			{"national_users", `{"username":"new_sec","roles":{"security_admin":true}}`, "roles"},
			{"county_grant", `{"role":["county_reviewer"]}`, "role"},
			{"province_grant", `{"role":7}`, "role"},
			{"national_grant", `{"role":false}`, "role"},
		} {
			for _, e := range endpoints {
				if e.name == w.endpoint {
					add(badCase{name: e.name + ": wrong type " + w.body, path: e.path, token: e.token, body: w.body,
						status: 400, code: "invalid_input", fields: []string{w.field}})
				}
			}
		}

		// Invalid county codes in a recommendation.
		for _, code := range []string{"12345", "abcdef", "340100", "340000", "110101", "349999", "3401020", "", "３４０１０４", a} {
			c := badCase{name: "recommend: code " + code, path: "/api/v1/provinces/34/counties", token: admin,
				body: `{"code":"` + code + `","egov_readiness":"x","recommendation":"y"}`, status: 400, code: "invalid_input", fields: []string{"code"}}
			if code == a {
				c.status, c.code, c.fields = 409, "duplicate", nil
			}
			add(c)
		}
		add(badCase{name: "recommend: unknown province", path: "/api/v1/provinces/99/counties", token: admin,
			body: `{"code":"990101"}`, status: 404, code: "not_found"})
		add(badCase{name: "recommend: province code of three digits", path: "/api/v1/provinces/340/counties", token: admin,
			body: `{"code":"340104"}`, status: 400, code: "invalid_input", fields: []string{"province"}})
		add(badCase{name: "recommend: name over 64 characters", path: "/api/v1/provinces/34/counties", token: admin,
			body: `{"code":"340104","name":"` + strings.Repeat("区", 65) + `"}`, status: 400, code: "invalid_input", fields: []string{"name"}})

		// Invalid county codes as the region of new accounts: malformed codes
		// are 400, well-formed codes that are not an active pilot county 404.
		for _, p := range []struct {
			county string
			status int
		}{
			{"12345", 400}, {"abcdef", 400}, {"3401021", 400},
			{"340100", 404}, {"340000", 404}, {"110101", 404}, {"349999", 404},
			{"340104", 404}, // a real county that is not a pilot county
			{"340111", 404}, // recommended, not yet approved
		} {
			c := badCase{name: "county users: county " + p.county, path: "/api/v1/counties/" + p.county + "/users", token: admin,
				body: `{"username":"stray_admin","roles":["county_admin"]}`, status: p.status, code: "not_found"}
			if p.status == 400 {
				c.code, c.fields = "invalid_input", []string{"county"}
			}
			add(c)
		}
		for _, p := range []struct {
			province string
			status   int
		}{{"3", 400}, {"ab", 400}, {"99", 404}, {"00", 404}} {
			c := badCase{name: "province users: province " + p.province, path: "/api/v1/provinces/" + p.province + "/users", token: admin,
				body: `{"username":"stray_leader","roles":["province_leader"]}`, status: p.status, code: "not_found"}
			if p.status == 400 {
				c.code, c.fields = "invalid_input", []string{"province"}
			}
			add(c)
		}

		// Invalid usernames: refused by every endpoint that creates accounts;
		// at sign-in they are simply unknown (but for NUL, refused as input).
		badNames := []string{"ab", "a", "  ", "a b c", "x'; DROP TABLE users;--", "admin' OR '1'='1", "<script>alert(1)</script>",
			"_leading", "-leading", strings.Repeat("a", 33), "用户名", "tab\tname", "new\nline", "nul\u0000name", "emoji😀"}
		for _, name := range badNames {
			quoted := fmt.Sprintf("%q", name)
			quoted = strings.ReplaceAll(quoted, `\x00`, `\u0000`)
			for _, e := range endpoints {
				var roles string
				switch e.name {
				case "county_users":
					roles = "county_clerk"
				case "province_users":
					roles = "province_leader"
				case "national_users":
					roles = "security_admin"
				default:
					continue
				}
				add(badCase{name: e.name + ": username " + quoted, path: e.path, token: e.token,
					body: `{"username":` + quoted + `,"roles":["` + roles + `"]}`, status: 400, code: "invalid_input", fields: []string{"username"}})
			}
			signIn := badCase{name: "session: username " + quoted, path: "/api/v1/session",
				body: `{"username":` + quoted + `,"password":"Some#Pass2026"}`, status: 401, code: "invalid_credentials"}
			if strings.ContainsRune(name, 0) {
				// NUL is refused before any name is looked up, like every JSON string.
				signIn.status, signIn.code, signIn.fields = 400, "invalid_input", []string{"username"}
			}
			add(signIn)
		}

		// Other invalid values.
		for _, v := range []struct {
			endpoint, body string
			status         int
			code           string
			fields         []string
		}{
			{"session", `{"username":"admin"}`, 400, "invalid_input", []string{"password"}},
			{"password", `{"current_password":"User#Pass2026x","new_password":"short"}`, 400, "invalid_input", []string{"new_password"}},
			{"password", `{"current_password":"User#Pass2026x","new_password":"alllowercase"}`, 400, "invalid_input", []string{"new_password"}},
			{"password", `{"current_password":"User#Pass2026x","new_password":"User#Pass2026x"}`, 400, "invalid_input", []string{"new_password"}},
			{"password", `{"current_password":"User#Pass2026x","new_password":"Xclerk_a#2026"}`, 400, "invalid_input", []string{"new_password"}},
			{"password", `{"current_password":"Wrong#Pass2026","new_password":"New#Pass20261"}`, 400, "invalid_input", []string{"current_password"}},
			{"password", `{"current_password":"User#Pass2026x","new_password":"` + strings.Repeat("Aa1#", 33) + `"}`, 400, "invalid_input", []string{"new_password"}},
			{"county_users", `{"username":"new_clerk","roles":[]}`, 400, "invalid_input", []string{"roles"}},
			{"county_users", `{"username":"new_clerk"}`, 400, "invalid_input", []string{"roles"}},
			{"county_users", `{"username":"new_clerk","roles":["superuser"]}`, 400, "invalid_input", []string{"roles"}},
			{"county_users", `{"username":"new_clerk","roles":["<script>alert(1)</script>"]}`, 400, "invalid_input", []string{"roles"}},
			{"county_users", `{"username":"new_clerk","display_name":"` + strings.Repeat("名", 65) + `","roles":["county_clerk"]}`, 400, "invalid_input", []string{"display_name"}},
			{"county_users", `{"username":"new_clerk","roles":["county_admin"]}`, 403, "forbidden", nil},
			{"county_users", `{"username":"clerk_a","roles":["county_clerk"]}`, 409, "duplicate", nil},
			{"national_users", `{"username":"new_both","roles":["audit_admin","security_admin"]}`, 409, "separation_of_duties", nil},
			{"county_grant", `{"role":"superuser"}`, 400, "invalid_input", nil},
			{"county_grant", `{"role":""}`, 400, "invalid_input", nil},
			{"county_grant", `{"role":"x'; DROP TABLE user_roles;--"}`, 400, "invalid_input", nil},
			{"county_grant", `{"role":"county_admin"}`, 403, "forbidden", nil},
			{"province_grant", `{"role":"<script>alert(1)</script>"}`, 400, "invalid_input", nil},
			{"national_grant", `{"role":"security_admin"}`, 409, "separation_of_duties", nil},
		} {
			for _, e := range endpoints {
				if e.name == v.endpoint {
					c := badCase{name: e.name + ": " + v.body, path: e.path, token: e.token, body: v.body,
						status: v.status, code: v.code, fields: v.fields}
					// Grant errors must explain the offending value.
					c.anyFields = v.status == 400 && v.fields == nil
					add(c)
				}
			}
		}
		// Grants to objects that do not exist or live elsewhere.
		for _, p := range []string{"999999", "0", "-1", "abc", "99999999999999999999", "1.5"} {
			add(badCase{name: "county grant: user " + p, path: "/api/v1/counties/" + a + "/users/" + p + "/roles", token: countyAdmin,
				body: `{"role":"county_reviewer"}`, status: 404, code: "not_found"})
		}
		add(badCase{name: "county grant: national user", path: "/api/v1/counties/" + a + "/users/" + e2e.Itoa(natID) + "/roles", token: countyAdmin,
			body: `{"role":"county_reviewer"}`, status: 404, code: "not_found"})
		add(badCase{name: "province grant: county user", path: "/api/v1/provinces/34/users/" + e2e.Itoa(clerkID) + "/roles", token: admin,
			body: `{"role":"province_leader"}`, status: 404, code: "not_found"})

		for _, c := range cases {
			before := tableCounts(s)
			var r e2e.Response
			if c.status == 413 || c.chunked || len(c.body) >= limit {
				r = sendRaw(t, addr, c)
			} else {
				var body io.Reader = strings.NewReader(c.body)
				req := httptest.NewRequest(c.method, c.path, body)
				if c.contentType != "-" {
					req.Header.Set("Content-Type", c.contentType)
				}
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				r = s.Send(req)
			}
			checkBadAnswer(t, c, r)
			after := tableCounts(s)
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s: %s has %d rows after, %d before", c.name, table, after[table], n)
				}
			}
		}

		// The tables the injection attempts named are still there and intact.
		if n := s.CountRows("SELECT COUNT(*) FROM users WHERE username IN ('admin', 'clerk_a', 'leader34', 'auditor', 'admin_340102')"); n != 5 {
			t.Errorf("users after the bad input: %d of 5", n)
		}
		// The refused password changes left the clerk's session alone.
		v := s.Must(200, s.Do("GET", "/api/v1/session", clerk, nil))
		if v.Body["user"] == nil {
			t.Errorf("the clerk's session did not survive: %s", v.Raw)
		}
	})
}

// checkBadAnswer asserts the status, the error envelope and that nothing
// internal leaks.
func checkBadAnswer(t *testing.T, c badCase, r e2e.Response) {
	t.Helper()
	if r.Status >= 500 {
		t.Errorf("%s: status %d: %.300s", c.name, r.Status, r.Raw)
		return
	}
	if r.Status != c.status {
		t.Errorf("%s: status %d, want %d: %.300s", c.name, r.Status, c.status, r.Raw)
	}
	for _, text := range goErrorText {
		if strings.Contains(strings.ToLower(string(r.Raw)), strings.ToLower(text)) {
			t.Errorf("%s: body contains %q: %.300s", c.name, text, r.Raw)
		}
	}
	if strings.Contains(string(r.Raw), "<script>") {
		t.Errorf("%s: body echoes markup: %.300s", c.name, r.Raw)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: content type %q, want JSON", c.name, r.Header.Get("Content-Type"))
		return
	}
	e, ok := r.Body["error"].(map[string]any)
	if !ok {
		t.Errorf("%s: no error envelope: %.300s", c.name, r.Raw)
		return
	}
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	if code == "" || msg == "" {
		t.Errorf("%s: error without code or message: %s", c.name, r.Raw)
	}
	if c.code != "" && code != c.code {
		t.Errorf("%s: error code %q, want %q: %s", c.name, code, c.code, r.Raw)
	}
	fields, _ := e["fields"].(map[string]any)
	for _, f := range c.fields {
		if m, _ := fields[f].(string); m == "" {
			t.Errorf("%s: error.fields.%s missing: %s", c.name, f, r.Raw)
		}
	}
	if c.anyFields && len(fields) == 0 {
		t.Errorf("%s: error without fields: %s", c.name, r.Raw)
	}
}
