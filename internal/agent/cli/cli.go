// Package cli is lifeline-agent's command line. It uses only the standard
// library's flag package: the agent must stay small.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/engine"
)

// Version is set at build time.
var Version = "dev"

const usage = `lifeline-agent keeps this device's firmware up to date, verified against
the manufacturer's signed update repository (TUF).

Usage:
  lifeline-agent [-config FILE] install TARGET   verify and install one release, e.g. 2.1.0/fw.bin
  lifeline-agent [-config FILE] resume           carry on an interrupted update (run at every boot)
  lifeline-agent [-config FILE] status           show the installed version and any update in progress
  lifeline-agent version

The configuration file (default /etc/lifeline-agent.json) names the product's
repository URL, the bootstrap root metadata, the state directory and the
installer.
`

// Main runs the agent with args and returns the exit code: 0 done, 1
// failed, 2 bad usage, 3 restart required to finish the update.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lifeline-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	cfgPath := fs.String("config", "/etc/lifeline-agent.json", "configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if cmd == "version" {
		fmt.Fprintln(stdout, "lifeline-agent", Version)
		return 0
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := newEngine(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	switch {
	case cmd == "install" && len(rest) == 1:
		err = e.Apply(ctx, rest[0])
	case cmd == "resume" && len(rest) == 0:
		err = e.Resume(ctx)
	case cmd == "status" && len(rest) == 0:
		st, err := e.State()
		if err != nil {
			fmt.Fprintln(stderr, "lifeline-agent:", err)
			return 1
		}
		b, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	default:
		fs.Usage()
		return 2
	}
	switch {
	case errors.Is(err, engine.ErrRestartRequired):
		fmt.Fprintln(stdout, "update installed; restart the device to run it")
		return 3
	case err != nil:
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	st, _ := e.State()
	fmt.Fprintf(stdout, "running version %s\n", st.Installed)
	return 0
}

func newEngine(cfg Config, log io.Writer) (*engine.Engine, error) {
	root, err := os.ReadFile(cfg.RootFile)
	if err != nil {
		return nil, fmt.Errorf("bootstrap root: %w", err)
	}
	timeout := 2 * time.Minute
	if cfg.Timeout != "" {
		timeout, _ = time.ParseDuration(cfg.Timeout)
	}
	inst, restart := cfg.installer()
	ec := engine.Config{
		RepositoryURL: cfg.Repository, StateDir: cfg.StateDir, BootstrapRoot: root,
		Device:    engine.Device{Product: cfg.Product, HardwareRevision: cfg.HardwareRevision, Installed: cfg.Version},
		Installer: inst, NeedsRestart: restart, MaxBoots: cfg.MaxBoots, MaxImageSize: cfg.MaxImageSize,
		// The timeout bounds connecting and waiting for headers; bodies
		// are bounded by the download's idle timeout instead, so a large
		// image on a slow link is not cut off.
		HTTP: &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: timeout, TLSHandshakeTimeout: 30 * time.Second,
			IdleConnTimeout: 90 * time.Second,
		}},
	}
	if len(cfg.HealthCheck) > 0 {
		ec.HealthCheck = func(ctx context.Context) error { return run(ctx, cfg.HealthCheck, nil) }
	}
	ec.Notify = func(ev engine.Event) {
		fmt.Fprintf(log, "lifeline-agent: %s %s %s\n", ev.Kind, ev.Version, ev.Detail)
		if len(cfg.Notify) > 0 {
			env := []string{"LIFELINE_EVENT=" + ev.Kind, "LIFELINE_VERSION=" + ev.Version, "LIFELINE_DETAIL=" + ev.Detail}
			if err := run(context.Background(), cfg.Notify, env); err != nil {
				fmt.Fprintln(log, "lifeline-agent: notify hook:", err)
			}
		}
	}
	return engine.New(ec)
}

// run runs a command without a shell.
func run(ctx context.Context, args, env []string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}
