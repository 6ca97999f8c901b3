package filesystem_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/blob/blobtest"
	"github.com/lifeline-iot/lifeline/internal/blob/filesystem"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s := newStore(t)
		t.Cleanup(func() { checkTree(t, s.Root()) })
		return s
	})
}

func newStore(t testing.TB) *filesystem.Store {
	t.Helper()
	s, err := filesystem.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkTree runs after every contract test: no temporary file is left and
// everything is private to the service.
func checkTree(t *testing.T, root string) {
	t.Helper()
	left, err := os.ReadDir(filepath.Join(root, ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("%d temporary files left behind, first %s", len(left), left[0].Name())
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewRemovesStaleTemporaryFiles(t *testing.T) {
	s := newStore(t)
	tmp := filepath.Join(s.Root(), ".tmp")
	stale, fresh := filepath.Join(tmp, "put-stale"), filepath.Join(tmp, "put-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := filesystem.New(s.Root()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file survived New: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("New removed a temporary file that may belong to an upload in progress: %v", err)
	}
}

func TestNewRefusesEmptyDir(t *testing.T) {
	if _, err := filesystem.New(""); !errs.Is(err, errs.Invalid) {
		t.Fatalf("New(\"\") = %v, want an invalid error", err)
	}
}

// TestDamagedFile checks that a file that is not an object, or belongs to
// another key, is reported as an internal error rather than served.
func TestDamagedFile(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) { must(t, os.Truncate(path, 20)) }},
		{"bad magic", func(t *testing.T, path string) { writeAt(t, path, 0, "NOTABLOB") }},
		{"other key", func(t *testing.T, path string) { writeAt(t, path, 8+32+64+2, "x") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.Put(context.Background(), "fw/a", strings.NewReader("content"), 100); err != nil {
				t.Fatal(err)
			}
			files := objectFiles(t, s.Root())
			if len(files) != 1 {
				t.Fatalf("found %d object files, want 1", len(files))
			}
			tc.damage(t, files[0])
			if _, err := s.Stat(context.Background(), "fw/a"); err == nil || errs.KindOf(err) != errs.Internal {
				t.Fatalf("Stat of a damaged file = %v, want an internal error", err)
			}
		})
	}
}

func objectFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "objects"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	must(t, err)
	return files
}

func writeAt(t *testing.T, path string, off int64, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte(s), off)
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPut streams a 256 MiB object into the store; it reports MB/s.
// Put hashes with SHA-256 and SHA-512 and fsyncs, so the figure is bounded by
// the slower of hashing and the disk.
func BenchmarkPut(b *testing.B) {
	const size = 256 << 20
	s := newStore(b)
	b.SetBytes(size)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		src := io.LimitReader(rand.NewChaCha8([32]byte{byte(i)}), size)
		key := fmt.Sprintf("bench/%d", i)
		if _, err := s.Put(context.Background(), key, src, size); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Delete(context.Background(), key); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
