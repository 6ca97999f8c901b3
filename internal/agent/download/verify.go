package download

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// bufSize is the size of the one buffer each Fetch or VerifyFile uses; it
// bounds the memory a download needs, whatever the size of the target.
const bufSize = 64 << 10

// hashFuncs are the algorithms a target's metadata may name. They are the
// ones go-tuf itself verifies, so a target go-tuf accepts is accepted here.
var hashFuncs = map[string]func() hash.Hash{
	"sha256": sha256.New,
	"sha512": sha512.New,
}

// digest is one running hash and the value the metadata expects from it.
type digest struct {
	name string
	want []byte
	h    hash.Hash
}

// digests hashes a stream with every algorithm the metadata names.
type digests []digest

// checkTarget validates the metadata and returns the digests to compute.
// It refuses metadata naming no hash or a hash this package cannot compute:
// like go-tuf and python-tuf, it verifies every hash the metadata lists.
func checkTarget(want *metadata.TargetFiles) (digests, error) {
	if want == nil {
		return nil, fmt.Errorf("%w: no target metadata", ErrBadMetadata)
	}
	if want.Length < 0 {
		return nil, fmt.Errorf("%w: negative length %d", ErrBadMetadata, want.Length)
	}
	if len(want.Hashes) == 0 {
		return nil, fmt.Errorf("%w: the target has no hashes", ErrBadMetadata)
	}
	var ds digests
	for name, value := range want.Hashes {
		newHash, ok := hashFuncs[name]
		if !ok {
			return nil, fmt.Errorf("%w: unsupported hash algorithm %q", ErrBadMetadata, name)
		}
		h := newHash()
		if len(value) != h.Size() {
			return nil, fmt.Errorf("%w: %s hash is %d bytes, want %d", ErrBadMetadata, name, len(value), h.Size())
		}
		ds = append(ds, digest{name: name, want: value, h: h})
	}
	slices.SortFunc(ds, func(a, b digest) int { return cmp.Compare(a.name, b.name) })
	return ds, nil
}

// write feeds p to every hash. Hash writes never fail.
func (ds digests) write(p []byte) {
	for _, d := range ds {
		d.h.Write(p)
	}
}

func (ds digests) reset() {
	for _, d := range ds {
		d.h.Reset()
	}
}

// check compares every hash with the metadata and names each mismatch.
func (ds digests) check(label string) error {
	var bad []error
	for _, d := range ds {
		if got := d.h.Sum(nil); !bytes.Equal(got, d.want) {
			bad = append(bad, fmt.Errorf("%s is %x, metadata says %x", d.name, got, d.want))
		}
	}
	if bad != nil {
		return fmt.Errorf("%s: %w: %w", label, ErrHashMismatch, errors.Join(bad...))
	}
	return nil
}

// hashFrom feeds at most limit+1 bytes of r to ds, using buf, and returns how
// many it read. Reading one byte more than limit lets callers tell "too long"
// from "exactly right" without reading the rest of r.
func (ds digests) hashFrom(r io.Reader, limit int64, buf []byte) (int64, error) {
	var n int64
	for {
		b := buf
		if rest := limit - n; rest < int64(len(b)) {
			b = b[:rest+1]
		}
		m, err := r.Read(b)
		ds.write(b[:m])
		n += int64(m)
		if n > limit || err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// VerifyFile checks that the file at path has the length and every hash
// that want lists, reading it as a stream. Use it on a cached download
// before installing it. It returns an error wrapping ErrLengthMismatch or
// ErrHashMismatch when the file does not match, and ErrBadMetadata when want
// cannot be checked.
func VerifyFile(path string, want *metadata.TargetFiles) error {
	ds, err := checkTarget(want)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("verify %s: not a regular file", path)
	}
	if fi.Size() != want.Length {
		return fmt.Errorf("verify %s: %w: the file has %d bytes, metadata says %d", path, ErrLengthMismatch, fi.Size(), want.Length)
	}
	n, err := ds.hashFrom(f, want.Length, make([]byte, bufSize))
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	if n != want.Length { // the file changed while we read it
		return fmt.Errorf("verify %s: %w: read %d bytes, metadata says %d", path, ErrLengthMismatch, n, want.Length)
	}
	return ds.check("verify " + path)
}
