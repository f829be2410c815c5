package secret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAStringNeverPrintsItsValue(t *testing.T) {
	s := String("hunter2")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("login", "password", s)
	j, _ := json.Marshal(struct{ P String }{s})
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %q %#v %+v", s, s, s, s, s), string(j), logs.String()} {
		if strings.Contains(out, "hunter2") || !strings.Contains(out, Mask) {
			t.Errorf("output %q shows the secret or lacks the mask", out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal lost the value")
	}
}

func TestSealAndOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("password: hunter2", "uid-1")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || strings.Contains(sealed, "hunter2") {
		t.Fatalf("sealed text %q", sealed)
	}
	again, _ := s.Seal("password: hunter2", "uid-1")
	if again == sealed {
		t.Error("two seals of the same text are equal: the nonce is not random")
	}
	if pt, err := s.Open(sealed, "uid-1"); err != nil || pt != "password: hunter2" {
		t.Errorf("Open = %q, %v", pt, err)
	}
	if _, err := s.Open(sealed, "uid-2"); !errors.Is(err, ErrOpen) {
		t.Errorf("opening with another record's aad: %v", err)
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, "uid-1"); !errors.Is(err, ErrOpen) {
		t.Errorf("opening with another key: %v", err)
	}
	if _, err := s.Open(sealed[:len(sealed)-2]+"AA", "uid-1"); !errors.Is(err, ErrOpen) {
		t.Errorf("opening tampered text: %v", err)
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	k1, created, err := LoadOrCreateKey(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("create: %v %v %d", err, created, len(k1))
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", err, created)
	}
	os.WriteFile(path, []byte("zz\n"), 0o600)
	if _, _, err := LoadOrCreateKey(path); err == nil {
		t.Error("garbage key file accepted")
	}
}
