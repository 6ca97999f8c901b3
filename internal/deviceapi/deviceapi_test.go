package deviceapi

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignAndVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"installed_version":"1.0.0","state":"idle"}`)
	h := Authorization("dev-1", priv, "POST", CheckInPath, now.Unix(), body)
	s, err := ParseAuthorization(h)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pub    ed25519.PublicKey
		method string
		path   string
		body   []byte
		now    time.Time
		last   int64
		want   error
	}{
		{"valid", pub, "POST", CheckInPath, body, now, 0, nil},
		{"valid after an earlier request", pub, "POST", CheckInPath, body, now, now.Unix() - 60, nil},
		{"other key", otherPub, "POST", CheckInPath, body, now, 0, ErrBadSignature},
		{"changed body", pub, "POST", CheckInPath, []byte(`{"installed_version":"9.9.9"}`), now, 0, ErrBadSignature},
		{"other path", pub, "POST", EnrolPath, body, now, 0, ErrBadSignature},
		{"other method", pub, "PUT", CheckInPath, body, now, 0, ErrBadSignature},
		{"replayed", pub, "POST", CheckInPath, body, now, now.Unix(), ErrReplay},
		{"old", pub, "POST", CheckInPath, body, now.Add(6 * time.Minute), 0, ErrClockSkew},
		{"from the future", pub, "POST", CheckInPath, body, now.Add(-6 * time.Minute), 0, ErrClockSkew},
		{"no key", nil, "POST", CheckInPath, body, now, 0, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(s, tt.pub, tt.method, tt.path, tt.body, tt.now, tt.last); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "Lifeline-Device id=d1,ts=17,sig=" + string(make([]byte, 0)) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := ParseAuthorization(good); err != nil {
		t.Fatalf("good header: %v", err)
	}
	for _, h := range []string{
		"", "Bearer x", "Lifeline-Device ", "Lifeline-Device id=d1,ts=17",
		"Lifeline-Device id=d1,ts=-1,sig=AAAA", "Lifeline-Device id=d1,id=d2,ts=1,sig=AAAA",
		"Lifeline-Device id=d1,ts=1,sig=!!!", "Lifeline-Device id=d1,ts=1,sig=AAAA,x=1",
		// Device IDs are visible ASCII: PostgreSQL refuses to even look up
		// a NUL or a byte that is not UTF-8 (a server error, not "no such device").
		strings.Replace(good, "id=d1", "id=\xff", 1), strings.Replace(good, "id=d1", "id=d\x001", 1),
		strings.Replace(good, "id=d1", "id=d\x7f", 1), strings.Replace(good, "id=d1", "id=d\u00e91", 1),
	} {
		if _, err := ParseAuthorization(h); err == nil {
			t.Errorf("accepted %q", h)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("Lifeline-Device id=d1,ts=17,sig=AAAA")
	f.Fuzz(func(t *testing.T, h string) {
		s, err := ParseAuthorization(h)
		if err == nil && (!validDeviceID(s.DeviceID) || s.Timestamp <= 0 || len(s.Signature) != ed25519.SignatureSize) {
			t.Fatalf("accepted incomplete header %q", h)
		}
	})
}

func TestSessions(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	secret := []byte("server secret")
	now := time.Unix(1_800_000_000, 0)
	exp := now.Add(SessionLife).Unix()
	key := DeriveSessionKey(secret, "dev-1", exp, pub)
	body := []byte(`{"state":"idle"}`)
	s, err := ParseSessionAuthorization(SessionAuthorization("dev-1", key, exp, "POST", CheckInPath, now.Unix(), body))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  []byte
		body []byte
		now  time.Time
		last int64
		want error
	}{
		{"valid", key, body, now, 0, nil},
		{"key of another device", DeriveSessionKey(secret, "dev-2", exp, pub), body, now, 0, ErrBadSignature},
		{"key after re-enrolment", DeriveSessionKey(secret, "dev-1", exp, otherPub), body, now, 0, ErrBadSignature},
		{"other server secret", DeriveSessionKey([]byte("x"), "dev-1", exp, pub), body, now, 0, ErrBadSignature},
		{"changed body", key, []byte(`{}`), now, 0, ErrBadSignature},
		{"expired", key, body, time.Unix(exp, 0), 0, ErrSessionExpired},
		{"replayed", key, body, now, now.Unix(), ErrReplay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifySession(s, tt.key, "POST", CheckInPath, tt.body, tt.now, tt.last); !errors.Is(err, tt.want) {
				t.Fatalf("VerifySession = %v, want %v", err, tt.want)
			}
		})
	}
	// An expiry beyond a session's life is refused even with a valid MAC.
	far := now.Add(30 * 24 * time.Hour).Unix()
	k2 := DeriveSessionKey(secret, "dev-1", far, pub)
	s2, _ := ParseSessionAuthorization(SessionAuthorization("dev-1", k2, far, "POST", CheckInPath, now.Unix(), body))
	if err := VerifySession(s2, k2, "POST", CheckInPath, body, now, 0); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("overlong session: %v", err)
	}
}

func TestParseSessionAuthorizationDeviceID(t *testing.T) {
	mac := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := ParseSessionAuthorization("Lifeline-Session id=d1,exp=2,ts=1,mac=" + mac); err != nil {
		t.Fatalf("good header: %v", err)
	}
	for _, id := range []string{"", "\xff", "d\x001", "d 1", strings.Repeat("a", 65)} {
		if _, err := ParseSessionAuthorization("Lifeline-Session id=" + id + ",exp=2,ts=1,mac=" + mac); err == nil {
			t.Errorf("accepted device ID %q", id)
		}
	}
}

func FuzzParseSessionAuthorization(f *testing.F) {
	f.Add("Lifeline-Session id=d1,exp=2,ts=1,mac=AAAA")
	f.Fuzz(func(t *testing.T, h string) {
		s, err := ParseSessionAuthorization(h)
		if err == nil && (!validDeviceID(s.DeviceID) || s.Expires <= 0 || s.Timestamp <= 0 || len(s.MAC) != sha256Size) {
			t.Fatalf("accepted incomplete header %q", h)
		}
	})
}

const sha256Size = 32

func TestVerifyEnrolment(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"serial":"SN-1"}`)
	good := Authorization(EnrolID, priv, "POST", EnrolPath, now.Unix(), body)
	if err := VerifyEnrolment(good, pub, "POST", EnrolPath, body, now); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		auth string
		pub  ed25519.PublicKey
	}{
		"someone else's public key": {good, otherPub},
		"signed by another key":     {Authorization(EnrolID, otherPriv, "POST", EnrolPath, now.Unix(), body), pub},
		"a device ID instead":       {Authorization("dev-1", priv, "POST", EnrolPath, now.Unix(), body), pub},
		"unsigned":                  {"", pub},
		"stale":                     {Authorization(EnrolID, priv, "POST", EnrolPath, now.Unix()-3600, body), pub},
	} {
		if err := VerifyEnrolment(c.auth, c.pub, "POST", EnrolPath, body, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
