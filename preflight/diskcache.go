package preflight

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DiskCache is a ResultStore in a directory, for results kept between runs
// of the command line: one file per key (a hash: no credential is in a
// name), holding the result without its image (no credential is in a file
// either), trusted for TTL after it was written. A file that cannot be
// read or written is a miss, never an error: the check then runs.
type DiskCache struct {
	dir string
	ttl time.Duration
	now func() time.Time
}

// NewDiskCache returns the cache in dir (made with mode 0700 when missing)
// whose results are trusted for ttl.
func NewDiskCache(dir string, ttl time.Duration) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("verify cache: %w", err)
	}
	return &DiskCache{dir: dir, ttl: ttl, now: time.Now}, nil
}

func (d *DiskCache) path(key string) string { return filepath.Join(d.dir, key+".json") }

// Get returns the result kept for key if it was written less than the
// cache's TTL ago.
func (d *DiskCache) Get(key string) (Result, bool) {
	var r Result
	fi, err := os.Stat(d.path(key))
	if err != nil || d.now().Sub(fi.ModTime()) >= d.ttl {
		return r, false
	}
	b, err := os.ReadFile(d.path(key))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return Result{}, false
	}
	return r, true
}

// Put keeps r for key (r.Image is not written), replacing the file at once
// so that a concurrent reader sees the old result or the new one.
func (d *DiskCache) Put(key string, r Result) {
	r.Image = Image{}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(d.dir, "."+key+"-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), d.path(key)) != nil {
		os.Remove(f.Name())
	}
}
