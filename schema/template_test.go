package schema

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		name     string
		tmpl     string
		required bool
		readonly bool
		format   string // Raw of the format, "" for none
		hints    []string
		err      string // substring of the error, "" for none
	}{
		{name: "required alone marks the entry required", tmpl: `{{ required }}`, required: true},
		{name: "readonly alone marks the entry read-only", tmpl: `{{ readonly }}`, readonly: true},
		{name: "a pipeline sets every function it names", tmpl: `{{ required | format "${number}" | hints "Enter the cluster port number" }}`,
			required: true, format: "${number}", hints: []string{"Enter the cluster port number"}},
		{name: "hints take several texts", tmpl: `{{ hints "description A" "description B" }}`, hints: []string{"description A", "description B"}},
		{name: "hints may appear twice and add up", tmpl: `{{ hints "a" | hints "b" }}`, hints: []string{"a", "b"}},
		{name: "no space is needed before the closing braces", tmpl: `{{ format "${list:[PreferNoSchedule,NoSchedule,NoExecute]}"  | hints "effect"}}`,
			format: "${list:[PreferNoSchedule,NoSchedule,NoExecute]}", hints: []string{"effect"}},
		{name: "surrounding whitespace is ignored", tmpl: "  {{required}}\n", required: true},
		{name: "Go template trim markers are accepted", tmpl: `{{- required -}}`, required: true},
		{name: "an unknown escape such as \\d is kept for the regex", tmpl: `{{ format "${string:/size=\d+/}" }}`, format: `${string:/size=\d+/}`},
		{name: "a Go escape is decoded", tmpl: `{{ hints "say \"hi\"\tnow \\ \x41\u00e9" }}`, hints: []string{"say \"hi\"\tnow \\ A\u00e9"}},
		{name: "a backquoted string is taken as written", tmpl: "{{ hints `raw \\d` }}", hints: []string{`raw \d`}},
		{name: "required may be repeated harmlessly", tmpl: `{{ required | required }}`, required: true},

		{name: "text without braces is refused", tmpl: `required`, err: "must be wrapped in {{ }}"},
		{name: "missing closing braces are refused", tmpl: `{{ required`, err: `not closed with "}}"`},
		{name: "an empty template is refused", tmpl: `{{ }}`, err: "names no function"},
		{name: "an unknown function is named in the error", tmpl: `{{ requird }}`, err: `unknown function "requird"`},
		{name: "an unterminated string is refused", tmpl: `{{ hints "abc }}`, err: "is not closed"},
		{name: "a trailing pipe is refused", tmpl: `{{ required | }}`, err: `ends with "|"`},
		{name: "an empty step between pipes is refused", tmpl: `{{ required || readonly }}`, err: "empty step"},
		{name: "a missing pipe is pointed out", tmpl: `{{ required format "${string}" }}`, err: `required takes quoted strings, found format`},
		{name: "required takes no argument", tmpl: `{{ required "yes" }}`, err: "required takes no argument"},
		{name: "format needs exactly one argument", tmpl: `{{ format }}`, err: "format takes one quoted argument"},
		{name: "format twice is refused", tmpl: `{{ format "${string}" | format "${number}" }}`, err: "format appears twice"},
		{name: "hints need a text", tmpl: `{{ hints }}`, err: "hints needs at least one"},
		{name: "a step must start with a function", tmpl: `{{ "x" }}`, err: "must start with a function"},
		{name: "two pipelines in one template are refused", tmpl: `{{ required }} {{ readonly }}`, err: "one {{ }} pipeline"},
		{name: "a stray character is refused", tmpl: `{{ required & readonly }}`, err: `unexpected '&'`},
		{name: "a bad format is reported with its function", tmpl: `{{ format "${number:[5-1]}" }}`, err: "format: format part"},
		{name: "a bad regex is reported", tmpl: `{{ format "${string:/a(/}" }}`, err: "bad regex /a(/"},
		{name: "an unterminated backquote is refused", tmpl: "{{ hints `abc }}", err: "is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseTemplate(tt.tmpl)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseTemplate(%q) error = %v, want one containing %q", tt.tmpl, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", tt.tmpl, err)
			}
			if e.Template != tt.tmpl {
				t.Errorf("Template = %q, want %q", e.Template, tt.tmpl)
			}
			if e.Required != tt.required || e.Readonly != tt.readonly {
				t.Errorf("Required, Readonly = %v, %v, want %v, %v", e.Required, e.Readonly, tt.required, tt.readonly)
			}
			got := ""
			if e.Format != nil {
				got = e.Format.Raw
			}
			if got != tt.format {
				t.Errorf("Format = %q, want %q", got, tt.format)
			}
			if !reflect.DeepEqual(e.Hints, tt.hints) {
				t.Errorf("Hints = %q, want %q", e.Hints, tt.hints)
			}
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		name, in, want string
		n              int
	}{
		{name: "a plain string is returned as is", in: `"abc" rest`, want: "abc", n: 5},
		{name: "an escaped quote does not end the string", in: `"a\"b"`, want: `a"b`, n: 6},
		{name: "an unknown escape keeps its backslash", in: `"\d\.\w"`, want: `\d\.\w`, n: 8},
		{name: "a bad hex escape keeps its backslash", in: `"\xZZ"`, want: `\xZZ`, n: 6},
		{name: "an octal escape is decoded", in: `"\101"`, want: "A", n: 6},
		{name: "a short octal escape is kept", in: `"\1"`, want: `\1`, n: 4},
		{name: "an invalid rune escape is kept", in: `"\UFFFFFFFF"`, want: `\UFFFFFFFF`, n: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := unquote(tt.in)
			if err != nil || got != tt.want || n != tt.n {
				t.Errorf("unquote(%q) = %q, %d, %v; want %q, %d", tt.in, got, n, err, tt.want, tt.n)
			}
		})
	}
}
