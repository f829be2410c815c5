package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/byoos/byoos/store"
)

// Profiles are scoped: every query names the tenant and the project exactly,
// matching COALESCE(project_uid, ''), the expression the unique index
// (tenant_uid, COALESCE(project_uid, ''), name, version) is built on, so
// that the index serves it. A profile outside the scope is never seen.

const profileCols = "uid, tenant_uid, project_uid, name, version, revision, status, type, cloud_type, body, published, warnings, created_at, updated_at"

func scanProfile(sc interface{ Scan(...any) error }) (store.Profile, error) {
	var p store.Profile
	err := sc.Scan(&p.UID, &p.TenantUID, nullStr{&p.ProjectUID}, &p.Name, &p.Version, &p.Revision, &p.Status, &p.Type, &p.CloudType,
		&p.Body, &p.Published, &p.Warnings, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreateProfile stores p with Revision 1 and records ev.
func (e *Engine) CreateProfile(ctx context.Context, p *store.Profile, ev store.AuditEvent) error {
	rec := *p
	if rec.UID == "" {
		rec.UID = newUID()
	}
	rec.Revision = 1
	rec.CreatedAt = e.now()
	rec.UpdatedAt = rec.CreatedAt
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.scopeExists(ctx, tx, rec.TenantUID, rec.ProjectUID); err != nil {
			return err
		}
		_, err := e.exec(ctx, tx, "INSERT INTO profiles ("+profileCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			rec.UID, rec.TenantUID, orNull(rec.ProjectUID), rec.Name, rec.Version, rec.Revision, rec.Status, rec.Type, rec.CloudType,
			bytesOrNull(rec.Body), bytesOrNull(rec.Published), bytesOrNull(rec.Warnings), e.timeArg(rec.CreatedAt), e.timeArg(rec.UpdatedAt))
		if err != nil {
			return e.exists(err, fmt.Sprintf("profile %s:%s or uid %q", rec.Name, rec.Version, rec.UID))
		}
		return e.insertAudit(ctx, tx, ev, rec.CreatedAt, rec.TenantUID, rec.ProjectUID, "profile", rec.UID)
	})
	if err != nil {
		return e.wrap(err, "create profile %s:%s", p.Name, p.Version)
	}
	*p = rec
	return nil
}

// GetProfile returns the profile with that uid in exactly that scope.
func (e *Engine) GetProfile(ctx context.Context, s store.Scope, uid string) (store.Profile, error) {
	// By primary key alone, checking the scope here: a plan that cannot go
	// wrong whatever the planner's statistics.
	p, err := scanProfile(e.queryRow(ctx, e.read, "SELECT "+profileCols+" FROM profiles WHERE uid = ?", uid))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (p.TenantUID != s.TenantUID || p.ProjectUID != s.ProjectUID)) {
		return store.Profile{}, e.wrap(notFound("profile %q", uid), "get profile")
	}
	return p, e.wrap(err, "get profile")
}

// GetProfileInTenant returns profile uid of tenantUID, of any scope.
func (e *Engine) GetProfileInTenant(ctx context.Context, tenantUID, uid string) (store.Profile, error) {
	p, err := scanProfile(e.queryRow(ctx, e.read, "SELECT "+profileCols+" FROM profiles WHERE uid = ?", uid))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && p.TenantUID != tenantUID) {
		return store.Profile{}, e.wrap(notFound("profile %q", uid), "get profile")
	}
	return p, e.wrap(err, "get profile")
}

// ListProfiles returns the profiles of exactly q.Scope (a tenant-wide scope
// lists tenant-wide profiles only), and the tenant's too for a project scope
// when q.WithTenant is set, that q selects, in q's order.
func (e *Engine) ListProfiles(ctx context.Context, q store.ProfileQuery) ([]store.Profile, error) {
	cols := profileCols
	if q.NoBodies {
		cols = strings.Replace(profileCols, "body, published,", "NULL, NULL,", 1)
	}
	sqlq := "SELECT " + cols + " FROM profiles WHERE tenant_uid = ? AND COALESCE(project_uid, '') = ?"
	args := []any{q.Scope.TenantUID, q.Scope.ProjectUID}
	if q.WithTenant && q.Scope.ProjectUID != "" {
		sqlq = "SELECT " + cols + " FROM profiles WHERE tenant_uid = ? AND COALESCE(project_uid, '') IN (?, '')"
	}
	if q.Name != "" {
		sqlq += " AND name = ?"
		args = append(args, q.Name)
	}
	if q.NameContains != "" {
		sqlq += ` AND LOWER(name) LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(strings.ToLower(q.NameContains))+"%")
	}
	for _, in := range []struct {
		col  string
		vals []string
	}{{"cloud_type", q.CloudTypes}, {"type", q.Types}, {"status", q.Statuses}} {
		if len(in.vals) == 0 {
			continue
		}
		sqlq += " AND " + in.col + " IN (?" + strings.Repeat(", ?", len(in.vals)-1) + ")"
		for _, v := range in.vals {
			args = append(args, v)
		}
	}
	order := profileOrder(q.Sort)
	if order == nil {
		return nil, fmt.Errorf("list profiles: unknown order %q", q.Sort)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	sqlq += " ORDER BY "
	for i, c := range order {
		if i > 0 {
			sqlq += ", "
		}
		sqlq += c + dir
	}
	switch {
	case q.Offset > 0 && q.Limit <= 0:
		sqlq += " LIMIT 9223372036854775807 OFFSET " + strconv.Itoa(q.Offset) // SQLite has no OFFSET without LIMIT
	case q.Offset > 0:
		sqlq += limitClause(q.Limit) + " OFFSET " + strconv.Itoa(q.Offset)
	default:
		sqlq += limitClause(q.Limit)
	}
	rows, err := e.query(ctx, e.read, sqlq, args...)
	if err != nil {
		return nil, e.wrap(err, "list profiles")
	}
	ps, err := collect(rows, scanProfile)
	return ps, e.wrap(err, "list profiles")
}

// profileOrder returns the columns of a listing order, nil for an unknown one.
func profileOrder(o store.ProfileSort) []string {
	var first []string
	switch o {
	case store.SortByName:
	case store.SortByCloudType:
		first = []string{"cloud_type"}
	case store.SortByType:
		first = []string{"type"}
	case store.SortByCreated:
		first = []string{"created_at"}
	case store.SortByModified:
		first = []string{"updated_at"}
	default:
		return nil
	}
	return append(first, "name", "version", "uid")
}

// escapeLike escapes LIKE's wildcards, with the escape character '\\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateProfile writes p's name, version, status, type, cloud type, body,
// published body and warnings if the stored revision is p.Revision, in p's
// scope (tenant and project are not changed), and records ev. On success p
// gets the new Revision, UpdatedAt and the stored CreatedAt. A stale
// revision is ErrConflict, a uid missing from the scope ErrNotFound, and a
// name and version taken in the scope ErrExists.
func (e *Engine) UpdateProfile(ctx context.Context, p *store.Profile, ev store.AuditEvent) error {
	at := e.now()
	var revision int64
	var created time.Time
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		err := e.queryRow(ctx, tx, `UPDATE profiles SET name = ?, version = ?, status = ?, type = ?, cloud_type = ?, body = ?, published = ?, warnings = ?,
				revision = revision + 1, updated_at = ?
			WHERE uid = ? AND tenant_uid = ? AND COALESCE(project_uid, '') = ? AND revision = ?
			RETURNING revision, created_at`,
			p.Name, p.Version, p.Status, p.Type, p.CloudType, bytesOrNull(p.Body), bytesOrNull(p.Published), bytesOrNull(p.Warnings),
			e.timeArg(at), p.UID, p.TenantUID, p.ProjectUID, p.Revision).Scan(&revision, timeCol{&created})
		if errors.Is(err, sql.ErrNoRows) {
			var stored int64
			err := e.queryRow(ctx, tx, "SELECT revision FROM profiles WHERE uid = ? AND tenant_uid = ? AND COALESCE(project_uid, '') = ?",
				p.UID, p.TenantUID, p.ProjectUID).Scan(&stored)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("profile %q", p.UID)
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("profile %q is at revision %d, not %d: %w", p.UID, stored, p.Revision, store.ErrConflict)
		}
		if err != nil {
			return e.exists(err, fmt.Sprintf("profile %s:%s", p.Name, p.Version))
		}
		return e.insertAudit(ctx, tx, ev, at, p.TenantUID, p.ProjectUID, "profile", p.UID)
	})
	if err != nil {
		return e.wrap(err, "update profile %q", p.UID)
	}
	p.Revision, p.UpdatedAt, p.CreatedAt = revision, at, created
	return nil
}

// DeleteProfile deletes the profile with that uid in exactly that scope and
// records ev.
func (e *Engine) DeleteProfile(ctx context.Context, s store.Scope, uid string, ev store.AuditEvent) error {
	at := e.now()
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.execOne(ctx, tx, fmt.Sprintf("profile %q", uid), "DELETE FROM profiles WHERE uid = ? AND tenant_uid = ? AND COALESCE(project_uid, '') = ?", uid, s.TenantUID, s.ProjectUID); err != nil {
			return err
		}
		return e.insertAudit(ctx, tx, ev, at, s.TenantUID, s.ProjectUID, "profile", uid)
	})
	return e.wrap(err, "delete profile %q", uid)
}

// ListAudit returns the tenant's events (of one project when q.ProjectUID is
// set), newest first, with IDs below q.BeforeID when it is set.
func (e *Engine) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	sqlq := "SELECT id, at, tenant_uid, project_uid, actor, action, kind, uid, summary FROM audit_events WHERE tenant_uid = ?"
	args := []any{q.TenantUID}
	if q.ProjectUID != "" {
		sqlq += " AND project_uid = ?"
		args = append(args, q.ProjectUID)
	}
	if q.BeforeID > 0 {
		sqlq += " AND id < ?"
		args = append(args, q.BeforeID)
	}
	sqlq += " ORDER BY id DESC" + limitClause(q.Limit)
	rows, err := e.query(ctx, e.read, sqlq, args...)
	if err != nil {
		return nil, e.wrap(err, "list audit")
	}
	evs, err := collect(rows, func(sc interface{ Scan(...any) error }) (store.AuditEvent, error) {
		var ev store.AuditEvent
		err := sc.Scan(&ev.ID, timeCol{&ev.Time}, &ev.TenantUID, &ev.ProjectUID, &ev.Actor, &ev.Action, &ev.Kind, &ev.UID, &ev.Summary)
		return ev, err
	})
	return evs, e.wrap(err, "list audit")
}
