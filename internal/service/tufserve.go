package service

import (
	"context"
	"log/slog"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/slug"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// RepositoryMetadata returns a metadata file of a product's update
// repository by the name a TUF client asks for ("3.targets.json",
// "timestamp.json"). Anyone may read it.
func (s *Service) RepositoryMetadata(ctx context.Context, orgSlug, productSlug, name string) (store.TUFMetadata, error) {
	role, version, err := tufrepo.ParseMetadataName(name)
	if err != nil || !validSlugs(orgSlug, productSlug) {
		return store.TUFMetadata{}, errs.E(errs.NotFound, "no such metadata file").WithCode("metadata_not_found")
	}
	key := metadataCacheKey(orgSlug, productSlug, name)
	if v, ok := s.repoCache.get(key); ok {
		return v.(store.TUFMetadata), nil
	}
	m, err := s.store.Public().TUFMetadata(ctx, orgSlug, productSlug, role, version)
	if err != nil {
		return m, err
	}
	life := immutableCacheLife
	if version == 0 {
		life = latestCacheLife
	}
	s.repoCache.put(key, m, int64(len(m.Body))+256, life)
	return m, nil
}

// validSlugs checks the slugs of a public address before they reach a
// query: no organisation or product has any other name, and PostgreSQL
// answers a NUL or a byte that is not UTF-8 (%00, %ff in the path) with an
// error, not with "not found".
func validSlugs(slugs ...string) bool {
	for _, s := range slugs {
		if !slug.Valid(s) {
			return false
		}
	}
	return true
}

func metadataCacheKey(orgSlug, productSlug, name string) string {
	return "m\x00" + orgSlug + "\x00" + productSlug + "\x00" + name
}

// RepositoryTarget opens a signed firmware image of a product's update
// repository by the path a TUF client asks for under targets/
// ("2.1.0/<sha256>.plug.bin"). The caller closes the object.
func (s *Service) RepositoryTarget(ctx context.Context, orgSlug, productSlug, path string) (registry.Release, blob.Object, error) {
	notFound := errs.E(errs.NotFound, "no such target").WithCode("target_not_found")
	if err := s.updatesReady(); err != nil {
		return registry.Release{}, nil, err
	}
	targetPath, digest, err := tufrepo.ParseTargetRequest(path)
	if err != nil || !validSlugs(orgSlug, productSlug) {
		return registry.Release{}, nil, notFound
	}
	version, fileName, ok := strings.Cut(targetPath, "/")
	if !ok {
		return registry.Release{}, nil, notFound
	}
	// A signed release never changes and cannot be deleted, so its lookup
	// caches like immutable metadata.
	key := "t\x00" + orgSlug + "\x00" + productSlug + "\x00" + targetPath
	var rel registry.Release
	if v, ok := s.repoCache.get(key); ok {
		rel = v.(registry.Release)
	} else {
		if rel, err = s.store.Public().TUFTarget(ctx, orgSlug, productSlug, version, fileName); err != nil {
			return rel, nil, err
		}
		s.repoCache.put(key, rel, 1024, immutableCacheLife)
	}
	if rel.Image == nil || (digest != rel.Image.SHA256 && digest != rel.Image.SHA512) {
		return rel, nil, notFound
	}
	obj, err := s.updates.Blobs.Open(ctx, rel.Image.BlobKey)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			s.log.Error("a signed firmware image is missing from the blob store", "key", rel.Image.BlobKey, "release", rel.ID)
			return rel, nil, errs.E(errs.Unavailable, "the image is temporarily unavailable")
		}
		return rel, nil, err
	}
	return rel, obj, nil
}

// RefreshRepositories re-signs the online metadata of every update
// repository that is due, so that no timestamp, snapshot or targets file a
// client sees is about to expire. It returns how many repositories it
// refreshed. Servers run it periodically; several servers running it at
// once is safe: a repository another server refreshed first is skipped.
func (s *Service) RefreshRepositories(ctx context.Context) (int, error) {
	if s.updatesReady() != nil {
		return 0, nil
	}
	due, err := s.store.Directory().TUFDue(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		err := s.store.Tx(ctx, func(q store.Queries) error {
			os := q.Org(r.OrgID)
			repo, err := os.TUFRepository(ctx, r.ProductID)
			if err != nil {
				return err
			}
			if repo.RefreshAt.After(s.clock.Now()) {
				return nil // another server got here first
			}
			prod, err := os.Product(ctx, r.ProductID)
			if err != nil {
				return err
			}
			n++
			return s.publish(ctx, os, prod, &repo, tufrepo.Change{})
		})
		if err != nil && errs.Public(err).PublicCode() != "metadata_exists" {
			s.log.Error("could not re-sign an update repository", "product", r.ProductID, "err", err)
			continue
		}
		s.log.Debug("re-signed update repository metadata", slog.String("product", r.ProductID))
	}
	return n, nil
}
