//go:build unix

package pack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// packDir writes a valid pack into a new directory and returns it.
func packDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files(goodMeta) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withinTimeout runs load and fails the test, instead of hanging, when it does not return
// within a generous safety net (the old code blocked forever opening a FIFO).
func withinTimeout(t *testing.T, load func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- load() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("loading the pack did not return within 10 s: it blocked on a file")
		return nil
	}
}

func TestAPackDirectoryHoldsRegularFilesOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string
		kind    string
		prepare func(t *testing.T, path string)
	}{
		{"a README.md that is a symbolic link is refused, not followed", ReadmeFile, "a symbolic link", func(t *testing.T, path string) {
			secretFile := filepath.Join(t.TempDir(), "id_rsa")
			if err := os.WriteFile(secretFile, []byte("PRIVATE KEY"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(secretFile, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"a values.yaml that is a dangling symbolic link is refused", ValuesFile, "a symbolic link", func(t *testing.T, path string) {
			if err := os.Symlink("/nonexistent/values.yaml", path); err != nil {
				t.Fatal(err)
			}
		}},
		{"a README.md that is a named pipe is refused without blocking", ReadmeFile, "a named pipe (FIFO)", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"a schema.yaml that is a directory is refused", SchemaFile, "a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := packDir(t)
			path := filepath.Join(dir, tc.file)
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			tc.prepare(t, path)
			for loader, load := range map[string]func() (*Pack, error){
				"LoadDir": func() (*Pack, error) { p, _, err := LoadDir(dir); return p, err },
				"LoadFS":  func() (*Pack, error) { p, _, err := LoadFS(os.DirFS(dir), "."); return p, err },
			} {
				var p *Pack
				err := withinTimeout(t, func() error { var err error; p, err = load(); return err })
				var fte *FileTypeError
				if !errors.As(err, &fte) || fte.Name != tc.file || fte.Kind != tc.kind {
					t.Fatalf("%s: err = %v, want a FileTypeError for %s (%s)", loader, err, tc.file, tc.kind)
				}
				if want := tc.file + " is " + tc.kind + "; packs hold regular files only"; err.Error() != want {
					t.Errorf("%s: error %q, want %q", loader, err, want)
				}
				if p != nil {
					t.Errorf("%s: a pack was returned: %+v", loader, p.Files)
				}
			}
		})
	}
}

// tarball builds a .tgz from entries; an entry with no body is written as its header only.
func tarball(t *testing.T, entries ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range entries {
		var body []byte
		if h.Typeflag == tar.TypeReg {
			body = files(goodMeta)[filepath.Base(h.Name)]
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAPackArchiveHoldsRegularFilesOnly(t *testing.T) {
	regular := func(name string) *tar.Header {
		return &tar.Header{Name: "my-os-1.2.3/" + name, Typeflag: tar.TypeReg, Mode: 0o644}
	}
	base := func() []*tar.Header {
		return []*tar.Header{{Name: "my-os-1.2.3/", Typeflag: tar.TypeDir, Mode: 0o755}, regular(MetaFile), regular(ValuesFile)}
	}
	for _, tc := range []struct {
		name  string
		entry *tar.Header
		kind  string
	}{
		{"a README.md that is a symbolic link is refused", &tar.Header{Name: "my-os-1.2.3/README.md", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, "a symbolic link"},
		{"a README.md that is a hard link is refused", &tar.Header{Name: "my-os-1.2.3/README.md", Typeflag: tar.TypeLink, Linkname: "my-os-1.2.3/values.yaml"}, "a hard link"},
		{"a named pipe is refused", &tar.Header{Name: "my-os-1.2.3/README.md", Typeflag: tar.TypeFifo}, "a named pipe (FIFO)"},
		{"a character device is refused whatever its name", &tar.Header{Name: "my-os-1.2.3/charts/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, "a character device"},
		{"a block device is refused", &tar.Header{Name: "my-os-1.2.3/schema.yaml", Typeflag: tar.TypeBlock}, "a block device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := LoadTarball(bytes.NewReader(tarball(t, append(base(), tc.entry)...)))
			var fte *FileTypeError
			if !errors.As(err, &fte) || fte.Name != tc.entry.Name || fte.Kind != tc.kind {
				t.Fatalf("err = %v, want a FileTypeError for %s (%s)", err, tc.entry.Name, tc.kind)
			}
			if p != nil {
				t.Errorf("a pack was returned: %+v", p.Files)
			}
		})
	}
	t.Run("directories and regular files load", func(t *testing.T) {
		if _, _, err := LoadTarball(bytes.NewReader(tarball(t, append(base(), regular(ReadmeFile))...))); err != nil {
			t.Fatalf("a valid archive: %v", err)
		}
	})
}
