package osimage

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// AzureOptions tunes ParseVHD.
type AzureOptions struct {
	// AllowEmulator accepts storage-emulator (Azurite) path-style URLs such as
	// http://127.0.0.1:10000/devstoreaccount1/CONTAINER/NAME.vhd, for local testing.
	// When false they are rejected with CodeAzureVHDEmulator.
	AllowEmulator bool
}

// The clouds a VHD blob URL can belong to (VHD.Cloud).
const (
	// CloudPublic is Azure's public cloud: ACCOUNT.blob.core.windows.net.
	CloudPublic = "public"
	// CloudChina is Azure China (21Vianet): ACCOUNT.blob.core.chinacloudapi.cn.
	CloudChina = "china"
	// CloudUSGovernment is Azure Government: ACCOUNT.blob.core.usgovcloudapi.net.
	CloudUSGovernment = "usgovernment"
	// CloudGermany is the (retired) Azure Germany cloud: ACCOUNT.blob.core.cloudapi.de.
	CloudGermany = "germany"
	// CloudEmulator is a storage emulator (Azurite) reached by a path-style URL.
	CloudEmulator = "emulator"
)

// VHD is a parsed Azure blob URL of a VHD.
type VHD struct {
	// URL is the blob URL exactly as given.
	URL string
	// Account is the storage account name, in lower case.
	Account string
	// Container is the blob container name.
	Container string
	// Blob is the blob name within the container (it may contain "/"), percent-decoded.
	Blob string
	// Cloud is the Azure cloud of the storage endpoint: "public", "china",
	// "usgovernment", "germany", or "emulator" for an emulator path-style URL.
	Cloud string
	// Host is the URL's host (with its port, if one was given), in lower case.
	Host string
	// HasSAS reports whether the query string carries a shared access signature (sig=,
	// the name in any case and percent-encoding).
	HasSAS bool
}

// exampleVHD is the form of a VHD blob URL quoted in messages and hints.
const exampleVHD = "https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd"

// exportSteps is the common tail of hints that turn a disk into a VHD blob.
const exportSteps = "get a read-only SAS URL for it with `az disk grant-access --resource-group <rg> --name byoos-export --access-level Read --duration-in-seconds 3600 --query accessSas --output tsv`, " +
	"copy it into a container with `azcopy copy '<SAS URL>' '" + exampleVHD + "' --blob-type PageBlob` (after `azcopy login`), and set the image to the blob URL."

// ParseVHD parses the Azure image of a generic-byoi profile: the https blob URL of a VHD,
// https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH.vhd, or the same on a sovereign
// cloud's blob endpoint (.blob.core.chinacloudapi.cn, .blob.core.usgovcloudapi.net,
// .blob.core.cloudapi.de). A query string (a SAS token) is allowed. Emulator path-style URLs
// (http://127.0.0.1:10000/devstoreaccount1/CONTAINER/PATH.vhd) are accepted only when
// opt.AllowEmulator is set. Gallery image IDs, managed image IDs and marketplace URNs are
// recognised and rejected with their own codes, since the pack takes only a VHD URL.
func ParseVHD(s string, opt AzureOptions) (VHD, *Problem) {
	v, p := parseVHD(s, opt)
	if p != nil {
		return VHD{}, redactProblem(s, p, func(r string) *Problem { _, q := parseVHD(r, opt); return q })
	}
	return v, nil
}

// parseVHD is ParseVHD without the redaction of its problems.
func parseVHD(s string, opt AzureOptions) (VHD, *Problem) {
	if len(s) > MaxLength {
		return VHD{}, tooLong(finding.CodeAzureVHDMalformed, "a VHD blob URL", s)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return VHD{}, newProblem(finding.CodeAzureVHDEmpty,
			fmt.Sprintf("no VHD URL was given (found %s); an Azure BYOOS image is the blob URL of a VHD, %s.", quote(s), exampleVHD),
			"Upload the image as a fixed-size VHD page blob to a storage account container and set the image to its URL, "+exampleVHD+".")
	}
	if p := wrongCloud(s, CloudTypeAzure); p != nil {
		return VHD{}, p
	}
	if i, r := firstSpaceOrControl(s); i >= 0 {
		hint := "Remove the white space and control characters: a blob URL is a single word, " + exampleVHD + "."
		if t != s {
			if _, p := ParseVHD(t, opt); p == nil {
				hint = fmt.Sprintf("Remove the white space around the URL: use %s.", quote(t))
			}
		}
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("the VHD URL %s contains %s at byte %d; expected a blob URL, %s.", quote(s), describeRune(r), i, exampleVHD),
			hint)
	}
	if strings.HasPrefix(s, "/") || hasPrefixFold(s, "subscriptions/") {
		return VHD{}, azureResourceIDProblem(s)
	}
	if isMarketplaceURN(s) {
		return VHD{}, newProblem(finding.CodeAzureMarketplaceURN,
			fmt.Sprintf("%s is an Azure Marketplace image URN (publisher:offer:sku:version); this pack version (generic-byoi 1.0.x) does not take marketplace images, only the blob URL of a VHD, %s.", quote(s), exampleVHD),
			fmt.Sprintf("Export the image to a VHD: create a disk from it with `az disk create --resource-group <rg> --name byoos-export --image-reference %s`, ", shellWord(s, "<urn>"))+exportSteps)
	}
	se := schemeEnd(s)
	if se < 0 {
		host := s
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if _, _, ok := blobEndpoint(strings.ToLower(host)); ok {
			return VHD{}, newProblem(finding.CodeAzureVHDNotHTTPS,
				fmt.Sprintf("the VHD URL %s has no scheme; expected an https blob URL, %s.", quote(s), exampleVHD),
				fmt.Sprintf("Add the https scheme: use %s.", quote("https://"+s)))
		}
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("%s is not a URL; expected the https blob URL of a VHD, %s.", quote(s), exampleVHD),
			"Upload the image as a fixed-size VHD page blob to a storage account container and set the image to its URL, "+exampleVHD+".")
	}
	scheme := strings.ToLower(s[:se])
	if scheme != "https" && scheme != "http" {
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("the VHD URL %s uses the %q scheme; expected an https blob URL, %s.", quote(s), scheme, exampleVHD),
			"Use the https URL of the blob, "+exampleVHD+"; the storage account's Blob service endpoint is shown in the Azure portal under Endpoints.")
	}
	u, err := url.Parse(s)
	if err != nil {
		p := newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("%s is not a valid URL (%s); expected the https blob URL of a VHD, %s.", quote(s), plainURLError(err), exampleVHD),
			"Copy the blob URL from the Azure portal (the blob's Properties > URL) or from `az storage blob url`, and percent-encode any special characters in the blob name.")
		p.err = fmt.Errorf("parse VHD URL: %w", err)
		return VHD{}, p
	}
	if u.User != nil {
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("the VHD URL %s carries user credentials before the host; expected %s.", quote(s), exampleVHD),
			"Remove the user name and password; to grant access to a private blob, append a SAS token as the query string instead.")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("the VHD URL %s has a fragment (#…); expected %s with an optional SAS query string.", quote(s), exampleVHD),
			"Remove the part from '#' on, or percent-encode '#' as %23 if it is part of the blob name.")
	}
	hostname := strings.ToLower(u.Hostname())
	port := u.Port()
	host := strings.ToLower(u.Host)
	if hostname == "" {
		return VHD{}, newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("the VHD URL %s has no host; expected %s.", quote(s), exampleVHD),
			"Give the full blob URL, including the storage account's blob endpoint, "+exampleVHD+".")
	}
	account, cloud, isBlob := blobEndpoint(hostname)
	if !isBlob && isEmulatorURL(hostname, port, u.Path) {
		if !opt.AllowEmulator {
			return VHD{}, newProblem(finding.CodeAzureVHDEmulator,
				fmt.Sprintf("%s is a storage-emulator (Azurite) path-style URL on %q; an Azure cluster cannot read a VHD from an emulator, it needs %s.", quote(s), host, exampleVHD),
				"Upload the VHD as a page blob to a storage account in Azure and use its URL, "+exampleVHD+"; emulator URLs are accepted only when the emulator is explicitly allowed for local testing.")
		}
		return parseEmulatorVHD(s, u, host)
	}
	if !isBlob {
		return VHD{}, hostProblem(s, hostname)
	}
	if !isStorageAccountName(account) {
		return VHD{}, newProblem(finding.CodeAzureVHDHost,
			fmt.Sprintf("the VHD URL %s names the storage account %q; an account name is 3 to 24 lowercase letters and digits, as in %s.", quote(s), account, exampleVHD),
			"Use the blob endpoint of the storage account itself, https://ACCOUNT.blob.core.windows.net (not a private-endpoint or custom-domain name), followed by /CONTAINER/NAME.vhd.")
	}
	if port != "" && port != "443" {
		return VHD{}, newProblem(finding.CodeAzureVHDHost,
			fmt.Sprintf("the VHD URL %s gives port %s; Azure Blob storage endpoints are reached on the default https port.", quote(s), quote(port)),
			fmt.Sprintf("Remove the port: the host should be just %s.", quote(hostname)))
	}
	if scheme == "http" {
		return VHD{}, newProblem(finding.CodeAzureVHDNotHTTPS,
			fmt.Sprintf("the VHD URL %s uses http; Azure needs the https blob URL, %s.", quote(s), exampleVHD),
			fmt.Sprintf("Use https: %s.", quote("https"+s[len("http"):])))
	}
	return blobVHD(s, u.Path, u.RawQuery, VHD{Account: account, Cloud: cloud, Host: host})
}

// blobVHD completes v, the VHD of URL s: the container and the blob from
// path (what follows the account), the .vhd name, and whether the query
// carries a shared access signature.
func blobVHD(s, path, rawQuery string, v VHD) (VHD, *Problem) {
	container, blob, p := splitContainerBlob(s, path)
	if p != nil {
		return VHD{}, p
	}
	if p := vhdExtensionProblem(s, blob); p != nil {
		return VHD{}, p
	}
	hasSAS, p := scanQuery(s, rawQuery)
	if p != nil {
		return VHD{}, p
	}
	v.URL, v.Container, v.Blob, v.HasSAS = s, container, blob, hasSAS
	return v, nil
}

// scanQuery checks the percent-escapes of the raw query string of the VHD URL s and
// reports whether it carries a shared access signature: a non-empty "sig" parameter, the
// name compared in any case and percent-decoded ("SIG", "%73ig"), after '&' or ';'.
func scanQuery(s, raw string) (hasSAS bool, p *Problem) {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && (i+2 >= len(raw) || !isHexByte(raw[i+1]) || !isHexByte(raw[i+2])) {
			bad := raw[i:min(i+3, len(raw))]
			return false, newProblem(finding.CodeAzureVHDMalformed,
				fmt.Sprintf("the query string of the VHD URL %s has the bad percent-escape %s; expected an optional SAS token such as ?sv=…&sig=….", quote(s), quote(bad)),
				"Copy the SAS URL again from the Azure portal (Generate SAS) or from `az storage blob generate-sas --full-uri`, without editing the query string.")
		}
	}
	for param := range strings.FieldsFuncSeq(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		if k, v, _ := strings.Cut(param, "="); v != "" && strings.EqualFold(secret.NormalizeQueryKey(k), "sig") {
			hasSAS = true
		}
	}
	return hasSAS, nil
}

// blobEndpoint splits a lower-case host name on an Azure Blob storage endpoint suffix,
// returning the part before it (the account, if valid) and the cloud.
func blobEndpoint(hostname string) (account, cloud string, ok bool) {
	for _, e := range [...]struct{ suffix, cloud string }{
		{".blob.core.windows.net", CloudPublic},
		{".blob.core.chinacloudapi.cn", CloudChina},
		{".blob.core.usgovcloudapi.net", CloudUSGovernment},
		{".blob.core.cloudapi.de", CloudGermany},
	} {
		if strings.HasSuffix(hostname, e.suffix) {
			return hostname[:len(hostname)-len(e.suffix)], e.cloud, true
		}
	}
	return "", "", false
}

// isStorageAccountName reports whether s is 3–24 lowercase letters and digits.
func isStorageAccountName(s string) bool {
	if len(s) < 3 || len(s) > 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isEmulatorURL reports whether a non-blob-endpoint URL is an emulator path-style URL:
// its host is localhost or an IP address, or it has an explicit port and a path of at
// least three segments (/ACCOUNT/CONTAINER/BLOB).
func isEmulatorURL(hostname, port, path string) bool {
	if hostname == "localhost" || strings.HasSuffix(hostname, ".localhost") {
		return true
	}
	if _, err := netip.ParseAddr(hostname); err == nil {
		return true
	}
	return port != "" && strings.Count(strings.Trim(path, "/"), "/") >= 2
}

// parseEmulatorVHD parses an allowed emulator path-style URL: /ACCOUNT/CONTAINER/BLOB.vhd.
func parseEmulatorVHD(s string, u *url.URL, host string) (VHD, *Problem) {
	path := strings.TrimPrefix(u.Path, "/")
	slash := strings.IndexByte(path, '/')
	if slash < 0 {
		return VHD{}, newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the emulator URL %s has no container and blob after the account; expected http://%s/ACCOUNT/CONTAINER/NAME.vhd.", quote(s), host),
			"Give the path-style blob URL, for example http://127.0.0.1:10000/devstoreaccount1/CONTAINER/NAME.vhd.")
	}
	account := path[:slash]
	if !isStorageAccountName(account) {
		return VHD{}, newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the emulator URL %s names the account %s; an account name is 3 to 24 lowercase letters and digits (the emulator's default is \"devstoreaccount1\").", quote(s), quote(account)),
			"Give the path-style blob URL, for example http://127.0.0.1:10000/devstoreaccount1/CONTAINER/NAME.vhd.")
	}
	return blobVHD(s, path[slash:], u.RawQuery, VHD{Account: account, Cloud: CloudEmulator, Host: host})
}

// splitContainerBlob splits a decoded URL path "/CONTAINER/BLOB" and checks both parts.
func splitContainerBlob(s, path string) (container, blob string, p *Problem) {
	const want = "expected " + exampleVHD + ", with the container name first and the blob name after it."
	rest := strings.TrimPrefix(path, "/")
	if rest == "" {
		return "", "", newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the VHD URL %s has no container or blob name; %s", quote(s), want),
			"Append the container and blob name of the VHD to the storage endpoint: /CONTAINER/NAME.vhd.")
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", "", newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the VHD URL %s has only one path segment, %s, so it lacks either the container or the blob name; %s", quote(s), quote(rest), want),
			"Give both the container and the blob: /CONTAINER/NAME.vhd (blobs at the top of the account live in a container too).")
	}
	container, blob = rest[:slash], rest[slash+1:]
	if reason := containerNameProblem(container); reason != "" {
		hint := "Use the name of the blob container that holds the VHD: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
		if lc := strings.ToLower(container); lc != container && containerNameProblem(lc) == "" {
			hint = fmt.Sprintf("Container names are lower case: use the container %s.", quote(lc))
		}
		return "", "", newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the VHD URL %s names the container %s, which %s; %s", quote(s), quote(container), reason, want), hint)
	}
	if blob == "" {
		return "", "", newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the VHD URL %s has no blob name after the container %s; %s", quote(s), quote(container), want),
			"Append the blob name of the VHD after the container: /"+container+"/NAME.vhd.")
	}
	if len(blob) > 1024 {
		return "", "", newProblem(finding.CodeAzureVHDPath,
			fmt.Sprintf("the blob name in the VHD URL %s is %d characters long; Azure blob names are at most 1024.", quote(s), len(blob)),
			"Use a shorter blob name.")
	}
	for seg := range strings.SplitSeq(blob, "/") {
		switch seg {
		case "":
			return "", "", newProblem(finding.CodeAzureVHDPath,
				fmt.Sprintf("the blob path %s in the VHD URL %s has an empty segment (a double or trailing slash); expected %s.", quote(blob), quote(s), exampleVHD),
				"Remove the extra slash so that the URL ends in the VHD's file name, NAME.vhd.")
		case ".", "..":
			return "", "", newProblem(finding.CodeAzureVHDPath,
				fmt.Sprintf("the blob path %s in the VHD URL %s has a %s segment; blob URLs are not resolved like file paths.", quote(blob), quote(s), quote(seg)),
				"Give the blob's full name within the container, without . or .. segments.")
		}
	}
	return container, blob, nil
}

// containerNameProblem returns why name is not a valid blob container name, or "".
func containerNameProblem(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return fmt.Sprintf("is %d characters long instead of 3 to 63", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(name)-1 {
				return "starts or ends with a hyphen"
			}
			if name[i-1] == '-' {
				return "has two hyphens in a row"
			}
		case c >= 'A' && c <= 'Z':
			return "has upper-case letters (container names are lower case)"
		default:
			return "has characters other than lowercase letters, digits and hyphens"
		}
	}
	return ""
}

// vhdExtensionProblem checks that the blob's name ends in ".vhd".
func vhdExtensionProblem(s, blob string) *Problem {
	name := blob[strings.LastIndexByte(blob, '/')+1:]
	ext := ""
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		ext = name[dot:]
	}
	if ext == ".vhd" {
		return nil
	}
	found := fmt.Sprintf("has the extension %s", quote(ext))
	if ext == "" {
		found = "has no extension"
	}
	msg := fmt.Sprintf("the blob %s in %s %s; Azure needs a fixed-size VHD, a blob whose name ends in \".vhd\".", quote(name), quote(s), found)
	var hint string
	switch strings.ToLower(ext) {
	case ".vhd":
		hint = "Name the blob with the lower-case extension .vhd (copy it to NAME.vhd with `azcopy copy`) and use that URL."
	case ".vhdx":
		hint = "Convert the VHDX to a fixed-size VHD (`qemu-img convert -f vhdx -O vpc -o subformat=fixed,force_size IN.vhdx OUT.vhd`, or `Convert-VHD -Path IN.vhdx -DestinationPath OUT.vhd -VHDType Fixed`), upload it as a page blob (`azcopy copy OUT.vhd '" + exampleVHD + "' --blob-type PageBlob`) and use its URL."
	default:
		hint = "Convert the disk image to a fixed-size VHD (`qemu-img convert -O vpc -o subformat=fixed,force_size IN OUT.vhd`; the virtual size must be a whole number of MiB), upload it as a page blob (`azcopy copy OUT.vhd '" + exampleVHD + "' --blob-type PageBlob`) and use its URL."
	}
	return newProblem(finding.CodeAzureVHDExtension, msg, hint)
}

// hostProblem explains an https URL whose host is not a Blob storage endpoint.
func hostProblem(s, hostname string) *Problem {
	what := "is not an Azure Blob storage endpoint"
	for _, svc := range [...]struct{ label, name string }{
		{".file.core.", "the Azure Files endpoint"},
		{".dfs.core.", "the Data Lake Storage endpoint"},
		{".queue.core.", "the Queue storage endpoint"},
		{".table.core.", "the Table storage endpoint"},
		{".web.core.", "the static website endpoint"},
		{".blob.storage.azure.net", "an Azure DNS zone blob endpoint, which this pack does not take"},
	} {
		if strings.Contains(hostname, svc.label) {
			what = "is " + svc.name + " of a storage account, not its Blob storage endpoint"
			break
		}
	}
	return newProblem(finding.CodeAzureVHDHost,
		fmt.Sprintf("the host %s of the VHD URL %s %s; expected %s.", quote(hostname), quote(s), what, exampleVHD),
		"Upload the VHD as a page blob to a Blob storage container and use its URL, "+exampleVHD+
			" (.blob.core.chinacloudapi.cn, .blob.core.usgovcloudapi.net or .blob.core.cloudapi.de in sovereign clouds).")
}

// azureResourceIDProblem explains an Azure resource ID (/subscriptions/…) given instead of
// a VHD URL.
func azureResourceIDProblem(s string) *Problem {
	segs := strings.Split(strings.Trim(strings.ToLower(s), "/"), "/")
	kind := ""
	switch {
	case len(segs) > 0 && (segs[0] == "communitygalleries" || segs[0] == "sharedgalleries"):
		kind = "galleries"
	default:
		for i := 0; i+2 < len(segs); i++ {
			if segs[i] == "providers" && segs[i+1] == "microsoft.compute" {
				kind = segs[i+2]
				break
			}
		}
	}
	switch kind {
	case "galleries":
		return newProblem(finding.CodeAzureGalleryImage,
			fmt.Sprintf("%s is an Azure Compute Gallery image ID; this pack version (generic-byoi 1.0.x) does not support gallery image IDs, only the blob URL of a VHD, %s.", quote(s), exampleVHD),
			fmt.Sprintf("Export the image version to a VHD in a storage account: create a disk from it with `az disk create --resource-group <rg> --name byoos-export --gallery-image-reference %s` (find the version with `az sig image-version list`), ",
				shellWord(s, "<image-version-id>"))+exportSteps)
	case "images":
		return newProblem(finding.CodeAzureManagedImage,
			fmt.Sprintf("%s is an Azure managed image ID; this pack version (generic-byoi 1.0.x) does not support managed images, only the blob URL of a VHD, %s.", quote(s), exampleVHD),
			fmt.Sprintf("Find the image's source with `az image show --ids %s --query storageProfile.osDisk`: if it has a blobUri, use that VHD URL; otherwise create a disk from its source snapshot (`az disk create --resource-group <rg> --name byoos-export --source <snapshot-id>`), ",
				shellWord(s, "<image-id>"))+exportSteps)
	case "snapshots", "disks":
		return newProblem(finding.CodeAzureVHDMalformed,
			fmt.Sprintf("%s is the ID of an Azure managed %s, not the blob URL of a VHD, %s.", quote(s), strings.TrimSuffix(kind, "s"), exampleVHD),
			"Get a read-only SAS URL for it with `az "+strings.TrimSuffix(kind, "s")+" grant-access --ids <id> --access-level Read --duration-in-seconds 3600 --query accessSas --output tsv`, copy it into a container with `azcopy copy '<SAS URL>' '"+exampleVHD+"' --blob-type PageBlob` (after `azcopy login`), and set the image to the blob URL.")
	}
	return newProblem(finding.CodeAzureVHDMalformed,
		fmt.Sprintf("%s is an Azure resource ID or path, not the blob URL of a VHD; expected %s.", quote(s), exampleVHD),
		"Set the image to the https URL of the VHD blob in a storage account container, "+exampleVHD+".")
}

// isMarketplaceURN reports whether s is publisher:offer:sku:version: four non-empty parts
// of letters, digits, '.', '_' and '-'.
func isMarketplaceURN(s string) bool {
	parts, partLen := 1, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			if partLen == 0 {
				return false
			}
			parts++
			partLen = 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			partLen++
		default:
			return false
		}
	}
	return parts == 4 && partLen > 0
}

// plainURLError words a net/url error without repeating the whole URL.
func plainURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	if ee, ok := err.(url.EscapeError); ok {
		return fmt.Sprintf("bad percent-escape %q", string(ee))
	}
	if ie, ok := err.(url.InvalidHostError); ok {
		return fmt.Sprintf("invalid character %q in host name", string(ie))
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return strings.ToValidUTF8(msg, "\uFFFD")
}
