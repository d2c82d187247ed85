package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"safetypilot/jobs"
	"safetypilot/modules/apperr"
	"safetypilot/modules/audit"
	"safetypilot/modules/calendar"
	"safetypilot/modules/cases"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/entities"
	"safetypilot/modules/inspections"
	"safetypilot/modules/notices"
	"safetypilot/modules/onspot"
	"safetypilot/modules/penalties"
	"safetypilot/modules/pilot"
	"safetypilot/modules/publicity"
	"safetypilot/modules/ratings"
	"safetypilot/modules/reports"
	"safetypilot/modules/seal"
	"safetypilot/modules/seeds"
	"safetypilot/modules/users"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
	"safetypilot/web/challenge"
)

// Service is the wired application.
type Service struct {
	Config     Config
	log        *slog.Logger
	DB         *db.DB
	Migrator   *db.Migrator
	enforcer   *rbac.Enforcer
	Users      *users.Service
	tenants    *tenants.Service
	Calendar   *calendar.Service
	Cases      *cases.Service
	Disclosure *disclosure.Service
	Reports    *reports.Service
	// Ratings is 好差评 and the rectification of 差评.
	Ratings *ratings.Service
	// Inspections is 双随机一公开: plans, draws, records and publication.
	Inspections *inspections.Service
	// Publicity is the 双公示 of decisions; tests travel in time with its Now.
	Publicity *publicity.Service
	// Penalties is the administrative penalty procedure.
	Penalties *penalties.Service
	// OnSpot is the 简易程序: on-the-spot penalty decisions.
	OnSpot *onspot.Service
	Jobs   *jobs.Runner
	// Vault seals personal fields (also reachable as DB.Fields).
	Vault   *seal.Vault
	limiter *web.RateLimiter
	// challenges guards the public forms against automated filling.
	Challenges *challenge.Service
	App        *fiber.App
	// idempotency remembers the answers to POSTs sent with an
	// Idempotency-Key.
	idempotency *web.Idempotency
	// Metrics serves /metrics: on App, or on its own listener when
	// Config.MetricsAddr is set (MetricsHandler).
	Metrics *web.Metrics
	// InitialAdminPassword is the password generated for the national
	// administrator when this start created it (empty otherwise); the
	// command prints it once on standard output.
	InitialAdminPassword string
}

// OpenDatabase connects and migrates.
func OpenDatabase(ctx context.Context, cfg Config, log *slog.Logger) (*db.DB, *db.Migrator, error) {
	database, err := db.Open(ctx, db.Config{DSN: cfg.DSN, DataDir: cfg.DataDir, MaxOpenConns: cfg.DBMaxOpen})
	if err != nil {
		return nil, nil, err
	}
	m, err := db.NewMigrator(database, seeds.All()...)
	if err != nil {
		database.Close()
		return nil, nil, err
	}
	n, err := m.Up(ctx)
	if err != nil {
		database.Close()
		return nil, nil, err
	}
	log.Info("database ready", "dialect", database.Dialect, "migrations_applied", n)
	return database, m, nil
}

// Build wires every part of the service on an open, migrated database.
func Build(ctx context.Context, cfg Config, log *slog.Logger, database *db.DB, migrator *db.Migrator) (*Service, error) {
	enforcer, err := rbac.NewEnforcer(ctx, database)
	if err != nil {
		return nil, err
	}
	userSvc := users.NewService(database, enforcer, log)
	userSvc.RequireAdminTOTP = cfg.RequireAdminTOTP
	if cfg.PasswordHashing != nil {
		userSvc.Hashing = cfg.PasswordHashing
	}
	key, err := LoadSecretKey(cfg)
	if err != nil {
		return nil, err
	}
	if userSvc.Secrets, err = users.NewSecretBox(key); err != nil {
		return nil, err
	}
	vault, err := OpenVault(ctx, cfg, database)
	if err != nil {
		return nil, err
	}
	if cur := vault.Current(); cfg.CryptoProfile != "" && cur.Profile != cfg.CryptoProfile {
		log.Warn("the database keeps its recorded cryptographic profile; run `pilotd rotate-key` to move it to the configured one",
			"recorded", cur.Profile, "configured", cfg.CryptoProfile)
	}
	// A database that predates the profile (or moved to guomi) gets its
	// audit chains anchored to the profile's hash; a no-op afterwards.
	if n, err := audit.NewStore(database).SwitchHash(ctx, vault.Current().Profile.HashName()); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("audit chains moved to the profile's hash", "hash", vault.Current().Profile.HashName(), "chains", n)
	}
	if n, err := userSvc.EncryptStoredSecrets(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("stored TOTP secrets encrypted", "count", n)
	}
	initialPassword, err := userSvc.Bootstrap(ctx, cfg.BootstrapPassword)
	if err != nil {
		return nil, err
	}
	tenantSvc := tenants.NewService(database, catalog.Provisioner(), userSvc.CountyAdminProvisioner())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(database.DB.DB, string(database.Dialect)), newReadyCollector(database, migrator))
	metrics := web.NewMetrics(reg)

	calendarSvc, err := calendar.NewService(ctx, database, log)
	if err != nil {
		return nil, err
	}
	calendarSvc.RegisterMetrics(reg)
	pages, err := web.NewPages(regionNamer(database))
	if err != nil {
		return nil, err
	}
	reportSvc := reports.NewService(database, tenantSvc, calendarSvc.Calendar())
	pages.Banners = adminBanners(calendarSvc, reportSvc, log)
	pages.NavChecker = enforcer
	pages.AddNav(users.NavLinks()...)
	pages.AddNav(audit.NavLinks()...)
	pages.AddNav(ratings.NavLinks()...)
	pages.AddNav(publicity.NavLinks()...)
	pages.AddNav(entities.NavLinks()...)
	pages.AddNav(inspections.NavLinks()...)
	pages.AddNav(penalties.NavLinks()...)
	pages.AddNav(onspot.NavLinks()...)
	pages.AddNav(catalog.NavLinks()...)
	noticeStore := notices.NewStore(database)
	pages.Unread = func(ctx context.Context, p *web.Principal) int {
		n, err := noticeStore.Unread(ctx, p.UserID)
		if err != nil {
			log.Error("unread notices", "err", err)
		}
		return n
	}
	idempotency := web.NewIdempotency(database)
	webCfg := web.Config{BodyLimit: cfg.BodyLimit, UploadLimit: cfg.UploadLimit, CookieSecure: cfg.CookieSecure,
		ProxyHeader: cfg.ProxyHeader, TrustedProxies: cfg.TrustedProxies, RequestTimeout: cfg.RequestTimeout}
	app := web.New(web.Deps{Config: webCfg, Log: log, Sessions: userSvc,
		Auditor: audit.NewStore(database), Metrics: metrics, Pages: pages, Idempotency: idempotency})

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", readiness(database, migrator))
	if cfg.MetricsAddr == "" {
		app.Get("/metrics", metrics.Handler())
	}
	app.Get("/api/v1/openapi.json", serveOpenAPI)

	limiter := web.NewRateLimiter(database)
	signInLimit := cfg.SignInPerMinute
	if signInLimit <= 0 {
		signInLimit = 20
	}
	userAPI := users.NewAPI(userSvc, enforcer, webCfg)
	userAPI.LimitSignIn(limiter, signInLimit)
	userAPI.Mount(app)
	userPages, err := users.NewPages(userAPI, pages)
	if err != nil {
		return nil, err
	}
	userPages.Mount(app)

	pilotAPI := pilot.NewAPI(tenantSvc, enforcer)
	pilotAPI.Mount(app)
	pilotPages, err := pilot.NewPages(pilotAPI, database, pages)
	if err != nil {
		return nil, err
	}
	pilotPages.Mount(app)

	noticeHandlers, err := notices.NewHandlers(noticeStore, pages)
	if err != nil {
		return nil, err
	}
	noticeHandlers.Mount(app)

	catalogSvc := catalog.NewService(database)
	catalogAPI := catalog.NewAPI(catalogSvc, tenantSvc, enforcer, catalog.NewFlowcharts())
	catalogAPI.Mount(app)
	catalogPages, err := catalog.NewPages(catalogAPI, pages)
	if err != nil {
		return nil, err
	}
	catalogPages.Mount(app)

	caseMetrics := cases.NewMetrics(reg, database, calendarSvc.Calendar())
	if err := caseMetrics.InitCounties(ctx); err != nil {
		return nil, err
	}
	caseSvc := cases.NewService(database, calendarSvc.Calendar(), catalogSvc, caseMetrics)
	calendarSvc.OnChange(func(ctx context.Context) error {
		n, err := caseSvc.RecomputeOpen(ctx)
		log.Info("calendar changed; open case deadlines recomputed", "moved", n)
		return err
	})
	calendarAPI := calendar.NewAPI(calendarSvc, enforcer)
	calendarAPI.Mount(app)
	calendarPages, err := calendar.NewPages(calendarAPI, pages)
	if err != nil {
		return nil, err
	}
	calendarPages.Mount(app)
	challengeCfg := challenge.DefaultConfig()
	challengeCfg.Difficulty, challengeCfg.RequireOnAPI = cfg.ChallengeDifficulty, cfg.PublicAPIChallenge
	challenges, err := challenge.New(database, challengeCfg)
	if err != nil {
		return nil, err
	}
	challenges.Mount(app, limiter.Limit("challenge", challenge.IssuesPerMinute, time.Minute), tenantSvc.RequireActive)
	caseAPI := cases.NewAPI(caseSvc, tenantSvc, enforcer, limiter, challenges)
	caseAPI.Mount(app)
	casePages, err := cases.NewPages(caseAPI, pages)
	if err != nil {
		return nil, err
	}
	casePages.Mount(app)

	publicitySvc := publicity.NewService(database, calendarSvc.Calendar())
	caseSvc.OnApproved = publicitySvc.RecordLicence
	publicity.RegisterMetrics(reg, database, time.Now)
	publicityAPI := publicity.NewAPI(publicitySvc, tenantSvc, enforcer)
	publicityAPI.Mount(app)
	publicityPages, err := publicity.NewPages(publicityAPI, pages)
	if err != nil {
		return nil, err
	}
	publicityPages.Mount(app)

	ratingSvc := ratings.NewService(database, calendarSvc.Calendar())
	ratings.RegisterMetrics(reg, database)
	ratingAPI := ratings.NewAPI(ratingSvc, tenantSvc, enforcer, limiter)
	ratingAPI.Mount(app)
	ratingPages, err := ratings.NewPages(ratingAPI, pages)
	if err != nil {
		return nil, err
	}
	ratingPages.Mount(app)
	casePages.TrackExtra = ratingPages.TrackFragment

	entityAPI := entities.NewAPI(entities.NewService(database), enforcer)
	entityAPI.Audit = audit.NewStore(database)
	entityAPI.Mount(app)
	entityPages, err := entities.NewPages(entityAPI, pages)
	if err != nil {
		return nil, err
	}
	entityPages.Mount(app)

	inspectionSvc := inspections.NewService(database, calendarSvc.Calendar())
	inspections.RegisterMetrics(reg, database)
	inspectionAPI := inspections.NewAPI(inspectionSvc, tenantSvc, enforcer)
	inspectionAPI.Mount(app)
	inspectionPages, err := inspections.NewPages(inspectionAPI, pages)
	if err != nil {
		return nil, err
	}
	inspectionPages.Mount(app)
	countyNamer := penalties.CountyNamer(func(ctx context.Context, code string) (string, error) {
		county, err := tenantSvc.County(ctx, code)
		return county.Name, err
	})
	penaltySvc := penalties.NewService(database, calendarSvc.Calendar(), catalogSvc, enforcer, countyNamer)
	// 双公示: a penalty decision is recorded for publication in its
	// transaction, and withdrawn with the revocation of the decision.
	penaltySvc.Publicity = publicitySvc
	penalties.RegisterMetrics(reg, database)
	penaltyAPI := penalties.NewAPI(penaltySvc, countyNamer, enforcer)
	penaltyAPI.Mount(app)
	penaltyPages, err := penalties.NewPages(penaltyAPI, pages)
	if err != nil {
		return nil, err
	}
	penaltyPages.Mount(app)
	// The 简易程序: on-the-spot decisions on the county's published
	// 行政处罚 items, numbered in their own series (罚当).
	onspotSvc := onspot.NewService(database, calendarSvc.Calendar(), catalogSvc, enforcer, countyNamer)
	onspot.RegisterMetrics(reg, database)
	onspotAPI := onspot.NewAPI(onspotSvc, enforcer)
	onspotAPI.Mount(app)
	onspotPages, err := onspot.NewPages(onspotAPI, pages)
	if err != nil {
		return nil, err
	}
	onspotPages.Mount(app)
	// A violation found in an inspection opens a penalty case with the
	// entity as party and the finding as facts.
	inspectionSvc.OpenPenalty = func(ctx context.Context, county string, actorID int64, in inspections.PenaltyInput) (inspections.PenaltyCase, error) {
		actor, err := penaltySvc.ActorFor(ctx, county, actorID)
		if err != nil {
			return inspections.PenaltyCase{}, err
		}
		c, err := penaltySvc.Open(ctx, actor, county, penalties.OpenInput{ItemCode: in.ItemCode,
			Party: penalties.Party{Kind: in.Party.Kind, Name: in.Party.Name, CreditCode: in.Party.CreditCode, EntityID: in.Party.EntityID},
			Facts: in.Facts, FiledOn: in.FiledOn, SourceKind: in.SourceKind, SourceID: in.SourceID})
		return inspections.PenaltyCase{ID: c.ID, CaseNo: c.CaseNo}, err
	}
	penaltySvc.Team = func(ctx context.Context, county string, inspectionID int64) (penalties.Team, error) {
		team := penalties.Team{Certificates: map[int64]string{}}
		pool, err := inspectionSvc.Inspectors(ctx, county)
		if err != nil {
			return team, err
		}
		for _, in := range pool {
			if in.Active {
				team.Certificates[in.UserID] = in.CertificateNo
			}
		}
		if inspectionID > 0 {
			// A source that is not an inspection of this county (a case
			// opened through the API may name any) prefills nothing.
			v, err := inspectionSvc.Get(ctx, county, inspectionID)
			if errors.Is(err, apperr.ErrNotFound) {
				return team, nil
			} else if err != nil {
				return team, err
			}
			team.Inspected = v.Inspectors
		}
		return team, nil
	}
	inspectionSvc.PenaltyItems = func(ctx context.Context, county string) ([]inspections.PenaltyItem, error) {
		items, err := penaltySvc.PenaltyItems(ctx, county)
		out := make([]inspections.PenaltyItem, 0, len(items))
		for _, it := range items {
			out = append(out, inspections.PenaltyItem{Code: it.Code, Name: it.Name})
		}
		return out, err
	}

	disclosureSvc := disclosure.NewService(database, calendarSvc.Calendar(), catalogSvc)
	calendarSvc.OnChange(func(ctx context.Context) error {
		n, err := disclosureSvc.RecomputeOpenDeadlines(ctx)
		log.Info("calendar changed; open disclosure deadlines recomputed", "moved", n)
		return err
	})
	penaltySvc.Terms = func(ctx context.Context, county string) ([]string, error) {
		st, err := disclosureSvc.Settings(ctx, county)
		return st.Terms, err
	}
	disclosure.RegisterMetrics(reg, database, calendarSvc.Calendar())
	disclosureAPI := disclosure.NewAPI(disclosureSvc, tenantSvc, enforcer, limiter, challenges)
	disclosureAPI.Mount(app)
	disclosurePages, err := disclosure.NewPages(disclosureAPI, pages)
	if err != nil {
		return nil, err
	}
	disclosurePages.Mount(app)

	runner := jobs.NewRunner(database, log, reg)
	if err := runner.Add(jobs.Job{Name: "overdue", Schedule: cfg.OverdueSchedule, Run: func(ctx context.Context) (string, error) {
		res, err := caseSvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		flags, err := disclosureSvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		rectFlags, err := ratingSvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		inspectionFlags, err := inspectionSvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		publicityFlags, err := publicitySvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		penaltyFlags, err := penaltySvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		depositFlags, err := onspotSvc.FlagOverdue(ctx)
		if err != nil {
			return "", err
		}
		reminded, err := reportSvc.RemindAnnual(ctx)
		return fmt.Sprintf("%s; %s; %s; %s; %s; %s; %s; 年度报告提醒%d个县", res.String(), flags.String(), rectFlags.String(),
			inspectionFlags.String(), publicityFlags.String(), penaltyFlags.String(), depositFlags.String(), reminded), err
	}}); err != nil {
		return nil, err
	}
	reportAPI := reports.NewAPI(reportSvc, enforcer)
	reportAPI.Mount(app)
	reportPages, err := reports.NewPages(reportAPI, pages)
	if err != nil {
		return nil, err
	}
	reportPages.Mount(app)
	if err := runner.Add(jobs.Job{Name: "reports", Schedule: cfg.ReportsSchedule, Run: reportSvc.RunScheduled}); err != nil {
		return nil, err
	}
	sweep := sweeper(database, vault)
	if err := runner.Add(jobs.Job{Name: "crypto-sweep", Schedule: CryptoSweepSchedule, Run: func(ctx context.Context) (string, error) {
		n, done, err := sweep.Run(ctx, 0)
		return fmt.Sprintf("密钥版本 %d：重新加密 %d 行，完成：%v", vault.Current().Version, n, done), err
	}}); err != nil {
		return nil, err
	}
	erased := retentionCounter(reg)
	if err := runner.Add(jobs.Job{Name: "retention", Schedule: RetentionSchedule, Run: func(ctx context.Context) (string, error) {
		return runRetention(ctx, database, cfg.PersonalRetentionDays, time.Now(), erased)
	}}); err != nil {
		return nil, err
	}
	runner.Mount(app, enforcer)
	auditAPI := audit.NewAPI(audit.NewStore(database), enforcer)
	auditAPI.Mount(app)
	auditPages, err := audit.NewPages(auditAPI, pages)
	if err != nil {
		return nil, err
	}
	auditPages.Mount(app)

	metrics.InitRoutes(app)
	return &Service{Config: cfg, log: log, DB: database, Migrator: migrator, enforcer: enforcer, Vault: vault,
		Users: userSvc, tenants: tenantSvc, Calendar: calendarSvc, Cases: caseSvc, Disclosure: disclosureSvc, Reports: reportSvc, Ratings: ratingSvc, Inspections: inspectionSvc, Publicity: publicitySvc, Penalties: penaltySvc, OnSpot: onspotSvc, Jobs: runner,
		limiter: limiter, Challenges: challenges, App: app, Metrics: metrics, idempotency: idempotency,
		InitialAdminPassword: initialPassword}, nil
}

// readiness answers 200 only when the database responds and the schema is current.
func readiness(database *db.DB, migrator *db.Migrator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if status := notReady(ctx, database, migrator); status != "" {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": status})
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
}

// notReady is why this replica is not ready, or "" when it is.
func notReady(ctx context.Context, database *db.DB, migrator *db.Migrator) string {
	if err := database.PingContext(ctx); err != nil {
		return "database unavailable"
	}
	if current, err := migrator.Current(ctx); err != nil || !current {
		return "migrations pending"
	}
	return ""
}

// readyCollector exports pilot_database_ready, the readiness check of
// GET /readyz made at scrape time: 1 when it passes, 0 when it does not.
type readyCollector struct {
	database *db.DB
	migrator *db.Migrator
	desc     *prometheus.Desc
}

func newReadyCollector(database *db.DB, migrator *db.Migrator) readyCollector {
	return readyCollector{database: database, migrator: migrator, desc: prometheus.NewDesc("pilot_database_ready",
		"1 when this replica reaches its database and the schema is current (as GET /readyz), else 0.", nil, nil)}
}

func (r readyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- r.desc }

func (r readyCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ready := 0.0
	if notReady(ctx, r.database, r.migrator) == "" {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(r.desc, prometheus.GaugeValue, ready)
}

// regionNamer looks up the Chinese name of a region for page headers.
func regionNamer(database *db.DB) web.RegionNamer {
	return func(ctx context.Context, code string) string {
		var name string
		var err error
		switch len(code) {
		case 1:
			return "全国"
		case 2:
			err = database.GetContext(ctx, &name, `SELECT name FROM provinces WHERE code = ?`, code)
		default:
			err = database.GetContext(ctx, &name, `SELECT name FROM counties WHERE code = ?`, code)
			if db.IsNoRows(err) {
				err = database.GetContext(ctx, &name, `SELECT name FROM divisions WHERE code = ?`, code)
			}
		}
		if err != nil {
			return code
		}
		return name
	}
}

// adminBanners warns administrators on every page about missing calendars,
// and a county's administrators about the annual disclosure report it owes
// until it is published.
func adminBanners(cal *calendar.Service, reportSvc *reports.Service, log *slog.Logger) func(context.Context, *web.Principal) []string {
	return func(ctx context.Context, p *web.Principal) []string {
		isAdmin := false
		var counties []string
		for _, a := range p.Roles {
			switch a.Role {
			case rbac.NationalAdmin, rbac.ProvinceAdmin:
				isAdmin = true
			case rbac.CountyAdmin:
				isAdmin = true
				counties = append(counties, a.Region)
			}
		}
		if !isAdmin {
			return nil
		}
		var out []string
		for _, y := range cal.MissingYears(time.Now()) {
			out = append(out, calendar.MissingYearWarning(y))
		}
		for _, county := range counties {
			due, err := reportSvc.AnnualDueOf(ctx, county)
			if err != nil {
				log.Error("annual report banner", "county", county, "err", err)
				continue
			}
			if due != nil && !due.Published {
				out = append(out, due.Message())
			}
		}
		return out
	}
}

// RunBackground keeps the replica in step with the others until ctx ends,
// and runs the scheduled jobs.
func (s *Service) RunBackground(ctx context.Context) {
	go s.enforcer.Watch(ctx, s.Config.PolicyPoll, s.log)
	go s.Calendar.Watch(ctx, s.Config.PolicyPoll)
	go s.WatchKeys(ctx)
	s.Jobs.Start()
	go func() {
		<-ctx.Done()
		s.Jobs.Stop()
	}()
	for _, y := range s.Calendar.MissingYears(time.Now()) {
		s.log.Warn("working-day calendar missing; deadlines in that year are provisional", "year", y)
	}
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.limiter.Cleanup(ctx); err != nil {
					s.log.Error("rate limit cleanup failed", "err", err)
				}
				if _, err := s.Challenges.Cleanup(ctx); err != nil {
					s.log.Error("challenge cleanup failed", "err", err)
				}
				// Secrets a replica of an older release stored in clear.
				if _, err := s.Users.EncryptStoredSecrets(ctx); err != nil {
					s.log.Error("encrypting stored TOTP secrets failed", "err", err)
				}
				if _, err := s.idempotency.Cleanup(ctx, db.Now().Add(-24*time.Hour)); err != nil {
					s.log.Error("forgetting idempotency keys failed", "err", err)
				}
				if _, err := s.Users.Store().DeleteStaleUnknownFailures(ctx, db.Now().Add(-24*time.Hour)); err != nil {
					s.log.Error("forgetting failed sign-ins of unknown names failed", "err", err)
				}
				if n, err := s.Users.Store().DeleteExpiredSessions(ctx, db.Now()); err != nil {
					s.log.Error("session cleanup failed", "err", err)
				} else if n > 0 {
					s.log.Debug("expired sessions removed", "count", n)
				}
			}
		}
	}()
}

// MetricsHandler serves /metrics alone, for the listener of
// Config.MetricsAddr: deployments put it on a port only Prometheus reaches,
// while the public port answers 404 for /metrics.
func (s *Service) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}
