package cli

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

func repoPath(product string, rest ...string) string {
	return "/api/v1/products/" + url.PathEscape(product) + "/update-repository" + strings.Join(rest, "")
}

func newTUFCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tuf",
		Short: "Manage a product's update repository (TUF) on the server",
		Long: `Manage a product's update repository: the TUF metadata that lets devices verify
every firmware image they install.

The server holds the online keys (targets, snapshot, timestamp), sealed at
rest. Root keys stay offline: make and use them with "lifeline keys", then
install the signed root here.`,
	}
	status := &cobra.Command{
		Use: "status PRODUCT", Short: "Show the repository: where it is served, its keys and metadata versions", Args: exactArgs(1),
		Example: `  lifeline tuf status smart-plug
  lifeline tuf status smart-plug -o json > online.json   # input for lifeline keys root create`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var st service.RepositoryStatus
			if err := c.Do(cmd.Context(), "GET", repoPath(args[0]), nil, nil, &st); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), st, func() { printRepoStatus(cmd.OutOrStdout(), c.BaseURL, st) })
		},
	}
	var roles []string
	keysCreate := &cobra.Command{
		Use: "create PRODUCT", Short: "Create online keys: for --role, or for each online role that has none", Args: exactArgs(1),
		Long: `Create online signing keys on the server. A new key is pending until a root
that lists it is installed; then it replaces the role's old key, which is
retired. That is how an online key is rotated, for example after a leak.`,
		Example: `  lifeline tuf keys create smart-plug                     # first setup
  lifeline tuf keys create smart-plug --role timestamp    # rotate one key`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var st service.RepositoryStatus
			if err := c.Do(cmd.Context(), "POST", repoPath(args[0], "/keys"), nil, httpapi.OnlineKeysRequest{Roles: roles}, &st); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), st, func() { printRepoStatus(cmd.OutOrStdout(), c.BaseURL, st) })
		},
	}
	keysCreate.Flags().StringSliceVar(&roles, "role", nil, "targets, snapshot or timestamp (repeatable)")
	keys := &cobra.Command{Use: "keys", Short: "Online signing keys"}
	keys.AddCommand(keysCreate)

	install := &cobra.Command{
		Use: "install PRODUCT ROOT.json", Short: "Install root metadata signed offline", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			var st service.RepositoryStatus
			if err := c.Stream(cmd.Context(), "PUT", repoPath(args[0], "/root"), nil, "application/json", strings.NewReader(string(b)), int64(len(b)), &st); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), st, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "installed root version %d\n", st.Repository.RootVersion)
				printRepoStatus(cmd.OutOrStdout(), c.BaseURL, st)
			})
		},
	}
	root := &cobra.Command{Use: "root", Short: "Root metadata"}
	root.AddCommand(install)
	cmd.AddCommand(status, keys, root, newTUFExportCmd(g))
	return cmd
}

func printRepoStatus(w io.Writer, base string, st service.RepositoryStatus) {
	fmt.Fprintf(w, "Repository:  %s%s\n", base, st.Path)
	if st.Repository == nil {
		fmt.Fprintln(w, "State:       not set up (create keys, then install a root made with 'lifeline keys root create')")
	} else {
		fmt.Fprintf(w, "Root:        version %d, expires %s\n", st.Repository.RootVersion, st.Repository.RootExpires.Format(time.DateOnly))
		for _, role := range tufrepo.OnlineRoles {
			if r, ok := st.Roles[role]; ok {
				fmt.Fprintf(w, "%-12s version %d, expires %s\n", strings.ToUpper(role[:1])+role[1:]+":", r.Version, r.Expires.Format(time.RFC3339))
			}
		}
		fmt.Fprintf(w, "Targets:     %d signed\n", st.Targets)
	}
	var rows [][]string
	for _, k := range st.Keys {
		rows = append(rows, []string{k.Role, k.KeyID[:16] + "…", k.State, fmtDate(k.CreatedAt)})
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		table(w, []string{"ROLE", "KEY", "STATE", "CREATED"}, rows)
	}
}

func newTUFExportCmd(g *globals) *cobra.Command {
	var maxImage int64
	cmd := &cobra.Command{
		Use:   "export PRODUCT DIR",
		Short: "Write the product's repository to DIR for any static web server or CDN",
		Long: `Download the product's whole update repository — every root version, the
current timestamp, snapshot and targets metadata, and every signed image — into
DIR/metadata and DIR/targets, the layout TUF clients expect. Serve DIR from any
static host; devices verify signatures, so the host need not be trusted.
Existing files that already match are kept.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var st service.RepositoryStatus
			if err := c.Do(cmd.Context(), "GET", repoPath(args[0]), nil, nil, &st); err != nil {
				return err
			}
			if st.Repository == nil {
				return errors.New("the product has no update repository yet")
			}
			e := exporter{base: c.BaseURL + st.Path, dir: args[1], out: cmd.ErrOrStderr(), maxImage: maxImage}
			n, bytes, err := e.run(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported %d files (%s) to %s\n", n, humanBytes(bytes), args[1])
			return nil
		},
	}
	cmd.Flags().Int64Var(&maxImage, "max-image-size", service.DefaultMaxImageSize, "refuse images larger than this, in bytes")
	return cmd
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
