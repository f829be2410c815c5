package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/store/storetest"
)

func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "byoos.db"))
	})
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, ":memory:") })
}

func TestTwoStoresOnOneFile(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "byoos.db")
		return open(t, path), open(t, path)
	})
}

// refuseAudit installs a trigger that aborts the insert of any audit event
// whose summary is storetest.FailSummary.
func refuseAudit(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER storetest_refuse BEFORE INSERT ON audit_events
		WHEN NEW.summary = '` + storetest.FailSummary + `'
		BEGIN SELECT RAISE(ABORT, 'audit event refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
}

func TestAuditFailureUndoesTheChange(t *testing.T) {
	storetest.RunAuditFailure(t, func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "byoos.db")
		s := open(t, path)
		refuseAudit(t, path)
		return s
	})
}

func TestOpenSwitchesToWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "byoos.db")
	open(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestSchemaDeclaresForeignKeys(t *testing.T) {
	// sqldb checks parents itself; the schema refuses dangling rows too, on
	// connections with foreign keys on, as the store's are.
	path := filepath.Join(t.TempDir(), "byoos.db")
	open(t, path)
	db, err := sql.Open("sqlite", path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO projects (uid, tenant_uid, name, created_at) VALUES ('p', 'missing', 'n', 0)"); err == nil {
		t.Error("a project of a missing tenant was accepted")
	}
}

func TestOpenTwiceAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "byoos.db")
	var wg sync.WaitGroup
	stores := make([]*sqlite.Store, 4)
	errs := make([]error, 4)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(context.Background(), path) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	vs, err := stores[0].AppliedMigrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0] != 1 {
		t.Errorf("applied migrations %v, want [1]", vs)
	}
	for i, s := range stores {
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping %d: %v", i, err)
		}
	}
}

func TestOpenRefusesADatabaseFromANewerByoos(t *testing.T) {
	path := filepath.Join(t.TempDir(), "byoos.db")
	open(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')"); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(context.Background(), path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database migrated past this binary")
	}
}

func TestDataSurvivesReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "byoos.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := s.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := open(t, path).GetTenant(ctx, tn.UID)
	if err != nil || got != tn {
		t.Errorf("after reopening: %+v, %v; want %+v", got, err, tn)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", "x.db?mode=ro", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := sqlite.Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// benchPacks is the number of pack versions BenchmarkFindPacksByName seeds:
// $BYOOS_BENCH_PACKS or storetest.BenchPackCount.
func benchPacks(b *testing.B) int {
	if v := os.Getenv("BYOOS_BENCH_PACKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("BYOOS_BENCH_PACKS: %v", err)
		}
		return n
	}
	return storetest.BenchPackCount
}

// BenchmarkFindPacksByName: see storetest.BenchFindPacksByName. Measured
// figures are in the package's README section of the store report.
func BenchmarkFindPacksByName(b *testing.B) {
	storetest.BenchFindPacksByName(b, open(b, filepath.Join(b.TempDir(), "byoos.db")), benchPacks(b))
}

// BenchmarkCreateProfile: see storetest.BenchCreateProfile.
func BenchmarkCreateProfile(b *testing.B) {
	storetest.BenchCreateProfile(b, open(b, filepath.Join(b.TempDir(), "byoos.db")))
}

// BenchmarkGetProfile: see storetest.BenchGetProfile.
func BenchmarkGetProfile(b *testing.B) {
	storetest.BenchGetProfile(b, open(b, filepath.Join(b.TempDir(), "byoos.db")))
}
