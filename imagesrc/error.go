package imagesrc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/secret"
)

// Error is a problem in a manifest: the JSON path of the value concerned
// (builds[2].artifact_id; empty for a syntax error), its line and column
// when known, and a message that says what was found and what was expected.
type Error struct {
	// Path is the JSON path of the value, builds[2].artifact_id.
	Path string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Message says what was found and what was expected.
	Message string

	err error
	// src and off (off > 0 for an offset+1) place an error whose line and
	// column are not counted yet (see locate).
	src []byte
	off int
}

// locate counts the lines and columns of errors made with an offset only,
// once the errors to report are known: counting is linear in the file.
func locate(es Errors) {
	for _, e := range es {
		if e.off > 0 && e.Line == 0 {
			e.Line, e.Column = position(e.src, e.off-1)
		}
	}
}

// Error returns "line L, column C: PATH: MESSAGE", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// In returns the error as FILE:LINE:COL: PATH: MESSAGE, the form of the
// findings `byoos validate` prints.
func (e *Error) In(file string) string {
	var b strings.Builder
	b.WriteString(file)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the error this one was derived from (a JSON syntax error), or nil.
func (e *Error) Unwrap() error { return e.err }

// Errors is every problem found in a manifest, in the order of the file.
type Errors []*Error

// Error joins the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// In returns the problems in the FILE:LINE:COL form, one a line.
func (es Errors) In(file string) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.In(file)
	}
	return strings.Join(lines, "\n")
}

// maxQuoted is how many bytes of a value a message repeats.
const maxQuoted = 120

// quote returns s quoted, with the credentials a URL may carry masked, cut short when long.
func quote(s string) string { return strconv.Quote(brief(secret.RedactURL(s))) }

// brief cuts s to a length a message can repeat, at a rune boundary.
func brief(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
