package osimage_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

func TestParseVHDAcceptsBlobURLs(t *testing.T) {
	cases := []struct {
		name string
		in   string
		opt  osimage.AzureOptions
		want osimage.VHD
	}{
		{"the blob URL from the pack docs is accepted", "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "ubuntu20-1243.vhd", Cloud: "public", Host: "docs.blob.core.windows.net"}},
		{"a blob in virtual sub-folders is accepted with its full blob name", "https://byoosimages01.blob.core.windows.net/images/rhel/8/rhel-8-kube-v1.27.11.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "byoosimages01", Container: "images", Blob: "rhel/8/rhel-8-kube-v1.27.11.vhd", Cloud: "public", Host: "byoosimages01.blob.core.windows.net"}},
		{"a SAS query string is accepted and reported", "https://docs.blob.core.windows.net/vhds/ubuntu.vhd?sp=r&st=2024-05-01T00:00:00Z&se=2024-06-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=AbCdEf%2B%2F%3D", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "public", Host: "docs.blob.core.windows.net", HasSAS: true}},
		{"a query string without a signature is not a SAS", "https://docs.blob.core.windows.net/vhds/ubuntu.vhd?snapshot=2024-05-01T00:00:00.0000000Z", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "public", Host: "docs.blob.core.windows.net"}},
		{"an Azure China blob URL is accepted", "https://chinaimages.blob.core.chinacloudapi.cn/vhds/rhel.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "chinaimages", Container: "vhds", Blob: "rhel.vhd", Cloud: "china", Host: "chinaimages.blob.core.chinacloudapi.cn"}},
		{"an Azure US Government blob URL is accepted", "https://govimages.blob.core.usgovcloudapi.net/vhds/rhel.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "govimages", Container: "vhds", Blob: "rhel.vhd", Cloud: "usgovernment", Host: "govimages.blob.core.usgovcloudapi.net"}},
		{"an Azure Germany blob URL is accepted", "https://deimages.blob.core.cloudapi.de/vhds/rhel.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "deimages", Container: "vhds", Blob: "rhel.vhd", Cloud: "germany", Host: "deimages.blob.core.cloudapi.de"}},
		{"a host written in mixed case is accepted, since DNS ignores case", "https://Docs.Blob.Core.Windows.Net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "public", Host: "docs.blob.core.windows.net"}},
		{"the default https port is accepted", "https://docs.blob.core.windows.net:443/vhds/ubuntu.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "public", Host: "docs.blob.core.windows.net:443"}},
		{"a percent-encoded blob name is decoded", "https://docs.blob.core.windows.net/vhds/my%20image.vhd", osimage.AzureOptions{},
			osimage.VHD{Account: "docs", Container: "vhds", Blob: "my image.vhd", Cloud: "public", Host: "docs.blob.core.windows.net"}},
		{"an Azurite URL is accepted when the emulator is allowed", "http://127.0.0.1:10000/devstoreaccount1/vhds/ubuntu.vhd", osimage.AzureOptions{AllowEmulator: true},
			osimage.VHD{Account: "devstoreaccount1", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "emulator", Host: "127.0.0.1:10000"}},
		{"an emulator URL on localhost over https is accepted when allowed", "https://localhost:10000/devstoreaccount1/vhds/a/b.vhd?sig=x", osimage.AzureOptions{AllowEmulator: true},
			osimage.VHD{Account: "devstoreaccount1", Container: "vhds", Blob: "a/b.vhd", Cloud: "emulator", Host: "localhost:10000", HasSAS: true}},
		{"an emulator on a compose service name with a port is accepted when allowed", "http://azurite:10000/devstoreaccount1/vhds/ubuntu.vhd", osimage.AzureOptions{AllowEmulator: true},
			osimage.VHD{Account: "devstoreaccount1", Container: "vhds", Blob: "ubuntu.vhd", Cloud: "emulator", Host: "azurite:10000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseVHD(c.in, c.opt)
			if p != nil {
				t.Fatalf("ParseVHD(%q) = problem %v", c.in, p)
			}
			c.want.URL = c.in
			if got != c.want {
				t.Errorf("ParseVHD(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseVHDRejects(t *testing.T) {
	const gallery = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/byoosGallery/images/rhel8-kube/versions/1.27.11"
	cases := []struct {
		name string
		in   string
		opt  osimage.AzureOptions
		want wantProblem
	}{
		{"an empty value is reported as empty", "", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDEmpty, hint: []string{"https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd"}}},
		{"a value of only white space is reported as empty", "   ", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDEmpty}},

		{"a Compute Gallery image version ID is recognised and the hint says how to export it to a VHD", gallery, osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureGalleryImage,
				msg:  []string{"generic-byoi 1.0.x", "does not support gallery image IDs"},
				hint: []string{"az disk create", "--gallery-image-reference", "az disk grant-access", "azcopy copy", "https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd"}}},
		{"a gallery image definition ID without a version is a gallery image", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/rhel8", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureGalleryImage}},
		{"gallery IDs are recognised whatever the case of their segments", "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/GALLERIES/G/IMAGES/I/VERSIONS/1.0.0", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureGalleryImage}},
		{"a community gallery image ID is a gallery image", "/CommunityGalleries/ClusterAPI-f72ceb4f-5159-4c26-a0fe-2ea738f0d019/Images/capi-ubun2-2404/Versions/latest", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureGalleryImage}},
		{"a shared (direct-shared) gallery image ID is a gallery image", "/SharedGalleries/0000-byoosGallery/Images/rhel8-kube/Versions/1.0.0", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureGalleryImage}},
		{"a managed image ID is recognised and the hint says how to get a VHD from it", "/subscriptions/0000/resourceGroups/images-rg/providers/Microsoft.Compute/images/rhel8-kube-v1.27.11", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureManagedImage, msg: []string{"generic-byoi 1.0.x"}, hint: []string{"az image show", "blobUri", "azcopy"}}},
		{"a managed image ID without the leading slash is still a managed image", "subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/images/img", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureManagedImage}},
		{"a managed snapshot ID is malformed and the hint says how to export it", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/snapshots/rhel8-os", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, hint: []string{"az snapshot grant-access", "azcopy"}}},
		{"a storage account resource ID is malformed", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/docs", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed}},

		{"a marketplace URN is recognised and the hint says how to export it to a VHD", "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureMarketplaceURN, msg: []string{"publisher:offer:sku:version"}, hint: []string{"--image-reference 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest'", "azcopy"}}},
		{"a marketplace URN with a pinned version is a URN", "RedHat:RHEL:8-lvm-gen2:8.8.2023081717", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureMarketplaceURN}},
		{"three colon-separated parts are not a URN and are malformed", "Canonical:ubuntu:22_04", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed}},

		{"an http blob URL is reported and the hint gives the https URL", "http://docs.blob.core.windows.net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDNotHTTPS, hint: []string{`"https://docs.blob.core.windows.net/vhds/ubuntu.vhd"`}}},
		{"a blob URL without a scheme is reported as not https and the hint adds it", "docs.blob.core.windows.net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDNotHTTPS, hint: []string{`"https://docs.blob.core.windows.net/vhds/ubuntu.vhd"`}}},

		{"an Azure Files URL is reported as the wrong host", "https://mystorage.file.core.windows.net/share/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost, msg: []string{"Azure Files"}}},
		{"a Data Lake URL is reported as the wrong host", "https://mystorage.dfs.core.windows.net/fs/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost, msg: []string{"Data Lake"}}},
		{"a web server URL is reported as the wrong host", "https://example.com/images/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost, msg: []string{`"example.com"`}}},
		{"an http URL on another host is reported for its host first", "http://example.com/images/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost}},
		{"a storage account name that is too short is reported as the wrong host", "https://ab.blob.core.windows.net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost, msg: []string{`"ab"`, "3 to 24"}}},
		{"a private-endpoint host name is reported as the wrong host", "https://docs.privatelink.blob.core.windows.net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost}},
		{"a non-default port on a blob endpoint is reported as the wrong host", "https://docs.blob.core.windows.net:8443/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDHost, msg: []string{`"8443"`}}},

		{"a blob endpoint with no path is missing the container and blob", "https://docs.blob.core.windows.net", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath}},
		{"a blob endpoint with only a slash is missing the container and blob", "https://docs.blob.core.windows.net/", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath}},
		{"a blob URL with no container is reported", "https://docs.blob.core.windows.net/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath, msg: []string{`"ubuntu.vhd"`}}},
		{"a container URL with no blob is reported", "https://docs.blob.core.windows.net/vhds/", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath, msg: []string{`"vhds"`}}},
		{"an upper-case container name is reported and the hint lower-cases it", "https://docs.blob.core.windows.net/VHDs/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath, hint: []string{`"vhds"`}}},
		{"a container name with an underscore is reported", "https://docs.blob.core.windows.net/my_vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath}},
		{"a two-letter container name is reported", "https://docs.blob.core.windows.net/vh/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath, msg: []string{"3 to 63"}}},
		{"a container name with two hyphens in a row is reported", "https://docs.blob.core.windows.net/my--vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath, msg: []string{"two hyphens"}}},
		{"a blob path with a double slash is reported", "https://docs.blob.core.windows.net/vhds/rhel//ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath}},
		{"a blob path with a dot-dot segment is reported", "https://docs.blob.core.windows.net/vhds/../ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDPath}},

		{"a VHDX blob is reported with its extension and a conversion hint", "https://docs.blob.core.windows.net/vhds/ubuntu.vhdx", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{`".vhdx"`, "fixed-size VHD"}, hint: []string{"qemu-img convert -f vhdx", "Convert-VHD"}}},
		{"a raw .img blob is reported with its extension", "https://docs.blob.core.windows.net/vhds/ubuntu.img", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{`".img"`}, hint: []string{"subformat=fixed"}}},
		{"a qcow2 blob is reported with its extension", "https://docs.blob.core.windows.net/vhds/ubuntu.qcow2?sig=abc", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{`".qcow2"`}}},
		{"a blob without an extension is reported", "https://docs.blob.core.windows.net/vhds/ubuntu-2204", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{"no extension"}}},
		{"an upper-case .VHD extension is reported", "https://docs.blob.core.windows.net/vhds/ubuntu.VHD", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{`".VHD"`}, hint: []string{"lower-case"}}},
		{"an extension check looks at the blob, not at the SAS query", "https://docs.blob.core.windows.net/vhds/ubuntu.tar.gz?x=a.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDExtension, msg: []string{`".gz"`}}},

		{"an Azurite URL is reported when the emulator is not allowed", "http://127.0.0.1:10000/devstoreaccount1/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDEmulator, msg: []string{"emulator"}}},
		{"a localhost URL is reported as an emulator URL when not allowed", "https://localhost:10000/devstoreaccount1/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDEmulator}},
		{"an allowed emulator URL still needs a container and blob", "http://127.0.0.1:10000/devstoreaccount1", osimage.AzureOptions{AllowEmulator: true},
			wantProblem{code: osimage.CodeAzureVHDPath}},
		{"an allowed emulator URL still needs a .vhd blob", "http://127.0.0.1:10000/devstoreaccount1/vhds/ubuntu.img", osimage.AzureOptions{AllowEmulator: true},
			wantProblem{code: osimage.CodeAzureVHDExtension}},

		{"an ftp URL is malformed", "ftp://files.example.com/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, msg: []string{`"ftp"`}}},
		{"a bad percent-escape is malformed and named", "https://docs.blob.core.windows.net/vhds/ubuntu%zz.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, msg: []string{`"%zz"`}}},
		{"a URL with credentials is malformed", "https://user:pass@docs.blob.core.windows.net/vhds/ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, hint: []string{"SAS"}}},
		{"a URL with a fragment is malformed", "https://docs.blob.core.windows.net/vhds/ubuntu.vhd#top", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed}},
		{"a URL with white space around it is malformed and the hint gives the trimmed URL", "https://docs.blob.core.windows.net/vhds/ubuntu.vhd\n", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, hint: []string{`"https://docs.blob.core.windows.net/vhds/ubuntu.vhd"`}}},
		{"a URL with a space inside is malformed", "https://docs.blob.core.windows.net/vhds/my image.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, msg: []string{"a space"}}},
		{"a bare file name is malformed", "ubuntu.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed}},
		{"a query string with a bad escape is malformed", "https://docs.blob.core.windows.net/vhds/ubuntu.vhd?sig=%zz", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed}},
		{"invalid UTF-8 is malformed", "https://docs.blob.core.windows.net/vhds/\xff.vhd", osimage.AzureOptions{},
			wantProblem{code: osimage.CodeAzureVHDMalformed, msg: []string{"not valid UTF-8"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseVHD(c.in, c.opt)
			if got != (osimage.VHD{}) {
				t.Errorf("a rejected value should give the zero VHD, got %+v", got)
			}
			checkProblem(t, c.in, p, c.want)
		})
	}
}

func TestParseVHDAcceptsTheLongestValidNames(t *testing.T) {
	account := strings.Repeat("a", 24)
	container := strings.Repeat("c", 63)
	in := "https://" + account + ".blob.core.windows.net/" + container + "/" + strings.Repeat("b", 1020) + ".vhd"
	got, p := osimage.ParseVHD(in, osimage.AzureOptions{})
	if p != nil {
		t.Fatalf("problem: %v", p)
	}
	if got.Account != account || got.Container != container {
		t.Errorf("got %+v", got)
	}
	tooLong := strings.Replace(in, ".vhd", "b.vhd", 1)
	_, p = osimage.ParseVHD(tooLong, osimage.AzureOptions{})
	checkProblem(t, tooLong, p, wantProblem{code: osimage.CodeAzureVHDPath, msg: []string{"1025 characters", "at most 1024"}})
}
