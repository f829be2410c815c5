package profile

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

// CrossLayerRule is a check that reads values of more than one layer of a
// profile (or two values of one layer that other layers depend on), such as
// a CNI's IP pool against the K8s layer's pod range. Each rule reports one
// finding code; `byoos explain CODE` says what it checks and how to fix it.
//
// Rules read the layers' resolved values (macros resolved), and stay silent
// where a value is absent, not readable (the pack's schema or BYOOS rules
// report that) or only known at deployment.
type CrossLayerRule struct {
	// Code is the finding code the rule reports.
	Code string
	// Summary says in one line what the rule checks.
	Summary string
	// Check reads the validated layers and returns what it finds, each
	// finding with the layer whose values it points into.
	Check func(layers []Layer) []LayerFinding
}

// LayerFinding is a finding of a cross-layer rule and the layer whose values
// it points into (Path, Line and Column count in that layer's values). Its
// message names the other place: the other layer, path and value.
type LayerFinding struct {
	At      *Layer
	Finding finding.Finding
}

// CrossLayerRules returns every cross-layer rule, in the order they run, in a
// new slice.
func CrossLayerRules() []CrossLayerRule {
	return []CrossLayerRule{
		{Code: finding.CodeCrossEdgeDistribution, Summary: "edge-native-byoi's options.system.k8sDistribution names the distribution of the K8s layer (edge-k3s: k3s, edge-rke2: rke2, kubernetes: kubeadm)", Check: checkEdgeDistribution},
		{Code: finding.CodeCrossEdgeURIKubernetes, Summary: "a provider image tag of CanvOS's shape DISTRO-K8SVERSION-PEVERSION[-CUSTOMTAG] in options.system.uri names the K8s layer's Kubernetes version and distribution", Check: checkEdgeURIKubernetes},
		{Code: finding.CodeCrossCNIPoolOutsidePods, Summary: "every Calico IP pool (IPv4 and IPv6) lies inside a pod range of the K8s layer", Check: checkCNIPools},
		{Code: finding.CodeCrossServiceOverlapsPods, Summary: "the K8s layer's service range does not overlap its pod range", Check: checkServiceRange},
	}
}

// checkCrossLayer runs every cross-layer rule over the validated layers and
// places their findings in the document.
func (v *Validator) checkCrossLayer(d *Document, r *Result) {
	for _, rule := range CrossLayerRules() {
		for _, lf := range rule.Check(r.Layers) {
			r.Findings.Add(v.place(d, lf.At, lf.Finding))
		}
	}
}

// k8sPack is what the cross-layer rules know of a K8s pack: the
// distributions its provider image may carry (the first is the one to
// suggest) and where its values hold the pod and service ranges.
type k8sPack struct {
	distros        []string
	pods, services string
}

// k8sPackOf returns what the rules know of the K8s pack named name.
func k8sPackOf(name string) (k8sPack, bool) {
	switch name {
	case "kubernetes", "edge-k8s":
		return k8sPack{distros: []string{"kubeadm", "kubeadm-fips"}, pods: "pack.podCIDR", services: "pack.serviceClusterIpRange"}, true
	case "edge-k3s":
		return k8sPack{distros: []string{"k3s"}, pods: "cluster.config.cluster-cidr", services: "cluster.config.service-cidr"}, true
	case "edge-rke2":
		return k8sPack{distros: []string{"rke2"}, pods: "cluster.config.cluster-cidr", services: "cluster.config.service-cidr"}, true
	}
	return k8sPack{}, false
}

// k8sLayer returns the profile's first K8s layer with resolved values that
// the rules know, and what they know of it.
func k8sLayer(layers []Layer) (*Layer, k8sPack, bool) {
	for i := range layers {
		l := &layers[i]
		if l.Pack == nil || l.Pack.Meta.Layer != "k8s" || l.Resolved == nil {
			continue
		}
		kp, ok := k8sPackOf(l.Pack.Meta.Name)
		return l, kp, ok
	}
	return nil, k8sPack{}, false
}

// layerOf returns the first layer of pack name with resolved values.
func layerOf(layers []Layer, name string) *Layer {
	for i := range layers {
		if l := &layers[i]; l.Pack != nil && l.Pack.Meta.Name == name && l.Resolved != nil {
			return l
		}
	}
	return nil
}

// edgeOSLayer returns the profile's OS layer when it is edge-native-byoi
// with resolved values: the first os layer (another one is refused).
func edgeOSLayer(layers []Layer) *Layer {
	for i := range layers {
		l := &layers[i]
		if l.Pack == nil || l.Pack.Meta.Layer != "os" {
			continue
		}
		if l.Pack.Meta.Name != "edge-native-byoi" || l.Resolved == nil {
			return nil
		}
		return l
	}
	return nil
}

// known returns the scalar at path in a layer's resolved values when it is
// set and known now: not absent, empty, a collection or deferred to deployment.
func known(l *Layer, path string) (*yaml.Node, bool) {
	n, ok := l.Resolved.Lookup(path)
	if !ok {
		return nil, false
	}
	n = values.Deref(n)
	if n.Kind != yaml.ScalarNode || values.IsEmpty(n) || l.Resolved.IsUnknown(n) {
		return nil, false
	}
	return n, true
}

// where names a value of a layer for a message: packs[NAME].PATH, as
// findings name their paths.
func where(l *Layer, path string) string {
	s := "packs[" + l.Ref.Name + "]." + path
	if l.Defaulted {
		s += " (the pack's default)"
	}
	return s
}

// field names a layer in the profile document, e.g. spec.template.packs[1].
func field(l *Layer) string { return fmt.Sprintf("spec.template.packs[%d]", l.Index) }

// checkEdgeDistribution: options.system.k8sDistribution of edge-native-byoi
// names the K8s layer's distribution.
func checkEdgeDistribution(layers []Layer) []LayerFinding {
	osl := edgeOSLayer(layers)
	k8s, kp, ok := k8sLayer(layers)
	if osl == nil || !ok {
		return nil
	}
	const path = "options.system.k8sDistribution"
	n, ok := known(osl, path)
	if !ok || slices.Contains(kp.distros, n.Value) {
		return nil
	}
	return []LayerFinding{{At: osl, Finding: finding.Finding{Severity: finding.Error, Code: finding.CodeCrossEdgeDistribution, Path: path, Line: n.Line, Column: n.Column,
		Message: fmt.Sprintf("%s is %q, but the K8s layer %s (%s) installs %s; the provider image must carry the distribution the profile installs",
			path, n.Value, k8s.Ref.Name, field(k8s), kp.distros[0]),
		Hint: fmt.Sprintf("set options: {system.k8sDistribution: %q}, or use the K8s layer for %s", kp.distros[0], n.Value)}}}
}

// canvosTag is the tag CanvOS gives a provider image:
// DISTRO-K8SVERSION-PEVERSION, then -CUSTOMTAG if one was set.
var canvosTag = regexp.MustCompile(`^(k3s|rke2|kubeadm-fips|kubeadm|nodeadm|canonical)-v?([0-9]+\.[0-9]+\.[0-9]+)-v?[0-9]+\.[0-9]+\.[0-9]+(?:-[A-Za-z0-9_.-]+)?$`)

// imageTag returns the tag of an image reference, "" if it has none. Whether
// the reference is valid is edge-native-byoi's rules' to say; a tag that does
// not have CanvOS's shape is not compared.
func imageTag(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	i := strings.LastIndexByte(ref, ':')
	if i < 0 || i < strings.LastIndexByte(ref, '/') {
		return ""
	}
	return ref[i+1:]
}

// checkEdgeURIKubernetes: a provider image tag of CanvOS's shape names the
// K8s layer's Kubernetes version, and its distribution (unless
// options.system.k8sDistribution names the same other distribution, which
// checkEdgeDistribution reports).
func checkEdgeURIKubernetes(layers []Layer) []LayerFinding {
	osl := edgeOSLayer(layers)
	k8s, kp, ok := k8sLayer(layers)
	if osl == nil || !ok {
		return nil
	}
	const path = "options.system.uri"
	n, ok := known(osl, path)
	if !ok {
		return nil
	}
	tag := imageTag(n.Value)
	m := canvosTag.FindStringSubmatch(tag)
	if m == nil {
		return nil // not CanvOS's shape: nothing to compare
	}
	distro, version := m[1], m[2]
	want := strings.TrimPrefix(k8s.Pack.Meta.Version, "v")
	var differ []string
	if version != want {
		differ = append(differ, fmt.Sprintf("Kubernetes %s, but the K8s layer %s (%s) is version %s", version, k8s.Ref.Name, field(k8s), want))
	}
	if !slices.Contains(kp.distros, distro) {
		if d, ok := known(osl, "options.system.k8sDistribution"); !ok || d.Value != distro {
			differ = append(differ, fmt.Sprintf("the distribution %s, but the K8s layer %s installs %s", distro, k8s.Ref.Name, kp.distros[0]))
		}
	}
	if len(differ) == 0 {
		return nil
	}
	return []LayerFinding{{At: osl, Finding: finding.Finding{Severity: finding.Warning, Code: finding.CodeCrossEdgeURIKubernetes, Path: path, Line: n.Line, Column: n.Column,
		Message: fmt.Sprintf("the provider image tag %s in %s names %s; the host would run another Kubernetes than the profile declares", tag, path, strings.Join(differ, ", and ")),
		Hint:    fmt.Sprintf("use a provider image built for %s %s (CanvOS K8S_DISTRIBUTION=%s, K8S_VERSION=%s), or build system.uri with {{ .spectro.system.kubernetes.version }} so the two cannot drift", kp.distros[0], want, kp.distros[0], want)}}}
}

// prefixes parses a CIDR list as Kubernetes writes it: one CIDR, or several
// separated by commas (dual stack). ok is false if any part is not a CIDR.
func prefixes(s string) ([]netip.Prefix, bool) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(part))
		if err != nil {
			return nil, false
		}
		out = append(out, p.Masked())
	}
	return out, len(out) > 0
}

// ranges reads the CIDR list at path of a layer, if it is set, known and valid.
func ranges(l *Layer, path string) (*yaml.Node, []netip.Prefix, bool) {
	n, ok := known(l, path)
	if !ok {
		return nil, nil, false
	}
	ps, ok := prefixes(n.Value)
	return n, ps, ok
}

// contains reports whether prefix a holds all of b.
func contains(a, b netip.Prefix) bool {
	return a.Addr().Is4() == b.Addr().Is4() && a.Bits() <= b.Bits() && a.Contains(b.Addr())
}

// family names the IP family of a prefix.
func family(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// joinPrefixes writes prefixes as Kubernetes does, separated by commas.
func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// calicoPools lists where the Calico pack's values hold IP pools: the
// pools of calicoNetworkConfig (the IPv6 one only when enabled) and the
// calico-node environment that overrides them.
func calicoPools(l *Layer) []string {
	const base = "manifests.calico."
	paths := []string{base + "calicoNetworkConfig.ipv4.cidr"}
	if n, ok := known(l, base+"calicoNetworkConfig.ipv6.enabled"); ok && strings.EqualFold(n.Value, "true") {
		paths = append(paths, base+"calicoNetworkConfig.ipv6.cidr")
	}
	return append(paths, base+"env.calicoNode.CALICO_IPV4POOL_CIDR", base+"env.calicoNode.CALICO_IPV6POOL_CIDR")
}

// checkCNIPools: every Calico pool lies inside a pod range of the K8s layer
// of its family.
func checkCNIPools(layers []Layer) []LayerFinding {
	cni := layerOf(layers, "cni-calico")
	k8s, kp, ok := k8sLayer(layers)
	if cni == nil || !ok {
		return nil
	}
	_, pods, ok := ranges(k8s, kp.pods)
	if !ok {
		return nil
	}
	var out []LayerFinding
	for _, path := range calicoPools(cni) {
		n, pools, ok := ranges(cni, path)
		if !ok {
			continue
		}
		for _, pool := range pools {
			if slices.ContainsFunc(pods, func(pod netip.Prefix) bool { return contains(pod, pool) }) {
				continue
			}
			msg := fmt.Sprintf("the Calico pool %s at %s is outside the pod range %s of the K8s layer (%s); pods would get addresses the control plane does not route",
				pool, path, joinPrefixes(pods), where(k8s, kp.pods))
			hint := fmt.Sprintf("set %s inside %s, or widen %s of the %s layer to hold %s", path, joinPrefixes(pods), kp.pods, k8s.Ref.Name, pool)
			if !slices.ContainsFunc(pods, func(pod netip.Prefix) bool { return pod.Addr().Is4() == pool.Addr().Is4() }) {
				msg = fmt.Sprintf("the Calico pool %s at %s is %s, but the K8s layer's pod range %s (%s) has no %s range; pods would get addresses the control plane does not route",
					pool, path, family(pool), joinPrefixes(pods), where(k8s, kp.pods), family(pool))
				hint = fmt.Sprintf("add an %s range to %s of the %s layer (dual stack: IPV4CIDR,IPV6CIDR), or remove the pool", family(pool), kp.pods, k8s.Ref.Name)
			}
			out = append(out, LayerFinding{At: cni, Finding: finding.Finding{Severity: finding.Error, Code: finding.CodeCrossCNIPoolOutsidePods, Path: path, Line: n.Line, Column: n.Column, Message: msg, Hint: hint}})
		}
	}
	return out
}

// checkServiceRange: the K8s layer's service range does not overlap its pod
// range.
func checkServiceRange(layers []Layer) []LayerFinding {
	k8s, kp, ok := k8sLayer(layers)
	if !ok {
		return nil
	}
	_, pods, ok := ranges(k8s, kp.pods)
	if !ok {
		return nil
	}
	n, services, ok := ranges(k8s, kp.services)
	if !ok {
		return nil
	}
	for _, svc := range services {
		for _, pod := range pods {
			if !svc.Overlaps(pod) {
				continue
			}
			return []LayerFinding{{At: k8s, Finding: finding.Finding{Severity: finding.Error, Code: finding.CodeCrossServiceOverlapsPods, Path: kp.services, Line: n.Line, Column: n.Column,
				Message: fmt.Sprintf("the service range %s at %s overlaps the pod range %s (%s); service and pod addresses would collide",
					svc, kp.services, pod, where(k8s, kp.pods)),
				Hint: fmt.Sprintf("choose ranges that do not overlap: move %s or %s", kp.services, kp.pods)}}}
		}
	}
	return nil
}
