package plan

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/pgtest"
	"github.com/byoos/byoos/store/postgres"
	"github.com/byoos/byoos/store/storetest"
)

func TestPlan(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	if err != nil { t.Fatal(err) }
	defer s.Close()
	storetest.SeedPacks(t, s, 10000)
	tn, _ := s.EnsureTenant(ctx, "x")
	p := store.Profile{TenantUID: tn.UID, Name: "a", Version: "1", Body: make([]byte, 4096)}
	s.CreateProfile(ctx, &p, store.AuditEvent{})
	conn, _ := pgx.Connect(ctx, dsn)
	if os.Getenv("ANALYZE") != "" { conn.Exec(ctx, "ANALYZE") }
	for _, q := range []string{
		"EXPLAIN ANALYZE SELECT p.uid FROM pack_versions p WHERE EXISTS (SELECT 1 FROM pack_cloud_types c WHERE c.pack_uid = p.uid AND c.cloud_type IN ('azure', 'all')) ORDER BY p.name, p.version, p.registry_uid LIMIT 50",
		"EXPLAIN ANALYZE SELECT uid FROM profiles WHERE uid = '" + p.UID + "' AND tenant_uid = '" + tn.UID + "' AND COALESCE(project_uid, '') = ''",
	} {
		rows, _ := conn.Query(ctx, q)
		for rows.Next() { var l string; rows.Scan(&l); t.Log(l) }
		rows.Close()
	}
	for i := 0; i < 3; i++ {
		st := time.Now()
		for j := 0; j < 100; j++ { if _, err := s.GetProfile(ctx, store.Scope{TenantUID: tn.UID}, p.UID); err != nil { t.Fatal(err) } }
		t.Log("GetProfile", time.Since(st)/100)
		st = time.Now()
		for j := 0; j < 100; j++ { if err := s.Ping(ctx); err != nil { t.Fatal(err) } }
		t.Log("Ping", time.Since(st)/100)
		st = time.Now()
		for j := 0; j < 100; j++ { var x int; conn.QueryRow(ctx, "SELECT 1").Scan(&x) }
		t.Log("raw pgx select 1", time.Since(st)/100)
	}
}
