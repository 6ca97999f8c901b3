package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

func testProducts(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam-1")

	sameSlug := registry.Product{ID: ids.New(), Slug: "cam-1", Name: "X", ModelDesignation: "other", Category: "c", CreatedAt: t0, UpdatedAt: t0}
	err := os.CreateProduct(ctx(), &sameSlug)
	wantKind(t, err, errs.Conflict, "duplicate slug")
	if !strings.Contains(err.Error(), "slug") {
		t.Fatalf("duplicate slug error does not name the slug: %v", err)
	}
	sameModel := registry.Product{ID: ids.New(), Slug: "cam-2", Name: "X", ModelDesignation: "MD-cam-1", Category: "c", CreatedAt: t0, UpdatedAt: t0}
	err = os.CreateProduct(ctx(), &sameModel)
	wantKind(t, err, errs.Conflict, "duplicate model designation")
	if !strings.Contains(err.Error(), "model designation") {
		t.Fatalf("duplicate model error does not name the model designation: %v", err)
	}

	for _, key := range []string{"cam-1", p.ID} {
		got, err := os.Product(ctx(), key)
		must(t, err, "Product("+key+")")
		if got.ID != p.ID || got.OrgID != a.ID || got.ModelDesignation != "MD-cam-1" || got.Published || got.SupportEnd != nil {
			t.Fatalf("Product(%s) = %+v", key, got)
		}
	}
	_, err = os.Product(ctx(), "nope")
	wantKind(t, err, errs.NotFound, "unknown product")

	p.Name, p.Description, p.Published, p.UpdatedAt = "Camera One", "Indoor camera", true, t0.Add(time.Hour)
	must(t, os.UpdateProduct(ctx(), p), "UpdateProduct")
	got, _ := os.Product(ctx(), p.ID)
	if got.Name != "Camera One" || got.Description != "Indoor camera" || !got.Published || !got.UpdatedAt.Equal(t0.Add(time.Hour)) || !got.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("after UpdateProduct: %+v", got)
	}
	other := mustProduct(t, os, "plug")
	other.ModelDesignation = "MD-cam-1"
	wantKind(t, os.UpdateProduct(ctx(), other), errs.Conflict, "update to a duplicate model designation")

	l, err := os.Products(ctx(), store.ProductFilter{Query: "one"}, store.Page{})
	must(t, err, "Products(query)")
	if len(l.Items) != 1 || l.Items[0].ID != p.ID {
		t.Fatalf("Products(query one) = %+v", l.Items)
	}
	l, _ = os.Products(ctx(), store.ProductFilter{Query: "md-PLUG"}, store.Page{})
	if len(l.Items) != 1 || l.Items[0].Slug != "plug" {
		t.Fatalf("Products(query by model, any case) = %+v", l.Items)
	}
	l, _ = os.Products(ctx(), store.ProductFilter{Query: "%"}, store.Page{})
	if len(l.Items) != 0 {
		t.Fatalf("Products(query %%) matched %d; LIKE wildcards must be escaped", len(l.Items))
	}
	l, _ = os.Products(ctx(), store.ProductFilter{Published: ptr(false)}, store.Page{})
	if len(l.Items) != 1 || l.Items[0].Slug != "plug" {
		t.Fatalf("Products(unpublished) = %+v", l.Items)
	}
}

func testProductPagination(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	var want []string
	for i := 0; i < 23; i++ {
		// Names repeat so that the ID must break ties.
		p := registry.Product{ID: ids.New(), Slug: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("Name %d", i%5), ModelDesignation: fmt.Sprintf("M%02d", i), Category: "c", CreatedAt: t0, UpdatedAt: t0}
		must(t, os.CreateProduct(ctx(), &p), "CreateProduct")
	}
	all, err := os.Products(ctx(), store.ProductFilter{}, store.Page{Limit: 1000})
	must(t, err, "Products(all)")
	for _, p := range all.Items {
		want = append(want, p.ID)
	}
	var got []string
	pg := store.Page{Limit: 4}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		l, err := os.Products(ctx(), store.ProductFilter{}, pg)
		must(t, err, "Products page")
		for _, p := range l.Items {
			got = append(got, p.ID)
		}
		if l.Next == "" {
			break
		}
		pg.Cursor = l.Next
	}
	if join(got) != join(want) || len(got) != 23 {
		t.Fatalf("paged products (%d) differ from one full list (%d)", len(got), len(want))
	}
	for i := 1; i < len(all.Items); i++ {
		if all.Items[i-1].Name > all.Items[i].Name {
			t.Fatalf("products not ordered by name: %q before %q", all.Items[i-1].Name, all.Items[i].Name)
		}
	}
}

func testProductDelete(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "draft")
	mustRevision(t, os, p.ID, "A")
	mustRelease(t, os, p.ID, "1.0", t0)
	_, err := os.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "SN1", HardwareRevision: "A", InstalledVersion: "1.0", UpdatedAt: t0})
	must(t, err, "UpsertDevice")
	must(t, os.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: p.ID, Kind: supportperiod.Declared, End: supportperiod.MustParseEndDate("2030-01"), ActorLabel: "x", At: t0}), "RecordSupportChange")
	must(t, os.DeleteProduct(ctx(), p.ID), "DeleteProduct(never published)")
	_, err = os.Product(ctx(), p.ID)
	wantKind(t, err, errs.NotFound, "deleted product")
	wantKind(t, os.DeleteProduct(ctx(), p.ID), errs.NotFound, "delete twice")

	pub := mustProduct(t, os, "public")
	pub.Published = true
	must(t, os.UpdateProduct(ctx(), pub), "publish")
	pub.Published = false
	must(t, os.UpdateProduct(ctx(), pub), "unpublish")
	wantKind(t, os.DeleteProduct(ctx(), pub.ID), errs.Conflict, "delete a once-published product")
}

func testSupportPeriod(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam")
	steps := []supportperiod.Change{
		{Kind: supportperiod.Declared, End: supportperiod.MustParseEndDate("2030-06")},
		{Kind: supportperiod.Extended, End: supportperiod.MustParseEndDate("2031-06-30"), Published: true},
		{Kind: supportperiod.Shortened, End: supportperiod.MustParseEndDate("2029-12"), Forced: true, Reason: "chip EOL", Published: true},
		{Kind: supportperiod.Extended, End: supportperiod.MustParseEndDate("2032-01"), Published: true},
	}
	var prev *supportperiod.EndDate
	for i := range steps {
		c := steps[i]
		c.ProductID, c.PreviousEnd, c.ActorID, c.ActorLabel, c.At = p.ID, prev, "u1", "ada@example.com", t0.Add(time.Duration(i)*time.Hour)
		must(t, os.RecordSupportChange(ctx(), &c), "RecordSupportChange")
		end := c.End
		prev = &end
		got, _ := os.Product(ctx(), p.ID)
		if got.SupportEnd == nil || got.SupportEnd.String() != c.End.String() {
			t.Fatalf("step %d: SupportEnd = %v, want %v", i, got.SupportEnd, c.End)
		}
		if wantShort := i >= 2; got.SupportShortened != wantShort {
			t.Fatalf("step %d: SupportShortened = %v, want %v (it must stay set once shortened)", i, got.SupportShortened, wantShort)
		}
	}
	h, err := os.SupportHistory(ctx(), p.ID)
	must(t, err, "SupportHistory")
	if len(h) != 4 {
		t.Fatalf("history has %d entries, want 4", len(h))
	}
	if h[0].Kind != supportperiod.Declared || h[0].PreviousEnd != nil || h[2].Kind != supportperiod.Shortened || !h[2].Forced ||
		h[2].Reason != "chip EOL" || h[2].PreviousEnd.String() != "2031-06-30" || h[3].End.String() != "2032-01" ||
		h[1].ActorLabel != "ada@example.com" || h[1].ActorID != "u1" || !h[1].At.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)) {
		t.Fatalf("history = %+v", h)
	}
	wantKind(t, os.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: ids.New(), Kind: supportperiod.Declared, End: supportperiod.MustParseEndDate("2030-01"), ActorLabel: "x", At: t0}), errs.NotFound, "change for unknown product")
}

func testHardwareRevisions(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam")
	mustRevision(t, os, p.ID, "rev-B")
	mustRevision(t, os, p.ID, "rev-A")
	dup := registry.HardwareRevision{ID: ids.New(), ProductID: p.ID, Name: "rev-A", CreatedAt: t0}
	wantKind(t, os.CreateHardwareRevision(ctx(), &dup), errs.Conflict, "duplicate revision")
	wrong := registry.HardwareRevision{ID: ids.New(), ProductID: ids.New(), Name: "x", CreatedAt: t0}
	wantKind(t, os.CreateHardwareRevision(ctx(), &wrong), errs.NotFound, "revision of unknown product")
	hs, err := os.HardwareRevisions(ctx(), p.ID)
	must(t, err, "HardwareRevisions")
	if len(hs) != 2 || hs[0].Name != "rev-A" || hs[1].Name != "rev-B" {
		t.Fatalf("HardwareRevisions = %+v", hs)
	}
	_, err = os.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "SN1", HardwareRevision: "rev-A", UpdatedAt: t0})
	must(t, err, "UpsertDevice")
	wantKind(t, os.DeleteHardwareRevision(ctx(), p.ID, "rev-A"), errs.Conflict, "delete a revision in use")
	must(t, os.DeleteHardwareRevision(ctx(), p.ID, "rev-B"), "DeleteHardwareRevision")
	wantKind(t, os.DeleteHardwareRevision(ctx(), p.ID, "rev-B"), errs.NotFound, "delete twice")
}

func testReleases(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam")
	var versions []string
	for i := 0; i < 7; i++ {
		v := fmt.Sprintf("1.%d.0", i)
		mustRelease(t, os, p.ID, v, t0.AddDate(0, i, 0))
		versions = append([]string{v}, versions...) // newest first
	}
	mustRelease(t, os, p.ID, "1.6.0-same-day", t0.AddDate(0, 6, 0))
	dup := registry.Release{ID: ids.New(), ProductID: p.ID, Version: "1.0.0", ReleasedAt: t0, CreatedAt: t0}
	wantKind(t, os.CreateRelease(ctx(), &dup), errs.Conflict, "duplicate version")
	wrong := registry.Release{ID: ids.New(), ProductID: ids.New(), Version: "9", ReleasedAt: t0, CreatedAt: t0}
	wantKind(t, os.CreateRelease(ctx(), &wrong), errs.NotFound, "release of unknown product")

	var got []string
	pg := store.Page{Limit: 3}
	for {
		l, err := os.Releases(ctx(), p.ID, pg)
		must(t, err, "Releases")
		for _, r := range l.Items {
			got = append(got, r.Version)
		}
		if l.Next == "" {
			break
		}
		pg.Cursor = l.Next
	}
	if len(got) != 8 || got[2] != "1.5.0" || got[7] != "1.0.0" || !strings.HasPrefix(got[0], "1.6.0") || !strings.HasPrefix(got[1], "1.6.0") {
		t.Fatalf("releases newest first, paged = %v", got)
	}

	r, err := os.Release(ctx(), p.ID, "1.2.0")
	must(t, err, "Release")
	r.Notes, r.ReleasedAt = "fixes CVE-2024-0001", t0.AddDate(1, 0, 0)
	must(t, os.UpdateRelease(ctx(), r), "UpdateRelease")
	r2, _ := os.Release(ctx(), p.ID, "1.2.0")
	if r2.Notes != "fixes CVE-2024-0001" || !r2.ReleasedAt.Equal(t0.AddDate(1, 0, 0).Truncate(time.Microsecond)) {
		t.Fatalf("after UpdateRelease: %+v", r2)
	}
	_, err = os.Release(ctx(), p.ID, "9.9")
	wantKind(t, err, errs.NotFound, "unknown release")

	_, err = os.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "SN1", InstalledVersion: "1.2.0", UpdatedAt: t0})
	must(t, err, "UpsertDevice")
	wantKind(t, os.DeleteRelease(ctx(), p.ID, "1.2.0"), errs.Conflict, "delete an installed release")
	must(t, os.DeleteRelease(ctx(), p.ID, "1.3.0"), "DeleteRelease")
	wantKind(t, os.DeleteRelease(ctx(), p.ID, "1.3.0"), errs.NotFound, "delete twice")
}
