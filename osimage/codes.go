package osimage

import "github.com/byoos/byoos/finding"

// Problem codes, as the package names them: each is the constant of package finding
// that declares the code (where codes.md explains it), so callers of this package
// can keep matching on them. They are a stable public contract: scripts and callers
// match on them, so they never change meaning once released.
const (
	// CodeAWSAMIEmpty: the AMI ID is empty or only white space.
	CodeAWSAMIEmpty = finding.CodeAWSAMIEmpty
	// CodeAWSAMIUppercase: an AMI ID of the right length written with upper-case letters.
	CodeAWSAMIUppercase = finding.CodeAWSAMIUppercase
	// CodeAWSAMIARN: an ARN (of an EC2 image, an Image Builder image or anything else) instead of an AMI ID.
	CodeAWSAMIARN = finding.CodeAWSAMIARN
	// CodeAWSSnapshotID: an EBS snapshot ID (snap-…) instead of an AMI ID.
	CodeAWSSnapshotID = finding.CodeAWSSnapshotID
	// CodeAWSAMIMalformed: starts with ami- but has the wrong number of hex digits or non-hex
	// characters; also a bare hex ID without its ami- prefix, and inputs over MaxLength.
	CodeAWSAMIMalformed = finding.CodeAWSAMIMalformed
	// CodeAWSAMIName: an AMI name instead of an AMI ID.
	CodeAWSAMIName = finding.CodeAWSAMIName
	// CodeAWSAMIInvalid: another AWS resource ID (i-…, vol-…, eni-…) or a string that is
	// neither an AMI ID nor an AMI name (spaces, slashes, URLs, SSM parameters…).
	CodeAWSAMIInvalid = finding.CodeAWSAMIInvalid

	// CodeAzureVHDEmpty: the VHD URL is empty or only white space.
	CodeAzureVHDEmpty = finding.CodeAzureVHDEmpty
	// CodeAzureGalleryImage: an Azure Compute Gallery (Shared Image Gallery), community
	// gallery or shared gallery image or image-version ID.
	CodeAzureGalleryImage = finding.CodeAzureGalleryImage
	// CodeAzureManagedImage: a managed image ID (…/providers/Microsoft.Compute/images/NAME).
	CodeAzureManagedImage = finding.CodeAzureManagedImage
	// CodeAzureMarketplaceURN: a marketplace image URN publisher:offer:sku:version.
	CodeAzureMarketplaceURN = finding.CodeAzureMarketplaceURN
	// CodeAzureVHDNotHTTPS: a blob URL over http://, or without a scheme.
	CodeAzureVHDNotHTTPS = finding.CodeAzureVHDNotHTTPS
	// CodeAzureVHDHost: an https URL whose host is not a Blob storage endpoint, or whose
	// storage account name is not valid.
	CodeAzureVHDHost = finding.CodeAzureVHDHost
	// CodeAzureVHDPath: a Blob storage URL with no container or no blob name, an invalid
	// container name, or an invalid blob path.
	CodeAzureVHDPath = finding.CodeAzureVHDPath
	// CodeAzureVHDExtension: the blob name does not end in .vhd.
	CodeAzureVHDExtension = finding.CodeAzureVHDExtension
	// CodeAzureVHDEmulator: a storage-emulator (Azurite) path-style URL while the emulator
	// is not allowed.
	CodeAzureVHDEmulator = finding.CodeAzureVHDEmulator
	// CodeAzureVHDMalformed: anything else that is not a VHD blob URL, and inputs over MaxLength.
	CodeAzureVHDMalformed = finding.CodeAzureVHDMalformed

	// CodeVSphereTemplateEmpty: the template is empty or only white space.
	CodeVSphereTemplateEmpty = finding.CodeVSphereTemplateEmpty
	// CodeVSphereOVAPrefix: an OVA whose name does not start with "r_u-".
	CodeVSphereOVAPrefix = finding.CodeVSphereOVAPrefix
	// CodeVSphereTemplatePath: a template path with empty segments, a trailing slash,
	// backslashes, surrounding white space, control characters, "." or ".." segments,
	// an unusable URL, and inputs over MaxLength.
	CodeVSphereTemplatePath = finding.CodeVSphereTemplatePath

	// CodeOCIEmpty: the image reference is empty or only white space.
	CodeOCIEmpty = finding.CodeOCIEmpty
	// CodeOCIScheme: the image reference starts with a URL scheme (https://, oci://, docker://…).
	CodeOCIScheme = finding.CodeOCIScheme
	// CodeOCIUppercase: the repository path has upper-case letters.
	CodeOCIUppercase = finding.CodeOCIUppercase
	// CodeOCIInvalid: anything else that is not a valid image reference, and inputs over MaxLength.
	CodeOCIInvalid = finding.CodeOCIInvalid

	// CodeImageWrongCloud: a value every parser may give: another cloud's image, as
	// [Classify] recognises it (an AMI ID given to ParseTemplate, a VHD URL given to
	// ParseAMI, an OCI reference given to ParseVHD…).
	CodeImageWrongCloud = finding.CodeImageWrongCloud

	// CodeRegistryInvalid: providerCredentials.registry is not host[:port][/project].
	CodeRegistryInvalid = finding.CodeRegistryInvalid
)
