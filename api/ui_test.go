package api_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/byoos/byoos/web"
)

func TestTheWebUIIsServedUnderAStrictPolicyWithoutShadowingTheAPI(t *testing.T) {
	e := newEnv(t)
	get := func(path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := e.client.Transport.RoundTrip(req) // no transparent gunzip: see what was sent
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rd io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		return resp, string(b)
	}
	for _, tc := range []struct {
		name, path, wantType, wantIn string
	}{
		{"the root answers the page without an API key", "/", "text/html", `<script type="module" src="/ui/app.js">`},
		{"the script is served", "/ui/app.js", "text/javascript", "sessionStorage"},
		{"the style sheet is served", "/ui/app.css", "text/css", ".finding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.path, map[string]string{"Accept-Encoding": "gzip"})
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.wantType) || !strings.Contains(body, tc.wantIn) {
				t.Fatalf("GET %s: %d %q, body has %q: %v", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.wantIn, strings.Contains(body, tc.wantIn))
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.HasPrefix(csp, strings.Split(web.ContentSecurityPolicy, "%s")[0]) || strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") ||
				!strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if (tc.path != "/" && resp.Header.Get("Content-Encoding") != "gzip") || resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("headers = %v, want gzip, nosniff and DENY", resp.Header)
			}
		})
	}
	t.Run("the page holds no inline script or style", func(t *testing.T) {
		_, body := get("/", nil)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<style") || strings.Contains(body, "style=") || strings.Contains(body, " on") {
			t.Errorf("index.html has inline script, style or handlers:\n%s", body)
		}
	})
	t.Run("each page gets its own style nonce, in its policy and its meta tag", func(t *testing.T) {
		r1, b1 := get("/", nil)
		r2, _ := get("/", nil)
		c1, c2 := r1.Header.Get("Content-Security-Policy"), r2.Header.Get("Content-Security-Policy")
		i := strings.Index(c1, "'nonce-")
		if i < 0 || c1 == c2 {
			t.Fatalf("policies %q and %q: want a nonce, new for each page", c1, c2)
		}
		nonce := strings.TrimPrefix(strings.SplitN(c1[i:], "'", 3)[1], "nonce-")
		if !strings.Contains(b1, `<meta name="csp-nonce" content="`+nonce+`">`) || strings.Contains(b1, "{{") || r1.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the page does not carry its nonce %q or may be cached:\n%s", nonce, b1)
		}
	})
	t.Run("an unchanged asset answers 304", func(t *testing.T) {
		resp, _ := get("/ui/app.css", nil)
		again, _ := get("/ui/app.css", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
		if again.StatusCode != 304 {
			t.Errorf("status %d, want 304", again.StatusCode)
		}
	})
	for _, tc := range []struct{ name, path string }{
		{"an unknown API route still answers the JSON 404", "/v1/nope"},
		{"an unknown asset is 404", "/ui/nope.js"},
		{"index.html is not an asset of its own", "/ui/index.html"},
		{"a path beside the UI is the API's 404", "/favicon.ico"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.path, nil)
			if resp.StatusCode != 404 {
				t.Fatalf("GET %s: %d", tc.path, resp.StatusCode)
			}
			if strings.HasPrefix(tc.path, "/v1/") || tc.path == "/favicon.ico" {
				if !strings.Contains(body, `"code":"ResourceNotFound"`) {
					t.Errorf("GET %s: %s, want the API's JSON 404", tc.path, body)
				}
			}
		})
	}
}
