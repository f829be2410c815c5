package vsphere

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

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
)

// errKind sorts the errors of a check by what the user can do about them.
type errKind int

const (
	errOther errKind = iota
	errTimeout
	errLogin
	errPermission
	errTLS
	errNet
)

// classify says what kind of failure err is, and its cause in words. ctx
// is the check's: once it is done, any error is the deadline's.
func classify(ctx context.Context, err error) (errKind, string) {
	cause := causeText(err)
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		netErr  net.Error
		opErr   *net.OpError
	)
	switch {
	case ctx.Err() != nil:
		return errTimeout, ctx.Err().Error()
	case fault.Is(err, &types.InvalidLogin{}):
		return errLogin, cause
	case fault.Is(err, &types.NoPermission{}), fault.Is(err, &types.NotAuthenticated{}):
		return errPermission, cause
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return errTLS, "the certificate is not trusted: " + cause
	case errors.As(err, &recErr), strings.Contains(cause, "server gave HTTP response to HTTPS client"):
		return errTLS, "the server did not answer in TLS; is it http rather than https? (" + cause + ")"
	case errors.As(err, &alert):
		return errTLS, "the TLS handshake failed: " + cause
	case errors.As(err, &dnsErr):
		return errNet, fmt.Sprintf("the host name %q does not resolve (%s)", dnsErr.Name, cause)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errNet, "the connection was refused (" + cause + ")"
	case errors.As(err, &netErr) && netErr.Timeout():
		return errNet, "the connection timed out (" + cause + ")"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errNet, "the connection was closed (" + cause + ")"
	case errors.As(err, &opErr):
		return errNet, cause
	}
	return errOther, cause
}

// causeText is err's text, without the request line net/http puts before
// it, with a URL's credentials masked.
func causeText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return redact(err.Error())
}

// fault turns the error of one step of a check into a finding naming the
// image, the step and the cause.
func (c *Checker) fault(ctx context.Context, img preflight.Image, step string, err error) finding.Finding {
	k, cause := classify(ctx, err)
	ova := isURL(img.Ref)
	subject := "the vSphere template " + quote(img.Ref)
	endpoint := "vCenter"
	if c.vcenter != nil {
		endpoint = "vCenter " + quote(c.vcenter.String())
	}
	if ova {
		subject = "the OVA " + quote(img.Ref)
		endpoint = "the server of the OVA"
		if u, perr := url.Parse(img.Ref); perr == nil {
			endpoint = "the server " + quote(u.Host)
		}
	}
	add := func(code, msg, hint string) finding.Finding {
		return preflight.Finding(img, finding.Error, code, msg, hint)
	}
	var refused *preflight.RefusedError
	if errors.As(err, &refused) {
		return add(finding.CodeVerifyTargetRefused,
			fmt.Sprintf("%s was not checked: %s.", subject, redact(refused.Error())),
			fmt.Sprintf("Ask the server's operator to allow the host (byoos serve %s HOST[:PORT] or %s CIDR), or run byoos verify from a machine that reaches it.",
				preflight.AllowHostSetting, preflight.AllowNetSetting))
	}
	switch k {
	case errTimeout:
		return add(finding.CodeVerifyTimeout,
			fmt.Sprintf("checking %s did not finish: its time ran out while trying to %s (%s).", subject, step, cause),
			fmt.Sprintf("Check that %s answers from where verify runs (proxy, firewall, DNS), or raise the limit with --timeout.", endpoint))
	case errLogin:
		return add(finding.CodeVerifyVSphereLogin,
			fmt.Sprintf("%s refused the login of the user %s (%s), so %s was not checked.", endpoint, quote(c.username), cause, subject),
			"Check the vCenter user name and password given to verify (a user name usually has a domain: administrator@vsphere.local).")
	case errPermission:
		return add(finding.CodeVerifyVSphereFault,
			fmt.Sprintf("%s did not let the user %s %s for %s (%s).", endpoint, quote(c.username), step, subject, cause),
			"Give the user at least the Read-only role on the datacenter and folders that hold the template.")
	case errTLS:
		hint := "Give verify the CA certificate (PEM) that signed vCenter's certificate, or, for a test vCenter only, allow an insecure connection."
		if ova {
			hint = "Serve the OVA with a certificate of a public CA, or give verify the CA certificate (PEM) that signed it."
		}
		return add(finding.CodeVerifyVSphereTLS,
			fmt.Sprintf("the TLS connection to %s failed while trying to %s for %s: %s.", endpoint, step, subject, cause),
			hint)
	case errNet:
		hint := "Check the vCenter URL, and that vCenter is reachable from where verify runs (DNS, firewall, proxy)."
		if ova {
			hint = "Check the OVA's URL, and that its server is reachable from where verify runs (DNS, firewall, proxy)."
		}
		return add(finding.CodeVerifyVSphereUnreachable,
			fmt.Sprintf("%s could not be reached to %s for %s: %s.", endpoint, step, subject, cause),
			hint)
	}
	hint := "Check that the vCenter URL is vCenter's SDK endpoint (https://HOST or https://HOST/sdk), and that vCenter is healthy."
	if ova {
		hint = "Check the OVA's URL."
	}
	return add(finding.CodeVerifyVSphereFault,
		fmt.Sprintf("%s answered an error while trying to %s for %s: %s.", endpoint, step, subject, cause),
		hint)
}
