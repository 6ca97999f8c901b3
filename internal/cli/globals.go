package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/client"
)

// globals are the flags every remote command shares.
type globals struct {
	server, token, output, clientConfig string
}

// clientConfigFile is what lifeline login writes.
type clientConfigFile struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

func (g *globals) configPath() (string, error) {
	if g.clientConfig != "" {
		return g.clientConfig, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "lifeline", "config.json"), nil
}

func (g *globals) readConfig() clientConfigFile {
	var c clientConfigFile
	path, err := g.configPath()
	if err != nil {
		return c
	}
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	_ = json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&c)
	return c
}

// client returns an API client from flags, environment or the config file.
func (g *globals) client() (*client.Client, error) {
	cfg := g.readConfig()
	server := firstOf(g.server, os.Getenv("LIFELINE_SERVER"), cfg.Server)
	token := firstOf(g.token, os.Getenv("LIFELINE_TOKEN"), cfg.Token)
	if server == "" {
		return nil, errors.New("no server: pass --server, set LIFELINE_SERVER, or run lifeline login")
	}
	if token == "" {
		return nil, errors.New("no API token: set LIFELINE_TOKEN, pass --token, or run lifeline login")
	}
	return client.New(server, token), nil
}

func (g *globals) json() (bool, error) {
	switch g.output {
	case "json":
		return true, nil
	case "table", "":
		return false, nil
	}
	return false, usageError{fmt.Errorf("--output must be table or json, not %q", g.output)}
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// noArgs and exactArgs wrap cobra's checks so their errors count as usage errors.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error { return exactArgs(0)(cmd, args) }
