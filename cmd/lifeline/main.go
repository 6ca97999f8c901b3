// Command lifeline runs the Lifeline server and manages it: see `lifeline --help`.
package main

import (
	"os"

	"github.com/lifeline-iot/lifeline/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
