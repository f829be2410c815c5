package profile

import (
	"context"
	"testing"
)

// TestTheProductPagesSnippetsValidateWithoutAWord runs the values the BYOOS
// product pages show (their edge snippet with its indentation corrected:
// on the page, content sits at the root instead of under pack) through the
// pipeline: no finding of any severity.
func TestTheProductPagesSnippetsValidateWithoutAWord(t *testing.T) {
	v := validator(t)
	tests := []struct {
		name, pack, tag, cloud, values string
	}{
		{"the AWS AMI of the parameters table", "generic-byoi", "1.0.x", "aws",
			"pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"},
		{"the Azure VHD blob URL of the providers table", "generic-byoi", "1.0.x", "azure",
			"pack:\n  osImageOverride: \"https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd\"\n  osName: \"ubuntu\"\n  osVersion: \"20.04\"\n"},
		{"the vSphere OVA template path of the providers table", "generic-byoi", "1.0.x", "vsphere",
			"pack:\n  osImageOverride: \"path/to/template/r_u-2004-0-k-1243-0-new.ova\"\n  osName: \"ubuntu\"\n  osVersion: \"20.04\"\n"},
		{"the vSphere template path of the providers table", "generic-byoi", "1.0.x", "vsphere",
			"pack:\n  osImageOverride: \"path/to/template/rhel-8-kube-v1.27.11\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"},
		{"the Edge snippet, content under pack (edge-native-byoi 1.0.x)", "edge-native-byoi", "1.0.x", "edge-native",
			"pack:\n  content:\n    images:\n      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n      # - image: example.io/my-other-images/example:v1.0.0\n\noptions:\n  system.uri: example.io/my-images/example-custom-os:v1.4.5\n"},
		{"the Edge snippet, content under pack (edge-native-byoi 2.1.x)", "edge-native-byoi", "2.1.x", "edge-native",
			"pack:\n  content:\n    images:\n      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n\noptions:\n  system.uri: example.io/my-images/example-custom-os:v1.4.5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := v.Packs.FindPack(context.Background(), PackRef{Name: tt.pack, Tag: tt.tag})
			if err != nil {
				t.Fatal(err)
			}
			r := v.ValidateValues("snippet.yaml", []byte(tt.values), found.Pack, tt.cloud, Options{})
			if len(r.Findings) != 0 {
				t.Errorf("findings: %v", r.Findings)
			}
		})
	}
}

// TestTheProductPagesEdgeSnippetAsPrintedIsCaught: as the page prints it,
// content sits at the root, where the pack does not read it.
func TestTheProductPagesEdgeSnippetAsPrintedIsCaught(t *testing.T) {
	v := validator(t)
	found, err := v.Packs.FindPack(context.Background(), PackRef{Name: "edge-native-byoi", Tag: "1.0.x"})
	if err != nil {
		t.Fatal(err)
	}
	src := "pack:\ncontent:\n  images: \n    - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n\noptions: \n  system.uri: example.io/my-images/example-custom-os:v1.4.5\n"
	r := v.ValidateValues("snippet.yaml", []byte(src), found.Pack, "edge-native", Options{})
	if has(r.Findings, "edge-content-at-root") == nil {
		t.Errorf("findings: %v", r.Findings)
	}
}
