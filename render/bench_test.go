package render

import (
	"io"
	"testing"
)

// BenchmarkRender renders each example's resolved profile to its target and
// writes it, as the CLI and the API do after profile.Validator.Render.
func BenchmarkRender(b *testing.B) {
	vs := Context{Cluster: "prod"}
	vs.VSphere.Network = "VM Network"
	for _, c := range []struct {
		name, example string
		target        Target
		ctx           Context
	}{
		{"aws", "aws.yaml", TargetCAPI, Context{Cluster: "prod"}},
		{"azure", "azure.json", TargetCAPI, azureContext()},
		{"vsphere", "vsphere.yaml", TargetCAPI, vs},
		{"edge", "edge-native.yaml", TargetEdgeUserData, Context{}},
	} {
		p := rendered(b, c.example, false, nil)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				docs, err := Render(p, c.target, c.ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := WriteYAMLStream(io.Discard, docs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
