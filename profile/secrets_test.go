package profile

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/values"
)

// edgeValuesWith builds edge-native-byoi values whose providerCredentials
// mapping is creds (indented by two spaces), after the lines in before.
func edgeValuesWith(before, creds string) string {
	return before + `pack:
  content:
    images:
      - image: example.io/os:v1
options:
  system.uri: example.io/os:v1
providerCredentials:
` + creds
}

func TestSecretsGivenByReferenceAreRefused(t *testing.T) {
	const valuesLine = 12 // line of the document where the layer's values start, less one
	tests := []struct {
		name    string
		values  string
		path    string // "" when no secret-alias finding is expected
		line    int    // in the values
		message string
	}{
		{name: "a password given through an alias is refused at the alias",
			values: edgeValuesWith("pw: &pw hunter2\n", "  registry: example.io\n  password: *pw\n"),
			path:   "providerCredentials.password", line: 10, message: "alias *pw (anchor &pw at line 1)"},
		{name: "a password merged in from an anchored mapping is refused at the merge key",
			values: edgeValuesWith("creds: &creds\n  password: hunter2\n", "  <<: *creds\n  registry: example.io\n"),
			path:   "providerCredentials.password", line: 10, message: "merge key (<<) from *creds (anchor &creds at line 1)"},
		{name: "a password merged in from a list of mappings is refused",
			values: edgeValuesWith("a: &a {registry: example.io}\nb: &b {password: hunter2}\n", "  <<: [*a, *b]\n"),
			path:   "providerCredentials.password", line: 10, message: "merge key (<<) from *b"},
		{name: "a mapping holding a password given through an alias is refused",
			values: strings.Replace(edgeValuesWith("creds: &creds\n  registry: example.io\n  password: hunter2\n", ""), "providerCredentials:\n", "providerCredentials: *creds\n", 1),
			path:   "providerCredentials.password", line: 10, message: "alias *creds"},
		{name: "an anchor on a password is refused, so that it cannot be copied elsewhere",
			values: edgeValuesWith("", "  registry: example.io\n  password: &pw hunter2\nother: *pw\n"),
			path:   "providerCredentials.password", line: 9, message: "inside the anchor &pw"},
		{name: "an anchor on the mapping that holds a password is refused",
			values: strings.Replace(edgeValuesWith("", "  registry: example.io\n  password: hunter2\n"), "providerCredentials:\n", "providerCredentials: &creds\n", 1),
			path:   "providerCredentials.password", line: 7, message: "inside the anchor &creds"},
		{name: "aliases of values that are not secret are kept working",
			values: edgeValuesWith("reg: &reg example.io\n", "  registry: *reg\n  username: *reg\n  password: hunter2\n"), path: ""},
		{name: "a merge that brings in no secret is kept working",
			values: edgeValuesWith("defaults: &d {tier: a}\nlabels:\n  <<: *d\n", "  registry: example.io\n  username: u\n  password: hunter2\n"), path: ""},
		{name: "a password continued on the next line is a password like any other",
			values: edgeValuesWith("", "  registry: example.io\n  username: u\n  password: FIRST\n    SECOND\n"), path: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := run(t, profileYAML("edge-native", "edge-native-byoi", "2.1.0", tt.values, "edge-k3s@1.30.x"), Options{})
			f := has(fl, CodeSecretAlias)
			if tt.path == "" {
				if f != nil {
					t.Fatalf("refused: %v", f)
				}
				if fl.HasErrors() {
					t.Fatalf("errors: %v", fl)
				}
				return
			}
			if f == nil {
				t.Fatalf("no %s finding in %v", CodeSecretAlias, fl)
			}
			if f.Path != tt.path || f.Line != tt.line+valuesLine || !strings.Contains(f.Message, tt.message) || !strings.Contains(f.Hint, "write the secret value itself") {
				t.Errorf("finding = %+v, want path %s, line %d, message with %q", *f, tt.path, tt.line+valuesLine, tt.message)
			}
			if strings.Contains(f.Message, "hunter2") || strings.Contains(f.Hint, "hunter2") {
				t.Errorf("the finding quotes the secret: %v", f)
			}
		})
	}
}

func TestSecretNodesFollowAliasesAndMerges(t *testing.T) {
	src := "pw: &pw hunter2\nbase: &b {password: merged1}\nc:\n  password: *pw\nd:\n  <<: *b\ne:\n  password: \"\"\n"
	doc, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for n, p := range SecretNodes(doc, func(p string) bool { return strings.HasSuffix(p, "password") && p != "base.password" }) {
		got[p] = n.Value
	}
	want := map[string]string{"c.password": "hunter2", "d.password": "merged1"}
	if len(got) != len(want) || got["c.password"] != want["c.password"] || got["d.password"] != want["d.password"] {
		t.Errorf("secrets = %v, want %v", got, want)
	}
}
