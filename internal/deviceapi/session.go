package deviceapi

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"time"
)

// A device that checks in often may open a session: one request signed
// with its Ed25519 key returns a session key, valid for SessionLife, and
// later requests carry an HMAC-SHA256 with that key instead of a signature:
//
//	Authorization: Lifeline-Session id=<device ID>,exp=<unix>,ts=<unix>,mac=<base64url>
//
// The server keeps no session state: it derives the key again from its own
// secret, the device ID, the expiry and the device's enrolled public key, so
// any server of a deployment accepts it, a key reset or re-enrolment ends
// every session of the device, and a verification costs a few microseconds
// instead of an Ed25519 verification (about 45 µs on a small server).
const (
	SessionPath   = "/api/device/v1/session"
	SessionScheme = "Lifeline-Session"
	SessionLife   = 24 * time.Hour
)

// SessionResponse carries a new session key.
type SessionResponse struct {
	Key     string    `json:"key"` // base64url
	Expires time.Time `json:"expires"`
}

// DeriveSessionKey computes a device's session key for an expiry time.
func DeriveSessionKey(serverSecret []byte, deviceID string, expires int64, pub ed25519.PublicKey) []byte {
	fingerprint := sha256.Sum256(pub)
	m := hmac.New(sha256.New, serverSecret)
	m.Write([]byte("lifeline device session v1\x00" + deviceID + "\x00" + strconv.FormatInt(expires, 10) + "\x00"))
	m.Write(fingerprint[:])
	return m.Sum(nil)
}

// SessionAuthorization builds the header value for a request made in a session.
func SessionAuthorization(deviceID string, key []byte, expires int64, method, path string, ts int64, body []byte) string {
	return SessionScheme + " id=" + deviceID + ",exp=" + strconv.FormatInt(expires, 10) + ",ts=" + strconv.FormatInt(ts, 10) +
		",mac=" + base64.RawURLEncoding.EncodeToString(sessionMAC(key, method, path, ts, body))
}

func sessionMAC(key []byte, method, path string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(SigningString(method, path, ts, body))
	return m.Sum(nil)
}

// SessionSigned is a parsed Lifeline-Session header.
type SessionSigned struct {
	DeviceID  string
	Expires   int64
	Timestamp int64
	MAC       []byte
}

// ParseSessionAuthorization reads a Lifeline-Session Authorization header.
func ParseSessionAuthorization(h string) (SessionSigned, error) {
	f, err := parseFields(h, SessionScheme, "id", "exp", "ts", "mac")
	if err != nil {
		return SessionSigned{}, err
	}
	s := SessionSigned{DeviceID: f.id, Expires: f.numbers["exp"], Timestamp: f.numbers["ts"]}
	if s.MAC, err = f.bytes("mac", sha256.Size); err != nil {
		return SessionSigned{}, err
	}
	return s, nil
}

// ErrSessionExpired means the device must open a new session.
var ErrSessionExpired = errors.New("the session has expired; open a new one")

// VerifySession checks a session request with the key the server derived
// for it, the server's time and the device's previous request time. It
// does no I/O.
func VerifySession(s SessionSigned, key []byte, method, path string, body []byte, now time.Time, lastTimestamp int64) error {
	if !hmac.Equal(s.MAC, sessionMAC(key, method, path, s.Timestamp, body)) {
		return ErrBadSignature
	}
	if now.Unix() >= s.Expires || s.Expires > now.Add(SessionLife+MaxSkew).Unix() {
		return ErrSessionExpired
	}
	if d := now.Unix() - s.Timestamp; d > int64(MaxSkew/time.Second) || -d > int64(MaxSkew/time.Second) {
		return ErrClockSkew
	}
	if s.Timestamp <= lastTimestamp {
		return ErrReplay
	}
	return nil
}
