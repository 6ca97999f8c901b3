package engine

// The attacks TUF defends against (theupdateframework.io/security), each
// run against a live Lifeline server through a malicious proxy (mitm). Every
// test checks the error the agent gives, that nothing was installed, and,
// where the attack can stop, that the agent then works again.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/agent/download"
	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// TestRollbackAttack: the repository legitimately signs an older release
// (0.9.0, below the 1.0.0 the device runs); an attacker who offers it, or a
// mistaken server, must not downgrade the device to its known flaws.
func TestRollbackAttack(t *testing.T) {
	r := newRepo(t)
	old := r.publish("0.9.0", image("0.9.0", 4000), registry.Release{})
	m := newMITM(t, r.url)
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	var events []Event
	e.cfg.Notify = func(ev Event) { events = append(events, ev) }
	slots := d.slotFiles(t)

	err := e.Apply(context.Background(), old)
	var ref refusal
	if !errors.As(err, &ref) || !strings.Contains(err.Error(), "older than the installed 1.0.0") {
		t.Fatalf("Apply(0.9.0) = %v, want a rollback refusal", err)
	}
	if len(events) != 1 || events[0].Kind != "refused" || events[0].Version != "0.9.0" {
		t.Errorf("events: %+v, want one refusal of 0.9.0", events)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	// A rollback the targets role allows is installed. The server has no
	// way to sign allow_rollback yet (registry.Release has no such field,
	// though tufrepo.Custom does), so this half checks the agent's side: it
	// reads the flag as the server would sign it, and Decide accepts the
	// same live, signed 0.9.0 once the flag is set.
	_, facts, err := e.Verify(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	dev := Device{Product: "acme/smart-plug", HardwareRevision: "rev-a", Installed: "1.0.0"}
	if _, err := Decide(facts, dev); !errors.As(err, &ref) {
		t.Fatalf("Decide(%+v) = %v, want a refusal", facts, err)
	}
	custom := tufrepo.MarshalCustom(tufrepo.Custom{Product: facts.Product, Version: facts.Version, AllowRollback: true})
	allowed, err := ParseFacts(&custom)
	if err != nil || !allowed.AllowRollback {
		t.Fatalf("ParseFacts(%s) = %+v, %v; want allow_rollback", custom, allowed, err)
	}
	if dec, err := Decide(allowed, dev); err != nil || dec != Install {
		t.Fatalf("Decide with allow_rollback = %v, %v; want Install", dec, err)
	}
}

// TestFreezeAttackExpiredTimestamp: a mirror (here the proxy) keeps serving
// the metadata it captured a day ago, hiding what the server signed since.
// Once the agent's clock passes the timestamp's expiry, it refuses it.
func TestFreezeAttackExpiredTimestamp(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	m := newMITM(t, r.url)
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	if _, _, err := e.Verify(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	frozen := m.fetch("metadata/timestamp.json")
	m.on(named("metadata/timestamp.json"), serveBytes(frozen))

	// A day and an hour later the server has re-signed (timestamps live 24
	// hours); the proxy still serves yesterday's.
	r.env.Clock.Advance(25 * time.Hour)
	if n, err := r.env.Service.RefreshRepositories(context.Background()); err != nil || n != 1 {
		t.Fatalf("RefreshRepositories = %d, %v", n, err)
	}
	slots := d.slotFiles(t)
	err := e.Apply(context.Background(), target)
	if !errors.Is(err, &metadata.ErrExpiredMetadata{}) || !strings.Contains(err.Error(), "timestamp.json is expired") {
		t.Fatalf("Apply with an expired timestamp = %v, want an expired-metadata error", err)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	m.stop()
	applies(t, e, target)
}

// TestFreezeAttackReplayedTimestamp: the device has seen timestamp version
// N; the proxy replays version N-1, captured before a newer release was
// signed, to hide that release. It has not expired, so only the version
// check stands in the way.
func TestFreezeAttackReplayedTimestamp(t *testing.T) {
	r := newRepo(t)
	r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	m := newMITM(t, r.url)
	captured := m.fetch("metadata/timestamp.json")
	target := r.publish("1.2.0", image("1.2.0", 5000), registry.Release{SecurityUpdate: true})
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	if _, _, err := e.Verify(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	seen, replayed := signedVersion(t, m.fetch("metadata/timestamp.json")), signedVersion(t, captured)
	if replayed >= seen {
		t.Fatalf("captured timestamp version %d, current %d: nothing to replay", replayed, seen)
	}
	m.on(named("metadata/timestamp.json"), serveBytes(captured))

	slots := d.slotFiles(t)
	err := e.Apply(context.Background(), target)
	want := fmt.Sprintf("new timestamp version %d must be >= %d", replayed, seen)
	if !errors.Is(err, &metadata.ErrBadVersionNumber{}) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Apply with a replayed timestamp = %v, want %q", err, want)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	m.stop()
	applies(t, e, target)
}

// TestArbitrarySoftwareAttack: the agent installs only images the targets
// role signed, byte for byte.
func TestArbitrarySoftwareAttack(t *testing.T) {
	r := newRepo(t)
	img := image("1.1.0", 300_000) // several reads of download's 64 KiB buffer
	target := r.publish("1.1.0", img, registry.Release{})
	evil := image("6.6.6", len(img))

	t.Run("unsigned target", func(t *testing.T) {
		m := newMITM(t, r.url)
		m.on(isImage, serveBytes(evil)) // would serve anything asked for
		d := newDevice(t, image("1.0.0", 1000))
		e := r.engineVia(t, d, m)
		slots := d.slotFiles(t)
		err := e.Apply(context.Background(), "6.6.6/fw.bin")
		if err == nil || !strings.Contains(err.Error(), "6.6.6/fw.bin is not in the signed metadata: target 6.6.6/fw.bin not found") {
			t.Fatalf("Apply(unsigned target) = %v, want not in the signed metadata", err)
		}
		nothingInstalled(t, e, d, slots, state.Idle)
		noImageRequested(t, m)
	})

	for _, tc := range []struct {
		name  string
		serve http.HandlerFunc
		want  error
	}{
		{"same length, other bytes", serveBytes(evil), download.ErrHashMismatch},
		{"signed image with its end changed", serveBytes(append(img[:len(img)-1:len(img)-1], 'X')), download.ErrHashMismatch},
		{"truncated, length announced", serveBytes(img[:len(img)/2]), download.ErrLengthMismatch},
		{"truncated, length not announced", serveUnannounced(img[:len(img)/2]), download.ErrLengthMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMITM(t, r.url)
			m.on(isImage, tc.serve)
			d := newDevice(t, image("1.0.0", 1000))
			e := r.engineVia(t, d, m)
			slots := d.slotFiles(t)
			if err := e.Apply(context.Background(), target); !errors.Is(err, tc.want) {
				t.Fatalf("Apply = %v, want %v", err, tc.want)
			}
			// Refused bytes abandon the update: the agent is idle again,
			// free to take the next offer, and nothing is left on disk.
			nothingInstalled(t, e, d, slots, state.Idle)

			m.stop()
			applies(t, e, target)
		})
	}
}

// TestMixAndMatchAttack: the proxy answers a request for the current
// snapshot or targets metadata with the same role's file from an older
// state of the repository — correctly signed, but not the one the newer
// metadata above it names by version, length and hash.
func TestMixAndMatchAttack(t *testing.T) {
	r := newRepo(t)
	r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	m := newMITM(t, r.url)
	oldTimestamp := parseTimestamp(t, m.fetch("metadata/timestamp.json"))
	oldSnapshotName := fmt.Sprintf("metadata/%d.snapshot.json", oldTimestamp.Signed.Meta["snapshot.json"].Version)
	oldSnapshotJSON := m.fetch(oldSnapshotName)
	oldSnapshot := parseSnapshot(t, oldSnapshotJSON)
	oldTargetsJSON := m.fetch(fmt.Sprintf("metadata/%d.targets.json", oldSnapshot.Signed.Meta["targets.json"].Version))

	target := r.publish("1.2.0", image("1.2.0", 5000), registry.Release{SecurityUpdate: true})
	timestamp := parseTimestamp(t, m.fetch("metadata/timestamp.json"))
	snapshot := parseSnapshot(t, m.fetch(fmt.Sprintf("metadata/%d.snapshot.json", timestamp.Signed.Meta["snapshot.json"].Version)))

	for _, tc := range []struct {
		role     string
		old      []byte
		current  *metadata.MetaFiles // what the newer metadata says of the role
		previous int64               // the old file's version
	}{
		{"snapshot", oldSnapshotJSON, timestamp.Signed.Meta["snapshot.json"], oldSnapshot.Signed.Version},
		{"targets", oldTargetsJSON, snapshot.Signed.Meta["targets.json"], oldSnapshot.Signed.Meta["targets.json"].Version},
	} {
		t.Run(tc.role, func(t *testing.T) {
			if tc.previous >= tc.current.Version {
				t.Fatalf("old %s version %d, current %d", tc.role, tc.previous, tc.current.Version)
			}
			m := newMITM(t, r.url)
			m.on(named(fmt.Sprintf("metadata/%d.%s.json", tc.current.Version, tc.role)), serveBytes(tc.old))
			d := newDevice(t, image("1.0.0", 1000))
			e := r.engineVia(t, d, m)
			slots := d.slotFiles(t)
			err := e.Apply(context.Background(), target)
			// The newer metadata signs the role's length and hash: a longer
			// file is cut off while downloading, another is refused by hash.
			var tooLong *metadata.ErrDownloadLengthMismatch
			if int64(len(tc.old)) > tc.current.Length {
				if !errors.As(err, &tooLong) {
					t.Fatalf("Apply = %v, want a download length mismatch", err)
				}
			} else if !errors.Is(err, &metadata.ErrLengthOrHashMismatch{}) {
				t.Fatalf("Apply = %v, want a length or hash mismatch", err)
			}
			nothingInstalled(t, e, d, slots, state.Idle)
			noImageRequested(t, m)

			m.stop()
			applies(t, e, target)
		})
	}
}

// TestEndlessDataAttack: the proxy answers with a body that never ends. The
// agent stops reading at its limit for the file — go-tuf's maximum for root
// and timestamp, the signed length for snapshot, targets and the image —
// quickly and without buffering more than that.
func TestEndlessDataAttack(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 100_000), registry.Release{})
	for _, tc := range []struct {
		role  string
		match func(string) bool
		max   int64 // go-tuf's default limit for the role
		exact bool  // the limit is max itself (no signed length to go by)
	}{
		{"root", named("metadata/2.root.json"), 512_000, true}, // the device trusts root 1
		{"timestamp", named("metadata/timestamp.json"), 16_384, true},
		{"snapshot", suffixed(".snapshot.json"), 2_000_000, false},
		{"targets", suffixed(".targets.json"), 5_000_000, false},
		{"image", isImage, 0, false},
	} {
		t.Run(tc.role, func(t *testing.T) {
			m := newMITM(t, r.url)
			var body endless
			m.on(tc.match, body.serve)
			d := newDevice(t, image("1.0.0", 1000))
			e := r.engineVia(t, d, m)
			slots := d.slotFiles(t)

			// go-tuf reads metadata into memory, up to the limit; the image
			// goes to disk through a fixed buffer. Either way the agent
			// allocates little; a missing limit would allocate without end.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := m.within(20*time.Second, 64<<20, func() error { return e.Apply(ctx, target) })
			t.Logf("%v; the proxy wrote %d bytes before the agent hung up", err, body.sent.Load())

			if tc.role == "image" {
				if !errors.Is(err, download.ErrTooLong) {
					t.Fatalf("Apply = %v, want %v", err, download.ErrTooLong)
				}
				nothingInstalled(t, e, d, slots, state.Idle)
			} else {
				var tooLong *metadata.ErrDownloadLengthMismatch
				if !errors.As(err, &tooLong) {
					t.Fatalf("Apply = %v, want a download length mismatch", err)
				}
				limit := readLimit(t, err)
				if limit > tc.max || (tc.exact && limit != tc.max) {
					t.Fatalf("read limit %d, go-tuf's maximum for %s is %d", limit, tc.role, tc.max)
				}
				nothingInstalled(t, e, d, slots, state.Idle)
				noImageRequested(t, m)
			}

			m.stop()
			applies(t, e, target)
		})
	}
}

// readLimit returns the limit go-tuf's fetcher names in its error.
func readLimit(t *testing.T, err error) int64 {
	t.Helper()
	match := regexp.MustCompile(`is larger than expected (\d+)`).FindStringSubmatch(err.Error())
	if match == nil {
		t.Fatalf("no read limit in %q", err)
	}
	n, _ := strconv.ParseInt(match[1], 10, 64)
	return n
}

// TestWrongHardwareAttack: a release signed for hardware rev-b only is
// offered to a rev-a device, which would not boot it (or worse).
func TestWrongHardwareAttack(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{HardwareRevisions: []string{"rev-b"}})
	m := newMITM(t, r.url)
	d := newDevice(t, image("1.0.0", 1000))
	e := r.engineVia(t, d, m)
	slots := d.slotFiles(t)
	err := e.Apply(context.Background(), target)
	var ref refusal
	if !errors.As(err, &ref) || !strings.Contains(err.Error(), `the release is for hardware [rev-b], not "rev-a"`) {
		t.Fatalf("Apply = %v, want a hardware refusal", err)
	}
	nothingInstalled(t, e, d, slots, state.Idle)
	noImageRequested(t, m)

	// The same release installs on a rev-b device.
	rb := newDevice(t, image("1.0.0", 1000))
	eb := r.engineVia(t, rb, m)
	eb.cfg.Device.HardwareRevision = "rev-b"
	applies(t, eb, target)
}

// TestWrongProductAttack: the proxy serves another product's repository —
// same manufacturer, same server, correctly signed, but under other root
// keys — in place of the device's own.
func TestWrongProductAttack(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	bulb := r.addProduct("smart-bulb")
	bulb.publish("1.1.0", image("bulb 1.1.0", 5000), registry.Release{})

	t.Run("whole repository", func(t *testing.T) {
		m := newMITM(t, bulb.url)
		d := newDevice(t, image("1.0.0", 1000))
		e := r.engineVia(t, d, m)
		slots := d.slotFiles(t)
		err := e.Apply(context.Background(), target)
		if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) || !strings.Contains(err.Error(), "timestamp") {
			t.Fatalf("Apply = %v, want the other product's timestamp refused as unsigned", err)
		}
		nothingInstalled(t, e, d, slots, state.Idle)
		noImageRequested(t, m)

		m.forwardTo(r.url)
		applies(t, e, target)
	})
	t.Run("root as the next root", func(t *testing.T) {
		m := newMITM(t, r.url)
		m.on(named("metadata/2.root.json"), serveBytes(bulb.root))
		d := newDevice(t, image("1.0.0", 1000))
		e := r.engineVia(t, d, m)
		slots := d.slotFiles(t)
		err := e.Apply(context.Background(), target)
		if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) || !strings.Contains(err.Error(), "root") {
			t.Fatalf("Apply = %v, want the other product's root refused as unsigned", err)
		}
		nothingInstalled(t, e, d, slots, state.Idle)
		noImageRequested(t, m)

		m.stop()
		applies(t, e, target)
	})
	t.Run("signed for another product", func(t *testing.T) {
		// Defence in depth behind the keys: a bulb that trusts the plug's
		// repository (a firmware build shipped with the wrong root, or one
		// repository's keys reused) still refuses the plug's release, by
		// the product its signed facts name.
		m := newMITM(t, r.url)
		d := newDevice(t, image("1.0.0", 1000))
		e := r.engineVia(t, d, m)
		e.cfg.Device.Product = "acme/smart-bulb"
		slots := d.slotFiles(t)
		err := e.Apply(context.Background(), target)
		var ref refusal
		if !errors.As(err, &ref) || !strings.Contains(err.Error(), `the release is for "acme/smart-plug", not "acme/smart-bulb"`) {
			t.Fatalf("Apply = %v, want a product refusal", err)
		}
		nothingInstalled(t, e, d, slots, state.Idle)
		noImageRequested(t, m)
	})
}

func signedVersion(t *testing.T, b []byte) int64 {
	t.Helper()
	var md struct {
		Signed struct {
			Version int64 `json:"version"`
		} `json:"signed"`
	}
	if err := json.Unmarshal(b, &md); err != nil {
		t.Fatal(err)
	}
	return md.Signed.Version
}

func parseTimestamp(t *testing.T, b []byte) *metadata.Metadata[metadata.TimestampType] {
	t.Helper()
	md, err := metadata.Timestamp().FromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func parseSnapshot(t *testing.T, b []byte) *metadata.Metadata[metadata.SnapshotType] {
	t.Helper()
	md, err := metadata.Snapshot().FromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return md
}
