// Package profile holds the cluster profile model (Palette's import/export
// shape) and the validation pipeline every front end runs: packs resolved from
// their registry, layers and cloud types checked, macros resolved, schema.yaml
// and the BYOOS rules applied, all reported as findings.
package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
	"github.com/byoos/byoos/wire"
)

// MaxDocumentBytes is the largest profile document accepted.
const MaxDocumentBytes = 8 << 20

// The document shapes are the API's (package wire); these names keep the
// pipeline's own vocabulary.
type (
	// Profile is a cluster profile in Palette's import/export shape.
	Profile = wire.Profile
	// Metadata names a profile.
	Metadata = wire.Metadata
	// Spec is a profile's version, template and variables.
	Spec = wire.Spec
	// Template is the profile's type, cloud type and layers.
	Template = wire.Template
	// PackRef is one layer of a profile.
	PackRef = wire.PackRef
	// RegistryRef names the registry a layer's pack comes from.
	RegistryRef = wire.RegistryRef
	// RegistryMeta is a registry's identity as a profile export carries it.
	RegistryMeta = wire.RegistryMeta
	// Variable is a cluster profile variable (V1Variable).
	Variable = wire.Variable
	// VariableOption is one choice of a dropdown variable.
	VariableOption = wire.VariableOption
)

// Profile types.
const (
	TypeCluster = wire.TypeCluster
	TypeInfra   = wire.TypeInfra
	TypeAddOn   = wire.TypeAddOn
)

// Document is a parsed profile with what is needed to point findings into it.
type Document struct {
	// File is the name findings carry; may be empty.
	File    string
	Profile Profile
	// JSON is true when the document was JSON.
	JSON bool
	// src is the document's text; top its parsed YAML, nil for JSON.
	src []byte
	top *yaml.Node
	// valuesPos locates each layer's values string in the document, and
	// fieldPos its fields; both are filled by located.
	valuesPos []valuesPos
	fieldPos  map[string]finding.Pos
}

// valuesPos says how lines of a layer's values text map into the document.
type valuesPos struct {
	// Exact is true when values line N is document line Line+N and values
	// column C is document column Indent+C (a YAML literal block).
	Exact  bool
	Line   int
	Indent int
	Key    finding.Pos
}

// ParseError is a profile document that could not be read.
type ParseError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	return finding.Finding{File: e.File, Line: e.Line, Column: e.Column}.Location() + ": " + e.Msg
}

// Finding turns the parse error into a finding.
func (e *ParseError) Finding() finding.Finding {
	return finding.Finding{Severity: finding.Error, Code: finding.CodeProfileInvalid, File: e.File, Line: e.Line, Column: e.Column, Message: e.Msg,
		Hint: "a profile is Palette's export shape: metadata, spec.version, spec.template{type, cloudType, packs}, spec.variables"}
}

// Parse reads a profile document in JSON or YAML.
func Parse(file string, src []byte) (*Document, error) {
	if len(src) > MaxDocumentBytes {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("profile is %d bytes; the limit is %d", len(src), MaxDocumentBytes)}
	}
	d := &Document{File: file, src: src}
	trimmed := bytes.TrimLeft(src, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		// JSON: decoded by encoding/json; positions are found only when a
		// finding needs one.
		d.JSON = true
		dec := json.NewDecoder(bytes.NewReader(src))
		if err := dec.Decode(&d.Profile); err != nil {
			return nil, jsonError(file, src, err)
		}
		return d, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		pe := &ParseError{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		var vpe *values.ParseError
		if _, verr := values.Parse(src); errors.As(verr, &vpe) {
			pe.Line, pe.Column, pe.Msg = vpe.Line, vpe.Column, vpe.Msg
		}
		return nil, pe
	}
	if len(root.Content) == 0 {
		return nil, &ParseError{File: file, Line: 1, Column: 1, Msg: "the profile document is empty"}
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &ParseError{File: file, Line: top.Line, Column: top.Column, Msg: "a profile must be a mapping with metadata and spec, found " + values.Describe(top)}
	}
	// The alias-bomb, depth and duplicate-key checks of values apply to the whole document.
	if err := values.Check(top); err != nil {
		var vpe *values.ParseError
		if errors.As(err, &vpe) {
			return nil, &ParseError{File: file, Line: vpe.Line, Column: vpe.Column, Msg: vpe.Msg}
		}
		return nil, &ParseError{File: file, Msg: err.Error()}
	}
	if err := top.Decode(&d.Profile); err != nil {
		return nil, yamlDecodeError(file, top, err)
	}
	d.top = top
	return d, nil
}

// located finds the positions of the document's fields, once, when a finding
// first needs one.
func (d *Document) located() {
	if d.fieldPos != nil {
		return
	}
	d.fieldPos = map[string]finding.Pos{}
	top := d.top
	if top == nil && d.src != nil {
		var root yaml.Node
		if err := yaml.Unmarshal(d.src, &root); err != nil || len(root.Content) == 0 {
			return // valid JSON that YAML cannot read (tabs): no positions
		}
		top = root.Content[0]
	}
	if top != nil {
		d.locate(top, d.src)
	}
}

func (d *Document) locate(top *yaml.Node, src []byte) {
	doc := &values.Doc{Root: top}
	for _, f := range []string{"metadata.name", "spec.version", "spec.template", "spec.template.type", "spec.template.cloudType", "spec.template.packs", "spec.variables"} {
		if ms := doc.Find(f); len(ms) > 0 {
			n := ms[0].Node
			if ms[0].Key != nil {
				n = ms[0].Key
			}
			d.fieldPos[f] = finding.Pos{Line: n.Line, Column: n.Column}
		}
	}
	for _, m := range doc.Find("spec.template.packs.$[]") {
		d.fieldPos[m.Path] = finding.Pos{Line: m.Node.Line, Column: m.Node.Column}
		vp := valuesPos{Key: finding.Pos{Line: m.Node.Line, Column: m.Node.Column}}
		if vm := (&values.Doc{Root: m.Node}).Find("values"); len(vm) > 0 {
			k, v := vm[0].Key, vm[0].Node
			vp.Key = finding.Pos{Line: k.Line, Column: k.Column}
			if v.Kind == yaml.ScalarNode && v.Style&yaml.LiteralStyle != 0 {
				vp.Exact = true
				vp.Line = v.Line
				vp.Indent = blockIndent(src, v.Line)
			}
		}
		for _, f := range []string{"name", "tag", "layer", "version"} {
			if fm := (&values.Doc{Root: m.Node}).Find(f); len(fm) > 0 {
				d.fieldPos[m.Path+"."+f] = finding.Pos{Line: fm[0].Key.Line, Column: fm[0].Key.Column}
			}
		}
		d.valuesPos = append(d.valuesPos, vp)
	}
	for _, m := range doc.Find("spec.variables.$[]") {
		d.fieldPos[m.Path] = finding.Pos{Line: m.Node.Line, Column: m.Node.Column}
	}
}

// blockIndent returns the indentation of the first non-empty line after line (1-based).
func blockIndent(src []byte, line int) int {
	lines := bytes.Split(src, []byte("\n"))
	for i := line; i < len(lines); i++ {
		l := bytes.TrimRight(lines[i], "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		return len(l) - len(bytes.TrimLeft(l, " "))
	}
	return 0
}

// Pos returns the position of a profile field (e.g. "spec.template.cloudType",
// "spec.template.packs[1].tag"), or of the nearest enclosing one that is known.
func (d *Document) Pos(field string) finding.Pos {
	d.located()
	for f := field; f != ""; {
		if p, ok := d.fieldPos[f]; ok {
			return p
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return finding.Pos{}
}

// MapValues points a finding about layer i's values text into the document: a
// YAML literal block maps line for line; otherwise the file becomes FILE#LAYER
// and line and column stay relative to the values text.
func (d *Document) MapValues(i int, f finding.Finding) finding.Finding {
	if f.Layer == "" && i < len(d.Profile.Spec.Template.Packs) {
		f.Layer = d.Profile.Spec.Template.Packs[i].Name
	}
	d.located()
	if i < len(d.valuesPos) && d.valuesPos[i].Exact {
		vp := d.valuesPos[i]
		f.File = d.File
		if f.Line > 0 {
			f.Line += vp.Line
			if f.Column > 0 {
				f.Column += vp.Indent
			}
		} else {
			f.Line, f.Column = vp.Key.Line, vp.Key.Column
		}
		return f
	}
	if d.File != "" {
		f.File = d.File + "#" + f.Layer
	}
	return f
}

func jsonError(file string, src []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	pe := &ParseError{File: file, Msg: "invalid JSON: " + err.Error()}
	switch {
	case errors.As(err, &se):
		p := finding.PosAt(src, se.Offset-1)
		pe.Line, pe.Column = p.Line, p.Column
	case errors.As(err, &te):
		p := finding.PosAt(src, te.Offset)
		pe.Line, pe.Column = p.Line, p.Column
		pe.Msg = fmt.Sprintf("%s is a JSON %s, expected %s", te.Field, te.Value, kindName(te.Type.Kind().String()))
	}
	return pe
}

func kindName(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return k
}

func yamlDecodeError(file string, top *yaml.Node, err error) error {
	pe := &ParseError{File: file, Line: top.Line, Column: top.Column, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if m := lineRe.FindStringSubmatch(msg); m != nil {
			fmt.Sscanf(m[1], "%d", &pe.Line)
			pe.Column = 0
			msg = m[2]
		}
		pe.Msg = "wrong type: " + msg
	}
	return pe
}

var lineRe = regexp.MustCompile(`^line (\d+): (.*)$`)
