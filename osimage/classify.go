package osimage

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/finding"
)

// The cloud types whose images this package parses, as a profile's cloudType names them.
const (
	// CloudTypeAWS takes an AMI ID ([ParseAMI]).
	CloudTypeAWS = "aws"
	// CloudTypeAzure takes the blob URL of a VHD ([ParseVHD]).
	CloudTypeAzure = "azure"
	// CloudTypeVSphere takes a template path or name, or an OVA URL ([ParseTemplate]).
	CloudTypeVSphere = "vsphere"
	// CloudTypeEdge takes an OCI image reference, the provider image ([ParseOCI]).
	CloudTypeEdge = "edge-native"
)

// Kind is the form of an image reference as [Classify] recognises it, whatever cloud
// it belongs to.
type Kind int

// The forms Classify recognises. Only forms that cannot be mistaken for another
// cloud's legitimate value are recognised: vSphere template names are free text, so a
// plain name such as "ubuntu-2204-kube-v1.30.0" is [KindUnknown].
const (
	// KindUnknown is any value not recognised as one of the forms below.
	KindUnknown Kind = iota
	// KindAMIID is an AWS AMI ID: "ami-" and 8 to 17 lowercase hex digits.
	KindAMIID
	// KindAWSARN is an AWS ARN (arn:aws:…, arn:aws-cn:…, arn:aws-us-gov:…), such as an
	// EC2 or Image Builder image ARN.
	KindAWSARN
	// KindVHDURL is the URL of a .vhd or .vhdx blob on an Azure Blob storage endpoint.
	KindVHDURL
	// KindAzureGalleryImage is an Azure Compute Gallery (or community or shared
	// gallery) image or image-version ID.
	KindAzureGalleryImage
	// KindAzureManagedImage is an Azure managed image ID.
	KindAzureManagedImage
	// KindAzureResourceID is another Azure resource ID (/subscriptions/ID/resourceGroups/…).
	KindAzureResourceID
	// KindMarketplaceURN is an Azure Marketplace image URN, publisher:offer:sku:version,
	// whose version is "latest" or a dotted number.
	KindMarketplaceURN
	// KindTemplatePath is a vSphere template inventory path: one with a "vm" folder
	// below a datacenter ("/Datacenter/vm/templates/rhel8"), or a "template" or
	// "templates" folder ("path/to/template/rhel-8-kube-v1.27.11").
	KindTemplatePath
	// KindOVA is a vSphere OVA: a name or path ending in ".ova", or its http(s) URL.
	KindOVA
	// KindOCIReference is an OCI image reference with a registry host and a tag or
	// digest (example.io/my-images/os:v1.4.5), the form of an Edge provider image.
	KindOCIReference
)

// String names the form for messages, with its article: "an AWS AMI ID".
func (k Kind) String() string {
	switch k {
	case KindAMIID:
		return "an AWS AMI ID"
	case KindAWSARN:
		return "an AWS ARN"
	case KindVHDURL:
		return "an Azure VHD blob URL"
	case KindAzureGalleryImage:
		return "an Azure Compute Gallery image ID"
	case KindAzureManagedImage:
		return "an Azure managed image ID"
	case KindAzureResourceID:
		return "an Azure resource ID"
	case KindMarketplaceURN:
		return "an Azure Marketplace image URN"
	case KindTemplatePath:
		return "a vSphere template path"
	case KindOVA:
		return "a vSphere OVA"
	case KindOCIReference:
		return "an OCI image reference (the form of an Edge provider image)"
	}
	return "an unrecognised value"
}

// CloudType returns the cloud type whose image the form is ("aws", "azure",
// "vsphere", "edge-native"), or "" for KindUnknown.
func (k Kind) CloudType() string {
	switch k {
	case KindAMIID, KindAWSARN:
		return CloudTypeAWS
	case KindVHDURL, KindAzureGalleryImage, KindAzureManagedImage, KindAzureResourceID, KindMarketplaceURN:
		return CloudTypeAzure
	case KindTemplatePath, KindOVA:
		return CloudTypeVSphere
	case KindOCIReference:
		return CloudTypeEdge
	}
	return ""
}

// Classify recognises the form of an image reference of any cloud: an AMI ID or an AWS
// ARN, an Azure VHD blob URL, gallery or managed image ID or marketplace URN, a vSphere
// template path or OVA, or an OCI image reference with a registry host. It says what a
// value is, not whether it is valid: a parser of the cloud the form belongs to checks
// that. Values with white space or control characters at either end, and values longer
// than [MaxLength], are KindUnknown. Classify is a pure function, safe for concurrent use.
func Classify(s string) Kind { return classify(s, false) }

// classify is Classify; skipOCI leaves out the recognition of an OCI reference, which
// parses the value: the Edge parser, for which a reference is its own form, parses it
// anyway. Leaving it out changes no other answer: a reference with a tag or a digest
// has a ':' in its last segment, so it is never taken for an OVA name, and it never
// starts with "/" (see [wrongCloud] for relative template paths). classify does not
// allocate unless the value is an AWS ARN or an OCI reference.
func classify(s string, skipOCI bool) Kind {
	if s == "" || len(s) > MaxLength || firstControlOrEdgeSpaceIndex(s) >= 0 {
		return KindUnknown
	}
	switch {
	case isAMIIDLoose(s):
		return KindAMIID
	case isAWSARN(s):
		return KindAWSARN
	}
	if se := schemeEnd(s); se >= 0 {
		return classifyURL(s, se)
	}
	if hasSpaceOrControl(s) {
		// Only a template path may hold white space inside (vSphere allows it).
		return classifyPath(s)
	}
	if k := classifyAzureID(s); k != KindUnknown {
		return k
	}
	if isStrictMarketplaceURN(s) {
		return KindMarketplaceURN
	}
	if first, rest, ok := strings.Cut(s, "/"); ok && isBlobHostFold(first) && hasVHDExtension(pathOnly(rest)) {
		return KindVHDURL
	}
	if !skipOCI && isHostedOCIReference(s) {
		return KindOCIReference
	}
	return classifyPath(s)
}

// isAMIIDLoose reports whether s is "ami-" and 8 to 17 lowercase hex digits: an AMI
// ID, or one with a digit missing, which no other cloud's value looks like.
func isAMIIDLoose(s string) bool {
	return len(s) >= 12 && len(s) <= 21 && s[:4] == "ami-" && isLowerHex(s[4:])
}

// isAWSARN reports whether s is an ARN of an AWS partition, arn:aws:…, arn:aws-cn:…,
// arn:aws-us-gov:…, with its six parts (case aside).
func isAWSARN(s string) bool {
	if !hasPrefixFold(s, "arn:aws") {
		return false
	}
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && (strings.EqualFold(parts[1], "aws") || hasPrefixFold(parts[1], "aws-")) &&
		parts[2] != "" && parts[5] != ""
}

// classifyURL recognises a URL with a scheme (se is the index of "://"): an Azure VHD
// blob URL, or an http(s) URL of an OVA.
func classifyURL(s string, se int) Kind {
	if !strings.EqualFold(s[:se], "http") && !strings.EqualFold(s[:se], "https") {
		return KindUnknown
	}
	rest := s[se+3:]
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], pathOnly(rest[i:])
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if c := strings.LastIndexByte(host, ':'); c >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:c]
	}
	switch {
	case host == "" || !strings.HasPrefix(path, "/"):
		return KindUnknown
	case isBlobHostFold(host) && hasVHDExtension(path):
		return KindVHDURL
	case hasSuffixFold(path, ".ova") && !strings.HasSuffix(path, "/.ova"):
		return KindOVA
	}
	return KindUnknown
}

// isBlobHostFold reports whether host (any case) is on an Azure Blob storage endpoint.
func isBlobHostFold(host string) bool {
	for _, suffix := range [...]string{".blob.core.windows.net", ".blob.core.chinacloudapi.cn", ".blob.core.usgovcloudapi.net", ".blob.core.cloudapi.de"} {
		if len(host) > len(suffix) && hasSuffixFold(host, suffix) {
			return true
		}
	}
	return false
}

// hasVHDExtension reports whether a path ends in .vhd or .vhdx (any case).
func hasVHDExtension(path string) bool {
	return hasSuffixFold(path, ".vhd") || hasSuffixFold(path, ".vhdx")
}

// pathOnly returns s without its query string or fragment.
func pathOnly(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// nextSegment splits the "/"-separated s into its first segment and the rest.
func nextSegment(s string) (seg, rest string, more bool) {
	return strings.Cut(s, "/")
}

// classifyAzureID recognises an Azure resource ID, /subscriptions/ID/resourceGroups/RG/…
// (with or without the leading slash), or a community or shared gallery image path.
func classifyAzureID(s string) Kind {
	rest := strings.TrimPrefix(s, "/")
	first, rest, _ := nextSegment(rest)
	switch {
	case strings.EqualFold(first, "subscriptions"):
		id, rest, _ := nextSegment(rest)
		groups, rest, _ := nextSegment(rest)
		rg, rest, _ := nextSegment(rest)
		if id == "" || !strings.EqualFold(groups, "resourceGroups") || rg == "" {
			return KindUnknown
		}
		var prev2, prev string
		for seg, more := "", rest != ""; more; {
			seg, rest, more = nextSegment(rest)
			if strings.EqualFold(prev2, "providers") && strings.EqualFold(prev, "Microsoft.Compute") {
				switch {
				case strings.EqualFold(seg, "galleries"):
					return KindAzureGalleryImage
				case strings.EqualFold(seg, "images"):
					return KindAzureManagedImage
				}
			}
			prev2, prev = prev, seg
		}
		return KindAzureResourceID
	case strings.EqualFold(first, "CommunityGalleries") || strings.EqualFold(first, "SharedGalleries"):
		name, rest, _ := nextSegment(rest)
		images, rest, _ := nextSegment(rest)
		image, _, _ := nextSegment(rest)
		if name != "" && strings.EqualFold(images, "Images") && image != "" {
			return KindAzureGalleryImage
		}
	}
	return KindUnknown
}

// isStrictMarketplaceURN reports whether s is publisher:offer:sku:version with a version
// that is "latest" or a dotted number, as marketplace URNs have; a looser four-part
// value could be a vSphere template name.
func isStrictMarketplaceURN(s string) bool {
	if !isMarketplaceURN(s) {
		return false
	}
	version := s[strings.LastIndexByte(s, ':')+1:]
	if strings.EqualFold(version, "latest") {
		return true
	}
	for part := range strings.SplitSeq(version, ".") {
		if !isAllDigits(part) {
			return false
		}
	}
	return true
}

// isHostedOCIReference reports whether s is a valid OCI image reference whose first
// segment is a registry host (it has a dot or a port, or is localhost) and that names a
// tag or a digest.
func isHostedOCIReference(s string) bool {
	first, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || !(first == "localhost" || strings.ContainsAny(first, ".:")) {
		return false
	}
	if strings.IndexByte(s, '@') < 0 && strings.LastIndexByte(s, ':') < strings.LastIndexByte(s, '/') {
		return false // no tag, no digest
	}
	_, p := parseOCIWith(s, false)
	return p == nil
}

// classifyPath recognises, in a value without a scheme, a vSphere OVA (a last segment
// ending in ".ova", without the ':' of an image tag) or template path (a "vm" folder
// below another, or a "template" or "templates" folder).
func classifyPath(s string) Kind {
	last := s[strings.LastIndexByte(s, '/')+1:]
	if last == "" {
		return KindUnknown // a folder, not a template
	}
	if len(last) > len(".ova") && hasSuffixFold(last, ".ova") && strings.IndexByte(last, ':') < 0 {
		return KindOVA
	}
	prev := ""
	for seg, rest, more := nextSegment(strings.TrimPrefix(s, "/")); more; seg, rest, more = nextSegment(rest) {
		switch {
		case seg == "vm" && prev != "":
			return KindTemplatePath
		case strings.EqualFold(seg, "template") || strings.EqualFold(seg, "templates"):
			return KindTemplatePath
		}
		prev = seg
	}
	return KindUnknown
}

// hasSpaceOrControl reports whether s holds white space or a control character
// anywhere, scanning ASCII bytes without decoding them.
func hasSpaceOrControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		} else if c >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], isSpaceOrControl) >= 0
		}
	}
	return false
}

// firstControlOrEdgeSpaceIndex is the index part of [firstControlOrEdgeSpace].
func firstControlOrEdgeSpaceIndex(s string) int {
	i, _ := firstControlOrEdgeSpace(s)
	return i
}

// wrongCloud returns the problem for s when [Classify] recognises it as another cloud's
// image than cloudType's, or nil. A relative template path is also a Docker Hub
// reference ("templates/os" is the image os of the user templates), so it is not
// another cloud's image on Edge.
func wrongCloud(s, cloudType string) *Problem {
	k := classify(s, cloudType == CloudTypeEdge)
	from := k.CloudType()
	if from == "" || from == cloudType {
		return nil
	}
	if cloudType == CloudTypeEdge && k == KindTemplatePath && !strings.HasPrefix(s, "/") {
		return nil
	}
	return newProblem(finding.CodeImageWrongCloud,
		fmt.Sprintf("%s is %s; %s profile needs %s.", quote(s), k, withArticle(cloudType), cloudNeeds(cloudType)),
		fmt.Sprintf("%s %s", cloudFix(cloudType, k), cloudElsewhere(from)))
}

// cloudTitle names a cloud type for prose.
func cloudTitle(cloudType string) string {
	switch cloudType {
	case CloudTypeAWS:
		return "AWS"
	case CloudTypeAzure:
		return "Azure"
	case CloudTypeVSphere:
		return "vSphere"
	case CloudTypeEdge:
		return "Edge hosts"
	}
	return cloudType
}

// withArticle returns "a vsphere", "an aws": the cloud type with its article.
func withArticle(cloudType string) string {
	if cloudType != "" && strings.ContainsRune("aeiou", rune(cloudType[0])) {
		return "an " + cloudType
	}
	return "a " + cloudType
}

// cloudNeeds says what image a cloud type takes.
func cloudNeeds(cloudType string) string {
	switch cloudType {
	case CloudTypeAWS:
		return "an AMI ID, " + amiShape
	case CloudTypeAzure:
		return "the https blob URL of a VHD, " + exampleVHD
	case CloudTypeVSphere:
		return templateShape
	case CloudTypeEdge:
		return ociShape
	}
	return "an image of its own cloud"
}

// cloudFix says how to get the image cloudType takes, from an image of form k.
func cloudFix(cloudType string, k Kind) string {
	switch cloudType {
	case CloudTypeAWS:
		fix := fmt.Sprintf("Give the ID of an AMI built from the same OS, in the cluster's region, for example %q.", exampleAMI)
		if k == KindVHDURL || k == KindOVA {
			fix += " `aws ec2 import-image` turns a VHD or an OVA uploaded to S3 into an AMI."
		}
		return fix
	case CloudTypeAzure:
		return "Give the blob URL of a fixed-size VHD built from the same OS, uploaded as a page blob: " + exampleVHD + "."
	case CloudTypeVSphere:
		return "Give the name or inventory path of a VM template built from the same OS in vCenter, for example \"/Datacenter/vm/templates/rhel-8-kube-v1.30.5\"."
	case CloudTypeEdge:
		return fmt.Sprintf("Give the provider image built with CanvOS and pushed to a registry, for example %q.", exampleOCI)
	}
	return "Give an image of the profile's own cloud."
}

// cloudElsewhere says where an image of cloud type from belongs instead.
func cloudElsewhere(from string) string {
	if from == CloudTypeEdge {
		return "If this is an Edge provider image, the cluster is an Edge one: use it as options.system.uri of the edge-native-byoi pack in an edge-native profile."
	}
	return fmt.Sprintf("If the cluster is meant to run on %s, use it in %s profile (cloudType: %s) with the generic-byoi pack.", cloudTitle(from), withArticle(from), from)
}
