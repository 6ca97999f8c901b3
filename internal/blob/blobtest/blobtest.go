// Package blobtest is the blob storage contract suite: one set of tests that
// every blob.Store adapter must pass. Each adapter's own tests call Run with
// a function that opens a fresh, empty store; that function may register
// t.Cleanup checks of its own, such as "no temporary files are left", which
// then run after every contract test.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Opener returns a new, empty store for one test.
type Opener func(t *testing.T) blob.Store

// Run runs the whole contract suite. The tests run in parallel, except the
// large streaming test, which measures the heap and so runs alone at the end.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, blob.Store)
	}{
		{"PutOpenRead", testPutOpenRead},
		{"Empty", testEmpty},
		{"Seek", testSeek},
		{"ServeContentRanges", testServeContentRanges},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"Conflict", testConflict},
		{"InvalidKeys", testInvalidKeys},
		{"SizeLimit", testSizeLimit},
		{"ReaderError", testReaderError},
		{"Cancelled", testCancelled},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConcurrentSameKey", testConcurrentSameKey},
	}
	t.Run("Contract", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, open(t))
			})
		}
	})
	t.Run("LargeStreaming", func(t *testing.T) {
		if testing.Short() {
			t.Skip("skipping the 64 MiB streaming test in -short mode")
		}
		testLargeStreaming(t, open(t))
	})
}

func ctx() context.Context { return context.Background() }

// data returns n deterministic pseudo-random bytes.
func data(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8(seedBytes(seed)).Read(b)
	return b
}

// stream returns n deterministic pseudo-random bytes without holding them.
func stream(seed uint64, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8(seedBytes(seed)), n)
}

func seedBytes(seed uint64) (s [32]byte) {
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}

// put stores b under key and fails the test on error.
func put(t *testing.T, s blob.Store, key string, b []byte) blob.Info {
	t.Helper()
	info, err := s.Put(ctx(), key, bytes.NewReader(b), int64(len(b)))
	must(t, err, "Put "+key)
	checkInfo(t, "Put "+key, info, key, b)
	return info
}

// checkInfo checks info against the content it should describe.
func checkInfo(t *testing.T, what string, info blob.Info, key string, b []byte) {
	t.Helper()
	s256, s512 := sha256.Sum256(b), sha512.Sum512(b)
	if info.Key != key || info.Size != int64(len(b)) || !bytes.Equal(info.SHA256, s256[:]) || !bytes.Equal(info.SHA512, s512[:]) {
		t.Fatalf("%s: info = {Key:%q Size:%d SHA256:%x SHA512:%x}, want {Key:%q Size:%d SHA256:%x SHA512:%x}",
			what, info.Key, info.Size, info.SHA256, info.SHA512, key, len(b), s256, s512)
	}
	if d := time.Since(info.ModTime); d < -time.Hour || d > time.Hour {
		t.Fatalf("%s: ModTime %v is not about now", what, info.ModTime)
	}
}

// sameInfo fails unless a and b describe the same stored object.
func sameInfo(t *testing.T, what string, a, b blob.Info) {
	t.Helper()
	if a.Key != b.Key || a.Size != b.Size || !bytes.Equal(a.SHA256, b.SHA256) || !bytes.Equal(a.SHA512, b.SHA512) || !a.ModTime.Equal(b.ModTime) {
		t.Fatalf("%s: %+v, want %+v", what, a, b)
	}
}

// readAll opens key and returns its content.
func readAll(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	o, err := s.Open(ctx(), key)
	must(t, err, "Open "+key)
	defer o.Close()
	b, err := io.ReadAll(o)
	must(t, err, "reading "+key)
	return b
}

// wantGone fails unless key has no object.
func wantGone(t *testing.T, s blob.Store, key, what string) {
	t.Helper()
	_, err := s.Stat(ctx(), key)
	wantKind(t, err, errs.NotFound, what+": Stat afterwards")
	_, err = s.Open(ctx(), key)
	wantKind(t, err, errs.NotFound, what+": Open afterwards")
}

// wantKind fails unless err is an errs.Error of the given kind.
func wantKind(t *testing.T, err error, kind errs.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %v", what, kind)
	}
	if got := errs.KindOf(err); got != kind {
		t.Fatalf("%s: got error %v (kind %v), want kind %v", what, err, got, kind)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
