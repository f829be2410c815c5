package regsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/httpguard"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/version"
)

// archivePath is where Palette keeps pack archives under a registry's base
// content path.
const archivePath = "spectro-packs/archive/"

// Media types of what oras pushes, and of what is surely not a pack.
const (
	titleAnnotation   = "org.opencontainers.image.title"
	ociManifest       = "application/vnd.oci.image.manifest.v1+json"
	dockerManifest    = "application/vnd.docker.distribution.manifest.v2+json"
	ociIndex          = "application/vnd.oci.image.index.v1+json"
	dockerList        = "application/vnd.docker.distribution.manifest.list.v2+json"
	ociImageConfig    = "application/vnd.oci.image.config.v1+json"
	dockerImageConfig = "application/vnd.docker.container.image.v1+json"
)

// defaultPageSize is how many repositories or tags one list request asks
// for unless Options.PageSize says otherwise.
const defaultPageSize = 100

// maxListBytes bounds one page of the catalog or of a tag list.
const maxListBytes = 4 << 20

// ociTarget is a parsed OCI source: the registry and the repository prefix
// of its pack archives.
type ociTarget struct {
	reg    name.Registry
	prefix string // BASE/spectro-packs/archive/, or spectro-packs/archive/ at the root
}

// parseOCI checks the source's endpoint (host[:port], an https:// prefix
// allowed) and base content path.
func parseOCI(src Source) (ociTarget, error) {
	bad := func(format string, args ...any) error {
		return &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf(format, args...)}
	}
	ep := strings.TrimSpace(src.Endpoint)
	if i := strings.Index(ep, "://"); i >= 0 {
		if !strings.EqualFold(ep[:i], "https") {
			return ociTarget{}, bad("the endpoint's scheme is %q; OCI registries are reached over https only", ep[:i])
		}
		ep = ep[i+3:]
	}
	ep = strings.TrimRight(ep, "/")
	switch {
	case ep == "":
		return ociTarget{}, bad("the endpoint is empty; expected host[:port], e.g. registry.example.com")
	case strings.Contains(ep, "@"):
		return ociTarget{}, bad("the endpoint holds user@ or user:password@; give the credentials as username and password instead")
	case strings.ContainsAny(ep, "/?# \t\r\n"):
		return ociTarget{}, bad("the endpoint %q is not host[:port]; put a path in the base content path", ep)
	}
	reg, err := name.NewRegistry(ep, name.StrictValidation)
	if err != nil {
		return ociTarget{}, &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf("the endpoint %q is not a registry host: %v", ep, err), Err: err}
	}
	base := strings.Trim(strings.TrimSpace(src.BaseContentPath), "/")
	prefix := archivePath
	if base != "" {
		prefix = base + "/" + archivePath
		if _, err := name.NewRepository(ep+"/"+prefix+"x", name.StrictValidation); err != nil {
			return ociTarget{}, &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf("the base content path %q is not a repository path (lower-case letters, digits, . _ - separated by /)", base), Err: err}
		}
	}
	return ociTarget{reg: reg, prefix: prefix}, nil
}

// sourceAuth returns the source's basic credentials, or anonymous access
// when it has none.
func (r *run) sourceAuth() authn.Authenticator {
	if r.src.Username != "" || r.src.Password != "" {
		return &authn.Basic{Username: r.src.Username, Password: r.src.Password}
	}
	return authn.Anonymous
}

// ociClient returns an HTTP client that authenticates to the registry with
// auth (a basic or bearer handshake done by go-containerregistry after
// pinging /v2/), and a puller over it.
func (r *run) ociClient(ctx context.Context, t ociTarget, auth authn.Authenticator) (*http.Client, *remote.Puller, error) {
	rt, err := transport.NewWithContext(ctx, t.reg, auth, r.rt, []string{t.reg.Scope(transport.PullScope)})
	if err != nil {
		return nil, nil, fmt.Errorf("contact %s: %w", t.reg.RegistryStr(), err)
	}
	// rt is a *transport.Wrapper, so the puller adds no retries of its own.
	p, err := remote.NewPuller(remote.WithTransport(rt))
	if err != nil {
		return nil, nil, fmt.Errorf("contact %s: %w", t.reg.RegistryStr(), err)
	}
	return &http.Client{Transport: rt, CheckRedirect: sameHostRedirects(t.reg.RegistryStr())}, p, nil
}

// sameHostRedirects follows at most 5 redirects, all to host.
func sameHostRedirects(host string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if req.URL.Host != host {
			return fmt.Errorf("refusing a redirect to another host (%s)", req.URL.Host)
		}
		return nil
	}
}

// checkOCI asks /v2/ and the first entry of the catalog with the credentials.
func (r *run) checkOCI(ctx context.Context) error {
	t, err := parseOCI(r.src)
	if err != nil {
		return err
	}
	c, _, err := r.ociClient(ctx, t, r.sourceAuth())
	if err != nil {
		return err
	}
	if err := pingV2(ctx, c, t); err != nil {
		return err
	}
	base := "https://" + t.reg.RegistryStr()
	var page struct {
		Repositories []string `json:"repositories"`
	}
	if _, err := getJSON(ctx, c, base+"/v2/_catalog?n=1", &page); err != nil {
		if ReasonOf(classify(err)) == ReasonNotFound {
			return &Error{Reason: ReasonNotFound, Message: fmt.Sprintf("%s does not offer the catalog API (/v2/_catalog), which a sync needs to find the packs", t.reg.RegistryStr()), Err: err}
		}
		return err
	}
	return nil
}

// pingV2 asks /v2/ with the client's credentials.
func pingV2(ctx context.Context, c *http.Client, t ociTarget) error {
	if _, err := getJSON(ctx, c, "https://"+t.reg.RegistryStr()+"/v2/", nil); err != nil {
		if ReasonOf(classify(err)) == ReasonNotFound {
			return &Error{Reason: ReasonNotFound, Message: fmt.Sprintf("%s does not answer /v2/ like an OCI registry", t.reg.RegistryStr()), Err: err}
		}
		return err
	}
	return nil
}

// getJSON GETs u, refusing any status but 200 (as a *transport.Error), and
// decodes the body into v when v is not nil. It returns the URL of the next
// page named by a Link header, "" when there is none.
func getJSON(ctx context.Context, c *http.Client, u string, v any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return "", err
	}
	b, err := readLimited(resp.Body, maxListBytes)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", req.URL.Path, err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return "", fmt.Errorf("read %s: %w", req.URL.Path, err)
		}
	}
	return nextLink(resp)
}

// nextLink returns the absolute URL of a Link: <...>; rel="next" header,
// which must stay on the host of the request.
func nextLink(resp *http.Response) (string, error) {
	h := resp.Header.Get("Link")
	if h == "" {
		return "", nil
	}
	start, end := strings.IndexByte(h, '<'), strings.IndexByte(h, '>')
	if start < 0 || end < start || !strings.Contains(h[end:], `rel="next"`) {
		return "", nil
	}
	u, err := url.Parse(h[start+1 : end])
	if err != nil {
		return "", fmt.Errorf("the Link header's URL does not parse: %w", err)
	}
	u = resp.Request.URL.ResolveReference(u)
	if u.Host != resp.Request.URL.Host {
		return "", fmt.Errorf("the Link header points to another host (%s)", u.Host)
	}
	u.Scheme = "https"
	return u.String(), nil
}

// syncOCI lists the pack repositories, their tags, and reads the newest
// versions of each.
func (r *run) syncOCI(ctx context.Context) (*Result, error) {
	t, err := parseOCI(r.src)
	if err != nil {
		return nil, err
	}
	c, p, err := r.ociClient(ctx, t, r.sourceAuth())
	if err != nil {
		return nil, err
	}
	res := &Result{}
	repos, err := r.catalog(ctx, c, t, res)
	if err != nil {
		return nil, err
	}
	return r.readPacks(ctx, c, p, t, repos, res)
}

// readPacks lists the tags of each pack repository (PREFIX/NAME), within
// Limits.MaxPacks in all, and reads the newest versions of each into res.
func (r *run) readPacks(ctx context.Context, c *http.Client, p *remote.Puller, t ociTarget, repos []string, res *Result) (*Result, error) {
	budget := r.lim.MaxPacks
	for _, repoName := range repos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ref := t.reg.RegistryStr() + "/" + repoName
		if budget <= 0 {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: fmt.Sprintf("limit: not read, %d pack versions were listed already (the most a sync reads)", r.lim.MaxPacks)})
			continue
		}
		repo, err := name.NewRepository(ref, name.StrictValidation)
		if err != nil {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: "not a valid repository name: " + err.Error()})
			continue
		}
		tags, more, err := listTags(ctx, c, repo, budget, r.pageSize)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: "cannot list its tags: " + classify(err).Message})
			continue
		}
		budget -= len(tags)
		if more {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: fmt.Sprintf("limit: only %d tags were listed (the most pack versions a sync reads is %d)", len(tags), r.lim.MaxPacks)})
		}
		packName := strings.TrimPrefix(repoName, t.prefix)
		var versions []string
		for _, tag := range tags {
			if _, err := semver.StrictNewVersion(tag); err != nil {
				res.Skipped = append(res.Skipped, Skipped{Ref: ref + ":" + tag, Reason: fmt.Sprintf("tag %q is not a pack version (MAJOR.MINOR.PATCH)", tag)})
				continue
			}
			versions = append(versions, tag)
		}
		kept := 0
		for _, tag := range version.SortNewestFirst(versions) {
			if kept == r.lim.MaxVersionsPerPack {
				break
			}
			s, reason := r.readArchive(ctx, p, repo, packName, tag)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if reason != "" {
				res.Skipped = append(res.Skipped, Skipped{Ref: ref + ":" + tag, Reason: reason})
				continue
			}
			res.Packs = append(res.Packs, *s)
			kept++
		}
	}
	return res, nil
}

// catalog lists the repositories under the target's prefix that hold one
// pack each (PREFIX/NAME), page by page, within bounds: at most
// 10×MaxPacks (at least 1000) catalog entries, and MaxPacks pack
// repositories. The distribution API lists repositories in lexical order
// and starts after the `last` parameter, so the listing starts just before
// the prefix. Repositories under the prefix sort together in any lexical
// order (distribution sorts "/" first), so the listing stops at the first
// repository after them, when the registry's order was plain so far;
// otherwise it reads to the end.
func (r *run) catalog(ctx context.Context, c *http.Client, t ociTarget, res *Result) ([]string, error) {
	maxEntries := max(10*r.lim.MaxPacks, 1000)
	last := strings.TrimSuffix(t.prefix, "/")
	next := fmt.Sprintf("https://%s/v2/_catalog?n=%d&last=%s", t.reg.RegistryStr(), r.pageSize, url.QueryEscape(last))
	var out []string
	seen, ordered, prev, inBlock := 0, true, "", false
	for next != "" {
		var page struct {
			Repositories []string `json:"repositories"`
		}
		n, err := getJSON(ctx, c, next, &page)
		if err != nil {
			if ReasonOf(classify(err)) == ReasonNotFound {
				return nil, &Error{Reason: ReasonNotFound, Message: fmt.Sprintf("%s does not offer the catalog API (/v2/_catalog), which a sync needs to find the packs", t.reg.RegistryStr()), Err: err}
			}
			return nil, err
		}
		for _, repo := range page.Repositories {
			seen++
			ordered = ordered && repo > prev
			prev = repo
			rest, ok := strings.CutPrefix(repo, t.prefix)
			if !ok {
				if ordered && inBlock {
					return out, nil // past the repositories under the prefix, which sort together
				}
				continue
			}
			inBlock = true
			if rest == "" || strings.Contains(rest, "/") {
				continue
			}
			if len(out) == r.lim.MaxPacks {
				res.Skipped = append(res.Skipped, Skipped{Ref: t.reg.RegistryStr() + "/" + repo, Reason: fmt.Sprintf("limit: more than %d pack repositories; the rest were not read", r.lim.MaxPacks)})
				return out, nil
			}
			out = append(out, repo)
		}
		if seen >= maxEntries && n != "" {
			res.Skipped = append(res.Skipped, Skipped{Ref: t.reg.RegistryStr() + "/v2/_catalog", Reason: fmt.Sprintf("limit: the catalog lists more than %d repositories; the rest were not read", maxEntries)})
			return out, nil
		}
		if len(page.Repositories) == 0 {
			break
		}
		next = n
	}
	return out, nil
}

// listTags lists up to budget tags of repo; more reports that it stopped
// before the end.
func listTags(ctx context.Context, c *http.Client, repo name.Repository, budget, pageSize int) (tags []string, more bool, err error) {
	next := fmt.Sprintf("https://%s/v2/%s/tags/list?n=%d", repo.RegistryStr(), repo.RepositoryStr(), min(pageSize, budget))
	for next != "" {
		var page struct {
			Tags []string `json:"tags"`
		}
		n, err := getJSON(ctx, c, next, &page)
		if err != nil {
			return nil, false, err
		}
		for _, tag := range page.Tags {
			if len(tags) == budget {
				return tags, true, nil
			}
			tags = append(tags, tag)
		}
		if len(page.Tags) == 0 {
			break
		}
		next = n
	}
	return tags, false, nil
}

// readArchive reads the pack archive at repo:tag, or says why it is skipped.
func (r *run) readArchive(ctx context.Context, p *remote.Puller, repo name.Repository, packName, tag string) (*Synced, string) {
	desc, err := p.Get(ctx, repo.Tag(tag))
	if err != nil {
		return nil, "cannot read the manifest: " + classify(err).Message
	}
	layer, err := selectArchive(string(desc.MediaType), desc.Manifest)
	if err != nil {
		return nil, "not a pack archive: " + err.Error()
	}
	if layer.Size > r.lim.MaxArchiveBytes {
		return nil, fmt.Sprintf("limit: the archive is %d bytes, over the limit of %d", layer.Size, r.lim.MaxArchiveBytes)
	}
	l, err := p.Layer(ctx, repo.Digest(layer.Digest.String()))
	if err != nil {
		return nil, "cannot read the archive: " + classify(err).Message
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, "cannot read the archive: " + classify(err).Message
	}
	b, err := readLimited(rc, r.lim.MaxArchiveBytes)
	rc.Close()
	if err != nil {
		var tl *httpguard.TooLargeError
		if errors.As(err, &tl) {
			return nil, fmt.Sprintf("limit: the archive is larger than %d bytes", r.lim.MaxArchiveBytes)
		}
		return nil, "cannot read the archive: " + classify(err).Message
	}
	return toSynced(repo.String()+":"+tag, "spectro", b, packName, tag)
}

// toSynced loads a pack archive that must hold pack name at version.
func toSynced(ref, typ string, archive []byte, name, version string) (*Synced, string) {
	pk, fl, err := pack.LoadTarball(bytes.NewReader(archive))
	if err != nil {
		return nil, packProblem(err, fl)
	}
	return finishPack(ref, typ, pk, name, version)
}

// finishPack checks the pack's name and version and writes its canonical archive.
func finishPack(ref, typ string, pk *pack.Pack, name, version string) (*Synced, string) {
	if pk.Meta.Name != name {
		return nil, fmt.Sprintf("pack.json names the pack %q, but it is stored as %q", pk.Meta.Name, name)
	}
	if pk.Meta.Version != version {
		return nil, fmt.Sprintf("pack.json gives version %q, but it is stored as %q", pk.Meta.Version, version)
	}
	var buf bytes.Buffer
	if err := pk.Tarball(&buf); err != nil {
		return nil, "cannot write the pack's archive: " + err.Error()
	}
	return &Synced{Ref: ref, Type: typ, Pack: pk, Archive: buf.Bytes()}, ""
}

// packProblem says why a pack did not load: its first error finding, or the error.
func packProblem(err error, fl finding.List) string {
	if errs := fl.Errors(); len(errs) > 0 {
		msg := "the pack has errors: " + errs[0].String()
		if len(errs) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
		}
		return msg
	}
	return "not a pack archive: " + err.Error()
}

// selectArchive picks the layer of an OCI or Docker image manifest that
// holds the pack archive: the one whose title annotation ends in .tar.gz
// or .tgz, else the manifest's only layer. An index, a container image or
// a manifest with no or several archive layers is refused with the reason.
func selectArchive(mediaType string, raw []byte) (v1.Descriptor, error) {
	switch mediaType {
	case ociIndex, dockerList:
		return v1.Descriptor{}, errors.New("the tag is an image index (several manifests), not one pack archive")
	case ociManifest, dockerManifest, "":
	default:
		return v1.Descriptor{}, fmt.Errorf("the manifest's media type %q is not an image manifest", mediaType)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("the manifest is not valid JSON: %w", err)
	}
	var idx struct {
		Manifests []json.RawMessage `json:"manifests"`
	}
	_ = json.Unmarshal(raw, &idx) // it parsed as a manifest above
	if m.MediaType == types.OCIImageIndex || m.MediaType == types.DockerManifestList || len(idx.Manifests) > 0 {
		return v1.Descriptor{}, errors.New("the tag is an image index (several manifests), not one pack archive")
	}
	switch string(m.Config.MediaType) {
	case ociImageConfig, dockerImageConfig:
		return v1.Descriptor{}, fmt.Errorf("it is a container image (config %s), not an archive pushed with oras", m.Config.MediaType)
	}
	if len(m.Layers) == 0 {
		return v1.Descriptor{}, errors.New("the manifest has no layers")
	}
	var found []int
	var titles []string
	for i, l := range m.Layers {
		t := l.Annotations[titleAnnotation]
		if len(titles) < 5 {
			titles = append(titles, fmt.Sprintf("%.100q", t))
		}
		lt := strings.ToLower(t)
		if strings.HasSuffix(lt, ".tar.gz") || strings.HasSuffix(lt, ".tgz") {
			found = append(found, i)
		}
	}
	var l v1.Descriptor
	switch {
	case len(found) == 1:
		l = m.Layers[found[0]]
	case len(found) > 1:
		return v1.Descriptor{}, fmt.Errorf("%d layers are .tar.gz archives; a pack is one archive", len(found))
	case len(m.Layers) == 1:
		l = m.Layers[0]
	default:
		return v1.Descriptor{}, fmt.Errorf("none of its %d layers is titled *.tar.gz or *.tgz (titles %s)", len(m.Layers), strings.Join(titles, ", "))
	}
	if l.Size < 0 {
		return v1.Descriptor{}, fmt.Errorf("the archive layer has a negative size (%d)", l.Size)
	}
	if l.Digest.Algorithm != "sha256" && l.Digest.Algorithm != "sha512" {
		return v1.Descriptor{}, fmt.Errorf("the archive layer's digest %q is not sha256 or sha512", l.Digest.String())
	}
	return l, nil
}
