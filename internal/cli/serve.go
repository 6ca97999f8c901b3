package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/demo"
	"github.com/lifeline-iot/lifeline/internal/postgres"
	"github.com/lifeline-iot/lifeline/internal/server"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/sqlstore"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// storeFlags say where the data lives; serve and admin share them.
type storeFlags struct {
	data     string
	database string
}

func (sf *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&sf.data, "data", "./lifeline-data", "data directory (holds the SQLite database and demo credentials)")
	cmd.Flags().StringVar(&sf.database, "database", "", "PostgreSQL URL, e.g. postgres://user:pass@host/lifeline (default: SQLite in the data directory)")
}

// open opens the configured database and brings its schema up to date.
func (sf *storeFlags) open(ctx context.Context) (*sqlstore.DB, error) {
	if sf.database != "" {
		if !strings.HasPrefix(sf.database, "postgres://") && !strings.HasPrefix(sf.database, "postgresql://") {
			return nil, usageError{errors.New("--database must be a postgres:// URL; leave it empty for SQLite in --data")}
		}
		return postgres.Open(ctx, sf.database, postgres.Options{})
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, filepath.Join(sf.data, "lifeline.db"))
}

func (sf *storeFlags) describe() string {
	if sf.database != "" {
		return "postgres"
	}
	return "sqlite:" + filepath.Join(sf.data, "lifeline.db")
}

type serveOptions struct {
	storeFlags
	updates           updateFlags
	notify            notifyFlags
	feeds             feedFlags
	addr              string
	demo              bool
	logFormat         string
	logLevel          string
	trustProxy        bool
	unsafeHTTPCookies bool
	maxImportSize     int64
	maxImportRows     int
	logRequests       bool
	shutdownTimeout   time.Duration
	config            string
}

func newServeCmd() *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Lifeline server",
		Long: `Run the Lifeline server: the web interface, the public pages, and the API.

By default it keeps everything in an SQLite database in the data directory and
listens on 127.0.0.1:8080. Every flag can also be set with an environment
variable (LIFELINE_ plus the flag name in capitals, dashes as underscores) or
in a JSON file given with --config.

On first start, Lifeline prints a one-time setup link to create the first
organisation and its owner. With --demo it seeds a demo instead and prints
the demo logins.`,
		Example: `  # Try it with demo data
  lifeline serve --demo

  # Production, on PostgreSQL, behind a TLS-terminating proxy
  LIFELINE_DATABASE=postgres://lifeline@db/lifeline lifeline serve --addr :8080 --trust-proxy --log-format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnvAndFile(cmd.Flags(), o.config); err != nil {
				return usageError{err}
			}
			return runServe(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	o.storeFlags.register(cmd)
	o.updates.register(cmd)
	o.notify.register(cmd)
	o.feeds.register(cmd)
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.BoolVar(&o.demo, "demo", false, "seed a demo registry on first start and print its logins")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.BoolVar(&o.logRequests, "log-requests", true, "log every HTTP request")
	f.BoolVar(&o.trustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For (only behind a proxy that sets it)")
	f.BoolVar(&o.unsafeHTTPCookies, "unsafe-http-cookies", false, "INSECURE: send session cookies over plain HTTP; only for testing on a network you trust")
	f.Int64Var(&o.maxImportSize, "max-import-size", 64<<20, "largest device import upload, in bytes")
	f.IntVar(&o.maxImportRows, "max-import-rows", 1_000_000, "most devices in one import")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to let requests finish on shutdown")
	f.StringVar(&o.config, "config", "", "JSON file of settings, keyed by flag name")
	return cmd
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("--log-level: %w", err)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format must be text or json, not %q", format)}
}

func runServe(ctx context.Context, o *serveOptions, out io.Writer) error {
	log, err := newLogger(os.Stderr, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	if o.unsafeHTTPCookies {
		log.Warn("INSECURE: --unsafe-http-cookies is on; session cookies travel over plain HTTP and can be stolen on the network")
	}
	st, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("database ready", "backend", o.describe())
	updates, err := o.updates.open(ctx, o.data, log)
	if err != nil {
		return err
	}
	if o.demo && updates.PollInterval == service.DefaultPollInterval {
		updates.PollInterval = demoPollInterval // so the demo's rollout moves while you watch
	}
	notifyCfg, err := o.notify.config(log)
	if err != nil {
		return err
	}
	feedSpecs, err := o.feeds.specs()
	if err != nil {
		return err
	}
	svc := service.New(st, nil, log, service.Limits{MaxImportRows: o.maxImportRows}).WithUpdates(updates).WithNotify(notifyCfg)
	web, err := webui.New(svc, log, webui.Config{InsecureCookies: o.unsafeHTTPCookies, TrustProxy: o.trustProxy, MaxImportBytes: o.maxImportSize, MaxImageBytes: updates.MaxImageSize})
	if err != nil {
		return err
	}
	srv := server.New(server.Config{Addr: o.addr, TrustProxy: o.trustProxy, InsecureCookies: o.unsafeHTTPCookies,
		MaxImportBytes: o.maxImportSize, ShutdownTimeout: o.shutdownTimeout, LogRequests: o.logRequests, Version: Version}, svc, log, web)
	addr, err := srv.Listen()
	if err != nil {
		return err
	}
	base := "http://" + addr.String()
	if err := firstStart(ctx, o, svc, base, out); err != nil {
		return err
	}
	log.Info("serving", "url", base, "version", Version)
	if o.demo {
		go runDemoFleet(ctx, o.data, base, log)
	}
	go purgeSessions(ctx, svc, log)
	go refreshRepositories(ctx, svc, log)
	go evaluateRollouts(ctx, svc, log, 15*time.Second)
	go deliverNotifications(ctx, svc, log, 5*time.Second)
	go importFeeds(ctx, svc, log, feedSpecs, o.feeds.interval)
	writerDone := make(chan struct{})
	go func() { svc.RunCheckInWriter(ctx, time.Second); close(writerDone) }()
	defer func() { <-writerDone }() // the last check-ins are written before serve returns
	return srv.Serve(ctx)
}

// purgeSessions deletes dead sessions every hour until ctx ends.
func purgeSessions(ctx context.Context, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := svc.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purging sessions", "err", err)
		} else if n > 0 {
			log.Debug("purged sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// firstStart seeds the demo or prints the setup link while Lifeline has no users.
func firstStart(ctx context.Context, o *serveOptions, svc *service.Service, base string, out io.Writer) error {
	pending, err := svc.SetupPending(ctx)
	if err != nil {
		return err
	}
	switch {
	case pending && o.demo:
		fmt.Fprintln(out, "Seeding the demo registry…")
		creds, err := demo.Seed(ctx, svc)
		if err != nil {
			return err
		}
		dir := o.data
		path, err := demo.WriteCredentials(dir, creds)
		if err != nil {
			return err
		}
		printDemo(out, base, creds, path)
	case pending:
		token, err := svc.NewSetupToken(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nLifeline has no users yet. Open this one-time link to create the first organisation and its owner:\n\n  %s/setup?token=%s\n\n(Or run: lifeline admin --help)\n\n", base, token)
	case o.demo:
		fmt.Fprintf(out, "\nThis instance is already set up. Demo logins, if it was seeded as a demo, are in %s\n", filepath.Join(o.data, demo.CredentialsFile))
		fmt.Fprintf(out, "Open %s/\n\n", base)
	}
	return nil
}

func printDemo(out io.Writer, base string, c demo.Credentials, path string) {
	fmt.Fprintf(out, "\nLifeline demo is ready. Open %s/\n\n", base)
	for _, o := range c.Organisations {
		fmt.Fprintf(out, "%s (%s)\n", o.Name, o.Kind)
		for _, l := range o.Logins {
			fmt.Fprintf(out, "  login %-32s password %s  (%s)\n", l.Email, l.Password, l.Role)
		}
		fmt.Fprintf(out, "  API token: %s\n\n", o.APIToken)
	}
	fmt.Fprintf(out, "These are also in %s (readable only by you).\n", path)
	fmt.Fprintf(out, "Try the CLI:  LIFELINE_SERVER=%s LIFELINE_TOKEN=%s lifeline product list\n\n", base, c.Organisations[0].APIToken)
}
