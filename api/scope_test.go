package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/byoos/byoos/store"
)

// A project context sees its tenant's profiles, as Palette's API does: they
// are listed, searched and read there (marked scope "tenant"), read-only
// unless the key is a tenant admin's; another project's and another tenant's
// profiles stay invisible. (e.do fails the whole test at once, so the
// steps run in order in one test.)
func TestAProjectSeesItsTenantsProfilesReadOnly(t *testing.T) {
	e := newEnv(t)
	var base, mine, theirs struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, "", awsProfile("tenant-base", "ami-0f4804aff4cf9c5a2"), 201, &base)
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile("project-own", "ami-0f4804aff4cf9c5a2"), 201, &mine)
	other := e.newProject("other")
	e.do("POST", "/v1/clusterprofiles", e.admin, other, awsProfile("other-project", "ami-0f4804aff4cf9c5a2"), 201, &theirs)

	ctx := context.Background()
	globex, err := e.st.EnsureTenant(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	foreign := store.Profile{TenantUID: globex.UID, Name: "other-tenant", Version: "1.0.0", Status: store.StatusDraft, Type: "infra", CloudType: "aws",
		Body: []byte(`{"type":"infra","cloudType":"aws","packs":[]}`), Warnings: []byte(`[]`)}
	if err := e.st.CreateProfile(ctx, &foreign, store.AuditEvent{TenantUID: globex.UID, Actor: "test", Action: "profile.create"}); err != nil {
		t.Fatal(err)
	}

	projAdmin := e.key("project-admin", e.project, store.RoleAdmin)
	projReader := e.key("project-reader", e.project, store.RoleReadOnly)

	{ // The tenant's profile is read in a project context, marked tenant.
		for _, key := range []string{projAdmin, projReader, e.admin} {
			var got profileResp
			e.do("GET", "/v1/clusterprofiles/"+base.UID, key, e.project, nil, 200, &got)
			if got.Metadata.Annotations["scope"] != "tenant" || got.Spec.Draft == nil || len(got.Spec.Draft.Packs) != 2 {
				t.Errorf("GET tenant profile in a project: %+v", got.Metadata)
			}
			e.do("GET", "/v1/clusterprofiles/"+base.UID+"/variables", key, e.project, nil, 200, nil)
			raw := e.do("GET", "/v1/clusterprofiles/"+base.UID+"/export", key, e.project, nil, 200, nil)
			if !strings.Contains(string(raw), "tenant-base") {
				t.Errorf("export: %s", raw)
			}
		}
	}

	{ // Lists and searches in a project show its profiles and the tenant's only.
		var list struct {
			Items []struct{ Metadata struct{ Name, UID string } }
		}
		e.do("GET", "/v1/dashboard/clusterprofiles/metadata", projAdmin, "", nil, 200, &list)
		names := []string{}
		for _, it := range list.Items {
			names = append(names, it.Metadata.Name)
		}
		if strings.Join(names, ",") != "project-own,tenant-base" {
			t.Errorf("project list = %v, want project-own and tenant-base", names)
		}
		var found struct {
			Items []struct {
				Metadata struct {
					Name        string
					Annotations map[string]string
				}
			}
		}
		e.do("POST", "/v1/dashboard/clusterprofiles", e.admin, e.project, `{}`, 200, &found)
		got := []string{}
		for _, it := range found.Items {
			got = append(got, it.Metadata.Name+":"+it.Metadata.Annotations["scope"])
		}
		if strings.Join(got, ",") != "project-own:project,tenant-base:tenant" {
			t.Errorf("project search = %v, want project-own:project and tenant-base:tenant", got)
		}
		// The tenant context still lists the tenant's only.
		e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, "", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].Metadata.UID != base.UID {
			t.Errorf("tenant list = %+v", list.Items)
		}
	}

	{ // Another project's and another tenant's profiles stay invisible.
		for _, uid := range []string{theirs.UID, foreign.UID} {
			e.do("GET", "/v1/clusterprofiles/"+uid, projAdmin, "", nil, 404, nil)
			e.do("GET", "/v1/clusterprofiles/"+uid, e.admin, e.project, nil, 404, nil)
			e.do("PUT", "/v1/clusterprofiles/"+uid, e.admin, e.project, awsProfile("x", "ami-1a2b3c4d"), 404, nil)
		}
	}

	{ // A project admin key cannot change the tenant's profile.
		var before profileResp
		e.do("GET", "/v1/clusterprofiles/"+base.UID, e.admin, "", nil, 200, &before)
		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{"PUT", "", awsProfile("tenant-base", "ami-1a2b3c4d")},
			{"PATCH", "/publish", nil},
			{"PATCH", "/metadata", `{"metadata":{"labels":{"env":"hacked"},"name":"tenant-base"}}`},
			{"PUT", "/variables", `{"variables":[]}`},
			{"DELETE", "", nil},
		} {
			raw := e.do(tc.method, "/v1/clusterprofiles/"+base.UID+tc.path, projAdmin, "", tc.body, 403, nil)
			if !strings.Contains(string(raw), "tenant-wide") {
				t.Errorf("%s %s: %s", tc.method, tc.path, raw)
			}
		}
		var after profileResp
		e.do("GET", "/v1/clusterprofiles/"+base.UID, e.admin, "", nil, 200, &after)
		if after.Metadata.ResourceVersion != before.Metadata.ResourceVersion || after.Status.IsPublished || after.Metadata.Labels["env"] != "dev" {
			t.Errorf("the refused writes changed the profile: %+v", after.Metadata)
		}
	}

	{ // A tenant admin in a project context can change the tenant's profile.
		e.do("PUT", "/v1/clusterprofiles/"+base.UID, e.admin, e.project, awsProfile("tenant-base", "ami-1a2b3c4d"), 204, nil)
		e.do("PATCH", "/v1/clusterprofiles/"+base.UID+"/publish", e.admin, e.project, nil, 204, nil)
		var got profileResp
		e.do("GET", "/v1/clusterprofiles/"+base.UID, e.admin, "", nil, 200, &got)
		if got.Spec.Published == nil || !strings.Contains(got.Spec.Published.Packs[0].Values, "ami-1a2b3c4d") {
			t.Errorf("after the tenant admin's update: %+v", got.Spec.Published)
		}
		e.do("DELETE", "/v1/clusterprofiles/"+base.UID, e.admin, e.project, nil, 204, nil)
		e.do("GET", "/v1/clusterprofiles/"+base.UID, e.admin, "", nil, 404, nil)
	}
}
