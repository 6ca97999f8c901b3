package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestUploadLimit(t *testing.T) {
	tests := []struct {
		size, max int64
		wantErr   bool
	}{
		{0, 0, false},
		{1, 0, true},
		{10, 10, false},
		{11, 10, true},
		{1 << 20, 1<<20 - 1, true},
		{1 << 20, 1 << 62, false},
		{5, 1<<63 - 1, false},
	}
	for _, tc := range tests {
		content := bytes.Repeat([]byte{'x'}, int(tc.size))
		// OneByteReader and a large read buffer exercise both edges of the limit.
		for _, r := range []io.Reader{bytes.NewReader(content), iotest.OneByteReader(bytes.NewReader(content))} {
			up := blob.NewUpload(context.Background(), r, tc.max)
			got, err := io.ReadAll(up)
			if tc.wantErr {
				if !errs.Is(err, errs.TooLarge) || !errs.Is(up.Err(), errs.TooLarge) {
					t.Fatalf("%d bytes, max %d: err = %v, want TooLarge", tc.size, tc.max, err)
				}
				if int64(len(got)) > tc.max || up.Size() > tc.max {
					t.Fatalf("%d bytes, max %d: passed on %d bytes (Size %d)", tc.size, tc.max, len(got), up.Size())
				}
				continue
			}
			if err != nil || up.Err() != nil || !bytes.Equal(got, content) || up.Size() != tc.size {
				t.Fatalf("%d bytes, max %d: %d bytes, err %v, Err %v, Size %d", tc.size, tc.max, len(got), err, up.Err(), up.Size())
			}
			s256, s512 := up.Sums()
			w256, w512 := sha256.Sum256(content), sha512.Sum512(content)
			if !bytes.Equal(s256, w256[:]) || !bytes.Equal(s512, w512[:]) {
				t.Fatalf("%d bytes: wrong digests", tc.size)
			}
		}
	}
}

func TestUploadErrors(t *testing.T) {
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		r    io.Reader
		max  int64
		want func(error) bool
	}{
		{"reader error", context.Background(), io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 100,
			func(err error) bool { return errors.Is(err, boom) }},
		{"cancelled", cancelled, strings.NewReader("abc"), 100,
			func(err error) bool { return errors.Is(err, context.Canceled) && errs.Is(err, errs.Unavailable) }},
		{"negative limit", context.Background(), strings.NewReader("abc"), -1,
			func(err error) bool { return errs.Is(err, errs.Invalid) }},
	}
	for _, tc := range tests {
		up := blob.NewUpload(tc.ctx, tc.r, tc.max)
		_, err := io.ReadAll(up)
		if !tc.want(err) || up.Err() != err {
			t.Errorf("%s: err = %v, Err = %v", tc.name, err, up.Err())
		}
		// The error sticks, and Cause prefers it to the storage error it caused.
		if _, again := up.Read(make([]byte, 1)); again != err {
			t.Errorf("%s: second Read = %v, want the first error again", tc.name, again)
		}
		if got := up.Cause(errors.New("storage")); got != err {
			t.Errorf("%s: Cause = %v, want the upload's error", tc.name, got)
		}
	}
	up := blob.NewUpload(context.Background(), strings.NewReader("ok"), 10)
	io.ReadAll(up)
	storage := errors.New("storage")
	if got := up.Cause(storage); got != storage {
		t.Errorf("Cause after a clean upload = %v, want the storage error", got)
	}
}

func TestCheckPut(t *testing.T) {
	tests := []struct {
		key  string
		max  int64
		kind errs.Kind // Internal means no error
	}{
		{"a/b", 0, errs.Internal},
		{"a/b", 1 << 40, errs.Internal},
		{"a/b", -1, errs.Invalid},
		{"../b", 10, errs.Invalid},
	}
	for _, tc := range tests {
		err := blob.CheckPut(tc.key, tc.max)
		if (err == nil) != (tc.kind == errs.Internal) || (err != nil && errs.KindOf(err) != tc.kind) {
			t.Errorf("CheckPut(%q, %d) = %v", tc.key, tc.max, err)
		}
	}
}
