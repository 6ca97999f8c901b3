// Package download fetches one TUF target over HTTP to a file on disk,
// streaming it through the hashes named in the target's signed metadata so
// that memory use does not depend on the size of the target. It is the
// device agent's replacement for go-tuf's Fetcher.DownloadFile, which returns
// the whole target as a []byte (go-tuf issue #689).
//
// The metadata (a *metadata.TargetFiles from go-tuf) is trusted; the server
// and the network are not. Fetch therefore defends against the TUF attacks
// that concern target files:
//
//   - endless data: it takes at most one byte past the signed length from a
//     response body and never writes past it (ErrTooLong), and refuses at
//     once a response whose Content-Length announces more; Options.MaxLength
//     caps the signed length itself;
//   - arbitrary software: every hash in the metadata must match before the
//     file appears under its final name (ErrHashMismatch);
//   - slow retrieval: a read that makes no progress for Options.IdleTimeout
//     ends the download (ErrStalled). A server that trickles bytes just fast
//     enough is bounded only by the caller's context deadline.
//
// A download goes to dest+".part" and is renamed to dest only once it is
// complete and verified, after fsyncing the file; the directory is fsynced
// after the rename. An interrupted download leaves the .part file behind, and
// the next Fetch for the same dest resumes it with an HTTP Range request,
// re-hashing the kept bytes from disk first. Anything that proves the kept
// bytes or the response wrong (a hash or length mismatch, a malformed
// Content-Range) deletes the .part file, so the next attempt starts over.
//
// The package imports only the standard library and go-tuf's metadata
// package, to keep the agent binary small; download_test.go checks this.
// Two concurrent Fetch calls must not share a dest, and dest's directory must
// not be writable by anyone the agent does not trust.
package download
