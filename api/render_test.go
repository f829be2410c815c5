package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// exampleProfile creates the profile of an example file (examples/) and
// returns its uid.
func (e *env) exampleProfile(name string) string {
	e.t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := profile.Parse(name, src)
	if err != nil {
		e.t.Fatal(err)
	}
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, &d.Profile, 201, &created)
	return created.UID
}

// renderGolden is a golden file of package render.
func renderGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "render", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) render(key, project, uid string, req wire.RenderRequest, want int) (wire.Rendering, []byte) {
	e.t.Helper()
	var r wire.Rendering
	var out any = &r
	if want != 200 {
		out = nil
	}
	raw := e.do("POST", "/v1/clusterprofiles/"+uid+"/render", key, project, req, want, out)
	return r, raw
}

const edgePassword = "s3cr3t-Pull-Passw0rd"

func TestRenderGivesWhatByoosRenderPrintsForEveryCloud(t *testing.T) {
	e := newEnv(t)
	azure := map[string]string{"cluster": "prod", "region": "westeurope",
		"azure.subscriptionID": "01234567-89ab-cdef-0123-4567890abcde", "azure.resourceGroup": "byoos-images"}
	for _, c := range []struct {
		name, example, target string
		ctx                   map[string]string
		golden, armGolden     string
		kinds                 []string
	}{
		{"an AWS profile renders its AWSMachineTemplate with the AMI", "aws.yaml", "capi", map[string]string{"cluster": "prod", "region": "us-east-1"},
			"aws-capi.golden", "", []string{"AWSMachineTemplate infrastructure.cluster.x-k8s.io/v1beta2"}},
		{"an Azure profile renders the AzureMachineTemplate and, apart, the ARM template of its managed image", "azure.json", "capi", azure,
			"azure-capi.golden", "azure-capi-image.arm.json.golden", []string{" ", "AzureMachineTemplate infrastructure.cluster.x-k8s.io/v1beta1"}},
		{"a vSphere profile renders its VSphereMachineTemplate", "vsphere.yaml", "capi", map[string]string{"cluster": "prod", "vsphere.network": "VM Network", "vsphere.server": "vcenter.example.com"},
			"vsphere-capi.golden", "", []string{"VSphereMachineTemplate infrastructure.cluster.x-k8s.io/v1beta1"}},
		{"an Edge profile renders its user-data, secrets masked", "edge-native.yaml", "edge-user-data", nil,
			"edge-user-data.golden", "", []string{" "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			uid := e.exampleProfile(c.example)
			r, raw := e.render(e.admin, e.project, uid, wire.RenderRequest{Target: c.target, Context: c.ctx}, 200)
			if want := renderGolden(t, c.golden); r.Stream != want {
				t.Errorf("stream differs from render/testdata/%s:\n--- got\n%s\n--- want\n%s", c.golden, r.Stream, want)
			}
			if c.armGolden != "" {
				if want := renderGolden(t, c.armGolden); r.ARMTemplate != want {
					t.Errorf("armTemplate differs from render/testdata/%s:\n%s", c.armGolden, r.ARMTemplate)
				}
			} else if r.ARMTemplate != "" {
				t.Errorf("an armTemplate for %s", c.example)
			}
			var kinds []string
			for _, d := range r.Documents {
				kinds = append(kinds, d.Kind+" "+d.APIVersion)
				if d.YAML == "" {
					t.Errorf("document %s has no text", d.Name)
				}
			}
			if strings.Join(kinds, "|") != strings.Join(c.kinds, "|") {
				t.Errorf("documents %q, want %q", kinds, c.kinds)
			}
			if r.Rendered != "draft" || r.Target != c.target || r.SecretsShown {
				t.Errorf("rendered %q target %q secretsShown %v", r.Rendered, r.Target, r.SecretsShown)
			}
			if strings.Contains(string(raw), edgePassword) {
				t.Error("the answer holds the password")
			}
		})
	}
}

func TestRenderReadsThePublishedVersionUnlessTheDraftIsAsked(t *testing.T) {
	e := newEnv(t)
	uid := e.createProfile(e.admin, e.project, awsProfile("aws", "ami-0123456789abcdef0"))
	e.do("PATCH", "/v1/clusterprofiles/"+uid+"/publish", e.admin, e.project, nil, 204, nil)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+uid, e.admin, e.project, nil, 200, &got)
	e.do("PUT", "/v1/clusterprofiles/"+uid, e.admin, e.project, awsProfile("aws", "ami-0fedcba9876543210"), 204, nil)
	for _, c := range []struct {
		name   string
		draft  bool
		which  string
		ami    string
		notAMI string
	}{
		{"the published version by default", false, "published", "ami-0123456789abcdef0", "ami-0fedcba9876543210"},
		{"the draft when asked", true, "draft", "ami-0fedcba9876543210", "ami-0123456789abcdef0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := e.render(e.admin, e.project, uid, wire.RenderRequest{Target: "capi", Context: map[string]string{"cluster": "prod"}, Draft: c.draft}, 200)
			if r.Rendered != c.which || !strings.Contains(r.Stream, "id: "+c.ami) || strings.Contains(r.Stream, c.notAMI) {
				t.Errorf("rendered %q:\n%s", r.Rendered, r.Stream)
			}
		})
	}
}

func TestRenderMasksSecretsUnlessAnAdminAsks(t *testing.T) {
	e := newEnv(t)
	uid := e.exampleProfile("edge-native.yaml")
	reader := e.key("render-reader", e.project, store.RoleReadOnly)
	for _, c := range []struct {
		name  string
		key   string
		show  bool
		want  int
		clear bool
	}{
		{"a read-only key renders, secrets masked", reader, false, 200, false},
		{"a read-only key may not ask for the secrets", reader, true, 403, false},
		{"an admin key gets them masked unless it asks", e.admin, false, 200, false},
		{"an admin key that asks gets them in clear", e.admin, true, 200, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, target := range []string{"edge-user-data", "values"} {
				r, raw := e.render(c.key, e.project, uid, wire.RenderRequest{Target: target, ShowSecrets: c.show}, c.want)
				if has := strings.Contains(string(raw), edgePassword); has != c.clear {
					t.Errorf("%s: the answer holds the password: %v, want %v: %s", target, has, c.clear, raw)
				}
				if c.want == 200 && (r.SecretsShown != c.clear || !strings.Contains(r.Stream, "edge-pull")) {
					t.Errorf("%s: secretsShown %v, stream:\n%s", target, r.SecretsShown, r.Stream)
				}
				if c.want == 200 && !c.clear && !strings.Contains(r.Stream, "'********'") {
					t.Errorf("%s: no mask in the stream:\n%s", target, r.Stream)
				}
			}
		})
	}
}

func TestRenderRefusesWhatItCannotRenderNamingWhatToSet(t *testing.T) {
	e := newEnv(t)
	aws := e.exampleProfile("aws.yaml")
	azure := e.exampleProfile("azure.json")
	other := e.newProject("other")
	for _, c := range []struct {
		name    string
		key     string
		project string
		uid     string
		body    any
		want    int
		message string
	}{
		{"an admin of another project does not see the profile", e.key("other-admin", other, store.RoleAdmin), other, aws,
			wire.RenderRequest{Target: "capi", Context: map[string]string{"cluster": "prod"}}, 404, "not found"},
		{"a profile that does not exist is not found", e.admin, e.project, "0123456789abcdef01234567", wire.RenderRequest{Target: "values"}, 404, "not found"},
		{"capi without a cluster names the key", e.admin, e.project, aws, wire.RenderRequest{Target: "capi"}, 400, "cluster is not set: the machine templates belong to a Cluster API cluster; set context key cluster"},
		{"azure without a subscription names the key", e.admin, e.project, azure,
			wire.RenderRequest{Target: "capi", Context: map[string]string{"cluster": "prod", "region": "westeurope", "azure.resourceGroup": "rg"}}, 400, "set context key azure.subscriptionID"},
		{"an unknown context key is named, with the key meant", e.admin, e.project, aws,
			wire.RenderRequest{Target: "capi", Context: map[string]string{"clustr": "prod"}}, 400, `context: "clustr" is not a context key; did you mean cluster?`},
		{"a wrong value is named", e.admin, e.project, aws,
			wire.RenderRequest{Target: "capi", Context: map[string]string{"cluster": "prod", "aws.rootVolumeSize": "big"}}, 400, `aws.rootVolumeSize is "big", expected a positive whole number`},
		{"a target the cloud does not have lists the cloud's targets", e.admin, e.project, aws, wire.RenderRequest{Target: "edge-user-data"}, 400,
			"aws profiles cannot be rendered to edge-user-data; their targets are values, capi"},
		{"an unknown target lists every target", e.admin, e.project, aws, wire.RenderRequest{Target: "terraform"}, 400,
			`target "terraform" does not exist; the targets are values, capi, edge-user-data`},
		{"a body that is not JSON is refused", e.admin, e.project, aws, "{", 400, ""},
		{"an empty body renders the values", e.admin, e.project, aws, nil, 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var eb struct{ Code, Message string }
			e.do("POST", "/v1/clusterprofiles/"+c.uid+"/render", c.key, c.project, c.body, c.want, &eb)
			if !strings.Contains(eb.Message, c.message) {
				t.Errorf("message %q, want %q in it", eb.Message, c.message)
			}
		})
	}
}

// A stored profile that no longer validates (here its stored body edited
// behind the service's back, as a rule added since would make it) is
// refused with its findings.
func TestRenderRefusesAProfileThatDoesNotValidateWithItsFindings(t *testing.T) {
	e := newEnv(t)
	uid := e.exampleProfile("azure.json")
	ctx := context.Background()
	sc := store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}
	rec, err := e.st.GetProfile(ctx, sc, uid)
	if err != nil {
		t.Fatal(err)
	}
	rec.Body = []byte(strings.Replace(string(rec.Body), "https://docs.blob.core.windows.net/vhds/ubuntu22-1301.vhd",
		"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0", 1))
	if err := e.st.UpdateProfile(ctx, &rec, store.AuditEvent{TenantUID: sc.TenantUID, ProjectUID: sc.ProjectUID, Actor: "test", Action: "profile.update", Kind: "clusterprofile", UID: uid}); err != nil {
		t.Fatal(err)
	}
	var eb struct {
		Code, Message string
		Details       struct{ Findings []struct{ Code string } }
	}
	raw := e.do("POST", "/v1/clusterprofiles/"+uid+"/render", e.admin, e.project,
		wire.RenderRequest{Target: "capi", Context: map[string]string{"cluster": "prod", "region": "westeurope", "azure.subscriptionID": "s", "azure.resourceGroup": "rg"}}, 400, &eb)
	if eb.Code != wire.CodeInvalidProfile || !strings.Contains(eb.Message, "nothing rendered") || len(eb.Details.Findings) == 0 || eb.Details.Findings[0].Code != "azure-gallery-image" {
		t.Errorf("answer: %s", raw)
	}
	var r wire.Rendering
	if json.Unmarshal(raw, &r) == nil && r.Stream != "" {
		t.Error("a stream was rendered")
	}
}
