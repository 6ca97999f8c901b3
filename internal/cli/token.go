package cli

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
)

func newTokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Aliases: []string{"tokens"}, Short: "Create, list and revoke API tokens"}
	list := &cobra.Command{
		Use: "list", Short: "List your tokens (owners see everyone's)", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var l httpapi.ListBody[access.Token]
			if err := c.Do(cmd.Context(), "GET", "/api/v1/tokens", nil, nil, &l); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), l.Items, func() {
				var rows [][]string
				for _, t := range l.Items {
					state := "active"
					if t.RevokedAt != nil {
						state = "revoked"
					}
					var sc []string
					for _, s := range t.Scopes {
						sc = append(sc, string(s))
					}
					rows = append(rows, []string{t.ID, t.Name, strings.Join(sc, ","), fmtDate(t.ExpiresAt), fmtTime(t.LastUsedAt), state})
				}
				table(cmd.OutOrStdout(), []string{"ID", "NAME", "SCOPES", "EXPIRES", "LAST USED", "STATE"}, rows)
			})
		},
	}
	var name string
	var scopes []string
	var days int
	create := &cobra.Command{
		Use: "create", Short: "Create a token; its secret is printed once, on standard output", Args: noArgs,
		Example: `  lifeline token create --name ci --scopes read,write --days 30 > ci-token.txt`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			req := httpapi.TokenCreateRequest{Name: name, ExpiresInDays: days}
			for _, s := range scopes {
				req.Scopes = append(req.Scopes, access.Scope(s))
			}
			var resp httpapi.TokenCreateResponse
			if err := c.Do(cmd.Context(), "POST", "/api/v1/tokens", nil, req, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				fmt.Fprintf(cmd.ErrOrStderr(), "created token %s (%s), expiring %s; the secret below is shown only once\n", resp.Token.Name, resp.Token.ID, fmtDate(resp.Token.ExpiresAt))
				fmt.Fprintln(cmd.OutOrStdout(), resp.Secret)
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "a name to recognise the token by")
	create.Flags().StringSliceVar(&scopes, "scopes", []string{"read"}, "read, write and/or admin")
	create.Flags().IntVar(&days, "days", 90, "days until it expires (at most 366)")
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke a token", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var t access.Token
			if err := c.Do(cmd.Context(), "DELETE", "/api/v1/tokens/"+url.PathEscape(args[0]), nil, nil, &t); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", t.Name)
			return nil
		},
	}
	cmd.AddCommand(list, create, revoke)
	return cmd
}
