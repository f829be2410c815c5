package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/byoos/byoos/store"
)

// BenchPackCount is the number of pack versions BenchFindPacksByName seeds
// unless told otherwise.
const BenchPackCount = 10_000

// SeedPacks publishes n pack versions through s.PutPackVersion, spread over
// three tenant-wide registries of tenant "bench": n/10 pack names
// (pack-00000, …) with ten versions each, and a mix of cloud types (a fifth
// of them "all"). Then, if s has an Analyze method, it calls it. It returns the tenant, the registries and the names.
func SeedPacks(tb testing.TB, s store.Store, n int) (tenantUID string, registryUIDs, names []string) {
	tb.Helper()
	ctx := context.Background()
	tn, err := s.EnsureTenant(ctx, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range 3 {
		r := store.Registry{Name: fmt.Sprintf("registry-%d", i), Kind: "pack", TenantUID: tn.UID}
		if err := s.CreateRegistry(ctx, &r, store.AuditEvent{Action: "registry.create"}); err != nil {
			tb.Fatal(err)
		}
		registryUIDs = append(registryUIDs, r.UID)
	}
	clouds := [][]string{{"aws"}, {"azure"}, {"all"}, {"vsphere", "aws"}, {"edge-native"}}
	layers := []string{"os", "k8s", "cni", "csi", "addon"}
	for i := range (n + 9) / 10 {
		names = append(names, fmt.Sprintf("pack-%05d", i))
	}
	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				p := store.PackVersion{
					RegistryUID: registryUIDs[i%3],
					Name:        names[i/10],
					Version:     fmt.Sprintf("1.%d.0", i%10),
					Layer:       layers[(i/10)%5],
					DisplayName: names[i/10],
					CloudTypes:  clouds[(i/10)%5],
					AddonType:   layers[(i/10)%5],
					Digest:      fmt.Sprintf("sha256:%064d", i),
					Archive:     make([]byte, 512),
				}
				if _, err := s.PutPackVersion(ctx, &p, store.AuditEvent{Action: "pack.push"}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
	if a, ok := s.(analyzer); ok {
		if err := a.Analyze(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	return tn.UID, registryUIDs, names
}

// analyzer is a store that can refresh its planner statistics, as the SQL
// engines can; SeedPacks calls it after the bulk load, as autovacuum would
// soon do on its own.
type analyzer interface {
	Analyze(ctx context.Context) error
}

// BenchFindPacksByName seeds n pack versions (SeedPacks) and measures
// FindPacks: by name alone (ten versions), by name within the three
// registries and a cloud type (as the API asks), and the first 50 of a cloud
// type with no name.
func BenchFindPacksByName(b *testing.B, s store.Store, n int) {
	_, regs, names := SeedPacks(b, s, n)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		q    func(i int) store.PackQuery
	}{
		{"name", func(i int) store.PackQuery { return store.PackQuery{Name: names[i%len(names)]} }},
		{"name+registries+cloud", func(i int) store.PackQuery {
			k := i % len(names) // SeedPacks gives name k the cloud types clouds[k%5]
			return store.PackQuery{Name: names[k], RegistryUIDs: regs, CloudType: []string{"aws", "azure", "aws", "vsphere", "edge-native"}[k%5]}
		}},
		{"cloud+limit50", func(i int) store.PackQuery { return store.PackQuery{CloudType: "azure", Limit: 50} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			found := 0
			for b.Loop() {
				ps, err := s.FindPacks(ctx, bc.q(i*7919))
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) == 0 {
					b.Fatalf("FindPacks(%+v) found nothing", bc.q(i*7919))
				}
				found += len(ps)
				i++
			}
			b.ReportMetric(float64(found)/float64(i), "packs/op")
		})
	}
}

// BenchCreateProfile measures CreateProfile (with its audit event) of new
// profiles in one project.
func BenchCreateProfile(b *testing.B, s store.Store) {
	ctx := context.Background()
	scope := benchScope(b, s)
	body := make([]byte, 4096)
	i := 0
	for b.Loop() {
		p := store.Profile{TenantUID: scope.TenantUID, ProjectUID: scope.ProjectUID, Name: fmt.Sprintf("profile-%d", i), Version: "1.0.0",
			Status: store.StatusDraft, Type: "cluster", CloudType: "aws", Body: body}
		if err := s.CreateProfile(ctx, &p, store.AuditEvent{Action: "profile.create"}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchGetProfile measures GetProfile among 1,000 profiles of 4 KiB.
func BenchGetProfile(b *testing.B, s store.Store) {
	ctx := context.Background()
	scope := benchScope(b, s)
	body := make([]byte, 4096)
	var uids []string
	for i := range 1000 {
		p := store.Profile{TenantUID: scope.TenantUID, ProjectUID: scope.ProjectUID, Name: fmt.Sprintf("profile-%d", i), Version: "1.0.0",
			Status: store.StatusDraft, Type: "cluster", CloudType: "aws", Body: body}
		if err := s.CreateProfile(ctx, &p, store.AuditEvent{Action: "profile.create"}); err != nil {
			b.Fatal(err)
		}
		uids = append(uids, p.UID)
	}
	i := 0
	for b.Loop() {
		p, err := s.GetProfile(ctx, scope, uids[(i*7919)%len(uids)])
		if err != nil || len(p.Body) != len(body) {
			b.Fatalf("GetProfile: %d bytes, %v", len(p.Body), err)
		}
		i++
	}
}

func benchScope(b *testing.B, s store.Store) store.Scope {
	ctx := context.Background()
	tn, err := s.EnsureTenant(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	p := store.Project{TenantUID: tn.UID, Name: "bench"}
	if err := s.CreateProject(ctx, &p, store.AuditEvent{Action: "project.create"}); err != nil {
		b.Fatal(err)
	}
	return store.Scope{TenantUID: tn.UID, ProjectUID: p.UID}
}

// BenchPacks is how many pack versions BenchFindPacksByName seeds:
// $BYOOS_BENCH_PACKS, or BenchPackCount.
func BenchPacks(b *testing.B) int {
	if v := os.Getenv("BYOOS_BENCH_PACKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("BYOOS_BENCH_PACKS: %v", err)
		}
		return n
	}
	return BenchPackCount
}
