package tufrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Target is one file the targets role lists.
type Target struct {
	Path   string // e.g. "2.1.0/plug.bin"
	Length int64
	SHA256 []byte
	SHA512 []byte
	Custom json.RawMessage // Lifeline's release facts (see Custom)
}

// Current is a repository's newest metadata of each role, as stored. Root is
// required; the others are empty before the first publication. Bins holds
// the newest metadata of the hash bins NeededBins named for the change.
type Current struct {
	Root      []byte
	Targets   []byte
	Snapshot  []byte
	Timestamp []byte
	Bins      map[string][]byte
}

// File is one metadata file to store and serve.
type File struct {
	Role    string
	Version int64
	Expires time.Time
	Body    []byte
}

// Name is the file's name under metadata/: "N.role.json", or
// "timestamp.json" for the timestamp, as consistent snapshots require.
func (f File) Name() string { return MetadataName(f.Role, f.Version) }

// Change says what a publication changes.
type Change struct {
	// Add lists targets to add, or to replace where the path exists.
	Add []Target
	// Remove lists target paths to drop.
	Remove []string
	// Resign forces a new version of these roles even if nothing expires,
	// for instance after the root changed their keys.
	Resign []string
}

func (c Change) forced(role string) bool { return slices.Contains(c.Resign, role) }

// Signers holds the server's signers for each online role.
type Signers map[string][]signature.Signer

// Next returns the metadata files that bring the repository from cur to the
// state change asks for at now, and nothing when nothing needs doing:
//
//   - targets (or, once the repository has grown into hash bins, the bins
//     whose targets change) get a new version when their targets change,
//     when forced, or when due for refresh;
//   - a new snapshot when any targets metadata changed, or it is due;
//   - a new timestamp whenever anything changed, or it is due.
//
// A repository starts with every target listed in the top-level targets
// metadata. When it passes BinThreshold targets, the top-level targets
// delegates to 2^BinBits succinct hash bins (TAP 15), signed with the same
// online targets key, so that adding a release re-signs one small bin
// instead of the whole list. Every new file is checked against the root's
// threshold before it is returned.
func Next(cur Current, change Change, now time.Time, pol Policy, signers Signers) ([]File, error) {
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	root, err := parseRoot(cur.Root)
	if err != nil {
		return nil, fmt.Errorf("stored root: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	seen := map[string]bool{}
	for _, t := range change.Add {
		if _, err := t.file(); err != nil {
			return nil, err
		}
		if seen[t.Path] {
			return nil, refused("duplicate_target", "target %q is listed twice", t.Path)
		}
		seen[t.Path] = true
	}

	var targets *metadata.Metadata[metadata.TargetsType]
	if len(cur.Targets) > 0 {
		if targets, err = metadata.Targets().FromBytes(cur.Targets); err != nil {
			return nil, fmt.Errorf("stored targets: %w", err)
		}
	}
	var snapshot *snapshotDoc
	if len(cur.Snapshot) > 0 {
		if snapshot, err = parseSnapshot(cur.Snapshot); err != nil {
			return nil, fmt.Errorf("stored snapshot: %w", err)
		}
	}

	var out []File
	changed := map[string]*File{} // targets-like role → its new file

	targetsDue := targets == nil || change.forced(Targets) || dueForRefresh(targets.Signed.Expires, now, pol.Targets)
	binned := targets != nil && targets.Signed.Delegations != nil && targets.Signed.Delegations.SuccinctRoles != nil
	hasChanges := len(change.Add) > 0 || len(change.Remove) > 0

	switch {
	case !binned:
		all := map[string]*metadata.TargetFiles{}
		if targets != nil {
			all = maps.Clone(targets.Signed.Targets)
		}
		if err := apply(all, change); err != nil {
			return nil, err
		}
		if len(all) > BinThreshold {
			files, err := splitIntoBins(targets, all, root, now, pol, signers)
			if err != nil {
				return nil, err
			}
			for i := range files {
				changed[files[i].Role] = &files[i]
			}
			break
		}
		if !hasChanges && !targetsDue {
			break
		}
		next := newTargets(targets, now, pol)
		next.Signed.Targets = all
		f, err := sign(root, Targets, Targets, next, signers)
		if err != nil {
			return nil, err
		}
		changed[Targets] = &f
	default:
		succinct := targets.Signed.Delegations.SuccinctRoles
		// The parent the bins are checked against: the new top-level
		// targets when it is re-signed (its delegation keys follow the
		// root's targets keys, which may just have been rotated).
		parent := targets
		if targetsDue {
			next := newTargets(targets, now, pol)
			next.Signed.Delegations = binDelegations(root, succinct.BitLength)
			f, err := sign(root, Targets, Targets, next, signers)
			if err != nil {
				return nil, err
			}
			changed[Targets] = &f
			parent = next
		}
		touched := map[string]map[string]*metadata.TargetFiles{}
		prevBins := map[string]*metadata.Metadata[metadata.TargetsType]{}
		for _, name := range binsOf(succinct, change, targetsDue) {
			body, ok := cur.Bins[name]
			if !ok {
				return nil, fmt.Errorf("hash bin %s was not loaded (use NeededBins)", name)
			}
			bin, err := metadata.Targets().FromBytes(body)
			if err != nil {
				return nil, fmt.Errorf("stored %s: %w", name, err)
			}
			prevBins[name] = bin
			touched[name] = bin.Signed.Targets
		}
		for _, t := range change.Add {
			name := binName(succinct, t.Path)
			tf, _ := t.file()
			touched[name][t.Path] = tf
		}
		for _, p := range change.Remove {
			name := binName(succinct, p)
			if _, ok := touched[name][p]; !ok {
				return nil, refused("unknown_target", "target %q is not in the repository", p)
			}
			delete(touched[name], p)
		}
		for _, name := range slices.Sorted(maps.Keys(touched)) {
			next := newTargets(prevBins[name], now, pol)
			next.Signed.Targets = touched[name]
			f, err := signDelegated(parent, name, next, signers)
			if err != nil {
				return nil, err
			}
			changed[name] = &f
		}
	}
	// Targets first, then bins in name order: the order they are stored in.
	if f, ok := changed[Targets]; ok {
		out = append(out, *f)
	}
	for _, name := range slices.Sorted(maps.Keys(changed)) {
		if name != Targets {
			out = append(out, *changed[name])
		}
	}

	// Snapshot.
	newSnapshot := snapshot == nil || len(changed) > 0 || change.forced(Snapshot) ||
		dueForRefresh(snapshot.Signed.Expires, now, pol.Snapshot)
	if newSnapshot {
		next := snapshotSigned{Type: metadata.SNAPSHOT, SpecVersion: metadata.SPECIFICATION_VERSION, Version: 1,
			Expires: now.Add(pol.Snapshot), Meta: map[string]metaEntry{}}
		if snapshot != nil {
			next.Version = snapshot.Signed.Version + 1
			next.Meta = snapshot.Signed.Meta
		}
		for role, f := range changed {
			m := metaEntry{Version: f.Version}
			if role == Targets {
				m.Length = int64(len(f.Body))
				m.Hashes = map[string]metadata.HexBytes{"sha256": sum256(f.Body)}
			}
			next.Meta[role+".json"] = m
		}
		f, err := signFile(Snapshot, next, next.Version, next.Expires, Snapshot, signers, rootRing(root, Snapshot))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		cur.Snapshot = f.Body
		snapshot = &snapshotDoc{}
		snapshot.Signed.Version = next.Version
	}

	// Timestamp.
	var timestamp *metadata.Metadata[metadata.TimestampType]
	if len(cur.Timestamp) > 0 {
		if timestamp, err = metadata.Timestamp().FromBytes(cur.Timestamp); err != nil {
			return nil, fmt.Errorf("stored timestamp: %w", err)
		}
	}
	if timestamp == nil || newSnapshot || change.forced(Timestamp) ||
		dueForRefresh(timestamp.Signed.Expires, now, pol.Timestamp) {
		next := metadata.Timestamp(now.Add(pol.Timestamp))
		next.Signed.Version = 1
		if timestamp != nil {
			next.Signed.Version = timestamp.Signed.Version + 1
		}
		var smeta *metadata.MetaFiles
		if timestamp != nil {
			smeta = timestamp.Signed.Meta["snapshot.json"]
		}
		if newSnapshot || smeta == nil {
			smeta = metadata.MetaFile(snapshot.Signed.Version)
			smeta.Length = int64(len(cur.Snapshot))
			smeta.Hashes = metadata.Hashes{"sha256": sum256(cur.Snapshot)}
		}
		next.Signed.Meta = map[string]*metadata.MetaFiles{"snapshot.json": smeta}
		f, err := sign(root, Timestamp, Timestamp, next, signers)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// apply adds and removes targets in a flat target map.
func apply(all map[string]*metadata.TargetFiles, change Change) error {
	for _, t := range change.Add {
		tf, _ := t.file()
		all[t.Path] = tf
	}
	for _, p := range change.Remove {
		if _, ok := all[p]; !ok {
			return refused("unknown_target", "target %q is not in the repository", p)
		}
		delete(all, p)
	}
	return nil
}

// newTargets starts the next version of targets-like metadata.
func newTargets(prev *metadata.Metadata[metadata.TargetsType], now time.Time, pol Policy) *metadata.Metadata[metadata.TargetsType] {
	next := metadata.Targets(now.Add(pol.Targets))
	next.Signed.Version = 1
	if prev != nil {
		next.Signed.Version = prev.Signed.Version + 1
	}
	return next
}

// sign signs top-level metadata with the signers of signerRole and checks
// the root's threshold for role.
func sign[T metadata.Roles](root *metadata.Metadata[metadata.RootType], role, signerRole string, md *metadata.Metadata[T], signers Signers) (File, error) {
	version, expires := versionOf(md.Signed)
	return signFile(role, md.Signed, version, expires, signerRole, signers, rootRing(root, role))
}

// signDelegated signs a hash bin with the targets signers and checks it
// against the delegation in parent.
func signDelegated(parent *metadata.Metadata[metadata.TargetsType], name string, md *metadata.Metadata[metadata.TargetsType], signers Signers) (File, error) {
	return signFile(name, md.Signed, md.Signed.Version, md.Signed.Expires, Targets, signers, binRing(parent))
}

func versionOf(signed any) (int64, time.Time) {
	switch s := signed.(type) {
	case metadata.TargetsType:
		return s.Version, s.Expires
	case metadata.SnapshotType:
		return s.Version, s.Expires
	case metadata.TimestampType:
		return s.Version, s.Expires
	}
	return 0, time.Time{}
}

func (t Target) file() (*metadata.TargetFiles, error) {
	if err := ValidTargetPath(t.Path); err != nil {
		return nil, err
	}
	if t.Length < 0 || len(t.SHA256) != sha256.Size {
		return nil, refused("bad_target", "target %q needs a length and a SHA-256 hash", t.Path)
	}
	tf := metadata.TargetFile()
	tf.Path = t.Path
	tf.Length = t.Length
	tf.Hashes = metadata.Hashes{"sha256": t.SHA256}
	if len(t.SHA512) > 0 {
		tf.Hashes["sha512"] = t.SHA512
	}
	if len(t.Custom) > 0 {
		c := json.RawMessage(append([]byte(nil), t.Custom...))
		tf.Custom = &c
	}
	return tf, nil
}

func sum256(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// HexSHA256 formats a digest for file names.
func HexSHA256(b []byte) string { return hex.EncodeToString(b) }

// RefreshAt returns when the repository next needs re-signing: the earliest
// moment one of its online roles passes half its life. Roles not yet
// published are due at once (the zero time). Hash bins are re-signed with
// the top-level targets, so their own expiry never comes first.
func RefreshAt(cur Current, pol Policy) (time.Time, error) {
	var due time.Time
	for _, r := range []struct {
		role string
		body []byte
	}{{Targets, cur.Targets}, {Snapshot, cur.Snapshot}, {Timestamp, cur.Timestamp}} {
		if len(r.body) == 0 {
			return time.Time{}, nil
		}
		var head struct {
			Signed struct {
				Expires time.Time `json:"expires"`
			} `json:"signed"`
		}
		if err := json.Unmarshal(r.body, &head); err != nil {
			return time.Time{}, fmt.Errorf("stored %s: %w", r.role, err)
		}
		at := head.Signed.Expires.Add(-pol.Life(r.role) / 2)
		if due.IsZero() || at.Before(due) {
			due = at
		}
	}
	return due, nil
}
