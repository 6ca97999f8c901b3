package tufrepo

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"
)

// fuzzRepo is a repository with real keys from fixed seeds, for fuzz
// targets that sign: two of three root keys, one key per online role.
func fuzzRepo(f *testing.F) (*testRepo, []byte) {
	r := &testRepo{online: map[string]KeyPair{}}
	key := func(seed byte) KeyPair {
		k, err := KeyPairFromPrivate(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
		if err != nil {
			f.Fatal(err)
		}
		return k
	}
	for i := range 3 {
		r.root = append(r.root, key(byte(1+i)))
	}
	for i, role := range OnlineRoles {
		r.online[role] = key(byte(10 + i))
	}
	md, err := NewRoot(r.spec(1, t0.AddDate(1, 0, 0)))
	if err != nil {
		f.Fatal(err)
	}
	root, err := md.ToBytes(true)
	if err != nil {
		f.Fatal(err)
	}
	for _, k := range r.root[:2] {
		if root, err = SignRoot(root, k.Signer()); err != nil {
			f.Fatal(err)
		}
	}
	return r, root
}

// FuzzParseCustom reads arbitrary custom fields. Whatever it accepts must
// survive the way to a device unchanged: encoded again by MarshalCustom (as
// SignReleases does), signed into targets metadata by Next, verified by
// go-tuf's client and read back by ParseCustom from the served bytes, it
// gives the same facts. That checks what is signed against what is served:
// canonical JSON, the escaping writeJSONSafe adds, and the client's parse.
func FuzzParseCustom(f *testing.F) {
	for _, seed := range []string{
		string(MarshalCustom(Custom{Product: "acme/plug", Version: "2.1.0", HardwareRevisions: []string{"rev-a"}, SecurityUpdate: true, ReleasedAt: t0, Notes: "fixes\tthings", SupportEnd: "2031-06"})),
		`{"lifeline":{"product":"acme/plug","version":"1.0","released_at":"2026-01-02T03:04:05.123456789+05:30","notes":"\u0000\u2028<&>\"\\"}}`,
		`{"lifeline":{"allow_rollback":true,"hardware_revisions":[]}}`,
		`{"lifeline":null}`, `{"Lifeline":{"PRODUCT":"x"}}`, `{"lifeline":{"released_at":"9999-12-31T23:59:59-23:59"}}`,
		`{"lifeline":{"notes":"` + "\xff\xfe" + `"}}`, `[]`, `null`, `{"lifeline":{"version":1}}`,
	} {
		f.Add([]byte(seed))
	}
	r, root := fuzzRepo(f)
	signers := r.signers()
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseCustom(raw)
		if err != nil {
			return
		}
		signed := MarshalCustom(c)
		again, err := ParseCustom(signed)
		if err != nil || !bytes.Equal(MarshalCustom(again), signed) {
			t.Fatalf("%q parsed as %+v, which encodes as %q and reads back as %+v (%v)", raw, c, signed, again, err)
		}
		tg := target("1.0.0/plug.bin", []byte("img"))
		tg.Custom = signed
		files, err := Next(Current{Root: root}, Change{Add: []Target{tg}}, t0, DefaultPolicy, signers)
		if err != nil {
			t.Fatalf("signing custom %q: %v", signed, err)
		}
		tf := verifyTarget(t, root, applyFiles(Current{Root: root}, files), t0.Add(time.Minute), "1.0.0/plug.bin")
		if tf == nil || tf.Custom == nil {
			t.Fatalf("custom %q: target or its custom field missing after verification", signed)
		}
		served, err := ParseCustom(*tf.Custom)
		if err != nil || !bytes.Equal(MarshalCustom(served), signed) {
			t.Fatalf("signed %q, a client reads %q (%v)", signed, MarshalCustom(served), err)
		}
	})
}
