// Package filesystem is the blob.Store adapter for a directory on local disk
// (by default <data dir>/blobs).
//
// Layout under the root, all private to the service (directories 0700,
// files 0600):
//
//	.tmp/             uploads in progress
//	objects/ab/ab…    one file per object, named by the SHA-256 of its key
//
// An object file starts with a small header holding the key and the content's
// SHA-256 and SHA-512 (see format.go), so Stat answers without rereading.
// Put streams into a temporary file, fsyncs it, publishes it with a hard link
// (which fails if the key exists, so two writers cannot both win) and fsyncs
// the directory. The file system must therefore support hard links, as every
// local POSIX file system does.
package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

const (
	tmpDir     = ".tmp"
	objectsDir = "objects"

	// staleAfter is how old a leftover temporary file must be before New
	// removes it. Uploads in progress write continuously, so their files
	// are never this old.
	staleAfter = 24 * time.Hour

	copyBufSize = 256 << 10
)

// Store keeps blobs in a directory.
type Store struct {
	root string
}

var _ blob.Store = (*Store)(nil)

// New opens the store rooted at dir, creating it (0700) if needed, and
// removes temporary files that crashed uploads left behind.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errs.E(errs.Invalid, "blob directory is not set")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob directory %q: %w", dir, err)
	}
	for _, d := range []string{root, filepath.Join(root, tmpDir), filepath.Join(root, objectsDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("creating blob directory: %w", err)
		}
	}
	s := &Store{root: root}
	if err := s.removeStale(time.Now().Add(-staleAfter)); err != nil {
		return nil, err
	}
	return s, nil
}

// Backend returns "filesystem".
func (s *Store) Backend() string { return "filesystem" }

// Root returns the store's absolute directory.
func (s *Store) Root() string { return s.root }

func (s *Store) removeStale(before time.Time) error {
	dir := filepath.Join(s.root, tmpDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing blob temporary files: %w", err)
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(before) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing stale blob temporary file: %w", err)
			}
		}
	}
	return nil
}

// Put stores r under key; see blob.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, maxSize int64) (blob.Info, error) {
	if err := blob.CheckPut(key, maxSize); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, blob.ErrCancelled(err)
	}
	dir, final := s.objectPath(key)
	// Refuse early rather than stream gigabytes only to fail at the link.
	if _, err := os.Lstat(final); err == nil {
		return blob.Info{}, blob.ErrExists(key)
	}
	f, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return blob.Info{}, fmt.Errorf("blob: creating temporary file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful link this removes the temporary name only

	up := blob.NewUpload(ctx, r, maxSize)
	modTime, err := writeObject(f, key, up)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing: %w", cerr)
	}
	if err != nil {
		return blob.Info{}, up.Cause(fmt.Errorf("blob: writing %q: %w", key, err))
	}
	if err := s.publish(tmp, dir, final, key); err != nil {
		return blob.Info{}, err
	}
	return up.Info(key, modTime), nil
}

// writeObject writes key's header and content to f, fills in the digests
// and syncs the file.
func writeObject(f *os.File, key string, up *blob.Upload) (time.Time, error) {
	if _, err := f.Write(header(key)); err != nil {
		return time.Time{}, err
	}
	// Hide f's ReadFrom so CopyBuffer uses a buffer larger than io.Copy's 32 KiB.
	if _, err := io.CopyBuffer(struct{ io.Writer }{f}, up, make([]byte, copyBufSize)); err != nil {
		return time.Time{}, err
	}
	if err := writeSums(f, up); err != nil {
		return time.Time{}, err
	}
	if err := f.Sync(); err != nil {
		return time.Time{}, fmt.Errorf("sync: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

// publish makes the synced temporary file visible under final, atomically
// and only if nothing is there yet, then makes the new name durable.
func (s *Store) publish(tmp, dir, final, key string) error {
	created := false
	if err := os.Mkdir(dir, 0o700); err == nil {
		created = true
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("blob: creating directory: %w", err)
	}
	if created {
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return blob.ErrExists(key)
		}
		return fmt.Errorf("blob: publishing %q: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		_ = os.Remove(final) // we made it, and we cannot vouch for it
		return err
	}
	return nil
}

// Open opens the object under key; see blob.Store.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, blob.ErrCancelled(err)
	}
	_, path := s.objectPath(key)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, blob.ErrNotFound(key)
		}
		return nil, fmt.Errorf("blob: opening %q: %w", key, err)
	}
	o, err := newObject(f, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// Stat describes the object under key; see blob.Store.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	o, err := s.Open(ctx, key)
	if err != nil {
		return blob.Info{}, err
	}
	defer o.Close()
	return o.Info(), nil
}

// Delete removes the object under key; see blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return blob.ErrCancelled(err)
	}
	dir, path := s.objectPath(key)
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return blob.ErrNotFound(key)
		}
		return fmt.Errorf("blob: deleting %q: %w", key, err)
	}
	return syncDir(dir)
}

// object is an open object file: a section of the file past the header.
type object struct {
	*io.SectionReader
	f    *os.File
	info blob.Info
}

func newObject(f *os.File, key string) (*object, error) {
	hlen, s256, s512, err := readHeader(f, key)
	if err != nil {
		return nil, fmt.Errorf("blob: object file for %q is damaged: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("blob: stat %q: %w", key, err)
	}
	size := fi.Size() - hlen
	info := blob.Info{Key: key, Size: size, SHA256: s256, SHA512: s512, ModTime: fi.ModTime()}
	return &object{SectionReader: io.NewSectionReader(f, hlen, size), f: f, info: info}, nil
}

func (o *object) Info() blob.Info { return o.info }

func (o *object) Close() error { return o.f.Close() }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob: sync directory: %w", err)
	}
	return nil
}
