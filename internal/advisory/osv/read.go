package osv

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// ReadZip reads an OSV export archive (osv.dev's <ecosystem>/all.zip) of
// size bytes and calls fn with each record, in archive order. Entries whose
// names do not end in ".json" are counted as skipped. A malformed record is
// counted in Stats and skipped; so is a record not modified after
// lim.Since (as unchanged).
//
// The import aborts with an errs.TooLarge error when the archive has more
// than lim.MaxEntries entries or when decompressing an entry or all of them
// yields more than lim.MaxRecordBytes or lim.MaxTotalBytes. The bytes are
// counted as they are decompressed, so an archive whose headers understate
// its sizes is caught too. An error returned by fn aborts the import and is
// returned as is. The Stats returned with an error describe the work done
// until then.
func ReadZip(r io.ReaderAt, size int64, lim Limits, fn func(*advisory.Advisory) error) (Stats, error) {
	imp := newImporter(lim, fn)
	zr, err := zip.NewReader(r, size)
	// Entry names are never used as paths here, so names that
	// archive/zip reports as insecure are harmless.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return imp.stats, errs.Wrap(errs.Invalid, err, "osv: not a readable zip archive")
	}
	if len(zr.File) > imp.lim.MaxEntries {
		return imp.stats, errs.E(errs.TooLarge, "osv: archive has %d entries, more than the limit of %d", len(zr.File), imp.lim.MaxEntries)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if !f.Mode().IsRegular() || !hasJSONSuffix(f.Name) {
			imp.stats.Skipped++
			continue
		}
		if err := imp.entry(f.Name, f.Open); err != nil {
			return imp.stats, err
		}
	}
	return imp.stats, nil
}

// ReadDir reads every regular file named *.json in the tree fsys, in lexical
// order, as one OSV record each, and calls fn with each record. Other files
// are counted as skipped. Limits and errors are as for ReadZip, with files in
// place of archive entries.
func ReadDir(fsys fs.FS, lim Limits, fn func(*advisory.Advisory) error) (Stats, error) {
	imp := newImporter(lim, fn)
	files := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "osv: cannot read %q", clip(name))
		}
		if d.IsDir() {
			return nil
		}
		files++
		if files > imp.lim.MaxEntries {
			return errs.E(errs.TooLarge, "osv: directory has more than %d files", imp.lim.MaxEntries)
		}
		if !d.Type().IsRegular() || !hasJSONSuffix(name) {
			imp.stats.Skipped++
			return nil
		}
		return imp.entry(name, func() (io.ReadCloser, error) { return fsys.Open(name) })
	})
	return imp.stats, err
}

// importer holds the state of one ReadZip or ReadDir call.
type importer struct {
	lim   Limits
	fn    func(*advisory.Advisory) error
	stats Stats
	total int64        // uncompressed bytes read so far
	buf   bytes.Buffer // reused for every record; parse keeps no reference to it
}

func newImporter(lim Limits, fn func(*advisory.Advisory) error) *importer {
	return &importer{lim: lim.withDefaults(), fn: fn}
}

// entry reads, parses and hands on one record. It returns an error only
// when the import must stop.
func (imp *importer) entry(name string, open func() (io.ReadCloser, error)) error {
	rc, err := open()
	if err != nil {
		imp.stats.AddError(fmt.Sprintf("%s: cannot open: %v", clip(name), err))
		return nil
	}
	imp.buf.Reset()
	// Read one byte past the limit to tell "exactly at" from "over".
	n, err := imp.buf.ReadFrom(io.LimitReader(rc, imp.lim.MaxRecordBytes+1))
	rc.Close()
	imp.total += n
	if n > imp.lim.MaxRecordBytes {
		return errs.E(errs.TooLarge, "osv: %s: record exceeds the limit of %d bytes", clip(name), imp.lim.MaxRecordBytes)
	}
	if imp.total > imp.lim.MaxTotalBytes {
		return errs.E(errs.TooLarge, "osv: import exceeds the limit of %d uncompressed bytes at %s", imp.lim.MaxTotalBytes, clip(name))
	}
	if err != nil {
		imp.stats.AddError(fmt.Sprintf("%s: cannot read: %v", clip(name), err))
		return nil
	}
	a, err := parse(imp.buf.Bytes(), imp.lim)
	if err != nil {
		if errs.Is(err, errs.TooLarge) {
			return errs.Wrap(errs.TooLarge, err, "osv: %s: record refused", clip(name))
		}
		imp.stats.AddError(fmt.Sprintf("%s: %v", clip(name), err))
		return nil
	}
	imp.stats.SeeModified(a.Modified)
	if !imp.lim.Since.IsZero() && !a.Modified.After(imp.lim.Since) {
		imp.stats.Unchanged++
		return nil
	}
	if err := imp.fn(a); err != nil {
		return err
	}
	imp.stats.Records++
	return nil
}
