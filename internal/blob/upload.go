package blob

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Upload is the body of a Put as an adapter reads it: it stops when the
// context is done, refuses more than maxSize bytes, and hashes every byte it
// hands out. Adapters read the object from it and, when storing fails, return
// Err in preference to the storage error, which is usually only its echo.
type Upload struct {
	ctx            context.Context
	r              io.Reader
	max, n         int64
	sha256, sha512 hash.Hash
	err            error
}

// CheckPut validates a Put's key and size limit, so an adapter can refuse a
// bad call before it touches storage.
func CheckPut(key string, maxSize int64) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if maxSize < 0 {
		return errs.Invalidf("maxSize", "is negative")
	}
	return nil
}

// NewUpload wraps r, the body of a Put with the given maxSize. A negative
// maxSize is refused at the first Read with errs.Invalid.
func NewUpload(ctx context.Context, r io.Reader, maxSize int64) *Upload {
	return &Upload{ctx: ctx, r: r, max: maxSize, sha256: sha256.New(), sha512: sha512.New()}
}

// Read reads from the underlying reader. Past maxSize bytes it returns an
// errs.TooLarge error instead of the excess.
func (u *Upload) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if u.max < 0 {
		return 0, u.fail(errs.E(errs.Invalid, "the size limit %d is negative", u.max))
	}
	if err := u.ctx.Err(); err != nil {
		return 0, u.fail(ErrCancelled(err))
	}
	// Read at most one byte more than allowed, to tell "exactly maxSize"
	// from "more".
	if room := u.max - u.n; room < int64(len(p)) {
		p = p[:room+1]
	}
	n, err := u.r.Read(p)
	if u.n+int64(n) > u.max {
		n = int(u.max - u.n)
		err = u.fail(errs.E(errs.TooLarge, "the file is larger than the limit of %d bytes", u.max).WithCode("blob_too_large"))
	} else if err != nil && err != io.EOF {
		err = u.fail(fmt.Errorf("blob: reading the upload: %w", err))
	}
	u.n += int64(n)
	u.sha256.Write(p[:n])
	u.sha512.Write(p[:n])
	return n, err
}

func (u *Upload) fail(err error) error {
	u.err = err
	return err
}

// Err returns the error that ended reading, other than io.EOF: the reader's
// (wrapped, so errors.Is finds it), the context's, or errs.TooLarge.
func (u *Upload) Err() error { return u.err }

// Size returns how many bytes have been read.
func (u *Upload) Size() int64 { return u.n }

// Sums returns the digests of the bytes read so far.
func (u *Upload) Sums() (sha256, sha512 []byte) {
	return u.sha256.Sum(nil), u.sha512.Sum(nil)
}

// Info describes the bytes read so far as an object stored under key.
func (u *Upload) Info(key string, modTime time.Time) Info {
	s256, s512 := u.Sums()
	return Info{Key: key, Size: u.n, SHA256: s256, SHA512: s512, ModTime: modTime}
}

// Cause picks the error a failed Put returns: the upload's own error when
// there is one, since a storage failure that follows it is only its echo, or
// else storeErr.
func (u *Upload) Cause(storeErr error) error {
	if u.err != nil {
		return u.err
	}
	return storeErr
}
