// Package cli is the lifeline command: `lifeline serve` runs the server,
// `lifeline admin` manages an instance offline through its database, and the
// other commands work against a running server through the API, the way gh
// and kubectl do.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/client"
)

// Version is set at build time with -ldflags "-X github.com/lifeline-iot/lifeline/internal/cli.Version=…".
var Version = "dev"

// Main runs the command line with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := NewRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var apiErr *client.APIError
		switch {
		case errors.As(err, &apiErr):
			fmt.Fprintf(stderr, "lifeline: %v\n", apiErr)
			printDetails(stderr, apiErr)
		default:
			fmt.Fprintf(stderr, "lifeline: %v\n", err)
		}
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError marks errors in how the command was called.
type usageError struct{ error }

// NewRoot builds the command tree.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "lifeline",
		Short: "Lifeline keeps consumer IoT products secure for their whole support period",
		Long: `Lifeline is a product registry for consumer IoT manufacturers: products, firmware
releases and devices in the field, with each product's defined support period
published the way UK PSTI, Singapore's CLS and the EU CRA expect.

Run a server with "lifeline serve" (try "lifeline serve --demo"), then use the
other commands against it. They find the server and token in --server and
--token, then LIFELINE_SERVER and LIFELINE_TOKEN, then the file written by
"lifeline login".`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.server, "server", "", "Lifeline server URL (env LIFELINE_SERVER)")
	pf.StringVar(&g.token, "token", "", "API token (env LIFELINE_TOKEN; prefer the environment or lifeline login, as command lines are visible to other users)")
	pf.StringVarP(&g.output, "output", "o", "table", "output format: table or json")
	pf.StringVar(&g.clientConfig, "client-config", "", "client config file (default: $XDG_CONFIG_HOME/lifeline/config.json)")

	root.AddCommand(
		newServeCmd(),
		newAdminCmd(),
		newLoginCmd(g),
		newOrgCmd(g),
		newProductCmd(g),
		newReleaseCmd(g),
		newDeviceCmd(g),
		newSupportPeriodCmd(g),
		newTokenCmd(g),
		newAuditCmd(g),
		newTUFCmd(g),
		newRolloutCmd(g),
		newVulnCmd(g),
		newFeedCmd(g),
		newNotifyCmd(g),
		newKeysCmd(),
	)
	return root
}
