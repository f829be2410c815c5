package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/internal/sqldb"
	"github.com/byoos/byoos/store/pgtest"
	"github.com/byoos/byoos/store/postgres"
	"github.com/byoos/byoos/store/storetest"
)

// pg is the server every test of the package shares, one database each.
var pg *pgtest.Server

func TestMain(m *testing.M) {
	pg = pgtest.NewServer()
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

func open(t testing.TB, dsn string, opts ...store.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts ...store.Option) store.Store { return open(t, pg.Database(t), opts...) })
}

func TestMigrations(t *testing.T) {
	versions, err := sqldb.Versions(os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunMigrations(t, versions, func(t *testing.T) storetest.Database {
		dsn := pg.Database(t)
		return storetest.Database{
			Open: func(ctx context.Context) (storetest.Migrated, error) {
				s, err := postgres.Open(ctx, dsn)
				if err != nil {
					return nil, err
				}
				return s, nil
			},
			Exec: func(t *testing.T, sql string) { exec(t, dsn, sql) },
		}
	})
}

func TestTwoStoresOnOneDatabase(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := pg.Database(t)
		return open(t, dsn), open(t, dsn)
	})
}

func TestAuditFailureUndoesTheChange(t *testing.T) {
	storetest.RunAuditFailure(t, func(t *testing.T, opts ...store.Option) store.Store {
		dsn := pg.Database(t)
		s := open(t, dsn, opts...)
		exec(t, dsn, `CREATE FUNCTION storetest_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.summary = '`+storetest.FailSummary+`' THEN
					RAISE EXCEPTION 'audit event refused by the test';
				END IF;
				RETURN NEW;
			END $$`)
		exec(t, dsn, `CREATE TRIGGER storetest_refuse BEFORE INSERT ON audit_events
			FOR EACH ROW EXECUTE FUNCTION storetest_refuse()`)
		return s
	})
}

// exec runs sql on the database of dsn outside the store.
func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestOpenReportsAnUnreachableServer(t *testing.T) {
	for _, dsn := range []string{"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "not a dsn = ="} {
		if s, err := postgres.Open(context.Background(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestPingFailsAfterClose(t *testing.T) {
	s, err := postgres.Open(context.Background(), pg.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping succeeded on a closed store")
	}
}

// BenchmarkFindPacksByName: see storetest.BenchFindPacksByName;
// BYOOS_BENCH_PACKS sets the number of pack versions. Measured on the 2-core
// development machine (shared, so ±30%) against the pgtest server over
// loopback TCP, per query, after ANALYZE (SeedPacks runs it):
//
//	                         10,000 versions   100,000 versions
//	name (10 rows)                97–149 µs             125 µs
//	name+registries+cloud        179–211 µs             192 µs
//	cloud+limit50 (50 rows)      410–504 µs             411 µs
//
// Without statistics (a table filled faster than autovacuum analyzes it)
// PostgreSQL plans cloud+limit50 as a hash join over every match and a sort:
// 4.8 ms at 10,000 versions.
func BenchmarkFindPacksByName(b *testing.B) {
	storetest.BenchFindPacksByName(b, open(b, pg.Database(b)), storetest.BenchPacks(b))
}

// BenchmarkCreateProfile: see storetest.BenchCreateProfile. Measured:
// 590–700 µs (BEGIN, scope check, insert, audit insert, COMMIT: five round trips).
func BenchmarkCreateProfile(b *testing.B) {
	storetest.BenchCreateProfile(b, open(b, pg.Database(b)))
}

// BenchmarkGetProfile: see storetest.BenchGetProfile. Measured: 117–126 µs.
func BenchmarkGetProfile(b *testing.B) {
	storetest.BenchGetProfile(b, open(b, pg.Database(b)))
}
