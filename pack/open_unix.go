//go:build unix

package pack

import (
	"os"
	"syscall"
)

// openNoFollow opens path for reading without following a final symbolic link
// (the open fails instead) and without waiting for a writer when it is a named
// pipe (O_NONBLOCK, which does not change reads of a regular file).
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
