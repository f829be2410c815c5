// Package version orders version strings the one way byoos orders them
// everywhere (pack versions, profile versions): as semantic versions when
// both parse (a leading v allowed), as text otherwise.
package version

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Compare returns -1, 0 or +1 as a is older than, the same as, or newer
// than b.
func Compare(a, b string) int {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	return va.Compare(vb)
}

// Newer reports whether a is newer than b.
func Newer(a, b string) bool { return Compare(a, b) > 0 }

// SortNewestFirst sorts versions newest first and drops repeats.
func SortNewestFirst(vs []string) []string {
	slices.SortStableFunc(vs, func(a, b string) int { return Compare(b, a) })
	return slices.Compact(vs)
}

// Comparer returns Compare that parses each distinct version once, for
// sorting many: the comparer is for one goroutine.
func Comparer() func(a, b string) int {
	parsed := map[string]*semver.Version{}
	get := func(s string) *semver.Version {
		v, ok := parsed[s]
		if !ok {
			v, _ = semver.NewVersion(s) // nil when it does not parse
			parsed[s] = v
		}
		return v
	}
	return func(a, b string) int {
		va, vb := get(a), get(b)
		if va == nil || vb == nil {
			return strings.Compare(a, b)
		}
		return va.Compare(vb)
	}
}
