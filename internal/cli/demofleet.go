package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/fleet"
	"github.com/lifeline-iot/lifeline/internal/demo"
)

// demoPollInterval is how often the demo's devices check in.
const demoPollInterval = 10 * time.Second

// runDemoFleet runs the demo's simulated devices against this server until
// ctx ends: they enrol, check in, and install what the demo rollout offers,
// with a few failures, so the rollout advances phase by phase.
func runDemoFleet(ctx context.Context, dataDir, base string, log *slog.Logger) {
	b, err := os.ReadFile(filepath.Join(dataDir, demo.CredentialsFile))
	if err != nil {
		return // not a demo instance, or seeded elsewhere
	}
	var creds demo.Credentials
	if err := json.Unmarshal(b, &creds); err != nil || creds.Fleet == nil {
		return
	}
	fc := creds.Fleet
	seed, _ := hex.DecodeString(fc.KeySeed)
	prefix := "SIM-" + strings.ToUpper(strings.ReplaceAll(fc.Product[strings.IndexByte(fc.Product, '/')+1:], "-", ""))
	if len(prefix) > 24 {
		prefix = prefix[:24]
	}
	f, err := fleet.New(fleet.Config{
		Server: base, Token: fc.EnrolmentToken, Product: fc.Product, HardwareRevision: fc.HardwareRevision,
		Devices: fc.Devices, Version: fc.Version, FailRate: 0.03, Interval: demoPollInterval,
		InstallTime: 5 * time.Second, Ramp: 20 * time.Second, SerialPrefix: prefix, KeySeed: seed,
	})
	if err != nil {
		log.Warn("demo fleet", "err", err)
		return
	}
	log.Info("demo: simulated devices are checking in", "devices", fc.Devices, "product", fc.Product)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				log.Info("demo fleet", "progress", f.Stats().String())
			}
		}
	}()
	if _, err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Warn("demo fleet stopped", "err", err)
	}
}
