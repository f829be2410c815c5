package api_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
)

// regPassword is the distinctive password the tests look for where it must
// never be: answers, the audit log, the server's log, the database file.
const regPassword = "Marmot-Velvet-4471-pw"

// fakeRegistry is a service.RegistryClient answering what the test sets.
type fakeRegistry struct {
	mu       sync.Mutex
	result   *regsync.Result
	err      error
	checkErr error
	hold     chan struct{}
	sources  []regsync.Source
}

func (f *fakeRegistry) set(res *regsync.Result, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.result, f.err = res, err
}

func (f *fakeRegistry) Check(ctx context.Context, src regsync.Source) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sources = append(f.sources, src)
	var re *regsync.Error
	if errors.As(f.checkErr, &re) {
		return &regsync.Error{Reason: re.Reason, Message: strings.ReplaceAll(re.Message, "{password}", src.Password)}
	}
	return f.checkErr
}

func (f *fakeRegistry) Sync(ctx context.Context, src regsync.Source) (*regsync.Result, error) {
	f.mu.Lock()
	f.sources = append(f.sources, src)
	hold, res, err := f.hold, f.result, f.err
	f.mu.Unlock()
	var re *regsync.Error
	if errors.As(err, &re) { // a registry that repeats the password it was sent
		err = &regsync.Error{Reason: re.Reason, Message: strings.ReplaceAll(re.Message, "{password}", src.Password)}
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return res, err
}

func (f *fakeRegistry) last() regsync.Source {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sources[len(f.sources)-1]
}

// remoteEnv is a server whose registries are read by a fakeRegistry, its
// log captured.
type remoteEnv struct {
	*env
	regs *service.Registries
	fake *fakeRegistry
	log  *syncBuffer
	db   string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newRemoteEnv(t *testing.T) *remoteEnv {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "byoos.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	re := &remoteEnv{fake: &fakeRegistry{result: &regsync.Result{}}, log: &syncBuffer{}, db: db}
	re.env = newEnvOn(t, dir, st, func(c *api.Config) {
		c.Logger = slog.New(slog.NewTextHandler(re.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		re.regs = service.NewRegistries(c.Store, c.Sealer, service.RegistriesConfig{Client: re.fake, Logger: c.Logger})
		c.Registries = re.regs
		t.Cleanup(re.regs.Close)
	})
	return re
}

// wait returns once no sync runs.
func (re *remoteEnv) wait() {
	re.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a safety net only
	defer cancel()
	if err := re.regs.WaitIdle(ctx); err != nil {
		re.t.Fatal(err)
	}
}

// chart builds a pack read from a registry.
func chart(t *testing.T, name, version, values, typ string) regsync.Synced {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{
		"pack.json":   []byte(`{"name": "` + name + `", "displayName": "` + name + `", "version": "` + version + `", "layer": "addon", "addonType": "system app", "cloudTypes": ["all"]}`),
		"values.yaml": []byte(values),
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.Tarball(&b); err != nil {
		t.Fatal(err)
	}
	return regsync.Synced{Ref: "oci://harbor.example.com/byoos/spectro-packs/archive/" + name + ":" + version, Type: typ, Pack: p, Archive: b.Bytes()}
}

// basicBody is a V1BasicOciRegistry as the provider sends it.
func basicBody(name, endpoint, password string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"endpoint": endpoint, "basePath": "", "providerType": "pack", "baseContentPath": "byoos", "isSyncSupported": true,
			"containsSpectroManifest": false,
			"auth": map[string]any{"username": "robot", "password": password, "type": "basic",
				"tls": map[string]any{"certificate": "", "enabled": true, "insecureSkipVerify": false}}},
	}
}

func ecrBody(name, secretKey string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"endpoint": "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "isPrivate": true, "providerType": "pack", "isSyncSupported": true,
			"baseContentPath": "", "containsSpectroManifest": false,
			"credentials": map[string]any{"credentialType": "secret", "accessKey": "AKIAEXAMPLE", "secretKey": secretKey, "policyARNs": nil},
			"tls":         map[string]any{"certificate": "", "enabled": true, "insecureSkipVerify": false}},
	}
}

func helmBody(name, password string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"name": name, "endpoint": "https://charts.example.com/stable", "isPrivate": true,
			"auth": map[string]any{"type": "basic", "username": "robot", "password": password}},
	}
}

func (re *remoteEnv) create(path string, body map[string]any) string {
	re.t.Helper()
	var out struct{ UID string }
	re.do("POST", path, re.admin, "", body, 201, &out)
	if out.UID == "" {
		re.t.Fatalf("POST %s answered no uid", path)
	}
	return out.UID
}

type syncStatusResp struct {
	IsSyncSupported         bool
	Status, Message         string
	LastRunTime, LastSynced string
}

func TestAnOCIRegistrysPacksAreSyncedIntoSearchTagsAndProfiles(t *testing.T) {
	e := newRemoteEnv(t)
	e.fake.set(&regsync.Result{Packs: []regsync.Synced{chart(t, "hello-addon", "1.0.0", "replicas: 1\n", "spectro"), chart(t, "hello-addon", "1.1.0", "replicas: 2\n", "spectro")},
		Skipped: []regsync.Skipped{{Ref: "oci://harbor.example.com/byoos/spectro-packs/archive/broken:0.1.0", Reason: "not a pack archive"}}}, nil)
	uid := e.create("/v1/registries/oci/basic", basicBody("harbor", "harbor.example.com", regPassword))
	e.wait()

	var st syncStatusResp
	e.do("GET", "/v1/registries/oci/"+uid+"/basic/sync/status", e.admin, "", nil, 200, &st)
	if !st.IsSyncSupported || st.Status != "Completed" || !strings.Contains(st.Message, "2 pack versions synced; 1 skipped") || st.LastRunTime == "" {
		t.Errorf("sync status %+v", st)
	}
	var generic syncStatusResp
	e.do("GET", "/v1/registries/oci/"+uid+"/sync/status", e.admin, e.project, nil, 200, &generic)
	if generic.Status != "Completed" || !generic.IsSyncSupported {
		t.Errorf("generic sync status %+v", generic)
	}
	e.do("GET", "/v1/registries/helm/"+uid+"/sync/status", e.admin, "", nil, 404, nil)

	// The pack registry list holds it too, with its endpoint and sync: the
	// provider looks up a pack block's registry_name there (pack type spectro).
	var packRegs struct {
		Items []struct {
			Metadata struct{ Name, UID string }
			Spec     struct{ Endpoint string }
			Status   struct{ PackSyncStatus syncStatusResp }
		}
	}
	e.do("GET", "/v1/registries/pack?limit=50&scope=all", e.admin, e.project, nil, 200, &packRegs)
	listed := false
	for _, it := range packRegs.Items {
		if it.Metadata.UID == uid {
			listed = it.Metadata.Name == "harbor" && it.Spec.Endpoint == "harbor.example.com" && it.Status.PackSyncStatus.Status == "Completed" && it.Status.PackSyncStatus.IsSyncSupported
		}
	}
	if !listed {
		t.Errorf("GET /v1/registries/pack does not list the OCI pack registry with its endpoint and sync: %+v", packRegs.Items)
	}

	var list struct {
		Items []struct {
			Metadata struct{ UID, Version string }
			Spec     struct{ Name, Version, RegistryUID, Type, Values string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.registryUid%3D"+uid+"&limit=50", e.admin, e.project, nil, 200, &list)
	if len(list.Items) != 2 || list.Items[0].Spec.RegistryUID != uid || list.Items[0].Spec.Type != "spectro" || list.Items[0].Spec.Values == "" {
		t.Fatalf("packs of the OCI registry: %+v", list.Items)
	}
	var tags struct {
		RegistryUID string
		Tags        []struct{ Tag, Version, PackUID string }
	}
	e.do("GET", "/v1/packs/hello-addon/registries/"+uid+"?cloudType=all", e.admin, e.project, nil, 200, &tags)
	packUID := ""
	for _, tg := range tags.Tags {
		if tg.Tag == "1.1.0" {
			packUID = tg.PackUID
		}
	}
	if tags.RegistryUID != uid || packUID == "" {
		t.Fatalf("tags %+v", tags)
	}
	profile := map[string]any{
		"metadata": map[string]any{"name": "with-oci-pack"},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "add-on", "cloudType": "all", "packs": []any{
			map[string]any{"name": "hello-addon", "tag": "1.1.0", "type": "spectro", "registryUid": uid, "uid": packUID, "values": "replicas: 2\n", "manifests": []any{}},
		}}},
	}
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, profile, 201, &created)
	if raw := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, nil); !strings.Contains(string(raw), `"packUid":"`+packUID+`"`) {
		t.Errorf("the profile does not hold the OCI registry's pack %s: %s", packUID, raw)
	}

	// A pack cannot be pushed into an OCI registry: its packs come from it.
	status, raw := e.push(e.admin, "", uid, namedPackTGZ(t, "pushed", "addon", "1.0.0", "a: 1\n"))
	if status != http.StatusBadRequest || !strings.Contains(string(raw), "push them there") {
		t.Errorf("push into an OCI registry: %d %s", status, raw)
	}
}

func TestAFailedSyncKeepsThePreviousPacksAndStatusGoesThroughInProgress(t *testing.T) {
	e := newRemoteEnv(t)
	e.fake.set(&regsync.Result{Packs: []regsync.Synced{chart(t, "hello-addon", "1.0.0", "a: 1\n", "spectro")}}, nil)
	uid := e.create("/v1/registries/oci/basic", basicBody("harbor", "harbor.example.com", regPassword))
	e.wait()
	before := e.storedPacks(uid)

	e.fake.mu.Lock()
	e.fake.hold = make(chan struct{})
	e.fake.err = &regsync.Error{Reason: regsync.ReasonUnauthorized, Message: "401 for robot:{password}"}
	hold := e.fake.hold
	e.fake.mu.Unlock()
	e.do("POST", "/v1/registries/oci/"+uid+"/basic/sync", e.admin, "", nil, 202, nil)
	var st syncStatusResp
	for st.Status != "InProgress" { // the sync is held: it reaches InProgress and stays there
		e.do("GET", "/v1/registries/oci/"+uid+"/basic/sync/status", e.admin, "", nil, 200, &st)
		if st.Status != "InProgress" && st.Status != "Completed" {
			t.Fatalf("status while syncing: %+v", st)
		}
	}
	e.fake.mu.Lock()
	e.fake.hold = nil
	e.fake.mu.Unlock()
	close(hold)
	e.wait()
	raw := e.do("GET", "/v1/registries/oci/"+uid+"/basic/sync/status", e.admin, "", nil, 200, &st)
	if st.Status != "Failed" || !strings.HasPrefix(st.Message, "unauthorized: ") || strings.Contains(string(raw), regPassword) {
		t.Errorf("after a failed sync: %s", raw)
	}
	after := e.storedPacks(uid)
	if len(after) != 1 || after[0].UID != before[0].UID {
		t.Errorf("packs after a failed sync %+v, want %+v", after, before)
	}
}

// The Terraform provider resolves registries by name across kinds, so names
// are unique; and the Public Repo's name is the built-in registry's.
func TestRegistryNamesAreUniqueAcrossKinds(t *testing.T) {
	e := newRemoteEnv(t)
	e.registry(e.admin, e.project, "team", "project")
	e.do("POST", "/v1/registries/oci/basic", e.admin, "", basicBody("team", "harbor.example.com", regPassword), 409, nil)
	e.do("POST", "/v1/registries/oci/basic", e.admin, "", basicBody("Public Repo", "harbor.example.com", regPassword), 409, nil)
	e.create("/v1/registries/helm", helmBody("charts", regPassword))
	e.do("POST", "/v1/registries/pack", e.admin, e.project, map[string]any{"metadata": map[string]string{"name": "charts"}}, 409, nil)
	e.do("POST", "/v1/registries/oci/ecr", e.admin, "", ecrBody("charts", regPassword), 409, nil)
}

func TestOnlyTenantAdminKeysChangeOCIAndHelmRegistriesAndOtherTenantsSeeNone(t *testing.T) {
	e := newRemoteEnv(t)
	basic := e.create("/v1/registries/oci/basic", basicBody("harbor", "harbor.example.com", regPassword))
	ecr := e.create("/v1/registries/oci/ecr", ecrBody("ecr", regPassword))
	helm := e.create("/v1/registries/helm", helmBody("charts", regPassword))
	e.wait()
	projAdmin := e.key("project-admin", e.project, store.RoleAdmin)
	reader := e.key("reader", "", store.RoleReadOnly)
	projReader := e.key("project-reader", e.project, store.RoleReadOnly)

	writes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/registries/oci/basic", basicBody("evil", "evil.example.com", "x")},
		{"POST", "/v1/registries/oci/basic/validate", basicBody("evil", "evil.example.com", "x")["spec"]},
		{"PUT", "/v1/registries/oci/" + basic + "/basic", basicBody("harbor", "evil.example.com", "x")},
		{"DELETE", "/v1/registries/oci/" + basic + "/basic", nil},
		{"POST", "/v1/registries/oci/" + basic + "/basic/sync", nil},
		{"POST", "/v1/registries/oci/ecr", ecrBody("evil", "x")},
		{"POST", "/v1/registries/oci/ecr/validate", ecrBody("evil", "x")["spec"]},
		{"PUT", "/v1/registries/oci/" + ecr + "/ecr", ecrBody("ecr", "x")},
		{"DELETE", "/v1/registries/oci/" + ecr + "/ecr", nil},
		{"POST", "/v1/registries/oci/" + ecr + "/ecr/sync", nil},
		{"POST", "/v1/registries/helm", helmBody("evil", "x")},
		{"POST", "/v1/registries/helm/validate", helmBody("evil", "x")["spec"]},
		{"PUT", "/v1/registries/helm/" + helm, helmBody("charts", "x")},
		{"DELETE", "/v1/registries/helm/" + helm, nil},
		{"POST", "/v1/registries/helm/" + helm + "/sync", nil},
	}
	for _, key := range []struct{ name, key, project string }{
		{"a project admin key", projAdmin, e.project}, {"a tenant read-only key", reader, ""}, {"a project read-only key", projReader, e.project},
	} {
		for _, w := range writes {
			t.Run(key.name+" cannot "+w.method+" "+w.path, func(t *testing.T) {
				e.do(w.method, w.path, key.key, key.project, w.body, 403, nil)
			})
		}
	}
	syncs := len(e.fake.sources)
	if syncs != 3 {
		t.Errorf("%d calls reached the registries, want the 3 first syncs", syncs)
	}

	// Every key of the tenant reads them.
	for _, key := range []struct{ key, project string }{{projAdmin, e.project}, {reader, ""}, {projReader, e.project}} {
		e.do("GET", "/v1/registries/oci/"+basic+"/basic", key.key, key.project, nil, 200, nil)
		e.do("GET", "/v1/registries/oci/"+ecr+"/ecr", key.key, key.project, nil, 200, nil)
		e.do("GET", "/v1/registries/helm/"+helm, key.key, key.project, nil, 200, nil)
		var sum struct {
			Items []struct{ Metadata struct{ UID string } }
		}
		e.do("GET", "/v1/registries/oci/summary", key.key, key.project, nil, 200, &sum)
		if len(sum.Items) != 2 {
			t.Errorf("summary for a key: %+v", sum.Items)
		}
	}
	// A basic uid is not an ECR registry, nor a Helm one, and the other way round.
	e.do("GET", "/v1/registries/oci/"+basic+"/ecr", e.admin, "", nil, 404, nil)
	e.do("GET", "/v1/registries/oci/"+ecr+"/basic", e.admin, "", nil, 404, nil)
	e.do("PUT", "/v1/registries/helm/"+basic, e.admin, "", helmBody("harbor", "x"), 404, nil)

	// Another tenant's registry is not found, whatever the route.
	ctx := context.Background()
	globex, err := e.st.EnsureTenant(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	foreign := store.Registry{Name: "foreign", Kind: store.KindOCI, Provider: "basic", ContentType: "pack", TenantUID: globex.UID, Endpoint: "foreign.example.com", AuthType: "noAuth"}
	fh := store.Registry{Name: "foreign-charts", Kind: store.KindHelm, TenantUID: globex.UID, Endpoint: "https://foreign.example.com", AuthType: "noAuth"}
	for _, r := range []*store.Registry{&foreign, &fh} {
		if err := e.st.CreateRegistry(ctx, r, store.AuditEvent{TenantUID: globex.UID, Actor: "test", Action: "registry.create"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, rq := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/registries/oci/" + foreign.UID + "/basic", nil},
		{"GET", "/v1/registries/oci/" + foreign.UID, nil},
		{"GET", "/v1/registries/oci/" + foreign.UID + "/basic/sync/status", nil},
		{"GET", "/v1/registries/oci/" + foreign.UID + "/sync/status", nil},
		{"PUT", "/v1/registries/oci/" + foreign.UID + "/basic", basicBody("foreign", "foreign.example.com", "x")},
		{"DELETE", "/v1/registries/oci/" + foreign.UID + "/basic", nil},
		{"POST", "/v1/registries/oci/" + foreign.UID + "/basic/sync", nil},
		{"GET", "/v1/registries/helm/" + fh.UID, nil},
		{"DELETE", "/v1/registries/helm/" + fh.UID, nil},
	} {
		e.do(rq.method, rq.path, e.admin, "", rq.body, 404, nil)
	}
	var sum struct {
		Items []struct{ Metadata struct{ Name string } }
	}
	e.do("GET", "/v1/registries/oci/summary", e.admin, "", nil, 200, &sum)
	var helms struct {
		Items []struct{ Metadata struct{ Name string } }
	}
	e.do("GET", "/v1/registries/helm", e.admin, "", nil, 200, &helms)
	for _, n := range append(sum.Items, helms.Items...) {
		if strings.HasPrefix(n.Metadata.Name, "foreign") {
			t.Errorf("another tenant's registry %q is listed", n.Metadata.Name)
		}
	}
	// And another tenant's key is not a key here.
	k := store.APIKey{Name: "globex-admin", TenantUID: globex.UID, Role: store.RoleAdmin, Hash: api.HashKey("byoos_globexkey"), Prefix: "byoos_glo"}
	if err := e.st.CreateAPIKey(ctx, &k, store.AuditEvent{TenantUID: globex.UID, Actor: "test", Action: "apikey.create"}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/v1/registries/oci/"+foreign.UID+"/basic", "byoos_globexkey", "", nil, 401, nil)
}

func TestRegistryCredentialsNeverLeaveTheServer(t *testing.T) {
	e := newRemoteEnv(t)
	// Even a registry error that repeats the password does not carry it out.
	e.fake.set(nil, &regsync.Error{Reason: regsync.ReasonUnauthorized, Message: "denied robot/{password}"})
	e.fake.checkErr = &regsync.Error{Reason: regsync.ReasonUnauthorized, Message: "denied robot/{password}"}
	basic := e.create("/v1/registries/oci/basic", basicBody("harbor", "harbor.example.com", regPassword))
	ecr := e.create("/v1/registries/oci/ecr", ecrBody("ecr", regPassword))
	helm := e.create("/v1/registries/helm", helmBody("charts", regPassword))
	token := helmBody("tokens", "")
	token["spec"].(map[string]any)["auth"] = map[string]any{"type": "token", "username": "robot", "token": regPassword}
	tok := e.create("/v1/registries/helm", token)
	e.do("PUT", "/v1/registries/oci/"+basic+"/basic", e.admin, "", basicBody("harbor", "harbor.example.com", regPassword+"-2"), 204, nil)
	raw := e.do("POST", "/v1/registries/oci/basic/validate", e.admin, "", basicBody("x", "harbor.example.com", regPassword)["spec"], 400, nil)
	if !strings.Contains(string(raw), "unauthorized") {
		t.Errorf("validate does not name the reason: %s", raw)
	}
	e.wait()

	var answers []string
	for _, path := range []string{
		"/v1/registries/oci/" + basic + "/basic", "/v1/registries/oci/" + ecr + "/ecr", "/v1/registries/oci/" + basic, "/v1/registries/oci/summary",
		"/v1/registries/helm/" + helm, "/v1/registries/helm/" + tok, "/v1/registries/helm", "/v1/registries/metadata",
		"/v1/registries/oci/" + basic + "/basic/sync/status", "/v1/registries/helm/" + helm + "/sync/status", "/v1/audits",
	} {
		answers = append(answers, path+": "+string(e.do("GET", path, e.admin, "", nil, 200, nil)))
	}
	answers = append(answers, "validate: "+string(raw), "server log: "+e.log.String())
	for _, a := range answers {
		if strings.Contains(a, regPassword) {
			t.Errorf("the password is in %.2000s", a)
		}
	}
	var b struct {
		Spec struct {
			Auth struct{ Type, Username, Password string }
		}
	}
	e.do("GET", "/v1/registries/oci/"+basic+"/basic", e.admin, "", nil, 200, &b)
	if b.Spec.Auth.Password != "********" || b.Spec.Auth.Username != "robot" || b.Spec.Auth.Type != "basic" {
		t.Errorf("GET answers auth %+v, want the mask for the password", b.Spec.Auth)
	}
	e.regs.Close()
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{e.db, e.db + "-wal"} {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(regPassword)) {
			t.Errorf("%s holds the password in clear", f)
		}
	}
}

func TestAnUpdateSendingTheMaskOrNothingKeepsTheStoredPassword(t *testing.T) {
	e := newRemoteEnv(t)
	uid := e.create("/v1/registries/oci/basic", basicBody("harbor", "harbor.example.com", regPassword))
	e.wait()
	sealed := func() string {
		r, err := e.st.GetRegistry(context.Background(), e.regs2tenant(), uid)
		if err != nil {
			t.Fatal(err)
		}
		return r.Secret
	}
	first := sealed()
	for _, pw := range []string{"********", ""} {
		body := basicBody("harbor", "harbor.example.com", pw)
		body["spec"].(map[string]any)["baseContentPath"] = "other" // a change of what is read: a sync
		e.do("PUT", "/v1/registries/oci/"+uid+"/basic", e.admin, "", body, 204, nil)
		e.wait()
		if got := sealed(); got != first {
			t.Errorf("PUT with password %q replaced the stored secret", pw)
		}
		if src := e.fake.last(); src.Password != regPassword || src.BaseContentPath != "other" {
			t.Errorf("after PUT with password %q the sync read %s with another password", pw, src.BaseContentPath)
		}
		body["spec"].(map[string]any)["baseContentPath"] = "byoos"
		e.do("PUT", "/v1/registries/oci/"+uid+"/basic", e.admin, "", body, 204, nil)
		e.wait()
	}
	// A new endpoint needs the password again: a stored one goes nowhere else.
	raw := e.do("PUT", "/v1/registries/oci/"+uid+"/basic", e.admin, "", basicBody("harbor", "attacker.example.com", "********"), 400, nil)
	if !strings.Contains(string(raw), "spec.auth.password") {
		t.Errorf("refusal does not name the field: %s", raw)
	}
}

// regs2tenant is the uid of the server's tenant.
func (re *remoteEnv) regs2tenant() string {
	tn, err := re.st.EnsureTenant(context.Background(), "default")
	if err != nil {
		re.t.Fatal(err)
	}
	return tn.UID
}

func TestAHelmRegistryIsCreatedReadSyncedUpdatedAndDeleted(t *testing.T) {
	e := newRemoteEnv(t)
	e.fake.set(&regsync.Result{Packs: []regsync.Synced{chart(t, "nginx-chart", "15.0.0", "replicaCount: 1\n", "helm")}}, nil)
	uid := e.create("/v1/registries/helm", helmBody("charts", regPassword))
	e.wait()
	var h struct {
		Metadata struct{ Name, UID string }
		Spec     struct {
			Endpoint  string
			IsPrivate bool
			Auth      struct{ Type, Username, Password string }
		}
		Status struct{ HelmSyncStatus syncStatusResp }
	}
	e.do("GET", "/v1/registries/helm/"+uid, e.admin, e.project, nil, 200, &h)
	if h.Metadata.Name != "charts" || h.Spec.Endpoint != "https://charts.example.com/stable" || !h.Spec.IsPrivate || h.Spec.Auth.Type != "basic" ||
		h.Spec.Auth.Username != "robot" || h.Spec.Auth.Password != "********" || h.Status.HelmSyncStatus.Status != "Completed" {
		t.Errorf("GET helm registry %+v", h)
	}
	if src := e.fake.last(); src.Kind != "helm" || src.Endpoint != "https://charts.example.com/stable" || src.Password != regPassword {
		t.Errorf("the sync read %s %s", src.Kind, src.Endpoint)
	}
	var list struct {
		Items []struct {
			Spec struct{ Type, Name string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.registryUid%3D"+uid, e.admin, "", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Spec.Type != "helm" {
		t.Errorf("the chart is listed as %+v, want one pack of type helm", list.Items)
	}
	var all struct {
		Items []struct{ Metadata struct{ Name, UID string } }
	}
	e.do("GET", "/v1/registries/helm", e.admin, "", nil, 200, &all)
	names := map[string]bool{}
	for _, it := range all.Items {
		names[it.Metadata.Name] = true
	}
	if !names["charts"] || !names["Public Repo"] {
		t.Errorf("GET /v1/registries/helm lists %v", names)
	}
	var meta struct {
		Items []struct{ Name, Kind, UID string }
	}
	e.do("GET", "/v1/registries/metadata", e.admin, "", nil, 200, &meta)
	kinds := map[string]string{}
	for _, it := range meta.Items {
		kinds[it.Name] = it.Kind
	}
	if kinds["charts"] != "helm" || kinds["Public Repo"] != "pack" {
		t.Errorf("metadata kinds %v", kinds)
	}
	// The Public Repo still answers here, as the pack data source reads it.
	var pub struct {
		Spec struct{ IsPrivate bool }
	}
	e.do("GET", "/v1/registries/helm/"+api.PublicRepoUID, e.admin, "", nil, 200, &pub)
	var ps syncStatusResp
	e.do("GET", "/v1/registries/pack/"+api.PublicRepoUID+"/sync/status", e.admin, "", nil, 200, &ps)
	if ps.IsSyncSupported {
		t.Errorf("the Public Repo's sync status %+v", ps)
	}

	upd := helmBody("charts", "")
	upd["spec"].(map[string]any)["isPrivate"] = false
	e.do("PUT", "/v1/registries/helm/"+uid, e.admin, "", upd, 204, nil)
	e.do("GET", "/v1/registries/helm/"+uid, e.admin, "", nil, 200, &h)
	if h.Spec.IsPrivate {
		t.Errorf("isPrivate not updated")
	}
	e.do("DELETE", "/v1/registries/helm/"+uid, e.admin, "", nil, 204, nil)
	e.do("GET", "/v1/registries/helm/"+uid, e.admin, "", nil, 404, nil)
	if n := len(e.storedPacks(uid)); n != 0 {
		t.Errorf("%d packs left after the delete", n)
	}
	var audits struct{ Items []auditItem }
	e.do("GET", "/v1/audits", e.admin, "", nil, 200, &audits)
	actions := map[string]bool{}
	for _, a := range audits.Items {
		actions[a.Action] = true
	}
	for _, a := range []string{"registry.create", "registry.sync", "registry.update", "registry.delete"} {
		if !actions[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

func TestValidateAnswersNoContentOrTheReason(t *testing.T) {
	e := newRemoteEnv(t)
	e.do("POST", "/v1/registries/oci/basic/validate", e.admin, "", basicBody("", "harbor.example.com", regPassword)["spec"], 204, nil)
	if src := e.fake.last(); src.Username != "robot" || src.Password != regPassword || src.Endpoint != "harbor.example.com" {
		t.Errorf("the check was given %+v", src.Endpoint)
	}
	for _, reason := range []string{regsync.ReasonTLS, regsync.ReasonUnreachable, regsync.ReasonUnauthorized} {
		e.fake.mu.Lock()
		e.fake.checkErr = &regsync.Error{Reason: reason, Message: "it failed"}
		e.fake.mu.Unlock()
		raw := e.do("POST", "/v1/registries/oci/ecr/validate", e.admin, "", ecrBody("", regPassword)["spec"], 400, nil)
		if !strings.Contains(string(raw), reason+": it failed") {
			t.Errorf("a %s failure answers %s", reason, raw)
		}
	}
	raw := e.do("POST", "/v1/registries/oci/basic/validate", e.admin, "", basicBody("", "https://u:p@harbor.example.com", "x")["spec"], 400, nil)
	if !strings.Contains(string(raw), "spec.endpoint") {
		t.Errorf("a bad endpoint answers %s", raw)
	}
}
