package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/byoos/byoos/values"
)

// FuzzParseTemplate checks that any template parses or fails without
// panicking, and that what parses has a consistent shape.
func FuzzParseTemplate(f *testing.F) {
	// Templates as found in published packs and the Palette docs, plus broken
	// ones; the committed corpus under testdata/fuzz adds more.
	seeds := []string{
		`{{ required }}`,
		`{{ readonly }}`,
		`{{ required | format "${number}" | hints "Enter the cluster port number" }}`,
		`{{ format "${list:[PreferNoSchedule,NoSchedule,NoExecute]}"  | hints "effect"}}`,
		`{{ required | format "${ipv4} - ${ipv4}" | hints "ip pool range"}}`,
		`{{ required | format "${string}, ${string:/size=\d+/}" }}`,
		`{{ required | format "${string}/${string}:${version}" | hints "registry/repository:version" }}`,
		`{{ format "${number:[-1.5-1.5]}" }}`,
		`{{ format "${password:/^([a-z0-9].*)$/}" }}`,
		`{{ format "${input}" | hints "license" }}`,
		`{{ hints "a \"quoted\" \x41 \u00e9 \d" "b" }}`,
		`{{ requird }}`,
		`{{ hints "abc }}`,
		`{{ format "${number:[5-1]}" }}`,
		`{{ format "${string:/a(/}" }}`,
		`{{ format "${string" }}`,
		"{{ hints `raw` }}",
		`{{ required || }}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		e, err := ParseTemplate(tmpl)
		if e.Template != tmpl {
			t.Fatalf("Template = %q, want %q", e.Template, tmpl)
		}
		if err != nil {
			return
		}
		if e.Format == nil {
			return
		}
		typed := 0
		for _, p := range e.Format.Parts {
			switch {
			case p.Type == "" && p.Literal == "":
				t.Fatalf("empty literal part in %q", e.Format.Raw)
			case p.Type == TypeList && len(p.Options) == 0:
				t.Fatalf("list part without options in %q", e.Format.Raw)
			case p.Min != nil && *p.Min > *p.Max:
				t.Fatalf("reversed range in %q", e.Format.Raw)
			}
			if p.Type != "" {
				typed++
			}
		}
		if typed == 0 {
			t.Fatalf("format %q has no typed part", e.Format.Raw)
		}
		// Every format must also check any value without panicking.
		_ = e.Format.Check(e.Format.Raw)
	})
}

// FuzzFormatCheck checks values against formats: no panic, no hang, and
// every mismatch is a *CheckError with a code.
func FuzzFormatCheck(f *testing.F) {
	seeds := [][2]string{
		{"${string}", "hello"},
		{"${number:[5000-5005]}", "5003"},
		{"${number:/^(500[0-5])$/}", "5008"},
		{"${boolean}", "yes"},
		{"${list:[PACK,GIT,CHART]}", "git"},
		{"${ipv4}", "10.0.0.256"},
		{"${version}", "v1.2.3-rc.1"},
		{"${ipv4} - ${ipv4}", "10.10.10.10 - 10.10.10.255"},
		{"${ipv4} - ${ipv4}", "10.10.10.10-10.10.10.255"},
		{`${string}, ${string:/size=\d+/}`, "type-zeroedthick, size=150"},
		{"${string}/${string}:${version}", "docker.io/library/nginx:1.25.3"},
		{"${string}${string}${number}", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, format, value string) {
		fm, err := ParseFormat(format)
		if err != nil {
			return
		}
		err = fm.Check(value)
		if err == nil {
			return
		}
		var ce *CheckError
		if !errors.As(err, &ce) || ce.Code == "" || ce.Expected == "" {
			t.Fatalf("Check(%q) against %q = %#v, want a *CheckError with a code", value, format, err)
		}
	})
}

// FuzzParseAndCheck parses any schema.yaml and checks any values with it:
// no panic, no hang, and every finding has a code and a message.
func FuzzParseAndCheck(f *testing.F) {
	f.Add(benchSchema, benchValues)
	f.Add("a.$[].b:\n  schema: '{{ required | format \"${ipv4} - ${ipv4}\" }}'\n", "a:\n- b: 10.0.0.1 - 10.0.0.2\n- c: 1\n")
	f.Add("osVersion:\n  schema: '{{ readonly | format \"${list:[8.10,9.4]}\" }}'\n", "osVersion: 8.10\n")
	f.Add("x:\n  schema: '{{ requird }}'\n", "x: &a [1, *a]\n")
	f.Fuzz(func(t *testing.T, schemaSrc, valuesSrc string) {
		s, fl, err := Parse([]byte(schemaSrc))
		if err != nil {
			return
		}
		doc, err := values.Parse([]byte(valuesSrc))
		if err != nil {
			return
		}
		fl = append(fl, s.Check(doc, doc)...)
		for _, x := range fl {
			if x.Code == "" || x.Message == "" {
				t.Fatalf("finding without code or message: %#v", x)
			}
		}
		for _, e := range s.Entries {
			s.IsSecret(e.Path)
		}
	})
}

// FuzzKeys builds the keys of any defaults and schema.yaml and looks for
// unknown keys in any values: no panic, no hang; every unknown key is one
// Known refuses, and its defaults' own keys are never unknown.
func FuzzKeys(f *testing.F) {
	f.Add("a:\n  b: 1\n  l:\n    - x: 1\nopen: {}\n", "e.*:\n  schema: '{{ hints \"any\" }}'\n", "a:\n  c: 2\n  l:\n    - y: 1\ne:\n  z: 1\nopen:\n  q: 1\n")
	f.Add("options:\n  system.uri: x\n", "", "options:\n  system:\n    uri: y\nsystem.uri: z\n")
	f.Add("base: &b\n  k: 1\nm:\n  <<: *b\n", "", "m:\n  <<: *b\n  j: 2\nbase: &b\n  k: 1\n")
	f.Fuzz(func(t *testing.T, defaultsSrc, schemaSrc, valuesSrc string) {
		defaults, err := values.Parse([]byte(defaultsSrc))
		if err != nil {
			return
		}
		s, _, err := Parse([]byte(schemaSrc))
		if err != nil {
			s = nil
		}
		k := NewKeys(defaults, s, "pack.namespace", "pack.x.*")
		if u := k.Unknown(defaults); len(u) != 0 {
			t.Fatalf("the defaults' own keys are unknown: %v", u)
		}
		doc, err := values.Parse([]byte(valuesSrc))
		if err != nil {
			return
		}
		for _, u := range k.Unknown(doc) {
			if u.Key == nil || u.Path == "" {
				t.Fatalf("unknown key without key or path: %#v", u)
			}
			if !strings.Contains(u.Key.Value, "[") && !strings.Contains(u.Key.Value, "$") && k.Known(u.Path) {
				t.Fatalf("%s is reported unknown but Known says it is known", u.Path)
			}
			k.Suggest(u)
		}
	})
}
