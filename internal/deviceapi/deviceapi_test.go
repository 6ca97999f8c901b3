package deviceapi

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
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
		if err == nil && (s.DeviceID == "" || s.Timestamp <= 0 || len(s.Signature) != ed25519.SignatureSize) {
			t.Fatalf("accepted incomplete header %q", h)
		}
	})
}
