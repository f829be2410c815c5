//go:build !unix

package pack

import "os"

// openNoFollow opens path for reading. Off Unix there is no O_NOFOLLOW or
// O_NONBLOCK; the Lstat before it and the Stat after it refuse what is not a
// regular file.
func openNoFollow(path string) (*os.File, error) {
	return os.Open(path)
}
