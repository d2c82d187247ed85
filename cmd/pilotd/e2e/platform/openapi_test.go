package platform_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"safetypilot/cmd/pilotd/internal/e2e"
	"safetypilot/cmd/pilotd/internal/server"
	"safetypilot/modules/db"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var (
	openAPIFiberParam    = regexp.MustCompile(`:([A-Za-z0-9_]+)\??`)
	openAPITemplateParam = regexp.MustCompile(`\{([^{}]+)\}`)
)

// openAPIDocumentedRoute reports whether a route belongs in the OpenAPI document:
// the JSON API and the operations endpoints, not the HTML pages.
func openAPIDocumentedRoute(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// TestOpenAPIMatchesRoutes keeps cmd/pilotd/openapi.json in step with the
// routes the service registers, and checks that the document holds together.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	s := e2e.New(t, db.SQLite)

	// The routes the app serves, as "METHOD /path/{param}".
	routes := map[string]bool{}
	for _, r := range s.Svc.App.GetRoutes(true) {
		if r.Method == "HEAD" || !openAPIDocumentedRoute(r.Path) {
			continue
		}
		routes[r.Method+" "+openAPIFiberParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(routes) == 0 {
		t.Fatal("the app has no API routes")
	}

	// The document as served.
	res := s.Do("GET", "/api/v1/openapi.json", "", nil)
	if res.Status != 200 {
		t.Fatalf("GET /api/v1/openapi.json: status %d: %s", res.Status, res.Raw)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /api/v1/openapi.json: Content-Type %q, want application/json", ct)
	}
	if !bytes.Equal(res.Raw, server.OpenAPIDoc) {
		t.Errorf("the served document differs from the embedded openapi.json")
	}
	var doc map[string]any
	if err := json.Unmarshal(res.Raw, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v, want 3.0.3", doc["openapi"])
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.json has no paths object")
	}

	documented := map[string]bool{}
	opIDs := map[string]string{}
	for _, path := range openAPISortedKeys(paths) {
		item, ok := paths[path].(map[string]any)
		if !ok {
			t.Errorf("path %s is not an object", path)
			continue
		}
		for _, method := range openAPIMethods {
			raw, ok := item[method]
			if !ok {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			op, ok := raw.(map[string]any)
			if !ok {
				t.Errorf("%s: the operation is not an object", key)
				continue
			}
			openAPICheckOperation(t, doc, key, path, item, op, opIDs)
		}
	}

	var missing, stale []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			stale = append(stale, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json (%d):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("operations in openapi.json without a route (%d):\n  %s", len(stale), strings.Join(stale, "\n  "))
	}

	// Every $ref points inside the document and resolves there.
	openAPIWalkRefs(doc, "#", func(at, ref string) {
		if _, err := openAPIResolveRef(doc, ref); err != nil {
			t.Errorf("%s: $ref %q: %v", at, ref, err)
		}
	})

	// Security requirements name declared schemes.
	schemes, _ := openAPIDig(doc, "components", "securitySchemes").(map[string]any)
	checkSecurity := func(at string, v any) {
		reqs, _ := v.([]any)
		for _, r := range reqs {
			req, _ := r.(map[string]any)
			for name := range req {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security scheme %q is not declared in components.securitySchemes", at, name)
				}
			}
		}
	}
	checkSecurity("security", doc["security"])
	for _, path := range openAPISortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range openAPIMethods {
			if op, ok := item[method].(map[string]any); ok {
				checkSecurity(strings.ToUpper(method)+" "+path, op["security"])
			}
		}
	}
	t.Logf("%d operations documented, %d routes served", len(documented), len(routes))
}

// openAPICheckOperation checks one operation: a unique operationId, at least one
// response, and every path template parameter declared (and vice versa).
func openAPICheckOperation(t *testing.T, doc map[string]any, key, path string, item, op map[string]any, opIDs map[string]string) {
	t.Helper()
	id, _ := op["operationId"].(string)
	switch {
	case id == "":
		t.Errorf("%s: no operationId", key)
	case opIDs[id] != "":
		t.Errorf("%s: operationId %q is also used by %s", key, id, opIDs[id])
	default:
		opIDs[id] = key
	}
	if responses, _ := op["responses"].(map[string]any); len(responses) == 0 {
		t.Errorf("%s: no responses", key)
	}
	if s, _ := op["summary"].(string); s == "" {
		t.Errorf("%s: no summary", key)
	}

	declared := map[string]bool{}
	for _, params := range []any{item["parameters"], op["parameters"]} {
		list, _ := params.([]any)
		for _, p := range list {
			param, _ := p.(map[string]any)
			if ref, ok := param["$ref"].(string); ok {
				resolved, err := openAPIResolveRef(doc, ref)
				if err != nil {
					continue // reported by the $ref walk
				}
				param, _ = resolved.(map[string]any)
			}
			if param["in"] != "path" {
				continue
			}
			name, _ := param["name"].(string)
			declared[name] = true
			if param["required"] != true {
				t.Errorf("%s: path parameter %q must be required", key, name)
			}
		}
	}
	inTemplate := map[string]bool{}
	for _, m := range openAPITemplateParam.FindAllStringSubmatch(path, -1) {
		inTemplate[m[1]] = true
		if !declared[m[1]] {
			t.Errorf("%s: path parameter {%s} is not declared", key, m[1])
		}
	}
	for name := range declared {
		if !inTemplate[name] {
			t.Errorf("%s: declares path parameter %q that is not in the path", key, name)
		}
	}
}

// openAPIWalkRefs calls f with every "$ref" value in v and where it was found.
func openAPIWalkRefs(v any, at string, f func(at, ref string)) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range openAPISortedKeys(x) {
			if k == "$ref" {
				ref, _ := x[k].(string)
				f(at, ref)
				continue
			}
			openAPIWalkRefs(x[k], at+"/"+k, f)
		}
	case []any:
		for i, e := range x {
			openAPIWalkRefs(e, fmt.Sprintf("%s/%d", at, i), f)
		}
	}
}

// openAPIResolveRef follows a local JSON pointer ("#/components/schemas/Error").
func openAPIResolveRef(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a reference inside the document")
	}
	var cur any = doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil, err
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("%q not found", tok)
		}
	}
	return cur, nil
}

// dig walks nested objects by key.
func openAPIDig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func openAPISortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
