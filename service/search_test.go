package service

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

func TestContinueTokensRoundTripAndNameTheirQuery(t *testing.T) {
	fp := fingerprint(store.ProfileQuery{NameContains: "rhel"})
	for _, tc := range []struct {
		name    string
		tok     string
		want    int
		wantErr string
	}{
		{"a token this server gave reads back its offset", continueToken(150, fp), 150, ""},
		{"a token of another query is refused", continueToken(5, fingerprint(store.ProfileQuery{})), 0, "another filter"},
		{"a token that is not base64 is refused", "%%%", 0, "not a token"},
		{"a token with a negative offset is refused", continueToken(-5, fp), 0, "not a token"},
		{"a token without a fingerprint is refused", "MTA", 0, "not a token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseContinue(tc.tok, fp)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseContinue(%q) = %d, %v; want an error saying %q", tc.tok, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseContinue(%q) = %d, %v; want %d", tc.tok, got, err, tc.want)
			}
		})
	}
}

func TestSearchBodiesBecomeStoreQueries(t *testing.T) {
	q, err := searchQuery(&wire.ProfileSearch{Filter: wire.ProfileFilter{ProfileName: &wire.FilterString{Contains: "x"}, Environment: []string{"aws"}, Status: []string{"draft"}},
		Sort: []wire.ProfileSortSpec{{Field: "lastModifiedTimestamp", Order: "DESC"}}})
	if err != nil || q.NameContains != "x" || q.CloudTypes[0] != "aws" || q.Statuses[0] != "draft" || q.Sort != store.SortByModified || !q.Desc {
		t.Fatalf("searchQuery = %+v, %v", q, err)
	}
	if _, err := searchQuery(&wire.ProfileSearch{Sort: make([]wire.ProfileSortSpec, 2)}); err == nil {
		t.Error("two sort keys were accepted")
	}
}

func FuzzParseContinue(f *testing.F) {
	fp := fingerprint(store.ProfileQuery{})
	f.Add(continueToken(50, fp))
	f.Add("")
	f.Add("LTE")
	f.Fuzz(func(t *testing.T, tok string) {
		n, err := parseContinue(tok, fp)
		if err == nil && (n < 0 || continueToken(n, fp) == "") {
			t.Fatalf("parseContinue(%q) = %d without an error", tok, n)
		}
	})
}
