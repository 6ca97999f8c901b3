package secretbox

import (
	"bytes"
	"errors"
	"testing"
)

func mustBox(t testing.TB) *Box {
	k, err := ParseKey(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := mustBox(t)
	secret := []byte("ed25519 private key bytes")
	sealed := b.Seal(secret, []byte("product-1/timestamp"))
	if bytes.Contains(sealed, secret) {
		t.Fatal("plaintext visible in sealed value")
	}
	got, err := b.Open(sealed, []byte("product-1/timestamp"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("product-2/timestamp")); err == nil {
		t.Error("opened with other additional data")
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := b.Open(tampered, []byte("product-1/timestamp")); err == nil {
		t.Error("opened a tampered value")
	}
	if _, err := mustBox(t).Open(sealed, []byte("product-1/timestamp")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("other key: %v", err)
	}
	if _, err := b.Open([]byte{1, 2}, nil); err == nil {
		t.Error("opened garbage")
	}
}

func TestParseKey(t *testing.T) {
	good := []string{GenerateKey(), "  " + GenerateKey() + "\n", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}
	for _, s := range good {
		if _, err := ParseKey(s); err != nil {
			t.Errorf("ParseKey(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "short", "AAAA", "zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func FuzzOpen(f *testing.F) {
	b := mustBox(f)
	f.Add(b.Seal([]byte("x"), nil), []byte(nil))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		_, _ = b.Open(sealed, ad)
	})
}

func TestDerive(t *testing.T) {
	k, _ := ParseKey(GenerateKey())
	a, _ := New(k)
	b, _ := New(k)
	if !bytes.Equal(a.Derive("x"), b.Derive("x")) || bytes.Equal(a.Derive("x"), a.Derive("y")) || bytes.Equal(a.Derive("x"), mustBox(t).Derive("x")) {
		t.Fatal("Derive is not a per-label, per-key function")
	}
}
