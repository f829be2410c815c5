package imagesrc

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFromManifest: whatever the bytes, reading a manifest never panics;
// invalid JSON is always an error; every error has a message and a line
// within the file; every image has an ID, and every AWS image a region.
func FuzzFromManifest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"builds": [{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-123,", "packer_run_uuid": "r"}], "last_run_uuid": "r"}`))
	f.Add([]byte(`{"builds": [{"builder_type": "vsphere-clone", "artifact_id": "a/b", "custom_data": {"datacenter": "/", "folder": ".."}}]}`))
	f.Add([]byte(`{"builds": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`))
	f.Add([]byte("\xef\xbb\xbf{\"builds\": null}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		imp, err := FromManifest(src)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			lines := bytes.Count(src, []byte("\n")) + 1
			for _, e := range es {
				if e.Message == "" || e.Line < 0 || e.Line > lines || e.Line > 0 && e.Column < 1 {
					t.Fatalf("bad error %+v for %d lines", e, lines)
				}
			}
			return
		}
		if !json.Valid(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))) {
			t.Fatalf("invalid JSON read without error: %q", src)
		}
		for _, img := range imp.Images {
			if img.ID == "" || img.Cloud == "" || (img.Cloud == "aws") != (img.Region != "") {
				t.Fatalf("bad image %+v", img)
			}
			if _, err := img.Values(""); err != nil {
				t.Fatalf("values of %+v: %v", img, err)
			}
		}
	})
}

// FuzzParseName: a name is read or not, never with a panic; a name read
// has a lower-case OS name of one word, and a Kubernetes version exactly in
// the forms that have one.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"capa-ami-ubuntu-24.04-v1.30.1-1716000000", "capa-ami-ubuntu-2204-1.30.1-1.1-1716000000", "ubuntu-2404-kube-v1.30.1.ova",
		"rhel-8-kube-v1.27.11", "vhd-ubuntu-2204", "flatcar-stable", "capa-ami--v1.2.3-123456789", "a-kube-", "-kube-v1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseName(s)
		if !ok {
			if n != (Name{}) {
				t.Fatalf("ParseName(%q) = %+v, false", s, n)
			}
			return
		}
		if !osWordRe.MatchString(n.OSName) || strings.ContainsAny(n.OSVersion, " /") {
			t.Fatalf("ParseName(%q) = %+v", s, n)
		}
		if (n.Form == FormBuildName) != (n.Kubernetes == "") {
			t.Fatalf("ParseName(%q) = %+v: the Kubernetes version does not go with the form", s, n)
		}
	})
}

// FuzzSetValues: putting an image in any values text either fails or gives
// values that read back with the image, never a panic.
func FuzzSetValues(f *testing.F) {
	f.Add("pack:\n  osImageOverride: \"ami-0aaaaaaaaaaaaaaaa\" # c\n  osName: rhel\n  osVersion: '8'\n", "ami-0123456789abcdef0", "ubuntu", "24.04")
	f.Add("pack: &a\n  osName: x\nother: *a\n", "x\ny", "\"", "8")
	f.Add("pack.osName: x\npack: [1]\n", "", "ubuntu", "")
	f.Fuzz(func(t *testing.T, text, id, osName, osVersion string) {
		img := Image{ID: id, OSName: osName, OSVersion: osVersion}
		out, err := img.SetValues(text)
		if err != nil {
			return
		}
		if !hasValues(out, map[string]string{KeyImage: id, KeyOSName: osName, KeyOSVersion: osVersion}) {
			t.Fatalf("SetValues(%q) = %q without the image", text, out)
		}
	})
}
