package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// The errors Fetch and VerifyFile return wrap one of these when the cause is
// the target, the server or the metadata rather than the local system or the
// network. Test for them with errors.Is.
var (
	// ErrTooLong: the server sent, or announced, more bytes than the signed
	// length, or the signed length exceeds Options.MaxLength (endless-data
	// attack). The partial file is deleted.
	ErrTooLong = errors.New("target longer than expected")
	// ErrHashMismatch: the bytes do not match a hash in the signed metadata
	// (arbitrary-software attack, or a corrupted download). The partial file
	// is deleted.
	ErrHashMismatch = errors.New("hash mismatch")
	// ErrLengthMismatch: the response ended, or announced it would end,
	// before the signed length. The partial file is deleted.
	ErrLengthMismatch = errors.New("length mismatch")
	// ErrStalled: no data arrived for Options.IdleTimeout (slow-retrieval
	// attack, or a dead link). The partial file is kept for resuming.
	ErrStalled = errors.New("server stalled")
	// ErrBadResponse: the server answered with an unexpected status or
	// malformed headers. The partial file is deleted when the response
	// casts doubt on it (a bad Content-Range, 416) and kept otherwise.
	ErrBadResponse = errors.New("bad HTTP response")
	// ErrBadMetadata: the target metadata cannot be used for verification
	// (no hashes, an unsupported algorithm, a malformed digest). No request
	// is made.
	ErrBadMetadata = errors.New("unusable target metadata")
)

// DefaultIdleTimeout is the idle timeout used when Options.IdleTimeout is 0.
const DefaultIdleTimeout = 30 * time.Second

// Options tune Fetch. The zero value is ready to use.
type Options struct {
	// Progress, if set, is called after every chunk written to disk with
	// the bytes of the target on disk so far and the target's length. It
	// runs on Fetch's goroutine and should return quickly. done can go back
	// to a smaller value if the server ignores a resume request.
	Progress func(done, total int64)
	// IdleTimeout bounds how long Fetch waits for response headers and for
	// each read of the body. 0 means DefaultIdleTimeout; negative means no
	// limit (then only ctx bounds a stalled download).
	IdleTimeout time.Duration
	// MaxLength, if positive, is the largest target Fetch accepts whatever
	// the metadata says, as defence in depth against a compromised or
	// mistaken targets role.
	MaxLength int64
}

// Result describes what one Fetch call did. Fetch returns it on error too.
type Result struct {
	Downloaded int64         // bytes received and written during this call
	Resumed    int64         // bytes of an earlier partial download kept and re-hashed
	Restarted  bool          // an earlier partial download was discarded
	Duration   time.Duration // wall time of the call
}

// Fetch downloads the target described by want from url into the file dest,
// verifying its length and every hash. It resumes an earlier interrupted
// download of the same dest (see the package documentation). c may be nil
// for http.DefaultClient; ctx bounds the whole call.
//
// On success dest holds the verified target. On failure dest is untouched;
// dest+".part" is kept if a later call can resume from it and deleted
// otherwise.
func Fetch(ctx context.Context, c *http.Client, url string, want *metadata.TargetFiles, dest string, opt Options) (Result, error) {
	start := time.Now()
	j, err := newJob(c, url, want, dest, opt)
	if err != nil {
		return Result{Duration: time.Since(start)}, err
	}
	err = j.run(ctx)
	j.res.Duration = time.Since(start)
	return j.res, err
}

// job is one Fetch call.
type job struct {
	client *http.Client
	url    string
	want   *metadata.TargetFiles
	dest   string
	part   string
	label  string // names the target in errors
	opt    Options
	idle   time.Duration
	ds     digests
	buf    []byte
	f      *os.File
	res    Result
}

func newJob(c *http.Client, url string, want *metadata.TargetFiles, dest string, opt Options) (*job, error) {
	ds, err := checkTarget(want)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", dest, err)
	}
	if opt.MaxLength > 0 && want.Length > opt.MaxLength {
		return nil, fmt.Errorf("download %s: %w: metadata says %d bytes, the limit is %d", dest, ErrTooLong, want.Length, opt.MaxLength)
	}
	if c == nil {
		c = http.DefaultClient
	}
	j := &job{client: c, url: url, want: want, dest: dest, part: dest + ".part", label: want.Path, opt: opt, idle: opt.IdleTimeout, ds: ds}
	if j.label == "" {
		j.label = dest
	}
	if j.idle == 0 {
		j.idle = DefaultIdleTimeout
	}
	return j, nil
}

// run does the work; every error it returns names the target.
func (j *job) run(ctx context.Context) (err error) {
	dir := filepath.Dir(j.dest)
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("download %s: destination directory: %w", j.label, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("download %s: destination directory %s is not a directory", j.label, dir)
	}
	j.f, err = os.OpenFile(j.part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	discard := false
	defer func() {
		if j.f == nil { // renamed into place
			return
		}
		if discard {
			j.f.Close()
			os.Remove(j.part)
			return
		}
		j.f.Sync() // best effort: keep what we have for resuming
		j.f.Close()
		if j.res.Resumed+j.res.Downloaded == 0 {
			os.Remove(j.part) // nothing worth keeping
		}
	}()
	// fail records whether the .part file is worth keeping.
	fail := func(keep bool, err error) error {
		discard = !keep
		return err
	}

	offset, err := j.resume()
	if err != nil {
		return fail(false, err)
	}
	if offset == j.want.Length { // complete from an earlier call
		if err := j.ds.check("download " + j.label); err == nil {
			return j.finish()
		}
		// A stale file of the right length; start over.
		if err := j.truncate(); err != nil {
			return fail(false, err)
		}
		offset = 0
	}
	return j.fetch(ctx, offset, fail)
}

// resume re-hashes an existing .part file and returns how many of its bytes
// can be kept. A .part longer than the target is discarded.
func (j *job) resume() (int64, error) {
	fi, err := j.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", j.label, err)
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil
	}
	if size > j.want.Length {
		return 0, j.truncate()
	}
	j.buf = make([]byte, bufSize)
	n, err := j.ds.hashFrom(j.f, size, j.buf)
	if err != nil {
		return 0, fmt.Errorf("download %s: reading partial file: %w", j.label, err)
	}
	if n != size {
		return 0, fmt.Errorf("download %s: partial file changed while reading it", j.label)
	}
	j.res.Resumed = size
	return size, nil
}

// truncate empties the .part file and resets the hashes.
func (j *job) truncate() error {
	if j.res.Resumed > 0 || j.res.Downloaded > 0 {
		j.res.Restarted = true
	}
	j.res.Resumed = 0
	j.ds.reset()
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	return nil
}

// fetch requests the target from offset and streams the body to disk.
func (j *job) fetch(ctx context.Context, offset int64, fail func(bool, error) error) error {
	if j.buf == nil {
		j.buf = make([]byte, bufSize)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := newIdleTimer(j.idle, cancel)
	defer idle.stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return fail(true, fmt.Errorf("download %s: %w", j.label, redact(err)))
	}
	// No transparent gzip: offsets and hashes refer to the stored bytes.
	req.Header.Set("Accept-Encoding", "identity")
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	idle.start()
	resp, err := j.client.Do(req)
	idle.stop()
	if err != nil {
		return fail(true, j.transportErr(ctx, err))
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
		if offset > 0 { // the server ignored Range: start over
			if err := j.truncate(); err != nil {
				return fail(false, err)
			}
			offset = 0
		}
	case http.StatusPartialContent:
		if err := j.checkPartial(resp, offset); err != nil {
			return fail(false, err)
		}
	default:
		err := fmt.Errorf("download %s: %w: status %s", j.label, ErrBadResponse, resp.Status)
		return fail(resp.StatusCode != http.StatusRequestedRangeNotSatisfiable, err)
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return fail(offset > 0, fmt.Errorf("download %s: %w: unrequested Content-Encoding %q", j.label, ErrBadResponse, ce))
	}
	remaining := j.want.Length - offset
	if resp.ContentLength > remaining {
		return fail(false, fmt.Errorf("download %s: %w: Content-Length %d, expected %d more bytes", j.label, ErrTooLong, resp.ContentLength, remaining))
	}
	if resp.ContentLength >= 0 && resp.ContentLength < remaining {
		return fail(false, fmt.Errorf("download %s: %w: Content-Length %d, expected %d more bytes", j.label, ErrLengthMismatch, resp.ContentLength, remaining))
	}

	// Stream the body. Reads are capped so that at most one byte past the
	// signed length is ever read, and nothing past it is written.
	for {
		b := j.buf
		if rest := remaining - j.res.Downloaded; rest < int64(len(b)) {
			b = b[:rest+1]
		}
		idle.start()
		n, rerr := resp.Body.Read(b)
		idle.stop()
		if n > 0 {
			if int64(n) > remaining-j.res.Downloaded {
				return fail(false, fmt.Errorf("download %s: %w: the server sent more than the %d bytes the metadata allows", j.label, ErrTooLong, j.want.Length))
			}
			if _, err := j.f.Write(b[:n]); err != nil {
				return fail(true, fmt.Errorf("download %s: %w", j.label, err))
			}
			j.ds.write(b[:n])
			j.res.Downloaded += int64(n)
			if j.opt.Progress != nil {
				j.opt.Progress(offset+j.res.Downloaded, j.want.Length)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fail(true, j.transportErr(ctx, rerr))
		}
	}
	if got := offset + j.res.Downloaded; got != j.want.Length {
		return fail(false, fmt.Errorf("download %s: %w: the response ended at %d bytes, metadata says %d", j.label, ErrLengthMismatch, got, j.want.Length))
	}
	if err := j.ds.check("download " + j.label); err != nil {
		return fail(false, err)
	}
	return j.finish()
}

// checkPartial validates a 206 response to a request for bytes offset-.
func (j *job) checkPartial(resp *http.Response, offset int64) error {
	if offset == 0 {
		return fmt.Errorf("download %s: %w: 206 Partial Content to a request without Range", j.label, ErrBadResponse)
	}
	values := resp.Header.Values("Content-Range")
	if len(values) != 1 {
		return fmt.Errorf("download %s: %w: 206 with %d Content-Range headers", j.label, ErrBadResponse, len(values))
	}
	cr, err := parseContentRange(values[0])
	if err != nil {
		return fmt.Errorf("download %s: %w: %w %q", j.label, ErrBadResponse, err, values[0])
	}
	if cr.First != offset || cr.Last != j.want.Length-1 || (cr.Complete >= 0 && cr.Complete != j.want.Length) {
		return fmt.Errorf("download %s: %w: Content-Range %q, requested bytes %d-%d of %d", j.label, ErrBadResponse, values[0], offset, j.want.Length-1, j.want.Length)
	}
	return nil
}

// finish makes the verified .part file durable and moves it to dest.
func (j *job) finish() error {
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	if err := j.f.Close(); err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	j.f = nil
	if err := os.Rename(j.part, j.dest); err != nil {
		os.Remove(j.part)
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	if err := syncDir(filepath.Dir(j.dest)); err != nil {
		return fmt.Errorf("download %s: %w", j.label, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// transportErr describes a failed request or body read, telling a stall
// (our idle timer cancelled the request) from the caller's cancellation.
func (j *job) transportErr(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), ErrStalled) {
		return fmt.Errorf("download %s: %w: no data for %v after %d bytes", j.label, ErrStalled, j.idle, j.res.Resumed+j.res.Downloaded)
	}
	return fmt.Errorf("download %s: %w", j.label, redact(err))
}

// redact drops the query string from URLs in err: download URLs may be
// presigned, and their signatures do not belong in logs.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && (u.RawQuery != "" || u.User != nil) {
			u.RawQuery, u.ForceQuery, u.User = "", false, nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// idleTimer cancels a request when one wait (for headers, or for one body
// read) lasts longer than the idle timeout.
type idleTimer struct {
	d      time.Duration
	cancel context.CancelCauseFunc
	t      *time.Timer
}

func newIdleTimer(d time.Duration, cancel context.CancelCauseFunc) *idleTimer {
	return &idleTimer{d: d, cancel: cancel}
}

func (it *idleTimer) start() {
	switch {
	case it.d <= 0:
	case it.t == nil:
		it.t = time.AfterFunc(it.d, func() { it.cancel(ErrStalled) })
	default:
		it.t.Reset(it.d)
	}
}

func (it *idleTimer) stop() {
	if it.t != nil {
		it.t.Stop()
	}
}
