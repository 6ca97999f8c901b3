package cli

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

func devicePath(product, serial string) string {
	return "/api/v1/products/" + url.PathEscape(product) + "/devices/" + url.PathEscape(serial)
}

func deviceRows(ds []registry.Device) [][]string {
	var rows [][]string
	for _, d := range ds {
		rows = append(rows, []string{d.Product, d.Serial, orDash(d.HardwareRevision), orDash(d.InstalledVersion), fmtTime(d.FirstSeen), fmtTime(d.LastSeen)})
	}
	return rows
}

var deviceHeader = []string{"PRODUCT", "SERIAL", "HARDWARE", "VERSION", "FIRST SEEN", "LAST SEEN"}

func newDeviceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "device", Aliases: []string{"devices"}, Short: "Register, list and import devices"}

	var product, revision, version, prefix string
	var limit int
	var count bool
	list := &cobra.Command{
		Use: "list", Short: "List devices", Args: noArgs,
		Example: `  lifeline device list --product smart-plug-mini --version 2.4.0
  lifeline device list --product smart-plug-mini --count`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{"product": product, "hardware_revision": revision, "installed_version": version, "serial_prefix": prefix} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if count {
				var n httpapi.CountResponse
				if err := c.Do(cmd.Context(), "GET", "/api/v1/devices/count", q, nil, &n); err != nil {
					return err
				}
				return g.emit(cmd.OutOrStdout(), n, func() { fmt.Fprintln(cmd.OutOrStdout(), n.Count) })
			}
			items, err := listUpTo[registry.Device](cmd, c, "/api/v1/devices", q, limit)
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), items, func() { table(cmd.OutOrStdout(), deviceHeader, deviceRows(items)) })
		},
	}
	list.Flags().StringVar(&product, "product", "", "product slug")
	list.Flags().StringVar(&revision, "hardware-revision", "", "hardware revision name")
	list.Flags().StringVar(&version, "version", "", "installed firmware version")
	list.Flags().StringVar(&prefix, "serial-prefix", "", "serials starting with this")
	list.Flags().IntVar(&limit, "limit", 200, "most devices to show (0: all)")
	list.Flags().BoolVar(&count, "count", false, "print only how many devices match")

	get := &cobra.Command{
		Use: "get PRODUCT SERIAL", Short: "Show a device", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var d registry.Device
			if err := c.Do(cmd.Context(), "GET", devicePath(args[0], args[1]), nil, nil, &d); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), d, func() { table(cmd.OutOrStdout(), deviceHeader, deviceRows([]registry.Device{d})) })
		},
	}

	var req httpapi.DevicePutRequest
	var lastSeen string
	put := &cobra.Command{
		Use: "put PRODUCT SERIAL", Short: "Register a device or update it", Args: exactArgs(2),
		Example: `  lifeline device put smart-plug-mini SP-000123 --hardware-revision rev-B --version 2.4.1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if lastSeen != "" {
				t, err := parseDay(lastSeen)
				if err != nil {
					return err
				}
				req.LastSeen = &t
			}
			var d registry.Device
			if err := c.Do(cmd.Context(), "PUT", devicePath(args[0], args[1]), nil, req, &d); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), d, func() { table(cmd.OutOrStdout(), deviceHeader, deviceRows([]registry.Device{d})) })
		},
	}
	put.Flags().StringVar(&req.HardwareRevision, "hardware-revision", "", "hardware revision name")
	put.Flags().StringVar(&req.InstalledVersion, "version", "", "installed firmware version")
	put.Flags().StringVar(&lastSeen, "last-seen", "", "when the device was last seen")

	del := &cobra.Command{
		Use: "delete PRODUCT SERIAL", Short: "Remove a device", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", devicePath(args[0], args[1]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed device %s\n", args[1])
			return nil
		},
	}
	cmd.AddCommand(list, get, put, del, newDeviceImportCmd(g), newEnrolmentCmd(g), newDeviceGroupCmd(g), newDeviceResetKeyCmd(g))
	return cmd
}

func newDeviceImportCmd(g *globals) *cobra.Command {
	var dryRun bool
	var format string
	cmd := &cobra.Command{
		Use:   "import PRODUCT FILE",
		Short: "Import devices from a CSV or JSON file: every row, or none",
		Long: `Import devices of one product from a file. CSV files start with a header naming
the columns (serial is required; hardware_revision, installed_version,
first_seen and last_seen are optional). JSON files hold an array of objects
with the same fields, or {"devices": [...]}. Existing devices (same serial) are
updated. If any row is bad, nothing is imported and every problem is listed.`,
		Example: `  lifeline device import smart-plug-mini devices.csv
  lifeline device import smart-plug-mini devices.json --dry-run`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			f, err := os.Open(args[1])
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			fm := deviceimport.Format(format)
			if format == "" {
				var ok bool
				if fm, ok = deviceimport.DetectFormat("", filepath.Base(args[1])); !ok {
					return usageError{fmt.Errorf("cannot tell the format of %s from its name; pass --format csv or --format json", args[1])}
				}
			}
			ct := map[deviceimport.Format]string{deviceimport.CSV: "text/csv", deviceimport.JSON: "application/json"}[fm]
			if ct == "" {
				return usageError{fmt.Errorf("--format must be csv or json")}
			}
			q := url.Values{}
			if dryRun {
				q.Set("dry_run", "true")
			}
			pr := newProgress(cmd.ErrOrStderr(), f, st.Size(), "uploading")
			var rep deviceimport.Report
			err = c.Upload(cmd.Context(), "/api/v1/products/"+url.PathEscape(args[0])+"/device-imports", q, ct, pr, st.Size(), &rep)
			pr.done()
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), rep, func() {
				if rep.DryRun {
					fmt.Fprintf(cmd.OutOrStdout(), "checked %d rows: no problems (dry run, nothing imported)\n", rep.Rows)
					return
				}
				fmt.Fprintf(cmd.OutOrStdout(), "imported %s devices: %d new, %d updated\n", strconv.Itoa(rep.Rows), rep.Created, rep.Updated)
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the file and import nothing")
	cmd.Flags().StringVar(&format, "format", "", "csv or json (default: from the file name)")
	return cmd
}
