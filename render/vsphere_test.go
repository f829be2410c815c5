package render

import "testing"

func TestVSphereInventoryPathsSplitIntoDatacenterAndFolder(t *testing.T) {
	for _, c := range []struct{ name, path, dc, folder string }{
		{"a template in a folder", "/Datacenter/vm/sp-docs/rhel-8", "Datacenter", "/Datacenter/vm/sp-docs"},
		{"a template directly under vm", "/DC1/vm/rhel-8", "DC1", "/DC1/vm"},
		{"a datacenter inside a folder", "/Region/DC1/vm/templates/rhel-8", "/Region/DC1", "/Region/DC1/vm/templates"},
		{"a relative path gives neither", "path/to/template/rhel-8", "", ""},
		{"a bare name gives neither", "rhel-8", "", ""},
		{"a path without a vm folder gives neither", "/DC1/templates/rhel-8", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dc, folder := splitInventoryPath(c.path)
			if dc != c.dc || folder != c.folder {
				t.Errorf("splitInventoryPath(%q) = %q, %q; want %q, %q", c.path, dc, folder, c.dc, c.folder)
			}
		})
	}
}
