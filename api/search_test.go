package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

type searchResp struct {
	Items []struct {
		Metadata    struct{ Name, UID, ResourceVersion, CreationTimestamp string }
		SpecSummary struct {
			Version          string
			Draft, Published *struct{ Name, Type, CloudType string }
		}
		Status struct {
			IsPublished bool
			Status      string
			Warnings    int
		}
	}
	Listmeta struct {
		Continue             string
		Count, Limit, Offset int
	}
}

func (r searchResp) keys() []string {
	out := []string{}
	for _, it := range r.Items {
		out = append(out, it.Metadata.Name+"@"+it.SpecSummary.Version)
	}
	return out
}

func TestProfileSearchFiltersSortsAndPages(t *testing.T) {
	e := newEnv(t)
	other := e.newProject("other")
	for i := range 7 {
		e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile(fmt.Sprintf("aws-%02d", i), "ami-0f4804aff4cf9c5a2"), 201, nil)
	}
	var pub struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile("rhel-prod", "ami-0f4804aff4cf9c5a2"), 201, &pub)
	e.do("PATCH", "/v1/clusterprofiles/"+pub.UID+"/publish", e.admin, e.project, nil, 204, nil)
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(edgeValues), 201, nil)
	e.do("POST", "/v1/clusterprofiles", e.admin, other, awsProfile("aws-other", "ami-0f4804aff4cf9c5a2"), 201, nil)

	search := func(query string, body any) searchResp {
		t.Helper()
		var out searchResp
		e.do("POST", "/v1/dashboard/clusterprofiles"+query, e.admin, e.project, body, 200, &out)
		return out
	}
	t.Run("a name part, a cloud type and a status select, and only in the caller's project", func(t *testing.T) {
		got := search("", map[string]any{"filter": map[string]any{"profileName": map[string]any{"contains": "RHEL"}, "environment": []string{"aws"}, "status": []string{"published"}}})
		if strings.Join(got.keys(), ",") != "rhel-prod@1.0.0" {
			t.Fatalf("items = %v, want rhel-prod@1.0.0", got.keys())
		}
		it := got.Items[0]
		if !it.Status.IsPublished || it.SpecSummary.Published == nil || it.SpecSummary.Draft.CloudType != "aws" || it.Metadata.UID != pub.UID || it.Metadata.ResourceVersion == "" {
			t.Errorf("item = %+v, want a published aws profile with its uid and resource version", it)
		}
		if got := search("", map[string]any{"filter": map[string]any{"profileName": map[string]any{"contains": "other"}}}); len(got.Items) != 0 {
			t.Errorf("another project's profile was found: %v", got.keys())
		}
	})
	t.Run("an empty body lists everything by name", func(t *testing.T) {
		got := search("", nil)
		if len(got.Items) != 9 || got.Items[0].Metadata.Name != "aws-00" || got.Listmeta.Continue != "" || got.Listmeta.Count != 9 {
			t.Errorf("items = %v, listmeta %+v", got.keys(), got.Listmeta)
		}
	})
	t.Run("pages follow the continue token to the end without repeats", func(t *testing.T) {
		body := map[string]any{"filter": map[string]any{"environment": []string{"aws"}}, "sort": []any{map[string]string{"field": "profileName", "order": "desc"}}}
		var all []string
		cont, pages := "", 0
		for {
			q := "?limit=3"
			if cont != "" {
				q += "&continue=" + url.QueryEscape(cont)
			}
			got := search(q, body)
			pages++
			all = append(all, got.keys()...)
			if got.Listmeta.Limit != 3 || got.Listmeta.Count != len(got.Items) {
				t.Errorf("listmeta = %+v", got.Listmeta)
			}
			if cont = got.Listmeta.Continue; cont == "" || pages > 5 {
				break
			}
		}
		want := "rhel-prod@1.0.0,aws-06@1.0.0,aws-05@1.0.0,aws-04@1.0.0,aws-03@1.0.0,aws-02@1.0.0,aws-01@1.0.0,aws-00@1.0.0"
		if strings.Join(all, ",") != want || pages != 3 {
			t.Errorf("pages = %d, items = %v, want 3 pages of %s", pages, all, want)
		}
	})
	t.Run("a warning count comes with each item", func(t *testing.T) {
		var full struct {
			Status struct{ Findings []struct{ Severity string } }
		}
		e.do("GET", "/v1/clusterprofiles/"+pub.UID, e.admin, e.project, nil, 200, &full)
		got := search("", map[string]any{"filter": map[string]any{"profileName": map[string]any{"eq": "rhel-prod"}}})
		if len(got.Items) != 1 || got.Items[0].Status.Warnings != len(full.Status.Findings) {
			t.Errorf("warnings = %+v, want %d (the profile's findings)", got.Items, len(full.Status.Findings))
		}
	})
	for _, tc := range []struct {
		name, query string
		body        any
		wantMsg     string
	}{
		{"a continue token of another filter is refused", "?continue=" + url.QueryEscape(search("?limit=1", nil).Listmeta.Continue),
			map[string]any{"filter": map[string]any{"environment": []string{"azure"}}}, "another filter"},
		{"a made-up continue token is refused", "?continue=bm9wZQ", nil, "not a token"},
		{"a limit over the maximum is refused", "?limit=100000", nil, "limit 100000"},
		{"a limit that is not a number is refused", "?limit=ten", nil, "limit"},
		{"an unknown sort field is refused", "", map[string]any{"sort": []any{map[string]string{"field": "size"}}}, "sort[0].field"},
		{"an unknown status is refused", "", map[string]any{"filter": map[string]any{"status": []string{"deleted"}}}, "filter.status[0]"},
		{"beginsWith is refused rather than ignored", "", map[string]any{"filter": map[string]any{"profileName": map[string]any{"beginsWith": "a"}}}, "beginsWith"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := e.do("POST", "/v1/dashboard/clusterprofiles"+tc.query, e.admin, e.project, tc.body, 400, nil)
			if !strings.Contains(string(raw), tc.wantMsg) {
				t.Errorf("answer %s does not say %q", raw, tc.wantMsg)
			}
		})
	}
	t.Run("a read-only key may search", func(t *testing.T) {
		ro := e.key("reader", "", "read-only")
		e.do("POST", "/v1/dashboard/clusterprofiles", ro, e.project, map[string]any{}, 200, nil)
	})
}
