package tufrepo

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/cjson"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// keyRing is who may sign a role: its keys and threshold, as the root (for
// top-level roles) or the delegating targets (for hash bins) says.
type keyRing struct {
	keys      map[string]*metadata.Key
	keyIDs    []string
	threshold int
}

func rootRing(root *metadata.Metadata[metadata.RootType], role string) keyRing {
	r := root.Signed.Roles[role]
	return keyRing{keys: root.Signed.Keys, keyIDs: r.KeyIDs, threshold: r.Threshold}
}

func binRing(parent *metadata.Metadata[metadata.TargetsType]) keyRing {
	d := parent.Signed.Delegations
	return keyRing{keys: d.Keys, keyIDs: d.SuccinctRoles.KeyIDs, threshold: d.SuccinctRoles.Threshold}
}

// signFile signs the canonical form of signed with the signers of
// signerRole, checks that the signatures meet ring's threshold, and writes
// the file. It encodes the canonical JSON once and reuses it for signing,
// checking and the file itself (go-tuf's Sign and VerifyDelegate would
// encode it twice more, which dominates the cost of large bins).
func signFile(role string, signed any, version int64, expires time.Time, signerRole string, signers Signers, ring keyRing) (File, error) {
	if len(signers[signerRole]) == 0 {
		return File{}, fmt.Errorf("no %s signing key available", signerRole)
	}
	payload, err := cjson.EncodeCanonical(signed)
	if err != nil {
		return File{}, err
	}
	var sigs []metadata.Signature
	for _, s := range signers[signerRole] {
		sig, err := s.SignMessage(bytes.NewReader(payload))
		if err != nil {
			return File{}, fmt.Errorf("sign %s: %w", role, err)
		}
		pub, err := s.PublicKey()
		if err != nil {
			return File{}, err
		}
		k, err := metadata.KeyFromPublicKey(pub)
		if err != nil {
			return File{}, err
		}
		id, _ := k.ID()
		sigs = append(sigs, metadata.Signature{KeyID: id, Signature: sig})
	}
	if err := ring.check(payload, sigs); err != nil {
		return File{}, fmt.Errorf("%s metadata does not meet its threshold: %w", role, err)
	}
	sigJSON, err := json.Marshal(sigs)
	if err != nil {
		return File{}, err
	}
	var body bytes.Buffer
	body.Grow(len(payload) + len(sigJSON) + 32)
	body.WriteString(`{"signatures":`)
	body.Write(sigJSON)
	body.WriteString(`,"signed":`)
	writeJSONSafe(&body, payload)
	body.WriteString("}")
	return File{Role: role, Version: version, Expires: expires, Body: body.Bytes()}, nil
}

// check counts valid signatures by distinct keys of the ring.
func (r keyRing) check(payload []byte, sigs []metadata.Signature) error {
	valid := map[string]bool{}
	for _, s := range sigs {
		if valid[s.KeyID] || !contains(r.keyIDs, s.KeyID) {
			continue
		}
		k := r.keys[s.KeyID]
		if k == nil || k.Type != metadata.KeyTypeEd25519 {
			continue
		}
		pub, err := k.ToPublicKey()
		if err != nil {
			continue
		}
		if ed, ok := pub.(ed25519.PublicKey); ok && ed25519.Verify(ed, payload, s.Signature) {
			valid[s.KeyID] = true
		}
	}
	if len(valid) < r.threshold {
		return fmt.Errorf("%d valid signatures of %d needed", len(valid), r.threshold)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeJSONSafe writes canonical JSON so that any JSON parser reads it.
// Canonical JSON (OLPC, as TUF signs it) escapes only '\\' and '"' inside
// strings and leaves control characters raw, which JSON forbids: a release
// note with a tab would make the file unreadable. Canonical JSON has no
// whitespace outside strings, so every byte below 0x20 is inside a string,
// and escaping it as \u00XX decodes to the same string, whose canonical
// form is again exactly the signed payload.
func writeJSONSafe(b *bytes.Buffer, payload []byte) {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i, c := range payload {
		if c >= 0x20 {
			continue
		}
		b.Write(payload[start:i])
		b.WriteString(`\u00`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
		start = i + 1
	}
	b.Write(payload[start:])
}
