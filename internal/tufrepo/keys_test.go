package tufrepo

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"strings"
	"testing"
)

func cheapKDF(t *testing.T) {
	t.Helper()
	tm, mem, th := kfTime, kfMemory, kfThreads
	kfTime, kfMemory, kfThreads = 1, 64, 1
	t.Cleanup(func() { kfTime, kfMemory, kfThreads = tm, mem, th })
}

func TestKeyFileRoundTrip(t *testing.T) {
	cheapKDF(t)
	k := mustKey(t)
	for _, pass := range []string{"", "correct horse battery staple"} {
		b, err := EncodePrivateKey(k.Private, []byte(pass), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if pass != "" && bytes.Contains(b, []byte("BEGIN PRIVATE KEY")) {
			t.Fatal("passphrase-protected file is in the clear")
		}
		got, err := DecodePrivateKey(b, []byte(pass))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(k.Private) {
			t.Fatal("different key after round trip")
		}
	}
}

func TestKeyFileRefusals(t *testing.T) {
	cheapKDF(t)
	k := mustKey(t)
	enc, _ := EncodePrivateKey(k.Private, []byte("secret"), rand.Reader)
	tampered := bytes.Replace(enc, []byte("m=64"), []byte("m=9999999"), 1)
	tests := []struct {
		name string
		file []byte
		pass string
		want string
	}{
		{"wrong passphrase", enc, "guess", "wrong passphrase"},
		{"no passphrase", enc, "", "give its passphrase"},
		{"not PEM", []byte("hello"), "", "not a PEM"},
		{"unreasonable KDF", tampered, "secret", "unreasonable"},
		{"RSA block", []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), "", "unexpected PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePrivateKey(tt.file, []byte(tt.pass))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzDecodePrivateKey(f *testing.F) {
	kfTime, kfMemory, kfThreads = 1, 64, 1
	k, _ := KeyPairFromPrivate(make([]byte, 64))
	enc, _ := EncodePrivateKey(k.Private, []byte("pw"), rand.Reader)
	clear, _ := EncodePrivateKey(k.Private, nil, rand.Reader)
	f.Add(enc, []byte("pw"))
	f.Add(clear, []byte(nil))
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		// A file may ask for up to 16 passes over 1 GiB, a second or more
		// per try: fine for a key file opened once, far too slow for
		// fuzzing. Keep to cheap parameters; parseKDF's bounds are tested
		// in TestKeyFileRefusals.
		if block, _ := pem.Decode(data); block != nil {
			if k, err := parseKDF(block.Headers["KDF"]); err == nil && (k.time > 2 || k.memory > 1024 || k.threads > 4) {
				return
			}
		}
		_, _ = DecodePrivateKey(data, pass)
	})
}
