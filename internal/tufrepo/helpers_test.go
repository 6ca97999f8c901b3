package tufrepo

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testRepo holds the keys of a small repository: two of three root keys
// must sign; one online key per online role.
type testRepo struct {
	root   []KeyPair
	online map[string]KeyPair
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{online: map[string]KeyPair{}}
	for range 3 {
		r.root = append(r.root, mustKey(t))
	}
	for _, role := range OnlineRoles {
		r.online[role] = mustKey(t)
	}
	return r
}

func mustKey(t *testing.T) KeyPair {
	t.Helper()
	k, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (r *testRepo) spec(version int64, expires time.Time) RootSpec {
	spec := RootSpec{Version: version, Expires: expires, Roles: map[string]RoleKeys{}}
	var rk []*metadata.Key
	for _, k := range r.root {
		rk = append(rk, k.Public)
	}
	spec.Roles[Root] = RoleKeys{Keys: rk, Threshold: 2}
	for role, k := range r.online {
		spec.Roles[role] = RoleKeys{Keys: []*metadata.Key{k.Public}, Threshold: 1}
	}
	return spec
}

// signedRoot builds a root from spec and signs it with the given keys.
func signedRoot(t *testing.T, spec RootSpec, keys ...KeyPair) []byte {
	t.Helper()
	md, err := NewRoot(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := md.ToBytes(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if b, err = SignRoot(b, k.Signer()); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (r *testRepo) signers() Signers {
	s := Signers{}
	for role, k := range r.online {
		s[role] = append(s[role], k.Signer())
	}
	return s
}

// applyFiles folds published files into the current state.
func applyFiles(cur Current, files []File) Current {
	bins := map[string][]byte{}
	for k, v := range cur.Bins {
		bins[k] = v
	}
	cur.Bins = bins
	for _, f := range files {
		switch f.Role {
		case Targets:
			cur.Targets = f.Body
		case Snapshot:
			cur.Snapshot = f.Body
		case Timestamp:
			cur.Timestamp = f.Body
		default:
			cur.Bins[f.Role] = f.Body
		}
	}
	return cur
}

func roles(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Role)
	}
	return out
}
