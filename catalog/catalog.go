// Package catalog holds the built-in "Public Repo": the BYOOS packs
// generic-byoi and edge-native-byoi and the Kubernetes, CNI and CSI packs that
// complete a profile around them, embedded in the binary.
package catalog

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/byoos/byoos/pack"
)

// RepoName is the name of the built-in registry, as Palette names its own.
const RepoName = "Public Repo"

// RepoUID is the uid of the built-in registry.
const RepoUID = "5e0000000000000000000001"

// PackUID is the stable uid of a built-in pack version: the same on every
// server and every start.
func PackUID(name, version string) string {
	h := sha256.Sum256([]byte("public-repo/" + name + "@" + version))
	return hex.EncodeToString(h[:12])
}

//go:embed packs
var packsFS embed.FS

// FS returns the embedded pack directories, one per pack version under packs/.
func FS() fs.FS { return packsFS }

// PublicRepo loads the built-in packs. Every built-in pack must load without
// errors; a failure here is a bug in the catalog, caught by its tests.
func PublicRepo() (*pack.Repo, error) {
	entries, err := fs.ReadDir(packsFS, "packs")
	if err != nil {
		return nil, fmt.Errorf("read built-in packs: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	repo := pack.NewRepo(RepoName)
	for _, n := range names {
		p, _, err := pack.LoadFS(packsFS, path.Join("packs", n))
		if err != nil {
			return nil, fmt.Errorf("built-in pack %s: %w", n, err)
		}
		repo.Add(p)
	}
	return repo, nil
}
