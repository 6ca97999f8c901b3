package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*service.Service, *clock.Fake) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(t0)
	return service.New(st, clk, nil, service.Limits{}), clk
}

func wantKind(t *testing.T, err error, kind errs.Kind) {
	t.Helper()
	if errs.KindOf(err) != kind || err == nil {
		t.Fatalf("got %v, want kind %v", err, kind)
	}
}

func TestSetup(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	pending, err := svc.SetupPending(ctx)
	if err != nil || !pending {
		t.Fatalf("SetupPending on a new instance = %v, %v", pending, err)
	}
	old, err := svc.NewSetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := svc.NewSetupToken(ctx) // a restart replaces the link
	in := service.SetupInput{OrgName: "Acme Devices", OrgKind: access.Manufacturer, Email: "Ada@Acme.example", Name: "Ada", Password: "a long enough password"}

	_, _, err = svc.CompleteSetup(ctx, old, in, "127.0.0.1")
	wantKind(t, err, errs.Unauthenticated)
	bad := in
	bad.Password, bad.Email = "short", "not-an-email"
	_, _, err = svc.CompleteSetup(ctx, token, bad, "127.0.0.1")
	if e := errs.Public(err); e.Kind != errs.Invalid || len(e.Fields) != 2 {
		t.Fatalf("bad setup input: %+v", e)
	}
	user, org, err := svc.CompleteSetup(ctx, token, in, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if org.Slug != "acme-devices" || user.Email != "ada@acme.example" || !user.SiteAdmin {
		t.Fatalf("setup made %+v %+v", user, org)
	}
	_, _, err = svc.CompleteSetup(ctx, token, in, "127.0.0.1")
	wantKind(t, err, errs.Unauthenticated) // the link works once
	_, err = svc.NewSetupToken(ctx)
	wantKind(t, err, errs.Conflict)

	secret, err := svc.Login(ctx, "ADA@acme.example", in.Password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := svc.Session(ctx, secret, "127.0.0.1")
	if err != nil || p.OrgID != org.ID || p.Role != access.Owner || !p.SiteAdmin {
		t.Fatalf("session principal %+v, %v", p, err)
	}
	l, _ := svc.SiteAudit(ctx, p, audit.Filter{Action: "site.setup"}, store.Page{})
	if len(l.Items) != 1 || l.Items[0].Source != "127.0.0.1" {
		t.Fatalf("setup not audited: %+v", l.Items)
	}
}

func TestLoginAndSessions(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService(t)
	sys := access.System("test")
	org, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.AddMember(ctx, sys.InOrg(org.ID), service.NewMember{Email: "ada@acme.example", Name: "Ada", Role: access.Maintainer, Password: "the right password"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Login(ctx, "ada@acme.example", "the wrong password", "192.0.2.1")
	if e := errs.Public(err); e.PublicCode() != "bad_login" {
		t.Fatalf("wrong password: %v", err)
	}
	_, err = svc.Login(ctx, "nobody@acme.example", "the right password", "192.0.2.1")
	if e := errs.Public(err); e.PublicCode() != "bad_login" {
		t.Fatalf("unknown user must look like a wrong password: %v", err)
	}
	l, _ := svc.Audit(ctx, sys.InOrg(org.ID), audit.Filter{}, store.Page{})
	_ = l

	secret, err := svc.Login(ctx, "ada@acme.example", "the right password", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Session(ctx, secret, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(access.SessionIdleTimeout + time.Minute)
	_, _, err = svc.Session(ctx, secret, "192.0.2.1")
	wantKind(t, err, errs.Unauthenticated)

	secret, _ = svc.Login(ctx, "ada@acme.example", "the right password", "192.0.2.1")
	if err := svc.Logout(ctx, secret); err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.Session(ctx, secret, "192.0.2.1")
	wantKind(t, err, errs.Unauthenticated)

	// Throttling: after ten failures from one place, even the right password is refused for a while.
	for i := 0; i < 10; i++ {
		_, _ = svc.Login(ctx, "ada@acme.example", "guess", "198.51.100.7")
	}
	_, err = svc.Login(ctx, "ada@acme.example", "the right password", "198.51.100.7")
	if e := errs.Public(err); e.PublicCode() != "login_throttled" {
		t.Fatalf("11th attempt: %v", err)
	}
	if _, err := svc.Login(ctx, "ada@acme.example", "the right password", "192.0.2.1"); err != nil {
		t.Fatalf("another source is throttled too: %v", err)
	}
	clk.Advance(16 * time.Minute)
	if _, err := svc.Login(ctx, "ada@acme.example", "the right password", "198.51.100.7"); err != nil {
		t.Fatalf("throttle did not lift: %v", err)
	}

	// Disabling a user ends their sessions.
	secret, _ = svc.Login(ctx, "ada@acme.example", "the right password", "192.0.2.1")
	yes := true
	if _, err := svc.UpdateUser(ctx, sys, "ada@acme.example", service.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.Session(ctx, secret, "192.0.2.1")
	wantKind(t, err, errs.Unauthenticated)
	_, err = svc.Login(ctx, "ada@acme.example", "the right password", "192.0.2.1")
	wantKind(t, err, errs.Unauthenticated)
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	sys := access.System("test")
	org, _ := svc.CreateOrganisation(ctx, sys, access.Organisation{Name: "Acme", Kind: access.Manufacturer})
	p := sys.InOrg(org.ID)
	owner, pw, err := svc.AddMember(ctx, p, service.NewMember{Email: "owner@acme.example", Name: "O", Role: access.Owner})
	if err != nil || pw == "" || len(pw) < access.MinPasswordLen {
		t.Fatalf("AddMember without a password: %v, generated %q", err, pw)
	}
	_, _, err = svc.AddMember(ctx, p, service.NewMember{Email: "owner@acme.example", Role: access.Viewer})
	wantKind(t, err, errs.Conflict)
	_, _, err = svc.AddMember(ctx, p, service.NewMember{Email: "x@acme.example", Name: "X", Role: "god"})
	wantKind(t, err, errs.Invalid)
	_, err = svc.SetMemberRole(ctx, p, owner.User.Email, access.Viewer)
	wantKind(t, err, errs.Conflict) // last owner
	wantKind(t, svc.RemoveMember(ctx, p, owner.User.ID), errs.Conflict)
	_, _, err = svc.AddMember(ctx, p, service.NewMember{Email: "second@acme.example", Name: "S", Role: access.Owner, Password: "another long password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetMemberRole(ctx, p, "OWNER@acme.example", access.Viewer); err != nil {
		t.Fatalf("demoting one of two owners: %v", err)
	}
	if err := svc.RemoveMember(ctx, p, "owner@acme.example"); err != nil {
		t.Fatal(err)
	}
	ms, _ := svc.Members(ctx, p)
	if len(ms) != 1 || !strings.HasPrefix(ms[0].User.Email, "second") {
		t.Fatalf("members = %+v", ms)
	}
	l, _ := svc.Audit(ctx, p, audit.Filter{Action: "member."}, store.Page{})
	if len(l.Items) != 4 {
		t.Fatalf("%d member events audited, want 4", len(l.Items))
	}
}
