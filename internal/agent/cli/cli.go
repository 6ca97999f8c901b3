// Package cli is lifeline-agent's command line. It uses only the standard
// library's flag package: the agent must stay small.
//
// # Running as a service
//
// "lifeline-agent run" is the daemon: it finishes an update a restart
// interrupted, enrols the device once, then checks in with the server and
// installs what it offers. When a new image needs a restart (A/B slots,
// exec installers) it reports "restarting" to the server and then either
// runs the configured restart command (e.g. ["systemctl","reboot"]) or
// exits with status 3, leaving the restart to the init system. With
// systemd, for example:
//
//	[Service]
//	ExecStart=/usr/bin/lifeline-agent run
//	Restart=on-failure
//	# Status 3: a new image is installed and the device must restart.
//	RestartPreventExitStatus=3
//	FailureAction=reboot
//
// For installers that switch in place (directory) no restart is needed and
// the daemon carries on.
//
// # Owner controls
//
// The device's owner can turn automatic updates off and on
// ("lifeline-agent updates off|on") or postpone them ("lifeline-agent
// postpone 7d", "postpone 2026-06-01", "postpone 0" to stop postponing).
// While updates are held the daemon still checks in, tells the server
// automatic updates are off, and announces each available update once
// through the notify hook — saying when it is a security update — but
// installs nothing. "lifeline-agent install TARGET" always works.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/daemon"
	"github.com/lifeline-iot/lifeline/internal/agent/engine"
	"github.com/lifeline-iot/lifeline/internal/agent/identity"
	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// Version is set at build time.
var Version = "dev"

const usage = `lifeline-agent keeps this device's firmware up to date, verified against
the manufacturer's signed update repository (TUF).

Usage:
  lifeline-agent [-config FILE] run              check in with the server and install offered updates (the service)
  lifeline-agent [-config FILE] install TARGET   verify and install one release now, e.g. 2.1.0/fw.bin
  lifeline-agent [-config FILE] resume           carry on an interrupted update (run at every boot)
  lifeline-agent [-config FILE] status           show the installed version, any update in progress and the settings
  lifeline-agent [-config FILE] updates on|off   turn automatic updates on or off
  lifeline-agent [-config FILE] postpone WHEN    hold automatic updates for a while (7d, 12h) or until a
                                                 date (2026-06-01, 2026-06-01T18:00); "postpone 0" ends it
  lifeline-agent simulate -h                     simulate a fleet of devices against a server
  lifeline-agent version

The configuration file (default /etc/lifeline-agent.json) names the product's
repository URL, the bootstrap root metadata, the state directory, the
installer and, for run, the server, the enrolment token file and the serial.

Exit status: 0 done, 1 failed, 2 bad usage, 3 restart the device to finish
the update.
`

// Main runs the agent with args and returns the exit code: 0 done, 1
// failed, 2 bad usage, 3 restart required to finish the update. SIGINT and
// SIGTERM stop it.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return MainContext(ctx, args, stdout, stderr)
}

// MainContext is Main until ctx ends.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "lifeline-agent", Version)
		return 0
	case "simulate":
		return simulate(ctx, rest, stdout, stderr)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 2
	}
	switch {
	case cmd == "updates" && len(rest) == 1:
		return setAutoUpdate(cfg, rest[0], stdout, stderr)
	case cmd == "postpone" && len(rest) == 1:
		return postpone(cfg, rest[0], time.Now(), stdout, stderr)
	}
	notify := notifier(cfg, stderr)
	e, err := newEngine(cfg, notify)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	if cmd == "install" || cmd == "resume" || cmd == "run" {
		// One agent at a time may change the device's update state.
		unlock, err := lockStateDir(cfg.StateDir)
		if err != nil {
			fmt.Fprintln(stderr, "lifeline-agent:", err)
			return 1
		}
		defer unlock()
	}
	switch {
	case cmd == "install" && len(rest) == 1:
		err = e.Apply(ctx, rest[0])
	case cmd == "resume" && len(rest) == 0:
		err = e.Resume(ctx)
	case cmd == "run" && len(rest) == 0:
		if err := cfg.checkRun(); err != nil {
			fmt.Fprintln(stderr, "lifeline-agent:", err)
			return 2
		}
		if err = runDaemon(ctx, cfg, e, notify, stderr); err == nil {
			return 0
		}
	case cmd == "status" && len(rest) == 0:
		return status(cfg, e, stdout, stderr)
	default:
		fs.Usage()
		return 2
	}
	switch {
	case errors.Is(err, engine.ErrRestartRequired):
		if err.Error() != engine.ErrRestartRequired.Error() { // the restart command failed
			fmt.Fprintln(stderr, "lifeline-agent:", err)
		}
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

func status(cfg Config, e *engine.Engine, stdout, stderr io.Writer) int {
	st, err := e.State()
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	settings, err := daemon.LoadSettings(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
	}
	out := struct {
		state.State
		DeviceID      string     `json:"device_id,omitempty"`
		AutoUpdate    bool       `json:"auto_update"`
		PostponeUntil *time.Time `json:"postpone_until,omitempty"`
		Held          string     `json:"updates_held,omitempty"`
	}{State: st, AutoUpdate: cfg.AutoUpdate == nil || *cfg.AutoUpdate}
	if settings.AutoUpdate != nil {
		out.AutoUpdate = *settings.AutoUpdate
	}
	if time.Now().Before(settings.PostponeUntil) {
		out.PostponeUntil = &settings.PostponeUntil
	}
	out.Held = settings.Held(time.Now(), cfg.AutoUpdate == nil || *cfg.AutoUpdate)
	if id, err := (identity.Store{Dir: cfg.StateDir}).Load(); err == nil {
		out.DeviceID = id.DeviceID
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}

// setAutoUpdate is "updates on|off".
func setAutoUpdate(cfg Config, arg string, stdout, stderr io.Writer) int {
	var on bool
	switch arg {
	case "on":
		on = true
	case "off":
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	s, err := daemon.LoadSettings(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err, "(replacing it)")
	}
	s.AutoUpdate = &on
	if err := daemon.SaveSettings(cfg.StateDir, s); err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	if on {
		fmt.Fprintln(stdout, "automatic updates are on")
		if time.Now().Before(s.PostponeUntil) {
			fmt.Fprintln(stdout, "but postponed until", s.PostponeUntil.Local().Format(time.RFC3339), `("postpone 0" ends that)`)
		}
	} else {
		fmt.Fprintln(stdout, "automatic updates are off: updates, including security updates, are announced but not installed.")
		fmt.Fprintln(stdout, `Install one with "lifeline-agent install TARGET", or turn them on again with "lifeline-agent updates on".`)
	}
	return 0
}

// postpone is "postpone WHEN".
func postpone(cfg Config, arg string, now time.Time, stdout, stderr io.Writer) int {
	until, err := parsePostpone(arg, now)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 2
	}
	s, err := daemon.LoadSettings(cfg.StateDir)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err, "(replacing it)")
	}
	s.PostponeUntil = until
	if err := daemon.SaveSettings(cfg.StateDir, s); err != nil {
		fmt.Fprintln(stderr, "lifeline-agent:", err)
		return 1
	}
	if until.IsZero() {
		fmt.Fprintln(stdout, "automatic updates are no longer postponed")
	} else {
		fmt.Fprintln(stdout, "automatic updates are postponed until", until.Local().Format("2006-01-02 15:04 MST"))
	}
	return 0
}

// parsePostpone reads a duration (90m, 12h, 7d), a date or a time (local
// unless it names a zone); 0, "off" or "none" ends a postponement.
func parsePostpone(arg string, now time.Time) (time.Time, error) {
	switch arg {
	case "0", "off", "none":
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(arg); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("postpone: the duration must be positive")
		}
		return now.Add(d).UTC(), nil
	}
	if n, ok := strings.CutSuffix(arg, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 && days <= 3660 {
			return now.AddDate(0, 0, days).UTC(), nil
		}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		t, err := time.ParseInLocation(layout, arg, now.Location())
		if err != nil {
			continue
		}
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("postpone: %s is in the past", arg)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("postpone: %q is neither a duration (12h, 7d) nor a date (2006-01-02, 2006-01-02T15:04)", arg)
}

func runDaemon(ctx context.Context, cfg Config, e *engine.Engine, notify func(engine.Event), log io.Writer) error {
	pollMax := daemon.DefaultPollMax
	if cfg.PollIntervalMax != "" {
		pollMax, _ = time.ParseDuration(cfg.PollIntervalMax) // validated
	}
	timeout := 2 * time.Minute
	if cfg.Timeout != "" {
		timeout, _ = time.ParseDuration(cfg.Timeout)
	}
	dc := daemon.Config{
		Engine: e, StateDir: cfg.StateDir, Server: cfg.Server,
		HTTP: &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, IdleConnTimeout: 90 * time.Second}},
		EnrolToken: func() (string, error) {
			b, err := os.ReadFile(cfg.EnrolmentTokenFile)
			return strings.TrimSpace(string(b)), err
		},
		Serial: cfg.Serial, HardwareRevision: cfg.HardwareRevision,
		AutoUpdate: cfg.AutoUpdate, PollMax: pollMax, Notify: notify,
		Logf: func(format string, args ...any) { fmt.Fprintf(log, "lifeline-agent: "+format+"\n", args...) },
	}
	if len(cfg.Restart) > 0 {
		dc.Restart = func(ctx context.Context) error { return run(ctx, cfg.Restart, nil) }
	}
	return daemon.Run(ctx, dc)
}

// notifier logs each event and runs the configured notify hook.
func notifier(cfg Config, log io.Writer) func(engine.Event) {
	return func(ev engine.Event) {
		fmt.Fprintf(log, "lifeline-agent: %s %s %s\n", ev.Kind, ev.Version, ev.Detail)
		if len(cfg.Notify) > 0 {
			env := []string{"LIFELINE_EVENT=" + ev.Kind, "LIFELINE_VERSION=" + ev.Version, "LIFELINE_DETAIL=" + ev.Detail}
			if err := run(context.Background(), cfg.Notify, env); err != nil {
				fmt.Fprintln(log, "lifeline-agent: notify hook:", err)
			}
		}
	}
}

func newEngine(cfg Config, notify func(engine.Event)) (*engine.Engine, error) {
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
	ec.Notify = notify
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
