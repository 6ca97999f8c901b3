// Command lifeline-agent is Lifeline's device agent: it installs verified
// firmware updates from a product's TUF repository. See internal/agent.
package main

import (
	"os"

	"github.com/lifeline-iot/lifeline/internal/agent/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
