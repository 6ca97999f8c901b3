package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestUpdateRepositoryWorkflow drives the whole key ceremony and release
// flow through the command line: online keys on the server, root keys made
// and used offline, a signed release, an export served by a plain static
// file server and read by go-tuf's client, then an online key rotation.
func TestUpdateRepositoryWorkflow(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	t.Setenv("LIFELINE_SERVER", env.URL)
	t.Setenv("LIFELINE_TOKEN", org.Tokens[access.Owner])
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }

	mustRun(t, "product", "create", "--name", "Smart Plug", "--model", "SP-1", "--category", "Smart plug")
	mustRun(t, "product", "revision", "add", "smart-plug", "rev-a")
	out := mustRun(t, "tuf", "status", "smart-plug")
	if !strings.Contains(out, "not set up") {
		t.Fatalf("status before setup: %s", out)
	}
	mustRun(t, "tuf", "keys", "create", "smart-plug")
	online := mustRun(t, "tuf", "status", "smart-plug", "-o", "json")
	must(t, os.WriteFile(file("online.json"), []byte(online), 0o600))

	code, _, errOut := run(t, "", "keys", "generate", file("nopass.key"))
	if code != 2 || !strings.Contains(errOut, "LIFELINE_KEY_PASSPHRASE") {
		t.Fatalf("generate without a passphrase: exit %d: %s", code, errOut)
	}
	for _, k := range []string{"root-1.key", "root-2.key", "root-3.key"} {
		mustRun(t, "keys", "generate", "--insecure-no-passphrase", file(k))
	}
	if fi, err := os.Stat(file("root-1.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file mode: %v %v", fi.Mode(), err)
	}
	out = mustRun(t, "keys", "root", "create", "--online-keys", file("online.json"),
		"--root-key", file("root-1.key"), "--root-key", file("root-2.key"), "--root-public", file("root-3.key.pub"),
		"--threshold", "2", "--out", file("1.root.json"))
	if !strings.Contains(out, "2 of 3 root keys") {
		t.Fatalf("root create: %s", out)
	}
	mustRun(t, "keys", "root", "verify", file("1.root.json"))

	// One signature of two is refused by the server, and changes nothing.
	mustRun(t, "keys", "root", "create", "--online-keys", file("online.json"),
		"--root-key", file("root-1.key"), "--root-public", file("root-2.key.pub"), "--root-public", file("root-3.key.pub"),
		"--threshold", "2", "--out", file("weak.root.json"))
	code, _, errOut = run(t, "", "tuf", "root", "install", "smart-plug", file("weak.root.json"))
	if code != 1 || !strings.Contains(errOut, "threshold") {
		t.Fatalf("install under-signed root: exit %d: %s", code, errOut)
	}
	mustRun(t, "tuf", "root", "install", "smart-plug", file("1.root.json"))

	image := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 300_000)
	must(t, os.WriteFile(file("plug-1.0.0.bin"), image, 0o644))
	mustRun(t, "release", "create", "smart-plug", "1.0.0", "--security", "--hardware-revision", "rev-a")
	code, _, errOut = run(t, "", "release", "create", "smart-plug", "1.0.1", "--hardware-revision", "rev-z")
	if code != 1 || !strings.Contains(errOut, "rev-z") {
		t.Fatalf("unknown hardware revision: exit %d: %s", code, errOut)
	}
	out = mustRun(t, "release", "upload", "smart-plug", "1.0.0", file("plug-1.0.0.bin"), "--sign")
	if !strings.Contains(out, "signed into the update repository") {
		t.Fatalf("upload: %s", out)
	}
	code, _, errOut = run(t, "", "release", "upload", "smart-plug", "1.0.0", file("plug-1.0.0.bin"))
	if code != 1 || !strings.Contains(errOut, "cannot change") {
		t.Fatalf("replacing a signed image: exit %d: %s", code, errOut)
	}
	out = mustRun(t, "release", "list", "smart-plug")
	if !strings.Contains(out, "security") || !strings.Contains(out, "plug-1.0.0.bin") {
		t.Fatalf("release list: %s", out)
	}

	// Attach a real SBOM (Yocto SPDX 3) and read it back.
	out = mustRun(t, "release", "sbom", "upload", "smart-plug", "1.0.0", filepath.Join("..", "sbom", "testdata", "yocto-core-image-minimal.spdx3.json"))
	if !strings.Contains(out, "spdx-3.0.1-json-ld") {
		t.Fatalf("sbom upload: %s", out)
	}
	if out := mustRun(t, "release", "sbom", "show", "smart-plug", "1.0.0"); !strings.Contains(out, "libz1") {
		t.Fatalf("sbom show: %s", out)
	}

	// Roll it out, and manage the rollout.
	out = mustRun(t, "rollout", "create", "smart-plug", "1.0.0", "--phases", "10,50,100", "--soak", "2h", "--pause-at", "5%", "--hardware", "rev-a", "--window", "01:00-05:00")
	if !strings.Contains(out, "phase 1 of 3 (10% of targeted devices)") {
		t.Fatalf("rollout create: %s", out)
	}
	var ros []struct{ ID string }
	must(t, json.Unmarshal([]byte(mustRun(t, "rollout", "list", "--product", "smart-plug", "-o", "json")), &ros))
	if len(ros) != 1 {
		t.Fatalf("rollouts: %+v", ros)
	}
	if out := mustRun(t, "rollout", "pause", ros[0].ID, "--reason", "waiting for QA"); !strings.Contains(out, "paused") {
		t.Fatalf("pause: %s", out)
	}
	code, _, errOut = run(t, "", "rollout", "create", "smart-plug", "1.0.0", "--phases", "50,10")
	if code != 1 || !strings.Contains(errOut, "phases") {
		t.Fatalf("bad phases: exit %d: %s", code, errOut)
	}
	out = mustRun(t, "device", "enrolment-token", "create", "smart-plug", "--name", "factory run 1", "--days", "30")
	if !strings.Contains(out, "lle_") {
		t.Fatalf("enrolment token: %s", out)
	}

	// Export, serve the directory statically, and let go-tuf fetch from it.
	mustRun(t, "tuf", "export", "smart-plug", file("mirror"))
	mirror := httptest.NewServer(http.FileServer(http.Dir(file("mirror"))))
	defer mirror.Close()
	root1, _ := os.ReadFile(file("1.root.json"))
	cfg, err := config.New(mirror.URL+"/metadata", root1)
	must(t, err)
	cfg.RemoteTargetsURL = mirror.URL + "/targets"
	cfg.LocalMetadataDir, cfg.LocalTargetsDir = t.TempDir(), t.TempDir()
	up, err := updater.New(cfg)
	must(t, err)
	up.UnsafeSetRefTime(env.Clock.Now())
	must(t, up.Refresh())
	info, err := up.GetTargetInfo("1.0.0/plug-1.0.0.bin")
	must(t, err)
	_, got, err := up.DownloadTarget(info, "", "")
	must(t, err)
	if !bytes.Equal(got, image) {
		t.Fatal("image from the static mirror differs")
	}
	// A second export downloads nothing new.
	out = mustRun(t, "tuf", "export", "smart-plug", file("mirror"))
	if !strings.Contains(out, "exported 4 files") {
		t.Fatalf("second export: %s", out)
	}

	// Rotate the timestamp key: a pending key, then root 2 signed by the old root keys.
	mustRun(t, "tuf", "keys", "create", "smart-plug", "--role", "timestamp")
	online = mustRun(t, "tuf", "status", "smart-plug", "-o", "json")
	must(t, os.WriteFile(file("online2.json"), []byte(online), 0o600))
	mustRun(t, "keys", "root", "create", "--previous", file("1.root.json"), "--online-keys", file("online2.json"),
		"--sign-key", file("root-1.key"), "--out", file("2.root.json"))
	mustRun(t, "keys", "root", "sign", file("2.root.json"), "--key", file("root-3.key"))
	mustRun(t, "keys", "root", "verify", file("2.root.json"), "--previous", file("1.root.json"))
	mustRun(t, "tuf", "root", "install", "smart-plug", file("2.root.json"))
	var st struct {
		Repository struct {
			RootVersion int `json:"root_version"`
		} `json:"repository"`
		Keys []struct{ Role, State string } `json:"online_keys"`
	}
	must(t, json.Unmarshal([]byte(mustRun(t, "tuf", "status", "smart-plug", "-o", "json")), &st))
	states := map[string]int{}
	for _, k := range st.Keys {
		states[k.Role+" "+k.State]++
	}
	if st.Repository.RootVersion != 2 || states["timestamp active"] != 1 || states["timestamp retired"] != 1 || states["targets active"] != 1 {
		t.Fatalf("after rotation: root %d, keys %v", st.Repository.RootVersion, states)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
