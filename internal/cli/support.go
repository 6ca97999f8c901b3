package cli

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

func supportPath(product string) string {
	return "/api/v1/products/" + url.PathEscape(product) + "/support-period"
}

func printSupport(cmd *cobra.Command, g *globals, sp httpapi.SupportPeriodResponse) error {
	return g.emit(cmd.OutOrStdout(), sp, func() {
		w := cmd.OutOrStdout()
		end := "not declared"
		if sp.End != nil {
			end = sp.End.Human() + " (" + sp.End.String() + ")"
		}
		fmt.Fprintf(w, "Support ends: %s\nStatus:       %s\n", end, sp.Status.Label())
		if sp.Shortened {
			fmt.Fprintln(w, "Shortened:    yes — the period was shortened after publication, and this is shown publicly")
		}
		if len(sp.History) == 0 {
			return
		}
		fmt.Fprintln(w)
		var rows [][]string
		for _, c := range sp.History {
			prev := "-"
			if c.PreviousEnd != nil {
				prev = c.PreviousEnd.String()
			}
			rows = append(rows, []string{c.At.UTC().Format("2006-01-02 15:04"), string(c.Kind), prev, c.End.String(), c.ActorLabel, orDash(c.Reason)})
		}
		table(w, []string{"WHEN", "CHANGE", "FROM", "TO", "BY", "REASON"}, rows)
	})
}

func newSupportPeriodCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "support-period",
		Aliases: []string{"support"},
		Short:   "Declare and change products' defined support periods",
		Long: `A product's defined support period is the date until which you promise security
updates. Give it to the month (2030-06: until the end of June 2030) or the day.
Extending a published period is published at once. Shortening a published
period is refused unless forced with a reason; the shortening is then shown on
the product's public page, since UK PSTI treats it as non-compliance.`,
	}
	show := &cobra.Command{
		Use: "show PRODUCT", Short: "Show a product's support period and its history", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var sp httpapi.SupportPeriodResponse
			if err := c.Do(cmd.Context(), "GET", supportPath(args[0]), nil, nil, &sp); err != nil {
				return err
			}
			return printSupport(cmd, g, sp)
		},
	}
	var reason string
	var force bool
	set := &cobra.Command{
		Use: "set PRODUCT END", Short: "Declare or change the end date (YYYY-MM or YYYY-MM-DD)", Args: exactArgs(2),
		Example: `  lifeline support-period set smart-plug-mini 2031-12
  lifeline support-period set smart-lock 2027-06 --force --reason "radio module end of life"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			end, err := supportperiod.ParseEndDate(args[1])
			if err != nil {
				return usageError{err}
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var sp httpapi.SupportPeriodResponse
			if err := c.Do(cmd.Context(), "PUT", supportPath(args[0]), nil, httpapi.SupportPeriodRequest{End: end, Reason: reason, Force: force}, &sp); err != nil {
				return err
			}
			return printSupport(cmd, g, sp)
		},
	}
	set.Flags().StringVar(&reason, "reason", "", "why (required with --force; shown publicly for shortenings)")
	set.Flags().BoolVar(&force, "force", false, "shorten a published period (flagged publicly)")
	cmd.AddCommand(show, set)
	return cmd
}
