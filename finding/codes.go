package finding

import (
	_ "embed" // codes.md is embedded
	"fmt"
	"slices"
	"strings"
)

// The finding codes, one constant per code, sorted by code. This is the one
// place codes are declared: every package that reports a finding (or an
// osimage.Problem, a macro.Issue, a schema.CheckError) names its code with
// one of these constants. Codes are a stable public contract: scripts,
// clients and golden files match on them, so a code never changes its
// spelling or meaning once released. Each has an explanation in codes.md,
// which [Explain] returns and `byoos explain CODE` prints; a test checks
// that every code used is declared here, used, unique and explained.
const (
	// CodeAWSAMIARN: pack.osImageOverride is an ARN, not an AMI ID.
	CodeAWSAMIARN = "aws-ami-arn"
	// CodeAWSAMIEmpty: pack.osImageOverride is empty on AWS.
	CodeAWSAMIEmpty = "aws-ami-empty"
	// CodeAWSAMIInvalid: pack.osImageOverride is neither an AMI ID nor an AMI name.
	CodeAWSAMIInvalid = "aws-ami-invalid"
	// CodeAWSAMIMalformed: pack.osImageOverride starts like an AMI ID but is not one.
	CodeAWSAMIMalformed = "aws-ami-malformed"
	// CodeAWSAMIName: pack.osImageOverride is an AMI name, not an AMI ID.
	CodeAWSAMIName = "aws-ami-name"
	// CodeAWSAMIUppercase: the AMI ID in pack.osImageOverride has upper-case letters.
	CodeAWSAMIUppercase = "aws-ami-uppercase"
	// CodeAWSSnapshotID: pack.osImageOverride is an EBS snapshot ID, not an AMI ID.
	CodeAWSSnapshotID = "aws-snapshot-id"
	// CodeAzureGalleryImage: pack.osImageOverride is an Azure Compute Gallery image ID.
	CodeAzureGalleryImage = "azure-gallery-image"
	// CodeAzureManagedImage: pack.osImageOverride is an Azure managed image ID.
	CodeAzureManagedImage = "azure-managed-image"
	// CodeAzureMarketplaceURN: pack.osImageOverride is a marketplace image URN.
	CodeAzureMarketplaceURN = "azure-marketplace-urn"
	// CodeAzureVHDEmpty: pack.osImageOverride is empty on Azure.
	CodeAzureVHDEmpty = "azure-vhd-empty"
	// CodeAzureVHDEmulator: pack.osImageOverride is a storage-emulator (Azurite) URL.
	CodeAzureVHDEmulator = "azure-vhd-emulator"
	// CodeAzureVHDExtension: the blob in pack.osImageOverride is not a .vhd.
	CodeAzureVHDExtension = "azure-vhd-extension"
	// CodeAzureVHDHost: the host of the VHD URL is not a Blob storage endpoint.
	CodeAzureVHDHost = "azure-vhd-host"
	// CodeAzureVHDMalformed: pack.osImageOverride is not a VHD blob URL.
	CodeAzureVHDMalformed = "azure-vhd-malformed"
	// CodeAzureVHDNotHTTPS: the VHD URL does not use https.
	CodeAzureVHDNotHTTPS = "azure-vhd-not-https"
	// CodeAzureVHDPath: the VHD URL has no valid container or blob name.
	CodeAzureVHDPath = "azure-vhd-path"
	// CodeAzureVHDSASToken: the VHD URL carries a SAS signature.
	CodeAzureVHDSASToken = "azure-vhd-sas-token"
	// CodeOSImageRequired: pack.osImageOverride is not set.
	CodeOSImageRequired = "byoos-image-required"
	// CodeOSImageType: pack.osImageOverride is not text.
	CodeOSImageType = "byoos-image-type"
	// CodeOSNameCase: pack.osName has upper-case letters.
	CodeOSNameCase = "byoos-osname-case"
	// CodeOSNameFormat: pack.osName has white space.
	CodeOSNameFormat = "byoos-osname-format"
	// CodeOSNameRequired: pack.osName is not set.
	CodeOSNameRequired = "byoos-osname-required"
	// CodeOSNameType: pack.osName is not text.
	CodeOSNameType = "byoos-osname-type"
	// CodeOSVersionRequired: pack.osVersion is not set.
	CodeOSVersionRequired = "byoos-osversion-required"
	// CodeOSVersionType: pack.osVersion is not text, or YAML read it as a number.
	CodeOSVersionType = "byoos-osversion-type"
	// CodeOSVersionUnquoted: osVersion is an unquoted whole number, which YAML reads as a number.
	CodeOSVersionUnquoted = "byoos-osversion-unquoted"
	// CodeCrossCNIPoolOutsidePods: a Calico IP pool lies outside the pod range of the K8s layer.
	CodeCrossCNIPoolOutsidePods = "cross-cni-pool-outside-pods"
	// CodeCrossEdgeDistribution: options.system.k8sDistribution is not the distribution of the K8s layer.
	CodeCrossEdgeDistribution = "cross-edge-distribution"
	// CodeCrossEdgeURIKubernetes: the provider image tag names another Kubernetes than the K8s layer.
	CodeCrossEdgeURIKubernetes = "cross-edge-uri-kubernetes"
	// CodeCrossServiceOverlapsPods: the K8s layer's service range overlaps its pod range.
	CodeCrossServiceOverlapsPods = "cross-service-overlaps-pods"
	// CodeEdgeContentAtRoot: content is at the root of the edge-native-byoi values.
	CodeEdgeContentAtRoot = "edge-content-at-root"
	// CodeEdgeCredentialsCertificate: providerCredentials.certificate is not a PEM certificate.
	CodeEdgeCredentialsCertificate = "edge-credentials-certificate"
	// CodeEdgeCredentialsPasswordRequired: providerCredentials has a username but no password.
	CodeEdgeCredentialsPasswordRequired = "edge-credentials-password-required"
	// CodeEdgeCredentialsPasswordType: providerCredentials.password is not text.
	CodeEdgeCredentialsPasswordType = "edge-credentials-password-type"
	// CodeEdgeCredentialsRegistryMismatch: providerCredentials.registry is not the registry of options.system.uri.
	CodeEdgeCredentialsRegistryMismatch = "edge-credentials-registry-mismatch"
	// CodeEdgeCredentialsRegistryRequired: providerCredentials has credentials but no registry.
	CodeEdgeCredentialsRegistryRequired = "edge-credentials-registry-required"
	// CodeEdgeCredentialsShape: providerCredentials is not a mapping.
	CodeEdgeCredentialsShape = "edge-credentials-shape"
	// CodeEdgeCredentialsSpelling: a providerCredentials field is misspelt.
	CodeEdgeCredentialsSpelling = "edge-credentials-spelling"
	// CodeEdgeCredentialsUsernameRequired: providerCredentials has a password but no username.
	CodeEdgeCredentialsUsernameRequired = "edge-credentials-username-required"
	// CodeEdgeImagesEmpty: pack.content.images is empty.
	CodeEdgeImagesEmpty = "edge-images-empty"
	// CodeEdgeImagesMissingURI: pack.content.images does not list the provider image.
	CodeEdgeImagesMissingURI = "edge-images-missing-uri"
	// CodeEdgeImagesNA: an image of pack.content.images is NA while options.system.uri is not.
	CodeEdgeImagesNA = "edge-images-na"
	// CodeEdgeImagesShape: pack.content.images is not a list of `image:` items.
	CodeEdgeImagesShape = "edge-images-shape"
	// CodeEdgeOptionsUnderPack: options is nested under pack.
	CodeEdgeOptionsUnderPack = "edge-options-under-pack"
	// CodeEdgeSystemURINA: options.system.uri is NA: the Edge host has no provider image.
	CodeEdgeSystemURINA = "edge-system-uri-na"
	// CodeEdgeSystemURIRequired: options.system.uri is not set.
	CodeEdgeSystemURIRequired = "edge-system-uri-required"
	// CodeImageWrongCloud: the image is another cloud's (an AMI ID on vsphere, a VHD URL on aws…).
	CodeImageWrongCloud = "image-wrong-cloud"
	// CodeMacroBudget: macro resolution stopped because its work or time budget was spent.
	CodeMacroBudget = "macro-budget"
	// CodeMacroCycle: macro references form a cycle, nest too deep or expand too far.
	CodeMacroCycle = "macro-cycle"
	// CodeMacroDeployTime: a system macro is only known at deployment.
	CodeMacroDeployTime = "macro-deploy-time"
	// CodeMacroFunction: a macro pipeline does not parse or fails to run.
	CodeMacroFunction = "macro-function"
	// CodeMacroNotScalar: a pack reference names a mapping or a list, not a single value.
	CodeMacroNotScalar = "macro-not-scalar"
	// CodeMacroSecretRef: a pack reference reads a secret value.
	CodeMacroSecretRef = "macro-secret-ref"
	// CodeMacroSyntax: a macro is malformed or never closed.
	CodeMacroSyntax = "macro-syntax"
	// CodeMacroUnknownSystem: a system macro Palette does not define.
	CodeMacroUnknownSystem = "macro-unknown-system"
	// CodeMacroUnresolved: a macro reference has no value.
	CodeMacroUnresolved = "macro-unresolved"
	// CodeMacroVarPipeline: a profile variable is used with a function pipeline.
	CodeMacroVarPipeline = "macro-var-pipeline"
	// CodeOCIEmpty: the image reference is empty.
	CodeOCIEmpty = "oci-empty"
	// CodeOCIImplicitLatest: the image reference has no tag or digest.
	CodeOCIImplicitLatest = "oci-implicit-latest"
	// CodeOCIInvalid: the value is not a valid image reference.
	CodeOCIInvalid = "oci-invalid"
	// CodeOCIScheme: the image reference starts with a URL scheme.
	CodeOCIScheme = "oci-scheme"
	// CodeOCIUppercase: the image reference's repository has upper-case letters.
	CodeOCIUppercase = "oci-uppercase"
	// CodePackAddonType: an add-on pack has no addonType.
	CodePackAddonType = "pack-addon-type"
	// CodePackCloudType: the pack does not support the profile's cloud type.
	CodePackCloudType = "pack-cloud-type"
	// CodePackCloudTypeInvalid: pack.json names a cloud type that is not known.
	CodePackCloudTypeInvalid = "pack-cloud-type-invalid"
	// CodePackCloudTypesRequired: pack.json names no cloud types.
	CodePackCloudTypesRequired = "pack-cloud-types-required"
	// CodePackDependencyInvalid: a constraints.dependencies entry of pack.json is not valid.
	CodePackDependencyInvalid = "pack-dependency-invalid"
	// CodePackDependencyMissing: the pack requires another pack the profile does not have.
	CodePackDependencyMissing = "pack-dependency-missing"
	// CodePackDependencyNotSupported: the profile holds a version of a pack this pack does not support.
	CodePackDependencyNotSupported = "pack-dependency-not-supported"
	// CodePackDependencyVersion: the profile holds a pack in a version this pack does not accept.
	CodePackDependencyVersion = "pack-dependency-version"
	// CodePackFieldRequired: pack.json lacks a required field.
	CodePackFieldRequired = "pack-field-required"
	// CodePackFileMissing: a file of the pack is missing.
	CodePackFileMissing = "pack-file-missing"
	// CodePackJSONInvalid: pack.json is not valid JSON, or a field has the wrong type.
	CodePackJSONInvalid = "pack-json-invalid"
	// CodePackLayerInvalid: pack.json names a layer that is not known.
	CodePackLayerInvalid = "pack-layer-invalid"
	// CodePackNameInvalid: the pack name is not valid.
	CodePackNameInvalid = "pack-name-invalid"
	// CodePackNotFound: no registry holds the pack the layer names.
	CodePackNotFound = "pack-not-found"
	// CodePackSchemaPathMissing: schema.yaml constrains a value that values.yaml does not define.
	CodePackSchemaPathMissing = "pack-schema-path-missing"
	// CodePackTagUnknown: the pack exists, but no version matches the layer's tag.
	CodePackTagUnknown = "pack-tag-unknown"
	// CodePackVersionInvalid: the pack version is not a semantic version.
	CodePackVersionInvalid = "pack-version-invalid"
	// CodePackVersionPrefix: the pack version starts with v.
	CodePackVersionPrefix = "pack-version-prefix"
	// CodePresetsInvalid: presets.yaml is not valid.
	CodePresetsInvalid = "presets-invalid"
	// CodeProfileAddonInfraLayer: an add-on profile holds an infrastructure layer.
	CodeProfileAddonInfraLayer = "profile-addon-infra-layer"
	// CodeProfileCloudTypeInvalid: the profile's cloud type is not known, or is all outside an add-on profile.
	CodeProfileCloudTypeInvalid = "profile-cloud-type-invalid"
	// CodeProfileCloudTypeRequired: the profile has no cloud type.
	CodeProfileCloudTypeRequired = "profile-cloud-type-required"
	// CodeProfileInvalid: the profile document cannot be read.
	CodeProfileInvalid = "profile-invalid"
	// CodeProfileK8sLayerMissing: the profile has no k8s layer.
	CodeProfileK8sLayerMissing = "profile-k8s-layer-missing"
	// CodeProfileLayerInvalid: a layer's layer type is not known.
	CodeProfileLayerInvalid = "profile-layer-invalid"
	// CodeProfileLayerMismatch: a layer's type differs from its pack's.
	CodeProfileLayerMismatch = "profile-layer-mismatch"
	// CodeProfileLayerOrder: the profile's layers are out of order.
	CodeProfileLayerOrder = "profile-layer-order"
	// CodeProfileLayerRequired: a layer has no layer type.
	CodeProfileLayerRequired = "profile-layer-required"
	// CodeProfileNameInvalid: the profile name is not valid.
	CodeProfileNameInvalid = "profile-name-invalid"
	// CodeProfileNameRequired: the profile has no name.
	CodeProfileNameRequired = "profile-name-required"
	// CodeProfileNoLayers: the profile has no layers.
	CodeProfileNoLayers = "profile-no-layers"
	// CodeProfileOsLayerMissing: the profile has no os layer.
	CodeProfileOsLayerMissing = "profile-os-layer-missing"
	// CodeProfileOsLayerMultiple: the profile has more than one os layer.
	CodeProfileOsLayerMultiple = "profile-os-layer-multiple"
	// CodeProfilePackName: a layer has no pack name.
	CodeProfilePackName = "profile-pack-name"
	// CodeProfileTypeInvalid: the profile type is not known.
	CodeProfileTypeInvalid = "profile-type-invalid"
	// CodeProfileTypeRequired: the profile has no type.
	CodeProfileTypeRequired = "profile-type-required"
	// CodeProfileVersionInvalid: the profile version is not a semantic version.
	CodeProfileVersionInvalid = "profile-version-invalid"
	// CodeRegistryInvalid: providerCredentials.registry is not a registry host.
	CodeRegistryInvalid = "registry-invalid"
	// CodeSchemaFormat: a value does not match the format schema.yaml gives it.
	CodeSchemaFormat = "schema-format"
	// CodeSchemaGrammar: a schema.yaml entry cannot be read.
	CodeSchemaGrammar = "schema-grammar"
	// CodeSchemaInvalid: schema.yaml is not valid YAML.
	CodeSchemaInvalid = "schema-invalid"
	// CodeSchemaIPv4: a value is not an IPv4 address.
	CodeSchemaIPv4 = "schema-ipv4"
	// CodeSchemaList: a value is not one of the options schema.yaml lists.
	CodeSchemaList = "schema-list"
	// CodeSchemaRange: a number is outside the range schema.yaml allows.
	CodeSchemaRange = "schema-range"
	// CodeSchemaReadonly: a read-only value differs from the pack's default.
	CodeSchemaReadonly = "schema-readonly"
	// CodeSchemaRequired: a required value is missing or empty.
	CodeSchemaRequired = "schema-required"
	// CodeSchemaType: a value has the wrong YAML type.
	CodeSchemaType = "schema-type"
	// CodeSchemaVersion: a value is not a semantic version.
	CodeSchemaVersion = "schema-version"
	// CodeSecretAlias: a secret is given through a YAML anchor, alias or merge key.
	CodeSecretAlias = "secret-alias"
	// CodeSecretMasked: a secret value is the mask, not a secret.
	CodeSecretMasked = "secret-masked"
	// CodeValuesInvalid: a layer's values are not valid YAML.
	CodeValuesInvalid = "values-invalid"
	// CodeValuesUnknownKey: a key of a layer's values is one its pack neither defines nor reads.
	CodeValuesUnknownKey = "values-unknown-key"
	// CodeVariableDefaultRequired: a required hidden or read-only variable has no default.
	CodeVariableDefaultRequired = "variable-default-required"
	// CodeVariableDuplicate: two profile variables have the same name.
	CodeVariableDuplicate = "variable-duplicate"
	// CodeVariableFormat: a profile variable's format is not known.
	CodeVariableFormat = "variable-format"
	// CodeVariableMasked: a sensitive variable's value is the mask.
	CodeVariableMasked = "variable-masked"
	// CodeVariableName: a profile variable's name is not valid.
	CodeVariableName = "variable-name"
	// CodeVariableOptions: a dropdown variable has no options.
	CodeVariableOptions = "variable-options"
	// CodeVariableRegex: a profile variable's regex does not compile.
	CodeVariableRegex = "variable-regex"
	// CodeVariableRequired: a required profile variable is given no value.
	CodeVariableRequired = "variable-required"
	// CodeVariableValue: a profile variable's value does not fit its format, regex or options.
	CodeVariableValue = "variable-value"
	// CodeVerifyAWSAPI: EC2 answered a preflight check with an unexpected error.
	CodeVerifyAWSAPI = "verify-aws-api"
	// CodeVerifyAWSArch: the AMI's architecture is not the cluster's.
	CodeVerifyAWSArch = "verify-aws-arch"
	// CodeVerifyAWSAuth: EC2 refused the AWS credentials, or none were found.
	CodeVerifyAWSAuth = "verify-aws-auth"
	// CodeVerifyAWSDeprecated: the AMI is deprecated, or will be.
	CodeVerifyAWSDeprecated = "verify-aws-deprecated"
	// CodeVerifyAWSMalformed: EC2 says the AMI ID is not well-formed.
	CodeVerifyAWSMalformed = "verify-aws-malformed"
	// CodeVerifyAWSNotInRegion: the AMI is not in the cluster's region.
	CodeVerifyAWSNotInRegion = "verify-aws-not-in-region"
	// CodeVerifyAWSRegion: the region to check the AMI in is missing or not a region.
	CodeVerifyAWSRegion = "verify-aws-region"
	// CodeVerifyAWSState: the AMI exists but is not available.
	CodeVerifyAWSState = "verify-aws-state"
	// CodeVerifyAWSThrottled: EC2 throttled the check beyond its retries.
	CodeVerifyAWSThrottled = "verify-aws-throttled"
	// CodeVerifyAWSUnreachable: EC2 could not be reached (DNS, TLS, connection).
	CodeVerifyAWSUnreachable = "verify-aws-unreachable"
	// CodeVerifyAzureAccessDenied: the credential may not read the VHD blob (403).
	CodeVerifyAzureAccessDenied = "verify-azure-access-denied"
	// CodeVerifyAzureBlobNotFound: the VHD blob does not exist in its container.
	CodeVerifyAzureBlobNotFound = "verify-azure-blob-not-found"
	// CodeVerifyAzureContainerNotFound: the VHD URL's container does not exist.
	CodeVerifyAzureContainerNotFound = "verify-azure-container-not-found"
	// CodeVerifyAzureCredential: no Microsoft Entra ID token could be had to read the VHD blob.
	CodeVerifyAzureCredential = "verify-azure-credential"
	// CodeVerifyAzureNotPageBlob: the VHD is a block or append blob, not a page blob.
	CodeVerifyAzureNotPageBlob = "verify-azure-not-page-blob"
	// CodeVerifyAzureRequestFailed: Blob storage refused the request for another reason.
	CodeVerifyAzureRequestFailed = "verify-azure-request-failed"
	// CodeVerifyAzureSASExpired: the SAS in the VHD URL has expired (or is not valid yet).
	CodeVerifyAzureSASExpired = "verify-azure-sas-expired"
	// CodeVerifyAzureSize: the VHD's disk size is not a whole number of MiB.
	CodeVerifyAzureSize = "verify-azure-size"
	// CodeVerifyAzureThrottled: Blob storage was still busy (throttling) after the retries.
	CodeVerifyAzureThrottled = "verify-azure-throttled"
	// CodeVerifyAzureUnreachable: the storage endpoint could not be reached (DNS, TLS, connection).
	CodeVerifyAzureUnreachable = "verify-azure-unreachable"
	// CodeVerifyAzureVHDFooter: the blob does not end in a valid VHD footer.
	CodeVerifyAzureVHDFooter = "verify-azure-vhd-footer"
	// CodeVerifyAzureVHDNotFixed: the VHD is dynamic or differencing, not fixed-size.
	CodeVerifyAzureVHDNotFixed = "verify-azure-vhd-not-fixed"
	// CodeVerifyEdgeMoved: an Edge image's tag now resolves to another digest than when the profile was published.
	CodeVerifyEdgeMoved = "verify-edge-moved"
	// CodeVerifyEdgeNotFound: an Edge image's repository or tag is not in its registry.
	CodeVerifyEdgeNotFound = "verify-edge-not-found"
	// CodeVerifyEdgePlatform: an Edge image has no linux/amd64 or linux/arm64 platform (or not the one asked for).
	CodeVerifyEdgePlatform = "verify-edge-platform"
	// CodeVerifyEdgeRegistryError: an Edge image's registry answered with an error or something unreadable.
	CodeVerifyEdgeRegistryError = "verify-edge-registry-error"
	// CodeVerifyEdgeTLS: an Edge image's registry is not trusted over TLS.
	CodeVerifyEdgeTLS = "verify-edge-tls"
	// CodeVerifyEdgeUnauthorized: an Edge image's registry refused the credentials (or their absence).
	CodeVerifyEdgeUnauthorized = "verify-edge-unauthorized"
	// CodeVerifyEdgeUnreachable: an Edge image's registry could not be reached.
	CodeVerifyEdgeUnreachable = "verify-edge-unreachable"
	// CodeVerifyTargetRefused: verify on the server is not allowed to contact the image's host.
	CodeVerifyTargetRefused = "verify-target-refused"
	// CodeVerifyTimeout: a preflight check did not finish in time.
	CodeVerifyTimeout = "verify-timeout"
	// CodeVerifyUnsupported: no preflight check is configured for the image's cloud.
	CodeVerifyUnsupported = "verify-unsupported"
	// CodeVerifyVSphereAmbiguous: a bare vSphere template name matches several VMs or templates.
	CodeVerifyVSphereAmbiguous = "verify-vsphere-ambiguous"
	// CodeVerifyVSphereDatacenter: the datacenter to look a vSphere template up in is unknown.
	CodeVerifyVSphereDatacenter = "verify-vsphere-datacenter"
	// CodeVerifyVSphereFault: vCenter or the OVA's server answered an error.
	CodeVerifyVSphereFault = "verify-vsphere-fault"
	// CodeVerifyVSphereLogin: vCenter refused the user name and password.
	CodeVerifyVSphereLogin = "verify-vsphere-login"
	// CodeVerifyVSphereNotFound: the vSphere template is not in vCenter.
	CodeVerifyVSphereNotFound = "verify-vsphere-not-found"
	// CodeVerifyVSphereNotTemplate: the vSphere template is a virtual machine, not a template.
	CodeVerifyVSphereNotTemplate = "verify-vsphere-not-template"
	// CodeVerifyVSphereNotVM: the vSphere template path names a folder or another object, not a template.
	CodeVerifyVSphereNotVM = "verify-vsphere-not-vm"
	// CodeVerifyVSphereOVAStatus: the OVA URL does not answer with a 2xx status.
	CodeVerifyVSphereOVAStatus = "verify-vsphere-ova-status"
	// CodeVerifyVSphereTLS: the TLS connection to vCenter or the OVA's server failed.
	CodeVerifyVSphereTLS = "verify-vsphere-tls"
	// CodeVerifyVSphereUnreachable: vCenter or the OVA's server could not be reached.
	CodeVerifyVSphereUnreachable = "verify-vsphere-unreachable"
	// CodeVSphereOVAPrefix: the OVA's name does not start with r_u-.
	CodeVSphereOVAPrefix = "vsphere-ova-prefix"
	// CodeVSphereOVAURLCredentials: the OVA URL carries credentials.
	CodeVSphereOVAURLCredentials = "vsphere-ova-url-credentials"
	// CodeVSphereTemplateEmpty: pack.osImageOverride is empty on vSphere.
	CodeVSphereTemplateEmpty = "vsphere-template-empty"
	// CodeVSphereTemplatePath: the vSphere template path is not valid.
	CodeVSphereTemplatePath = "vsphere-template-path"
)

// codesMarkdown is codes.md: the explanation of every code.
//
//go:embed codes.md
var codesMarkdown string

// Explanation says what a finding code means, why it matters and how to fix
// it, as `byoos explain CODE` prints it.
type Explanation struct {
	// Code is the finding code, e.g. aws-ami-name.
	Code string
	// Severity is the severity the code is usually reported with.
	Severity Severity
	// Summary is one line saying what the code means.
	Summary string
	// Text is the explanation in Markdown: one or more paragraphs, with a
	// YAML example where it helps.
	Text string
}

// Explanations returns the explanation of every code, sorted by code.
func Explanations() []Explanation {
	ex, err := parseExplanations(codesMarkdown)
	if err != nil {
		// codes.md is embedded at build time and parsed by the tests, so
		// this is a broken build, not bad input.
		panic(fmt.Sprintf("finding: %v", err))
	}
	return ex
}

// Explain returns the explanation of code, and whether code is a known code.
func Explain(code string) (Explanation, bool) {
	ex := Explanations()
	i, ok := slices.BinarySearchFunc(ex, code, func(e Explanation, c string) int { return strings.Compare(e.Code, c) })
	if !ok {
		return Explanation{}, false
	}
	return ex[i], true
}

// Codes returns every code, sorted.
func Codes() []string {
	ex := Explanations()
	out := make([]string, len(ex))
	for i, e := range ex {
		out[i] = e.Code
	}
	return out
}

// parseExplanations reads codes.md: text up to the first "## " heading is an
// introduction; then each section is "## CODE", a line "**SEVERITY**:
// summary", and the explanation, up to the next "## " heading outside a
// fenced code block. Sections are sorted by code, each code once.
func parseExplanations(text string) ([]Explanation, error) {
	var (
		out     []Explanation
		cur     *Explanation
		body    []string
		inFence bool
		fenceAt int
	)
	flush := func(line int) error {
		if cur == nil {
			return nil
		}
		if cur.Summary == "" {
			return fmt.Errorf("codes.md:%d: %s has no **SEVERITY**: summary line", line, cur.Code)
		}
		cur.Text = strings.TrimSpace(strings.Join(body, "\n"))
		if cur.Text == "" {
			return fmt.Errorf("codes.md:%d: %s has no explanation", line, cur.Code)
		}
		if n := len(out); n > 0 && out[n-1].Code >= cur.Code {
			return fmt.Errorf("codes.md:%d: %s comes after %s; sections are sorted by code, each code once", line, cur.Code, out[n-1].Code)
		}
		out = append(out, *cur)
		cur, body = nil, nil
		return nil
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		n := i + 1
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			fenceAt = n
		}
		switch {
		case !inFence && strings.HasPrefix(line, "## "):
			if err := flush(n); err != nil {
				return nil, err
			}
			code := strings.TrimSpace(line[3:])
			if !validCode(code) {
				return nil, fmt.Errorf("codes.md:%d: %q is not a code: lower-case words joined by hyphens", n, code)
			}
			cur = &Explanation{Code: code}
		case cur == nil:
			// The introduction.
		case cur.Summary == "":
			if strings.TrimSpace(line) == "" {
				continue
			}
			sev, summary, ok := parseSummary(line)
			if !ok {
				return nil, fmt.Errorf("codes.md:%d: %s: expected **error**, **warning** or **info**, a colon and a summary, found %q", n, cur.Code, line)
			}
			cur.Severity, cur.Summary = sev, summary
		default:
			body = append(body, line)
		}
	}
	if inFence {
		return nil, fmt.Errorf("codes.md:%d: code block is never closed", fenceAt)
	}
	if err := flush(len(lines)); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("codes.md: no codes")
	}
	return out, nil
}

// parseSummary reads "**SEVERITY**: summary".
func parseSummary(line string) (Severity, string, bool) {
	rest, ok := strings.CutPrefix(line, "**")
	if !ok {
		return "", "", false
	}
	sev, summary, ok := strings.Cut(rest, "**: ")
	summary = strings.TrimSpace(summary)
	if !ok || summary == "" {
		return "", "", false
	}
	switch s := Severity(sev); s {
	case Error, Warning, Info:
		return s, summary, true
	}
	return "", "", false
}

// validCode reports whether s has the shape of a code: lower-case letters
// and digits in words joined by single hyphens, starting with a letter.
func validCode(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' || !strings.Contains(s, "-") || strings.Contains(s, "--") {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
