package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/byoos/byoos/store"
)

const apiKeyCols = "uid, name, tenant_uid, project_uid, role, hash, prefix, created_at, revoked_at"

func scanAPIKey(sc interface{ Scan(...any) error }) (store.APIKey, error) {
	var k store.APIKey
	err := sc.Scan(&k.UID, &k.Name, &k.TenantUID, nullStr{&k.ProjectUID}, &k.Role, &k.Hash, &k.Prefix,
		timeCol{&k.CreatedAt}, nullTimeCol{&k.RevokedAt})
	return k, err
}

// CreateAPIKey stores k (never revoked at creation) and records ev.
func (e *Engine) CreateAPIKey(ctx context.Context, k *store.APIKey, ev store.AuditEvent) error {
	rec := *k
	if rec.UID == "" {
		rec.UID = newUID()
	}
	rec.CreatedAt = e.now()
	rec.RevokedAt = nil
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.scopeExists(ctx, tx, rec.TenantUID, rec.ProjectUID); err != nil {
			return err
		}
		_, err := e.exec(ctx, tx, "INSERT INTO api_keys ("+apiKeyCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
			rec.UID, rec.Name, rec.TenantUID, orNull(rec.ProjectUID), rec.Role, rec.Hash, rec.Prefix, e.timeArg(rec.CreatedAt))
		if err != nil {
			return e.exists(err, fmt.Sprintf("api key with this hash or uid %q", rec.UID))
		}
		return e.insertAudit(ctx, tx, ev, rec.CreatedAt, rec.TenantUID, rec.ProjectUID, "apikey", rec.UID)
	})
	if err != nil {
		return e.wrap(err, "create api key %q", k.Name)
	}
	*k = rec
	return nil
}

// APIKeyByHash returns the key with that hash, revoked or not.
func (e *Engine) APIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	k, err := scanAPIKey(e.queryRow(ctx, e.read, "SELECT "+apiKeyCols+" FROM api_keys WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("api key")
	}
	return k, e.wrap(err, "api key by hash")
}

// ListAPIKeys returns the tenant's keys, revoked ones included, oldest first.
func (e *Engine) ListAPIKeys(ctx context.Context, tenantUID string) ([]store.APIKey, error) {
	rows, err := e.query(ctx, e.read, "SELECT "+apiKeyCols+" FROM api_keys WHERE tenant_uid = ? ORDER BY created_at, uid", tenantUID)
	if err != nil {
		return nil, e.wrap(err, "list api keys")
	}
	ks, err := collect(rows, scanAPIKey)
	return ks, e.wrap(err, "list api keys")
}

// RevokeAPIKey sets the key's RevokedAt and records ev. Revoking a revoked
// key changes nothing, records nothing and is not an error.
func (e *Engine) RevokeAPIKey(ctx context.Context, tenantUID, uid string, ev store.AuditEvent) error {
	at := e.now()
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var project string
		err := e.queryRow(ctx, tx, "UPDATE api_keys SET revoked_at = ? WHERE uid = ? AND tenant_uid = ? AND revoked_at IS NULL RETURNING project_uid",
			e.timeArg(at), uid, tenantUID).Scan(nullStr{&project})
		if errors.Is(err, sql.ErrNoRows) {
			var one int
			err := e.queryRow(ctx, tx, "SELECT 1 FROM api_keys WHERE uid = ? AND tenant_uid = ?", uid, tenantUID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("api key %q", uid)
			}
			return err // nil: already revoked
		}
		if err != nil {
			return err
		}
		return e.insertAudit(ctx, tx, ev, at, tenantUID, project, "apikey", uid)
	})
	return e.wrap(err, "revoke api key %q", uid)
}
