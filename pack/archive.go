package pack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/byoos/byoos/finding"
)

// MaxPushBytes is the largest pack archive a byoos server takes (its
// request body limit).
const MaxPushBytes = 16 << 20

// Archive reads a pack directory, or a .tgz pack archive, checks it as
// `byoos pack lint` does and returns the archive to push. A directory is
// archived with LoadDir and (*Pack).Tarball; a file is sent as it
// is. When the pack has errors, the error wraps ErrInvalid and the
// findings (with file names relative to the pack) say why.
func Archive(path string) (*Pack, []byte, finding.List, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pack: %w", err)
	}
	var (
		p   *Pack
		fl  finding.List
		raw []byte
	)
	if st.IsDir() {
		p, fl, err = LoadDir(path)
		if err != nil {
			return p, nil, fl, fmt.Errorf("pack %s: %w", path, err)
		}
		var buf bytes.Buffer
		if err := p.Tarball(&buf); err != nil {
			return p, nil, fl, fmt.Errorf("pack %s: %w", path, err)
		}
		raw = buf.Bytes()
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pack: %w", err)
		}
		defer f.Close()
		raw, err = io.ReadAll(io.LimitReader(f, MaxPushBytes+1))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pack %s: %w", path, err)
		}
		if len(raw) > MaxPushBytes {
			return nil, nil, nil, fmt.Errorf("pack %s is over %d bytes, the server's limit", path, MaxPushBytes)
		}
		p, fl, err = LoadTarball(bytes.NewReader(raw))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				return nil, nil, nil, fmt.Errorf("pack %s: %w", path, err)
			}
			return p, nil, fl, fmt.Errorf("pack %s: %w", path, err)
		}
	}
	if len(raw) > MaxPushBytes {
		return p, nil, fl, fmt.Errorf("pack %s: the archive is over %d bytes, the server's limit", path, MaxPushBytes)
	}
	return p, raw, fl, nil
}
