package cli

import (
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/registry"
)

func newReleaseUploadCmd(g *globals) *cobra.Command {
	var name string
	var sign bool
	cmd := &cobra.Command{
		Use:   "upload PRODUCT VERSION FILE",
		Short: "Upload a release's firmware image, optionally signing it for devices",
		Long: `Upload the firmware image of a recorded release. The server streams it to its
image store, hashing it (SHA-256 and SHA-512) on the way. Until the release is
signed the image can be replaced; once signed it cannot.`,
		Example: `  lifeline release upload smart-plug 2.1.0 build/plug-2.1.0.bin --sign`,
		Args:    exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if name == "" {
				name = filepath.Base(args[2])
			}
			var r registry.Release
			if err := sendFile(cmd, c, "PUT", releasePath(args[0], args[1])+"/image", url.Values{"file_name": {name}}, args[2], "uploading "+name, &r); err != nil {
				return err
			}
			if sign {
				if err := c.Do(cmd.Context(), "POST", releasePath(args[0], args[1])+"/sign", nil, nil, &r); err != nil {
					return fmt.Errorf("uploaded, but signing failed: %w", err)
				}
			}
			return g.emit(cmd.OutOrStdout(), r, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "uploaded %s for release %s: %d bytes, sha256 %s\n", r.Image.FileName, r.Version, r.Image.Length, r.Image.SHA256)
				if r.SignedAt != nil {
					fmt.Fprintln(cmd.OutOrStdout(), "signed into the update repository; devices can fetch it now")
				}
			})
		},
	}
	cmd.Flags().StringVar(&name, "file-name", "", "the image's name in the repository (default: the file's name)")
	cmd.Flags().BoolVar(&sign, "sign", false, "sign the release into the update repository after uploading")
	return cmd
}

func newReleaseSignCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "sign PRODUCT VERSION", Short: "Sign a release's image into the product's update repository", Args: exactArgs(2),
		Long: `Sign the release's image into the product's TUF targets metadata, with new
snapshot and timestamp metadata. From then on devices can find, verify and
install it, and its image can no longer change.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var r registry.Release
			if err := c.Do(cmd.Context(), "POST", releasePath(args[0], args[1])+"/sign", nil, nil, &r); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), r, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "signed release %s into the update repository\n", r.Version)
			})
		},
	}
}
