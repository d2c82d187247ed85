package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrationFiles embed.FS

// Seed is a data migration owned by another package (reference data such as the
// division codes or the basic catalog). It runs once, inside the migration lock,
// in the same version sequence as the SQL files.
type Seed struct {
	Version int64
	Run     func(ctx context.Context, tx *sql.Tx) error
}

// Migrator applies the embedded schema for the handle's dialect.
type Migrator struct {
	provider *goose.Provider
	db       *DB
}

// NewMigrator prepares the goose provider. On MySQL a table lock makes replicas
// that start together run the migrations exactly once.
func NewMigrator(d *DB, seeds ...Seed) (*Migrator, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+string(d.Dialect))
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	var goMigrations []*goose.Migration
	for _, s := range seeds {
		goMigrations = append(goMigrations, goose.NewGoMigration(s.Version, &goose.GoFunc{RunTx: s.Run}, nil))
	}
	if len(goMigrations) > 0 {
		opts = append(opts, goose.WithGoMigrations(goMigrations...))
	}
	dialect := goose.DialectSQLite3
	if d.Dialect == MySQL {
		dialect = goose.DialectMySQL
		locker, err := lock.NewMySQLTableLocker()
		if err != nil {
			return nil, fmt.Errorf("db: migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.DB.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	return &Migrator{provider: p, db: d}, nil
}

// migrateAttempts bounds the retries of Up on a version table found without
// its zero row.
const migrateAttempts = 8

// Up applies every pending migration and returns how many ran.
//
// Three replicas starting together on a Galera cluster have failed here
// with goose's "missing zero version migration" (CI, sessions 8 and 10):
// goose creates its version table and inserts the zero row in one
// transaction, but in MySQL the CREATE TABLE commits on its own, so when
// the INSERT does not commit (a replica stopped, or a Galera certification
// conflict) the table stays without its zero row, goose thereafter finds
// the table and never inserts the row, and every replica fails on every
// try. Up therefore repairs that state (repairZeroVersion) and tries again
// a few times before giving up.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	for attempt := 1; ; attempt++ {
		results, err := m.provider.Up(ctx)
		if err == nil {
			return len(results), nil
		}
		if !strings.Contains(err.Error(), "missing zero version migration") || attempt == migrateAttempts {
			return len(results), fmt.Errorf("db: migrate: %w", err)
		}
		if rerr := m.repairZeroVersion(ctx); rerr != nil {
			return 0, fmt.Errorf("db: migrate: %w (after %v)", rerr, err)
		}
		if err := Backoff(ctx, attempt+3); err != nil {
			return 0, fmt.Errorf("db: migrate: %w", err)
		}
	}
}

// versionTable is goose's table of applied versions (its default name).
const versionTable = "goose_db_version"

// repairZeroVersion gives goose's version table its zero row when the table
// holds no row at all (created, its first INSERT lost). One replica does
// it: the row goes in with a row of migration_zero_guard, whose primary
// key lets a single insert ever commit, in one transaction; the others fail
// on the key (or Galera's certification) and simply try Up again.
func (m *Migrator) repairZeroVersion(ctx context.Context) error {
	var rows int
	if err := m.db.GetContext(ctx, &rows, `SELECT COUNT(*) FROM `+versionTable); err != nil || rows > 0 {
		return nil // no table yet, or another replica repaired it: goose decides
	}
	if _, err := m.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migration_zero_guard (id INTEGER NOT NULL PRIMARY KEY)`); err != nil {
		return fmt.Errorf("zero version guard: %w", err)
	}
	tx, err := m.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO migration_zero_guard (id) VALUES (0)`); err != nil {
		return nil // taken: another replica repairs (or repaired) the table
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+versionTable+` (version_id, is_applied) VALUES (0, ?)`, true); err != nil {
		return fmt.Errorf("zero version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil // lost a certification conflict: the winner repairs it
	}
	return nil
}

// Current reports whether the schema is at the newest version this binary knows.
func (m *Migrator) Current(ctx context.Context) (bool, error) {
	pending, err := m.provider.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("db: migration status: %w", err)
	}
	return !pending, nil
}
