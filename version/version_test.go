package version

import (
	"slices"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{"semantic versions compare by number, not text", "1.10.0", "1.9.0", 1},
		{"a pre-release is older than its release", "1.0.0-rc.1", "1.0.0", -1},
		{"a leading v is ignored", "v1.2.3", "1.2.3", 0},
		{"text that is not a version compares as text", "abc", "abd", -1},
		{"a version and text compare as text", "1.0.0", "latest", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Comparer()(tt.a, tt.b); got != tt.want {
				t.Errorf("Comparer()(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Compare(tt.a, tt.b); got != tt.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Compare(tt.b, tt.a); got != -tt.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestSortNewestFirstDropsRepeats(t *testing.T) {
	got := SortNewestFirst([]string{"1.9.0", "1.10.0", "1.9.0", "1.0.0-rc.1", "1.0.0"})
	want := []string{"1.10.0", "1.9.0", "1.0.0", "1.0.0-rc.1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
