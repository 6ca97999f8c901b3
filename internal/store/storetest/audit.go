package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testAudit(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	actions := []string{"product.create", "product.update", "release.create", "product.delete", "device.import"}
	for i, act := range actions {
		e := audit.Event{At: t0.Add(time.Duration(i) * time.Minute), ActorID: "u1", ActorLabel: "ada@example.com", ActorKind: "session",
			Source: "192.0.2.1", Action: act, TargetType: "product", TargetID: fmt.Sprint(i), Summary: act,
			Details: json.RawMessage(`{"n":` + fmt.Sprint(i) + `}`)}
		must(t, os.AppendAudit(ctx(), &e), "AppendAudit")
	}
	must(t, s.Directory().AppendSiteAudit(ctx(), &audit.Event{At: t0, ActorLabel: "system", ActorKind: "system", Action: "organisation.create"}), "AppendSiteAudit")

	l, err := os.Audit(ctx(), audit.Filter{}, store.Page{})
	must(t, err, "Audit")
	if len(l.Items) != 5 || l.Items[0].Action != "device.import" || l.Items[4].Action != "product.create" {
		t.Fatalf("Audit newest first = %+v", l.Items)
	}
	e := l.Items[0]
	var details map[string]int
	if e.OrgID != a.ID || e.Source != "192.0.2.1" || e.ActorLabel != "ada@example.com" || json.Unmarshal(e.Details, &details) != nil || details["n"] != 4 || !e.At.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("audit event = %+v", e)
	}
	cases := []struct {
		f    audit.Filter
		want int
	}{
		{audit.Filter{Action: "product."}, 3},
		{audit.Filter{Action: "product.update"}, 1},
		{audit.Filter{Action: "product"}, 0},
		{audit.Filter{ActorLabel: "ada@example.com"}, 5},
		{audit.Filter{TargetID: "2"}, 1},
		{audit.Filter{Since: t0.Add(2 * time.Minute)}, 3},
		{audit.Filter{Until: t0.Add(2 * time.Minute)}, 2},
	}
	for _, tc := range cases {
		l, err := os.Audit(ctx(), tc.f, store.Page{})
		must(t, err, "Audit filtered")
		if len(l.Items) != tc.want {
			t.Errorf("Audit(%+v) = %d events, want %d", tc.f, len(l.Items), tc.want)
		}
	}
	p1, _ := os.Audit(ctx(), audit.Filter{}, store.Page{Limit: 2})
	p2, _ := os.Audit(ctx(), audit.Filter{}, store.Page{Limit: 2, Cursor: p1.Next})
	p3, _ := os.Audit(ctx(), audit.Filter{}, store.Page{Limit: 2, Cursor: p2.Next})
	if len(p1.Items) != 2 || len(p2.Items) != 2 || len(p3.Items) != 1 || p3.Next != "" || p2.Items[0].Action != "release.create" {
		t.Fatalf("audit pages: %d %d %d", len(p1.Items), len(p2.Items), len(p3.Items))
	}
	site, err := s.Directory().SiteAudit(ctx(), audit.Filter{}, store.Page{})
	must(t, err, "SiteAudit")
	if len(site.Items) != 1 || site.Items[0].Action != "organisation.create" {
		t.Fatalf("SiteAudit = %+v", site.Items)
	}
}

func testTransactions(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	err := s.Tx(ctx(), func(q store.Queries) error {
		os := q.Org(a.ID)
		p := registry.Product{ID: ids.New(), Slug: "rolled-back", Name: "R", ModelDesignation: "R1", Category: "c", CreatedAt: t0, UpdatedAt: t0}
		if err := os.CreateProduct(ctx(), &p); err != nil {
			return err
		}
		if err := os.AppendAudit(ctx(), &audit.Event{At: t0, ActorLabel: "x", ActorKind: "system", Action: "product.create"}); err != nil {
			return err
		}
		// Reads inside the transaction see its own writes.
		if _, err := os.Product(ctx(), "rolled-back"); err != nil {
			return err
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Tx returned %v, want the function's error", err)
	}
	_, err = s.Org(a.ID).Product(ctx(), "rolled-back")
	wantKind(t, err, errs.NotFound, "product written in a rolled-back transaction")
	if l, _ := s.Org(a.ID).Audit(ctx(), audit.Filter{}, store.Page{}); len(l.Items) != 0 {
		t.Fatal("audit event written in a rolled-back transaction")
	}

	must(t, s.Tx(ctx(), func(q store.Queries) error {
		p := registry.Product{ID: ids.New(), Slug: "kept", Name: "K", ModelDesignation: "K1", Category: "c", CreatedAt: t0, UpdatedAt: t0}
		return q.Org(a.ID).CreateProduct(ctx(), &p)
	}), "Tx commit")
	if _, err := s.Org(a.ID).Product(ctx(), "kept"); err != nil {
		t.Fatalf("committed product: %v", err)
	}

	// A constraint failure inside a transaction comes back translated.
	err = s.Tx(ctx(), func(q store.Queries) error {
		p := registry.Product{ID: ids.New(), Slug: "kept", Name: "K", ModelDesignation: "K2", Category: "c", CreatedAt: t0, UpdatedAt: t0}
		return q.Org(a.ID).CreateProduct(ctx(), &p)
	})
	wantKind(t, err, errs.Conflict, "duplicate inside a transaction")
}
