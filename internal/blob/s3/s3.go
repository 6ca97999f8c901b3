// Package s3 is the blob.Store adapter for Amazon S3 and S3-compatible
// object stores (MinIO, Ceph RGW, Garage, Wasabi, …), built on minio-go.
//
// Each object carries its digests as user metadata (x-amz-meta-sha256 and
// x-amz-meta-sha512, hex), so Stat and Open answer without rereading it.
// Objects without that metadata were not written by this adapter and are
// refused as an internal error rather than served unverified.
//
// How Put works, and what it costs:
//
//   - It reads the upload into one buffer of PartSize bytes (16 MiB unless
//     configured, or maxSize+1 when smaller). That buffer is all the memory
//     a Put holds, whatever the object's size. S3 allows 10,000 parts, so
//     the largest object is 10,000 × PartSize (156 GiB by default).
//   - Every request that carries content is signed with the SHA-256 of that
//     content, so the store verifies what it receives, over HTTPS too, and
//     no aws-chunked encoding is needed (some S3-compatible stores handle it
//     badly). For a multipart upload that is one more SHA-256 pass per part.
//   - An object that fits in the buffer is sent with one PutObject carrying
//     its digests and If-None-Match: *, so a concurrent Put of the same key
//     cannot overwrite it on stores that support conditional writes (AWS
//     S3 since 2024, MinIO).
//   - A larger object is streamed part by part into a multipart upload under
//     "<prefix>.tmp/", because S3 takes user metadata only when an upload
//     starts, before the digests are known. The completed staging object is
//     then copied server-side to its key with the digests as metadata (one
//     CopyObject up to 5 GiB, a multipart copy above) and deleted. The copy
//     makes the object appear at once and complete. Two concurrent Puts of
//     the same large key are only checked for existence before upload and
//     before the copy, so the later copy can win. Callers avoid the race by
//     giving each upload a fresh or content-derived key. Likewise, if the
//     connection drops during the copy, the store may still finish it.
//   - On failure it aborts the multipart upload and deletes the staging
//     object. A process that dies mid-Put leaves them behind, invisible to
//     Lifeline: give the bucket a lifecycle rule that aborts incomplete
//     multipart uploads and expires "<prefix>.tmp/" after a day.
package s3

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Part sizes. S3 refuses parts under 5 MiB (except the last) and uploads of
// more than 10,000 parts.
const (
	DefaultPartSize = 16 << 20
	MinPartSize     = 5 << 20
	maxParts        = 10000
	maxCopySize     = 5 << 30 // the largest single CopyObject
)

const (
	metaSHA256  = "Sha256" // sent as X-Amz-Meta-Sha256
	metaSHA512  = "Sha512"
	stagingDir  = ".tmp/"
	contentType = "application/octet-stream"
	// cleanupTimeout bounds the clean-up after a failed Put, which runs
	// even when the Put's context is cancelled.
	cleanupTimeout = time.Minute
)

// Config says which bucket to use and how to reach it.
type Config struct {
	// Endpoint is the host and optional port, without scheme, e.g.
	// "s3.eu-central-1.amazonaws.com" or "minio.internal:9000".
	Endpoint string
	Bucket   string
	// Region is the bucket's region. Optional, but without it the client
	// asks the server first.
	Region    string
	AccessKey string
	SecretKey string
	// InsecurePlainHTTP talks to the endpoint over unencrypted HTTP, which
	// exposes the firmware and the request signatures to anyone on the path.
	// Only for a store on the same host or a test server. The default is HTTPS.
	InsecurePlainHTTP bool
	// Prefix is prepended to every key, e.g. "lifeline/" to share a bucket.
	// Optional; a trailing slash is added if missing.
	Prefix string
	// PartSize is the upload buffer and multipart part size in bytes:
	// DefaultPartSize when zero, at least MinPartSize.
	PartSize int64
	// Transport replaces the HTTP transport, e.g. to trust a private CA.
	// Optional.
	Transport http.RoundTripper
}

// Store keeps blobs in an S3 bucket.
type Store struct {
	client   *minio.Client
	bucket   string
	prefix   string
	partSize int64
}

var _ blob.Store = (*Store)(nil)

// New connects to the bucket described by cfg and checks that it exists.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    !cfg.InsecurePlainHTTP,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "invalid S3 configuration")
	}
	s := &Store{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix, partSize: cfg.PartSize}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, s.translate(err, "")
	}
	if !ok {
		return nil, errs.E(errs.Invalid, "S3 bucket %q does not exist", cfg.Bucket)
	}
	return s, nil
}

func (cfg *Config) normalise() error {
	var f errs.Fields
	f.Check(cfg.Endpoint != "" && !strings.Contains(cfg.Endpoint, "://"), "endpoint", "must be a host[:port] without scheme")
	f.Check(cfg.Bucket != "", "bucket", "is required")
	f.Check(cfg.AccessKey != "" && cfg.SecretKey != "", "access_key", "access key and secret key are required")
	if cfg.Prefix != "" {
		cfg.Prefix = strings.TrimSuffix(cfg.Prefix, "/")
		f.Check(blob.ValidKey(cfg.Prefix) == nil, "prefix", "must be a valid blob key path")
		cfg.Prefix += "/"
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	f.Check(cfg.PartSize >= MinPartSize && cfg.PartSize <= 5<<30, "part_size", "must be between 5 MiB and 5 GiB")
	return f.Err()
}

// Backend returns "s3".
func (s *Store) Backend() string { return "s3" }

func (s *Store) object(key string) string { return s.prefix + key }

// Stat describes the object under key; see blob.Store.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.ValidKey(key); err != nil {
		return blob.Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		return blob.Info{}, s.translate(err, key)
	}
	return info(key, oi)
}

// Open opens the object under key; see blob.Store. The object fetches its
// bytes lazily, with a ranged GET after each Seek, so serving a Range
// request reads only that range.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidKey(key); err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, s.translate(err, key)
	}
	oi, err := o.Stat() // a HEAD; reads pin the ETag it returns
	if err != nil {
		o.Close()
		return nil, s.translate(err, key)
	}
	in, err := info(key, oi)
	if err != nil {
		o.Close()
		return nil, err
	}
	return &object{Object: o, info: in}, nil
}

// Delete removes the object under key; see blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	// S3 deletes missing keys without complaint; the contract wants NotFound.
	if _, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{}); err != nil {
		return s.translate(err, key)
	}
	return s.translate(s.client.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{}), key)
}

type object struct {
	*minio.Object
	info blob.Info
}

func (o *object) Info() blob.Info { return o.info }

// info builds a blob.Info from S3's description of an object.
func info(key string, oi minio.ObjectInfo) (blob.Info, error) {
	s256, err256 := hex.DecodeString(oi.Metadata.Get("X-Amz-Meta-" + metaSHA256))
	s512, err512 := hex.DecodeString(oi.Metadata.Get("X-Amz-Meta-" + metaSHA512))
	if err256 != nil || err512 != nil || len(s256) != 32 || len(s512) != 64 {
		return blob.Info{}, fmt.Errorf("blob s3: object %q has no valid digest metadata; it was not stored by Lifeline", key)
	}
	return blob.Info{Key: key, Size: oi.Size, SHA256: s256, SHA512: s512, ModTime: oi.LastModified}, nil
}

// translate turns S3 and network errors into the errs vocabulary.
func (s *Store) translate(err error, key string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return blob.ErrCancelled(err)
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchKey:
			return blob.ErrNotFound(key)
		case resp.StatusCode == http.StatusPreconditionFailed, resp.Code == "ConditionalRequestConflict":
			return blob.ErrExists(key)
		case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests:
			return errs.Wrap(errs.Unavailable, err, "the blob store is unavailable")
		}
		return fmt.Errorf("blob s3: %s %q: %w", s.bucket, s.object(key), err)
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return errs.Wrap(errs.Unavailable, err, "the blob store is unreachable")
	}
	return fmt.Errorf("blob s3: %s %q: %w", s.bucket, s.object(key), err)
}
