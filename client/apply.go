package client

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/wire"
)

// What Apply did with a profile.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
	// ActionPublished: the draft was the same, and is now published.
	ActionPublished = "published"
)

// Applied is what Apply did.
type Applied struct {
	UID, Name, Version string
	// Action is one of the Action constants.
	Action    string
	Published bool
}

// Apply creates the profile doc names (metadata.name, spec.version, 1.0.0
// when empty) in the client's project, or, when the project has it, replaces
// its draft; the result is published when publish is true or the profile was
// published already. An update sends the revision it read (If-Match), so a
// profile changed by someone else meanwhile is refused, not overwritten.
// The action is "unchanged" when the export is the same afterwards and what
// was published still is, and "published" when only the publishing changed
// something.
//
// A refused profile is an *APIError (IsRefusal reports it, with the
// findings); any other error is a fault of the server or the connection.
func (c *Client) Apply(ctx context.Context, doc *wire.Profile, publish bool) (Applied, error) {
	r := Applied{Name: doc.Metadata.Name, Version: doc.Spec.Version}
	if r.Version == "" {
		r.Version = "1.0.0" // the server's default
	}
	var existing *wire.ProfileSummary
	if r.Name != "" {
		ps, err := c.Profiles(ctx, r.Name)
		if err != nil {
			return r, err
		}
		project, err := c.ProjectUID(ctx)
		if err != nil {
			return r, err
		}
		own := "tenant"
		if project != "" {
			own = "project"
		}
		for i := range ps {
			// The profile apply writes is the one of the client's own scope:
			// a project context also lists its tenant's profiles.
			if ps[i].Name == r.Name && ps[i].Version == r.Version && (ps[i].Scope == own || ps[i].Scope == "") {
				existing = &ps[i]
			}
		}
	}
	body := *doc
	body.Metadata.UID, body.Metadata.ResourceVersion = "", ""
	if existing == nil {
		uid, err := c.ImportProfile(ctx, &body, publish)
		if err != nil {
			return r, err
		}
		r.UID, r.Action, r.Published = uid, ActionCreated, publish
		return r, nil
	}
	r.UID = existing.UID
	before, err := c.ExportProfile(ctx, existing.UID)
	if err != nil {
		return r, err
	}
	// Whether the draft was what is published, for saying "unchanged".
	live := false
	if existing.Status == wire.StatusPublished {
		p, err := c.Profile(ctx, existing.UID)
		if err != nil {
			return r, err
		}
		live = sameTemplate(p.Spec.Draft, p.Spec.Published)
	}
	rv, err := c.UpdateProfile(ctx, existing.UID, &body, existing.ResourceVersion())
	if err != nil {
		return r, err
	}
	changed := true
	if after, err := c.ExportProfile(ctx, existing.UID); err == nil && sameExport(before, after) {
		changed = false
	}
	r.Action = ActionUpdated
	if !changed {
		r.Action = ActionUnchanged
	}
	if publish || existing.Status == wire.StatusPublished {
		if err := c.PublishProfile(ctx, existing.UID, rv); err != nil {
			return r, err
		}
		r.Published = true
		if !changed && !live {
			r.Action = ActionPublished
		}
	}
	return r, nil
}

// sameTemplate reports whether a draft is the published template. Masked
// values are never the same: a secret may differ behind the mask.
func sameTemplate(a, b *wire.ProfileTemplate) bool {
	if a == nil || b == nil {
		return false
	}
	ja, err1 := json.Marshal(a.Packs)
	jb, err2 := json.Marshal(b.Packs)
	return err1 == nil && err2 == nil && a.CloudType == b.CloudType && a.Type == b.Type &&
		bytes.Equal(ja, jb) && !bytes.Contains(ja, []byte(secret.Mask))
}

// sameExport reports whether two exports are the same. Exports with masked
// secrets are never the same: a secret may have changed behind the mask.
func sameExport(a, b *wire.Profile) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil || bytes.Contains(jb, []byte(secret.Mask)) {
		return false
	}
	return bytes.Equal(ja, jb)
}
