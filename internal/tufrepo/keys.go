package tufrepo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
	"golang.org/x/crypto/argon2"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// KeyPair is an Ed25519 signing key with its TUF public form.
type KeyPair struct {
	ID      string // TUF key ID: SHA-256 of the canonical public key
	Public  *metadata.Key
	Private ed25519.PrivateKey
}

// GenerateKey makes a new Ed25519 key from the randomness in rand.
func GenerateKey(rand io.Reader) (KeyPair, error) {
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return KeyPair{}, fmt.Errorf("generate key: %w", err)
	}
	return KeyPairFromPrivate(priv)
}

// KeyPairFromPrivate derives the public key and its ID from a private key.
func KeyPairFromPrivate(priv ed25519.PrivateKey) (KeyPair, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return KeyPair{}, errs.E(errs.Invalid, "not an Ed25519 private key")
	}
	pub, err := metadata.KeyFromPublicKey(priv.Public())
	if err != nil {
		return KeyPair{}, err
	}
	id, err := pub.ID()
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{ID: id, Public: pub, Private: priv}, nil
}

// Signer returns a signer for go-tuf's Metadata.Sign.
func (k KeyPair) Signer() signature.Signer {
	s, err := signature.LoadED25519Signer(k.Private)
	if err != nil { // only for a malformed key, which KeyPairFromPrivate refuses
		panic(err)
	}
	return s
}

// PEM block types of key files written by `lifeline keys`.
const (
	pemPrivate   = "PRIVATE KEY"
	pemEncrypted = "LIFELINE ENCRYPTED PRIVATE KEY"
)

// argon2id parameters for key files: deliberately slow (about a second on a
// laptop), because a key file is opened rarely and guards a root key.
// They are variables so tests can make them cheap; files record their own.
var (
	kfTime    uint32 = 3
	kfMemory  uint32 = 256 * 1024 // KiB
	kfThreads uint8  = 2
)

const kfSaltLen = 16

// EncodePrivateKey writes a private key as PEM. With a passphrase the PKCS #8
// bytes are sealed with AES-256-GCM under an argon2id-derived key; without one
// the key is stored in the clear, which `lifeline keys` calls insecure.
func EncodePrivateKey(priv ed25519.PrivateKey, passphrase []byte, rand io.Reader) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
	}
	salt := make([]byte, kfSaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return nil, err
	}
	kdf := kdfParams{kfTime, kfMemory, kfThreads}
	aead := kdf.aead(passphrase, salt)
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, err
	}
	sealed := aead.Seal(nonce, nonce, der, []byte(pemEncrypted))
	return pem.EncodeToMemory(&pem.Block{
		Type: pemEncrypted,
		Headers: map[string]string{
			"KDF":  kdf.String(),
			"Salt": base64.StdEncoding.EncodeToString(salt),
		},
		Bytes: sealed,
	}), nil
}

// DecodePrivateKey reads a key file written by EncodePrivateKey.
func DecodePrivateKey(data, passphrase []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errs.E(errs.Invalid, "not a PEM key file")
	}
	der := block.Bytes
	switch block.Type {
	case pemPrivate:
	case pemEncrypted:
		if len(passphrase) == 0 {
			return nil, errs.E(errs.Invalid, "the key file is encrypted: give its passphrase")
		}
		kdf, err := parseKDF(block.Headers["KDF"])
		if err != nil {
			return nil, err
		}
		salt, err := base64.StdEncoding.DecodeString(block.Headers["Salt"])
		if err != nil || len(salt) != kfSaltLen {
			return nil, errs.E(errs.Invalid, "bad salt in key file")
		}
		aead := kdf.aead(passphrase, salt)
		if len(der) < aead.NonceSize() {
			return nil, errs.E(errs.Invalid, "key file too short")
		}
		der, err = aead.Open(nil, der[:aead.NonceSize()], der[aead.NonceSize():], []byte(pemEncrypted))
		if err != nil {
			return nil, errs.E(errs.Invalid, "wrong passphrase or damaged key file")
		}
	default:
		return nil, errs.E(errs.Invalid, "unexpected PEM block %q", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "bad private key")
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errs.E(errs.Invalid, "only Ed25519 keys are supported")
	}
	return priv, nil
}

type kdfParams struct {
	time, memory uint32
	threads      uint8
}

func (k kdfParams) String() string {
	return fmt.Sprintf("argon2id t=%d m=%d p=%d", k.time, k.memory, k.threads)
}

// parseKDF reads a key file's KDF header, within bounds that stop a hostile
// file from demanding unbounded memory or time.
func parseKDF(s string) (kdfParams, error) {
	var k kdfParams
	if n, err := fmt.Sscanf(s, "argon2id t=%d m=%d p=%d", &k.time, &k.memory, &k.threads); err != nil || n != 3 ||
		k.String() != s || k.time < 1 || k.time > 16 || k.memory < 8 || k.memory > 1<<20 || k.threads < 1 {
		return k, errs.E(errs.Invalid, "unknown or unreasonable key derivation %q", s)
	}
	return k, nil
}

func (k kdfParams) aead(passphrase, salt []byte) cipher.AEAD {
	key := argon2.IDKey(passphrase, salt, k.time, k.memory, k.threads, 32)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return aead
}
