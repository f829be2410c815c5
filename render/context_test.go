package render

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAContextFileSetsEveryKey(t *testing.T) {
	src := `cluster: prod
namespace: clusters
region: westeurope
aws:
  instanceType: m6i.large
  rootVolumeSize: 100
azure:
  subscriptionID: 01234567-89ab-cdef-0123-4567890abcde
  resourceGroup: images
  osDiskSizeGB: 64
vsphere.network: VM Network
vsphere:
  numCPUs: 4
edge:
  registryInsecure: true
`
	c, err := ParseContext("ctx.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster != "prod" || c.Namespace != "clusters" || c.Region != "westeurope" || c.AWS.InstanceType != "m6i.large" || c.AWS.RootVolumeSize != 100 ||
		c.Azure.SubscriptionID != "01234567-89ab-cdef-0123-4567890abcde" || c.Azure.OSDiskSizeGB != 64 || c.VSphere.Network != "VM Network" ||
		c.VSphere.NumCPUs != 4 || !c.Edge.RegistryInsecure {
		t.Errorf("context %+v", c)
	}
}

func TestEveryDocumentedKeyCanBeSet(t *testing.T) {
	for _, k := range Keys() {
		t.Run(k.Name, func(t *testing.T) {
			var c Context
			val := "x"
			f, ok := fieldOf(&c, k.Name)
			if !ok {
				t.Fatalf("%s names no field", k.Name)
			}
			switch f.Kind().String() {
			case "int32", "int64":
				val = "7"
			case "bool":
				val = "true"
			}
			if err := c.Set(k.Name, val); err != nil {
				t.Fatal(err)
			}
			if f.IsZero() {
				t.Errorf("%s=%s left the field unset", k.Name, val)
			}
		})
	}
}

func TestBadContextFilesNameTheLineAndKey(t *testing.T) {
	for _, c := range []struct {
		name, src string
		line      int
		key, want string
	}{
		{"a misspelt key suggests the right one", "cluster: prod\naws:\n  instancetype: m5.large\n", 3, "aws.instancetype", "did you mean aws.instanceType?"},
		{"an unknown group lists the keys", "gcp:\n  zone: a\n", 1, "gcp", "the keys are cluster, namespace"},
		{"a number key given text says what it wants", "aws:\n  rootVolumeSize: big\n", 2, "aws.rootVolumeSize", `is "big", expected a positive whole number`},
		{"a negative size is refused", "vsphere:\n  diskGiB: -5\n", 2, "vsphere.diskGiB", "expected a positive whole number"},
		{"a flag key given a word says true or false", "edge:\n  registryInsecure: maybe\n", 2, "edge.registryInsecure", "expected true or false"},
		{"a list where a value goes is refused", "cluster:\n  - a\n  - b\n", 2, "cluster", "expected a single value"},
		{"a value on two lines is refused", "cluster: |\n  a\n  b\n", 1, "cluster", "expected one line of text"},
		{"an empty value is refused", "region:\n", 1, "region", "expected a single value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseContext("ctx.yaml", []byte(c.src))
			var ce *ContextError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *ContextError", err)
			}
			if ce.Line != c.line || ce.Key != c.key || !strings.Contains(ce.Error(), c.want) || !strings.HasPrefix(ce.Error(), "ctx.yaml:") {
				t.Errorf("got %q (line %d key %q); want line %d key %q and %q", ce.Error(), ce.Line, ce.Key, c.line, c.key, c.want)
			}
		})
	}
}

func TestBadYAMLInAContextFileIsAnError(t *testing.T) {
	for _, src := range []string{"a: [", "- a\n- b\n", "a: 1\n---\nb: 2\n", "a: 1\na: 2\n"} {
		if _, err := ParseContext("ctx.yaml", []byte(src)); err == nil {
			t.Errorf("%q parsed without error", src)
		}
	}
	if _, err := ParseContext("ctx.yaml", []byte(strings.Repeat("#", MaxContextBytes+1))); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("an oversized file: %v", err)
	}
}

func TestKeysHelpListsEveryKeyWithItsDefault(t *testing.T) {
	h := KeysHelp()
	for _, k := range Keys() {
		if !strings.Contains(h, k.Name+" ") {
			t.Errorf("help lacks %s", k.Name)
		}
	}
	if !strings.Contains(h, "(default: nodes.cluster-api-provider-aws.sigs.k8s.io)") {
		t.Errorf("help lacks the IAM instance profile default:\n%s", h)
	}
}

func FuzzParseContext(f *testing.F) {
	for _, s := range []string{
		"cluster: prod\naws:\n  instanceType: t3.large\n",
		"vsphere.network: VM Network\nvsphere:\n  numCPUs: 4\n",
		"edge:\n  registryInsecure: true\n",
		"a: &x [*x]\n",
		"azure: {subscriptionID: 1, osDiskSizeGB: 9999999999999}\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := ParseContext("f.yaml", src)
		if err != nil {
			var ce *ContextError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is a %T, not a *ContextError", err, err)
			}
			if ce.Error() == "" || !utf8.ValidString(ce.Msg) && utf8.Valid(src) {
				t.Fatalf("error message %q", ce.Error())
			}
			return
		}
		// Whatever parsed renders or is refused with an error, never a panic.
		for _, s := range []string{c.Cluster, c.Namespace, c.Region, c.VSphere.Network} {
			if strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("a value holds a line break: %q", s)
			}
		}
		_ = c.withDefaults()
	})
}

func TestParamsGiveBackTheContextSetReads(t *testing.T) {
	var c Context
	for k, v := range map[string]string{"cluster": "prod", "region": "westeurope", "aws.rootVolumeSize": "120", "azure.osDiskSizeGB": "64",
		"vsphere.network": "VM Network", "edge.registryInsecure": "true"} {
		if err := c.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Params()
	if len(p) != 6 || p["aws.rootVolumeSize"] != "120" || p["edge.registryInsecure"] != "true" || p["vsphere.network"] != "VM Network" {
		t.Errorf("params %v", p)
	}
	var back Context
	for k, v := range p {
		if err := back.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if back != c {
		t.Errorf("set from its params: %+v, want %+v", back, c)
	}
	if n := len((Context{}).Params()); n != 0 {
		t.Errorf("an empty context has %d params", n)
	}
}
