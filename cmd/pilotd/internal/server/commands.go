// Package server is the pilotd service: its configuration, the wiring of
// every module into one Fiber app, the background work of a replica and the
// operator commands. It lives apart from package main so the end-to-end tests
// (cmd/pilotd/e2e/...) can wire the same service, split into packages that go
// test runs in parallel.
package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"safetypilot/modules/audit"
	"safetypilot/modules/cases"
	"safetypilot/modules/seal"
)

// Run runs one pilotd command (serve by default) with its arguments, as main
// does; the tests call it to run the operator commands in process.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var gen *GenOptions
	var resetTOTP *bool
	var rotateProfile *string
	var rotateResume *bool
	var rotateSettle *time.Duration
	cfg, err := ParseConfig(args, func(fs *flag.FlagSet) {
		switch cmd {
		case "generate":
			gen = registerGenerateFlags(fs)
		case "rotate-key":
			rotateProfile = fs.String("profile", "", "profile of the new key version: guomi or international (default: PILOT_CRYPTO_PROFILE)")
			rotateResume = fs.Bool("resume", false, "make no new key version; finish re-sealing under the current one (after an interruption)")
			rotateSettle = fs.Duration("settle", 0, "wait this long after adding the version before re-sealing, so running replicas pick it up (default: five times PILOT_POLICY_POLL)")
		case "reset-admin-password":
			resetTOTP = fs.Bool("reset-totp", false, "also remove the administrator's second factor (TOTP and recovery codes); kept by default")
		}
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		database, _, err := OpenDatabase(ctx, cfg, log)
		if err != nil {
			return err
		}
		return database.Close()
	case "audit-verify":
		database, _, err := OpenDatabase(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer database.Close()
		v, err := audit.NewStore(database).Verify(ctx)
		if err != nil {
			return err
		}
		if !v.OK {
			return fmt.Errorf("audit chain %s broken at entry %d: %s", v.Chain, v.BrokenAt, v.Reason)
		}
		fmt.Fprintf(stdout, "audit chains intact: %d chains, %d entries\n", v.Chains, v.Entries)
		return nil
	case "audit-purge":
		database, _, err := OpenDatabase(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer database.Close()
		return auditPurge(ctx, audit.NewStore(database), cfg.AuditRetentionDays, time.Now().UTC(), stdout)
	case "rotate-key":
		profile := cfg.CryptoProfile
		if *rotateProfile != "" {
			if profile, err = seal.ParseProfile(*rotateProfile); err != nil {
				return err
			}
		}
		settle := *rotateSettle
		if settle == 0 {
			settle = 5 * cfg.PolicyPoll
		}
		return RotateKey(ctx, cfg, log, profile, *rotateResume, settle, stdout)
	case "recount-cases":
		database, _, err := OpenDatabase(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer database.Close()
		n, err := cases.Recount(ctx, database)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "case counts rebuilt: %d (county, item, status) rows\n", n)
		return nil
	case "generate":
		svc, err := openService(ctx, cfg, log, stdout)
		if err != nil {
			return err
		}
		defer svc.DB.Close()
		return svc.Generate(ctx, *gen, stdout)
	case "reset-admin-password":
		svc, err := openService(ctx, cfg, log, stdout)
		if err != nil {
			return err
		}
		defer svc.DB.Close()
		if svc.InitialAdminPassword != "" {
			return nil // the database was empty: the administrator was just created and its password printed
		}
		password, err := svc.Users.ResetAdminPassword(ctx, audit.NewStore(svc.DB), *resetTOTP)
		if err != nil {
			return err
		}
		printAdminPassword(stdout, "国家级系统管理员 admin 的密码已重置，原有登录会话已全部结束。", password)
		if *resetTOTP {
			fmt.Fprintln(stdout, "双因素认证已一并清除，下次登录时需重新绑定身份验证器。")
		} else {
			fmt.Fprintln(stdout, "双因素认证（身份验证器）保持不变；如身份验证器也已丢失，请加 --reset-totp 重新执行。")
		}
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, migrate, generate, audit-verify, audit-purge, rotate-key, recount-cases or reset-admin-password)", cmd)
}

// auditPurge removes audit entries older than the retention (never under
// audit.MinRetention, which Purge enforces again).
func auditPurge(ctx context.Context, store *audit.Store, days int, now time.Time, stdout io.Writer) error {
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	res, err := store.Purge(ctx, cutoff, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit entries written before %s removed: %d\n", cutoff.Format(time.RFC3339), res.Removed)
	return nil
}

// openService opens and migrates the database and wires the service on it.
// When this start created the national administrator with a generated
// password, the password is printed once on stdout.
func openService(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) (*Service, error) {
	database, migrator, err := OpenDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	svc, err := Build(ctx, cfg, log, database, migrator)
	if err != nil {
		database.Close()
		return nil, err
	}
	if svc.InitialAdminPassword != "" {
		printAdminPassword(stdout, "已创建国家级系统管理员 admin。", svc.InitialAdminPassword)
	}
	return svc, nil
}

// printAdminPassword prints a password of the national administrator on its
// own, plainly, with what to do with it; it is shown this once only.
func printAdminPassword(stdout io.Writer, what, password string) {
	fmt.Fprintf(stdout, "\n%s\n", what)
	fmt.Fprintln(stdout, "  用户名：admin")
	fmt.Fprintf(stdout, "  初始密码：%s\n", password)
	fmt.Fprintln(stdout, "该密码只显示这一次，首次登录后必须修改。")
	fmt.Fprintln(stdout, "遗失后可用 pilotd reset-admin-password 重置。")
	fmt.Fprintln(stdout)
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	svc, err := openService(ctx, cfg, log, stdout)
	if err != nil {
		return err
	}
	database := svc.DB
	defer database.Close()
	if cfg.Demo {
		if err := svc.addDemo(ctx, stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	svc.RunBackground(bg)
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}

	errc := make(chan error, 2)
	var metricsServer *http.Server
	if cfg.MetricsAddr != "" {
		metricsServer = &http.Server{Addr: cfg.MetricsAddr, Handler: svc.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsServer.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
		log.Info("serving metrics", "addr", cfg.MetricsAddr)
	}
	go func() { errc <- svc.App.Listen(cfg.Addr) }()
	log.Info("serving", "addr", cfg.Addr, "dialect", database.Dialect)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if metricsServer != nil {
		_ = metricsServer.Close()
	}
	if err := svc.App.ShutdownWithTimeout(20 * time.Second); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// servePprof serves net/http/pprof's handlers on a loopback address, apart
// from the service's own routes.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiler listening", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("profiler stopped", "err", err)
	}
}
