package service

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/byoos/byoos/version"
)

// Filter is a parsed pack filter in Palette's filters grammar, as GET
// /v1/packs?filters=... and the Terraform provider's data source
// spectrocloud_pack send it:
//
//	filter = term { ("AND" | "OR") term }
//	term   = field op value | field "_in_" value { "," value }
//	op     = "=" | ">" | "<" | ">=" | "<="
//
// AND binds tighter than OR: a filter is an OR of AND-groups. "AND" and
// "OR" separate terms only where a field and an operator follow them, so
// a value may hold them (spec.displayName=ORACLE). Fields: spec.name
// (metadata.name), spec.displayName, spec.layer, spec.version,
// spec.registryUid, spec.addonType, spec.cloudTypes and metadata.uid;
// the comparisons > < >= <= are for spec.version only, and compare as
// byoos orders versions (package version). spec.cloudTypes=X matches a
// pack that lists X or "all"; field_in_a,b matches a pack whose field is
// any of a, b (for spec.cloudTypes: that lists any of them, or "all").
// Values are taken as written: a value with spaces around it, or an empty
// item in a list, is an error rather than trimmed, so that a filter reads
// one way only (a space would decide where a term ends). The zero Filter
// matches every pack.
type Filter struct {
	groups [][]filterTerm
}

type filterTerm struct {
	field, op string
	values    []string // one value, or the list of _in_
}

// opAt returns the operator s starts with, "" for none; of > and >=
// (< and <=), the longer.
func opAt(s string) string {
	for _, op := range [...]string{"_in_", ">=", "<=", "=", ">", "<"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

// filterFieldOps returns the operators a field takes; ok is false for a
// field a filter may not name.
func filterFieldOps(field string) (ops []string, ok bool) {
	switch field {
	case "spec.name", "metadata.name", "spec.displayName", "spec.layer", "spec.registryUid", "spec.addonType", "spec.cloudTypes", "metadata.uid":
		return []string{"=", "_in_"}, true
	case "spec.version":
		return []string{"=", "_in_", ">", "<", ">=", "<="}, true
	}
	return nil, false
}

const filterFieldList = "spec.name, spec.displayName, spec.layer, spec.version, spec.registryUid, spec.addonType, spec.cloudTypes, metadata.uid"

// ParseFilter parses a filters string. An empty string (or one of empty
// terms only) is the Filter that matches everything. The error names the
// term, field, operator or value that is not understood, quoted.
func ParseFilter(s string) (Filter, error) {
	var f Filter
	for _, g := range splitFilter(s) {
		var group []filterTerm
		for _, raw := range g {
			if raw == "" {
				continue // as between the separators of ANDAND
			}
			t, err := parseFilterTerm(raw)
			if err != nil {
				return Filter{}, err
			}
			group = append(group, t)
		}
		if len(group) > 0 {
			f.groups = append(f.groups, group)
		}
	}
	return f, nil
}

// splitFilter cuts s into OR-groups of AND-terms, at each AND or OR that a
// field and an operator follow.
func splitFilter(s string) [][]string {
	groups := [][]string{{}}
	start := 0
	for i := 0; i < len(s); i++ {
		sep := ""
		switch {
		case strings.HasPrefix(s[i:], "AND"):
			sep = "AND"
		case strings.HasPrefix(s[i:], "OR"):
			sep = "OR"
		default:
			continue
		}
		if _, ok := fieldAndOp(s[i+len(sep):]); !ok {
			continue
		}
		last := len(groups) - 1
		groups[last] = append(groups[last], s[start:i])
		if sep == "OR" {
			groups = append(groups, []string{})
		}
		start = i + len(sep)
		i = start - 1
	}
	last := len(groups) - 1
	groups[last] = append(groups[last], s[start:])
	return groups
}

func isFieldByte(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && (c >= '0' && c <= '9' || c == '.' || c == '_')
}

// fieldAndOp reports where the field at the start of s ends: the first
// position after a letter and field characters ([A-Za-z0-9._]) where an
// operator starts.
func fieldAndOp(s string) (int, bool) {
	if s == "" || !isFieldByte(s[0], true) {
		return 0, false
	}
	for k := 1; k < len(s); k++ {
		if opAt(s[k:]) != "" {
			return k, true
		}
		if !isFieldByte(s[k], false) {
			return 0, false
		}
	}
	return 0, false
}

func parseFilterTerm(term string) (filterTerm, error) {
	k, ok := fieldAndOp(term)
	if !ok {
		// Name an operator it does not know, as in spec.name!=x.
		n := 0
		for n < len(term) && isFieldByte(term[n], n == 0) {
			n++
		}
		m := n
		for m < len(term) && strings.IndexByte("!=<>~:", term[m]) >= 0 {
			m++
		}
		if n > 0 && m > n {
			return filterTerm{}, fmt.Errorf("term %q: operator %q is not supported; use =, >, <, >=, <= or _in_", term, term[n:m])
		}
		return filterTerm{}, fmt.Errorf("term %q is not field=value (nor field>value, field_in_a,b ...)", term)
	}
	t := filterTerm{field: term[:k], op: opAt(term[k:])}
	ops, known := filterFieldOps(t.field)
	if !known {
		return filterTerm{}, fmt.Errorf("term %q: field %q is not supported; use %s", term, t.field, filterFieldList)
	}
	if !slices.Contains(ops, t.op) {
		return filterTerm{}, fmt.Errorf("term %q: operator %q is not supported for %s; use %s", term, t.op, t.field, strings.Join(ops, " or "))
	}
	rest := term[k+len(t.op):]
	if rest == "" {
		return filterTerm{}, fmt.Errorf("term %q has no value", term)
	}
	t.values = []string{rest}
	if t.op == "_in_" {
		t.values = strings.Split(rest, ",")
	}
	for _, v := range t.values {
		switch {
		case v == "":
			return filterTerm{}, fmt.Errorf("term %q: an empty item in the list", term)
		case strings.TrimSpace(v) != v:
			return filterTerm{}, fmt.Errorf("term %q: value %q has spaces around it", term, v)
		}
	}
	if t.field == "spec.version" && t.op != "=" && t.op != "_in_" {
		if _, err := semver.NewVersion(t.values[0]); err != nil {
			return filterTerm{}, fmt.Errorf("term %q: %q is not a version: %w", term, t.values[0], err)
		}
	}
	return t, nil
}

// String prints f in the grammar ParseFilter reads: ParseFilter(f.String())
// is f.
func (f Filter) String() string {
	var b strings.Builder
	for i, g := range f.groups {
		if i > 0 {
			b.WriteString("OR")
		}
		for j, t := range g {
			if j > 0 {
				b.WriteString("AND")
			}
			b.WriteString(t.field + t.op + strings.Join(t.values, ","))
		}
	}
	return b.String()
}

// Match reports whether the pack version e passes f.
func (f Filter) Match(e Entry) bool {
	if len(f.groups) == 0 {
		return true
	}
	return slices.ContainsFunc(f.groups, func(g []filterTerm) bool {
		for _, t := range g {
			if !t.match(e) {
				return false
			}
		}
		return true
	})
}

func (t filterTerm) match(e Entry) bool {
	var have string
	switch t.field {
	case "spec.name", "metadata.name":
		have = e.Name
	case "spec.displayName":
		have = e.DisplayName
	case "spec.layer":
		have = e.Layer
	case "spec.registryUid":
		have = e.RegistryUID
	case "spec.addonType":
		have = e.AddonType
	case "metadata.uid":
		have = e.UID
	case "spec.cloudTypes":
		return slices.Contains(e.CloudTypes, "all") || anyOf(e.CloudTypes, t.values)
	case "spec.version":
		have = e.Version
		switch t.op {
		case ">":
			return version.Compare(have, t.values[0]) > 0
		case "<":
			return version.Compare(have, t.values[0]) < 0
		case ">=":
			return version.Compare(have, t.values[0]) >= 0
		case "<=":
			return version.Compare(have, t.values[0]) <= 0
		}
	}
	return slices.Contains(t.values, have) // = and _in_
}

func anyOf(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

// Narrow returns a Query that selects every pack version f matches (and
// maybe more), for asking an index before Match; uid is the pack uid f
// requires, if it requires one. Only a filter of one AND-group narrows.
func (f Filter) Narrow() (q Query, uid string) {
	if len(f.groups) != 1 {
		return Query{}, ""
	}
	for _, t := range f.groups[0] {
		if t.op == "_in_" {
			if t.field == "spec.registryUid" && q.RegistryUIDs == nil {
				q.RegistryUIDs = slices.Clone(t.values)
			}
			continue
		}
		if t.op != "=" {
			continue
		}
		v := t.values[0]
		switch t.field {
		case "spec.name", "metadata.name":
			q.Name = v
		case "spec.version":
			q.Version = v
		case "spec.layer":
			q.Layer = v
		case "spec.registryUid":
			q.RegistryUIDs = []string{v}
		case "spec.cloudTypes":
			q.CloudType = v
		case "metadata.uid":
			uid = v
		}
	}
	return q, uid
}
