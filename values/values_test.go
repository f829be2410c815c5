package values

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type yamlNode = yaml.Node

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string
		line    int
	}{
		{name: "an empty text is an empty document", src: ""},
		{name: "a comment-only text is an empty document", src: "# nothing\n"},
		{name: "a null document is an empty document", src: "~\n"},
		{name: "a mapping parses", src: "pack:\n  osName: rhel\n"},
		{name: "a list at the top is refused", src: "- a\n- b\n", wantErr: "must be a YAML mapping", line: 1},
		{name: "a scalar at the top is refused", src: "hello\n", wantErr: "must be a YAML mapping", line: 1},
		{name: "a syntax error names its line", src: "a: 1\nb: 2\nc: d: e\n", wantErr: "invalid YAML: mapping values are not allowed", line: 3},
		{name: "a duplicate key is refused with both lines", src: "pack:\n  osName: a\n  osName: b\n", wantErr: `key "osName" appears twice in one mapping (first at line 2)`, line: 3},
		{name: "two documents are refused", src: "a: 1\n---\nb: 2\n", wantErr: "more than one YAML document"},
		{name: "an alias to nowhere is refused", src: "a: *x\n", wantErr: "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.wantErr)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("line = %d, want %d", pe.Line, tt.line)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("an alias bomb is refused before it expands", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("a00: &a00 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 12; i++ {
			prev := "*a" + itoa(i-1)
			b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
		}
		_, err := Parse([]byte(b.String()))
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("nesting deeper than the limit is refused", func(t *testing.T) {
		src := strings.Repeat("[", MaxDepth+5) + strings.Repeat("]", MaxDepth+5)
		_, err := Parse([]byte("a: " + src + "\n"))
		if err == nil {
			t.Fatal("deep nesting accepted")
		}
	})
	t.Run("a text over the size limit is refused", func(t *testing.T) {
		_, err := Parse([]byte("a: \"" + strings.Repeat("x", MaxBytes) + "\"\n"))
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}

func itoa(i int) string {
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}

const edgeValues = `pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
      - image: example.io/other:v1
options:
  system.uri: example.io/my-images/example-custom-os:v1.4.5
  system.registry: example.io
  system:
    nested: yes-nested
`

func TestFind(t *testing.T) {
	d, err := Parse([]byte(edgeValues))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pattern string
		want    []string // path=value
	}{
		{"a flat dotted key is found by its dotted path", "options.system.uri", []string{"options.system.uri=example.io/my-images/example-custom-os:v1.4.5"}},
		{"a nested key beside flat keys is found too", "options.system.nested", []string{"options.system.nested=yes-nested"}},
		{"$[] visits every list item", "pack.content.images.$[].image", []string{
			"pack.content.images[0].image={{.spectro.pack.edge-native-byoi.options.system.uri}}",
			"pack.content.images[1].image=example.io/other:v1"}},
		{"[N] picks one list item", "pack.content.images[1].image", []string{"pack.content.images[1].image=example.io/other:v1"}},
		{"an index past the end finds nothing", "pack.content.images[2].image", nil},
		{"a missing key finds nothing", "pack.osName", nil},
		{"a key prefix is not a key", "options.system.ur", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range d.Find(tt.pattern) {
				got = append(got, m.Path+"="+m.Node.Value)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Find(%q) = %v, want %v", tt.pattern, got, tt.want)
			}
		})
	}
	n, ok := d.Lookup("options.system.registry")
	if !ok || n.Line != 8 || n.Column != 20 {
		t.Errorf("Lookup position = %v %d:%d, want line 8 column 20", ok, n.Line, n.Column)
	}
}

func TestDescribeSaysWhatYAMLMadeOfAValue(t *testing.T) {
	d, err := Parse([]byte("a: 8.10\nb: 8\nc: true\nd: \"8.10\"\ne: [1]\nf:\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "the number 8.1", "b": "the integer 8", "c": "the boolean true", "d": `the string "8.10"`, "e": "a list", "f": "an empty value"}
	for k, w := range want {
		n, _ := d.Lookup(k)
		if got := Describe(n); got != w {
			t.Errorf("Describe(%s) = %q, want %q", k, got, w)
		}
	}
}

func TestDescribeMasksTheCredentialsOfAURL(t *testing.T) {
	d, err := Parse([]byte("url: https://u:PASS@h/x.vhd?sv=1&SIG=SECRET\n"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := d.Lookup("url")
	if got, want := Describe(n), `the string "https://********@h/x.vhd?sv=1&SIG=********"`; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

func TestCloneIsIndependentAndKeepsPositions(t *testing.T) {
	d, err := Parse([]byte("base: &b {x: 1}\nuse: *b\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clone()
	n, _ := c.Lookup("use.x")
	n.Value = "2"
	if o, _ := d.Lookup("use.x"); o.Value != "1" {
		t.Errorf("changing the clone changed the original: %q", o.Value)
	}
	if n.Line != 1 {
		t.Errorf("clone line = %d, want 1 (the anchor's)", n.Line)
	}
	var paths []string
	c.Walk(func(p string, _ *yamlNode) { paths = append(paths, p) })
	if strings.Join(paths, ",") != "base.x,use.x" {
		t.Errorf("Walk paths = %v", paths)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(edgeValues))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("pack:\n  osVersion: 8.10\n"))
	f.Add([]byte("{a: [b, {c: d}]}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		d.Walk(func(p string, n *yamlNode) {
			if n.Line < 1 {
				t.Fatalf("node at %q has no line", p)
			}
			// Lookup (the fast path) and Find agree on every path Walk names.
			ms := d.Find(p)
			got, ok := d.Lookup(p)
			if len(ms) > 0 != ok || (ok && ms[0].Node != got) {
				t.Fatalf("Lookup(%q) and Find disagree", p)
			}
		})
		_ = d.Clone()
		_ = d.Find("a.$[].b")
	})
}
