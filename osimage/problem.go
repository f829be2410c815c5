package osimage

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/secret"
)

// MaxLength is the longest input, in bytes, that any parser in this package accepts.
// Longer inputs are refused with the parser's malformed/invalid code; no real image
// reference comes close, so such a value is almost certainly pasted by mistake.
const MaxLength = 4096

// Problem says why a reference is rejected: a stable code, a message saying what was
// found and what was expected, and a hint saying what to give instead. It implements error.
type Problem struct {
	// Code is one of the Code* constants. Codes are a stable public contract.
	Code string
	// Message names the value found (quoted) and what was expected.
	Message string
	// Hint is an actionable sentence saying what to give instead.
	Hint string

	// err is the underlying error, if the problem was derived from one.
	err error
}

// Error returns "CODE: MESSAGE HINT".
func (p *Problem) Error() string {
	if p == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.Grow(len(p.Code) + len(p.Message) + len(p.Hint) + 3)
	b.WriteString(p.Code)
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteByte(' ')
		b.WriteString(p.Hint)
	}
	return b.String()
}

// Unwrap returns the error the problem was derived from (for example the image-reference
// parser's error behind an [CodeOCIInvalid] problem), or nil.
func (p *Problem) Unwrap() error {
	if p == nil {
		return nil
	}
	return p.err
}

// newProblem builds a Problem from a code and two format strings' results.
func newProblem(code, msg, hint string) *Problem {
	return &Problem{Code: code, Message: msg, Hint: hint}
}

// maxQuoted is how many bytes of a user's value a message quotes before cutting it short.
const maxQuoted = 160

// quote returns s quoted like %q, with the credentials a URL can carry (a SAS
// signature, a presigned URL's signature, userinfo) masked by [secret.RedactURL], and cut
// short (at a rune boundary) when it is long, so that messages stay readable and never
// repeat a secret whatever was pasted. The result is always valid UTF-8. Every part of a
// user's value that a message or hint repeats goes through quote (or [shellWord]).
func quote(s string) string {
	s = secret.RedactURL(s)
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes in all)", len(s))
}

// tooLong is the problem for an input longer than MaxLength.
func tooLong(code, what, s string) *Problem {
	return newProblem(code,
		fmt.Sprintf("the value %s is %d bytes long; %s is at most %d bytes.", quote(s), len(s), what, MaxLength),
		fmt.Sprintf("Check that the field holds a single %s and not pasted file contents or several values.", what))
}

// firstSpaceOrControl returns the index and rune of the first whitespace or control
// character in s (invalid UTF-8 bytes count as control characters), or -1.
func firstSpaceOrControl(s string) (int, rune) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				return i, rune(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i, utf8.RuneError
		}
		if isSpaceOrControl(r) {
			return i, r
		}
		i += size - 1
	}
	return -1, 0
}

// isSpaceOrControl reports whether r is Unicode white space or a control character.
func isSpaceOrControl(r rune) bool {
	switch {
	case r <= ' ', r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x85, r == 0xa0, r == 0x1680, r >= 0x2000 && r <= 0x200a,
		r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000, r == 0xfeff:
		return true
	}
	return false
}

// describeRune names a character for a message: printable ones quoted, others as U+XXXX.
func describeRune(r rune) string {
	switch r {
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case '\n', '\r':
		return "a line break"
	case utf8.RuneError:
		return "a byte that is not valid UTF-8"
	}
	if r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
		return fmt.Sprintf("the control character U+%04X", r)
	}
	if isSpaceOrControl(r) {
		return fmt.Sprintf("the white-space character U+%04X", r)
	}
	return strconv.QuoteRune(r)
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasSuffixFold reports whether s ends with suffix, ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// isLowerHex reports whether s is non-empty and only lowercase hex digits.
func isLowerHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isHexFold reports whether s is non-empty and only hex digits of either case.
func isHexFold(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// schemeEnd returns the index of "://" when s begins with a URL scheme
// (a letter followed by letters, digits, '+', '-' or '.'), or -1.
func schemeEnd(s string) int {
	i := strings.Index(s, "://")
	if i <= 0 {
		return -1
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return -1
		}
	}
	return i
}

// redactProblem makes sure that problem p about the value s repeats none of the
// credentials s carries (a URL's userinfo, or a signature or token in its query; see
// [secret.RedactURL]). quote masks them in every value it quotes, but a message may quote
// a part of s that no longer looks like a URL once cut out or rewritten (a path segment,
// a percent-decoded name, a fixed-up suggestion), so when s carries credentials the
// problem is built again by reparse from the redacted value, which holds none: same code,
// same kind of message, about the value as shown. When the redacted value gives another
// code (the problem lies within the credentials, such as a bad escape in a signature),
// the problem keeps its code and says so without details.
func redactProblem(s string, p *Problem, reparse func(string) *Problem) *Problem {
	if p == nil || !secret.URLHasCredentials(s) {
		return p
	}
	if q := reparse(secret.RedactURL(s)); q != nil && q.Code == p.Code {
		return q
	}
	return newProblem(p.Code,
		fmt.Sprintf("%s is not valid; the reason lies within the credentials it carries (a signature, token or password), which messages never repeat.", quote(s)),
		"Copy the value again from where it was issued, without editing it; better, give a location the cluster can read without credentials in the value, since whoever reads the profile can read them.")
}
