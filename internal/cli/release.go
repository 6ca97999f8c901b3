package cli

import (
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

func releasePath(product string, version ...string) string {
	p := "/api/v1/products/" + url.PathEscape(product) + "/releases"
	if len(version) > 0 {
		p += "/" + url.PathEscape(version[0])
	}
	return p
}

func releaseRows(rs []registry.Release) [][]string {
	var rows [][]string
	for _, r := range rs {
		image, signed := "-", "-"
		if r.Image != nil {
			image = r.Image.FileName + " (" + humanBytes(r.Image.Length) + ")"
		}
		if r.SignedAt != nil {
			signed = fmtDate(*r.SignedAt)
		}
		kind := "feature"
		if r.SecurityUpdate {
			kind = "security"
		}
		rows = append(rows, []string{r.Version, fmtDate(r.ReleasedAt), kind, image, signed, orDash(firstLine(r.Notes))})
	}
	return rows
}

var releaseHeader = []string{"VERSION", "RELEASED", "KIND", "IMAGE", "SIGNED", "NOTES"}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}

// parseDay reads a date or RFC 3339 time given on the command line.
func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, usageError{fmt.Errorf("%q is not a date (2026-03-01) or RFC 3339 time", s)}
	}
	return t, nil
}

func newReleaseCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "release", Aliases: []string{"releases"}, Short: "Record and list firmware releases"}
	list := &cobra.Command{
		Use: "list PRODUCT", Short: "List a product's releases, newest first", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			items, err := listAll[registry.Release](cmd, c, releasePath(args[0]), url.Values{})
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), items, func() { table(cmd.OutOrStdout(), releaseHeader, releaseRows(items)) })
		},
	}
	get := &cobra.Command{
		Use: "get PRODUCT VERSION", Short: "Show a release", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var r registry.Release
			if err := c.Do(cmd.Context(), "GET", releasePath(args[0], args[1]), nil, nil, &r); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), r, func() {
				table(cmd.OutOrStdout(), releaseHeader, releaseRows([]registry.Release{r}))
			})
		},
	}
	var date, notes string
	var revisions []string
	var security, allowRollback bool
	create := &cobra.Command{
		Use: "create PRODUCT VERSION", Short: "Record a firmware release", Args: exactArgs(2),
		Example: `  lifeline release create smart-plug-mini 2.5.0 --date 2026-11-20 --notes "Fixes CVE-2026-1234"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			req := httpapi.ReleaseCreateRequest{Version: args[1], Notes: notes, HardwareRevisions: revisions, SecurityUpdate: security, AllowRollback: allowRollback}
			if date != "" {
				t, err := parseDay(date)
				if err != nil {
					return err
				}
				req.ReleasedAt = &t
			}
			var r registry.Release
			if err := c.Do(cmd.Context(), "POST", releasePath(args[0]), nil, req, &r); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), r, func() { fmt.Fprintf(cmd.OutOrStdout(), "recorded release %s\n", r.Version) })
		},
	}
	create.Flags().StringVar(&date, "date", "", "release date (default: now)")
	create.Flags().StringVar(&notes, "notes", "", "release notes")
	create.Flags().StringSliceVar(&revisions, "hardware-revision", nil, "hardware revision the image runs on (repeatable; default: all)")
	create.Flags().BoolVar(&security, "security", false, "mark the release as a security update")
	create.Flags().BoolVar(&allowRollback, "allow-rollback", false, "let devices on newer versions install it (to replace a bad release with an older good one)")
	del := &cobra.Command{
		Use: "delete PRODUCT VERSION", Short: "Delete a release no device runs", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", releasePath(args[0], args[1]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted release %s\n", args[1])
			return nil
		},
	}
	cmd.AddCommand(list, get, create, del, newReleaseUploadCmd(g), newReleaseSignCmd(g), newReleaseSBOMCmd(g))
	return cmd
}
