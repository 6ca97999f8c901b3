package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// TokenPrefix starts every API token, so secret scanners can recognise leaked ones.
const TokenPrefix = "llt_"

// MaxTokenLifetime is the longest an API token may live. Tokens always expire.
const MaxTokenLifetime = 366 * 24 * time.Hour

// Token is an API token's stored record. The secret itself is never stored,
// only its SHA-256 hash: tokens carry 256 random bits, so a fast hash is
// enough to make a leaked database useless for authentication.
type Token struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"org_id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Scopes     []Scope    `json:"scopes"`
	SecretHash []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Usable reports whether the token may authenticate at time now.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// NewTokenSecret makes the plaintext of a new token with the given record ID,
// and the hash to store. The plaintext is shown to its owner once.
func NewTokenSecret(id string) (plaintext string, hash []byte) {
	return NewPrefixedSecret(TokenPrefix, id)
}

// ParseToken splits a plaintext token into its record ID and secret.
func ParseToken(plaintext string) (id, secret string, err error) {
	id, secret, ok := ParsePrefixedSecret(TokenPrefix, plaintext)
	if !ok {
		return "", "", errs.E(errs.Unauthenticated, "malformed API token").WithCode("bad_token")
	}
	return id, secret, nil
}

// NewPrefixedSecret makes a credential "<prefix><record ID in hex>_<secret>"
// for a record with a UUID, and the hash of its secret to store. The prefix
// tells people and secret scanners what kind of credential it is.
func NewPrefixedSecret(prefix, id string) (plaintext string, hash []byte) {
	secret := randomString(32)
	return prefix + strings.ReplaceAll(id, "-", "") + "_" + secret, HashSecret(secret)
}

// ParsePrefixedSecret splits a credential made by NewPrefixedSecret.
func ParsePrefixedSecret(prefix, plaintext string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(plaintext, prefix)
	if !ok || len(rest) != 32+1+43 || rest[32] != '_' {
		return "", "", false
	}
	raw, err := hex.DecodeString(rest[:32])
	if err != nil {
		return "", "", false
	}
	h := hex.EncodeToString(raw)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], rest[33:], true
}

// HashSecret returns the SHA-256 of a high-entropy secret (token, session or setup secret).
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

// NewSecret returns a random URL-safe secret carrying 256 bits, and its hash.
func NewSecret() (secret string, hash []byte) {
	s := randomString(32)
	return s, HashSecret(s)
}

func randomString(nbytes int) string {
	b := make([]byte, nbytes)
	if _, err := rand.Read(b); err != nil {
		panic("access: no randomness: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// RandomPassword returns a random password of 20 characters for generated
// accounts (such as the demo's). Each one is different.
func RandomPassword() string {
	return randomString(15)
}

// ValidateNewToken checks a token request against the creator's role.
func ValidateNewToken(name string, scopes []Scope, lifetime time.Duration, role Role) error {
	var f errs.Fields
	f.Check(strings.TrimSpace(name) != "", "name", "is required")
	f.Check(len(name) <= 100, "name", "must be at most 100 characters")
	f.Check(len(scopes) > 0, "scopes", "must name at least one of read, write, admin")
	for _, s := range scopes {
		if !s.Valid() {
			f.Add("scopes", "unknown scope %q; use read, write or admin", s)
		} else if !role.AllowsScope(s) {
			f.Add("scopes", "a %s may not create tokens with the %s scope", role, s)
		}
	}
	f.Check(lifetime > 0, "expires_in_days", "must be at least 1 day")
	f.Check(lifetime <= MaxTokenLifetime, "expires_in_days", "must be at most 366 days")
	return f.Err()
}
