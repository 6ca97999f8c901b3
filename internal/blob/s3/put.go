package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Put stores r under key; see blob.Store and the package documentation.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, maxSize int64) (blob.Info, error) {
	if err := blob.CheckPut(key, maxSize); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, blob.ErrCancelled(err)
	}
	// Refuse early rather than stream gigabytes only to fail at the end.
	if err := s.absent(ctx, key); err != nil {
		return blob.Info{}, err
	}
	up := blob.NewUpload(ctx, r, maxSize)
	buf := make([]byte, s.bufSize(maxSize))
	n, err := io.ReadFull(up, buf)
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		return s.putSmall(ctx, key, up, buf[:n])
	case nil:
		return s.putLarge(ctx, key, up, buf)
	}
	return blob.Info{}, up.Cause(err)
}

// bufSize returns the part size for an upload of at most maxSize bytes:
// the configured size, or maxSize+1 when that is less and enough to see the
// whole upload (the extra byte shows the limit is exceeded).
func (s *Store) bufSize(maxSize int64) int64 {
	if maxSize < s.partSize {
		return maxSize + 1
	}
	return s.partSize
}

// absent returns nil if key has no object, errs.Conflict if it has one.
func (s *Store) absent(ctx context.Context, key string) error {
	_, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	switch err := s.translate(err, key); {
	case err == nil:
		return blob.ErrExists(key)
	case errs.Is(err, errs.NotFound):
		return nil
	default:
		return err
	}
}

// putSmall stores an upload that fitted in one buffer with a single,
// conditional PutObject. The request is signed with the content's SHA-256,
// which Put already has, so the store verifies the bytes it receives.
func (s *Store) putSmall(ctx context.Context, key string, up *blob.Upload, b []byte) (blob.Info, error) {
	s256, _ := up.Sums()
	opts := minio.PutObjectOptions{ContentType: contentType, UserMetadata: digests(up), DisableContentSha256: true}
	cond := opts
	cond.SetMatchETagExcept("*") // only if the key is still free
	core := minio.Core{Client: s.client}
	_, err := core.PutObject(ctx, s.bucket, s.object(key), bytes.NewReader(b), int64(len(b)), "", hex.EncodeToString(s256), cond)
	if minio.ToErrorResponse(err).Code == "NotImplemented" {
		// A store without conditional writes; the check in Put has to do.
		_, err = core.PutObject(ctx, s.bucket, s.object(key), bytes.NewReader(b), int64(len(b)), "", hex.EncodeToString(s256), opts)
	}
	if err != nil {
		return blob.Info{}, s.translate(err, key)
	}
	return s.stored(ctx, key, up), nil
}

// putLarge streams an upload bigger than one buffer, whose first buffer is
// in buf, into a staging object, then copies that to key with the digests.
func (s *Store) putLarge(ctx context.Context, key string, up *blob.Upload, buf []byte) (blob.Info, error) {
	staging := s.prefix + stagingDir + randomName()
	if err := s.multipart(ctx, staging, up, buf); err != nil {
		return blob.Info{}, up.Cause(s.translate(err, key))
	}
	defer s.cleanup(ctx, func(ctx context.Context) error {
		return s.client.RemoveObject(ctx, s.bucket, staging, minio.RemoveObjectOptions{})
	})
	// Narrow the window in which a concurrent Put could have taken the key.
	if err := s.absent(ctx, key); err != nil {
		return blob.Info{}, err
	}
	dst := minio.CopyDestOptions{
		Bucket: s.bucket, Object: s.object(key),
		ReplaceMetadata: true, UserMetadata: digests(up), ContentType: contentType,
	}
	src := minio.CopySrcOptions{Bucket: s.bucket, Object: staging}
	var err error
	if up.Size() <= maxCopySize {
		_, err = s.client.CopyObject(ctx, dst, src)
	} else {
		_, err = s.client.ComposeObject(ctx, dst, src) // a multipart copy
	}
	if err != nil {
		return blob.Info{}, s.translate(err, key)
	}
	return s.stored(ctx, key, up), nil
}

// multipart uploads buf, which is full, and the rest of up to object as a
// multipart upload, one buffer per part. It aborts the upload on failure.
func (s *Store) multipart(ctx context.Context, object string, up *blob.Upload, buf []byte) (err error) {
	core := minio.Core{Client: s.client}
	id, err := core.NewMultipartUpload(ctx, s.bucket, object, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			s.cleanup(ctx, func(ctx context.Context) error {
				return core.AbortMultipartUpload(ctx, s.bucket, object, id)
			})
		}
	}()
	var parts []minio.CompletePart
	n := len(buf)
	for n > 0 {
		if len(parts) == maxParts {
			return errs.E(errs.TooLarge, "the file is larger than the S3 limit of %d parts of %d bytes", maxParts, len(buf)).WithCode("blob_too_large")
		}
		// Sign each part with its SHA-256, as putSmall does, so the store
		// verifies it (over HTTPS too, where minio-go would otherwise send
		// it unsigned) and no aws-chunked encoding is needed.
		sum := sha256.Sum256(buf[:n])
		opts := minio.PutObjectPartOptions{Sha256Hex: hex.EncodeToString(sum[:]), DisableContentSha256: true}
		var p minio.ObjectPart
		p, err = core.PutObjectPart(ctx, s.bucket, object, id, len(parts)+1, bytes.NewReader(buf[:n]), int64(n), opts)
		if err != nil {
			return err
		}
		parts = append(parts, minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag})
		if n < len(buf) {
			break // that was the short last part
		}
		n, err = io.ReadFull(up, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
	}
	_, err = core.CompleteMultipartUpload(ctx, s.bucket, object, id, parts, minio.PutObjectOptions{})
	return err
}

// stored returns the Info of an object Put has just stored, with the
// store's own modification time; if that cannot be had, now will do.
func (s *Store) stored(ctx context.Context, key string, up *blob.Upload) blob.Info {
	oi, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		return up.Info(key, time.Now().UTC().Truncate(time.Second))
	}
	return up.Info(key, oi.LastModified)
}

// cleanup runs fn even if ctx is cancelled, within cleanupTimeout. Its
// failure leaves only garbage that Lifeline never reads (see the package
// documentation on lifecycle rules), so it is not reported.
func (s *Store) cleanup(ctx context.Context, fn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = fn(ctx)
}

func digests(up *blob.Upload) map[string]string {
	s256, s512 := up.Sums()
	return map[string]string{metaSHA256: hex.EncodeToString(s256), metaSHA512: hex.EncodeToString(s512)}
}

func randomName() string {
	return time.Now().UTC().Format("20060102T150405Z-") + rand.Text()
}
