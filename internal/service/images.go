package service

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
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
	if err := s.updatesReady(); err != nil {
		return registry.Release{}, err
	}
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return registry.Release{}, err
	}
	var rel registry.Release
	err = s.retryOnMetadataRace(func() error {
		return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
			prod, err := os.Product(ctx, productKey)
			if err != nil {
				return nil, err
			}
			if rel, err = os.Release(ctx, prod.ID, version); err != nil {
				return nil, err
			}
			if rel.SignedAt != nil {
				return nil, nil
			}
			if rel.Image == nil {
				return nil, errs.E(errs.Conflict, "release %s has no image: upload one first", rel.Version).WithCode("release_without_image")
			}
			repo, err := os.TUFRepository(ctx, prod.ID)
			if err != nil {
				return nil, errs.E(errs.Conflict, "%s has no update repository yet: create its keys and install its first root metadata", prod.Name).WithCode("repository_not_found")
			}
			now := s.clock.Now()
			org, err := os.Organisation(ctx)
			if err != nil {
				return nil, err
			}
			// The release facts are frozen now, as signed: a later change of
			// the support period does not rewrite what devices verified.
			custom := tufrepo.Custom{
				Product: org.Slug + "/" + prod.Slug, Version: rel.Version, HardwareRevisions: rel.HardwareRevisions,
				SecurityUpdate: rel.SecurityUpdate, ReleasedAt: rel.ReleasedAt, Notes: firstLine(rel.Notes, 500),
			}
			if prod.SupportEnd != nil {
				custom.SupportEnd = prod.SupportEnd.String()
			}
			rel.SignedAt, rel.TargetCustom = &now, tufrepo.MarshalCustom(custom)
			if err := os.SetReleaseSigned(ctx, rel.ID, rel.SignedAt, rel.TargetCustom); err != nil {
				return nil, err
			}
			targets, err := s.targetList(ctx, os, prod.ID)
			if err != nil {
				return nil, err
			}
			if err := s.publish(ctx, os, prod, &repo, tufrepo.Change{Targets: targets}); err != nil {
				return nil, err
			}
			return s.event(p, "release.sign", "release", rel.ID, "signed release "+rel.Version+" of "+prod.Name+" into its update repository",
				map[string]any{"target": tufrepo.TargetPath(rel.Version, rel.Image.FileName), "sha256": rel.Image.SHA256}), nil
		})
	})
	return rel, err
}

// targetList is the complete list of a product's signed targets.
func (s *Service) targetList(ctx context.Context, os store.OrgStore, productID string) ([]tufrepo.Target, error) {
	rels, err := os.SignedReleases(ctx, productID)
	if err != nil {
		return nil, err
	}
	out := make([]tufrepo.Target, 0, len(rels))
	for _, r := range rels {
		if r.Image == nil {
			continue
		}
		s256, err1 := hex.DecodeString(r.Image.SHA256)
		s512, err2 := hex.DecodeString(r.Image.SHA512)
		if err := errors.Join(err1, err2); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "stored hashes of release %s", r.Version)
		}
		out = append(out, tufrepo.Target{Path: tufrepo.TargetPath(r.Version, r.Image.FileName), Length: r.Image.Length, SHA256: s256, SHA512: s512, Custom: r.TargetCustom})
	}
	return out, nil
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(s, "\n")
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
