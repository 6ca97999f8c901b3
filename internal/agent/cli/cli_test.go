package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// TestInstallWithDirectoryInstaller runs the agent's command line against a
// live server: an application bundle installed through the directory
// installer, with a health check and a notification hook.
func TestInstallWithDirectoryInstaller(t *testing.T) {
	r := agenttest.New(t)
	img := agenttest.Image("1.1.0", 100_000)
	target := r.Publish("1.1.0", img, registry.Release{})
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "root.json"), r.Root, 0o644))
	events := filepath.Join(dir, "events.log")
	cfg := Config{
		Repository: r.URL, RootFile: filepath.Join(dir, "root.json"), StateDir: filepath.Join(dir, "state"),
		Product: agenttest.Product, HardwareRevision: "rev-a", Version: "1.0.0",
		Installer: "directory", BundleDir: filepath.Join(dir, "app"),
		HealthCheck: []string{"true"},
		Notify:      []string{"sh", "-c", `echo "$LIFELINE_EVENT $LIFELINE_VERSION" >> ` + events},
	}
	cfgPath := filepath.Join(dir, "agent.json")
	b, _ := json.Marshal(cfg)
	must(t, os.WriteFile(cfgPath, b, 0o644))

	var out, errOut bytes.Buffer
	if code := Main([]string{"-config", cfgPath, "install", target}, &out, &errOut); code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	got, err := os.ReadFile(filepath.Join(dir, "app", "current", "fw.bin"))
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("installed bundle: %v", err)
	}
	log, _ := os.ReadFile(events)
	for _, want := range []string{"update_available 1.1.0", "installing 1.1.0", "installed 1.1.0"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("notify hook did not hear %q:\n%s", want, log)
		}
	}
	out.Reset()
	if code := Main([]string{"-config", cfgPath, "status"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"installed": "1.1.0"`) {
		t.Fatalf("status: exit %d: %s", code, out.String())
	}
	// A release for other hardware is refused, and the exit code says so.
	other := r.Publish("1.2.0", agenttest.Image("1.2.0", 1000), registry.Release{HardwareRevisions: []string{"rev-b"}})
	errOut.Reset()
	if code := Main([]string{"-config", cfgPath, "install", other}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "hardware") {
		t.Fatalf("wrong hardware: exit %d: %s", code, errOut.String())
	}
}

func TestConfigValidation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	must(t, os.WriteFile(path, []byte(`{"repository":"ftp://x","installer":"zip","extra":1}`), 0o644))
	var out, errOut bytes.Buffer
	if code := Main([]string{"-config", path, "status"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "extra") {
		t.Fatalf("unknown field: exit %d: %s", code, errOut.String())
	}
	must(t, os.WriteFile(path, []byte(`{"repository":"ftp://x","installer":"zip"}`), 0o644))
	errOut.Reset()
	if code := Main([]string{"-config", path, "status"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "repository must be") || !strings.Contains(errOut.String(), "installer must be") {
		t.Fatalf("bad config: exit %d: %s", code, errOut.String())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStateDirLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockStateDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockStateDir(dir); err == nil || !strings.Contains(err.Error(), "another lifeline-agent") {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	again, err := lockStateDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}
