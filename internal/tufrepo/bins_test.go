package tufrepo

import (
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
)

func manyTargets(n, from int) []Target {
	out := make([]Target, n)
	for i := range out {
		out[i] = target(fmt.Sprintf("%d.0.0/fw.bin", from+i), []byte(fmt.Sprint(from+i)))
	}
	return out
}

// verifyTarget checks path the way a TUF client finds it: timestamp,
// snapshot, top-level targets, then the hash bin it delegates to.
func verifyTarget(t *testing.T, root []byte, cur Current, at time.Time, path string) *metadata.TargetFiles {
	t.Helper()
	trusted, err := trustedmetadata.New(root)
	if err != nil {
		t.Fatal(err)
	}
	trusted.RefTime = at
	if _, err := trusted.UpdateTimestamp(cur.Timestamp); err != nil {
		t.Fatalf("timestamp: %v", err)
	}
	if _, err := trusted.UpdateSnapshot(cur.Snapshot, false); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	top, err := trusted.UpdateTargets(cur.Targets)
	if err != nil {
		t.Fatalf("targets: %v", err)
	}
	if top.Signed.Delegations == nil {
		return top.Signed.Targets[path]
	}
	name := top.Signed.Delegations.GetRolesForTarget(path)[0].Name
	bin, err := trusted.UpdateDelegatedTargets(cur.Bins[name], name, Targets)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return bin.Signed.Targets[path]
}

func TestRepositoryGrowsIntoHashBins(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	cur := Current{Root: root}

	// At the threshold the list stays flat.
	files, err := Next(cur, Change{Add: manyTargets(BinThreshold, 0)}, t0, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(roles(files), []string{Targets, Snapshot, Timestamp}) {
		t.Fatalf("flat publication: %v", roles(files))
	}
	cur = applyFiles(cur, files)

	// One more moves every target into 256 bins.
	at := t0.Add(time.Minute)
	files, err = Next(cur, Change{Add: manyTargets(1, BinThreshold)}, at, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1+1<<BinBits+2 || files[0].Role != Targets || files[1].Role != "bin-000" {
		t.Fatalf("split produced %d files starting %v", len(files), roles(files)[:3])
	}
	cur = applyFiles(cur, files)
	for _, p := range []string{"0.0.0/fw.bin", "1000.0.0/fw.bin", "2048.0.0/fw.bin"} {
		if tf := verifyTarget(t, root, cur, at, p); tf == nil {
			t.Fatalf("%s missing after the split", p)
		}
	}

	// Adding a target now re-signs one bin, the snapshot and the timestamp.
	at = at.Add(time.Minute)
	add := Change{Add: manyTargets(1, 5000)}
	need, err := NeededBins(cur.Targets, add, at, DefaultPolicy)
	if err != nil || len(need) != 1 {
		t.Fatalf("NeededBins = %v, %v", need, err)
	}
	files, err = Next(cur, add, at, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	if got := roles(files); !slices.Equal(got, []string{need[0], Snapshot, Timestamp}) {
		t.Fatalf("add re-signed %v", got)
	}
	cur = applyFiles(cur, files)
	if verifyTarget(t, root, cur, at, "5000.0.0/fw.bin") == nil {
		t.Fatal("added target missing")
	}

	// Removing one, likewise.
	rm := Change{Remove: []string{"5000.0.0/fw.bin"}}
	files, err = Next(cur, rm, at, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	cur = applyFiles(cur, files)
	if verifyTarget(t, root, cur, at, "5000.0.0/fw.bin") != nil {
		t.Fatal("removed target still listed")
	}
	if _, err := Next(cur, rm, at, DefaultPolicy, r.signers()); err == nil {
		t.Fatal("removing a missing target accepted")
	}

	// Rotating the targets key: root 2 names a new one; every bin and the
	// top-level targets are re-signed with it, and verify under root 2.
	r.online[Targets] = mustKey(t)
	root2 := signedRoot(t, r.spec(2, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	cur.Root = root2
	resign := Change{Resign: []string{Targets}}
	need, _ = NeededBins(cur.Targets, resign, at, DefaultPolicy)
	if len(need) != 1<<BinBits {
		t.Fatalf("a targets key rotation needs %d bins, want all", len(need))
	}
	files, err = Next(cur, resign, at, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	cur = applyFiles(cur, files)
	if verifyTarget(t, root2, cur, at, "1000.0.0/fw.bin") == nil {
		t.Fatal("target missing after the targets key rotation")
	}

	// Half a year on, the refresh re-signs every bin with the top-level targets.
	later := t0.Add(200 * 24 * time.Hour)
	need, _ = NeededBins(cur.Targets, Change{}, later, DefaultPolicy)
	if len(need) != 1<<BinBits {
		t.Fatalf("refresh needs %d bins", len(need))
	}
	files, err = Next(cur, Change{}, later, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	cur = applyFiles(cur, files)
	if verifyTarget(t, root2, cur, later.Add(time.Hour), "7.0.0/fw.bin") == nil {
		t.Fatal("target missing after refresh")
	}
}

func TestIsBinRole(t *testing.T) {
	for in, want := range map[string]bool{"bin-000": true, "bin-3ff": true, "bin-400": false, "bin-00": false, "targets": false, "bin-zz": false} {
		if IsBinRole(in) != want {
			t.Errorf("IsBinRole(%q) = %v", in, !want)
		}
	}
}

// BenchmarkAddTarget measures signing one new release into a repository
// that already holds 100,000 targets in hash bins: NeededBins, Next (one bin,
// snapshot, timestamp, all Ed25519-signed) — the pure part of a release
// signing, without storage.
func BenchmarkAddTarget(b *testing.B) {
	r := &testRepo{online: map[string]KeyPair{}}
	for range 3 {
		k, _ := GenerateKey(rand.Reader)
		r.root = append(r.root, k)
	}
	for _, role := range OnlineRoles {
		k, _ := GenerateKey(rand.Reader)
		r.online[role] = k
	}
	md, _ := NewRoot(r.spec(1, t0.AddDate(1, 0, 0)))
	root, _ := md.ToBytes(false)
	for _, k := range r.root[:2] {
		root, _ = SignRoot(root, k.Signer())
	}
	cur := Current{Root: root}
	files, err := Next(cur, Change{Add: manyTargets(100_000, 0)}, t0, DefaultPolicy, r.signers())
	if err != nil {
		b.Fatal(err)
	}
	cur = applyFiles(cur, files)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		change := Change{Add: manyTargets(1, 200_000+i)}
		need, _ := NeededBins(cur.Targets, change, t0, DefaultPolicy)
		if len(need) != 1 {
			b.Fatal(need)
		}
		files, err := Next(cur, change, t0, DefaultPolicy, r.signers())
		if err != nil {
			b.Fatal(err)
		}
		cur = applyFiles(cur, files)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "targets/s")
}
