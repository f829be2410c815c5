package suggest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"kitten", "sitting", 3}, {"generic-byoi", "generic-byoi", 0}, {"generic_byoi", "generic-byoi", 1}, {"", "abc", 3}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
	if Distance(strings.Repeat("a", 100), "a") < 1000 {
		t.Error("long input was compared")
	}
}

func TestSuggestions(t *testing.T) {
	names := []string{"cni-calico", "edge-k3s", "edge-native-byoi", "generic-byoi", "kubernetes"}
	if got := Closest("kubernetse", names, 3); got != "kubernetes" {
		t.Errorf("Closest = %q", got)
	}
	if got := Closest("flannel", names, 3); got != "" {
		t.Errorf("Closest of an unrelated name = %q", got)
	}
	if got := Similar("edge-k3", names); len(got) != 1 || got[0] != "edge-k3s" {
		t.Errorf("Similar = %v", got)
	}
}

func TestKey(t *testing.T) {
	for _, c := range []struct {
		name, key  string
		candidates []string
		want       string
	}{
		{"a key in another case is that key", "podCidr", []string{"podCIDR", "serviceClusterIpRange"}, "podCIDR"},
		{"a case match wins over a nearer spelling", "OsName", []string{"osNames", "osName"}, "osName"},
		{"one letter missing is a near miss", "osImageOveride", []string{"osName", "osImageOverride", "osVersion"}, "osImageOverride"},
		{"a plural is a near miss", "providerCredential", []string{"pack", "options", "providerCredentials"}, "providerCredentials"},
		{"an abbreviation means the key it abbreviates", "img", []string{"image"}, "image"},
		{"a short key allows one edit only", "pak", []string{"pack"}, "pack"},
		{"two edits on a short key are too many", "pk", []string{"pack"}, ""},
		{"an unrelated key has no suggestion", "frobnicate", []string{"podCIDR", "k8sHardening"}, ""},
		{"an abbreviation needs the same first letter", "mg", []string{"image"}, ""},
		{"no candidates, no suggestion", "x", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Key(c.key, c.candidates); got != c.want {
				t.Errorf("Key(%q, %v) = %q, want %q", c.key, c.candidates, got, c.want)
			}
		})
	}
}
