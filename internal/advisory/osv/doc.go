// Package osv reads vulnerability records in the OSV schema (1.x), as
// published by osv.dev in its per-ecosystem all.zip exports and by the
// databases that feed it (GitHub advisories, Go, Debian, Alpine, the Linux
// kernel CNA and others), into Lifeline's advisory model.
//
// Parse reads one record; ReadZip reads an all.zip export and ReadDir a
// directory tree of records. The readers treat their input as hostile: every
// record and the whole import are bounded in bytes, entries and JSON nesting
// (see Limits), a record that breaks a bound aborts the import with an
// errs.TooLarge error, and a record that is merely malformed is counted in
// the returned statistics and skipped. Limits.Since makes imports
// incremental.
//
// The package is pure: it reads from an io.ReaderAt or an fs.FS handed to it
// and never opens files or network connections itself.
package osv
