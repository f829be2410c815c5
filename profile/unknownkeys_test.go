package profile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/schema"
	"github.com/byoos/byoos/values"
)

// Edge values that are valid but for what each case changes.
const edgeValid = `pack:
  content:
    images:
      - image: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo
options:
  system.uri: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo
`

func TestUnknownKeys(t *testing.T) {
	type want struct {
		code     string
		severity finding.Severity
		line     int
		col      int
		// message holds every text the message must contain; hint likewise.
		message []string
		hint    string
	}
	for _, c := range []struct {
		name, pack, tag, cloud, values string
		want                           []want
	}{
		{
			name: "a misspelled osImageOverride next to the right one is a warning at the misspelled key",
			pack: "generic-byoi", tag: "1.0.x", cloud: "aws",
			values: "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osImageOveride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 3, 3,
				[]string{"pack.osImageOveride is not a key generic-byoi reads", "did you mean osImageOverride?"}, "osImageOverride is set too, at line 2"}},
		},
		{
			name: "OsName beside osName is a warning that names the case",
			pack: "generic-byoi", tag: "1.0.x", cloud: "aws",
			values: "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  OsName: \"rhel\"\n  osVersion: \"8\"\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 4, 3,
				[]string{"pack.OsName is not a key generic-byoi reads", "did you mean osName?", "you wrote OsName"}, "remove OsName"}},
		},
		{
			name: "only a misspelled osImageOverride: the required error points at it and names both",
			pack: "generic-byoi", tag: "1.0.x", cloud: "aws",
			values: "pack:\n  osName: \"rhel\"\n  osVersion: \"8\"\n  osImageOveride: \"ami-0f4804aff4cf9c5a2\"\n",
			want: []want{{finding.CodeOSImageRequired, finding.Error, 4, 3,
				[]string{"pack.osImageOverride is not set", "pack.osImageOveride is written instead", "did you mean osImageOverride?"}, "rename osImageOveride to osImageOverride"}},
		},
		{
			name: "providerCredential (singular) at the root of edge-native-byoi values is a warning",
			pack: "edge-native-byoi", tag: "2.1.x", cloud: "edge-native",
			values: edgeValid + "providerCredential:\n  registry: example.io\n  username: edge\n  password: s3cret\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 7, 1,
				[]string{"providerCredential is not a key edge-native-byoi reads", "did you mean providerCredentials?"}, "rename providerCredential to providerCredentials"}},
		},
		{
			name: "system.uri at the root, with no options: the required error points at it and suggests options.system.uri",
			pack: "edge-native-byoi", tag: "2.1.x", cloud: "edge-native",
			values: "pack:\n  content:\n    images:\n      - image: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\nsystem.uri: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\n",
			want: []want{{finding.CodeEdgeSystemURIRequired, finding.Error, 5, 1,
				[]string{"options.system.uri is not set", "system.uri is written instead", "did you mean options.system.uri?"}, "move system.uri to options.system.uri"}},
		},
		{
			name: "system.uri at the root beside options.system.uri is a warning suggesting options.system.uri",
			pack: "edge-native-byoi", tag: "2.1.x", cloud: "edge-native",
			values: edgeValid + "system.uri: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-other\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 7, 1,
				[]string{"system.uri is not a key edge-native-byoi reads at the root of its values", "did you mean options.system.uri?"}, "remove system.uri: options.system.uri is set too"}},
		},
		{
			name: "img instead of image in pack.content.images: the error says img is not read and means image",
			pack: "edge-native-byoi", tag: "2.1.x", cloud: "edge-native",
			values: "pack:\n  content:\n    images:\n      - img: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\noptions:\n  system.uri: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\n",
			want: []want{{finding.CodeEdgeImagesShape, finding.Error, 4, 9,
				[]string{"pack.content.images[0].image is not set", "pack.content.images[0].img is written instead, which edge-native-byoi does not read", "did you mean image?"}, "rename img to image"}},
		},
		{
			name: "img instead of image in another pack's pack.content.images is a warning",
			pack: "cni-calico", tag: "3.29.x", cloud: "aws",
			values: "pack:\n  content:\n    images:\n      - img: quay.io/calico/cni:v3.29.1\nmanifests:\n  calico:\n    ipamType: calico-ipam\n    calicoNetworkConfig:\n      ipv4:\n        cidr: 192.168.0.0/16\n        encapsulation: VXLAN\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 4, 9,
				[]string{"pack.content.images[0].img is not a key cni-calico reads", "did you mean image?"}, "rename img to image"}},
		},
		{
			name: "pack.podCidr in the kubernetes pack: the required error points at it, means podCIDR and says what was written",
			pack: "kubernetes", tag: "1.30.x", cloud: "aws",
			values: "pack:\n  podCidr: \"192.168.0.0/16\"\n  serviceClusterIpRange: \"10.96.0.0/12\"\n",
			want: []want{{finding.CodeSchemaRequired, finding.Error, 2, 3,
				[]string{"pack.podCIDR is missing", "pack.podCidr is written instead", "did you mean podCIDR?", "you wrote podCidr"}, "rename podCidr to podCIDR"}},
		},
		{
			name: "a key near no key of the pack is a warning without a suggestion",
			pack: "kubernetes", tag: "1.30.x", cloud: "aws",
			values: "pack:\n  podCIDR: \"192.168.0.0/16\"\n  serviceClusterIpRange: \"10.96.0.0/12\"\n  frobnicate: true\n",
			want: []want{{finding.CodeValuesUnknownKey, finding.Warning, 4, 3,
				[]string{"pack.frobnicate is not a key kubernetes reads", "neither its default values nor its schema.yaml"}, "byoos pack show kubernetes"}},
		},
		{
			name: "keys under an open map, the keys Palette reads and flat dotted keys are known",
			pack: "kubernetes", tag: "1.30.x", cloud: "aws",
			values: "pack:\n  namespace: kube-system\n  spectrocloud.com/install-priority: \"10\"\n  podCIDR: \"192.168.0.0/16\"\n  serviceClusterIpRange: \"10.96.0.0/12\"\n" +
				"kubeadmconfig:\n  apiServer:\n    extraArgs:\n      any-flag-at-all: \"x\"\n  kubeletExtraArgs.max-pods: \"200\"\n",
		},
		{
			name: "a nested options: system: uri: is the flat key system.uri",
			pack: "edge-native-byoi", tag: "2.1.x", cloud: "edge-native",
			values: "pack:\n  content:\n    images:\n      - image: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\noptions:\n  system:\n    uri: example.io/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := validator(t)
			found, err := v.Packs.FindPack(context.Background(), PackRef{Name: c.pack, Tag: c.tag})
			if err != nil {
				t.Fatal(err)
			}
			r := v.ValidateValues("v.yaml", []byte(c.values), found.Pack, c.cloud, Options{})
			var got finding.List
			for _, f := range r.Findings {
				if f.Code == finding.CodeValuesUnknownKey || f.Severity == finding.Error {
					got = append(got, f)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings, want %d:\n%v", len(got), len(c.want), r.Findings)
			}
			for i, w := range c.want {
				f := got[i]
				if f.Code != w.code || f.Severity != w.severity || f.Line != w.line || f.Column != w.col {
					t.Errorf("finding = %s %s at %d:%d, want %s %s at %d:%d\n%v", f.Severity, f.Code, f.Line, f.Column, w.severity, w.code, w.line, w.col, f)
				}
				for _, m := range w.message {
					if !strings.Contains(f.Message, m) {
						t.Errorf("message %q does not say %q", f.Message, m)
					}
				}
				if !strings.Contains(f.Hint, w.hint) {
					t.Errorf("hint %q does not say %q", f.Hint, w.hint)
				}
			}
		})
	}
}

func TestAKeyAMacroReadsIsKnown(t *testing.T) {
	src := `metadata:
  name: test
spec:
  version: 1.0.0
  template:
    type: infra
    cloudType: aws
    packs:
      - name: generic-byoi
        tag: 1.0.x
        values: |
          pack:
            osImageOverride: "ami-0f4804aff4cf9c5a2"
            osName: "rhel"
            osVersion: "8"
            site:
              region: eu-west-1
            unread: x
      - name: kubernetes
        tag: 1.30.x
        values: |
          pack:
            podCIDR: "192.168.0.0/16"
            serviceClusterIpRange: "10.96.0.0/12"
            namespace: '{{ .spectro.pack.generic-byoi.pack.site.region }}'
`
	d, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := mustValidate(t, validator(t), d, Options{})
	var unknown []string
	for _, f := range r.Findings {
		if f.Code == finding.CodeValuesUnknownKey {
			unknown = append(unknown, f.Path)
		}
	}
	if strings.Join(unknown, ",") != "pack.unread" {
		t.Errorf("unknown keys = %v, want only pack.unread (pack.site is read by a macro)\n%v", unknown, r.Findings)
	}
}

func TestUnknownKeyWarningsKeepTheExitStatusClean(t *testing.T) {
	src := profileYAML("aws", "generic-byoi", "1.0.x", "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n  osname: rhel", "kubernetes@1.30.x")
	d, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := mustValidate(t, validator(t), d, Options{})
	if r.Findings.HasErrors() {
		t.Errorf("an unknown key made an error: %v", r.Findings)
	}
	if has(r.Findings, finding.CodeValuesUnknownKey) == nil {
		t.Errorf("no warning for pack.osname: %v", r.Findings)
	}
}

func TestEveryBuiltInPacksDefaultsHaveNoUnknownKeys(t *testing.T) {
	repo, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	v := validator(t)
	for _, p := range repo.All() {
		t.Run(p.Ref(), func(t *testing.T) {
			// Through the check itself (not the shortcut for a layer whose
			// values are the pack's own): the defaults as written values.
			r := &Result{}
			l := &Layer{Ref: PackRef{Name: p.Meta.Name}, Pack: p, Values: p.Defaults.Clone()}
			r.Layers = []Layer{*l}
			if fl := checkKeys(r, l, nil); len(fl) != 0 {
				t.Errorf("findings on the pack's own values: %v", fl)
			}
			// And with the keys built without the pack's cache.
			if u := schema.NewKeys(p.Defaults, p.Schema, pack.PaletteKeys()...).Unknown(p.Defaults); len(u) != 0 {
				t.Errorf("unknown keys in the pack's own values: %v", u)
			}
			cloud := p.Meta.AllClouds()[0]
			res := v.ValidateValues("values.yaml", p.Values, p, cloud, Options{})
			if w := res.Findings.Count(finding.Warning); has(res.Findings, finding.CodeValuesUnknownKey) != nil {
				t.Errorf("%d warnings: %v", w, res.Findings)
			}
		})
	}
}

func TestEveryExampleHasNoUnknownKeys(t *testing.T) {
	files, err := filepath.Glob("../examples/*.*")
	if err != nil || len(files) == 0 {
		t.Fatal("no examples", err)
	}
	v := validator(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(file, src)
			if err != nil {
				t.Fatal(err)
			}
			r := mustValidate(t, v, d, Options{})
			if f := has(r.Findings, finding.CodeValuesUnknownKey); f != nil {
				t.Errorf("unknown key: %v", f)
			}
			if !strings.Contains(file, "-invalid") && r.Findings.Count(finding.Warning) != 0 {
				t.Errorf("warnings in a valid example: %v", r.Findings)
			}
		})
	}
}

// BenchmarkUnknownKeys runs the unknown-key check on the edge-native
// example's os layer (its own values, every key known) and on a layer with
// a misspelled key (one warning with a suggestion).
func BenchmarkUnknownKeys(b *testing.B) {
	src, err := os.ReadFile("../examples/edge-native.yaml")
	if err != nil {
		b.Fatal(err)
	}
	d, err := Parse("edge-native.yaml", src)
	if err != nil {
		b.Fatal(err)
	}
	r := mustValidate(b, validator(b), d, Options{})
	for _, c := range []struct{ name, values string }{
		{"known", ""},
		{"misspelled", edgeValid + "providerCredential:\n  registry: example.io\n"},
	} {
		l := r.Layers[0]
		if c.values != "" {
			doc, err := values.Parse([]byte(c.values))
			if err != nil {
				b.Fatal(err)
			}
			l.Values = doc
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				checkKeys(r, &l, nil)
			}
		})
	}
}
