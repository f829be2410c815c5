package macro_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/values"
)

// edgeValues are the edge-native-byoi values as CanvOS prints them
// (palette-model.md §1.4), filled in with example settings.
const edgeValues = `pack:
  content:
    images:
      - image: "{{.spectro.pack.edge-native-byoi.options.system.uri}}"
  # Below config is default value, please uncomment if you want to modify default values
  #drain:
    #cordon: true
    #timeout: 60
options:
  system.uri: "{{ .spectro.pack.edge-native-byoi.options.system.registry }}/{{ .spectro.pack.edge-native-byoi.options.system.repo }}:{{ .spectro.pack.edge-native-byoi.options.system.k8sDistribution }}-{{ .spectro.system.kubernetes.version }}-{{ .spectro.pack.edge-native-byoi.options.system.peVersion }}-{{ .spectro.pack.edge-native-byoi.options.system.customTag }}"

  system.registry: ttl.sh      # e.g. ttl.sh
  system.repo: ubuntu
  system.k8sDistribution: k3s
  system.osName: ubuntu
  system.peVersion: v4.4.0
  system.customTag: demo
  system.osVersion: 22
`

func mustParse(t testing.TB, src string) *values.Doc {
	t.Helper()
	d, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return d
}

func baseContext(t testing.TB) *macro.Context {
	packs := map[string]*values.Doc{
		"kubernetes":       mustParse(t, "version: 1.29.5\nnum: 1.20\nempty:\nblank: \"\"\nmapval:\n  a: 1\nlistval: [a, b]\nimages:\n  - image: nginx:1.25\n"),
		"edge-native-byoi": mustParse(t, edgeValues),
		"cyc-a":            mustParse(t, "x: \"{{ .spectro.pack.cyc-b.y }}\"\nself: \"pre-{{ .spectro.pack.cyc-a.self }}\"\n"),
		"cyc-b":            mustParse(t, "y: \"{{ .spectro.pack.cyc-a.x }}\"\n"),
		"inner":            mustParse(t, "v: \"{{ .spectro.var.missing }}-tail\"\n"),
		"secret":           mustParse(t, "providerCredentials:\n  user: admin\n  password: hunter2\n"),
		"later":            mustParse(t, "v: \"id-{{ .spectro.system.cluster.uid }}\"\n"),
		"escaped":          mustParse(t, "ver: \"{{ .spectro.pack.kubernetes.nope | default \\\"1.19.0\\\" }}\"\n"),
	}
	for i := 0; i < 40; i++ {
		packs[fmt.Sprintf("deep%d", i)] = mustParse(t, fmt.Sprintf("v: \"{{ .spectro.pack.deep%d.v }}\"\n", i+1))
	}
	packs["deep40"] = mustParse(t, "v: end\n")
	return &macro.Context{
		System:        map[string]string{"cluster.name": "prod", "user.name": "Jane.Doe", "kubernetes.version": "1.29.5"},
		ProjectMacros: map[string]string{"region": "project-region"},
		TenantMacros:  map[string]string{"region": "tenant-region", "tier": "tenant-tier"},
		SystemMacros:  map[string]string{"region": "system-region", "tier": "system-tier", "owner": "system-owner"},
		Vars:          map[string]string{"size": "large", "blank": "", "pw": "hunter3"},
		Sensitive:     map[string]bool{"pw": true},
		Packs:         packs,
		Secret: func(pack, path string) bool {
			return pack == "secret" && strings.HasSuffix(path, "password")
		},
	}
}

func codes(is []macro.Issue) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Code)
	}
	return out
}

func TestResolve(t *testing.T) {
	noK8s := func(c *macro.Context) { delete(c.System, "kubernetes.version") }
	tests := []struct {
		name     string
		edit     func(*macro.Context)
		text     string
		want     string
		codes    []string
		deferred bool
		msg      string // a substring of the first issue's message
	}{
		// system macros
		{name: "a system macro set in the context is replaced", text: "name: {{ .spectro.system.cluster.name }}", want: "name: prod"},
		{name: "a system macro without spaces is replaced", text: "name: {{.spectro.system.cluster.name}}", want: "name: prod"},
		{name: "a known system macro not in the context renders empty and is deferred to deployment", text: "uid: '{{ .spectro.system.cluster.uid }}'", want: "uid: ''", codes: []string{"macro-deploy-time"}, deferred: true, msg: "only known at deployment"},
		{name: "an unknown system macro warns and renders empty", text: "x: {{ .spectro.system.clustr.name }}.", want: "x: .", codes: []string{"macro-unknown-system"}, msg: `no system macro "clustr.name"`},
		{name: "an unknown system macro set in the context is used without a warning", edit: func(c *macro.Context) { c.System["custom.key"] = "v" }, text: "{{ .spectro.system.custom.key }}", want: "v"},
		{name: "a system macro set to the empty string is not deferred", edit: func(c *macro.Context) { c.System["cluster.uid"] = "" }, text: "[{{ .spectro.system.cluster.uid }}]", want: "[]"},

		// pack references
		{name: "a pack reference reads a value of another pack", text: "k8s: {{ .spectro.pack.kubernetes.version }}", want: "k8s: 1.29.5"},
		{name: "a pack reference keeps the YAML text of a number", text: "{{ .spectro.pack.kubernetes.num }}", want: "1.20"},
		{name: "a pack reference reads a list item by index", text: "{{ .spectro.pack.kubernetes.images[0].image }}", want: "nginx:1.25"},
		{name: "a hyphenated pack name is read", text: "{{ .spectro.pack.edge-native-byoi.options.system.repo }}", want: "ubuntu"},
		{name: "a flat dotted key is read through the dotted path", text: "{{ .spectro.pack.edge-native-byoi.options.system.k8sDistribution }}", want: "k3s"},
		{name: "a pack value holding macros is resolved recursively", text: "image: {{ .spectro.pack.edge-native-byoi.options.system.uri }}", want: "image: ttl.sh/ubuntu:k3s-1.29.5-v4.4.0-demo"},
		{name: "a pack value holding a deploy-time macro makes the result deferred", text: "{{ .spectro.pack.later.v }}", want: "id-", codes: []string{"macro-deploy-time"}, deferred: true, msg: "(in the value of pack.later.v)"},
		{name: "a pack not in the profile renders empty with a warning", text: "[{{ .spectro.pack.nginx.version }}]", want: "[]", codes: []string{"macro-unresolved"}, msg: `pack "nginx" is not in this profile`},
		{name: "a path absent from the pack renders empty with a warning", text: "[{{ .spectro.pack.kubernetes.missing.key }}]", want: "[]", codes: []string{"macro-unresolved"}, msg: `has no value at "missing.key"`},
		{name: "a null pack value renders empty with a warning", text: "[{{ .spectro.pack.kubernetes.empty }}]", want: "[]", codes: []string{"macro-unresolved"}, msg: "is empty (null)"},
		{name: "an empty string pack value renders empty without a warning", text: "[{{ .spectro.pack.kubernetes.blank }}]", want: "[]"},
		{name: "a pack reference to a mapping is an error", text: "[{{ .spectro.pack.kubernetes.mapval }}]", want: "[]", codes: []string{"macro-not-scalar"}, msg: "is a mapping"},
		{name: "a pack reference to a list is an error", text: "[{{ .spectro.pack.kubernetes.listval }}]", want: "[]", codes: []string{"macro-not-scalar"}, msg: "is a list"},
		{name: "an issue inside a referenced value is reported once however often it is referenced", text: "{{ .spectro.pack.inner.v }} {{ .spectro.pack.inner.v }}", want: "-tail -tail", codes: []string{"macro-unresolved"}, msg: "(in the value of pack.inner.v)"},
		{name: "escaped quotes inside a referenced value are YAML-unescaped already", text: "{{ .spectro.pack.escaped.ver }}", want: "1.19.0", codes: []string{"macro-unresolved"}},

		// user macros
		{name: "a project macro wins over tenant and system macros", text: "{{ .spectro.macro.region }}", want: "project-region"},
		{name: "a tenant macro wins over a system macro", text: "{{ .spectro.macro.tier }}", want: "tenant-tier"},
		{name: "a system-scope macro is used when no other scope defines it", text: "{{ .spectro.macro.owner }}", want: "system-owner"},
		{name: "an undefined macro renders empty with a warning", text: "<{{ .spectro.macro.nope }}>", want: "<>", codes: []string{"macro-unresolved"}, msg: `macro "nope" is not defined`},
		{name: "a user macro takes a pipeline", text: "{{ .spectro.macro.owner | upper }}", want: "SYSTEM-OWNER"},

		// profile variables
		{name: "a profile variable is replaced", text: "size: '{{.spectro.var.size}}'", want: "size: 'large'"},
		{name: "a profile variable set to the empty string renders empty without a warning", text: "[{{ .spectro.var.blank }}]", want: "[]"},
		{name: "an undefined profile variable renders empty with a warning", text: "[{{ .spectro.var.nope }}]", want: "[]", codes: []string{"macro-unresolved"}, msg: `profile variable "nope" is not defined`},
		{name: "a pipeline on a profile variable is an error and the value is kept", text: "{{ .spectro.var.size | upper }}", want: "large", codes: []string{"macro-var-pipeline"}, msg: "do not support functions"},

		// pipelines
		{name: "upper applies to a system macro", text: "{{ .spectro.system.user.name | upper }}", want: "JANE.DOE"},
		{name: "default applies to an unresolved pack reference which still warns", text: "{{ .spectro.pack.kubernetes.nope | default \"1.19.0\" }}", want: "1.19.0", codes: []string{"macro-unresolved"}},
		{name: "default does not replace a resolved value", text: "{{ .spectro.pack.kubernetes.version | default \"1.19.0\" }}", want: "1.29.5"},
		{name: "substr keeps the text around the macro", text: "v{{ .spectro.system.kubernetes.version | substr 0 4 }}", want: "v1.29"},
		{name: "a chain of lower and trunc applies in order", text: "{{ .spectro.system.user.name | lower | trunc 6 }}", want: "jane.d"},
		{name: "a pipeline without spaces around the bar works", text: "{{.spectro.system.cluster.name|upper}}", want: "PROD"},
		{name: "escaped quotes in a pipeline as written in a YAML double-quoted string work", text: `v: "{{ .spectro.pack.kubernetes.nope | default \"1.19.0\"}}"`, want: `v: "1.19.0"`, codes: []string{"macro-unresolved"}},
		{name: "a quoted }} inside a pipeline does not end the macro", text: `{{ .spectro.macro.region | printf "%s}}" }}`, want: "project-region}}"},
		{name: "a quoted {{ inside a pipeline does not start a macro", text: `{{ .spectro.macro.region | printf "{{%s" }}`, want: "{{project-region"},
		{name: "an unknown function is an error naming it and the value is kept", text: "{{ .spectro.system.cluster.name | shout }}", want: "prod", codes: []string{"macro-function"}, msg: `function "shout" not defined`},
		{name: "a function with the wrong arguments is an error", text: "{{ .spectro.system.cluster.name | substr 0 }}", want: "prod", codes: []string{"macro-function"}, msg: "wrong number of args for substr"},
		{name: "an empty pipeline is a syntax error", text: "{{ .spectro.system.cluster.name | }}", want: "{{ .spectro.system.cluster.name | }}", codes: []string{"macro-syntax"}, msg: "nothing follows"},
		{name: "a pipeline ending in a bar is an error", text: "{{ .spectro.system.cluster.name | upper | }}", want: "prod", codes: []string{"macro-function"}, msg: "missing after the last"},
		{name: "env is not available to pipelines", text: `{{ .spectro.macro.nope | default (env "HOME") }}`, want: "", codes: []string{"macro-unresolved", "macro-function"}, msg: `macro "nope"`},
		{name: "a function that would build a huge string is refused", text: `{{ .spectro.system.cluster.name | repeat 999999999 }}`, want: "prod", codes: []string{"macro-function"}, msg: "larger than"},
		{name: "a pipeline cannot reach outside its value", text: `{{ .spectro.system.cluster.name | printf "%s%s" .Other }}`, want: "prod", codes: []string{"macro-function"}},

		// cycles and depth
		{name: "a value that references itself is a cycle", text: "{{ .spectro.pack.cyc-a.self }}", want: "pre-", codes: []string{"macro-cycle"}, msg: "pack.cyc-a.self -> pack.cyc-a.self"},
		{name: "values that reference each other are a cycle shown as a chain", text: "{{ .spectro.pack.cyc-a.x }}", want: "", codes: []string{"macro-cycle"}, msg: "pack.cyc-a.x -> pack.cyc-b.y -> pack.cyc-a.x"},
		{name: "a cycle is reported once when both ends are referenced", text: "{{ .spectro.pack.cyc-a.x }}{{ .spectro.pack.cyc-b.y }}", want: "", codes: []string{"macro-cycle"}},
		{name: "a chain of references deeper than the limit is an error", text: "{{ .spectro.pack.deep0.v }}", want: "", codes: []string{"macro-cycle"}, msg: "nest deeper than 32 levels"},
		{name: "a chain of references within the limit resolves", text: "{{ .spectro.pack.deep20.v }}", want: "end"},

		// text that is not a macro
		{name: "text without macros comes back identical", text: "a: b\r\nc: { d: e }\n# ünïcødé ✓\n", want: "a: b\r\nc: { d: e }\n# ünïcødé ✓\n"},
		{name: "Helm expressions are left untouched", text: `x: {{ .Values.x }} y: {{- include "t" . -}} z: {{ .spectro.system.cluster.name }}`, want: `x: {{ .Values.x }} y: {{- include "t" . -}} z: prod`},
		{name: "a template comment is left untouched", text: "{{/* .spectro.system.cluster.name */}}", want: "{{/* .spectro.system.cluster.name */}}"},
		{name: "surrounding unicode, CRLF and single braces are kept byte for byte", text: "é{ {{ .spectro.system.cluster.name }} }✓\r\n}} {x}\r\n", want: "é{ prod }✓\r\n}} {x}\r\n"},
		{name: "a name like .spectroX is not a macro", text: "{{ .spectroX.system.cluster.name }}", want: "{{ .spectroX.system.cluster.name }}"},
		{name: "a stray {{ before a macro is kept and the macro resolved", text: "a {{ b {{ .spectro.system.cluster.name }}", want: "a {{ b prod"},

		// trim markers
		{name: "trim markers remove the whitespace around the macro", text: "a  \n {{- .spectro.system.cluster.name -}} \r\n b", want: "aprodb"},
		{name: "a left trim marker alone trims only before", text: "a  {{- .spectro.system.cluster.name }}  b", want: "aprod  b"},
		{name: "a right trim marker alone trims only after", text: "a  {{ .spectro.system.cluster.name -}}  b", want: "a  prodb"},
		{name: "a right trim marker with a pipeline is not part of the pipeline", text: "{{ .spectro.system.cluster.name | upper -}}\n!", want: "PROD!"},
		{name: "a dash without a space is not a trim marker", text: "a {{-.spectro.system.cluster.name}} b", want: "a {{-.spectro.system.cluster.name}} b"},
		{name: "trim markers do not reach into resolved values", text: "{{ .spectro.macro.spaced -}} x", edit: func(c *macro.Context) { c.ProjectMacros["spaced"] = "v  " }, want: "v  x"},

		// syntax
		{name: "an unclosed {{ is a syntax error and the text is kept", text: "a: {{ .spectro.system.cluster.name }} b: {{ .spectro.var.size", want: "a: prod b: {{ .spectro.var.size", codes: []string{"macro-syntax"}, msg: "never closed"},
		{name: "a pack reference without a path is a syntax error and kept as written", text: "{{ .spectro.pack.kubernetes }}", want: "{{ .spectro.pack.kubernetes }}", codes: []string{"macro-syntax"}, msg: "needs a path after the pack name"},
		{name: "a pack reference with nothing after pack is a syntax error", text: "{{ .spectro.pack. }}", want: "{{ .spectro.pack. }}", codes: []string{"macro-syntax"}},
		{name: "an unknown macro kind is a syntax error", text: "{{ .spectro.foo.x }}", want: "{{ .spectro.foo.x }}", codes: []string{"macro-syntax"}, msg: `unknown macro kind "foo"`},
		{name: "a bare .spectro is a syntax error", text: "{{ .spectro }}", want: "{{ .spectro }}", codes: []string{"macro-syntax"}},
		{name: "an argument after the reference without a bar is a syntax error", text: `{{ .spectro.var.size "x" }}`, want: `{{ .spectro.var.size "x" }}`, codes: []string{"macro-syntax"}, msg: "unexpected"},
		{name: "an empty path segment is a syntax error", text: "{{ .spectro.pack.kubernetes..version }}", want: "{{ .spectro.pack.kubernetes..version }}", codes: []string{"macro-syntax"}},

		// secrets
		{name: "a reference to a secret pack value is refused and renders empty", text: "pw: {{ .spectro.pack.secret.providerCredentials.password }}", want: "pw: ", codes: []string{"macro-secret-ref"}, msg: "is a secret, and secrets cannot be read through macros"},
		{name: "a reference to a secret pack value is refused through a pipeline too", text: "{{ .spectro.pack.secret.providerCredentials.password | b64enc }}", want: "", codes: []string{"macro-secret-ref"}},
		{name: "a reference to a secret reached through another pack value is refused", edit: func(c *macro.Context) {
			c.Packs["relay"] = mustParse(t, "v: \"{{ .spectro.pack.secret.providerCredentials.password }}\"\n")
		}, text: "[{{ .spectro.pack.relay.v }}]", want: "[]", codes: []string{"macro-secret-ref"}, msg: "(in the value of pack.relay.v)"},
		{name: "a value of the same pack that is not secret is read", text: "{{ .spectro.pack.secret.providerCredentials.user }}", want: "admin"},
		{name: "a sensitive variable is read where the values need it", text: "password: {{ .spectro.var.pw }}", want: "password: hunter3"},
		{name: "a sensitive variable reads as the mask when hidden", edit: func(c *macro.Context) { c.HideSensitive = true }, text: "password: {{ .spectro.var.pw }}", want: "password: ********"},

		// the edge-native-byoi self reference
		{name: "the edge-native-byoi image resolves through its own options", text: `image: "{{.spectro.pack.edge-native-byoi.options.system.uri}}"`, want: `image: "ttl.sh/ubuntu:k3s-1.29.5-v4.4.0-demo"`},
		{name: "the edge-native-byoi image without the kubernetes version is deferred", edit: noK8s, text: `image: "{{.spectro.pack.edge-native-byoi.options.system.uri}}"`, want: `image: "ttl.sh/ubuntu:k3s--v4.4.0-demo"`, codes: []string{"macro-deploy-time"}, deferred: true, msg: "kubernetes.version"},
	}
	e := macro.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseContext(t)
			if tt.edit != nil {
				tt.edit(c)
			}
			r := e.Resolve(c, "test", tt.text)
			if r.Text != tt.want {
				t.Errorf("text = %q, want %q", r.Text, tt.want)
			}
			if got := codes(r.Issues); !reflect.DeepEqual(got, tt.codes) {
				t.Errorf("codes = %q, want %q; issues: %+v", got, tt.codes, r.Issues)
			}
			if r.Deferred != tt.deferred {
				t.Errorf("deferred = %v, want %v", r.Deferred, tt.deferred)
			}
			if tt.msg != "" && (len(r.Issues) == 0 || !strings.Contains(r.Issues[0].Message, tt.msg)) {
				t.Errorf("first issue message does not contain %q: %+v", tt.msg, r.Issues)
			}
			for _, is := range r.Issues {
				if is.Message == "" || is.Hint == "" {
					t.Errorf("issue without message or hint: %+v", is)
				}
				if is.Offset < 0 || is.Offset >= len(tt.text) || !strings.HasPrefix(tt.text[is.Offset:], "{{") {
					t.Errorf("issue offset %d does not point at a {{: %+v", is.Offset, is)
				}
			}
		})
	}
}

func TestIssueDetails(t *testing.T) {
	e := macro.New()
	c := baseContext(t)
	text := "a: {{ .spectro.var.nope }}\nb: {{ .spectro.system.cluster.uid }}\n"
	r := e.Resolve(c, "p", text)
	want := []macro.Issue{{
		Severity: finding.Warning, Code: macro.CodeUnresolved, Ref: "var.nope", Offset: 3,
		Message: `{{ .spectro.var.nope }}: profile variable "nope" is not defined; it renders as an empty string`,
		Hint:    "add the variable to the profile's spec.variables or pass --set var.nope=VALUE",
	}, {
		Severity: finding.Info, Code: macro.CodeDeployTime, Ref: "system.cluster.uid", Offset: 30,
		Message: "{{ .spectro.system.cluster.uid }} is only known at deployment; it renders as an empty string here",
		Hint:    "pass --set system.cluster.uid=VALUE to preview it",
	}}
	if !reflect.DeepEqual(r.Issues, want) {
		t.Errorf("issues:\n got %+v\nwant %+v", r.Issues, want)
	}
}

// TestEdgeNativeWholeValues resolves the whole edge-native-byoi values text
// against itself, as a renderer does, and reads the result back.
func TestEdgeNativeWholeValues(t *testing.T) {
	e := macro.New()
	t.Run("with the kubernetes version the image and system.uri are complete", func(t *testing.T) {
		c := baseContext(t)
		r := e.Resolve(c, "edge-native-byoi", edgeValues)
		if len(r.Issues) != 0 || r.Deferred {
			t.Fatalf("issues %+v deferred %v", r.Issues, r.Deferred)
		}
		const uri = "ttl.sh/ubuntu:k3s-1.29.5-v4.4.0-demo"
		d := mustParse(t, r.Text)
		for _, p := range []string{"pack.content.images[0].image", "options.system.uri"} {
			n, ok := d.Lookup(p)
			if !ok || n.Value != uri {
				t.Errorf("%s = %v, want %q", p, n, uri)
			}
		}
		if !strings.Contains(r.Text, "  # Below config is default value, please uncomment") || !strings.Contains(r.Text, "system.registry: ttl.sh      # e.g. ttl.sh\n") {
			t.Errorf("comments or spacing not kept:\n%s", r.Text)
		}
	})
	t.Run("without the kubernetes version both places are deferred", func(t *testing.T) {
		c := baseContext(t)
		delete(c.System, "kubernetes.version")
		r := e.Resolve(c, "edge-native-byoi", edgeValues)
		if !r.Deferred {
			t.Error("not deferred")
		}
		if got := codes(r.Issues); !reflect.DeepEqual(got, []string{"macro-deploy-time", "macro-deploy-time"}) {
			t.Errorf("codes %q", got)
		}
		d := mustParse(t, r.Text)
		if n, _ := d.Lookup("pack.content.images[0].image"); n == nil || n.Value != "ttl.sh/ubuntu:k3s--v4.4.0-demo" {
			t.Errorf("image = %v", n)
		}
	})
}

func TestResolveWithoutMacroReturnsTheSameString(t *testing.T) {
	e := macro.New()
	s := strings.Repeat("plain: text {x}\n", 10)
	r := e.Resolve(nil, "p", s)
	if r.Text != s || r.Issues != nil || r.Deferred {
		t.Fatalf("%+v", r)
	}
}

func TestResolveWithNilContext(t *testing.T) {
	r := macro.New().Resolve(nil, "p", "{{ .spectro.pack.a.b | default \"x\" }}{{ .spectro.system.cluster.name }}")
	if r.Text != "x" || !r.Deferred {
		t.Fatalf("%+v", r)
	}
}

func TestResolveConcurrently(t *testing.T) {
	e := macro.New()
	c := baseContext(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				text := fmt.Sprintf("{{ .spectro.pack.kubernetes.version | trunc %d }}", j%5+1)
				r := e.Resolve(c, "p", text)
				if want := "1.29.5"[:j%5+1]; r.Text != want {
					t.Errorf("got %q want %q", r.Text, want)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestExpansionIsBounded(t *testing.T) {
	// Each level references the next one 16 times: 16^8 copies without a bound.
	packs := map[string]*values.Doc{}
	for i := 0; i < 8; i++ {
		packs[fmt.Sprintf("l%d", i)] = mustParse(t, "v: \""+strings.Repeat(fmt.Sprintf("{{ .spectro.pack.l%d.v }}", i+1), 16)+"\"\n")
	}
	packs["l8"] = mustParse(t, "v: "+strings.Repeat("x", 64)+"\n")
	r := macro.New().Resolve(&macro.Context{Packs: packs}, "p", "{{ .spectro.pack.l0.v }}")
	if len(r.Text) > macro.MaxOutput {
		t.Fatalf("output %d bytes", len(r.Text))
	}
	if got := codes(r.Issues); !reflect.DeepEqual(got, []string{"macro-cycle"}) {
		t.Fatalf("codes %q", got)
	}
}

func TestSystemKeys(t *testing.T) {
	keys := macro.SystemKeys()
	if len(keys) != 24 {
		t.Fatalf("%d keys", len(keys))
	}
	for _, k := range keys {
		if !macro.IsSystemKey(k) {
			t.Errorf("IsSystemKey(%q) = false", k)
		}
	}
	for _, k := range []string{"", "cluster", "name", "cluster.name ", "user.name user.uid", "r.name", "kubevip", "cluster.kubevi"} {
		if macro.IsSystemKey(k) {
			t.Errorf("IsSystemKey(%q) = true", k)
		}
	}
}

func TestBoundedFunctions(t *testing.T) {
	e := macro.New()
	c := &macro.Context{ProjectMacros: map[string]string{"v": "a\nb"}}
	tests := []struct{ pipe, want, err string }{
		{pipe: `repeat 3`, want: "a\nba\nba\nb"},
		{pipe: `indent 2`, want: "  a\n  b"},
		{pipe: `nindent 1`, want: "\n a\n b"},
		{pipe: `replace "\n" "-"`, want: "a-b"},
		{pipe: `replace "" "-"`, want: "-a-\n-b-"},
		{pipe: `trunc 0 | printf "%v%s" (regexReplaceAll "(a)" "xay" "${1}1")`, want: "xa1y"},
		{pipe: `trunc 0 | printf "%v%s" (regexReplaceAllLiteral "a" "xay" "$1")`, want: "x$1y"},
		{pipe: `regexReplaceAll "(" "x"`, err: "missing closing )"},
		{pipe: `wrapWith 1 "|"`, want: "a|\n|b"},
		{pipe: `len | until | join ","`, want: "0,1,2"},
		{pipe: `trunc 0 | printf "%v%s" (untilStep 10 1 -3 | join ",")`, want: "10,7,4"},
		{pipe: `trunc 0 | printf "%v%s" (seq 3)`, want: "1 2 3"},
		{pipe: `trunc 0 | printf "%v%s" (seq 1 2 7)`, want: "1 3 5 7"},
		{pipe: `trunc 0 | printf "%v%s" (randAlpha 4 | len)`, want: "4"},
		{pipe: `indent 99999999`, err: "larger than"},
		{pipe: `replace "" (repeat 1000000 "x")`, err: "larger than"},
		{pipe: `trunc 0 | printf "%v%s" (until 9999999999 | len)`, err: "more than 100000"},
		{pipe: `trunc 0 | printf "%v%s" (untilStep -9223372036854775808 9223372036854775807 1 | len)`, err: "more than 100000"},
		{pipe: `trunc 0 | printf "%v%s" (untilStep 9223372036854775800 9223372036854775807 5 | len)`, want: "2"},
		{pipe: `trunc 0 | printf "%v%s" (seq 9999999)`, err: "more than 100000"},
		{pipe: `trunc 0 | printf "%v%s" (randNumeric 99999999)`, err: "larger than"},
		{pipe: `trunc 0 | printf "%v%s" (regexReplaceAll "" "ab" "xx")`, want: "xxaxxbxx"},
		{pipe: `trunc 0 | printf "%v%s" (regexReplaceAll "" (repeat 1000000 "a") "xxx")`, err: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.pipe, func(t *testing.T) {
			r := e.Resolve(c, "p", "{{ .spectro.macro.v | "+tt.pipe+" }}")
			if tt.err != "" {
				if len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeFunction || !strings.Contains(r.Issues[0].Message, tt.err) {
					t.Fatalf("want a macro-function issue with %q, got %+v (text %.60q)", tt.err, r.Issues, r.Text)
				}
				return
			}
			if len(r.Issues) != 0 || r.Text != tt.want {
				t.Fatalf("got %.60q %+v, want %.60q", r.Text, r.Issues, tt.want)
			}
		})
	}
}

func TestSecretsNeverFlowIntoOtherValues(t *testing.T) {
	e := macro.New()
	tests := []struct {
		name, text string
		secret     bool
	}{
		{name: "text that reads a sensitive variable is marked secret", text: "x: {{ .spectro.var.pw }}", secret: true},
		{name: "text that reads a sensitive variable through a pack value is marked secret", text: "x: {{ .spectro.pack.relay.v }}", secret: true},
		{name: "text that reads only plain values is not marked secret", text: "x: {{ .spectro.var.size }}"},
		{name: "text that references a secret pack value is not marked: it read nothing", text: "x: {{ .spectro.pack.secret.providerCredentials.password }}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseContext(t)
			c.Packs["relay"] = mustParse(t, "v: \"{{ .spectro.var.pw }}\"\n")
			r := e.Resolve(c, "test", tt.text)
			if r.Secret != tt.secret {
				t.Errorf("Secret = %v, want %v (%+v)", r.Secret, tt.secret, r)
			}
			if strings.Contains(r.Text, "hunter2") {
				t.Errorf("the secret pack value reached the output: %q", r.Text)
			}
		})
	}
	t.Run("a function error on a value derived from a secret does not quote the error", func(t *testing.T) {
		c := baseContext(t)
		c.Vars["cfg"] = "s3cr3t-token"
		c.Sensitive["cfg"] = true
		c.Packs["relay"] = mustParse(t, "v: \"{{ .spectro.var.cfg }}\"\n")
		r := e.Resolve(c, "test", "{{ .spectro.pack.relay.v | b64enc | fail }}")
		if len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeFunction {
			t.Fatalf("issues = %+v, want one %s", r.Issues, macro.CodeFunction)
		}
		for _, leak := range []string{"s3cr3t-token", "czNjcjN0LXRva2Vu"} {
			if strings.Contains(r.Issues[0].Message, leak) || strings.Contains(r.Issues[0].Hint, leak) {
				t.Errorf("the issue quotes %q: %+v", leak, r.Issues[0])
			}
		}
	})
}

func TestExpensiveFunctionsCannotBeCalled(t *testing.T) {
	e := macro.New()
	for _, fn := range macro.RemovedFunctions() {
		t.Run(fn+" is not a function macros can call", func(t *testing.T) {
			r := e.Resolve(baseContext(t), "test", `{{ .spectro.macro.owner | `+fn+` }}`)
			if len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeFunction || !strings.Contains(r.Issues[0].Message, `function "`+fn+`" not defined`) {
				t.Errorf("issues = %+v, want %s saying %s is not defined", r.Issues, macro.CodeFunction, fn)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	e := macro.New()
	t.Run("a pipeline of more functions than allowed is refused", func(t *testing.T) {
		r := e.Resolve(baseContext(t), "test", "{{ .spectro.macro.owner"+strings.Repeat(" | upper", macro.MaxFunctions+1)+" }}")
		if len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeFunction || !strings.Contains(r.Issues[0].Message, "at most 16") {
			t.Errorf("issues = %+v", r.Issues)
		}
	})
	t.Run("no step of a pipeline may hold more than MaxOutput bytes", func(t *testing.T) {
		// repeat stays under the bound (1.92 MB); b64enc would take it past.
		r := e.Resolve(baseContext(t), "test", "{{ .spectro.macro.owner | trunc 8 | repeat 240000 | b64enc | sha1sum }}")
		if len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeFunction || !strings.Contains(r.Issues[0].Message, "larger than") {
			t.Errorf("issues = %+v", r.Issues)
		}
	})
	t.Run("work past the budget stops resolution with one error and empty values", func(t *testing.T) {
		c := baseContext(t)
		c.Budget = macro.NewBudget(context.Background(), 20)
		text := strings.Repeat("{{ .spectro.macro.owner | repeat 100000 | sha256sum }}\n", 10)
		r := e.Resolve(c, "test", text)
		if got := codes(r.Issues); !reflect.DeepEqual(got, []string{macro.CodeBudget}) {
			t.Fatalf("codes = %q, want one %s: %+v", got, macro.CodeBudget, r.Issues)
		}
		if !errors.Is(c.Budget.Err(), macro.ErrBudget) {
			t.Errorf("budget error = %v", c.Budget.Err())
		}
		if n := strings.Count(r.Text, "\n\n"); n < 5 {
			t.Errorf("expected the macros past the budget to render empty: %q", r.Text)
		}
	})
	t.Run("a cancelled context stops resolution before the first macro", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c := baseContext(t)
		c.Budget = macro.NewBudget(ctx, 0)
		r := e.Resolve(c, "test", "a: {{ .spectro.macro.owner }}")
		if r.Text != "a: " || len(r.Issues) != 1 || r.Issues[0].Code != macro.CodeBudget || !strings.Contains(r.Issues[0].Message, "cancelled") {
			t.Errorf("result = %+v", r)
		}
		if !errors.Is(c.Budget.Err(), context.Canceled) {
			t.Errorf("budget error = %v, want context.Canceled", c.Budget.Err())
		}
	})
	t.Run("a budget is shared by every Resolve call made with its Context", func(t *testing.T) {
		c := baseContext(t)
		c.Budget = macro.NewBudget(context.Background(), 5)
		var spent bool
		for i := 0; i < 10 && !spent; i++ {
			r := e.Resolve(c, "test", "{{ .spectro.macro.owner }}")
			spent = len(r.Issues) > 0 && r.Issues[0].Code == macro.CodeBudget
		}
		if !spent {
			t.Error("ten calls of one unit each did not spend a budget of five")
		}
	})
}
