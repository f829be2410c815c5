package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/byoos/byoos/client"
)

func TestSearchPacksFollowsTheServersPagesToTheEnd(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/packs/search" || r.URL.Query().Get("limit") == "" {
			http.Error(w, `{"code":"BadRequest","message":"unexpected request"}`, http.StatusBadRequest)
			return
		}
		cont := r.URL.Query().Get("continue")
		asked = append(asked, cont)
		w.Header().Set("Content-Type", "application/json")
		switch cont {
		case "":
			fmt.Fprint(w, `{"items":[{"spec":{"name":"a"}},{"spec":{"name":"b"}}],"listmeta":{"continue":"page2","count":2}}`)
		case "page2":
			fmt.Fprint(w, `{"items":[{"spec":{"name":"c"}}],"listmeta":{"continue":"","count":1}}`)
		default:
			http.Error(w, `{"code":"BadRequest","message":"continue"}`, http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	c, err := client.New(client.Config{Server: srv.URL, APIKey: "byoos_test"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := c.SearchPacks(context.Background(), client.PackSearch{NameContains: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].Name != "a" || ms[2].Name != "c" || len(asked) != 2 || asked[1] != "page2" {
		t.Fatalf("matches %+v after asking %q, want a, b, c over two pages", ms, asked)
	}
}
