// Package names holds the rules for what users call byoos's objects and what
// they attach to them: cluster profile names; the names of projects,
// registries and API keys; labels and annotations; and the text that
// identifies a request (path, query, headers). The API refuses what breaks
// them before anything reaches the store, and the profile validation
// pipeline reports a bad profile name as a finding, so that the offline CLI
// and the server agree.
//
// Palette documents no rule of its own for these names. byoos takes
// Kubernetes's: a cluster profile name is a DNS label (RFC 1123), like a pack
// name; other names are printable text of a bounded length; labels and
// annotations have Kubernetes's sizes.
package names

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits, in characters unless said otherwise.
const (
	// MaxProfile is the longest cluster profile name (a DNS label).
	MaxProfile = 63
	// MaxName is the longest name of a project, registry or API key.
	MaxName = 64
	// MaxKeyName is the longest label or annotation key, without its prefix.
	MaxKeyName = 63
	// MaxKeyPrefix is the longest prefix of a label or annotation key (the
	// part before '/', a DNS subdomain in Kubernetes).
	MaxKeyPrefix = 253
	// MaxLabelValue is the longest label value.
	MaxLabelValue = 63
	// MaxMetadataBytes bounds the bytes of all keys and values of an
	// object's annotations together, and of its labels together
	// (Kubernetes's annotation limit).
	MaxMetadataBytes = 256 << 10
)

// Error is a broken rule. Path says where inside the checked value (such
// as `["team"]` for one label of a map), empty for the value itself; Msg says
// what is wrong, and begins with the offending text, quoted and cut short.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return strings.TrimSpace(e.Path + " " + e.Msg) }

// At says the error for the field at path, e.g. At("metadata.labels") is
// `metadata.labels["team"] value "…" is 70 characters long; the limit is 63`.
func (e *Error) At(field string) string { return field + e.Path + " " + e.Msg }

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Quote quotes s as Go does (control characters and invalid UTF-8
// escaped), cut short to a length a message can repeat.
func Quote(s string) string {
	const limit = 64
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// Plain checks that s is valid UTF-8 with no control characters (NUL, tab,
// CR, LF, ESC, DEL, C1 controls). The error's message says what was found,
// without repeating s (which may be a secret).
func Plain(s string) *Error {
	return unusual(s, func(r rune) bool { return unicode.IsControl(r) })
}

// NoNUL checks that s holds no NUL byte, which no database text column
// takes. Other control characters are left alone: YAML values hold tabs
// and newlines.
func NoNUL(s string) *Error {
	if strings.IndexByte(s, 0) >= 0 {
		return errorf("", "holds a NUL byte (\\x00)")
	}
	return nil
}

// unusual reports the first invalid UTF-8 byte of s, or its first rune that
// bad says is not allowed.
func unusual(s string, bad func(rune) bool) *Error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return errorf("", "holds invalid UTF-8 (byte 0x%02x at offset %d)", s[i], i)
		case r == 0:
			return errorf("", "holds a NUL byte (\\x00) at offset %d", i)
		case bad(r):
			return errorf("", "holds %s at offset %d", describe(r), i)
		}
		i += size
	}
	return nil
}

// describe names a refused character: "the control character \x1b", "'A'".
func describe(r rune) string {
	if unicode.IsControl(r) {
		return "the control character " + escapeRune(r)
	}
	return strconv.QuoteRune(r)
}

// escapeRune writes r as Go would inside a quoted string: \x1b, \n, \u202e.
func escapeRune(r rune) string {
	q := strconv.QuoteRune(r)
	return q[1 : len(q)-1]
}

// printable is the character set of names other than profile names:
// letters, marks, digits, punctuation, symbols and the ASCII space.
func printable(r rune) bool { return unicode.IsPrint(r) }

// Name checks the name of a project, registry or API key: 1 to MaxName
// printable characters (letters of any script, digits, punctuation,
// symbols, the ASCII space), with no control or formatting characters.
func Name(name string) *Error {
	if name == "" {
		return errorf("", "is empty; give a name of 1 to %d characters", MaxName)
	}
	if e := unusual(name, func(r rune) bool { return !printable(r) }); e != nil {
		e.Msg = Quote(name) + " " + e.Msg + "; use printable characters only"
		return e
	}
	if n := utf8.RuneCountInString(name); n > MaxName {
		return errorf("", "%s is %d characters long; the limit is %d", Quote(name), n, MaxName)
	}
	return nil
}

// Profile checks a cluster profile name: a DNS label of 1 to MaxProfile
// lower-case letters, digits and '-', beginning and ending with a letter or
// a digit (the rule of pack names, and of Kubernetes object names).
func Profile(name string) *Error {
	if name == "" {
		return errorf("", "is empty; give a name of 1 to %d lower-case letters, digits and '-'", MaxProfile)
	}
	if e := unusual(name, func(r rune) bool { return !dnsChar(r) }); e != nil {
		e.Msg = Quote(name) + " " + e.Msg + "; use lower-case letters, digits and '-'"
		if lower := strings.ToLower(name); lower != name && IsProfile(lower) {
			e.Msg += fmt.Sprintf(", e.g. %q", lower)
		}
		return e
	}
	if n := utf8.RuneCountInString(name); n > MaxProfile {
		return errorf("", "%s is %d characters long; the limit is %d", Quote(name), n, MaxProfile)
	}
	if name[0] == '-' || name[len(name)-1] == '-' {
		return errorf("", "%s begins or ends with '-'; begin and end with a letter or a digit", Quote(name))
	}
	return nil
}

// IsProfile reports whether Profile accepts name.
func IsProfile(name string) bool { return Profile(name) == nil }

func dnsChar(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' }

// Labels checks an object's labels: keys as Key says, values of at most
// MaxLabelValue printable characters, at most MaxMetadataBytes in all.
func Labels(m map[string]string) *Error {
	return metadata(m, func(at, v string) *Error {
		if e := unusual(v, func(r rune) bool { return !printable(r) }); e != nil {
			return errorf(at, "value %s %s; use printable characters only", Quote(v), e.Msg)
		}
		if n := utf8.RuneCountInString(v); n > MaxLabelValue {
			return errorf(at, "value %s is %d characters long; the limit is %d (use an annotation for longer text)", Quote(v), n, MaxLabelValue)
		}
		return nil
	})
}

// Annotations checks an object's annotations: keys as Key says; values any
// text but control characters other than tab, CR and LF; at most
// MaxMetadataBytes of keys and values in all.
func Annotations(m map[string]string) *Error {
	return metadata(m, func(at, v string) *Error {
		if e := unusual(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }); e != nil {
			return errorf(at, "value %s %s", Quote(v), e.Msg)
		}
		return nil
	})
}

// metadata checks labels or annotations: each key as Key says, each value
// with value (at is where it is, `["KEY"]`), and at most MaxMetadataBytes of
// keys and values in all.
func metadata(m map[string]string, value func(at, v string) *Error) *Error {
	total := 0
	for _, k := range sortedKeys(m) {
		v := m[k]
		if e := Key(k); e != nil {
			return e
		}
		if e := value("["+Quote(k)+"]", v); e != nil {
			return e
		}
		total += len(k) + len(v)
		if total > MaxMetadataBytes {
			return errorf("", "hold over %d bytes of keys and values in all (counting up to key %s); the limit is %d", MaxMetadataBytes, Quote(k), MaxMetadataBytes)
		}
	}
	return nil
}

// Key checks a label or annotation key: [PREFIX/]NAME, NAME 1 to
// MaxKeyName characters, PREFIX (when there is a '/') 1 to MaxKeyPrefix,
// both printable with no '/' in NAME.
func Key(k string) *Error {
	if k == "" {
		return errorf("", "key is empty")
	}
	if e := unusual(k, func(r rune) bool { return !printable(r) }); e != nil {
		return errorf("", "key %s %s; use printable characters only", Quote(k), e.Msg)
	}
	prefix, name, slashed := strings.Cut(k, "/")
	if !slashed {
		prefix, name = "", k
	}
	switch {
	case slashed && prefix == "":
		return errorf("", "key %s has an empty prefix before '/'", Quote(k))
	case utf8.RuneCountInString(prefix) > MaxKeyPrefix:
		return errorf("", "key %s has a prefix of %d characters; the limit is %d", Quote(k), utf8.RuneCountInString(prefix), MaxKeyPrefix)
	case name == "":
		return errorf("", "key %s has no name after its prefix", Quote(k))
	case strings.Contains(name, "/"):
		return errorf("", "key %s has more than one '/'; write PREFIX/NAME", Quote(k))
	case utf8.RuneCountInString(name) > MaxKeyName:
		return errorf("", "key %s has a name of %d characters; the limit is %d (without the prefix)", Quote(k), utf8.RuneCountInString(name), MaxKeyName)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Escape returns s with every character a terminal would act on written as
// Go escapes it: control characters (\x1b, \n, \t), formatting characters
// such as the bidirectional overrides (\u202e), and invalid UTF-8 (\xff).
// Printable text, the ASCII space included, is kept as it is.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !printable(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case printable(r):
			b.WriteString(s[i : i+size])
		default:
			b.WriteString(escapeRune(r))
		}
		i += size
	}
	return b.String()
}
