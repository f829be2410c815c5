package macro_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/values"
)

var fuzzSeeds = []string{
	"",
	"plain text\r\nwith { braces } and }} and ünïcødé",
	"{{ .spectro.system.cluster.name }}",
	"{{.spectro.pack.edge-native-byoi.options.system.uri}}",
	"v{{ .spectro.system.kubernetes.version | substr 0 4 }}",
	`{{ .spectro.pack.f.a | default \"1.19.0\" }}`,
	"{{- .spectro.macro.m | lower | trunc 8 -}}",
	"{{ .spectro.var.v | upper }}",
	"{{ .spectro.pack.f.self }}{{ .spectro.pack.f.a }}",
	"{{ .Values.x }} {{ include \"t\" . }}",
	"{{ .spectro.pack. }}{{ .spectro.foo.x }}{{ .spectro }}",
	"{{ {{ .spectro.var.v }}",
	"{{ .spectro.var.v",
	"{{ \"}}\" `}}` \\\"}}\\\" }}",
	"{{ .spectro.macro.m | printf \"%s}}\" }}",
	"{{ .spectro.pack.f.list }}{{ .spectro.pack.f.map.k }}",
	"{{/* .spectro.var.v */}}",
}

// FuzzScan checks that Scan never panics and reports sound offsets.
func FuzzScan(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		exprs, err := macro.Scan(text)
		if !macro.HasMacro(text) && (len(exprs) != 0 || err != nil) {
			t.Fatalf("text without {{ gave %v %v", exprs, err)
		}
		prev := 0
		for _, x := range exprs {
			if x.Start < prev || x.End > len(text) || x.End-x.Start < 4 {
				t.Fatalf("bad span %d..%d (prev %d, len %d)", x.Start, x.End, prev, len(text))
			}
			if text[x.Start:x.Start+2] != "{{" || text[x.End-2:x.End] != "}}" {
				t.Fatalf("span %d..%d is not {{ }}: %q", x.Start, x.End, text[x.Start:x.End])
			}
			if x.Kind == macro.KindPack && (x.Pack == "" || x.Path == "") {
				t.Fatalf("pack expression without pack or path: %+v", x)
			}
			prev = x.End
		}
		if se, ok := err.(*macro.SyntaxError); ok {
			if se.Offset < prev || !strings.HasPrefix(text[se.Offset:], "{{") {
				t.Fatalf("error offset %d does not point at a {{ after the expressions", se.Offset)
			}
		} else if err != nil {
			t.Fatalf("error of type %T", err)
		}
	})
}

// FuzzResolve checks that Resolve never panics or hangs, leaves text without
// "{{" alone, and reports offsets that point into the text. The second input
// is the values of pack "f", which the text and these values may reference.
func FuzzResolve(f *testing.F) {
	vals := "a: \"{{ .spectro.pack.f.b }}\"\nb: x\nself: \"{{ .spectro.pack.f.self }}\"\nlist: [1]\nmap: {k: v}\n"
	for _, s := range fuzzSeeds {
		f.Add(s, vals)
	}
	f.Add("{{ .spectro.pack.f.a }}", "a: \"{{ .spectro.pack.f.a }}{{ .spectro.pack.f.a }}\"\n")
	e := macro.New()
	f.Fuzz(func(t *testing.T, text, packValues string) {
		c := &macro.Context{
			System:        map[string]string{"cluster.name": "prod"},
			ProjectMacros: map[string]string{"m": "Project"},
			Vars:          map[string]string{"v": "var"},
			Packs:         map[string]*values.Doc{},
			Secret:        func(pack, path string) bool { return path == "secret" },
		}
		if d, err := values.Parse([]byte(packValues)); err == nil {
			c.Packs["f"] = d
			c.Packs["edge-native-byoi"] = d
		}
		r := e.Resolve(c, "f", text)
		if !macro.HasMacro(text) {
			if r.Text != text || len(r.Issues) != 0 || r.Deferred {
				t.Fatalf("text without {{ changed: %q -> %+v", text, r)
			}
			return
		}
		for _, is := range r.Issues {
			if is.Offset < 0 || is.Offset >= len(text) || !strings.HasPrefix(text[is.Offset:], "{{") {
				t.Fatalf("issue offset %d does not point at {{ in %q: %+v", is.Offset, text, is)
			}
			if is.Code == "" || is.Message == "" || is.Severity == "" {
				t.Fatalf("incomplete issue %+v", is)
			}
		}
		if len(r.Text) > len(text)+macro.MaxOutput {
			t.Fatalf("output of %d bytes", len(r.Text))
		}
	})
}
