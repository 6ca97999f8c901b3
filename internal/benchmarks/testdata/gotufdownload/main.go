// Command gotufdownload downloads one target with go-tuf v2's own updater
// (Updater.DownloadTarget), the baseline Lifeline's agent is compared with
// for peak memory. Usage: gotufdownload METADATA_URL TARGETS_URL ROOT_FILE TARGET OUT_DIR REF_TIME
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

func main() {
	if len(os.Args) != 7 {
		fmt.Fprintln(os.Stderr, "usage: gotufdownload METADATA_URL TARGETS_URL ROOT_FILE TARGET OUT_DIR REF_TIME")
		os.Exit(2)
	}
	root, err := os.ReadFile(os.Args[3])
	if err != nil {
		fail(err)
	}
	cfg, err := config.New(os.Args[1], root)
	if err != nil {
		fail(err)
	}
	cfg.RemoteTargetsURL = os.Args[2]
	cfg.LocalMetadataDir = filepath.Join(os.Args[5], "metadata")
	cfg.LocalTargetsDir = filepath.Join(os.Args[5], "targets")
	up, err := updater.New(cfg)
	if err != nil {
		fail(err)
	}
	ref, err := time.Parse(time.RFC3339, os.Args[6])
	if err != nil {
		fail(err)
	}
	up.UnsafeSetRefTime(ref)
	if err := up.Refresh(); err != nil {
		fail(err)
	}
	info, err := up.GetTargetInfo(os.Args[4])
	if err != nil {
		fail(err)
	}
	if _, _, err := up.DownloadTarget(info, "", ""); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gotufdownload:", err)
	os.Exit(1)
}
