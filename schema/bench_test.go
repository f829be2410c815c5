package schema

import (
	"testing"
)

// benchSchema is shaped like an OS pack's schema.yaml.
const benchSchema = `pack.osImageOverride:
  schema: '{{ required | format "${string:/^[a-z0-9.-]+\/[^:]+:[^:]+$/}" | hints "the provider image" }}'
pack.osVersion:
  schema: '{{ required | format "${string}" | hints "OS release" }}'
pack.k8sVersion:
  schema: '{{ format "${version}" }}'
options.system.uri:
  schema: '{{ format "${string}" }}'
registry.port:
  schema: '{{ format "${number:[1-65535]}" }}'
registry.addresses.$[]:
  schema: '{{ format "${ipv4} - ${ipv4}" }}'
`

const benchValues = `pack:
  osImageOverride: "ghcr.io/acme/ubuntu:22.04"
  osName: ubuntu
  osVersion: "22.04"
  k8sVersion: v1.30.4
options:
  system.uri: "oci:ghcr.io/acme/provider:v1"
registry:
  port: 5000
  addresses:
  - 10.10.10.10 - 10.10.10.255
  - 10.10.11.10 - 10.10.11.255
`

func BenchmarkCheck(b *testing.B) {
	s := mustParse(b, benchSchema)
	doc := mustValues(b, benchValues)
	if fl := s.Check(doc, nil); len(fl) != 0 {
		b.Fatalf("benchmark values have findings: %v", fl)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Check(doc, nil)
	}
}

func BenchmarkCheckWithFindings(b *testing.B) {
	s := mustParse(b, benchSchema)
	doc := mustValues(b, `pack:
  osVersion: 8.10
  k8sVersion: "1.30"
registry:
  port: 70000
  addresses:
  - 10.10.10.10-10.10.10.255
`)
	b.ReportAllocs()
	for b.Loop() {
		s.Check(doc, nil)
	}
}

func BenchmarkParse(b *testing.B) {
	src := []byte(benchSchema)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatCheckComposite(b *testing.B) {
	f, err := ParseFormat("${string}/${string}:${version}")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Check("docker.io/library/nginx:1.25.3"); err != nil {
			b.Fatal(err)
		}
	}
}
