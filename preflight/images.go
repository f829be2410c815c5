package preflight

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/byoi"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/values"
)

// Images returns the images a validated profile names, in layer order, each
// located (At) where validation locates its findings: the OS image of a
// generic-byoi layer (pack.osImageOverride) on aws, azure or vsphere, and
// of an edge-native-byoi layer the provider image (options.system.uri,
// RoleOS) and every other pack.content.images entry (RoleContent).
//
// Values are read as validation resolved them (r.Layers[i].Resolved:
// macros resolved for the cluster context validation was given). A value
// known only at deployment (a macro validation deferred), empty, not text,
// or NA names no image and is left out, as is an entry that repeats an
// image already listed. An Edge image pulled from the registry that
// providerCredentials names carries its username, password and
// certificate; an image of another registry carries none, so that the
// credentials are never offered to a registry they are not for.
func Images(r *profile.Result) []Image {
	if r == nil || r.Document == nil {
		return nil
	}
	cloud := r.Document.Profile.Spec.Template.CloudType
	var out []Image
	for i := range r.Layers {
		l := &r.Layers[i]
		if l.Pack == nil || l.Resolved == nil {
			continue
		}
		switch l.Pack.Meta.Name {
		case byoi.Generic:
			if cloud != AWS && cloud != Azure && cloud != VSphere {
				continue
			}
			if n, ok := text(l.Resolved, "pack.osImageOverride"); ok {
				out = append(out, Image{Cloud: cloud, Role: RoleOS, Ref: n.Value, At: at(r, l, "pack.osImageOverride", n)})
			}
		case byoi.Edge:
			out = append(out, edgeImages(r, l)...)
		}
	}
	return out
}

// edgeImages returns the images of an edge-native-byoi layer.
func edgeImages(r *profile.Result, l *profile.Layer) []Image {
	doc := l.Resolved
	creds := credentialsOf(doc)
	seen := map[string]bool{}
	var out []Image
	add := func(role, path string, n *yaml.Node) {
		if n.Value == "NA" || seen[n.Value] {
			return
		}
		seen[n.Value] = true
		img := Image{Cloud: Edge, Role: role, Ref: n.Value, At: at(r, l, path, n)}
		if creds.registry != "" && creds.appliesTo(n.Value) {
			img.Username, img.Password, img.CACert = creds.username, creds.password, creds.certificate
		}
		out = append(out, img)
	}
	if n, ok := text(doc, "options.system.uri"); ok {
		add(RoleOS, "options.system.uri", n)
	}
	if list, ok := doc.Lookup("pack.content.images"); ok && list.Kind == yaml.SequenceNode {
		for i := range list.Content {
			p := fmt.Sprintf("pack.content.images[%d].image", i)
			if n, ok := text(doc, p); ok {
				add(RoleContent, p, n)
			}
		}
	}
	return out
}

// text returns the scalar at path when it is known text that is not empty.
func text(doc *values.Doc, path string) (*yaml.Node, bool) {
	n, ok := doc.Lookup(path)
	if !ok || n.Kind != yaml.ScalarNode || values.IsEmpty(n) || doc.IsUnknown(n) || !values.IsString(n) || strings.TrimSpace(n.Value) == "" {
		return nil, false
	}
	return n, true
}

// at locates the value n at path of layer l as validation locates a finding.
func at(r *profile.Result, l *profile.Layer, path string, n *yaml.Node) finding.Finding {
	return r.PlaceValue(l, finding.Finding{Path: path, Line: n.Line, Column: n.Column})
}

// credentials are an Edge layer's providerCredentials, resolved.
type credentials struct {
	registry, username, password, certificate string
}

func credentialsOf(doc *values.Doc) credentials {
	get := func(k string) string {
		if n, ok := text(doc, "providerCredentials."+k); ok {
			return n.Value
		}
		return ""
	}
	return credentials{registry: get("registry"), username: get("username"), password: get("password"), certificate: get("certificate")}
}

// appliesTo reports whether the credentials are for the registry ref pulls
// from: providerCredentials.registry is that registry's host[:port],
// possibly followed by a Harbor project (domain/project).
func (c credentials) appliesTo(ref string) bool {
	img, p := osimage.ParseOCI(ref)
	if p != nil {
		return false
	}
	host, _, _ := strings.Cut(strings.TrimSpace(c.registry), "/")
	return registryKey(host) == registryKey(img.Registry)
}

// registryKey normalises a registry host for comparison: lower case, with
// Docker Hub's names as one.
func registryKey(s string) string {
	s = strings.ToLower(s)
	switch s {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return s
}
