package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one versioned schema change, from a file named
// NNNN_description.sql.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// LoadMigrations reads the *.sql files at the root of fsys, ordered by
// version. Every file must be named NNNN_description.sql, with distinct
// positive versions.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	seen := map[int64]string{}
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s: name is not NNNN_description.sql", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s and %s have the same version %d", prev, name, v)
		}
		seen[v] = name
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// migrate applies the pending migrations in one transaction that first takes
// the dialect's migration lock, so that of several processes opening the same
// database at once exactly one applies each migration and the others wait and
// then find it applied. A database already migrated past this binary's
// newest migration is refused: its schema may not be what this code expects.
func (e *Engine) migrate(ctx context.Context, ms []Migration) error {
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if e.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, e.d.MigrationLock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied, err := e.appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for v := range applied {
			if v > e.latest {
				return fmt.Errorf("database has migration %d, newer than this binary's newest (%d): upgrade byoos", v, e.latest)
			}
		}
		for _, m := range ms {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply %s: %w", m.Name, err)
			}
			if _, err := e.exec(ctx, tx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.Version, m.Name); err != nil {
				return fmt.Errorf("record %s: %w", m.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func (e *Engine) appliedVersions(ctx context.Context, q queryer) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// AppliedMigrations returns the versions recorded in schema_migrations, in
// order, for tests and diagnostics.
func (e *Engine) AppliedMigrations(ctx context.Context) ([]int64, error) {
	rows, err := e.read.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("%s: read schema_migrations: %w", e.d.Name, err)
	}
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// Versions returns the versions of the migrations in fsys, in order.
func Versions(fsys fs.FS) ([]int64, error) {
	ms, err := LoadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	vs := make([]int64, len(ms))
	for i, m := range ms {
		vs[i] = m.Version
	}
	return vs, nil
}
