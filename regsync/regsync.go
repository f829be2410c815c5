// Package regsync reads the packs a remote registry holds: Spectro packs
// stored as OCI artifacts under BASE/spectro-packs/archive/NAME:VERSION (the
// layout Palette documents for OCI pack registries, pushed with oras), and
// Helm charts listed by a chart repository's index.yaml. It also checks that
// a registry answers and accepts its credentials.
//
// Nothing here stores anything: the caller (service.Registries) decides what
// a sync result replaces. Credentials are in clear only in a Source, in
// memory; no error or result of this package carries them.
package regsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/byoos/byoos/pack"
)

// Registry kinds.
const (
	// KindOCI is an OCI registry holding pack archives.
	KindOCI = "oci"
	// KindHelm is a Helm chart repository (index.yaml over HTTPS).
	KindHelm = "helm"
)

// OCI provider types, as Palette's API names them.
const (
	ProviderBasic = "basic"
	ProviderECR   = "ecr"
)

// Source is a registry to read, with its credentials in clear.
type Source struct {
	// Kind is KindOCI or KindHelm.
	Kind string
	// Provider is ProviderBasic or ProviderECR (OCI only; empty means basic).
	Provider string
	// Endpoint is host[:port] (an https:// prefix is allowed) for OCI, and
	// the repository's https URL for Helm.
	Endpoint string
	// BaseContentPath is the path under the endpoint that holds
	// spectro-packs/archive (OCI only; may be empty).
	BaseContentPath string
	// Username and Password are basic credentials (either may be empty
	// for an anonymous registry). For ECR, Username is the AWS access key
	// id and Password the secret access key (Palette's credentialType
	// "secret"); the registry is then reached with the token ECR's
	// GetAuthorizationToken gives for them.
	Username, Password string
	// Region is the AWS region of an ECR registry. When empty, it is read
	// from an endpoint of the form ACCOUNT.dkr.ecr.REGION.amazonaws.com.
	Region string
	// SessionToken goes with Username and Password when they are temporary
	// AWS credentials (ECR only; Palette's "secretToken").
	SessionToken string
	// RoleARN, when set, is the IAM role an ECR sync assumes with STS
	// AssumeRole (Palette's credentialType "sts": sts.arn), with ExternalID
	// (sts.externalId) when set. The role is assumed with Username and
	// Password when they are given, else with the server's own AWS
	// credentials, found by the SDK's default chain (environment, shared
	// files, web identity, ECS or EC2 instance role).
	RoleARN, ExternalID string
	// ECRAPIEndpoint and STSEndpoint, when set, replace the https URL of
	// the AWS ECR and STS APIs that the region implies (VPC endpoints,
	// tests). The registry itself is still reached at Endpoint.
	ECRAPIEndpoint, STSEndpoint string
	// CACert is a PEM certificate (or bundle) to trust besides the system's.
	CACert string
	// InsecureSkipVerify turns TLS verification off (Palette's
	// "insecureSkipVerify"); the default is to verify.
	InsecureSkipVerify bool
}

// Limits bound the work one sync can cause.
type Limits struct {
	// MaxPacks is the most pack versions (OCI tags, chart versions) read.
	MaxPacks int
	// MaxVersionsPerPack keeps only the newest versions of each pack.
	MaxVersionsPerPack int
	// MaxArchiveBytes is the largest archive or chart downloaded.
	MaxArchiveBytes int64
	// Timeout bounds a whole Check or Sync.
	Timeout time.Duration
}

// DefaultLimits are the limits a server uses unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{MaxPacks: 2000, MaxVersionsPerPack: 20, MaxArchiveBytes: 20 << 20, Timeout: 5 * time.Minute}
}

// Options are how Check and Sync reach the registry.
type Options struct {
	Limits Limits
	// Transport, when set, is the base round tripper (tests use it to reach
	// loopback servers); TLS settings of the Source are applied on top when
	// it is an *http.Transport.
	Transport http.RoundTripper
	// PageSize is how many repositories or tags one catalog or tag list
	// request asks for (the n parameter); 0 means 100. Registries cap it
	// (ECR at 1000); the sync follows the Link header to the next page.
	PageSize int
}

// Reasons a registry check or sync fails, in Error.Reason.
const (
	ReasonUnreachable  = "unreachable"  // DNS, connection refused, timeout
	ReasonTLS          = "tls"          // certificate not trusted or invalid
	ReasonUnauthorized = "unauthorized" // credentials refused
	ReasonNotFound     = "not-found"    // no such repository / index.yaml
	ReasonMalformed    = "malformed"    // the registry answered something unreadable
	ReasonBadEndpoint  = "bad-endpoint" // the endpoint is not a usable URL/host
	ReasonLimit        = "limit"        // a limit of Limits was reached
)

// Error is why a check or sync failed, without any credential in it.
type Error struct {
	Reason  string
	Message string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Reason, e.Message) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of the *Error in err's chain, or "".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Synced is one pack version read from the registry.
type Synced struct {
	// Ref is where it was read (a repository:tag, or a chart URL).
	Ref string
	// Type is "spectro" for pack archives and "helm" for charts.
	Type string
	// Pack is the loaded pack; for a chart, a pack of layer addon whose
	// values are the chart's values.yaml.
	Pack *pack.Pack
	// Archive is the pack as the canonical .tgz (pack.Pack.Tarball).
	Archive []byte
}

// Skipped is a pack version the sync could not use, and why.
type Skipped struct {
	Ref    string
	Reason string
}

// Result is what a sync read.
type Result struct {
	Packs   []Synced
	Skipped []Skipped
}

// Check verifies that src answers and accepts its credentials: for an OCI
// registry, that /v2/ and the catalog answer with the credentials (for an
// ECR registry: that ECR gives an authorization token, DescribeRepositories
// answers and /v2/ accepts the token); for a Helm repository, that
// index.yaml is reachable, authorised and parseable. A failure is an *Error
// whose Reason says what went wrong.
func Check(ctx context.Context, src Source, o Options) error {
	r, ctx, cancel, err := start(ctx, src, o)
	if err != nil {
		return err
	}
	defer cancel()
	switch src.Kind {
	case KindOCI:
		if src.Provider == ProviderECR {
			err = r.checkECR(ctx)
		} else {
			err = r.checkOCI(ctx)
		}
	case KindHelm:
		err = r.checkHelm(ctx)
	}
	return r.fail(ctx, err)
}

// Sync reads every pack version src holds, within o.Limits (an ECR
// registry's repositories are listed with DescribeRepositories, as ECR has
// no catalog API). A bad archive
// or chart is skipped with a reason; an error means nothing usable was read
// (the registry could not be listed).
func Sync(ctx context.Context, src Source, o Options) (*Result, error) {
	r, ctx, cancel, err := start(ctx, src, o)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var res *Result
	switch src.Kind {
	case KindOCI:
		if src.Provider == ProviderECR {
			res, err = r.syncECR(ctx)
		} else {
			res, err = r.syncOCI(ctx)
		}
	case KindHelm:
		res, err = r.syncHelm(ctx)
	}
	if err != nil {
		return nil, r.fail(ctx, err)
	}
	for i := range res.Skipped {
		res.Skipped[i].Reason = r.redact.Redact(res.Skipped[i].Reason)
		res.Skipped[i].Ref = r.redact.Redact(res.Skipped[i].Ref)
	}
	return res, nil
}
