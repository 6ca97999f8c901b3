// Command osvscanner sets Lifeline side by side with osv-scanner v2 on one
// shared OSV dataset and the same SBOMs (docs/benchmarks.md, "Side by side
// with osv-scanner"). run.sh drives it; no test runs it.
//
//	osvscanner gen DIR                    write DIR/db/osv-scalibr/{Debian,Alpine}/all.zip and DIR/sbom/*.json
//	osvscanner import DATA DIR            import DIR's zips into a fresh Lifeline store in DATA
//	osvscanner scan DATA SBOM OUT.json    attach SBOM to a new release in DATA, write its findings
//	osvscanner compare OSV.json LL.json   compare osv-scanner's and Lifeline's findings
//
// The dataset is synthetic (deterministic, math/rand/v2 with fixed seeds)
// plus a few records written by hand from public advisories; see gen.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: osvscanner gen DIR | import DATA DIR | scan DATA SBOM OUT | compare OSV.json LIFELINE.json")
		os.Exit(2)
	}
	if path := os.Getenv("OSVBENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2])
	case "import":
		err = importDB(os.Args[2], os.Args[3])
	case "scan":
		err = scan(os.Args[2], os.Args[3], os.Args[4])
	case "compare":
		err = compare(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "osvscanner:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
