package pack

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

const goodMeta = `{
  "name": "my-os",
  "displayName": "My OS",
  "version": "1.2.3",
  "layer": "os",
  "cloudTypes": ["aws"]
}
`

func files(meta string) map[string][]byte {
	return map[string][]byte{MetaFile: []byte(meta), ValuesFile: []byte("pack:\n  osName: rhel\n"), ReadmeFile: []byte("# my-os\n")}
}

func find(fl finding.List, code string) *finding.Finding {
	for i := range fl {
		if fl[i].Code == code {
			return &fl[i]
		}
	}
	return nil
}

func TestPackJSONChecks(t *testing.T) {
	tests := []struct {
		name       string
		meta       string
		code       string
		line, col  int
		msgContain string
	}{
		{"a leading v on the version is refused at the version field", strings.Replace(goodMeta, `"1.2.3"`, `"v1.2.3"`, 1), "pack-version-prefix", 4, 3, `"v1.2.3"`},
		{"a version that is not semver is refused", strings.Replace(goodMeta, `"1.2.3"`, `"1.2"`, 1), "pack-version-invalid", 4, 3, "not a semantic version"},
		{"an unknown layer is refused", strings.Replace(goodMeta, `"os"`, `"kernal"`, 1), "pack-layer-invalid", 5, 3, `"kernal"`},
		{"an unknown cloud type names its list item", strings.Replace(goodMeta, `["aws"]`, `["aws", "amazon"]`, 1), "pack-cloud-type-invalid", 6, 25, `"amazon"`},
		{"a missing displayName is refused", strings.Replace(goodMeta, `"displayName": "My OS",`, ``, 1), "pack-field-required", 0, 0, "displayName"},
		{"upper-case letters in the name are refused", strings.Replace(goodMeta, `"my-os"`, `"My_OS"`, 1), "pack-name-invalid", 2, 3, "my-os"},
		{"a JSON syntax error gives its line and column", "{\n  \"name\": \"x\",\n  \"version\" \"1\"\n}", "pack-json-invalid", 3, 13, "invalid JSON"},
		{"a wrong JSON type says what it is", strings.Replace(goodMeta, `["aws"]`, `"aws"`, 1), "pack-json-invalid", 6, 17, "cloudTypes is a string"},
		{"no cloud types is refused", strings.Replace(goodMeta, `["aws"]`, `[]`, 1), "pack-cloud-types-required", 6, 3, "no cloud types"},
		{"a dependency with min above max is refused", strings.Replace(goodMeta, `"cloudTypes": ["aws"]`, `"cloudTypes": ["aws"], "constraints": {"dependencies": [{"packName": "kubernetes", "layer": "k8s", "minVersion": "1.30.0", "maxVersion": "1.29.0", "type": "optional"}]}`, 1), "pack-dependency-invalid", 6, 59, "above maxVersion"},
		{"an unknown dependency type is refused", strings.Replace(goodMeta, `"cloudTypes": ["aws"]`, `"cloudTypes": ["aws"], "constraints": {"dependencies": [{"packName": "kubernetes", "type": "needs"}]}`, 1), "pack-dependency-invalid", 6, 59, `"needs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fl, err := FromFiles(files(tt.meta))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			f := find(fl, tt.code)
			if f == nil {
				t.Fatalf("no %s finding in %v", tt.code, fl)
			}
			if f.File != MetaFile {
				t.Errorf("file = %q, want pack.json", f.File)
			}
			if tt.line != 0 && (f.Line != tt.line || f.Column != tt.col) {
				t.Errorf("position = %d:%d, want %d:%d (%s)", f.Line, f.Column, tt.line, tt.col, f)
			}
			if !strings.Contains(f.Message+" "+f.Hint, tt.msgContain) {
				t.Errorf("finding %q does not mention %q", f, tt.msgContain)
			}
		})
	}
}

func TestAGoodPackLoadsWithoutFindings(t *testing.T) {
	p, fl, err := FromFiles(files(goodMeta))
	if err != nil || len(fl) != 0 {
		t.Fatalf("err = %v, findings = %v", err, fl)
	}
	if p.Ref() != "my-os@1.2.3" || !p.Meta.Supports("aws") || p.Meta.Supports("azure") {
		t.Errorf("pack = %+v", p.Meta)
	}
	if n, ok := p.Defaults.Lookup("pack.osName"); !ok || n.Value != "rhel" {
		t.Errorf("defaults not parsed")
	}
}

func TestValuesAndSchemaProblemsNameTheirFile(t *testing.T) {
	fs := files(goodMeta)
	fs[ValuesFile] = []byte("pack:\n  a: 1\n  a: 2\n")
	fs[SchemaFile] = []byte("pack.osName:\n  schema: '{{ required | frobnicate }}'\n")
	_, fl, _ := FromFiles(fs)
	v := find(fl, "values-invalid")
	if v == nil || v.File != ValuesFile || v.Line != 3 {
		t.Errorf("values finding = %v", v)
	}
	s := find(fl, "schema-grammar")
	if s == nil || s.File != SchemaFile || s.Line != 1 {
		t.Errorf("schema finding = %v (all: %v)", s, fl)
	}
}

func TestSchemaPathsMissingFromValuesAreWarned(t *testing.T) {
	fs := files(goodMeta)
	fs[SchemaFile] = []byte("pack.osVersion:\n  schema: '{{ required }}'\n")
	_, fl, err := FromFiles(fs)
	if err != nil {
		t.Fatal(err)
	}
	if f := find(fl, "pack-schema-path-missing"); f == nil || f.Severity != finding.Warning || f.Line != 1 {
		t.Errorf("finding = %v", f)
	}
}

func TestSchemaEntriesThatOnlyDeclareKeysNeedNoDefault(t *testing.T) {
	fs := files(goodMeta)
	fs[SchemaFile] = []byte("stages.*:\n  schema: '{{ hints \"cloud-init stages\" }}'\npack.drain.podSelector:\n  schema: '{{ hints \"a label selector\" }}'\npack.drain.timeout:\n  schema: '{{ format \"${number}\" }}'\n")
	p, fl, err := FromFiles(fs)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, f := range fl {
		if f.Code == finding.CodePackSchemaPathMissing {
			missing = append(missing, f.Path)
		}
	}
	if len(missing) != 1 || missing[0] != "pack.drain.timeout" {
		t.Errorf("schema paths warned as missing = %v, want only pack.drain.timeout (it has a format)", missing)
	}
	for _, path := range []string{"stages.initramfs", "pack.drain.podSelector", "pack.namespace", "pack.content.images[0].image"} {
		if !p.Keys.Known(path) {
			t.Errorf("%s is not a key of the pack", path)
		}
	}
	if p.Keys.Known("pack.drain.selector") {
		t.Error("pack.drain.selector is a key of the pack")
	}
}

func TestPresets(t *testing.T) {
	fs := files(goodMeta)
	fs[PresetsFile] = []byte(`presets:
  - name: small
    displayName: Small
    group: Size
    add: |
      pack:
        size: small
  - name: small
    group: Size
  - name: broken
    group: Other
    add: "a: [1"
`)
	p, fl, _ := FromFiles(fs)
	if len(p.Presets) != 3 {
		t.Fatalf("presets = %d", len(p.Presets))
	}
	var msgs []string
	for _, f := range fl {
		if f.Code == "presets-invalid" {
			msgs = append(msgs, f.Message)
		}
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "used twice") || !strings.Contains(msgs[1], "not valid values YAML") {
		t.Errorf("preset findings = %q", msgs)
	}
}

func TestTarballRoundTrip(t *testing.T) {
	p, _, err := FromFiles(files(goodMeta))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	q, _, err := LoadTarball(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if q.Digest != p.Digest || q.Ref() != p.Ref() {
		t.Errorf("round trip changed the pack: %s %s vs %s %s", q.Ref(), q.Digest, p.Ref(), p.Digest)
	}
	if _, _, err := LoadTarball(strings.NewReader("not gzip")); err == nil {
		t.Error("garbage accepted as a tarball")
	}
}

func TestTagResolution(t *testing.T) {
	mk := func(v string) *Pack {
		p, _, err := FromFiles(files(strings.Replace(goodMeta, "1.2.3", v, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := NewRepo("Public Repo", mk("1.0.0"), mk("1.0.10"), mk("1.0.9"), mk("1.1.0"), mk("2.0.0-rc.1"))
	tests := []struct{ tag, want string }{
		{"1.0.x", "1.0.10"},
		{"1.x", "1.1.0"},
		{"1.0.9", "1.0.9"},
		{"", "2.0.0-rc.1"},
		{"v1.0.0", "1.0.0"},
		{"LTS__1.0.x", "1.0.10"},
		{"2.0.x", "2.0.0-rc.1"},
	}
	for _, tt := range tests {
		p, err := r.Get("my-os", tt.tag)
		if err != nil || p.Meta.Version != tt.want {
			t.Errorf("Get(%q) = %v, %v; want %s", tt.tag, p, err, tt.want)
		}
	}
	_, err := r.Get("my-os", "1.2.x")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "2.0.0-rc.1, 1.1.0, 1.0.10, 1.0.9, 1.0.0") {
		t.Errorf("unknown tag error = %v, want the versions newest first", err)
	}
	_, err = r.Get("my_os", "")
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "did you mean my-os") {
		t.Errorf("unknown name error = %v, want a suggestion", err)
	}
}

func FuzzPackJSON(f *testing.F) {
	f.Add([]byte(goodMeta))
	f.Add([]byte(`{"name": 1}`))
	f.Add([]byte(`{"constraints": {"dependencies": [{"minVersion": "x"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, fl := parseMeta(b)
		if m == nil && !fl.HasErrors() {
			t.Fatal("no meta and no error")
		}
		for _, f := range fl {
			if f.Code == "" || f.Message == "" {
				t.Fatalf("finding without code or message: %+v", f)
			}
		}
	})
}
