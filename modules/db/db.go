// Package db is the database layer every other package stands on: it opens MySQL
// (production) or an embedded SQLite file (the default), runs the embedded
// migrations, and keeps the dialect seam small — queries elsewhere are written
// once, with ? placeholders, for both engines.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names a supported SQL engine. It only grows where a real difference
// between the engines forces it.
type Dialect string

// The supported engines.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is the shared handle: a sqlx pool plus the dialect it speaks.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// Fields seals personal columns at rest (package seal's Vault); set
	// once at start, before the handle is shared.
	Fields FieldCipher
}

// Config says where the data lives.
type Config struct {
	// DSN is a go-sql-driver/mysql DSN; empty means the embedded SQLite file.
	DSN string
	// DataDir holds the SQLite file when DSN is empty.
	DataDir string
	// MaxOpenConns bounds the MySQL pool (idle is kept equal, as the driver advises).
	MaxOpenConns int
}

// Open connects and configures the pool; it does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.DSN != "" {
		return openMySQL(ctx, cfg)
	}
	return openSQLite(ctx, cfg)
}

func openMySQL(ctx context.Context, cfg Config) (*DB, error) {
	mc, err := mysql.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("db: parse dsn: %w", err)
	}
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.Collation = "utf8mb4_unicode_ci"
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	mc.Params["time_zone"] = "'+00:00'"
	// Arguments are interpolated by the driver (safe with utf8mb4), so a query
	// is one round trip rather than prepare, execute and close: three.
	mc.InterpolateParams = true
	conn, err := sqlx.Open("mysql", mc.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("db: open mysql: %w", err)
	}
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 20
	}
	conn.SetMaxOpenConns(n)
	conn.SetMaxIdleConns(n)
	conn.SetConnMaxLifetime(3 * time.Minute)
	conn.SetConnMaxIdleTime(time.Minute)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: ping mysql: %w", err)
	}
	if _, set := mc.Params["wsrep_sync_wait"]; !set && isGalera(ctx, conn) {
		// Galera applies other nodes' writes asynchronously: a read on one
		// node right after a write through another could miss it. With
		// wsrep_sync_wait=1 every read first waits until its node has
		// applied all the cluster committed before it, so a client whose
		// next request reaches a replica on another node reads its write.
		conn.Close()
		mc.Params["wsrep_sync_wait"] = "1"
		cfg.DSN = mc.FormatDSN()
		return openMySQL(ctx, cfg)
	}
	return &DB{DB: conn, Dialect: MySQL}, nil
}

// isGalera reports a MariaDB server that is a node of a Galera cluster
// (MySQL and TiDB have no such variable, and answer an error).
func isGalera(ctx context.Context, conn *sqlx.DB) bool {
	var on int
	return conn.GetContext(ctx, &on, `SELECT @@GLOBAL.wsrep_on`) == nil && on == 1
}

func openSQLite(ctx context.Context, cfg Config) (*DB, error) {
	dir := cfg.DataDir
	if dir == "" {
		dir = "var"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("db: data dir: %w", err)
	}
	path := filepath.Join(dir, "pilot.db")
	// WAL lets readers run beside the writer; immediate transactions take the
	// write lock up front so two writers wait (busy_timeout) instead of failing.
	// secure_delete overwrites what an update or delete frees, so a value
	// re-sealed or erased leaves no plaintext behind in the file.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=secure_delete(1)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	conn, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	conn.SetMaxOpenConns(8)
	conn.SetMaxIdleConns(8)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: ping sqlite: %w", err)
	}
	return &DB{DB: conn, Dialect: SQLite}, nil
}

// Now is the timestamp stored for "now": UTC at microsecond precision, which both
// engines keep exactly.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// InTx runs fn in a transaction, committing when it returns nil. On MySQL it
// runs at READ COMMITTED, so a read made after taking a row lock sees what the
// previous holder of the lock committed (SQLite transactions are serialised).
//
// When the database rolls the transaction back and asks for it to be
// restarted (a deadlock, a lock wait timeout, or a Galera certification
// conflict, which MariaDB reports as a deadlock), InTx runs fn again, at most
// TxAttempts times in all, after a short random pause. So fn must be safe to
// run again: it changes the database only through tx, and any variable of
// its caller that it sets is set afresh on every run (reset at its start).
//
// A commit hook in ctx (WithCommitHook) runs inside the transaction just
// before it commits: that is how a request's audit entry commits with the
// change it records.
func (d *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := d.inTxOnce(ctx, fn)
		if err == nil || attempt == TxAttempts || !IsRetryable(err) {
			return err
		}
		if Backoff(ctx, attempt) != nil {
			return err
		}
	}
}

// TxAttempts bounds how often a transaction the database asked to restart
// is run. On one server a deadlock rarely repeats; on a Galera cluster
// writers of one hot row (a county's audit chain head, its case counts)
// through different nodes lose certification to one another in turn, and
// TestGaleraCluster needed more than four attempts at times under load.
const TxAttempts = 10

// Backoff waits before attempt+1 of a restarted transaction: a random pause
// ("full jitter") whose ceiling doubles with each attempt from 10 ms up to
// 400 ms, so colliding writers part; all ten attempts wait under 2.5 s in
// all, well inside a request's deadline. It returns ctx's error when the
// request ends first.
func Backoff(ctx context.Context, attempt int) error {
	ceiling := min(10*time.Millisecond<<(attempt-1), 400*time.Millisecond)
	pause := time.Millisecond + time.Duration(mrand.Int64N(int64(ceiling)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(pause):
		return nil
	}
}

// IsRetryable reports an error after which the database rolled the whole
// transaction back and a new attempt may succeed: InnoDB's deadlock (1213,
// also Galera's certification failure) and lock wait timeout (1205).
func IsRetryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

func (d *DB) inTxOnce(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	var opts *sql.TxOptions
	if d.Dialect == MySQL {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := d.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	hook := commitHookOf(ctx)
	if hook != nil {
		if err := hook.BeforeCommit(ctx, tx); err != nil {
			_ = tx.Rollback()
			hook.AfterCommit(false)
			return err
		}
	}
	err = tx.Commit()
	if hook != nil {
		hook.AfterCommit(err == nil)
	}
	if err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// IsUnavailable reports an error that says the database cannot be reached
// (refused or lost connection, a server shutting down or full of
// connections, a cluster node not ready), as opposed to an error in what was
// asked. Such a request can succeed later, so it is answered 503.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, // too many connections
			1053, // server shutdown in progress
			1047, // WSREP has not yet prepared node for application use (Galera)
			1927: // connection was killed
			return true
		}
	}
	return false
}

// IsDuplicate reports a unique-key violation on either engine.
func IsDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Qualify prefixes each of a comma-separated list of columns (each with an
// optional ASC or DESC) with a table alias, for joins.
func Qualify(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// IsNoRows reports an empty single-row result.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
