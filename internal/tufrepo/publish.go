package tufrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
// required; the others are empty before the first publication.
type Current struct {
	Root      []byte
	Targets   []byte
	Snapshot  []byte
	Timestamp []byte
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
	// Targets, when not nil, is the complete new list of targets.
	Targets []Target
	// Resign forces a new version of these roles even if nothing expires,
	// for instance after the root changed their keys.
	Resign []string
}

// Signers holds the server's signers for each online role.
type Signers map[string][]signature.Signer

// Next returns the metadata files that bring the repository from cur to the
// state change asks for at now: a new targets version when the list changes,
// when forced or when it is due for refresh; a new snapshot when targets
// changed or it is due; a new timestamp whenever anything changed or it is
// due. It returns nothing when nothing needs doing. Every new file is checked
// against the root's threshold before it is returned.
func Next(cur Current, change Change, now time.Time, pol Policy, signers Signers) ([]File, error) {
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	root, err := parseRoot(cur.Root)
	if err != nil {
		return nil, fmt.Errorf("stored root: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	forced := map[string]bool{}
	for _, r := range change.Resign {
		forced[r] = true
	}

	var out []File

	// Targets.
	var targets *metadata.Metadata[metadata.TargetsType]
	if len(cur.Targets) > 0 {
		if targets, err = metadata.Targets().FromBytes(cur.Targets); err != nil {
			return nil, fmt.Errorf("stored targets: %w", err)
		}
	}
	newTargets := targets == nil || change.Targets != nil || forced[Targets] ||
		dueForRefresh(targets.Signed.Expires, now, pol.Targets)
	if newTargets {
		next := metadata.Targets(now.Add(pol.Targets))
		next.Signed.Version = 1
		if targets != nil {
			next.Signed.Version = targets.Signed.Version + 1
			next.Signed.Targets = targets.Signed.Targets
		}
		if change.Targets != nil {
			next.Signed.Targets = map[string]*metadata.TargetFiles{}
			for _, t := range change.Targets {
				tf, err := t.file()
				if err != nil {
					return nil, err
				}
				if _, dup := next.Signed.Targets[t.Path]; dup {
					return nil, refused("duplicate_target", "target %q is listed twice", t.Path)
				}
				next.Signed.Targets[t.Path] = tf
			}
		}
		f, err := sign(root, Targets, next, next.Signed.Version, next.Signed.Expires, signers)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		targets = next
	}

	// Snapshot.
	var snapshot *metadata.Metadata[metadata.SnapshotType]
	if len(cur.Snapshot) > 0 {
		if snapshot, err = metadata.Snapshot().FromBytes(cur.Snapshot); err != nil {
			return nil, fmt.Errorf("stored snapshot: %w", err)
		}
	}
	newSnapshot := snapshot == nil || newTargets || forced[Snapshot] ||
		dueForRefresh(snapshot.Signed.Expires, now, pol.Snapshot)
	if newSnapshot {
		next := metadata.Snapshot(now.Add(pol.Snapshot))
		next.Signed.Version = 1
		if snapshot != nil {
			next.Signed.Version = snapshot.Signed.Version + 1
		}
		tmeta := metadata.MetaFile(targets.Signed.Version)
		if newTargets {
			body := out[len(out)-1].Body
			tmeta.Length = int64(len(body))
			tmeta.Hashes = metadata.Hashes{"sha256": sum256(body)}
		} else {
			tmeta = snapshot.Signed.Meta["targets.json"]
		}
		next.Signed.Meta = map[string]*metadata.MetaFiles{"targets.json": tmeta}
		f, err := sign(root, Snapshot, next, next.Signed.Version, next.Signed.Expires, signers)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		snapshot = next
	}

	// Timestamp.
	var timestamp *metadata.Metadata[metadata.TimestampType]
	if len(cur.Timestamp) > 0 {
		if timestamp, err = metadata.Timestamp().FromBytes(cur.Timestamp); err != nil {
			return nil, fmt.Errorf("stored timestamp: %w", err)
		}
	}
	if timestamp == nil || newSnapshot || forced[Timestamp] ||
		dueForRefresh(timestamp.Signed.Expires, now, pol.Timestamp) {
		next := metadata.Timestamp(now.Add(pol.Timestamp))
		next.Signed.Version = 1
		if timestamp != nil {
			next.Signed.Version = timestamp.Signed.Version + 1
		}
		smeta := metadata.MetaFile(snapshot.Signed.Version)
		if newSnapshot {
			body := out[len(out)-1].Body
			smeta.Length = int64(len(body))
			smeta.Hashes = metadata.Hashes{"sha256": sum256(body)}
		} else {
			smeta = timestamp.Signed.Meta["snapshot.json"]
		}
		next.Signed.Meta = map[string]*metadata.MetaFiles{"snapshot.json": smeta}
		f, err := sign(root, Timestamp, next, next.Signed.Version, next.Signed.Expires, signers)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// sign signs md with the role's signers, checks the root's threshold is met
// and serialises it.
func sign[T metadata.Roles](root *metadata.Metadata[metadata.RootType], role string, md *metadata.Metadata[T], version int64, expires time.Time, signers Signers) (File, error) {
	if len(signers[role]) == 0 {
		return File{}, fmt.Errorf("no %s signing key available", role)
	}
	for _, s := range signers[role] {
		if _, err := md.Sign(s); err != nil {
			return File{}, fmt.Errorf("sign %s: %w", role, err)
		}
	}
	if err := root.VerifyDelegate(role, md); err != nil {
		return File{}, fmt.Errorf("%s metadata does not meet the root's threshold: %w", role, err)
	}
	body, err := md.ToBytes(false)
	if err != nil {
		return File{}, err
	}
	return File{Role: role, Version: version, Expires: expires, Body: body}, nil
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
// published are due at once (the zero time).
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
