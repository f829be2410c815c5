package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

func mustParse(t testing.TB, src string) *Schema {
	t.Helper()
	s, fl, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(fl) > 0 {
		t.Fatalf("Parse findings: %v", fl)
	}
	return s
}

func mustValues(t testing.TB, src string) *values.Doc {
	t.Helper()
	d, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatalf("values.Parse: %v", err)
	}
	return d
}

func TestParse(t *testing.T) {
	src := `# a pack's schema.yaml
manifests.hello-universe.port:
  schema: '{{ required | format "${number:[1-65535]}" | hints "Enter the cluster port number" }}'
registry.addresses.$[]:
  schema: '{{ required | format "${ipv4} - ${ipv4}" | hints "ip pool range"}}'
storageType:
  schema: '{{ required | format "${string}, ${string:/size=\d+/}" }}'
pack.namespace:
  schema: "{{ readonly }}"
options.system.uri:
  schema: '{{ format "${string}" }}'
`
	s, fl, err := Parse([]byte(src))
	if err != nil || len(fl) > 0 {
		t.Fatalf("Parse: %v %v", err, fl)
	}
	type row struct {
		Path               string
		Required, Readonly bool
		Format             string
		Hints              []string
		Line, Column       int
	}
	var got []row
	for _, e := range s.Entries {
		r := row{Path: e.Path, Required: e.Required, Readonly: e.Readonly, Hints: e.Hints, Line: e.Line, Column: e.Column}
		if e.Format != nil {
			r.Format = e.Format.Raw
		}
		got = append(got, r)
	}
	want := []row{
		{Path: "manifests.hello-universe.port", Required: true, Format: "${number:[1-65535]}", Hints: []string{"Enter the cluster port number"}, Line: 2, Column: 1},
		{Path: "registry.addresses.$[]", Required: true, Format: "${ipv4} - ${ipv4}", Hints: []string{"ip pool range"}, Line: 4, Column: 1},
		{Path: "storageType", Required: true, Format: `${string}, ${string:/size=\d+/}`, Line: 6, Column: 1},
		{Path: "pack.namespace", Readonly: true, Line: 8, Column: 1},
		{Path: "options.system.uri", Format: "${string}", Line: 10, Column: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
	if re := s.Entries[2].Format.Parts[2].Regex; re == nil || re.String() != `size=\d+` {
		t.Errorf("the size regex was not compiled from the single-quoted YAML text: %v", re)
	}
	if s.Entries[0].Template != `{{ required | format "${number:[1-65535]}" | hints "Enter the cluster port number" }}` {
		t.Errorf("Template = %q", s.Entries[0].Template)
	}
}

func TestParseReportsGrammarErrorsAtTheirEntry(t *testing.T) {
	src := `good.one:
  schema: '{{ required }}'
bad.function:
  schema: '{{ requird }}'
bad.string:
  schema: '{{ hints "never closed }}'
bad.regex:
  schema: '{{ format "${string:/a(/}" }}'
bad.range:
  schema: '{{ format "${number:[5-1]}" }}'
bad.syntax:
  schema: '{{ format "${string x}" }}'
not.a.mapping: '{{ required }}'
no.schema.key:
  schem: '{{ required }}'
schema.not.text:
  schema: 5
list$[]:
  schema: '{{ required }}'
good.two:
  schema: '{{ format "${input}" }}'
`
	s, fl, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(s.Entries) != 2 || s.Entries[0].Path != "good.one" || s.Entries[1].Path != "good.two" {
		t.Errorf("kept entries %+v, want good.one and good.two", s.Entries)
	}
	want := []struct {
		path string
		line int
		msg  string
	}{
		{"bad.function", 3, `unknown function "requird"`},
		{"bad.string", 5, "is not closed"},
		{"bad.regex", 7, "bad regex /a(/"},
		{"bad.range", 9, "bad range [5-1]"},
		{"bad.syntax", 11, `format part "${string x}"`},
		{"not.a.mapping", 13, "expected a mapping with a schema:"},
		{"no.schema.key", 14, "has no schema: key"},
		{"schema.not.text", 16, "schema must be a quoted template"},
		{"list$[]", 18, "$[] must be a path segment"},
	}
	if len(fl) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%v", len(fl), len(want), strings.Join(findingStrings(fl), "\n"))
	}
	for i, w := range want {
		f := fl[i]
		if f.Code != CodeGrammar || f.Severity != finding.Error || f.Path != w.path || f.Line != w.line || f.Column != 1 || !strings.Contains(f.Message, w.msg) || f.Hint == "" {
			t.Errorf("finding %d = %v, want %s at line %d:1 containing %q", i, f, w.path, w.line, w.msg)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
	}{
		{name: "unreadable YAML is an error", src: "a: [1, 2\n"},
		{name: "a top-level list is an error", src: "- a\n- b\n"},
		{name: "a repeated key is an error", src: "a:\n  schema: '{{ required }}'\na:\n  schema: '{{ required }}'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.src))
			var pe *values.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want one wrapping *values.ParseError", err)
			}
			if !strings.HasPrefix(err.Error(), "schema.yaml: ") {
				t.Errorf("error %q does not name schema.yaml", err)
			}
		})
	}
}

func TestParseEmptySchema(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "~\n"} {
		s, fl, err := Parse([]byte(src))
		if err != nil || len(fl) != 0 || s == nil || len(s.Entries) != 0 {
			t.Errorf("Parse(%q) = %v, %v, %v; want an empty schema", src, s, fl, err)
		}
	}
}

// want is one expected finding; Message and Hint are substrings.
type want struct {
	Code, Path   string
	Line, Column int
	Message      string
	Hint         string
}

func findingStrings(fl finding.List) []string {
	out := make([]string, len(fl))
	for i, f := range fl {
		out[i] = f.String()
	}
	return out
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		schema   string
		values   string
		defaults string   // "" for no defaults document
		unknown  []string // concrete paths marked unknown
		want     []want
	}{
		// required
		{
			name:   "a required value that is present passes",
			schema: "a.b:\n  schema: '{{ required }}'\n",
			values: "a:\n  b: x\n",
		},
		{
			name:   "a required value that is missing is reported at its nearest ancestor key",
			schema: "pack.content.osName:\n  schema: '{{ required | hints \"the OS name\" }}'\n",
			values: "other: 1\npack:\n  content:\n    x: 1\n",
			want:   []want{{Code: CodeRequired, Path: "pack.content.osName", Line: 3, Column: 3, Message: "pack.content.osName is missing, but it is required", Hint: "set pack.content.osName; the pack says: the OS name"}},
		},
		{
			name:   "a required value with no ancestor at all has no position",
			schema: "pack.osName:\n  schema: '{{ required }}'\n",
			values: "other: 1\n",
			want:   []want{{Code: CodeRequired, Path: "pack.osName", Message: "is missing"}},
		},
		{
			name:   "a required value in an empty document has no position",
			schema: "pack.osName:\n  schema: '{{ required }}'\n",
			values: "",
			want:   []want{{Code: CodeRequired, Path: "pack.osName", Message: "is missing"}},
		},
		{
			name:   "a required null is reported at the value",
			schema: "a:\n  schema: '{{ required }}'\n",
			values: "a:\nb: 1\n",
			want:   []want{{Code: CodeRequired, Path: "a", Line: 1, Column: 3, Message: "a is an empty value, but it is required"}},
		},
		{
			name:   "a required empty string is reported",
			schema: "a:\n  schema: '{{ required | format \"${string}\" }}'\n",
			values: "a: \"\"\n",
			want:   []want{{Code: CodeRequired, Path: "a", Line: 1, Column: 4, Message: "a is an empty string, but it is required"}},
		},
		{
			name:   "a required value of only spaces is reported",
			schema: "a:\n  schema: '{{ required }}'\n",
			values: "a: \"  \"\n",
			want:   []want{{Code: CodeRequired, Path: "a", Line: 1, Column: 4, Message: `a is blank ("  "), but it is required`}},
		},
		{
			name:   "a required empty list is reported",
			schema: "a:\n  schema: '{{ required }}'\n",
			values: "a: []\n",
			want:   []want{{Code: CodeRequired, Path: "a", Line: 1, Column: 4, Message: "a is an empty list, but it is required"}},
		},
		{
			name:   "a required empty mapping is reported",
			schema: "a:\n  schema: '{{ required }}'\n",
			values: "a: {}\n",
			want:   []want{{Code: CodeRequired, Path: "a", Line: 1, Column: 4, Message: "an empty mapping"}},
		},
		{
			name:   "a missing optional value is not checked",
			schema: "a:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "b: 1\n",
		},
		{
			name:   "an empty optional value is not checked against its format",
			schema: "a:\n  schema: '{{ format \"${ipv4}\" }}'\nb:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "a: \"\"\nb:\n",
		},

		// flat dotted keys
		{
			name:   "a flat dotted key is found by its full path",
			schema: "options.system.uri:\n  schema: '{{ required | format \"${string:/^[a-z]+:/}\" }}'\n",
			values: "options:\n  system.uri: \"oci:registry/image\"\n",
		},
		{
			name:   "a flat dotted key that fails its format is reported at its value",
			schema: "options.system.uri:\n  schema: '{{ required | format \"${string:/^[a-z]+:/}\" }}'\n",
			values: "options:\n  system.uri: \"/registry/image\"\n",
			want:   []want{{Code: CodeFormat, Path: "options.system.uri", Line: 2, Column: 15, Message: `options.system.uri is the string "/registry/image", expected text matching /^[a-z]+:/`}},
		},
		{
			name:   "a missing flat dotted key is reported at its parent",
			schema: "options.system.uri:\n  schema: '{{ required }}'\n",
			values: "options:\n  system.other: x\n",
			want:   []want{{Code: CodeRequired, Path: "options.system.uri", Line: 1, Column: 1}},
		},

		// types: string and its YAML traps
		{
			name:   "a number where a string is expected says what YAML made of it",
			schema: "osVersion:\n  schema: '{{ format \"${string}\" }}'\n",
			values: "osVersion: 8.10\n",
			want: []want{{Code: CodeType, Path: "osVersion", Line: 1, Column: 12,
				Message: "osVersion is the number 8.1 (YAML reads 8.10 as a number), expected a string",
				Hint:    `quote it: osVersion: "8.10"`}},
		},
		{
			name:   "a nested number where a string is expected hints at its own key",
			schema: "pack.osVersion:\n  schema: '{{ format \"${string}\" | hints \"OS version\" }}'\n",
			values: "pack:\n  osVersion: 22\n",
			want: []want{{Code: CodeType, Path: "pack.osVersion", Line: 2, Column: 14,
				Message: "pack.osVersion is the integer 22, expected a string",
				Hint:    `quote it: osVersion: "22"; the pack says: OS version`}},
		},
		{
			name:   "a boolean where a string is expected is a type error",
			schema: "a:\n  schema: '{{ format \"${string}\" }}'\n",
			values: "a: True\n",
			want:   []want{{Code: CodeType, Path: "a", Message: "a is the boolean true (YAML reads True as a boolean), expected a string", Hint: `quote it: a: "True"`}},
		},
		{
			name:   "a quoted number is a string",
			schema: "osVersion:\n  schema: '{{ format \"${string}\" }}'\n",
			values: "osVersion: \"8.10\"\n",
		},
		{
			name:   "a plain word is a string",
			schema: "a:\n  schema: '{{ format \"${string}\" }}'\n",
			values: "a: hello\n",
		},
		{
			name:   "a mapping where a string is expected is a type error",
			schema: "a:\n  schema: '{{ format \"${string}\" }}'\n",
			values: "a:\n  b: c\n",
			want:   []want{{Code: CodeType, Path: "a", Line: 2, Column: 3, Message: "a is a mapping, expected a string"}},
		},
		{
			name:   "a list where a number is expected is a type error",
			schema: "a:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "a: [1, 2]\n",
			want:   []want{{Code: CodeType, Path: "a", Message: "a is a list, expected a number"}},
		},

		// number
		{
			name:   "a YAML integer is a number",
			schema: "port:\n  schema: '{{ format \"${number:[1-65535]}\" }}'\n",
			values: "port: 8080\n",
		},
		{
			name:   "a quoted number is a number",
			schema: "port:\n  schema: '{{ format \"${number:[1-65535]}\" }}'\n",
			values: "port: \"8080\"\n",
		},
		{
			name:   "a YAML hex integer is read as YAML reads it",
			schema: "port:\n  schema: '{{ format \"${number:[1-20]}\" }}'\n",
			values: "port: 0x10\n",
		},
		{
			name:   "a negative decimal inside a decimal range passes",
			schema: "t:\n  schema: '{{ format \"${number:[-1.5-1.5]}\" }}'\n",
			values: "t: -1.25\n",
		},
		{
			name:   "a number outside its range is a range error",
			schema: "registry.port:\n  schema: '{{ format \"${number:[5000-5005]}\" | hints \"registry port\" }}'\n",
			values: "registry:\n  port: 6000\n",
			want: []want{{Code: CodeRange, Path: "registry.port", Line: 2, Column: 9,
				Message: "registry.port is the integer 6000, expected a number from 5000 to 5005",
				Hint:    "set registry.port to a number from 5000 to 5005; the pack says: registry port"}},
		},
		{
			name:   "a word where a number is expected is a type error",
			schema: "port:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "port: eighty\n",
			want:   []want{{Code: CodeType, Path: "port", Message: `port is the string "eighty", expected a number`}},
		},
		{
			name:   "a boolean where a number is expected is a type error",
			schema: "port:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "port: true\n",
			want:   []want{{Code: CodeType, Path: "port", Message: "port is the boolean true, expected a number"}},
		},
		{
			name:   "infinity is not a number",
			schema: "port:\n  schema: '{{ format \"${number}\" }}'\n",
			values: "port: .inf\n",
			want:   []want{{Code: CodeType, Path: "port"}},
		},
		{
			name:   "a number regex is checked against the text",
			schema: "port:\n  schema: '{{ format \"${number:/^(500[0-5])$/}\" }}'\n",
			values: "port: 5008\n",
			want:   []want{{Code: CodeFormat, Path: "port", Message: "expected text matching /^(500[0-5])$/"}},
		},

		// boolean
		{
			name:   "a YAML boolean is a boolean",
			schema: "a:\n  schema: '{{ format \"${boolean}\" }}'\n",
			values: "a: false\n",
		},
		{
			name:   "a quoted true is a boolean",
			schema: "a:\n  schema: '{{ format \"${boolean}\" }}'\n",
			values: "a: \"true\"\n",
		},
		{
			name:   "yes is not a boolean",
			schema: "a:\n  schema: '{{ format \"${boolean}\" }}'\n",
			values: "a: yes\n",
			want:   []want{{Code: CodeType, Path: "a", Message: `a is the string "yes", expected true or false`, Hint: "write true or false, unquoted: a: true"}},
		},
		{
			name:   "1 is not a boolean",
			schema: "a:\n  schema: '{{ format \"${boolean}\" }}'\n",
			values: "a: 1\n",
			want:   []want{{Code: CodeType, Path: "a", Message: "a is the integer 1, expected true or false"}},
		},

		// password
		{
			name:   "a password is a string",
			schema: "creds.password:\n  schema: '{{ required | format \"${password}\" }}'\n",
			values: "creds:\n  password: hunter2\n",
		},
		{
			name:   "a numeric password is a type error that does not show the secret",
			schema: "creds.password:\n  schema: '{{ format \"${password}\" }}'\n",
			values: "creds:\n  password: 123456\n",
			want:   []want{{Code: CodeType, Path: "creds.password", Message: "creds.password is unquoted text that YAML reads as a number, expected a string", Hint: `quote it: password: "..."`}},
		},
		{
			name:   "a password that fails its regex does not show the secret",
			schema: "creds.password:\n  schema: '{{ format \"${password:/^.{8,}$/}\" }}'\n",
			values: "creds:\n  password: short\n",
			want:   []want{{Code: CodeFormat, Path: "creds.password", Message: "creds.password is a secret value (not shown), expected text matching"}},
		},

		// list
		{
			name:   "a listed option passes",
			schema: "effect:\n  schema: '{{ format \"${list:[PreferNoSchedule,NoSchedule,NoExecute]}\" }}'\n",
			values: "effect: NoSchedule\n",
		},
		{
			name:   "an option in the wrong case is a list error with a case hint",
			schema: "effect:\n  schema: '{{ format \"${list:[PreferNoSchedule,NoSchedule,NoExecute]}\" }}'\n",
			values: "effect: noschedule\n",
			want: []want{{Code: CodeList, Path: "effect", Line: 1, Column: 9,
				Message: `effect is the string "noschedule", expected one of PreferNoSchedule, NoSchedule, NoExecute`,
				Hint:    "options are case-sensitive: use NoSchedule"}},
		},
		{
			name:   "an unlisted value lists the options in its hint",
			schema: "effect:\n  schema: '{{ format \"${list:[A,B]}\" }}'\n",
			values: "effect: C\n",
			want:   []want{{Code: CodeList, Path: "effect", Hint: "use one of: A, B"}},
		},
		{
			name:   "a number matching a numeric option passes",
			schema: "replicas:\n  schema: '{{ format \"${list:[1,3,5]}\" }}'\n",
			values: "replicas: 3\n",
		},
		{
			name:   "a boolean matching a boolean option passes",
			schema: "a:\n  schema: '{{ format \"${list:[true,false]}\" }}'\n",
			values: "a: true\n",
		},
		{
			name:   "a number YAML changes away from its option must be quoted",
			schema: "osVersion:\n  schema: '{{ format \"${list:[8.10,9.4]}\" }}'\n",
			values: "osVersion: 8.10\n",
			want: []want{{Code: CodeType, Path: "osVersion",
				Message: "osVersion is the number 8.1 (YAML reads 8.10 as a number), expected one of 8.10, 9.4",
				Hint:    `quote it: osVersion: "8.10"`}},
		},
		{
			name:   "a number that is no option is a list error",
			schema: "replicas:\n  schema: '{{ format \"${list:[1,3,5]}\" }}'\n",
			values: "replicas: 2\n",
			want:   []want{{Code: CodeList, Path: "replicas", Message: "replicas is the integer 2, expected one of 1, 3, 5"}},
		},

		// ipv4
		{
			name:   "an IPv4 address passes",
			schema: "registry.hostIp:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "registry:\n  hostIp: 10.0.0.1\n",
		},
		{
			name:   "a host name is not an IPv4 address",
			schema: "registry.hostIp:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "registry:\n  hostIp: registry.local\n",
			want: []want{{Code: CodeIPv4, Path: "registry.hostIp", Line: 2, Column: 11,
				Message: `registry.hostIp is the string "registry.local", expected an IPv4 address such as 10.0.0.1`}},
		},
		{
			name:   "a number is not an IPv4 address",
			schema: "ip:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "ip: 10\n",
			want:   []want{{Code: CodeIPv4, Path: "ip", Message: "ip is the integer 10, expected an IPv4 address"}},
		},

		// version
		{
			name:   "a semantic version passes",
			schema: "k8sVersion:\n  schema: '{{ required | format \"${version}\" }}'\n",
			values: "k8sVersion: v1.30.4\n",
		},
		{
			name:   "a version YAML reads as a number must be quoted",
			schema: "k8sVersion:\n  schema: '{{ format \"${version}\" }}'\n",
			values: "k8sVersion: 1.30\n",
			want: []want{{Code: CodeType, Path: "k8sVersion",
				Message: "k8sVersion is the number 1.3 (YAML reads 1.30 as a number), expected a version string such as 1.2.3",
				Hint:    `quote it: k8sVersion: "1.30"`}},
		},
		{
			name:   "a quoted version that is not semantic is a version error",
			schema: "k8sVersion:\n  schema: '{{ format \"${version}\" }}'\n",
			values: "k8sVersion: \"1.30\"\n",
			want:   []want{{Code: CodeVersion, Path: "k8sVersion", Message: `k8sVersion is the string "1.30", expected a semantic version such as 1.2.3 or v1.2.3`}},
		},

		// composite formats and $[]
		{
			name:   "every IP range in a list is checked",
			schema: "registry.addresses.$[]:\n  schema: '{{ required | format \"${ipv4} - ${ipv4}\" | hints \"ip pool range\" }}'\n",
			values: "registry:\n  addresses:\n  - 10.10.10.10 - 10.10.10.255\n  - 10.10.10.10-10.10.10.255\n  - 10.10.10.10\n",
			want: []want{
				{Code: CodeFormat, Path: "registry.addresses[1]", Line: 4, Column: 5,
					Message: `registry.addresses[1] is the string "10.10.10.10-10.10.10.255", expected text in the form "${ipv4} - ${ipv4}" (spaces and punctuation exactly as shown)`,
					Hint:    `write it in the form ${ipv4} - ${ipv4} exactly, spaces included, e.g. "10.0.0.1 - 10.0.0.1"; the pack says: ip pool range`},
				{Code: CodeFormat, Path: "registry.addresses[2]", Line: 5, Column: 5},
			},
		},
		{
			name:   "an absent optional list is not an error",
			schema: "registry.addresses.$[]:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "registry:\n  other: 1\n",
		},
		{
			name:   "an absent required list is reported at its nearest ancestor",
			schema: "registry.addresses.$[]:\n  schema: '{{ required | format \"${ipv4}\" }}'\n",
			values: "registry:\n  other: 1\n",
			want:   []want{{Code: CodeRequired, Path: "registry.addresses", Line: 1, Column: 1, Message: "registry.addresses is missing, but it is required"}},
		},
		{
			name:   "an empty required list is reported",
			schema: "registry.addresses.$[]:\n  schema: '{{ required }}'\n",
			values: "registry:\n  addresses: []\n",
			want:   []want{{Code: CodeRequired, Path: "registry.addresses", Line: 2, Column: 14, Message: "registry.addresses is an empty list, but it is required", Hint: "add at least one item to registry.addresses"}},
		},
		{
			name:   "an empty required item is reported at the item",
			schema: "registry.addresses.$[]:\n  schema: '{{ required }}'\n",
			values: "registry:\n  addresses:\n  - a\n  - \"\"\n",
			want:   []want{{Code: CodeRequired, Path: "registry.addresses[1]", Line: 4, Column: 5}},
		},
		{
			name:   "a mapping where a list is expected is a type error",
			schema: "registry.addresses.$[]:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "registry:\n  addresses:\n    a: 1\n",
			want:   []want{{Code: CodeType, Path: "registry.addresses", Line: 3, Column: 5, Message: "registry.addresses is a mapping, expected a list"}},
		},
		{
			name:   "a field of every list item is checked",
			schema: "nodes.$[].ip:\n  schema: '{{ required | format \"${ipv4}\" }}'\n",
			values: "nodes:\n- name: a\n  ip: 10.0.0.1\n- name: b\n- name: c\n  ip: nope\n",
			want: []want{
				{Code: CodeRequired, Path: "nodes[1].ip", Line: 4, Column: 3, Message: "nodes[1].ip is missing"},
				{Code: CodeIPv4, Path: "nodes[2].ip", Line: 6, Column: 7},
			},
		},
		{
			name:   "nested lists are expanded",
			schema: "pools.$[].hosts.$[]:\n  schema: '{{ format \"${ipv4}\" }}'\n",
			values: "pools:\n- hosts: [10.0.0.1, x]\n- hosts: [y]\n",
			want: []want{
				{Code: CodeIPv4, Path: "pools[0].hosts[1]", Line: 2, Column: 21},
				{Code: CodeIPv4, Path: "pools[1].hosts[0]", Line: 3, Column: 11},
			},
		},
		{
			name:   "a string pair with a size passes",
			schema: "storageType:\n  schema: '{{ required | format \"${string}, ${string:/size=\\d+/}\" }}'\n",
			values: "storageType: type-zeroedthick, size=150\n",
		},
		{
			name:   "a string pair with a bad size is a format error",
			schema: "storageType:\n  schema: '{{ required | format \"${string}, ${string:/size=\\d+/}\" }}'\n",
			values: "storageType: type-zeroedthick, size=s\n",
			want: []want{{Code: CodeFormat, Path: "storageType", Line: 1, Column: 14,
				Hint: `write it in the form ${string}, ${string:/size=\d+/} exactly, spaces included`}},
		},
		{
			name:   "a number where a composite is expected must be quoted",
			schema: "range:\n  schema: '{{ format \"${number}-${number}\" }}'\n",
			values: "range: 10\n",
			want:   []want{{Code: CodeType, Path: "range", Message: `range is the integer 10, expected text in the form "${number}-${number}"`, Hint: `quote it: range: "10"`}},
		},

		// readonly
		{
			name:     "a read-only value equal to its default passes",
			schema:   "pack.namespace:\n  schema: '{{ readonly }}'\n",
			values:   "pack:\n  namespace: tekton\n",
			defaults: "pack:\n  namespace: tekton\n",
		},
		{
			name:     "a read-only value that differs from its default is reported",
			schema:   "pack.namespace:\n  schema: '{{ readonly }}'\n",
			values:   "pack:\n  namespace: mine\n",
			defaults: "pack:\n  namespace: tekton\n",
			want: []want{{Code: CodeReadonly, Path: "pack.namespace", Line: 2, Column: 14,
				Message: `pack.namespace is "mine", but it is read-only; the pack default is "tekton"`,
				Hint:    `remove the override or set it back to "tekton"`}},
		},
		{
			name:     "a read-only value the pack does not set must stay unset",
			schema:   "pack.namespace:\n  schema: '{{ readonly }}'\n",
			values:   "pack:\n  namespace: mine\n",
			defaults: "pack:\n  other: 1\n",
			want:     []want{{Code: CodeReadonly, Path: "pack.namespace", Message: "the pack sets no value"}},
		},
		{
			name:     "a read-only value left empty where the pack sets none passes",
			schema:   "pack.namespace:\n  schema: '{{ readonly }}'\n",
			values:   "pack:\n  namespace: \"\"\n",
			defaults: "pack:\n  other: 1\n",
		},
		{
			name:     "a read-only mapping equal in another key order passes",
			schema:   "labels:\n  schema: '{{ readonly }}'\n",
			values:   "labels: {b: 2, a: 1}\n",
			defaults: "labels:\n  a: 1\n  b: 2\n",
		},
		{
			name:     "a read-only list that differs is reported",
			schema:   "names:\n  schema: '{{ readonly }}'\n",
			values:   "names: [a, c]\n",
			defaults: "names: [a, b]\n",
			want:     []want{{Code: CodeReadonly, Path: "names", Message: "names is a list, but it is read-only; the pack default is a list"}},
		},
		{
			name:     "a read-only secret does not show either value",
			schema:   "token:\n  schema: '{{ readonly | format \"${password}\" }}'\n",
			values:   "token: mine\n",
			defaults: "token: theirs\n",
			want:     []want{{Code: CodeReadonly, Path: "token", Message: "token is a secret value (not shown), but it is read-only; the pack default is a secret value (not shown)"}},
		},
		{
			name:   "read-only is not checked without defaults",
			schema: "pack.namespace:\n  schema: '{{ readonly }}'\n",
			values: "pack:\n  namespace: mine\n",
		},

		// unknown values
		{
			name:     "a value known only at deployment skips every check but required",
			schema:   "a:\n  schema: '{{ required | readonly | format \"${ipv4}\" }}'\n",
			values:   "a: not-an-ip\n",
			defaults: "a: 10.0.0.1\n",
			unknown:  []string{"a"},
		},
		{
			name:    "a value known only at deployment is still required",
			schema:  "a:\n  schema: '{{ required }}'\nb:\n  schema: '{{ required }}'\n",
			values:  "a: x\n",
			unknown: []string{"a"},
			want:    []want{{Code: CodeRequired, Path: "b"}},
		},

		// several entries
		{
			name:   "findings follow the order of schema.yaml",
			schema: "z:\n  schema: '{{ required }}'\na:\n  schema: '{{ format \"${number}\" }}'\nh:\n  schema: '{{ hints \"only a hint\" }}'\n",
			values: "a: x\nh: anything\n",
			want:   []want{{Code: CodeRequired, Path: "z"}, {Code: CodeType, Path: "a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.schema)
			doc := mustValues(t, tt.values)
			for _, p := range tt.unknown {
				n, ok := doc.Lookup(p)
				if !ok {
					t.Fatalf("no node at %s to mark unknown", p)
				}
				doc.MarkUnknown(n)
			}
			var defaults *values.Doc
			if tt.defaults != "" {
				defaults = mustValues(t, tt.defaults)
			}
			got := s.Check(doc, defaults)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), strings.Join(findingStrings(got), "\n"))
			}
			for i, w := range tt.want {
				f := got[i]
				ok := f.Severity == finding.Error && f.Code == w.Code && f.Path == w.Path &&
					strings.Contains(f.Message, w.Message) && strings.Contains(f.Hint, w.Hint) && f.Hint != ""
				if w.Line != 0 || w.Column != 0 || w.Code == CodeRequired {
					ok = ok && f.Line == w.Line && f.Column == w.Column
				}
				if !ok {
					t.Errorf("finding %d:\n got %s\nwant %+v", i, f, w)
				}
			}
		})
	}
}

func TestCheckOnNilInputs(t *testing.T) {
	var s *Schema
	if fl := s.Check(nil, nil); fl != nil {
		t.Errorf("a nil schema found %v", fl)
	}
	s = mustParse(t, "a:\n  schema: '{{ required }}'\n")
	if fl := s.Check(nil, nil); len(fl) != 1 || fl[0].Code != CodeRequired {
		t.Errorf("a nil document gave %v, want one schema-required", fl)
	}
}

func TestIsSecret(t *testing.T) {
	s := mustParse(t, `pack.creds.password:
  schema: '{{ required | format "${password}" }}'
list.$[].token:
  schema: '{{ format "${password}" }}'
apiKeys.$[]:
  schema: '{{ format "${string}:${password}" }}'
options.system.token:
  schema: '{{ format "${password}" }}'
pack.creds.user:
  schema: '{{ format "${string}" }}'
`)
	tests := []struct {
		name, path string
		want       bool
	}{
		{name: "a password path is secret", path: "pack.creds.password", want: true},
		{name: "a list item field under $[] is secret", path: "list[0].token", want: true},
		{name: "a large list index still matches", path: "list[12].token", want: true},
		{name: "a list item of a composite with a password is secret", path: "apiKeys[3]", want: true},
		{name: "a flat dotted key path is secret", path: "options.system.token", want: true},
		{name: "the pattern itself matches", path: "list.$[].token", want: true},
		{name: "a string path is not secret", path: "pack.creds.user", want: false},
		{name: "a parent of a password is not secret", path: "pack.creds", want: false},
		{name: "a child of a password is not secret", path: "pack.creds.password.x", want: false},
		{name: "the list itself is not secret", path: "list", want: false},
		{name: "a non-numeric index does not match", path: "list[x].token", want: false},
		{name: "an unknown path is not secret", path: "other", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.IsSecret(tt.path); got != tt.want {
				t.Errorf("IsSecret(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	wantPatterns := []string{"pack.creds.password", "list.$[].token", "apiKeys.$[]", "options.system.token"}
	if got := s.SecretPatterns(); !reflect.DeepEqual(got, wantPatterns) {
		t.Errorf("SecretPatterns() = %q, want %q", got, wantPatterns)
	}
	var none *Schema
	if none.IsSecret("a") || none.SecretPatterns() != nil {
		t.Error("a nil schema has secrets")
	}
}

func TestMatchPath(t *testing.T) {
	tests := []struct {
		name, pattern, path string
		want                bool
	}{
		{name: "equal paths match", pattern: "a.b", path: "a.b", want: true},
		{name: "different paths do not match", pattern: "a.b", path: "a.c", want: false},
		{name: "a prefix does not match", pattern: "a.b", path: "a.bc", want: false},
		{name: "$[] matches an index", pattern: "a.$[]", path: "a[0]", want: true},
		{name: "$[] matches an index written after a dot", pattern: "a.$[].b", path: "a.[7].b", want: true},
		{name: "$[] does not match a key", pattern: "a.$[]", path: "a.b", want: false},
		{name: "$[] needs a closing bracket", pattern: "a.$[]", path: "a[1", want: false},
		{name: "$[] needs digits", pattern: "a.$[]", path: "a[]", want: false},
		{name: "two $[] match two indexes", pattern: "a.$[].b.$[]", path: "a[1].b[2]", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchPath(tt.pattern, tt.path); got != tt.want {
				t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
			}
		})
	}
}
