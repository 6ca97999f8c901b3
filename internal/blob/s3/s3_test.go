package s3_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/blob/blobtest"
	"github.com/lifeline-iot/lifeline/internal/blob/s3"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// The tests run against a real S3 API over HTTP on loopback: gofakes3 (an
// S3 server written in Go, test-only dependency) in a child process, so that
// its in-memory copies of the objects do not count against the heap limits of
// the contract suite. Set LIFELINE_TEST_S3 to test against another server
// instead, e.g. MinIO or AWS:
//
//	LIFELINE_TEST_S3='https://ACCESS:SECRET@s3.eu-central-1.amazonaws.com/bucket/optional/prefix?region=eu-central-1'
//
// (http:// means InsecurePlainHTTP). Each test works under its own prefix,
// which it empties afterwards.
const (
	envTarget = "LIFELINE_TEST_S3"
	envChild  = "LIFELINE_TEST_FAKES3_CHILD"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		serveFakeS3()
		os.Exit(0)
	}
	code := m.Run()
	stopFakeS3()
	os.Exit(code)
}

func TestContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, _ := openStore(t)
		return s
	})
}

// target says where the tests' S3 server is.
type target struct {
	cfg    s3.Config // without Prefix
	prefix string    // under which every test makes its own
}

var (
	targetOnce sync.Once
	theTarget  target
	targetErr  error
	child      *exec.Cmd
	childStdin io.Closer
	prefixes   atomic.Int64
	runID      = strings.ToLower(rand.Text()[:8])
)

func getTarget(t *testing.T) target {
	t.Helper()
	targetOnce.Do(func() {
		if v := os.Getenv(envTarget); v != "" {
			theTarget, targetErr = parseTarget(v)
			return
		}
		theTarget, targetErr = startFakeS3()
	})
	if targetErr != nil {
		t.Fatalf("no S3 server to test against: %v", targetErr)
	}
	return theTarget
}

// openStore returns a store under a fresh prefix and a raw client to inspect
// it. After the test it checks that no staging object or multipart upload
// was left behind, then deletes everything under the prefix.
func openStore(t *testing.T) (*s3.Store, *minio.Client) {
	t.Helper()
	tg := getTarget(t)
	cfg := tg.cfg
	cfg.Prefix = fmt.Sprintf("%s%s-%d/", tg.prefix, runID, prefixes.Add(1))
	cfg.PartSize = s3.MinPartSize // more parts per test object
	s, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("s3.New: %v", err)
	}
	raw := rawClient(t, tg.cfg)
	t.Cleanup(func() {
		ctx := context.Background()
		for _, l := range leftovers(ctx, raw, cfg.Bucket, cfg.Prefix) {
			t.Error("left behind: " + l)
		}
		for o := range raw.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Prefix: cfg.Prefix, Recursive: true}) {
			if o.Err == nil {
				_ = raw.RemoveObject(ctx, cfg.Bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return s, raw
}

// leftovers lists the staging objects and multipart uploads under prefix.
func leftovers(ctx context.Context, raw *minio.Client, bucket, prefix string) []string {
	var l []string
	for o := range raw.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix + ".tmp/", Recursive: true}) {
		l = append(l, fmt.Sprintf("staging object %s (%v)", o.Key, o.Err))
	}
	for u := range raw.ListIncompleteUploads(ctx, bucket, prefix, true) {
		if minio.ToErrorResponse(u.Err).Code == "NoSuchUpload" {
			continue // gofakes3's answer for a bucket that never had one
		}
		l = append(l, fmt.Sprintf("multipart upload %s %s (%v)", u.Key, u.UploadID, u.Err))
	}
	return l
}

// TestLeftoversSeesThem checks the check that every contract test ends with.
func TestLeftoversSeesThem(t *testing.T) {
	tg := getTarget(t)
	raw := rawClient(t, tg.cfg)
	ctx := context.Background()
	prefix := fmt.Sprintf("%s%s-leftovers/", tg.prefix, runID)
	core := minio.Core{Client: raw}
	id, err := core.NewMultipartUpload(ctx, tg.cfg.Bucket, prefix+"x", minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer core.AbortMultipartUpload(ctx, tg.cfg.Bucket, prefix+"x", id)
	if _, err := raw.PutObject(ctx, tg.cfg.Bucket, prefix+".tmp/y", strings.NewReader("y"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	defer raw.RemoveObject(ctx, tg.cfg.Bucket, prefix+".tmp/y", minio.RemoveObjectOptions{})
	if l := leftovers(ctx, raw, tg.cfg.Bucket, prefix); len(l) != 2 {
		t.Fatalf("leftovers = %q, want the upload and the staging object", l)
	}
}

func rawClient(t *testing.T, cfg s3.Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: !cfg.InsecurePlainHTTP, Region: cfg.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parseTarget(v string) (target, error) {
	u, err := url.Parse(v)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return target{}, fmt.Errorf("%s must look like https://ACCESS:SECRET@host/bucket[/prefix][?region=…]", envTarget)
	}
	secret, _ := u.User.Password()
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if prefix != "" {
		prefix += "/"
	}
	return target{
		cfg: s3.Config{Endpoint: u.Host, Bucket: bucket, Region: u.Query().Get("region"),
			AccessKey: u.User.Username(), SecretKey: secret, InsecurePlainHTTP: u.Scheme == "http"},
		prefix: prefix + "lifeline-blobtest/",
	}, nil
}

// startFakeS3 runs this test binary again as an S3 server on loopback and
// makes the test bucket.
func startFakeS3() (target, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return target{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return target{}, err
	}
	if err := cmd.Start(); err != nil {
		return target{}, fmt.Errorf("starting the fake S3 server: %w", err)
	}
	child, childStdin = cmd, stdin
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return target{}, fmt.Errorf("fake S3 server did not report its address: %w", err)
	}
	tg := target{cfg: s3.Config{
		Endpoint: strings.TrimSpace(addr), Bucket: "lifeline-test", Region: "us-east-1",
		AccessKey: "test-access", SecretKey: "test-secret", InsecurePlainHTTP: true,
	}}
	c, err := minio.New(tg.cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4("a", "b", ""), Region: tg.cfg.Region})
	if err != nil {
		return target{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.MakeBucket(ctx, tg.cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		return target{}, fmt.Errorf("creating the test bucket: %w", err)
	}
	return tg, nil
}

func stopFakeS3() {
	if child == nil {
		return
	}
	childStdin.Close() // the child exits when its stdin closes
	done := make(chan struct{})
	go func() { child.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		child.Process.Kill()
	}
}

// serveFakeS3 is the child: it prints its address and serves until its
// stdin closes, which also happens when the parent dies.
func serveFakeS3() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake S3:", err)
		os.Exit(1)
	}
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	go http.Serve(ln, faker.Server())
	fmt.Println(ln.Addr().String())
	io.Copy(io.Discard, os.Stdin)
}

// TestDigestMetadata checks the digests really are stored on the object,
// and that an object stored some other way, without them, is not served.
func TestDigestMetadata(t *testing.T) {
	s, raw := openStore(t)
	ctx := context.Background()
	b := []byte("firmware bytes")
	if _, err := s.Put(ctx, "fw.bin", strings.NewReader(string(b)), 100); err != nil {
		t.Fatal(err)
	}
	tg := getTarget(t)
	prefix := ""
	for o := range raw.ListObjects(ctx, tg.cfg.Bucket, minio.ListObjectsOptions{Prefix: tg.prefix + runID, Recursive: true}) {
		if strings.HasSuffix(o.Key, "/fw.bin") {
			prefix = strings.TrimSuffix(o.Key, "fw.bin")
		}
	}
	if prefix == "" {
		t.Fatal("the object is not stored under <prefix>fw.bin")
	}
	oi, err := raw.StatObject(ctx, tg.cfg.Bucket, prefix+"fw.bin", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := oi.Metadata.Get("X-Amz-Meta-Sha256"); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("X-Amz-Meta-Sha256 = %q, want %x", got, sum)
	}

	if _, err := raw.PutObject(ctx, tg.cfg.Bucket, prefix+"foreign.bin", strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "foreign.bin"); err == nil || errs.KindOf(err) != errs.Internal {
		t.Fatalf("Stat of an object without digests = %v, want an internal error", err)
	}
	if _, err := s.Open(ctx, "foreign.bin"); err == nil || errs.KindOf(err) != errs.Internal {
		t.Fatalf("Open of an object without digests = %v, want an internal error", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := s3.Config{Endpoint: "s3.example.com", Bucket: "b", AccessKey: "a", SecretKey: "s"}
	tests := []struct {
		name   string
		change func(*s3.Config)
	}{
		{"no endpoint", func(c *s3.Config) { c.Endpoint = "" }},
		{"endpoint with scheme", func(c *s3.Config) { c.Endpoint = "https://s3.example.com" }},
		{"no bucket", func(c *s3.Config) { c.Bucket = "" }},
		{"no access key", func(c *s3.Config) { c.AccessKey = "" }},
		{"no secret key", func(c *s3.Config) { c.SecretKey = "" }},
		{"bad prefix", func(c *s3.Config) { c.Prefix = "../x" }},
		{"dot prefix", func(c *s3.Config) { c.Prefix = ".tmp" }},
		{"small parts", func(c *s3.Config) { c.PartSize = 1 << 20 }},
	}
	for _, tc := range tests {
		cfg := good
		tc.change(&cfg)
		if _, err := s3.New(context.Background(), cfg); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: New = %v, want an invalid error", tc.name, err)
		}
	}
}

func TestNewChecksBucket(t *testing.T) {
	cfg := getTarget(t).cfg
	cfg.Bucket = "no-such-bucket-" + runID
	if _, err := s3.New(context.Background(), cfg); !errs.Is(err, errs.Invalid) {
		t.Fatalf("New with a missing bucket = %v, want an invalid error", err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	// minio-go retries refused connections with back-off, so this ends
	// either way: refused (net.Error) or out of time; both are Unavailable.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cfg := s3.Config{Endpoint: addr, Bucket: "bucket", AccessKey: "a", SecretKey: "s", Region: "us-east-1", InsecurePlainHTTP: true}
	if _, err := s3.New(ctx, cfg); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("New against a closed port = %v, want an unavailable error", err)
	}
}
