package regtest

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// LinuxAMD64 is the platform of x86_64 Edge hosts.
func LinuxAMD64() v1.Platform { return v1.Platform{OS: "linux", Architecture: "amd64"} }

// LinuxARM64 is the platform of arm64 Edge hosts.
func LinuxARM64() v1.Platform { return v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"} }

// RandomImage returns a small random container image whose config names
// platform p.
func RandomImage(t testing.TB, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return img
}

// PushOptions returns the options that push to reg with its credentials.
func PushOptions(t testing.TB, reg *Registry) []remote.Option {
	return []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport()),
		remote.WithAuth(&authn.Basic{Username: reg.Username, Password: reg.Password})}
}

// PushImage pushes a random image for platform p as repo:tag and returns
// its digest.
func PushImage(t testing.TB, reg *Registry, repo, tag string, p v1.Platform) string {
	t.Helper()
	img := RandomImage(t, p)
	ref, err := name.NewTag(reg.Host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	if err := remote.Write(ref, img, PushOptions(t, reg)...); err != nil {
		t.Fatalf("regtest: push %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return d.String()
}

// PushIndex pushes an index of one random image per platform as repo:tag
// and returns its digest.
func PushIndex(t testing.TB, reg *Registry, repo, tag string, ps ...v1.Platform) string {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, p := range ps {
		adds = append(adds, mutate.IndexAddendum{Add: RandomImage(t, p), Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	ref, err := name.NewTag(reg.Host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	if err := remote.WriteIndex(ref, idx, PushOptions(t, reg)...); err != nil {
		t.Fatalf("regtest: push %s: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return d.String()
}
