package azure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
)

// failure turns the error of a request for k's blob into a finding that
// names the image, the check (what: "reading its properties") and the
// cause. tries is how many times the request was sent; maxRetries bounds
// the retries.
func (k *check) failure(ctx context.Context, what string, tries, maxRetries int, err error) finding.Finding {
	subject := "the VHD blob " + k.ref + k.at()
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cause := "the time allowed for the check ran out"
		if errors.Is(ctx.Err(), context.Canceled) || (ctx.Err() == nil && errors.Is(err, context.Canceled)) {
			cause = "the check was cancelled"
		}
		return k.finding(finding.Error, finding.CodeVerifyTimeout,
			fmt.Sprintf("checking %s did not finish: %s while %s%s.", subject, cause, what, triesNote(tries)),
			"Check that the storage endpoint answers from where verify runs (proxy, firewall, DNS), or allow the check more time.")
	}
	var ce *credentialError
	if errors.As(err, &ce) {
		return k.finding(finding.Error, finding.CodeVerifyAzureCredential,
			fmt.Sprintf("cannot check %s: the URL carries no SAS and no key is configured for the account %q, and no Microsoft Entra ID token could be had (%s).",
				subject, k.vhd.Account, firstLine(k.clean(ce.err.Error()))),
			"Sign in where verify runs (`az login`, or the AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET of a service principal), configure the account key, or append a read SAS to the URL.")
	}
	var denied *preflight.RefusedError
	if errors.As(err, &denied) {
		return k.finding(finding.Error, finding.CodeVerifyTargetRefused,
			fmt.Sprintf("%s was not checked: %s.", subject, k.clean(denied.Error())),
			fmt.Sprintf("Ask the server's operator to allow the host (byoos serve %s HOST[:PORT] or %s CIDR), or run byoos verify from a machine that reaches it.",
				preflight.AllowHostSetting, preflight.AllowNetSetting))
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return k.refused(what, tries, maxRetries, re)
	}
	var ue *url.Error
	if errors.As(err, &ue) || isNetError(err) {
		return k.finding(finding.Error, finding.CodeVerifyAzureUnreachable,
			fmt.Sprintf("cannot reach %s while %s: %s%s.", subject, what, k.netCause(err), triesNote(tries)),
			"Check the storage account's host name, DNS, and the proxy and firewall between here and the account; behind a TLS-inspecting proxy, trust its CA.")
	}
	return k.finding(finding.Error, finding.CodeVerifyAzureRequestFailed,
		fmt.Sprintf("cannot check %s: %s failed: %s.", subject, what, firstLine(k.clean(err.Error()))), "")
}

// refused explains an error answer of Blob storage.
func (k *check) refused(what string, tries, maxRetries int, re *azcore.ResponseError) finding.Finding {
	subject := "the VHD blob " + k.ref + k.at()
	status := fmt.Sprintf("%d %s", re.StatusCode, orNone(re.ErrorCode))
	code := bloberror.Code(re.ErrorCode)
	switch {
	case re.StatusCode == 404 && code == bloberror.ContainerNotFound:
		return k.finding(finding.Error, finding.CodeVerifyAzureContainerNotFound,
			fmt.Sprintf("the container %q of %s does not exist in the storage account %q (%s).", k.vhd.Container, subject, k.vhd.Account, status),
			fmt.Sprintf("List the account's containers with `az storage container list --account-name %s --query [].name` and fix the URL, or create the container and upload the VHD into it as a page blob.", k.vhd.Account))
	case re.StatusCode == 404 && code == bloberror.BlobNotFound:
		return k.finding(finding.Error, finding.CodeVerifyAzureBlobNotFound,
			fmt.Sprintf("%s does not exist: the container %q holds no blob named %q (%s).", subject, k.vhd.Container, k.vhd.Blob, status),
			fmt.Sprintf("Blob names are case-sensitive. List the container with `az storage blob list --account-name %s --container-name %s --query [].name` and fix the URL, or upload the VHD there as a page blob.", k.vhd.Account, k.vhd.Container))
	case re.StatusCode == 404 && k.anonymous():
		return k.finding(finding.Error, finding.CodeVerifyAzureBlobNotFound,
			fmt.Sprintf("%s was not found reading it anonymously (%s): it does not exist, or its container is private and the URL carries no SAS.", subject, status),
			"Append a read SAS to the URL (`az storage blob generate-sas --permissions r --full-uri …`), or configure the account key or an Azure credential for verify.")
	case re.StatusCode == 404:
		return k.finding(finding.Error, finding.CodeVerifyAzureBlobNotFound,
			fmt.Sprintf("%s was not found (%s).", subject, status),
			"Check the account, container and blob names in the URL.")
	case re.StatusCode == 401 || re.StatusCode == 403 || code == "PublicAccessNotPermitted":
		return k.denied(subject, status, code)
	case re.StatusCode == 429 || re.StatusCode == 503 || code == bloberror.ServerBusy || code == bloberror.OperationTimedOut:
		return k.finding(finding.Error, finding.CodeVerifyAzureThrottled,
			fmt.Sprintf("Blob storage was still busy for %s while %s: it answered %s%s (at most %d retries, with backoff).", subject, what, status, triesNote(tries), maxRetries),
			"Blob storage throttles a busy account for a while; run verify again later.")
	}
	return k.finding(finding.Error, finding.CodeVerifyAzureRequestFailed,
		fmt.Sprintf("Blob storage refused the request for %s while %s: it answered %s%s.", subject, what, status, triesNote(tries)),
		"Check the URL with `az storage blob show --blob-url '"+k.plainURL()+"'`, and the storage account's state in the Azure portal.")
}

// denied explains a 401 or 403 answer, by credential.
func (k *check) denied(subject, status string, code bloberror.Code) finding.Finding {
	if k.sas != nil {
		now := time.Now()
		if exp := k.sas.ExpiryTime(); !exp.IsZero() && now.After(exp) {
			return k.finding(finding.Error, finding.CodeVerifyAzureSASExpired,
				fmt.Sprintf("the SAS in the URL of %s expired at %s (se=), so Blob storage refused it (%s).", subject, exp.UTC().Format(time.RFC3339), status),
				k.newSASHint())
		}
		if st := k.sas.StartTime(); !st.IsZero() && now.Before(st) {
			return k.finding(finding.Error, finding.CodeVerifyAzureSASExpired,
				fmt.Sprintf("the SAS in the URL of %s is not valid before %s (st=), so Blob storage refused it (%s).", subject, st.UTC().Format(time.RFC3339), status),
				k.newSASHint())
		}
	}
	msg, hint := "", ""
	switch {
	case code == "KeyBasedAuthenticationNotPermitted":
		msg = fmt.Sprintf("the storage account %q does not allow shared key authorization, so the key (or a SAS signed with it) was refused reading %s (%s).", k.vhd.Account, subject, status)
		hint = "Use a Microsoft Entra ID credential with the Storage Blob Data Reader role, or a user delegation SAS (`az storage blob generate-sas --as-user --auth-mode login --permissions r --full-uri …`)."
	case k.sas != nil && code == bloberror.AuthenticationFailed:
		msg = fmt.Sprintf("the SAS in the URL of %s was refused (%s): its signature does not match (the URL was edited, or the SAS was signed for another blob or with a key that has since been rotated).", subject, status)
		hint = k.newSASHint()
	case k.sas != nil && !strings.Contains(k.sas.Permissions(), "r"):
		msg = fmt.Sprintf("the SAS in the URL of %s grants %q (sp=), which does not include read (r), so reading the blob was refused (%s).", subject, k.sas.Permissions(), status)
		hint = k.newSASHint()
	case k.sas != nil && code == bloberror.AuthorizationSourceIPMismatch:
		ips := k.sas.IPRange()
		msg = fmt.Sprintf("the SAS in the URL of %s allows only the addresses %s (sip=), or the account's firewall refuses where verify runs from (%s).", subject, orNone(ips.String()), status)
		hint = "Generate a SAS without an IP range, or one that covers both verify and the cluster's network; the cluster reads the VHD from Azure, not from here."
	case k.sas != nil:
		// Azure answers AuthorizationFailure to a request its firewall
		// refuses; Azurite (and some Azure paths) to a signature that
		// does not match too.
		msg = fmt.Sprintf("the SAS in the URL of %s was refused (%s): its signature does not match (the URL was edited, or the SAS was signed for another blob or with a key that has since been rotated), or the account's firewall or network rules refuse where verify runs from.", subject, status)
		hint = k.newSASHint() + " If the SAS is right, allow verify's address in the storage account's networking settings."
	case k.key != nil:
		// AuthenticationFailed is a wrong key; AuthorizationFailure is a
		// firewall on Azure and a wrong key on Azurite.
		msg = fmt.Sprintf("the account key configured for %q was refused reading %s (%s): it is not the account's key, or it was rotated", k.vhd.Account, subject, status)
		if code != bloberror.AuthenticationFailed {
			msg += ", or the account's firewall or network rules refuse where verify runs from"
		}
		msg += "."
		hint = fmt.Sprintf("Give the account's current key: `az storage account keys list --account-name %s --query [0].value --output tsv`.", k.vhd.Account)
		if code != bloberror.AuthenticationFailed {
			hint += " If the key is right, allow verify's address in the storage account's networking settings."
		}
	case k.token != nil && code == bloberror.AuthenticationFailed:
		msg = fmt.Sprintf("the Microsoft Entra ID token was refused reading %s (%s).", subject, status)
		hint = "Check that the credential belongs to the storage account's tenant, and that the token is for Azure Storage."
	case k.token != nil:
		msg = fmt.Sprintf("the Microsoft Entra ID identity may not read %s (%s): it has no role that reads blobs on the account or container, or the account's firewall refuses where verify runs from.", subject, status)
		hint = fmt.Sprintf("Assign it the Storage Blob Data Reader role: `az role assignment create --role \"Storage Blob Data Reader\" --assignee <id> --scope <storage account id>/blobServices/default/containers/%s`.", k.vhd.Container)
	default:
		msg = fmt.Sprintf("reading %s anonymously was refused (%s): the container is private or the account does not allow anonymous access, and the URL carries no SAS.", subject, status)
		hint = "Append a read SAS to the URL (`az storage blob generate-sas --permissions r --full-uri …`), or configure the account key or an Azure credential for verify."
	}
	return k.finding(finding.Error, finding.CodeVerifyAzureAccessDenied, msg, hint)
}

// newSASHint says how to make a read SAS for k's blob.
func (k *check) newSASHint() string {
	return fmt.Sprintf("Generate a new read SAS that stays valid until the cluster has created its disks, and use the URL it prints: `az storage blob generate-sas --account-name %s --container-name %s --name %s --permissions r --expiry <time> --https-only --full-uri --output tsv`.",
		k.vhd.Account, k.vhd.Container, shellArg(k.vhd.Blob))
}

// anonymous reports whether the request carried no credential.
func (k *check) anonymous() bool { return k.sas == nil && k.key == nil && k.token == nil }

func (k *check) finding(sev finding.Severity, code, msg, hint string) finding.Finding {
	return preflight.Finding(k.img, sev, code, k.clean(msg), k.clean(hint))
}

// netCause words a transport error: DNS, TLS, a refused or reset
// connection. It never quotes the request's URL (which may carry a SAS).
func (k *check) netCause(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("the host name %q does not resolve (no such host)", dnsErr.Name)
		}
		return fmt.Sprintf("the DNS lookup of %q failed (%s)", dnsErr.Name, dnsErr.Err)
	case errors.As(err, &unknownCA):
		return "the TLS certificate of the endpoint is signed by an authority this machine does not trust"
	case errors.As(err, &hostErr):
		return "the TLS certificate of the endpoint is not valid for its host name (" + k.clean(hostErr.Error()) + ")"
	case errors.As(err, &invalidCert):
		return "the TLS certificate of the endpoint is not valid (" + k.clean(invalidCert.Error()) + ")"
	case errors.As(err, &certErr):
		return "the TLS certificate of the endpoint was not accepted (" + k.clean(certErr.Err.Error()) + ")"
	case errors.As(err, &recErr):
		return "the endpoint did not answer the TLS handshake with TLS (is it an http endpoint?)"
	case errors.As(err, &alert):
		return "the TLS handshake failed (" + alert.Error() + ")"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused" + opAddr(err) + " (nothing listens there)"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset" + opAddr(err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed before an answer came"
	case errors.As(err, &opErr):
		return fmt.Sprintf("%s failed%s (%s)", opErr.Op, opAddr(err), k.clean(opErr.Err.Error()))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return firstLine(k.clean(ue.Err.Error()))
	}
	return firstLine(k.clean(err.Error()))
}

// isNetError reports whether err came from the network rather than from
// the SDK or the service.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// opAddr names the address of a network operation, if err carries one.
func opAddr(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Addr != nil {
		return " by " + opErr.Addr.String()
	}
	return ""
}

// triesNote says how many times a request was sent, when more than once.
func triesNote(tries int) string {
	if tries > 1 {
		return fmt.Sprintf(", after %d tries", tries)
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(no error code)"
	}
	return s
}
