package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Failure tests use a small object and one larger than an S3 part (5 MiB),
// so that both the single-request and the multipart path of a remote
// adapter fail mid-stream.
var failSizes = []int64{100 << 10, 12 << 20}

func testSizeLimit(t *testing.T, s blob.Store) {
	for _, size := range failSizes {
		key := fmt.Sprintf("limit/%d", size)
		for _, max := range []int64{0, 1, size / 2, size - 1} {
			_, err := s.Put(ctx(), key, stream(1, size), max)
			wantKind(t, err, errs.TooLarge, fmt.Sprintf("Put %d bytes with maxSize %d", size, max))
			wantGone(t, s, key, "Put over the limit")
		}
		// Exactly at the limit is fine, and nothing earlier is in the way.
		b := data(1, int(size))
		info, err := s.Put(ctx(), key, bytes.NewReader(b), size)
		must(t, err, "Put at the limit")
		checkInfo(t, "Put at the limit", info, key, b)
		st, err := s.Stat(ctx(), key)
		must(t, err, "Stat")
		sameInfo(t, "Stat after Put at the limit", st, info)
		if !bytes.Equal(readAll(t, s, key), b) {
			t.Fatalf("%d bytes put at the limit read back differently", size)
		}
	}
}

var errBoom = errors.New("boom")

// failAfter returns a reader of n bytes followed by errBoom.
func failAfter(n int64) io.Reader {
	return io.MultiReader(stream(2, n), errorReader{})
}

type errorReader struct{}

func (errorReader) Read([]byte) (int, error) { return 0, errBoom }

func testReaderError(t *testing.T, s blob.Store) {
	for _, n := range append([]int64{0}, failSizes...) {
		key := fmt.Sprintf("broken/%d", n)
		_, err := s.Put(ctx(), key, failAfter(n), 1<<30)
		if !errors.Is(err, errBoom) {
			t.Fatalf("Put from a reader failing after %d bytes = %v, want an error wrapping the reader's", n, err)
		}
		wantGone(t, s, key, "failed Put")
		put(t, s, key, []byte("retry works"))
	}
}

// cancellingReader cancels its context after n bytes and keeps going.
type cancellingReader struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func testCancelled(t *testing.T, s blob.Store) {
	for _, size := range failSizes {
		key := fmt.Sprintf("cancelled/%d", size)
		c, cancel := context.WithCancel(ctx())
		r := &cancellingReader{r: stream(3, 2*size), n: size, cancel: cancel}
		_, err := s.Put(c, key, r, 4*size)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Put cancelled after %d bytes = %v, want context.Canceled in the chain", size, err)
		}
		wantGone(t, s, key, "cancelled Put")
	}
	c, cancel := context.WithCancel(ctx())
	cancel()
	_, err := s.Put(c, "cancelled/before", bytes.NewReader([]byte("x")), 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v", err)
	}
	wantGone(t, s, "cancelled/before", "Put with a cancelled context")
}

func testConcurrentPuts(t *testing.T, s blob.Store) {
	const n, size = 16, 200 << 10
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			b := data(uint64(100+i), size)
			_, err := s.Put(ctx(), fmt.Sprintf("concurrent/%02d", i), bytes.NewReader(b), size)
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		must(t, err, "concurrent Put")
	}
	for i := range n {
		key := fmt.Sprintf("concurrent/%02d", i)
		if !bytes.Equal(readAll(t, s, key), data(uint64(100+i), size)) {
			t.Fatalf("%s holds another Put's bytes", key)
		}
	}
}

// testConcurrentSameKey races Puts of different content to one key: exactly
// one wins, the others get errs.Conflict, and the object is the winner's.
func testConcurrentSameKey(t *testing.T, s blob.Store) {
	const n, size = 8, 64 << 10
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, results[i] = s.Put(ctx(), "contended", bytes.NewReader(data(uint64(200+i), size)), size)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range results {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("Puts %d and %d of the same key both succeeded", winner, i)
		case err == nil:
			winner = i
		default:
			wantKind(t, err, errs.Conflict, fmt.Sprintf("losing Put %d", i))
		}
	}
	if winner < 0 {
		t.Fatal("no Put of the contended key succeeded")
	}
	if !bytes.Equal(readAll(t, s, "contended"), data(uint64(200+winner), size)) {
		t.Fatal("the contended key does not hold the winner's bytes")
	}
}
