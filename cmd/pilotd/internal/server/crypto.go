package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"safetypilot/modules/audit"
	"safetypilot/modules/cases"
	"safetypilot/modules/db"
	"safetypilot/modules/disclosure"
	"safetypilot/modules/entities"
	"safetypilot/modules/onspot"
	"safetypilot/modules/penalties"
	"safetypilot/modules/seal"
	"safetypilot/modules/users"
	"safetypilot/web"
)

// Schedules of the personal-data jobs: the sweep finishes any re-sealing
// left (a first start on data from before sealing, an interrupted
// rotate-key); the retention job runs once a day.
const (
	CryptoSweepSchedule = "*/5 * * * *"
	RetentionSchedule   = "17 3 * * *"
)

// SealedColumns lists every personal column sealed at rest, module by
// module; the sweep (key rotation, profile migration, sealing data from
// before) walks them. A new module with personal fields adds its list here.
func SealedColumns() []seal.Column {
	var out []seal.Column
	for _, list := range [][]seal.Column{cases.SealedColumns, disclosure.RequestSealedColumns, entities.SealedColumns, users.SealedColumns,
		penalties.SealedColumns, onspot.SealedColumns} {
		out = append(out, list...)
	}
	return out
}

// OpenVault builds the key provider from the master key (and the previous
// one, if configured), records the first key version of a new database with
// the configured profile, and attaches the vault to the handle
// (database.Fields) so every store seals with it.
func OpenVault(ctx context.Context, cfg Config, database *db.DB) (*seal.Vault, error) {
	key, err := LoadSecretKey(cfg)
	if err != nil {
		return nil, err
	}
	var previous [][]byte
	if cfg.SecretKeyPrevious != nil {
		previous = append(previous, cfg.SecretKeyPrevious)
	}
	provider, err := seal.NewMasterKeys(key, previous...)
	if err != nil {
		return nil, err
	}
	profile := cfg.CryptoProfile
	if profile == "" {
		profile = seal.Guomi // the default of a new database
	}
	versions, err := seal.Ensure(ctx, database, provider, profile)
	if err != nil {
		return nil, err
	}
	vault, err := seal.NewVault(provider, versions)
	if err != nil {
		return nil, fmt.Errorf("%w (was PILOT_SECRET_KEY changed without `pilotd rotate-key` and PILOT_SECRET_KEY_PREVIOUS?)", err)
	}
	vault.Reload = func() error { return reloadVersions(context.Background(), database, vault) }
	database.Fields = vault
	return vault, nil
}

func reloadVersions(ctx context.Context, database *db.DB, vault *seal.Vault) error {
	vs, err := seal.LoadVersions(ctx, database)
	if err != nil {
		return err
	}
	return vault.SetVersions(vs)
}

// watchKeys follows key versions added by pilotd rotate-key elsewhere, so
// this replica seals new values with the new version within one poll.
func watchKeys(ctx context.Context, database *db.DB, vault *seal.Vault, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := reloadVersions(ctx, database, vault); err != nil && ctx.Err() == nil {
				log.Error("reloading key versions failed", "err", err)
			}
		}
	}
}

// WatchKeys follows key versions other processes add (RunBackground
// starts it; tests that do not run the jobs start it alone).
func (s *Service) WatchKeys(ctx context.Context) {
	watchKeys(ctx, s.DB, s.Vault, s.Config.PolicyPoll, s.log)
}

// Sweeper is the service's re-sealing sweep (the crypto-sweep job's).
func (s *Service) Sweeper() *seal.Sweeper { return sweeper(s.DB, s.Vault) }

// sweeper re-seals the sealed columns under the current key version,
// recording its progress in the national audit chain.
func sweeper(database *db.DB, vault *seal.Vault) *seal.Sweeper {
	store := audit.NewStore(database)
	return &seal.Sweeper{DB: database, Vault: vault, Columns: SealedColumns(),
		Record: func(ctx context.Context, action, detail string) error {
			return store.Record(ctx, web.AuditEntry{Username: "pilotd", Region: "*", Action: action,
				Object: "crypto_keys", Outcome: "success", Detail: detail})
		}}
}

// retentionCounter counts the records whose personal fields the retention
// job erased.
func retentionCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pilot_personal_data_erased_total",
		Help: "Records whose personal fields the retention job erased (PILOT_PERSONAL_RETENTION_DAYS after closing), by kind.",
	}, []string{"kind"})
	reg.MustRegister(c)
	for _, k := range []string{"case", "info_request", "penalty_case", "onspot_decision"} {
		c.WithLabelValues(k)
	}
	return c
}

// runRetention erases the personal fields of cases, requests, penalty
// cases and on-the-spot decisions done more than days ago; days 0 keeps
// everything.
func runRetention(ctx context.Context, database *db.DB, days int, now time.Time, erased *prometheus.CounterVec) (string, error) {
	if days <= 0 {
		return "未设置个人信息保存期限（PILOT_PERSONAL_RETENTION_DAYS=0），未删除", nil
	}
	today := now.UTC().Format(time.DateOnly)
	before := now.UTC().AddDate(0, 0, -days).Format(time.DateOnly)
	nc, err := cases.ErasePersonal(ctx, database, before, today)
	erased.WithLabelValues("case").Add(float64(nc))
	if err != nil {
		return "", err
	}
	nr, err := disclosure.ErasePersonal(ctx, database, before, today)
	erased.WithLabelValues("info_request").Add(float64(nr))
	if err != nil {
		return "", err
	}
	np, err := penalties.ErasePersonal(ctx, database, before, today)
	erased.WithLabelValues("penalty_case").Add(float64(np))
	if err != nil {
		return "", err
	}
	no, err := onspot.ErasePersonal(ctx, database, before, today)
	erased.WithLabelValues("onspot_decision").Add(float64(no))
	if err != nil {
		return "", err
	}
	if nc+nr+np+no > 0 {
		if err := audit.NewStore(database).Record(ctx, web.AuditEntry{Username: "pilotd", Region: "*", Action: "personal-data-erase",
			Object: "retention", Outcome: "success", Detail: fmt.Sprintf("closed before %s: cases=%d info_requests=%d penalty_cases=%d onspot_decisions=%d",
				before, nc, nr, np, no)}); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("已删除 %s 之前办结的办件 %d 件、答复的申请 %d 件、结案的行政处罚案件 %d 件、办结的当场处罚 %d 件的个人信息",
		before, nc, nr, np, no), nil
}

// RotateKey is pilotd rotate-key: a new key version (with profile, which may
// differ: the profile migration), the audit chains moved to the profile's
// hash at an anchor, then every sealed value re-sealed in batches while the
// service keeps serving. With resume it only finishes the current version's
// sweep (after an interruption).
func RotateKey(ctx context.Context, cfg Config, log *slog.Logger, profile seal.Profile, resume bool, settle time.Duration, stdout io.Writer) error {
	database, _, err := OpenDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer database.Close()
	vault, err := OpenVault(ctx, cfg, database)
	if err != nil {
		return err
	}
	sw := sweeper(database, vault)
	if !resume {
		from := vault.Current()
		k, err := seal.AddVersion(ctx, database, vault.Provider(), profile)
		if err != nil {
			return err
		}
		if err := reloadVersions(ctx, database, vault); err != nil {
			return err
		}
		if err := sw.Record(ctx, seal.ActionRotateKey, fmt.Sprintf("key version %d (%s, %s) -> %d (%s, %s)",
			from.Version, from.Profile, from.Profile.CipherName(), k.Version, k.Profile, k.Profile.CipherName())); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new key version %d, profile %s (%s)\n", k.Version, k.Profile, k.Profile.CipherName())
		if n, err := audit.NewStore(database).SwitchHash(ctx, k.Profile.HashName()); err != nil {
			return err
		} else if n > 0 {
			fmt.Fprintf(stdout, "audit chains moved to %s: %d\n", k.Profile.HashName(), n)
		}
		// Replicas pick the new version up within one poll; values they
		// seal meanwhile with the old one are caught by the sweep's re-check.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(settle):
		}
	}
	n, done, err := sw.Run(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-sealed %d rows under key version %d; complete: %v\n", n, vault.Current().Version, done)
	if !done {
		return fmt.Errorf("some values are not yet under key version %d: run pilotd rotate-key --resume again", vault.Current().Version)
	}
	return nil
}
