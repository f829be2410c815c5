package pack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/byoos/byoos/suggest"
	"github.com/byoos/byoos/version"
)

// NotFoundError is a pack name or tag that a repo does not hold; it lists what it does hold.
type NotFoundError struct {
	Repo, Name, Tag string
	// Versions lists the versions of Name, newest first, when the name exists.
	Versions []string
	// Similar lists pack names close to Name when the name does not exist.
	Similar []string
}

func (e *NotFoundError) Error() string {
	if e.Tag == "" || len(e.Versions) == 0 {
		msg := fmt.Sprintf("%s has no pack named %q", e.Repo, e.Name)
		if len(e.Similar) > 0 {
			msg += "; did you mean " + strings.Join(e.Similar, " or ") + "?"
		}
		return msg
	}
	return fmt.Sprintf("%s has no version of %s matching %q; it has %s", e.Repo, e.Name, e.Tag, strings.Join(e.Versions, ", "))
}

// Repo is a set of pack versions, such as a registry's, with tag resolution.
type Repo struct {
	Name   string
	byName map[string][]*Pack // newest first
}

// NewRepo builds a repo from packs; a later pack with the same name and version replaces an earlier one.
func NewRepo(name string, packs ...*Pack) *Repo {
	r := &Repo{Name: name, byName: map[string][]*Pack{}}
	for _, p := range packs {
		r.Add(p)
	}
	return r
}

// Add puts a pack version into the repo.
func (r *Repo) Add(p *Pack) {
	list := r.byName[p.Meta.Name]
	for i, q := range list {
		if q.Meta.Version == p.Meta.Version {
			list[i] = p
			return
		}
	}
	list = append(list, p)
	sort.SliceStable(list, func(i, j int) bool { return version.Newer(list[i].Meta.Version, list[j].Meta.Version) })
	r.byName[p.Meta.Name] = list
}

// Names lists the pack names, sorted.
func (r *Repo) Names() []string {
	out := make([]string, 0, len(r.byName))
	for n := range r.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Versions lists every version of a pack, newest first.
func (r *Repo) Versions(name string) []*Pack { return r.byName[name] }

// All lists every pack version, by name then newest first.
func (r *Repo) All() []*Pack {
	var out []*Pack
	for _, n := range r.Names() {
		out = append(out, r.byName[n]...)
	}
	return out
}

// Get resolves a pack by name and tag. The tag is an exact version (1.0.0),
// a floating tag (1.0.x, 1.x, x), or empty for the newest version.
func (r *Repo) Get(name, tag string) (*Pack, error) {
	list := r.byName[name]
	if len(list) == 0 {
		return nil, &NotFoundError{Repo: r.Name, Name: name, Tag: tag, Similar: Similar(name, r.Names())}
	}
	for _, p := range list {
		if MatchTag(tag, p.Meta.Version) {
			return p, nil
		}
	}
	vs := make([]string, len(list))
	for i, p := range list {
		vs[i] = p.Meta.Version
	}
	return nil, &NotFoundError{Repo: r.Name, Name: name, Tag: tag, Versions: vs}
}

// MatchTag reports whether a version satisfies a tag: an exact version, a
// floating tag whose x parts match anything (1.0.x), or empty. A leading v
// on either is ignored, and a group prefix ("LTS__") on the tag is dropped.
func MatchTag(tag, version string) bool {
	if i := strings.LastIndex(tag, "__"); i >= 0 {
		tag = tag[i+2:]
	}
	tag = strings.TrimPrefix(strings.TrimSpace(tag), "v")
	version = strings.TrimPrefix(version, "v")
	if tag == "" || tag == "x" || tag == "latest" {
		return true
	}
	if !strings.Contains(tag, "x") {
		return tag == version
	}
	ts := strings.Split(tag, ".")
	core, _, _ := strings.Cut(version, "-")
	vs := strings.Split(core, ".")
	for i, t := range ts {
		if t == "x" || t == "X" || t == "*" {
			return true
		}
		if i >= len(vs) || vs[i] != t {
			return false
		}
	}
	return len(ts) == len(vs)
}

// IsFloating reports whether a tag selects a range of versions rather than one.
func IsFloating(tag string) bool {
	return tag == "" || strings.ContainsAny(tag, "x*") || tag == "latest"
}

// Similar returns names close to name, for "did you mean" hints.
func Similar(name string, names []string) []string { return suggest.Similar(name, names) }

// InRange reports whether v lies within [lo, hi]; an empty bound is open.
func InRange(v, lo, hi string) bool {
	sv, err := semver.NewVersion(v)
	if err != nil {
		return false
	}
	if lo != "" {
		if l, err := semver.NewVersion(lo); err == nil && sv.LessThan(l) {
			return false
		}
	}
	if hi != "" {
		if h, err := semver.NewVersion(hi); err == nil && sv.GreaterThan(h) {
			return false
		}
	}
	return true
}
