package tufrepo

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
)

func TestVerifyRoot(t *testing.T) {
	r := newTestRepo(t)
	exp := t0.AddDate(1, 0, 0)
	v1 := signedRoot(t, r.spec(1, exp), r.root[0], r.root[1])

	// Rotate: replace root key 2 with a new key; old threshold and new threshold sign.
	newKey := mustKey(t)
	r2 := &testRepo{root: []KeyPair{r.root[0], r.root[1], newKey}, online: r.online}
	v2 := signedRoot(t, r2.spec(2, exp), r.root[0], r.root[1], newKey)
	v2OnlyNew := signedRoot(t, r2.spec(2, exp), r.root[1], newKey)  // old threshold not met (only root[1] is old... and root[1] counts)
	v2OnlyOld := signedRoot(t, r2.spec(2, exp), r.root[2])          // new threshold not met
	v2NewOnly := signedRoot(t, r2.spec(2, exp), newKey, mustKey(t)) // unknown signer
	r3 := &testRepo{root: []KeyPair{newKey, mustKey(t), mustKey(t)}, online: r.online}
	v2Takeover := signedRoot(t, r3.spec(2, exp), r3.root[0], r3.root[1]) // new keys only: the old root never agreed

	noCS, _ := NewRoot(r.spec(1, exp))
	noCS.Signed.ConsistentSnapshot = false
	noCS.Sign(r.root[0].Signer())
	noCS.Sign(r.root[1].Signer())
	noCSBytes, _ := noCS.ToBytes(false)

	tests := []struct {
		name      string
		trusted   []byte
		candidate []byte
		now       time.Time
		wantErr   string
	}{
		{"first root", nil, v1, t0, ""},
		{"first root with one signature of two", nil, signedRoot(t, r.spec(1, exp), r.root[0]), t0, "threshold"},
		{"first root not version 1", nil, signedRoot(t, r.spec(2, exp), r.root[0], r.root[1]), t0, "version 1"},
		{"expired", nil, v1, exp.Add(time.Second), "expired"},
		{"no consistent snapshots", nil, noCSBytes, t0, "consistent"},
		{"not JSON", nil, []byte("{"), t0, "not TUF root"},
		{"targets metadata", nil, []byte(`{"signed":{"_type":"targets"},"signatures":[]}`), t0, "not TUF root"},
		{"too large", nil, bytes.Repeat([]byte(" "), MaxRootSize+1), t0, "larger"},
		{"rotation signed by old and new", v1, v2, t0, ""},
		{"rotation keeps root[1] so it still meets the old threshold", v1, v2OnlyNew, t0, "threshold of the current"},
		{"rotation without new threshold", v1, v2OnlyOld, t0, "threshold"},
		{"rotation by strangers", v1, v2NewOnly, t0, "threshold of the current"},
		{"takeover with new keys only", v1, v2Takeover, t0, "threshold of the current"},
		{"skipping a version", v1, signedRoot(t, r.spec(3, exp), r.root[0], r.root[1]), t0, "version 2"},
		{"replaying the same version", v1, v1, t0, "version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyRoot(tt.trusted, tt.candidate, tt.now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyRootRefusesMislabelledKeys(t *testing.T) {
	r := newTestRepo(t)
	md, err := NewRoot(r.spec(1, t0.AddDate(1, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	// List another key under the timestamp key's ID.
	ts := r.online[Timestamp]
	md.Signed.Keys[ts.ID] = mustKey(t).Public
	for _, k := range r.root[:2] {
		if _, err := md.Sign(k.Signer()); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := md.ToBytes(false)
	if _, err := VerifyRoot(nil, b, t0); err == nil || !strings.Contains(err.Error(), "does not match its key ID") {
		t.Fatalf("err = %v", err)
	}
}

func TestSignRootTwiceWithOneKeyRefused(t *testing.T) {
	r := newTestRepo(t)
	b := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0])
	if _, err := SignRoot(b, r.root[0].Signer()); err == nil {
		t.Fatal("second signature by the same key accepted")
	}
}

func TestNextRootKeepsRolesAndBumpsVersion(t *testing.T) {
	r := newTestRepo(t)
	v1 := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	next, err := NextRoot(v1, t0.AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if next.Signed.Version != 2 || len(next.Signatures) != 0 || len(next.Signed.Roles[Root].KeyIDs) != 3 {
		t.Fatalf("next root %+v", next.Signed)
	}
}

func TestCheckOnlineKeys(t *testing.T) {
	r := newTestRepo(t)
	v1 := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	root, err := VerifyRoot(nil, v1, t0)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string][]string{}
	for role, k := range r.online {
		held[role] = []string{k.ID}
	}
	if err := CheckOnlineKeys(root, held); err != nil {
		t.Fatal(err)
	}
	held[Timestamp] = []string{mustKey(t).ID}
	if err := CheckOnlineKeys(root, held); err == nil || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("err = %v", err)
	}
}

// TestVerifyRootRefusesRepeatedAndTooManyKeys: go-tuf verifies a role by
// encoding the whole root once per key ID the role lists, so a root naming
// one key thousands of times took minutes to refuse (found by
// FuzzVerifyRoot; testdata/fuzz holds a small instance). A role's key IDs
// must be distinct — python-tuf refuses repeated ones too — and few. Both
// roots here are properly signed: only the new rules refuse them.
func TestVerifyRootRefusesRepeatedAndTooManyKeys(t *testing.T) {
	r := newTestRepo(t)
	exp := t0.AddDate(1, 0, 0)
	sign := func(md *metadata.Metadata[metadata.RootType]) []byte {
		for _, k := range r.root[:2] {
			if _, err := md.Sign(k.Signer()); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := md.ToBytes(false)
		return b
	}
	repeated, _ := NewRoot(r.spec(1, exp))
	repeated.Signed.Roles[Root].KeyIDs = append(repeated.Signed.Roles[Root].KeyIDs, r.root[0].ID)

	spec := r.spec(1, exp)
	var many []*metadata.Key
	for range MaxRoleKeys + 1 {
		many = append(many, mustKey(t).Public)
	}
	spec.Roles[Targets] = RoleKeys{Keys: many, Threshold: 1}
	tooMany, err := NewRoot(spec)
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		root []byte
		want string
	}{
		"a root key listed twice":            {sign(repeated), "root role names key " + short(r.root[0].ID) + " twice"},
		"more targets keys than MaxRoleKeys": {sign(tooMany), "targets role lists 33 keys"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := VerifyRoot(nil, tt.root, t0); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNewRootRefusesBadSpecs(t *testing.T) {
	r := newTestRepo(t)
	good := r.spec(1, t0)
	for name, mutate := range map[string]func(s *RootSpec){
		"version 0":         func(s *RootSpec) { s.Version = 0 },
		"missing role":      func(s *RootSpec) { delete(s.Roles, Snapshot) },
		"threshold 0":       func(s *RootSpec) { s.Roles[Root] = RoleKeys{Keys: s.Roles[Root].Keys} },
		"threshold too big": func(s *RootSpec) { s.Roles[Timestamp] = RoleKeys{Keys: s.Roles[Timestamp].Keys, Threshold: 2} },
		"no keys":           func(s *RootSpec) { s.Roles[Targets] = RoleKeys{Keys: []*metadata.Key{}, Threshold: 1} },
	} {
		t.Run(name, func(t *testing.T) {
			s := good
			s.Roles = map[string]RoleKeys{}
			for k, v := range good.Roles {
				s.Roles[k] = v
			}
			mutate(&s)
			if _, err := NewRoot(s); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// FuzzVerifyRoot mutates roots, among them validly signed ones (a first
// root and its rotation). What VerifyRoot accepts, a client must accept too:
// go-tuf's trusted metadata set takes an accepted first root as its trust
// anchor, and an accepted rotation as the next root. A root the server
// installs but clients refuse would cut every device off the repository.
func FuzzVerifyRoot(f *testing.F) {
	r, v1 := fuzzRepo(f)
	md, _ := NewRoot(r.spec(2, t0.AddDate(1, 0, 0)))
	v2, _ := md.ToBytes(true)
	for _, k := range r.root[:2] {
		v2, _ = SignRoot(v2, k.Signer())
	}
	if _, err := VerifyRoot(nil, v1, t0); err != nil {
		f.Fatal(err)
	}
	if _, err := VerifyRoot(v1, v2, t0); err != nil {
		f.Fatal(err)
	}
	f.Add(v1)
	f.Add(v2)
	f.Add([]byte(`{"signed":{"_type":"root","spec_version":"1.0.31","version":1,"roles":{}},"signatures":[{"keyid":"00","sig":"zz"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if root, err := VerifyRoot(nil, data, t0); err == nil {
			if root.Signed.Version != 1 || !root.Signed.ConsistentSnapshot {
				t.Fatalf("accepted a bad root: %+v", root.Signed)
			}
			if _, err := trustedmetadata.New(data); err != nil {
				t.Fatalf("accepted a first root a client refuses (%v): %s", err, data)
			}
		}
		if _, err := VerifyRoot(v1, data, t0); err == nil {
			trusted, err := trustedmetadata.New(v1)
			if err != nil {
				t.Fatal(err)
			}
			trusted.RefTime = t0
			if _, err := trusted.UpdateRoot(data); err != nil {
				t.Fatalf("accepted a rotation a client refuses (%v): %s", err, data)
			}
		}
	})
}
