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
