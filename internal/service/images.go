package service

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// UploadImage stores the firmware image of a release, streaming it from r
// to the blob store while hashing it. A signed release's image cannot
// change: devices may already have verified it. Replacing an unsigned
// image is allowed; the old file is removed.
func (s *Service) UploadImage(ctx context.Context, p access.Principal, productKey, version, fileName string, r io.Reader) (registry.Release, error) {
	if err := s.updatesReady(); err != nil {
		return registry.Release{}, err
	}
	os, prod, err := s.productIn(ctx, p, access.WriteRegistry, productKey)
	if err != nil {
		return registry.Release{}, err
	}
	if !registry.ValidImageName(fileName) {
		return registry.Release{}, errs.Invalidf("file_name", "must be 1 to %d letters, digits, '.', '_', '+' or '-', not starting with '.'", registry.MaxImageNameLen)
	}
	rel, err := os.Release(ctx, prod.ID, version)
	if err != nil {
		return rel, err
	}
	if err := tufrepo.ValidTargetPath(tufrepo.TargetPath(rel.Version, fileName)); err != nil {
		return rel, errs.Invalidf("version", "release version %q cannot name a firmware target: versions of signed releases may hold only letters, digits and . _ ~ + = @ : , -", rel.Version)
	}
	if rel.SignedAt != nil {
		return rel, errSigned(rel.Version)
	}
	key := "firmware/" + prod.ID + "/" + rel.ID + "/" + ids.New()
	info, err := s.updates.Blobs.Put(ctx, key, r, s.updates.MaxImageSize)
	if err != nil {
		var maxErr interface{ MaxBytes() int64 }
		if errors.As(err, &maxErr) || errs.Is(err, errs.TooLarge) {
			return rel, errs.E(errs.TooLarge, "the image is larger than this server's limit of %d bytes", s.updates.MaxImageSize).WithCode("image_too_large")
		}
		return rel, err
	}
	if info.Size == 0 {
		_ = s.updates.Blobs.Delete(context.WithoutCancel(ctx), key)
		return rel, errs.Invalidf("image", "is empty")
	}
	img := registry.Image{FileName: fileName, Length: info.Size, SHA256: hex.EncodeToString(info.SHA256), SHA512: hex.EncodeToString(info.SHA512), BlobKey: key, UploadedAt: s.clock.Now()}
	var old *registry.Image
	err = s.inOrg(ctx, p.OrgID, func(os store.OrgStore) (*audit.Event, error) {
		cur, err := os.Release(ctx, prod.ID, version)
		if err != nil {
			return nil, err
		}
		if cur.SignedAt != nil {
			return nil, errSigned(cur.Version)
		}
		old = cur.Image
		if err := os.SetReleaseImage(ctx, cur.ID, img); err != nil {
			return nil, err
		}
		rel = cur
		rel.Image = &img
		return s.event(p, "release.image_upload", "release", cur.ID, "uploaded image "+fileName+" for release "+cur.Version+" of "+prod.Name,
			map[string]any{"file_name": fileName, "length": img.Length, "sha256": img.SHA256}), nil
	})
	if err != nil {
		_ = s.updates.Blobs.Delete(context.WithoutCancel(ctx), key)
		return rel, err
	}
	if old != nil && old.BlobKey != key {
		if err := s.updates.Blobs.Delete(context.WithoutCancel(ctx), old.BlobKey); err != nil && !errs.Is(err, errs.NotFound) {
			s.log.Warn("could not remove a replaced firmware image", "key", old.BlobKey, "err", err)
		}
	}
	return rel, nil
}

func errSigned(version string) error {
	return errs.E(errs.Conflict, "release %s is signed into the update repository; its image cannot change (publish a new version instead)", version).WithCode("release_signed")
}

// SignRelease signs a release's image into its product's targets metadata,
// with new snapshot and timestamp metadata; from then on devices can fetch
// it. Signing an already signed release changes nothing.
func (s *Service) SignRelease(ctx context.Context, p access.Principal, productKey, version string) (registry.Release, error) {
	rels, err := s.SignReleases(ctx, p, productKey, []string{version})
	if err != nil {
		return registry.Release{}, err
	}
	return rels[0], nil
}

// MaxSignBatch bounds how many releases one SignReleases call signs.
const MaxSignBatch = 100_000

// SignReleases signs several releases of one product in one publication:
// one new version of the metadata that lists them, one snapshot and one
// timestamp, however many releases. All are signed or none is.
func (s *Service) SignReleases(ctx context.Context, p access.Principal, productKey string, versions []string) ([]registry.Release, error) {
	if err := s.updatesReady(); err != nil {
		return nil, err
	}
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 || len(versions) > MaxSignBatch {
		return nil, errs.Invalidf("versions", "name 1 to %d releases", MaxSignBatch)
	}
	var rels []registry.Release
	err = s.retryOnMetadataRace(func() error {
		rels = rels[:0]
		return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
			prod, err := os.Product(ctx, productKey)
			if err != nil {
				return nil, err
			}
			repo, err := os.TUFRepository(ctx, prod.ID)
			if err != nil {
				return nil, errs.E(errs.Conflict, "%s has no update repository yet: create its keys and install its first root metadata", prod.Name).WithCode("repository_not_found")
			}
			org, err := os.Organisation(ctx)
			if err != nil {
				return nil, err
			}
			now := s.clock.Now()
			var change tufrepo.Change
			var signed []string
			for _, version := range versions {
				rel, err := os.Release(ctx, prod.ID, version)
				if err != nil {
					return nil, err
				}
				if rel.SignedAt == nil {
					if rel.Image == nil {
						return nil, errs.E(errs.Conflict, "release %s has no image: upload one first", rel.Version).WithCode("release_without_image")
					}
					// The release facts are frozen now, as signed: a later
					// change of the support period does not rewrite what
					// devices verified.
					custom := tufrepo.Custom{
						Product: org.Slug + "/" + prod.Slug, Version: rel.Version, HardwareRevisions: rel.HardwareRevisions,
						SecurityUpdate: rel.SecurityUpdate, AllowRollback: rel.AllowRollback, ReleasedAt: rel.ReleasedAt, Notes: firstLine(rel.Notes, 500),
					}
					if prod.SupportEnd != nil {
						custom.SupportEnd = prod.SupportEnd.String()
					}
					rel.SignedAt, rel.TargetCustom = &now, tufrepo.MarshalCustom(custom)
					if err := os.SetReleaseSigned(ctx, rel.ID, rel.SignedAt, rel.TargetCustom); err != nil {
						return nil, err
					}
					target, err := releaseTarget(rel)
					if err != nil {
						return nil, err
					}
					change.Add = append(change.Add, target)
					signed = append(signed, rel.Version)
				}
				rels = append(rels, rel)
			}
			if len(change.Add) == 0 {
				return nil, nil
			}
			if err := s.publish(ctx, os, prod, &repo, change); err != nil {
				return nil, err
			}
			summary := "signed release " + signed[0] + " of " + prod.Name + " into its update repository"
			if len(signed) > 1 {
				summary = "signed " + strconv.Itoa(len(signed)) + " releases of " + prod.Name + " into its update repository"
			}
			details := map[string]any{"versions": signed}
			if len(signed) > 100 {
				details = map[string]any{"versions": signed[:100], "more": len(signed) - 100}
			}
			return s.event(p, "release.sign", "product", prod.ID, summary, details), nil
		})
	})
	return rels, err
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimRight(s, "\r")
	if len(s) > max {
		s = s[:max]
	}
	return s
}

// retryOnMetadataRace reruns fn when another server stored the same
// metadata version first; the next attempt builds on its work.
func (s *Service) retryOnMetadataRace(fn func() error) error {
	var err error
	for range 3 {
		if err = fn(); err == nil || errs.Public(err).PublicCode() != "metadata_exists" {
			return err
		}
	}
	return err
}

// releaseTarget is how a signed release appears in targets metadata.
func releaseTarget(r registry.Release) (tufrepo.Target, error) {
	s256, err1 := hex.DecodeString(r.Image.SHA256)
	s512, err2 := hex.DecodeString(r.Image.SHA512)
	if err := errors.Join(err1, err2); err != nil {
		return tufrepo.Target{}, errs.Wrap(errs.Internal, err, "stored hashes of release %s", r.Version)
	}
	return tufrepo.Target{Path: tufrepo.TargetPath(r.Version, r.Image.FileName), Length: r.Image.Length, SHA256: s256, SHA512: s512, Custom: r.TargetCustom}, nil
}
