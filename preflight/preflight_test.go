package preflight_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
)

// checkerFunc adapts a function to preflight.Checker.
type checkerFunc func(ctx context.Context, img preflight.Image, t preflight.Target) preflight.Result

func (f checkerFunc) Check(ctx context.Context, img preflight.Image, t preflight.Target) preflight.Result {
	return f(ctx, img, t)
}

func TestRunChecksEveryImageAndKeepsTheirOrder(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	ok := checkerFunc(func(ctx context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		if img.Ref == "bad" {
			return preflight.Result{Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyUnsupported, "bad image", "")}}
		}
		return preflight.Result{Checked: "fine " + img.Ref}
	})
	hang := checkerFunc(func(ctx context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
		<-ctx.Done() // a check that only stops when told to
		return preflight.Result{}
	})
	var imgs []preflight.Image
	for i := range 20 {
		imgs = append(imgs, preflight.Image{Cloud: preflight.Edge, Ref: fmt.Sprintf("img-%d", i), At: finding.Finding{Layer: "edge-native-byoi", Path: "options.system.uri", Line: i + 1}})
	}
	imgs = append(imgs, preflight.Image{Cloud: preflight.Edge, Ref: "bad"}, preflight.Image{Cloud: preflight.AWS, Ref: "ami-0123456789abcdef0"}, preflight.Image{Cloud: preflight.VSphere, Ref: "/dc/vm/t"})
	calls := 0
	res := preflight.Run(context.Background(), imgs, preflight.Target{}, map[string]preflight.Checker{preflight.Edge: ok, preflight.AWS: hang},
		preflight.Options{Parallel: 3, Timeout: 50 * time.Millisecond, Progress: func(done, total int, r preflight.Result) { calls++ }})
	if len(res) != len(imgs) || calls != len(imgs) {
		t.Fatalf("%d results and %d progress calls for %d images", len(res), calls, len(imgs))
	}
	for i := range 20 {
		if res[i].Image.Ref != imgs[i].Ref || len(res[i].Findings) != 0 || res[i].Checked != "fine "+imgs[i].Ref {
			t.Errorf("result %d is %+v, want image %s checked fine", i, res[i], imgs[i].Ref)
		}
	}
	if most > 3 {
		t.Errorf("%d checks ran at once, want at most 3", most)
	}
	want := map[int]string{20: finding.CodeVerifyUnsupported, 21: finding.CodeVerifyTimeout, 22: finding.CodeVerifyUnsupported}
	for i, code := range want {
		if len(res[i].Findings) != 1 || res[i].Findings[0].Code != code {
			t.Errorf("result %d (%s) has findings %+v, want one %s", i, imgs[i].Ref, res[i].Findings, code)
		}
	}
	if f := res[21].Findings[0]; f.Message != "checking ami-0123456789abcdef0 did not finish within 50ms" {
		t.Errorf("the timeout says %q", f.Message)
	}
}

func TestAFindingIsLocatedWhereTheImageIsNamed(t *testing.T) {
	img := preflight.Image{Ref: "x", At: finding.Finding{Layer: "generic-byoi", Path: "pack.osImageOverride", Field: "spec.template.packs[0].values", Line: 3, Column: 20}}
	f := preflight.Finding(img, finding.Warning, finding.CodeVerifyTimeout, "m", "h")
	if f.Layer != "generic-byoi" || f.Path != "pack.osImageOverride" || f.Line != 3 || f.Column != 20 || f.Severity != finding.Warning || f.Message != "m" || f.Hint != "h" {
		t.Errorf("finding %+v", f)
	}
}
