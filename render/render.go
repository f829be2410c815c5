// Package render turns a rendered cluster profile (every macro resolved, by
// profile.Validator.Render) and a cluster context into what boots the
// machines: Cluster API machine templates (AWSMachineTemplate, an Azure
// managed image ARM template with its AzureMachineTemplate,
// VSphereMachineTemplate) and the Edge installer's #cloud-config user-data.
//
// Render is a pure function of its inputs: no I/O, no logging, the same
// documents in the same order for the same profile and context, so that the
// CLI, the API and the web UI show the same thing and Git diffs stay small.
// Secrets are whatever the rendered profile holds: masked (********) unless
// the profile was rendered with its secrets shown.
package render

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/values"
	"github.com/byoos/byoos/wire"
)

// Target is what a profile is rendered to.
type Target string

// Targets.
const (
	// TargetValues is the profile itself with every macro resolved.
	TargetValues Target = "values"
	// TargetCAPI is the Cluster API machine template(s) of the profile's cloud.
	TargetCAPI Target = "capi"
	// TargetEdgeUserData is the Edge installer's #cloud-config user-data.
	TargetEdgeUserData Target = "edge-user-data"
)

// AllTargets lists every target, in the order help texts name them.
func AllTargets() []Target { return []Target{TargetValues, TargetCAPI, TargetEdgeUserData} }

// Targets returns the targets a cloud type renders to.
func Targets(cloud string) []Target {
	switch cloud {
	case "aws", "azure", "vsphere":
		return []Target{TargetValues, TargetCAPI}
	case "edge-native":
		return []Target{TargetValues, TargetEdgeUserData}
	}
	return []Target{TargetValues}
}

// Format is how a document is written.
type Format string

// Formats.
const (
	// FormatKubernetes is a Kubernetes object: YAML in a stream, or an item of a List.
	FormatKubernetes Format = "kubernetes"
	// FormatARM is an Azure Resource Manager deployment template (JSON).
	FormatARM Format = "arm"
	// FormatCloudConfig is #cloud-config YAML, Text holds it whole.
	FormatCloudConfig Format = "cloud-config"
	// FormatProfile is the rendered profile (target values).
	FormatProfile Format = "profile"
)

// Document is one rendered output.
type Document struct {
	// Name says what the document is: "AWSMachineTemplate/prod-rhel8-aws-1.0.0".
	Name   string
	Format Format
	// Object is the document's content for the Kubernetes, ARM and profile
	// formats; it marshals to JSON (and to YAML through JSON).
	Object any
	// Text is the document's text for the cloud-config format.
	Text string
}

// UsageError is a request the target cannot serve: a cloud/target pair that
// does not exist, or a cluster-context value that is missing or wrong.
type UsageError struct {
	// Key is the context key to set, "" when the problem is not a key's.
	Key string
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// ProfileError is a profile the target cannot be made from although it
// validated (e.g. no BYOOS layer, an OVA URL where CAPV needs a template).
type ProfileError struct {
	// Path is the dotted path of the value concerned, with its layer.
	Path string
	Msg  string
	Hint string
}

func (e *ProfileError) Error() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + " (" + e.Hint + ")"
}

// Render returns the documents of a target for a profile rendered by
// profile.Validator.Render and a cluster context. An unsupported cloud/target
// pair or a missing context value is a *UsageError naming the key; a profile
// the target cannot use is a *ProfileError.
func Render(p *wire.Profile, target Target, c Context) ([]Document, error) {
	cloud := p.Spec.Template.CloudType
	if !supports(cloud, target) {
		return nil, unsupported(cloud, target)
	}
	if target == TargetValues {
		return []Document{{Name: "Profile/" + p.Metadata.Name, Format: FormatProfile, Object: p}}, nil
	}
	c = c.withDefaults()
	if err := checkNamespace("namespace", c.Namespace); err != nil {
		return nil, asUsage(err)
	}
	switch target {
	case TargetCAPI:
		if c.Cluster == "" {
			return nil, &UsageError{Key: "cluster", Msg: "cluster is not set: the machine templates belong to a Cluster API cluster"}
		}
		if err := checkObjectName("cluster", c.Cluster); err != nil {
			return nil, asUsage(err)
		}
		img, err := byoosImage(p)
		if err != nil {
			return nil, err
		}
		meta := objectMeta(p, c, img)
		if err := checkObjectName("name", meta.Name); err != nil {
			return nil, asUsage(err)
		}
		switch cloud {
		case "aws":
			return renderAWS(meta, img, c)
		case "azure":
			return renderAzure(p, meta, img, c)
		case "vsphere":
			return renderVSphere(meta, img, c)
		}
	case TargetEdgeUserData:
		return renderEdge(p, c)
	}
	return nil, unsupported(cloud, target)
}

func supports(cloud string, t Target) bool {
	for _, x := range Targets(cloud) {
		if x == t {
			return true
		}
	}
	return false
}

func unsupported(cloud string, t Target) error {
	known := false
	for _, x := range AllTargets() {
		if x == t {
			known = true
		}
	}
	names := func(ts []Target) string {
		s := make([]string, len(ts))
		for i, x := range ts {
			s[i] = string(x)
		}
		return strings.Join(s, ", ")
	}
	if !known {
		return &UsageError{Msg: fmt.Sprintf("target %q does not exist; the targets are %s", t, names(AllTargets()))}
	}
	if cloud == "" {
		cloud = "(none)"
	}
	return &UsageError{Msg: fmt.Sprintf("%s profiles cannot be rendered to %s; their targets are %s", cloud, t, names(Targets(cloud)))}
}

func asUsage(err error) error {
	var ce *ContextError
	if errors.As(err, &ce) {
		return &UsageError{Key: ce.Key, Msg: ce.Msg}
	}
	return err
}

// image is the BYOOS layer of a profile with its resolved values.
type image struct {
	// Layer is the OS layer's pack name and its index in the profile.
	Pack  string
	Index int
	Doc   *values.Doc
	// Ref is generic-byoi's pack.osImageOverride; OSName and OSVersion its
	// osName and osVersion.
	Ref, OSName, OSVersion string
}

// path names a value of the BYOOS layer in messages.
func (im image) path(key string) string {
	return fmt.Sprintf("spec.template.packs[%d] (%s) %s", im.Index, im.Pack, key)
}

// layerDoc parses a rendered layer's values.
func layerDoc(p *wire.Profile, i int) (*values.Doc, error) {
	ref := p.Spec.Template.Packs[i]
	doc, err := values.Parse([]byte(ref.Values))
	if err != nil {
		return nil, &ProfileError{Path: fmt.Sprintf("spec.template.packs[%d].values", i), Msg: fmt.Sprintf("the values of layer %s cannot be read: %v", ref.Name, err)}
	}
	return doc, nil
}

// lookup returns the text of a scalar, "" when it is not there.
func lookup(doc *values.Doc, path string) string {
	n, ok := doc.Lookup(path)
	if !ok || n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// byoosImage finds the generic-byoi layer.
func byoosImage(p *wire.Profile) (image, error) {
	for i, ref := range p.Spec.Template.Packs {
		if ref.Name != "generic-byoi" {
			continue
		}
		doc, err := layerDoc(p, i)
		if err != nil {
			return image{}, err
		}
		im := image{Pack: ref.Name, Index: i, Doc: doc,
			Ref:    strings.TrimSpace(lookup(doc, "pack.osImageOverride")),
			OSName: lookup(doc, "pack.osName"), OSVersion: lookup(doc, "pack.osVersion")}
		if im.Ref == "" {
			return image{}, &ProfileError{Path: im.path("pack.osImageOverride"), Msg: "pack.osImageOverride is empty: there is no image to boot",
				Hint: "set it, or give the variable or macro it refers to a value (--set)"}
		}
		return im, nil
	}
	return image{}, &ProfileError{Path: "spec.template.packs", Msg: "the profile has no generic-byoi layer: Cluster API machine templates are rendered from a BYOOS image",
		Hint: "add the generic-byoi OS layer with pack.osImageOverride"}
}

// meta is the metadata every machine template carries.
type meta struct {
	Name, Namespace string
	Labels          map[string]string
	Annotations     map[string]string
}

// objectMeta names the machine template CLUSTER-PROFILE-VERSION (templates are
// immutable: a new profile version gets a new template), labels it with the
// cluster, and notes the profile and OS it comes from.
func objectMeta(p *wire.Profile, c Context, im image) meta {
	name := c.Name
	if name == "" {
		name = strings.ToLower(c.Cluster + "-" + p.Metadata.Name)
		if v := p.Spec.Version; v != "" {
			name += "-" + strings.ToLower(v)
		}
	}
	ann := map[string]string{"byoos/profile": p.Metadata.Name}
	if p.Spec.Version != "" {
		ann["byoos/profile-version"] = p.Spec.Version
	}
	if os := strings.TrimSpace(im.OSName + " " + im.OSVersion); os != "" {
		ann["byoos/os"] = os
	}
	return meta{Name: name, Namespace: c.Namespace,
		Labels:      map[string]string{"cluster.x-k8s.io/cluster-name": c.Cluster},
		Annotations: ann}
}

// missing is the error of a required context key that is not set.
func missing(key, what string) error {
	return &UsageError{Key: key, Msg: fmt.Sprintf("%s is not set: %s", key, what)}
}
