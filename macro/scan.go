package macro

import (
	"strconv"
	"strings"
)

// The kinds of expression Scan reports in Expr.Kind.
const (
	// KindSystem is {{ .spectro.system.KEY }}.
	KindSystem = "system"
	// KindPack is {{ .spectro.pack.PACK.PATH }}.
	KindPack = "pack"
	// KindMacro is {{ .spectro.macro.NAME }}.
	KindMacro = "macro"
	// KindVar is {{ .spectro.var.NAME }}.
	KindVar = "var"
	// KindOther is any {{ }} expression that does not start with a .spectro.
	// reference (Helm's {{ .Values.x }}, {{ include ... }}); it is left alone.
	KindOther = "other"
	// KindInvalid is a .spectro. reference that cannot be read; Expr.Problem says why.
	KindInvalid = "invalid"
)

// Expr is one {{ }} expression found by Scan.
type Expr struct {
	// Start is the byte offset of "{{"; End is the offset just past "}}".
	Start, End int
	// Kind is one of KindSystem, KindPack, KindMacro, KindVar, KindOther, KindInvalid.
	Kind string
	// Ref is the reference without its ".spectro." prefix, as written:
	// "pack.edge-native-byoi.options.system.uri", "system.cluster.name".
	// Empty for KindOther.
	Ref string
	// Pack is the pack name of a KindPack reference.
	Pack string
	// Path is the dotted path into the pack's values for KindPack, and the
	// key or name for KindSystem, KindMacro and KindVar.
	Path string
	// Pipeline is what follows the first "|", trimmed: "default \"x\" | upper".
	Pipeline string
	// TrimLeft and TrimRight record the trim markers "{{- " and " -}}".
	TrimLeft, TrimRight bool
	// Problem says why a KindInvalid reference cannot be read.
	Problem string
}

// SyntaxError is a "{{" that is never closed, at byte offset Offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error formats the error with its byte offset.
func (e *SyntaxError) Error() string {
	return "offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// HasMacro reports whether s holds "{{", that is whether it may hold a macro.
// Text without it is never changed by Resolve.
func HasMacro(s string) bool { return strings.Contains(s, "{{") }

// Scan finds every {{ }} expression in text, in order. An expression ends at
// the first "}}" that is not inside a quoted string ("..." , `...`, or \"...\"
// as written inside a YAML double-quoted string). A "{{" met before that "}}"
// starts the expression again there: the earlier "{{" is plain text.
//
// If a "{{" is never closed, Scan returns the expressions before it and a
// *SyntaxError with its offset.
func Scan(text string) ([]Expr, error) {
	var out []Expr
	for pos := 0; ; {
		x, next, err := scanNext(text, pos)
		if next < 0 || err != nil {
			return out, err
		}
		out = append(out, x)
		pos = next
	}
}

// scanNext finds the first expression at or after pos. It returns next < 0
// when there is none, with a *SyntaxError if a "{{" is never closed.
func scanNext(text string, pos int) (x Expr, next int, err error) {
	for {
		i := strings.Index(text[pos:], "{{")
		if i < 0 {
			return Expr{}, -1, nil
		}
		start := pos + i
		end, restart := closeAction(text, start+2)
		if restart >= 0 {
			pos = restart
			continue
		}
		if end < 0 {
			return Expr{}, -1, &SyntaxError{Offset: start, Msg: `"{{" is never closed by "}}"`}
		}
		return parseExpr(text, start, end), end, nil
	}
}

// closeAction finds the end of an expression whose body starts at i. It
// returns the offset past "}}", or restart >= 0 when a new "{{" begins before
// the close, or (-1, -1) when there is no close.
func closeAction(text string, i int) (end, restart int) {
	n := len(text)
	for j := i; j < n; {
		switch c := text[j]; {
		case c == '}' && j+1 < n && text[j+1] == '}':
			return j + 2, -1
		case c == '{' && j+1 < n && text[j+1] == '{':
			return -1, j
		case c == '"':
			k := skipQuoted(text, j+1)
			if k < 0 {
				return closePlain(text, i)
			}
			j = k
		case c == '`':
			k := strings.IndexByte(text[j+1:], '`')
			if k < 0 {
				return closePlain(text, i)
			}
			j += k + 2
		case c == '\\' && j+1 < n && text[j+1] == '"':
			k := strings.Index(text[j+2:], `\"`)
			if k < 0 {
				return closePlain(text, i)
			}
			j += k + 4
		default:
			j++
		}
	}
	return closePlain(text, i)
}

// closePlain is closeAction without quote handling, for bodies whose quotes
// do not balance: the expression ends at the first "}}", unless a "{{" comes
// first. It stops at whichever it meets first, so that scanning stays linear.
func closePlain(text string, i int) (end, restart int) {
	for j := i; j+1 < len(text); j++ {
		switch {
		case text[j] == '}' && text[j+1] == '}':
			return j + 2, -1
		case text[j] == '{' && text[j+1] == '{':
			return -1, j
		}
	}
	return -1, -1
}

// skipQuoted returns the offset past the closing quote of a "..." string whose
// body starts at k, or -1 if it does not close on the same line.
func skipQuoted(text string, k int) int {
	for k < len(text) {
		switch text[k] {
		case '\\':
			k += 2
			continue
		case '"':
			return k + 1
		case '\n':
			return -1
		}
		k++
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseExpr reads the expression text[start:end] ("{{" ... "}}").
func parseExpr(text string, start, end int) Expr {
	e := Expr{Start: start, End: end, Kind: KindOther}
	body := text[start+2 : end-2]
	if len(body) >= 2 && body[0] == '-' && isSpace(body[1]) {
		e.TrimLeft = true
		body = body[1:]
	}
	if len(body) >= 2 && body[len(body)-1] == '-' && isSpace(body[len(body)-2]) {
		e.TrimRight = true
		body = body[:len(body)-1]
	}
	body = trimSpace(body)
	tok := body
	if k := strings.IndexAny(body, " \t\r\n|()\"`',"); k >= 0 {
		tok = body[:k]
	}
	if tok != ".spectro" && !strings.HasPrefix(tok, ".spectro.") {
		e.TrimLeft, e.TrimRight = false, false
		return e
	}
	e.Ref = strings.TrimPrefix(strings.TrimPrefix(tok, ".spectro"), ".")
	if rest := trimSpace(body[len(tok):]); rest != "" {
		if rest[0] != '|' {
			return invalid(e, "unexpected "+strconv.Quote(clip(rest))+" after the reference; a macro is {{ .spectro.KIND.NAME }} optionally followed by | function args")
		}
		e.Pipeline = trimSpace(rest[1:])
		if e.Pipeline == "" {
			return invalid(e, "nothing follows \"|\"; name a function after it, e.g. | default \"x\"")
		}
	}
	kind, path, _ := strings.Cut(e.Ref, ".")
	switch {
	case e.Ref == "":
		return invalid(e, "the reference stops at .spectro; write .spectro.system.KEY, .spectro.pack.PACK.PATH, .spectro.macro.NAME or .spectro.var.NAME")
	case kind != KindSystem && kind != KindPack && kind != KindMacro && kind != KindVar:
		return invalid(e, "unknown macro kind "+strconv.Quote(kind)+"; the kinds are .spectro.system, .spectro.pack, .spectro.macro and .spectro.var")
	case path == "":
		return invalid(e, ".spectro."+kind+" needs a name after it")
	case strings.HasSuffix(path, ".") || strings.Contains(path, "..") || strings.HasPrefix(path, "."):
		return invalid(e, "the reference has an empty segment (two dots in a row, or a dot at the end)")
	}
	e.Kind = kind
	e.Path = path
	if kind == KindPack {
		pack, p, ok := strings.Cut(path, ".")
		if !ok || p == "" {
			return invalid(e, "a pack reference needs a path after the pack name: .spectro.pack."+pack+".PATH")
		}
		e.Pack, e.Path = pack, p
	}
	return e
}

func invalid(e Expr, problem string) Expr {
	e.Kind = KindInvalid
	e.Problem = problem
	e.Pack, e.Path = "", ""
	return e
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
