package render_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/render"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/wire"
)

// BenchmarkRender renders each example's resolved profile to its target and
// writes it, as the CLI and the API do after profile.Validator.Render.
func BenchmarkRender(b *testing.B) {
	vs := render.Context{Cluster: "prod"}
	vs.VSphere.Network = "VM Network"
	for _, c := range []struct {
		name, example string
		target        render.Target
		ctx           render.Context
	}{
		{"aws", "aws.yaml", render.TargetCAPI, render.Context{Cluster: "prod"}},
		{"azure", "azure.json", render.TargetCAPI, azureContext()},
		{"vsphere", "vsphere.yaml", render.TargetCAPI, vs},
		{"edge", "edge-native.yaml", render.TargetEdgeUserData, render.Context{}},
	} {
		p := rendered(b, c.example, false, nil)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				docs, err := render.Render(p, c.target, c.ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := render.WriteYAMLStream(io.Discard, docs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender4Layers is the whole path byoos render runs after parsing
// the file, for a 4-layer profile per target: validation and macro
// resolution (profile.Validator.Render), then render.Render and the YAML
// stream. The Edge example has 3 layers; a manifest layer makes it 4.
func BenchmarkRender4Layers(b *testing.B) {
	repo, err := catalog.PublicRepo()
	if err != nil {
		b.Fatal(err)
	}
	v := profile.NewValidator(service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(repo))))
	vs := render.Context{Cluster: "prod"}
	vs.VSphere.Network = "VM Network"
	for _, c := range []struct {
		name, example string
		target        render.Target
		ctx           render.Context
	}{
		{"values", "aws.yaml", render.TargetValues, render.Context{}},
		{"capi-aws", "aws.yaml", render.TargetCAPI, render.Context{Cluster: "prod", Region: "us-east-1"}},
		{"capi-azure", "azure.json", render.TargetCAPI, azureContext()},
		{"capi-vsphere", "vsphere.yaml", render.TargetCAPI, vs},
		{"edge-user-data", "edge-native.yaml", render.TargetEdgeUserData, render.Context{}},
	} {
		src, err := os.ReadFile(filepath.Join("..", "examples", c.example))
		if err != nil {
			b.Fatal(err)
		}
		d, err := profile.Parse(c.example, src)
		if err != nil {
			b.Fatal(err)
		}
		if packs := &d.Profile.Spec.Template.Packs; len(*packs) == 3 {
			*packs = append(*packs, wire.PackRef{Name: "namespaces", Type: "manifest", Layer: "addon",
				Manifests: []wire.Manifest{{Name: "ns", Content: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n"}}})
		}
		if n := len(d.Profile.Spec.Template.Packs); n != 4 {
			b.Fatalf("%s has %d layers, want 4", c.example, n)
		}
		o := profile.Options{System: map[string]string{}}
		if c.ctx.Cluster != "" {
			o.System["cluster.name"] = c.ctx.Cluster
		}
		if c.ctx.Region != "" {
			o.System["cloud.region"] = c.ctx.Region
		}
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, r, err := v.Render(ctx, d, o)
				if err != nil {
					b.Fatal(err)
				}
				if r.Findings.HasErrors() {
					b.Fatalf("%s does not validate: %v", c.example, r.Findings)
				}
				docs, err := render.Render(out, c.target, c.ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := render.WriteYAMLStream(io.Discard, docs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
