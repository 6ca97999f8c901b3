package blobtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func testPutOpenRead(t *testing.T, s blob.Store) {
	if s.Backend() == "" {
		t.Fatal("Backend() is empty")
	}
	for _, size := range []int{1, 1000, 1 << 20, 3<<20 + 17} {
		key := fmt.Sprintf("firmware/acme/cam-%d.bin", size)
		b := data(uint64(size), size)
		info := put(t, s, key, b)

		st, err := s.Stat(ctx(), key)
		must(t, err, "Stat")
		sameInfo(t, "Stat after Put", st, info)

		o, err := s.Open(ctx(), key)
		must(t, err, "Open")
		sameInfo(t, "Object.Info", o.Info(), info)
		got, err := io.ReadAll(o)
		must(t, err, "ReadAll")
		must(t, o.Close(), "Close")
		if !bytes.Equal(got, b) {
			t.Fatalf("read back %d bytes, want the %d put", len(got), len(b))
		}
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	info := put(t, s, "empty", nil)
	if info.Size != 0 {
		t.Fatalf("size = %d", info.Size)
	}
	if got := readAll(t, s, "empty"); len(got) != 0 {
		t.Fatalf("empty object reads %d bytes", len(got))
	}
	_, err := s.Put(ctx(), "empty-limit-0", strings.NewReader(""), 0)
	must(t, err, "Put empty with maxSize 0")
}

func testSeek(t *testing.T, s blob.Store) {
	const size = 2<<20 + 123
	b := data(7, size)
	put(t, s, "seek/me", b)
	o, err := s.Open(ctx(), "seek/me")
	must(t, err, "Open")
	defer o.Close()

	steps := []struct {
		offset int64
		whence int
		want   int64 // position after the seek
		read   int
	}{
		{0, io.SeekEnd, size, 0},
		{0, io.SeekStart, 0, 10},
		{1 << 20, io.SeekStart, 1 << 20, 4096},
		{-100, io.SeekCurrent, 1<<20 + 4096 - 100, 200},
		{-7, io.SeekEnd, size - 7, 7},
		{5, io.SeekStart, 5, 1},
		{size - 1, io.SeekStart, size - 1, 1},
	}
	for _, st := range steps {
		pos, err := o.Seek(st.offset, st.whence)
		must(t, err, fmt.Sprintf("Seek(%d, %d)", st.offset, st.whence))
		if pos != st.want {
			t.Fatalf("Seek(%d, %d) = %d, want %d", st.offset, st.whence, pos, st.want)
		}
		got := make([]byte, st.read)
		if _, err := io.ReadFull(o, got); err != nil {
			t.Fatalf("reading %d bytes at %d: %v", st.read, pos, err)
		}
		if !bytes.Equal(got, b[pos:pos+int64(st.read)]) {
			t.Fatalf("bytes at %d differ", pos)
		}
	}
	// At the end, reads report io.EOF.
	if n, err := o.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("Read at end = %d, %v; want 0, io.EOF", n, err)
	}
	// Seeking back after EOF works.
	if _, err := o.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("Seek after EOF: %v", err)
	}
	rest, err := io.ReadAll(o)
	must(t, err, "ReadAll after rewinding")
	if !bytes.Equal(rest, b) {
		t.Fatal("content differs after rewinding")
	}
}

// testServeContentRanges serves an object the way the HTTP layer will.
func testServeContentRanges(t *testing.T, s blob.Store) {
	const size = 1<<20 + 999
	b := data(9, size)
	info := put(t, s, "served.bin", b)
	tests := []struct {
		rng       string
		status    int
		body      []byte
		wantRange string
	}{
		{"", http.StatusOK, b, ""},
		{"bytes=0-99", http.StatusPartialContent, b[:100], fmt.Sprintf("bytes 0-99/%d", size)},
		{"bytes=1000000-1000999", http.StatusPartialContent, b[1000000:1001000], fmt.Sprintf("bytes 1000000-1000999/%d", size)},
		{"bytes=-50", http.StatusPartialContent, b[size-50:], fmt.Sprintf("bytes %d-%d/%d", size-50, size-1, size)},
		{"bytes=1048000-", http.StatusPartialContent, b[1048000:], fmt.Sprintf("bytes 1048000-%d/%d", size-1, size)},
		{fmt.Sprintf("bytes=%d-", size+10), http.StatusRequestedRangeNotSatisfiable, nil, ""},
	}
	for _, tc := range tests {
		o, err := s.Open(ctx(), "served.bin")
		must(t, err, "Open")
		req := httptest.NewRequest(http.MethodGet, "/served.bin", nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		rec := httptest.NewRecorder()
		http.ServeContent(rec, req, "served.bin", info.ModTime, o)
		must(t, o.Close(), "Close")
		if rec.Code != tc.status {
			t.Fatalf("Range %q: status %d, want %d", tc.rng, rec.Code, tc.status)
		}
		if tc.status == http.StatusRequestedRangeNotSatisfiable {
			continue
		}
		if got := rec.Header().Get("Content-Range"); got != tc.wantRange {
			t.Fatalf("Range %q: Content-Range %q, want %q", tc.rng, got, tc.wantRange)
		}
		if !bytes.Equal(rec.Body.Bytes(), tc.body) {
			t.Fatalf("Range %q: got %d bytes, want %d (or different content)", tc.rng, rec.Body.Len(), len(tc.body))
		}
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	wantGone(t, s, "never/put", "missing key")
	wantKind(t, s.Delete(ctx(), "never/put"), errs.NotFound, "Delete missing key")
	put(t, s, "a/b", []byte("x"))
	for _, key := range []string{"a", "a/b/c", "A/b", "a/b.bin"} {
		wantGone(t, s, key, "near miss "+key)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	put(t, s, "del/one", []byte("first"))
	put(t, s, "del/two", []byte("other"))
	must(t, s.Delete(ctx(), "del/one"), "Delete")
	wantGone(t, s, "del/one", "deleted key")
	wantKind(t, s.Delete(ctx(), "del/one"), errs.NotFound, "Delete twice")
	if got := readAll(t, s, "del/two"); string(got) != "other" {
		t.Fatalf("neighbour reads %q after Delete", got)
	}
	// The key is free again.
	put(t, s, "del/one", []byte("second"))
	if got := readAll(t, s, "del/one"); string(got) != "second" {
		t.Fatalf("re-put reads %q", got)
	}
}

func testConflict(t *testing.T, s blob.Store) {
	first := put(t, s, "fw/1.0", []byte("original"))
	for _, body := range []string{"replacement", "original", ""} {
		_, err := s.Put(ctx(), "fw/1.0", strings.NewReader(body), 1<<20)
		wantKind(t, err, errs.Conflict, fmt.Sprintf("Put %q over an existing key", body))
	}
	if got := readAll(t, s, "fw/1.0"); string(got) != "original" {
		t.Fatalf("after refused overwrite the object reads %q", got)
	}
	st, err := s.Stat(ctx(), "fw/1.0")
	must(t, err, "Stat")
	sameInfo(t, "Stat after refused overwrite", st, first)
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	for _, key := range []string{"", "/abs", "../up", "a/../../b", "a//b", "trailing/", ".tmp/x", "sp ace", strings.Repeat("k", blob.MaxKeyLen+1)} {
		_, err := s.Put(ctx(), key, strings.NewReader("x"), 10)
		wantKind(t, err, errs.Invalid, fmt.Sprintf("Put(%q)", key))
		_, err = s.Open(ctx(), key)
		wantKind(t, err, errs.Invalid, fmt.Sprintf("Open(%q)", key))
		_, err = s.Stat(ctx(), key)
		wantKind(t, err, errs.Invalid, fmt.Sprintf("Stat(%q)", key))
		wantKind(t, s.Delete(ctx(), key), errs.Invalid, fmt.Sprintf("Delete(%q)", key))
	}
	_, err := s.Put(ctx(), "ok", strings.NewReader("x"), -1)
	wantKind(t, err, errs.Invalid, "Put with a negative maxSize")
	wantGone(t, s, "ok", "refused Put")
}
