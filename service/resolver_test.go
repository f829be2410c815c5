package service_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/wire"
)

func public(t testing.TB) *pack.Repo {
	t.Helper()
	r, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newPack(t testing.TB, name, version, layer string) *pack.Pack {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{
		pack.MetaFile: []byte(`{"name": "` + name + `", "displayName": "` + name + `", "version": "` + version + `", "layer": "` + layer + `", "cloudTypes": ["all"]}`),
		"values.yaml": []byte("a: 1\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTheResolverFindsPacksInResolutionOrder(t *testing.T) {
	local := pack.NewRepo("pack-dir", newPack(t, "kubernetes", "1.30.99", "k8s"), newPack(t, "only-here", "3.1.4", "addon"))
	r := service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(public(t)), service.LocalRegistry(local)))
	ctx := context.Background()
	tests := []struct {
		name string
		ref  wire.PackRef
		want string // version, or the error's text
	}{
		{"the Public Repo's match wins over a newer version in a later repo", wire.PackRef{Name: "kubernetes", Tag: "1.30.x"}, "1.30.10"},
		{"a pack only in a later repo is found", wire.PackRef{Name: "only-here", Tag: "3.x"}, "3.1.4"},
		{"a version is a tag too", wire.PackRef{Name: "kubernetes", Version: "1.29.14"}, "1.29.14"},
		{"a registry named by name is the only one searched", wire.PackRef{Name: "kubernetes", Tag: "1.30.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{Name: "pack-dir"}}}, "1.30.99"},
		{"a pack uid finds that version", wire.PackRef{Name: "kubernetes", UID: catalog.PackUID("kubernetes", "1.31.6")}, "1.31.6"},
		{"an unknown tag lists the versions of the registry that has the name", wire.PackRef{Name: "kubernetes", Tag: "1.28.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{UID: catalog.RepoUID}}},
			`Public Repo has no version of kubernetes matching "1.28.x"; it has 1.32.3, 1.31.6, 1.30.10, 1.29.14`},
		{"an unknown name suggests a close one", wire.PackRef{Name: "kubernets", Tag: "1.30.x"}, "did you mean kubernetes"},
		{"a uid of another pack is not found", wire.PackRef{Name: "cni-calico", UID: catalog.PackUID("kubernetes", "1.31.6")}, "uid " + catalog.PackUID("kubernetes", "1.31.6") + " is kubernetes@1.31.6"},
		{"an unknown registry is not found", wire.PackRef{Name: "kubernetes", RegistryUID: "nope"}, "registry nope has no pack named"},
		{"a registry uid unknown here resolves by the registry name given with it", wire.PackRef{Name: "kubernetes", Tag: "1.30.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{UID: "5e2031962f090e2d3d8a3290", Name: "pack-dir"}}}, "1.30.99"},
		{"a registry uid known here wins over the name given with it", wire.PackRef{Name: "kubernetes", Tag: "1.30.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{UID: catalog.RepoUID, Name: "pack-dir"}}}, "1.30.10"},
		{"a registry unknown by uid and by name is not found under its name", wire.PackRef{Name: "kubernetes", Tag: "1.30.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{UID: "5e2031962f090e2d3d8a3290", Name: "elsewhere"}}}, "registry elsewhere has no pack named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := r.FindPack(ctx, tt.ref)
			if err != nil {
				var nf *pack.NotFoundError
				if !errors.As(err, &nf) {
					t.Fatalf("error %v is not a *pack.NotFoundError", err)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %q does not say %q", err, tt.want)
				}
				return
			}
			if f.Pack.Meta.Version != tt.want {
				t.Fatalf("resolved to %s, want %s", f.Pack.Meta.Version, tt.want)
			}
			if f.UID == "" || f.RegistryUID == "" {
				t.Errorf("no uid or registry uid: %+v", f)
			}
		})
	}
}

// storeFixture is a real store with a project, a tenant registry and a
// project registry, both holding a version of "mypack".
type storeFixture struct {
	st      store.Store
	tenant  store.Scope
	project store.Scope
	other   store.Scope
}

func newStoreFixture(t *testing.T, tenantFirst bool) *storeFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.EnsureTenant(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	fx := &storeFixture{st: st, tenant: store.Scope{TenantUID: tn.UID}}
	for _, name := range []string{"p1", "p2"} {
		pr := &store.Project{TenantUID: tn.UID, Name: name}
		if err := st.CreateProject(ctx, pr, store.AuditEvent{TenantUID: tn.UID, Action: "project.create"}); err != nil {
			t.Fatal(err)
		}
		if name == "p1" {
			fx.project = store.Scope{TenantUID: tn.UID, ProjectUID: pr.UID}
		} else {
			fx.other = store.Scope{TenantUID: tn.UID, ProjectUID: pr.UID}
		}
	}
	push := func(reg store.Registry, version string) {
		if err := st.CreateRegistry(ctx, &reg, store.AuditEvent{TenantUID: tn.UID, Action: "registry.create"}); err != nil {
			t.Fatal(err)
		}
		p := newPack(t, "mypack", version, "addon")
		var buf bytes.Buffer
		if err := p.Tarball(&buf); err != nil {
			t.Fatal(err)
		}
		v := &store.PackVersion{RegistryUID: reg.UID, Name: "mypack", Version: version, Layer: "addon", CloudTypes: []string{"all"}, Digest: version, Archive: buf.Bytes()}
		if _, err := st.PutPackVersion(ctx, v, store.AuditEvent{TenantUID: tn.UID, Action: "pack.push"}); err != nil {
			t.Fatal(err)
		}
	}
	tenantReg := func() { push(store.Registry{Name: "aaa-tenant", Kind: "pack", TenantUID: tn.UID}, "2.0.0") }
	projectReg := func() {
		push(store.Registry{Name: "zzz-project", Kind: "pack", TenantUID: tn.UID, ProjectUID: fx.project.ProjectUID}, "1.0.0")
	}
	if tenantFirst {
		tenantReg()
		projectReg()
	} else {
		projectReg()
		tenantReg()
	}
	return fx
}

func TestAScopesRegistriesResolveProjectFirstWhateverTheOrderTheyWereMadeIn(t *testing.T) {
	for _, tenantFirst := range []bool{true, false} {
		fx := newStoreFixture(t, tenantFirst)
		ctx := context.Background()
		r := service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(public(t))), service.NewStoreIndex(fx.st, fx.project, service.NewPackCache(8)))
		f, err := r.FindPack(ctx, wire.PackRef{Name: "mypack", Tag: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Pack.Meta.Version != "1.0.0" {
			t.Errorf("tenant registry made first = %v: resolved to %s, want the project registry's 1.0.0 although the tenant's 2.0.0 is newer", tenantFirst, f.Pack.Meta.Version)
		}
		regs, err := r.Registries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, g := range regs {
			order = append(order, g.Name+"/"+g.Scope)
		}
		if got := strings.Join(order, " "); got != "Public Repo/system zzz-project/project aaa-tenant/tenant" {
			t.Errorf("registries in order %s", got)
		}
	}
}

func TestAPackOfAnotherProjectsRegistryIsNotFound(t *testing.T) {
	fx := newStoreFixture(t, true)
	ctx := context.Background()
	mine := service.NewResolver(service.NewStoreIndex(fx.st, fx.project, nil))
	es, err := mine.Find(ctx, service.Query{Name: "mypack"})
	if err != nil || len(es) != 2 {
		t.Fatalf("own view: %v %+v", err, es)
	}
	projectPack := es[0]
	if projectPack.Version != "1.0.0" {
		t.Fatalf("first entry %+v, want the project registry's", projectPack)
	}
	theirs := service.NewResolver(service.NewStoreIndex(fx.st, fx.other, nil))
	if _, err := theirs.Get(ctx, projectPack.UID); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("another project read a pack of p1's registry: %v", err)
	}
	if _, err := theirs.FindPack(ctx, wire.PackRef{Name: "mypack", UID: projectPack.UID}); err == nil {
		t.Error("another project resolved a pack of p1's registry by uid")
	}
	f, err := theirs.FindPack(ctx, wire.PackRef{Name: "mypack", Tag: "x"})
	if err != nil || f.Pack.Meta.Version != "2.0.0" {
		t.Errorf("another project should see the tenant's 2.0.0 only: %v %+v", err, f)
	}
}

// brokenStore fails every call: a database that is down.
type brokenStore struct {
	store.Store
	err error
}

func (b brokenStore) ListRegistries(context.Context, string, string) ([]store.Registry, error) {
	return nil, b.err
}

func TestALookupThatCannotReachTheStoreIsAFaultNotAVerdict(t *testing.T) {
	down := errors.New("connection refused")
	r := service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(public(t))), service.NewStoreIndex(brokenStore{err: down}, store.Scope{TenantUID: "t"}, nil))
	_, err := r.FindPack(context.Background(), wire.PackRef{Name: "kubernetes", Tag: "1.30.x"})
	var nf *pack.NotFoundError
	if !errors.Is(err, down) || errors.As(err, &nf) {
		t.Fatalf("err = %v; want the store's failure, not a pack not found", err)
	}
}
