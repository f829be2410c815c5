package imagesrc

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Manifest is a Packer manifest, the JSON file the manifest post-processor
// writes (packer-manifest.json by default): every build Packer recorded,
// across runs unless Packer ran with -force, and the uuid of the last run.
type Manifest struct {
	// Builds are the builds in the order of the file.
	Builds []Build
	// LastRunUUID is last_run_uuid: the run whose builds the manifest was last written by.
	LastRunUUID string
}

// Build is one entry of a manifest's builds.
type Build struct {
	// Index is the entry's position in builds.
	Index int
	// Name is the build's name (name), for example "ubuntu-2404" or "vhd-ubuntu-2204".
	Name string
	// BuilderType is the builder (builder_type): amazon-ebs, azure-arm, vsphere-iso...
	BuilderType string
	// BuildTime is build_time, in seconds since 1970 (0 with strip_time).
	BuildTime int64
	// Files are the files the build produced (files), each with its size in bytes.
	Files []File
	// ArtifactID is artifact_id, whose form depends on the builder.
	ArtifactID string
	// PackerRunUUID is packer_run_uuid, the run that made the build.
	PackerRunUUID string
	// CustomData is the manifest post-processor's custom_data, nil when absent.
	CustomData map[string]string

	// at holds the byte offsets of the build's values in src, for messages;
	// lines and columns are counted only for the few that need them.
	at  map[string]int
	src []byte
}

// File is a file a build produced.
type File struct {
	Name string
	Size int64
}

// Path returns the build's JSON path, builds[N].
func (b Build) Path() string { return fmt.Sprintf("builds[%d]", b.Index) }

// Position returns the line and column of one of the build's values
// (artifact_id, custom_data.os_name…), or 0, 0 when it has none.
func (b Build) Position(field string) (line, column int) {
	off, ok := b.at[field]
	if !ok {
		return 0, 0
	}
	return position(b.src, off)
}

// errorAt returns an error about the build's field (artifact_id,
// custom_data.os_name...) at its place in the file (counted by locate).
func (b Build) errorAt(field, format string, args ...any) *Error {
	e := &Error{Path: b.Path() + "." + field, Message: fmt.Sprintf(format, args...), src: b.src}
	if off, ok := b.at[field]; ok {
		e.off = off + 1
	}
	return e
}

// LastRun returns the builds of the manifest's last run: those whose
// packer_run_uuid is last_run_uuid. Packer appends the builds of every run
// to the manifest unless it runs with -force, so older entries may name
// images that are gone or superseded.
func (m *Manifest) LastRun() []Build {
	var out []Build
	for _, b := range m.Builds {
		if b.PackerRunUUID == m.LastRunUUID {
			out = append(out, b)
		}
	}
	return out
}

// ParseManifest reads a Packer manifest. Every problem is reported, each
// with its JSON path and its line and column: a syntax error, a value of the
// wrong type (builds[1].build_time: expected a number...), a missing
// builds list or an empty one, a missing artifact_id or builder_type, and a
// last_run_uuid that no build has. Keys Packer may add later are ignored.
// The error is Errors (or a single *Error for a syntax error).
func ParseManifest(src []byte) (*Manifest, error) {
	root, err := parseJSON(src)
	if err != nil {
		return nil, Errors{asError(err)}
	}
	p := &manifestParser{src: src}
	m := p.manifest(root)
	if p.more > 0 {
		p.errs = append(p.errs, &Error{Message: fmt.Sprintf("and %d more problem(s)", p.more)})
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return m, nil
}

func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Message: err.Error(), err: err}
}

type manifestParser struct {
	src  []byte
	errs Errors
	// more counts the problems past MaxErrors.
	more int
}

// MaxErrors is the most problems ParseManifest reports one by one; a last
// one says how many more there are.
const MaxErrors = 50

func (p *manifestParser) errorf(path string, n *node, format string, args ...any) {
	if len(p.errs) >= MaxErrors {
		p.more++
		return
	}
	e := &Error{Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = position(p.src, n.off)
	}
	p.errs = append(p.errs, e)
}

func (p *manifestParser) manifest(root *node) *Manifest {
	if root.kind != kindObject {
		p.errorf("", root, "the manifest is %s; expected a JSON object with builds and last_run_uuid, as Packer's manifest post-processor writes", root.describe())
		return nil
	}
	m := &Manifest{}
	builds := root.member("builds")
	switch {
	case builds == nil:
		p.errorf("builds", root, "is missing; a Packer manifest lists its builds in builds (is this the file the manifest post-processor wrote?)")
	case builds.kind != kindArray:
		p.errorf("builds", builds, "is %s; expected a list of builds", builds.describe())
	case len(builds.items) == 0:
		p.errorf("builds", builds, "is empty: the manifest records no build (the manifest post-processor writes one entry per finished build)")
	default:
		for i, item := range builds.items {
			if b, ok := p.build(i, item); ok {
				m.Builds = append(m.Builds, b)
			}
		}
	}
	last := root.member("last_run_uuid")
	switch {
	case last == nil:
	case last.kind != kindString:
		p.errorf("last_run_uuid", last, "is %s; expected the uuid of the last Packer run as a string", last.describe())
	default:
		m.LastRunUUID = last.text
	}
	if len(p.errs) > 0 {
		return nil
	}
	runs := map[string]bool{}
	for _, b := range m.Builds {
		runs[b.PackerRunUUID] = true
	}
	switch {
	case last == nil && len(runs) == 1:
		m.LastRunUUID = m.Builds[0].PackerRunUUID // one run: it is the last
	case last == nil:
		p.errorf("last_run_uuid", root, "is missing, and the builds come from %d runs (%s); without it the last run is unknown", len(runs), strings.Join(sortedKeys(runs), ", "))
	case !runs[m.LastRunUUID]:
		p.errorf("last_run_uuid", last, "is %s, but no build has that packer_run_uuid (the builds are of %s)", quote(m.LastRunUUID), strings.Join(sortedKeys(runs), ", "))
	}
	if len(p.errs) > 0 {
		return nil
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, quote(k))
	}
	sort.Strings(out)
	return out
}

// build reads builds[i].
func (p *manifestParser) build(i int, n *node) (Build, bool) {
	path := fmt.Sprintf("builds[%d]", i)
	b := Build{Index: i, at: map[string]int{}, src: p.src}
	if n.kind != kindObject {
		p.errorf(path, n, "is %s; expected a build, an object with name, builder_type and artifact_id", n.describe())
		return b, false
	}
	before := len(p.errs) + p.more
	b.at[""] = n.off
	str := func(key string, required bool) string {
		v := n.member(key)
		switch {
		case v == nil || v.kind == kindNull:
			if required {
				p.errorf(path+"."+key, n, "is missing; every build Packer records has one")
			}
			return ""
		case v.kind != kindString:
			p.errorf(path+"."+key, v, "is %s; expected a string", v.describe())
			return ""
		}
		b.at[key] = v.off
		return v.text
	}
	b.Name = str("name", false)
	b.BuilderType = str("builder_type", true)
	b.ArtifactID = str("artifact_id", true)
	b.PackerRunUUID = str("packer_run_uuid", false)
	if v := n.member("build_time"); v != nil && v.kind != kindNull {
		t, err := strconv.ParseInt(v.text, 10, 64)
		if v.kind != kindNumber || err != nil || t < 0 {
			p.errorf(path+".build_time", v, "is %s; expected the time of the build in whole seconds since 1970", v.describe())
		}
		b.BuildTime = t
	}
	if v := n.member("files"); v != nil && v.kind != kindNull {
		if v.kind != kindArray {
			p.errorf(path+".files", v, "is %s; expected a list of files, each {name, size}, or null", v.describe())
		}
		for j, f := range v.items {
			fp := fmt.Sprintf("%s.files[%d]", path, j)
			if f.kind != kindObject {
				p.errorf(fp, f, "is %s; expected a file, {name, size}", f.describe())
				continue
			}
			var file File
			if nm := f.member("name"); nm == nil || nm.kind != kindString {
				p.errorf(fp+".name", orNode(nm, f), "is %s; expected the file's name as a string", describeOrMissing(nm))
			} else {
				file.Name = nm.text
			}
			if sz := f.member("size"); sz != nil && sz.kind != kindNull {
				s, err := strconv.ParseInt(sz.text, 10, 64)
				if sz.kind != kindNumber || err != nil || s < 0 {
					p.errorf(fp+".size", sz, "is %s; expected the file's size in bytes", sz.describe())
				}
				file.Size = s
			}
			b.Files = append(b.Files, file)
		}
	}
	if v := n.member("custom_data"); v != nil && v.kind != kindNull {
		if v.kind != kindObject {
			p.errorf(path+".custom_data", v, "is %s; expected an object of strings (the manifest post-processor's custom_data)", v.describe())
		} else {
			b.CustomData = make(map[string]string, len(v.keys))
			for j, k := range v.keys {
				val := v.vals[j]
				if val.kind != kindString {
					p.errorf(path+".custom_data."+k, val, "is %s; expected a string (Packer writes every custom_data value as a string)", val.describe())
					continue
				}
				b.CustomData[k] = val.text
				b.at["custom_data."+k] = val.off
			}
		}
	}
	return b, len(p.errs)+p.more == before
}

func orNode(n, parent *node) *node {
	if n != nil {
		return n
	}
	return parent
}

func describeOrMissing(n *node) string {
	if n == nil {
		return "missing"
	}
	return n.describe()
}
