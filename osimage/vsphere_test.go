package osimage_test

import (
	"testing"

	"github.com/byoos/byoos/osimage"
)

func TestParseTemplateAcceptsPathsNamesAndOVAs(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want osimage.Template
	}{
		{"an absolute inventory path is accepted and split into folder and name", "/Datacenter/vm/folder/rhel-8-kube-v1.27.11",
			osimage.Template{Folder: "/Datacenter/vm/folder", Name: "rhel-8-kube-v1.27.11"}},
		{"a relative template path from the pack docs is accepted", "path/to/template/rhel-8-kube-v1.27.11",
			osimage.Template{Folder: "path/to/template", Name: "rhel-8-kube-v1.27.11"}},
		{"a bare template name is accepted with no folder", "rhel-8-kube-v1.27.11",
			osimage.Template{Name: "rhel-8-kube-v1.27.11"}},
		{"a template at the inventory root has the root as its folder", "/ubuntu-2204-kube-v1.29.4",
			osimage.Template{Folder: "/", Name: "ubuntu-2204-kube-v1.29.4"}},
		{"a template name with spaces inside is accepted, as vSphere allows", "/DC/vm/Golden Images/RHEL 8 kube v1.27.11",
			osimage.Template{Folder: "/DC/vm/Golden Images", Name: "RHEL 8 kube v1.27.11"}},
		{"an r_u- OVA name from the pack docs is accepted", "r_u-2004-0-k-1243-0-new.ova",
			osimage.Template{Name: "r_u-2004-0-k-1243-0-new.ova", OVA: true}},
		{"an r_u- OVA in a folder from the pack docs is accepted", "path/to/template/r_u-2004-0-k-1243-0-new.ova",
			osimage.Template{Folder: "path/to/template", Name: "r_u-2004-0-k-1243-0-new.ova", OVA: true}},
		{"an r_u- OVA with an upper-case extension is accepted as an OVA", "/DC/vm/r_u-rhel8.OVA",
			osimage.Template{Folder: "/DC/vm", Name: "r_u-rhel8.OVA", OVA: true}},
		{"an https URL of an r_u- OVA is accepted", "https://images.example.com/ova/r_u-2004-0-k-1243-0.ova",
			osimage.Template{Folder: "https://images.example.com/ova", Name: "r_u-2004-0-k-1243-0.ova", OVA: true, URL: true}},
		{"an http URL of an r_u- OVA with a presigned query is accepted, and said to carry credentials", "http://10.0.0.5:8080/r_u-rhel8.ova?X-Amz-Signature=abc",
			osimage.Template{Folder: "http://10.0.0.5:8080", Name: "r_u-rhel8.ova", OVA: true, URL: true, HasCredentials: true}},
		{"an OVA URL with userinfo is accepted, and said to carry credentials", "https://user:pw@images.example.com/r_u-rhel8.ova",
			osimage.Template{Folder: "https://user:pw@images.example.com", Name: "r_u-rhel8.ova", OVA: true, URL: true, HasCredentials: true}},
		{"an OVA URL with an ordinary query carries no credentials", "https://images.example.com/r_u-rhel8.ova?version=2",
			osimage.Template{Folder: "https://images.example.com", Name: "r_u-rhel8.ova", OVA: true, URL: true}},
		{"a non-OVA name with .ova inside it needs no prefix", "rhel.ova-backup",
			osimage.Template{Name: "rhel.ova-backup"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseTemplate(c.in)
			if p != nil {
				t.Fatalf("ParseTemplate(%q) = problem %v", c.in, p)
			}
			c.want.Path = c.in
			if got != c.want {
				t.Errorf("ParseTemplate(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseTemplateRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want wantProblem
	}{
		{"an empty value is reported as empty", "",
			wantProblem{code: osimage.CodeVSphereTemplateEmpty}},
		{"a value of only white space is reported as empty", " \t ",
			wantProblem{code: osimage.CodeVSphereTemplateEmpty}},

		{"an OVA without the r_u- prefix is reported and the hint gives the renamed file in the same folder", "path/to/template/2004-0-k-1243-0-new.ova",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, msg: []string{`"r_u-"`}, hint: []string{`"r_u-2004-0-k-1243-0-new.ova"`, `"path/to/template/r_u-2004-0-k-1243-0-new.ova"`}}},
		{"a bare OVA name without the prefix gets the renamed name", "ubuntu-2204.ova",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, hint: []string{`"r_u-ubuntu-2204.ova"`}}},
		{"an OVA at the inventory root without the prefix keeps the root in the hint", "/ubuntu-2204.OVA",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, hint: []string{`"/r_u-ubuntu-2204.OVA"`}}},
		{"an OVA whose prefix is upper-case is reported and the hint fixes the case", "/DC/vm/R_U-ubuntu.ova",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, hint: []string{`"/DC/vm/r_u-ubuntu.ova"`}}},
		{"an OVA URL without the prefix is reported and the hint gives the renamed URL", "https://images.example.com/ova/ubuntu-2204.ova?v=1",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, hint: []string{`"https://images.example.com/ova/r_u-ubuntu-2204.ova?v=1"`}}},
		{"an OVA URL's signature is masked in the renamed URL of the hint", "https://images.example.com/ova/ubuntu-2204.ova?sig=1",
			wantProblem{code: osimage.CodeVSphereOVAPrefix, hint: []string{`"https://images.example.com/ova/r_u-ubuntu-2204.ova?sig=********"`}}},

		{"a double slash is reported and the hint removes it", "/Datacenter/vm//rhel-8-kube-v1.27.11",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"empty segment"}, hint: []string{`"/Datacenter/vm/rhel-8-kube-v1.27.11"`}}},
		{"a trailing slash is reported as naming a folder", "/Datacenter/vm/templates/",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"folder"}}},
		{"a lone slash is reported as naming a folder", "/",
			wantProblem{code: osimage.CodeVSphereTemplatePath}},
		{"a Windows-style path is reported and the hint converts the separators", `Datacenter\vm\rhel-8-kube-v1.27.11`,
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"backslash"}, hint: []string{`"Datacenter/vm/rhel-8-kube-v1.27.11"`}}},
		{"a Windows file path to an OVA is reported", `C:\images\r_u-rhel8.ova`,
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"backslash"}}},
		{"leading white space is reported and the hint gives the trimmed path", " /DC/vm/rhel-8-kube-v1.27.11",
			wantProblem{code: osimage.CodeVSphereTemplatePath, hint: []string{`"/DC/vm/rhel-8-kube-v1.27.11"`}}},
		{"a trailing newline is reported", "rhel-8-kube-v1.27.11\n",
			wantProblem{code: osimage.CodeVSphereTemplatePath, hint: []string{`"rhel-8-kube-v1.27.11"`}}},
		{"a tab inside the path is reported as a control character", "/DC/vm/rhel\t8",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"a tab"}}},
		{"a NUL byte is reported as a control character", "rhel\x008",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"U+0000"}}},
		{"invalid UTF-8 is reported", "rhel\xff8",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"not valid UTF-8"}}},
		{"a dot-dot segment is reported", "/DC/vm/templates/../rhel-8-kube-v1.27.11",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{`".."`}}},
		{"a dot segment is reported", "./rhel-8-kube-v1.27.11",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{`"."`}}},
		{"an ftp URL is reported", "ftp://files.example.com/r_u-rhel8.ova",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{`"ftp"`}}},
		{"a URL of an OVF rather than an OVA is reported", "https://images.example.com/ova/r_u-rhel8.ovf",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"not an OVA"}}},
		{"a URL of a folder is reported", "https://images.example.com/ova/",
			wantProblem{code: osimage.CodeVSphereTemplatePath}},
		{"a URL with no host is reported", "https:///r_u-rhel8.ova",
			wantProblem{code: osimage.CodeVSphereTemplatePath, msg: []string{"no host"}}},
		{"a URL with a bad percent-escape is reported", "https://images.example.com/r_u-%zz.ova",
			wantProblem{code: osimage.CodeVSphereTemplatePath}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseTemplate(c.in)
			if got != (osimage.Template{}) {
				t.Errorf("a rejected value should give the zero Template, got %+v", got)
			}
			checkProblem(t, c.in, p, c.want)
		})
	}
}
