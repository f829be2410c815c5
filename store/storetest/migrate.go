package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/store"
)

// Migrated is a store that reports the schema versions recorded in its
// database, as both engines do.
type Migrated interface {
	store.Store
	AppliedMigrations(ctx context.Context) ([]int64, error)
}

// Database is a fresh, empty database an engine's test hands RunMigrations.
type Database struct {
	// Open opens a store on the database, applying the pending migrations.
	// The caller closes it.
	Open func(ctx context.Context) (Migrated, error)
	// Exec runs sql on the database outside any store, failing t on error.
	Exec func(t *testing.T, sql string)
}

// RunMigrations checks how an engine migrates its schema, each check on a
// fresh database from fresh: a new database gets every migration once, also
// when several stores open it at once; reopening applies nothing and keeps
// the data; a database migrated past this binary is refused; Ping reports a
// schema behind the binary. want is the versions of the engine's migration
// files, in order.
func RunMigrations(t *testing.T, want []int64, fresh func(t *testing.T) Database) {
	if len(want) == 0 {
		t.Fatal("RunMigrations: the engine has no migrations")
	}
	latest := want[len(want)-1]
	openStore := func(t *testing.T, db Database) Migrated {
		t.Helper()
		s, err := db.Open(t.Context())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	wantApplied := func(t *testing.T, s Migrated) {
		t.Helper()
		got, err := s.AppliedMigrations(t.Context())
		noErr(t, "AppliedMigrations", err)
		if !slices.Equal(got, want) {
			t.Errorf("applied migrations %v, want %v", got, want)
		}
	}
	t.Run("a new database gets every migration, and Ping then answers", func(t *testing.T) {
		t.Parallel()
		s := openStore(t, fresh(t))
		wantApplied(t, s)
		noErr(t, "Ping", s.Ping(t.Context()))
	})
	t.Run("stores opening a new database at once apply each migration exactly once", func(t *testing.T) {
		t.Parallel()
		db := fresh(t)
		stores := parallel(t, 4, func(int) (Migrated, error) {
			s, err := db.Open(t.Context())
			if err == nil {
				t.Cleanup(func() { s.Close() })
			}
			return s, err
		})
		wantApplied(t, stores[0])
		for i, s := range stores {
			noErr(t, fmt.Sprintf("Ping through store %d", i), s.Ping(t.Context()))
		}
	})
	t.Run("reopening a migrated database applies nothing and keeps its data", func(t *testing.T) {
		t.Parallel()
		db := fresh(t)
		s, err := db.Open(t.Context())
		noErr(t, "first Open", err)
		tn, err := s.EnsureTenant(t.Context(), "acme")
		noErr(t, "EnsureTenant", err)
		noErr(t, "Close", s.Close())
		again := openStore(t, db)
		wantApplied(t, again)
		got, err := again.GetTenant(t.Context(), tn.UID)
		noErr(t, "GetTenant after reopening", err)
		wantEqual(t, "tenant after reopening", got, tn)
	})
	t.Run("a database migrated past this binary is refused, naming its migration", func(t *testing.T) {
		t.Parallel()
		db := fresh(t)
		s, err := db.Open(t.Context())
		noErr(t, "first Open", err)
		noErr(t, "Close", s.Close())
		db.Exec(t, "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')")
		s, err = db.Open(t.Context())
		if err == nil {
			s.Close()
			t.Fatal("Open accepted a database migrated past this binary")
		}
		for _, part := range []string{"9999", fmt.Sprintf("(%d)", latest), "upgrade byoos"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("Open: %q does not say %q", err, part)
			}
		}
	})
	t.Run("Ping reports a database whose schema is behind this binary", func(t *testing.T) {
		t.Parallel()
		db := fresh(t)
		s := openStore(t, db)
		db.Exec(t, fmt.Sprintf("DELETE FROM schema_migrations WHERE version = %d", latest))
		err := s.Ping(t.Context())
		if err == nil {
			t.Fatalf("Ping succeeded with migration %d unrecorded", latest)
		}
		if want := fmt.Sprintf("want %d", latest); !strings.Contains(err.Error(), want) {
			t.Errorf("Ping: %q does not say %q", err, want)
		}
	})
}
