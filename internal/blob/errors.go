package blob

import "github.com/lifeline-iot/lifeline/internal/errs"

// Errors the adapters share, so every backend says the same thing.

// ErrExists is the error for a Put on a key that is taken.
func ErrExists(key string) error {
	return errs.E(errs.Conflict, "a blob with key %q already exists; blobs cannot be overwritten", key).WithCode("blob_exists")
}

// ErrNotFound is the error for a key with no object.
func ErrNotFound(key string) error {
	return errs.E(errs.NotFound, "no blob with key %q", key).WithCode("blob_not_found")
}

// ErrCancelled wraps a context's error.
func ErrCancelled(err error) error {
	return errs.Wrap(errs.Unavailable, err, "the request took too long or was cancelled")
}
