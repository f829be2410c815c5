package service

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Search page sizes.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 500
)

// Page says which page of a search to answer: Limit items (DefaultSearchLimit
// when 0) from the Continue token of the previous page, or else from Offset.
type Page struct {
	Limit    int
	Continue string
	Offset   int
}

// start checks a page of the query fp and returns it with its limit (the
// default for 0) and its offset (the continue token's, when given).
func (p Page) start(fp string) (Page, error) {
	if p.Limit < 0 || p.Limit > MaxSearchLimit {
		return p, Errorf(wire.CodeBadRequest, "limit %d: give 1 to %d (0 for %d)", p.Limit, MaxSearchLimit, DefaultSearchLimit)
	}
	if p.Limit == 0 {
		p.Limit = DefaultSearchLimit
	}
	if p.Offset < 0 {
		return p, Errorf(wire.CodeBadRequest, "offset %d is negative", p.Offset)
	}
	if p.Continue != "" {
		off, err := parseContinue(p.Continue, fp)
		if err != nil {
			return p, err
		}
		p.Offset = off
	}
	return p, nil
}

// Search returns one page of the profile versions c sees (of its scope, and
// in a project context its tenant's too) that in selects, in its order: Palette's POST /v1/dashboard/clusterprofiles.
// Names, versions and counts only: the page reads no profile body.
func (s *Profiles) Search(ctx context.Context, c Caller, in *wire.ProfileSearch, page Page) (*wire.ProfileSearchResult, error) {
	q, err := searchQuery(in)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(q)
	if page, err = page.start(fp); err != nil {
		return nil, err
	}
	q.Scope, q.WithTenant, q.Offset, q.Limit, q.NoBodies = c.Scope, true, page.Offset, page.Limit+1, true
	recs, err := s.st.ListProfiles(ctx, q)
	if err != nil {
		return nil, FromStore(err, "cluster profile", "")
	}
	out := &wire.ProfileSearchResult{Items: []wire.ProfileSearchItem{}, Listmeta: wire.ListMeta{Limit: page.Limit, Offset: page.Offset}}
	if len(recs) > page.Limit {
		recs = recs[:page.Limit]
		out.Listmeta.Continue = continueToken(page.Offset+page.Limit, fp)
	}
	for _, rec := range recs {
		var warnings []json.RawMessage
		if len(rec.Warnings) > 0 {
			if err := json.Unmarshal(rec.Warnings, &warnings); err != nil {
				return nil, fmt.Errorf("stored warnings of profile %s: %w", rec.UID, err)
			}
		}
		t := &wire.TemplateSummary{Name: rec.Name, Type: rec.Type, CloudType: rec.CloudType}
		it := wire.ProfileSearchItem{
			Metadata: wire.ObjectMeta{Name: rec.Name, UID: rec.UID, Annotations: map[string]string{"scope": scopeOf(rec)}, CreationTimestamp: rfc3339(rec.CreatedAt), LastModifiedTimestamp: rfc3339(rec.UpdatedAt),
				ResourceVersion: strconv.FormatInt(rec.Revision, 10)},
			SpecSummary: wire.ProfileSpecSummary{Version: rec.Version, Draft: t},
			Status:      wire.ProfileStatusBrief{IsPublished: rec.Status == store.StatusPublished, Status: rec.Status, Warnings: len(warnings)},
		}
		if it.Status.IsPublished {
			it.SpecSummary.Published = t
		}
		out.Items = append(out.Items, it)
	}
	out.Listmeta.Count = len(out.Items)
	return out, nil
}

// searchQuery turns a search body into a store query, refusing what it
// cannot honour rather than ignoring it.
func searchQuery(in *wire.ProfileSearch) (store.ProfileQuery, error) {
	var q store.ProfileQuery
	f := in.Filter
	if n := f.ProfileName; n != nil {
		switch {
		case n.Ne != "" || n.BeginsWith != "":
			return q, Errorf(wire.CodeBadRequest, "filter.profileName: byoos supports eq and contains, not ne or beginsWith")
		case n.Eq != "" && n.Contains != "":
			return q, Errorf(wire.CodeBadRequest, "filter.profileName: give eq or contains, not both")
		}
		q.Name, q.NameContains = n.Eq, n.Contains
	}
	q.CloudTypes, q.Types = f.Environment, f.ProfileType
	for i, st := range f.Status {
		if st != wire.StatusDraft && st != wire.StatusPublished {
			return q, Errorf(wire.CodeBadRequest, "filter.status[%d]: %q is not %s or %s", i, st, wire.StatusDraft, wire.StatusPublished)
		}
	}
	q.Statuses = f.Status
	switch len(in.Sort) {
	case 0:
	case 1:
		so := in.Sort[0]
		switch so.Field {
		case "", "profileName":
			q.Sort = store.SortByName
		case "environment":
			q.Sort = store.SortByCloudType
		case "profileType":
			q.Sort = store.SortByType
		case "creationTimestamp":
			q.Sort = store.SortByCreated
		case "lastModifiedTimestamp":
			q.Sort = store.SortByModified
		default:
			return q, Errorf(wire.CodeBadRequest, "sort[0].field: %q is not profileName, environment, profileType, creationTimestamp or lastModifiedTimestamp", so.Field)
		}
		switch strings.ToLower(so.Order) {
		case "", "asc":
		case "desc":
			q.Desc = true
		default:
			return q, Errorf(wire.CodeBadRequest, "sort[0].order: %q is not asc or desc", so.Order)
		}
	default:
		return q, Errorf(wire.CodeBadRequest, "sort: byoos sorts by one field (then name, version and uid); %d given", len(in.Sort))
	}
	return q, nil
}

// fingerprint identifies a query's selection and order (a store query, a
// search body), so that a continue token is not used with another.
func fingerprint(q any) string {
	b, _ := json.Marshal(q) // strings, slices, ints and bools: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// continueToken is the opaque token of the page at offset of a query.
func continueToken(offset int, fp string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "." + fp))
}

// parseContinue returns the offset of a continue token of the query fp.
func parseContinue(tok, fp string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	off, tfp, ok := strings.Cut(string(raw), ".")
	n, err2 := strconv.Atoi(off)
	switch {
	case err != nil || !ok || err2 != nil || n < 0:
		return 0, Errorf(wire.CodeBadRequest, "continue: %q is not a token this server gave; start again without it", tok)
	case tfp != fp:
		return 0, Errorf(wire.CodeBadRequest, "continue: the token belongs to another filter or sort; start again without it")
	}
	return n, nil
}

// scopeOf is the scope Palette names in a profile's metadata.annotations:
// ScopeTenant or ScopeProject.
func scopeOf(rec store.Profile) string {
	if rec.ProjectUID == "" {
		return ScopeTenant
	}
	return ScopeProject
}
