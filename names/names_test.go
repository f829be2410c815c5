package names

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestProfileNames(t *testing.T) {
	tests := []struct {
		name, in, want string // want is a part of the message, "" for accepted
	}{
		{"a name of lower-case words joined by '-' is accepted", "tf-byoos-aws", ""},
		{"digits are accepted, first too", "8-rhel8-aws", ""},
		{"a name of one letter is accepted", "a", ""},
		{"a name of 63 characters is accepted", strings.Repeat("a", 63), ""},
		{"an empty name is refused", "", "is empty"},
		{"a name of 64 characters is refused", strings.Repeat("a", 64), "is 64 characters long; the limit is 63"},
		{"a name of 100 kB is refused, and quoted cut short", strings.Repeat("a", 100_000), `"` + strings.Repeat("a", 64) + `"… is 100000 characters long`},
		{"an upper-case letter is refused, with the lower-case name offered", "Rhel8-aws", `holds 'R' at offset 0; use lower-case letters, digits and '-', e.g. "rhel8-aws"`},
		{"a space is refused", "rhel 8", "holds ' ' at offset 4"},
		{"a NUL byte is refused", "a\x00b", `"a\x00b" holds a NUL byte (\x00) at offset 1`},
		{"an ANSI escape is refused, escaped in the message", "a\x1b[31m", `"a\x1b[31m" holds the control character \x1b at offset 1`},
		{"a line feed is refused", "a\nb", `holds the control character \n at offset 1`},
		{"invalid UTF-8 is refused", "a\xffb", `holds invalid UTF-8 (byte 0xff at offset 1)`},
		{"a leading '-' is refused", "-a", "begins or ends with '-'"},
		{"a trailing '-' is refused", "a-", "begins or ends with '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Profile(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted")
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("message %q lacks %q", err.Error(), tt.want)
			}
		})
	}
}

func TestOtherNames(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a name with a space and capitals is accepted", "Public Repo", ""},
		{"a name in another script is accepted", "Проект 1", ""},
		{"a name of 64 characters is accepted", strings.Repeat("é", 64), ""},
		{"a name of 65 characters is refused", strings.Repeat("é", 65), "is 65 characters long; the limit is 64"},
		{"an empty name is refused", "", "is empty"},
		{"a carriage return is refused", "a\rb", `holds the control character \r at offset 1`},
		{"a tab is refused", "a\tb", `holds the control character \t`},
		{"an ANSI escape is refused", "\x1b[2J", `holds the control character \x1b at offset 0`},
		{"a right-to-left override is refused", "abc\u202etxt", `holds '\u202e' at offset 3`},
		{"a C1 control is refused", "a\u009bb", `holds the control character \u009b`},
		{"a no-break space is refused", "a\u00a0b", `holds '\u00a0'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Name(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted")
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("message %q lacks %q", err.Error(), tt.want)
			}
		})
	}
}

func TestLabelsAndAnnotations(t *testing.T) {
	big := strings.Repeat("x", MaxMetadataBytes)
	tests := []struct {
		name        string
		labels      map[string]string
		annotations map[string]string
		want        string // in At("metadata.labels") or At("metadata.annotations")
	}{
		{name: "labels as the Terraform provider sends them are accepted", labels: map[string]string{"env": "dev", "owner": "spectro__tag"}},
		{name: "a prefixed key is accepted", labels: map[string]string{"example.com/team": "a"}},
		{name: "a label value of 63 characters is accepted", labels: map[string]string{"k": strings.Repeat("v", 63)}},
		{name: "a label value of 64 characters is refused", labels: map[string]string{"k": strings.Repeat("v", 64)}, want: `metadata.labels["k"] value "` + strings.Repeat("v", 64) + `" is 64 characters long; the limit is 63`},
		{name: "a label value of 16 MiB is refused", labels: map[string]string{"k": strings.Repeat("v", 16<<20)}, want: `metadata.labels["k"] value "vvv`},
		{name: "a label key name of 64 characters is refused", labels: map[string]string{strings.Repeat("k", 64): "v"}, want: "has a name of 64 characters; the limit is 63"},
		{name: "a label key prefix of 254 characters is refused", labels: map[string]string{strings.Repeat("p", 254) + "/k": "v"}, want: "has a prefix of 254 characters; the limit is 253"},
		{name: "a label key with two slashes is refused", labels: map[string]string{"a/b/c": "v"}, want: "more than one '/'"},
		{name: "an empty label key is refused", labels: map[string]string{"": "v"}, want: "metadata.labels key is empty"},
		{name: "a label key with an escape is refused", labels: map[string]string{"a\x1b": "v"}, want: `metadata.labels key "a\x1b" holds the control character \x1b`},
		{name: "a label value with a newline is refused", labels: map[string]string{"k": "a\nb"}, want: `metadata.labels["k"] value "a\nb" holds the control character \n`},
		{name: "a multi-line annotation is accepted", annotations: map[string]string{"description": "line one\n\tline two\r\n"}},
		{name: "an annotation of 256 KiB with its key is refused", annotations: map[string]string{"description": big}, want: "hold over 262144 bytes of keys and values in all"},
		{name: "an annotation with an escape is refused", annotations: map[string]string{"description": "\x1b[31mred"}, want: `metadata.annotations["description"] value "\x1b[31mred" holds the control character \x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msg string
			if e := Labels(tt.labels); e != nil {
				msg = e.At("metadata.labels")
			} else if e := Annotations(tt.annotations); e != nil {
				msg = e.At("metadata.annotations")
			}
			switch {
			case tt.want == "" && msg != "":
				t.Errorf("refused: %s", msg)
			case tt.want != "" && msg == "":
				t.Errorf("accepted")
			case tt.want != "" && !strings.Contains(msg, tt.want):
				t.Errorf("message %q lacks %q", msg, tt.want)
			case len(msg) > 400:
				t.Errorf("message of %d bytes: values are not cut short", len(msg))
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"printable text is kept as it is", "Public Repo é ü 中", "Public Repo é ü 中"},
		{"an ANSI colour is escaped", "a\x1b[31mb", `a\x1b[31mb`},
		{"line feeds, carriage returns and tabs are escaped", "a\nb\rc\td", `a\nb\rc\td`},
		{"a right-to-left override is escaped", "x\u202ey", `x\u202ey`},
		{"invalid UTF-8 is escaped byte by byte", "a\xff\xfeb", `a\xff\xfeb`},
		{"NUL and DEL are escaped", "\x00\x7f", `\x00\x7f`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainAndNoNUL(t *testing.T) {
	if e := Plain("5e0000000000000000000001"); e != nil {
		t.Errorf("a uid: %v", e)
	}
	if e := Plain("a\xff"); e == nil || !strings.Contains(e.Msg, "invalid UTF-8 (byte 0xff at offset 1)") {
		t.Errorf("invalid UTF-8: %v", e)
	}
	if e := Plain("a\x00"); e == nil || !strings.Contains(e.Msg, "NUL byte") {
		t.Errorf("NUL: %v", e)
	}
	if e := NoNUL("values:\n\tkey: 1\r\n"); e != nil {
		t.Errorf("YAML with tabs: %v", e)
	}
	if e := NoNUL("a\x00"); e == nil || e.Msg != `holds a NUL byte (\x00)` {
		t.Errorf("NUL: %v", e)
	}
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// FuzzNames checks the rules against their definitions on any input: an
// accepted profile name is a DNS label of at most 63 characters; an escaped
// string holds nothing a terminal acts on, and printable text is not changed;
// no check panics.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"rhel8-aws", "Public Repo", "a\x1b[31m", "a\xff", "\u202e", "-a", "a/b", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Profile(s) == nil && (!dnsLabel.MatchString(s) || len(s) > MaxProfile) {
			t.Errorf("profile name %q accepted", s)
		}
		if Name(s) == nil {
			for _, r := range s {
				if !unicode.IsPrint(r) {
					t.Errorf("name %q accepted with %U", s, r)
				}
			}
		}
		esc := Escape(s)
		if !utf8.ValidString(esc) {
			t.Errorf("Escape(%q) = %q is not valid UTF-8", s, esc)
		}
		for _, r := range esc {
			if !unicode.IsPrint(r) {
				t.Errorf("Escape(%q) = %q holds %U", s, esc, r)
			}
		}
		if Plain(s) == nil && Name(s) == nil && esc != s {
			t.Errorf("Escape changed printable %q to %q", s, esc)
		}
		_ = Labels(map[string]string{s: s})
		_ = Annotations(map[string]string{s: s})
		_ = Quote(s)
	})
}
