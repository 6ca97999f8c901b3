// Package blob is Lifeline's contract for storing large, immutable files such
// as firmware images (up to several GiB). Adapters live in subpackages named
// after their technology (filesystem, s3); blobtest is the contract suite
// every adapter must pass.
//
// The contract, for every Store:
//
//   - Keys are checked by ValidKey; a bad key is refused with errs.Invalid.
//   - Put streams: it never holds the whole object in memory, hashes the bytes
//     (SHA-256 and SHA-512) as they pass, and refuses more than maxSize bytes
//     with errs.TooLarge.
//   - Put is atomic: until it returns successfully no reader sees the object,
//     and when it fails (bad input, reader error, cancelled context, limit
//     exceeded, storage error) it leaves nothing behind under the key.
//   - Blobs are immutable: Put on an existing key fails with errs.Conflict and
//     leaves the existing object untouched. Delete, then Put, to replace one.
//   - A missing object is errs.NotFound for Open, Stat and Delete.
//   - A Store is safe for concurrent use; an Object is not.
package blob

import (
	"context"
	"io"
	"time"
)

// Store keeps blobs under keys.
type Store interface {
	// Put stores the bytes read from r under key and returns what was
	// stored. It reads r until io.EOF; more than maxSize bytes (maxSize >= 0)
	// is errs.TooLarge. An error from r is returned in the chain, so
	// errors.Is works on it. Put does not close r.
	Put(ctx context.Context, key string, r io.Reader, maxSize int64) (Info, error)

	// Open returns the object for reading. The caller must Close it. ctx
	// governs the reads too: with a remote store, cancelling it fails later
	// reads, so for an HTTP response pass the request's context.
	Open(ctx context.Context, key string) (Object, error)

	// Stat returns what is stored under key.
	Stat(ctx context.Context, key string) (Info, error)

	// Delete removes the object under key.
	Delete(ctx context.Context, key string) error

	// Backend names the adapter ("filesystem", "s3") for logs and status pages.
	Backend() string
}

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64
	SHA256  []byte // raw digest of the content, computed while it was stored
	SHA512  []byte // raw digest of the content, computed while it was stored
	ModTime time.Time
}

// Object is an open blob. It seeks without reading what it skips, so it can
// be handed to http.ServeContent to answer Range requests. It is not safe for
// concurrent use.
type Object interface {
	io.ReadSeekCloser
	// Info describes the object as it was when it was opened.
	Info() Info
}
