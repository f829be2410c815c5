package macro_test

import (
	"context"
	"strings"
	"testing"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/values"
)

// BenchmarkResolve measures the hot paths: a typical value with one pack
// reference and one pipeline (the pipeline parsed once and cached), and a
// value without macros.
func BenchmarkResolve(b *testing.B) {
	d, err := values.Parse([]byte("version: 1.29.5\n"))
	if err != nil {
		b.Fatal(err)
	}
	c := &macro.Context{Packs: map[string]*values.Doc{"kubernetes": d}}
	e := macro.New()
	b.Run("one pack reference and one pipeline", func(b *testing.B) {
		const text = `k8s: "v{{ .spectro.pack.kubernetes.version | default \"1.19.0\" }}"`
		if r := e.Resolve(c, "p", text); r.Text != `k8s: "v1.29.5"` || len(r.Issues) != 0 {
			b.Fatalf("%+v", r)
		}
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "p", text)
		}
	})
	b.Run("edge-native-byoi image through its own options", func(b *testing.B) {
		c := &macro.Context{
			System: map[string]string{"kubernetes.version": "1.29.5"},
			Packs:  map[string]*values.Doc{"edge-native-byoi": mustParse(b, edgeValues)},
		}
		const text = `image: "{{.spectro.pack.edge-native-byoi.options.system.uri}}"`
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "edge-native-byoi", text)
		}
	})
	b.Run("no macro", func(b *testing.B) {
		const text = "registry: ttl.sh/ubuntu:k3s-1.29.5-v4.4.0-demo # a plain value"
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "p", text)
		}
	})
}

// BenchmarkSpentBudget measures the most CPU one request's macros can take:
// pipelines built to burn it (repeat, hash, repeat) until the default
// budget stops them. One op is one such request.
func BenchmarkSpentBudget(b *testing.B) {
	d, err := values.Parse([]byte("cidr: 192.168.0.0/16\n"))
	if err != nil {
		b.Fatal(err)
	}
	e := macro.New()
	text := strings.Repeat("- '{{ .spectro.pack.k.cidr | repeat 100000 | sha256sum | repeat 30000 | b64enc | sha1sum }}'\n", 800)
	b.ReportAllocs()
	for b.Loop() {
		c := &macro.Context{Packs: map[string]*values.Doc{"k": d}, Budget: macro.NewBudget(context.Background(), 0)}
		r := e.Resolve(c, "p", text)
		if len(r.Issues) == 0 || r.Issues[len(r.Issues)-1].Code != macro.CodeBudget {
			b.Fatalf("the budget did not stop the work: %+v", r.Issues)
		}
	}
}

// BenchmarkAdversarialInputs measures Scan and Resolve on inputs built to
// make a naive scanner quadratic (1 MiB each).
func BenchmarkAdversarialInputs(b *testing.B) {
	e := macro.New()
	c := &macro.Context{ProjectMacros: map[string]string{"m": "v"}}
	for name, in := range adversarialInputs() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				macro.Scan(in)
				e.Resolve(c, "p", in)
			}
		})
	}
}
