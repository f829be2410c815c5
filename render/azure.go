package render

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/wire"
)

// The few Cluster API Provider Azure types the AzureMachineTemplate needs,
// written here because CAPZ is not on the module proxy. Field names and the
// API version are those of CAPZ's current stable CRD,
// infrastructure.cluster.x-k8s.io/v1beta1 (api/v1beta1/azuremachine_types.go,
// azuremachinetemplate_types.go, types.go of kubernetes-sigs/cluster-api-provider-azure).

// CAPZAPIVersion is the apiVersion of the AzureMachineTemplate.
const CAPZAPIVersion = "infrastructure.cluster.x-k8s.io/v1beta1"

// AzureMachineTemplate is CAPZ's AzureMachineTemplate.
type AzureMachineTemplate struct {
	APIVersion string                   `json:"apiVersion"`
	Kind       string                   `json:"kind"`
	Metadata   ObjectMeta               `json:"metadata"`
	Spec       AzureMachineTemplateSpec `json:"spec"`
}

// ObjectMeta is the part of Kubernetes' metadata a rendered object sets.
type ObjectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// AzureMachineTemplateSpec is spec of an AzureMachineTemplate.
type AzureMachineTemplateSpec struct {
	Template AzureMachineTemplateResource `json:"template"`
}

// AzureMachineTemplateResource is spec.template.
type AzureMachineTemplateResource struct {
	Spec AzureMachineSpec `json:"spec"`
}

// AzureMachineSpec is the part of CAPZ's AzureMachineSpec byoos sets.
type AzureMachineSpec struct {
	VMSize       string      `json:"vmSize"`
	Image        *AzureImage `json:"image,omitempty"`
	OSDisk       AzureOSDisk `json:"osDisk"`
	SSHPublicKey string      `json:"sshPublicKey,omitempty"`
}

// AzureImage is CAPZ's Image; byoos sets only the managed image ID.
type AzureImage struct {
	ID *string `json:"id,omitempty"`
}

// AzureOSDisk is CAPZ's OSDisk.
type AzureOSDisk struct {
	OSType      string                 `json:"osType"`
	DiskSizeGB  *int32                 `json:"diskSizeGB,omitempty"`
	ManagedDisk *AzureManagedDiskParam `json:"managedDisk,omitempty"`
}

// AzureManagedDiskParam is CAPZ's ManagedDiskParameters.
type AzureManagedDiskParam struct {
	StorageAccountType string `json:"storageAccountType,omitempty"`
}

// ARMImagesAPIVersion is the Microsoft.Compute/images API version of the ARM
// template: the newest stable one documented in the ARM template reference
// (learn.microsoft.com/azure/templates/microsoft.compute/2024-07-01/images).
const ARMImagesAPIVersion = "2024-07-01"

// ARMTemplate is an Azure Resource Manager deployment template.
type ARMTemplate struct {
	Schema         string               `json:"$schema"`
	ContentVersion string               `json:"contentVersion"`
	Resources      []ARMImage           `json:"resources"`
	Outputs        map[string]ARMOutput `json:"outputs"`
}

// ARMOutput is an output of a deployment template.
type ARMOutput struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ARMImage is a Microsoft.Compute/images resource.
type ARMImage struct {
	Type       string             `json:"type"`
	APIVersion string             `json:"apiVersion"`
	Name       string             `json:"name"`
	Location   string             `json:"location"`
	Tags       map[string]string  `json:"tags,omitempty"`
	Properties ARMImageProperties `json:"properties"`
}

// ARMImageProperties are an image's properties.
type ARMImageProperties struct {
	HyperVGeneration string                 `json:"hyperVGeneration"`
	StorageProfile   ARMImageStorageProfile `json:"storageProfile"`
}

// ARMImageStorageProfile is an image's storage profile.
type ARMImageStorageProfile struct {
	OSDisk ARMImageOSDisk `json:"osDisk"`
}

// ARMImageOSDisk is an image's OS disk, made from a VHD blob.
type ARMImageOSDisk struct {
	OSType  string `json:"osType"`
	OSState string `json:"osState"`
	BlobURI string `json:"blobUri"`
}

// azureImageName matches a managed image name: 1-80 characters, letters,
// digits, '_', '.', '-', starting with a letter or digit and ending with a
// letter, digit or '_'.
var azureImageName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$`)

// azureGUID matches a subscription ID.
var azureGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// azureResourceGroup matches a resource group name.
var azureResourceGroup = regexp.MustCompile(`^[-\w._()]{0,89}[-\w_()]$`)

// renderAzure builds the two documents CAPZ needs for a VHD: the ARM template
// that creates a managed image from the blob (CAPZ cannot boot a blob URL),
// then the AzureMachineTemplate whose image.id is that image's resource ID.
func renderAzure(p *wire.Profile, m meta, im image, c Context) ([]Document, error) {
	vhd, prob := osimage.ParseVHD(im.Ref, osimage.AzureOptions{})
	if prob != nil {
		return nil, &ProfileError{Path: im.path("pack.osImageOverride"), Msg: prob.Message, Hint: prob.Hint}
	}
	az := c.Azure
	switch {
	case az.SubscriptionID == "":
		return nil, missing("azure.subscriptionID", "the Azure subscription the managed image is created in")
	case !azureGUID.MatchString(az.SubscriptionID):
		return nil, &UsageError{Key: "azure.subscriptionID", Msg: fmt.Sprintf("azure.subscriptionID %q is not a subscription ID (a GUID such as 01234567-89ab-cdef-0123-4567890abcde)", brief(az.SubscriptionID))}
	case az.ResourceGroup == "":
		return nil, missing("azure.resourceGroup", "the resource group the managed image is created in")
	case !azureResourceGroup.MatchString(az.ResourceGroup):
		return nil, &UsageError{Key: "azure.resourceGroup", Msg: fmt.Sprintf("azure.resourceGroup %q is not a resource group name (1-90 letters, digits, '.', '_', '-', '(' or ')', not ending in '.')", brief(az.ResourceGroup))}
	case c.Region == "":
		return nil, missing("region", "the Azure location of the managed image, the VHD's storage account's location")
	}
	if az.HyperVGeneration != "V1" && az.HyperVGeneration != "V2" {
		return nil, &UsageError{Key: "azure.hyperVGeneration", Msg: fmt.Sprintf("azure.hyperVGeneration is %q, expected V1 or V2", brief(az.HyperVGeneration))}
	}
	name := az.ImageName
	key := "azure.imageName"
	if name == "" {
		base := vhd.Blob[strings.LastIndexByte(vhd.Blob, '/')+1:]
		name = strings.TrimSuffix(strings.TrimSuffix(base, ".vhd"), ".VHD")
	}
	if !azureImageName.MatchString(name) {
		return nil, &UsageError{Key: key, Msg: fmt.Sprintf("the managed image name %q is not valid in Azure (1-80 letters, digits, '_', '.', '-', starting with a letter or digit, ending with a letter, digit or '_'); set azure.imageName", brief(name))}
	}
	id := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/images/%s", az.SubscriptionID, az.ResourceGroup, name)

	tags := map[string]string{"byoos-profile": p.Metadata.Name}
	if p.Spec.Version != "" {
		tags["byoos-profile-version"] = p.Spec.Version
	}
	arm := &ARMTemplate{
		Schema:         "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		ContentVersion: "1.0.0.0",
		Resources: []ARMImage{{
			Type: "Microsoft.Compute/images", APIVersion: ARMImagesAPIVersion,
			Name: name, Location: c.Region, Tags: tags,
			Properties: ARMImageProperties{
				HyperVGeneration: az.HyperVGeneration,
				StorageProfile: ARMImageStorageProfile{OSDisk: ARMImageOSDisk{
					OSType: "Linux", OSState: "Generalized", BlobURI: blobURIWithoutSAS(vhd.URL),
				}},
			},
		}},
		Outputs: map[string]ARMOutput{"imageId": {Type: "string", Value: "[resourceId('Microsoft.Compute/images', '" + name + "')]"}},
	}
	size := az.OSDiskSizeGB
	amt := &AzureMachineTemplate{
		APIVersion: CAPZAPIVersion, Kind: "AzureMachineTemplate",
		Metadata: ObjectMeta(m),
		Spec: AzureMachineTemplateSpec{Template: AzureMachineTemplateResource{Spec: AzureMachineSpec{
			VMSize: az.VMSize,
			Image:  &AzureImage{ID: &id},
			OSDisk: AzureOSDisk{OSType: "Linux", DiskSizeGB: &size,
				ManagedDisk: &AzureManagedDiskParam{StorageAccountType: az.StorageAccountType}},
			SSHPublicKey: az.SSHPublicKey,
		}}},
	}
	return []Document{
		{Name: "Microsoft.Compute/images/" + name, Format: FormatARM, Object: arm},
		{Name: "AzureMachineTemplate/" + m.Name, Format: FormatKubernetes, Object: amt},
	}, nil
}

// blobURIWithoutSAS drops the query (a SAS token) of a blob URL. Azure reads
// the blob of an image's osDisk.blobUri with the platform's own access to a
// storage account of the same subscription, not with a SAS, so the SAS is
// neither needed nor ever written into a template.
func blobURIWithoutSAS(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i]
		}
		return s
	}
	u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
	return u.String()
}
