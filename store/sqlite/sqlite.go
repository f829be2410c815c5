// Package sqlite is byoos's embedded store: a single SQLite database file,
// through the pure-Go driver modernc.org/sqlite (no cgo).
//
// The database runs in WAL mode with foreign keys on and a 5 s busy timeout.
// Writes go through a pool of one connection whose transactions begin with
// BEGIN IMMEDIATE, so writers in this process queue in Go instead of failing
// with SQLITE_BUSY, and writers in other processes wait on the busy timeout;
// reads go through a separate pool of query-only connections and run
// concurrently with the writer (WAL readers see the last committed state).
//
// Durability: synchronous=NORMAL. In WAL mode a commit is written to the WAL
// file before it is acknowledged, so no acknowledged write is lost when the
// process dies (kill -9, panic, OOM kill); only an operating-system crash or
// power loss may lose the last transactions before the next checkpoint's
// fsync, never corrupting the database. FULL would add an fsync per commit to
// survive that too, at several times the commit latency; run PostgreSQL when
// that matters.
//
// The SQL itself is shared with store/postgres (store/internal/sqldb); this
// package holds the connection settings and the SQLite migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeout is how long a write waits for another process's write lock.
const BusyTimeout = 5 * time.Second

// Store is a store.Store on an SQLite database file. Besides the store.Store
// methods it has AppliedMigrations(ctx) ([]int64, error), the schema versions
// recorded in the database, and Analyze(ctx) error, which refreshes the query
// planner's statistics (worth calling after a bulk import).
type Store struct {
	*engine
}

type engine = sqldb.Engine

var _ store.Store = (*Store)(nil)

// Open opens (creating if missing) the SQLite database at path, a file name,
// makes it and its -wal, -shm and -journal files private (mode 0600, whatever
// the umask or the mode of the directory; see makePrivate), and applies pending migrations, under SQLite's write lock so that processes
// opening the same file at once apply each exactly once. ":memory:" opens a
// private in-memory database on a single connection, for tests. opts may set
// the clock (store.WithClock).
func Open(ctx context.Context, path string, opts ...store.Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open %q: the path may not contain '?' or '#'", path)
	}
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	memory := path == ":memory:"
	if !memory {
		if err := makePrivate(path); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
	params := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1&_synchronous=NORMAL", BusyTimeout.Milliseconds())
	write, err := sql.Open("sqlite", path+"?"+params+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL before any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read := write
	if !memory {
		read, err = sql.Open("sqlite", path+"?"+params+"&_query_only=1")
		if err != nil {
			_ = write.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		read.SetMaxOpenConns(n)
		read.SetMaxIdleConns(n)
		read.SetConnMaxIdleTime(5 * time.Minute)
	}
	e, err := sqldb.New(ctx, dialect(), write, read, migrations, store.NewConfig(opts...))
	if err != nil {
		_ = write.Close()
		if read != write {
			_ = read.Close()
		}
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{e}, nil
}

// makePrivate creates the database file at path with mode 0600 when it is
// missing, and sets the database file and the companions that exist to 0600:
// they hold the whole registry (sealed secrets, API key hashes, profiles), so
// no other user of the machine may read them, whatever the umask and the mode
// of the data directory. SQLite creates the -wal, -shm and -journal files with
// the mode of the database file, so they follow.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create the database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create the database file: %w", err)
	}
	for _, suffix := range [...]string{"", "-wal", "-shm", "-journal"} {
		p := path + suffix
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check the mode of %s: %w", p, err)
		}
		if fi.Mode().Perm() != 0o600 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private (mode 0600): %w", p, err)
			}
		}
	}
	return nil
}

func dialect() sqldb.Dialect {
	return sqldb.Dialect{
		Name:              "sqlite",
		IsUniqueViolation: isUniqueViolation,
		TimeValue:         func(t time.Time) any { return t.UnixMicro() },
		// The migration transaction begins with BEGIN IMMEDIATE (_txlock),
		// which takes the database's write lock before it reads anything.
		MigrationLock: "",
	}
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
