package service_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/wire"
)

// password is the distinctive secret the tests look for where it must not be.
const password = "Zebra-Quartz-7781-secret"

// FakeRegistry is a RegistryClient that answers what the test sets, counts
// the syncs running at once, and can hold syncs until released.
type FakeRegistry struct {
	mu          sync.Mutex
	Result      *regsync.Result
	Err         error
	CheckErr    error
	hold        chan struct{}
	started     chan regsync.Source
	inFlight    map[string]int
	maxPerReg   int
	total, maxT int
	Sources     []regsync.Source
}

func newFake() *FakeRegistry {
	return &FakeRegistry{inFlight: map[string]int{}, started: make(chan regsync.Source, 100)}
}

// Hold makes syncs wait until Release.
func (f *FakeRegistry) Hold() { f.mu.Lock(); f.hold = make(chan struct{}); f.mu.Unlock() }

// Release lets held syncs finish.
func (f *FakeRegistry) Release() { f.mu.Lock(); close(f.hold); f.hold = nil; f.mu.Unlock() }

func (f *FakeRegistry) Check(ctx context.Context, src regsync.Source) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Sources = append(f.Sources, src)
	return f.CheckErr
}

func (f *FakeRegistry) Sync(ctx context.Context, src regsync.Source) (*regsync.Result, error) {
	f.mu.Lock()
	f.Sources = append(f.Sources, src)
	f.inFlight[src.Endpoint]++
	f.total++
	f.maxPerReg = max(f.maxPerReg, f.inFlight[src.Endpoint])
	f.maxT = max(f.maxT, f.total)
	hold, res, err := f.hold, f.Result, f.Err
	f.mu.Unlock()
	f.started <- src
	defer func() {
		f.mu.Lock()
		f.inFlight[src.Endpoint]--
		f.total--
		f.mu.Unlock()
	}()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return res, err
}

// SyncedPack builds a pack read from a registry.
func SyncedPack(t testing.TB, name, version, values string) regsync.Synced {
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
	return regsync.Synced{Ref: "oci://example/" + name + ":" + version, Type: "spectro", Pack: p, Archive: b.Bytes()}
}

type fixture struct {
	t      *testing.T
	st     store.Store
	regs   *service.Registries
	fake   *FakeRegistry
	tenant string
	path   string
	logs   *bytes.Buffer
	ctx    context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "byoos.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	fake := newFake()
	var logs bytes.Buffer
	regs := service.NewRegistries(st, sealer, service.RegistriesConfig{Client: fake, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	t.Cleanup(regs.Close)
	return &fixture{t: t, st: st, regs: regs, fake: fake, tenant: tn.UID, path: path, logs: &logs, ctx: ctx}
}

func (f *fixture) wait() {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second) // a safety net, not an assertion
	defer cancel()
	if err := f.regs.WaitIdle(ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(uid string) store.Registry {
	f.t.Helper()
	r, err := f.st.GetRegistry(f.ctx, f.tenant, uid)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) packs(uid string) map[string]string {
	f.t.Helper()
	vs, err := f.st.FindPacks(f.ctx, store.PackQuery{RegistryUIDs: []string{uid}})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range vs {
		out[v.Name+":"+v.Version] = v.UID
	}
	return out
}

func ociSpec(name, endpoint string) service.RegistrySpec {
	return service.RegistrySpec{Kind: store.KindOCI, Provider: regsync.ProviderBasic, ContentType: "pack", Name: name, Endpoint: endpoint,
		SyncEnabled: true, AuthType: service.AuthBasic, Username: "robot", Secret: secret.String(password), BaseContentPath: "byoos"}
}

var actor = store.AuditEvent{Actor: "key1 (admin)"}

func wantCode(t *testing.T, err error, code, part string) {
	t.Helper()
	var se *service.Error
	if !errors.As(err, &se) || se.Code != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
	if !strings.Contains(se.Message, part) {
		t.Errorf("message %q does not say %q", se.Message, part)
	}
}

func TestRegistrySpecIsCheckedNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*service.RegistrySpec)
		code   string
		part   string
	}{
		{"the Public Repo's name is reserved", func(s *service.RegistrySpec) { s.Name = "Public Repo" }, wire.CodeExists, "built-in"},
		{"an empty name is refused at metadata.name", func(s *service.RegistrySpec) { s.Name = "" }, wire.CodeBadRequest, "metadata.name"},
		{"an endpoint with credentials is refused at spec.endpoint", func(s *service.RegistrySpec) { s.Endpoint = "https://u:p@h.example.com" }, wire.CodeBadRequest, "spec.endpoint"},
		{"basic auth without a user is refused at spec.auth.username", func(s *service.RegistrySpec) { s.Username = "" }, wire.CodeBadRequest, "spec.auth.username"},
		{"basic auth without a password is refused at spec.auth.password", func(s *service.RegistrySpec) { s.Secret = "" }, wire.CodeBadRequest, "spec.auth.password"},
		{"the mask is not a password", func(s *service.RegistrySpec) { s.Secret = secret.Mask }, wire.CodeBadRequest, "spec.auth.password"},
		{"an unknown auth type is refused at spec.auth.type", func(s *service.RegistrySpec) { s.AuthType = "kerberos" }, wire.CodeBadRequest, "spec.auth.type"},
		{"a base content path climbing out is refused", func(s *service.RegistrySpec) { s.BaseContentPath = "a/../b" }, wire.CodeBadRequest, "spec.baseContentPath"},
		{"a private key as CA certificate is refused", func(s *service.RegistrySpec) {
			s.CACert = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"
		}, wire.CodeBadRequest, "spec.auth.tls.certificate"},
		{"zarf content in an ECR registry is refused", func(s *service.RegistrySpec) {
			s.Provider, s.ContentType, s.AuthType = regsync.ProviderECR, "zarf", service.AuthSecret
		}, wire.CodeBadRequest, "zarf"},
		{"an ECR registry with sts needs the role ARN at spec.credentials.sts.arn", func(s *service.RegistrySpec) {
			s.Provider, s.AuthType = regsync.ProviderECR, service.AuthSTS
		}, wire.CodeBadRequest, "spec.credentials.sts.arn"},
		{"a Helm repository needs an https URL", func(s *service.RegistrySpec) { s.Kind, s.Endpoint = store.KindHelm, "charts.example.com" }, wire.CodeBadRequest, "https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			spec := ociSpec("harbor", "harbor.example.com")
			tc.change(&spec)
			_, err := f.regs.Create(f.ctx, f.tenant, spec, actor)
			wantCode(t, err, tc.code, tc.part)
			if err != nil && strings.Contains(err.Error(), password) {
				t.Errorf("the error repeats the password: %v", err)
			}
			regs, _ := f.st.ListRegistries(f.ctx, f.tenant, "")
			if len(regs) != 0 {
				t.Errorf("a registry was stored: %+v", regs)
			}
		})
	}
}

func TestACreatedRegistryIsSyncedAndItsSecretIsSealed(t *testing.T) {
	f := newFixture(t)
	f.fake.Result = &regsync.Result{Packs: []regsync.Synced{SyncedPack(t, "nginx", "1.0.0", "replicas: 1\n"), SyncedPack(t, "nginx", "1.1.0", "replicas: 2\n")},
		Skipped: []regsync.Skipped{{Ref: "oci://example/broken:0.1", Reason: "not a pack archive"}}}
	r, err := f.regs.Create(f.ctx, f.tenant, ociSpec("harbor", "https://harbor.example.com/"), actor)
	if err != nil {
		t.Fatal(err)
	}
	if r.Secret != secret.Mask || r.Sync.Status != store.SyncPending {
		t.Errorf("Create answered secret %q and status %q, want the mask and Pending", r.Secret, r.Sync.Status)
	}
	f.wait()
	got := f.get(r.UID)
	if got.Sync.Status != store.SyncCompleted || !strings.Contains(got.Sync.Message, "2 pack versions synced; 1 skipped: oci://example/broken:0.1 (not a pack archive)") {
		t.Errorf("sync state %+v", got.Sync)
	}
	if got.Sync.LastRun == nil || got.Sync.LastSynced == nil {
		t.Errorf("sync times not set: %+v", got.Sync)
	}
	if len(f.packs(r.UID)) != 2 {
		t.Errorf("packs %v, want 2", f.packs(r.UID))
	}
	if !secret.IsSealed(got.Secret) || strings.Contains(got.Secret, password) {
		t.Errorf("stored secret %q is not sealed", got.Secret)
	}
	src := f.fake.Sources[0]
	if src.Password != password || src.Username != "robot" || src.Endpoint != "https://harbor.example.com" || src.BaseContentPath != "byoos" {
		t.Errorf("sync read %+v", src)
	}
	evs, _ := f.st.ListAudit(f.ctx, store.AuditQuery{TenantUID: f.tenant})
	if len(evs) < 2 || evs[0].Action != "registry.sync" || evs[1].Action != "registry.create" || !strings.Contains(evs[0].Summary, "2 pack versions") {
		t.Errorf("audit %+v", evs)
	}
	f.regs.Close()
	f.st.Close()
	for _, file := range []string{f.path, f.path + "-wal"} {
		raw, _ := os.ReadFile(file)
		if bytes.Contains(raw, []byte(password)) {
			t.Errorf("%s holds the password in clear", file)
		}
	}
	if strings.Contains(f.logs.String(), password) {
		t.Errorf("the log holds the password: %s", f.logs)
	}
}

func TestSyncStatusIsInProgressWhileRunningAndAFailedSyncKeepsThePreviousPacks(t *testing.T) {
	f := newFixture(t)
	f.fake.Result = &regsync.Result{Packs: []regsync.Synced{SyncedPack(t, "nginx", "1.0.0", "a: 1\n")}}
	r, err := f.regs.Create(f.ctx, f.tenant, ociSpec("harbor", "harbor.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	f.wait()
	before := f.packs(r.UID)
	f.fake.Hold()
	f.fake.Err = &regsync.Error{Reason: regsync.ReasonUnauthorized, Message: "the registry refused user robot with password " + password}
	if err := f.regs.SyncNow(f.ctx, f.tenant, store.KindOCI, "", r.UID, "key1 (admin)"); err != nil {
		t.Fatal(err)
	}
	<-f.fake.started
	<-f.fake.started // the first sync's start, then this one's
	if got := f.get(r.UID).Sync; got.Status != store.SyncInProgress || got.LastSynced == nil {
		t.Errorf("while running: %+v, want InProgress keeping the last synced time", got)
	}
	f.fake.Release()
	f.wait()
	got := f.get(r.UID)
	if got.Sync.Status != store.SyncFailed || !strings.HasPrefix(got.Sync.Message, "unauthorized: ") || strings.Contains(got.Sync.Message, password) {
		t.Errorf("after a failed sync: %+v", got.Sync)
	}
	if after := f.packs(r.UID); len(after) != 1 || after["nginx:1.0.0"] != before["nginx:1.0.0"] {
		t.Errorf("packs after a failed sync %v, want %v", after, before)
	}
	evs, _ := f.st.ListAudit(f.ctx, store.AuditQuery{TenantUID: f.tenant})
	if evs[0].Action != "registry.sync" || !strings.HasPrefix(evs[0].Summary, "failed: unauthorized") || strings.Contains(evs[0].Summary, password) {
		t.Errorf("audit of the failed sync %+v", evs[0])
	}
	if strings.Contains(f.logs.String(), password) {
		t.Errorf("the log holds the password")
	}
}

func TestSyncsRunOneAtATimePerRegistryAndTwoAtOnceInAll(t *testing.T) {
	f := newFixture(t)
	f.fake.Result = &regsync.Result{}
	f.fake.Hold()
	var uids []string
	for _, name := range []string{"a", "b", "c"} {
		r, err := f.regs.Create(f.ctx, f.tenant, ociSpec(name, name+".example.com"), actor)
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, r.UID)
	}
	<-f.fake.started
	<-f.fake.started
	for range 3 { // asked again while running or queued: one more run each, after the running one
		for _, uid := range uids {
			if err := f.regs.SyncNow(f.ctx, f.tenant, store.KindOCI, regsync.ProviderBasic, uid, "k"); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.fake.Release()
	f.wait()
	f.fake.mu.Lock()
	defer f.fake.mu.Unlock()
	if f.fake.maxPerReg != 1 || f.fake.maxT != 2 {
		t.Errorf("at most %d syncs of one registry and %d in all ran at once, want 1 and 2", f.fake.maxPerReg, f.fake.maxT)
	}
	if n := len(f.fake.Sources); n != 6 {
		t.Errorf("%d syncs ran, want 6 (a first one and one more for each registry)", n)
	}
}

func TestCloseStopsARunningSyncAndRecordsTheInterruption(t *testing.T) {
	f := newFixture(t)
	f.fake.Hold()
	r, err := f.regs.Create(f.ctx, f.tenant, ociSpec("harbor", "harbor.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	<-f.fake.started
	f.regs.Close()
	got := f.get(r.UID).Sync
	if got.Status != store.SyncFailed || !strings.Contains(got.Message, "interrupted") {
		t.Errorf("after Close: %+v", got)
	}
	if f.regs.Trigger(f.tenant, r.UID, "k") {
		t.Error("Trigger after Close started a sync")
	}
}

func TestUpdateKeepsTheStoredSecretWhenTheMaskComesBack(t *testing.T) {
	f := newFixture(t)
	f.fake.Result = &regsync.Result{}
	r, err := f.regs.Create(f.ctx, f.tenant, ociSpec("harbor", "harbor.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	f.wait()
	sealed := f.get(r.UID).Secret
	syncs := len(f.fake.Sources)

	spec := ociSpec("harbor", "harbor.example.com")
	spec.Secret = secret.Mask
	if _, err := f.regs.Update(f.ctx, f.tenant, store.KindOCI, regsync.ProviderBasic, r.UID, spec, actor); err != nil {
		t.Fatal(err)
	}
	f.wait()
	if got := f.get(r.UID).Secret; got != sealed {
		t.Errorf("the mask replaced the secret: %q", got)
	}
	spec.Secret = password // the same password again, as the provider sends it
	if _, err := f.regs.Update(f.ctx, f.tenant, store.KindOCI, "", r.UID, spec, actor); err != nil {
		t.Fatal(err)
	}
	f.wait()
	if n := len(f.fake.Sources); n != syncs {
		t.Errorf("an update changing nothing read started %d syncs", n-syncs)
	}

	spec.Endpoint, spec.Secret = "elsewhere.example.com", ""
	_, err = f.regs.Update(f.ctx, f.tenant, store.KindOCI, "", r.UID, spec, actor)
	wantCode(t, err, wire.CodeBadRequest, "the endpoint changed")

	spec.Secret = "new-" + password
	if _, err := f.regs.Update(f.ctx, f.tenant, store.KindOCI, "", r.UID, spec, actor); err != nil {
		t.Fatal(err)
	}
	f.wait()
	last := f.fake.Sources[len(f.fake.Sources)-1]
	if last.Endpoint != "elsewhere.example.com" || last.Password != "new-"+password {
		t.Errorf("after a new endpoint and password the sync read %s", last.Endpoint)
	}
	_, err = f.regs.Update(f.ctx, f.tenant, store.KindHelm, "", r.UID, spec, actor)
	wantCode(t, err, wire.CodeNotFound, "not found")
	_, err = f.regs.Update(f.ctx, f.tenant, store.KindOCI, regsync.ProviderECR, r.UID, spec, actor)
	wantCode(t, err, wire.CodeNotFound, "not found")
}

func TestRegistryNamesAreUniqueAcrossKindsAndProjects(t *testing.T) {
	f := newFixture(t)
	p := store.Project{TenantUID: f.tenant, Name: "web"}
	if err := f.st.CreateProject(f.ctx, &p, actor); err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateRegistry(f.ctx, &store.Registry{Name: "team", Kind: store.KindPack, TenantUID: f.tenant, ProjectUID: p.UID}, actor); err != nil {
		t.Fatal(err)
	}
	_, err := f.regs.Create(f.ctx, f.tenant, ociSpec("team", "harbor.example.com"), actor)
	wantCode(t, err, wire.CodeExists, "unique across")
	helm := service.RegistrySpec{Kind: store.KindHelm, Name: "charts", Endpoint: "https://charts.example.com"}
	if _, err := f.regs.Create(f.ctx, f.tenant, helm, actor); err != nil {
		t.Fatal(err)
	}
	taken, err := f.regs.RemoteNameTaken(f.ctx, f.tenant, "charts")
	if err != nil || !taken {
		t.Errorf("RemoteNameTaken(charts) = %v, %v", taken, err)
	}
}

func TestValidateNamesTheReasonWithoutTheSecret(t *testing.T) {
	f := newFixture(t)
	f.fake.CheckErr = &regsync.Error{Reason: regsync.ReasonTLS, Message: "x509: certificate signed by unknown authority (password " + password + ")"}
	err := f.regs.Validate(f.ctx, ociSpec("", "harbor.example.com"))
	wantCode(t, err, wire.CodeBadRequest, "tls: x509")
	if strings.Contains(err.Error(), password) {
		t.Errorf("the error repeats the password: %v", err)
	}
	f.fake.CheckErr = nil
	if err := f.regs.Validate(f.ctx, ociSpec("", "harbor.example.com")); err != nil {
		t.Errorf("Validate of a good registry: %v", err)
	}
	if got := f.fake.Sources[len(f.fake.Sources)-1]; got.Password != password || got.Username != "robot" {
		t.Errorf("Check was given %s / %q", got.Username, got.Password)
	}
}

func TestTheScheduleResumesInterruptedSyncsAtOnceAndSyncsEveryRegistryEachInterval(t *testing.T) {
	f := newFixture(t)
	f.fake.Result = &regsync.Result{}
	a, err := f.regs.Create(f.ctx, f.tenant, ociSpec("a", "a.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.regs.Create(f.ctx, f.tenant, ociSpec("b", "b.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	helmOnly := ociSpec("not-synced", "c.example.com")
	helmOnly.ContentType = "helm"
	if _, err := f.regs.Create(f.ctx, f.tenant, helmOnly, actor); err != nil {
		t.Fatal(err)
	}
	f.wait()
	for range 2 {
		<-f.fake.started
	}
	// a's server stopped in the middle of a sync.
	if err := f.st.SetRegistrySync(f.ctx, f.tenant, a.UID, store.RegistrySync{Status: store.SyncInProgress}, nil); err != nil {
		t.Fatal(err)
	}
	f.regs.Schedule(f.ctx, f.tenant, 0) // no interval: resumes, then returns
	f.wait()
	if src := <-f.fake.started; src.Endpoint != "a.example.com" {
		t.Errorf("resumed %s, want a.example.com", src.Endpoint)
	}
	if got := f.get(a.UID).Sync.Status; got != store.SyncCompleted {
		t.Errorf("a after resuming: %s", got)
	}
	if n := len(f.fake.Sources); n != 3 {
		t.Fatalf("%d syncs, want 3 (b completed and the helm-content registry is not synced)", n)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { f.regs.Schedule(ctx, f.tenant, time.Millisecond); close(done) }()
	seen := map[string]bool{}
	for !seen["a.example.com"] || !seen["b.example.com"] {
		seen[(<-f.fake.started).Endpoint] = true
	}
	cancel()
	<-done
	f.wait()
	if seen["c.example.com"] || f.get(b.UID).Sync.Status != store.SyncCompleted {
		t.Errorf("scheduled syncs: %v, b %s", seen, f.get(b.UID).Sync.Status)
	}
}

// selfSignedPEM returns a CA certificate as PEM.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Terraform compares the certificate it reads back with its configuration
// byte for byte: trimming its final newline made every plan show a change.
func TestARegistrysCertificateIsKeptAsWritten(t *testing.T) {
	f := newFixture(t)
	cert := selfSignedPEM(t)
	for i, text := range []string{cert, strings.TrimSpace(cert), cert + "\n  \n"} {
		spec := ociSpec(fmt.Sprintf("harbor-%d", i), "harbor.example.com")
		spec.CACert = text
		r, err := f.regs.Create(f.ctx, f.tenant, spec, actor)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.get(r.UID).CACert; got != text {
			t.Errorf("certificate %d stored as %q, want %q as written", i, got, text)
		}
	}
	f.wait()
}

// An ECR registry with sts credentials reaches regsync as the role to
// assume with its external id, and no key of its own; with a secret, as its
// access key and secret key.
func TestECRCredentialsReachTheSyncAsTheirType(t *testing.T) {
	f := newFixture(t)
	sts := ociSpec("ecr-sts", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
	sts.Provider, sts.AuthType, sts.Username, sts.Secret = regsync.ProviderECR, service.AuthSTS, "", ""
	sts.STSARN, sts.STSExternalID = "arn:aws:iam::123456789012:role/byoos-ecr", "ext-42"
	if err := f.regs.Validate(f.ctx, sts); err != nil {
		t.Fatalf("validating an sts registry: %v", err)
	}
	keyed := ociSpec("ecr-key", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
	keyed.Provider, keyed.AuthType, keyed.Username = regsync.ProviderECR, service.AuthSecret, "AKIAEXAMPLE"
	if _, err := f.regs.Create(f.ctx, f.tenant, keyed, actor); err != nil {
		t.Fatal(err)
	}
	f.wait()
	f.fake.mu.Lock()
	defer f.fake.mu.Unlock()
	if len(f.fake.Sources) != 2 {
		t.Fatalf("the fake saw %d sources, want a check and a sync", len(f.fake.Sources))
	}
	got, want := f.fake.Sources[0], regsync.Source{Kind: store.KindOCI, Provider: regsync.ProviderECR, Endpoint: sts.Endpoint, BaseContentPath: "byoos",
		Region: "eu-west-1", RoleARN: sts.STSARN, ExternalID: sts.STSExternalID}
	if got != want {
		t.Errorf("the sts check reached regsync as\n%+v, want\n%+v", got, want)
	}
	if s := f.fake.Sources[1]; s.Username != "AKIAEXAMPLE" || s.Password != password || s.RoleARN != "" {
		t.Errorf("the keyed sync reached regsync as %+v", s)
	}
}
