package service

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/macro"
)

func TestCheckMacroName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"os_name", true},
		{"OS-Name-2", true},
		{"", false},
		{"os.name", false},
		{"os name", false},
		{"os}}name", false},
		{"é", false},
		{strings.Repeat("a", MaxMacroName), true},
		{strings.Repeat("a", MaxMacroName+1), false},
	} {
		t.Run("name "+strings.ReplaceAll(tc.name, " ", "␠"), func(t *testing.T) {
			err := CheckMacroName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckMacroName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && tc.name != "" && len(tc.name) <= MaxMacroName && !strings.Contains(err.Error(), "byte") {
				t.Errorf("error %q does not say where", err)
			}
		})
	}
}

// FuzzCheckMacroName: every name CheckMacroName accepts can be referred to
// in a profile as {{ .spectro.macro.NAME }}, read back as that very name.
func FuzzCheckMacroName(f *testing.F) {
	for _, s := range []string{"os_name", "a-b", "", "a.b", "x }}{{ .spectro.system.cluster.name", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckMacroName(name) != nil {
			return
		}
		xs, err := macro.Scan("{{ .spectro.macro." + name + " }}")
		if err != nil || len(xs) != 1 || xs[0].Kind != macro.KindMacro || xs[0].Path != name {
			t.Fatalf("accepted name %q reads back as %+v, %v", name, xs, err)
		}
	})
}
