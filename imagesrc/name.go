package imagesrc

import (
	"regexp"
	"strings"
)

// Name is what an image name written the way Kubernetes image-builder
// writes names says about the image.
type Name struct {
	// Form is the naming the name follows: one of the Form constants.
	Form string
	// OSName is the distribution in lower case: ubuntu, rhel, flatcar...
	OSName string
	// OSVersion is the distribution's version: "24.04" (from ubuntu-2404 or
	// ubuntu-24.04), "8"; empty when the name gives none (flatcar-stable).
	OSVersion string
	// Kubernetes is the Kubernetes version as the name writes it (v1.30.1),
	// empty when the name has none.
	Kubernetes string
}

// The namings ParseName recognises.
const (
	// FormAMI is image-builder's AMI name, capa-ami-<build_name>-<kubernetes>-<timestamp>
	// (capa-ami-ubuntu-24.04-v1.30.1-1716000000), where an OS package
	// revision may follow the Kubernetes version (1.30.1-1.1).
	FormAMI = "capa-ami"
	// FormOVA is image-builder's OVA and vSphere template name,
	// <build_name>-kube-<kubernetes> (ubuntu-2404-kube-v1.30.1), with or without .ova.
	FormOVA = "ova"
	// FormBuildName is an image-builder build name, <os>-<version>[-variant]
	// (ubuntu-2404, rhel-8, ubuntu-2204-efi), also as the Azure builders name
	// it, vhd-<build_name> or sig-<build_name>.
	FormBuildName = "build-name"
)

var (
	semverRe    = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$`)
	k8sSegRe    = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+$`)
	timestampRe = regexp.MustCompile(`^[0-9]{9,}$`)
	osWordRe    = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	versionRe   = regexp.MustCompile(`^[0-9][0-9a-z.]*$`)
)

// ParseName reads an image name written the way Kubernetes image-builder
// names its images: an AMI name capa-ami-<os>-<k8s>-<timestamp>, an OVA or
// template name <os>-kube-<k8s>[.ova], or a build name <os>-<version>
// (vhd-… and sig-… as its Azure builders are named). It reports false for a
// name that follows none of them. ParseName is a pure function.
func ParseName(s string) (Name, bool) {
	if s == "" || len(s) > 512 || strings.ContainsAny(s, " \t\r\n/\\:") {
		return Name{}, false
	}
	if rest, ok := strings.CutPrefix(s, "capa-ami-"); ok {
		return parseAMIName(rest)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(s, ".ova"), ".OVA")
	if i := strings.LastIndex(base, "-kube-"); i > 0 {
		k8s := base[i+len("-kube-"):]
		if !semverRe.MatchString(k8s) {
			return Name{}, false
		}
		n, ok := parseBuildName(base[:i])
		if !ok {
			return Name{}, false
		}
		n.Form, n.Kubernetes = FormOVA, k8s
		return n, true
	}
	if base != s {
		return Name{}, false // an .ova without -kube-
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "vhd-"), "sig-")
	// A bare build name is a weak pattern: take it only for the
	// distributions image-builder builds.
	if n, ok := parseBuildName(s); ok && isBuildOS(n.OSName) {
		return n, true
	}
	return Name{}, false
}

// isBuildOS reports whether os is a distribution Kubernetes image-builder
// builds images of, as its build names begin.
func isBuildOS(os string) bool {
	switch os {
	case "almalinux", "amazon", "azurelinux", "centos", "flatcar", "mariner", "photon", "rhel", "rockylinux", "ubuntu", "windows":
		return true
	}
	return false
}

// parseAMIName reads <build_name>-<k8s>[-<revision>]-<timestamp>.
func parseAMIName(rest string) (Name, bool) {
	segs := strings.Split(rest, "-")
	if len(segs) < 3 || !timestampRe.MatchString(segs[len(segs)-1]) {
		return Name{}, false
	}
	segs = segs[:len(segs)-1]
	for i := 1; i < len(segs); i++ {
		if !k8sSegRe.MatchString(segs[i]) {
			continue
		}
		// What follows the version may only be an OS package revision (1.1).
		if tail := segs[i+1:]; len(tail) > 1 || len(tail) == 1 && !versionRe.MatchString(tail[0]) {
			return Name{}, false
		}
		n, ok := parseBuildName(strings.Join(segs[:i], "-"))
		if !ok {
			return Name{}, false
		}
		n.Form, n.Kubernetes = FormAMI, segs[i]
		return n, true
	}
	return Name{}, false
}

// parseBuildName reads <os>-<version>[-variant…] or a lone <os>.
func parseBuildName(s string) (Name, bool) {
	segs := strings.Split(s, "-")
	if !osWordRe.MatchString(segs[0]) || semverRe.MatchString(s) {
		return Name{}, false
	}
	n := Name{Form: FormBuildName, OSName: segs[0]}
	if len(segs) > 1 {
		if !versionRe.MatchString(segs[1]) {
			if len(segs) > 2 || !osWordRe.MatchString(segs[1]) {
				return Name{}, false
			}
			return n, true // flatcar-stable: a channel, not a version
		}
		n.OSVersion = segs[1]
		for _, v := range segs[2:] {
			if !osWordRe.MatchString(v) && !versionRe.MatchString(v) {
				return Name{}, false
			}
		}
	} else {
		return Name{}, false // one word names nothing image-builder builds
	}
	if n.OSName == "ubuntu" && len(n.OSVersion) == 4 && isDigits(n.OSVersion) {
		n.OSVersion = n.OSVersion[:2] + "." + n.OSVersion[2:] // 2404 is 24.04
	}
	return n, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
