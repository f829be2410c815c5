// Package sqldb is the SQL implementation of store.Store that the SQLite and
// PostgreSQL engines share. It speaks database/sql and writes every query once,
// with '?' placeholders and portable SQL; a small Dialect says what differs:
// how placeholders are numbered, how a unique violation is recognised, how
// timestamps are bound, and how migrations are serialised between processes.
//
// Each engine package (store/sqlite, store/postgres) opens its *sql.DB pools,
// embeds its own migrations and calls New.
package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byoos/byoos/store"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	// Name names the engine in errors ("sqlite", "postgres").
	Name string
	// NumberedPlaceholders makes the queries' '?' placeholders $1, $2, …
	NumberedPlaceholders bool
	// IsUniqueViolation reports whether err is a unique or primary key
	// constraint violation.
	IsUniqueViolation func(err error) bool
	// TimeValue turns a UTC time into the value bound for a timestamp column.
	// Scanning accepts both an int64 of Unix microseconds and a time.Time.
	TimeValue func(t time.Time) any
	// MigrationLock is run first in the migration transaction to keep other
	// processes from migrating at the same time; empty when beginning the
	// transaction already does (SQLite's BEGIN IMMEDIATE).
	MigrationLock string
}

// Engine implements store.Store on a database/sql pool for writes and one for
// reads (which may be the same *sql.DB).
type Engine struct {
	d      Dialect
	write  *sql.DB
	read   *sql.DB
	latest int64
	// clock is the time source of every timestamp the store sets.
	clock func() time.Time
	// stmts holds prepared read statements by query text (at most maxStmts),
	// so that hot reads are not parsed and planned again on every call.
	stmts  sync.Map
	nstmts atomic.Int64
}

// maxStmts bounds the prepared statement cache; queries whose text varies
// (IN lists) beyond it are simply not cached.
const maxStmts = 256

var _ store.Store = (*Engine)(nil)

// New applies the pending migrations found in migrations (files named like
// 0001_init.sql at its root) and returns the engine. Writes go through write,
// which for SQLite must begin transactions with BEGIN IMMEDIATE; reads through
// read. Close closes both. cfg.Clock stamps records (time.Now when nil).
func New(ctx context.Context, d Dialect, write, read *sql.DB, migrations fs.FS, cfg store.Config) (*Engine, error) {
	ms, err := LoadMigrations(migrations)
	if err != nil {
		return nil, err
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	e := &Engine{d: d, write: write, read: read, clock: clock}
	if len(ms) > 0 {
		e.latest = ms[len(ms)-1].Version
	}
	if err := e.migrate(ctx, ms); err != nil {
		return nil, err
	}
	return e, nil
}

// Close closes the prepared statements and the database pools.
func (e *Engine) Close() error {
	e.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := e.write.Close()
	if e.read != e.write {
		err = errors.Join(err, e.read.Close())
	}
	return err
}

// Ping checks the database answers and holds every migration this binary knows.
func (e *Engine) Ping(ctx context.Context) error {
	var v sql.NullInt64
	if err := e.read.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return fmt.Errorf("%s: ping: %w", e.d.Name, err)
	}
	if v.Int64 < e.latest {
		return fmt.Errorf("%s: ping: schema is at migration %d, want %d", e.d.Name, v.Int64, e.latest)
	}
	return nil
}

// Analyze refreshes the query planner's statistics (ANALYZE). PostgreSQL's
// autovacuum and SQLite's defaults make this optional; after a bulk import
// it keeps the planner from choosing plans made for empty tables meanwhile.
func (e *Engine) Analyze(ctx context.Context) error {
	if _, err := e.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("%s: analyze: %w", e.d.Name, err)
	}
	return nil
}

// bind rewrites '?' placeholders for the dialect. Queries never hold '?' in
// literals.
func (e *Engine) bind(q string) string {
	if !e.d.NumberedPlaceholders || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (e *Engine) exec(ctx context.Context, q queryer, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, e.bind(query), args...)
}

func (e *Engine) query(ctx context.Context, q queryer, query string, args ...any) (*sql.Rows, error) {
	if st := e.readStmt(ctx, q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, e.bind(query), args...)
}

func (e *Engine) queryRow(ctx context.Context, q queryer, query string, args ...any) *sql.Row {
	if st := e.readStmt(ctx, q, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.QueryRowContext(ctx, e.bind(query), args...)
}

// readStmt returns the prepared statement of a query on the read pool, or
// nil when q is not the read pool (a transaction) or the cache is full.
func (e *Engine) readStmt(ctx context.Context, q queryer, query string) *sql.Stmt {
	if db, ok := q.(*sql.DB); !ok || db != e.read {
		return nil
	}
	if st, ok := e.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if e.nstmts.Load() >= maxStmts {
		return nil
	}
	st, err := e.read.PrepareContext(ctx, e.bind(query))
	if err != nil {
		return nil // the query itself reports the error
	}
	if prev, loaded := e.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	e.nstmts.Add(1)
	return st
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (e *Engine) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := e.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// now reads the store's clock: UTC, to the microsecond both engines keep.
func (e *Engine) now() time.Time {
	return e.clock().UTC().Truncate(time.Microsecond)
}

// newUID returns 24 random hex digits, like Palette's object IDs.
func newUID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return hex.EncodeToString(b[:])
}

func (e *Engine) timeArg(t time.Time) any {
	return e.d.TimeValue(t.UTC().Truncate(time.Microsecond))
}

// timeCol scans a timestamp column (int64 Unix microseconds or time.Time).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("timestamp is NULL")
	}
	*c.t = t
	return nil
}

// nullTimeCol scans a nullable timestamp column.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*c.t = nil
		return nil
	}
	*c.t = &t
	return nil
}

func parseTime(src any) (time.Time, bool, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case int64:
		return time.UnixMicro(v).UTC(), true, nil
	case time.Time:
		return v.UTC(), true, nil
	default:
		return time.Time{}, false, fmt.Errorf("cannot scan %T as a timestamp", src)
	}
}

// nullStr scans a nullable text column into a string, NULL as "".
type nullStr struct{ s *string }

func (c nullStr) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T as text", src)
	}
	return nil
}

// orNull binds "" as NULL (optional foreign keys).
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bytesOrNull binds a nil slice as NULL.
func bytesOrNull(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// limitClause returns " LIMIT n" for n > 0.
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(n)
}

// placeholders returns "?, ?, …" n times.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertAudit records ev, filled from the change: Time when zero, and
// tenant, project, kind and uid when empty.
func (e *Engine) insertAudit(ctx context.Context, tx *sql.Tx, ev store.AuditEvent, at time.Time, tenant, project, kind, uid string) error {
	if ev.Time.IsZero() {
		ev.Time = at
	}
	if ev.TenantUID == "" {
		ev.TenantUID = tenant
	}
	if ev.ProjectUID == "" {
		ev.ProjectUID = project
	}
	if ev.Kind == "" {
		ev.Kind = kind
	}
	if ev.UID == "" {
		ev.UID = uid
	}
	_, err := e.exec(ctx, tx, `INSERT INTO audit_events (at, tenant_uid, project_uid, actor, action, kind, uid, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.timeArg(ev.Time), ev.TenantUID, ev.ProjectUID, ev.Actor, ev.Action, ev.Kind, ev.UID, ev.Summary)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}

// notFound wraps store.ErrNotFound with what was missing.
func notFound(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, store.ErrNotFound)...)
}

// exists maps a unique violation to store.ErrExists, described by what.
func (e *Engine) exists(err error, what string) error {
	if err != nil && e.d.IsUniqueViolation(err) {
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	}
	return err
}

// tenantExists fails with ErrNotFound unless the tenant exists.
func (e *Engine) tenantExists(ctx context.Context, q queryer, tenantUID string) error {
	var one int
	err := e.queryRow(ctx, q, "SELECT 1 FROM tenants WHERE uid = ?", tenantUID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("tenant %q", tenantUID)
	}
	return err
}

// scopeExists fails with ErrNotFound unless the tenant exists and, when
// projectUID is set, the project belongs to it.
func (e *Engine) scopeExists(ctx context.Context, q queryer, tenantUID, projectUID string) error {
	if projectUID == "" {
		return e.tenantExists(ctx, q, tenantUID)
	}
	var one int
	err := e.queryRow(ctx, q, "SELECT 1 FROM projects WHERE uid = ? AND tenant_uid = ?", projectUID, tenantUID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("project %q of tenant %q", projectUID, tenantUID)
	}
	return err
}
