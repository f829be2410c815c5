package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// keyCheckSetting names the key check value in the settings table.
const keyCheckSetting = "secret_key_check"

// KeyCheck returns the stored key check value, "" when none is stored.
func (e *Engine) KeyCheck(ctx context.Context) (string, error) {
	var v string
	err := e.queryRow(ctx, e.read, "SELECT value FROM settings WHERE name = ?", keyCheckSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: read the key check value: %w", e.d.Name, err)
	}
	return v, nil
}

// InitKeyCheck stores check unless a key check value is stored already, and
// returns the stored value.
func (e *Engine) InitKeyCheck(ctx context.Context, check string) (string, error) {
	if check == "" {
		return "", fmt.Errorf("%s: store the key check value: it is empty", e.d.Name)
	}
	var v string
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := e.exec(ctx, tx, "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", keyCheckSetting, check); err != nil {
			return err
		}
		return e.queryRow(ctx, tx, "SELECT value FROM settings WHERE name = ?", keyCheckSetting).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("%s: store the key check value: %w", e.d.Name, err)
	}
	return v, nil
}

// HasProfiles reports whether any profile exists, in any tenant.
func (e *Engine) HasProfiles(ctx context.Context) (bool, error) {
	var one int
	err := e.queryRow(ctx, e.read, "SELECT 1 FROM profiles LIMIT 1").Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: look for profiles: %w", e.d.Name, err)
	}
	return true, nil
}
