package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/client"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
)

func newLoginCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Save a server address and API token for later commands",
		Long: `Check an API token against a server and save both in the client config file
(readable only by you), so later commands need neither --server nor --token.
The token is read from standard input, so it stays out of your shell history.`,
		Example: `  lifeline login --server https://lifeline.example.com < token.txt
  echo "$TOKEN" | lifeline login --server http://127.0.0.1:8080`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server := firstOf(g.server, os.Getenv("LIFELINE_SERVER"))
			if server == "" {
				return usageError{fmt.Errorf("give the server with --server")}
			}
			token := firstOf(g.token, os.Getenv("LIFELINE_TOKEN"))
			if token == "" {
				var err error
				if token, err = readPassword(cmd.InOrStdin()); err != nil {
					return fmt.Errorf("reading the token from standard input: %w", err)
				}
			}
			c := client.New(server, token)
			var me httpapi.MeResponse
			if err := c.Do(cmd.Context(), "GET", "/api/v1/me", nil, nil, &me); err != nil {
				return err
			}
			path, err := g.configPath()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			b, _ := json.MarshalIndent(clientConfigFile{Server: c.BaseURL, Token: token}, "", "  ")
			if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
				return err
			}
			org := ""
			if me.Organisation != nil {
				org = " in " + me.Organisation.Name
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s as %s%s (%s). Saved to %s\n", c.BaseURL, me.User.Email, org, me.Role, path)
			return nil
		},
	}
}
