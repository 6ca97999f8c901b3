package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func newVulnCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "vuln", Short: "See the vulnerabilities in your releases, the devices exposed, and triage them"}
	var product string
	var resolved bool
	list := &cobra.Command{
		Use: "list", Short: "The portfolio view: vulnerabilities worst first, with devices exposed in and out of support", Args: noArgs,
		Example: `  lifeline vuln list
  lifeline vuln list --product smart-plug -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{}
			if product != "" {
				q.Set("product", product)
			}
			if resolved {
				q.Set("resolved", "true")
			}
			var resp httpapi.VulnListResponse
			if err := c.Do(cmd.Context(), "GET", "/api/v1/vulnerabilities", q, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				var rows [][]string
				for _, v := range resp.Items {
					var prods, fixed []string
					for _, p := range v.Products {
						prods = append(prods, p.Slug)
						if p.FixedIn != "" {
							fixed = append(fixed, fmt.Sprintf("%s %s (%d/%d devices)", p.Slug, p.FixedIn, p.OnFixed, p.FleetDevices))
						}
					}
					rows = append(rows, []string{v.ID, severity(v.Score), yesNo(v.Exploited), strings.Join(prods, " "),
						strconv.Itoa(v.DevicesInSupport), strconv.Itoa(v.DevicesOutOfSupport), orDash(strings.Join(fixed, "; "))})
				}
				table(cmd.OutOrStdout(), []string{"VULNERABILITY", "SEVERITY", "EXPLOITED", "PRODUCTS", "DEVICES IN SUPPORT", "OUT OF SUPPORT", "FIXED IN"}, rows)
			})
		},
	}
	list.Flags().StringVar(&product, "product", "", "only this product")
	list.Flags().BoolVar(&resolved, "resolved", false, "include vulnerabilities whose findings are all resolved")

	show := &cobra.Command{
		Use: "show ID", Short: "One vulnerability by any id or alias: advisories, exposure, findings and why each matched", Args: exactArgs(1),
		Example: `  lifeline vuln show CVE-2022-48174`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var d service.VulnDetail
			if err := c.Do(cmd.Context(), "GET", "/api/v1/vulnerabilities/"+url.PathEscape(args[0]), nil, nil, &d); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), d, func() {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "%s  severity %s  exploited %s\n", d.ID, severity(d.Exposure.Score), yesNo(d.Exposure.Exploited))
				for _, a := range d.Records {
					fmt.Fprintf(w, "  %s %s: %s\n", a.Source, a.ID, a.Summary)
				}
				fmt.Fprintf(w, "devices exposed: %d in support, %d out of support\n\n", d.Exposure.DevicesInSupport, d.Exposure.DevicesOutOfSupport)
				var rows [][]string
				for _, f := range d.Findings {
					why := ""
					if len(f.Reasons) > 0 {
						var r struct{ Text string }
						_ = jsonUnmarshal(f.Reasons[0], &r)
						why = r.Text
					}
					rows = append(rows, []string{f.Slug, f.Version, strconv.Itoa(f.Index), f.Component, f.Status, why})
				}
				table(w, []string{"PRODUCT", "RELEASE", "#", "COMPONENT", "STATUS", "WHY"}, rows)
			})
		},
	}

	findings := &cobra.Command{
		Use: "findings PRODUCT VERSION", Short: "A release's findings, worst first", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.FindingListResponse
			if err := c.Do(cmd.Context(), "GET", releasePath(args[0], args[1])+"/findings", nil, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				var rows [][]string
				for _, f := range resp.Items {
					rows = append(rows, []string{f.VulnID, severity(f.Score), yesNo(f.Exploited), strconv.Itoa(f.Index), f.Component, f.Status, orDash(f.Justification)})
				}
				table(cmd.OutOrStdout(), []string{"VULNERABILITY", "SEVERITY", "EXPLOITED", "#", "COMPONENT", "STATUS", "JUSTIFICATION"}, rows)
			})
		},
	}

	var req service.TriageRequest
	triage := &cobra.Command{
		Use:   "triage ID",
		Short: "Record a decision on a finding; it carries over to the same component in later releases",
		Example: `  lifeline vuln triage CVE-2022-48174 --product smart-plug --release 1.2.0 --component 3 \
      --state not_affected --justification vulnerable_code_not_present --note "ash is not built"
  lifeline vuln triage CVE-2023-5678 --product smart-plug --release 1.2.0 --component 5 --state fixed --fixed-in 1.3.0`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var t store.Triage
			if err := c.Do(cmd.Context(), "POST", "/api/v1/vulnerabilities/"+url.PathEscape(args[0])+"/triage", nil, req, &t); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), t, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "%s in %s: %s\n", t.VulnID, t.Identity, t.State)
			})
		},
	}
	tf := triage.Flags()
	tf.StringVar(&req.ProductKey, "product", "", "product (slug or ID)")
	tf.StringVar(&req.Version, "release", "", "release version the finding is on")
	tf.IntVar(&req.ComponentIndex, "component", 0, "component number (the # column of vuln findings)")
	tf.StringVar(&req.State, "state", "", "affected, not_affected, fixed or false_positive")
	tf.StringVar(&req.Justification, "justification", "", "why not affected: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist")
	tf.StringVar(&req.FixedIn, "fixed-in", "", "the release that fixes it (state fixed)")
	tf.StringVar(&req.Note, "note", "", "free text")

	cmd.AddCommand(list, show, findings, triage, newVEXCmd(g))
	return cmd
}

func newVEXCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "vex", Short: "Upload VEX documents whose statements suppress or confirm findings"}
	var name string
	upload := &cobra.Command{
		Use: "upload FILE", Short: "Upload a CycloneDX VEX, OpenVEX or CSAF VEX document", Args: exactArgs(1),
		Example: `  lifeline vuln vex upload product.openvex.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if name == "" {
				name = args[0]
			}
			var d store.VEXDocument
			if err := sendFile(cmd, c, "POST", "/api/v1/vex", url.Values{"name": {name}}, args[0], "uploading "+args[0], &d); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), d, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "uploaded %s with %d statements\n", d.Format, d.Statements)
			})
		},
	}
	upload.Flags().StringVar(&name, "name", "", "a name for the document (default: the file name)")
	cmd.AddCommand(upload)
	return cmd
}

func severity(score float64) string {
	if score == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%s %.1f", advisory.SeverityLabel(score), score)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
