package cli

import (
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/audit"
)

func newAuditCmd(g *globals) *cobra.Command {
	var action, actor, targetType, targetID, since, until string
	var limit int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the organisation's audit log, newest first",
		Example: `  lifeline audit --action support_period.
  lifeline audit --actor ada@acme.example --since 2026-11-01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{"action": action, "actor": actor, "target_type": targetType, "target_id": targetID} {
				if v != "" {
					q.Set(k, v)
				}
			}
			for k, v := range map[string]string{"since": since, "until": until} {
				if v != "" {
					t, err := parseDay(v)
					if err != nil {
						return err
					}
					q.Set(k, t.UTC().Format(time.RFC3339))
				}
			}
			items, err := listUpTo[audit.Event](cmd, c, "/api/v1/audit", q, limit)
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), items, func() {
				var rows [][]string
				for _, e := range items {
					rows = append(rows, []string{e.At.UTC().Format("2006-01-02 15:04:05"), e.ActorLabel, e.Source, e.Action, e.Summary})
				}
				table(cmd.OutOrStdout(), []string{"WHEN", "WHO", "FROM", "ACTION", "SUMMARY"}, rows)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&action, "action", "", `action, or a prefix ending in "." such as "product."`)
	f.StringVar(&actor, "actor", "", "email address, or system")
	f.StringVar(&targetType, "target-type", "", "e.g. product")
	f.StringVar(&targetID, "target-id", "", "ID of the thing changed")
	f.StringVar(&since, "since", "", "from this date or time")
	f.StringVar(&until, "until", "", "before this date or time")
	f.IntVar(&limit, "limit", 100, "most events to show (0: all)")
	return cmd
}
