package osimage_test

import (
	"testing"

	"github.com/byoos/byoos/osimage"
)

// The parsers run for every image field of every profile a validation run sees, so the
// accepted path — the common case — should stay cheap. The rejected path builds
// messages and may allocate; it is measured too, but matters less.

func BenchmarkParseAMI(b *testing.B) {
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseAMI("ami-0f4804aff4cf9c5a2"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseAMI("capa-ami-ubuntu-24.04-v1.30.1-1716000000"); p == nil {
				b.Fatal("accepted a name")
			}
		}
	})
}

func BenchmarkParseVHD(b *testing.B) {
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseVHD("https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", osimage.AzureOptions{}); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("valid-with-SAS", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseVHD("https://docs.blob.core.windows.net/vhds/rhel/8/ubuntu.vhd?sp=r&st=2024-05-01T00:00:00Z&se=2024-06-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=AbCdEf%2B%2F%3D", osimage.AzureOptions{}); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("gallery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseVHD("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0", osimage.AzureOptions{}); p == nil {
				b.Fatal("accepted a gallery ID")
			}
		}
	})
}

func BenchmarkParseTemplate(b *testing.B) {
	b.Run("valid-path", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseTemplate("/Datacenter/vm/folder/rhel-8-kube-v1.27.11"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("valid-ova", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseTemplate("path/to/template/r_u-2004-0-k-1243-0-new.ova"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("ova-prefix", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseTemplate("path/to/template/2004-0-k-1243-0-new.ova"); p == nil {
				b.Fatal("accepted an OVA without the prefix")
			}
		}
	})
}

func BenchmarkParseOCI(b *testing.B) {
	b.Run("tag", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseOCI("example.io/my-images/example-custom-os:v1.4.5"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("digest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseOCI("10.10.1.5:5000/os/ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("uppercase", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseOCI("example.io/My-Images/OS:v1"); p == nil {
				b.Fatal("accepted upper case")
			}
		}
	})
}

func BenchmarkParseRegistryHost(b *testing.B) {
	b.Run("harbor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseRegistryHost("harbor.example.com/project"); p != nil {
				b.Fatal(p)
			}
		}
	})
	b.Run("ip-port", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, p := osimage.ParseRegistryHost("10.10.1.5:5000"); p != nil {
				b.Fatal(p)
			}
		}
	})
}
