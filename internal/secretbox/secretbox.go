// Package secretbox encrypts secrets the server must keep but never show,
// such as the online TUF signing keys, before they reach storage.
//
// A Box seals with AES-256-GCM under a 32-byte master key that lives outside
// the database (LIFELINE_SECRET_KEY, or a key file in the data directory), so
// a stolen database or backup alone yields no signing key. The caller binds
// each ciphertext to where it belongs with additional data (for example the
// product and role of a key), so a row copied elsewhere does not decrypt.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// version 1: 1-byte version, 4-byte key ID, 12-byte nonce, ciphertext+tag.
const (
	version1 = 1
	idLen    = 4
)

// Box seals and opens secrets. It is safe for concurrent use.
type Box struct {
	aead    cipher.AEAD
	id      [idLen]byte
	derived [sha256.Size]byte // HMAC key for Derive, itself derived from the master key
}

// New makes a Box from a 32-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	b := &Box{aead: aead}
	sum := sha256.Sum256(append([]byte("lifeline secretbox key id\x00"), key...))
	copy(b.id[:], sum[:])
	m := hmac.New(sha256.New, key)
	m.Write([]byte("lifeline secretbox derive\x00"))
	copy(b.derived[:], m.Sum(nil))
	return b, nil
}

// GenerateKey returns a new random master key, encoded as ParseKey reads it.
func GenerateKey() string {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// ParseKey reads a master key written as base64 (standard or URL alphabet)
// or as 64 hex digits.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("the secret key must be %d bytes in base64 or hex (make one with `lifeline admin secret-key`)", KeySize)
}

// KeyID identifies the master key without revealing it, for logs and for
// telling which key sealed a value.
func (b *Box) KeyID() string { return hex.EncodeToString(b.id[:]) }

// Seal encrypts plaintext, bound to additional data ad.
func (b *Box) Seal(plaintext, ad []byte) []byte {
	out := make([]byte, 1+idLen+b.aead.NonceSize(), 1+idLen+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	out[0] = version1
	copy(out[1:], b.id[:])
	nonce := out[1+idLen:]
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.aead.Seal(out, nonce, plaintext, ad)
}

// Derive returns a 32-byte key for one purpose, named by label, derived
// from the master key: every server with the same master key derives the
// same key, and keys for different labels are unrelated.
func (b *Box) Derive(label string) []byte {
	m := hmac.New(sha256.New, b.derived[:])
	m.Write([]byte(label))
	return m.Sum(nil)
}

// ErrWrongKey means a value was sealed under a different master key.
var ErrWrongKey = errors.New("sealed with a different secret key")

// Open decrypts what Seal produced with the same additional data.
func (b *Box) Open(sealed, ad []byte) ([]byte, error) {
	head := 1 + idLen + b.aead.NonceSize()
	if len(sealed) < head+b.aead.Overhead() || sealed[0] != version1 {
		return nil, errors.New("not a sealed secret")
	}
	if string(sealed[1:1+idLen]) != string(b.id[:]) {
		return nil, ErrWrongKey
	}
	pt, err := b.aead.Open(nil, sealed[1+idLen:head], sealed[head:], ad)
	if err != nil {
		return nil, errors.New("sealed secret is damaged or belongs elsewhere")
	}
	return pt, nil
}
