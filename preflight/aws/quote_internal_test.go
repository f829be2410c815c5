package aws

import (
	"strings"
	"testing"
)

// unquote reads s as the POSIX shell reads a run of single-quoted words and
// backslash escapes; ok is false when s is not one such word.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for s != "" {
		switch s[0] {
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		case '\\':
			if len(s) < 2 {
				return "", false
			}
			b.WriteByte(s[1])
			s = s[2:]
		default:
			return "", false
		}
	}
	return b.String(), true
}

func TestShellQuote(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"a plain name is single-quoted", "capa-ami-ubuntu-24.04-v1.30.1", "'capa-ami-ubuntu-24.04-v1.30.1'"},
		{"a name with a quote keeps it as an escaped quote", "byoos's image", `'byoos'\''s image'`},
		{"a name with shell syntax stays one inert word", "x; rm -rf / $(id) `id`", "'x; rm -rf / $(id) `id`'"},
		{"an empty name is the placeholder", "", "<name>"},
		{"a name with a newline is the placeholder", "a\nb", "<name>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := shellQuote(c.in, "<name>"); got != c.want {
				t.Errorf("shellQuote(%q) = %s; want %s", c.in, got, c.want)
			}
		})
	}
}

// FuzzShellQuote checks that the word the hint prints reads back, in a
// POSIX shell, as exactly the AMI's name, or is the placeholder.
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"capa-ami-ubuntu-24.04", "byoos's image (rhel 9)", "'''", "a\tb", "", "\\'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuote(s, "<name>")
		if q == "<name>" {
			return
		}
		got, ok := unquote(q)
		if !ok || got != s {
			t.Fatalf("shellQuote(%q) = %s, which the shell reads as %q (ok %v)", s, q, got, ok)
		}
		if strings.ContainsAny(q, "\n\r\x00") {
			t.Fatalf("shellQuote(%q) = %q holds a control character", s, q)
		}
	})
}
