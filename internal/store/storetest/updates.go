package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testReleaseImages(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "plug")
	r := registry.Release{ID: ids.New(), ProductID: p.ID, Version: "2.0.0", ReleasedAt: t0, CreatedAt: t0,
		HardwareRevisions: []string{"A", "B"}, SecurityUpdate: true}
	must(t, os.CreateRelease(ctx(), &r), "CreateRelease")
	got, err := os.Release(ctx(), p.ID, "2.0.0")
	must(t, err, "Release")
	if len(got.HardwareRevisions) != 2 || got.HardwareRevisions[1] != "B" || !got.SecurityUpdate || got.Image != nil || got.SignedAt != nil {
		t.Fatalf("release = %+v", got)
	}

	img := registry.Image{FileName: "plug.bin", Length: 42, SHA256: "aa", SHA512: "bb", BlobKey: "firmware/x", UploadedAt: t0.Add(time.Minute)}
	must(t, os.SetReleaseImage(ctx(), r.ID, img), "SetReleaseImage")
	got, _ = os.Release(ctx(), p.ID, "2.0.0")
	if got.Image == nil || *got.Image != img {
		t.Fatalf("image = %+v, want %+v", got.Image, img)
	}
	wantKind(t, os.SetReleaseImage(ctx(), ids.New(), img), errs.NotFound, "SetReleaseImage of a missing release")

	signed, err := os.SignedReleases(ctx(), p.ID)
	must(t, err, "SignedReleases")
	if len(signed) != 0 {
		t.Fatalf("%d signed before signing", len(signed))
	}
	_, err = s.Public().TUFTarget(ctx(), org.Slug, p.Slug, "2.0.0", "plug.bin")
	wantKind(t, err, errs.NotFound, "an unsigned image is not a target")

	at := t0.Add(2 * time.Minute)
	must(t, os.SetReleaseSigned(ctx(), r.ID, &at, []byte(`{"lifeline":{}}`)), "SetReleaseSigned")
	signed, _ = os.SignedReleases(ctx(), p.ID)
	if len(signed) != 1 || signed[0].SignedAt == nil || !signed[0].SignedAt.Equal(at) || string(signed[0].TargetCustom) != `{"lifeline":{}}` {
		t.Fatalf("signed = %+v", signed)
	}
	tr, err := s.Public().TUFTarget(ctx(), org.Slug, p.Slug, "2.0.0", "plug.bin")
	must(t, err, "Public.TUFTarget")
	if tr.ID != r.ID || tr.Image.BlobKey != "firmware/x" {
		t.Fatalf("target = %+v", tr)
	}
	_, err = s.Public().TUFTarget(ctx(), org.Slug, p.Slug, "2.0.0", "other.bin")
	wantKind(t, err, errs.NotFound, "wrong file name")

	must(t, os.SetReleaseSigned(ctx(), r.ID, nil, nil), "unsign")
	if signed, _ = os.SignedReleases(ctx(), p.ID); len(signed) != 0 {
		t.Fatal("still signed")
	}
	if got, _ = os.Release(ctx(), p.ID, "2.0.0"); got.TargetCustom != nil || got.SignedAt != nil {
		t.Fatalf("unsigned release keeps %q", got.TargetCustom)
	}
}

func testTUFRepository(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "plug")

	_, err := os.TUFRepository(ctx(), p.ID)
	wantKind(t, err, errs.NotFound, "repository before the first root")

	// Keys.
	k := store.TUFKey{ID: ids.New(), ProductID: p.ID, Role: "timestamp", KeyID: "k1", PublicKey: []byte(`{"keytype":"ed25519"}`), Sealed: []byte{1, 2, 3}, CreatedAt: t0}
	must(t, os.CreateTUFKey(ctx(), &k), "CreateTUFKey")
	dup := k
	dup.ID = ids.New()
	wantKind(t, os.CreateTUFKey(ctx(), &dup), errs.Conflict, "duplicate key ID")
	keys, err := os.TUFKeys(ctx(), p.ID)
	must(t, err, "TUFKeys")
	if len(keys) != 1 || !bytes.Equal(keys[0].Sealed, []byte{1, 2, 3}) || keys[0].RetiredAt != nil {
		t.Fatalf("keys = %+v", keys)
	}
	must(t, os.RetireTUFKey(ctx(), p.ID, "k1", t0.Add(time.Hour)), "RetireTUFKey")
	must(t, os.RetireTUFKey(ctx(), p.ID, "k1", t0.Add(2*time.Hour)), "RetireTUFKey again")
	keys, _ = os.TUFKeys(ctx(), p.ID)
	if keys[0].RetiredAt == nil || !keys[0].RetiredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("retired = %v, want the first retirement kept", keys[0].RetiredAt)
	}
	wantKind(t, os.RetireTUFKey(ctx(), p.ID, "nope", t0), errs.NotFound, "retire a missing key")

	// Repository record and due list.
	repo := store.TUFRepository{ProductID: p.ID, RootVersion: 1, RootExpires: t0.AddDate(1, 0, 0), RefreshAt: t0.Add(12 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
	must(t, os.PutTUFRepository(ctx(), repo), "PutTUFRepository")
	repo.RootVersion, repo.RefreshAt = 2, t0.Add(6*time.Hour)
	must(t, os.PutTUFRepository(ctx(), repo), "PutTUFRepository update")
	got, err := os.TUFRepository(ctx(), p.ID)
	must(t, err, "TUFRepository")
	if got.RootVersion != 2 || !got.RefreshAt.Equal(t0.Add(6*time.Hour)) || got.OrgID != org.ID {
		t.Fatalf("repository = %+v", got)
	}
	due, err := s.Directory().TUFDue(ctx(), t0.Add(5*time.Hour), 10)
	must(t, err, "TUFDue")
	if len(due) != 0 {
		t.Fatalf("due too early: %+v", due)
	}
	due, _ = s.Directory().TUFDue(ctx(), t0.Add(7*time.Hour), 10)
	if len(due) != 1 || due[0].ProductID != p.ID || due[0].OrgID != org.ID {
		t.Fatalf("due = %+v", due)
	}

	// Metadata: immutable versions, newest by version 0, public by slugs.
	files := []store.TUFMetadata{
		{Role: "targets", Version: 1, Expires: t0.AddDate(1, 0, 0), Body: []byte("t1"), CreatedAt: t0},
		{Role: "timestamp", Version: 1, Expires: t0.Add(24 * time.Hour), Body: []byte("ts1"), CreatedAt: t0},
	}
	must(t, os.AddTUFMetadata(ctx(), p.ID, files), "AddTUFMetadata")
	must(t, os.AddTUFMetadata(ctx(), p.ID, []store.TUFMetadata{{Role: "timestamp", Version: 2, Expires: t0.Add(36 * time.Hour), Body: []byte("ts2"), CreatedAt: t0}}), "AddTUFMetadata v2")
	wantKind(t, os.AddTUFMetadata(ctx(), p.ID, []store.TUFMetadata{{Role: "timestamp", Version: 2, Expires: t0, Body: []byte("evil"), CreatedAt: t0}}), errs.Conflict, "rewriting a stored version")
	m, err := os.TUFMetadata(ctx(), p.ID, "timestamp", 0)
	must(t, err, "TUFMetadata newest")
	if m.Version != 2 || string(m.Body) != "ts2" || !m.Expires.Equal(t0.Add(36*time.Hour)) {
		t.Fatalf("newest timestamp = %+v", m)
	}
	m, _ = os.TUFMetadata(ctx(), p.ID, "timestamp", 1)
	if string(m.Body) != "ts1" {
		t.Fatalf("timestamp v1 = %q", m.Body)
	}
	_, err = os.TUFMetadata(ctx(), p.ID, "snapshot", 0)
	wantKind(t, err, errs.NotFound, "missing role")
	pm, err := s.Public().TUFMetadata(ctx(), org.Slug, p.Slug, "targets", 1)
	must(t, err, "Public.TUFMetadata")
	if string(pm.Body) != "t1" {
		t.Fatalf("public targets = %q", pm.Body)
	}
	_, err = s.Public().TUFMetadata(ctx(), "other", p.Slug, "targets", 1)
	wantKind(t, err, errs.NotFound, "other manufacturer's slug")

	wantKind(t, os.DeleteProduct(ctx(), p.ID), errs.Conflict, "deleting a product with a repository")
}

func testReleaseSBOM(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "plug")
	r := mustRelease(t, os, p.ID, "1.0", t0)
	_, err := os.ReleaseSBOM(ctx(), r.ID)
	wantKind(t, err, errs.NotFound, "SBOM before upload")
	b := store.ReleaseSBOM{ReleaseID: r.ID, ProductID: p.ID, Format: "cyclonedx-1.5-json", Name: "fw", Components: 3, VEX: 1, SHA256: "ab", BlobKey: "sbom/1", Document: []byte(`{"Components":[]}`), UploadedAt: t0}
	must(t, os.SetReleaseSBOM(ctx(), b), "SetReleaseSBOM")
	b.Components, b.BlobKey = 4, "sbom/2"
	must(t, os.SetReleaseSBOM(ctx(), b), "SetReleaseSBOM again replaces")
	got, err := os.ReleaseSBOM(ctx(), r.ID)
	must(t, err, "ReleaseSBOM")
	if got.Components != 4 || got.BlobKey != "sbom/2" || string(got.Document) != `{"Components":[]}` || !got.UploadedAt.Equal(t0) || got.Format != "cyclonedx-1.5-json" {
		t.Fatalf("sbom = %+v", got)
	}
	wrong := b
	wrong.ProductID = ids.New()
	wantKind(t, os.SetReleaseSBOM(ctx(), wrong), errs.NotFound, "SBOM for a release of another product")
	must(t, os.DeleteRelease(ctx(), p.ID, "1.0"), "DeleteRelease with an SBOM")
	_, err = os.ReleaseSBOM(ctx(), r.ID)
	wantKind(t, err, errs.NotFound, "SBOM after the release was deleted")
}
