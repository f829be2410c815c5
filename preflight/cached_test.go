package preflight_test

import (
	"context"
	"testing"
	"time"

	"github.com/byoos/byoos/cache"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
)

func TestCachedResultsAreReusedOnlyForTheSameImageCredentialsAndTarget(t *testing.T) {
	calls := 0
	code := finding.CodeVerifyEdgeNotFound
	inner := checkerFunc(func(ctx context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
		calls++
		return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, code, "not there", "")}, Checked: "looked"}
	})
	c := preflight.Cached(inner, cache.New[string, preflight.Result](16, time.Minute), "tenant-a")
	img := preflight.Image{Cloud: preflight.Edge, Ref: "r.io/os:v1", Username: "u", Password: "p", At: finding.Finding{File: "a.yaml", Line: 3, Path: "options.system.uri"}}
	elsewhere := img
	elsewhere.At = finding.Finding{File: "b.yaml", Line: 9, Path: "pack.content.images[1].image"}
	otherPassword := img
	otherPassword.Password = "q"
	ctx := context.Background()
	tests := []struct {
		name  string
		img   preflight.Image
		t     preflight.Target
		calls int
	}{
		{"the first check asks the checker", img, preflight.Target{}, 1},
		{"the same image again is answered from the cache", img, preflight.Target{}, 1},
		{"the same image named elsewhere is answered from the cache", elsewhere, preflight.Target{}, 1},
		{"other credentials ask the checker", otherPassword, preflight.Target{}, 2},
		{"another architecture asks the checker", img, preflight.Target{Arch: "arm64"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Check(ctx, tt.img, tt.t)
			if calls != tt.calls {
				t.Errorf("%d calls, want %d", calls, tt.calls)
			}
			if len(r.Findings) != 1 || r.Findings[0].File != tt.img.At.File || r.Findings[0].Line != tt.img.At.Line || r.Findings[0].Path != tt.img.At.Path || r.Image.Password != tt.img.Password {
				t.Errorf("result %+v is not about the image asked about", r)
			}
		})
	}
	t.Run("a refusal is not kept", func(t *testing.T) {
		code = finding.CodeVerifyTargetRefused
		img := img
		img.Ref = "r.io/refused:v1"
		c.Check(ctx, img, preflight.Target{})
		c.Check(ctx, img, preflight.Target{})
		if calls != 5 {
			t.Errorf("%d calls, want 5", calls)
		}
	})
}
