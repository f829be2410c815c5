package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/store"
)

// CheckWritable makes sure this process can write in dir, by creating,
// writing and removing a file there, and can write each of files that
// exists (a missing one is created in dir later, which the first check
// covers). The error names the path and the operating system's reason.
func CheckWritable(dir string, files ...string) error {
	fail := func(path string, err error) error {
		return fmt.Errorf("%s is not writable by this process (uid %d): %w; byoos keeps its database, keys and certificate in the data directory: make it writable or pass --data DIR", path, os.Geteuid(), err)
	}
	f, err := os.CreateTemp(dir, ".byoos-write-check-*")
	if err != nil {
		return fail("data directory "+dir, err)
	}
	_, werr := f.Write([]byte("byoos write check\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fail("data directory "+dir, err)
	}
	for _, name := range files {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fail(name, err)
		}
		if err := f.Close(); err != nil {
			return fail(name, err)
		}
	}
	return nil
}

// OpenSealer loads the key that seals secrets at rest from keyFile and makes
// sure it is the key the database's secrets are sealed with, by opening the
// key check value stored in the database. A new key is generated (and its
// check value stored) only when the database holds no sealed data: no check
// value and, for a database from before check values, no profile. A missing
// or different key is refused with an error naming the file and the flag,
// so that a server never runs on secrets it cannot read, nor seals new ones
// with a key the others do not have.
func OpenSealer(ctx context.Context, st store.Store, keyFile string, log *slog.Logger) (*secret.Sealer, error) {
	stored, err := st.KeyCheck(ctx)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	sealedData := stored != ""
	if !sealedData {
		if sealedData, err = st.HasProfiles(ctx); err != nil {
			return nil, fmt.Errorf("secret key: %w", err)
		}
	}
	var (
		key     []byte
		created bool
	)
	if sealedData {
		key, err = secret.LoadKey(keyFile)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("secret key file %s is missing, but the database holds secrets sealed with a key: restore the file, or pass --secret-key-file FILE naming the key the database's secrets were sealed with (every server on one database needs that same key); a new key would leave the stored secrets unreadable", keyFile)
		}
	} else {
		key, created, err = secret.LoadOrCreateKey(keyFile)
	}
	if err != nil {
		return nil, err
	}
	sealer, err := secret.NewSealer(key)
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: %w", keyFile, err)
	}
	if stored == "" {
		check, err := sealer.KeyCheck()
		if err != nil {
			return nil, err
		}
		// Another server may have stored its check value since: the stored
		// one is what counts.
		if stored, err = st.InitKeyCheck(ctx, check); err != nil {
			return nil, fmt.Errorf("secret key: %w", err)
		}
	}
	if err := sealer.VerifyKeyCheck(stored); err != nil {
		if created {
			// Our new key lost to another server's: leave no key behind that
			// would be refused again on the next start.
			_ = os.Remove(keyFile)
		}
		return nil, fmt.Errorf("secret key file %s does not hold the key the database's secrets are sealed with: pass --secret-key-file FILE naming that key (every server on one database needs the same key)", keyFile)
	}
	if created {
		log.Info("generated the key that encrypts secrets at rest; back it up", "path", keyFile)
	}
	return sealer, nil
}
