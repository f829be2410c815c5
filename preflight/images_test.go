package preflight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/service"
)

// validator validates against the built-in Public Repo, as byoos validate does.
func validator(t testing.TB) *profile.Validator {
	t.Helper()
	pub, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	return profile.NewValidator(service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(pub))))
}

// validated validates a profile document that must have no error.
func validated(t *testing.T, src string) *profile.Result {
	t.Helper()
	d, err := profile.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := validator(t).Validate(context.Background(), d, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings.HasErrors() {
		t.Fatalf("the profile does not validate: %v", r.Findings.Errors())
	}
	return r
}

const awsProfile = `metadata:
  name: aws-rhel
spec:
  version: 1.0.0
  template:
    type: infra
    cloudType: aws
    packs:
      - name: generic-byoi
        layer: os
        tag: 1.0.x
        values: |
          pack:
            osImageOverride: "ami-0f4804aff4cf9c5a2"
            osName: "rhel"
            osVersion: "8"
      - name: kubernetes
        layer: k8s
        tag: 1.30.x
`

// edgeProfile has the provider image composed by macros, credentials for
// its registry, and content images of that registry and of another.
const edgeProfile = `metadata:
  name: edge
spec:
  version: 1.0.0
  template:
    type: infra
    cloudType: edge-native
    packs:
      - name: edge-native-byoi
        layer: os
        tag: 2.1.x
        values: |
          pack:
            content:
              images:
                - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
                - image: registry.example.internal:5000/edge/tools:v1
                - image: quay.io/calico/node:v3.29.1
                - image: registry.example.internal:5000/edge/tools:v1
          options:
            system.uri: "{{ .spectro.pack.edge-native-byoi.options.system.registry }}/edge/ubuntu:k3s-{{ .spectro.system.kubernetes.version }}-demo"
            system.registry: "registry.example.internal:5000"
          providerCredentials:
            registry: "registry.example.internal:5000"
            username: "edge-pull"
            password: "s3cr3t-Pull-Passw0rd"
      - name: edge-k3s
        layer: k8s
        tag: 1.30.x
`

func TestImagesOfAProfile(t *testing.T) {
	type want struct {
		cloud, role, ref, path string
		line, column           int
		withCredentials        bool
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"an aws profile names its AMI where pack.osImageOverride is written", awsProfile, []want{
			{preflight.AWS, preflight.RoleOS, "ami-0f4804aff4cf9c5a2", "pack.osImageOverride", 14, 30, false},
		}},
		{"an edge profile names its provider image with macros resolved, then each other content image once; only images of the credentials' registry carry them", edgeProfile, []want{
			{preflight.Edge, preflight.RoleOS, "registry.example.internal:5000/edge/ubuntu:k3s-1.30.6-demo", "options.system.uri", 21, 25, true},
			{preflight.Edge, preflight.RoleContent, "registry.example.internal:5000/edge/tools:v1", "pack.content.images[1].image", 17, 26, true},
			{preflight.Edge, preflight.RoleContent, "quay.io/calico/node:v3.29.1", "pack.content.images[2].image", 18, 26, false},
		}},
		{"an edge profile whose provider image is NA names only its other images", strings.Replace(strings.Replace(edgeProfile,
			`system.uri: "{{ .spectro.pack.edge-native-byoi.options.system.registry }}/edge/ubuntu:k3s-{{ .spectro.system.kubernetes.version }}-demo"`, `system.uri: "NA"`, 1),
			"                - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n", "", 1), []want{
			{preflight.Edge, preflight.RoleContent, "registry.example.internal:5000/edge/tools:v1", "pack.content.images[0].image", 16, 26, true},
			{preflight.Edge, preflight.RoleContent, "quay.io/calico/node:v3.29.1", "pack.content.images[1].image", 17, 26, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imgs := preflight.Images(validated(t, tt.src))
			if len(imgs) != len(tt.want) {
				t.Fatalf("got %d images %+v, want %d", len(imgs), imgs, len(tt.want))
			}
			for i, w := range tt.want {
				g := imgs[i]
				if g.Cloud != w.cloud || g.Role != w.role || g.Ref != w.ref {
					t.Errorf("image %d is %s %s %s, want %s %s %s", i, g.Cloud, g.Role, g.Ref, w.cloud, w.role, w.ref)
				}
				if g.At.File != "p.yaml" || g.At.Layer == "" || g.At.Path != w.path || g.At.Line != w.line || g.At.Column != w.column || !strings.HasSuffix(g.At.Field, ".values") {
					t.Errorf("image %d is at %+v, want p.yaml:%d:%d %s", i, g.At, w.line, w.column, w.path)
				}
				has := g.Username == "edge-pull" && g.Password == "s3cr3t-Pull-Passw0rd"
				if has != w.withCredentials || (!w.withCredentials && (g.Username != "" || g.Password != "" || g.CACert != "")) {
					t.Errorf("image %d (%s) credentials %q/%t, want them: %t", i, g.Ref, g.Username, g.Password != "", w.withCredentials)
				}
			}
		})
	}
}

func TestImagesOfABareValuesFilePointIntoTheFile(t *testing.T) {
	v := validator(t)
	found, err := v.Packs.FindPack(context.Background(), profile.PackRef{Name: "generic-byoi", Tag: "1.0.x"})
	if err != nil {
		t.Fatal(err)
	}
	src := "pack:\n  osName: \"ubuntu\"\n  osVersion: \"22\"\n  osImageOverride: \"/dc/vm/templates/ubuntu-kube-v1.30.5\"\n"
	r := v.ValidateValues("values.yaml", []byte(src), found.Pack, "vsphere", profile.Options{})
	if r.Findings.HasErrors() {
		t.Fatalf("findings %v", r.Findings)
	}
	imgs := preflight.Images(r)
	if len(imgs) != 1 {
		t.Fatalf("images %+v", imgs)
	}
	g := imgs[0]
	if g.Cloud != preflight.VSphere || g.Ref != "/dc/vm/templates/ubuntu-kube-v1.30.5" || g.At.File != "values.yaml" || g.At.Line != 4 || g.At.Column != 20 || g.At.Path != "pack.osImageOverride" {
		t.Errorf("image %+v", g)
	}
	// A finding about it reads like a validation finding.
	f := preflight.Finding(g, finding.Error, finding.CodeVerifyTimeout, "m", "")
	if got := f.String(); !strings.HasPrefix(got, "values.yaml:4:20: error verify-timeout") {
		t.Errorf("finding reads %q", got)
	}
}
