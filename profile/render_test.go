package profile

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/values"
)

func TestMaskSecretsKeepsEverythingElse(t *testing.T) {
	src := `creds:
  plain: hunter2 # a comment stays
  double: "hunter\"2"
  single: 'it''s hunter2'
  empty: ""
  block: |
    -----BEGIN CERTIFICATE-----
    hunter2
    -----END CERTIFICATE-----
  after: visible
list:
  - secret: hunter2
`
	doc, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	secret := map[string]bool{"creds.plain": true, "creds.double": true, "creds.single": true, "creds.empty": true, "creds.block": true, "list[0].secret": true}
	out := MaskSecrets(src, doc, func(p string) bool { return secret[p] })
	want := `creds:
  plain: '********' # a comment stays
  double: '********'
  single: '********'
  empty: ""
  block: '********'
  after: visible
list:
  - secret: '********'
`
	if out != want {
		t.Errorf("masked:\n%s\nwant:\n%s", out, want)
	}
	if strings.Contains(out, "hunter") {
		t.Error("a secret survived")
	}
	if _, err := values.Parse([]byte(out)); err != nil {
		t.Errorf("masked text is not valid YAML: %v", err)
	}
}

func TestAMaskedSecretIsRefused(t *testing.T) {
	src := profileYAML("edge-native", "edge-native-byoi", "2.1.0", `pack:
  content:
    images:
      - image: example.io/os:v1
options:
  system.uri: example.io/os:v1
providerCredentials:
  registry: example.io
  username: u
  password: '********'
`, "edge-k3s@1.30.x")
	d, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fl := mustValidate(t, validator(t), d, Options{}).Findings
	f := has(fl, "secret-masked")
	if f == nil || f.Path != "providerCredentials.password" || f.Line != 22 {
		t.Fatalf("findings = %v", fl)
	}
}
