package values

import (
	"sort"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Span is where a scalar's text lies in Doc.Src, as byte offsets: from
// Start (its first character after any anchor or tag: the opening quote,
// the | or > of a block scalar, the first character of a plain scalar) to
// End, just past its last character (the closing quote, the last character
// of its last line; comments and the line break after it are not part of it).
type Span struct {
	Start, End int
}

// Spans places every scalar node of the document (keys and values; aliases
// are not followed, their targets are placed where they are written) in
// d.Src, whatever its style: plain over several lines, single- or
// double-quoted with escapes and line folding, literal or folded block
// scalars with their indicators, in block or flow collections, with LF, CRLF
// or any other YAML line break.
//
// It follows the rules of the YAML scanner that parsed the document. A node
// it cannot place for sure, every empty plain scalar (which has no text), and
// a block scalar whose indicator stands at or left of its parent's
// indentation (where no quoted scalar could take its place) are missing from
// the map: callers must treat a missing node as unplaced, never guess.
func (d *Doc) Spans() map[*yaml.Node]Span {
	out := map[*yaml.Node]Span{}
	if d == nil || d.Root == nil {
		return out
	}
	s := newSpanner(d.Src)
	s.index(d.Root, nodeCtx{indent: -1}, 0)
	sort.Ints(s.starts)
	for _, sc := range s.scalars {
		if sp, ok := s.place(sc.n, sc.ctx); ok {
			out[sc.n] = sp
		}
	}
	return out
}

// nodeCtx is the scanner state a node was read in: inside a flow collection
// or not, and the indentation of the block collection around it (the
// scanner's indent; -1 outside any).
type nodeCtx struct {
	flow   bool
	indent int
}

type scalarAt struct {
	n   *yaml.Node
	ctx nodeCtx
}

type spanner struct {
	src     string
	lines   []int // byte offset of the start of each line (line 1 at index 0)
	starts  []int // byte offsets where nodes start, for the bound check
	scalars []scalarAt
}

func newSpanner(src []byte) *spanner {
	s := &spanner{src: string(src)}
	first := 0
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		first = 3 // the scanner skips a byte order mark without counting it
	}
	s.lines = append(s.lines, first)
	for i := first; i < len(s.src); {
		if w := s.breakWidth(i); w > 0 {
			i += w
			s.lines = append(s.lines, i)
			continue
		}
		i++
	}
	return s
}

// at returns the byte at i, or 0 past the end (the scanner's end of input).
func (s *spanner) at(i int) byte {
	if i < 0 || i >= len(s.src) {
		return 0
	}
	return s.src[i]
}

// breakWidth returns the length of the line break at i (CR LF, CR, LF, NEL,
// LS, PS: those the YAML scanner counts), 0 if there is none.
func (s *spanner) breakWidth(i int) int {
	switch c := s.at(i); {
	case c == '\r' && s.at(i+1) == '\n':
		return 2
	case c == '\r' || c == '\n':
		return 1
	case c == 0xC2 && s.at(i+1) == 0x85:
		return 2
	case c == 0xE2 && s.at(i+1) == 0x80 && (s.at(i+2) == 0xA8 || s.at(i+2) == 0xA9):
		return 3
	}
	return 0
}

func (s *spanner) isBlank(i int) bool  { c := s.at(i); return c == ' ' || c == '\t' }
func (s *spanner) isZ(i int) bool      { return i >= len(s.src) || s.src[i] == 0 }
func (s *spanner) isBreakZ(i int) bool { return s.isZ(i) || s.breakWidth(i) > 0 }
func (s *spanner) isBlankZ(i int) bool { return s.isBlank(i) || s.isBreakZ(i) }

// width returns the length of the character at i (at least 1).
func (s *spanner) width(i int) int {
	if i >= len(s.src) {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s.src[i:])
	return w
}

// offset turns a node's line and column (columns count characters, as the
// scanner does) into a byte offset; ok is false when they lie outside the text.
func (s *spanner) offset(line, col int) (int, bool) {
	if line < 1 || line > len(s.lines) || col < 1 {
		return 0, false
	}
	i := s.lines[line-1]
	for c := 1; c < col; c++ {
		if s.isBreakZ(i) {
			return 0, false
		}
		i += s.width(i)
	}
	return i, true
}

// column returns the scanner's column (0-based, in characters) of offset i
// on the line that starts at lineStart.
func (s *spanner) column(lineStart, i int) int {
	return utf8.RuneCountInString(s.src[lineStart:i])
}

// lineStartOf returns the start of the line that holds offset i.
func (s *spanner) lineStartOf(i int) int {
	k := sort.SearchInts(s.lines, i+1) - 1
	if k < 0 {
		return 0
	}
	return s.lines[k]
}

// isEmptyPlain reports an empty plain scalar (a: with nothing after, or
// only an anchor or a tag): it has no text to place.
func isEmptyPlain(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" &&
		n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// hasNoText reports a node written as nothing at all: the scanner gives it
// the position of whatever comes next.
func hasNoText(n *yaml.Node) bool {
	return isEmptyPlain(n) && n.Anchor == "" && n.Style&yaml.TaggedStyle == 0
}

// index records where every node starts and the context of every scalar.
func (s *spanner) index(n *yaml.Node, ctx nodeCtx, depth int) {
	if n == nil || depth > MaxDepth {
		return
	}
	if !hasNoText(n) {
		if off, ok := s.offset(n.Line, n.Column); ok {
			s.starts = append(s.starts, off)
		}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		s.scalars = append(s.scalars, scalarAt{n, ctx})
		return
	case yaml.AliasNode:
		return
	}
	inner := ctx
	switch {
	case ctx.flow || n.Style&yaml.FlowStyle != 0:
		inner = nodeCtx{flow: true, indent: ctx.indent}
	case n.Kind == yaml.MappingNode:
		inner.indent = -2 // unknown
		if len(n.Content) > 0 {
			if off, ok := s.offset(n.Content[0].Line, n.Content[0].Column); ok {
				inner.indent = s.column(s.lineStartOf(off), off)
			}
		}
	case n.Kind == yaml.SequenceNode:
		inner.indent = s.dashColumn(n)
	}
	for _, c := range n.Content {
		s.index(c, inner, depth+1)
	}
}

// dashColumn returns the column of the '-' of a block sequence's items (the
// scanner's indent inside it), -2 when it cannot tell.
func (s *spanner) dashColumn(n *yaml.Node) int {
	for _, c := range n.Content {
		off, ok := s.offset(c.Line, c.Column)
		if !ok {
			continue
		}
		ls := s.lineStartOf(off)
		i := off - 1
		for i >= ls && s.src[i] == ' ' {
			i--
		}
		if i >= ls && s.src[i] == '-' {
			return s.column(ls, i)
		}
	}
	if n.Anchor == "" && n.Style&yaml.TaggedStyle == 0 {
		if off, ok := s.offset(n.Line, n.Column); ok && s.at(off) == '-' {
			return s.column(s.lineStartOf(off), off)
		}
	}
	return -2
}

// place finds a scalar's span; see Spans.
func (s *spanner) place(n *yaml.Node, ctx nodeCtx) (Span, bool) {
	if isEmptyPlain(n) {
		return Span{}, false
	}
	start, ok := s.offset(n.Line, n.Column)
	if !ok {
		return Span{}, false
	}
	c, ok := s.skipProperties(start, ctx)
	if !ok {
		return Span{}, false
	}
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end, ok = s.doubleQuoted(c)
	case n.Style&yaml.SingleQuotedStyle != 0:
		end, ok = s.singleQuoted(c)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		if s.column(s.lineStartOf(c), c) <= ctx.indent {
			// Only a block scalar may stand there: no quoted one could take its place.
			return Span{}, false
		}
		end, ok = s.block(c, ctx)
	default:
		end, ok = s.plain(c, ctx)
	}
	if !ok || end <= c {
		return Span{}, false
	}
	// Sanity bound: no other node starts inside the scalar.
	k := sort.SearchInts(s.starts, start+1)
	if k < len(s.starts) && s.starts[k] < end {
		return Span{}, false
	}
	return Span{Start: c, End: end}, true
}

// skipProperties steps over the anchor and tag in front of a node's content,
// and the white space and comments between them.
func (s *spanner) skipProperties(i int, ctx nodeCtx) (int, bool) {
	for s.at(i) == '&' || s.at(i) == '!' {
		if s.at(i) == '!' && s.at(i+1) == '<' {
			for !s.isBreakZ(i) && s.at(i) != '>' {
				i++
			}
			if s.at(i) != '>' {
				return 0, false
			}
			i++
		} else {
			for !s.isBlankZ(i) && !(ctx.flow && isFlowIndicator(s.at(i))) {
				i += s.width(i)
			}
		}
		// White space, line breaks and comments up to the content (a '#'
		// here follows white space: the property ended at a blank).
	gap:
		for {
			switch {
			case s.isBlank(i):
				i++
			case s.breakWidth(i) > 0:
				i += s.breakWidth(i)
			case s.at(i) == '#':
				for !s.isBreakZ(i) {
					i++
				}
			default:
				break gap
			}
		}
		if s.isZ(i) {
			return 0, false
		}
	}
	return i, true
}

func isFlowIndicator(c byte) bool {
	switch c {
	case ',', '[', ']', '{', '}':
		return true
	}
	return false
}

// doubleQuoted returns the end of a double-quoted scalar starting at i.
func (s *spanner) doubleQuoted(i int) (int, bool) {
	if s.at(i) != '"' {
		return 0, false
	}
	for i++; !s.isZ(i); {
		switch s.at(i) {
		case '\\':
			i++
			if w := s.breakWidth(i); w > 0 {
				i += w
			} else {
				i += s.width(i)
			}
		case '"':
			return i + 1, true
		default:
			i += s.width(i)
		}
	}
	return 0, false
}

// singleQuoted returns the end of a single-quoted scalar starting at i.
func (s *spanner) singleQuoted(i int) (int, bool) {
	if s.at(i) != '\'' {
		return 0, false
	}
	for i++; !s.isZ(i); {
		if s.at(i) == '\'' {
			if s.at(i+1) == '\'' {
				i += 2
				continue
			}
			return i + 1, true
		}
		i += s.width(i)
	}
	return 0, false
}

// plain returns the end of a plain scalar starting at i (the scanner's
// yaml_parser_scan_plain_scalar, positions only).
func (s *spanner) plain(i int, ctx nodeCtx) (int, bool) {
	if !ctx.flow && ctx.indent < -1 {
		return 0, false // unknown indentation: where it continues is unknown too
	}
	indent := ctx.indent + 1
	end := i
	lineStart := s.lineStartOf(i)
	for {
		if i == lineStart && (hasPrefixAt(s.src, i, "---") || hasPrefixAt(s.src, i, "...")) && s.isBlankZ(i+3) {
			break
		}
		if s.at(i) == '#' {
			break
		}
		for !s.isBlankZ(i) {
			c := s.at(i)
			if (c == ':' && s.isBlankZ(i+1)) || (ctx.flow && (c == '?' || isFlowIndicator(c))) {
				break
			}
			i += s.width(i)
			end = i
		}
		if !(s.isBlank(i) || s.breakWidth(i) > 0) {
			break
		}
		for s.isBlank(i) || s.breakWidth(i) > 0 {
			if w := s.breakWidth(i); w > 0 {
				i += w
				lineStart = i
			} else {
				i++
			}
		}
		if !ctx.flow && s.column(lineStart, i) < indent {
			break
		}
	}
	return end, true
}

func hasPrefixAt(s string, i int, p string) bool {
	return i+len(p) <= len(s) && s[i:i+len(p)] == p
}

// block returns the end of a literal or folded block scalar whose indicator
// is at i (the scanner's yaml_parser_scan_block_scalar, positions only).
func (s *spanner) block(i int, ctx nodeCtx) (int, bool) {
	if c := s.at(i); c != '|' && c != '>' {
		return 0, false
	}
	i++
	increment := 0
	digit := func() {
		if c := s.at(i); c >= '1' && c <= '9' {
			increment = int(c - '0')
			i++
		}
	}
	if c := s.at(i); c == '+' || c == '-' {
		i++
		digit()
	} else if c >= '1' && c <= '9' {
		digit()
		if c := s.at(i); c == '+' || c == '-' {
			i++
		}
	}
	for s.isBlank(i) {
		i++
	}
	if s.at(i) == '#' {
		for !s.isBreakZ(i) {
			i++
		}
	}
	if !s.isBreakZ(i) {
		return 0, false
	}
	end := i // an empty block scalar ends with its header
	i += s.breakWidth(i)
	indent := 0
	if increment > 0 {
		if ctx.indent < -1 {
			return 0, false
		}
		indent = increment
		if ctx.indent >= 0 {
			indent = ctx.indent + increment
		}
	}
	col := 0
	// breaks eats indentation and empty lines, fixing the indentation from
	// the first non-empty line when no indicator gave it.
	breaks := func() bool {
		maxIndent := 0
		for {
			for (indent == 0 || col < indent) && s.at(i) == ' ' {
				i++
				col++
			}
			if col > maxIndent {
				maxIndent = col
			}
			if (indent == 0 || col < indent) && s.at(i) == '\t' {
				return false
			}
			w := s.breakWidth(i)
			if w == 0 {
				break
			}
			i += w
			col = 0
		}
		if indent == 0 {
			if ctx.indent < -1 {
				return false
			}
			indent = max(maxIndent, ctx.indent+1, 1)
		}
		return true
	}
	if !breaks() {
		return 0, false
	}
	for col == indent && !s.isZ(i) {
		for !s.isBreakZ(i) {
			i += s.width(i)
		}
		end = i
		if w := s.breakWidth(i); w > 0 {
			i += w
			col = 0
		}
		if !breaks() {
			return 0, false
		}
	}
	return end, true
}
