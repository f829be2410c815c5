// Package byoi holds the rules of the two Bring Your Own OS packs: generic-byoi
// (an AWS AMI, an Azure VHD blob URL or a vSphere template in
// pack.osImageOverride) and edge-native-byoi (a container-image OS for Edge
// hosts in options.system.uri, with optional private registry credentials).
//
// The rules read values whose macros are already resolved, and report
// findings with the dotted path, line and column of the value concerned.
package byoi

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/values"
)

// Pack names the rules apply to.
const (
	Generic = "generic-byoi"
	Edge    = "edge-native-byoi"
)

// Options tune the rules.
type Options struct {
	// AllowEmulator accepts Azure storage emulator (Azurite) path-style blob URLs.
	AllowEmulator bool
}

// Applies reports whether a pack has BYOOS rules.
func Applies(packName string) bool { return packName == Generic || packName == Edge }

// Check applies the rules of the named pack to resolved values on a cloud type.
func Check(packName, cloud string, doc *values.Doc, opt Options) finding.List {
	switch packName {
	case Generic:
		return CheckGeneric(cloud, doc, opt)
	case Edge:
		return CheckEdge(doc)
	}
	return nil
}

func at(n *yaml.Node) finding.Pos {
	if n == nil {
		return finding.Pos{}
	}
	return finding.Pos{Line: n.Line, Column: n.Column}
}

// nearest returns the node at path, or the nearest enclosing node that exists.
func nearest(doc *values.Doc, path string) (*yaml.Node, bool) {
	if n, ok := doc.Lookup(path); ok {
		return n, true
	}
	for p := path; ; {
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
		if ms := doc.Find(p); len(ms) > 0 {
			if ms[0].Key != nil {
				return ms[0].Key, false
			}
			return ms[0].Node, false
		}
	}
	if doc != nil && doc.Root != nil {
		return doc.Root, false
	}
	return nil, false
}

// problem adds an osimage problem as an error finding. Its message and hint are already
// redacted: osimage quotes every value through secret.RedactURL, which masks a URL's
// credentials (a SAS signature, a presigned URL's signature, userinfo).
func problem(fl *finding.List, path string, n *yaml.Node, p *osimage.Problem) {
	fl.Add(finding.Finding{Severity: finding.Error, Code: p.Code, Path: path, Line: at(n).Line, Column: at(n).Column, Message: p.Message, Hint: p.Hint})
}

// CheckGeneric applies generic-byoi's rules: osImageOverride in the form the
// cloud takes, osName and osVersion present and text.
func CheckGeneric(cloud string, doc *values.Doc, opt Options) finding.List {
	var fl finding.List
	const imgPath = "pack.osImageOverride"
	n, ok := nearest(doc, imgPath)
	switch {
	case !ok || values.IsEmpty(n):
		fl.Errorf(finding.CodeOSImageRequired, imgPath, at(n), imageHint(cloud), "pack.osImageOverride is not set; it must name the custom OS image")
	case doc.IsUnknown(n):
	case !values.IsString(n):
		fl.Errorf(finding.CodeOSImageType, imgPath, at(n), "quote the image reference", "pack.osImageOverride is %s, expected an image reference as text", values.Describe(n))
	default:
		checkImage(&fl, cloud, n, opt)
	}
	checkOSName(&fl, doc, "pack.osName")
	checkOSVersion(&fl, doc, "pack.osVersion")
	return fl
}

func imageHint(cloud string) string {
	switch cloud {
	case "aws":
		return "set it to the AMI ID in the cluster's region, e.g. ami-0f4804aff4cf9c5a2"
	case "azure":
		return "set it to the VHD's blob URL, e.g. https://ACCOUNT.blob.core.windows.net/vhds/ubuntu22.vhd"
	case "vsphere":
		return "set it to the template's path, e.g. /Datacenter/vm/templates/rhel-8-kube-v1.30.5"
	}
	return "set it to the image ID as the infrastructure provider names it"
}

func checkImage(fl *finding.List, cloud string, n *yaml.Node, opt Options) {
	const path = "pack.osImageOverride"
	v := n.Value
	switch cloud {
	case "aws":
		if _, p := osimage.ParseAMI(v); p != nil {
			problem(fl, path, n, p)
		}
	case "azure":
		vhd, p := osimage.ParseVHD(v, osimage.AzureOptions{AllowEmulator: opt.AllowEmulator})
		if p != nil {
			problem(fl, path, n, p)
		} else if vhd.HasSAS {
			fl.Warnf(finding.CodeAzureVHDSASToken, path, at(n), "grant the cluster's identity read access to the container instead, or use a short-lived SAS",
				"the blob URL carries a SAS signature: whoever reads this profile can read the image")
		}
	case "vsphere":
		tpl, p := osimage.ParseTemplate(v)
		if p != nil {
			problem(fl, path, n, p)
		} else if tpl.HasCredentials {
			fl.Warnf(finding.CodeVSphereOVAURLCredentials, path, at(n), "serve the OVA from a location the cluster can read without credentials in the URL, or use a short-lived signed URL",
				"the OVA URL carries credentials (a user name and password, or a signature or token in its query): whoever reads this profile can use them")
		}
	}
}

func checkOSName(fl *finding.List, doc *values.Doc, path string) {
	n, ok := nearest(doc, path)
	switch {
	case !ok || values.IsEmpty(n):
		fl.Errorf(finding.CodeOSNameRequired, path, at(n), `set it to the OS distribution in lower case, e.g. osName: "rhel" or "ubuntu"`, "%s is not set; it must name the OS distribution", path)
	case doc.IsUnknown(n):
	case n.Kind != yaml.ScalarNode || !values.IsString(n):
		fl.Errorf(finding.CodeOSNameType, path, at(n), `write the distribution name as text, e.g. osName: "rhel"`, "%s is %s, expected the distribution name as text", path, values.Describe(n))
	case strings.ContainsAny(n.Value, " \t\r\n"):
		fl.Errorf(finding.CodeOSNameFormat, path, at(n), fmt.Sprintf("write %q", brief(strings.Join(strings.Fields(strings.ToLower(n.Value)), "-"))), "%s is %q, which has white space; expected one lower-case word such as rhel or ubuntu", path, brief(n.Value))
	case strings.ToLower(n.Value) != n.Value:
		fl.Errorf(finding.CodeOSNameCase, path, at(n), fmt.Sprintf("write %q", brief(strings.ToLower(n.Value))), "%s is %q; the OS name is written in lower case", path, brief(n.Value))
	}
}

func checkOSVersion(fl *finding.List, doc *values.Doc, path string) {
	n, ok := nearest(doc, path)
	key := path[strings.LastIndexByte(path, '.')+1:]
	switch {
	case !ok || values.IsEmpty(n):
		fl.Errorf(finding.CodeOSVersionRequired, path, at(n), fmt.Sprintf(`set it to the OS version as quoted text, e.g. %s: "8"`, key), "%s is not set; it must give the OS version", path)
	case doc.IsUnknown(n):
	case n.Kind != yaml.ScalarNode:
		fl.Errorf(finding.CodeOSVersionType, path, at(n), fmt.Sprintf(`write %s: "8"`, key), "%s is %s, expected the OS version as text", path, values.Describe(n))
	case !values.IsString(n):
		unquotedVersion(fl, path, key, n)
	}
}

// unquotedVersion reports an OS version YAML did not read as text. A whole number
// written as plain digits ("8") comes back as the same text, so it is a warning with the
// quoted fix; anything else (8.10, which YAML reads as 8.1; 08, 0x8, true) is an error.
func unquotedVersion(fl *finding.List, path, key string, n *yaml.Node) {
	fix := fmt.Sprintf("quote it: %s: %q", key, brief(n.Value))
	if n.Tag == "!!int" && isPlainWholeNumber(n.Value) {
		fl.Warnf(finding.CodeOSVersionUnquoted, path, at(n), fix,
			"%s is the unquoted number %s: it reads back as the same text, but quote it so the version stays text (an unquoted 8.10 would become 8.1)", path, n.Value)
		return
	}
	fl.Errorf(finding.CodeOSVersionType, path, at(n), fix,
		"%s is %s: YAML reads the unquoted %s as a number, not the version text %q", path, brief(values.Describe(n)), brief(n.Value), brief(n.Value))
}

// isPlainWholeNumber reports whether s is digits with no leading zero (or "0"): a
// whole number YAML writes back exactly as it was written.
func isPlainWholeNumber(s string) bool {
	if s == "" || len(s) > 18 || s[0] == '0' && s != "0" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckEdge applies edge-native-byoi's rules: the provider image list and
// system.uri are valid image references, and private registry credentials are
// complete, consistent with system.uri, and never shown.
func CheckEdge(doc *values.Doc) finding.List {
	var fl finding.List
	if n, ok := doc.Lookup("pack.options"); ok {
		fl.Errorf(finding.CodeEdgeOptionsUnderPack, "pack.options", at(n), "move options: to the root of the values, beside pack:, not under it", "options is nested under pack; edge-native-byoi reads it only at the root of the values")
	}
	if n, ok := doc.Lookup("content"); ok {
		fl.Errorf(finding.CodeEdgeContentAtRoot, "content", at(n), "indent content: under pack: (pack.content.images)", "content is at the root of the values; the image list belongs under pack (pack.content.images)")
	}

	uriPath := "options.system.uri"
	uriNode, uriOK := nearest(doc, uriPath)
	var uri osimage.OCI
	uriValid := false
	switch {
	case !uriOK || values.IsEmpty(uriNode):
		fl.Errorf(finding.CodeEdgeSystemURIRequired, uriPath, at(uriNode), `set options: {system.uri: REGISTRY/REPO:TAG}, the provider image built with CanvOS, e.g. example.io/my-images/ubuntu:k3s-1.30.6-v4.4.12-demo`, "options.system.uri is not set; it must name the provider image the Edge host boots")
	case doc.IsUnknown(uriNode):
	case !values.IsString(uriNode):
		fl.Errorf(finding.CodeOCIInvalid, uriPath, at(uriNode), "quote the image reference", "options.system.uri is %s, expected an image reference as text", values.Describe(uriNode))
	case uriNode.Value == "NA":
		fl.Add(finding.Finding{Severity: finding.Info, Code: finding.CodeEdgeSystemURINA, Path: uriPath, Line: uriNode.Line, Column: uriNode.Column,
			Message: "options.system.uri is NA: no provider image; Kubernetes and the agent come as system extensions (an entry of pack.content.images that resolves to NA is skipped)", Hint: "this needs Palette Edge agent 4.10 or later on hosts with systemd 255 or later"})
	default:
		var p *osimage.Problem
		uri, p = osimage.ParseOCI(uriNode.Value)
		if p != nil {
			problem(&fl, uriPath, uriNode, p)
		} else {
			uriValid = true
			implicitTag(&fl, uriPath, uriNode, uri)
		}
	}

	if n, ok := doc.Lookup("options.system.osVersion"); ok && n.Kind == yaml.ScalarNode && !values.IsEmpty(n) && !doc.IsUnknown(n) && !values.IsString(n) {
		unquotedVersion(&fl, "options.system.osVersion", "system.osVersion", n)
	}

	uriNA := uriOK && !doc.IsUnknown(uriNode) && values.IsString(uriNode) && uriNode.Value == "NA"
	naAllowed := uriNA || uriOK && doc.IsUnknown(uriNode)
	checkImages(&fl, doc, uri, uriValid, uriNA, naAllowed)
	checkCredentials(&fl, doc, uri, uriValid)
	return fl
}

func implicitTag(fl *finding.List, path string, n *yaml.Node, ref osimage.OCI) {
	if ref.ImplicitTag {
		fl.Warnf(finding.CodeOCIImplicitLatest, path, at(n), "pin the image with a tag or digest, e.g. "+n.Value+":v1.0.0",
			"%q names no tag or digest, so hosts would pull :latest, which changes under a running cluster", n.Value)
	}
}

// checkImages checks pack.content.images. With system.uri NA (uriNA) there is no
// provider image: the list may be empty, and its provider-image entry, the macro of
// system.uri, resolves to NA and is skipped, since nothing is pulled for it. NA as an
// entry is allowed only then, or when system.uri is known only at deployment
// (naAllowed); otherwise it is no image at all.
func checkImages(fl *finding.List, doc *values.Doc, uri osimage.OCI, uriValid, uriNA, naAllowed bool) {
	const listPath = "pack.content.images"
	list, ok := nearest(doc, listPath)
	switch {
	case uriNA && (!ok || values.IsEmpty(list)):
		return
	case !ok || values.IsEmpty(list):
		fl.Errorf(finding.CodeEdgeImagesEmpty, listPath, at(list), `list the provider image: pack.content.images: [{image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'}]`, "pack.content.images is empty; it must list the provider image(s)")
		return
	case list.Kind != yaml.SequenceNode:
		fl.Errorf(finding.CodeEdgeImagesShape, listPath, at(list), "write a list of {image: REF} items", "pack.content.images is %s, expected a list", values.Describe(list))
		return
	}
	hasURI := false
	for i, item := range list.Content {
		item = values.Deref(item)
		p := fmt.Sprintf("%s[%d]", listPath, i)
		if item.Kind != yaml.MappingNode {
			fl.Errorf(finding.CodeEdgeImagesShape, p, at(item), "write it as - image: REF", "%s is %s, expected a mapping with an image key", p, values.Describe(item))
			continue
		}
		img, ok := (&values.Doc{Root: item, Unknown: doc.Unknown}).Lookup("image")
		p += ".image"
		switch {
		case !ok || values.IsEmpty(img):
			fl.Errorf(finding.CodeEdgeImagesShape, p, at(item), "give each item an image: REF", "%s is not set", p)
		case doc.IsUnknown(img):
			hasURI = true // depends on deployment-time values; cannot compare
		case !values.IsString(img):
			fl.Errorf(finding.CodeOCIInvalid, p, at(img), "quote the image reference", "%s is %s, expected an image reference as text", p, values.Describe(img))
		case img.Value == "NA" && naAllowed:
			// The provider-image entry when system.uri is NA: no image to pull.
		case img.Value == "NA":
			fl.Errorf(finding.CodeEdgeImagesNA, p, at(img), `remove the entry, or list the provider image with - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'`,
				"%s is NA, but options.system.uri is not NA: NA means \"no provider image\" only as the value of options.system.uri, and is no image to pull", p)
		default:
			ref, prob := osimage.ParseOCI(img.Value)
			if prob != nil {
				problem(fl, p, img, prob)
				continue
			}
			implicitTag(fl, p, img, ref)
			if uriValid && ref.Ref == uri.Ref {
				hasURI = true
			}
		}
	}
	if uriValid && !hasURI {
		fl.Warnf(finding.CodeEdgeImagesMissingURI, listPath, at(list), `add - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'`,
			"pack.content.images does not list the provider image %s named by options.system.uri, so it is not mirrored or scanned", uri.Ref)
	}
}

// The fields of providerCredentials. The values of password and certificate
// never appear in a finding.
var credentialFields = []string{"registry", "username", "password", "certificate"}

func checkCredentials(fl *finding.List, doc *values.Doc, uri osimage.OCI, uriValid bool) {
	root, ok := doc.Lookup("providerCredentials")
	if !ok || values.IsEmpty(root) {
		return
	}
	root = values.Deref(root)
	if root.Kind != yaml.MappingNode {
		fl.Errorf(finding.CodeEdgeCredentialsShape, "providerCredentials", at(root), "write providerCredentials: {registry, username, password, certificate}", "providerCredentials is %s, expected a mapping", values.Describe(root))
		return
	}
	sub := &values.Doc{Root: root, Unknown: doc.Unknown}
	get := func(k string) (*yaml.Node, bool) {
		n, ok := sub.Lookup(k)
		if !ok || values.IsEmpty(n) {
			return n, false
		}
		return n, true
	}
	for alt, want := range map[string]string{"user": "username", "certificates": "certificate"} {
		if n, ok := sub.Lookup(alt); ok {
			fl.Errorf(finding.CodeEdgeCredentialsSpelling, "providerCredentials."+alt, at(n), fmt.Sprintf("rename it to providerCredentials.%s", want),
				"providerCredentials.%s is not read by edge-native-byoi; the field is %s", alt, want)
		}
	}
	any := false
	for _, k := range credentialFields {
		if _, ok := get(k); ok {
			any = true
		}
	}
	if !any {
		return
	}
	reg, hasReg := get("registry")
	user, hasUser := get("username")
	pass, hasPass := get("password")
	cert, hasCert := get("certificate")
	if !hasReg {
		fl.Errorf(finding.CodeEdgeCredentialsRegistryRequired, "providerCredentials.registry", at(root), "set registry to the host (and port) of options.system.uri", "providerCredentials has credentials but no registry")
	} else if !doc.IsUnknown(reg) {
		if !values.IsString(reg) {
			fl.Errorf(finding.CodeRegistryInvalid, "providerCredentials.registry", at(reg), "write the registry host as text, e.g. registry.example.com:5000", "providerCredentials.registry is %s, expected a host[:port]", values.Describe(reg))
		} else if host, p := osimage.ParseRegistryHost(reg.Value); p != nil {
			problem(fl, "providerCredentials.registry", reg, p)
		} else if uriValid && !sameRegistry(host.HostPort(), uri.Registry) {
			fl.Errorf(finding.CodeEdgeCredentialsRegistryMismatch, "providerCredentials.registry", at(reg),
				fmt.Sprintf("set registry to %s, or point system.uri at %s", uri.Registry, host.HostPort()),
				"providerCredentials.registry is %s but options.system.uri pulls from %s; the credentials would not be used for the provider image", host.HostPort(), uri.Registry)
		}
	}
	if hasUser && !hasPass {
		fl.Errorf(finding.CodeEdgeCredentialsPasswordRequired, "providerCredentials.password", at(user), "set providerCredentials.password (it is stored encrypted and shown masked)", "providerCredentials.username is set but the password is not")
	}
	if hasPass && !hasUser {
		fl.Errorf(finding.CodeEdgeCredentialsUsernameRequired, "providerCredentials.username", at(pass), "set providerCredentials.username", "providerCredentials.password is set but the username is not")
	}
	if hasPass && !doc.IsUnknown(pass) && !values.IsString(pass) {
		fl.Errorf(finding.CodeEdgeCredentialsPasswordType, "providerCredentials.password", at(pass), "quote the password", "providerCredentials.password is not text (YAML read it as another type); its value is not shown")
	}
	if hasCert && !doc.IsUnknown(cert) {
		if msg := checkCertificate(cert.Value); msg != "" {
			fl.Errorf(finding.CodeEdgeCredentialsCertificate, "providerCredentials.certificate", at(cert),
				"paste the registry's CA certificate in PEM form (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----) as a YAML block (certificate: |)", "providerCredentials.certificate %s; its value is not shown", msg)
		}
	}
}

// sameRegistry compares registry hosts, treating Docker Hub's names as one.
func sameRegistry(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		switch s {
		case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
			return "docker.io"
		}
		return s
	}
	return norm(a) == norm(b)
}

// checkCertificate returns what is wrong with a PEM certificate bundle, or "".
func checkCertificate(s string) string {
	rest := []byte(strings.TrimSpace(s))
	n := 0
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if n == 0 {
				return "is not PEM: no -----BEGIN CERTIFICATE----- block was found"
			}
			return "has text after its last PEM block that is not PEM"
		}
		if b.Type != "CERTIFICATE" {
			return fmt.Sprintf("holds a %q PEM block; expected CERTIFICATE (a private key must never be put here)", b.Type)
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Sprintf("block %d is not a valid X.509 certificate (%v)", n+1, err)
		}
		n++
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	return ""
}

// brief cuts a value the user wrote to a length a message can repeat.
func brief(s string) string {
	const limit = 120
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
