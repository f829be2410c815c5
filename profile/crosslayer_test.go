package profile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/finding"
)

// layer is one layer of a test profile: a pack, a tag and its values ("" for
// the pack's defaults).
type layer struct{ name, tag, values string }

// stack builds an infra profile of the given layers.
func stack(cloud string, layers ...layer) string {
	var b strings.Builder
	b.WriteString("metadata:\n  name: test\nspec:\n  version: 1.0.0\n  template:\n    type: infra\n    cloudType: " + cloud + "\n    packs:\n")
	for _, l := range layers {
		b.WriteString("      - name: " + l.name + "\n        tag: " + l.tag + "\n")
		if l.values == "" {
			continue
		}
		b.WriteString("        values: |\n")
		for _, line := range strings.Split(strings.TrimRight(l.values, "\n"), "\n") {
			b.WriteString("          " + line + "\n")
		}
	}
	return b.String()
}

// edgeOS is edge-native-byoi's values with system.uri built by the pack's
// default macro from the given distribution, as in examples/edge-native.yaml.
func edgeOS(distribution string) layer {
	return edgeOSURI(distribution, "{{ .spectro.pack.edge-native-byoi.options.system.registry }}/{{ .spectro.pack.edge-native-byoi.options.system.repo }}:{{ .spectro.pack.edge-native-byoi.options.system.k8sDistribution }}-{{ .spectro.system.kubernetes.version }}-{{ .spectro.pack.edge-native-byoi.options.system.peVersion }}-{{ .spectro.pack.edge-native-byoi.options.system.customTag }}")
}

// edgeOSURI is edge-native-byoi's values with the given distribution and system.uri.
func edgeOSURI(distribution, uri string) layer {
	return layer{"edge-native-byoi", "2.1.0", `pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
options:
  system.uri: "` + uri + `"
  system.registry: "example.io"
  system.repo: "ubuntu"
  system.k8sDistribution: "` + distribution + `"
  system.peVersion: "v4.4.12"
  system.customTag: "demo"
`}
}

// awsOS is generic-byoi's values for AWS.
var awsOS = layer{"generic-byoi", "1.0.x", "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"}

// kubernetes is the kubernetes pack with the given pod and service ranges.
func kubernetes(pods, services string) layer {
	return layer{"kubernetes", "1.30.x", "pack:\n  podCIDR: \"" + pods + "\"\n  serviceClusterIpRange: \"" + services + "\"\n"}
}

// k3s is the edge-k3s pack with the given pod and service ranges.
func k3s(pods, services string) layer {
	return layer{"edge-k3s", "1.30.x", "cluster:\n  config:\n    cluster-cidr: \"" + pods + "\"\n    service-cidr: \"" + services + "\"\n    flannel-backend: \"none\"\n"}
}

// calico is the Calico pack with the given IPv4 pool and, if ipv6 is not
// empty, an enabled IPv6 pool.
func calico(ipv4, ipv6 string) layer {
	v := "manifests:\n  calico:\n    ipamType: \"calico-ipam\"\n    calicoNetworkConfig:\n      ipv4:\n        cidr: \"" + ipv4 + "\"\n        encapsulation: \"VXLAN\"\n"
	if ipv6 != "" {
		v += "      ipv6:\n        enabled: true\n        cidr: \"" + ipv6 + "\"\n"
	}
	return layer{"cni-calico", "3.29.x", v}
}

// crossCodes are the codes of the cross-layer rules.
func crossCodes() []string {
	var out []string
	for _, r := range CrossLayerRules() {
		out = append(out, r.Code)
	}
	return out
}

// crossFindings returns the findings of the cross-layer rules.
func crossFindings(fl finding.List) finding.List {
	codes := crossCodes()
	var out finding.List
	for _, f := range fl {
		if slices.Contains(codes, f.Code) {
			out = append(out, f)
		}
	}
	return out
}

func TestCrossLayerRules(t *testing.T) {
	const (
		distribution = finding.CodeCrossEdgeDistribution
		uriVersion   = finding.CodeCrossEdgeURIKubernetes
		pool         = finding.CodeCrossCNIPoolOutsidePods
		overlap      = finding.CodeCrossServiceOverlapsPods
	)
	tests := []struct {
		name    string
		profile string
		opts    Options
		want    []string // codes of the cross-layer findings, in order
		// in are texts every finding's message must hold (both places named).
		in []string
	}{
		{
			name:    "an edge-native profile whose k8sDistribution is rke2 while its K8s layer is edge-k3s is an error",
			profile: stack("edge-native", edgeOS("rke2"), layer{"edge-k3s", "1.30.x", ""}),
			want:    []string{distribution},
			in:      []string{`options.system.k8sDistribution is "rke2"`, "K8s layer edge-k3s (spec.template.packs[1])", "installs k3s"},
		},
		{
			name:    "k8sDistribution k3s with an edge-k3s layer is fine",
			profile: stack("edge-native", edgeOS("k3s"), layer{"edge-k3s", "1.30.x", ""}),
		},
		{
			name:    "k8sDistribution rke2 with an edge-rke2 layer is fine",
			profile: stack("edge-native", edgeOS("rke2"), layer{"edge-rke2", "1.30.x", ""}),
		},
		{
			name:    "k8sDistribution k3s with an edge-rke2 layer is an error",
			profile: stack("edge-native", edgeOS("k3s"), layer{"edge-rke2", "1.30.x", ""}),
			want:    []string{distribution},
			in:      []string{"installs rke2"},
		},
		{
			name:    "k8sDistribution kubeadm with the kubeadm-based kubernetes layer is fine",
			profile: stack("edge-native", edgeOS("kubeadm"), layer{"kubernetes", "1.30.x", ""}),
		},
		{
			name:    "k8sDistribution kubeadm-fips with the kubeadm-based kubernetes layer is fine",
			profile: stack("edge-native", edgeOS("kubeadm-fips"), layer{"kubernetes", "1.30.x", ""}),
		},
		{
			name:    "k8sDistribution k3s with the kubeadm-based kubernetes layer is an error",
			profile: stack("edge-native", edgeOS("k3s"), layer{"kubernetes", "1.30.x", ""}),
			want:    []string{distribution},
			in:      []string{"K8s layer kubernetes", "installs kubeadm"},
		},
		{
			name:    "an edge-native-byoi layer that is not the profile's OS layer is not compared",
			profile: stack("aws", awsOS, edgeOS("k3s"), kubernetes("192.168.0.0/16", "10.96.0.0/12")),
		},
		{
			name:    "a fully written system.uri tag k3s-1.29.5-v4.4.12-demo with an edge-k3s 1.30 layer is a warning",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io/ubuntu:k3s-1.29.5-v4.4.12-demo"), layer{"edge-k3s", "1.30.x", ""}),
			want:    []string{uriVersion},
			in:      []string{"k3s-1.29.5-v4.4.12-demo", "Kubernetes 1.29.5", "K8s layer edge-k3s (spec.template.packs[1]) is version 1.30.6"},
		},
		{
			name:    "a fully written system.uri tag of the K8s layer's version is fine",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io:5000/ubuntu:k3s-1.30.6-v4.4.12-demo"), layer{"edge-k3s", "1.30.x", ""}),
		},
		{
			name:    "a system.uri tag without a custom tag is compared too",
			profile: stack("edge-native", edgeOSURI("rke2", "example.io/ubuntu:rke2-1.31.2-v4.5.0"), layer{"edge-rke2", "1.30.x", ""}),
			want:    []string{uriVersion},
			in:      []string{"Kubernetes 1.31.2", "is version 1.30.6"},
		},
		{
			name:    "a system.uri with a tag and a digest is compared by its tag",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io:5000/edge/ubuntu:k3s-1.29.5-v4.4.12-demo@sha256:"+strings.Repeat("ab", 32)), layer{"edge-k3s", "1.30.x", ""}),
			want:    []string{uriVersion},
			in:      []string{"Kubernetes 1.29.5"},
		},
		{
			name:    "a system.uri without a tag, from a registry with a port, is not compared",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io:5000/k3s-1.29.5-v4.4.12-demo"), layer{"edge-k3s", "1.30.x", ""}),
		},
		{
			name:    "a system.uri tag of another shape is not compared",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io/ubuntu:v1.29.5"), layer{"edge-k3s", "1.30.x", ""}),
		},
		{
			name:    "a system.uri tag naming rke2 with an edge-k3s layer and k8sDistribution k3s is a warning",
			profile: stack("edge-native", edgeOSURI("k3s", "example.io/ubuntu:rke2-1.30.6-v4.4.12-demo"), layer{"edge-k3s", "1.30.x", ""}),
			want:    []string{uriVersion},
			in:      []string{"the distribution rke2", "installs k3s"},
		},
		{
			name:    "a Calico IPv4 pool 10.244.0.0/16 outside the kubernetes layer's podCIDR 192.168.0.0/16 is an error",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("10.244.0.0/16", "")),
			want:    []string{pool},
			in:      []string{"Calico pool 10.244.0.0/16", "manifests.calico.calicoNetworkConfig.ipv4.cidr", "pod range 192.168.0.0/16", "packs[kubernetes].pack.podCIDR"},
		},
		{
			name:    "a Calico pool inside the pod range is fine",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("192.168.128.0/17", "")),
		},
		{
			name:    "several Calico pools, comma-separated, are each checked",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("192.168.0.0/17, 10.0.0.0/24", "")),
			want:    []string{pool},
			in:      []string{"Calico pool 10.0.0.0/24"},
		},
		{
			name:    "a Calico IPv6 pool outside the IPv6 pod range of a dual-stack kubernetes layer is an error",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16,fd00:10:244::/48", "10.96.0.0/12,fd00:10:96::/108"), calico("192.168.0.0/16", "fd00:99::/56")),
			want:    []string{pool},
			in:      []string{"Calico pool fd00:99::/56", "manifests.calico.calicoNetworkConfig.ipv6.cidr", "pod range 192.168.0.0/16,fd00:10:244::/48"},
		},
		{
			name:    "a Calico IPv6 pool inside the IPv6 pod range of a dual-stack layer is fine",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16,fd00:10:244::/48", "10.96.0.0/12,fd00:10:96::/108"), calico("192.168.0.0/16", "fd00:10:244:100::/56")),
		},
		{
			name:    "an enabled Calico IPv6 pool with an IPv4-only pod range is an error",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("192.168.0.0/16", "fd00:10:244::/56")),
			want:    []string{pool},
			in:      []string{"is IPv6", "has no IPv6 range"},
		},
		{
			name:    "a Calico pool outside edge-k3s's cluster-cidr is an error",
			profile: stack("edge-native", edgeOS("k3s"), k3s("100.64.0.0/18", "100.64.64.0/18"), calico("192.168.0.0/16", "")),
			want:    []string{pool},
			in:      []string{"packs[edge-k3s].cluster.config.cluster-cidr", "100.64.0.0/18"},
		},
		{
			name:    "a Calico pool set to edge-rke2's cluster-cidr is fine",
			profile: stack("edge-native", edgeOS("rke2"), layer{"edge-rke2", "1.30.x", ""}, calico("100.64.0.0/18", "")),
		},
		{
			name: "a CALICO_IPV4POOL_CIDR in calico-node's environment outside the pod range is an error",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), layer{"cni-calico", "3.29.x", `manifests:
  calico:
    ipamType: "calico-ipam"
    calicoNetworkConfig:
      ipv4:
        cidr: "192.168.0.0/16"
        encapsulation: "VXLAN"
    env:
      calicoNode:
        CALICO_IPV4POOL_CIDR: "172.16.0.0/16"
`}),
			want: []string{pool},
			in:   []string{"Calico pool 172.16.0.0/16", "CALICO_IPV4POOL_CIDR"},
		},
		{
			name: "a Calico pool built by a macro from the wrong kubernetes key is checked as resolved",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"),
				calico("{{ .spectro.pack.kubernetes.pack.serviceClusterIpRange }}", "")),
			want: []string{pool},
			in:   []string{"Calico pool 10.96.0.0/12"},
		},
		{
			name: "a Calico pool built by a macro from the pod range is fine",
			profile: stack("aws", awsOS, kubernetes("10.244.0.0/16", "10.96.0.0/12"),
				calico("{{ .spectro.pack.kubernetes.pack.podCIDR }}", "")),
		},
		{
			// The offline text, 10.244.0.0/16, is not the pool the cluster gets.
			name:    "a Calico pool known only at deployment is not checked",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("10.244.0.0/16{{ .spectro.system.cluster.name }}", "")),
		},
		{
			name:    "a pod range known only at deployment is not checked",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16{{ .spectro.system.cluster.name }}", "10.96.0.0/12"), calico("10.244.0.0/16", "")),
		},
		{
			name:    "a deployment-time value given with --set is checked",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("{{ .spectro.system.cluster.name }}", "")),
			opts:    Options{System: map[string]string{"cluster.name": "10.244.0.0/16"}},
			want:    []string{pool},
		},
		{
			name:    "a pod range that is not a CIDR is left to the pack's schema",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0", "10.96.0.0/12"), calico("10.244.0.0/16", "")),
		},
		{
			name:    "a service range overlapping the kubernetes pod range is an error",
			profile: stack("aws", awsOS, kubernetes("10.96.0.0/16", "10.96.0.0/12"), calico("10.96.0.0/16", "")),
			want:    []string{overlap},
			in:      []string{"service range 10.96.0.0/12", "pod range 10.96.0.0/16", "packs[kubernetes].pack.podCIDR"},
		},
		{
			name:    "a service range overlapping edge-k3s's cluster-cidr is an error",
			profile: stack("edge-native", edgeOS("k3s"), k3s("100.64.0.0/16", "100.64.64.0/18")),
			want:    []string{overlap},
			in:      []string{"service range 100.64.64.0/18", "packs[edge-k3s].cluster.config.cluster-cidr"},
		},
		{
			name:    "an IPv6 service range overlapping the IPv6 pod range of a dual-stack layer is an error",
			profile: stack("aws", awsOS, kubernetes("192.168.0.0/16,fd00:10::/48", "10.96.0.0/12,fd00:10::/108"), calico("192.168.0.0/16", "")),
			want:    []string{overlap},
			in:      []string{"service range fd00:10::/108"},
		},
		{
			name:    "adjacent service and pod ranges are fine",
			profile: stack("edge-native", edgeOS("k3s"), k3s("100.64.0.0/18", "100.64.64.0/18"), calico("100.64.0.0/18", "")),
		},
	}
	v := validator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("p.yaml", []byte(tc.profile))
			if err != nil {
				t.Fatal(err)
			}
			all := mustValidate(t, v, d, tc.opts).Findings
			got := crossFindings(all)
			if !slices.Equal(got.Codes(), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("cross-layer findings %v, want %v; all findings:\n%v", got.Codes(), tc.want, all)
			}
			for _, f := range got {
				for _, s := range tc.in {
					if !strings.Contains(f.Message, s) {
						t.Errorf("message %q does not hold %q", f.Message, s)
					}
				}
				if f.Line == 0 || f.Column == 0 || f.Layer == "" || f.Path == "" || f.Hint == "" {
					t.Errorf("finding is not placed or has no hint: %+v", f)
				}
			}
		})
	}
}

func TestACrossLayerFindingPointsAtTheValueAndNamesTheOtherPlace(t *testing.T) {
	src := stack("aws", awsOS, kubernetes("192.168.0.0/16", "10.96.0.0/12"), calico("10.244.0.0/16", ""))
	d, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fl := crossFindings(mustValidate(t, validator(t), d, Options{}).Findings)
	if len(fl) != 1 {
		t.Fatalf("findings = %v", fl)
	}
	f := fl[0]
	// The pool is on line 27 of the document, its value at column 15.
	lines := strings.Split(src, "\n")
	if f.Line < 1 || f.Line > len(lines) || !strings.Contains(lines[f.Line-1], `cidr: "10.244.0.0/16"`) || lines[f.Line-1][f.Column-1] != '"' {
		t.Errorf("finding at %d:%d, not at the pool's value:\n%s", f.Line, f.Column, src)
	}
	if f.Severity != finding.Error || f.Layer != "cni-calico" || f.Path != "manifests.calico.calicoNetworkConfig.ipv4.cidr" || f.Field != "spec.template.packs[2].values" {
		t.Errorf("finding = %+v", f)
	}
	if want := "packs[kubernetes].pack.podCIDR"; !strings.Contains(f.Message, want) || !strings.Contains(f.Message, "192.168.0.0/16") {
		t.Errorf("message %q does not name %s and its value", f.Message, want)
	}
}

func TestACrossLayerFindingInAPacksDefaultsPointsAtTheLayer(t *testing.T) {
	// Calico's default pool (192.168.0.0/16) with edge-k3s's default pod
	// range (100.64.0.0/18): the Calico README says to set the pool.
	src := stack("edge-native", edgeOS("k3s"), layer{"edge-k3s", "1.30.x", ""}, layer{"cni-calico", "3.29.x", ""})
	d, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fl := crossFindings(mustValidate(t, validator(t), d, Options{}).Findings)
	if len(fl) != 1 || fl[0].Code != finding.CodeCrossCNIPoolOutsidePods || fl[0].Field != "spec.template.packs[2]" ||
		!strings.Contains(fl[0].Message, "in the pack's default values") || !strings.Contains(fl[0].Message, "packs[edge-k3s].cluster.config.cluster-cidr (the pack's default)") {
		t.Fatalf("findings = %v", fl)
	}
}

func TestTheExamplesHaveNoCrossLayerFindings(t *testing.T) {
	files, err := filepath.Glob("../examples/*.*")
	if err != nil || len(files) < 8 {
		t.Fatalf("examples: %v %v", files, err)
	}
	v := validator(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(file, src)
			if err != nil {
				t.Fatal(err)
			}
			if fl := crossFindings(mustValidate(t, v, d, Options{}).Findings); len(fl) > 0 {
				t.Errorf("cross-layer findings:\n%v", fl)
			}
		})
	}
}

func TestTheBuiltInPacksDefaultsAgreeAcrossLayers(t *testing.T) {
	repo, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	v := validator(t)
	var k8s, cni []string
	for _, p := range repo.All() {
		switch p.Meta.Layer {
		case "k8s":
			k8s = append(k8s, p.Meta.Name+"@"+p.Meta.Version)
		case "cni":
			cni = append(cni, p.Meta.Name+"@"+p.Meta.Version)
		}
	}
	if len(k8s) < 8 || len(cni) < 2 {
		t.Fatalf("catalog has k8s packs %v and cni packs %v", k8s, cni)
	}
	// Every K8s pack's defaults alone (its own service and pod ranges), with
	// the OS layer of its cloud; the kubernetes packs also with every
	// Calico's defaults, as examples/aws.yaml uses them.
	for _, k := range k8s {
		name, tag, _ := strings.Cut(k, "@")
		combos := [][]layer{{awsOS, {name, tag, ""}}}
		if strings.HasPrefix(name, "edge-") {
			combos = [][]layer{{edgeOS(strings.TrimPrefix(name, "edge-")), {name, tag, ""}}}
		} else {
			for _, c := range cni {
				cn, ct, _ := strings.Cut(c, "@")
				combos = append(combos, []layer{awsOS, {name, tag, ""}, {cn, ct, ""}})
			}
		}
		for _, combo := range combos {
			cloud := "aws"
			if combo[0].name == "edge-native-byoi" {
				cloud = "edge-native"
			}
			var names []string
			for _, l := range combo {
				names = append(names, l.name+"@"+l.tag)
			}
			t.Run(strings.Join(names, "+"), func(t *testing.T) {
				d, err := Parse("p.yaml", []byte(stack(cloud, combo...)))
				if err != nil {
					t.Fatal(err)
				}
				if fl := crossFindings(mustValidate(t, v, d, Options{}).Findings); len(fl) > 0 {
					t.Errorf("cross-layer findings:\n%v", fl)
				}
			})
		}
	}
}

func TestEveryCrossLayerRuleHasItsOwnExplainedCode(t *testing.T) {
	rules := CrossLayerRules()
	if len(rules) < 4 {
		t.Fatalf("%d rules", len(rules))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.Code] {
			t.Errorf("two rules report %s; each rule has its own code", r.Code)
		}
		seen[r.Code] = true
		if r.Summary == "" || r.Check == nil {
			t.Errorf("rule %s has no summary or no check", r.Code)
		}
		if ex, ok := finding.Explain(r.Code); !ok || !strings.Contains(ex.Text, "cross-layer rule") {
			t.Errorf("byoos explain %s does not explain it as a cross-layer rule: %+v", r.Code, ex)
		}
		if r.Check(nil) != nil {
			t.Errorf("rule %s finds something in a profile without layers", r.Code)
		}
	}
	rules[0].Code = "changed"
	if CrossLayerRules()[0].Code == "changed" {
		t.Error("CrossLayerRules returns shared state")
	}
}

func FuzzPrefixes(f *testing.F) {
	for _, s := range []string{"192.168.0.0/16", "10.96.0.0/12,fd00:10:96::/108", " 10.0.0.0/8 , ::/0", "10.0.0.1/8", "", ",", "10.0.0.0/33", "fd00::/129"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, ok := prefixes(s)
		if ok != (len(ps) > 0) {
			t.Fatalf("prefixes(%q) = %v, %v", s, ps, ok)
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("prefixes(%q) gave %v, not a valid masked prefix", s, p)
			}
			if !contains(p, p) {
				t.Fatalf("%v does not contain itself", p)
			}
		}
	})
}

func FuzzImageTag(f *testing.F) {
	for _, s := range []string{"example.io/ubuntu:k3s-1.30.6-v4.4.12-demo", "example.io:5000/ubuntu", "ubuntu@sha256:ab", "a:b/c", "", ":", "x:y@z:w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag := imageTag(s)
		name, _, _ := strings.Cut(s, "@")
		if strings.ContainsAny(tag, "/@") || (tag != "" && !strings.HasSuffix(name, ":"+tag)) {
			t.Fatalf("imageTag(%q) = %q", s, tag)
		}
	})
}
