package render

import (
	"fmt"
	"strings"

	"github.com/byoos/byoos/osimage"
)

// The few Cluster API Provider vSphere types the VSphereMachineTemplate needs,
// written here because CAPV is not on the module proxy. Field names are those
// of CAPV's VirtualMachineCloneSpec (api/govmomi/v1beta1/types.go of
// kubernetes-sigs/cluster-api-provider-vsphere), which v1beta2 keeps for every
// field byoos sets; the API version is vsphere.apiVersion.

// CAPVGroup is the API group of the VSphereMachineTemplate.
const CAPVGroup = "infrastructure.cluster.x-k8s.io"

// VSphereMachineTemplate is CAPV's VSphereMachineTemplate.
type VSphereMachineTemplate struct {
	APIVersion string                     `json:"apiVersion"`
	Kind       string                     `json:"kind"`
	Metadata   ObjectMeta                 `json:"metadata"`
	Spec       VSphereMachineTemplateSpec `json:"spec"`
}

// VSphereMachineTemplateSpec is spec of a VSphereMachineTemplate.
type VSphereMachineTemplateSpec struct {
	Template VSphereMachineTemplateResource `json:"template"`
}

// VSphereMachineTemplateResource is spec.template.
type VSphereMachineTemplateResource struct {
	Spec VSphereMachineSpec `json:"spec"`
}

// VSphereMachineSpec is the part of CAPV's VSphereMachineSpec (its embedded
// VirtualMachineCloneSpec) byoos sets.
type VSphereMachineSpec struct {
	Template          string             `json:"template"`
	CloneMode         string             `json:"cloneMode,omitempty"`
	Server            string             `json:"server,omitempty"`
	Thumbprint        string             `json:"thumbprint,omitempty"`
	Datacenter        string             `json:"datacenter,omitempty"`
	Folder            string             `json:"folder,omitempty"`
	Datastore         string             `json:"datastore,omitempty"`
	StoragePolicyName string             `json:"storagePolicyName,omitempty"`
	ResourcePool      string             `json:"resourcePool,omitempty"`
	Network           VSphereNetworkSpec `json:"network"`
	NumCPUs           int32              `json:"numCPUs,omitempty"`
	MemoryMiB         int64              `json:"memoryMiB,omitempty"`
	DiskGiB           int32              `json:"diskGiB,omitempty"`
	OS                string             `json:"os,omitempty"`
}

// VSphereNetworkSpec is CAPV's NetworkSpec.
type VSphereNetworkSpec struct {
	Devices []VSphereNetworkDevice `json:"devices"`
}

// VSphereNetworkDevice is CAPV's NetworkDeviceSpec.
type VSphereNetworkDevice struct {
	NetworkName string `json:"networkName"`
	DHCP4       bool   `json:"dhcp4,omitempty"`
}

// renderVSphere builds the VSphereMachineTemplate: the template is the
// profile's inventory path (CAPV takes a name, an inventory path or a managed
// object reference), and the datacenter and folder the VMs go to are those of
// that path unless the context names others.
func renderVSphere(m meta, im image, c Context) ([]Document, error) {
	tpl, p := osimage.ParseTemplate(im.Ref)
	if p != nil {
		return nil, &ProfileError{Path: im.path("pack.osImageOverride"), Msg: p.Message, Hint: p.Hint}
	}
	if tpl.URL {
		return nil, &ProfileError{Path: im.path("pack.osImageOverride"),
			Msg:  "pack.osImageOverride is the URL of an OVA; CAPV clones a VM template of the vCenter inventory and cannot import an OVA",
			Hint: "import the OVA as a template (govc import.ova, then govc vm.markastemplate) and set pack.osImageOverride to its inventory path"}
	}
	vs := c.VSphere
	if vs.APIVersion != "v1beta1" && vs.APIVersion != "v1beta2" {
		return nil, &UsageError{Key: "vsphere.apiVersion", Msg: fmt.Sprintf("vsphere.apiVersion is %q, expected v1beta1 or v1beta2", brief(vs.APIVersion))}
	}
	if vs.CloneMode != "linkedClone" && vs.CloneMode != "fullClone" {
		return nil, &UsageError{Key: "vsphere.cloneMode", Msg: fmt.Sprintf("vsphere.cloneMode is %q, expected linkedClone or fullClone", brief(vs.CloneMode))}
	}
	if vs.Network == "" {
		return nil, missing("vsphere.network", "the network (port group) the VMs' NIC is connected to")
	}
	dc, folder := splitInventoryPath(tpl.Path)
	if vs.Datacenter != "" {
		dc = vs.Datacenter
	}
	if vs.Folder != "" {
		folder = vs.Folder
	}
	obj := &VSphereMachineTemplate{
		APIVersion: CAPVGroup + "/" + vs.APIVersion, Kind: "VSphereMachineTemplate",
		Metadata: ObjectMeta(m),
		Spec: VSphereMachineTemplateSpec{Template: VSphereMachineTemplateResource{Spec: VSphereMachineSpec{
			Template: tpl.Path, CloneMode: vs.CloneMode,
			Server: vs.Server, Thumbprint: vs.Thumbprint,
			Datacenter: dc, Folder: folder, Datastore: vs.Datastore,
			StoragePolicyName: vs.StoragePolicyName, ResourcePool: vs.ResourcePool,
			Network:   VSphereNetworkSpec{Devices: []VSphereNetworkDevice{{NetworkName: vs.Network, DHCP4: true}}},
			NumCPUs:   vs.NumCPUs,
			MemoryMiB: vs.MemoryMiB,
			DiskGiB:   vs.DiskGiB,
			OS:        "Linux",
		}}},
	}
	return []Document{{Name: "VSphereMachineTemplate/" + m.Name, Format: FormatKubernetes, Object: obj}}, nil
}

// splitInventoryPath returns the datacenter and the VM folder of an absolute
// vSphere inventory path of a template, /DATACENTER/vm/FOLDER.../NAME: the
// datacenter is what comes before the "vm" segment (a path when the
// datacenter sits in folders), the folder the template's folder as an
// inventory path. A bare name or a relative path gives neither.
func splitInventoryPath(path string) (datacenter, folder string) {
	if !strings.HasPrefix(path, "/") {
		return "", ""
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 1; i < len(segs)-1; i++ {
		if segs[i] == "vm" {
			dc := strings.Join(segs[:i], "/")
			if i > 1 {
				dc = "/" + dc
			}
			return dc, "/" + strings.Join(segs[:len(segs)-1], "/")
		}
	}
	return "", ""
}
