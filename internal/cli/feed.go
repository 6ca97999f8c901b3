package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
)

var jsonUnmarshal = json.Unmarshal

func feedSpecFlags(cmd *cobra.Command, spec *service.FeedSpec) {
	cmd.Flags().StringVar(&spec.Kind, "kind", "", "osv (all.zip or a directory of JSON), nvd (CVE API 2.0 JSON), csaf (a directory or one document) or kev (the CISA catalogue JSON)")
	cmd.Flags().StringVar(&spec.Location, "from", "", "a file, a directory or an http(s) URL")
	cmd.Flags().BoolVar(&spec.Full, "full", false, "read every record, not only those modified since the last import")
}

const feedExample = `  lifeline %[1]s import osv-debian --kind osv --from /srv/feeds/Debian/all.zip
  lifeline %[1]s import nvd-2024 --kind nvd --from /srv/feeds/nvdcve-2.0-2024.json
  lifeline %[1]s import kev --kind kev --from https://feeds.example.net/known_exploited_vulnerabilities.json`

func newFeedCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "feed", Short: "Advisory feeds: what was imported, and imports run by the server"}
	list := &cobra.Command{
		Use: "list", Short: "The feeds, their last imports and the records held per source", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.FeedListResponse
			if err := c.Do(cmd.Context(), "GET", "/api/v1/feeds", nil, nil, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				var rows [][]string
				for _, f := range resp.Items {
					last := "-"
					if f.LastFinished != nil {
						last = fmtDate(*f.LastFinished)
					}
					rows = append(rows, []string{f.Name, f.Kind, f.Location, last, strconv.Itoa(f.Records), strconv.Itoa(f.ErrorCount), orDash(f.LastError)})
				}
				table(cmd.OutOrStdout(), []string{"NAME", "KIND", "FROM", "LAST IMPORT", "RECORDS", "ERRORS", "LAST ERROR"}, rows)
				for src, n := range resp.Records {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d records\n", src, n)
				}
			})
		},
	}
	var spec service.FeedSpec
	imp := &cobra.Command{
		Use: "import NAME", Short: "Have the server import a feed from a path or URL it can read (site administrators)", Args: exactArgs(1),
		Example: fmt.Sprintf(feedExample, "feed"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			spec.Name = args[0]
			fmt.Fprintf(cmd.ErrOrStderr(), "importing %s on the server…\n", spec.Name)
			var res service.FeedResult
			if err := c.Do(cmd.Context(), "POST", "/api/v1/feeds/import", nil, spec, &res); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), res, func() { printFeedResult(cmd, res) })
		},
	}
	feedSpecFlags(imp, &spec)
	cmd.AddCommand(list, imp)
	return cmd
}

func printFeedResult(cmd *cobra.Command, res service.FeedResult) {
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d records read, %d unchanged, %d errors; %d vulnerabilities rematched, %d new findings, in %s\n",
		res.Feed.Name, res.Stats.Records, res.Stats.Unchanged, res.Stats.ErrorCount, res.Vulns, res.NewFindings, res.Duration.Round(1e6))
	for _, e := range res.Stats.Errors {
		fmt.Fprintf(cmd.ErrOrStderr(), "  skipped: %s\n", e)
	}
}

// adminFeed imports a feed directly into the database, with progress.
func adminFeed(e *adminEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "feed", Short: "Import advisory feeds directly into the database"}
	var spec service.FeedSpec
	imp := &cobra.Command{
		Use: "import NAME", Short: "Import an advisory feed from a file, directory or URL, showing progress", Args: exactArgs(1),
		Example: fmt.Sprintf(feedExample, "admin feed"),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Name = args[0]
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				w := cmd.ErrOrStderr()
				res, err := svc.ImportFeed(ctx, p, spec, func(pr service.ImportProgress) {
					switch pr.Phase {
					case "download":
						fmt.Fprintf(w, "\r%s: downloaded %s", pr.Feed, mb(pr.Bytes))
					case "read":
						fmt.Fprintf(w, "\r%s: %d records read", pr.Feed, pr.Records)
					case "match":
						fmt.Fprintf(w, "\r%s: %d records read, %d unchanged, %d errors; matching…\n", pr.Feed, pr.Records, pr.Unchanged, pr.Errors)
					}
				})
				if err != nil {
					fmt.Fprintln(w)
					return err
				}
				printFeedResult(cmd, res)
				return nil
			})
		},
	}
	feedSpecFlags(imp, &spec)
	cmd.AddCommand(imp)
	return cmd
}
