package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/pgtest"
	"github.com/byoos/byoos/store/sqlite"
)

// errStarted is what start returns when the server came up.
var errStarted = errors.New("the server started")

// start runs serve.Run until the server is ready (then stops it and returns
// errStarted) or Run returns (its error).
func start(t *testing.T, o serve.Options) error {
	t.Helper()
	err := tryStart(o)
	if err == nil {
		t.Fatal("Run returned nil before it was ready")
	}
	return err
}

// tryStart is start for any goroutine: every outcome is its error.
func tryStart(o serve.Options) error {
	ready := make(chan string, 1)
	o.Ready, o.Addr, o.InsecureHTTP = ready, "127.0.0.1:0", true
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- serve.Run(ctx, o) }()
	select {
	case <-ready:
		cancel()
		if err := <-errc; err != nil {
			return fmt.Errorf("the server started, and stopping it failed: %w", err)
		}
		return errStarted
	case err := <-errc:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("Run neither served nor failed within 30 s")
	}
}

// buildByoos builds the byoos binary into a directory any user may read.
func buildByoos(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "byoos")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/byoos/byoos/cmd/byoos").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// serveUntilExit runs cmd, a byoos serve, and returns its exit code and
// standard error once it exits. A server that starts serving fails the test.
func serveUntilExit(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	served := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "byoos is serving") {
				served <- struct{}{}
			}
		}
	}()
	select {
	case <-done:
	case <-served:
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		t.Fatalf("the server started:\n%s", out.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		t.Fatalf("the server neither served nor exited within 60 s:\n%s", out.String())
	}
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), out.String()
}

// firstStart starts a server on a new data directory (creating its key and
// the database's key check value) and stops it.
func firstStart(t *testing.T, o serve.Options) {
	t.Helper()
	if err := start(t, o); !errors.Is(err, errStarted) {
		t.Fatalf("first start: %v", err)
	}
}

// addProfile stores a profile holding a sealed value, as the API would.
func addProfile(t *testing.T, dbPath, keyFile string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tenant, err := st.EnsureTenant(ctx, serve.TenantName)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secret.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := secret.NewSealer(key)
	sealed, _ := sealer.Seal("password: hunter2", "p/generic-byoi")
	p := &store.Profile{TenantUID: tenant.UID, Name: "sealed", Version: "1.0.0", Status: store.StatusDraft, Type: "infra", CloudType: "aws",
		Body: []byte(`{"packs":[{"name":"generic-byoi","values":"` + sealed + `","sealed":true}]}`)}
	if err := st.CreateProfile(ctx, p, store.AuditEvent{Actor: "test", Action: "profile.create"}); err != nil {
		t.Fatal(err)
	}
}

// forgetKeyCheck removes the key check value, as in a database from before
// byoos stored one.
func forgetKeyCheck(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("DELETE FROM settings"); err != nil {
		t.Fatal(err)
	}
}

func writeKey(t *testing.T, path string, b byte) {
	t.Helper()
	if err := os.WriteFile(path, []byte(hex.EncodeToString(bytes.Repeat([]byte{b}, secret.KeySize))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTheBinaryRefusesToStartOnADatabaseWithSecretsWhenTheKeyFileIsMissing(t *testing.T) {
	bin := buildByoos(t)
	data := filepath.Join(t.TempDir(), "data")
	firstStart(t, serve.Options{DataDir: data})
	keyFile := filepath.Join(data, "secret.key")
	addProfile(t, filepath.Join(data, serve.DatabaseFile), keyFile)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	code, stderr := serveUntilExit(t, exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--insecure-http"))
	if code == 0 {
		t.Errorf("exit status 0:\n%s", stderr)
	}
	for _, want := range []string{"secret key file " + keyFile + " is missing", "the database holds secrets sealed with a key", "--secret-key-file FILE"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the message lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new %s was written (%v)", keyFile, err)
	}
}

func TestTheKeyThatSealsSecretsIsCheckedAtStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		// prepare changes the data directory of a server started once; it
		// returns the options of the next start.
		prepare func(t *testing.T, data string) serve.Options
		// want is a text the start's error holds, or "" when it must start.
		want string
		// keyCreated says whether data/secret.key exists after the start.
		keyCreated bool
	}{
		{"a database whose key file is missing is refused and no key is made", func(t *testing.T, data string) serve.Options {
			os.Remove(filepath.Join(data, "secret.key"))
			return serve.Options{DataDir: data}
		}, "secret key file " + "DATA/secret.key is missing", false},
		{"a database whose key file holds another key is refused", func(t *testing.T, data string) serve.Options {
			writeKey(t, filepath.Join(data, "secret.key"), 9)
			return serve.Options{DataDir: data}
		}, "secret key file DATA/secret.key does not hold the key the database's secrets are sealed with: pass --secret-key-file FILE", true},
		{"another key given with --secret-key-file is refused", func(t *testing.T, data string) serve.Options {
			other := filepath.Join(t.TempDir(), "other.key")
			writeKey(t, other, 9)
			return serve.Options{DataDir: data, SecretKeyFile: other}
		}, "does not hold the key the database's secrets are sealed with", true},
		{"the right key starts, from the data directory", func(t *testing.T, data string) serve.Options {
			return serve.Options{DataDir: data}
		}, "", true},
		{"the right key starts, moved elsewhere and given with --secret-key-file", func(t *testing.T, data string) serve.Options {
			moved := filepath.Join(t.TempDir(), "moved.key")
			if err := os.Rename(filepath.Join(data, "secret.key"), moved); err != nil {
				t.Fatal(err)
			}
			return serve.Options{DataDir: data, SecretKeyFile: moved}
		}, "", false},
		{"a database from before key check values, with profiles and no key file, is refused", func(t *testing.T, data string) serve.Options {
			addProfile(t, filepath.Join(data, serve.DatabaseFile), filepath.Join(data, "secret.key"))
			forgetKeyCheck(t, filepath.Join(data, serve.DatabaseFile))
			os.Remove(filepath.Join(data, "secret.key"))
			return serve.Options{DataDir: data}
		}, "secret key file DATA/secret.key is missing, but the database holds secrets sealed with a key", false},
		{"a database from before key check values, with profiles and its key file, starts", func(t *testing.T, data string) serve.Options {
			addProfile(t, filepath.Join(data, serve.DatabaseFile), filepath.Join(data, "secret.key"))
			forgetKeyCheck(t, filepath.Join(data, serve.DatabaseFile))
			return serve.Options{DataDir: data}
		}, "", true},
		{"a database from before key check values, without profiles, starts with a new key", func(t *testing.T, data string) serve.Options {
			forgetKeyCheck(t, filepath.Join(data, serve.DatabaseFile))
			os.Remove(filepath.Join(data, "secret.key"))
			return serve.Options{DataDir: data}
		}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			firstStart(t, serve.Options{DataDir: data})
			keyFile := filepath.Join(data, "secret.key")
			err := start(t, tc.prepare(t, data))
			want := strings.ReplaceAll(tc.want, "DATA", data)
			switch {
			case want == "" && !errors.Is(err, errStarted):
				t.Fatalf("the server did not start: %v", err)
			case want != "" && (err == nil || errors.Is(err, errStarted)):
				t.Fatalf("the server started; want an error with %q", want)
			case want != "" && !strings.Contains(err.Error(), want):
				t.Fatalf("error %q lacks %q", err, want)
			}
			if _, err := os.Stat(keyFile); (err == nil) != tc.keyCreated {
				t.Errorf("%s exists: %v, want %v", keyFile, err == nil, tc.keyCreated)
			}
			if want == "" {
				// Started: the key check value is stored now, and the next
				// start with the same options starts again.
				st, err := sqlite.Open(context.Background(), filepath.Join(data, serve.DatabaseFile))
				if err != nil {
					t.Fatal(err)
				}
				check, err := st.KeyCheck(context.Background())
				st.Close()
				if err != nil || check == "" {
					t.Errorf("no key check value stored after a start: %q, %v", check, err)
				}
			}
		})
	}
}

func TestAReplicaOnPostgreSQLNeedsTheSharedKey(t *testing.T) {
	dsn := pgtest.Start(t)
	dirA := t.TempDir()
	_, stopA := run(t, serve.Options{DataDir: dirA, Database: dsn})
	defer stopA()
	keyA := filepath.Join(dirA, "secret.key")

	dirB := t.TempDir()
	err := start(t, serve.Options{DataDir: dirB, Database: dsn})
	if err == nil || errors.Is(err, errStarted) || !strings.Contains(err.Error(), filepath.Join(dirB, "secret.key")+" is missing") || !strings.Contains(err.Error(), "--secret-key-file") {
		t.Errorf("a replica without --secret-key-file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dirB, "secret.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused replica wrote a key of its own (%v)", err)
	}

	other := filepath.Join(t.TempDir(), "other.key")
	writeKey(t, other, 9)
	err = start(t, serve.Options{DataDir: dirB, Database: dsn, SecretKeyFile: other})
	if err == nil || errors.Is(err, errStarted) || !strings.Contains(err.Error(), other+" does not hold the key") {
		t.Errorf("a replica with another key: %v", err)
	}

	if err := start(t, serve.Options{DataDir: dirB, Database: dsn, SecretKeyFile: keyA}); !errors.Is(err, errStarted) {
		t.Errorf("a replica with the shared key: %v", err)
	}
}

func TestOfReplicasFirstStartingAtOnceOnANewPostgreSQLWithoutAKeyOneServes(t *testing.T) {
	dsn := pgtest.Start(t)
	dirs := []string{t.TempDir(), t.TempDir()}
	errs := make(chan error, len(dirs))
	for _, d := range dirs {
		go func() { errs <- tryStart(serve.Options{DataDir: d, Database: dsn}) }()
	}
	served, refused := 0, 0
	for range dirs {
		err := <-errs
		switch {
		case errors.Is(err, errStarted):
			served++
		case err != nil && strings.Contains(err.Error(), "--secret-key-file"):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if served != 1 || refused != 1 {
		t.Fatalf("%d served and %d were refused, want 1 and 1", served, refused)
	}
	keys := 0
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "secret.key")); err == nil {
			keys++
		}
	}
	if keys != 1 {
		t.Errorf("%d data directories hold a secret.key, want only the serving one's", keys)
	}
}

func TestCheckWritableRefusesWhatNoProcessCanWrite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, want string }{
		{"a directory of /proc", "/proc", "data directory /proc is not writable"},
		{"a regular file", file, "data directory " + file + " is not writable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := serve.CheckWritable(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--data DIR") {
				t.Errorf("CheckWritable(%s) = %v, want an error with %q", tc.dir, err, tc.want)
			}
		})
	}
	if err := serve.CheckWritable(t.TempDir(), filepath.Join(t.TempDir(), "missing.db")); err != nil {
		t.Errorf("a writable directory and a missing file: %v", err)
	}
}

// TestADataDirectoryTheServerCannotWriteIsRefused starts the binary on a
// data directory it can read but not write: as the user nobody when the
// tests run as root (who may write anything), as the current user otherwise.
func TestADataDirectoryTheServerCannotWriteIsRefused(t *testing.T) {
	bin := buildByoos(t)
	for _, tc := range []struct {
		name    string
		dirMode os.FileMode
		want    string
	}{
		// The database's WAL files exist and may be written, as after a
		// crash: an unchecked server starts and answers every write 500.
		{"a read-only directory with a read-only database", 0o555, "data directory DATA is not writable"},
		{"a writable directory with a read-only database", 0o777, "DATA/byoos.db is not writable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			for _, d := range []string{filepath.Dir(data), filepath.Dir(filepath.Dir(data))} {
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			firstStart(t, serve.Options{DataDir: data})
			db := filepath.Join(data, serve.DatabaseFile)
			for _, f := range []string{db + "-wal", db + "-shm"} {
				if err := os.WriteFile(f, nil, 0o666); err != nil {
					t.Fatal(err)
				}
				os.Chmod(f, 0o666)
			}
			for _, f := range []string{db, filepath.Join(data, "secret.key"), filepath.Join(data, serve.AdminKeyFile)} {
				if err := os.Chmod(f, 0o444); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(data, tc.dirMode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(data, 0o755) })
			cmd := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--insecure-http")
			if os.Geteuid() == 0 {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			code, stderr := serveUntilExit(t, cmd)
			if code == 0 {
				t.Errorf("exit status 0:\n%s", stderr)
			}
			for _, want := range []string{strings.ReplaceAll(tc.want, "DATA", data), "permission denied", "--data DIR"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("the message lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}
