package schema

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/byoos/byoos/finding"
)

// The types a format part may have. A type schema.yaml names that is not
// one of these (such as ${input}, seen in published packs) is read as
// TypeString.
const (
	TypeString   = "string"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypePassword = "password"
	TypeList     = "list"
	TypeIPv4     = "ipv4"
	TypeVersion  = "version"
)

// compositeBudget bounds the work of matching one value against a format of
// several parts, counted in bytes examined, so a hostile value cannot make a
// check slow. Real values use a tiny fraction of it.
const compositeBudget = 1 << 20

// Format is a parsed format "..." argument: literal text and typed parts.
type Format struct {
	// Raw is the format text as written, e.g. ${ipv4} - ${ipv4}.
	Raw string
	// Parts are the literal and typed parts in order; at least one is typed.
	Parts []Part
}

// Part is one piece of a format: literal text, or a ${TYPE...} placeholder.
// A part is a literal when Type is "".
type Part struct {
	// Literal is the text a literal part must match exactly.
	Literal string
	// Type is one of the Type constants, "" for a literal.
	Type string
	// Regex, from ${TYPE:/REGEX/}, must match somewhere in the part's text
	// (anchor it with ^ and $ to match all of it). Compiled once, at parse time.
	Regex *regexp.Regexp
	// Min and Max, from ${number:[MIN-MAX]}, bound a number, both inclusive.
	Min, Max *float64
	// Options, from ${list:[A,B,C]}, are the values a list part accepts.
	Options []string
}

// CheckError is a value that does not match a format. Code is the finding
// code that reports it (CodeType, CodeFormat, CodeRange, CodeList, CodeIPv4 or
// CodeVersion).
type CheckError struct {
	// Code is the finding code, e.g. CodeIPv4.
	Code string
	// Expected says what the format accepts, e.g. "an IPv4 address such as 10.0.0.1".
	Expected string
	// Found is the value checked.
	Found string
	// Secret is set when the format holds a password: Error leaves Found out.
	Secret bool
}

// Error says what was expected and what was found, leaving secrets out.
func (e *CheckError) Error() string {
	if e.Secret {
		return "expected " + e.Expected + ", found a secret value (not shown)"
	}
	return "expected " + e.Expected + ", found " + strconv.Quote(e.Found)
}

// ParseFormat parses the argument of format, such as ${string},
// ${number:[1-10]}, ${list:[A,B]} or ${ipv4} - ${ipv4}. Regexes are compiled here.
func ParseFormat(s string) (*Format, error) {
	f := &Format{Raw: s}
	typed := 0
	lit := 0 // start of the pending literal
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			i++
			continue
		}
		p, n, err := parsePart(s[i:])
		if err != nil {
			return nil, err
		}
		if lit < i {
			f.Parts = append(f.Parts, Part{Literal: s[lit:i]})
		}
		f.Parts = append(f.Parts, p)
		typed++
		i += n
		lit = i
	}
	if lit < len(s) {
		f.Parts = append(f.Parts, Part{Literal: s[lit:]})
	}
	if typed == 0 {
		return nil, fmt.Errorf("format %q has no ${TYPE} part; write for example \"${string}\"", s)
	}
	return f, nil
}

// parsePart parses the ${...} at the start of s and returns how many bytes it took.
func parsePart(s string) (Part, int, error) {
	j := 2
	for j < len(s) && isIdentByte(s[j], j == 2) {
		j++
	}
	name := s[2:j]
	if name == "" {
		return Part{}, 0, fmt.Errorf("format part %s: expected a type name after \"${\", as in ${string}, ${number:[1-10]} or ${list:[A,B]}", snippet(s))
	}
	p := Part{Type: canonicalType(name)}
	if j >= len(s) {
		return Part{}, 0, fmt.Errorf("format part %q is not closed with \"}\"", s)
	}
	switch s[j] {
	case '}':
		j++
	case ':':
		arg := s[j+1:]
		switch {
		case strings.HasPrefix(arg, "/"):
			end := strings.Index(arg[1:], "/}")
			if end < 0 {
				return Part{}, 0, fmt.Errorf("format part %s: the regex is not closed with \"/}\"", snippet(s))
			}
			expr := arg[1 : end+1]
			if p.Type == TypeList {
				return Part{}, 0, fmt.Errorf("format part %s: list takes options such as [A,B], not a regex", snippet(s))
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return Part{}, 0, fmt.Errorf("format part %s: bad regex /%s/: %v", snippet(s), expr, err)
			}
			p.Regex = re
			j += 1 + end + 3
		case strings.HasPrefix(arg, "["):
			end := strings.Index(arg, "]}")
			if end < 0 {
				return Part{}, 0, fmt.Errorf("format part %s: the brackets are not closed with \"]}\"", snippet(s))
			}
			inner := arg[1:end]
			switch p.Type {
			case TypeNumber:
				lo, hi, err := parseRange(inner)
				if err != nil {
					return Part{}, 0, fmt.Errorf("format part %s: %v", snippet(s), err)
				}
				p.Min, p.Max = &lo, &hi
			case TypeList:
				opts, err := parseOptions(inner)
				if err != nil {
					return Part{}, 0, fmt.Errorf("format part %s: %v", snippet(s), err)
				}
				p.Options = opts
			default:
				return Part{}, 0, fmt.Errorf("format part %s: only number takes a range [MIN-MAX] and only list takes options [A,B]", snippet(s))
			}
			j += 1 + end + 2
		default:
			return Part{}, 0, fmt.Errorf("format part %s: after \":\" expected /REGEX/, [MIN-MAX] or [A,B,C]", snippet(s))
		}
	default:
		return Part{}, 0, fmt.Errorf("format part %s: unexpected %q after the type name %q; expected \"}\" or \":\"", snippet(s), s[j], name)
	}
	if p.Type == TypeList && p.Options == nil {
		return Part{}, 0, fmt.Errorf("format part %s: list needs its options, as in ${list:[A,B,C]}", snippet(s))
	}
	return p, j, nil
}

// snippet quotes the start of a ${...} part for an error message.
func snippet(s string) string {
	if i := strings.IndexByte(s, '}'); i >= 0 {
		s = s[:i+1]
	}
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strconv.Quote(s)
}

func isIdentByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-':
		return !first
	}
	return false
}

func canonicalType(name string) string {
	switch t := strings.ToLower(name); t {
	case TypeString, TypeNumber, TypeBoolean, TypePassword, TypeList, TypeIPv4, TypeVersion:
		return t
	}
	return TypeString
}

// parseRange reads MIN-MAX, where both may be negative or have decimals.
func parseRange(s string) (lo, hi float64, err error) {
	bad := func() (float64, float64, error) {
		return 0, 0, fmt.Errorf("bad range [%s]: expected [MIN-MAX] with MIN <= MAX, as in [1-65535] or [-1.5-1.5]", s)
	}
	t := strings.TrimSpace(s)
	n := scanNumber(t)
	if n == 0 {
		return bad()
	}
	lo, _ = strconv.ParseFloat(t[:n], 64)
	t = strings.TrimLeft(t[n:], " ")
	if !strings.HasPrefix(t, "-") {
		return bad()
	}
	t = strings.TrimLeft(t[1:], " ")
	n = scanNumber(t)
	if n == 0 || n != len(t) {
		return bad()
	}
	hi, _ = strconv.ParseFloat(t, 64)
	if lo > hi || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return bad()
	}
	return lo, hi, nil
}

// scanNumber returns the length of the decimal number [+-]?D+(.D+)? at the
// start of s, 0 when there is none.
func scanNumber(s string) int {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d {
		return 0
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i
}

func parseOptions(s string) ([]string, error) {
	raw := strings.Split(s, ",")
	opts := make([]string, 0, len(raw))
	for _, o := range raw {
		o = strings.TrimSpace(o)
		if o == "" {
			return nil, fmt.Errorf("list options [%s] hold an empty option", s)
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// IsSecret reports whether the format holds a password part.
func (f *Format) IsSecret() bool {
	if f == nil {
		return false
	}
	for i := range f.Parts {
		if f.Parts[i].Type == TypePassword {
			return true
		}
	}
	return false
}

// single returns the format's only part when it is one typed part with no
// literal text, else nil.
func (f *Format) single() *Part {
	if len(f.Parts) == 1 && f.Parts[0].Type != "" {
		return &f.Parts[0]
	}
	return nil
}

// Check checks value text against the format. The error, a *CheckError, says
// what was expected; a format of several parts fails with CodeFormat. Check
// sees text only: what YAML made of a value (8.10 read as a number) is
// Schema.Check's concern. A lone string or password part accepts empty text;
// in a format of several parts every typed part must match some text, and a
// value is split between the parts in every way that could match.
func (f *Format) Check(value string) error {
	if p := f.single(); p != nil {
		if code := p.verify(value, true); code != "" {
			return &CheckError{Code: code, Expected: p.expected(code), Found: value, Secret: p.Type == TypePassword}
		}
		return nil
	}
	m := matcher{parts: f.Parts, v: value, budget: compositeBudget}
	if f.literalsPresent(value) && m.match(0, 0) {
		return nil
	}
	exp := f.describe()
	if m.budget <= 0 {
		exp += " (the value is too long to check against this format)"
	}
	return &CheckError{Code: finding.CodeSchemaFormat, Expected: exp, Found: value, Secret: f.IsSecret()}
}

// literalsPresent reports whether every literal of the format occurs in the
// value: a cheap test that rules most mismatches out before matching.
func (f *Format) literalsPresent(v string) bool {
	for i := range f.Parts {
		if l := f.Parts[i].Literal; l != "" && !strings.Contains(v, l) {
			return false
		}
	}
	return true
}

// describe says what a format of several parts expects.
func (f *Format) describe() string {
	s := "text in the form " + strconv.Quote(f.Raw)
	if f.spaced() {
		s += " (spaces and punctuation exactly as shown)"
	}
	return s
}

// spaced reports whether the format's literal text holds spaces, which
// values must then hold too.
func (f *Format) spaced() bool {
	for i := range f.Parts {
		if f.Parts[i].Type == "" && strings.ContainsAny(f.Parts[i].Literal, " \t") {
			return true
		}
	}
	return false
}

// hint says how to write a value for a format of several parts, with an
// example when one can be made up.
func (f *Format) hint() string {
	h := "write it in the form " + f.Raw
	if f.spaced() {
		h += " exactly, spaces included"
	}
	var ex strings.Builder
	for i := range f.Parts {
		p := &f.Parts[i]
		if p.Regex != nil {
			return h
		}
		switch p.Type {
		case "":
			ex.WriteString(p.Literal)
		case TypeNumber:
			if p.Min != nil {
				ex.WriteString(formatNumber(*p.Min))
			} else {
				ex.WriteString("10")
			}
		case TypeBoolean:
			ex.WriteString("true")
		case TypeList:
			ex.WriteString(p.Options[0])
		case TypeIPv4:
			ex.WriteString("10.0.0.1")
		case TypeVersion:
			ex.WriteString("1.2.3")
		default:
			ex.WriteString("text")
		}
	}
	return h + ", e.g. " + strconv.Quote(ex.String())
}

// expectedText says what a whole-value format expects, for type errors.
func (f *Format) expectedText() string {
	if p := f.single(); p != nil {
		return p.expected(finding.CodeSchemaType)
	}
	return f.describe()
}

// verify checks text against one typed part and returns the finding code of
// the first failure, "" when it matches. whole is false inside a format of
// several parts, where empty text matches no typed part.
func (p *Part) verify(text string, whole bool) string {
	switch p.Type {
	case TypeNumber:
		v, ok := parseDecimal(text)
		if !ok {
			return finding.CodeSchemaType
		}
		return p.verifyNumber(v, text)
	case TypeBoolean:
		if !isBoolText(text) {
			return finding.CodeSchemaType
		}
	case TypeList:
		if !p.hasOption(text) {
			return finding.CodeSchemaList
		}
		return ""
	case TypeIPv4:
		if !isIPv4(text) {
			return finding.CodeSchemaIPv4
		}
	case TypeVersion:
		if !isVersion(text) {
			return finding.CodeSchemaVersion
		}
	default: // string, password
		if text == "" && !whole {
			return finding.CodeSchemaFormat
		}
	}
	if p.Regex != nil && !p.Regex.MatchString(text) {
		return finding.CodeSchemaFormat
	}
	return ""
}

// verifyNumber checks a number's range, then its text against the regex.
func (p *Part) verifyNumber(v float64, text string) string {
	if p.Min != nil && p.Max != nil && (v < *p.Min || v > *p.Max) {
		return finding.CodeSchemaRange
	}
	if p.Regex != nil && !p.Regex.MatchString(text) {
		return finding.CodeSchemaFormat
	}
	return ""
}

func (p *Part) hasOption(s string) bool {
	for _, o := range p.Options {
		if o == s {
			return true
		}
	}
	return false
}

// expected says what the part accepts, for the failure with the given code.
func (p *Part) expected(code string) string {
	switch code {
	case finding.CodeSchemaRange:
		return "a number from " + formatNumber(*p.Min) + " to " + formatNumber(*p.Max)
	case finding.CodeSchemaFormat:
		if p.Regex == nil {
			return "non-empty text"
		}
		return "text matching /" + p.Regex.String() + "/"
	case finding.CodeSchemaList:
		return "one of " + strings.Join(p.Options, ", ")
	case finding.CodeSchemaIPv4:
		return "an IPv4 address such as 10.0.0.1"
	case finding.CodeSchemaVersion:
		return "a semantic version such as 1.2.3 or v1.2.3"
	}
	switch p.Type {
	case TypeNumber:
		return "a number"
	case TypeBoolean:
		return "true or false"
	case TypeList:
		return "one of " + strings.Join(p.Options, ", ")
	case TypeVersion:
		return "a version string such as 1.2.3"
	case TypeIPv4:
		return "an IPv4 address such as 10.0.0.1"
	}
	return "a string"
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// parseDecimal reads a plain decimal number: [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)?.
func parseDecimal(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func isBoolText(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return true
	}
	return false
}

// isIPv4 accepts dotted-quad IPv4 addresses only (no leading zeros, no zone).
func isIPv4(s string) bool {
	if len(s) < 7 || len(s) > 15 {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// isVersion accepts a semantic version (MAJOR.MINOR.PATCH with optional
// pre-release and build), with an optional leading v.
func isVersion(s string) bool {
	s = strings.TrimPrefix(s, "v")
	if s == "" || len(s) > 256 {
		return false
	}
	_, err := semver.StrictNewVersion(s)
	return err == nil
}

// matcher matches a value against a format of several parts, trying every
// way of splitting the value between the typed parts. Failed (part, offset)
// states are remembered, and the work is bounded by budget.
type matcher struct {
	parts  []Part
	v      string
	budget int
	failed map[int]bool
}

func (m *matcher) match(i, pos int) bool {
	if i == len(m.parts) {
		return pos == len(m.v)
	}
	if m.budget <= 0 {
		return false
	}
	key := i*(len(m.v)+1) + pos
	if m.failed[key] {
		return false
	}
	if m.try(i, pos) {
		return true
	}
	if m.failed == nil {
		m.failed = map[int]bool{}
	}
	m.failed[key] = true
	return false
}

func (m *matcher) try(i, pos int) bool {
	p := &m.parts[i]
	rest := m.v[pos:]
	if p.Type == "" {
		m.budget -= len(p.Literal) + 1
		return strings.HasPrefix(rest, p.Literal) && m.match(i+1, pos+len(p.Literal))
	}
	fits := func(end int) bool {
		m.budget -= p.cost(m.v[pos:end])
		return m.budget > 0 && p.verify(m.v[pos:end], false) == "" && m.match(i+1, end)
	}
	switch {
	case i+1 == len(m.parts):
		return fits(len(m.v))
	case m.parts[i+1].Type == "":
		// The part ends where the next literal starts: try each place it does.
		lit := m.parts[i+1].Literal
		for from := pos + 1; from <= len(m.v); {
			k := strings.Index(m.v[from:], lit)
			// Scanning is fast (vectorised): charge a sixteenth of it.
			if k < 0 {
				m.budget -= (len(m.v)-from)/16 + 1
				return false
			}
			m.budget -= k/16 + 1
			if fits(from + k) {
				return true
			}
			if m.budget <= 0 {
				return false
			}
			from += k + 1
		}
		return false
	default:
		for end := pos + 1; end <= len(m.v); end++ {
			if fits(end) {
				return true
			}
			if m.budget <= 0 {
				return false
			}
		}
		return false
	}
}

// cost estimates the work of verify on text, for the matching budget.
func (p *Part) cost(text string) int {
	n := 1
	switch p.Type {
	case TypeString, TypePassword:
	case TypeIPv4:
		n += min(len(text), 16)
	case TypeVersion:
		n += min(len(text), 257)
	case TypeNumber:
		// Parsing stops at the first byte no number holds.
		i := 0
		for i < len(text) && strings.IndexByte("0123456789+-.eE", text[i]) >= 0 {
			i++
		}
		n += i
	default:
		n += len(text)
	}
	if p.Regex != nil {
		// A regex costs about its program size per byte of text.
		n += (len(text) + 1) * (1 + len(p.Regex.String())/8)
	}
	return n
}
