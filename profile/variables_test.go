package profile

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

const varsProfile = `metadata:
  name: vars
spec:
  version: 1.0.0
  variables:
    - name: ami
      format: string
      regex: "^ami-[0-9a-f]{8,17}$"
      defaultValue: ami-0f4804aff4cf9c5a2
    - name: port
      format: number
      defaultValue: "8080"
    - name: flavour
      inputType: dropdown
      defaultValue: rhel
      options:
        - value: rhel
        - value: ubuntu
  template:
    type: infra
    cloudType: aws
    packs:
      - name: generic-byoi
        layer: os
        tag: 1.0.x
        values: |
          pack:
            osImageOverride: '{{.spectro.var.ami}}'
            osName: '{{.spectro.var.flavour}}'
            osVersion: "8"
      - name: kubernetes
        layer: k8s
        tag: 1.30.x
`

func TestProfileVariables(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		o      Options
		errors string
	}{
		{"defaults that fit their format resolve into the values", varsProfile, Options{}, ""},
		{"a value given for a variable is used and checked after resolution", varsProfile, Options{Vars: map[string]string{"ami": "ami-1a2b3c4d"}}, ""},
		{"a value that breaks the variable's regex is refused", varsProfile, Options{Vars: map[string]string{"ami": "my-image"}}, "variable-value,aws-ami-name"},
		{"a dropdown value outside its options is refused", varsProfile, Options{Vars: map[string]string{"flavour": "arch"}}, "variable-value"},
		{"a non-numeric default of a number variable is refused", strings.Replace(varsProfile, `defaultValue: "8080"`, `defaultValue: "eighty"`, 1), Options{}, "variable-value"},
		{"an unknown format is refused", strings.Replace(varsProfile, "format: number", "format: integer", 1), Options{}, "variable-format"},
		{"a regex that does not compile is refused", strings.Replace(varsProfile, `regex: "^ami-[0-9a-f]{8,17}$"`, `regex: "^ami-[0-9a-f"`, 1), Options{}, "variable-regex"},
		{"a duplicate variable name is refused", strings.Replace(varsProfile, "- name: port", "- name: ami", 1), Options{}, "variable-duplicate"},
		{"a variable resolving to an AMI name fails the AWS rule", strings.Replace(varsProfile, `regex: "^ami-[0-9a-f]{8,17}$"`, `regex: ".*"`, 1), Options{Vars: map[string]string{"ami": "golden-rhel"}}, "aws-ami-name"},
		{"a pipeline on a variable is refused", strings.Replace(varsProfile, "'{{.spectro.var.ami}}'", "'{{.spectro.var.ami | upper}}'", 1), Options{}, "macro-var-pipeline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("v.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			fl := mustValidate(t, validator(t), d, tt.o).Findings
			got := strings.Join(codes(fl, finding.Error), ",")
			if got != tt.errors {
				t.Errorf("errors = %q, want %q\n%v", got, tt.errors, fl)
			}
		})
	}
}

func TestAnUndefinedVariableIsAWarningAndResolvesEmpty(t *testing.T) {
	src := strings.Replace(varsProfile, "'{{.spectro.var.flavour}}'", "'{{.spectro.var.distro}}'", 1)
	d, _ := Parse("v.yaml", []byte(src))
	fl := mustValidate(t, validator(t), d, Options{}).Findings
	w := has(fl, "macro-unresolved")
	if w == nil || w.Severity != finding.Warning || w.Line != 29 {
		t.Fatalf("findings = %v", fl)
	}
	if has(fl, "byoos-osname-required") == nil {
		t.Errorf("the empty resolution was not checked: %v", fl)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(varsProfile))
	f.Add([]byte(`{"metadata":{"name":"x"},"spec":{"template":{"packs":[{"name":"generic-byoi","values":"a: 1"}]}}}`))
	f.Add([]byte("metadata: &a {name: *a}\n"))
	f.Add([]byte("spec:\n  template:\n    packs: [1, 2]\n"))
	v := validator(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse("f", src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		r := mustValidate(t, v, d, Options{})
		for _, fd := range r.Findings {
			if fd.Code == "" || fd.Message == "" {
				t.Fatalf("finding without code or message: %+v", fd)
			}
		}
		mustRender(t, v, d, Options{})
	})
}
