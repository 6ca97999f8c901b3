package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/agent/identity"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// syncBuffer is a bytes.Buffer safe for the daemon's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runUntil runs "lifeline-agent run" until done holds, and returns the
// exit code.
func runUntil(t *testing.T, cfgPath string, done func() bool) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut syncBuffer
	code := make(chan int, 1)
	go func() { code <- MainContext(ctx, []string{"-config", cfgPath, "run"}, &out, &errOut) }()
	for !done() {
		select {
		case c := <-code:
			t.Fatalf("run exited early with %d:\n%s%s", c, out.String(), errOut.String())
		case <-ctx.Done():
			t.Fatalf("timed out:\n%s%s", out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	return <-code, errOut.String()
}

// TestRunWithOwnerControls drives the command line end to end against a
// live repository and the fake device API: with updates off the daemon
// announces a security update but leaves it; a manual install works;
// with updates on (and the enrolment token deleted) it installs the next
// offer and reports it.
func TestRunWithOwnerControls(t *testing.T) {
	r := agenttest.New(t)
	target := r.Publish("1.1.0", agenttest.Image("1.1.0", 20_000), registry.Release{SecurityUpdate: true})
	api := agenttest.NewDeviceAPI(t, r.URL)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "root.json"), r.Root, 0o644))
	tokenFile := filepath.Join(dir, "token")
	must(t, os.WriteFile(tokenFile, []byte(api.Token+"\n"), 0o600))
	events := filepath.Join(dir, "events.log")
	cfg := Config{
		Repository: r.URL, RootFile: filepath.Join(dir, "root.json"), StateDir: filepath.Join(dir, "state"),
		Product: agenttest.Product, HardwareRevision: "rev-a", Version: "1.0.0",
		Installer: "directory", BundleDir: filepath.Join(dir, "app"),
		Notify: []string{"sh", "-c", `echo "$LIFELINE_EVENT $LIFELINE_VERSION $LIFELINE_DETAIL" >> ` + events},
		Server: api.URL, EnrolmentTokenFile: tokenFile, Serial: "SN-42", PollIntervalMax: "2s",
	}
	cfgPath := filepath.Join(dir, "agent.json")
	b, _ := json.Marshal(cfg)
	must(t, os.WriteFile(cfgPath, b, 0o644))
	cli := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Main(append([]string{"-config", cfgPath}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}

	if code, out := cli("updates", "off"); code != 0 || !strings.Contains(out, "automatic updates are off") {
		t.Fatalf("updates off: %d %s", code, out)
	}
	if code, out := cli("status"); code != 0 || !strings.Contains(out, `"auto_update": false`) || !strings.Contains(out, `"updates_held": "automatic updates are off"`) {
		t.Fatalf("status: %d %s", code, out)
	}
	api.SetOffer(&deviceapi.Offer{Target: target, Version: "1.1.0", SecurityUpdate: true, RolloutID: "r1"})
	deviceID := func() string {
		id, err := identity.Store{Dir: cfg.StateDir}.Load()
		if err != nil {
			return ""
		}
		return id.DeviceID
	}
	code, log := runUntil(t, cfgPath, func() bool {
		ev, _ := os.ReadFile(events)
		reps := api.Reports(deviceID())
		return strings.Contains(string(ev), "update_available 1.1.0 security update") && len(reps) >= 2
	})
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, log)
	}
	for _, rep := range api.Reports(deviceID()) {
		if rep.AutoUpdate || rep.InstalledVersion != "1.0.0" {
			t.Fatalf("report while updates are off: %+v", rep)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "app", "current")); err == nil {
		t.Fatal("installed while updates are off")
	}
	// Manual install always works.
	if code, out := cli("install", target); code != 0 || !strings.Contains(out, "running version 1.1.0") {
		t.Fatalf("manual install: %d %s", code, out)
	}

	// Updates on; the token is gone, which does not matter once enrolled.
	must(t, os.Remove(tokenFile))
	if code, out := cli("updates", "on"); code != 0 {
		t.Fatalf("updates on: %d %s", code, out)
	}
	target2 := r.Publish("1.2.0", agenttest.Image("1.2.0", 20_000), registry.Release{})
	api.SetOffer(&deviceapi.Offer{Target: target2, Version: "1.2.0", RolloutID: "r2"})
	code, log = runUntil(t, cfgPath, func() bool {
		reps := api.Reports(deviceID())
		return len(reps) > 0 && reps[len(reps)-1].InstalledVersion == "1.2.0"
	})
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, log)
	}
	if reps := api.Reports(deviceID()); !reps[len(reps)-1].AutoUpdate {
		t.Fatalf("last report %+v", reps[len(reps)-1])
	}
	if len(api.Devices()) != 1 {
		t.Fatalf("enrolled %d times", len(api.Devices()))
	}
}

func TestRunNeedsServerSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	must(t, os.WriteFile(filepath.Join(dir, "root.json"), []byte("{}"), 0o644))
	b, _ := json.Marshal(Config{Repository: "http://127.0.0.1:1/", RootFile: filepath.Join(dir, "root.json"), StateDir: dir,
		Product: "a/b", Version: "1", Installer: "directory", BundleDir: dir})
	must(t, os.WriteFile(path, b, 0o644))
	var out, errOut bytes.Buffer
	if code := Main([]string{"-config", path, "run"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "run needs server, enrolment_token_file, serial") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}

func TestPostpone(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		arg     string
		want    time.Time
		wantErr string
	}{
		{"12h", now.Add(12 * time.Hour), ""},
		{"7d", now.AddDate(0, 0, 7), ""},
		{"2026-03-05", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), ""},
		{"2026-03-05T18:30", time.Date(2026, 3, 5, 18, 30, 0, 0, time.UTC), ""},
		{"2026-03-05T18:30:00+01:00", time.Date(2026, 3, 5, 17, 30, 0, 0, time.UTC), ""},
		{"0", time.Time{}, ""},
		{"off", time.Time{}, ""},
		{"-1h", time.Time{}, "must be positive"},
		{"2020-01-01", time.Time{}, "in the past"},
		{"soon", time.Time{}, "neither a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := parsePostpone(tt.arg, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}

	// The command saves it; status shows it.
	dir := t.TempDir()
	cfg := Config{StateDir: dir}
	var out, errOut bytes.Buffer
	if code := postpone(cfg, "2d", time.Now(), &out, &errOut); code != 0 || !strings.Contains(out.String(), "postponed until") {
		t.Fatalf("postpone: %d %s%s", code, out.String(), errOut.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if err != nil || !strings.Contains(string(b), "postpone_until") {
		t.Fatalf("settings: %s %v", b, err)
	}
}

// TestSimulate runs the simulate command briefly against the fake device
// API.
func TestSimulate(t *testing.T) {
	api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
	api.SetOffer(&deviceapi.Offer{Target: "1.1.0/fw.bin", Version: "1.1.0", RolloutID: "r1"})
	tokenFile := filepath.Join(t.TempDir(), "token")
	must(t, os.WriteFile(tokenFile, []byte(api.Token), 0o600))
	var out, errOut bytes.Buffer
	code := MainContext(context.Background(), []string{"simulate", "--server", api.URL, "--token", tokenFile, "--product", agenttest.Product,
		"--devices", "5", "--interval", "200ms", "--install-time", "10ms", "--duration", "2s", "--progress", "500ms"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "final:") || !strings.Contains(out.String(), "1.1.0=5") || !strings.Contains(out.String(), "enrolled 5/5") {
		t.Fatalf("simulate: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n < 3 {
		t.Fatalf("no progress lines:\n%s", out.String())
	}
	// Bad usage.
	if code := MainContext(context.Background(), []string{"simulate", "--devices", "5"}, &out, &errOut); code != 2 {
		t.Fatalf("missing flags: exit %d", code)
	}
}
