package daemon

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/agent/engine"
	"github.com/lifeline-iot/lifeline/internal/agent/install"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// TestAgainstServer runs the daemon against the real server's device API:
// it enrols with a real enrolment token, is offered the release of an
// urgent rollout, installs it and reports it, and the server records the
// new version.
func TestAgainstServer(t *testing.T) {
	r := agenttest.New(t)
	r.Publish("1.1.0", agenttest.Image("1.1.0", 30_000), registry.Release{})
	token := r.EnrolmentToken()
	rolloutID := r.StartRollout("1.1.0")
	dir := t.TempDir()
	e, err := engine.New(engine.Config{
		RepositoryURL: r.URL, StateDir: filepath.Join(dir, "state"), BootstrapRoot: r.Root,
		Device:    engine.Device{Product: agenttest.Product, HardwareRevision: "rev-a", Installed: "1.0.0"},
		Installer: &install.Directory{Dir: filepath.Join(dir, "app")},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var sleeps []time.Duration
	var logs []string
	err = Run(ctx, Config{
		Engine: e, StateDir: filepath.Join(dir, "state"), Server: r.Env.URL,
		EnrolToken: func() (string, error) { return token, nil },
		Serial:     "SN-77", HardwareRevision: "rev-a",
		Logf: func(format string, args ...any) { logs = append(logs, format) },
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			if len(sleeps) >= 2 {
				cancel()
			}
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.State(); st.Installed != "1.1.0" {
		t.Fatalf("engine state %+v; log %v", st, logs)
	}
	// At enrolment the server asks for a first check-in within a minute.
	if sleeps[0] < 500*time.Millisecond || sleeps[0] > 70*time.Second {
		t.Fatalf("first wait %s", sleeps[0])
	}
	devs := r.Devices()
	if len(devs) != 1 {
		t.Fatalf("%d devices", len(devs))
	}
	d := devs[0]
	if d.Serial != "SN-77" || d.InstalledVersion != "1.1.0" || d.Update == nil || d.Update.State != deviceapi.StateIdle || !d.Update.AutoUpdate || d.Update.RolloutID != rolloutID {
		t.Fatalf("server's record: %+v %+v", d, d.Update)
	}
}
