package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestEnrolPersistsAndIsReused: the key and identity are saved with tight
// permissions, a second Enrol reuses them without the server or token, and
// a fresh Store loads the same key.
func TestEnrolPersistsAndIsReused(t *testing.T) {
	api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
	dir := filepath.Join(t.TempDir(), "state")
	s := Store{Dir: dir}
	if _, err := s.Load(); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("Load before enrolment: %v", err)
	}
	id, err := s.Enrol(ctx(t), nil, api.URL+"/", api.Token, "SN-1", "rev-a", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if id.DeviceID != "dev-1" || id.Repository != api.URL+"/tuf/acme/smart-plug/" || id.Server != api.URL || id.PollAfter != time.Second {
		t.Fatalf("identity: %+v", id)
	}
	for _, f := range []string{KeyFile, IdentityFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, err, fi.Mode())
		}
	}
	pem, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if !strings.HasPrefix(string(pem), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("key file is not PKCS#8 PEM: %.40s", pem)
	}

	// Enrolling again, even with a wrong token and a dead server, reuses it.
	again, err := Store{Dir: dir}.Enrol(ctx(t), nil, "http://127.0.0.1:1", "", "SN-1", "rev-a", "1.0.0")
	if err != nil || again.DeviceID != id.DeviceID || !again.PublicKey().Equal(id.PublicKey()) || again.PollAfter != 0 {
		t.Fatalf("second Enrol: %+v, %v", again, err)
	}
	if n := len(api.Devices()); n != 1 {
		t.Fatalf("%d devices enrolled, want 1", n)
	}
	// The reloaded identity signs requests the server accepts.
	var resp deviceapi.CheckInResponse
	if err := again.Do(ctx(t), nil, http.MethodPost, again.URL(deviceapi.CheckInPath), deviceapi.CheckInRequest{InstalledVersion: "1.0.0", State: deviceapi.StateIdle}, &resp); err != nil {
		t.Fatal(err)
	}
}

func TestEnrolErrors(t *testing.T) {
	api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
	tests := []struct {
		name, server, token, serial string
		want                        string
	}{
		{"wrong token", api.URL, "nope", "SN-1", "401 Unauthorized: unauthorized: unknown enrolment token"},
		{"no token", api.URL, " ", "SN-1", "an enrolment token is required"},
		{"bad server URL", "ftp://x", api.Token, "SN-1", "not an http(s) URL"},
		{"no serial", api.URL, api.Token, "", "400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Store{Dir: dir}.Enrol(ctx(t), nil, tt.server, tt.token, tt.serial, "rev-a", "1.0.0")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, IdentityFile)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("identity saved after a failed enrolment: %v", err)
			}
		})
	}
	// The same serial with another key is refused (the server's answer).
	if _, err := (Store{Dir: t.TempDir()}).Enrol(ctx(t), nil, api.URL, api.Token, "SN-2", "", ""); err != nil {
		t.Fatal(err)
	}
	_, err := Store{Dir: t.TempDir()}.Enrol(ctx(t), nil, api.URL, api.Token, "SN-2", "", "")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusConflict || e.Code != "conflict" || e.Temporary() {
		t.Fatalf("second key for a serial: %v", err)
	}
}

// TestSignedRequests: requests in the same second all verify (the
// timestamp is strictly increasing), a replayed request is refused, and a
// request signed by another key is refused.
func TestSignedRequests(t *testing.T) {
	api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
	id, err := Store{Dir: t.TempDir()}.Enrol(ctx(t), nil, api.URL, api.Token, "SN-1", "rev-a", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Now()
	id.Now = func() time.Time { return fixed } // every request in the same second
	for i := range 5 {
		if err := id.Do(ctx(t), nil, http.MethodPost, id.URL(deviceapi.CheckInPath), deviceapi.CheckInRequest{InstalledVersion: "1.0.0", State: deviceapi.StateIdle}, nil); err != nil {
			t.Fatalf("request %d in the same second: %v", i, err)
		}
	}
	if got := api.CheckIns(); got != 5 {
		t.Fatalf("%d check-ins accepted, want 5", got)
	}
	status, err := api.Replay()
	if err != nil || status != http.StatusUnauthorized {
		t.Fatalf("replay: %d %v", status, err)
	}
	if r := api.Refused(); len(r) != 1 || !errors.Is(r[0], deviceapi.ErrReplay) {
		t.Fatalf("refusals: %v", r)
	}

	// Another device's key under this device's ID does not verify.
	other, err := Store{Dir: t.TempDir()}.Enrol(ctx(t), nil, api.URL, api.Token, "SN-2", "rev-a", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	other.DeviceID = id.DeviceID
	err = other.Do(ctx(t), nil, http.MethodPost, other.URL(deviceapi.CheckInPath), deviceapi.CheckInRequest{State: deviceapi.StateIdle}, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || !strings.Contains(e.Message, "signature") {
		t.Fatalf("forged request: %v", err)
	}
}

// TestResponseLimits: oversized answers and server errors are clear errors.
func TestResponseLimits(t *testing.T) {
	id := &Identity{DeviceID: "d"}
	id.key = make([]byte, 64)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(`"` + strings.Repeat("x", MaxResponse) + `"`))
		case "/plain":
			http.Error(w, "bad gateway from proxy", http.StatusBadGateway)
		}
	})
	var s string
	if err := id.Do(ctx(t), nil, http.MethodGet, srv+"/big", nil, &s); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("big answer: %v", err)
	}
	err := id.Do(ctx(t), nil, http.MethodGet, srv+"/plain", nil, nil)
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() || !strings.Contains(err.Error(), "502 Bad Gateway: bad gateway from proxy") {
		t.Fatalf("proxy error: %v", err)
	}
}

func newServer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
