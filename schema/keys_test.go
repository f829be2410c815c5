package schema

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

const keysDefaults = `pack:
  podCIDR: "192.168.0.0/16"
  content:
    images:
      - image: a
      - image: b
        digest: x
options:
  system.uri: "x"
  system.registry: "y"
labels: {}
extra:
list: []
`

const keysSchema = `pack.osName:
  schema: '{{ required | format "${string}" }}'
manifests.env.*:
  schema: '{{ hints "any variable" }}'
hosts.$[].name:
  schema: '{{ hints "a host name" }}'
`

func TestKeys(t *testing.T) {
	k := NewKeys(mustValues(t, keysDefaults), mustParse(t, keysSchema), "pack.namespace", "pack.releaseNameOverride.*")
	for _, c := range []struct {
		path  string
		known bool
	}{
		{"pack", true},
		{"pack.podCIDR", true},
		{"pack.podCidr", false},
		{"pack.content.images[3].image", true},
		{"pack.content.images[0].digest", true},
		{"pack.content.images.$[].img", false},
		{"options.system.uri", true},
		{"options.system", true},
		{"options.system.url", false},
		{"system.uri", false},
		{"labels.anything.below", true},
		{"extra.x", true},
		{"list[0].y", true},
		{"pack.osName", true},
		{"manifests.env.FOO", true},
		{"manifests.env", true},
		{"manifests.other", false},
		{"hosts[1].name", true},
		{"hosts[1].ip", false},
		{"pack.namespace", true},
		{"pack.releaseNameOverride.chart", true},
	} {
		if got := k.Known(c.path); got != c.known {
			t.Errorf("Known(%q) = %v, want %v", c.path, got, c.known)
		}
	}
}

func TestUnknownFindsTheTopmostUnknownKeysWithTheirPlace(t *testing.T) {
	k := NewKeys(mustValues(t, keysDefaults), mustParse(t, keysSchema))
	doc := mustValues(t, `pack:
  podCidr: x
  content:
    images:
      - img: a
options:
  system:
    uri: nested
  system.url: flat
system.uri: root
labels:
  free: form
manifests:
  env:
    ANY: x
  nope:
    deep: 1
base: &b
  image: x
`)
	var got []string
	for _, u := range k.Unknown(doc) {
		got = append(got, fmt.Sprintf("%s@%s@%d:%d", u.Path, u.Parent, u.Key.Line, u.Key.Column))
	}
	want := []string{
		"pack.podCidr@pack@2:3",
		"pack.content.images[0].img@pack.content.images[0]@5:9",
		"options.system.url@options@9:3",
		"system.uri@@10:1",
		"manifests.nope@manifests@16:3",
		"base@@18:1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unknown =\n%v\nwant\n%v", got, want)
	}
}

func TestAMergeKeyBringsItsKeysToItsMapping(t *testing.T) {
	k := NewKeys(mustValues(t, "a:\n  b: 1\n  c: 2\n"), nil)
	doc := mustValues(t, "x: &x\n  b: 1\n  d: 2\na:\n  <<: *x\n  c: 3\n")
	var got []string
	for _, u := range k.Unknown(doc) {
		got = append(got, u.Path)
	}
	if strings.Join(got, ",") != "x,a.d" {
		t.Errorf("Unknown = %v, want x and a.d (merged from x)", got)
	}
}

func TestSuggest(t *testing.T) {
	k := NewKeys(mustValues(t, keysDefaults), mustParse(t, keysSchema), "pack.namespace")
	doc := mustValues(t, "pack:\n  podCidr: x\n  namspace: y\n  content:\n    images:\n      - img: a\nsystem.uri: z\nproviderCredential: 1\nPack: 2\n")
	got := map[string]Suggestion{}
	for _, u := range k.Unknown(doc) {
		s, ok := k.Suggest(u)
		if !ok {
			s = Suggestion{Path: "(none)"}
		}
		got[u.Path] = s
	}
	want := map[string]Suggestion{
		"pack.podCidr":               {Key: "podCIDR", Path: "pack.podCIDR", CaseOnly: true},
		"pack.namspace":              {Key: "namespace", Path: "pack.namespace"},
		"pack.content.images[0].img": {Key: "image", Path: "pack.content.images.$[].image"},
		"system.uri":                 {Path: "options.system.uri"},
		"providerCredential":         {Path: "(none)"},
		"Pack":                       {Key: "pack", Path: "pack", CaseOnly: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Suggest =\n%+v\nwant\n%+v", got, want)
	}
}

func TestOpenMapEntries(t *testing.T) {
	s := mustParse(t, "env.*:\n  schema: '{{ hints \"any variable\" }}'\n\"*\":\n  schema: '{{ hints \"all free-form\" }}'\n")
	if len(s.Entries) != 2 || !s.Entries[0].Open || !s.Entries[1].Open {
		t.Fatalf("entries = %+v, want two open entries", s.Entries)
	}
	if fl := s.Check(mustValues(t, "env: 1\n"), nil); len(fl) != 0 {
		t.Errorf("an open entry checked values: %v", fl)
	}
	if !NewKeys(nil, s).Known("any.key.at.all") {
		t.Error("* does not open every key")
	}
	for _, c := range []struct{ name, src, says string }{
		{"an open map with required is refused", "env.*:\n  schema: '{{ required | hints \"x\" }}'\n", "takes only hints"},
		{"an open map with a format is refused", "env.*:\n  schema: '{{ format \"${string}\" }}'\n", "takes only hints"},
		{"a * inside a path is refused", "env.*.name:\n  schema: '{{ hints \"x\" }}'\n", "last segment"},
		{"a * at the start of a path is refused", "\"*.name\":\n  schema: '{{ hints \"x\" }}'\n", "last segment"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, fl, err := Parse([]byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Entries) != 0 || len(fl) != 1 || fl[0].Code != finding.CodeSchemaGrammar || !strings.Contains(fl[0].Message, c.says) {
				t.Errorf("entries %+v, findings %v; want one schema-grammar finding saying %q", s.Entries, fl, c.says)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"a.b":            "a.b",
		"a[0].b":         "a.$[].b",
		"a.$[].b":        "a.$[].b",
		"a$[].b":         "a.$[].b",
		"a[12][3]":       "a.$[].$[]",
		"[0].x":          "$[].x",
		"a[x]":           "a[x]",
		"registry.$[]":   "registry.$[]",
		"images[0].name": "images.$[].name",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}
