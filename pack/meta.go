package pack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

// Layers in the order a profile stacks them.
var layerOrder = map[string]int{"kernel": 0, "os": 1, "k8s": 2, "cni": 3, "csi": 4, "addon": 5}

// LayerRank returns the position of a layer in a profile's stack, or -1 for an unknown layer.
func LayerRank(layer string) int {
	if r, ok := layerOrder[layer]; ok {
		return r
	}
	return -1
}

// Layers lists the valid layers in stacking order.
func Layers() []string { return []string{"kernel", "os", "k8s", "cni", "csi", "addon"} }

// CloudTypes lists the cloud types a pack.json may name.
func CloudTypes() []string {
	return []string{"all", "aws", "azure", "gcp", "vsphere", "openstack", "baremetal", "maas", "aks", "eks", "gke",
		"tencent", "tke", "edge", "libvirt", "edge-native", "coxedge", "custom", "apache-cloudstack", "nested", "generic"}
}

// DependencyTypes lists the kinds of constraints.dependencies entries.
func DependencyTypes() []string { return []string{"required", "optional", "notSupported", "upgrade"} }

// Meta is pack.json.
type Meta struct {
	Name          string            `json:"name"`
	DisplayName   string            `json:"displayName"`
	Version       string            `json:"version"`
	Layer         string            `json:"layer"`
	CloudTypes    []string          `json:"cloudTypes,omitempty"`
	CloudType     string            `json:"cloudType,omitempty"`
	AddonType     string            `json:"addonType,omitempty"`
	AddonSubType  string            `json:"addonSubType,omitempty"`
	Group         string            `json:"group,omitempty"`
	EOL           string            `json:"eol,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Constraints   *Constraints      `json:"constraints,omitempty"`
	Charts        []string          `json:"charts,omitempty"`
	KubeManifests []string          `json:"kubeManifests,omitempty"`
	AnsibleRoles  []string          `json:"ansibleRoles,omitempty"`
}

// Constraints is pack.json's constraints section.
type Constraints struct {
	Dependencies []Dependency     `json:"dependencies,omitempty"`
	Resources    []map[string]any `json:"resources,omitempty"`
}

// Dependency constrains which versions of another pack may stand beside this one.
type Dependency struct {
	PackName   string `json:"packName"`
	Layer      string `json:"layer,omitempty"`
	MinVersion string `json:"minVersion,omitempty"`
	MaxVersion string `json:"maxVersion,omitempty"`
	Type       string `json:"type"`
}

// AllClouds returns the cloud types the pack supports, folding the legacy cloudType field in.
func (m *Meta) AllClouds() []string {
	if m.CloudType != "" && !slices.Contains(m.CloudTypes, m.CloudType) {
		return append(append([]string{}, m.CloudTypes...), m.CloudType)
	}
	return m.CloudTypes
}

// Supports reports whether the pack can be used on a cloud type.
func (m *Meta) Supports(cloud string) bool {
	for _, c := range m.AllClouds() {
		if c == "all" || c == cloud {
			return true
		}
	}
	return false
}

var nameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// NameValid reports whether a pack name is lower-case letters, digits and hyphens.
func NameValid(name string) bool { return len(name) <= 128 && nameRe.MatchString(name) }

// parseMeta decodes and checks pack.json, reporting problems with their line and column.
func parseMeta(src []byte) (*Meta, finding.List) {
	var fl finding.List
	var root yaml.Node
	_ = yaml.Unmarshal(src, &root) // positions only; JSON decides validity
	pos := func(path string) finding.Pos {
		if len(root.Content) == 0 {
			return finding.Pos{}
		}
		d := &values.Doc{Root: root.Content[0]}
		if ms := d.Find(path); len(ms) > 0 {
			n := ms[0].Node
			if ms[0].Key != nil {
				n = ms[0].Key
			}
			return finding.Pos{Line: n.Line, Column: n.Column}
		}
		return finding.Pos{Line: 1, Column: 1}
	}
	var m Meta
	if err := json.Unmarshal(src, &m); err != nil {
		p := finding.Pos{}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		msg := err.Error()
		switch {
		case asErr(err, &se):
			p = finding.PosAt(src, se.Offset-1)
			msg = "invalid JSON: " + se.Error()
		case asErr(err, &te):
			p = finding.PosAt(src, te.Offset)
			if len(root.Content) > 0 {
				if ms := (&values.Doc{Root: root.Content[0]}).Find(te.Field); len(ms) > 0 {
					p = finding.Pos{Line: ms[0].Node.Line, Column: ms[0].Node.Column}
				}
			}
			msg = fmt.Sprintf("%s is %s, expected %s", te.Field, jsonKind(te.Value), te.Type.String())
		}
		fl.Errorf(finding.CodePackJSONInvalid, "", p, "fix pack.json so that it is valid JSON with the fields of a pack", "%s", msg)
		return nil, fl
	}
	req := func(field, val, hint string) {
		if strings.TrimSpace(val) == "" {
			fl.Errorf(finding.CodePackFieldRequired, field, pos(field), hint, "pack.json has no %s", field)
		}
	}
	req("name", m.Name, `add "name": the pack's name, e.g. "generic-byoi"`)
	req("displayName", m.DisplayName, `add "displayName": the name people see, e.g. "Bring Your Own OS (BYO-OS)"`)
	req("version", m.Version, `add "version": a semantic version such as "1.0.0"`)
	req("layer", m.Layer, `add "layer": one of `+strings.Join(Layers(), ", "))
	if m.Name != "" && !NameValid(m.Name) {
		fl.Errorf(finding.CodePackNameInvalid, "name", pos("name"), "use lower-case letters, digits and hyphens, e.g. "+suggestName(m.Name), "pack name %q is not valid", m.Name)
	}
	if m.Version != "" {
		if strings.HasPrefix(m.Version, "v") || strings.HasPrefix(m.Version, "V") {
			fl.Errorf(finding.CodePackVersionPrefix, "version", pos("version"), fmt.Sprintf("write %q", m.Version[1:]), "pack version %q starts with %q; pack versions carry no leading v", m.Version, m.Version[:1])
		} else if _, err := semver.StrictNewVersion(m.Version); err != nil {
			fl.Errorf(finding.CodePackVersionInvalid, "version", pos("version"), "use MAJOR.MINOR.PATCH, e.g. 1.0.0", "pack version %q is not a semantic version: %v", m.Version, err)
		}
	}
	if m.Layer != "" && LayerRank(m.Layer) < 0 {
		fl.Errorf(finding.CodePackLayerInvalid, "layer", pos("layer"), "use one of "+strings.Join(Layers(), ", "), "layer %q is not a pack layer", m.Layer)
	}
	if len(m.AllClouds()) == 0 {
		fl.Errorf(finding.CodePackCloudTypesRequired, "cloudTypes", pos("cloudTypes"), `add "cloudTypes", e.g. ["aws", "azure", "vsphere"] or ["all"]`, "pack.json names no cloud types")
	}
	for i, c := range m.CloudTypes {
		if !slices.Contains(CloudTypes(), c) {
			p := fmt.Sprintf("cloudTypes[%d]", i)
			fl.Errorf(finding.CodePackCloudTypeInvalid, p, pos(p), "use one of "+strings.Join(CloudTypes(), ", "), "cloud type %q is not known", c)
		}
	}
	if m.Layer == "addon" && m.AddonType == "" {
		fl.Warnf(finding.CodePackAddonType, "addonType", pos("layer"), `add "addonType", e.g. "monitoring" or "system app"`, "add-on pack has no addonType")
	}
	if m.Constraints != nil {
		for i, d := range m.Constraints.Dependencies {
			p := fmt.Sprintf("constraints.dependencies[%d]", i)
			at := pos(p)
			if d.PackName == "" {
				fl.Errorf(finding.CodePackDependencyInvalid, p+".packName", at, "name the pack this constraint concerns", "dependency has no packName")
			}
			if !slices.Contains(DependencyTypes(), d.Type) {
				fl.Errorf(finding.CodePackDependencyInvalid, p+".type", at, "use one of "+strings.Join(DependencyTypes(), ", "), "dependency type %q is not known", d.Type)
			}
			if d.Layer != "" && LayerRank(d.Layer) < 0 {
				fl.Errorf(finding.CodePackDependencyInvalid, p+".layer", at, "use one of "+strings.Join(Layers(), ", "), "dependency layer %q is not a pack layer", d.Layer)
			}
			var lo, hi *semver.Version
			for _, b := range []struct {
				field, v string
				dst      **semver.Version
			}{{"minVersion", d.MinVersion, &lo}, {"maxVersion", d.MaxVersion, &hi}} {
				if b.v == "" {
					continue
				}
				v, err := semver.NewVersion(b.v)
				if err != nil {
					fl.Errorf(finding.CodePackDependencyInvalid, p+"."+b.field, at, "use a semantic version such as 1.29.0", "%s %q is not a version", b.field, b.v)
					continue
				}
				*b.dst = v
			}
			if lo != nil && hi != nil && lo.GreaterThan(hi) {
				fl.Errorf(finding.CodePackDependencyInvalid, p, at, "swap minVersion and maxVersion", "minVersion %s is above maxVersion %s", d.MinVersion, d.MaxVersion)
			}
		}
	}
	return &m, fl
}

func suggestName(s string) string {
	s = strings.ToLower(s)
	s = regexp.MustCompile(`[^a-z0-9-]+`).ReplaceAllString(s, "-")
	return strings.Trim(s, "-")
}

func jsonKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return v
}
