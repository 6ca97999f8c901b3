package download

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// genBytes returns n deterministic pseudo-random bytes.
func genBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// targetFor describes data the way a targets role would, using go-tuf.
func targetFor(t testing.TB, data []byte) *metadata.TargetFiles {
	t.Helper()
	tf, err := metadata.TargetFile().FromBytes("firmware.bin", data, "sha256", "sha512")
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

// request is one request as the test server saw it.
type request struct {
	Range  string // the Range header
	Status int
	Sent   int64 // body bytes the handler wrote
}

// testServer is a real HTTP server on 127.0.0.1 that logs every request.
// Its handler gets the 0-based number of the request, so a scenario can
// change behaviour between a first and a second Fetch.
type testServer struct {
	*httptest.Server
	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops to 0
	active int        // handlers running
	reqs   []request
}

type handlerFunc func(n int, w http.ResponseWriter, r *http.Request)

func newTestServer(t testing.TB, h handlerFunc) *testServer {
	s := &testServer{}
	s.idle = sync.NewCond(&s.mu)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Log in order of arrival: a handler whose response the client
		// abandoned can finish after the next request's.
		s.mu.Lock()
		s.active++
		n := len(s.reqs)
		s.reqs = append(s.reqs, request{Range: r.Header.Get("Range")})
		s.mu.Unlock()
		cw := &countingWriter{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			s.reqs[n].Status, s.reqs[n].Sent = cw.status, cw.n
			if s.active--; s.active == 0 {
				s.idle.Broadcast()
			}
			s.mu.Unlock()
		}()
		h(n, cw, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns the log once no handler is running. Call it after the
// client has had an answer to each request it made, so that every handler
// has at least started.
func (s *testServer) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.active > 0 {
		s.idle.Wait()
	}
	return append([]request(nil), s.reqs...)
}

type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func flush(w http.ResponseWriter) {
	if err := http.NewResponseController(w).Flush(); err != nil {
		panic(err)
	}
}

// stall blocks until the client goes away (or a generous backstop passes).
func stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(20 * time.Second):
	}
}

// Handlers for the scenarios.

func serve(data []byte) handlerFunc {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}
}

// firstThen runs first for the first request and then for the rest.
func firstThen(first, then handlerFunc) handlerFunc {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			first(n, w, r)
		} else {
			then(n, w, r)
		}
	}
}

// dropAfter announces the full length, sends k bytes and cuts the connection.
func dropAfter(data []byte, k int) handlerFunc {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:k])
		flush(w)
		panic(http.ErrAbortHandler)
	}
}

// stallAfter announces the full length, sends k bytes and goes quiet.
func stallAfter(data []byte, k int) handlerFunc {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:k])
		flush(w)
		stall(r)
	}
}

// ignoreRange always sends the whole body with 200.
func ignoreRange(data []byte) handlerFunc {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	}
}

// partial answers 206 with the given Content-Range values and the rest of
// data from the requested offset (or from 0 without Range).
func partial(data []byte, contentRange ...string) handlerFunc {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		var off int
		if rng, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
			off, _ = strconv.Atoi(strings.TrimSuffix(rng, "-"))
		}
		for _, v := range contentRange {
			w.Header().Add("Content-Range", v)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)-off))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data[off:])
	}
}

// endless streams data forever, without a Content-Length.
func endless(_ int, w http.ResponseWriter, r *http.Request) {
	chunk := genBytes(32<<10, 9)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func status(code int) handlerFunc {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

type partState int

const (
	noPart   partState = iota // no .part file is left
	keptPart                  // a non-empty .part file is kept for resuming
)

// step is one Fetch call in a scenario and what it must produce. When
// wantErr is nil, dest must hold the target and no .part may be left.
type step struct {
	opt     Options
	wantErr error
	part    partState // checked only when wantErr != nil
	check   func(t *testing.T, res Result, reqs []request)
}

func TestFetch(t *testing.T) {
	data := genBytes(1<<20+12345, 1)
	L := int64(len(data))
	const k = 300_000 // where interrupted transfers break off
	corrupt := bytes.Clone(data)
	corrupt[L/2] ^= 0x80
	short := data[:L-10]
	quick := Options{IdleTimeout: 200 * time.Millisecond}

	// requestsAre checks the server log: one entry per Fetch that reached it.
	requestsAre := func(want ...request) func(*testing.T, Result, []request) {
		return func(t *testing.T, _ Result, reqs []request) {
			t.Helper()
			if fmt.Sprint(reqs) != fmt.Sprint(want) {
				t.Errorf("server log %v, want %v", reqs, want)
			}
		}
	}
	// rangesAre checks only the Range headers and statuses, for responses
	// the client abandons: how much of those the server managed to write
	// depends on socket buffers.
	rangesAre := func(want ...request) func(*testing.T, Result, []request) {
		return func(t *testing.T, _ Result, reqs []request) {
			t.Helper()
			for i := range reqs {
				reqs[i].Sent = 0
			}
			if fmt.Sprint(reqs) != fmt.Sprint(want) {
				t.Errorf("server log %v, want %v (ignoring Sent)", reqs, want)
			}
		}
	}
	// resultIs checks the Result; downloaded -1 means any.
	resultIs := func(downloaded, resumed int64, restarted bool) func(*testing.T, Result, []request) {
		return func(t *testing.T, res Result, _ []request) {
			t.Helper()
			if (downloaded >= 0 && res.Downloaded != downloaded) || res.Resumed != resumed || res.Restarted != restarted {
				t.Errorf("result %+v, want Downloaded %d Resumed %d Restarted %v", res, downloaded, resumed, restarted)
			}
		}
	}
	// atMostL checks that no more than the signed length was written.
	atMostL := func(t *testing.T, res Result, _ []request) {
		t.Helper()
		if res.Downloaded > L || res.Downloaded < L-bufSize {
			t.Errorf("wrote %d bytes; want the signed length %d minus at most the last chunk", res.Downloaded, L)
		}
	}
	both := func(fs ...func(*testing.T, Result, []request)) func(*testing.T, Result, []request) {
		return func(t *testing.T, res Result, reqs []request) {
			t.Helper()
			for _, f := range fs {
				f(t, res, reqs)
			}
		}
	}
	badRange := func(name string, values ...string) struct {
		name    string
		handler handlerFunc
		part    []byte
		steps   []step
	} {
		return struct {
			name    string
			handler handlerFunc
			part    []byte
			steps   []step
		}{
			name:    "bad Content-Range: " + name,
			handler: firstThen(partial(data, values...), serve(data)),
			part:    data[:k],
			steps: []step{
				{wantErr: ErrBadResponse, part: noPart},
				// The .part is gone, so the retry starts over without Range.
				{check: both(resultIs(L, 0, false), rangesAre(
					request{"bytes=300000-", 206, 0},
					request{"", 200, 0}))},
			},
		}
	}
	Ls := func(n int64) string { return strconv.FormatInt(n, 10) }

	tests := []struct {
		name    string
		handler handlerFunc
		part    []byte // an earlier partial download, if any
		steps   []step
	}{
		{
			name:    "normal download",
			handler: serve(data),
			steps:   []step{{check: both(resultIs(L, 0, false), requestsAre(request{"", 200, L}))}},
		},
		{
			name:    "connection dropped midway, then resumed",
			handler: firstThen(dropAfter(data, k), serve(data)),
			steps: []step{
				{wantErr: io.ErrUnexpectedEOF, part: keptPart, check: resultIs(k, 0, false)},
				{check: both(resultIs(L-k, k, false), requestsAre(
					request{"", 200, k},
					request{"bytes=300000-", 206, L - k}))},
			},
		},
		{
			name:    "stalled midway, then resumed",
			handler: firstThen(stallAfter(data, k), serve(data)),
			steps: []step{
				{opt: quick, wantErr: ErrStalled, part: keptPart, check: resultIs(k, 0, false)},
				{opt: quick, check: both(resultIs(L-k, k, false), requestsAre(
					request{"", 200, k},
					request{"bytes=300000-", 206, L - k}))},
			},
		},
		{
			name:    "stalled before the headers",
			handler: func(_ int, _ http.ResponseWriter, r *http.Request) { stall(r) },
			steps:   []step{{opt: quick, wantErr: ErrStalled, part: noPart, check: resultIs(0, 0, false)}},
		},
		{
			name:    "server ignores Range and sends 200: start over",
			handler: ignoreRange(data),
			part:    data[:k],
			steps:   []step{{check: both(resultIs(L, 0, true), requestsAre(request{"bytes=300000-", 200, L}))}},
		},
		{
			name:    "server ignores Range, earlier part was garbage",
			handler: ignoreRange(data),
			part:    genBytes(k, 7),
			steps:   []step{{check: resultIs(L, 0, true)}},
		},
		badRange("wrong start", "bytes 0-"+Ls(L-1)+"/"+Ls(L)),
		badRange("wrong end", "bytes "+Ls(k)+"-"+Ls(L-2)+"/"+Ls(L)),
		badRange("wrong complete length", "bytes "+Ls(k)+"-"+Ls(L-1)+"/"+Ls(L+1)),
		badRange("malformed", "bytes "+Ls(k)+"-/"+Ls(L)),
		badRange("unsatisfied form", "bytes */"+Ls(L)),
		badRange("missing"),
		badRange("twice", "bytes "+Ls(k)+"-"+Ls(L-1)+"/"+Ls(L), "bytes "+Ls(k)+"-"+Ls(L-1)+"/"+Ls(L)),
		{
			name:    "206 to a request without Range",
			handler: partial(data, "bytes 0-"+Ls(L-1)+"/"+Ls(L)),
			steps:   []step{{wantErr: ErrBadResponse, part: noPart}},
		},
		{
			name:    "endless data",
			handler: endless,
			steps:   []step{{wantErr: ErrTooLong, part: noPart, check: atMostL}},
		},
		{
			name:    "endless data on resume",
			handler: endless, // answers 200 to the Range request
			part:    data[:k],
			steps:   []step{{wantErr: ErrTooLong, part: noPart, check: both(atMostL, resultIs(-1, 0, true))}},
		},
		{
			name: "Content-Length announces more",
			handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", Ls(L+1))
				w.Write(append(bytes.Clone(data), 0))
			},
			steps: []step{{wantErr: ErrTooLong, part: noPart, check: resultIs(0, 0, false)}},
		},
		{
			name:    "hash mismatch with the right length",
			handler: serve(corrupt),
			steps: []step{{wantErr: ErrHashMismatch, part: noPart, check: func(t *testing.T, res Result, _ []request) {
				if res.Downloaded != L {
					t.Errorf("Downloaded %d, want %d", res.Downloaded, L)
				}
			}}},
		},
		{
			name:    "hash mismatch found only after resuming",
			handler: serve(corrupt),
			part:    data[:k],
			steps:   []step{{wantErr: ErrHashMismatch, part: noPart, check: resultIs(L-k, k, false)}},
		},
		{
			name:    "short body, announced by Content-Length",
			handler: serve(short),
			steps:   []step{{wantErr: ErrLengthMismatch, part: noPart, check: resultIs(0, 0, false)}},
		},
		{
			name: "short body, chunked",
			handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
				flush(w) // headers go out without a Content-Length
				w.Write(short)
			},
			steps: []step{{wantErr: ErrLengthMismatch, part: noPart, check: resultIs(L-10, 0, false)}},
		},
		{
			name:    "server error keeps the part for later",
			handler: firstThen(status(http.StatusServiceUnavailable), serve(data)),
			part:    data[:k],
			steps: []step{
				{wantErr: ErrBadResponse, part: keptPart},
				{check: both(resultIs(L-k, k, false), requestsAre(
					request{"bytes=300000-", 503, 0},
					request{"bytes=300000-", 206, L - k}))},
			},
		},
		{
			name:    "416 discards the part",
			handler: status(http.StatusRequestedRangeNotSatisfiable),
			part:    data[:k],
			steps:   []step{{wantErr: ErrBadResponse, part: noPart}},
		},
		{
			name: "unrequested Content-Encoding",
			handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(data)
			},
			steps: []step{{wantErr: ErrBadResponse, part: noPart}},
		},
		{
			name:    "complete part from an earlier call: no request",
			handler: serve(data),
			part:    data,
			steps:   []step{{check: both(resultIs(0, L, false), requestsAre())}},
		},
		{
			name:    "stale part of the right length: start over",
			handler: serve(data),
			part:    corrupt,
			steps:   []step{{check: both(resultIs(L, 0, true), requestsAre(request{"", 200, L}))}},
		},
		{
			name:    "part longer than the target: start over",
			handler: serve(data),
			part:    append(bytes.Clone(data), 1, 2, 3),
			steps:   []step{{check: both(resultIs(L, 0, false), requestsAre(request{"", 200, L}))}},
		},
		{
			name:    "MaxLength below the signed length",
			handler: serve(data),
			steps:   []step{{opt: Options{MaxLength: L - 1}, wantErr: ErrTooLong, check: requestsAre()}},
		},
		{
			name:    "MaxLength at the signed length",
			handler: serve(data),
			steps:   []step{{opt: Options{MaxLength: L}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tt.handler)
			want := targetFor(t, data)
			dest := filepath.Join(t.TempDir(), "firmware.bin")
			if tt.part != nil {
				if err := os.WriteFile(dest+".part", tt.part, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // backstop only
			defer cancel()
			for i, st := range tt.steps {
				res, err := Fetch(ctx, srv.Client(), srv.URL+"/firmware.bin?sig=secret", want, dest, st.opt)
				if !errors.Is(err, st.wantErr) || (err == nil) != (st.wantErr == nil) {
					t.Fatalf("step %d: Fetch error %v, want %v", i, err, st.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "secret") {
					t.Errorf("step %d: error leaks the URL's query: %v", i, err)
				}
				if st.wantErr == nil {
					assertFile(t, dest, data)
					assertNoFile(t, dest+".part")
				} else {
					assertNoFile(t, dest)
					switch st.part {
					case noPart:
						assertNoFile(t, dest+".part")
					case keptPart:
						fi, err := os.Stat(dest + ".part")
						if err != nil || fi.Size() == 0 {
							t.Errorf("step %d: want a non-empty .part, got %v, %v", i, fi, err)
						}
					}
				}
				if st.check != nil {
					st.check(t, res, srv.requests())
				}
			}
		})
	}
}

func assertFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d expected", path, len(got), len(want))
	}
}

func assertNoFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s should not exist (stat: %v)", path, err)
	}
}

func TestFetchHashMismatchNamesTheHashes(t *testing.T) {
	data := genBytes(100_000, 2)
	corrupt := bytes.Clone(data)
	corrupt[0] ^= 1
	srv := newTestServer(t, serve(corrupt))
	dest := filepath.Join(t.TempDir(), "t")
	_, err := Fetch(t.Context(), srv.Client(), srv.URL, targetFor(t, data), dest, Options{})
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch", err)
	}
	sum := sha256.Sum256(corrupt)
	for _, s := range []string{"sha256 is " + fmt.Sprintf("%x", sum), "sha512", "firmware.bin"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestFetchDestDirMissing(t *testing.T) {
	data := genBytes(1000, 3)
	srv := newTestServer(t, serve(data))
	dest := filepath.Join(t.TempDir(), "no-such-dir", "t")
	_, err := Fetch(t.Context(), srv.Client(), srv.URL, targetFor(t, data), dest, Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "destination directory") {
		t.Fatalf("err = %v, want a missing destination directory error", err)
	}
	if reqs := srv.requests(); len(reqs) != 0 {
		t.Errorf("made requests %v before checking the destination", reqs)
	}
}

func TestFetchBadMetadata(t *testing.T) {
	data := genBytes(1000, 4)
	good := targetFor(t, data)
	with := func(f func(*metadata.TargetFiles)) *metadata.TargetFiles {
		tf := *good
		tf.Hashes = metadata.Hashes{}
		for k, v := range good.Hashes {
			tf.Hashes[k] = v
		}
		f(&tf)
		return &tf
	}
	tests := []struct {
		name string
		want *metadata.TargetFiles
	}{
		{"nil", nil},
		{"no hashes", with(func(tf *metadata.TargetFiles) { tf.Hashes = nil })},
		{"unsupported algorithm only", with(func(tf *metadata.TargetFiles) { tf.Hashes = metadata.Hashes{"md5": make([]byte, 16)} })},
		{"unsupported algorithm besides supported ones", with(func(tf *metadata.TargetFiles) { tf.Hashes["sha3-256"] = make([]byte, 32) })},
		{"truncated digest", with(func(tf *metadata.TargetFiles) { tf.Hashes["sha256"] = tf.Hashes["sha256"][:31] })},
		{"negative length", with(func(tf *metadata.TargetFiles) { tf.Length = -1 })},
	}
	srv := newTestServer(t, serve(data))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "t")
			if _, err := Fetch(t.Context(), srv.Client(), srv.URL, tt.want, dest, Options{}); !errors.Is(err, ErrBadMetadata) {
				t.Errorf("Fetch: err = %v, want ErrBadMetadata", err)
			}
			if err := VerifyFile(dest, tt.want); !errors.Is(err, ErrBadMetadata) {
				t.Errorf("VerifyFile: err = %v, want ErrBadMetadata", err)
			}
		})
	}
	if reqs := srv.requests(); len(reqs) != 0 {
		t.Errorf("made requests %v with unusable metadata", reqs)
	}
}

func TestFetchSingleHash(t *testing.T) {
	data := genBytes(70_000, 5)
	for _, alg := range []string{"sha256", "sha512"} {
		t.Run(alg, func(t *testing.T) {
			want, err := metadata.TargetFile().FromBytes("t", data, alg)
			if err != nil {
				t.Fatal(err)
			}
			srv := newTestServer(t, serve(data))
			dest := filepath.Join(t.TempDir(), "t")
			if _, err := Fetch(t.Context(), srv.Client(), srv.URL, want, dest, Options{}); err != nil {
				t.Fatal(err)
			}
			assertFile(t, dest, data)
		})
	}
}

func TestFetchEmptyTarget(t *testing.T) {
	srv := newTestServer(t, serve(nil))
	dest := filepath.Join(t.TempDir(), "t")
	if _, err := Fetch(t.Context(), srv.Client(), srv.URL, targetFor(t, nil), dest, Options{}); err != nil {
		t.Fatal(err)
	}
	assertFile(t, dest, nil)
}

func TestFetchReplacesExistingDest(t *testing.T) {
	data := genBytes(50_000, 6)
	srv := newTestServer(t, serve(data))
	dest := filepath.Join(t.TempDir(), "t")
	if err := os.WriteFile(dest, []byte("old firmware"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(t.Context(), srv.Client(), srv.URL, targetFor(t, data), dest, Options{}); err != nil {
		t.Fatal(err)
	}
	assertFile(t, dest, data)
}

func TestFetchProgress(t *testing.T) {
	data := genBytes(1<<20, 7)
	L := int64(len(data))
	const k = 200_000
	srv := newTestServer(t, serve(data))
	dest := filepath.Join(t.TempDir(), "t")
	if err := os.WriteFile(dest+".part", data[:k], 0o600); err != nil {
		t.Fatal(err)
	}
	var calls int
	last := int64(k)
	opt := Options{Progress: func(done, total int64) {
		calls++
		if total != L {
			t.Errorf("total %d, want %d", total, L)
		}
		if done <= last || done > L {
			t.Errorf("done went from %d to %d", last, done)
		}
		last = done
	}}
	if _, err := Fetch(t.Context(), srv.Client(), srv.URL, targetFor(t, data), dest, opt); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != L {
		t.Errorf("%d progress calls ending at %d, want some ending at %d", calls, last, L)
	}
}

func TestFetchCanceled(t *testing.T) {
	data := genBytes(1<<20, 8)
	srv := newTestServer(t, stallAfter(data, 100_000))
	dest := filepath.Join(t.TempDir(), "t")
	ctx, cancel := context.WithCancel(t.Context())
	opt := Options{Progress: func(done, _ int64) {
		if done == 100_000 {
			cancel()
		}
	}}
	_, err := Fetch(ctx, srv.Client(), srv.URL, targetFor(t, data), dest, opt)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if fi, err := os.Stat(dest + ".part"); err != nil || fi.Size() != 100_000 {
		t.Errorf("want the .part kept with 100000 bytes, got %v, %v", fi, err)
	}
}

func TestVerifyFile(t *testing.T) {
	data := genBytes(300_000, 10)
	want := targetFor(t, data)
	corrupt := bytes.Clone(data)
	corrupt[len(corrupt)-1] ^= 1
	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte // nil: no file
		wantErr error
	}{
		{"good", data, nil},
		{"hash mismatch", corrupt, ErrHashMismatch},
		{"too short", data[:len(data)-1], ErrLengthMismatch},
		{"too long", append(bytes.Clone(data), 0), ErrLengthMismatch},
		{"missing", nil, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if tt.content != nil {
				if err := os.WriteFile(path, tt.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := VerifyFile(path, want)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("VerifyFile = %v, want %v", err, tt.wantErr)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		if err := VerifyFile(dir, want); err == nil {
			t.Error("VerifyFile accepted a directory")
		}
	})
}

// generator serves size deterministic bytes from a PRNG, never holding the
// target in memory.
func generator(size int64, seed byte) handlerFunc {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		io.CopyN(w, rand.NewChaCha8([32]byte{seed}), size)
	}
}

// generatedTarget describes what generator(size, seed) serves, hashing it
// as a stream.
func generatedTarget(t testing.TB, size int64, seed byte) *metadata.TargetFiles {
	t.Helper()
	h256, h512 := sha256.New(), sha512.New()
	if _, err := io.CopyN(io.MultiWriter(h256, h512), rand.NewChaCha8([32]byte{seed}), size); err != nil {
		t.Fatal(err)
	}
	return &metadata.TargetFiles{
		Length: size,
		Hashes: metadata.Hashes{"sha256": h256.Sum(nil), "sha512": h512.Sum(nil)},
		Path:   "big.img",
	}
}

// TestFetchLargeTargetConstantMemory downloads 256 MiB and checks that the
// heap does not grow with the target: go-tuf's DownloadFile would need the
// whole target in memory (go-tuf issue #689).
func TestFetchLargeTargetConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("256 MiB download")
	}
	const size = 256 << 20
	const limit = 16 << 20
	want := generatedTarget(t, size, 42)
	srv := newTestServer(t, generator(size, 42))
	dest := filepath.Join(t.TempDir(), "big.img")

	runtime.GC()
	var before, m runtime.MemStats
	runtime.ReadMemStats(&before)
	peak, next := before.HeapInuse, int64(0)
	opt := Options{Progress: func(done, _ int64) {
		if done >= next {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			next += 8 << 20
		}
	}}
	res, err := Fetch(t.Context(), srv.Client(), srv.URL, want, dest, opt)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&m)
	peak = max(peak, m.HeapInuse)
	allocated := m.TotalAlloc - before.TotalAlloc
	growth := peak - before.HeapInuse
	t.Logf("fetched %d MiB in %v: allocated %d KiB in total, peak heap growth %d KiB", res.Downloaded>>20, res.Duration, allocated>>10, growth>>10)
	if allocated > limit || growth > limit {
		t.Errorf("allocated %d bytes, heap grew by %d bytes; want both under %d for a %d-byte target", allocated, growth, limit, size)
	}
	if res.Downloaded != size {
		t.Errorf("Downloaded %d, want %d", res.Downloaded, size)
	}

	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := VerifyFile(dest, want); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&m)
	allocated = m.TotalAlloc - before.TotalAlloc
	t.Logf("VerifyFile allocated %d KiB", allocated>>10)
	if allocated > limit {
		t.Errorf("VerifyFile allocated %d bytes, want under %d", allocated, limit)
	}
}

// BenchmarkFetch downloads a 64 MiB target over loopback, hashing it with
// SHA-256 and SHA-512 and writing it to disk.
func BenchmarkFetch(b *testing.B) {
	const size = 64 << 20
	want := generatedTarget(b, size, 43)
	srv := newTestServer(b, generator(size, 43))
	dest := filepath.Join(b.TempDir(), "t")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fetch(b.Context(), srv.Client(), srv.URL, want, dest, Options{}); err != nil {
			b.Fatal(err)
		}
		if err := os.Remove(dest); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFile hashes a 64 MiB file from disk (page cache).
func BenchmarkVerifyFile(b *testing.B) {
	const size = 64 << 20
	want := generatedTarget(b, size, 44)
	path := filepath.Join(b.TempDir(), "t")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.NewChaCha8([32]byte{44}), size); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyFile(path, want); err != nil {
			b.Fatal(err)
		}
	}
}
