package storetest

import (
	"testing"
	"time"

	"github.com/byoos/byoos/store"
)

func (f fx) digests(s store.Scope, uid, sum string) []store.ProfileDigest {
	f.t.Helper()
	ds, err := f.s.ProfileDigests(f.ctx, s, uid, sum)
	if err != nil {
		f.t.Fatalf("ProfileDigests(%s, %s): %v", uid, sum, err)
	}
	return ds
}

func digestTests() []Test {
	d := func(ref, digest string, at time.Time) store.ProfileDigest {
		return store.ProfileDigest{Ref: ref, Digest: digest, RecordedAt: at}
	}
	return []Test{
		{"RecordProfileDigests records each ref of a publication once, the first record standing, and ProfileDigests returns them by ref", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			sc := store.Scope{TenantUID: tn, ProjectUID: f.project(tn, "edge").UID}
			p := f.profile(sc, "edge", "1.0.0")
			wantEqual(t, "before any record", len(f.digests(sc, p.UID, "sum1")), 0)
			at := clk.Advance(time.Minute)
			n, err := s.RecordProfileDigests(f.ctx, sc, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:a", time.Time{}), d("r.io/tools:v1", "sha256:b", time.Time{})}, ev("profile.digests"))
			noErr(t, "RecordProfileDigests", err)
			wantEqual(t, "recorded", n, 2)
			wantEvent(t, f.lastEvent(tn), "profile.digests", tn, sc.ProjectUID, "profile", p.UID, at)
			later := clk.Advance(time.Minute)
			n, err = s.RecordProfileDigests(f.ctx, sc, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:moved", time.Time{}), d("q.io/extra:v2", "sha256:c", time.Time{})}, ev("profile.digests"))
			noErr(t, "RecordProfileDigests again", err)
			wantEqual(t, "recorded again", n, 1)
			got := f.digests(sc, p.UID, "sum1")
			want := []store.ProfileDigest{d("q.io/extra:v2", "sha256:c", later), d("r.io/os:v1", "sha256:a", at), d("r.io/tools:v1", "sha256:b", at)}
			wantEqual(t, "digests", len(got), len(want))
			for i := range min(len(got), len(want)) {
				wantEqual(t, "ref and digest", [2]string{got[i].Ref, got[i].Digest}, [2]string{want[i].Ref, want[i].Digest})
				wantAt(t, "recorded at of "+got[i].Ref, got[i].RecordedAt, want[i].RecordedAt)
			}
			events := len(f.audit(tn))
			n, err = s.RecordProfileDigests(f.ctx, sc, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:other", time.Time{})}, ev("profile.digests"))
			noErr(t, "RecordProfileDigests of nothing new", err)
			wantEqual(t, "recorded nothing", n, 0)
			wantEqual(t, "events after recording nothing", len(f.audit(tn)), events)
		}},
		{"digests are kept per publication: another checksum has none of them", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := store.Scope{TenantUID: f.tenant("acme").UID}
			p := f.profile(sc, "edge", "1.0.0")
			_, err := s.RecordProfileDigests(f.ctx, sc, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:a", time.Time{})}, ev("profile.digests"))
			noErr(t, "RecordProfileDigests", err)
			wantEqual(t, "digests of another publication", len(f.digests(sc, p.UID, "sum2")), 0)
		}},
		{"a profile's digests are reached only in its scope, and deleting the profile deletes them", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			sc := store.Scope{TenantUID: tn, ProjectUID: f.project(tn, "edge").UID}
			p := f.profile(sc, "edge", "1.0.0")
			_, err := s.RecordProfileDigests(f.ctx, sc, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:a", time.Time{})}, ev("profile.digests"))
			noErr(t, "RecordProfileDigests", err)
			for _, other := range []store.Scope{{TenantUID: tn}, {TenantUID: tn, ProjectUID: f.project(tn, "web").UID}, {TenantUID: f.tenant("globex").UID}} {
				_, err := s.ProfileDigests(f.ctx, other, p.UID, "sum1")
				wantErr(t, "ProfileDigests from another scope", err, store.ErrNotFound)
				_, err = s.RecordProfileDigests(f.ctx, other, p.UID, "sum1", []store.ProfileDigest{d("r.io/os:v1", "sha256:evil", time.Time{})}, ev("profile.digests"))
				wantErr(t, "RecordProfileDigests from another scope", err, store.ErrNotFound)
			}
			wantEqual(t, "digest after the other scopes tried", f.digests(sc, p.UID, "sum1")[0].Digest, "sha256:a")
			noErr(t, "DeleteProfile", s.DeleteProfile(f.ctx, sc, p.UID, ev("profile.delete")))
			_, err = s.ProfileDigests(f.ctx, sc, p.UID, "sum1")
			wantErr(t, "ProfileDigests of a deleted profile", err, store.ErrNotFound)
			// A profile of the same uid would not inherit them (uids are never reused, but the rows are gone).
			q := store.Profile{UID: p.UID, TenantUID: sc.TenantUID, ProjectUID: sc.ProjectUID, Name: "edge", Version: "1.0.0", Status: store.StatusDraft, Type: "cluster", CloudType: "edge-native", Body: []byte(`{}`)}
			noErr(t, "CreateProfile with the old uid", s.CreateProfile(f.ctx, &q, ev("profile.create")))
			wantEqual(t, "digests of the new profile", len(f.digests(sc, p.UID, "sum1")), 0)
		}},
	}
}
