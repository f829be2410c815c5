package render_test

import (
	"github.com/byoos/byoos/render"
	"io"
	"testing"
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
