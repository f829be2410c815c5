package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The functions a schema template may call.
const (
	FuncRequired = "required"
	FuncReadonly = "readonly"
	FuncFormat   = "format"
	FuncHints    = "hints"
)

// ParseTemplate parses one schema template, such as
// {{ required | format "${number:[1-65535]}" | hints "the port" }}.
// It checks the grammar only; the returned Entry has no Path or position.
func ParseTemplate(tmpl string) (Entry, error) {
	e := Entry{Template: tmpl}
	s := strings.TrimSpace(tmpl)
	if !strings.HasPrefix(s, "{{") {
		return e, fmt.Errorf("template %s must be wrapped in {{ }}, as in '{{ required }}'", quoteShort(s))
	}
	if len(s) < 4 || !strings.HasSuffix(s, "}}") {
		return e, fmt.Errorf("template %s is not closed with \"}}\"", quoteShort(s))
	}
	body := s[2 : len(s)-2]
	// Go-template trim markers {{- and -}} change nothing here.
	if len(body) >= 2 && body[0] == '-' && isSpace(body[1]) {
		body = body[1:]
	}
	if n := len(body); n >= 2 && body[n-1] == '-' && isSpace(body[n-2]) {
		body = body[:n-1]
	}
	steps, err := tokenize(body)
	if err != nil {
		return e, err
	}
	if len(steps) == 0 {
		return e, errors.New("template {{ }} names no function; use required, readonly, format or hints")
	}
	for _, st := range steps {
		if err := e.apply(st); err != nil {
			return e, err
		}
	}
	return e, nil
}

// token is a word or a quoted string of a template.
type token struct {
	text   string
	quoted bool
}

// tokenize splits a template body into pipeline steps of tokens.
func tokenize(body string) ([][]token, error) {
	var steps [][]token
	var cur []token
	for i := 0; ; {
		for i < len(body) && isSpace(body[i]) {
			i++
		}
		if i == len(body) {
			if len(cur) == 0 && len(steps) > 0 {
				return nil, errors.New("template ends with \"|\"; a function must follow it")
			}
			if len(cur) > 0 {
				steps = append(steps, cur)
			}
			return steps, nil
		}
		switch c := body[i]; {
		case c == '|':
			if len(cur) == 0 {
				return nil, errors.New("template has an empty step: \"|\" must sit between two functions")
			}
			steps = append(steps, cur)
			cur = nil
			i++
		case c == '"':
			s, n, err := unquote(body[i:])
			if err != nil {
				return nil, err
			}
			cur = append(cur, token{text: s, quoted: true})
			i += n
		case c == '`':
			end := strings.IndexByte(body[i+1:], '`')
			if end < 0 {
				return nil, fmt.Errorf("string %s is not closed with \"`\"", quoteShort(body[i:]))
			}
			cur = append(cur, token{text: body[i+1 : i+1+end], quoted: true})
			i += end + 2
		case isIdentByte(c, true):
			j := i + 1
			for j < len(body) && isIdentByte(body[j], false) {
				j++
			}
			cur = append(cur, token{text: body[i:j]})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(body[i:])
			if r == '{' || r == '}' {
				return nil, fmt.Errorf("unexpected %q in the template: a template holds one {{ }} pipeline, and strings are double-quoted", r)
			}
			return nil, fmt.Errorf("unexpected %q in the template at %s; expected a function name or a double-quoted string", r, quoteShort(body[i:]))
		}
	}
}

// apply records one pipeline step in e.
func (e *Entry) apply(st []token) error {
	fn := st[0]
	if fn.quoted {
		return fmt.Errorf("template step starts with the string %q; it must start with a function (required, readonly, format, hints)", fn.text)
	}
	args := st[1:]
	for _, a := range args {
		if !a.quoted {
			return fmt.Errorf("%s takes quoted strings, found %s (is a \"|\" missing before it?)", fn.text, a.text)
		}
	}
	switch fn.text {
	case FuncRequired, FuncReadonly:
		if len(args) > 0 {
			return fmt.Errorf("%s takes no argument, found %q", fn.text, args[0].text)
		}
		if fn.text == FuncRequired {
			e.Required = true
		} else {
			e.Readonly = true
		}
	case FuncFormat:
		if len(args) != 1 {
			return fmt.Errorf("format takes one quoted argument, as in format \"${string}\", found %d", len(args))
		}
		if e.Format != nil {
			return errors.New("format appears twice; combine them into one format")
		}
		f, err := ParseFormat(args[0].text)
		if err != nil {
			return fmt.Errorf("format: %w", err)
		}
		e.Format = f
	case FuncHints:
		if len(args) == 0 {
			return errors.New("hints needs at least one quoted text, as in hints \"the port to listen on\"")
		}
		for _, a := range args {
			e.Hints = append(e.Hints, a.text)
		}
	default:
		return fmt.Errorf("unknown function %q; known functions are required, readonly, format and hints", fn.text)
	}
	return nil
}

// unquote reads the double-quoted string at the start of s and returns its
// value and length. Escapes are Go's; an escape Go does not know (\d, \.)
// is kept as written, backslash included, so regexes survive.
func unquote(s string) (string, int, error) {
	end := -1
	plain := true
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			plain = false
			i++
			continue
		}
		if s[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		return "", 0, fmt.Errorf("string %s is not closed with '\"'", quoteShort(s))
	}
	if plain {
		return s[1:end], end + 1, nil
	}
	var b strings.Builder
	b.Grow(end)
	for i := 1; i < end; {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		n := unescape(&b, s[i:end])
		i += n
	}
	return b.String(), end + 1, nil
}

// unescape writes the escape at the start of s (s[0] == '\\') and returns
// its length.
func unescape(b *strings.Builder, s string) int {
	if len(s) < 2 {
		b.WriteByte('\\')
		return 1
	}
	switch c := s[1]; c {
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '\\', '"':
		b.WriteByte(c)
	case 'x', 'u', 'U':
		n := 2
		if c == 'u' {
			n = 4
		} else if c == 'U' {
			n = 8
		}
		if len(s) >= 2+n {
			if v, err := strconv.ParseUint(s[2:2+n], 16, 32); err == nil {
				if c == 'x' {
					b.WriteByte(byte(v))
					return 2 + n
				}
				if utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					return 2 + n
				}
			}
		}
		b.WriteString(s[:2])
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if len(s) >= 4 {
			if v, err := strconv.ParseUint(s[1:4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				return 4
			}
		}
		b.WriteString(s[:2])
	default:
		b.WriteString(s[:2])
	}
	return 2
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strconv.Quote(s)
}
