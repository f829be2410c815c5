package regsync

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/httpguard"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/version"
)

// AddonTypeAnnotation is the Chart.yaml annotation whose value becomes the
// addonType of a chart's pack (the name pack.json gives the field); a chart
// without it gets no addonType.
const AddonTypeAnnotation = "addonType"

// helmIndex is what a sync uses of a chart repository's index.yaml.
type helmIndex struct {
	// Entries are the chart versions, by chart name, in the order listed.
	Entries []helmEntry
}

// helmEntry is one chart version of index.yaml.
type helmEntry struct {
	Name    string
	Version string
	URLs    []string
	Digest  string
	Line    int
	// Problem says why the entry cannot be used; "" when it can.
	Problem string
}

// parseHelmEndpoint checks a Helm repository URL and returns it with a
// path ending in / (an endpoint given as …/index.yaml is taken as its
// folder).
func parseHelmEndpoint(ep string) (*url.URL, error) {
	bad := func(format string, args ...any) error {
		return &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf(format, args...)}
	}
	ep = strings.TrimSpace(ep)
	if ep == "" {
		return nil, bad("the endpoint is empty; expected the repository's https URL, e.g. https://charts.example.com/stable")
	}
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, &Error{Reason: ReasonBadEndpoint, Message: "the endpoint is not a URL: " + err.Error(), Err: err}
	}
	switch {
	case u.User != nil:
		return nil, bad("the endpoint holds user@ or user:password@; give the credentials as username and password instead")
	case u.Scheme != "https":
		return nil, bad("the endpoint's scheme is %q; Helm repositories are reached over https only", u.Scheme)
	case u.Host == "":
		return nil, bad("the endpoint %q names no host", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, bad("the endpoint %q has a query or fragment; expected the repository's URL", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "index.yaml")
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

// helmClient is an HTTP client for a Helm repository: it follows at most 5
// redirects, and drops the Authorization header on a redirect to another host.
func (r *run) helmClient() *http.Client {
	return &http.Client{Transport: r.rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if req.URL.Host != via[0].URL.Host {
			req.Header.Del("Authorization")
		}
		return nil
	}}
}

// get GETs u with the credentials when auth is set, refusing any status but
// 200 and bodies over max bytes.
func (r *run) get(ctx context.Context, c *http.Client, u *url.URL, auth bool, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if auth && (r.src.Username != "" || r.src.Password != "") {
		req.SetBasicAuth(r.src.Username, r.src.Password)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp.StatusCode, fmt.Sprintf("GET %s: HTTP %d %s", u.Redacted(), resp.StatusCode, http.StatusText(resp.StatusCode)), nil)
	}
	b, err := readLimited(resp.Body, max)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	return b, nil
}

// index reads and parses the repository's index.yaml.
func (r *run) index(ctx context.Context, c *http.Client, base *url.URL) (*helmIndex, error) {
	iu := base.ResolveReference(&url.URL{Path: "index.yaml"})
	b, err := r.get(ctx, c, iu, true, maxIndexBytes)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Reason == ReasonNotFound {
			return nil, &Error{Reason: ReasonNotFound, Message: fmt.Sprintf("there is no index.yaml at %s", iu.Redacted()), Err: err}
		}
		var tl *httpguard.TooLargeError
		if errors.As(err, &tl) {
			return nil, &Error{Reason: ReasonLimit, Message: fmt.Sprintf("index.yaml is larger than %d bytes", maxIndexBytes), Err: err}
		}
		return nil, err
	}
	return parseIndex(b)
}

// checkHelm reads index.yaml.
func (r *run) checkHelm(ctx context.Context) error {
	base, err := parseHelmEndpoint(r.src.Endpoint)
	if err != nil {
		return err
	}
	_, err = r.index(ctx, r.helmClient(), base)
	return err
}

// parseIndex parses index.yaml: apiVersion v1 and entries, a mapping of
// chart names to lists of chart versions. A document that is not such a
// mapping is a *Error of reason malformed naming the line; an entry that
// cannot be used is kept with its Problem.
func parseIndex(b []byte) (*helmIndex, error) {
	malformed := func(format string, args ...any) error {
		return &Error{Reason: ReasonMalformed, Message: "index.yaml " + fmt.Sprintf(format, args...)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &Error{Reason: ReasonMalformed, Message: "index.yaml is not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, malformed("is empty; a chart repository index starts with apiVersion: v1 and lists entries:")
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, malformed("line %d: the document is not a mapping; a chart repository index has apiVersion: v1 and entries:", doc.Line)
	}
	idx := &helmIndex{}
	var apiVersion, entries *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		switch doc.Content[i].Value {
		case "apiVersion":
			apiVersion = doc.Content[i+1]
		case "entries":
			entries = doc.Content[i+1]
		}
	}
	if apiVersion == nil {
		return nil, malformed("has no apiVersion; a chart repository index starts with apiVersion: v1")
	}
	if apiVersion.Kind != yaml.ScalarNode || apiVersion.Value != "v1" {
		return nil, malformed("line %d: apiVersion is %q; expected v1", apiVersion.Line, clip(apiVersion.Value))
	}
	if entries == nil || entries.Tag == "!!null" {
		return idx, nil
	}
	if entries.Kind != yaml.MappingNode {
		return nil, malformed("line %d: entries is not a mapping of chart names to versions", entries.Line)
	}
	for i := 0; i+1 < len(entries.Content); i += 2 {
		key, list := entries.Content[i], entries.Content[i+1]
		chart := key.Value
		if key.Kind != yaml.ScalarNode || chart == "" {
			return nil, malformed("line %d: a chart name under entries is not text", key.Line)
		}
		if list.Kind == yaml.AliasNode && list.Alias != nil {
			list = list.Alias
		}
		if list.Kind != yaml.SequenceNode {
			idx.Entries = append(idx.Entries, helmEntry{Name: chart, Line: list.Line, Problem: fmt.Sprintf("index.yaml line %d: entries.%s is not a list of chart versions", list.Line, clip(chart))})
			continue
		}
		for j, item := range list.Content {
			e := helmEntry{Name: chart, Line: item.Line}
			var v struct {
				Name    string   `yaml:"name"`
				Version string   `yaml:"version"`
				URLs    []string `yaml:"urls"`
				Digest  string   `yaml:"digest"`
			}
			if err := item.Decode(&v); err != nil {
				e.Problem = fmt.Sprintf("index.yaml line %d: entries.%s[%d] is not a chart version: %s", item.Line, clip(chart), j, strings.TrimPrefix(err.Error(), "yaml: "))
			} else {
				e.Version, e.URLs, e.Digest = v.Version, v.URLs, v.Digest
				switch {
				case v.Name != "" && v.Name != chart:
					e.Problem = fmt.Sprintf("index.yaml line %d: entries.%s[%d] names the chart %q", item.Line, clip(chart), j, clip(v.Name))
				case v.Version == "":
					e.Problem = fmt.Sprintf("index.yaml line %d: entries.%s[%d] has no version", item.Line, clip(chart), j)
				case len(v.URLs) == 0:
					e.Problem = fmt.Sprintf("index.yaml line %d: entries.%s[%d] lists no urls", item.Line, clip(chart), j)
				}
			}
			idx.Entries = append(idx.Entries, e)
		}
	}
	return idx, nil
}

// clip shortens text from a remote document for a message.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// syncHelm reads the newest versions of every chart of index.yaml.
func (r *run) syncHelm(ctx context.Context) (*Result, error) {
	base, err := parseHelmEndpoint(r.src.Endpoint)
	if err != nil {
		return nil, err
	}
	c := r.helmClient()
	idx, err := r.index(ctx, c, base)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	byName := map[string]map[string]helmEntry{}
	var names []string
	for _, e := range idx.Entries {
		ref := e.Name + "@" + e.Version
		if e.Problem != "" {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: e.Problem})
			continue
		}
		if _, err := semver.StrictNewVersion(e.Version); err != nil {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: fmt.Sprintf("index.yaml line %d: chart version %q is not MAJOR.MINOR.PATCH, which a pack version must be", e.Line, clip(e.Version))})
			continue
		}
		vs, ok := byName[e.Name]
		if !ok {
			vs = map[string]helmEntry{}
			byName[e.Name] = vs
			names = append(names, e.Name)
		}
		if _, dup := vs[e.Version]; dup {
			res.Skipped = append(res.Skipped, Skipped{Ref: ref, Reason: fmt.Sprintf("index.yaml line %d: version %s of %s is listed twice; the first is used", e.Line, e.Version, e.Name)})
			continue
		}
		vs[e.Version] = e
	}
	sort.Strings(names)
	budget := r.lim.MaxPacks
	for _, chart := range names {
		versions := make([]string, 0, len(byName[chart]))
		for v := range byName[chart] {
			versions = append(versions, v)
		}
		kept := 0
		for _, v := range version.SortNewestFirst(versions) {
			if kept == r.lim.MaxVersionsPerPack {
				break
			}
			e := byName[chart][v]
			if budget == 0 {
				res.Skipped = append(res.Skipped, Skipped{Ref: e.Name + "@" + e.Version, Reason: fmt.Sprintf("limit: not read, %d chart versions were read already (the most a sync reads)", r.lim.MaxPacks)})
				break
			}
			budget--
			s, reason := r.readChart(ctx, c, base, e)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if reason != "" {
				res.Skipped = append(res.Skipped, Skipped{Ref: e.Name + "@" + e.Version, Reason: reason})
				continue
			}
			res.Packs = append(res.Packs, *s)
			kept++
		}
	}
	return res, nil
}

// chartURL resolves a chart URL of index.yaml against the repository and
// says whether the credentials may go with it. Relative URLs and absolute
// ones on the repository's host (same host and port) are fetched with the
// credentials, over https; an absolute https URL on another host is fetched
// without them; anything else (plain http, other schemes, user@ in the URL)
// is refused.
func chartURL(base *url.URL, raw string) (u *url.URL, auth bool, err error) {
	ref, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, false, fmt.Errorf("the chart URL %q does not parse: %w", clip(raw), err)
	}
	u = base.ResolveReference(ref)
	switch {
	case u.User != nil:
		return nil, false, fmt.Errorf("the chart URL %s carries user@ credentials", u.Redacted())
	case u.Scheme != "https":
		return nil, false, fmt.Errorf("the chart URL %s is not https", u.Redacted())
	case u.Host == "":
		return nil, false, fmt.Errorf("the chart URL %s names no host", u.Redacted())
	}
	return u, u.Host == base.Host, nil
}

// readChart downloads one chart version and makes it a pack, or says why
// it is skipped.
func (r *run) readChart(ctx context.Context, c *http.Client, base *url.URL, e helmEntry) (*Synced, string) {
	u, auth, err := chartURL(base, e.URLs[0])
	if err != nil {
		return nil, err.Error()
	}
	b, err := r.get(ctx, c, u, auth, r.lim.MaxArchiveBytes)
	if err != nil {
		var tl *httpguard.TooLargeError
		if errors.As(err, &tl) {
			return nil, fmt.Sprintf("limit: the chart is larger than %d bytes", r.lim.MaxArchiveBytes)
		}
		return nil, "cannot download the chart: " + classify(err).Message
	}
	if e.Digest != "" {
		want := strings.ToLower(strings.TrimPrefix(e.Digest, "sha256:"))
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			return nil, fmt.Sprintf("the chart's sha256 is %s, but index.yaml (line %d) gives digest %s", got, e.Line, clip(e.Digest))
		}
	}
	pk, reason := chartPack(b, e.Name, e.Version)
	if reason != "" {
		return nil, reason
	}
	return finishPack(u.String(), "helm", pk, e.Name, e.Version)
}

// chartPack reads CHART/Chart.yaml and CHART/values.yaml of a chart
// archive and builds the pack: layer addon, cloud types all, the chart's
// name and version, its values.yaml as the pack's values.
func chartPack(tgz []byte, name, version string) (*pack.Pack, string) {
	chartYAML, values, err := readChartArchive(tgz)
	if err != nil {
		return nil, err.Error()
	}
	var ch struct {
		Name        string            `yaml:"name"`
		Version     string            `yaml:"version"`
		Annotations map[string]string `yaml:"annotations"`
	}
	if err := yaml.Unmarshal(chartYAML, &ch); err != nil {
		return nil, "Chart.yaml is not valid: " + strings.TrimPrefix(err.Error(), "yaml: ")
	}
	if ch.Name != name || ch.Version != version {
		return nil, fmt.Sprintf("Chart.yaml is %s version %s, but index.yaml lists %s version %s", clip(ch.Name), clip(ch.Version), name, version)
	}
	meta := pack.Meta{Name: name, DisplayName: name, Version: version, Layer: "addon", AddonType: ch.Annotations[AddonTypeAnnotation], CloudTypes: []string{"all"}}
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, "cannot write pack.json: " + err.Error()
	}
	if values == nil {
		values = []byte{}
	}
	pk, fl, err := pack.FromFiles(map[string][]byte{pack.MetaFile: mj, pack.ValuesFile: values})
	if err != nil {
		return nil, packProblem(err, fl)
	}
	return pk, ""
}

// readChartArchive returns CHART/Chart.yaml and CHART/values.yaml (nil
// when the chart has none) of a chart .tgz, whose entries all sit in one
// top folder CHART; files in other folders and nested charts are not read.
func readChartArchive(tgz []byte) (chartYAML, values []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, nil, fmt.Errorf("the chart is not a gzip archive: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(io.LimitReader(zr, pack.MaxArchiveBytes))
	top := ""
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("the chart archive is corrupt: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		dir, rest, ok := strings.Cut(path.Clean(strings.TrimPrefix(h.Name, "./")), "/")
		if !ok || dir == ".." {
			continue
		}
		if top == "" {
			top = dir
		} else if dir != top {
			continue
		}
		var dst *[]byte
		switch rest {
		case "Chart.yaml":
			dst = &chartYAML
		case "values.yaml":
			dst = &values
		default:
			continue
		}
		if h.Size > pack.MaxFileBytes {
			return nil, nil, fmt.Errorf("%s/%s is larger than %d bytes", clip(top), rest, pack.MaxFileBytes)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, nil, fmt.Errorf("the chart archive is corrupt: %s/%s: %w", clip(top), rest, err)
		}
		*dst = b
	}
	if chartYAML == nil {
		return nil, nil, errors.New("the archive has no CHART/Chart.yaml, so it is not a Helm chart")
	}
	return chartYAML, values, nil
}
