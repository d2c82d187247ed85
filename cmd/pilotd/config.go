package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is everything the service reads from flags and the environment; a
// flag wins over its environment variable, which wins over the default.
type config struct {
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
	OverdueSchedule   string
	ReportsSchedule   string
	// RequireAdminTOTP makes every administrator role sign in with two factors.
	RequireAdminTOTP bool
	// SignInPerMinute caps sign-in attempts per client IP (0 means the default, 20).
	SignInPerMinute int
	// AuditRetentionDays is how long audit-purge keeps entries (at least 180).
	AuditRetentionDays int
	Demo               bool
}

// configVars documents each setting once; the README table is written from it.
var configVars = []struct {
	flag, env, def, help string
}{
	{"addr", "PILOT_ADDR", ":8080", "address to listen on"},
	{"data-dir", "PILOT_DATA_DIR", "./var", "folder of the embedded SQLite file (used when no DSN is set)"},
	{"db-dsn", "PILOT_DB_DSN", "", "MySQL 8 / MariaDB DSN, e.g. user:pass@tcp(db:3306)/pilot; empty means embedded SQLite"},
	{"db-max-open", "PILOT_DB_MAX_OPEN", "20", "MySQL pool size (max open = max idle)"},
	{"bootstrap-admin-password", "PILOT_BOOTSTRAP_ADMIN_PASSWORD", "", "password of the first national administrator 'admin'; generated and logged once when empty"},
	{"log-format", "PILOT_LOG_FORMAT", "auto", "auto (JSON unless on a terminal), json or text"},
	{"log-level", "PILOT_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"cookie-secure", "PILOT_COOKIE_SECURE", "auto", "auto: Secure cookies on HTTPS requests; always: on every request"},
	{"proxy-header", "PILOT_PROXY_HEADER", "", "header carrying the client IP, trusted only from PILOT_TRUSTED_PROXIES (e.g. X-Forwarded-For)"},
	{"trusted-proxies", "PILOT_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of trusted reverse proxies"},
	{"body-limit", "PILOT_BODY_LIMIT", "1048576", "largest request body in bytes"},
	{"upload-limit", "PILOT_UPLOAD_LIMIT", "10485760", "largest attachment upload in bytes"},
	{"policy-poll", "PILOT_POLICY_POLL", "2s", "how often a replica checks for role and calendar changes made on other replicas"},
	{"overdue-schedule", "PILOT_OVERDUE_SCHEDULE", "*/5 * * * *", "cron schedule of the overdue job (wall-clock spec, UTC)"},
	{"reports-schedule", "PILOT_REPORTS_SCHEDULE", "0 1 1 * *", "cron schedule of the report job (last month's reports; last quarter's at a quarter's start)"},
	{"require-admin-totp", "PILOT_REQUIRE_ADMIN_TOTP", "true", "administrators (system, security, audit) must sign in with a TOTP second factor"},
	{"signin-rate-limit", "PILOT_SIGNIN_RATE_LIMIT", "20", "sign-in attempts allowed per client IP per minute"},
	{"audit-retention-days", "PILOT_AUDIT_RETENTION_DAYS", "180", "audit-purge removes entries older than this many days (at least 180)"},
}

func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("pilotd", flag.ContinueOnError)
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
		return config{}, err
	}
	cfg := config{
		Addr: *values["addr"], DataDir: *values["data-dir"], DSN: *values["db-dsn"],
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
	if cfg.RequireAdminTOTP, err = strconv.ParseBool(*values["require-admin-totp"]); err != nil {
		return cfg, fmt.Errorf("PILOT_REQUIRE_ADMIN_TOTP: want true or false, got %q", *values["require-admin-totp"])
	}
	if cfg.SignInPerMinute, err = strconv.Atoi(*values["signin-rate-limit"]); err != nil || cfg.SignInPerMinute < 1 {
		return cfg, fmt.Errorf("PILOT_SIGNIN_RATE_LIMIT: want a positive number, got %q", *values["signin-rate-limit"])
	}
	if cfg.AuditRetentionDays, err = strconv.Atoi(*values["audit-retention-days"]); err != nil || cfg.AuditRetentionDays < 180 {
		return cfg, fmt.Errorf("PILOT_AUDIT_RETENTION_DAYS: want at least 180 (six months), got %q", *values["audit-retention-days"])
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
