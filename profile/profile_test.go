package profile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
)

func validator(t testing.TB) *Validator {
	t.Helper()
	repo, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	return NewValidator(repoSource{repo})
}

// repoSource finds packs in repos, in order: the tests' stand-in for
// service.Resolver, which imports this package.
type repoSource []*pack.Repo

func (rs repoSource) FindPack(_ context.Context, ref PackRef) (Found, error) {
	var err error
	for _, r := range rs {
		var p *pack.Pack
		if p, err = r.Get(ref.Name, ref.TagOf()); err == nil {
			return Found{Pack: p, UID: p.Meta.Name + "@" + p.Meta.Version, RegistryUID: r.Name}, nil
		}
	}
	return Found{}, err
}

func mustValidate(t testing.TB, v *Validator, d *Document, o Options) *Result {
	t.Helper()
	r, err := v.Validate(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustRender(t testing.TB, v *Validator, d *Document, o Options) (*Profile, *Result) {
	t.Helper()
	out, r, err := v.Render(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	return out, r
}

// profileYAML builds an infra profile with the given cloud, os values and extra layers.
func profileYAML(cloud, osPack, osTag, osValues string, layers ...string) string {
	var b strings.Builder
	b.WriteString("metadata:\n  name: test\nspec:\n  version: 1.0.0\n  template:\n    type: infra\n    cloudType: " + cloud + "\n    packs:\n")
	b.WriteString("      - name: " + osPack + "\n        layer: os\n        tag: " + osTag + "\n        values: |\n")
	for _, l := range strings.Split(strings.TrimRight(osValues, "\n"), "\n") {
		b.WriteString("          " + l + "\n")
	}
	for _, l := range layers {
		name, tag, _ := strings.Cut(l, "@")
		b.WriteString("      - name: " + name + "\n        tag: " + tag + "\n")
	}
	return b.String()
}

const genericValues = "pack:\n  osImageOverride: %q\n  osName: \"rhel\"\n  osVersion: \"8\"\n"

func run(t *testing.T, src string, o Options) finding.List {
	t.Helper()
	d, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return mustValidate(t, validator(t), d, o).Findings
}

func codes(fl finding.List, sev finding.Severity) []string {
	var out []string
	for _, f := range fl {
		if f.Severity == sev {
			out = append(out, f.Code)
		}
	}
	return out
}

func has(fl finding.List, code string) *finding.Finding {
	for i := range fl {
		if fl[i].Code == code {
			return &fl[i]
		}
	}
	return nil
}

func TestProfileRules(t *testing.T) {
	gen := func(cloud, image string, layers ...string) string {
		return profileYAML(cloud, "generic-byoi", "1.0.x", strings.Replace(genericValues, "%q", `"`+image+`"`, 1), layers...)
	}
	awsLayers := []string{"kubernetes@1.30.x", "cni-calico@3.29.x", "csi-aws-ebs@1.36.0"}
	tests := []struct {
		name   string
		src    string
		errors []string // exact error codes, in order
	}{
		{"a complete aws profile has no errors", gen("aws", "ami-0f4804aff4cf9c5a2", awsLayers...), nil},
		{"a pack that does not support the cloud type is refused", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x", "csi-azure@1.31.x"), []string{"pack-cloud-type"}},
		{"a profile without an os layer is refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", awsLayers...), "layer: os", "layer: k8s", 1), []string{"profile-layer-mismatch"}},
		{"two os layers are refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), "      - name: kubernetes", "      - name: edge-native-byoi\n        tag: 1.0.0\n      - name: kubernetes", 1), []string{"pack-cloud-type", "profile-os-layer-multiple"}},
		{"a profile without a k8s layer is refused", gen("aws", "ami-0f4804aff4cf9c5a2", "cni-calico@3.29.x"), []string{"profile-k8s-layer-missing"}},
		{"layers out of order are refused", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x", "csi-aws-ebs@1.36.0", "cni-calico@3.29.x"), []string{"profile-layer-order"}},
		{"an unknown tag is refused", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.27.x"), []string{"pack-tag-unknown"}},
		{"an unknown pack is refused", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x", "cni-flannel@1.0.0"), []string{"pack-not-found"}},
		{"an optional dependency out of range is refused", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.29.x", "cni-calico@3.29.x", "csi-aws-ebs@1.36.0"), nil},
		{"an AMI name in an aws profile is refused", gen("aws", "my-golden-rhel8", awsLayers...), []string{"aws-ami-name"}},
		{"a gallery image in an azure profile is refused", gen("azure", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0", "kubernetes@1.30.x"), []string{"azure-gallery-image"}},
		{"a VHD URL in an azure profile is accepted", gen("azure", "https://acct.blob.core.windows.net/vhds/u.vhd", "kubernetes@1.30.x"), nil},
		{"an ova without r_u- in a vsphere profile is refused", gen("vsphere", "tpl/ubuntu.ova", "kubernetes@1.30.x"), []string{"vsphere-ova-prefix"}},
		{"an AMI ID on vsphere is refused as another cloud's image", gen("vsphere", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), []string{"image-wrong-cloud"}},
		{"an add-on profile with an os layer is refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), "type: infra", "type: add-on", 1), []string{"profile-addon-infra-layer", "profile-addon-infra-layer"}},
		{"a manifest layer needs no registry pack", gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x") + "      - name: team-namespaces\n        type: manifest\n", nil},
		{"a profile version with a leading v is refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), "version: 1.0.0", "version: v1.0", 1), []string{"profile-version-invalid"}},
		{"a profile name with upper case and a space is refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), "name: test", "name: My Profile", 1), []string{"profile-name-invalid"}},
		{"a profile name with an ANSI escape is refused", strings.Replace(gen("aws", "ami-0f4804aff4cf9c5a2", "kubernetes@1.30.x"), "name: test", `name: "a\e[31m"`, 1), []string{"profile-name-invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := run(t, tt.src, Options{})
			got := codes(fl, finding.Error)
			if strings.Join(got, ",") != strings.Join(tt.errors, ",") {
				t.Errorf("errors = %v, want %v\n%v", got, tt.errors, fl)
			}
		})
	}
}

func TestDependencyConstraints(t *testing.T) {
	// csi-aws-ebs 1.36.0 needs kubernetes 1.29.0 or later (optional dependency).
	v := validator(t)
	d, _ := Parse("p.yaml", []byte(profileYAML("aws", "generic-byoi", "1.0.x", strings.Replace(genericValues, "%q", `"ami-0f4804aff4cf9c5a2"`, 1), "kubernetes@1.29.14", "csi-aws-ebs@1.36.0")))
	if fl := mustValidate(t, v, d, Options{}).Findings; fl.HasErrors() {
		t.Fatalf("1.29.14 satisfies >= 1.29.0: %v", fl)
	}
	found, _ := v.Packs.FindPack(context.Background(), PackRef{Name: "csi-aws-ebs", Tag: "1.36.0"})
	ebs := found.Pack
	saved := ebs.Meta.Constraints.Dependencies[0].MinVersion
	ebs.Meta.Constraints.Dependencies[0].MinVersion = "1.30.0"
	defer func() { ebs.Meta.Constraints.Dependencies[0].MinVersion = saved }()
	fl := mustValidate(t, v, d, Options{}).Findings
	f := has(fl, "pack-dependency-version")
	if f == nil || !strings.Contains(f.Message, "kubernetes 1.30.0 or later") || f.Layer != "csi-aws-ebs" {
		t.Fatalf("finding = %v", f)
	}
	ebs.Meta.Constraints.Dependencies[0].Type = "required"
	ebs.Meta.Constraints.Dependencies[0].PackName = "kubernetes-fips"
	defer func() {
		ebs.Meta.Constraints.Dependencies[0].Type, ebs.Meta.Constraints.Dependencies[0].PackName = "optional", "kubernetes"
	}()
	if f := has(mustValidate(t, v, d, Options{}).Findings, "pack-dependency-missing"); f == nil {
		t.Fatal("a missing required dependency was not reported")
	}
	ebs.Meta.Constraints.Dependencies[0].Type = "notSupported"
	ebs.Meta.Constraints.Dependencies[0].PackName = "kubernetes"
	ebs.Meta.Constraints.Dependencies[0].MinVersion = "1.29.0"
	ebs.Meta.Constraints.Dependencies[0].MaxVersion = "1.29.99"
	defer func() { ebs.Meta.Constraints.Dependencies[0].MaxVersion = "" }()
	if f := has(mustValidate(t, v, d, Options{}).Findings, "pack-dependency-not-supported"); f == nil {
		t.Fatal("a not-supported version was not reported")
	}
}

func TestGenericValueFindingsPointIntoTheDocument(t *testing.T) {
	src := profileYAML("aws", "generic-byoi", "1.0.x", "pack:\n  osImageOverride: \"AMI-0F4804AFF4CF9C5A2\"\n  osName: \"Red Hat\"\n  osVersion: 8.10\n", "kubernetes@1.30.x")
	fl := run(t, src, Options{})
	want := []struct {
		code      string
		line, col int
	}{
		{"aws-ami-uppercase", 14, 30},
		{"byoos-osname-format", 15, 21},
		{"byoos-osversion-type", 16, 24},
	}
	for _, w := range want {
		f := has(fl, w.code)
		if f == nil {
			t.Errorf("no %s in %v", w.code, fl)
			continue
		}
		if f.File != "p.yaml" || f.Line != w.line || f.Column != w.col || f.Layer != "generic-byoi" {
			t.Errorf("%s at %s:%d:%d layer %s, want p.yaml:%d:%d", w.code, f.File, f.Line, f.Column, f.Layer, w.line, w.col)
		}
	}
	if f := has(fl, "byoos-osversion-type"); f != nil && (!strings.Contains(f.Message, "8.1") || !strings.Contains(f.Hint, `"8.10"`)) {
		t.Errorf("osVersion message does not show the number read and the quoted form: %s", f)
	}
	if f := has(fl, "aws-ami-uppercase"); f != nil && !strings.Contains(f.Hint, "ami-0f4804aff4cf9c5a2") {
		t.Errorf("hint does not give the lower-case ID: %s", f)
	}
}

func TestJSONDocumentsPointIntoTheLayersValues(t *testing.T) {
	src := `{"metadata": {"name": "j"}, "spec": {"version": "1.0.0", "template": {"type": "infra", "cloudType": "aws", "packs": [
 {"name": "generic-byoi", "layer": "os", "tag": "1.0.0", "values": "pack:\n  osImageOverride: \"snap-0123456789abcdef0\"\n  osName: rhel\n  osVersion: \"8\"\n", "uid": null, "registryUid": "", "createdAt": "0001-01-01T00:00:00.000Z"},
 {"name": "kubernetes", "layer": "k8s", "tag": "1.30.x", "values": null}]}}}`
	d, err := Parse("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fl := mustValidate(t, validator(t), d, Options{}).Findings
	f := has(fl, "aws-snapshot-id")
	if f == nil {
		t.Fatalf("no aws-snapshot-id in %v", fl)
	}
	if f.File != "p.json#generic-byoi" || f.Line != 2 || f.Column != 20 {
		t.Errorf("finding at %s, want p.json#generic-byoi:2:20", f.Location())
	}
	if len(codes(fl, finding.Error)) != 1 {
		t.Errorf("errors = %v", fl)
	}
}

func TestMalformedDocuments(t *testing.T) {
	tests := []struct {
		name, src, msg string
		line           int
	}{
		{"broken JSON names its line", "{\"metadata\": {\n\"name\": \"x\",,\n}}", "invalid JSON", 2},
		{"broken YAML names its line", "metadata:\n  name: x\nspec: [\n", "invalid YAML", 0},
		{"a list is not a profile", "- a\n", "must be a mapping", 1},
		{"packs as a string is a type error", "metadata: {name: x}\nspec:\n  template:\n    packs: nope\n", "wrong type", 4},
		{"a JSON type error says what it found", `{"spec": {"template": {"packs": "nope"}}}`, "is a JSON string, expected a list", 1},
		{"an empty document is refused", "", "empty", 1},
		{"an alias bomb is refused", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", "more than", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p", []byte(tt.src))
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", pe.Msg, tt.msg)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("line = %d, want %d", pe.Line, tt.line)
			}
		})
	}
}

func TestBareValues(t *testing.T) {
	v := validator(t)
	found, err := v.Packs.FindPack(context.Background(), PackRef{Name: "generic-byoi", Tag: "1.0.x"})
	if err != nil {
		t.Fatal(err)
	}
	p := found.Pack
	r := v.ValidateValues("v.yaml", []byte("pack:\n  osImageOverride: ami-1234\n"), p, "aws", Options{})
	got := codes(r.Findings, finding.Error)
	if strings.Join(got, ",") != "byoos-osname-required,byoos-osversion-required,aws-ami-malformed" {
		t.Errorf("errors = %v\n%v", got, r.Findings)
	}
	if f := has(r.Findings, "aws-ami-malformed"); f == nil || f.File != "v.yaml" || f.Line != 2 || f.Column != 20 {
		t.Errorf("finding = %v", f)
	}
	r = v.ValidateValues("v.yaml", nil, p, "gcp", Options{})
	if has(r.Findings, "pack-cloud-type") == nil || has(r.Findings, "byoos-image-required") == nil {
		t.Errorf("empty values on gcp: %v", r.Findings)
	}
}

func TestALookupFailureIsAnErrorNotAFinding(t *testing.T) {
	d, err := Parse("p.yaml", []byte(profileYAML("aws", "generic-byoi", "1.0.0", "pack:\n  osImageOverride: ami-0f4804aff4cf9c5a2\n  osName: rhel\n  osVersion: \"8\"", "kubernetes@1.30.x")))
	if err != nil {
		t.Fatal(err)
	}
	down := errors.New("database is down")
	v := NewValidator(failingSource{down})
	r, err := v.Validate(context.Background(), d, Options{})
	if !errors.Is(err, down) || r != nil {
		t.Fatalf("Validate = %v, %v; want the lookup's error and no result", r, err)
	}
}

type failingSource struct{ err error }

func (f failingSource) FindPack(context.Context, PackRef) (Found, error) { return Found{}, f.err }
