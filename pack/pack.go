// Package pack reads Palette packs: pack.json, values.yaml, schema.yaml,
// presets.yaml and README.md, from a directory, a .tgz or an fs.FS, and checks
// them, reporting every problem with its file, line and column. It also holds
// Repo, a set of packs with Palette's floating tag resolution (1.0.x).
package pack

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/schema"
	"github.com/byoos/byoos/values"
	"github.com/byoos/byoos/wire"
)

// File names inside a pack.
const (
	MetaFile    = "pack.json"
	ValuesFile  = "values.yaml"
	SchemaFile  = "schema.yaml"
	PresetsFile = "presets.yaml"
	ReadmeFile  = "README.md"
)

// Limits on what a pack may hold.
const (
	// MaxFileBytes is the largest pack file read.
	MaxFileBytes = 2 << 20
	// MaxArchiveBytes is the most a .tgz may unpack to.
	MaxArchiveBytes = 64 << 20
)

// ErrInvalid is wrapped by errors for a pack that has errors; the findings say which.
var ErrInvalid = errors.New("pack has errors")

// Pack is one version of a pack.
type Pack struct {
	Meta Meta
	// Values is values.yaml as written; Defaults is it parsed.
	Values   []byte
	Defaults *values.Doc
	// Schema is schema.yaml parsed, nil when the pack has none.
	Schema *schema.Schema
	// Keys are the keys its values may hold: those of Defaults and Schema,
	// and PaletteKeys.
	Keys    *schema.Keys
	Presets []Preset
	Readme  string
	// Files holds every file's content by its path inside the pack, for
	// digests and publishing.
	Files map[string][]byte
	// Digest is the sha256 of the pack's files, stable across loads.
	Digest string
}

// Preset is one entry of presets.yaml.
type Preset = wire.Preset

// Ref returns NAME@VERSION.
func (p *Pack) Ref() string { return p.Meta.Name + "@" + p.Meta.Version }

// IsSecret reports whether a concrete values path holds a secret by the pack's schema.
func (p *Pack) IsSecret(valuePath string) bool {
	return p.Schema != nil && p.Schema.IsSecret(valuePath)
}

// fileNames are the files a pack is read from, in the order they are read.
func fileNames() [5]string {
	return [...]string{MetaFile, ValuesFile, SchemaFile, PresetsFile, ReadmeFile}
}

// FileTypeError is the error for a pack file that is not a regular file: a
// symbolic link, a hard link (in an archive), a directory, a named pipe, a
// device or a socket. Packs hold regular files only: a link would publish
// whatever it points at, and a pipe or a device could block a reader forever.
type FileTypeError struct {
	// Name is the file's name in the pack directory, or the entry's name in the archive.
	Name string
	// Kind says what it is instead, as in "a symbolic link".
	Kind string
}

// Error returns "NAME is KIND; packs hold regular files only".
func (e *FileTypeError) Error() string {
	return fmt.Sprintf("%s is %s; packs hold regular files only", e.Name, e.Kind)
}

// describeMode names the type of a file that is not regular, for a FileTypeError.
func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// LoadDir reads a pack from a directory. A pack file that is not a regular file
// (a symbolic link, a named pipe, a device…) is refused with a *FileTypeError,
// without being followed or opened for reading in a way that could block.
func LoadDir(dir string) (*Pack, finding.List, error) {
	return loadFiles(func(name string) ([]byte, error) { return readRegular(filepath.Join(dir, name), name) })
}

// loadFiles reads each pack file with read (a missing one is skipped) and
// builds the pack.
func loadFiles(read func(name string) ([]byte, error)) (*Pack, finding.List, error) {
	files := map[string][]byte{}
	for _, name := range fileNames() {
		b, err := read(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		files[name] = b
	}
	return FromFiles(files)
}

// readRegular reads the pack file at path (name is its name in the pack) when it
// is a regular file of at most MaxFileBytes. It looks at the file with Lstat before
// opening it, opens it without following a symbolic link and without waiting for
// a writer (on Unix), and checks the opened file again, so that a file swapped
// for a link or a FIFO in between is refused too.
func readRegular(path, name string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &FileTypeError{Name: name, Kind: describeMode(fi.Mode())}
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	} else if !fi.Mode().IsRegular() {
		return nil, &FileTypeError{Name: name, Kind: describeMode(fi.Mode())}
	}
	return readAllLimited(f, name)
}

// LoadFS reads a pack from a directory of an fs.FS. A pack file that is not a
// regular file is refused with a *FileTypeError; a symbolic link is seen as one
// when fsys can say so (fs.ReadLinkFS, as os.DirFS does).
func LoadFS(fsys fs.FS, dir string) (*Pack, finding.List, error) {
	return loadFiles(func(name string) ([]byte, error) { return readLimited(fsys, path.Join(dir, name), name) })
}

func readLimited(fsys fs.FS, full, name string) ([]byte, error) {
	fi, err := fs.Lstat(fsys, full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &FileTypeError{Name: name, Kind: describeMode(fi.Mode())}
	}
	f, err := fsys.Open(full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	return readAllLimited(f, name)
}

// readAllLimited reads r, refusing more than MaxFileBytes.
func readAllLimited(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxFileBytes)
	}
	return b, nil
}

// LoadTarball reads a pack from a gzip-compressed tar archive. The pack's files
// may sit at the archive's root or in one top-level directory (NAME-VERSION/).
// An entry that is a symbolic or hard link, a device or a named pipe, whatever
// its name, is refused with a *FileTypeError.
func LoadTarball(r io.Reader) (*Pack, finding.List, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read pack archive: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(io.LimitReader(zr, MaxArchiveBytes))
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read pack archive: %w", err)
		}
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			return nil, nil, fmt.Errorf("read pack archive: %w", &FileTypeError{Name: h.Name, Kind: describeTarType(h.Typeflag)})
		default: // directories, global headers and the like
			continue
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if strings.HasPrefix(name, "../") || path.IsAbs(name) {
			return nil, nil, fmt.Errorf("read pack archive: entry %q leaves the archive", h.Name)
		}
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		switch name {
		case MetaFile, ValuesFile, SchemaFile, PresetsFile, ReadmeFile:
		default:
			continue
		}
		if h.Size > MaxFileBytes {
			return nil, nil, fmt.Errorf("read pack archive: %s is larger than %d bytes", name, MaxFileBytes)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, nil, fmt.Errorf("read pack archive: %s: %w", name, err)
		}
		files[name] = b
	}
	return FromFiles(files)
}

// describeTarType names the type of an archive entry that is not a regular file.
func describeTarType(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "a symbolic link"
	case tar.TypeLink:
		return "a hard link"
	case tar.TypeChar:
		return "a character device"
	case tar.TypeBlock:
		return "a block device"
	case tar.TypeFifo:
		return "a named pipe (FIFO)"
	}
	return fmt.Sprintf("an entry of type %q", t)
}

// FromFiles builds a pack from its files' contents, keyed by file name. It
// returns the pack (nil when pack.json is unreadable), every finding, and an
// error wrapping ErrInvalid when any finding is an error.
func FromFiles(files map[string][]byte) (*Pack, finding.List, error) {
	var fl finding.List
	metaSrc, ok := files[MetaFile]
	if !ok {
		fl.Add(finding.Finding{Severity: finding.Error, Code: finding.CodePackFileMissing, File: MetaFile, Message: "the pack has no pack.json", Hint: "add pack.json with name, displayName, version, layer and cloudTypes"})
		return nil, fl, fmt.Errorf("%w: no %s", ErrInvalid, MetaFile)
	}
	meta, mfl := parseMeta(metaSrc)
	fl = append(fl, mfl.WithFile(MetaFile)...)
	if meta == nil {
		return nil, fl, fmt.Errorf("%w: %s unreadable", ErrInvalid, MetaFile)
	}
	p := &Pack{Meta: *meta, Files: files}
	p.Values = files[ValuesFile]
	if _, ok := files[ValuesFile]; !ok {
		fl.Add(finding.Finding{Severity: finding.Error, Code: finding.CodePackFileMissing, File: ValuesFile, Message: "the pack has no values.yaml", Hint: "add values.yaml; it may be empty for an OS pack, but it must exist"})
	}
	doc, err := values.Parse(p.Values)
	if err != nil {
		fl.Add(parseFinding(ValuesFile, finding.CodeValuesInvalid, err))
		doc = &values.Doc{}
	}
	p.Defaults = doc
	if src, ok := files[SchemaFile]; ok {
		s, sfl, err := schema.Parse(src)
		if err != nil {
			fl.Add(parseFinding(SchemaFile, finding.CodeSchemaInvalid, err))
		} else {
			p.Schema = s
			fl = append(fl, sfl.WithFile(SchemaFile)...)
			for _, e := range s.Entries {
				if e.Open || (!e.Required && !e.Readonly && e.Format == nil) {
					continue // declares keys, constrains none: values.yaml may leave them out
				}
				if len(doc.Find(e.Path)) == 0 && !strings.Contains(e.Path, "$[]") {
					fl.Add(finding.Finding{Severity: finding.Warning, Code: finding.CodePackSchemaPathMissing, File: SchemaFile, Path: e.Path, Line: e.Line, Column: e.Column,
						Message: fmt.Sprintf("schema.yaml constrains %s, which values.yaml does not define", e.Path), Hint: "add a default for it to values.yaml, or fix the path"})
				}
			}
		}
	}
	p.Keys = schema.NewKeys(p.Defaults, p.Schema, PaletteKeys()...)
	if src, ok := files[PresetsFile]; ok {
		p.Presets, fl = parsePresets(src, fl)
	}
	if b, ok := files[ReadmeFile]; ok {
		p.Readme = string(b)
	} else {
		fl.Add(finding.Finding{Severity: finding.Warning, Code: finding.CodePackFileMissing, File: ReadmeFile, Message: "the pack has no README.md", Hint: "add README.md: what the pack does and how to set its values"})
	}
	p.Digest = digest(files)
	if fl.HasErrors() {
		return p, fl, fmt.Errorf("%w: %s", ErrInvalid, p.Ref())
	}
	return p, fl, nil
}

func parsePresets(src []byte, fl finding.List) ([]Preset, finding.List) {
	doc, err := values.Parse(src)
	if err != nil {
		fl.Add(parseFinding(PresetsFile, finding.CodePresetsInvalid, err))
		return nil, fl
	}
	n, ok := doc.Lookup("presets")
	if !ok {
		fl.Add(finding.Finding{Severity: finding.Error, Code: finding.CodePresetsInvalid, File: PresetsFile, Line: 1, Column: 1, Message: "presets.yaml has no presets list", Hint: "start it with presets: and a list of presets"})
		return nil, fl
	}
	var out []Preset
	if err := n.Decode(&out); err != nil {
		fl.Add(finding.Finding{Severity: finding.Error, Code: finding.CodePresetsInvalid, File: PresetsFile, Line: n.Line, Column: n.Column, Message: "presets is not a list of presets: " + strings.TrimPrefix(err.Error(), "yaml: "), Hint: "each preset has name, displayName, group, and add and/or remove"})
		return nil, fl
	}
	seen := map[string]bool{}
	for i, pr := range out {
		item := n.Content[i]
		at := func(code, msg, hint string) {
			fl.Add(finding.Finding{Severity: finding.Error, Code: code, File: PresetsFile, Path: fmt.Sprintf("presets[%d]", i), Line: item.Line, Column: item.Column, Message: msg, Hint: hint})
		}
		if pr.Name == "" {
			at(finding.CodePresetsInvalid, "preset has no name", "give every preset a unique name")
		} else if seen[pr.Name] {
			at(finding.CodePresetsInvalid, fmt.Sprintf("preset name %q is used twice", pr.Name), "give every preset a unique name")
		}
		seen[pr.Name] = true
		if pr.Group == "" {
			at(finding.CodePresetsInvalid, fmt.Sprintf("preset %q has no group", pr.Name), "name the group; at most one preset per group is applied")
		}
		if pr.Add != "" {
			if _, err := values.Parse([]byte(pr.Add)); err != nil {
				at(finding.CodePresetsInvalid, fmt.Sprintf("preset %q: add is not valid values YAML: %v", pr.Name, err), "make add a YAML mapping to merge into values")
			}
		}
	}
	return out, fl
}

// parseFinding turns a values.ParseError (or any error) into a finding in file.
func parseFinding(file, code string, err error) finding.Finding {
	f := finding.Finding{Severity: finding.Error, Code: code, File: file, Message: err.Error(), Hint: "fix the YAML syntax at this place"}
	var pe *values.ParseError
	if errors.As(err, &pe) {
		f.Line, f.Column, f.Message = pe.Line, pe.Column, pe.Msg
	}
	return f
}

func digest(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Tarball writes the pack's files as a .tgz under NAME-VERSION/.
func (p *Pack) Tarball(w io.Writer) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := p.Files[n]
		if err := tw.WriteHeader(&tar.Header{Name: p.Meta.Name + "-" + p.Meta.Version + "/" + n, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			return fmt.Errorf("write pack archive: %w", err)
		}
		if _, err := tw.Write(b); err != nil {
			return fmt.Errorf("write pack archive: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write pack archive: %w", err)
	}
	return zw.Close()
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
