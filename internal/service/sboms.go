package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/sbom"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

// MaxSBOMSize bounds an uploaded SBOM.
const MaxSBOMSize = 64 << 20

// AttachSBOM reads an SBOM (CycloneDX, SPDX 2.3 or Yocto's SPDX 3) for a
// release, keeps the original file in the blob store and the normalised
// document with the release, replacing any SBOM before it. A file that is
// not a readable SBOM is refused and changes nothing.
func (s *Service) AttachSBOM(ctx context.Context, p access.Principal, productKey, version string, r io.Reader) (store.ReleaseSBOM, error) {
	if err := s.updatesReady(); err != nil {
		return store.ReleaseSBOM{}, err
	}
	os, prod, err := s.productIn(ctx, p, access.WriteRegistry, productKey)
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	rel, err := os.Release(ctx, prod.ID, version)
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxSBOMSize+1))
	if err != nil {
		return store.ReleaseSBOM{}, errs.Wrap(errs.Invalid, err, "could not read the SBOM")
	}
	if len(raw) > MaxSBOMSize {
		return store.ReleaseSBOM{}, errs.E(errs.TooLarge, "the SBOM is larger than %d bytes", MaxSBOMSize).WithCode("sbom_too_large")
	}
	doc, err := sbom.Parse(bytes.NewReader(raw), sbom.Limits{MaxBytes: MaxSBOMSize})
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	sum := sha256.Sum256(raw)
	key := "sbom/" + prod.ID + "/" + rel.ID + "/" + ids.New()
	if _, err := s.updates.Blobs.Put(ctx, key, bytes.NewReader(raw), MaxSBOMSize); err != nil {
		return store.ReleaseSBOM{}, err
	}
	b := store.ReleaseSBOM{ReleaseID: rel.ID, ProductID: prod.ID, Format: doc.Format, Name: doc.Name, Components: len(doc.Components),
		VEX: len(doc.VEX), SHA256: hex.EncodeToString(sum[:]), BlobKey: key, Document: docJSON, UploadedAt: s.clock.Now()}
	var embedded []byte
	if len(doc.VEX) > 0 {
		if embedded, err = json.Marshal(vex.FromSBOM(doc.VEX, doc.Components)); err != nil {
			return b, err
		}
	}
	// The SBOM, its components, its VEX and the findings they give are
	// stored in one transaction: a release is never left with new
	// components and old findings.
	var old string
	err = s.store.Tx(ctx, func(q store.Queries) error {
		os := q.Org(p.OrgID)
		if err := os.LockVulns(ctx); err != nil {
			return err
		}
		if prev, err := os.ReleaseSBOM(ctx, rel.ID); err == nil {
			old = prev.BlobKey
		}
		if err := os.SetReleaseSBOM(ctx, b); err != nil {
			return err
		}
		if err := os.SetReleaseComponents(ctx, prod.ID, rel.ID, releaseComponents(doc)); err != nil {
			return err
		}
		if err := os.SetReleaseVEX(ctx, rel.ID, embedded); err != nil {
			return err
		}
		if _, err := s.rematchRelease(ctx, q, p.OrgID, rel.ID); err != nil {
			return err
		}
		return os.AppendAudit(ctx, s.event(p, "release.sbom", "release", rel.ID, "attached an SBOM ("+doc.Format+") to release "+rel.Version+" of "+prod.Name,
			map[string]any{"format": doc.Format, "components": b.Components, "sha256": b.SHA256}))
	})
	if err != nil {
		_ = s.updates.Blobs.Delete(context.WithoutCancel(ctx), key)
		return b, err
	}
	if old != "" {
		_ = s.updates.Blobs.Delete(context.WithoutCancel(ctx), old)
	}
	return b, nil
}

// ReleaseSBOMSummary returns a release's SBOM summary without decoding its
// document, for pages that list many releases.
func (s *Service) ReleaseSBOMSummary(ctx context.Context, p access.Principal, productKey, version string) (store.ReleaseSBOM, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	rel, err := os.Release(ctx, prod.ID, version)
	if err != nil {
		return store.ReleaseSBOM{}, err
	}
	b, err := os.ReleaseSBOM(ctx, rel.ID)
	b.Document = nil
	return b, err
}

// ReleaseSBOM returns a release's SBOM summary and its normalised document.
func (s *Service) ReleaseSBOM(ctx context.Context, p access.Principal, productKey, version string) (store.ReleaseSBOM, *sbom.Document, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return store.ReleaseSBOM{}, nil, err
	}
	rel, err := os.Release(ctx, prod.ID, version)
	if err != nil {
		return store.ReleaseSBOM{}, nil, err
	}
	b, err := os.ReleaseSBOM(ctx, rel.ID)
	if err != nil {
		return b, nil, err
	}
	var doc sbom.Document
	if err := json.Unmarshal(b.Document, &doc); err != nil {
		return b, nil, errs.Wrap(errs.Internal, err, "stored SBOM of release %s", rel.Version)
	}
	return b, &doc, nil
}
