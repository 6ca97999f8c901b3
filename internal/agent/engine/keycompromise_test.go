package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// TestCompromisedTimestampKey: an attacker steals the server's database and
// sealing key, so holds the real online timestamp key, and sits between
// the device and the server.
//
//  1. Before anyone notices, the proxy serves a timestamp the attacker
//     signed with the stolen key, its version far ahead of the server's.
//     The device's root lists that key, so the device accepts it: no client
//     can tell a stolen key from its owner.
//  2. The manufacturer rotates the key: a new pending timestamp key and
//     root version 2 listing it, which retires the stolen one. The proxy
//     passes 2.root.json on (a device that never sees the new root stays
//     exposed until the metadata expires) but keeps serving the forgery.
//     The device moves to root 2, and refuses both the forgery it stored
//     and the one served.
//  3. The attack stops. The device accepts the server's timestamp although
//     its version is below the forgery's: the forgery no longer verifies,
//     so it no longer counts for rollback protection.
func TestCompromisedTimestampKey(t *testing.T) {
	env, box := newEnvWithSealingKey(t)
	r := newRepoOn(t, env)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	m := newMITM(t, r.url)
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	ctx := context.Background()

	stolenID := r.onlineKey("timestamp", tufrepo.KeyActive)
	stolen := r.stealKey(box, stolenID)
	real := m.fetch("metadata/timestamp.json")
	forged := forgeTimestamp(t, real, 1000, stolen.Signer())
	m.on(named("metadata/timestamp.json"), serveBytes(forged))

	// 1. Compromised, not yet rotated.
	if _, _, err := e.Verify(ctx, target); err != nil {
		t.Fatalf("under root 1, a timestamp signed with its own key: %v", err)
	}
	if v := trustedVersion(t, e, "timestamp"); v != signedVersion(t, forged) {
		t.Fatalf("the device trusts timestamp %d, want the forged %d", v, signedVersion(t, forged))
	}

	// 2. Rotated: the device must refuse the stolen key.
	if _, err := env.Service.CreateOnlineKeys(ctx, r.p, r.product, []string{"timestamp"}); err != nil {
		t.Fatal(err)
	}
	r.installRoot(2)
	if r.onlineKey("timestamp", tufrepo.KeyRetired) != stolenID {
		t.Fatal("the stolen key was not retired")
	}
	slots := d.slotFiles(t)
	err := e.Apply(ctx, target)
	if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("Apply with a timestamp signed by the retired key = %v, want it refused as unsigned", err)
	}
	if v := trustedVersion(t, e, "root"); v != 2 {
		t.Fatalf("the device trusts root %d, want 2", v)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	// 3. Recovered.
	m.stop()
	applies(t, e, target)
	if v := trustedVersion(t, e, "timestamp"); v >= signedVersion(t, forged) || v <= signedVersion(t, real) {
		t.Fatalf("the device trusts timestamp %d; want the server's, after %d and below the forged %d", v, signedVersion(t, real), signedVersion(t, forged))
	}
}

// TestTimestampSignedByUnknownKey: a timestamp signed by a key the root does
// not list (the attacker's own) is refused, even with a higher version.
func TestTimestampSignedByUnknownKey(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	m := newMITM(t, r.url)
	own, err := tufrepo.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m.on(named("metadata/timestamp.json"), serveBytes(forgeTimestamp(t, m.fetch("metadata/timestamp.json"), 1, own.Signer())))
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	slots := d.slotFiles(t)
	err = e.Apply(context.Background(), target)
	if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("Apply = %v, want the timestamp refused as unsigned", err)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	m.stop()
	applies(t, e, target)
}

// forgeTimestamp re-signs timestamp metadata with signer alone, its version
// raised by bump; it still names the real snapshot.
func forgeTimestamp(t *testing.T, real []byte, bump int64, signer signature.Signer) []byte {
	t.Helper()
	md := parseTimestamp(t, real)
	md.Signed.Version += bump
	md.ClearSignatures()
	if _, err := md.Sign(signer); err != nil {
		t.Fatal(err)
	}
	b, err := md.ToBytes(false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trustedVersion is the version of the role's metadata the device keeps.
func trustedVersion(t *testing.T, e *Engine, role string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.cfg.StateDir, "metadata", role+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return signedVersion(t, b)
}
