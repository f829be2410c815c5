package secret

import (
	"bytes"
	"encoding/hex"
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

func TestAKeyCheckOpensWithItsKeyOnly(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, _ := NewSealer(key)
	check, err := s.KeyCheck()
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(check) || strings.Contains(check, hex.EncodeToString(key)) || strings.Contains(check, keyCheckText) {
		t.Fatalf("key check value %q is not sealed text", check)
	}
	if err := s.VerifyKeyCheck(check); err != nil {
		t.Errorf("the key that made the check does not verify it: %v", err)
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, KeySize))
	for name, c := range map[string]string{
		"another key's check":                          mustCheck(t, other),
		"a value sealed with the key for another use":  mustSeal(t, s, keyCheckText, "profile-uid/pack"),
		"a value sealed with the key but another text": mustSeal(t, s, "something else", keyCheckAAD),
		"text that is not sealed":                      "byoos key check",
		"an empty value":                               "",
	} {
		if err := s.VerifyKeyCheck(c); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("%s: VerifyKeyCheck = %v, want ErrKeyMismatch", name, err)
		}
	}
}

func mustCheck(t *testing.T, s *Sealer) string {
	t.Helper()
	c, err := s.KeyCheck()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustSeal(t *testing.T, s *Sealer, text, aad string) string {
	t.Helper()
	c, err := s.Seal(text, aad)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadKeyNeverCreatesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if _, err := LoadKey(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadKey of a missing file: %v, want os.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadKey created %s", path)
	}
	key, _, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := LoadKey(path); err != nil || !bytes.Equal(got, key) {
		t.Errorf("LoadKey = %x, %v; want the created key", got, err)
	}
}
