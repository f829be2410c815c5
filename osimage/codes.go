package osimage

// Problem codes. They are a stable public contract: scripts and callers match on them,
// so they never change meaning once released.
const (
	// CodeAWSAMIEmpty: the AMI ID is empty or only white space.
	CodeAWSAMIEmpty = "aws-ami-empty"
	// CodeAWSAMIUppercase: an AMI ID of the right length written with upper-case letters.
	CodeAWSAMIUppercase = "aws-ami-uppercase"
	// CodeAWSAMIARN: an ARN (of an EC2 image, an Image Builder image or anything else) instead of an AMI ID.
	CodeAWSAMIARN = "aws-ami-arn"
	// CodeAWSSnapshotID: an EBS snapshot ID (snap-…) instead of an AMI ID.
	CodeAWSSnapshotID = "aws-snapshot-id"
	// CodeAWSAMIMalformed: starts with ami- but has the wrong number of hex digits or non-hex
	// characters; also a bare hex ID without its ami- prefix, and inputs over MaxLength.
	CodeAWSAMIMalformed = "aws-ami-malformed"
	// CodeAWSAMIName: an AMI name instead of an AMI ID.
	CodeAWSAMIName = "aws-ami-name"
	// CodeAWSAMIInvalid: another AWS resource ID (i-…, vol-…, eni-…) or a string that is
	// neither an AMI ID nor an AMI name (spaces, slashes, URLs, SSM parameters…).
	CodeAWSAMIInvalid = "aws-ami-invalid"

	// CodeAzureVHDEmpty: the VHD URL is empty or only white space.
	CodeAzureVHDEmpty = "azure-vhd-empty"
	// CodeAzureGalleryImage: an Azure Compute Gallery (Shared Image Gallery), community
	// gallery or shared gallery image or image-version ID.
	CodeAzureGalleryImage = "azure-gallery-image"
	// CodeAzureManagedImage: a managed image ID (…/providers/Microsoft.Compute/images/NAME).
	CodeAzureManagedImage = "azure-managed-image"
	// CodeAzureMarketplaceURN: a marketplace image URN publisher:offer:sku:version.
	CodeAzureMarketplaceURN = "azure-marketplace-urn"
	// CodeAzureVHDNotHTTPS: a blob URL over http://, or without a scheme.
	CodeAzureVHDNotHTTPS = "azure-vhd-not-https"
	// CodeAzureVHDHost: an https URL whose host is not a Blob storage endpoint, or whose
	// storage account name is not valid.
	CodeAzureVHDHost = "azure-vhd-host"
	// CodeAzureVHDPath: a Blob storage URL with no container or no blob name, an invalid
	// container name, or an invalid blob path.
	CodeAzureVHDPath = "azure-vhd-path"
	// CodeAzureVHDExtension: the blob name does not end in .vhd.
	CodeAzureVHDExtension = "azure-vhd-extension"
	// CodeAzureVHDEmulator: a storage-emulator (Azurite) path-style URL while the emulator
	// is not allowed.
	CodeAzureVHDEmulator = "azure-vhd-emulator"
	// CodeAzureVHDMalformed: anything else that is not a VHD blob URL, and inputs over MaxLength.
	CodeAzureVHDMalformed = "azure-vhd-malformed"

	// CodeVSphereTemplateEmpty: the template is empty or only white space.
	CodeVSphereTemplateEmpty = "vsphere-template-empty"
	// CodeVSphereOVAPrefix: an OVA whose name does not start with "r_u-".
	CodeVSphereOVAPrefix = "vsphere-ova-prefix"
	// CodeVSphereTemplatePath: a template path with empty segments, a trailing slash,
	// backslashes, surrounding white space, control characters, "." or ".." segments,
	// an unusable URL, and inputs over MaxLength.
	CodeVSphereTemplatePath = "vsphere-template-path"

	// CodeOCIEmpty: the image reference is empty or only white space.
	CodeOCIEmpty = "oci-empty"
	// CodeOCIScheme: the image reference starts with a URL scheme (https://, oci://, docker://…).
	CodeOCIScheme = "oci-scheme"
	// CodeOCIUppercase: the repository path has upper-case letters.
	CodeOCIUppercase = "oci-uppercase"
	// CodeOCIInvalid: anything else that is not a valid image reference, and inputs over MaxLength.
	CodeOCIInvalid = "oci-invalid"

	// CodeRegistryInvalid: providerCredentials.registry is not host[:port][/project].
	CodeRegistryInvalid = "registry-invalid"
)
