package render

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/values"
	"github.com/byoos/byoos/wire"
)

// The Edge installer's user-data, as its configuration reference documents it
// (Palette docs, clusters/edge/edge-configuration/installer-reference.md:
// stylus.registryCredentials {domain, username, password, insecure}, and
// stylus.site.caCerts, a list of PEM certificates, as in CanvOS's
// user-data.template).

type userData struct {
	Stylus *stylus `yaml:"stylus,omitempty"`
}

type stylus struct {
	RegistryCredentials *registryCredentials `yaml:"registryCredentials,omitempty"`
	Site                *site                `yaml:"site,omitempty"`
}

type registryCredentials struct {
	Domain   string `yaml:"domain"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Insecure bool   `yaml:"insecure"`
}

type site struct {
	CACerts []string `yaml:"caCerts,omitempty"`
}

// renderEdge builds the #cloud-config user-data of an edge-native-byoi
// profile: the registry credentials of providerCredentials (with the registry's
// CA certificate), and, as comments, the provider image and every layer's
// content images, which the Edge agent pulls through that registry.
func renderEdge(p *wire.Profile, c Context) ([]Document, error) {
	idx := -1
	for i, ref := range p.Spec.Template.Packs {
		if ref.Name == "edge-native-byoi" {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, &ProfileError{Path: "spec.template.packs", Msg: "the profile has no edge-native-byoi layer: Edge user-data is rendered from a BYOOS provider image",
			Hint: "add the edge-native-byoi OS layer with options.system.uri"}
	}
	doc, err := layerDoc(p, idx)
	if err != nil {
		return nil, err
	}
	where := func(key string) string { return fmt.Sprintf("spec.template.packs[%d] (edge-native-byoi) %s", idx, key) }
	uri := strings.TrimSpace(lookup(doc, "options.system.uri"))
	images, err := contentImages(p, idx, doc)
	if err != nil {
		return nil, err
	}

	creds := map[string]string{}
	if n, ok := doc.Lookup("providerCredentials"); ok && values.Deref(n).Kind == yaml.MappingNode {
		for _, k := range []string{"registry", "username", "password", "certificate"} {
			creds[k] = strings.TrimSpace(lookup(doc, "providerCredentials."+k))
		}
	}
	ud := userData{}
	if creds["username"] != "" || creds["password"] != "" {
		domain := creds["registry"]
		if domain == "" && uri != "" && uri != "NA" {
			ref, prob := osimage.ParseOCI(uri)
			if prob != nil {
				return nil, &ProfileError{Path: where("options.system.uri"), Msg: prob.Message, Hint: prob.Hint}
			}
			domain = ref.Registry
		}
		if domain == "" {
			return nil, &ProfileError{Path: where("providerCredentials.registry"), Msg: "providerCredentials has a username and password but names no registry, and options.system.uri names none",
				Hint: "set providerCredentials.registry to the registry's host[:port]"}
		}
		ud.Stylus = &stylus{RegistryCredentials: &registryCredentials{
			Domain: domain, Username: creds["username"], Password: creds["password"], Insecure: c.Edge.RegistryInsecure,
		}}
	}
	if cert := creds["certificate"]; cert != "" {
		if ud.Stylus == nil {
			ud.Stylus = &stylus{}
		}
		if cert != secret.Mask {
			cert += "\n" // a PEM block, written as a literal block
		}
		ud.Stylus.Site = &site{CACerts: []string{cert}}
	}

	var b bytes.Buffer
	b.WriteString("#cloud-config\n")
	fmt.Fprintf(&b, "# Edge installer user-data for profile %s", commentSafe(p.Metadata.Name))
	if p.Spec.Version != "" {
		fmt.Fprintf(&b, " %s", commentSafe(p.Spec.Version))
	}
	b.WriteString(", rendered by byoos.\n")
	switch {
	case uri == "NA":
		b.WriteString("# Provider image: none (options.system.uri is NA: Kubernetes and the agent come as system extensions).\n")
	case uri != "":
		fmt.Fprintf(&b, "# Provider image (options.system.uri): %s\n", commentSafe(uri))
	}
	if len(images) > 0 {
		b.WriteString("# Content images of the profile's layers (pack.content.images):\n")
		for _, im := range images {
			fmt.Fprintf(&b, "#   - %s\n", commentSafe(im))
		}
	}
	if ud.Stylus != nil && ud.Stylus.RegistryCredentials != nil {
		fmt.Fprintf(&b, "# With stylus.registryCredentials, the agent pulls every image above through %s:\n# mirror them there.\n", commentSafe(ud.Stylus.RegistryCredentials.Domain))
	}
	if ud.Stylus == nil {
		b.WriteString("# The profile has no providerCredentials: the images are pulled anonymously and stylus needs no registry settings.\n")
	}
	if masked(creds) {
		b.WriteString("# Secrets are masked (" + secret.Mask + "); render with --show-secrets for user-data an Edge host can use.\n")
	}
	if ud.Stylus != nil {
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(ud); err != nil {
			return nil, fmt.Errorf("encode user-data: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encode user-data: %w", err)
		}
	}
	return []Document{{Name: "user-data", Format: FormatCloudConfig, Text: b.String()}}, nil
}

// commentSafe quotes text that would end a YAML comment line (a line break
// or another control character), so that no value can add keys to the user-data.
func commentSafe(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return strconv.Quote(s)
		}
	}
	return s
}

func masked(creds map[string]string) bool {
	return creds["password"] == secret.Mask || creds["certificate"] == secret.Mask
}

// contentImages lists pack.content.images of every layer, in layer order, each
// image once; NA (no provider image) is skipped. Layer os, already parsed, is
// osDoc; a layer whose text does not mention images is not parsed.
func contentImages(p *wire.Profile, os int, osDoc *values.Doc) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for i, ref := range p.Spec.Template.Packs {
		doc := osDoc
		if i != os {
			if !strings.Contains(ref.Values, "images") {
				continue
			}
			var err error
			if doc, err = layerDoc(p, i); err != nil {
				return nil, err
			}
		}
		list, ok := doc.Lookup("pack.content.images")
		if !ok || values.Deref(list).Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range values.Deref(list).Content {
			item = values.Deref(item)
			if item.Kind != yaml.MappingNode {
				continue
			}
			img := strings.TrimSpace(lookup(&values.Doc{Root: item}, "image"))
			if img == "" || img == "NA" || seen[img] {
				continue
			}
			seen[img] = true
			out = append(out, img)
		}
	}
	return out, nil
}
