package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/internal/sqldb"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/store/storetest"
)

func open(t testing.TB, path string, opts ...store.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts...)
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
	storetest.Run(t, func(t *testing.T, opts ...store.Option) store.Store {
		return open(t, filepath.Join(t.TempDir(), "byoos.db"), opts...)
	})
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts ...store.Option) store.Store { return open(t, ":memory:", opts...) })
}

func TestMigrations(t *testing.T) {
	versions, err := sqldb.Versions(os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunMigrations(t, versions, func(t *testing.T) storetest.Database {
		path := filepath.Join(t.TempDir(), "byoos.db")
		return storetest.Database{
			Open: func(ctx context.Context) (storetest.Migrated, error) {
				s, err := sqlite.Open(ctx, path)
				if err != nil {
					return nil, err
				}
				return s, nil
			},
			Exec: func(t *testing.T, sql string) { execSQL(t, path, sql) },
		}
	})
}

// execSQL runs sql on the database file at path outside the store.
func execSQL(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
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
	storetest.RunAuditFailure(t, func(t *testing.T, opts ...store.Option) store.Store {
		path := filepath.Join(t.TempDir(), "byoos.db")
		s := open(t, path, opts...)
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

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", "x.db?mode=ro", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := sqlite.Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// BenchmarkFindPacksByName: see storetest.BenchFindPacksByName;
// BYOOS_BENCH_PACKS sets the number of pack versions. Measured on the 2-core
// development machine (shared, so ±30%), per query:
//
//	                         10,000 versions   100,000 versions
//	name (10 rows)                 63–94 µs             100 µs
//	name+registries+cloud        102–157 µs             184 µs
//	cloud+limit50 (50 rows)      307–480 µs             452 µs
//
// Every plan is an index search (EXPLAIN QUERY PLAN: pack_versions_name, then
// pack_cloud_types by primary key or covering index), so the cost follows the
// rows returned, not the table size. Per row, most of the time is modernc's
// SQLite and database/sql scanning; a tenth is preparing the statement.
func BenchmarkFindPacksByName(b *testing.B) {
	storetest.BenchFindPacksByName(b, open(b, filepath.Join(b.TempDir(), "byoos.db")), storetest.BenchPacks(b))
}

// BenchmarkCreateProfile: see storetest.BenchCreateProfile. Measured:
// 180–240 µs (one transaction: scope check, insert, audit insert, WAL commit).
func BenchmarkCreateProfile(b *testing.B) {
	storetest.BenchCreateProfile(b, open(b, filepath.Join(b.TempDir(), "byoos.db")))
}

// BenchmarkGetProfile: see storetest.BenchGetProfile. Measured: 31–34 µs.
func BenchmarkGetProfile(b *testing.B) {
	storetest.BenchGetProfile(b, open(b, filepath.Join(b.TempDir(), "byoos.db")))
}

// TestKilledProcessLosesNoAcknowledgedWrite runs a child process (this test
// binary) that writes tenants and prints each one the store acknowledged,
// kills it with SIGKILL mid-stream, and checks every acknowledged tenant is
// in the database: synchronous=NORMAL in WAL mode survives a process crash.
func TestKilledProcessLosesNoAcknowledgedWrite(t *testing.T) {
	if path := os.Getenv("BYOOS_SQLITE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "byoos.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesNoAcknowledgedWrite$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BYOOS_SQLITE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{} // name → uid
	lines := bufio.NewScanner(out)
	for lines.Scan() && len(acked) < 200 {
		var name, uid string
		if _, err := fmt.Sscanf(lines.Text(), "acked %s %s", &name, &uid); err == nil {
			acked[name] = uid
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 200 {
		t.Fatalf("child acknowledged only %d writes before it stopped", len(acked))
	}
	s := open(t, path)
	for name, uid := range acked {
		tn, err := s.GetTenant(context.Background(), uid)
		if err != nil || tn.Name != name {
			t.Errorf("acknowledged tenant %s (%s) after the crash: %+v, %v", name, uid, tn, err)
		}
	}
}

// crashChild writes tenants until it is killed, printing each acknowledged one.
func crashChild(path string) {
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		tn, err := s.EnsureTenant(context.Background(), fmt.Sprintf("tenant-%d", i))
		if err != nil {
			fmt.Println("write:", err)
			os.Exit(1)
		}
		fmt.Printf("acked %s %s\n", tn.Name, tn.UID)
	}
}

// dbFileModes returns the permission bits of every byoos.db* file in dir.
func dbFileModes(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "byoos.db*"))
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		modes[filepath.Base(n)] = fi.Mode().Perm()
	}
	return modes
}

// checkPrivate fails unless byoos.db, -wal and -shm exist in dir and every
// byoos.db* file has mode 0600.
func checkPrivate(t *testing.T, dir, when string) {
	t.Helper()
	modes := dbFileModes(t, dir)
	for _, want := range []string{"byoos.db", "byoos.db-wal", "byoos.db-shm"} {
		if _, ok := modes[want]; !ok {
			t.Errorf("%s: %s is missing (files: %v)", when, want, modes)
		}
	}
	for name, m := range modes {
		if m != 0o600 {
			t.Errorf("%s: %s has mode %v, want 0600", when, name, m)
		}
	}
}

// withUmask sets the process's umask for the rest of the test. The test must not run in
// parallel with others: the umask belongs to the whole process.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func TestDatabaseFilesArePrivateWhateverTheUmaskAndTheDirectoryMode(t *testing.T) {
	withUmask(t, 0o022)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"a new database in a 0755 directory is made 0600", func(t *testing.T, dir string) {}},
		{"an existing world-readable database and its companions are made 0600", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "byoos.db")
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// Closing removed the -wal and -shm files; leave empty ones, as a crash would
			// leave them (empty, SQLite ignores them), and make all four world-readable.
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				if suffix != "" {
					if err := os.WriteFile(path+suffix, nil, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.Chmod(path+suffix, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if m := dbFileModes(t, dir); len(m) != 4 || m["byoos.db"] != 0o644 {
				t.Fatalf("prepared files: %v", m)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, dir)
			s := open(t, filepath.Join(dir, "byoos.db"))
			checkPrivate(t, dir, "after open")
			ctx := context.Background()
			var last store.Tenant
			for i := range 20 {
				tn, err := s.EnsureTenant(ctx, fmt.Sprintf("tenant-%d", i))
				if err != nil {
					t.Fatal(err)
				}
				last = tn
			}
			checkPrivate(t, dir, "after writes")
			if got, err := s.GetTenant(ctx, last.UID); err != nil || got.Name != "tenant-19" {
				t.Errorf("the last tenant written: %+v, %v", got, err)
			}
		})
	}
}
