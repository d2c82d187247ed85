// Package deploy holds the container image, the compose file, the Kubernetes
// manifests and the proxy configuration of SafetyPilot; its tests parse them
// (Docker is not needed) and check what a deployment relies on: a small
// non-root static image, MySQL in utf8mb4 with a health check, two replicas
// behind a proxy that passes the client address, Prometheus and Grafana
// wired to the files they need, and pods with probes, limits and secrets.
package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ---- helpers -------------------------------------------------------------

// readDocs decodes every YAML document of a file.
func readDocs(t *testing.T, file string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return decodeDocs(t, file, data)
}

func decodeDocs(t *testing.T, name string, data []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc != nil {
			out = append(out, doc)
		}
	}
	return out
}

// dig walks maps by key and lists by index ("0", "1", …).
func dig(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// settings are the PILOT_* variables pilotd knows, with their defaults, read
// from the single table of cmd/pilotd/internal/server/config.go.
func settings(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "cmd", "pilotd", "internal", "server", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\{"[a-z-]+", "(PILOT_[A-Z0-9_]+)", "([^"]*)"`)
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		out[m[1]] = m[2]
	}
	for _, must := range []string{"PILOT_DB_DSN", "PILOT_DB_MAX_OPEN", "PILOT_PROXY_HEADER", "PILOT_TRUSTED_PROXIES", "PILOT_UPLOAD_LIMIT"} {
		if _, ok := out[must]; !ok {
			t.Fatalf("config.go no longer lists %s (found %v)", must, out)
		}
	}
	return out
}

// checkEnv asserts that every PILOT_ variable set for pilotd is one it reads.
func checkEnv(t *testing.T, where string, env map[string]string, known map[string]string) {
	t.Helper()
	for k := range env {
		if strings.HasPrefix(k, "PILOT_") {
			if _, ok := known[k]; !ok {
				t.Errorf("%s sets %s, which pilotd does not read", where, k)
			}
		}
	}
}

// checkMemLimit asserts that GOMEMLIMIT, when set, is below the container's
// memory limit (bytes; 0 when there is none) and leaves room beside the heap.
func checkMemLimit(t *testing.T, where, gomemlimit string, limit float64) {
	t.Helper()
	if gomemlimit == "" {
		return
	}
	v, err := quantity(strings.TrimSuffix(gomemlimit, "B"))
	if err != nil || limit == 0 || v >= 0.95*limit || v < 0.5*limit {
		t.Errorf("%s: GOMEMLIMIT %s against a memory limit of %.0f bytes: want 50–95%% of it", where, gomemlimit, limit)
	}
}

// ---- Dockerfile ----------------------------------------------------------

type instruction struct {
	cmd  string // upper case
	args string
	line int
}

type stage struct {
	base, name string
	ins        []instruction
}

// parseDockerfile joins continuation lines, drops comments and splits the
// instructions into stages; ARGs before the first FROM are returned apart.
func parseDockerfile(t *testing.T, file string) (args map[string]string, stages []*stage) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	args = map[string]string{}
	sc := bufio.NewScanner(f)
	var cur strings.Builder
	n, start := 0, 0
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, rest, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(rest), line: start}
		if in.cmd == "FROM" {
			fields := strings.Fields(in.args)
			st := &stage{}
			for _, fl := range fields {
				if !strings.HasPrefix(fl, "--") {
					st.base = fl
					break
				}
			}
			if len(fields) >= 3 && strings.EqualFold(fields[len(fields)-2], "AS") {
				st.name = fields[len(fields)-1]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", file, in.line, in.cmd)
			}
			k, v, _ := strings.Cut(in.args, "=")
			args[k] = v
			return
		}
		st := stages[len(stages)-1]
		st.ins = append(st.ins, in)
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") && cur.Len() == 0 {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return args, stages
}

func (s *stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// goVersion is the major.minor of go.mod's go directive.
func goVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return string(m[1])
}

// TestDockerfile: a multi-stage build of a static binary (CGO_ENABLED=0) with
// the Go of go.mod, copied onto a small base and run as a non-root user on
// port 8080.
func TestDockerfile(t *testing.T) {
	args, stages := parseDockerfile(t, "Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	// The build stage: the Go toolchain of go.mod, no cgo, the pilotd binary.
	base := build.base
	for k, v := range args {
		base = strings.ReplaceAll(base, "${"+k+"}", v)
	}
	if want := goVersion(t); !strings.HasPrefix(base, "golang:"+want) {
		t.Errorf("build stage FROM %s (= %s), want golang:%s… (go.mod)", build.base, base, want)
	}
	if build.name == "" {
		t.Errorf("the build stage has no name (FROM … AS build)")
	}
	cgoOff, built := false, false
	for _, in := range build.ins {
		if (in.cmd == "ENV" || in.cmd == "RUN") && regexp.MustCompile(`\bCGO_ENABLED=0\b`).MatchString(in.args) {
			cgoOff = true
		}
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") && strings.Contains(in.args, "./cmd/pilotd") {
			built = true
			if !strings.Contains(in.args, "CGO_ENABLED=0") && !cgoOff {
				t.Errorf("line %d: go build without CGO_ENABLED=0", in.line)
			}
		}
	}
	if !cgoOff || !built {
		t.Errorf("build stage: CGO_ENABLED=0 %v, go build ./cmd/pilotd %v", cgoOff, built)
	}

	// The final stage: small base, only the binary from the build stage.
	small := regexp.MustCompile(`^(gcr\.io/distroless/static[\w.-]*|gcr\.io/distroless/base[\w.-]*|alpine|scratch|debian:[\w.-]*-slim)(:|$)`)
	if !small.MatchString(final.base) {
		t.Errorf("final stage FROM %s, want distroless, alpine, scratch or debian-slim", final.base)
	}
	copied := false
	for _, in := range final.all("COPY") {
		if strings.Contains(in.args, "--from="+build.name) && strings.Contains(in.args, "pilotd") {
			copied = true
		}
	}
	if !copied {
		t.Errorf("final stage does not COPY --from=%s the pilotd binary", build.name)
	}
	for _, in := range final.all("ADD") {
		t.Errorf("line %d: ADD in the final stage (use COPY)", in.line)
	}
	for _, in := range final.all("RUN") {
		if !strings.HasPrefix(final.base, "alpine") && !strings.Contains(final.base, "slim") {
			t.Errorf("line %d: RUN in a final stage without a shell", in.line)
		}
	}

	users := final.all("USER")
	if len(users) == 0 {
		t.Fatalf("final stage has no USER: the container would run as root")
	}
	user := strings.Split(users[len(users)-1].args, ":")[0]
	if user == "root" || user == "0" || user == "" {
		t.Errorf("final USER %q is root", users[len(users)-1].args)
	}
	if uid, err := strconv.Atoi(user); err == nil && uid < 1000 {
		t.Errorf("final USER %d is a system account", uid)
	}

	exposed := false
	for _, in := range final.all("EXPOSE") {
		for _, p := range strings.Fields(in.args) {
			if strings.TrimSuffix(p, "/tcp") == "8080" {
				exposed = true
			}
		}
	}
	if !exposed {
		t.Errorf("final stage does not EXPOSE 8080")
	}
	entry := final.all("ENTRYPOINT")
	if len(entry) == 0 || !strings.Contains(entry[len(entry)-1].args, "pilotd") {
		t.Errorf("ENTRYPOINT %v does not run pilotd", entry)
	}
	for _, in := range final.all("ENV") {
		if strings.Contains(in.args, "PILOT_ADDR") && !strings.Contains(in.args, ":8080") {
			t.Errorf("line %d: PILOT_ADDR is not :8080 while 8080 is exposed", in.line)
		}
		env := map[string]string{}
		for _, kv := range strings.Fields(in.args) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		checkEnv(t, "Dockerfile", env, settings(t))
	}
	// No shell or curl in the image: health is checked by the orchestrator
	// (Kubernetes probes, TestKubernetesManifests). A HEALTHCHECK, if one is
	// added, must ask the service itself.
	for _, in := range final.all("HEALTHCHECK") {
		if !strings.Contains(in.args, "/healthz") && !strings.Contains(in.args, "NONE") {
			t.Errorf("HEALTHCHECK %q does not ask /healthz", in.args)
		}
	}
}

// TestDockerfileContext: the build context's ignore file keeps out the
// repository's history and binaries but none of the sources, embedded files
// or module files the build needs.
func TestDockerfileContext(t *testing.T) {
	data, err := os.ReadFile("Dockerfile.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf("negated pattern %q: extend this test's matcher first", line)
		}
		patterns = append(patterns, strings.TrimPrefix(line, "/"))
	}
	// ignored follows Docker's rules closely enough for these patterns: a
	// pattern matches a path or any of its parent folders; **/ matches any
	// number of leading folders.
	ignored := func(p string) bool {
		for _, pat := range patterns {
			for dir := p; dir != "." && dir != "/"; dir = path.Dir(dir) {
				if ok, _ := path.Match(pat, dir); ok {
					return true
				}
				if rest, ok := strings.CutPrefix(pat, "**/"); ok {
					if m, _ := path.Match(rest, path.Base(dir)); m {
						return true
					}
				}
			}
		}
		return false
	}
	for _, p := range []string{".git/HEAD", "var/pilot.db", "pilotd", "cmd/pilotd/app_test.go"} {
		if !ignored(p) {
			t.Errorf("%s is sent to the build", p)
		}
	}
	needed := 0
	root := ".."
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == "var" || rel == "deploy" {
				return filepath.SkipDir
			}
			return nil
		}
		top := strings.Split(rel, "/")[0]
		if rel == "go.mod" || rel == "go.sum" ||
			(slices.Contains([]string{"cmd", "modules", "web", "rbac", "jobs", "tenants"}, top) && !strings.HasSuffix(rel, "_test.go") && !strings.Contains(rel, "/testdata/")) {
			needed++
			if ignored(rel) {
				t.Errorf("%s is needed by the build but ignored", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if needed < 50 {
		t.Errorf("only %d source files found: is the walk rooted at the repository?", needed)
	}
}

// ---- compose -------------------------------------------------------------

// interpolate does what `docker compose config` does to the file before
// parsing it: $$ is a literal $, ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?message} and $VAR are replaced from env. Unset variables without a
// default are reported.
func interpolate(src string, env map[string]string) (string, []string, error) {
	var out strings.Builder
	var unset []string
	nameRe := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '$' {
			out.WriteByte(c)
			continue
		}
		if i+1 < len(src) && src[i+1] == '$' {
			out.WriteByte('$')
			i++
			continue
		}
		if i+1 < len(src) && src[i+1] == '{' {
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return "", nil, fmt.Errorf("unclosed ${ at offset %d", i)
			}
			expr := src[i+2 : i+end]
			name := nameRe.FindString(expr)
			if name == "" {
				return "", nil, fmt.Errorf("bad substitution ${%s}", expr)
			}
			rest := expr[len(name):]
			val, set := env[name]
			switch {
			case rest == "":
				if !set {
					unset = append(unset, name)
				}
			case strings.HasPrefix(rest, ":-"):
				if val == "" {
					val = rest[2:]
				}
			case strings.HasPrefix(rest, "-"):
				if !set {
					val = rest[1:]
				}
			case strings.HasPrefix(rest, ":?"), strings.HasPrefix(rest, "?"):
				if val == "" {
					return "", nil, fmt.Errorf("required variable %s is not set: %s", name, strings.TrimLeft(rest, ":?"))
				}
			default:
				return "", nil, fmt.Errorf("bad substitution ${%s}", expr)
			}
			out.WriteString(val)
			i += end
			continue
		}
		name := nameRe.FindString(src[i+1:])
		if name == "" {
			return "", nil, fmt.Errorf("lone $ at offset %d (write $$)", i)
		}
		val, set := env[name]
		if !set {
			unset = append(unset, name)
		}
		out.WriteString(val)
		i += len(name)
	}
	return out.String(), unset, nil
}

// TestComposeHasNoDefaultSecrets: compose refuses to start while any secret
// is unset, naming it, and no password, secret or key in deploy/ has a
// default value (the bootstrap password may be empty: one is generated).
func TestComposeHasNoDefaultSecrets(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range composeSecrets {
		env := secretEnv()
		delete(env, name)
		if _, _, err := interpolate(string(raw), env); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("compose.yaml without %s: %v, want an error naming it", name, err)
		}
	}
	withDefault := regexp.MustCompile(`\$\{([A-Z0-9_]*(?:PASSWORD|SECRET|KEY)[A-Z0-9_]*):?-([^}]*)\}`)
	for _, m := range withDefault.FindAllStringSubmatch(string(raw), -1) {
		if m[1] == "PILOT_BOOTSTRAP_ADMIN_PASSWORD" && m[2] == "" {
			continue
		}
		t.Errorf("compose.yaml: %s has the default %q", m[1], m[2])
	}
}

// TestKubernetesSecretInstructions: every key the Deployment takes from the
// Secret without `optional: true` is created by the README's `kubectl create
// secret` command and by the one in secret.example.yaml, so a pod started as
// the README says does not stop at CreateContainerConfigError.
func TestKubernetesSecretInstructions(t *testing.T) {
	var required []string
	for _, doc := range readDocs(t, "kubernetes/deployment.yaml") {
		for _, c := range list(dig(doc, "spec", "template", "spec", "containers")) {
			for _, e := range list(obj(c)["env"]) {
				ref := obj(dig(e, "valueFrom", "secretKeyRef"))
				if ref != nil && str(ref["name"]) == "pilotd-secrets" && ref["optional"] != true {
					required = append(required, str(ref["key"]))
				}
			}
		}
	}
	if len(required) == 0 {
		t.Fatal("the Deployment takes nothing from pilotd-secrets")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("kubernetes/secret.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile(`(?s)create secret generic pilotd-secrets(?:[^\n]*\\\n)*[^\n]*`)
	for where, text := range map[string]string{"README.md": string(readme), "secret.example.yaml": string(example)} {
		cmd := command.FindString(text)
		if cmd == "" {
			t.Errorf("%s has no `kubectl create secret generic pilotd-secrets` command", where)
			continue
		}
		for _, key := range required {
			if !strings.Contains(cmd, "--from-literal="+key+"=") {
				t.Errorf("%s: the kubectl command does not create %s, which every pod needs:\n%s", where, key, cmd)
			}
		}
	}
}

func TestComposeInterpolation(t *testing.T) {
	env := map[string]string{"A": "a", "E": ""}
	for in, want := range map[string]string{
		"$$A": "$A", "${A}": "a", "${B:-x}": "x", "${E:-x}": "x", "${E-x}": "", "${B-x}": "x", "$A/b": "a/b", "${A:?need}": "a",
	} {
		if got, _, err := interpolate(in, env); err != nil || got != want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"${", "${1}", "${B:?need}", "cost $ 5", "${A!x}"} {
		if _, _, err := interpolate(bad, env); err == nil {
			t.Errorf("interpolate(%q): no error", bad)
		}
	}
}

// composeServiceKeys are the attributes of a service in the Compose
// Specification; anything else is a typo that compose would reject.
var composeServiceKeys = strings.Fields(`annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent
	command configs container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares
	cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt dns_search domainname
	driver_opts entrypoint env_file environment expose extends external_links extra_hosts gpus group_add healthcheck
	hostname image init ipc isolation label_file labels links logging mac_address mem_limit mem_reservation
	mem_swappiness memswap_limit models network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform
	ports post_start pre_stop privileged profiles provider pull_policy read_only restart runtime scale secrets
	security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits
	use_api_socket user userns_mode uts volumes volumes_from working_dir`)

// composeMetricsPort is where pilotd serves /metrics in compose
// (PILOT_METRICS_ADDR): on the pilot network, never through the proxy.
const composeMetricsPort = "9091"

// composeSecrets are the variables compose.yaml requires (no default: a
// published default secret would be used by whoever forgot to set one).
var composeSecrets = []string{"PILOT_DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "PILOT_SECRET_KEY", "GRAFANA_ADMIN_PASSWORD"}

// secretEnv sets every required secret to a value, as deploy/.env would.
func secretEnv() map[string]string {
	env := map[string]string{}
	for _, name := range composeSecrets {
		env[name] = "set-by-the-operator"
	}
	return env
}

// loadCompose interpolates compose.yaml with the secrets set and nothing else
// (every other variable must have a default, so `docker compose config`
// works with a .env file of secrets only) and parses it.
func loadCompose(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, unset, err := interpolate(string(raw), secretEnv())
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	if len(unset) > 0 {
		t.Errorf("compose.yaml: variables without a default: %v", unset)
	}
	docs := decodeDocs(t, "compose.yaml", []byte(text))
	if len(docs) != 1 {
		t.Fatalf("compose.yaml: %d documents", len(docs))
	}
	return docs[0]
}

// environment reads a service's environment, as a map or a KEY=VALUE list.
func environment(svc map[string]any) map[string]string {
	out := map[string]string{}
	switch e := svc["environment"].(type) {
	case map[string]any:
		for k, v := range e {
			out[k] = str(v)
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(str(kv), "=")
			out[k] = v
		}
	}
	return out
}

// mounts reads a service's short-syntax volumes: target → source.
func mounts(t *testing.T, name string, svc map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range list(svc["volumes"]) {
		parts := strings.Split(str(v), ":")
		if len(parts) < 2 || len(parts) > 3 {
			t.Errorf("service %s: volume %q is not source:target[:mode]", name, str(v))
			continue
		}
		if len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw" {
			t.Errorf("service %s: volume %q has mode %q", name, str(v), parts[2])
		}
		out[parts[1]] = parts[0]
	}
	return out
}

// TestCompose: the compose file is what `docker compose config` accepts, and
// it runs MySQL 8 (utf8mb4, health-checked), two pilotd replicas that wait
// for it, the proxy, Prometheus with the rules and Grafana with the dashboards.
func TestCompose(t *testing.T) {
	c := loadCompose(t)
	known := settings(t)
	for k := range c {
		if !slices.Contains([]string{"name", "services", "networks", "volumes", "configs", "secrets", "include", "models"}, k) && !strings.HasPrefix(k, "x-") {
			t.Errorf("unknown top-level key %q", k)
		}
	}
	services := obj(c["services"])
	for _, want := range []string{"mysql", "pilotd", "proxy", "prometheus", "grafana"} {
		if obj(services[want]) == nil {
			t.Fatalf("no %s service (have %v)", want, sortedKeys(services))
		}
	}
	networks, volumes := obj(c["networks"]), obj(c["volumes"])
	for name, v := range services {
		svc := obj(v)
		for k := range svc {
			if !slices.Contains(composeServiceKeys, k) && !strings.HasPrefix(k, "x-") {
				t.Errorf("service %s: unknown key %q", name, k)
			}
		}
		if str(svc["image"]) == "" && svc["build"] == nil {
			t.Errorf("service %s has neither image nor build", name)
		}
		for dep, cond := range obj(svc["depends_on"]) {
			if obj(services[dep]) == nil {
				t.Errorf("service %s depends on unknown %s", name, dep)
			}
			if cd := str(dig(cond, "condition")); !slices.Contains([]string{"service_started", "service_healthy", "service_completed_successfully"}, cd) {
				t.Errorf("service %s: depends_on %s condition %q", name, dep, cd)
			}
			if str(dig(cond, "condition")) == "service_healthy" && dig(services[dep], "healthcheck") == nil {
				t.Errorf("service %s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		var nets []string
		switch n := svc["networks"].(type) {
		case []any:
			for _, x := range n {
				nets = append(nets, str(x))
			}
		case map[string]any:
			nets = sortedKeys(n)
		}
		for _, n := range nets {
			if _, ok := networks[n]; !ok {
				t.Errorf("service %s: undeclared network %s", name, n)
			}
		}
		for target, source := range mounts(t, name, svc) {
			if strings.HasPrefix(source, ".") || strings.HasPrefix(source, "/") {
				if _, err := os.Stat(source); err != nil {
					t.Errorf("service %s: bind mount %s → %s: %v", name, source, target, err)
				}
			} else if _, ok := volumes[source]; !ok {
				t.Errorf("service %s: undeclared volume %s", name, source)
			}
		}
		if hc := obj(svc["healthcheck"]); hc != nil {
			if test := list(hc["test"]); len(test) < 2 || !slices.Contains([]string{"CMD", "CMD-SHELL"}, str(test[0])) {
				t.Errorf("service %s: healthcheck test %v", name, hc["test"])
			}
		}
	}

	// MySQL 8 in utf8mb4, health-checked, with room for every replica's pool.
	mysql := obj(services["mysql"])
	if !strings.HasPrefix(str(mysql["image"]), "mysql:8") {
		t.Errorf("mysql image %s, want mysql:8…", mysql["image"])
	}
	flags := map[string]string{}
	for _, f := range list(mysql["command"]) {
		k, v, _ := strings.Cut(strings.TrimPrefix(str(f), "--"), "=")
		flags[strings.ReplaceAll(k, "_", "-")] = v
	}
	if flags["character-set-server"] != "utf8mb4" || flags["collation-server"] != "utf8mb4_unicode_ci" {
		t.Errorf("mysql: character set %q, collation %q; want utf8mb4 / utf8mb4_unicode_ci", flags["character-set-server"], flags["collation-server"])
	}
	if iso := flags["transaction-isolation"]; iso != "" && iso != "READ-COMMITTED" {
		t.Errorf("mysql: transaction-isolation %s (pilotd uses READ COMMITTED)", iso)
	}
	hc := strings.Join(strings.Fields(fmt.Sprint(dig(mysql, "healthcheck", "test"))), " ")
	if !strings.Contains(hc, "mysqladmin ping") {
		t.Errorf("mysql healthcheck %q does not ping the server", hc)
	}
	myEnv := environment(mysql)
	if myEnv["MYSQL_DATABASE"] == "" || myEnv["MYSQL_USER"] == "" || myEnv["MYSQL_PASSWORD"] == "" || myEnv["MYSQL_ROOT_PASSWORD"] == "" {
		t.Errorf("mysql environment %v: want database, user, password and root password", myEnv)
	}

	// Two pilotd replicas that wait for a healthy MySQL.
	pilotd := obj(services["pilotd"])
	replicas, _ := num(dig(pilotd, "deploy", "replicas"))
	if replicas < 2 {
		t.Errorf("pilotd replicas %v, want 2", dig(pilotd, "deploy", "replicas"))
	}
	if str(dig(pilotd, "depends_on", "mysql", "condition")) != "service_healthy" {
		t.Errorf("pilotd does not wait for a healthy mysql: %v", pilotd["depends_on"])
	}
	if ctx := str(dig(pilotd, "build", "context")); ctx == "" {
		t.Errorf("pilotd has no build context")
	} else {
		df := filepath.Join(ctx, str(dig(pilotd, "build", "dockerfile")))
		if _, err := os.Stat(filepath.Join(ctx, "go.mod")); err != nil {
			t.Errorf("pilotd build context %s is not the module root: %v", ctx, err)
		}
		if abs, _ := filepath.Abs(df); abs != mustAbs(t, "Dockerfile") {
			t.Errorf("pilotd builds with %s, not deploy/Dockerfile", df)
		}
	}
	if len(list(pilotd["ports"])) > 0 {
		t.Errorf("pilotd publishes ports %v: with two replicas only the proxy may", pilotd["ports"])
	}
	env := environment(pilotd)
	checkEnv(t, "compose pilotd", env, known)
	dsn := env["PILOT_DB_DSN"]
	wantDSN := myEnv["MYSQL_USER"] + ":" + myEnv["MYSQL_PASSWORD"] + "@tcp(mysql:3306)/" + myEnv["MYSQL_DATABASE"]
	if dsn != wantDSN && !strings.HasPrefix(dsn, wantDSN+"?") {
		t.Errorf("PILOT_DB_DSN %q, want %q (the mysql service's user and database)", dsn, wantDSN)
	}
	maxOpen, err := strconv.Atoi(env["PILOT_DB_MAX_OPEN"])
	if err != nil {
		maxOpen, _ = strconv.Atoi(known["PILOT_DB_MAX_OPEN"])
	}
	if maxConn, err := strconv.Atoi(flags["max-connections"]); err != nil || int(replicas)*maxOpen+20 > maxConn {
		t.Errorf("mysql max-connections %q is not above %d replicas × PILOT_DB_MAX_OPEN %d plus room", flags["max-connections"], int(replicas), maxOpen)
	}
	// Compose's byte units are binary: 512M is 512 MiB.
	composeMem, _ := quantity(regexp.MustCompile(`(?i)^(\d+)([kmg])b?$`).ReplaceAllStringFunc(
		str(dig(pilotd, "deploy", "resources", "limits", "memory")), func(v string) string {
			v = strings.TrimRight(v, "bB")
			return v[:len(v)-1] + strings.ToUpper(v[len(v)-1:]) + "i"
		}))
	checkMemLimit(t, "compose pilotd", env["GOMEMLIMIT"], composeMem)
	if addr := env["PILOT_ADDR"]; addr != "" && addr != ":8080" {
		t.Errorf("PILOT_ADDR %s, the proxy uses 8080", addr)
	}
	if env["PILOT_METRICS_ADDR"] != ":"+composeMetricsPort {
		t.Errorf("PILOT_METRICS_ADDR %q, want :%s: /metrics must not be on the port the proxy serves", env["PILOT_METRICS_ADDR"], composeMetricsPort)
	}
	exposed := false
	for _, p := range list(pilotd["expose"]) {
		exposed = exposed || str(p) == composeMetricsPort
	}
	if !exposed {
		t.Errorf("pilotd does not expose the metrics port %s to Prometheus", composeMetricsPort)
	}

	// The proxy: published, at the one address pilotd trusts for X-Forwarded-For.
	proxy := obj(services["proxy"])
	if !strings.HasPrefix(str(proxy["image"]), "nginx:") {
		t.Errorf("proxy image %s, want nginx", proxy["image"])
	}
	if len(list(proxy["ports"])) == 0 {
		t.Errorf("the proxy publishes no port")
	}
	if env["PILOT_PROXY_HEADER"] != "X-Forwarded-For" {
		t.Errorf("PILOT_PROXY_HEADER %q, want X-Forwarded-For", env["PILOT_PROXY_HEADER"])
	}
	var proxyIP net.IP
	var proxyNet string
	for n, v := range obj(proxy["networks"]) {
		if ip := net.ParseIP(str(dig(v, "ipv4_address"))); ip != nil {
			proxyIP, proxyNet = ip, n
		}
	}
	if proxyIP == nil {
		t.Fatalf("the proxy has no fixed ipv4_address, so pilotd cannot trust it alone: %v", proxy["networks"])
	}
	inSubnet := false
	for _, cfg := range list(dig(networks, proxyNet, "ipam", "config")) {
		if _, n, err := net.ParseCIDR(str(dig(cfg, "subnet"))); err == nil && n.Contains(proxyIP) {
			inSubnet = true
		}
	}
	if !inSubnet {
		t.Errorf("proxy address %s is outside network %s's subnet", proxyIP, proxyNet)
	}
	trusted := false
	for _, p := range strings.Split(env["PILOT_TRUSTED_PROXIES"], ",") {
		p = strings.TrimSpace(p)
		if ip := net.ParseIP(p); ip != nil && ip.Equal(proxyIP) {
			trusted = true
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			if ones, bits := n.Mask.Size(); ones < bits {
				t.Errorf("PILOT_TRUSTED_PROXIES trusts the range %s: pilotd replicas and Prometheus could forge addresses", p)
			}
			if n.Contains(proxyIP) {
				trusted = true
			}
		}
	}
	if !trusted {
		t.Errorf("PILOT_TRUSTED_PROXIES %q does not name the proxy %s", env["PILOT_TRUSTED_PROXIES"], proxyIP)
	}
	if src := mounts(t, "proxy", proxy)["/etc/nginx/conf.d/default.conf"]; src != "./proxy/nginx.conf" {
		t.Errorf("the proxy mounts %q as its site, want ./proxy/nginx.conf", src)
	}
}

// TestComposeMonitoring: Prometheus reads deploy/prometheus/prometheus.yml
// with the alert rules it names and scrapes every pilotd replica; Grafana
// gets the provisioning and finds the dashboards where its provider looks.
func TestComposeMonitoring(t *testing.T) {
	services := obj(loadCompose(t)["services"])
	// Prometheus with the configuration and the rules it names.
	prom := obj(services["prometheus"])
	pm := mounts(t, "prometheus", prom)
	if pm["/etc/prometheus/prometheus.yml"] != "./prometheus/prometheus.yml" {
		t.Errorf("prometheus mounts %v: want ./prometheus/prometheus.yml at /etc/prometheus/prometheus.yml", pm)
	}
	configFile := "/etc/prometheus/prometheus.yml"
	for _, arg := range list(prom["command"]) {
		if v, ok := strings.CutPrefix(str(arg), "--config.file="); ok {
			configFile = v
		}
	}
	if pm[configFile] == "" {
		t.Errorf("prometheus reads %s, which is not mounted", configFile)
	}
	promCfg := readDocs(t, filepath.Join("prometheus", "prometheus.yml"))[0]
	rules := list(promCfg["rule_files"])
	if len(rules) == 0 {
		t.Errorf("prometheus.yml names no rule files")
	}
	for _, r := range rules {
		target := str(r)
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(configFile), target)
		}
		if src := pm[target]; src == "" {
			t.Errorf("rule file %s (%s in the container) is not mounted", str(r), target)
		} else if !strings.Contains(src, "alerts.yml") {
			t.Errorf("rule file %s comes from %s, not the alert rules", target, src)
		}
	}
	if pm["/etc/prometheus/alerts.yml"] != "./prometheus/alerts.yml" {
		t.Errorf("prometheus does not mount ./prometheus/alerts.yml: %v", pm)
	}
	// Every replica is a target of its own: the DNS names scraped are services here.
	for _, sc := range list(promCfg["scrape_configs"]) {
		for _, sd := range list(dig(sc, "dns_sd_configs")) {
			for _, n := range list(dig(sd, "names")) {
				if obj(services[str(n)]) == nil {
					t.Errorf("prometheus.yml resolves %s, which is no compose service", n)
				}
				if port, _ := num(dig(sd, "port")); str(n) == "pilotd" && strconv.Itoa(int(port)) != composeMetricsPort {
					t.Errorf("prometheus.yml scrapes pilotd on port %v, not the metrics listener's %s", port, composeMetricsPort)
				}
			}
		}
		for _, st := range list(dig(sc, "static_configs")) {
			for _, target := range list(dig(st, "targets")) {
				host, _, _ := net.SplitHostPort(str(target))
				if obj(services[host]) == nil && host != "localhost" {
					t.Errorf("prometheus.yml scrapes %s, which is no compose service", target)
				}
			}
		}
	}

	// Grafana with the provisioning and the dashboards where the provider looks.
	graf := obj(services["grafana"])
	gm := mounts(t, "grafana", graf)
	if gm["/etc/grafana/provisioning"] != "./grafana/provisioning" {
		t.Errorf("grafana mounts %v: want ./grafana/provisioning at /etc/grafana/provisioning", gm)
	}
	providers := 0
	files, _ := filepath.Glob(filepath.Join("grafana", "provisioning", "dashboards", "*.y*ml"))
	for _, f := range files {
		for _, p := range list(readDocs(t, f)[0]["providers"]) {
			providers++
			want := str(dig(p, "options", "path"))
			if gm[want] != "./grafana/dashboards" {
				t.Errorf("dashboard provider %s reads %s, where grafana mounts %q (want ./grafana/dashboards)", f, want, gm[want])
			}
		}
	}
	if providers == 0 {
		t.Errorf("no dashboard provider in grafana/provisioning/dashboards")
	}
	dsFiles, _ := filepath.Glob(filepath.Join("grafana", "provisioning", "datasources", "*.y*ml"))
	for _, f := range dsFiles {
		for _, ds := range list(readDocs(t, f)[0]["datasources"]) {
			if str(dig(ds, "type")) != "prometheus" {
				continue
			}
			host, _, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(str(dig(ds, "url")), "http://"), "https://"))
			if obj(services[host]) == nil {
				t.Errorf("data source %s points at %s, which is no compose service", f, dig(ds, "url"))
			}
		}
	}
	if str(dig(graf, "depends_on", "prometheus", "condition")) == "" {
		t.Errorf("grafana does not start after prometheus")
	}
}

// TestComposeProxy: nginx sends every request to the pilotd replicas with the
// client address in X-Forwarded-For (overwritten, never appended), and lets
// uploads as large as pilotd's own limit through.
func TestComposeProxy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("proxy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		conf.WriteString(line + "\n")
	}
	text := conf.String()
	if strings.Count(text, "{") != strings.Count(text, "}") {
		t.Fatalf("nginx.conf: unbalanced braces")
	}
	upstreams := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?s)upstream\s+(\S+)\s*\{(.*?)\}`).FindAllStringSubmatch(text, -1) {
		for _, s := range regexp.MustCompile(`(?m)^\s*server\s+(\S+)`).FindAllStringSubmatch(m[2], -1) {
			upstreams[m[1]] = append(upstreams[m[1]], s[1])
		}
	}
	passes := regexp.MustCompile(`proxy_pass\s+http://([^/;\s]+)`).FindAllStringSubmatch(text, -1)
	if len(passes) == 0 {
		t.Fatalf("nginx.conf has no proxy_pass")
	}
	services := obj(loadCompose(t)["services"])
	for _, p := range passes {
		servers := upstreams[p[1]]
		if len(servers) == 0 {
			t.Errorf("proxy_pass to %s, which is no upstream", p[1])
		}
		for _, s := range servers {
			host, port, err := net.SplitHostPort(s)
			if err != nil || obj(services[host]) == nil || port != "8080" {
				t.Errorf("upstream %s server %s: want a compose service on 8080", p[1], s)
			}
		}
	}
	if !regexp.MustCompile(`proxy_set_header\s+X-Forwarded-For\s+\$remote_addr\s*;`).MatchString(text) {
		t.Errorf("nginx.conf does not set X-Forwarded-For to $remote_addr (pilotd reads one address; appending would let clients forge theirs)")
	}
	if !regexp.MustCompile(`proxy_set_header\s+Host\s+\$host\s*;`).MatchString(text) {
		t.Errorf("nginx.conf does not pass Host")
	}
	if strings.Contains(text, "non_idempotent") {
		t.Errorf("nginx.conf retries non-idempotent requests on another replica")
	}
	m := regexp.MustCompile(`client_max_body_size\s+(\d+)([kKmMgG]?)\s*;`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("nginx.conf does not set client_max_body_size (nginx's 1m is below pilotd's upload limit)")
	}
	size, _ := strconv.Atoi(m[1])
	size *= map[string]int{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[strings.ToLower(m[2])]
	upload, _ := strconv.Atoi(settings(t)["PILOT_UPLOAD_LIMIT"])
	if size <= upload {
		t.Errorf("client_max_body_size %d bytes is not above PILOT_UPLOAD_LIMIT %d", size, upload)
	}
}

// ---- Kubernetes ----------------------------------------------------------

type manifest struct {
	file string
	doc  map[string]any
}

func (m manifest) kind() string { return str(m.doc["kind"]) }
func (m manifest) name() string { return str(dig(m.doc, "metadata", "name")) }

func loadManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	var out []manifest
	for _, f := range files {
		for _, d := range readDocs(t, f) {
			out = append(out, manifest{file: filepath.Base(f), doc: d})
		}
	}
	return out
}

func findKind(t *testing.T, ms []manifest, kind string) []manifest {
	t.Helper()
	var out []manifest
	for _, m := range ms {
		if m.kind() == kind {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s manifest", kind)
	}
	return out
}

// quantity parses a Kubernetes resource quantity (cpu in cores, memory in bytes).
func quantity(s string) (float64, error) {
	for suffix, mult := range map[string]float64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40} {
		if v, ok := strings.CutSuffix(s, suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f * mult, err
		}
	}
	for suffix, mult := range map[string]float64{"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12} {
		if v, ok := strings.CutSuffix(s, suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f * mult, err
		}
	}
	return strconv.ParseFloat(s, 64)
}

// The fields of a core/v1 Container and Probe: a misspelt probe or limit
// would otherwise be dropped silently by a lenient reader.
var (
	containerKeys = strings.Fields(`name image command args workingDir ports envFrom env resources resizePolicy
		restartPolicy volumeMounts volumeDevices livenessProbe readinessProbe startupProbe lifecycle
		terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext stdin stdinOnce tty`)
	probeKeys = strings.Fields(`exec httpGet tcpSocket grpc initialDelaySeconds timeoutSeconds periodSeconds
		successThreshold failureThreshold terminationGracePeriodSeconds`)
	podSpecKeys = strings.Fields(`activeDeadlineSeconds affinity automountServiceAccountToken containers dnsConfig
		dnsPolicy enableServiceLinks ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers hostname
		imagePullSecrets initContainers nodeName nodeSelector os overhead preemptionPolicy priority
		priorityClassName readinessGates resourceClaims resources restartPolicy runtimeClassName schedulerName
		schedulingGates securityContext serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain
		terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes`)
)

func unknownKeys(t *testing.T, where string, m map[string]any, allowed []string) {
	t.Helper()
	for k := range m {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: unknown field %q", where, k)
		}
	}
}

// TestKubernetesManifests: every manifest names its apiVersion, kind and
// name; the Deployment runs ≥2 non-root replicas with liveness on /healthz,
// readiness on /readyz, requests and limits, settings from the ConfigMap and
// the DSN from the Secret; the PDB, Services and HPA (autoscaling/v2) select
// or target it.
func TestKubernetesManifests(t *testing.T) {
	ms := loadManifests(t)
	known := settings(t)
	files := map[string]bool{}
	for _, m := range ms {
		files[m.file] = true
		if str(m.doc["apiVersion"]) == "" || m.kind() == "" || m.name() == "" {
			t.Errorf("%s: a document without apiVersion, kind or metadata.name", m.file)
		}
		if ns := str(dig(m.doc, "metadata", "namespace")); ns != "" && ns != "safetypilot" {
			t.Errorf("%s %s in namespace %s", m.kind(), m.name(), ns)
		}
	}

	// kustomization.yaml lists every other file.
	kust := findKind(t, ms, "Kustomization")[0]
	var resources []string
	for _, r := range list(kust.doc["resources"]) {
		resources = append(resources, str(r))
		if !files[str(r)] {
			t.Errorf("kustomization lists %s, which does not exist", r)
		}
	}
	for f := range files {
		example := strings.HasSuffix(f, ".example.yaml")
		if f != kust.file && !example && !slices.Contains(resources, f) {
			t.Errorf("kustomization does not list %s", f)
		}
		// An example (the Secret's shape) must never be applied over the real one.
		if example && slices.Contains(resources, f) {
			t.Errorf("kustomization applies the example %s", f)
		}
	}

	cm := findKind(t, ms, "ConfigMap")[0]
	config := map[string]string{}
	for k, v := range obj(cm.doc["data"]) {
		if _, ok := v.(string); !ok {
			t.Errorf("ConfigMap %s: %s is a %T, not a string", cm.name(), k, v)
		}
		config[k] = str(v)
	}
	checkEnv(t, "ConfigMap", config, known)
	for _, secretKey := range []string{"PILOT_DB_DSN", "PILOT_BOOTSTRAP_ADMIN_PASSWORD", "PILOT_SECRET_KEY"} {
		if _, ok := config[secretKey]; ok {
			t.Errorf("ConfigMap carries %s, which belongs in the Secret", secretKey)
		}
	}
	secret := findKind(t, ms, "Secret")[0]
	secretKeys := map[string]bool{}
	for _, field := range []string{"data", "stringData"} {
		for k := range obj(secret.doc[field]) {
			secretKeys[k] = true
		}
	}
	if !secretKeys["PILOT_DB_DSN"] {
		t.Errorf("Secret %s has no PILOT_DB_DSN", secret.name())
	}

	deps := findKind(t, ms, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments", len(deps))
	}
	dep := deps[0]
	if str(dep.doc["apiVersion"]) != "apps/v1" {
		t.Errorf("Deployment apiVersion %s", dep.doc["apiVersion"])
	}
	if n, _ := num(dig(dep.doc, "spec", "replicas")); n < 2 {
		t.Errorf("Deployment replicas %v, want at least 2", dig(dep.doc, "spec", "replicas"))
	}
	podLabels := obj(dig(dep.doc, "spec", "template", "metadata", "labels"))
	selects := func(selector map[string]any) bool {
		if len(selector) == 0 {
			return false
		}
		for k, v := range selector {
			if str(podLabels[k]) != str(v) {
				return false
			}
		}
		return true
	}
	if !selects(obj(dig(dep.doc, "spec", "selector", "matchLabels"))) {
		t.Errorf("Deployment selector %v does not match its pods %v", dig(dep.doc, "spec", "selector"), podLabels)
	}
	pod := obj(dig(dep.doc, "spec", "template", "spec"))
	unknownKeys(t, "pod spec", pod, podSpecKeys)
	if dig(pod, "securityContext", "runAsNonRoot") != true {
		t.Errorf("pod securityContext.runAsNonRoot is not true")
	}
	if uid, ok := num(dig(pod, "securityContext", "runAsUser")); ok && uid == 0 {
		t.Errorf("pod runs as uid 0")
	}
	containers := list(pod["containers"])
	if len(containers) != 1 {
		t.Fatalf("%d containers, want pilotd alone", len(containers))
	}
	ctr := obj(containers[0])
	unknownKeys(t, "container", ctr, containerKeys)
	if !strings.Contains(str(ctr["image"]), "pilotd") {
		t.Errorf("container image %s", ctr["image"])
	}
	sc := obj(ctr["securityContext"])
	if sc["allowPrivilegeEscalation"] != false || sc["readOnlyRootFilesystem"] != true || !slices.Contains(list(dig(sc, "capabilities", "drop")), any("ALL")) {
		t.Errorf("container securityContext %v: want no privilege escalation, read-only root, all capabilities dropped", sc)
	}
	if uid, ok := num(sc["runAsUser"]); ok && uid == 0 {
		t.Errorf("container runs as uid 0")
	}
	ports := map[string]float64{}
	for _, p := range list(ctr["ports"]) {
		n, _ := num(dig(p, "containerPort"))
		ports[str(dig(p, "name"))] = n
	}
	addr := config["PILOT_ADDR"]
	if addr == "" {
		addr = known["PILOT_ADDR"]
	}
	if ports["http"] != 8080 || addr != ":8080" {
		t.Errorf("container port http %v, PILOT_ADDR %s: want 8080", ports["http"], addr)
	}
	if metricsAddr := config["PILOT_METRICS_ADDR"]; ports["metrics"] == 0 || metricsAddr != ":"+strconv.Itoa(int(ports["metrics"])) {
		t.Errorf("container port metrics %v, PILOT_METRICS_ADDR %q: /metrics must have a port of its own", ports["metrics"], metricsAddr)
	}
	if got := str(dig(dep.doc, "spec", "template", "metadata", "annotations", "prometheus.io/port")); got != strconv.Itoa(int(ports["metrics"])) {
		t.Errorf("prometheus.io/port annotation %q, want the metrics port %v", got, ports["metrics"])
	}
	probePort := func(p map[string]any) float64 {
		v := dig(p, "httpGet", "port")
		if n, ok := num(v); ok {
			return n
		}
		return ports[str(v)]
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		p := obj(ctr[probe])
		if p == nil {
			t.Errorf("no %s", probe)
			continue
		}
		unknownKeys(t, probe, p, probeKeys)
		if got := str(dig(p, "httpGet", "path")); got != path || probePort(p) != 8080 {
			t.Errorf("%s: GET %s on port %v, want %s on 8080", probe, got, dig(p, "httpGet", "port"), path)
		}
	}
	if p := obj(ctr["startupProbe"]); p != nil {
		unknownKeys(t, "startupProbe", p, probeKeys)
		period, _ := num(p["periodSeconds"])
		failures, _ := num(p["failureThreshold"])
		if period == 0 {
			period = 10
		}
		if failures == 0 {
			failures = 3
		}
		// Migrations run before pilotd listens; a replica waiting for another's
		// migration lock must not be killed before goose gives up (5 minutes).
		if period*failures < 300 {
			t.Errorf("startupProbe allows %vs, less than goose's 5-minute lock wait", period*failures)
		}
		if str(dig(p, "httpGet", "path")) != "/healthz" {
			t.Errorf("startupProbe asks %s", dig(p, "httpGet", "path"))
		}
	}

	res := obj(ctr["resources"])
	for _, r := range []string{"cpu", "memory"} {
		req, limit := str(dig(res, "requests", r)), str(dig(res, "limits", r))
		q, err1 := quantity(req)
		l, err2 := quantity(limit)
		if req == "" || limit == "" || err1 != nil || err2 != nil || q <= 0 || q > l {
			t.Errorf("resources %s: request %q, limit %q", r, req, limit)
		}
	}
	memLimit, _ := quantity(str(dig(res, "limits", "memory")))

	// Settings from the ConfigMap; the DSN from the Secret.
	fromConfig := false
	for _, e := range list(ctr["envFrom"]) {
		if str(dig(e, "configMapRef", "name")) == cm.name() {
			fromConfig = true
		}
	}
	if !fromConfig {
		t.Errorf("container does not take envFrom the ConfigMap %s", cm.name())
	}
	env := map[string]string{}
	for _, e := range list(ctr["env"]) {
		name := str(dig(e, "name"))
		env[name] = str(dig(e, "value"))
		if ref := obj(dig(e, "valueFrom", "secretKeyRef")); ref != nil {
			if str(ref["name"]) != secret.name() || !secretKeys[str(ref["key"])] {
				t.Errorf("env %s from secret %s key %s, which the Secret does not have", name, ref["name"], ref["key"])
			}
			env[name] = "from-secret"

		}
	}
	checkEnv(t, "Deployment", env, known)
	checkMemLimit(t, "Deployment", env["GOMEMLIMIT"], memLimit)
	for _, name := range []string{"PILOT_DB_DSN", "PILOT_SECRET_KEY"} {
		if env[name] != "from-secret" {
			t.Errorf("%s does not come from the Secret", name)
		}
	}

	// The PDB keeps a replica through voluntary disruptions.
	pdb := findKind(t, ms, "PodDisruptionBudget")[0]
	if str(pdb.doc["apiVersion"]) != "policy/v1" || !selects(obj(dig(pdb.doc, "spec", "selector", "matchLabels"))) {
		t.Errorf("PDB %s: apiVersion %s, selector %v", pdb.name(), pdb.doc["apiVersion"], dig(pdb.doc, "spec", "selector"))
	}
	replicas, _ := num(dig(dep.doc, "spec", "replicas"))
	if v, ok := num(dig(pdb.doc, "spec", "maxUnavailable")); ok && v >= replicas {
		t.Errorf("PDB maxUnavailable %v with %v replicas", v, replicas)
	}
	if v, ok := num(dig(pdb.doc, "spec", "minAvailable")); ok && (v < 1 || v >= replicas) {
		t.Errorf("PDB minAvailable %v with %v replicas", v, replicas)
	}
	if dig(pdb.doc, "spec", "maxUnavailable") == nil && dig(pdb.doc, "spec", "minAvailable") == nil {
		t.Errorf("PDB sets neither maxUnavailable nor minAvailable")
	}

	// Services select the pods on the http port; one is headless for Prometheus.
	services := map[string]manifest{}
	for _, s := range findKind(t, ms, "Service") {
		services[s.name()] = s
		if !selects(obj(dig(s.doc, "spec", "selector"))) {
			t.Errorf("Service %s does not select the pilotd pods", s.name())
		}
		for _, p := range list(dig(s.doc, "spec", "ports")) {
			target := dig(p, "targetPort")
			n, ok := num(target)
			if !ok {
				n = ports[str(target)]
			}
			switch {
			case n == ports["metrics"] && str(dig(s.doc, "spec", "clusterIP")) != "None":
				t.Errorf("Service %s exposes the metrics port: only the headless one Prometheus resolves may", s.name())
			case n != 8080 && n != ports["metrics"]:
				t.Errorf("Service %s targets port %v", s.name(), target)
			}
		}
	}
	promCfg := readDocs(t, filepath.Join("prometheus", "prometheus.yml"))[0]
	for _, sc := range list(promCfg["scrape_configs"]) {
		for _, sd := range list(dig(sc, "dns_sd_configs")) {
			port, _ := num(dig(sd, "port"))
			for _, n := range list(dig(sd, "names")) {
				s, ok := services[str(n)]
				if !ok {
					t.Errorf("prometheus.yml resolves %s, which is no Service here", n)
					continue
				}
				if str(dig(s.doc, "spec", "clusterIP")) != "None" {
					t.Errorf("Service %s is not headless: Prometheus would see one address, not each replica", n)
				}
				found := false
				for _, p := range list(dig(s.doc, "spec", "ports")) {
					if v, _ := num(dig(p, "port")); v == port {
						found = true
					}
				}
				if !found {
					t.Errorf("Service %s has no port %v for Prometheus", n, port)
				}
			}
		}
	}

	// The HPA scales the Deployment, never below two replicas, and the most
	// replicas it allows stay within MySQL's connections (compose's setting).
	hpa := findKind(t, ms, "HorizontalPodAutoscaler")[0]
	if str(hpa.doc["apiVersion"]) != "autoscaling/v2" {
		t.Errorf("HPA apiVersion %s, want autoscaling/v2", hpa.doc["apiVersion"])
	}
	ref := obj(dig(hpa.doc, "spec", "scaleTargetRef"))
	if str(ref["kind"]) != "Deployment" || str(ref["name"]) != dep.name() || str(ref["apiVersion"]) != "apps/v1" {
		t.Errorf("HPA targets %v, want Deployment %s", ref, dep.name())
	}
	minR, _ := num(dig(hpa.doc, "spec", "minReplicas"))
	maxR, _ := num(dig(hpa.doc, "spec", "maxReplicas"))
	if minR < 2 || maxR < minR || replicas < minR || replicas > maxR {
		t.Errorf("HPA %v..%v replicas with the Deployment at %v", minR, maxR, replicas)
	}
	if len(list(dig(hpa.doc, "spec", "metrics"))) == 0 {
		t.Errorf("HPA has no metrics")
	}
	for _, m := range list(dig(hpa.doc, "spec", "metrics")) {
		if str(dig(m, "type")) == "Resource" && str(dig(m, "resource", "name")) == "cpu" && dig(res, "requests", "cpu") == nil {
			t.Errorf("HPA scales on CPU utilisation, but the container requests no CPU")
		}
	}
	maxOpen, err := strconv.Atoi(config["PILOT_DB_MAX_OPEN"])
	if err != nil {
		maxOpen, _ = strconv.Atoi(known["PILOT_DB_MAX_OPEN"])
	}
	for _, f := range list(dig(loadCompose(t), "services", "mysql", "command")) {
		if v, ok := strings.CutPrefix(str(f), "--max-connections="); ok {
			maxConn, _ := strconv.Atoi(v)
			if int(maxR)*maxOpen+50 > maxConn {
				t.Errorf("HPA up to %v replicas × PILOT_DB_MAX_OPEN %d leaves under 50 of max_connections %d", maxR, maxOpen, maxConn)
			}
		}
	}
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
