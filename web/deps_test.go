package web

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fiberAdvisories are the published advisories against Fiber v2 that touch
// what a service like this could use, with the first v2 release that fixes
// each; an advisory without a v2 fix names a package that must never be
// linked in.
var fiberAdvisories = []struct {
	id, pkg, fixed string
}{
	{"CVE-2023-45128 (CSRF token injection)", "github.com/gofiber/fiber/v2/middleware/csrf", "v2.50.0"},
	{"CVE-2023-45141 (CSRF token validation)", "github.com/gofiber/fiber/v2/middleware/csrf", "v2.50.0"},
	{"CVE-2024-25124 (CORS wildcard origin with credentials)", "github.com/gofiber/fiber/v2/middleware/cors", "v2.52.1"},
	{"CVE-2024-38513 (session id supplied by the client)", "github.com/gofiber/fiber/v2/middleware/session", "v2.52.5"},
	{"CVE-2026-42554 (Ctx.Format HTML injection)", "", "v2.52.13"},
	{"CVE-2026-45045 (X-Real-IP spoofing in the proxy balancer)", "github.com/gofiber/fiber/v2/middleware/proxy", ""},
}

// TestFiberPastAdvisories checks the Fiber version go.mod pins is past every
// advisory's fix.
func TestFiberPastAdvisories(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/gofiber/fiber/v2 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/gofiber/fiber/v2")
	}
	pinned := string(m[1])
	for _, a := range fiberAdvisories {
		if a.fixed != "" && versionLess(pinned, a.fixed) {
			t.Errorf("Fiber %s is before %s, which fixes %s", pinned, a.fixed, a.id)
		}
	}
}

// TestNoAdvisedFiberMiddleware checks that none of the Fiber middleware
// with published advisories is linked into any package: sessions, CSRF,
// CORS and forwarding are the service's own (web/auth.go, web/csrf.go) or
// absent. It asks the go command for the real dependency graph.
func TestNoAdvisedFiberMiddleware(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	linked := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		linked[p] = true
	}
	if !linked["github.com/gofiber/fiber/v2"] {
		t.Fatal("go list did not report Fiber itself: the check would prove nothing")
	}
	for _, a := range fiberAdvisories {
		if a.pkg != "" && linked[a.pkg] {
			t.Errorf("%s is linked in; it was subject to %s — use the service's own implementation", a.pkg, a.id)
		}
	}
}

// versionLess compares two vMAJOR.MINOR.PATCH versions.
func versionLess(a, b string) bool {
	pa, pb := versionParts(a), versionParts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

func versionParts(v string) [3]int {
	var out [3]int
	core, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), "-")
	for i, p := range strings.SplitN(core, ".", 3) {
		out[i], _ = strconv.Atoi(p)
	}
	return out
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{
		{"v2.52.15", "v2.52.5", false}, {"v2.52.4", "v2.52.5", true}, {"v2.49.9", "v2.50.0", true},
		{"v2.52.5", "v2.52.5", false}, {"v3.0.0", "v2.52.5", false}, {"v2.52.5-rc.1", "v2.52.6", true},
	} {
		if got := versionLess(c.a, c.b); got != c.less {
			t.Errorf("versionLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}
