// Package finding holds the value every check in byoos reports: a problem with a
// severity, a stable code, the dotted path it concerns, where it is and what to do.
//
// Front ends (CLI, HTTP API, UI) only format findings; they never invent them.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says how bad a finding is.
type Severity string

// The severities, from worst to mildest.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	default:
		return 2
	}
}

// Finding is one problem found in a pack, values file or cluster profile.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is stable across releases: scripts may match on it.
	Code string `json:"code"`
	// Layer names the pack (layer) of a profile the finding concerns, if any.
	Layer string `json:"layer,omitempty"`
	// Path is the dotted value path, e.g. pack.osImageOverride.
	Path string `json:"path,omitempty"`
	// Field is the field of the profile document the finding is about, e.g.
	// spec.template.packs[2].tag, or spec.template.packs[0].values for a
	// finding inside a layer's values (Line and Column then count in the
	// document, or, when File is empty, in that values text).
	Field string `json:"field,omitempty"`
	// File, Line and Column locate the problem; Line and Column are 1-based, 0 when unknown.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Message says what was found and what was expected.
	Message string `json:"message"`
	// Hint says what to do about it.
	Hint string `json:"hint,omitempty"`
}

// Location formats FILE:LINE:COL, leaving out what is unknown.
func (f Finding) Location() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
		if f.Column > 0 {
			fmt.Fprintf(&b, ":%d", f.Column)
		}
	}
	return b.String()
}

// QualifiedPath is the path prefixed with its layer, e.g. packs[generic-byoi].pack.osName.
func (f Finding) QualifiedPath() string {
	switch {
	case f.Layer != "" && f.Path != "":
		return "packs[" + f.Layer + "]." + f.Path
	case f.Layer != "":
		return "packs[" + f.Layer + "]"
	default:
		return f.Path
	}
}

// String formats the finding as FILE:LINE:COL: SEVERITY CODE PATH: message (hint).
func (f Finding) String() string {
	var b strings.Builder
	if loc := f.Location(); loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	b.WriteString(string(f.Severity))
	b.WriteByte(' ')
	b.WriteString(f.Code)
	if p := f.QualifiedPath(); p != "" {
		b.WriteByte(' ')
		b.WriteString(p)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Hint != "" {
		b.WriteString(" (")
		b.WriteString(f.Hint)
		b.WriteByte(')')
	}
	return b.String()
}

// List is an ordered collection of findings.
type List []Finding

// Add appends a finding.
func (l *List) Add(f Finding) { *l = append(*l, f) }

// Errorf appends an error finding.
func (l *List) Errorf(code, path string, pos Pos, hint, format string, args ...any) {
	l.Add(Finding{Severity: Error, Code: code, Path: path, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Warnf appends a warning finding.
func (l *List) Warnf(code, path string, pos Pos, hint, format string, args ...any) {
	l.Add(Finding{Severity: Warning, Code: code, Path: path, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// HasErrors reports whether any finding is an error.
func (l List) HasErrors() bool {
	for _, f := range l {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns the findings of severity Error, in order.
func (l List) Errors() List {
	out := List{}
	for _, f := range l {
		if f.Severity == Error {
			out = append(out, f)
		}
	}
	return out
}

// Count returns how many findings have the given severity.
func (l List) Count(s Severity) int {
	n := 0
	for _, f := range l {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Codes lists the codes in order, for tests and summaries.
func (l List) Codes() []string {
	out := make([]string, len(l))
	for i, f := range l {
		out[i] = f.Code
	}
	return out
}

// WithLayer sets Layer on every finding that has none.
func (l List) WithLayer(layer string) List {
	for i := range l {
		if l[i].Layer == "" {
			l[i].Layer = layer
		}
	}
	return l
}

// WithFile sets File on every finding that has none.
func (l List) WithFile(file string) List {
	for i := range l {
		if l[i].File == "" {
			l[i].File = file
		}
	}
	return l
}

// Sort orders findings by file, line, column, then severity and code, keeping
// the order of findings that compare equal.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		return a.Code < b.Code
	})
}

// Pos is a 1-based line and column; zero means unknown.
type Pos struct {
	Line   int
	Column int
}

// PosAt turns a byte offset in src into a 1-based line and column.
func PosAt(src []byte, off int64) Pos {
	off = max(0, min(off, int64(len(src))))
	line, col := 1, 1
	for _, b := range src[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Pos{Line: line, Column: col}
}
