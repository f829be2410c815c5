package osimage_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/secret"
)

// wantProblem describes an expected rejection.
type wantProblem struct {
	code string
	// msg and hint list substrings the message and hint must contain.
	msg  []string
	hint []string
}

// checkProblem asserts that p is the expected problem for input in, and that it follows
// the package's rules: the message quotes the value found, the hint is a sentence.
func checkProblem(t *testing.T, in string, p *osimage.Problem, want wantProblem) {
	t.Helper()
	if p == nil {
		t.Fatalf("input %q: got no problem, want code %q", in, want.code)
	}
	if p.Code != want.code {
		t.Fatalf("input %q: code = %q, want %q\nmessage: %s\nhint: %s", in, p.Code, want.code, p.Message, p.Hint)
	}
	checkProblemShape(t, in, p)
	for _, sub := range want.msg {
		if !strings.Contains(p.Message, sub) {
			t.Errorf("input %q: message %q does not contain %q", in, p.Message, sub)
		}
	}
	for _, sub := range want.hint {
		if !strings.Contains(p.Hint, sub) {
			t.Errorf("input %q: hint %q does not contain %q", in, p.Hint, sub)
		}
	}
}

// checkProblemShape asserts the rules every problem follows, whatever its code.
func checkProblemShape(t *testing.T, in string, p *osimage.Problem) {
	t.Helper()
	if p.Code == "" || p.Message == "" || p.Hint == "" {
		t.Fatalf("input %q: problem has an empty field: %#v", in, p)
	}
	if len(in) <= 100 && !quotesValue(p.Message, in) {
		t.Errorf("input %q: message does not quote the value found: %q", in, p.Message)
	}
	if !strings.HasSuffix(p.Hint, ".") || !strings.HasSuffix(p.Message, ".") {
		t.Errorf("input %q: message and hint should be sentences ending in '.': %q / %q", in, p.Message, p.Hint)
	}
	if !utf8.ValidString(p.Message) || !utf8.ValidString(p.Hint) {
		t.Errorf("input %q: message or hint is not valid UTF-8", in)
	}
	if len(p.Message) > 2500 || len(p.Hint) > 2500 {
		t.Errorf("input %q: message (%d bytes) or hint (%d bytes) is too long", in, len(p.Message), len(p.Hint))
	}
	if got := p.Error(); !strings.HasPrefix(got, p.Code+": ") {
		t.Errorf("input %q: Error() = %q, want it to start with the code", in, got)
	}
}

// quotesValue reports whether a message quotes the value in as messages show it: with
// the credentials of a URL masked (secret.RedactURL), or, for credentials written before
// a host without a scheme, with everything before the '@' masked.
func quotesValue(msg, in string) bool {
	return strings.Contains(msg, strconv.Quote(secret.RedactURL(in))) ||
		strings.Contains(msg, `"`+secret.Mask+"@")
}
