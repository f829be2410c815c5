package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/byoos/byoos/store"
)

// Pack versions live in three tables: pack_versions (the searchable fields,
// cloud types as a JSON array to return them), pack_cloud_types (one row per
// cloud type, indexed, for FindPacks' CloudType filter) and pack_archives
// (the .tgz, kept apart so that scanning pack_versions never pages through
// archives).

const packCols = "p.uid, p.registry_uid, p.name, p.version, p.layer, p.display_name, p.cloud_types, p.addon_type, p.digest, p.type, p.created_at"

func scanPack(sc interface{ Scan(...any) error }) (store.PackVersion, error) {
	var p store.PackVersion
	var clouds string
	err := sc.Scan(&p.UID, &p.RegistryUID, &p.Name, &p.Version, &p.Layer, &p.DisplayName, &clouds, &p.AddonType, &p.Digest, &p.Type, timeCol{&p.CreatedAt})
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(clouds), &p.CloudTypes); err != nil {
		return p, fmt.Errorf("pack %s cloud types: %w", p.UID, err)
	}
	if len(p.CloudTypes) == 0 {
		p.CloudTypes = nil
	}
	return p, nil
}

// PutPackVersion publishes p in its registry and records ev (its tenant and
// project default to the registry's). If the registry has that name and
// version already, it returns created=false and fills p.UID and p.CreatedAt
// from it when the digest is the same, and ErrImmutable when it differs;
// neither records an event.
func (e *Engine) PutPackVersion(ctx context.Context, p *store.PackVersion, ev store.AuditEvent) (bool, error) {
	rec := *p
	if rec.UID == "" {
		rec.UID = newUID()
	}
	rec.CreatedAt = e.now()
	clouds := rec.CloudTypes
	if clouds == nil {
		clouds = []string{}
	}
	cloudJSON, err := json.Marshal(clouds)
	if err != nil {
		return false, e.wrap(err, "put pack %s:%s", p.Name, p.Version)
	}
	created := false
	err = e.inTx(ctx, func(tx *sql.Tx) error {
		var tenant, project string
		err := e.queryRow(ctx, tx, "SELECT tenant_uid, project_uid FROM registries WHERE uid = ?", rec.RegistryUID).Scan(&tenant, nullStr{&project})
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("registry %q", rec.RegistryUID)
		}
		if err != nil {
			return err
		}
		res, err := e.exec(ctx, tx, `INSERT INTO pack_versions (uid, registry_uid, name, version, layer, display_name, cloud_types, addon_type, digest, type, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (registry_uid, name, version) DO NOTHING`,
			rec.UID, rec.RegistryUID, rec.Name, rec.Version, rec.Layer, rec.DisplayName, string(cloudJSON), rec.AddonType, rec.Digest, rec.Type, e.timeArg(rec.CreatedAt))
		if err != nil {
			return e.exists(err, fmt.Sprintf("pack version uid %q", rec.UID))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var uid, digest string
			err := e.queryRow(ctx, tx, "SELECT uid, digest, created_at FROM pack_versions WHERE registry_uid = ? AND name = ? AND version = ?",
				rec.RegistryUID, rec.Name, rec.Version).Scan(&uid, &digest, timeCol{&rec.CreatedAt})
			if err != nil {
				return err
			}
			if digest != rec.Digest {
				return fmt.Errorf("pack %s:%s is published with digest %s, not %s: %w", rec.Name, rec.Version, digest, rec.Digest, store.ErrImmutable)
			}
			rec.UID = uid
			return nil
		}
		if _, err := e.exec(ctx, tx, "INSERT INTO pack_archives (pack_uid, archive) VALUES (?, ?)", rec.UID, bytesOrNull(rec.Archive)); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, c := range rec.CloudTypes {
			if seen[c] {
				continue
			}
			seen[c] = true
			if _, err := e.exec(ctx, tx, "INSERT INTO pack_cloud_types (pack_uid, cloud_type) VALUES (?, ?)", rec.UID, c); err != nil {
				return err
			}
		}
		created = true
		return e.insertAudit(ctx, tx, ev, rec.CreatedAt, tenant, project, "pack", rec.UID)
	})
	if err != nil {
		return false, e.wrap(err, "put pack %s:%s", p.Name, p.Version)
	}
	p.UID, p.CreatedAt = rec.UID, rec.CreatedAt
	return created, nil
}

// GetPackVersion returns the pack version with that uid, with its archive.
func (e *Engine) GetPackVersion(ctx context.Context, uid string) (store.PackVersion, error) {
	var archive []byte
	row := e.queryRow(ctx, e.read, "SELECT "+packCols+", a.archive FROM pack_versions p LEFT JOIN pack_archives a ON a.pack_uid = p.uid WHERE p.uid = ?", uid)
	p, err := scanPack(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &archive)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return store.PackVersion{}, e.wrap(notFound("pack version %q", uid), "get pack version")
	}
	if err != nil {
		return store.PackVersion{}, e.wrap(err, "get pack version")
	}
	p.Archive = archive
	return p, nil
}

// scanFunc adapts a function to the Scan interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// FindPacks returns the pack versions matching q, without archives, ordered
// by name, then version as text (byte order; semantic version order is the
// caller's), then registry uid.
func (e *Engine) FindPacks(ctx context.Context, q store.PackQuery) ([]store.PackVersion, error) {
	var where []string
	var args []any
	if len(q.RegistryUIDs) > 0 {
		where = append(where, "p.registry_uid IN ("+placeholders(len(q.RegistryUIDs))+")")
		for _, r := range q.RegistryUIDs {
			args = append(args, r)
		}
	}
	if q.Name != "" {
		where = append(where, "p.name = ?")
		args = append(args, q.Name)
	}
	if q.Version != "" {
		where = append(where, "p.version = ?")
		args = append(args, q.Version)
	}
	if q.Layer != "" {
		where = append(where, "p.layer = ?")
		args = append(args, q.Layer)
	}
	if q.CloudType != "" {
		where = append(where, "EXISTS (SELECT 1 FROM pack_cloud_types c WHERE c.pack_uid = p.uid AND c.cloud_type IN (?, 'all'))")
		args = append(args, q.CloudType)
	}
	sqlq := "SELECT " + packCols + " FROM pack_versions p"
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += " ORDER BY p.name, p.version, p.registry_uid" + limitClause(q.Limit)
	rows, err := e.query(ctx, e.read, sqlq, args...)
	if err != nil {
		return nil, e.wrap(err, "find packs")
	}
	ps, err := collect(rows, scanPack)
	return ps, e.wrap(err, "find packs")
}
