package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func newNotifyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Send vulnerability notifications to webhooks and email"}
	var nt service.NewTarget
	add := func(kind, use, short, example string) *cobra.Command {
		c := &cobra.Command{
			Use: use, Short: short, Example: example, Args: exactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := g.client()
				if err != nil {
					return err
				}
				req := nt
				req.Kind, req.Name = kind, args[0]
				if kind == "webhook" {
					req.URL = args[1]
				} else {
					req.Email = args[1]
				}
				var resp httpapi.NotificationTargetResponse
				if err := c.Do(cmd.Context(), "POST", "/api/v1/notification-targets", nil, req, &resp); err != nil {
					return err
				}
				return g.emit(cmd.OutOrStdout(), resp, func() {
					fmt.Fprintf(cmd.OutOrStdout(), "added %s target %s (%s)\n", resp.Kind, resp.Name, resp.ID)
					if resp.Secret != "" {
						fmt.Fprintf(cmd.OutOrStdout(), "signing secret (shown once; verify the Lifeline-Signature header with it):\n  %s\n", resp.Secret)
					}
				})
			},
		}
		c.Flags().Float64Var(&nt.MinScore, "min-score", 7, "send new findings with a CVSS score at or above this")
		c.Flags().BoolVar(&nt.OnExploited, "exploited", true, "send every newly exploited vulnerability, and exploited findings whatever their score")
		return c
	}
	list := &cobra.Command{
		Use: "list", Short: "List notification targets", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.ListBody[store.NotificationTarget]
			if err := c.Do(cmd.Context(), "GET", "/api/v1/notification-targets", nil, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				var rows [][]string
				for _, t := range resp.Items {
					to := t.URL
					if t.Kind == "email" {
						to = t.Email
					}
					rows = append(rows, []string{t.ID, t.Kind, t.Name, to, strconv.FormatFloat(t.MinScore, 'f', 1, 64), yesNo(t.OnExploited)})
				}
				table(cmd.OutOrStdout(), []string{"ID", "KIND", "NAME", "TO", "MIN SCORE", "EXPLOITED"}, rows)
			})
		},
	}
	remove := &cobra.Command{
		Use: "remove ID", Short: "Remove a notification target", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.Do(cmd.Context(), "DELETE", "/api/v1/notification-targets/"+args[0], nil, nil, nil)
		},
	}
	test := &cobra.Command{
		Use: "test ID", Short: "Queue a test notification to a target", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "POST", "/api/v1/notification-targets/"+args[0]+"/test", nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "queued; see lifeline notify deliveries "+args[0])
			return nil
		},
	}
	deliveries := &cobra.Command{
		Use: "deliveries ID", Short: "A target's latest deliveries", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.ListBody[store.Notification]
			if err := c.Do(cmd.Context(), "GET", "/api/v1/notification-targets/"+args[0]+"/deliveries", nil, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				var rows [][]string
				for _, n := range resp.Items {
					state := "pending"
					switch {
					case n.DeliveredAt != nil:
						state = "delivered " + fmtDate(*n.DeliveredAt)
					case n.FailedAt != nil:
						state = "given up " + fmtDate(*n.FailedAt)
					}
					rows = append(rows, []string{fmtDate(n.CreatedAt), n.Event, state, strconv.Itoa(n.Attempts), orDash(n.LastError)})
				}
				table(cmd.OutOrStdout(), []string{"QUEUED", "EVENT", "STATE", "ATTEMPTS", "LAST ERROR"}, rows)
			})
		},
	}
	cmd.AddCommand(
		add("webhook", "add-webhook NAME URL", "Send notifications as signed JSON POSTs to an https URL (owners)",
			"  lifeline notify add-webhook psirt https://psirt.example.com/lifeline --min-score 9"),
		add("email", "add-email NAME ADDRESS", "Send notifications by email (the server needs --smtp-addr; owners)",
			"  lifeline notify add-email security security@example.com --min-score 7"),
		list, remove, test, deliveries)
	return cmd
}
