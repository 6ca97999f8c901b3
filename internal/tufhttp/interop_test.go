package tufhttp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// newUpdater is go-tuf's own client, pointed at a Lifeline repository and
// trusting root version 1, as a freshly flashed device would.
func newUpdater(t *testing.T, m *manufacturer, root []byte) *updater.Updater {
	t.Helper()
	cfg, err := config.New(m.baseURL()+"metadata", root)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RemoteTargetsURL = m.baseURL() + "targets"
	cfg.LocalMetadataDir = filepath.Join(t.TempDir(), "metadata")
	cfg.LocalTargetsDir = filepath.Join(t.TempDir(), "targets")
	for _, d := range []string{cfg.LocalMetadataDir, cfg.LocalTargetsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	up, err := updater.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	up.UnsafeSetRefTime(clockAt(m.env))
	return up
}

// TestGoTUFClientDownloadsSignedRelease: a manufacturer sets up a product's
// repository, publishes a release, and go-tuf's updater — an independent TUF
// client — refreshes, finds and downloads it, verifying every signature,
// length and hash.
func TestGoTUFClientDownloadsSignedRelease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, env *testenv.Env) {
		m := newManufacturer(t, env)
		m.setUp()
		image := bytes.Repeat([]byte("firmware 1.0.0 "), 70000) // about 1 MB
		m.release("1.0.0", image, `,"hardware_revisions":["rev-a"],"security_update":true`)

		up := newUpdater(t, m, m.root)
		if err := up.Refresh(); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		info, err := up.GetTargetInfo("1.0.0/plug.bin")
		if err != nil {
			t.Fatalf("target info: %v", err)
		}
		custom, err := tufrepo.ParseCustom(*info.Custom)
		if err != nil {
			t.Fatal(err)
		}
		if custom.Product != "acme/smart-plug" || custom.Version != "1.0.0" || !custom.SecurityUpdate || len(custom.HardwareRevisions) != 1 {
			t.Fatalf("custom = %+v", custom)
		}
		path, data, err := up.DownloadTarget(info, "", "")
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if !bytes.Equal(data, image) {
			t.Fatal("downloaded image differs")
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}

		// A second release: the same client sees it after a refresh.
		m.release("1.1.0", []byte("firmware 1.1.0"), "")
		up2 := newUpdater(t, m, m.root)
		if err := up2.Refresh(); err != nil {
			t.Fatal(err)
		}
		if _, err := up2.GetTargetInfo("1.1.0/plug.bin"); err != nil {
			t.Fatalf("second release: %v", err)
		}
		if _, err := up2.GetTargetInfo("1.0.0/plug.bin"); err != nil {
			t.Fatalf("first release gone: %v", err)
		}
	})
}

// TestRootRotationAfterOnlineKeyCompromise: the timestamp key leaks; the
// manufacturer makes a new one and installs root version 2 (signed by the
// old and new root thresholds) that replaces it. A device that trusts only
// root 1 follows the chain, and metadata signed by the leaked key no
// longer verifies.
func TestRootRotationAfterOnlineKeyCompromise(t *testing.T) {
	forEachBackend(t, func(t *testing.T, env *testenv.Env) {
		m := newManufacturer(t, env)
		m.setUp()
		m.release("1.0.0", []byte("image one"), "")
		root1 := m.root
		oldTimestampKey := keyID(t, m, "timestamp", tufrepo.KeyActive)

		m.call("POST", "/api/v1/products/smart-plug/update-repository/keys", "application/json", `{"roles":["timestamp"]}`, 201)
		if keyID(t, m, "timestamp", tufrepo.KeyPending) == "" {
			t.Fatal("no pending timestamp key")
		}
		// Also rotate a root key: root[2] is replaced by a new key.
		newRootKey, _ := tufrepo.GenerateKey(strings.NewReader(strings.Repeat("k", 64)))
		keys2 := append(m.rootKeys[:2:2], newRootKey)
		root2 := m.buildRoot(2, keys2, m.rootKeys[0], m.rootKeys[1], newRootKey)
		m.call("PUT", "/api/v1/products/smart-plug/update-repository/root", "application/json", root2, 200)
		m.root = root2

		if keyID(t, m, "timestamp", tufrepo.KeyActive) == oldTimestampKey {
			t.Fatal("old timestamp key still active")
		}
		if keyID(t, m, "timestamp", tufrepo.KeyRetired) != oldTimestampKey {
			t.Fatal("old timestamp key not retired")
		}

		up := newUpdater(t, m, root1)
		if err := up.Refresh(); err != nil {
			t.Fatalf("refresh across the rotation: %v", err)
		}
		if v := up.GetTrustedMetadataSet().Root.Signed.Version; v != 2 {
			t.Fatalf("client trusts root %d, want 2", v)
		}
		ts := up.GetTrustedMetadataSet().Timestamp
		if ts.Signatures[0].KeyID == oldTimestampKey {
			t.Fatal("timestamp still signed by the leaked key")
		}
		// Timestamp metadata signed by the leaked key fails under root 2.
		root2md, _ := metadata.Root().FromBytes(root2)
		forged := metadata.Timestamp(clockAt(env).Add(time.Hour))
		forged.Signed.Version = 99
		if err := root2md.VerifyDelegate("timestamp", forged); err == nil {
			t.Fatal("unsigned timestamp verified")
		}
	})
}

// TestMetadataRefreshKeepsClientsWorking: after 13 hours the server
// re-signs the timestamp by itself, and a client whose clock moved on still
// verifies the repository.
func TestMetadataRefreshKeepsClientsWorking(t *testing.T) {
	env := testenv.NewSQLite(t)
	m := newManufacturer(t, env)
	m.setUp()
	m.release("1.0.0", []byte("image"), "")
	before := m.status().Roles["timestamp"].Version

	env.Clock.Advance(25 * time.Hour)
	up := newUpdater(t, m, m.root)
	if err := up.Refresh(); err == nil {
		t.Fatal("an expired timestamp verified")
	}
	n, err := env.Service.RefreshRepositories(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("refreshed %d, %v", n, err)
	}
	if after := m.status().Roles["timestamp"].Version; after != before+1 {
		t.Fatalf("timestamp version %d after refresh, want %d", after, before+1)
	}
	up = newUpdater(t, m, m.root)
	if err := up.Refresh(); err != nil {
		t.Fatalf("refresh after re-signing: %v", err)
	}
	if n, _ := env.Service.RefreshRepositories(t.Context()); n != 0 {
		t.Fatalf("refreshed %d repositories that were not due", n)
	}
}

// TestServingHeadersAndRanges checks caching headers and Range requests.
func TestServingHeadersAndRanges(t *testing.T) {
	env := testenv.NewSQLite(t)
	m := newManufacturer(t, env)
	m.setUp()
	image := []byte("0123456789abcdefghij")
	m.release("2.0.0", image, "")
	sum := sha256.Sum256(image)
	target := m.baseURL() + "targets/2.0.0/" + hex.EncodeToString(sum[:]) + ".plug.bin"

	get := func(url string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := testenv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	resp, body := get(target, map[string]string{"Range": "bytes=10-"})
	if resp.StatusCode != 206 || string(body) != "abcdefghij" || resp.Header.Get("Content-Range") != "bytes 10-19/20" {
		t.Fatalf("range: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	etag := resp.Header.Get("ETag")
	if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || etag == "" {
		t.Fatalf("target headers: %v", resp.Header)
	}
	if resp, _ := get(target, map[string]string{"If-None-Match": etag}); resp.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}

	resp, _ = get(m.baseURL()+"metadata/1.root.json", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("root: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = get(m.baseURL()+"metadata/timestamp.json", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, no-cache" {
		t.Fatalf("timestamp: %d %v", resp.StatusCode, resp.Header)
	}

	for _, path := range []string{
		"metadata/2.root.json",                                   // not yet
		"metadata/root.json",                                     // not a consistent-snapshot name
		"metadata/../../../etc/passwd",                           // traversal
		"targets/2.0.0/plug.bin",                                 // no hash prefix
		"targets/2.0.0/" + strings.Repeat("0", 64) + ".plug.bin", // wrong hash
		"targets/9.9.9/" + hex.EncodeToString(sum[:]) + ".plug.bin",
	} {
		// The traversal is redirected to its cleaned path by net/http (307);
		// everything else is 404. Nothing may be served.
		if resp, _ := get(m.baseURL()+path, nil); resp.StatusCode != 404 && resp.StatusCode != 307 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := get(env.URL+"/tuf/acme/other-product/metadata/1.root.json", nil); resp.StatusCode != 404 {
		t.Errorf("unknown product: %d", resp.StatusCode)
	}
}

func keyID(t *testing.T, m *manufacturer, role, state string) string {
	t.Helper()
	for _, k := range m.status().Keys {
		if k.Role == role && k.State == state {
			return k.KeyID
		}
	}
	return ""
}

// TestGoTUFClientFollowsHashBins: a product with more releases than
// BinThreshold has its targets in hash bins; go-tuf's client follows the
// succinct delegation over HTTP to find and download a release.
func TestGoTUFClientFollowsHashBins(t *testing.T) {
	env := testenv.NewSQLite(t)
	m := newManufacturer(t, env)
	m.setUp()
	m.signManyReleases(tufrepo.BinThreshold + 1) // enough to move the targets into hash bins
	m.release("1.0.0", []byte("the newest image"), "")

	up := newUpdater(t, m, m.root)
	if err := up.Refresh(); err != nil {
		t.Fatal(err)
	}
	if top := up.GetTopLevelTargets(); len(top) != 0 {
		t.Fatalf("top-level targets still lists %d targets", len(top))
	}
	for _, p := range []string{"1.0.0/plug.bin", "0.7.3/fw.bin", "0.20.48/fw.bin"} {
		info, err := up.GetTargetInfo(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, _, err := up.DownloadTarget(info, "", ""); err != nil {
			t.Fatalf("download %s: %v", p, err)
		}
	}
	if _, err := up.GetTargetInfo("0.99.99/fw.bin"); err == nil {
		t.Fatal("found a target that was never signed")
	}
}
