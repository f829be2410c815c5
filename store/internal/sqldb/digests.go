package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/byoos/byoos/store"
)

// profileInScope checks that profile uid is in exactly scope s.
func (e *Engine) profileInScope(ctx context.Context, q queryer, s store.Scope, uid string) error {
	var tenant string
	var project sql.NullString
	err := e.queryRow(ctx, q, "SELECT tenant_uid, project_uid FROM profiles WHERE uid = ?", uid).Scan(&tenant, &project)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (tenant != s.TenantUID || project.String != s.ProjectUID)) {
		return notFound("profile %q", uid)
	}
	return err
}

// ProfileDigests returns the digests recorded for profile uid's
// publication sum, by ref.
func (e *Engine) ProfileDigests(ctx context.Context, s store.Scope, uid, sum string) ([]store.ProfileDigest, error) {
	if err := e.profileInScope(ctx, e.read, s, uid); err != nil {
		return nil, e.wrap(err, "profile digests")
	}
	rows, err := e.query(ctx, e.read, "SELECT ref, digest, recorded_at FROM profile_digests WHERE profile_uid = ? AND published_sum = ? ORDER BY ref", uid, sum)
	if err != nil {
		return nil, e.wrap(err, "profile digests")
	}
	ds, err := collect(rows, func(sc interface{ Scan(...any) error }) (store.ProfileDigest, error) {
		var d store.ProfileDigest
		err := sc.Scan(&d.Ref, &d.Digest, timeCol{&d.RecordedAt})
		return d, err
	})
	return ds, e.wrap(err, "profile digests")
}

// RecordProfileDigests records the digests of refs not recorded yet for
// profile uid's publication sum, with ev when it records any.
func (e *Engine) RecordProfileDigests(ctx context.Context, s store.Scope, uid, sum string, ds []store.ProfileDigest, ev store.AuditEvent) (int, error) {
	at := e.now()
	n := 0
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		if err := e.profileInScope(ctx, tx, s, uid); err != nil {
			return err
		}
		for _, d := range ds {
			res, err := e.exec(ctx, tx, "INSERT INTO profile_digests (profile_uid, published_sum, ref, digest, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
				uid, sum, d.Ref, d.Digest, e.timeArg(at))
			if err != nil {
				return fmt.Errorf("digest of %s: %w", d.Ref, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		if n == 0 {
			return nil
		}
		return e.insertAudit(ctx, tx, ev, at, s.TenantUID, s.ProjectUID, "profile", uid)
	})
	if err != nil {
		return 0, e.wrap(err, "record digests of profile %q", uid)
	}
	return n, nil
}
