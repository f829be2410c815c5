package imagesrc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth is the deepest nesting of objects and arrays a manifest may have.
// A Packer manifest is three levels deep; the limit only keeps hostile input
// from costing more than it should.
const maxDepth = 32

// MaxBytes is the largest manifest accepted.
const MaxBytes = 8 << 20

// kind is the JSON type of a node.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is a JSON value with the byte offset where it starts, so that every
// problem can name its line and column.
type node struct {
	kind kind
	// off is the byte offset of the value's first character.
	off int
	// text is a string's value, a number's digits, or "true"/"false".
	text string
	// keys and vals are an object's members, in order.
	keys []string
	vals []*node
	// items are an array's elements.
	items []*node
}

// member returns the value of an object's key, or nil.
func (n *node) member(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// describe names a node's type and, for a scalar, its value, for messages:
// `the number 8`, `an object`.
func (n *node) describe() string {
	switch n.kind {
	case kindNull:
		return "null"
	case kindBool:
		return n.text
	case kindNumber:
		return "the number " + brief(n.text)
	case kindString:
		return "the string " + quote(n.text)
	case kindArray:
		return "a list"
	}
	return "an object"
}

// decoder builds nodes from a json.Decoder's tokens, keeping offsets.
type decoder struct {
	src []byte
	dec *json.Decoder
}

// parseJSON reads one JSON value (the whole of src) into a node tree. A
// syntax error is an *Error with the line and column where reading stopped.
func parseJSON(src []byte) (*node, error) {
	if len(src) > MaxBytes {
		return nil, &Error{Message: fmt.Sprintf("the manifest is %d bytes; the limit is %d", len(src), MaxBytes)}
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, &Error{Message: "the file is empty; expected a Packer manifest, a JSON object with builds and last_run_uuid"}
	}
	d := &decoder{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	d.dec.UseNumber()
	n, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		off := d.next()
		line, col := position(src, off)
		return nil, &Error{Line: line, Column: col, Message: "unexpected text after the end of the JSON value; a manifest is one JSON object"}
	}
	return n, nil
}

// next returns the offset of the next token: past white space and the ':'
// or ',' that separate values.
func (d *decoder) next() int {
	off := int(d.dec.InputOffset())
	for off < len(d.src) {
		switch d.src[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// syntaxError turns a decoder error into an *Error at its place.
func (d *decoder) syntaxError(err error, at int) error {
	var se *json.SyntaxError
	msg := ""
	switch {
	case errors.As(err, &se):
		at = int(se.Offset)
		if at > 0 {
			at-- // the offset is just past the offending byte
		}
		msg = strings.TrimPrefix(se.Error(), "invalid character ")
		if msg != se.Error() {
			msg = "unexpected character " + msg
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		at = len(d.src)
		msg = "the JSON ends too early (a bracket, brace or quote is not closed)"
	default:
		msg = err.Error()
	}
	line, col := position(d.src, at)
	return &Error{Line: line, Column: col, Message: "the file is not valid JSON: " + msg, err: err}
}

// value reads the next value.
func (d *decoder) value(depth int) (*node, error) {
	at := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxError(err, at)
	}
	return d.fromToken(tok, at, depth)
}

func (d *decoder) fromToken(tok json.Token, at, depth int) (*node, error) {
	n := &node{off: at}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.text = kindBool, strconv.FormatBool(t)
	case json.Number:
		n.kind, n.text = kindNumber, string(t)
	case string:
		n.kind, n.text = kindString, t
	case json.Delim:
		if depth >= maxDepth {
			line, col := position(d.src, at)
			return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("the JSON nests deeper than %d levels; a Packer manifest is three levels deep", maxDepth)}
		}
		switch t {
		case '[':
			n.kind = kindArray
			for d.dec.More() {
				item, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
		case '{':
			n.kind = kindObject
			seen := map[string]bool{}
			for d.dec.More() {
				kat := d.next()
				ktok, err := d.dec.Token()
				if err != nil {
					return nil, d.syntaxError(err, kat)
				}
				key, _ := ktok.(string)
				if seen[key] {
					line, col := position(d.src, kat)
					return nil, &Error{Line: line, Column: col, Message: fmt.Sprintf("the key %s appears twice in the same object", quote(key))}
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				seen[key] = true
				n.keys, n.vals = append(n.keys, key), append(n.vals, v)
			}
		}
		end := d.next()
		if _, err := d.dec.Token(); err != nil { // the closing delimiter
			return nil, d.syntaxError(err, end)
		}
	}
	return n, nil
}

// position returns the 1-based line and column (in characters) of a byte offset.
func position(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(src[start:off]) + 1
}
