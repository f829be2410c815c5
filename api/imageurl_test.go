package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
)

func TestNoAnswerRepeatsTheCredentialsOfAnImageURL(t *testing.T) {
	e := newEnv(t)
	const vhd = "acct1.blob.core.windows.net/vhds/x.vhd"
	for _, tc := range []struct{ name, image string }{
		{"the https hint of an http SAS URL", "http://" + vhd + "?sv=1&sig=SECRET"},
		{"a SAS URL with a tab in it", "https://acct1.blob.core.windows.net/vhds/x\t.vhd?sv=1&sig=SECRET"},
		{"a SAS URL with a no-break space in it", "https://acct1.blob.core.windows.net/vhds/x\u00a0.vhd?sv=1&sig=SECRET"},
		{"an upper-case SIG", "https://" + vhd + "x?sv=1&SIG=SECRET"},
		{"a percent-encoded %73ig", "https://" + vhd + "x?sv=1&%73ig=SECRET"},
		{"a sig after a semicolon", "https://" + vhd + "x;sig=SECRET"},
		{"a password in the userinfo", "https://user:SECRET@" + vhd},
	} {
		t.Run(tc.name+" is not repeated by validate or create", func(t *testing.T) {
			body := awsProfile(strings.Trim("url-"+strings.ReplaceAll(strings.ToLower(tc.name[:6]), " ", "-"), "-"), tc.image)
			body["spec"].(map[string]any)["template"].(map[string]any)["cloudType"] = "azure"
			j, _ := json.Marshal(body)
			for _, call := range []struct {
				path string
				want int
			}{{"/v1/clusterprofiles/validate", 200}, {"/v1/clusterprofiles", 400}} {
				req, _ := http.NewRequest("POST", e.url+call.path, bytes.NewReader(j))
				req.Header.Set("ApiKey", e.admin)
				req.Header.Set("ProjectUid", e.project)
				req.Header.Set(api.FindingsHeader, "full")
				resp, err := e.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != call.want || !strings.Contains(string(raw), "azure-vhd") {
					t.Fatalf("POST %s: %d, want %d with an azure-vhd finding: %s", call.path, resp.StatusCode, call.want, raw)
				}
				if strings.Contains(string(raw), "SECRET") {
					t.Errorf("POST %s repeats the credential: %s", call.path, raw)
				}
			}
		})
	}
}
