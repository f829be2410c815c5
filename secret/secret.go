// Package secret keeps secrets secret: a String type that prints as a mask in
// logs, JSON and fmt, and a Sealer that encrypts values at rest with AES-GCM.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Mask is what a secret shows instead of its value.
const Mask = "********"

// String is a secret value. It formats, marshals and logs as Mask; Reveal
// returns the value.
type String string

// Reveal returns the secret itself.
func (s String) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s String) String() string { return Mask }

// GoString implements fmt.GoStringer.
func (s String) GoString() string { return Mask }

// Format implements fmt.Formatter, so %v, %s, %q and %#v all print the mask.
func (s String) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask)) }

// MarshalJSON implements json.Marshaler.
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s String) MarshalText() ([]byte, error) { return []byte(Mask), nil }

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(Mask) }

// KeySize is the size of a sealing key: AES-256.
const KeySize = 32

// sealedPrefix marks sealed text, with the format version.
const sealedPrefix = "enc:v1:"

// ErrOpen is wrapped by errors from Open: wrong key, or tampered text.
var ErrOpen = errors.New("cannot decrypt sealed value")

// Sealer encrypts and decrypts values with AES-256-GCM.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealing key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext, binding it to aad (e.g. the record's uid) so a
// sealed value cannot be moved to another record.
func (s *Sealer) Seal(plaintext, aad string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// IsSealed reports whether text was produced by Seal.
func IsSealed(text string) bool { return strings.HasPrefix(text, sealedPrefix) }

// Open decrypts text produced by Seal with the same aad.
func (s *Sealer) Open(text, aad string) (string, error) {
	if !IsSealed(text) {
		return "", fmt.Errorf("%w: not sealed", ErrOpen)
	}
	raw, err := base64.RawStdEncoding.DecodeString(text[len(sealedPrefix):])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("%w: malformed", ErrOpen)
	}
	n := s.aead.NonceSize()
	pt, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrOpen, err)
	}
	return string(pt), nil
}

// keyCheckText and keyCheckAAD make the key check value: a constant sealed
// with the key. It tells whether a key is the one data was sealed with
// without revealing anything of the key that an offline guess could test
// faster than by opening any other sealed value.
const (
	keyCheckText = "byoos key check"
	keyCheckAAD  = "keycheck"
)

// ErrKeyMismatch is wrapped by VerifyKeyCheck when the key is not the one
// that made the check value.
var ErrKeyMismatch = errors.New("the key is not the one the stored secrets were sealed with")

// KeyCheck returns a new key check value for this Sealer's key: a constant
// sealed with it, to be stored next to the data it seals.
func (s *Sealer) KeyCheck() (string, error) {
	return s.Seal(keyCheckText, keyCheckAAD)
}

// VerifyKeyCheck reports whether check was made by KeyCheck with this
// Sealer's key; ErrKeyMismatch when not.
func (s *Sealer) VerifyKeyCheck(check string) error {
	pt, err := s.Open(check, keyCheckAAD)
	if err != nil || pt != keyCheckText {
		return ErrKeyMismatch
	}
	return nil
}

// LoadKey reads a hex-encoded key file. A missing file is an error that
// wraps os.ErrNotExist.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read secret key file: %w", err)
	}
	key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
	if derr != nil || len(key) != KeySize {
		return nil, fmt.Errorf("secret key file %s: want %d hex-encoded bytes", path, KeySize)
	}
	return key, nil
}

// LoadOrCreateKey reads a hex-encoded key file, creating it with a random key
// (mode 0600) when it does not exist; created reports that it did.
func LoadOrCreateKey(path string) (key []byte, created bool, err error) {
	key, err = LoadKey(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("generate secret key: %w", err)
	}
	if err := WriteFileExclusive(path, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// WriteFileExclusive writes a new file readable by its owner only, failing
// if it exists; the data is synced before the file is given its name.
func WriteFileExclusive(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
