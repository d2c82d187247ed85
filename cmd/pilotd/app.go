package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"safetypilot/modules/audit"
	"safetypilot/modules/catalog"
	"safetypilot/modules/db"
	"safetypilot/modules/pilot"
	"safetypilot/modules/users"
	"safetypilot/rbac"
	"safetypilot/tenants"
	"safetypilot/web"
)

// Seed migrations run in the same sequence as the SQL files; their numbers
// continue after the last SQL file that existed when each was added.
func seeds() []db.Seed {
	return []db.Seed{
		tenants.SeedMigration(15),
		catalog.SeedMigration(16),
	}
}

// service is the wired application.
type service struct {
	cfg      config
	log      *slog.Logger
	db       *db.DB
	migrator *db.Migrator
	enforcer *rbac.Enforcer
	users    *users.Service
	tenants  *tenants.Service
	app      *fiber.App
}

// openDatabase connects and migrates.
func openDatabase(ctx context.Context, cfg config, log *slog.Logger) (*db.DB, *db.Migrator, error) {
	database, err := db.Open(ctx, db.Config{DSN: cfg.DSN, DataDir: cfg.DataDir, MaxOpenConns: cfg.DBMaxOpen})
	if err != nil {
		return nil, nil, err
	}
	m, err := db.NewMigrator(database, seeds()...)
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

// build wires every part of the service on an open, migrated database.
func build(ctx context.Context, cfg config, log *slog.Logger, database *db.DB, migrator *db.Migrator) (*service, error) {
	enforcer, err := rbac.NewEnforcer(ctx, database)
	if err != nil {
		return nil, err
	}
	userSvc := users.NewService(database, enforcer, log)
	if err := userSvc.Bootstrap(ctx, cfg.BootstrapPassword); err != nil {
		return nil, err
	}
	tenantSvc := tenants.NewService(database, catalog.Provisioner(), userSvc.CountyAdminProvisioner())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(database.DB.DB, string(database.Dialect)))
	metrics := web.NewMetrics(reg)

	pages, err := web.NewPages(regionNamer(database))
	if err != nil {
		return nil, err
	}
	webCfg := web.Config{BodyLimit: cfg.BodyLimit, CookieSecure: cfg.CookieSecure,
		ProxyHeader: cfg.ProxyHeader, TrustedProxies: cfg.TrustedProxies}
	app := web.New(web.Deps{Config: webCfg, Log: log, Sessions: userSvc,
		Auditor: audit.NewStore(database), Metrics: metrics, Pages: pages})

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", readiness(database, migrator))
	app.Get("/metrics", metrics.Handler())
	app.Get("/api/v1/openapi.json", serveOpenAPI)

	userAPI := users.NewAPI(userSvc, enforcer, webCfg)
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

	catalogSvc := catalog.NewService(database)
	catalogAPI := catalog.NewAPI(catalogSvc, tenantSvc, enforcer, catalog.NewFlowcharts())
	catalogAPI.Mount(app)
	catalogPages, err := catalog.NewPages(catalogAPI, pages)
	if err != nil {
		return nil, err
	}
	catalogPages.Mount(app)
	audit.NewAPI(audit.NewStore(database), enforcer).Mount(app)

	return &service{cfg: cfg, log: log, db: database, migrator: migrator, enforcer: enforcer,
		users: userSvc, tenants: tenantSvc, app: app}, nil
}

// readiness answers 200 only when the database responds and the schema is current.
func readiness(database *db.DB, migrator *db.Migrator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := database.PingContext(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "database unavailable"})
		}
		current, err := migrator.Current(ctx)
		if err != nil || !current {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "migrations pending"})
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
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

// runBackground keeps the replica in step with the others until ctx ends.
func (s *service) runBackground(ctx context.Context) {
	go s.enforcer.Watch(ctx, s.cfg.PolicyPoll, s.log)
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := s.users.Store().DeleteExpiredSessions(ctx, db.Now()); err != nil {
					s.log.Error("session cleanup failed", "err", err)
				} else if n > 0 {
					s.log.Debug("expired sessions removed", "count", n)
				}
			}
		}
	}()
}
