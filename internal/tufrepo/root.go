package tufrepo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// MaxRootSize bounds an uploaded root, as go-tuf's client does by default.
const MaxRootSize = 512000

// MaxRoleKeys bounds the keys of one role. go-tuf checks a role's threshold
// by encoding the whole metadata once per key ID the role lists, so a root
// listing thousands of key IDs (or one ID thousands of times) takes minutes
// to verify, on the server and on every device.
const MaxRoleKeys = 32

// RoleKeys lists the keys and threshold of one role.
type RoleKeys struct {
	Keys      []*metadata.Key
	Threshold int
}

// RootSpec describes a root to build: who may sign each role, until when.
type RootSpec struct {
	Version int64
	Expires time.Time
	Roles   map[string]RoleKeys // all four top-level roles
}

// NewRoot builds an unsigned root from spec. Consistent snapshots are always on.
func NewRoot(spec RootSpec) (*metadata.Metadata[metadata.RootType], error) {
	if spec.Version < 1 {
		return nil, refused("bad_root", "root version must be at least 1")
	}
	root := metadata.Root(spec.Expires.UTC().Truncate(time.Second))
	root.Signed.Version = spec.Version
	root.Signed.ConsistentSnapshot = true
	for _, role := range []string{Root, Targets, Snapshot, Timestamp} {
		rk, ok := spec.Roles[role]
		if !ok || len(rk.Keys) == 0 {
			return nil, refused("bad_root", "the %s role needs at least one key", role)
		}
		if rk.Threshold < 1 || rk.Threshold > len(rk.Keys) {
			return nil, refused("bad_root", "the %s role's threshold must be between 1 and its %d keys", role, len(rk.Keys))
		}
		for _, k := range rk.Keys {
			if err := root.Signed.AddKey(k, role); err != nil {
				return nil, refused("bad_root", "%s key: %v", role, err)
			}
		}
		root.Signed.Roles[role].Threshold = rk.Threshold
	}
	return root, nil
}

// NextRoot starts the root that follows current: same roles, next version,
// no signatures. Callers then change keys and sign with the old and new
// root thresholds.
func NextRoot(current []byte, expires time.Time) (*metadata.Metadata[metadata.RootType], error) {
	root, err := parseRoot(current)
	if err != nil {
		return nil, err
	}
	root.Signed.Version++
	root.Signed.Expires = expires.UTC().Truncate(time.Second)
	root.ClearSignatures()
	return root, nil
}

// SignRoot adds one signature to a root file, for threshold signing on
// separate offline machines. Signing twice with the same key is refused.
func SignRoot(rootJSON []byte, s signature.Signer) ([]byte, error) {
	root, err := parseRoot(rootJSON)
	if err != nil {
		return nil, err
	}
	pub, err := s.PublicKey()
	if err != nil {
		return nil, err
	}
	k, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		return nil, err
	}
	id, _ := k.ID()
	for _, sig := range root.Signatures {
		if sig.KeyID == id {
			return nil, refused("already_signed", "the root is already signed with key %s", short(id))
		}
	}
	if _, err := root.Sign(s); err != nil {
		return nil, err
	}
	return root.ToBytes(true)
}

// VerifyRoot decides whether candidate may become the repository's root at
// now. The first root (trusted nil) must be version 1 and signed by its own
// root threshold. A later root must be the next version and signed by the
// root thresholds of both the trusted root and itself, as a TUF client will
// check when it walks the chain. Either way it must not be expired and must
// use consistent snapshots.
func VerifyRoot(trusted, candidate []byte, now time.Time) (*metadata.Metadata[metadata.RootType], error) {
	if len(candidate) > MaxRootSize {
		return nil, refused("bad_root", "root metadata is larger than %d bytes", MaxRootSize)
	}
	root, err := parseRoot(candidate)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(root.Signed.SpecVersion, "1.") {
		return nil, refused("bad_root", "unsupported TUF specification version %q", root.Signed.SpecVersion)
	}
	if !root.Signed.ConsistentSnapshot {
		return nil, refused("bad_root", "the root must enable consistent snapshots")
	}
	for _, role := range []string{Root, Targets, Snapshot, Timestamp} {
		r, ok := root.Signed.Roles[role]
		if !ok || r.Threshold < 1 || len(r.KeyIDs) < r.Threshold {
			return nil, refused("bad_root", "the %s role needs a threshold of at least 1 and as many keys", role)
		}
		if len(r.KeyIDs) > MaxRoleKeys {
			return nil, refused("bad_root", "the %s role lists %d keys; at most %d are allowed", role, len(r.KeyIDs), MaxRoleKeys)
		}
		for i, id := range r.KeyIDs {
			k, ok := root.Signed.Keys[id]
			if !ok {
				return nil, refused("bad_root", "the %s role names key %s, which the root does not list", role, short(id))
			}
			// A key listed under another key's ID would pass here and
			// fail later, at signing, with an internal error.
			if real, err := k.ID(); err != nil || real != id {
				return nil, refused("bad_root", "key %s of the %s role does not match its key ID", short(id), role)
			}
			if slices.Contains(r.KeyIDs[:i], id) {
				return nil, refused("bad_root", "the %s role names key %s twice", role, short(id))
			}
		}
	}
	if root.Signed.IsExpired(now) {
		return nil, refused("root_expired", "the root expired on %s", root.Signed.Expires.Format(time.RFC3339))
	}
	if trusted == nil {
		if root.Signed.Version != 1 {
			return nil, refused("bad_root_version", "the first root must be version 1, not %d", root.Signed.Version)
		}
	} else {
		old, err := parseRoot(trusted)
		if err != nil {
			return nil, fmt.Errorf("stored root: %w", err)
		}
		if root.Signed.Version != old.Signed.Version+1 {
			return nil, refused("bad_root_version", "the next root must be version %d, not %d", old.Signed.Version+1, root.Signed.Version)
		}
		if err := old.VerifyDelegate(Root, root); err != nil {
			return nil, refused("bad_signature", "the root is not signed by the threshold of the current root's keys (version %d): %v", old.Signed.Version, err)
		}
	}
	if err := root.VerifyDelegate(Root, root); err != nil {
		return nil, refused("bad_signature", "the root is not signed by the threshold of its own root keys: %v", err)
	}
	return root, nil
}

// CheckOnlineKeys makes sure the server can sign every online role of root
// with the keys it holds (key IDs per role): the threshold of each role must
// be reachable, or the repository would stop the moment the root is accepted.
func CheckOnlineKeys(root *metadata.Metadata[metadata.RootType], held map[string][]string) error {
	for _, role := range OnlineRoles {
		r := root.Signed.Roles[role]
		n := 0
		for _, id := range r.KeyIDs {
			if slices.Contains(held[role], id) {
				n++
			}
		}
		if n < r.Threshold {
			return refused("unknown_online_key", "the root gives the %s role keys the server does not hold (threshold %d, held %d): list the server's %s key from `lifeline tuf keys`", role, r.Threshold, n, role)
		}
	}
	return nil
}

func parseRoot(b []byte) (*metadata.Metadata[metadata.RootType], error) {
	root, err := metadata.Root().FromBytes(b)
	if err != nil {
		return nil, refused("bad_root", "not TUF root metadata: %v", err)
	}
	return root, nil
}

// short abbreviates a key ID for messages.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
