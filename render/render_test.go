package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	capa "sigs.k8s.io/cluster-api-provider-aws/v2/api/v1beta2"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/render"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// rendered validates and renders an example profile, as the CLI does.
func rendered(t testing.TB, example string, show bool, system map[string]string) *wire.Profile {
	t.Helper()
	repo, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	v := profile.NewValidator(service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(repo))))
	src, err := os.ReadFile(filepath.Join("..", "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	d, err := profile.Parse(example, src)
	if err != nil {
		t.Fatal(err)
	}
	p, r, err := v.Render(context.Background(), d, profile.Options{ShowSecrets: show, System: system})
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings.HasErrors() {
		t.Fatalf("%s does not validate: %v", example, r.Findings)
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func stream(t *testing.T, docs []render.Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := render.WriteYAMLStream(&b, docs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// azureContext is the context of the Azure goldens.
func azureContext() render.Context {
	c := render.Context{Cluster: "prod", Region: "westeurope"}
	c.Azure.SubscriptionID = "01234567-89ab-cdef-0123-4567890abcde"
	c.Azure.ResourceGroup = "byoos-images"
	return c
}

func TestEveryCloudAndTargetMatchesItsGolden(t *testing.T) {
	vsphere := render.Context{Cluster: "prod"}
	vsphere.VSphere.Network = "VM Network"
	vsphere.VSphere.Server = "vcenter.example.com"
	for _, c := range []struct {
		name, example string
		target        render.Target
		ctx           render.Context
		show          bool
		golden        string
	}{
		{"an AWS profile renders an AWSMachineTemplate", "aws.yaml", render.TargetCAPI, render.Context{Cluster: "prod", Region: "us-east-1"}, false, "aws-capi.golden"},
		{"an Azure profile renders the managed image's ARM template and an AzureMachineTemplate", "azure.json", render.TargetCAPI, azureContext(), false, "azure-capi.golden"},
		{"a vSphere profile renders a VSphereMachineTemplate", "vsphere.yaml", render.TargetCAPI, vsphere, false, "vsphere-capi.golden"},
		{"an Edge profile renders user-data with its secrets masked", "edge-native.yaml", render.TargetEdgeUserData, render.Context{}, false, "edge-user-data.golden"},
		{"an Edge profile renders user-data with its secrets shown when asked", "edge-native.yaml", render.TargetEdgeUserData, render.Context{}, true, "edge-user-data-secrets.golden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := rendered(t, c.example, c.show, nil)
			docs, err := render.Render(p, c.target, c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var k8s []render.Document
			for _, d := range docs {
				if d.Format == render.FormatARM {
					js, err := d.JSON()
					if err != nil {
						t.Fatal(err)
					}
					golden(t, strings.TrimSuffix(c.golden, ".golden")+"-image.arm.json.golden", js)
					continue
				}
				k8s = append(k8s, d)
			}
			golden(t, c.golden, stream(t, k8s))
		})
	}
}

func TestTheValuesTargetIsTheRenderedProfile(t *testing.T) {
	for _, ex := range []string{"aws.yaml", "azure.json", "vsphere.yaml", "edge-native.yaml"} {
		t.Run(ex, func(t *testing.T) {
			p := rendered(t, ex, false, nil)
			docs, err := render.Render(p, render.TargetValues, render.Context{})
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].Object != p || docs[0].Format != render.FormatProfile {
				t.Errorf("values of %s: %+v", ex, docs)
			}
		})
	}
}

// TestAWSOutputDecodesStrictlyIntoCAPATypes reads the AWS output back into
// CAPA's AWSMachineTemplate with unknown fields rejected, so every field byoos
// writes is one CAPA has.
func TestAWSOutputDecodesStrictlyIntoCAPATypes(t *testing.T) {
	c := render.Context{Cluster: "prod", Namespace: "clusters"}
	c.AWS.SSHKeyName = "ops"
	c.AWS.InstanceType = "m6i.xlarge"
	c.AWS.RootVolumeSize = 120
	docs, err := render.Render(rendered(t, "aws.yaml", false, nil), render.TargetCAPI, c)
	if err != nil {
		t.Fatal(err)
	}
	y, err := docs[0].YAML()
	if err != nil {
		t.Fatal(err)
	}
	var got capa.AWSMachineTemplate
	if err := yaml.UnmarshalStrict(y, &got); err != nil {
		t.Fatalf("strict decode into CAPA's AWSMachineTemplate: %v\n%s", err, y)
	}
	js, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&capa.AWSMachineTemplate{}); err != nil {
		t.Fatalf("DisallowUnknownFields: %v", err)
	}
	s := got.Spec.Template.Spec
	switch {
	case got.APIVersion != "infrastructure.cluster.x-k8s.io/v1beta2" || got.Kind != "AWSMachineTemplate":
		t.Errorf("type %s %s", got.APIVersion, got.Kind)
	case got.Name != "prod-rhel8-aws-1.0.0" || got.Namespace != "clusters" || got.Labels["cluster.x-k8s.io/cluster-name"] != "prod":
		t.Errorf("metadata %+v", got.ObjectMeta)
	case s.AMI.ID == nil || *s.AMI.ID != "ami-0f4804aff4cf9c5a2":
		t.Errorf("ami %+v", s.AMI)
	case s.InstanceType != "m6i.xlarge" || s.RootVolume == nil || s.RootVolume.Size != 120:
		t.Errorf("instance %s root %+v", s.InstanceType, s.RootVolume)
	case s.SSHKeyName == nil || *s.SSHKeyName != "ops" || s.IAMInstanceProfile != render.DefaultAWSInstanceProfile:
		t.Errorf("ssh key %v profile %s", s.SSHKeyName, s.IAMInstanceProfile)
	}

	// The check itself rejects a field CAPA does not have.
	bad := bytes.Replace(y, []byte("instanceType:"), []byte("instanceSize:"), 1)
	if err := yaml.UnmarshalStrict(bad, &capa.AWSMachineTemplate{}); err == nil {
		t.Error("a misspelt field decoded without error")
	}
}

func TestMacrosAreResolvedForTheCluster(t *testing.T) {
	// The AMI comes from a variable the cluster context sets.
	p := rendered(t, "aws.yaml", false, nil)
	p.Spec.Template.Packs[0].Values = strings.Replace(p.Spec.Template.Packs[0].Values, "ami-0f4804aff4cf9c5a2", "ami-0123456789abcdef0", 1)
	docs, err := render.Render(p, render.TargetCAPI, render.Context{Cluster: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := docs[0].YAML()
	if !bytes.Contains(y, []byte("id: ami-0123456789abcdef0")) {
		t.Errorf("the AMI of the rendered values is not the template's:\n%s", y)
	}
}

func TestBadRequestsNameTheKeyToSet(t *testing.T) {
	noSub := azureContext()
	noSub.Azure.SubscriptionID = ""
	noRG := azureContext()
	noRG.Azure.ResourceGroup = ""
	noRegion := azureContext()
	noRegion.Region = ""
	badGen := azureContext()
	badGen.Azure.HyperVGeneration = "V3"
	badNS := render.Context{Cluster: "prod", Namespace: "Not_A_Namespace"}
	smallRoot := render.Context{Cluster: "prod"}
	smallRoot.AWS.RootVolumeSize = 4
	for _, c := range []struct {
		name, example string
		target        render.Target
		ctx           render.Context
		key, want     string
	}{
		{"capi without a cluster names cluster", "aws.yaml", render.TargetCAPI, render.Context{}, "cluster", "cluster is not set"},
		{"azure without a subscription names azure.subscriptionID", "azure.json", render.TargetCAPI, noSub, "azure.subscriptionID", "azure.subscriptionID is not set"},
		{"azure without a resource group names azure.resourceGroup", "azure.json", render.TargetCAPI, noRG, "azure.resourceGroup", "azure.resourceGroup is not set"},
		{"azure without a region names region", "azure.json", render.TargetCAPI, noRegion, "region", "region is not set"},
		{"azure with a Hyper-V generation V3 names azure.hyperVGeneration", "azure.json", render.TargetCAPI, badGen, "azure.hyperVGeneration", "expected V1 or V2"},
		{"vsphere without a network names vsphere.network", "vsphere.yaml", render.TargetCAPI, render.Context{Cluster: "prod"}, "vsphere.network", "vsphere.network is not set"},
		{"a namespace Kubernetes refuses names namespace", "aws.yaml", render.TargetCAPI, badNS, "namespace", "is not a Kubernetes namespace"},
		{"a root volume under CAPA's minimum names aws.rootVolumeSize", "aws.yaml", render.TargetCAPI, smallRoot, "aws.rootVolumeSize", "at least 8"},
		{"an AWS profile to edge-user-data lists the AWS targets", "aws.yaml", render.TargetEdgeUserData, render.Context{}, "", "aws profiles cannot be rendered to edge-user-data; their targets are values, capi"},
		{"an Edge profile to capi lists the Edge targets", "edge-native.yaml", render.TargetCAPI, render.Context{Cluster: "prod"}, "", "their targets are values, edge-user-data"},
		{"an unknown target lists the targets", "aws.yaml", render.Target("terraform"), render.Context{}, "", `target "terraform" does not exist; the targets are values, capi, edge-user-data`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := render.Render(rendered(t, c.example, false, nil), c.target, c.ctx)
			var ue *render.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T), want a *UsageError", err, err)
			}
			if ue.Key != c.key || !strings.Contains(ue.Msg, c.want) {
				t.Errorf("key %q msg %q, want key %q and %q", ue.Key, ue.Msg, c.key, c.want)
			}
		})
	}
}

func TestProfilesATargetCannotUseAreProfileErrors(t *testing.T) {
	ova := rendered(t, "vsphere.yaml", false, nil)
	ova.Spec.Template.Packs[0].Values = strings.Replace(ova.Spec.Template.Packs[0].Values, "/Datacenter/vm/sp-docs/rhel-8-kube-v1.30.10", "https://images.example.com/r_u-2004-0-k-1243-0.ova", 1)
	noBYOOS := rendered(t, "aws.yaml", false, nil)
	noBYOOS.Spec.Template.Packs = noBYOOS.Spec.Template.Packs[1:]
	ctx := render.Context{Cluster: "prod"}
	ctx.VSphere.Network = "VM Network"
	for _, c := range []struct {
		name string
		p    *wire.Profile
		want string
	}{
		{"an OVA URL cannot be cloned by CAPV", ova, "CAPV clones a VM template"},
		{"a profile without generic-byoi has no image", noBYOOS, "no generic-byoi layer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := render.Render(c.p, render.TargetCAPI, ctx)
			var pe *render.ProfileError
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, c.want) {
				t.Errorf("error %v, want a *render.ProfileError with %q", err, c.want)
			}
		})
	}
}

func TestTheAzureSASIsNeverWritten(t *testing.T) {
	p := rendered(t, "azure.json", true, nil)
	const sas = "sv=2022-11-02&sr=b&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"
	p.Spec.Template.Packs[0].Values = strings.Replace(p.Spec.Template.Packs[0].Values, "ubuntu22-1301.vhd", "ubuntu22-1301.vhd?"+sas, 1)
	docs, err := render.Render(p, render.TargetCAPI, azureContext())
	if err != nil {
		t.Fatal(err)
	}
	out := stream(t, docs)
	js, err := docs[0].JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{out, js} {
		if bytes.Contains(b, []byte("sig=")) || bytes.Contains(b, []byte("c2VjcmV0")) {
			t.Errorf("the SAS is in the output:\n%s", b)
		}
	}
	if !bytes.Contains(js, []byte(`"blobUri": "https://docs.blob.core.windows.net/vhds/ubuntu22-1301.vhd"`)) {
		t.Errorf("blobUri is not the blob URL without its query:\n%s", js)
	}
}

func TestEdgeUserDataShowsSecretsOnlyWhenAsked(t *testing.T) {
	const password = "s3cr3t-Pull-Passw0rd"
	masked, err := render.Render(rendered(t, "edge-native.yaml", false, nil), render.TargetEdgeUserData, render.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(masked[0].Text, password) || strings.Contains(masked[0].Text, "MIIBojCCAUmgAwIBAgIU") {
		t.Errorf("masked user-data shows a secret:\n%s", masked[0].Text)
	}
	if !strings.Contains(masked[0].Text, "password: '********'") {
		t.Errorf("masked user-data has no masked password:\n%s", masked[0].Text)
	}
	shown, err := render.Render(rendered(t, "edge-native.yaml", true, nil), render.TargetEdgeUserData, render.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown[0].Text, "password: "+password) || !strings.Contains(shown[0].Text, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("user-data with secrets shown lacks them:\n%s", shown[0].Text)
	}
	// It is YAML a cloud-init reader takes, with the documented keys.
	var ud struct {
		Stylus struct {
			RegistryCredentials struct {
				Domain, Username, Password string
				Insecure                   bool
			} `json:"registryCredentials"`
			Site struct {
				CACerts []string `json:"caCerts"`
			} `json:"site"`
		} `json:"stylus"`
	}
	if err := yaml.UnmarshalStrict([]byte(shown[0].Text), &ud); err != nil {
		t.Fatal(err)
	}
	rc := ud.Stylus.RegistryCredentials
	if rc.Domain != "registry.example.internal:5000" || rc.Username != "edge-pull" || rc.Password != password || rc.Insecure || len(ud.Stylus.Site.CACerts) != 1 {
		t.Errorf("user-data %+v", ud)
	}
}

func TestEdgeCommentsCannotCarryYAML(t *testing.T) {
	p := rendered(t, "edge-native.yaml", false, nil)
	p.Metadata.Name = "edge\nstylus:\n  debug: true"
	docs, err := render.Render(p, render.TargetEdgeUserData, render.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(docs[0].Text, "\n  debug: true") {
		t.Errorf("a profile name added keys to the user-data:\n%s", docs[0].Text)
	}
}

func TestRenderingTwiceGivesTheSameBytes(t *testing.T) {
	p := rendered(t, "azure.json", false, nil)
	a, err := render.Render(p, render.TargetCAPI, azureContext())
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.Render(p, render.TargetCAPI, azureContext())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stream(t, a), stream(t, b)) || len(a) != 2 || a[0].Format != render.FormatARM || a[1].Format != render.FormatKubernetes {
		t.Errorf("documents differ or are out of order: %v", a)
	}
}

// shape maps the leaf paths of a JSON value to their JSON type; maps under a
// free-form key (labels, annotations, tags, outputs) are one leaf.
func shape(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		switch path[strings.LastIndexByte(path, '.')+1:] {
		case "labels", "annotations", "tags", "outputs":
			out[path] = "map"
			return
		}
		for k, e := range x {
			if k == "_source" {
				continue
			}
			shape(e, path+"."+k, out)
		}
	case []any:
		for _, e := range x {
			shape(e, path+"[]", out)
		}
	case string:
		out[path] = "string"
	case float64:
		out[path] = "number"
	case bool:
		out[path] = "bool"
	default:
		out[path] = "null"
	}
}

func shapeOf(t *testing.T, src []byte) map[string]string {
	t.Helper()
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	shape(v, "", out)
	return out
}

// TestOutputsUseOnlyTheProvidersDocumentedFields compares the field names and
// types of the Azure and vSphere output, with every optional key set, against
// the providers' documented examples in testdata (each cites its source).
func TestOutputsUseOnlyTheProvidersDocumentedFields(t *testing.T) {
	az := azureContext()
	az.Azure.SSHPublicKey = "c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUVYQU1QTEU="
	vs := render.Context{Cluster: "prod"}
	vs.VSphere = render.VSphereContext{Server: "vc.example.com", Thumbprint: "AB:CD", Datacenter: "DC", Folder: "/DC/vm/k8s", Datastore: "ds1",
		ResourcePool: "*/Resources", StoragePolicyName: "gold", Network: "k8s-net", CloneMode: "fullClone"}
	for _, c := range []struct {
		name, example, documented string
		ctx                       render.Context
		format                    render.Format
	}{
		{"the AzureMachineTemplate", "azure.json", "capz-documented.yaml", az, render.FormatKubernetes},
		{"the ARM template of the managed image", "azure.json", "arm-images-documented.json", az, render.FormatARM},
		{"the VSphereMachineTemplate", "vsphere.yaml", "capv-documented.yaml", vs, render.FormatKubernetes},
	} {
		t.Run(c.name, func(t *testing.T) {
			docs, err := render.Render(rendered(t, c.example, false, nil), render.TargetCAPI, c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", c.documented))
			if err != nil {
				t.Fatal(err)
			}
			documented := shapeOf(t, want)
			checked := 0
			for _, d := range docs {
				if d.Format != c.format {
					continue
				}
				y, err := d.YAML()
				if err != nil {
					t.Fatal(err)
				}
				for path, typ := range shapeOf(t, y) {
					checked++
					if dt, ok := documented[path]; !ok {
						t.Errorf("%s writes %s, which the documented example does not have", d.Name, path)
					} else if dt != typ {
						t.Errorf("%s writes %s as a %s; the documented example has a %s", d.Name, path, typ, dt)
					}
				}
			}
			if checked < 10 {
				t.Errorf("only %d fields were compared", checked)
			}
		})
	}
}

func TestLargeWholeNumbersStayWhole(t *testing.T) {
	c := render.Context{Cluster: "prod"}
	c.AWS.RootVolumeSize = 9000000000000000001
	docs, err := render.Render(rendered(t, "aws.yaml", false, nil), render.TargetCAPI, c)
	if err != nil {
		t.Fatal(err)
	}
	y, err := docs[0].YAML()
	if err != nil {
		t.Fatal(err)
	}
	js, err := docs[0].JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(y, []byte("size: 9000000000000000001\n")) || !bytes.Contains(js, []byte(`"size": 9000000000000000001`)) {
		t.Errorf("the root volume size lost digits:\n%s\n%s", y, js)
	}
}
