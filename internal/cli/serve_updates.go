package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/blob/filesystem"
	"github.com/lifeline-iot/lifeline/internal/blob/s3"
	"github.com/lifeline-iot/lifeline/internal/secretbox"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// updateFlags configure firmware delivery: where images live and the key
// that seals the online signing keys.
type updateFlags struct {
	blobDir       string
	s3            s3.Config
	secretKey     string
	secretKeyFile string
	maxImageSize  int64
	pollInterval  time.Duration
	expiry        tufrepo.Policy
}

func (u *updateFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&u.blobDir, "blob-dir", "", "directory for firmware images (default: blobs in the data directory); ignored with --s3-bucket")
	f.StringVar(&u.s3.Endpoint, "s3-endpoint", "", "S3-compatible object store for firmware images, host[:port], e.g. s3.eu-west-1.amazonaws.com")
	f.StringVar(&u.s3.Bucket, "s3-bucket", "", "bucket for firmware images; setting it stores images in S3 instead of on disk")
	f.StringVar(&u.s3.Region, "s3-region", "", "the bucket's region")
	f.StringVar(&u.s3.AccessKey, "s3-access-key", "", "S3 access key")
	f.StringVar(&u.s3.SecretKey, "s3-secret-key", "", "S3 secret key (prefer LIFELINE_S3_SECRET_KEY to a flag)")
	f.StringVar(&u.s3.Prefix, "s3-prefix", "", "key prefix inside the bucket")
	f.BoolVar(&u.s3.InsecurePlainHTTP, "s3-insecure-plain-http", false, "INSECURE: talk to the object store over plain HTTP; only for a store on the same host")
	f.StringVar(&u.secretKey, "secret-key", "", "32-byte key, base64, that seals online signing keys at rest (prefer LIFELINE_SECRET_KEY); every server of one deployment needs the same")
	f.StringVar(&u.secretKeyFile, "secret-key-file", "", "file holding the secret key (default: secret.key in the data directory, created on first start)")
	f.Int64Var(&u.maxImageSize, "max-image-size", service.DefaultMaxImageSize, "largest firmware image upload, in bytes")
	f.DurationVar(&u.expiry.Targets, "tuf-targets-expiry", tufrepo.DefaultPolicy.Targets, "how long signed targets metadata stays valid (re-signed at half its life)")
	f.DurationVar(&u.expiry.Snapshot, "tuf-snapshot-expiry", tufrepo.DefaultPolicy.Snapshot, "how long signed snapshot metadata stays valid")
	f.DurationVar(&u.expiry.Timestamp, "tuf-timestamp-expiry", tufrepo.DefaultPolicy.Timestamp, "how long signed timestamp metadata stays valid (a device that cannot reach the server refuses updates after this: freeze-attack protection)")
	f.DurationVar(&u.pollInterval, "device-poll-interval", service.DefaultPollInterval, "how often devices check in (the server doubles it while it falls behind)")
}

// open builds the Updates configuration. dataDir is where the default
// image directory and key file live.
func (u *updateFlags) open(ctx context.Context, dataDir string, log *slog.Logger) (service.Updates, error) {
	if u.expiry != (tufrepo.Policy{}) {
		if err := u.expiry.Validate(); err != nil {
			return service.Updates{}, usageError{err}
		}
	}
	box, err := u.secrets(dataDir, log)
	if err != nil {
		return service.Updates{}, err
	}
	var blobs blob.Store
	if u.s3.Bucket != "" {
		if u.s3.InsecurePlainHTTP {
			log.Warn("INSECURE: --s3-insecure-plain-http is on; firmware images and request signatures travel unencrypted to the object store")
		}
		if blobs, err = s3.New(ctx, u.s3); err != nil {
			return service.Updates{}, fmt.Errorf("object store: %w", err)
		}
	} else {
		dir := u.blobDir
		if dir == "" {
			dir = filepath.Join(dataDir, "blobs")
		}
		if blobs, err = filesystem.New(dir); err != nil {
			return service.Updates{}, fmt.Errorf("image directory: %w", err)
		}
	}
	log.Info("firmware delivery ready", "images", blobs.Backend(), "secret_key_id", box.KeyID())
	return service.Updates{Blobs: blobs, Secrets: box, MaxImageSize: u.maxImageSize, PollInterval: u.pollInterval, Policy: u.expiry}, nil
}

// secrets finds the secret key: the flag (or LIFELINE_SECRET_KEY), else the
// key file, which is created with a new random key if it does not exist.
func (u *updateFlags) secrets(dataDir string, log *slog.Logger) (*secretbox.Box, error) {
	text := u.secretKey
	if text == "" {
		path := u.secretKeyFile
		if path == "" {
			path = filepath.Join(dataDir, "secret.key")
		}
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && u.secretKeyFile == "":
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, err
			}
			text = secretbox.GenerateKey()
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write the new secret key: %w", err)
			}
			log.Warn("created a new secret key for sealing signing keys; back it up: without it the online signing keys cannot be used", "file", path)
		case err != nil:
			return nil, fmt.Errorf("secret key file: %w", err)
		default:
			if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
				log.Warn("the secret key file is readable by other users; chmod 600 it", "file", path)
			}
			text = string(b)
		}
	}
	key, err := secretbox.ParseKey(text)
	if err != nil {
		return nil, usageError{err}
	}
	return secretbox.New(key)
}

// refreshRepositories re-signs due update metadata every minute until ctx ends.
func refreshRepositories(ctx context.Context, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if n, err := svc.RefreshRepositories(ctx); err != nil && ctx.Err() == nil {
			log.Warn("re-signing update metadata", "err", err)
		} else if n > 0 {
			log.Info("re-signed update metadata", "repositories", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// evaluateRollouts moves rollouts on by their device reports every
// interval until ctx ends.
func evaluateRollouts(ctx context.Context, svc *service.Service, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := svc.EvaluateRollouts(ctx); err != nil && ctx.Err() == nil {
			log.Warn("evaluating rollouts", "err", err)
		} else if n > 0 {
			log.Info("rollouts moved on", "changed", n)
		}
	}
}
