package profile

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/byoi"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/names"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/values"

	"github.com/byoos/byoos/secret"
)

// PackSource finds the pack a layer names (service.Resolver is the one
// byoos uses).
type PackSource interface {
	// FindPack returns the pack for a layer and where it is. An error
	// wrapping a *pack.NotFoundError means there is none: a verdict on the
	// profile, reported as a finding. Any other error is a failure to look
	// (a database down, say), which Validate returns as its error.
	FindPack(ctx context.Context, ref PackRef) (Found, error)
}

// Found is a pack a layer resolved to: the pack, its uid and its registry's.
type Found struct {
	Pack             *pack.Pack
	UID, RegistryUID string
}

// Options are the cluster context and switches for validation and rendering.
type Options struct {
	// System holds system macro values (cluster.name, cloud.region, ...), over
	// those derived from the profile itself.
	System map[string]string
	// Vars holds profile variable values, over their defaults.
	Vars map[string]string
	// ProjectMacros, TenantMacros and SystemMacros are user macros by scope.
	ProjectMacros, TenantMacros, SystemMacros map[string]string
	// AllowEmulator accepts Azure storage emulator blob URLs.
	AllowEmulator bool
	// ShowSecrets leaves secret values readable in rendered output.
	ShowSecrets bool
	// Budget bounds the work of resolving macros (nil: macro.DefaultWork,
	// without a deadline). A server gives each request its own, tied to the
	// request's context.
	Budget *macro.Budget
}

// Validator runs the validation pipeline. It is safe for concurrent use.
type Validator struct {
	Packs  PackSource
	Engine *macro.Engine
}

// NewValidator returns a validator over a pack source.
func NewValidator(src PackSource) *Validator {
	return &Validator{Packs: src, Engine: macro.New()}
}

// Layer is one validated layer.
type Layer struct {
	Index int
	Ref   PackRef
	// Pack is nil when the layer's pack was not found; PackUID and
	// RegistryUID say where it was found.
	Pack                 *pack.Pack
	PackUID, RegistryUID string
	// Defaulted is true when the layer sets no values and the pack's defaults stand in.
	Defaulted bool
	// Values is the layer's values as written; Resolved has macros resolved.
	Values   *values.Doc
	Resolved *values.Doc
	// derived holds the scalars of Resolved whose values were computed from
	// a sensitive variable.
	derived []*yaml.Node
}

// Result is what validation found and the layers it resolved.
type Result struct {
	Findings finding.List
	Layers   []Layer
	Context  *macro.Context
	// Document is the document validated (for a bare values file, the
	// one-layer document ValidateValues made of it): PlaceValue points into it.
	Document *Document
}

// PlaceValue points a finding about a value of layer l (its Path, and Line
// and Column within the layer's values) into the document, as validation
// places its own findings: File, Layer and Field set, the position mapped.
func (r *Result) PlaceValue(l *Layer, f finding.Finding) finding.Finding {
	return placeValues(r.Document, l, f)
}

// Validate checks a profile document and returns every finding, sorted. The
// error is for a failure to look up a pack (not for a pack that is not
// there, which is a finding); o.Budget, when nil, is made from ctx.
func (v *Validator) Validate(ctx context.Context, d *Document, o Options) (*Result, error) {
	if o.Budget == nil {
		o.Budget = macro.NewBudget(ctx, 0)
	}
	r := &Result{Document: d}
	p := &d.Profile
	t := &p.Spec.Template
	add := func(f finding.Finding, field string) {
		if f.Field == "" {
			f.Field = field
		}
		if f.File == "" {
			f.File = d.File
		}
		if f.Line == 0 {
			pos := d.Pos(field)
			f.Line, f.Column = pos.Line, pos.Column
		}
		r.Findings.Add(f)
	}
	v.checkHeader(d, add)

	// Layers: pack lookup, layer and cloud type.
	for i, ref := range t.Packs {
		field := fmt.Sprintf("spec.template.packs[%d]", i)
		l := Layer{Index: i, Ref: ref}
		if strings.TrimSpace(ref.Name) == "" {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfilePackName, Path: field + ".name", Message: "layer has no pack name", Hint: "name the pack, e.g. generic-byoi"}, field)
			r.Layers = append(r.Layers, l)
			continue
		}
		if IsManifestLayer(ref) {
			// A layer of the profile's own manifests: no registry pack behind it.
			r.Layers = append(r.Layers, l)
			continue
		}
		found, err := v.Packs.FindPack(ctx, ref)
		var nf *pack.NotFoundError
		switch {
		case errors.As(err, &nf):
			code, hint := finding.CodePackNotFound, "use a pack the registry holds (byoos pack list)"
			fld := field + ".name"
			if len(nf.Versions) > 0 {
				code, hint, fld = finding.CodePackTagUnknown, "use one of those versions, or a floating tag such as "+floatingOf(nf.Versions[0]), field+".tag"
			}
			add(finding.Finding{Severity: finding.Error, Code: code, Layer: ref.Name, Message: err.Error(), Hint: hint}, fld)
		case err != nil:
			return nil, fmt.Errorf("layer %s: look up pack %s: %w", field, ref.Name, err)
		default:
			pk := found.Pack
			l.Pack, l.PackUID, l.RegistryUID = pk, found.UID, found.RegistryUID
			if ref.Layer != "" && ref.Layer != pk.Meta.Layer {
				add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileLayerMismatch, Layer: ref.Name,
					Message: fmt.Sprintf("layer is %q but %s is a %s pack", ref.Layer, pk.Ref(), pk.Meta.Layer), Hint: fmt.Sprintf("set layer: %s", pk.Meta.Layer)}, field+".layer")
			}
			if t.CloudType != "" && !pk.Meta.Supports(t.CloudType) {
				add(finding.Finding{Severity: finding.Error, Code: finding.CodePackCloudType, Layer: ref.Name,
					Message: fmt.Sprintf("%s supports %s, not the profile's cloud type %s", pk.Ref(), strings.Join(pk.Meta.AllClouds(), ", "), t.CloudType),
					Hint:    "choose a pack for " + t.CloudType + ", or change the profile's cloudType"}, field+".name")
			}
		}
		r.Layers = append(r.Layers, l)
	}
	v.checkLayers(d, r, add)
	v.checkDependencies(r, add)
	vars := v.checkVariables(d, o, add)

	r.Context = v.context(d, r, o, vars)
	v.checkValues(d, r, o)
	v.checkCrossLayer(d, r)
	r.redact(d.Profile.Spec.Variables)
	r.Findings.Sort()
	return r, nil
}

// checkValues parses every layer's values, resolves their macros, and applies
// the pack's schema.yaml and the BYOOS rules. Every layer is parsed before any
// is resolved, so that pack references can read any layer.
func (v *Validator) checkValues(d *Document, r *Result, o Options) {
	t := &d.Profile.Spec.Template
	ctx := r.Context
	for i := range r.Layers {
		l := &r.Layers[i]
		text := l.Ref.Values
		if strings.TrimSpace(text) == "" && l.Pack != nil {
			text = string(l.Pack.Values)
			l.Defaulted = true
		}
		if l.Pack != nil && l.Pack.Defaults != nil && sameText(text, l.Pack.Values) {
			// The pack's own values, parsed once when the pack was loaded.
			l.Values = l.Pack.Defaults
			ctx.Packs[l.Ref.Name] = l.Values
			continue
		}
		doc, err := values.Parse([]byte(text))
		if err != nil {
			f := finding.Finding{Severity: finding.Error, Code: finding.CodeValuesInvalid, Message: err.Error(), Hint: "fix the YAML at this place"}
			var pe *values.ParseError
			if errors.As(err, &pe) {
				f.Line, f.Column, f.Message = pe.Line, pe.Column, pe.Msg
			}
			r.Findings.Add(v.place(d, l, f))
			continue
		}
		l.Values = doc
		if l.Ref.Name != "" {
			ctx.Packs[l.Ref.Name] = doc
		}
	}
	for i := range r.Layers {
		l := &r.Layers[i]
		if l.Values == nil {
			continue
		}
		var fl finding.List
		l.Resolved = v.resolve(ctx, l, &fl)
		if l.Pack != nil {
			fl = append(fl, maskedSecrets(l)...)
			fl = append(fl, secretAliases(l)...)
			var sl finding.List
			if l.Pack.Schema != nil {
				sl = l.Pack.Schema.Check(l.Resolved, l.Pack.Defaults)
			}
			bl := byoi.Check(l.Pack.Meta.Name, t.CloudType, l.Resolved, byoi.Options{AllowEmulator: o.AllowEmulator})
			fl = append(fl, dedupe(sl, bl)...)
			fl = append(fl, bl...)
			fl = checkKeys(r, l, fl)
		}
		for _, f := range fl {
			r.Findings.Add(v.place(d, l, f))
		}
	}
}

// sameText reports whether values text is the pack's own, white space at
// the ends aside.
func sameText(text string, packValues []byte) bool {
	return strings.TrimSpace(text) == strings.TrimSpace(string(packValues))
}

// place points a finding about a layer's values into the document. Findings
// in a pack's default values (the layer sets none) point at the layer itself.
func (v *Validator) place(d *Document, l *Layer, f finding.Finding) finding.Finding {
	return placeValues(d, l, f)
}

func placeValues(d *Document, l *Layer, f finding.Finding) finding.Finding {
	layer := fmt.Sprintf("spec.template.packs[%d]", l.Index)
	if !l.Defaulted {
		f.Field = layer + ".values"
		return d.MapValues(l.Index, f)
	}
	f.Field = layer
	pos := d.Pos(layer)
	f.Layer, f.File, f.Line, f.Column = l.Ref.Name, d.File, pos.Line, pos.Column
	f.Message += " (in the pack's default values: this layer sets none)"
	return f
}

// ValidateValues checks a bare values file for one pack on one cloud type:
// the values steps of Validate, with findings pointing into the file.
func (v *Validator) ValidateValues(file string, src []byte, p *pack.Pack, cloud string, o Options) *Result {
	d := &Document{File: file, valuesPos: []valuesPos{{Exact: true}}, fieldPos: map[string]finding.Pos{}}
	d.Profile.Spec.Template = Template{Type: TypeInfra, CloudType: cloud, Packs: []PackRef{{Name: p.Meta.Name, Layer: p.Meta.Layer, Tag: p.Meta.Version, Version: p.Meta.Version, Values: string(src)}}}
	r := &Result{Layers: []Layer{{Ref: d.Profile.Spec.Template.Packs[0], Pack: p}}, Document: d}
	if strings.TrimSpace(string(src)) == "" {
		d.Profile.Spec.Template.Packs[0].Values = "{}"
		r.Layers[0].Ref.Values = "{}"
	}
	if !p.Meta.Supports(cloud) {
		r.Findings.Add(finding.Finding{Severity: finding.Error, Code: finding.CodePackCloudType, File: file, Layer: p.Meta.Name,
			Message: fmt.Sprintf("%s supports %s, not %s", p.Ref(), strings.Join(p.Meta.AllClouds(), ", "), cloud), Hint: "choose a pack for " + cloud})
	}
	r.Context = v.context(d, r, o, o.Vars)
	v.checkValues(d, r, o)
	v.checkCrossLayer(d, r)
	r.redact(nil)
	r.Findings.Sort()
	return r
}

// maskedSecrets reports secret values that are the mask itself: what an
// export or a GET shows instead of the secret, sent back where no stored
// secret can stand in for it.
func maskedSecrets(l *Layer) finding.List {
	var fl finding.List
	if l.Pack.Schema == nil || len(l.Pack.Schema.SecretPatterns()) == 0 {
		return nil
	}
	l.Values.Walk(func(path string, n *yaml.Node) {
		if n.Value == secret.Mask && l.Pack.IsSecret(path) {
			fl.Errorf(finding.CodeSecretMasked, path, finding.Pos{Line: n.Line, Column: n.Column}, "enter the secret itself; exports and reads show secrets masked",
				"%s is the mask %s, not a secret", path, secret.Mask)
		}
	})
	return fl
}

// IsManifestLayer reports whether a layer holds the profile's own manifests
// (pack type "manifest") rather than a pack from a registry.
func IsManifestLayer(ref PackRef) bool { return ref.Type == "manifest" }

// dedupe drops schema findings on paths that a BYOOS rule already reports on.
func dedupe(schemaFindings, ruleFindings finding.List) finding.List {
	if len(ruleFindings) == 0 {
		return schemaFindings
	}
	covered := map[string]bool{}
	for _, f := range ruleFindings {
		covered[f.Path] = true
	}
	out := schemaFindings[:0:0]
	for _, f := range schemaFindings {
		if !covered[f.Path] {
			out = append(out, f)
		}
	}
	return out
}

// resolve returns a copy of the layer's values with every macro resolved,
// reporting macro issues at the value that holds them.
func (v *Validator) resolve(ctx *macro.Context, l *Layer, fl *finding.List) *values.Doc {
	if !l.Values.AnyScalar(func(n *yaml.Node) bool { return macro.HasMacro(n.Value) }) {
		return l.Values // nothing to resolve: the values are read, never written
	}
	doc := l.Values.Clone()
	doc.Walk(func(path string, n *yaml.Node) {
		if !macro.HasMacro(n.Value) {
			return
		}
		res := v.Engine.Resolve(ctx, l.Ref.Name, n.Value)
		n.Value = res.Text
		if n.Tag != "!!str" {
			n.Tag = "!!str"
		}
		if res.Deferred {
			doc.MarkUnknown(n)
		}
		if res.Secret {
			l.derived = append(l.derived, n)
		}
		for _, is := range res.Issues {
			col := n.Column
			if n.Line > 0 && !strings.Contains(n.Value, "\n") {
				col += is.Offset
				if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
					col++
				}
			}
			fl.Add(finding.Finding{Severity: is.Severity, Code: is.Code, Path: path, Line: n.Line, Column: col, Message: is.Message, Hint: is.Hint})
		}
	})
	return doc
}

// context builds the macro context: system values derived from the profile,
// overridden by the caller's, user macros, variables and every layer's values.
func (v *Validator) context(d *Document, r *Result, o Options, vars map[string]string) *macro.Context {
	p := &d.Profile
	sys := map[string]string{}
	set := func(k, val string) {
		if val != "" {
			sys[k] = val
		}
	}
	set("clusterprofile.name", p.Metadata.Name)
	set("clusterprofile.uid", p.Metadata.UID)
	set("clusterprofile.version", p.Spec.Version)
	set("cloud.type", p.Spec.Template.CloudType)
	if p.Spec.Template.Type == TypeInfra || p.Spec.Template.Type == TypeCluster {
		set("clusterprofile.infra.name", p.Metadata.Name)
		set("clusterprofile.infra.uid", p.Metadata.UID)
		set("clusterprofile.infra.version", p.Spec.Version)
	}
	for _, l := range r.Layers {
		if l.Pack != nil && l.Pack.Meta.Layer == "k8s" {
			set("kubernetes.version", l.Pack.Meta.Version)
		}
	}
	for k, val := range o.System {
		sys[k] = val
	}
	sensitive := map[string]bool{}
	for _, vr := range p.Spec.Variables {
		if vr.IsSensitive {
			sensitive[vr.Name] = true
		}
	}
	budget := o.Budget
	if budget == nil {
		budget = macro.NewBudget(context.Background(), 0)
	}
	return &macro.Context{
		System:        sys,
		ProjectMacros: o.ProjectMacros,
		TenantMacros:  o.TenantMacros,
		SystemMacros:  o.SystemMacros,
		Vars:          vars,
		Sensitive:     sensitive,
		Packs:         map[string]*values.Doc{},
		Secret:        r.isSecret,
		Budget:        budget,
	}
}

func (v *Validator) checkHeader(d *Document, add func(finding.Finding, string)) {
	p := &d.Profile
	t := &p.Spec.Template
	if strings.TrimSpace(p.Metadata.Name) == "" {
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileNameRequired, Path: "metadata.name", Message: "the profile has no name", Hint: "set metadata.name"}, "metadata.name")
	} else if err := names.Profile(p.Metadata.Name); err != nil {
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileNameInvalid, Path: "metadata.name", Message: err.At("metadata.name"),
			Hint: fmt.Sprintf("name the profile with 1 to %d lower-case letters, digits and '-', beginning and ending with a letter or a digit", names.MaxProfile)}, "metadata.name")
	}
	if p.Spec.Version != "" {
		if _, err := semver.StrictNewVersion(p.Spec.Version); err != nil {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileVersionInvalid, Path: "spec.version",
				Message: fmt.Sprintf("profile version %q is not MAJOR.MINOR.PATCH", p.Spec.Version), Hint: "use a semantic version such as 1.0.0 or 1.2.3-rc.1, with no leading v"}, "spec.version")
		}
	}
	switch t.Type {
	case TypeCluster, TypeInfra, TypeAddOn:
	case "":
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileTypeRequired, Path: "spec.template.type", Message: "the profile has no type", Hint: "set spec.template.type to infra, cluster or add-on"}, "spec.template")
	default:
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileTypeInvalid, Path: "spec.template.type", Message: fmt.Sprintf("profile type %q is not known", t.Type), Hint: "use infra, cluster or add-on"}, "spec.template.type")
	}
	switch {
	case t.CloudType == "":
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileCloudTypeRequired, Path: "spec.template.cloudType", Message: "the profile has no cloud type", Hint: "set spec.template.cloudType, e.g. aws, azure, vsphere or edge-native"}, "spec.template")
	case !slices.Contains(pack.CloudTypes(), t.CloudType):
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileCloudTypeInvalid, Path: "spec.template.cloudType", Message: fmt.Sprintf("cloud type %q is not known", t.CloudType), Hint: "use one of " + strings.Join(pack.CloudTypes(), ", ")}, "spec.template.cloudType")
	case t.CloudType == "all" && t.Type != TypeAddOn:
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileCloudTypeInvalid, Path: "spec.template.cloudType", Message: "cloud type all is only for add-on profiles", Hint: "name the cloud the infrastructure runs on"}, "spec.template.cloudType")
	}
	if len(t.Packs) == 0 {
		add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileNoLayers, Path: "spec.template.packs", Message: "the profile has no layers", Hint: "add an os layer (generic-byoi or edge-native-byoi) and a k8s layer"}, "spec.template")
	}
}

func (v *Validator) checkLayers(d *Document, r *Result, add func(finding.Finding, string)) {
	t := &d.Profile.Spec.Template
	var osLayers []int
	hasK8s, unknown := false, false
	last, lastName := -1, ""
	for i, l := range r.Layers {
		layer := l.Ref.Layer
		if l.Pack != nil {
			layer = l.Pack.Meta.Layer
		} else if layer == "" && IsManifestLayer(l.Ref) {
			layer = "addon"
		}
		field := fmt.Sprintf("spec.template.packs[%d]", i)
		rank := pack.LayerRank(layer)
		if layer == "" && l.Pack == nil {
			unknown = true // already reported: its pack was not found
			continue
		}
		if layer == "" {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileLayerRequired, Layer: l.Ref.Name, Message: "layer has no layer type", Hint: "set layer: os, k8s, cni, csi or addon"}, field)
			continue
		}
		if rank < 0 {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileLayerInvalid, Layer: l.Ref.Name, Message: fmt.Sprintf("layer %q is not known", layer), Hint: "use os, k8s, cni, csi or addon"}, field+".layer")
			continue
		}
		switch layer {
		case "os":
			osLayers = append(osLayers, i)
		case "k8s":
			hasK8s = true
		}
		if t.Type == TypeAddOn && layer != "addon" {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileAddonInfraLayer, Layer: l.Ref.Name,
				Message: fmt.Sprintf("an add-on profile holds only add-on layers, and %s is a %s layer", l.Ref.Name, layer), Hint: "make the profile type infra or cluster, or remove the layer"}, field)
		}
		if rank < last {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileLayerOrder, Layer: l.Ref.Name,
				Message: fmt.Sprintf("%s layer %s comes after %s layer %s", layer, l.Ref.Name, pack.Layers()[last], lastName),
				Hint:    "order layers os, k8s, cni, csi, then add-ons"}, field)
		} else {
			last, lastName = rank, l.Ref.Name
		}
	}
	if t.Type == TypeInfra || t.Type == TypeCluster {
		switch {
		case len(osLayers) == 0 && !unknown:
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileOsLayerMissing, Path: "spec.template.packs", Message: "the profile has no os layer", Hint: "add generic-byoi (aws, azure, vsphere) or edge-native-byoi (edge-native) as the first layer"}, "spec.template.packs")
		case len(osLayers) > 1:
			for _, i := range osLayers[1:] {
				add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileOsLayerMultiple, Layer: r.Layers[i].Ref.Name,
					Message: fmt.Sprintf("the profile has %d os layers; a cluster boots exactly one OS", len(osLayers)), Hint: "keep one os layer"}, fmt.Sprintf("spec.template.packs[%d]", i))
			}
		}
		if !hasK8s && !unknown {
			add(finding.Finding{Severity: finding.Error, Code: finding.CodeProfileK8sLayerMissing, Path: "spec.template.packs", Message: "the profile has no k8s layer", Hint: "add a Kubernetes pack (kubernetes, edge-k3s, edge-rke2) after the os layer"}, "spec.template.packs")
		}
	}
}

func (v *Validator) checkDependencies(r *Result, add func(finding.Finding, string)) {
	present := map[string]*pack.Pack{}
	for _, l := range r.Layers {
		if l.Pack != nil {
			present[l.Pack.Meta.Name] = l.Pack
		}
	}
	for i, l := range r.Layers {
		if l.Pack == nil || l.Pack.Meta.Constraints == nil {
			continue
		}
		field := fmt.Sprintf("spec.template.packs[%d]", i)
		for _, dep := range l.Pack.Meta.Constraints.Dependencies {
			other, ok := present[dep.PackName]
			bounds := describeBounds(dep.MinVersion, dep.MaxVersion)
			switch dep.Type {
			case "required":
				if !ok {
					add(finding.Finding{Severity: finding.Error, Code: finding.CodePackDependencyMissing, Layer: l.Ref.Name,
						Message: fmt.Sprintf("%s requires %s%s in the profile", l.Pack.Ref(), dep.PackName, bounds), Hint: "add a " + dep.PackName + " layer"}, field)
					continue
				}
				fallthrough
			case "optional":
				if ok && (dep.MinVersion != "" || dep.MaxVersion != "") && !pack.InRange(other.Meta.Version, dep.MinVersion, dep.MaxVersion) {
					add(finding.Finding{Severity: finding.Error, Code: finding.CodePackDependencyVersion, Layer: l.Ref.Name,
						Message: fmt.Sprintf("%s needs %s%s, and the profile has %s", l.Pack.Ref(), dep.PackName, bounds, other.Meta.Version), Hint: "choose a " + dep.PackName + " version" + bounds}, field)
				}
			case "notSupported":
				if ok && (dep.MinVersion != "" || dep.MaxVersion != "") && pack.InRange(other.Meta.Version, dep.MinVersion, dep.MaxVersion) {
					add(finding.Finding{Severity: finding.Error, Code: finding.CodePackDependencyNotSupported, Layer: l.Ref.Name,
						Message: fmt.Sprintf("%s does not support %s %s%s", l.Pack.Ref(), dep.PackName, other.Meta.Version, bounds), Hint: "choose a " + dep.PackName + " version outside that range"}, field)
				}
			}
		}
	}
}

func describeBounds(lo, hi string) string {
	switch {
	case lo != "" && hi != "":
		return fmt.Sprintf(" between %s and %s", lo, hi)
	case lo != "":
		return " " + lo + " or later"
	case hi != "":
		return " " + hi + " or earlier"
	}
	return ""
}

func floatingOf(version string) string {
	parts := strings.Split(version, ".")
	if len(parts) == 3 {
		return parts[0] + "." + parts[1] + ".x"
	}
	return version
}

var varNameRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]*$`)

// Variable formats, as Palette defines them.
var variableFormats = []string{"string", "number", "boolean", "ipv4", "ipv4cidr", "ipv6", "version", "base64"}

// checkVariables checks variable definitions and returns the value of each
// (the caller's, else the default), checked against its format and regex.
func (v *Validator) checkVariables(d *Document, o Options, add func(finding.Finding, string)) map[string]string {
	out := map[string]string{}
	seen := map[string]bool{}
	for i, vr := range d.Profile.Spec.Variables {
		field := fmt.Sprintf("spec.variables[%d]", i)
		path := "spec.variables." + vr.Name
		bad := func(code, hint, format string, args ...any) {
			add(finding.Finding{Severity: finding.Error, Code: code, Path: path, Message: fmt.Sprintf(format, args...), Hint: hint}, field)
		}
		if !varNameRe.MatchString(vr.Name) {
			bad(finding.CodeVariableName, "start with a letter; use letters, digits, _ and -", "variable name %q is not valid", vr.Name)
			continue
		}
		if seen[vr.Name] {
			bad(finding.CodeVariableDuplicate, "give each variable a unique name", "variable %q is defined twice", vr.Name)
			continue
		}
		seen[vr.Name] = true
		format := vr.Format
		if format == "" {
			format = "string"
		}
		if !slices.Contains(variableFormats, format) {
			bad(finding.CodeVariableFormat, "use one of "+strings.Join(variableFormats, ", "), "variable %s has format %q, which is not known", vr.Name, vr.Format)
			continue
		}
		var re *regexp.Regexp
		if vr.Regex != "" {
			var err error
			if re, err = regexp.Compile(vr.Regex); err != nil {
				bad(finding.CodeVariableRegex, "write the regex in Go (RE2) syntax", "variable %s has a regex that does not compile: %v", vr.Name, err)
			}
		}
		if vr.InputType == "dropdown" && len(vr.Options) == 0 {
			bad(finding.CodeVariableOptions, "add at least one option", "dropdown variable %s has no options", vr.Name)
		}
		if (vr.Hidden || vr.Immutable) && vr.Required && vr.DefaultValue == "" {
			bad(finding.CodeVariableDefaultRequired, "give it a default value", "variable %s is required and hidden or read-only, so it needs a default value", vr.Name)
		}
		val, given := o.Vars[vr.Name]
		if !given {
			val = vr.DefaultValue
		}
		if val == "" {
			if vr.Required && given {
				bad(finding.CodeVariableRequired, "give it a value", "variable %s is required", vr.Name)
			}
			out[vr.Name] = ""
			continue
		}
		origin := "default value"
		if given {
			origin = "value"
		}
		if vr.IsSensitive && val == secret.Mask {
			bad(finding.CodeVariableMasked, "enter the value itself; reads and exports show sensitive values masked",
				"sensitive variable %s %s is the mask %s, not a value", vr.Name, origin, secret.Mask)
			out[vr.Name] = ""
			continue
		}
		if msg := checkVariableFormat(format, val); msg != "" {
			bad(finding.CodeVariableValue, "give a "+format+" value", "variable %s %s %s", vr.Name, origin, maybeMask(vr, msg))
		} else if re != nil && !re.MatchString(val) {
			bad(finding.CodeVariableValue, "give a value matching "+vr.Regex, "variable %s %s does not match %s", vr.Name, origin, vr.Regex)
		} else if vr.InputType == "dropdown" && len(vr.Options) > 0 && !hasOption(vr.Options, val) {
			bad(finding.CodeVariableValue, "choose one of the options", "variable %s %s is not one of its options", vr.Name, origin)
		}
		out[vr.Name] = val
	}
	for k, val := range o.Vars {
		if _, ok := out[k]; !ok {
			out[k] = val
		}
	}
	return out
}

func maybeMask(vr Variable, msg string) string {
	if vr.IsSensitive {
		return "is not valid (the value is sensitive and not shown)"
	}
	return msg
}

func hasOption(opts []VariableOption, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
