package csaf

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// ReadDir walks fsys (a CSAF provider's directory tree, usually one folder
// per year) and calls fn with each *.json document whose
// current_release_date is after lim.Since. Other files, and directories
// whose name starts with ".", are passed over; files that are not
// documents (provider-metadata.json, ROLIE feeds) fail to parse like any
// malformed document. A file that cannot be read or parsed is counted and
// described in the statistics and the walk goes on. Records counts
// advisories passed to fn, Unchanged documents not modified after
// lim.Since, Skipped files that are not *.json. The walk stops at the
// first error returned by fn or by fsys itself, which ReadDir returns.
func ReadDir(fsys fs.FS, lim Limits, fn func(*Document) error) (advisory.ImportStats, error) {
	lim = lim.withDefaults()
	var stats advisory.ImportStats
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(path.Ext(name), ".json") || !d.Type().IsRegular() {
			stats.Skipped++
			return nil
		}
		data, err := readFile(fsys, name, lim.MaxBytes)
		if err != nil {
			stats.AddError(fmt.Sprintf("%s: %v", name, err))
			return nil
		}
		doc, err := Parse(data, lim)
		if err != nil {
			stats.AddError(fmt.Sprintf("%s: %v", name, err))
			return nil
		}
		stats.SeeModified(doc.Modified)
		if !lim.Since.IsZero() && !doc.Modified.After(lim.Since) {
			stats.Unchanged++
			return nil
		}
		stats.Records += len(doc.Advisories)
		return fn(doc)
	})
	return stats, err
}

// readFile reads at most max bytes of name and refuses larger files.
func readFile(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errs.E(errs.TooLarge, "csaf: document exceeds %d bytes", max)
	}
	return data, nil
}
