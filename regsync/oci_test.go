package regsync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/regsync/regtest"
)

// wrongPassword is a password no registry accepts, distinctive enough to be
// found in any message that leaks it.
const wrongPassword = "Wr0ng-Distinctive-Passw0rd-7f3a9c"

// refs returns the refs of what a sync read, sorted.
func refs(res *regsync.Result) []string {
	var out []string
	for _, p := range res.Packs {
		out = append(out, p.Ref)
	}
	slices.Sort(out)
	return out
}

// skippedReason returns the reason ref was skipped, or "".
func skippedReason(res *regsync.Result, ref string) string {
	for _, s := range res.Skipped {
		if s.Ref == ref {
			return s.Reason
		}
	}
	return ""
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSyncReadsThePackArchivesUnderTheBasePath(t *testing.T) {
	reg := regtest.StartRegistry(t)
	for _, p := range []struct{ base, name, version string }{
		{"acme/packs", "nginx", "1.0.0"},
		{"acme/packs", "nginx", "1.10.0"},
		{"acme/packs", "nginx", "1.9.0"},
		{"acme/packs", "redis", "7.2.4"},
		{"", "rootpack", "1.0.0"},
		{"other", "nginx", "9.0.0"},
	} {
		regtest.PushPack(t, reg, p.base, p.name, p.version, regtest.GoodPack(t, p.name, p.version))
	}
	host := reg.Host
	tests := []struct {
		name string
		base string
		lim  regsync.Limits
		want []string
	}{
		{"every version of every pack under the base path is read, and nothing outside it", "acme/packs", regsync.Limits{},
			[]string{host + "/acme/packs/spectro-packs/archive/nginx:1.0.0", host + "/acme/packs/spectro-packs/archive/nginx:1.10.0", host + "/acme/packs/spectro-packs/archive/nginx:1.9.0", host + "/acme/packs/spectro-packs/archive/redis:7.2.4"}},
		{"slashes around the base path do not matter", "/acme/packs/", regsync.Limits{},
			[]string{host + "/acme/packs/spectro-packs/archive/nginx:1.0.0", host + "/acme/packs/spectro-packs/archive/nginx:1.10.0", host + "/acme/packs/spectro-packs/archive/nginx:1.9.0", host + "/acme/packs/spectro-packs/archive/redis:7.2.4"}},
		{"an empty base path reads the packs at the registry's root only", "", regsync.Limits{},
			[]string{host + "/spectro-packs/archive/rootpack:1.0.0"}},
		{"only the newest versions of each pack are kept, by version order not text order", "acme/packs", regsync.Limits{MaxVersionsPerPack: 2},
			[]string{host + "/acme/packs/spectro-packs/archive/nginx:1.10.0", host + "/acme/packs/spectro-packs/archive/nginx:1.9.0", host + "/acme/packs/spectro-packs/archive/redis:7.2.4"}},
		{"a base path that holds nothing reads nothing", "nothing/here", regsync.Limits{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := regsync.Sync(context.Background(), reg.Source(tc.base), regsync.Options{Limits: tc.lim})
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(res); !slices.Equal(got, tc.want) {
				t.Fatalf("synced %q, want %q (skipped %+v)", got, tc.want, res.Skipped)
			}
			for _, p := range res.Packs {
				if p.Type != "spectro" || p.Pack == nil || !strings.HasSuffix(p.Ref, "/"+p.Pack.Meta.Name+":"+p.Pack.Meta.Version) {
					t.Errorf("%s: type %q, pack %v", p.Ref, p.Type, p.Pack)
				}
				again, _, err := pack.LoadTarball(bytes.NewReader(p.Archive))
				if err != nil || again.Digest != p.Pack.Digest {
					t.Errorf("%s: the archive does not load back to the same pack: %v", p.Ref, err)
				}
			}
		})
	}
}

func TestSyncSkipsWhatIsNotAPackAndStillReadsTheRest(t *testing.T) {
	reg := regtest.StartRegistry(t)
	const base = "mixed"
	files := func(name, version string, change func(map[string]string)) []byte {
		f := regtest.PackFiles(name, version)
		change(f)
		return regtest.PackArchive(t, name, version, f)
	}
	good := func(name, version string) []byte { return regtest.GoodPack(t, name, version) }
	oversized := files("big", "1.0.0", func(f map[string]string) {
		f["README.md"] = base64.StdEncoding.EncodeToString(randomBytes(t, 96<<10))
	})
	push := func(name, version string, a regtest.Artifact) {
		regtest.PushArtifact(t, reg, regtest.ArchiveRepo(base, name), version, a)
	}
	regtest.PushPack(t, reg, base, "good", "1.0.0", good("good", "1.0.0"))
	regtest.PushPack(t, reg, base, "notgzip", "1.0.0", []byte("this is not a gzip archive"))
	regtest.PushPack(t, reg, base, "nometa", "1.0.0", files("nometa", "1.0.0", func(f map[string]string) { delete(f, "pack.json") }))
	regtest.PushPack(t, reg, base, "misnamed", "1.0.0", good("othername", "1.0.0"))
	regtest.PushPack(t, reg, base, "wrongversion", "1.0.0", good("wrongversion", "1.0.1"))
	regtest.PushPack(t, reg, base, "badvalues", "1.0.0", files("badvalues", "1.0.0", func(f map[string]string) { f["values.yaml"] = "a: [\n" }))
	regtest.PushPack(t, reg, base, "big", "1.0.0", oversized)
	regtest.PushPack(t, reg, base, "good", "latest", good("good", "1.0.0"))
	push("twoarchives", "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Title: "a.tar.gz", Data: good("twoarchives", "1.0.0")}, {Title: "b.tgz", Data: good("twoarchives", "1.0.0")}}})
	push("notitles", "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Data: []byte("x")}, {Data: []byte("y")}}})
	push("image", "1.0.0", regtest.Artifact{ConfigMediaType: "application/vnd.oci.image.config.v1+json", Config: []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`),
		Layers: []regtest.Layer{{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Data: good("image", "1.0.0")}}})
	push("oras10", "2.0.0", regtest.Artifact{ConfigMediaType: regtest.UnknownConfig, Layers: []regtest.Layer{{Title: "oras10-2.0.0.tar.gz", Data: good("oras10", "2.0.0")}}})
	push("untitled", "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Data: good("untitled", "1.0.0")}}})
	push("withreadme", "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Title: "README.md", Data: []byte("# hi")}, {Title: "withreadme-1.0.0.tgz", Data: good("withreadme", "1.0.0")}}})

	res, err := regsync.Sync(context.Background(), reg.Source(base), regsync.Options{Limits: regsync.Limits{MaxArchiveBytes: 64 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	repo := reg.Host + "/" + base + "/spectro-packs/archive/"
	for _, s := range res.Skipped {
		t.Logf("skipped %s: %s", s.Ref, s.Reason)
	}
	wantSynced := []string{repo + "good:1.0.0", repo + "oras10:2.0.0", repo + "untitled:1.0.0", repo + "withreadme:1.0.0"}
	if got := refs(res); !slices.Equal(got, wantSynced) {
		t.Fatalf("synced %q, want %q; skipped %+v", got, wantSynced, res.Skipped)
	}
	tests := []struct {
		name, ref, reason string
	}{
		{"an archive that is not gzip is skipped", "notgzip:1.0.0", "gzip"},
		{"an archive without pack.json is skipped", "nometa:1.0.0", "no pack.json"},
		{"a pack whose pack.json names another pack is skipped", "misnamed:1.0.0", `names the pack "othername", but it is stored as "misnamed"`},
		{"a pack whose version is not its tag is skipped", "wrongversion:1.0.0", `gives version "1.0.1", but it is stored as "1.0.0"`},
		{"a pack with errors is skipped with its first error", "badvalues:1.0.0", "values.yaml"},
		{"an archive over the size limit is skipped", "big:1.0.0", "limit: the archive is"},
		{"a tag that is not a version is skipped", "good:latest", "not a pack version"},
		{"a manifest with two archives is skipped", "twoarchives:1.0.0", "2 layers are .tar.gz archives"},
		{"a manifest of several untitled layers is skipped", "notitles:1.0.0", "none of its 2 layers"},
		{"a container image is skipped", "image:1.0.0", "container image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := skippedReason(res, repo+tc.ref)
			if !strings.Contains(got, tc.reason) {
				t.Fatalf("skipped reason %q, want it to contain %q (all skipped: %+v)", got, tc.reason, res.Skipped)
			}
		})
	}
	if len(res.Skipped) != len(tests) {
		t.Errorf("skipped %d, want %d: %+v", len(res.Skipped), len(tests), res.Skipped)
	}
}

func TestSyncStaysWithinMaxPacks(t *testing.T) {
	reg := regtest.StartRegistry(t)
	for _, n := range []string{"a", "b", "c"} {
		for _, v := range []string{"1.0.0", "2.0.0"} {
			regtest.PushPack(t, reg, "lim", n, v, regtest.GoodPack(t, n, v))
		}
	}
	tests := []struct {
		name     string
		maxPacks int
		synced   int
	}{
		{"a limit below the number of versions reads that many and says the rest was not read", 3, 3},
		{"a limit of one reads one version", 1, 1},
		{"a limit above the number of versions reads them all", 100, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := regsync.Sync(context.Background(), reg.Source("lim"), regsync.Options{Limits: regsync.Limits{MaxPacks: tc.maxPacks}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Packs) != tc.synced {
				t.Fatalf("synced %d, want %d: %q", len(res.Packs), tc.synced, refs(res))
			}
			limited := false
			for _, s := range res.Skipped {
				limited = limited || strings.HasPrefix(s.Reason, "limit:")
			}
			if limited != (tc.synced < 6) {
				t.Fatalf("a limit reason among the skipped is %v, want %v: %+v", limited, tc.synced < 6, res.Skipped)
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// otherCA returns the CA certificate of another test server, which did not
// sign the registry's certificate.
func otherCA(t *testing.T) string { return regtest.StartHelmRepo(t).CACertPEM }

func TestCheckOCIRegistry(t *testing.T) {
	reg := regtest.StartRegistry(t)
	regtest.PushPack(t, reg, "", "nginx", "1.0.0", regtest.GoodPack(t, "nginx", "1.0.0"))
	src := reg.Source("")
	with := func(change func(*regsync.Source)) regsync.Source { s := src; change(&s); return s }
	tests := []struct {
		name   string
		src    regsync.Source
		lim    regsync.Limits
		reason string // "" for success
	}{
		{"the right credentials and CA are accepted", src, regsync.Limits{}, ""},
		{"an https:// prefix on the endpoint is accepted", with(func(s *regsync.Source) { s.Endpoint = "https://" + s.Endpoint + "/" }), regsync.Limits{}, ""},
		{"a wrong password is unauthorized", with(func(s *regsync.Source) { s.Password = wrongPassword }), regsync.Limits{}, regsync.ReasonUnauthorized},
		{"no credentials are unauthorized", with(func(s *regsync.Source) { s.Username, s.Password = "", "" }), regsync.Limits{}, regsync.ReasonUnauthorized},
		{"a registry whose CA is not given is not trusted", with(func(s *regsync.Source) { s.CACert = "" }), regsync.Limits{}, regsync.ReasonTLS},
		{"a registry signed by another CA than the one given is not trusted", with(func(s *regsync.Source) { s.CACert = otherCA(t) }), regsync.Limits{}, regsync.ReasonTLS},
		{"a CA certificate that is not PEM is refused", with(func(s *regsync.Source) { s.CACert = "not a certificate" }), regsync.Limits{}, regsync.ReasonTLS},
		{"verification turned off accepts an untrusted certificate", with(func(s *regsync.Source) { s.CACert, s.InsecureSkipVerify = "", true }), regsync.Limits{}, ""},
		{"a port nothing listens on is unreachable", with(func(s *regsync.Source) { s.Endpoint = closedPort(t) }), regsync.Limits{}, regsync.ReasonUnreachable},
		{"a server that never answers is unreachable within the time limit", with(func(s *regsync.Source) { s.Endpoint = silentServer(t) }), regsync.Limits{Timeout: 500 * time.Millisecond}, regsync.ReasonUnreachable},
		{"a plain http endpoint is refused", with(func(s *regsync.Source) { s.Endpoint = "http://" + s.Endpoint }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"an endpoint with a path is refused", with(func(s *regsync.Source) { s.Endpoint += "/v2/packs" }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"an endpoint with credentials in it is refused", with(func(s *regsync.Source) { s.Endpoint = "user:" + wrongPassword + "@" + s.Endpoint }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"an empty endpoint is refused", with(func(s *regsync.Source) { s.Endpoint = "" }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"a base content path that is not a repository path is refused", with(func(s *regsync.Source) { s.BaseContentPath = "Has Spaces" }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"an ECR registry whose host names no region, with no region given, is refused", with(func(s *regsync.Source) { s.Provider = regsync.ProviderECR }), regsync.Limits{}, regsync.ReasonBadEndpoint},
		{"an unknown kind is refused", with(func(s *regsync.Source) { s.Kind = "ftp" }), regsync.Limits{}, regsync.ReasonBadEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range []string{"check", "sync"} {
				var err error
				if op == "check" {
					err = regsync.Check(context.Background(), tc.src, regsync.Options{Limits: tc.lim})
				} else {
					_, err = regsync.Sync(context.Background(), tc.src, regsync.Options{Limits: tc.lim})
				}
				if got := regsync.ReasonOf(err); got != tc.reason {
					t.Fatalf("%s: reason %q (%v), want %q", op, got, err, tc.reason)
				}
				if err == nil {
					continue
				}
				t.Logf("%s: %v", op, err)
				var e *regsync.Error
				if !errors.As(err, &e) || e.Message == "" {
					t.Fatalf("%s: %T %v is not a *regsync.Error with a message", op, err, err)
				}
				assertNoSecret(t, err, tc.src)
			}
		})
	}
}

// assertNoSecret fails when err, or anything it wraps, shows the password.
func assertNoSecret(t *testing.T, err error, src regsync.Source) {
	t.Helper()
	if src.Password == "" {
		return
	}
	forms := []string{src.Password, base64.StdEncoding.EncodeToString([]byte(src.Username + ":" + src.Password))}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			for _, f := range forms {
				if strings.Contains(text, f) {
					t.Fatalf("the error shows the password (or its base64): %s", text)
				}
			}
		}
	}
}

// A password in the endpoint must not be echoed back either.
func TestErrorsNeverShowThePassword(t *testing.T) {
	pw := "Sup3r-" + hex.EncodeToString(randomBytes(t, 8))
	tests := []struct {
		name string
		src  regsync.Source
	}{
		{"an unknown provider equal to the password", regsync.Source{Kind: regsync.KindOCI, Provider: pw, Endpoint: "127.0.0.1:1", Password: pw}},
		{"an endpoint holding the password", regsync.Source{Kind: regsync.KindOCI, Endpoint: "https://u:" + pw + "@127.0.0.1:1", Password: pw}},
		{"a Helm endpoint holding the password in its path", regsync.Source{Kind: regsync.KindHelm, Endpoint: "https://" + closedPort(t) + "/" + pw, Username: "u", Password: pw}},
		{"a Helm endpoint holding the password in user info", regsync.Source{Kind: regsync.KindHelm, Endpoint: "https://u:" + pw + "@127.0.0.1:1/", Password: pw}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := regsync.Check(context.Background(), tc.src, regsync.Options{})
			if err == nil {
				t.Fatal("no error")
			}
			assertNoSecret(t, err, tc.src)
		})
	}
}

func TestSyncFollowsCatalogAndTagPages(t *testing.T) {
	reg := regtest.StartRegistry(t)
	var want []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
			regtest.PushPack(t, reg, "pg", n, v, regtest.GoodPack(t, n, v))
			want = append(want, reg.Host+"/pg/spectro-packs/archive/"+n+":"+v)
		}
	}
	// Repositories around the prefix, in both plain and "/"-first order.
	for _, repo := range []string{"aaa/x", "zzz/y", "pg/spectro-packs/archive-other/q", "pg-x/spectro-packs/archive/n", "pg/spectro-packs/archive/nested/deeper"} {
		regtest.PushArtifact(t, reg, repo, "1.0.0", regtest.Artifact{Layers: []regtest.Layer{{Title: "n-1.0.0.tar.gz", Data: regtest.GoodPack(t, "n", "1.0.0")}}})
	}
	slices.Sort(want)
	tests := []struct {
		name     string
		pageSize int
	}{
		{"pages of two repositories and tags are followed to the end", 2},
		{"pages of one are followed to the end", 1},
		{"one page holding everything reads the same", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := regsync.Sync(context.Background(), reg.Source("pg"), regsync.Options{PageSize: tc.pageSize})
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(res); !slices.Equal(got, want) || len(res.Skipped) != 0 {
				t.Fatalf("synced %q, want %q; skipped %+v", got, want, res.Skipped)
			}
		})
	}
}
