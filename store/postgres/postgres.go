// Package postgres is byoos's shared store: a PostgreSQL database, through
// pgx's database/sql driver, that several `byoos serve` processes use at once.
//
// Safety between processes comes from the database: unique constraints decide
// races to create the same name, every change and its audit event commit in
// one transaction, and profile updates are optimistic
// (UPDATE … WHERE uid = $1 AND revision = $2), so of two writers from the same
// revision one wins and the other gets store.ErrConflict. Migrations run at
// Open in one transaction under pg_advisory_xact_lock, so processes starting
// together apply each exactly once.
//
// The SQL itself is shared with store/sqlite (store/internal/sqldb); this
// package holds the connection settings and the PostgreSQL migrations.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations (advisory locks are per database). It spells "byoos".
const MigrationLockKey int64 = 0x62796f6f73

// MaxConns caps the connections one Store opens.
const MaxConns = 16

// Store is a store.Store on a PostgreSQL database. Besides the store.Store
// methods it has AppliedMigrations(ctx) ([]int64, error), the schema versions
// recorded in the database, and Analyze(ctx) error, which refreshes the query
// planner's statistics (worth calling after a bulk import).
type Store struct {
	*engine
}

type engine = sqldb.Engine

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or
// key=value connection string, as libpq reads them) and applies pending
// migrations. opts may set the clock (store.WithClock).
func Open(ctx context.Context, dsn string, opts ...store.Option) (*Store, error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	e, err := sqldb.New(ctx, dialect(), db, db, migrations, store.NewConfig(opts...))
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	return &Store{e}, nil
}

func dialect() sqldb.Dialect {
	return sqldb.Dialect{
		Name:                 "postgres",
		NumberedPlaceholders: true,
		IsUniqueViolation:    isUniqueViolation,
		TimeValue:            func(t time.Time) any { return t },
		MigrationLock:        fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", MigrationLockKey),
	}
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
