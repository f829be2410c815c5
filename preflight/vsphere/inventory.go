package vsphere

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/suggest"
)

// maxListed is how many names a message lists before "and N more".
const maxListed = 10

// lookup finds the template img names: at its inventory path ("/DC/vm/…"),
// at a path relative to the datacenter's VM folder ("folder/name"), or by a
// bare name anywhere in the datacenter's VM folder.
func (s *vcSession) lookup(ctx context.Context, img preflight.Image) preflight.Result {
	ref := img.Ref
	if strings.HasPrefix(ref, "/") {
		return s.byPath(ctx, img, ref)
	}
	dc, f := s.datacenter(ctx, img)
	if f != nil {
		return preflight.Result{Findings: finding.List{*f}}
	}
	if !strings.Contains(ref, "/") {
		return s.byName(ctx, img, dc, ref)
	}
	full := dc.path + "/vm/" + ref
	si := object.NewSearchIndex(s.vc)
	obj, err := si.FindByInventoryPath(ctx, full)
	if err != nil {
		return s.failed(ctx, img, "look up the template", err)
	}
	if obj == nil {
		// "DC/vm/folder/name" given without its leading slash.
		if alt, err := si.FindByInventoryPath(ctx, "/"+ref); err == nil && alt != nil {
			return s.at(ctx, img, alt.Reference(), "/"+ref)
		}
		return s.notFound(ctx, img, full)
	}
	return s.at(ctx, img, obj.Reference(), full)
}

// byPath looks up an absolute inventory path.
func (s *vcSession) byPath(ctx context.Context, img preflight.Image, path string) preflight.Result {
	obj, err := object.NewSearchIndex(s.vc).FindByInventoryPath(ctx, path)
	if err != nil {
		return s.failed(ctx, img, "look up the template", err)
	}
	if obj == nil {
		return s.notFound(ctx, img, path)
	}
	return s.at(ctx, img, obj.Reference(), path)
}

// vmProps are the properties of a VM the check reads.
var vmProps = []string{"name", "config.template", "config.guestId", "config.guestFullName"}

// at checks that the object found at path is a VM marked as a template.
func (s *vcSession) at(ctx context.Context, img preflight.Image, ref types.ManagedObjectReference, path string) preflight.Result {
	if ref.Type != "VirtualMachine" {
		hint := "Give the inventory path of the template itself: the folder path followed by the template's name."
		if names, err := s.children(ctx, ref); err == nil && len(names) > 0 {
			hint = fmt.Sprintf("Give the inventory path of the template itself; %s holds %s.", quote(path), listNames(names))
		}
		return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereNotVM,
			fmt.Sprintf("the vSphere template %s names %s (%s) in vCenter %s, not a template.", quote(img.Ref), kind(ref.Type), ref.Type, quote(s.c.vcenter.String())),
			hint)}}
	}
	var vm mo.VirtualMachine
	if err := property.DefaultCollector(s.vc).RetrieveOne(ctx, ref, vmProps, &vm); err != nil {
		return s.failed(ctx, img, "read the template's properties", err)
	}
	guest := "guest unknown"
	template := false
	if vm.Config != nil {
		template = vm.Config.Template
		if vm.Config.GuestId != "" {
			guest = "guest " + vm.Config.GuestId
			if vm.Config.GuestFullName != "" && vm.Config.GuestFullName != vm.Config.GuestId {
				guest += ", " + vm.Config.GuestFullName
			}
		}
	}
	if !template {
		return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereNotTemplate,
			fmt.Sprintf("the vSphere template %s is a virtual machine (%s) at %s in vCenter %s, not a template (config.template is false); Palette clones templates.", quote(img.Ref), guest, quote(path), quote(s.c.vcenter.String())),
			fmt.Sprintf("Power the VM off and convert it to a template: in the vSphere Client, right-click it and choose Template > Convert to Template, or run govc vm.markastemplate %s.", shellWord(path)))}}
	}
	return preflight.Result{Checked: fmt.Sprintf("template %s in vCenter %s: a template (%s)", quote(path), quote(s.c.vcenter.String()), guest)}
}

// notFound explains that nothing is at path, naming what the deepest
// folder of path that exists holds, with the names nearest the missing one.
func (s *vcSession) notFound(ctx context.Context, img preflight.Image, path string) preflight.Result {
	msg := fmt.Sprintf("the vSphere template %s is not in vCenter %s: nothing is at the inventory path %s.", quote(img.Ref), quote(s.c.vcenter.String()), quote(path))
	hint := "Copy the template's inventory path from the vSphere Client (/DATACENTER/vm/FOLDER/NAME), and check that the user verify logs in with can see it."
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	si := object.NewSearchIndex(s.vc)
	for i := len(segs) - 1; i >= 0; i-- {
		parent := "/" + strings.Join(segs[:i], "/")
		var ref types.ManagedObjectReference
		if i == 0 {
			ref = s.vc.ServiceContent.RootFolder
		} else {
			obj, err := si.FindByInventoryPath(ctx, parent)
			if err != nil {
				break // the lookup itself failed: say only what is known
			}
			if obj == nil {
				continue
			}
			ref = obj.Reference()
		}
		names, err := s.children(ctx, ref)
		if err != nil {
			break
		}
		missing := segs[i]
		if i < len(segs)-1 {
			msg += fmt.Sprintf(" %s does not exist either;", quote(strings.TrimSuffix(parent, "/")+"/"+missing))
		}
		if len(names) == 0 {
			msg += fmt.Sprintf(" %s is empty.", quote(parent))
		} else {
			msg += fmt.Sprintf(" %s holds %s.", quote(parent), listNames(names))
		}
		if near := nearest(missing, names); near != "" {
			hint = fmt.Sprintf("Did you mean %s? %s", quote(strings.TrimSuffix(parent, "/")+"/"+near+tail(segs, i+1)), hint)
		}
		break
	}
	return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereNotFound, msg, hint)}}
}

// tail returns the segments from i on, each after a "/".
func tail(segs []string, i int) string {
	if i >= len(segs) {
		return ""
	}
	return "/" + strings.Join(segs[i:], "/")
}

// nearest returns the name most like missing, or "".
func nearest(missing string, names []string) string {
	if near := suggest.Similar(missing, names); len(near) > 0 {
		return near[0]
	}
	return suggest.Key(missing, names)
}

// children returns the names of what a folder or datacenter holds, sorted.
func (s *vcSession) children(ctx context.Context, ref types.ManagedObjectReference) ([]string, error) {
	switch ref.Type {
	case "Datacenter":
		return []string{"datastore", "host", "network", "vm"}, nil
	case "Folder":
	default:
		return nil, nil
	}
	pc := property.DefaultCollector(s.vc)
	var f mo.Folder
	if err := pc.RetrieveOne(ctx, ref, []string{"childEntity"}, &f); err != nil {
		return nil, fmt.Errorf("read the folder's children: %w", err)
	}
	if len(f.ChildEntity) == 0 {
		return nil, nil
	}
	var content []types.ObjectContent
	if err := pc.Retrieve(ctx, f.ChildEntity, []string{"name"}, &content); err != nil {
		return nil, fmt.Errorf("read the names of the folder's children: %w", err)
	}
	return sortedNames(content), nil
}

// sortedNames returns the "name" property of each object, sorted.
func sortedNames(content []types.ObjectContent) []string {
	var names []string
	for _, oc := range content {
		if n := nameOf(oc); n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// nameOf returns the "name" property of oc.
func nameOf(oc types.ObjectContent) string {
	for _, p := range oc.PropSet {
		if p.Name == "name" {
			if s, ok := p.Val.(string); ok {
				return s
			}
		}
	}
	return ""
}

// dcInfo is the datacenter bare names and relative paths are looked up in.
type dcInfo struct {
	ref  types.ManagedObjectReference
	path string // its inventory path: "/DC0" or "/folder/DC0"
}

// datacenter returns the configured datacenter, else vCenter's only one.
func (s *vcSession) datacenter(ctx context.Context, img preflight.Image) (dcInfo, *finding.Finding) {
	dcs, err := s.containerNames(ctx, s.vc.ServiceContent.RootFolder, "Datacenter")
	if err != nil {
		f := s.c.fault(ctx, img, "list the datacenters", err)
		return dcInfo{}, &f
	}
	names := make([]string, 0, len(dcs))
	for _, d := range dcs {
		names = append(names, d.name)
	}
	slices.Sort(names)
	var match []named
	want := s.c.datacenter
	for _, d := range dcs {
		if want == "" || d.name == want {
			match = append(match, d)
		}
	}
	if want != "" && strings.Contains(want, "/") {
		match = nil
		obj, err := object.NewSearchIndex(s.vc).FindByInventoryPath(ctx, "/"+strings.TrimPrefix(want, "/"))
		if err != nil {
			f := s.c.fault(ctx, img, "look up the datacenter", err)
			return dcInfo{}, &f
		}
		if obj != nil && obj.Reference().Type == "Datacenter" {
			match = []named{{ref: obj.Reference(), name: want}}
		}
	}
	bad := func(msg, hint string) (dcInfo, *finding.Finding) {
		f := preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereDatacenter, msg, hint)
		return dcInfo{}, &f
	}
	vcName := quote(s.c.vcenter.String())
	switch {
	case len(match) == 1:
	case want != "" && len(match) == 0:
		hint := "Set the datacenter to one of vCenter's, or give the template's full inventory path, /DATACENTER/vm/FOLDER/NAME."
		if near := nearest(want, names); near != "" {
			hint = fmt.Sprintf("Did you mean the datacenter %s? ", quote(near)) + hint
		}
		return bad(fmt.Sprintf("vCenter %s has no datacenter %s, so the vSphere template %s cannot be looked up; it has %s.", vcName, quote(want), quote(img.Ref), listNames(names)), hint)
	case want != "" && len(match) > 1:
		return bad(fmt.Sprintf("vCenter %s has %d datacenters named %s, so the vSphere template %s cannot be looked up by a name or relative path.", vcName, len(match), quote(want), quote(img.Ref)),
			"Set the datacenter by its inventory path (/FOLDER/DATACENTER), or give the template's full inventory path.")
	case len(dcs) == 0:
		return bad(fmt.Sprintf("vCenter %s has no datacenter (none that the user %s can see), so the vSphere template %s cannot be looked up.", vcName, quote(s.c.username), quote(img.Ref)),
			"Check that the user verify logs in with has read access to the datacenter that holds the template.")
	default:
		return bad(fmt.Sprintf("vCenter %s has %d datacenters (%s) and no datacenter is set, so the vSphere template %s, which is not a full inventory path, cannot be looked up.", vcName, len(dcs), strings.Join(quoteAll(names), ", "), quote(img.Ref)),
			fmt.Sprintf("Set the datacenter that holds the template, or give the template's full inventory path, for example %s.", quote("/"+names[0]+"/vm/"+img.Ref)))
	}
	path, err := find.InventoryPath(ctx, s.vc, match[0].ref)
	if err != nil {
		f := s.c.fault(ctx, img, "read the datacenter's inventory path", err)
		return dcInfo{}, &f
	}
	return dcInfo{ref: match[0].ref, path: path}, nil
}

// named is a managed object with its name.
type named struct {
	ref  types.ManagedObjectReference
	name string
}

// containerNames lists the objects of one type under root, recursively,
// with their names.
func (s *vcSession) containerNames(ctx context.Context, root types.ManagedObjectReference, typ string) ([]named, error) {
	v, err := view.NewManager(s.vc).CreateContainerView(ctx, root, []string{typ}, true)
	if err != nil {
		return nil, fmt.Errorf("create a view of the inventory: %w", err)
	}
	defer func() { _ = v.Destroy(ctx) }()
	var content []types.ObjectContent
	if err := v.Retrieve(ctx, []string{typ}, []string{"name"}, &content); err != nil {
		return nil, fmt.Errorf("list the inventory: %w", err)
	}
	out := make([]named, 0, len(content))
	for _, oc := range content {
		out = append(out, named{ref: oc.Obj, name: nameOf(oc)})
	}
	return out, nil
}

// byName looks a bare template name up in the datacenter's VM folder and
// its subfolders: one VM or template of that name must be there.
func (s *vcSession) byName(ctx context.Context, img preflight.Image, dc dcInfo, name string) preflight.Result {
	var d mo.Datacenter
	if err := property.DefaultCollector(s.vc).RetrieveOne(ctx, dc.ref, []string{"vmFolder"}, &d); err != nil {
		return s.failed(ctx, img, "read the datacenter's VM folder", err)
	}
	vms, err := s.containerNames(ctx, d.VmFolder, "VirtualMachine")
	if err != nil {
		return s.failed(ctx, img, "list the datacenter's virtual machines", err)
	}
	var found []types.ManagedObjectReference
	var all []string
	for _, vm := range vms {
		if vm.name == name {
			found = append(found, vm.ref)
		}
		all = append(all, vm.name)
	}
	switch len(found) {
	case 0:
		slices.Sort(all)
		all = slices.Compact(all)
		hint := fmt.Sprintf("Give the name or full inventory path of a template in %s, as the vSphere Client shows it.", quote(dc.path))
		if near := suggest.Similar(name, all); len(near) > 0 {
			hint = fmt.Sprintf("Did you mean %s? ", strings.Join(quoteAll(near), " or ")) + hint
		}
		return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereNotFound,
			fmt.Sprintf("the vSphere template %s is not in vCenter %s: no virtual machine or template of that name is in the datacenter %s.", quote(img.Ref), quote(s.c.vcenter.String()), quote(dc.path)),
			hint)}}
	case 1:
		path, err := find.InventoryPath(ctx, s.vc, found[0])
		if err != nil {
			return s.failed(ctx, img, "read the template's inventory path", err)
		}
		return s.at(ctx, img, found[0], path)
	}
	return s.ambiguous(ctx, img, dc, found)
}

// ambiguous explains that a bare name matches several VMs or templates.
func (s *vcSession) ambiguous(ctx context.Context, img preflight.Image, dc dcInfo, found []types.ManagedObjectReference) preflight.Result {
	var content []types.ObjectContent
	if err := property.DefaultCollector(s.vc).Retrieve(ctx, found, []string{"config.template"}, &content); err != nil {
		return s.failed(ctx, img, "read the matching templates", err)
	}
	isTemplate := map[types.ManagedObjectReference]bool{}
	for _, oc := range content {
		for _, p := range oc.PropSet {
			if b, ok := p.Val.(bool); ok && p.Name == "config.template" {
				isTemplate[oc.Obj] = b
			}
		}
	}
	var listed, templates []string
	for _, ref := range found {
		path, err := find.InventoryPath(ctx, s.vc, ref)
		if err != nil {
			return s.failed(ctx, img, "read the matching templates' inventory paths", err)
		}
		what := "virtual machine"
		if isTemplate[ref] {
			what = "template"
			templates = append(templates, path)
		}
		listed = append(listed, fmt.Sprintf("%s (%s)", quote(path), what))
	}
	slices.Sort(listed)
	slices.Sort(templates)
	hint := "Give the full inventory path of the one to use instead of the bare name."
	if len(templates) == 1 {
		hint = fmt.Sprintf("Give the full inventory path of the one to use instead of the bare name: %s is the only template of them.", quote(templates[0]))
	}
	return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereAmbiguous,
		fmt.Sprintf("the vSphere template %s names %d objects in the datacenter %s of vCenter %s: %s; a bare name must name one.", quote(img.Ref), len(found), quote(dc.path), quote(s.c.vcenter.String()), strings.Join(listed, ", ")),
		hint)}}
}

// failed reports an error of a vCenter call as a finding.
func (s *vcSession) failed(ctx context.Context, img preflight.Image, step string, err error) preflight.Result {
	return preflight.Result{Findings: finding.List{s.c.fault(ctx, img, step, err)}}
}

// kind names a managed object type for a person.
func kind(typ string) string {
	switch typ {
	case "Folder":
		return "a folder"
	case "Datacenter":
		return "a datacenter"
	case "VirtualApp":
		return "a vApp"
	case "ResourcePool":
		return "a resource pool"
	case "ClusterComputeResource":
		return "a cluster"
	case "HostSystem", "ComputeResource":
		return "a host"
	case "Datastore":
		return "a datastore"
	case "Network", "DistributedVirtualPortgroup", "OpaqueNetwork":
		return "a network"
	}
	return "an object"
}

// listNames quotes up to maxListed names: "a", "b" and 3 more.
func listNames(names []string) string {
	q := quoteAll(names[:min(len(names), maxListed)])
	s := strings.Join(q, ", ")
	if n := len(names) - maxListed; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
