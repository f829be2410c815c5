package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/byoos/byoos/store"
)

// EnsureTenant returns the tenant named name, creating it if missing. It is
// safe to call from several processes at once: the unique name decides.
func (e *Engine) EnsureTenant(ctx context.Context, name string) (store.Tenant, error) {
	t, err := e.tenantByName(ctx, e.read, name)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return t, e.wrap(err, "ensure tenant %q", name)
	}
	err = e.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := e.exec(ctx, tx, "INSERT INTO tenants (uid, name, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			newUID(), name, e.timeArg(e.now())); err != nil {
			return err
		}
		t, err = e.tenantByName(ctx, tx, name)
		return err
	})
	return t, e.wrap(err, "ensure tenant %q", name)
}

func (e *Engine) tenantByName(ctx context.Context, q queryer, name string) (store.Tenant, error) {
	var t store.Tenant
	err := e.queryRow(ctx, q, "SELECT uid, name, created_at FROM tenants WHERE name = ?", name).
		Scan(&t.UID, &t.Name, timeCol{&t.CreatedAt})
	return t, err
}

// GetTenant returns the tenant with that uid.
func (e *Engine) GetTenant(ctx context.Context, uid string) (store.Tenant, error) {
	var t store.Tenant
	err := e.queryRow(ctx, e.read, "SELECT uid, name, created_at FROM tenants WHERE uid = ?", uid).
		Scan(&t.UID, &t.Name, timeCol{&t.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("tenant %q", uid)
	}
	return t, e.wrap(err, "get tenant")
}

// CreateProject creates p in its tenant and records ev (its ProjectUID
// defaults to the new project's).
func (e *Engine) CreateProject(ctx context.Context, p *store.Project, ev store.AuditEvent) error {
	rec := *p
	if rec.UID == "" {
		rec.UID = newUID()
	}
	rec.CreatedAt = e.now()
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.tenantExists(ctx, tx, rec.TenantUID); err != nil {
			return err
		}
		_, err := e.exec(ctx, tx, "INSERT INTO projects (uid, tenant_uid, name, created_at) VALUES (?, ?, ?, ?)",
			rec.UID, rec.TenantUID, rec.Name, e.timeArg(rec.CreatedAt))
		if err != nil {
			return e.exists(err, fmt.Sprintf("project %q or uid %q", rec.Name, rec.UID))
		}
		return e.insertAudit(ctx, tx, ev, rec.CreatedAt, rec.TenantUID, rec.UID, "project", rec.UID)
	})
	if err != nil {
		return e.wrap(err, "create project %q", p.Name)
	}
	*p = rec
	return nil
}

const projectCols = "uid, tenant_uid, name, created_at"

func scanProject(sc interface{ Scan(...any) error }) (store.Project, error) {
	var p store.Project
	err := sc.Scan(&p.UID, &p.TenantUID, &p.Name, timeCol{&p.CreatedAt})
	return p, err
}

// GetProject returns the tenant's project with that uid.
func (e *Engine) GetProject(ctx context.Context, tenantUID, uid string) (store.Project, error) {
	p, err := scanProject(e.queryRow(ctx, e.read, "SELECT "+projectCols+" FROM projects WHERE uid = ? AND tenant_uid = ?", uid, tenantUID))
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("project %q", uid)
	}
	return p, e.wrap(err, "get project")
}

// ListProjects returns the tenant's projects by name.
func (e *Engine) ListProjects(ctx context.Context, tenantUID string) ([]store.Project, error) {
	rows, err := e.query(ctx, e.read, "SELECT "+projectCols+" FROM projects WHERE tenant_uid = ? ORDER BY name", tenantUID)
	if err != nil {
		return nil, e.wrap(err, "list projects")
	}
	ps, err := collect(rows, scanProject)
	return ps, e.wrap(err, "list projects")
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// wrap prefixes err with the engine and the operation; nil stays nil.
func (e *Engine) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", e.d.Name, fmt.Sprintf(format, args...), err)
}
