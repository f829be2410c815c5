package pgtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestWithDatabaseReplacesTheDatabase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@127.0.0.1:5432/postgres?sslmode=disable", "postgres://u@127.0.0.1:5432/t_x?sslmode=disable"},
		{"postgresql://u:p@h/db", "postgresql://u:p@h/t_x"},
		{"host=/tmp port=5 dbname=postgres", "host=/tmp port=5 dbname=postgres dbname=t_x"},
	} {
		got, err := WithDatabase(tc.in, "t_x")
		if err != nil || got != tc.want {
			t.Errorf("WithDatabase(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil || cfg.Database != "t_x" {
			t.Errorf("%q parses to database %q, %v", got, cfg.Database, err)
		}
	}
}

func TestStartGivesEachTestItsOwnDatabase(t *testing.T) {
	dsn, stop, err := StartServer()
	t.Cleanup(stop)
	if err != nil {
		SkipOrFail(t, err)
	}
	ctx := context.Background()
	var names []string
	for range 2 {
		db := CreateDatabase(t, dsn)
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var name string
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "t_") {
			t.Errorf("database %q", name)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE only_here (x int)"); err != nil {
			t.Errorf("database %s: %v (not fresh?)", name, err)
		}
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Errorf("two tests share database %s", names[0])
	}
}

func TestAStoppedClusterRefusesConnectionsAndStartsAgainWithItsData(t *testing.T) {
	c := StartCluster(t)
	ctx := context.Background()
	db := CreateDatabase(t, c.DSN())
	exec := func(sql string) error {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, db)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(cctx, sql)
		return err
	}
	if err := exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := exec("SELECT 1"); err == nil {
		t.Fatal("a stopped cluster accepted a connection")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := exec("DO $$ BEGIN IF (SELECT x FROM kept) <> 42 THEN RAISE 'lost'; END IF; END $$"); err != nil {
		t.Errorf("after Start: %v", err)
	}
}
