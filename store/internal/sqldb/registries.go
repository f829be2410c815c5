package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byoos/byoos/store"
)

// registryCols are the columns of a registry, in scanRegistry's order;
// registryConfigCols the remote registry's configuration among them, which
// CreateRegistry and UpdateRegistry write.
const (
	registryCols = "uid, name, kind, tenant_uid, project_uid, is_default, created_at, " + registryConfigCols +
		", sync_status, sync_message, sync_last_run, sync_last_synced"
	registryConfigCols = "provider, content_type, endpoint, base_path, base_content_path, is_private, sync_enabled, " +
		"auth_type, username, secret, ca_cert, insecure_skip_verify, region, sts_arn, sts_external_id"
)

func scanRegistry(sc interface{ Scan(...any) error }) (store.Registry, error) {
	var r store.Registry
	err := sc.Scan(&r.UID, &r.Name, &r.Kind, &r.TenantUID, nullStr{&r.ProjectUID}, &r.IsDefault, timeCol{&r.CreatedAt},
		&r.Provider, &r.ContentType, &r.Endpoint, &r.BasePath, &r.BaseContentPath, &r.IsPrivate, &r.SyncEnabled,
		&r.AuthType, &r.Username, &r.Secret, &r.CACert, &r.InsecureSkipVerify, &r.Region, &r.STSARN, &r.STSExternalID,
		&r.Sync.Status, &r.Sync.Message, nullTimeCol{&r.Sync.LastRun}, nullTimeCol{&r.Sync.LastSynced})
	return r, err
}

// configArgs are the values of registryConfigCols.
func configArgs(r store.Registry) []any {
	return []any{r.Provider, r.ContentType, r.Endpoint, r.BasePath, r.BaseContentPath, r.IsPrivate, r.SyncEnabled,
		r.AuthType, r.Username, r.Secret, r.CACert, r.InsecureSkipVerify, r.Region, r.STSARN, r.STSExternalID}
}

// syncArgs are the values of the sync columns.
func (e *Engine) syncArgs(s store.RegistrySync) []any {
	return []any{s.Status, s.Message, e.nullTimeArg(s.LastRun), e.nullTimeArg(s.LastSynced)}
}

func (e *Engine) nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return e.timeArg(*t)
}

// truncSync returns s with its times as the store keeps them.
func truncSync(s store.RegistrySync) store.RegistrySync {
	for _, t := range []**time.Time{&s.LastRun, &s.LastSynced} {
		if *t != nil {
			u := (*t).UTC().Truncate(time.Microsecond)
			*t = &u
		}
	}
	return s
}

// CreateRegistry stores r and records ev. Names are unique per tenant and
// project (a tenant-wide registry and a project's may share a name).
func (e *Engine) CreateRegistry(ctx context.Context, r *store.Registry, ev store.AuditEvent) error {
	rec := *r
	if rec.UID == "" {
		rec.UID = newUID()
	}
	rec.CreatedAt = e.now()
	rec.Sync = truncSync(rec.Sync)
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.scopeExists(ctx, tx, rec.TenantUID, rec.ProjectUID); err != nil {
			return err
		}
		args := append([]any{rec.UID, rec.Name, rec.Kind, rec.TenantUID, orNull(rec.ProjectUID), rec.IsDefault, e.timeArg(rec.CreatedAt)}, configArgs(rec)...)
		args = append(args, e.syncArgs(rec.Sync)...)
		_, err := e.exec(ctx, tx, "INSERT INTO registries ("+registryCols+") VALUES ("+placeholders(len(args))+")", args...)
		if err != nil {
			return e.exists(err, fmt.Sprintf("registry %q or uid %q", rec.Name, rec.UID))
		}
		return e.insertAudit(ctx, tx, ev, rec.CreatedAt, rec.TenantUID, rec.ProjectUID, "registry", rec.UID)
	})
	if err != nil {
		return e.wrap(err, "create registry %q", r.Name)
	}
	*r = rec
	return nil
}

// GetRegistry returns the tenant's registry (tenant-wide or of any of its
// projects) with that uid.
func (e *Engine) GetRegistry(ctx context.Context, tenantUID, uid string) (store.Registry, error) {
	r, err := e.getRegistry(ctx, e.read, tenantUID, uid)
	return r, e.wrap(err, "get registry")
}

func (e *Engine) getRegistry(ctx context.Context, q queryer, tenantUID, uid string) (store.Registry, error) {
	r, err := scanRegistry(e.queryRow(ctx, q, "SELECT "+registryCols+" FROM registries WHERE uid = ? AND tenant_uid = ?", uid, tenantUID))
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("registry %q", uid)
	}
	return r, err
}

// ListRegistries returns the tenant-wide registries and, when projectUID is
// set, that project's, by name.
func (e *Engine) ListRegistries(ctx context.Context, tenantUID, projectUID string) ([]store.Registry, error) {
	q := "SELECT " + registryCols + " FROM registries WHERE tenant_uid = ? AND project_uid IS NULL ORDER BY name, uid"
	args := []any{tenantUID}
	if projectUID != "" {
		q = "SELECT " + registryCols + " FROM registries WHERE tenant_uid = ? AND (project_uid IS NULL OR project_uid = ?) ORDER BY name, uid"
		args = append(args, projectUID)
	}
	rows, err := e.query(ctx, e.read, q, args...)
	if err != nil {
		return nil, e.wrap(err, "list registries")
	}
	rs, err := collect(rows, scanRegistry)
	return rs, e.wrap(err, "list registries")
}

// UpdateRegistry writes r's name and remote configuration and records ev.
func (e *Engine) UpdateRegistry(ctx context.Context, r *store.Registry, ev store.AuditEvent) error {
	var stored store.Registry
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = e.getRegistry(ctx, tx, r.TenantUID, r.UID)
		if err != nil {
			return err
		}
		args := append([]any{r.Name}, configArgs(*r)...)
		args = append(args, r.UID, r.TenantUID)
		_, err = e.exec(ctx, tx, "UPDATE registries SET name = ?, "+setList(registryConfigCols)+" WHERE uid = ? AND tenant_uid = ?", args...)
		if err != nil {
			return e.exists(err, fmt.Sprintf("registry %q", r.Name))
		}
		return e.insertAudit(ctx, tx, ev, e.now(), stored.TenantUID, stored.ProjectUID, "registry", stored.UID)
	})
	if err != nil {
		return e.wrap(err, "update registry %q", r.UID)
	}
	r.Kind, r.ProjectUID, r.IsDefault, r.CreatedAt, r.Sync = stored.Kind, stored.ProjectUID, stored.IsDefault, stored.CreatedAt, stored.Sync
	return nil
}

// setList turns "a, b, c" into "a = ?, b = ?, c = ?".
func setList(cols string) string {
	return strings.Join(strings.Split(cols, ", "), " = ?, ") + " = ?"
}

// DeleteRegistry deletes the tenant's registry and its pack versions (their
// archives and cloud types go with them) and records ev.
func (e *Engine) DeleteRegistry(ctx context.Context, tenantUID, uid string, ev store.AuditEvent) error {
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		r, err := e.getRegistry(ctx, tx, tenantUID, uid)
		if err != nil {
			return err
		}
		if _, err := e.exec(ctx, tx, "DELETE FROM pack_versions WHERE registry_uid = ?", uid); err != nil {
			return err
		}
		if err := e.execOne(ctx, tx, fmt.Sprintf("registry %q", uid), "DELETE FROM registries WHERE uid = ? AND tenant_uid = ?", uid, tenantUID); err != nil {
			return err
		}
		return e.insertAudit(ctx, tx, ev, e.now(), r.TenantUID, r.ProjectUID, "registry", uid)
	})
	return e.wrap(err, "delete registry %q", uid)
}

// SetRegistrySync writes the sync state of the tenant's registry, recording
// ev when it is not nil.
func (e *Engine) SetRegistrySync(ctx context.Context, tenantUID, uid string, s store.RegistrySync, ev *store.AuditEvent) error {
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var project string
		err := e.queryRow(ctx, tx, "SELECT project_uid FROM registries WHERE uid = ? AND tenant_uid = ?", uid, tenantUID).Scan(nullStr{&project})
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("registry %q", uid)
		}
		if err != nil {
			return err
		}
		if err := e.writeSync(ctx, tx, uid, s); err != nil {
			return err
		}
		if ev == nil {
			return nil
		}
		return e.insertAudit(ctx, tx, *ev, e.now(), tenantUID, project, "registry", uid)
	})
	return e.wrap(err, "set the sync state of registry %q", uid)
}

func (e *Engine) writeSync(ctx context.Context, tx *sql.Tx, uid string, s store.RegistrySync) error {
	s = truncSync(s)
	args := append(e.syncArgs(s), uid)
	_, err := e.exec(ctx, tx, "UPDATE registries SET sync_status = ?, sync_message = ?, sync_last_run = ?, sync_last_synced = ? WHERE uid = ?", args...)
	return err
}

// ReplaceRegistryPacks makes packs the registry's pack versions and s its
// sync state, in one transaction with ev.
func (e *Engine) ReplaceRegistryPacks(ctx context.Context, tenantUID, registryUID string, packs []store.PackVersion, s store.RegistrySync, ev store.AuditEvent) error {
	type stored struct {
		uid, digest string
		created     time.Time
	}
	at := e.now()
	recs := make([]store.PackVersion, len(packs))
	copy(recs, packs)
	seen := map[[2]string]bool{}
	for _, p := range recs {
		k := [2]string{p.Name, p.Version}
		if seen[k] {
			return e.wrap(fmt.Errorf("pack %s:%s is given twice: %w", p.Name, p.Version, store.ErrExists), "replace the packs of registry %q", registryUID)
		}
		seen[k] = true
	}
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var project string
		err := e.queryRow(ctx, tx, "SELECT project_uid FROM registries WHERE uid = ? AND tenant_uid = ?", registryUID, tenantUID).Scan(nullStr{&project})
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("registry %q", registryUID)
		}
		if err != nil {
			return err
		}
		rows, err := e.query(ctx, tx, "SELECT uid, name, version, digest, created_at FROM pack_versions WHERE registry_uid = ?", registryUID)
		if err != nil {
			return err
		}
		old := map[[2]string]stored{}
		type keyed struct {
			k [2]string
			v stored
		}
		list, err := collect(rows, func(sc interface{ Scan(...any) error }) (keyed, error) {
			var kv keyed
			err := sc.Scan(&kv.v.uid, &kv.k[0], &kv.k[1], &kv.v.digest, timeCol{&kv.v.created})
			return kv, err
		})
		if err != nil {
			return err
		}
		for _, kv := range list {
			old[kv.k] = kv.v
		}
		for i := range recs {
			p := &recs[i]
			p.RegistryUID = registryUID
			k := [2]string{p.Name, p.Version}
			if o, ok := old[k]; ok {
				delete(old, k)
				if o.digest == p.Digest {
					p.UID, p.CreatedAt = o.uid, o.created
					continue
				}
				if _, err := e.exec(ctx, tx, "DELETE FROM pack_versions WHERE uid = ?", o.uid); err != nil {
					return err
				}
			}
			p.UID, p.CreatedAt = newUID(), at
			if err := e.insertPack(ctx, tx, *p); err != nil {
				return err
			}
		}
		for _, o := range old {
			if _, err := e.exec(ctx, tx, "DELETE FROM pack_versions WHERE uid = ?", o.uid); err != nil {
				return err
			}
		}
		if err := e.writeSync(ctx, tx, registryUID, s); err != nil {
			return err
		}
		return e.insertAudit(ctx, tx, ev, at, tenantUID, project, "registry", registryUID)
	})
	if err != nil {
		return e.wrap(err, "replace the packs of registry %q", registryUID)
	}
	for i := range packs {
		packs[i].UID, packs[i].CreatedAt, packs[i].RegistryUID = recs[i].UID, recs[i].CreatedAt, registryUID
	}
	return nil
}

// insertPack inserts a new pack version, its archive and cloud types.
func (e *Engine) insertPack(ctx context.Context, tx *sql.Tx, p store.PackVersion) error {
	clouds := p.CloudTypes
	if clouds == nil {
		clouds = []string{}
	}
	cloudJSON, err := json.Marshal(clouds)
	if err != nil {
		return err
	}
	_, err = e.exec(ctx, tx, `INSERT INTO pack_versions (uid, registry_uid, name, version, layer, display_name, cloud_types, addon_type, digest, type, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.UID, p.RegistryUID, p.Name, p.Version, p.Layer, p.DisplayName, string(cloudJSON), p.AddonType, p.Digest, p.Type, e.timeArg(p.CreatedAt))
	if err != nil {
		return e.exists(err, fmt.Sprintf("pack %s:%s", p.Name, p.Version))
	}
	if _, err := e.exec(ctx, tx, "INSERT INTO pack_archives (pack_uid, archive) VALUES (?, ?)", p.UID, bytesOrNull(p.Archive)); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, c := range p.CloudTypes {
		if seen[c] {
			continue
		}
		seen[c] = true
		if _, err := e.exec(ctx, tx, "INSERT INTO pack_cloud_types (pack_uid, cloud_type) VALUES (?, ?)", p.UID, c); err != nil {
			return err
		}
	}
	return nil
}
