package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/finding"
)

func TestADiskCacheKeepsAResultForItsTTLWithoutTheImage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "verify")
	d, err := NewDiskCache(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	d.now = func() time.Time { return now }
	img := Image{Cloud: Edge, Ref: "r.example.com/os:1", Username: "robot", Password: "Sekr1t-Disk-Cache"}
	key := CacheKey("cli", img, Target{})
	d.Put(key, Result{Image: img, Digest: "sha256:abc", Checked: "fine", Findings: finding.List{{Severity: finding.Warning, Code: finding.CodeVerifyTimeout, Message: "m"}}})
	got, ok := d.Get(key)
	if !ok || got.Digest != "sha256:abc" || got.Checked != "fine" || len(got.Findings) != 1 || got.Image.Ref != "" {
		t.Fatalf("Get = %+v, %v; want the result without its image", got, ok)
	}
	b, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if err != nil || strings.Contains(string(b), img.Password) || strings.Contains(string(key), img.Password) {
		t.Errorf("the cache file holds the password or cannot be read (%v): %s", err, b)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the cache directory's mode: %v, %v", fi.Mode().Perm(), err)
	}
	d.now = func() time.Time { return now.Add(2 * time.Minute) }
	if _, ok := d.Get(key); ok {
		t.Error("a result older than the TTL was reused")
	}
	if _, ok := d.Get("no-such-key"); ok {
		t.Error("a key never put was found")
	}
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{not json"), 0o600)
	d.now = time.Now
	if _, ok := d.Get("bad"); ok {
		t.Error("a file that is not a result was read as one")
	}
}
