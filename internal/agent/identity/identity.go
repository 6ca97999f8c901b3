// Package identity is the device's identity towards the server's device API:
// an Ed25519 key the device generates itself on first start, the device ID
// the server gives it at enrolment, and a client that signs every request
// with that key (see package deviceapi for the contract).
//
// A real device keeps both in its state directory (Store); simulated
// devices keep them in memory (Register).
package identity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
)

// Files in the state directory.
const (
	KeyFile      = "device.key"    // PKCS#8 PEM, 0600
	IdentityFile = "identity.json" // the enrolment result
)

// MaxResponse bounds a device API response body.
const MaxResponse = 1 << 20

// ErrNotEnrolled means the device has not enrolled yet.
var ErrNotEnrolled = errors.New("the device has not enrolled with the server yet")

// Identity is an enrolled device. Its methods are safe for concurrent use.
type Identity struct {
	DeviceID string `json:"device_id"`
	// Server is the server base URL the device enrolled with.
	Server string `json:"server"`
	// Repository is the product's update repository as an absolute URL
	// ending in "/", resolved against Server.
	Repository string    `json:"repository"`
	EnrolledAt time.Time `json:"enrolled_at"`
	// PollAfter is how long the server asked the device to wait before its
	// first check-in; zero when the identity was loaded from disk.
	PollAfter time.Duration `json:"-"`
	// Now is the clock for request timestamps (default time.Now).
	Now func() time.Time `json:"-"`

	key  ed25519.PrivateKey
	mu   sync.Mutex
	last int64 // timestamp of the previous signed request
}

// Store keeps a device's key and enrolment in a directory, normally the
// agent's state directory.
type Store struct {
	Dir string
}

// Key returns the device's private key, generating and saving it on first
// use.
func (s Store) Key() (ed25519.PrivateKey, error) {
	path := filepath.Join(s.Dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.Dir, 0o700); err != nil {
			return nil, err
		}
		if err := state.WriteFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, fmt.Errorf("saving the device key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is not an Ed25519 key", path)
	}
	return key, nil
}

// Load returns the saved identity, or ErrNotEnrolled.
func (s Store) Load() (*Identity, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, IdentityFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	id := &Identity{}
	if err := json.Unmarshal(b, id); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", filepath.Join(s.Dir, IdentityFile), err)
	}
	if id.DeviceID == "" || id.Server == "" {
		return nil, fmt.Errorf("%s is damaged: no device ID or server", filepath.Join(s.Dir, IdentityFile))
	}
	if id.key, err = s.Key(); err != nil {
		return nil, err
	}
	return id, nil
}

// Enrol registers the device with the server using the product's
// enrolment token and saves the result. It is idempotent: once the device
// has enrolled it returns the saved identity without contacting the server
// (the token is then no longer needed).
func (s Store) Enrol(ctx context.Context, client *http.Client, serverURL, token, serial, hw, version string) (*Identity, error) {
	if id, err := s.Load(); !errors.Is(err, ErrNotEnrolled) {
		return id, err
	}
	key, err := s.Key()
	if err != nil {
		return nil, err
	}
	id, err := Register(ctx, client, key, serverURL, token, serial, hw, version)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := state.WriteFileAtomic(filepath.Join(s.Dir, IdentityFile), b, 0o600); err != nil {
		return nil, fmt.Errorf("saving the device identity: %w", err)
	}
	return id, nil
}

// Register enrols a device with key and returns its identity without
// saving anything: Store.Enrol for real devices, directly for simulated
// ones.
func Register(ctx context.Context, client *http.Client, key ed25519.PrivateKey, serverURL, token, serial, hw, version string) (*Identity, error) {
	base, err := url.Parse(serverURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("the server URL %q is not an http(s) URL", serverURL)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("an enrolment token is required")
	}
	req := deviceapi.EnrolRequest{
		Token: token, Serial: serial, HardwareRevision: hw, InstalledVersion: version,
		PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
	}
	var resp deviceapi.EnrolResponse
	// Signed with the key being enrolled, to prove the device holds it.
	signer := &Identity{DeviceID: deviceapi.EnrolID, key: key}
	if err := do(ctx, client, http.MethodPost, join(serverURL, deviceapi.EnrolPath), req, &resp, signer); err != nil {
		return nil, fmt.Errorf("enrolling: %w", err)
	}
	if resp.DeviceID == "" {
		return nil, errors.New("enrolling: the server returned no device ID")
	}
	repo := ""
	if resp.Repository != "" {
		ref, err := url.Parse(resp.Repository)
		if err != nil {
			return nil, fmt.Errorf("enrolling: bad repository %q: %w", resp.Repository, err)
		}
		repo = base.ResolveReference(ref).String()
		if !strings.HasSuffix(repo, "/") {
			repo += "/"
		}
	}
	return &Identity{
		DeviceID: resp.DeviceID, Server: strings.TrimSuffix(serverURL, "/"), Repository: repo,
		EnrolledAt: time.Now().UTC(), PollAfter: time.Duration(resp.PollAfter) * time.Second, key: key,
	}, nil
}

// PublicKey is the device's public key.
func (id *Identity) PublicKey() ed25519.PublicKey { return id.key.Public().(ed25519.PublicKey) }

// timestamp returns the time for the next signed request: now, but always
// later than the previous request's, so that two requests in the same
// second both pass the server's replay check.
func (id *Identity) timestamp() int64 {
	now := time.Now
	if id.Now != nil {
		now = id.Now
	}
	id.mu.Lock()
	defer id.mu.Unlock()
	id.last = max(now().Unix(), id.last+1)
	return id.last
}

// Do sends a request signed with the device's key to url (the server base
// URL and a deviceapi path), with body as JSON (nil for none), and decodes
// the JSON response into out (nil to discard it). A 4xx or 5xx response is
// an *Error.
func (id *Identity) Do(ctx context.Context, client *http.Client, method, url string, body, out any) error {
	return do(ctx, client, method, url, body, out, id)
}

// Error is an error response from the server.
type Error struct {
	Status  int
	Code    string // the server's error code, if it sent one
	Message string
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	return fmt.Sprintf("server answered %d %s: %s", e.Status, http.StatusText(e.Status), msg)
}

// Temporary says whether trying again later may help: server errors, rate
// limits and timeouts.
func (e *Error) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

func do(ctx context.Context, client *http.Client, method, rawURL string, body, out any, id *Identity) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	var b []byte
	if body != nil {
		if b, err = json.Marshal(body); err != nil {
			return err
		}
		if len(b) > deviceapi.MaxBody {
			return fmt.Errorf("request body of %d bytes is larger than the device API accepts", len(b))
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if id != nil {
		req.Header.Set("Authorization", deviceapi.Authorization(id.DeviceID, id.key, method, u.Path, id.timestamp(), b))
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return fmt.Errorf("reading the server's answer: %w", err)
	}
	if len(rb) > MaxResponse {
		return fmt.Errorf("the server's answer is larger than %d bytes", MaxResponse)
	}
	if resp.StatusCode >= 400 {
		e := &Error{Status: resp.StatusCode}
		var eb struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(rb, &eb) == nil && eb.Error.Message != "" {
			e.Code, e.Message = eb.Error.Code, eb.Error.Message
		} else {
			e.Message = strings.TrimSpace(string(rb[:min(len(rb), 200)]))
		}
		return e
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("unexpected answer %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rb, out); err != nil {
		return fmt.Errorf("the server's answer is not the expected JSON: %w", err)
	}
	return nil
}

// join appends an absolute path to a base URL.
func join(base, path string) string { return strings.TrimSuffix(base, "/") + path }

// URL returns the address of a device API path on the server the device
// enrolled with.
func (id *Identity) URL(path string) string { return join(id.Server, path) }
