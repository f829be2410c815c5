package macro_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/byoos/byoos/macro"
)

func TestScan(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		want   []macro.Expr
		errAt  int // -1: no error
		errMsg string
	}{
		{name: "text without braces has no expressions", text: "a: b { c } }}", errAt: -1},
		{name: "a system macro is read", text: "x {{ .spectro.system.cluster.name }}", errAt: -1, want: []macro.Expr{
			{Start: 2, End: 36, Kind: "system", Ref: "system.cluster.name", Path: "cluster.name"}}},
		{name: "a hyphenated pack name with a flat dotted key is split at the first dot", text: "{{.spectro.pack.edge-native-byoi.options.system.uri}}", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 53, Kind: "pack", Ref: "pack.edge-native-byoi.options.system.uri", Pack: "edge-native-byoi", Path: "options.system.uri"}}},
		{name: "a pipeline is everything after the first bar", text: "{{ .spectro.macro.m | default \"a|b\" | upper }}", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 46, Kind: "macro", Ref: "macro.m", Path: "m", Pipeline: "default \"a|b\" | upper"}}},
		{name: "trim markers are recorded and not part of the reference or pipeline", text: "{{- .spectro.var.v -}}{{- .spectro.var.w | x -}}", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 22, Kind: "var", Ref: "var.v", Path: "v", TrimLeft: true, TrimRight: true},
			{Start: 22, End: 48, Kind: "var", Ref: "var.w", Path: "w", Pipeline: "x", TrimLeft: true, TrimRight: true}}},
		{name: "a Helm expression is other", text: "{{ .Values.x }}{{- include \"a\" . }}", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 15, Kind: "other"}, {Start: 15, End: 35, Kind: "other"}}},
		{name: "a quoted close inside an expression does not end it", text: "{{ .spectro.var.v | printf \"}}\" }}!", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 34, Kind: "var", Ref: "var.v", Path: "v", Pipeline: "printf \"}}\""}}},
		{name: "a raw string may hold a close", text: "{{ x `}}` }}", errAt: -1, want: []macro.Expr{{Start: 0, End: 12, Kind: "other"}}},
		{name: "escaped quotes as in a YAML double-quoted string hold a close", text: `"{{ .spectro.var.v | default \"}}\" }}"`, errAt: -1, want: []macro.Expr{
			{Start: 1, End: 38, Kind: "var", Ref: "var.v", Path: "v", Pipeline: `default \"}}\"`}}},
		{name: "an unbalanced quote falls back to the first close", text: "{{ \"a }} b", errAt: -1, want: []macro.Expr{{Start: 0, End: 8, Kind: "other"}}},
		{name: "a {{ inside an expression restarts the expression", text: "{{ a {{ .spectro.var.v }}", errAt: -1, want: []macro.Expr{
			{Start: 5, End: 25, Kind: "var", Ref: "var.v", Path: "v"}}},
		{name: "an unclosed {{ is an error at its offset after the expressions before it", text: "{{ .spectro.var.v }} {{ .spectro.var.w", errAt: 21, errMsg: "never closed", want: []macro.Expr{
			{Start: 0, End: 20, Kind: "var", Ref: "var.v", Path: "v"}}},
		{name: "a malformed reference is invalid with a problem", text: "{{ .spectro.pack.k8s }}", errAt: -1, want: []macro.Expr{
			{Start: 0, End: 23, Kind: "invalid", Ref: "pack.k8s", Problem: "a pack reference needs a path after the pack name: .spectro.pack.k8s.PATH"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := macro.Scan(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("exprs:\n got %+v\nwant %+v", got, tt.want)
			}
			var se *macro.SyntaxError
			switch {
			case tt.errAt < 0 && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.errAt >= 0 && (!errors.As(err, &se) || se.Offset != tt.errAt):
				t.Errorf("error = %v, want one at offset %d", err, tt.errAt)
			}
		})
	}
}

func TestHasMacro(t *testing.T) {
	for s, want := range map[string]bool{"": false, "a { b }": false, "{{": true, "x{{y": true, "{ {": false} {
		if got := macro.HasMacro(s); got != want {
			t.Errorf("HasMacro(%q) = %v", s, got)
		}
	}
}

// adversarialInputs are inputs built to make a naive scanner quadratic.
func adversarialInputs() map[string]string {
	const n = 1 << 20
	return map[string]string{
		"unterminated quotes on many lines": strings.Repeat("{{\"\n", n/4) + "}}",
		"unterminated quotes on one line":   "{{\"" + strings.Repeat("{{ ", n/3) + "}}",
		"raw strings":                       strings.Repeat("{{`", n/3) + "}}",
		"escaped quotes":                    strings.Repeat("{{\\\"", n/4) + "}}",
		"opens only":                        strings.Repeat("{", n),
		"closes only":                       strings.Repeat("}", n),
		"comments":                          strings.Repeat("{{/* ", n/5) + "*/}}",
		"many macros":                       strings.Repeat("{{ .spectro.macro.m }}", n/22),
		"many unresolved macros":            strings.Repeat("{{ .spectro.macro.x }}", n/22),
		"quote then many opens":             "{{ .spectro.macro.m | default \"" + strings.Repeat("{{", n/2) + "}}",
	}
}

// TestAdversarialInputsAreResolved runs Scan and Resolve on the adversarial
// inputs: they finish (the test binary's timeout is the bound) with results
// that make sense. How fast is BenchmarkAdversarialInputs' business.
func TestAdversarialInputsAreResolved(t *testing.T) {
	e := macro.New()
	c := &macro.Context{ProjectMacros: map[string]string{"m": "v"}}
	for name, in := range adversarialInputs() {
		macro.Scan(in)
		r := e.Resolve(c, "p", in)
		switch name {
		case "many macros":
			if r.Text != strings.Repeat("v", (1<<20)/22) || len(r.Issues) != 0 {
				t.Errorf("%s: %d bytes, %d issues", name, len(r.Text), len(r.Issues))
			}
		case "many unresolved macros":
			if r.Text != "" || len(r.Issues) != (1<<20)/22 {
				t.Errorf("%s: %q, %d issues", name, r.Text[:min(len(r.Text), 40)], len(r.Issues))
			}
		case "opens only", "closes only":
			if r.Text != in {
				t.Errorf("%s: text changed", name)
			}
		}
	}
}
