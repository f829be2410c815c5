package profile

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/values"

	"github.com/byoos/byoos/secret"
)

func TestMaskSecretsMasksTheWholeScalar(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		secrets []string
		want    string
	}{
		{name: "a plain password continued on the next lines is masked whole",
			src: "p: FIRST\n  SECOND\n  THIRD\nq: x\n", secrets: []string{"p"}, want: "p: '********'\nq: x\n"},
		{name: "a plain password with a blank line inside and a comment after",
			src: "p: FIRST\n\n  SECOND # note\nq: x\n", secrets: []string{"p"}, want: "p: '********' # note\nq: x\n"},
		{name: "a plain password on the line after its key",
			src: "c:\n  p:\n    FIRST\n    SECOND\n  q: x\n", secrets: []string{"c.p"}, want: "c:\n  p:\n    '********'\n  q: x\n"},
		{name: "a double-quoted password folded over lines with escapes",
			src: "p: \"FIRST\\\"\n  SECOND \\\n  THIRD\"\nq: x\n", secrets: []string{"p"}, want: "p: '********'\nq: x\n"},
		{name: "a single-quoted password over lines",
			src: "p: 'FIRST''s\n\n  SECOND'\nq: x\n", secrets: []string{"p"}, want: "p: '********'\nq: x\n"},
		{name: "a literal block with indentation and chomping indicators",
			src: "c:\n  p: |2-\n     FIRST\n    SECOND\n\n  q: x\n", secrets: []string{"c.p"}, want: "c:\n  p: '********'\n\n  q: x\n"},
		{name: "a folded block keeping its trailing lines",
			src: "p: >+ # pem\n  FIRST\n  SECOND\n\nq: x\n", secrets: []string{"p"}, want: "p: '********'\n\nq: x\n"},
		{name: "a password in a flow mapping over two lines",
			src: "c: {p: FIRST\n  SECOND, q: x}\n", secrets: []string{"c.p"}, want: "c: {p: '********', q: x}\n"},
		{name: "every item of a list at a secret path",
			src: "p: [FIRST, 'SECOND']\nq: x\n", secrets: []string{"p"}, want: "p: ['********', '********']\nq: x\n"},
		{name: "CRLF line ends are kept",
			src: "p: FIRST\r\n  SECOND\r\nq: x\r\n", secrets: []string{"p"}, want: "p: '********'\r\nq: x\r\n"},
		{name: "an anchor and a tag stay in front of the mask",
			src: "p: &a !!str FIRST\nq: *a\n", secrets: []string{"p"}, want: "p: &a !!str '********'\nq: *a\n"},
		{name: "a password given through an alias is masked where it is written",
			src: "pw: &a FIRST\nc:\n  p: *a\n", secrets: []string{"c.p"}, want: "pw: &a '********'\nc:\n  p: *a\n"},
		{name: "a password brought in by a merge key is masked where it is written",
			src: "base: &b {p: FIRST}\nc:\n  <<: *b\n  q: x\n", secrets: []string{"c.p"}, want: "base: &b {p: '********'}\nc:\n  <<: *b\n  q: x\n"},
		{name: "an empty password stays as written",
			src: "p: \"\"\nq: x\n", secrets: []string{"p"}, want: "p: \"\"\nq: x\n"},
		{name: "a user name equal to the password is kept, and so is the text as written",
			src: "u: admin1 # note\np: admin1 # note\n", secrets: []string{"p"}, want: "u: admin1 # note\np: '********' # note\n"},
		{name: "a password repeated in a comment is written anew without comments",
			src: "p: FIRST # FIRST\nq: x # note\n", secrets: []string{"p"}, want: "p: '********'\nq: x\n"},
		{name: "a block scalar no quoted scalar can replace is written anew",
			src: "p:\n|\n FIRST\nq: x\n", secrets: []string{"p"}, want: "p: '********'\nq: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := values.Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			isSecret := func(p string) bool {
				for _, s := range tt.secrets {
					if p == s {
						return true
					}
				}
				return false
			}
			out := MaskSecrets(tt.src, doc, isSecret)
			if out != tt.want {
				t.Errorf("masked:\n%q\nwant:\n%q", out, tt.want)
			}
			for _, word := range []string{"FIRST", "SECOND", "THIRD"} {
				if strings.Contains(out, word) {
					t.Errorf("%s survived: %q", word, out)
				}
			}
			d2, err := values.Parse([]byte(out))
			if err != nil {
				t.Fatalf("masked text does not parse: %v", err)
			}
			for n := range SecretNodes(d2, isSecret) {
				if n.Value != secret.Mask {
					t.Errorf("a secret reads %q after masking", n.Value)
				}
			}
		})
	}
}

func TestMaskSecretsOnTextParsedElsewhere(t *testing.T) {
	// The doc was parsed from the text without its leading blank lines (the
	// pack's defaults stand for a layer whose text differs in white space):
	// positions are off by two lines, so the text is parsed again.
	text := "\n\np: FIRST\n  SECOND\n"
	doc, err := values.Parse([]byte(strings.TrimSpace(text)))
	if err != nil {
		t.Fatal(err)
	}
	out := MaskSecrets(text, doc, func(p string) bool { return p == "p" })
	if out != "\n\np: '********'\n" {
		t.Errorf("masked = %q", out)
	}
}

func TestReplaceScalarsSharesTheSpans(t *testing.T) {
	src := "c:\n  p: '********' # kept\n  q: >\n    FIRST\n    SECOND\n  r: x\n"
	doc, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := ReplaceScalars(src, doc, func(path string, n *yaml.Node) (string, bool) {
		switch path {
		case "c.p":
			return `"hunter2"`, true
		case "c.q":
			return `'folded'`, true
		}
		return "", false
	})
	if want := "c:\n  p: \"hunter2\" # kept\n  q: 'folded'\n  r: x\n"; out != want {
		t.Errorf("replaced:\n%q\nwant:\n%q", out, want)
	}
}

// FuzzMaskSecrets checks MaskSecrets' promise on any values text that
// parses: the masked text parses, every secret path reads the mask, and no
// secret's value of 4 characters or more is left in it (unless the same text
// is also kept in clear: a key, a value that is not secret, an anchor, a tag,
// the mask).
func FuzzMaskSecrets(f *testing.F) {
	for _, s := range []string{
		"password: FIRST\n  SECOND\nuser: x\n",
		"password: |\n  x\n  y\nplain: 'q'\n",
		"pw: &a hunter2\npassword: *a\n",
		"base: &b {password: hunter2}\nc:\n  <<: *b\n",
		"l:\n- password: \"x\\\n  y\" # c\n- p: >2-\n   tttt\n",
		"password: hunter2 # hunter2\r\n",
		"password:\n|\n FIRST\n",
	} {
		f.Add(s)
	}
	isSecret := func(path string) bool {
		return strings.Contains(path, "p") || strings.HasSuffix(path, "]")
	}
	f.Fuzz(func(t *testing.T, src string) {
		doc, err := values.Parse([]byte(src))
		if err != nil || doc.Root == nil {
			return
		}
		secrets := SecretNodes(doc, isSecret)
		out := MaskSecrets(src, doc, isSecret)
		if out == secret.Mask {
			return // nothing shown
		}
		d2, err := values.Parse([]byte(out))
		if err != nil {
			t.Fatalf("masked text does not parse: %v\n%q\nfrom\n%q", err, out, src)
		}
		for n, p := range SecretNodes(d2, isSecret) {
			if n.Value != secret.Mask {
				t.Fatalf("%s reads %q after masking:\n%q\nfrom\n%q", p, n.Value, out, src)
			}
		}
		public := publicText(doc.Root, secrets, 0)
		for n, p := range secrets {
			v := n.Value
			if len(v) < 4 || strings.Contains(public, v) {
				continue
			}
			if strings.Contains(out, v) {
				t.Fatalf("the secret %s = %q is left in:\n%q\nfrom\n%q", p, v, out, src)
			}
		}
	})
}
