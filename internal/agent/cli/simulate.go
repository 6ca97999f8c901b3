package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/fleet"
)

const simulateUsage = `Usage: lifeline-agent simulate --server URL --token FILE_OR_VALUE --product ORG/PRODUCT
         [--hardware REV] [--devices N] [--version V] [--fail-rate 0.05] [--download]
         [--interval 10s] [--duration 1m] [--install-time 2s] [--ramp 0s] [--root FILE]

Runs N virtual devices in this process. Each enrols with the server using the
enrolment token, checks in on the server's schedule (at most --interval apart),
and installs what it is offered: with --download it verifies the release
against the product's TUF repository and downloads it (then deletes it),
otherwise it waits a simulated install time. A share --fail-rate of installs
fail. Progress is printed every few seconds.

`

// simulate is "lifeline-agent simulate".
func simulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, simulateUsage); fs.PrintDefaults() }
	var cfg fleet.Config
	var token, root string
	fs.StringVar(&cfg.Server, "server", "", "Lifeline server base URL")
	fs.StringVar(&token, "token", "", "enrolment token, or a file holding it")
	fs.StringVar(&cfg.Product, "product", "", `product, "<manufacturer>/<product>"`)
	fs.StringVar(&cfg.HardwareRevision, "hardware", "", "hardware revision the devices report")
	fs.IntVar(&cfg.Devices, "devices", 10, "number of virtual devices")
	fs.StringVar(&cfg.Version, "version", "1.0.0", "version installed at the start")
	fs.Float64Var(&cfg.FailRate, "fail-rate", 0, "share of installs that fail, 0 to 1")
	fs.BoolVar(&cfg.Download, "download", false, "really verify and download offered releases")
	fs.DurationVar(&cfg.Interval, "interval", 10*time.Second, "longest wait between a device's check-ins")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop after this long (default: until interrupted)")
	fs.DurationVar(&cfg.InstallTime, "install-time", 2*time.Second, "simulated install time without --download")
	fs.DurationVar(&cfg.Ramp, "ramp", 0, "spread the first enrolments over this time")
	fs.StringVar(&root, "root", "", "root metadata to trust with --download (default: the repository's 1.root.json, trusted on first use)")
	every := fs.Duration("progress", 5*time.Second, "time between progress lines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected arguments "+strings.Join(fs.Args(), " "))
	}
	if cfg.Server == "" || token == "" || cfg.Product == "" {
		problems = append(problems, "--server, --token and --product are required")
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, "lifeline-agent simulate:", strings.Join(problems, "; "))
		return 2
	}
	tok, err := tokenValue(token)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent simulate:", err)
		return 2
	}
	cfg.Token = tok
	if root != "" {
		if cfg.Root, err = os.ReadFile(root); err != nil {
			fmt.Fprintln(stderr, "lifeline-agent simulate:", err)
			return 2
		}
	}
	f, err := fleet.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent simulate:", err)
		return 2
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(*every, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintln(stdout, f.Stats())
			}
		}
	})
	st, err := f.Run(ctx)
	close(done)
	wg.Wait()
	fmt.Fprintln(stdout, "final:", st)
	if st.LastError != "" {
		fmt.Fprintln(stdout, "last error:", st.LastError)
	}
	if err != nil {
		fmt.Fprintln(stderr, "lifeline-agent simulate:", err)
		return 1
	}
	return 0
}

// tokenValue reads the token from a file if v names one, else returns v.
func tokenValue(v string) (string, error) {
	b, err := os.ReadFile(v)
	switch {
	case err == nil:
		return strings.TrimSpace(string(b)), nil
	case errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(v, `/\`):
		return v, nil
	}
	return "", fmt.Errorf("reading the token: %w", err)
}
