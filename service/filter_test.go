package service

import (
	"reflect"
	"strings"
	"testing"
)

// filterEntries are packs to evaluate fuzzed filters against.
var filterEntries = [...]Entry{
	{UID: "u1", RegistryUID: "r1", Name: "cni-calico", Version: "3.28.2", Layer: "cni", DisplayName: "Calico", CloudTypes: []string{"all"}},
	{UID: "u2", RegistryUID: "r1", Name: "kubernetes", Version: "1.30.10", Layer: "k8s", DisplayName: "PXK", CloudTypes: []string{"aws", "azure"}},
	{UID: "u3", RegistryUID: "r2", Name: "prom", Version: "not-semver", Layer: "addon", AddonType: "monitoring", CloudTypes: []string{"edge-native"}},
}

func TestParseFilterReadsTheGrammar(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"an empty filter is the one that matches everything", "", ""},
		{"empty terms are dropped", "ANDspec.name=aANDANDspec.layer=b", "spec.name=aANDspec.layer=b"},
		{"AND binds tighter than OR", "spec.name=aANDspec.layer=bORspec.name=c", "spec.name=aANDspec.layer=bORspec.name=c"},
		{"a value keeps AND and OR that no field follows", "spec.displayName=ANDORACLE", "spec.displayName=ANDORACLE"},
		{"spaces inside a value are kept", "spec.displayName=Palette Optimized K3s", "spec.displayName=Palette Optimized K3s"},
		{"two-character operators are read whole", "spec.version>=1.2ANDspec.version<=2", "spec.version>=1.2ANDspec.version<=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFilter(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.String(); got != tc.want {
				t.Errorf("ParseFilter(%q).String() = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseFilterRefusesWhatReadsTwoWays(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a list item with a space before it", "spec.cloudTypes_in_aws, edge-native", `value " edge-native" has spaces around it`},
		{"a value with a space after it", "spec.name=x ORspec.layer=y", `value "x " has spaces around it`},
		{"an empty item in a list", "spec.cloudTypes_in_aws,,all", "an empty item in the list"},
		{"a term that starts with a space", " spec.name=x", `term " spec.name=x" is not field=value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFilter(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseFilter(%q) = %v, want an error holding %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestNarrowAsksForNoLessThanTheFilterMatches(t *testing.T) {
	f, err := ParseFilter("spec.name=kubernetesANDspec.cloudTypes=awsANDspec.version>1.0ANDspec.registryUid_in_r1,r2")
	if err != nil {
		t.Fatal(err)
	}
	q, uid := f.Narrow()
	want := Query{Name: "kubernetes", CloudType: "aws", RegistryUIDs: []string{"r1", "r2"}}
	if !reflect.DeepEqual(q, want) || uid != "" {
		t.Errorf("Narrow() = %+v, %q; want %+v", q, uid, want)
	}
	or, _ := ParseFilter("spec.name=aORspec.name=b")
	if q, uid := or.Narrow(); !reflect.DeepEqual(q, Query{}) || uid != "" {
		t.Errorf("an OR narrowed to %+v, %q", q, uid)
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"spec.cloudTypes=edge-nativeANDspec.layer=cniANDspec.displayName=CalicoANDspec.version>3.26.9",
		"spec.cloudTypes_in_edge-native,aws,all", "spec.name=aORmetadata.uid=u2", "spec.version<=1.30.10",
		"spec.name!=x", "ANDOR", "spec.name=xAND ORspec.layer=y", "spec.name=xORy AND spec.layer=z", "spec.displayName=ANDORspec.layer=k8s", "spec.version>v", "a_in_",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseFilter(s)
		if err != nil {
			return
		}
		// What ParseFilter accepts, String prints so that it reads back the same.
		printed := p.String()
		again, err := ParseFilter(printed)
		if err != nil {
			t.Fatalf("ParseFilter(%q) printed %q, which does not parse: %v", s, printed, err)
		}
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("ParseFilter(%q) = %#v, printed %q, read back as %#v", s, p, printed, again)
		}
		// Narrow never drops a pack the filter matches.
		q, uid := p.Narrow()
		for _, e := range filterEntries {
			if p.Match(e) && (uid != "" && e.UID != uid || q.Name != "" && e.Name != q.Name || q.Version != "" && e.Version != q.Version ||
				q.Layer != "" && e.Layer != q.Layer || q.CloudType != "" && !anyOf(e.CloudTypes, []string{q.CloudType, "all"}) ||
				q.RegistryUIDs != nil && !anyOf([]string{e.RegistryUID}, q.RegistryUIDs)) {
				t.Fatalf("filter %q matches %+v, which its narrowing %+v, uid %q leaves out", s, e, q, uid)
			}
		}
	})
}
