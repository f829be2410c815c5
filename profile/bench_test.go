package profile

import (
	"os"
	"testing"
)

// BenchmarkValidateAndRender validates and renders a complete 4-layer BYOOS
// profile (edge-native-byoi with credentials and macros, edge-k3s, cni-calico)
// and a 4-layer aws profile, parse included.
func BenchmarkValidateAndRender(b *testing.B) {
	for _, ex := range []string{"aws.yaml", "edge-native.yaml"} {
		src, err := os.ReadFile("../examples/" + ex)
		if err != nil {
			b.Fatal(err)
		}
		v := validator(b)
		b.Run(ex, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				d, err := Parse(ex, src)
				if err != nil {
					b.Fatal(err)
				}
				_, r := mustRender(b, v, d, Options{})
				if r.Findings.HasErrors() {
					b.Fatal(r.Findings)
				}
			}
		})
	}
}

// BenchmarkValidate is what `byoos validate` does with a profile: parse and
// validate, without rendering.
func BenchmarkValidate(b *testing.B) {
	for _, ex := range []string{"aws.yaml", "edge-native.yaml"} {
		src, err := os.ReadFile("../examples/" + ex)
		if err != nil {
			b.Fatal(err)
		}
		v := validator(b)
		b.Run(ex, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := Parse(ex, src)
				if err != nil {
					b.Fatal(err)
				}
				if r := mustValidate(b, v, d, Options{}); r.Findings.HasErrors() {
					b.Fatal(r.Findings)
				}
			}
		})
	}
}

// BenchmarkCrossLayerRules runs the cross-layer rules over the validated
// layers of examples/edge-native.yaml (edge-native-byoi, edge-k3s,
// cni-calico) and examples/aws.yaml.
func BenchmarkCrossLayerRules(b *testing.B) {
	v := validator(b)
	for _, ex := range []string{"aws.yaml", "edge-native.yaml"} {
		src, err := os.ReadFile("../examples/" + ex)
		if err != nil {
			b.Fatal(err)
		}
		d, err := Parse(ex, src)
		if err != nil {
			b.Fatal(err)
		}
		r := mustValidate(b, v, d, Options{})
		b.Run(ex, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, rule := range CrossLayerRules() {
					if fl := rule.Check(r.Layers); len(fl) > 0 {
						b.Fatal(fl)
					}
				}
			}
		})
	}
}
