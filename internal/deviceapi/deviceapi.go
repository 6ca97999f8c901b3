// Package deviceapi is the contract between lifeline-agent and the server's
// device API (/api/device/v1/): the request and response bodies, and how a
// device signs its requests. Both sides import it; it uses only the
// standard library, so the agent stays small, and its verification is a
// pure function the server calls with what it has looked up.
//
// A device proves who it is with an Ed25519 key it generated itself on first
// start. It enrols once with a per-product enrolment token, registering the
// public key; from then on every request carries
//
//	Authorization: Lifeline-Device id=<device ID>,ts=<unix seconds>,sig=<base64url signature>
//
// where the signature covers SigningString(method, path, ts, body). The
// server accepts a request only if the signature verifies with the device's
// registered key, the time is within MaxSkew of its own, and the time is
// later than the device's previous request (so a captured request cannot be
// replayed).
package deviceapi

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paths of the device API.
const (
	EnrolPath   = "/api/device/v1/enrol"
	CheckInPath = "/api/device/v1/checkin"
)

// Scheme is the Authorization scheme of signed device requests.
const Scheme = "Lifeline-Device"

// MaxSkew is how far a device's clock may be from the server's.
const MaxSkew = 5 * time.Minute

// MaxBody bounds a device request body.
const MaxBody = 64 << 10

// EnrolID stands in for the device ID in the signature header of an
// enrolment request: the device has no ID yet, but it signs the request
// with the key it enrols, proving that it holds that key.
const EnrolID = "enrol"

// EnrolRequest registers a device and its public key. The request carries
// an Authorization header signed with the key being enrolled, with the
// device ID EnrolID.
type EnrolRequest struct {
	Token            string `json:"token"`  // enrolment token of the product
	Serial           string `json:"serial"` // serial number or device ID printed on it
	HardwareRevision string `json:"hardware_revision,omitempty"`
	InstalledVersion string `json:"installed_version,omitempty"`
	PublicKey        string `json:"public_key"` // Ed25519, base64 (standard)
}

// EnrolResponse tells the device its ID and where to check in.
type EnrolResponse struct {
	DeviceID string `json:"device_id"`
	// Repository is the product's update repository base URL path.
	Repository string `json:"repository"`
	// PollAfter is how long to wait before the first check-in, in seconds.
	PollAfter int `json:"poll_after_seconds"`
}

// Update states a device reports.
const (
	StateIdle        = "idle"
	StateDownloading = "downloading"
	StateInstalling  = "installing"
	StateRestarting  = "restarting" // installed, waiting for a restart
	StateTrial       = "trial"
	StateFailed      = "failed" // the last offered update failed and was rolled back
)

// CheckInRequest is what a device reports at each check-in.
type CheckInRequest struct {
	InstalledVersion string `json:"installed_version"`
	State            string `json:"state"`
	// Target is the release the state refers to (the one offered), if any.
	Target string `json:"target,omitempty"`
	// Error describes a failure, for StateFailed.
	Error string `json:"error,omitempty"`
	// Health is free-form device health, e.g. "ok" or "battery low".
	Health string `json:"health,omitempty"`
	// AutoUpdate is false when the owner has disabled automatic updates.
	AutoUpdate bool `json:"auto_update"`
}

// Offer is an update the device should install.
type Offer struct {
	Target         string `json:"target"` // TUF target path, e.g. "2.1.0/plug.bin"
	Version        string `json:"version"`
	SecurityUpdate bool   `json:"security_update"`
	RolloutID      string `json:"rollout_id"`
	// NotBefore, when set, is the start of the next maintenance window:
	// install only from then on.
	NotBefore *time.Time `json:"not_before,omitempty"`
}

// CheckInResponse says what to install, if anything, and when to come back.
type CheckInResponse struct {
	Offer      *Offer    `json:"offer,omitempty"`
	PollAfter  int       `json:"poll_after_seconds"`
	ServerTime time.Time `json:"server_time"`
}

// SigningString is what a device signs: method, path, time and the
// SHA-256 of the body, one per line.
func SigningString(method, path string, ts int64, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(method + "\n" + path + "\n" + strconv.FormatInt(ts, 10) + "\n" + hex.EncodeToString(sum[:]))
}

// Authorization builds the header value for a request signed with key.
func Authorization(deviceID string, key ed25519.PrivateKey, method, path string, ts int64, body []byte) string {
	sig := ed25519.Sign(key, SigningString(method, path, ts, body))
	return Scheme + " id=" + deviceID + ",ts=" + strconv.FormatInt(ts, 10) + ",sig=" + base64.RawURLEncoding.EncodeToString(sig)
}

// Signed is a parsed Authorization header.
type Signed struct {
	DeviceID  string
	Timestamp int64
	Signature []byte
}

// ErrUnsigned means the request carries no device signature.
var ErrUnsigned = errors.New("no device signature")

// ParseAuthorization reads a Lifeline-Device Authorization header.
func ParseAuthorization(h string) (Signed, error) {
	f, err := parseFields(h, Scheme, "id", "ts", "sig")
	if err != nil {
		return Signed{}, err
	}
	s := Signed{DeviceID: f.id, Timestamp: f.numbers["ts"]}
	if s.Signature, err = f.bytes("sig", ed25519.SignatureSize); err != nil {
		return Signed{}, err
	}
	return s, nil
}

// headerFields are the parsed fields of a device Authorization header.
type headerFields struct {
	id      string
	numbers map[string]int64
	raw     map[string]string
}

// parseFields reads "<scheme> k=v,k=v,…" with exactly the fields named:
// id a device ID, ts and exp positive integers, anything else raw.
func parseFields(h, scheme string, names ...string) (headerFields, error) {
	rest, ok := strings.CutPrefix(h, scheme+" ")
	if !ok {
		return headerFields{}, ErrUnsigned
	}
	f := headerFields{numbers: map[string]int64{}, raw: map[string]string{}}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return f, fmt.Errorf("malformed %s header", scheme)
		}
		seen[k] = true
		switch {
		case !slices.Contains(names, k):
			return f, fmt.Errorf("unknown field %q in %s header", k, scheme)
		case k == "id":
			if !validDeviceID(v) {
				return f, errors.New("bad device ID")
			}
			f.id = v
		case k == "ts" || k == "exp":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, fmt.Errorf("bad %s", k)
			}
			f.numbers[k] = n
		default:
			f.raw[k] = v
		}
	}
	if len(seen) != len(names) {
		return f, fmt.Errorf("the %s header needs %s", scheme, strings.Join(names, ", "))
	}
	return f, nil
}

// bytes decodes a base64url field of exactly n bytes.
func (f headerFields) bytes(name string, n int) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(f.raw[name])
	if err != nil || len(b) != n {
		return nil, fmt.Errorf("bad %s encoding", name)
	}
	return b, nil
}

// validDeviceID accepts 1 to 64 visible ASCII characters. Device IDs are
// UUIDs; anything else (a NUL, a byte that is not UTF-8) could never name a
// device, and PostgreSQL refuses such text outright rather than finding
// nothing, which would turn a bad header into a server error.
func validDeviceID(v string) bool {
	if v == "" || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

// Errors Verify returns.
var (
	ErrBadSignature = errors.New("the signature does not verify with the device's key")
	ErrClockSkew    = errors.New("the request time is too far from the server's clock")
	ErrReplay       = errors.New("the request is not newer than the device's previous one (replay)")
)

// Verify checks a signed request against the device's registered public
// key, the server's time and the time of the device's previous accepted
// request (zero if none). It does no I/O.
func Verify(s Signed, pub ed25519.PublicKey, method, path string, body []byte, now time.Time, lastTimestamp int64) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, SigningString(method, path, s.Timestamp, body), s.Signature) {
		return ErrBadSignature
	}
	if d := now.Unix() - s.Timestamp; d > int64(MaxSkew/time.Second) || -d > int64(MaxSkew/time.Second) {
		return ErrClockSkew
	}
	if s.Timestamp <= lastTimestamp {
		return ErrReplay
	}
	return nil
}

// VerifyEnrolment checks that an enrolment request is signed, recently, by
// the key it enrols. It does no I/O.
func VerifyEnrolment(authorization string, pub ed25519.PublicKey, method, path string, body []byte, now time.Time) error {
	s, err := ParseAuthorization(authorization)
	if err != nil {
		return err
	}
	if s.DeviceID != EnrolID {
		return errors.New("an enrolment request is signed with id=" + EnrolID)
	}
	return Verify(s, pub, method, path, body, now, 0)
}

// ParsePublicKey reads a base64 Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("public_key must be a base64 Ed25519 public key (32 bytes)")
	}
	return ed25519.PublicKey(b), nil
}

// SignedEnrolment encodes an enrolment request and signs it with the key
// it enrols, at time ts: the body and Authorization header to send.
func SignedEnrolment(req EnrolRequest, key ed25519.PrivateKey, ts int64) (body []byte, authorization string) {
	req.PublicKey = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	body, _ = json.Marshal(req)
	return body, Authorization(EnrolID, key, "POST", EnrolPath, ts, body)
}
