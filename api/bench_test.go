package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/byoos/byoos/api"
)

// BenchmarkPackLookup measures the handler alone (no TLS, no network) for
// GET /v1/packs/{name}/registries/{uid}, the Terraform data source's call.
func BenchmarkPackLookup(b *testing.B) {
	e := newEnv(b)
	h := e.handler
	for _, name := range []string{"generic-byoi", "kubernetes"} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/packs/"+name+"/registries/"+api.PublicRepoUID+"?cloudType=all", nil)
			req.Header.Set("ApiKey", e.admin)
			req.Header.Set("ProjectUid", e.project)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
