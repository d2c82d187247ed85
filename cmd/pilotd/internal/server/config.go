package server

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"safetypilot/modules/seal"
	"safetypilot/modules/users"
	"safetypilot/web/challenge"
)

// Config is everything the service reads from flags and the environment; a
// flag wins over its environment variable, which wins over the default.
type Config struct {
	Addr              string
	DataDir           string
	DSN               string
	DBMaxOpen         int
	BootstrapPassword string
	LogFormat         string
	LogLevel          string
	CookieSecure      string
	ProxyHeader       string
	TrustedProxies    []string
	BodyLimit         int
	UploadLimit       int
	PolicyPoll        time.Duration
	// RequestTimeout is the deadline of every request's work.
	RequestTimeout time.Duration
	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of the main one.
	MetricsAddr     string
	OverdueSchedule string
	ReportsSchedule string
	// RequireAdminTOTP makes every administrator role sign in with two factors.
	RequireAdminTOTP bool
	// SignInPerMinute caps sign-in attempts per client IP (0 means the default, 20).
	SignInPerMinute int
	// AuditRetentionDays is how long audit-purge keeps entries (at least 180).
	AuditRetentionDays int
	// PprofAddr serves Go's profiler there when set (loopback only).
	PprofAddr string
	// SecretKey encrypts the stored TOTP secrets (32 bytes); nil means the
	// key file in DataDir on SQLite, and refusing to serve on MySQL.
	SecretKey []byte
	// SecretKeyPrevious is the master key before the last change of
	// PILOT_SECRET_KEY, kept while data sealed under it is re-sealed.
	SecretKeyPrevious []byte
	// CryptoProfile is the profile a new database starts with and the one
	// pilotd rotate-key moves an existing database to.
	CryptoProfile seal.Profile
	// PersonalRetentionDays is how long after a case or a request is closed
	// its personal fields are kept; 0 keeps them (no erasure).
	PersonalRetentionDays int
	// ChallengeDifficulty is the leading zero bits of the public forms'
	// proof-of-work challenge.
	ChallengeDifficulty int
	// PublicAPIChallenge makes the public JSON POSTs demand a solved challenge
	// too (the form pages always do).
	PublicAPIChallenge bool
	Demo               bool
	// PasswordHashing, when set, replaces users.DefaultHashing. No flag sets
	// it: end-to-end tests choose a cheap one explicitly, so that hundreds of
	// sign-ins do not dominate their run time.
	PasswordHashing *users.Hashing
}

// configVars documents each setting once; the README table is written from it.
var configVars = []struct {
	flag, env, def, help string
}{
	{"addr", "PILOT_ADDR", ":8080", "address to listen on"},
	{"data-dir", "PILOT_DATA_DIR", "./var", "folder of the embedded SQLite file (used when no DSN is set)"},
	{"db-dsn", "PILOT_DB_DSN", "", "MySQL 8 / MariaDB DSN, e.g. user:pass@tcp(db:3306)/pilot; empty means embedded SQLite"},
	{"db-max-open", "PILOT_DB_MAX_OPEN", "20", "MySQL pool size (max open = max idle)"},
	{"bootstrap-admin-password", "PILOT_BOOTSTRAP_ADMIN_PASSWORD", "", "password of the first national administrator 'admin'; generated and printed once on standard output when empty"},
	{"log-format", "PILOT_LOG_FORMAT", "auto", "auto (JSON unless on a terminal), json or text"},
	{"log-level", "PILOT_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"cookie-secure", "PILOT_COOKIE_SECURE", "auto", "auto: Secure cookies on HTTPS requests; always: on every request"},
	{"proxy-header", "PILOT_PROXY_HEADER", "", "header carrying the client IP, trusted only from PILOT_TRUSTED_PROXIES (e.g. X-Forwarded-For)"},
	{"trusted-proxies", "PILOT_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of trusted reverse proxies"},
	{"body-limit", "PILOT_BODY_LIMIT", "1048576", "largest request body in bytes"},
	{"upload-limit", "PILOT_UPLOAD_LIMIT", "33554432", "largest upload in bytes (attachments, case materials, the online application with its materials)"},
	{"policy-poll", "PILOT_POLICY_POLL", "2s", "how often a replica checks for role and calendar changes made on other replicas"},
	{"metrics-addr", "PILOT_METRICS_ADDR", "", "address of a listener that serves `/metrics` alone (e.g. `:9091`), so only Prometheus reaches it; empty: `/metrics` on the main listener (the embedded trial). The shipped compose and Kubernetes files set it"},
	{"request-timeout", "PILOT_REQUEST_TIMEOUT", "30s", "deadline of every request's work (its database calls are cancelled after it; the answer is 503 `request_timeout` with Retry-After)"},
	{"overdue-schedule", "PILOT_OVERDUE_SCHEDULE", "*/5 * * * *", "cron schedule of the overdue job (wall-clock spec, UTC)"},
	{"reports-schedule", "PILOT_REPORTS_SCHEDULE", "0 1 1 * *", "cron schedule of the report job (last month's reports; last quarter's at a quarter's start)"},
	{"require-admin-totp", "PILOT_REQUIRE_ADMIN_TOTP", "true", "administrators (system, security, audit) must sign in with a TOTP second factor"},
	{"signin-rate-limit", "PILOT_SIGNIN_RATE_LIMIT", "20", "sign-in attempts allowed per client IP per minute"},
	{"audit-retention-days", "PILOT_AUDIT_RETENTION_DAYS", "180", "audit-purge removes entries older than this many days (at least 180)"},
	{"pprof-addr", "PILOT_PPROF_ADDR", "", "loopback address (e.g. 127.0.0.1:6060) serving Go's profiler (/debug/pprof/) for diagnosing speed and memory; empty: off"},
	{"secret-key", "PILOT_SECRET_KEY", "", "master key: base64 of 32 random bytes from which every data, index and TOTP key is derived (see Cryptography in the README); required with MySQL, the same on every replica; empty on SQLite: a key file made in the data folder at first start"},
	{"secret-key-previous", "PILOT_SECRET_KEY_PREVIOUS", "", "the former PILOT_SECRET_KEY after a change of master key, until `pilotd rotate-key` has re-sealed the data under the new one"},
	{"crypto-profile", "PILOT_CRYPTO_PROFILE", "guomi", "cryptographic profile: guomi (SM4-GCM, SM3, HMAC-SM3) or international (AES-256-GCM, SHA-256); a new database starts with it, an existing one keeps its recorded profile until `pilotd rotate-key` moves it"},
	{"personal-retention-days", "PILOT_PERSONAL_RETENTION_DAYS", "0", "days after a case is completed, a request answered or a penalty case closed before the retention job erases its personal fields (contact, phone, requester, a natural person's name and ID number); 0: never"},
	{"challenge-difficulty", "PILOT_CHALLENGE_DIFFICULTY", "16", "leading zero bits of the proof-of-work challenge of the public forms (0-24; 16 takes a phone well under a second)"},
	{"public-api-challenge", "PILOT_PUBLIC_API_CHALLENGE", "false", "the public JSON POSTs (online application, information request) also require a solved challenge (X-Challenge-Id, X-Challenge-Solution)"},
}

// ParseConfig reads the settings from flags and the environment; extra
// registers a subcommand's own flags on the same flag set.
func ParseConfig(args []string, extra ...func(*flag.FlagSet)) (Config, error) {
	fs := flag.NewFlagSet("pilotd", flag.ContinueOnError)
	for _, register := range extra {
		register(fs)
	}
	values := map[string]*string{}
	for _, v := range configVars {
		def := v.def
		if e, ok := os.LookupEnv(v.env); ok {
			def = e
		}
		values[v.flag] = fs.String(v.flag, def, v.help+" ("+v.env+")")
	}
	demo := fs.Bool("demo", false, "add a demo province with three pilot counties and demo users, and print their sign-in")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	cfg := Config{
		Addr: *values["addr"], MetricsAddr: *values["metrics-addr"], DataDir: *values["data-dir"], DSN: *values["db-dsn"],
		BootstrapPassword: *values["bootstrap-admin-password"], LogFormat: *values["log-format"],
		LogLevel: *values["log-level"], CookieSecure: *values["cookie-secure"],
		ProxyHeader: *values["proxy-header"], OverdueSchedule: *values["overdue-schedule"], ReportsSchedule: *values["reports-schedule"], Demo: *demo,
	}
	var err error
	if cfg.DBMaxOpen, err = strconv.Atoi(*values["db-max-open"]); err != nil || cfg.DBMaxOpen < 1 {
		return cfg, fmt.Errorf("PILOT_DB_MAX_OPEN: want a positive number, got %q", *values["db-max-open"])
	}
	if cfg.BodyLimit, err = strconv.Atoi(*values["body-limit"]); err != nil || cfg.BodyLimit < 1024 {
		return cfg, fmt.Errorf("PILOT_BODY_LIMIT: want at least 1024 bytes, got %q", *values["body-limit"])
	}
	if cfg.UploadLimit, err = strconv.Atoi(*values["upload-limit"]); err != nil || cfg.UploadLimit < cfg.BodyLimit {
		return cfg, fmt.Errorf("PILOT_UPLOAD_LIMIT: want at least PILOT_BODY_LIMIT bytes, got %q", *values["upload-limit"])
	}
	if cfg.PolicyPoll, err = time.ParseDuration(*values["policy-poll"]); err != nil || cfg.PolicyPoll <= 0 {
		return cfg, fmt.Errorf("PILOT_POLICY_POLL: want a duration such as 2s, got %q", *values["policy-poll"])
	}
	if cfg.RequestTimeout, err = time.ParseDuration(*values["request-timeout"]); err != nil || cfg.RequestTimeout <= 0 {
		return cfg, fmt.Errorf("PILOT_REQUEST_TIMEOUT: want a duration such as 30s, got %q", *values["request-timeout"])
	}
	if cfg.RequireAdminTOTP, err = strconv.ParseBool(*values["require-admin-totp"]); err != nil {
		return cfg, fmt.Errorf("PILOT_REQUIRE_ADMIN_TOTP: want true or false, got %q", *values["require-admin-totp"])
	}
	if cfg.SignInPerMinute, err = strconv.Atoi(*values["signin-rate-limit"]); err != nil || cfg.SignInPerMinute < 1 {
		return cfg, fmt.Errorf("PILOT_SIGNIN_RATE_LIMIT: want a positive number, got %q", *values["signin-rate-limit"])
	}
	cfg.PprofAddr = *values["pprof-addr"]
	if host, _, err := net.SplitHostPort(cfg.PprofAddr); cfg.PprofAddr != "" && (err != nil || !net.ParseIP(host).IsLoopback()) {
		return cfg, fmt.Errorf("PILOT_PPROF_ADDR: want a loopback address such as 127.0.0.1:6060, got %q", cfg.PprofAddr)
	}
	if cfg.AuditRetentionDays, err = strconv.Atoi(*values["audit-retention-days"]); err != nil || cfg.AuditRetentionDays < 180 {
		return cfg, fmt.Errorf("PILOT_AUDIT_RETENTION_DAYS: want at least 180 (six months), got %q", *values["audit-retention-days"])
	}
	if cfg.ChallengeDifficulty, err = strconv.Atoi(*values["challenge-difficulty"]); err != nil ||
		cfg.ChallengeDifficulty < 0 || cfg.ChallengeDifficulty > challenge.MaxDifficulty {
		return cfg, fmt.Errorf("PILOT_CHALLENGE_DIFFICULTY: want 0 to %d, got %q", challenge.MaxDifficulty, *values["challenge-difficulty"])
	}
	if cfg.PublicAPIChallenge, err = strconv.ParseBool(*values["public-api-challenge"]); err != nil {
		return cfg, fmt.Errorf("PILOT_PUBLIC_API_CHALLENGE: want true or false, got %q", *values["public-api-challenge"])
	}
	if k := strings.TrimSpace(*values["secret-key"]); k != "" {
		if cfg.SecretKey, err = users.ParseSecretKey(k); err != nil {
			return cfg, fmt.Errorf("PILOT_SECRET_KEY: %v (generate one with: openssl rand -base64 32)", err)
		}
	}
	if k := strings.TrimSpace(*values["secret-key-previous"]); k != "" {
		if cfg.SecretKeyPrevious, err = users.ParseSecretKey(k); err != nil {
			return cfg, fmt.Errorf("PILOT_SECRET_KEY_PREVIOUS: %v", err)
		}
	}
	if cfg.CryptoProfile, err = seal.ParseProfile(strings.TrimSpace(*values["crypto-profile"])); err != nil {
		return cfg, fmt.Errorf("PILOT_CRYPTO_PROFILE: %v", err)
	}
	if cfg.PersonalRetentionDays, err = strconv.Atoi(*values["personal-retention-days"]); err != nil || cfg.PersonalRetentionDays < 0 {
		return cfg, fmt.Errorf("PILOT_PERSONAL_RETENTION_DAYS: want 0 (keep) or a number of days, got %q", *values["personal-retention-days"])
	}
	if t := strings.TrimSpace(*values["trusted-proxies"]); t != "" {
		for _, p := range strings.Split(t, ",") {
			cfg.TrustedProxies = append(cfg.TrustedProxies, strings.TrimSpace(p))
		}
	}
	if cfg.CookieSecure != "auto" && cfg.CookieSecure != "always" {
		return cfg, fmt.Errorf("PILOT_COOKIE_SECURE: want auto or always, got %q", cfg.CookieSecure)
	}
	if cfg.ProxyHeader != "" && len(cfg.TrustedProxies) == 0 {
		return cfg, fmt.Errorf("PILOT_PROXY_HEADER needs PILOT_TRUSTED_PROXIES")
	}
	return cfg, nil
}

// SecretKeyFile is where the embedded (SQLite) setup keeps its generated key.
const SecretKeyFile = "secret.key"

// errNoSecretKey refuses to serve on MySQL without PILOT_SECRET_KEY: replicas
// must share the key, so none of them may invent its own.
var errNoSecretKey = errors.New("PILOT_SECRET_KEY (--secret-key) is required with a MySQL database (PILOT_DB_DSN): " +
	"it encrypts the stored TOTP secrets and every replica must use the same one; " +
	"generate it once with `openssl rand -base64 32` and keep it in the deployment's secrets")

// secretKey is the key of the stored TOTP secrets: PILOT_SECRET_KEY, or, on
// the embedded SQLite database, a random key kept in the data folder (0600)
// and made at first start.
func LoadSecretKey(cfg Config) ([]byte, error) {
	switch {
	case cfg.SecretKey != nil:
		return cfg.SecretKey, nil
	case cfg.DSN != "":
		return nil, errNoSecretKey
	}
	return users.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, SecretKeyFile))
}
