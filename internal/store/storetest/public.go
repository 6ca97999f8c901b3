package storetest

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

func testPublic(t *testing.T, s store.Store) {
	acme, bolt := mustOrg(t, s, "acme"), mustOrg(t, s, "bolt")
	mustOrg(t, s, "empty")
	a, b := s.Org(acme.ID), s.Org(bolt.ID)
	cam := mustProduct(t, a, "cam")
	mustProduct(t, a, "hidden")
	plug := mustProduct(t, b, "plug")
	change := func(os store.OrgStore, productID, end string, kind supportperiod.ChangeKind, published bool, at time.Time) {
		must(t, os.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: productID, Kind: kind, End: supportperiod.MustParseEndDate(end), Published: published, ActorLabel: "x", At: at}), "RecordSupportChange")
	}
	change(a, cam.ID, "2027-01", supportperiod.Declared, false, t0)
	change(a, cam.ID, "2028-01", supportperiod.Corrected, false, t0.Add(time.Minute))
	for _, p := range []struct {
		os store.OrgStore
		id string
	}{{a, cam.ID}, {b, plug.ID}} {
		got, _ := p.os.Product(ctx(), p.id)
		got.Published = true
		must(t, p.os.UpdateProduct(ctx(), got), "publish")
	}
	change(a, cam.ID, "2030-01", supportperiod.Extended, true, t0.Add(time.Hour))

	pub := s.Public()
	l, err := pub.Products(ctx(), store.PublicFilter{}, store.Page{})
	must(t, err, "Public.Products")
	if len(l.Items) != 2 {
		t.Fatalf("Public.Products = %d products, want 2 (unpublished must not show)", len(l.Items))
	}
	l, _ = pub.Products(ctx(), store.PublicFilter{OrgSlug: "acme"}, store.Page{})
	if len(l.Items) != 1 || l.Items[0].Product.Slug != "cam" || l.Items[0].Manufacturer.Name != acme.Name || l.Items[0].Product.SupportEnd.String() != "2030-01" {
		t.Fatalf("Public.Products(acme) = %+v", l.Items)
	}
	l, _ = pub.Products(ctx(), store.PublicFilter{Query: "md-PLUG"}, store.Page{})
	if len(l.Items) != 1 || l.Items[0].Product.Slug != "plug" {
		t.Fatalf("Public.Products(query) = %+v", l.Items)
	}
	l, _ = pub.Products(ctx(), store.PublicFilter{Query: "hidden"}, store.Page{})
	if len(l.Items) != 0 {
		t.Fatal("search finds an unpublished product")
	}
	p1, _ := pub.Products(ctx(), store.PublicFilter{}, store.Page{Limit: 1})
	p2, _ := pub.Products(ctx(), store.PublicFilter{}, store.Page{Limit: 1, Cursor: p1.Next})
	if len(p1.Items) != 1 || len(p2.Items) != 1 || p2.Next != "" || p1.Items[0].Product.ID == p2.Items[0].Product.ID {
		t.Fatal("public product pagination is wrong")
	}

	pp, err := pub.Product(ctx(), "acme", "cam")
	must(t, err, "Public.Product")
	if pp.Product.ID != cam.ID || pp.Manufacturer.Slug != "acme" {
		t.Fatalf("Public.Product = %+v", pp)
	}
	for _, key := range [][2]string{{"acme", "hidden"}, {"bolt", "cam"}, {"acme", "nope"}} {
		_, err := pub.Product(ctx(), key[0], key[1])
		wantKind(t, err, errs.NotFound, "Public.Product("+key[0]+"/"+key[1]+")")
	}
	h, err := pub.SupportHistory(ctx(), cam.ID)
	must(t, err, "Public.SupportHistory")
	if len(h) != 2 || h[0].End.String() != "2028-01" || h[1].Kind != supportperiod.Extended {
		t.Fatalf("public history = %+v; want the period in force at publication and the later extension", h)
	}

	ms, err := pub.Manufacturers(ctx())
	must(t, err, "Manufacturers")
	if len(ms) != 2 || ms[0].Slug != "acme" || ms[0].Products != 1 {
		t.Fatalf("Manufacturers = %+v", ms)
	}
	m, err := pub.Manufacturer(ctx(), "bolt")
	must(t, err, "Manufacturer")
	if m.Products != 1 || m.Name != bolt.Name {
		t.Fatalf("Manufacturer = %+v", m)
	}
	_, err = pub.Manufacturer(ctx(), "empty")
	wantKind(t, err, errs.NotFound, "manufacturer with nothing published")
}

func testSummary(t *testing.T, s store.Store) {
	o := mustOrg(t, s, "acme")
	os := s.Org(o.ID)
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	ends := map[string]string{"ok": "2030-01", "soon": "2026-12", "gone": "2025-05-31", "none": ""}
	for slug, end := range ends {
		p := mustProduct(t, os, slug)
		if end != "" {
			must(t, os.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: p.ID, Kind: supportperiod.Declared, End: supportperiod.MustParseEndDate(end), ActorLabel: "x", At: t0}), "RecordSupportChange")
		}
		mustRelease(t, os, p.ID, "1", t0)
		for _, serial := range []string{"a", "b"} {
			d := deviceOf(p.ID, serial)
			_, err := os.UpsertDevice(ctx(), &d)
			must(t, err, "UpsertDevice")
		}
	}
	sum, err := os.Summary(ctx(), now)
	must(t, err, "Summary")
	if sum.Products != 4 || sum.Releases != 4 || sum.Devices != 8 || sum.DevicesOutOfSupport != 2 ||
		sum.BySupportStatus[supportperiod.Supported] != 1 || sum.BySupportStatus[supportperiod.EndingSoon] != 1 ||
		sum.BySupportStatus[supportperiod.Ended] != 1 || sum.BySupportStatus[supportperiod.NotDeclared] != 1 {
		t.Fatalf("Summary = %+v", sum)
	}
}
