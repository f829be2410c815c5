package regtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media types oras uses.
const (
	// OCIManifest is the manifest media type oras 1.x pushes.
	OCIManifest = "application/vnd.oci.image.manifest.v1+json"
	// EmptyConfig is the config media type of oras 1.1 and later.
	EmptyConfig = "application/vnd.oci.empty.v1+json"
	// UnknownConfig is the config media type of oras 1.0.
	UnknownConfig = "application/vnd.unknown.config.v1+json"
	// UnknownArtifact is the artifactType oras 1.1 and later set when none is given.
	UnknownArtifact = "application/vnd.unknown.artifact.v1"
	// TarLayer is the layer media type oras gives a file by default.
	TarLayer = "application/vnd.oci.image.layer.v1.tar"
	// TitleAnnotation names a layer's file.
	TitleAnnotation = "org.opencontainers.image.title"
)

// Layer is one layer of an artifact.
type Layer struct {
	// MediaType defaults to TarLayer.
	MediaType string
	// Title is the org.opencontainers.image.title annotation; "" sets none.
	Title string
	Data  []byte
}

// Artifact is what PushArtifact pushes: an OCI image manifest with a
// config and layers.
type Artifact struct {
	// ConfigMediaType defaults to EmptyConfig.
	ConfigMediaType string
	// Config is the config blob; nil means {}.
	Config []byte
	// ArtifactType is the manifest's artifactType; with the default config
	// it defaults to UnknownArtifact, as oras 1.1 sets it.
	ArtifactType string
	Layers       []Layer
}

// ArchiveRepo returns the repository of a pack archive:
// [BASE/]spectro-packs/archive/NAME (base trimmed of slashes).
func ArchiveRepo(base, name string) string {
	if base = strings.Trim(base, "/"); base != "" {
		return base + "/spectro-packs/archive/" + name
	}
	return "spectro-packs/archive/" + name
}

// PushPack pushes a pack archive as
// `oras push HOST/BASE/spectro-packs/archive/NAME:VERSION NAME-VERSION.tar.gz`
// does (oras 1.1 and later): an OCI image manifest with an empty config and
// one layer of media type TarLayer titled NAME-VERSION.tar.gz.
func PushPack(t testing.TB, reg *Registry, base, name, version string, tgz []byte) {
	t.Helper()
	PushArtifact(t, reg, ArchiveRepo(base, name), version, Artifact{Layers: []Layer{{Title: name + "-" + version + ".tar.gz", Data: tgz}}})
}

// PushArtifact pushes an artifact to reg as repo:tag.
func PushArtifact(t testing.TB, reg *Registry, repo, tag string, a Artifact) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	r, err := name.NewRepository(reg.Host+"/"+repo, name.StrictValidation)
	if err != nil {
		t.Fatalf("regtest: repository %q: %v", repo, err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(reg.Transport()),
		remote.WithAuth(&authn.Basic{Username: reg.Username, Password: reg.Password})}
	type descriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Data        []byte            `json:"data,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	push := func(mt string, b []byte) descriptor {
		if err := remote.WriteLayer(r, static.NewLayer(b, types.MediaType(mt)), opts...); err != nil {
			t.Fatalf("regtest: push a blob to %s: %v", r, err)
		}
		sum := sha256.Sum256(b)
		return descriptor{MediaType: mt, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(b))}
	}
	cfgType, cfg := a.ConfigMediaType, a.Config
	if cfgType == "" {
		cfgType = EmptyConfig
	}
	if cfg == nil {
		cfg = []byte("{}")
	}
	artifactType := a.ArtifactType
	if artifactType == "" && cfgType == EmptyConfig {
		artifactType = UnknownArtifact
	}
	config := push(cfgType, cfg)
	if cfgType == EmptyConfig {
		config.Data = cfg
	}
	layers := []descriptor{}
	for _, l := range a.Layers {
		mt := l.MediaType
		if mt == "" {
			mt = TarLayer
		}
		d := push(mt, l.Data)
		if l.Title != "" {
			d.Annotations = map[string]string{TitleAnnotation: l.Title}
		}
		layers = append(layers, d)
	}
	m := struct {
		SchemaVersion int               `json:"schemaVersion"`
		MediaType     string            `json:"mediaType"`
		ArtifactType  string            `json:"artifactType,omitempty"`
		Config        descriptor        `json:"config"`
		Layers        []descriptor      `json:"layers"`
		Annotations   map[string]string `json:"annotations"`
	}{2, OCIManifest, artifactType, config, layers, map[string]string{"org.opencontainers.image.created": time.Now().UTC().Format(time.RFC3339)}}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	if err := remote.Put(r.Tag(tag), rawManifest{raw: raw, mediaType: OCIManifest}, opts...); err != nil {
		t.Fatalf("regtest: push the manifest of %s:%s: %v", r, tag, err)
	}
}

// PushManifest pushes a manifest as given (of any media type) as repo:tag,
// for tests of what is not an oras artifact; the blobs it names must exist.
func PushManifest(t testing.TB, reg *Registry, repo, tag, mediaType string, raw []byte) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	r, err := name.NewRepository(reg.Host+"/"+repo, name.StrictValidation)
	if err != nil {
		t.Fatalf("regtest: repository %q: %v", repo, err)
	}
	if err := remote.Put(r.Tag(tag), rawManifest{raw: raw, mediaType: types.MediaType(mediaType)}, remote.WithContext(ctx), remote.WithTransport(reg.Transport()),
		remote.WithAuth(&authn.Basic{Username: reg.Username, Password: reg.Password})); err != nil {
		t.Fatalf("regtest: push the manifest of %s:%s: %v", r, tag, err)
	}
}

// rawManifest is a manifest to push as it is.
type rawManifest struct {
	raw       []byte
	mediaType types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mediaType, nil }

// PackJSON returns a valid pack.json for an add-on pack NAME at VERSION
// for every cloud.
func PackJSON(name, version string) string {
	b, _ := json.Marshal(map[string]any{"name": name, "displayName": name, "version": version, "layer": "addon",
		"addonType": "system app", "cloudTypes": []string{"all"}})
	return string(b)
}

// PackFiles returns the files of a valid pack: pack.json, values.yaml and README.md.
func PackFiles(name, version string) map[string]string {
	return map[string]string{
		"pack.json":   PackJSON(name, version),
		"values.yaml": "pack:\n  namespace: " + name + "\nreplicas: 1\n",
		"README.md":   "# " + name + "\n",
	}
}

// PackArchive returns files as `tar -czf NAME-VERSION.tar.gz NAME-VERSION/`
// writes them: a folder entry NAME-VERSION/ and the files under it.
func PackArchive(t testing.TB, name, version string, files map[string]string) []byte {
	t.Helper()
	dir := name + "-" + version + "/"
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	entries := []tarEntry{{name: dir, dir: true}}
	for _, n := range names {
		entries = append(entries, tarEntry{name: dir + n, data: []byte(files[n])})
	}
	return tgz(t, entries)
}

// GoodPack returns the archive of a valid pack NAME at VERSION.
func GoodPack(t testing.TB, name, version string) []byte {
	t.Helper()
	return PackArchive(t, name, version, PackFiles(name, version))
}

// tarEntry is one entry of an archive tgz writes.
type tarEntry struct {
	name string
	dir  bool
	data []byte
}

// tgz writes entries as a gzip-compressed tar, byte for byte the same for
// the same entries (fixed times).
func tgz(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg, ModTime: when, Format: tar.FormatPAX}
		if e.dir {
			h.Mode, h.Size, h.Typeflag = 0o755, 0, tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("regtest: %v", err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatalf("regtest: %v", err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("regtest: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return buf.Bytes()
}
