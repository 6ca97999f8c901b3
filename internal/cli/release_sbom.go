package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func newReleaseSBOMCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sbom", Short: "Attach and read a release's SBOM"}
	upload := &cobra.Command{
		Use:   "upload PRODUCT VERSION FILE",
		Short: "Attach an SBOM: CycloneDX 1.4-1.6 (JSON, XML), SPDX 2.3 (JSON, tag-value) or Yocto's SPDX 3 JSON-LD",
		Example: `  lifeline release sbom upload smart-plug 2.1.0 tmp/deploy/images/qemux86-64/core-image-minimal.rootfs.spdx.json
  lifeline release sbom upload smart-plug 2.1.0 output/images/bom.json     # Buildroot generate-cyclonedx`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var b store.ReleaseSBOM
			if err := sendFile(cmd, c, "PUT", releasePath(args[0], args[1])+"/sbom", nil, args[2], "uploading "+args[2], &b); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), b, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "attached %s with %d components and %d VEX statements to release %s\n", b.Format, b.Components, b.VEX, args[1])
			})
		},
	}
	show := &cobra.Command{
		Use: "show PRODUCT VERSION", Short: "List the components of a release's SBOM", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.SBOMResponse
			if err := c.Do(cmd.Context(), "GET", releasePath(args[0], args[1])+"/sbom", nil, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "%s, %d components, uploaded %s\n\n", resp.Format, resp.Components, fmtDate(resp.UploadedAt))
				var rows [][]string
				for _, c := range resp.List {
					rows = append(rows, []string{c.Name, orDash(c.Version), orDash(c.PURL), orDash(strings.Join(c.CPEs, " "))})
				}
				table(cmd.OutOrStdout(), []string{"NAME", "VERSION", "PURL", "CPE"}, rows)
			})
		},
	}
	cmd.AddCommand(upload, show)
	return cmd
}
