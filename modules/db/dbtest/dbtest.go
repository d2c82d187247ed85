// Package dbtest gives each test its own freshly created database on the real
// engines: an SQLite file in the test's temp dir, and a throw-away MariaDB/MySQL
// database that is dropped when the test ends.
//
// MySQL tests use PILOT_TEST_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/). When
// the server cannot be reached they are skipped, unless PILOT_TEST_REQUIRE_MYSQL=1
// (set by .ci/run), in which case they fail.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"

	"safetypilot/modules/db"
	"safetypilot/modules/seal"
)

// Dialects lists the engines every store test runs against.
var Dialects = []db.Dialect{db.SQLite, db.MySQL}

// Open returns an empty (unmigrated) database of the given dialect owned by t.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	if dialect == db.SQLite {
		d, err := db.Open(ctx, db.Config{DataDir: t.TempDir()})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		d.Fields = TestVault(t)
		return d
	}
	d := openMySQL(t)
	d.Fields = TestVault(t)
	return d
}

// TestVault is a real vault (guomi profile, key version 1) over a random
// master key of the test's own, so stores seal their personal fields in
// tests exactly as in production.
func TestVault(t testing.TB) *seal.Vault {
	t.Helper()
	master := make([]byte, seal.MasterKeySize)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	mk, err := seal.NewMasterKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	v, err := seal.NewVault(mk, []seal.KeyVersion{{Version: 1, Profile: seal.Guomi, MasterID: mk.CurrentMaster(), IndexVersion: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// MySQLServerDSN is the DSN of the test server without a database name.
func MySQLServerDSN() string {
	if v := os.Getenv("PILOT_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// RequireMySQL skips (or, in CI, fails) the test when no MySQL server answers.
func RequireMySQL(t testing.TB) {
	t.Helper()
	admin, err := sql.Open("mysql", MySQLServerDSN())
	if err == nil {
		err = admin.Ping()
		admin.Close()
	}
	if err != nil {
		if os.Getenv("PILOT_TEST_REQUIRE_MYSQL") == "1" {
			t.Fatalf("MariaDB/MySQL is required here but does not answer: %v", err)
		}
		t.Skipf("no MariaDB/MySQL at %s: %v", MySQLServerDSN(), err)
	}
}

// CreateMySQLDatabase makes a new empty database and returns its DSN; it is
// dropped when the test ends.
func CreateMySQLDatabase(t testing.TB) string {
	t.Helper()
	RequireMySQL(t)
	server := MySQLServerDSN()
	admin, err := sql.Open("mysql", server)
	if err != nil {
		t.Fatalf("open mysql: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "sp_test_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("parse dsn: %v", err)
	}
	cfg.DBName = name
	return cfg.FormatDSN()
}

func openMySQL(t testing.TB) *db.DB {
	t.Helper()
	dsn := CreateMySQLDatabase(t)
	d, err := db.Open(context.Background(), db.Config{DSN: dsn, MaxOpenConns: 8})
	if err != nil {
		t.Fatalf("open mysql: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// OpenReplicas returns two handles (two connection pools, as two replicas
// hold) on one fresh database of the dialect, migrated with the schema
// migrations only.
func OpenReplicas(t testing.TB, dialect db.Dialect) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := db.Config{MaxOpenConns: 8}
	if dialect == db.MySQL {
		cfg.DSN = CreateMySQLDatabase(t)
	} else {
		cfg.DataDir = t.TempDir()
	}
	open := func() *db.DB {
		d, err := db.Open(ctx, cfg)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	vault := TestVault(t)
	first := open()
	first.Fields = vault
	m, err := db.NewMigrator(first)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	second := open()
	second.Fields = vault
	return first, second
}

// ForEachReplicaPair runs f on each engine with two replicas' handles on
// one database.
func ForEachReplicaPair(t *testing.T, f func(t *testing.T, a, b *db.DB)) {
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			if d == db.MySQL {
				RequireMySQL(t)
			}
			a, b := OpenReplicas(t, d)
			f(t, a, b)
		})
	}
}

// ForEachDialect runs f as a parallel subtest on each engine.
func ForEachDialect(t *testing.T, f func(t *testing.T, dialect db.Dialect)) {
	for _, dialect := range Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			f(t, dialect)
		})
	}
}
