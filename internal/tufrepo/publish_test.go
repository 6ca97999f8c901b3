package tufrepo

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
)

func target(path string, data []byte) Target {
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	return Target{Path: path, Length: int64(len(data)), SHA256: s256[:], SHA512: s512[:],
		Custom: MarshalCustom(Custom{Product: "acme/plug", Version: "1.0.0", ReleasedAt: t0})}
}

// TestPublishVerifiesWithGoTUFClient checks what Next produces with go-tuf's
// own client-side verification (the trusted metadata set), as a device would.
func TestPublishVerifiesWithGoTUFClient(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	img := []byte("firmware image 1.0.0")
	files, err := Next(Current{Root: root}, Change{Add: []Target{target("1.0.0/plug.bin", img)}}, t0, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	if got := roles(files); !slices.Equal(got, []string{Targets, Snapshot, Timestamp}) {
		t.Fatalf("roles = %v", got)
	}
	cur := applyFiles(Current{Root: root}, files)

	trusted, err := trustedmetadata.New(root)
	if err != nil {
		t.Fatal(err)
	}
	trusted.RefTime = t0.Add(time.Hour)
	if _, err := trusted.UpdateTimestamp(cur.Timestamp); err != nil {
		t.Fatalf("timestamp: %v", err)
	}
	if _, err := trusted.UpdateSnapshot(cur.Snapshot, false); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	tg, err := trusted.UpdateTargets(cur.Targets)
	if err != nil {
		t.Fatalf("targets: %v", err)
	}
	tf := tg.Signed.Targets["1.0.0/plug.bin"]
	if tf == nil {
		t.Fatal("target missing")
	}
	if err := tf.VerifyLengthHashes(img); err != nil {
		t.Fatal(err)
	}
	c, err := ParseCustom(*tf.Custom)
	if err != nil || c.Product != "acme/plug" {
		t.Fatalf("custom = %+v, %v", c, err)
	}
	if files[0].Name() != "1.targets.json" || files[2].Name() != "timestamp.json" {
		t.Errorf("names %s %s", files[0].Name(), files[2].Name())
	}
}

func TestNextReSignsOnlyWhatIsDue(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	files, err := Next(Current{Root: root}, Change{}, t0, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	cur := applyFiles(Current{Root: root}, files)

	tests := []struct {
		name   string
		at     time.Time
		change Change
		want   []string
	}{
		{"nothing due", t0.Add(11 * time.Hour), Change{}, nil},
		{"timestamp past half its life", t0.Add(13 * time.Hour), Change{}, []string{Timestamp}},
		{"snapshot past half its life", t0.Add(4 * 24 * time.Hour), Change{}, []string{Snapshot, Timestamp}},
		{"targets past half its life", t0.Add(200 * 24 * time.Hour), Change{}, []string{Targets, Snapshot, Timestamp}},
		{"new targets", t0.Add(time.Minute), Change{Add: []Target{target("2.0.0/a.bin", []byte("x"))}}, []string{Targets, Snapshot, Timestamp}},
		{"forced timestamp", t0.Add(time.Minute), Change{Resign: []string{Timestamp}}, []string{Timestamp}},
		{"forced targets after a key change", t0.Add(time.Minute), Change{Resign: []string{Targets}}, []string{Targets, Snapshot, Timestamp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Next(cur, tt.change, tt.at, DefaultPolicy, r.signers())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(roles(got), tt.want) {
				t.Fatalf("re-signed %v, want %v", roles(got), tt.want)
			}
			for _, f := range got {
				if f.Version != 2 {
					t.Errorf("%s version %d, want 2", f.Role, f.Version)
				}
			}
			// The new state must still verify.
			next := applyFiles(cur, got)
			trusted, _ := trustedmetadata.New(root)
			trusted.RefTime = tt.at
			if _, err := trusted.UpdateTimestamp(next.Timestamp); err != nil {
				t.Fatal(err)
			}
			if _, err := trusted.UpdateSnapshot(next.Snapshot, false); err != nil {
				t.Fatal(err)
			}
			if _, err := trusted.UpdateTargets(next.Targets); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNextRefuses(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	wrong := r.signers()
	wrong[Snapshot] = []signature.Signer{mustKey(t).Signer()}
	tests := []struct {
		name    string
		change  Change
		signers Signers
	}{
		{"duplicate target", Change{Add: []Target{target("1/a.bin", []byte("a")), target("1/a.bin", []byte("b"))}}, r.signers()},
		{"bad target path", Change{Add: []Target{target("../a.bin", []byte("a"))}}, r.signers()},
		{"missing hash", Change{Add: []Target{{Path: "1/a.bin", Length: 1}}}, r.signers()},
		{"no key for a role", Change{}, Signers{Targets: r.signers()[Targets]}},
		{"key the root does not list", Change{}, wrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if files, err := Next(Current{Root: root}, tt.change, t0, DefaultPolicy, tt.signers); err == nil {
				t.Fatalf("accepted: %v", roles(files))
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Policy{{}, {Targets: time.Hour, Snapshot: 2 * time.Hour, Timestamp: time.Minute}, {Targets: time.Hour, Snapshot: time.Hour, Timestamp: 2 * time.Hour}}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}

func TestRefreshAt(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	if at, err := RefreshAt(Current{Root: root}, DefaultPolicy); err != nil || !at.IsZero() {
		t.Fatalf("unpublished: %v, %v", at, err)
	}
	files, err := Next(Current{Root: root}, Change{}, t0, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	at, err := RefreshAt(applyFiles(Current{Root: root}, files), DefaultPolicy)
	if err != nil || !at.Equal(t0.Add(12*time.Hour)) {
		t.Fatalf("RefreshAt = %v, %v; want timestamp half-life %v", at, err, t0.Add(12*time.Hour))
	}
	// At that moment Next re-signs exactly the timestamp.
	got, _ := Next(applyFiles(Current{Root: root}, files), Change{}, at.Add(time.Second), DefaultPolicy, r.signers())
	if !slices.Equal(roles(got), []string{Timestamp}) {
		t.Fatalf("at RefreshAt, re-signed %v", roles(got))
	}
}

// TestControlCharactersInCustomStayValidJSON: canonical JSON leaves control
// characters raw inside strings; the files Lifeline writes must still parse
// and verify in every client.
func TestControlCharactersInCustomStayValidJSON(t *testing.T) {
	r := newTestRepo(t)
	root := signedRoot(t, r.spec(1, t0.AddDate(1, 0, 0)), r.root[0], r.root[1])
	tg := target("1.0.0/plug.bin", []byte("img"))
	tg.Custom = MarshalCustom(Custom{Product: "acme/plug", Version: "1.0.0", Notes: "fixes\tthings\r\x01", ReleasedAt: t0})
	files, err := Next(Current{Root: root}, Change{Add: []Target{tg}}, t0, DefaultPolicy, r.signers())
	if err != nil {
		t.Fatal(err)
	}
	cur := applyFiles(Current{Root: root}, files)
	if !json.Valid(cur.Targets) {
		t.Fatalf("targets metadata is not valid JSON: %q", cur.Targets)
	}
	tf := verifyTarget(t, root, cur, t0, "1.0.0/plug.bin")
	if c, err := ParseCustom(*tf.Custom); err != nil || c.Notes != "fixes\tthings\r\x01" {
		t.Fatalf("notes = %q, %v", c.Notes, err)
	}
	if _, err := RefreshAt(cur, DefaultPolicy); err != nil {
		t.Fatal(err)
	}
}
