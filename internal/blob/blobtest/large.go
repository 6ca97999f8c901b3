package blobtest

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"io"
	"runtime"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/blob"
)

const (
	largeSize = 64 << 20
	// maxHeapGrowth is how much more live heap than before the Put the
	// test tolerates while the object streams through: a quarter of the
	// object. A streaming adapter needs a buffer or two (an S3 part),
	// one that buffers the object needs all of it.
	maxHeapGrowth = largeSize / 4
	sampleEvery   = 4 << 20
)

// heapSampler passes reads through and, every sampleEvery bytes, collects
// garbage and records the live heap, so the peak reflects what the store
// holds while the object streams, not garbage awaiting collection.
type heapSampler struct {
	r         io.Reader
	sinceLast int
	peak      uint64
}

func (h *heapSampler) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.sinceLast += n; h.sinceLast >= sampleEvery || err != nil {
		h.sinceLast = 0
		h.sample()
	}
	return n, err
}

func (h *heapSampler) sample() {
	h.peak = max(h.peak, liveHeap())
}

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// testLargeStreaming puts and reads back a 64 MiB object generated on the
// fly and checks the store never held more than a fraction of it.
func testLargeStreaming(t *testing.T, s blob.Store) {
	const key = "large/firmware.img"
	want256, want512 := sha256.New(), sha512.New()
	base := liveHeap()
	src := &heapSampler{r: io.TeeReader(stream(42, largeSize), io.MultiWriter(want256, want512))}
	info, err := s.Put(ctx(), key, src, largeSize)
	must(t, err, "Put 64 MiB")
	src.sample()
	checkGrowth(t, "Put", base, src.peak)
	if info.Size != largeSize || !bytes.Equal(info.SHA256, want256.Sum(nil)) || !bytes.Equal(info.SHA512, want512.Sum(nil)) {
		t.Fatalf("Put info = {Size:%d SHA256:%x}, want {Size:%d SHA256:%x}", info.Size, info.SHA256, largeSize, want256.Sum(nil))
	}

	st, err := s.Stat(ctx(), key)
	must(t, err, "Stat")
	sameInfo(t, "Stat after the large Put", st, info)

	o, err := s.Open(ctx(), key)
	must(t, err, "Open")
	defer o.Close()
	got256, got512 := sha256.New(), sha512.New()
	base = liveHeap()
	dst := &heapSampler{r: o}
	n, err := io.Copy(io.MultiWriter(got256, got512), dst)
	must(t, err, "reading back")
	checkGrowth(t, "read", base, dst.peak)
	if n != largeSize || !bytes.Equal(got256.Sum(nil), info.SHA256) || !bytes.Equal(got512.Sum(nil), info.SHA512) {
		t.Fatalf("read back %d bytes with SHA-256 %x, want %d bytes with %x", n, got256.Sum(nil), largeSize, info.SHA256)
	}
}

func checkGrowth(t *testing.T, what string, base, peak uint64) {
	t.Helper()
	growth := int64(peak) - int64(base)
	t.Logf("%s of %d MiB: live heap grew by at most %.1f MiB", what, largeSize>>20, float64(growth)/(1<<20))
	if growth > maxHeapGrowth {
		t.Fatalf("%s of %d MiB grew the live heap by %.1f MiB (limit %d MiB): the store is buffering the object",
			what, largeSize>>20, float64(growth)/(1<<20), maxHeapGrowth>>20)
	}
}
