// Package storetest is the storage contract suite: one set of tests that
// every store.Store implementation must pass. Each adapter's own tests call
// Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Opener returns a new, empty store that is closed when the test ends.
type Opener func(t *testing.T) store.Store

// Run runs the whole contract suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Organisations", testOrganisations},
		{"Users", testUsers},
		{"Members", testMembers},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"Settings", testSettings},
		{"Products", testProducts},
		{"ProductPagination", testProductPagination},
		{"ProductDelete", testProductDelete},
		{"SupportPeriod", testSupportPeriod},
		{"HardwareRevisions", testHardwareRevisions},
		{"Releases", testReleases},
		{"ReleaseImages", testReleaseImages},
		{"ReleaseSBOM", testReleaseSBOM},
		{"TUFRepository", testTUFRepository},
		{"Enrolment", testEnrolment},
		{"Rollouts", testRollouts},
		{"DeviceUpsert", testDeviceUpsert},
		{"DeviceList", testDeviceList},
		{"DeviceImport", testDeviceImport},
		{"Audit", testAudit},
		{"Transactions", testTransactions},
		{"TenantIsolation", testTenantIsolation},
		{"Public", testPublic},
		{"Summary", testSummary},
		{"Advisories", testAdvisories},
		{"Findings", testFindings},
		{"Notifications", testNotifications},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// t0 is the time the suite's clock starts at.
var t0 = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func ctx() context.Context { return context.Background() }

func mustOrg(t *testing.T, s store.Store, slug string) access.Organisation {
	t.Helper()
	o := access.Organisation{ID: ids.New(), Slug: slug, Name: "Org " + slug, Kind: access.Manufacturer, CreatedAt: t0}
	if err := s.Directory().CreateOrganisation(ctx(), &o); err != nil {
		t.Fatalf("CreateOrganisation(%s): %v", slug, err)
	}
	return o
}

func mustUser(t *testing.T, s store.Store, email string) access.User {
	t.Helper()
	u := access.User{ID: ids.New(), Email: email, Name: "User " + email, PasswordHash: "x", CreatedAt: t0}
	if err := s.Directory().CreateUser(ctx(), &u); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func mustProduct(t *testing.T, os store.OrgStore, slug string) registry.Product {
	t.Helper()
	p := registry.Product{ID: ids.New(), Slug: slug, Name: "Product " + slug, ModelDesignation: "MD-" + slug, Category: "Camera", CreatedAt: t0, UpdatedAt: t0}
	if err := os.CreateProduct(ctx(), &p); err != nil {
		t.Fatalf("CreateProduct(%s): %v", slug, err)
	}
	return p
}

func mustRelease(t *testing.T, os store.OrgStore, productID, version string, at time.Time) registry.Release {
	t.Helper()
	r := registry.Release{ID: ids.New(), ProductID: productID, Version: version, ReleasedAt: at, CreatedAt: at}
	if err := os.CreateRelease(ctx(), &r); err != nil {
		t.Fatalf("CreateRelease(%s): %v", version, err)
	}
	return r
}

func mustRevision(t *testing.T, os store.OrgStore, productID, name string) registry.HardwareRevision {
	t.Helper()
	h := registry.HardwareRevision{ID: ids.New(), ProductID: productID, Name: name, CreatedAt: t0}
	if err := os.CreateHardwareRevision(ctx(), &h); err != nil {
		t.Fatalf("CreateHardwareRevision(%s): %v", name, err)
	}
	return h
}

// wantKind fails unless err is an errs.Error of the given kind.
func wantKind(t *testing.T, err error, kind errs.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %v", what, kind)
	}
	if got := errs.KindOf(err); got != kind {
		t.Fatalf("%s: got error %v (kind %v), want kind %v", what, err, got, kind)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func ptr[T any](v T) *T { return &v }

var errBoom = errors.New("boom")

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
