package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/byoos/byoos/store"
)

// ListMacros returns the macros of exactly scope s, by name.
func (e *Engine) ListMacros(ctx context.Context, s store.Scope) ([]store.Macro, error) {
	rows, err := e.query(ctx, e.read, "SELECT name, value FROM macros WHERE tenant_uid = ? AND project_uid = ? ORDER BY name", s.TenantUID, s.ProjectUID)
	if err != nil {
		return nil, e.wrap(err, "list macros")
	}
	ms, err := collect(rows, func(sc interface{ Scan(...any) error }) (store.Macro, error) {
		var m store.Macro
		err := sc.Scan(&m.Name, &m.Value)
		return m, err
	})
	return ms, e.wrap(err, "list macros")
}

// ChangeMacros applies ch to the macros of scope s in one transaction and
// records ev.
func (e *Engine) ChangeMacros(ctx context.Context, s store.Scope, ch store.MacroChange, ev store.AuditEvent) error {
	at := e.now()
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if err := e.scopeExists(ctx, tx, s.TenantUID, s.ProjectUID); err != nil {
			return err
		}
		if ch.Replace {
			if _, err := e.exec(ctx, tx, "DELETE FROM macros WHERE tenant_uid = ? AND project_uid = ?", s.TenantUID, s.ProjectUID); err != nil {
				return err
			}
		}
		for _, m := range ch.Add {
			_, err := e.exec(ctx, tx, "INSERT INTO macros (tenant_uid, project_uid, name, value, updated_at) VALUES (?, ?, ?, ?, ?)",
				s.TenantUID, s.ProjectUID, m.Name, m.Value, e.timeArg(at))
			if err != nil {
				return e.exists(err, fmt.Sprintf("macro %q", m.Name))
			}
		}
		for _, m := range ch.Update {
			if err := e.execOne(ctx, tx, fmt.Sprintf("macro %q", m.Name), "UPDATE macros SET value = ?, updated_at = ? WHERE tenant_uid = ? AND project_uid = ? AND name = ?",
				m.Value, e.timeArg(at), s.TenantUID, s.ProjectUID, m.Name); err != nil {
				return err
			}
		}
		for _, name := range ch.Delete {
			if err := e.execOne(ctx, tx, fmt.Sprintf("macro %q", name), "DELETE FROM macros WHERE tenant_uid = ? AND project_uid = ? AND name = ?",
				s.TenantUID, s.ProjectUID, name); err != nil {
				return err
			}
		}
		uid := s.ProjectUID
		if uid == "" {
			uid = s.TenantUID
		}
		return e.insertAudit(ctx, tx, ev, at, s.TenantUID, s.ProjectUID, "macro", uid)
	})
	return e.wrap(err, "change macros")
}

// execOne runs a statement that must change a row: none changed is not
// found (what names the row in the error).
func (e *Engine) execOne(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := e.exec(ctx, tx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound("%s", what)
	}
	return nil
}
