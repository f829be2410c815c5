package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/byoos/byoos/values"
)

func TestParseFormat(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name  string
		in    string
		parts []Part // Regex compared by its text
		regex []string
		err   string
	}{
		{name: "a lone type is one part", in: "${string}", parts: []Part{{Type: TypeString}}},
		{name: "every known type is read", in: "${number}${boolean}${password}${ipv4}${version}",
			parts: []Part{{Type: TypeNumber}, {Type: TypeBoolean}, {Type: TypePassword}, {Type: TypeIPv4}, {Type: TypeVersion}}},
		{name: "type names are read case-insensitively", in: "${Number}", parts: []Part{{Type: TypeNumber}}},
		{name: "an unknown type such as input is read as a string", in: "${input}", parts: []Part{{Type: TypeString}}},
		{name: "a regex is compiled", in: "${string:/^([a-z0-9].*)$/}", parts: []Part{{Type: TypeString}}, regex: []string{"^([a-z0-9].*)$"}},
		{name: "a regex may hold slashes and braces", in: "${string:/^https?://[a-z]{2,}$/}", parts: []Part{{Type: TypeString}}, regex: []string{"^https?://[a-z]{2,}$"}},
		{name: "a number range is read", in: "${number:[5000-5005]}", parts: []Part{{Type: TypeNumber, Min: f(5000), Max: f(5005)}}},
		{name: "a range may be negative or decimal", in: "${number:[-1.5--0.5]}", parts: []Part{{Type: TypeNumber, Min: f(-1.5), Max: f(-0.5)}}},
		{name: "a range of one number is allowed", in: "${number:[3-3]}", parts: []Part{{Type: TypeNumber, Min: f(3), Max: f(3)}}},
		{name: "list options are split on commas and trimmed", in: "${list:[PACK, GIT,CHART]}", parts: []Part{{Type: TypeList, Options: []string{"PACK", "GIT", "CHART"}}}},
		{name: "a composite format keeps its literal text", in: "${ipv4} - ${ipv4}",
			parts: []Part{{Type: TypeIPv4}, {Literal: " - "}, {Type: TypeIPv4}}},
		{name: "literal text may surround the parts", in: "<${string}, ${string:/size=\\d+/}>",
			parts: []Part{{Literal: "<"}, {Type: TypeString}, {Literal: ", "}, {Type: TypeString}, {Literal: ">"}}, regex: []string{"size=\\d+"}},
		{name: "a dollar without a brace is literal", in: "$${string}$", parts: []Part{{Literal: "$"}, {Type: TypeString}, {Literal: "$"}}},

		{name: "a format without a type is refused", in: "abc", err: "has no ${TYPE} part"},
		{name: "an empty format is refused", in: "", err: "has no ${TYPE} part"},
		{name: "an empty type name is refused", in: "${}", err: "expected a type name"},
		{name: "a space before the type is refused", in: "${ string}", err: "expected a type name"},
		{name: "an unclosed part is refused", in: "${string", err: `not closed with "}"`},
		{name: "junk after the type name is refused", in: "${string x}", err: `unexpected ' '`},
		{name: "an argument that is neither regex nor brackets is refused", in: "${string:abc}", err: "expected /REGEX/"},
		{name: "an unclosed regex is refused", in: "${string:/abc}", err: `not closed with "/}"`},
		{name: "a bad regex is refused", in: "${string:/a[/}", err: "bad regex /a[/"},
		{name: "a reversed range is refused", in: "${number:[5-1]}", err: "bad range [5-1]"},
		{name: "a half range is refused", in: "${number:[5-]}", err: "bad range [5-]"},
		{name: "a range of words is refused", in: "${number:[a-b]}", err: "bad range [a-b]"},
		{name: "an unclosed bracket is refused", in: "${number:[1-2}", err: `not closed with "]}"`},
		{name: "a range on a string is refused", in: "${string:[1-2]}", err: "only number takes a range"},
		{name: "a list without options is refused", in: "${list}", err: "list needs its options"},
		{name: "a list with a regex is refused", in: "${list:/a/}", err: "list takes options"},
		{name: "a list with an empty option is refused", in: "${list:[a,,b]}", err: "empty option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseFormat(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFormat(%q): %v", tt.in, err)
			}
			if got.Raw != tt.in {
				t.Errorf("Raw = %q, want %q", got.Raw, tt.in)
			}
			var regex []string
			parts := make([]Part, len(got.Parts))
			for i, p := range got.Parts {
				if p.Regex != nil {
					regex = append(regex, p.Regex.String())
					p.Regex = nil
				}
				parts[i] = p
			}
			if !reflect.DeepEqual(parts, tt.parts) {
				t.Errorf("Parts = %+v, want %+v", parts, tt.parts)
			}
			if !reflect.DeepEqual(regex, tt.regex) {
				t.Errorf("regexes = %q, want %q", regex, tt.regex)
			}
		})
	}
}

func TestFormatCheck(t *testing.T) {
	tests := []struct {
		name, format, value string
		code                string // "" when the value matches
		msg                 string // substring of the error
	}{
		{name: "any text is a string", format: "${string}", value: "hello world"},
		{name: "empty text is a string", format: "${string}", value: ""},
		{name: "a string regex must match", format: "${string:/^([a-z0-9].*)$/}", value: "abc"},
		{name: "a string not matching its regex is a format error", format: "${string:/^([a-z0-9].*)$/}", value: "-abc",
			code: CodeFormat, msg: `expected text matching /^([a-z0-9].*)$/, found "-abc"`},
		{name: "a regex matches anywhere unless anchored", format: `${string:/size=\d+/}`, value: "disk size=10 GB"},
		{name: "an unknown type checks as a string", format: "${input}", value: "anything"},
		{name: "an integer is a number", format: "${number}", value: "42"},
		{name: "a negative decimal is a number", format: "${number}", value: "-4.5e2"},
		{name: "a word is not a number", format: "${number}", value: "forty", code: CodeType, msg: `expected a number, found "forty"`},
		{name: "hex is not a number in text", format: "${number}", value: "0x10", code: CodeType},
		{name: "Inf is not a number", format: "${number}", value: "Inf", code: CodeType},
		{name: "a number inside its range matches", format: "${number:[5000-5005]}", value: "5005"},
		{name: "a number below its range is a range error", format: "${number:[5000-5005]}", value: "4999",
			code: CodeRange, msg: `expected a number from 5000 to 5005, found "4999"`},
		{name: "a decimal range is honoured", format: "${number:[-0.5-0.5]}", value: "0.6", code: CodeRange, msg: "from -0.5 to 0.5"},
		{name: "a number regex checks the text", format: "${number:/^(500[0-5])$/}", value: "5008", code: CodeFormat},
		{name: "a number regex accepts a matching number", format: "${number:/^(500[0-5])$/}", value: "5003"},
		{name: "true is a boolean", format: "${boolean}", value: "true"},
		{name: "FALSE is a boolean", format: "${boolean}", value: "FALSE"},
		{name: "yes is not a boolean", format: "${boolean}", value: "yes", code: CodeType, msg: "expected true or false"},
		{name: "a password is a string", format: "${password}", value: "s3cret"},
		{name: "a password error does not show the secret", format: "${password:/^.{8,}$/}", value: "short",
			code: CodeFormat, msg: "found a secret value (not shown)"},
		{name: "a listed option matches", format: "${list:[PACK,GIT,CHART]}", value: "GIT"},
		{name: "list options are case-sensitive", format: "${list:[PACK,GIT,CHART]}", value: "git",
			code: CodeList, msg: `expected one of PACK, GIT, CHART, found "git"`},
		{name: "a dotted quad is an IPv4 address", format: "${ipv4}", value: "10.0.0.1"},
		{name: "an octet over 255 is not an IPv4 address", format: "${ipv4}", value: "10.0.0.256",
			code: CodeIPv4, msg: `expected an IPv4 address such as 10.0.0.1, found "10.0.0.256"`},
		{name: "an IPv6 address is not an IPv4 address", format: "${ipv4}", value: "::ffff:10.0.0.1", code: CodeIPv4},
		{name: "leading zeros are not an IPv4 address", format: "${ipv4}", value: "010.0.0.1", code: CodeIPv4},
		{name: "a semantic version matches", format: "${version}", value: "1.2.3-rc.1+build.5"},
		{name: "a version may start with v", format: "${version}", value: "v1.30.2"},
		{name: "a two-part version is not semantic", format: "${version}", value: "1.30",
			code: CodeVersion, msg: "expected a semantic version such as 1.2.3"},
		{name: "an IP range with spaces around the dash matches", format: "${ipv4} - ${ipv4}", value: "10.10.10.10 - 10.10.10.255"},
		{name: "an IP range without spaces does not match", format: "${ipv4} - ${ipv4}", value: "10.10.10.10-10.10.10.255",
			code: CodeFormat, msg: `expected text in the form "${ipv4} - ${ipv4}" (spaces and punctuation exactly as shown), found "10.10.10.10-10.10.10.255"`},
		{name: "a single address is not an IP range", format: "${ipv4} - ${ipv4}", value: "10.10.10.10", code: CodeFormat},
		{name: "a bad address inside an IP range does not match", format: "${ipv4} - ${ipv4}", value: "10.10.10.10 - 10.10.10.300", code: CodeFormat},
		{name: "a string pair with a size matches", format: `${string}, ${string:/size=\d+/}`, value: "type-zeroedthick, size=150"},
		{name: "a string pair with a bad size does not match", format: `${string}, ${string:/size=\d+/}`, value: "type-zeroedthick, size=s", code: CodeFormat},
		{name: "composite parts may not be empty", format: `${string}, ${string}`, value: ", x", code: CodeFormat},
		{name: "an image reference splits where the version fits", format: "${string}/${string}:${version}", value: "docker.io/library/nginx:1.25.3"},
		{name: "an image reference with a bad version does not match", format: "${string}/${string}:${version}", value: "docker.io/nginx:latest", code: CodeFormat},
		{name: "adjacent parts are split wherever both fit", format: "${list:[a,ab]}${number}", value: "ab12"},
		{name: "trailing text after a composite does not match", format: "${number} GB", value: "10 GB extra", code: CodeFormat},
		{name: "a composite holding a password hides the value", format: "${string}:${password}", value: "user", code: CodeFormat, msg: "not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFormat(tt.format)
			if err != nil {
				t.Fatalf("ParseFormat(%q): %v", tt.format, err)
			}
			err = f.Check(tt.value)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Check(%q) against %q = %v, want a match", tt.value, tt.format, err)
				}
				return
			}
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Check(%q) against %q = %v, want a *CheckError with code %s", tt.value, tt.format, err, tt.code)
			}
			if ce.Code != tt.code {
				t.Errorf("code = %s, want %s (%v)", ce.Code, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

func TestFormatCheckIsBoundedOnHostileValues(t *testing.T) {
	formats := []string{
		"${string:/(a|b|c|d|e|f|g)*(x|y)?(a|b|aa|ab|ba)*[a-z]{1,40}$/}a${string:/(a|b|c|d|e)*x?$/}a${number}b",
		"${string}a${string}a${number}b",
		"${string}${string}${string}${number}b",
		"${string:/^a*$/}${string:/^a*$/}${string:/^a*$/}${number}b",
		"${number}a${number}b",
		"${list:[a,aa,aaa]}${list:[a,aa,aaa]}${list:[a,aa,aaa]}${number}b",
	}
	for _, fm := range formats {
		f, err := ParseFormat(fm)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{100, 10_000, values.MaxBytes} {
			v := strings.Repeat("a", n) + "b"
			if err := f.Check(v); err == nil {
				t.Errorf("%d a's and a b matched %q", n, fm)
			}
		}
	}
}

func TestFormatIsSecret(t *testing.T) {
	tests := []struct {
		name, format string
		want         bool
	}{
		{name: "a password is secret", format: "${password}", want: true},
		{name: "a composite with a password is secret", format: "${string}:${password}", want: true},
		{name: "a string is not secret", format: "${string}", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFormat(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.IsSecret(); got != tt.want {
				t.Errorf("IsSecret() = %v, want %v", got, tt.want)
			}
		})
	}
	var nilFormat *Format
	if nilFormat.IsSecret() {
		t.Error("a nil format is secret")
	}
}
