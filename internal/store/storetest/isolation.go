package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// testTenantIsolation gives organisation A one of everything and checks that
// every OrgStore method of organisation B, pointed at A's things, finds
// nothing and changes nothing. It fails when OrgStore gains a method this
// test does not exercise.
func testTenantIsolation(t *testing.T, s store.Store) {
	orgA, orgB := mustOrg(t, s, "alpha"), mustOrg(t, s, "beta")
	a, b := s.Org(orgA.ID), s.Org(orgB.ID)
	user := mustUser(t, s, "ada@example.com")
	must(t, a.PutMember(ctx(), user.ID, access.Owner, t0), "PutMember")
	tok := access.Token{ID: ids.New(), UserID: user.ID, Name: "t", Scopes: []access.Scope{access.ScopeRead}, SecretHash: []byte("h"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	must(t, a.CreateToken(ctx(), &tok), "CreateToken")
	p := mustProduct(t, a, "secret-cam")
	mustRevision(t, a, p.ID, "A")
	rel := mustRelease(t, a, p.ID, "1.0", t0)
	_, err := a.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "SN1", HardwareRevision: "A", InstalledVersion: "1.0", UpdatedAt: t0})
	must(t, err, "UpsertDevice")
	must(t, a.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: p.ID, Kind: supportperiod.Declared, End: supportperiod.MustParseEndDate("2030-01"), ActorLabel: "x", At: t0}), "RecordSupportChange")
	must(t, a.AppendAudit(ctx(), &audit.Event{At: t0, ActorLabel: "x", ActorKind: "system", Action: "product.create"}), "AppendAudit")
	must(t, a.SetReleaseImage(ctx(), rel.ID, registry.Image{FileName: "a.bin", BlobKey: "ka", UploadedAt: t0}), "SetReleaseImage")
	must(t, a.SetReleaseSBOM(ctx(), store.ReleaseSBOM{ReleaseID: rel.ID, ProductID: p.ID, Format: "a", Document: []byte("{}"), UploadedAt: t0}), "SetReleaseSBOM")
	must(t, a.SetReleaseSigned(ctx(), rel.ID, &t0, []byte("{}")), "SetReleaseSigned")
	must(t, a.CreateTUFKey(ctx(), &store.TUFKey{ID: ids.New(), ProductID: p.ID, Role: "timestamp", KeyID: "ka", PublicKey: []byte("{}"), Sealed: []byte{1}, CreatedAt: t0}), "CreateTUFKey")
	must(t, a.PutTUFRepository(ctx(), store.TUFRepository{ProductID: p.ID, RootVersion: 1, RootExpires: t0, RefreshAt: t0, CreatedAt: t0, UpdatedAt: t0}), "PutTUFRepository")
	must(t, a.AddTUFMetadata(ctx(), p.ID, []store.TUFMetadata{{Role: "timestamp", Version: 1, Expires: t0, Body: []byte("a"), CreatedAt: t0}}), "AddTUFMetadata")
	enrol := registry.EnrolmentToken{ID: ids.New(), ProductID: p.ID, Name: "a", SecretHash: []byte("h"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	must(t, a.CreateEnrolmentToken(ctx(), &enrol), "CreateEnrolmentToken")
	ro := rollout.Rollout{ProductID: p.ID, ReleaseID: rel.ID, Version: "1.0", Target: "1.0/a.bin", Phases: []float64{100}, State: rollout.Active, PhaseStartedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	must(t, a.CreateRollout(ctx(), &ro), "CreateRollout")

	comp := store.ReleaseComponent{Index: 0, Identity: "pkg:generic/busybox", Name: "busybox", Version: "1.35.0", Keys: []string{"cpep:busybox"}}
	must(t, a.SetReleaseComponents(ctx(), p.ID, rel.ID, []store.ReleaseComponent{comp}), "SetReleaseComponents")
	finding := store.Finding{ReleaseID: rel.ID, ProductID: p.ID, VulnID: "CVE-2022-48174", Identity: comp.Identity, Component: "busybox 1.35.0", Status: store.FindingOpen}
	_, err = a.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{rel.ID}}, []store.Finding{finding}, t0)
	must(t, err, "SyncFindings")
	must(t, a.PutVEXDocument(ctx(), store.VEXDocument{ID: ids.New(), Name: "a", Format: "openvex", Document: []byte("[]"), UploadedAt: t0}), "PutVEXDocument")

	target := store.NotificationTarget{ID: ids.New(), Kind: "webhook", Name: "a", URL: "https://a.example/hook", CreatedAt: t0}
	must(t, a.CreateNotificationTarget(ctx(), target), "CreateNotificationTarget")
	must(t, a.EnqueueNotifications(ctx(), []store.Notification{{ID: ids.New(), TargetID: target.ID, Event: "x", Payload: []byte("{}"), NextAttemptAt: t0, CreatedAt: t0}}), "EnqueueNotifications")

	covered := map[string]bool{}
	notFound := func(method string, err error) {
		t.Helper()
		covered[method] = true
		wantKind(t, err, errs.NotFound, "B."+method+" on A's data")
	}
	empty := func(method string, n int, err error) {
		t.Helper()
		covered[method] = true
		must(t, err, "B."+method)
		if n != 0 {
			t.Fatalf("B.%s sees %d of A's items", method, n)
		}
	}
	o, err := b.Organisation(ctx())
	covered["Organisation"] = true
	if err != nil || o.ID != orgB.ID {
		t.Fatalf("B.Organisation = %+v, %v", o, err)
	}
	o.Name = "renamed"
	covered["UpdateOrganisation"] = true
	must(t, b.UpdateOrganisation(ctx(), o), "B.UpdateOrganisation")
	if got, _ := a.Organisation(ctx()); got.Name != orgA.Name {
		t.Fatal("B.UpdateOrganisation renamed A")
	}

	ms, err := b.Members(ctx())
	empty("Members", len(ms), err)
	_, err = b.Member(ctx(), user.ID)
	notFound("Member", err)
	notFound("RemoveMember", b.RemoveMember(ctx(), user.ID, t0))
	covered["PutMember"] = true // adding a user to B is allowed; it must not touch A
	must(t, b.PutMember(ctx(), user.ID, access.Viewer, t0), "B.PutMember")
	if m, _ := a.Member(ctx(), user.ID); m.Role != access.Owner {
		t.Fatal("B.PutMember changed the role in A")
	}

	ts, err := b.Tokens(ctx(), "")
	empty("Tokens", len(ts), err)
	_, err = b.RevokeToken(ctx(), tok.ID, t0)
	notFound("RevokeToken", err)
	if got, _ := s.Directory().Token(ctx(), tok.ID); got.RevokedAt != nil {
		t.Fatal("B revoked A's token")
	}
	covered["CreateToken"] = true
	btok := access.Token{ID: ids.New(), UserID: user.ID, Name: "b", Scopes: []access.Scope{access.ScopeRead}, SecretHash: []byte("h"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	must(t, b.CreateToken(ctx(), &btok), "B.CreateToken")
	if btok.OrgID != orgB.ID {
		t.Fatal("B.CreateToken made a token outside B")
	}

	_, err = b.Product(ctx(), p.Slug)
	notFound("Product", err)
	_, err = b.Product(ctx(), p.ID)
	notFound("Product", err)
	pl, err := b.Products(ctx(), store.ProductFilter{}, store.Page{})
	empty("Products", len(pl.Items), err)
	stolen := p
	stolen.Name = "stolen"
	notFound("UpdateProduct", b.UpdateProduct(ctx(), stolen))
	notFound("DeleteProduct", b.DeleteProduct(ctx(), p.ID))
	notFound("RecordSupportChange", b.RecordSupportChange(ctx(), &supportperiod.Change{ProductID: p.ID, Kind: supportperiod.Extended, End: supportperiod.MustParseEndDate("2040-01"), ActorLabel: "x", At: t0}))
	h, err := b.SupportHistory(ctx(), p.ID)
	empty("SupportHistory", len(h), err)
	covered["CreateProduct"] = true
	same := registry.Product{ID: ids.New(), Slug: p.Slug, Name: "B's own", ModelDesignation: p.ModelDesignation, Category: "c", CreatedAt: t0, UpdatedAt: t0}
	must(t, b.CreateProduct(ctx(), &same), "B.CreateProduct with A's slug and model designation")

	notFound("CreateHardwareRevision", b.CreateHardwareRevision(ctx(), &registry.HardwareRevision{ID: ids.New(), ProductID: p.ID, Name: "X", CreatedAt: t0}))
	hs, err := b.HardwareRevisions(ctx(), p.ID)
	empty("HardwareRevisions", len(hs), err)
	notFound("DeleteHardwareRevision", b.DeleteHardwareRevision(ctx(), p.ID, "A"))

	notFound("CreateRelease", b.CreateRelease(ctx(), &registry.Release{ID: ids.New(), ProductID: p.ID, Version: "6.6", ReleasedAt: t0, CreatedAt: t0}))
	_, err = b.Release(ctx(), p.ID, "1.0")
	notFound("Release", err)
	rl, err := b.Releases(ctx(), p.ID, store.Page{})
	empty("Releases", len(rl.Items), err)
	rel.Notes = "stolen"
	notFound("UpdateRelease", b.UpdateRelease(ctx(), rel))
	notFound("DeleteRelease", b.DeleteRelease(ctx(), p.ID, "1.0"))

	notFound("SetReleaseImage", b.SetReleaseImage(ctx(), rel.ID, registry.Image{FileName: "x", BlobKey: "k", UploadedAt: t0}))
	notFound("SetReleaseSigned", b.SetReleaseSigned(ctx(), rel.ID, &t0, []byte("{}")))
	notFound("SetReleaseSBOM", b.SetReleaseSBOM(ctx(), store.ReleaseSBOM{ReleaseID: rel.ID, ProductID: p.ID, Format: "x", Document: []byte("{}"), UploadedAt: t0}))
	_, err = b.ReleaseSBOM(ctx(), rel.ID)
	notFound("ReleaseSBOM", err)
	sr, err := b.SignedReleases(ctx(), p.ID)
	empty("SignedReleases", len(sr), err)

	_, err = b.TUFRepository(ctx(), p.ID)
	notFound("TUFRepository", err)
	notFound("PutTUFRepository", b.PutTUFRepository(ctx(), store.TUFRepository{ProductID: p.ID, RootVersion: 9, RootExpires: t0, RefreshAt: t0, CreatedAt: t0, UpdatedAt: t0}))
	notFound("CreateTUFKey", b.CreateTUFKey(ctx(), &store.TUFKey{ID: ids.New(), ProductID: p.ID, Role: "timestamp", KeyID: "evil", PublicKey: []byte("{}"), Sealed: []byte{1}, CreatedAt: t0}))
	tk, err := b.TUFKeys(ctx(), p.ID)
	empty("TUFKeys", len(tk), err)
	notFound("RetireTUFKey", b.RetireTUFKey(ctx(), p.ID, "ka", t0))
	notFound("AddTUFMetadata", b.AddTUFMetadata(ctx(), p.ID, []store.TUFMetadata{{Role: "timestamp", Version: 99, Expires: t0, Body: []byte("evil"), CreatedAt: t0}}))
	_, err = b.TUFMetadata(ctx(), p.ID, "timestamp", 0)
	notFound("TUFMetadata", err)

	notFound("SetDeviceGroup", b.SetDeviceGroup(ctx(), p.ID, "SN1", "evil"))
	notFound("ResetDeviceKey", b.ResetDeviceKey(ctx(), p.ID, "SN1"))
	_, err = b.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN1"}, make([]byte, 32), t0)
	notFound("EnrolDevice", err)
	notFound("CreateEnrolmentToken", b.CreateEnrolmentToken(ctx(), &registry.EnrolmentToken{ID: ids.New(), ProductID: p.ID, Name: "evil", SecretHash: []byte("h"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	et, err := b.EnrolmentTokens(ctx(), p.ID)
	empty("EnrolmentTokens", len(et), err)
	_, err = b.RevokeEnrolmentToken(ctx(), p.ID, enrol.ID, t0)
	notFound("RevokeEnrolmentToken", err)
	notFound("UseEnrolmentToken", b.UseEnrolmentToken(ctx(), enrol.ID, t0))
	notFound("CreateRollout", b.CreateRollout(ctx(), &rollout.Rollout{ProductID: p.ID, ReleaseID: rel.ID, Phases: []float64{100}, State: rollout.Active, PhaseStartedAt: t0, CreatedAt: t0, UpdatedAt: t0}))
	_, err = b.Rollout(ctx(), ro.ID)
	notFound("Rollout", err)
	rl2, err := b.Rollouts(ctx(), p.ID)
	empty("Rollouts", len(rl2), err)
	rl2, err = b.Rollouts(ctx(), "")
	empty("Rollouts", len(rl2), err)
	stolenRollout := ro
	stolenRollout.State = rollout.Aborted
	notFound("UpdateRollout", b.UpdateRollout(ctx(), stolenRollout))
	rs, err := b.RolloutStats(ctx(), ro)
	covered["RolloutStats"] = true
	must(t, err, "B.RolloutStats")
	if rs.Targeted != 0 || rs.Offered != 0 {
		t.Fatalf("B.RolloutStats counts A's devices: %+v", rs)
	}

	_, err = b.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "SN1", UpdatedAt: t0})
	notFound("UpsertDevice", err)
	_, err = b.Device(ctx(), p.ID, "SN1")
	notFound("Device", err)
	dl, err := b.Devices(ctx(), store.DeviceFilter{}, store.Page{})
	empty("Devices", len(dl.Items), err)
	dl, err = b.Devices(ctx(), store.DeviceFilter{ProductID: p.ID}, store.Page{})
	empty("Devices", len(dl.Items), err)
	n, err := b.CountDevices(ctx(), store.DeviceFilter{ProductID: p.ID})
	empty("CountDevices", n, err)
	notFound("DeleteDevice", b.DeleteDevice(ctx(), p.ID, "SN1"))
	_, _, err = b.ImportDevices(ctx(), p.ID, []registry.Device{{Serial: "SN1"}}, t0)
	notFound("ImportDevices", err)

	al, err := b.Audit(ctx(), audit.Filter{}, store.Page{})
	empty("Audit", len(al.Items), err)
	covered["AppendAudit"] = true
	must(t, b.AppendAudit(ctx(), &audit.Event{At: t0, ActorLabel: "x", ActorKind: "system", Action: "b.only"}), "B.AppendAudit")
	if l, _ := a.Audit(ctx(), audit.Filter{}, store.Page{}); len(l.Items) != 1 {
		t.Fatal("B's audit event shows in A's log")
	}
	sum, err := b.Summary(ctx(), t0)
	covered["Summary"] = true
	must(t, err, "B.Summary")
	if sum.Devices != 0 || sum.Releases != 0 || sum.Products != 1 {
		t.Fatalf("B.Summary counts A's data: %+v", sum)
	}

	notFound("SetReleaseComponents", b.SetReleaseComponents(ctx(), p.ID, rel.ID, []store.ReleaseComponent{comp}))
	rc, err := b.ReleaseComponents(ctx(), rel.ID)
	empty("ReleaseComponents", len(rc), err)
	rc, err = b.ComponentsForKeys(ctx(), comp.Keys)
	empty("ComponentsForKeys", len(rc), err)
	rids, err := b.ReleasesWithComponents(ctx())
	empty("ReleasesWithComponents", len(rids), err)
	notFound("SetReleaseVEX", b.SetReleaseVEX(ctx(), rel.ID, []byte("[]")))
	covered["LockVulns"] = true
	must(t, s.Tx(ctx(), func(q store.Queries) error { return q.Org(orgB.ID).LockVulns(ctx()) }), "B.LockVulns")
	rv, err := b.ReleaseVEX(ctx(), []string{rel.ID})
	empty("ReleaseVEX", len(rv), err)
	_, err = b.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{rel.ID}}, []store.Finding{finding}, t0)
	notFound("SyncFindings", err)
	_, err = b.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{rel.ID}}, nil, t0)
	must(t, err, "B.SyncFindings clearing A's release")
	fl, err := b.Findings(ctx(), store.FindingFilter{})
	empty("Findings", len(fl), err)
	ff, err := b.FindingFacts(ctx(), store.FindingFilter{})
	empty("FindingFacts", len(ff), err)
	ac, err := b.AllComponents(ctx())
	empty("AllComponents", len(ac), err)
	must(t, a.PutTriage(ctx(), store.Triage{ProductID: p.ID, Identity: "other", VulnID: finding.VulnID, State: store.TriageAffected, DecidedBy: "a", DecidedAt: t0}), "A.PutTriage")
	tl, err := b.Triage(ctx(), "")
	empty("Triage", len(tl), err)
	notFound("PutTriage", b.PutTriage(ctx(), store.Triage{ProductID: p.ID, Identity: comp.Identity, VulnID: finding.VulnID, State: store.TriageFalsePositive, DecidedBy: "b", DecidedAt: t0}))
	covered["PutVEXDocument"] = true
	must(t, b.PutVEXDocument(ctx(), store.VEXDocument{ID: ids.New(), Name: "b", Format: "openvex", Document: []byte("[]"), UploadedAt: t0}), "B.PutVEXDocument")
	if vd, _ := a.VEXDocuments(ctx()); len(vd) != 1 || vd[0].Name != "a" {
		t.Fatalf("A's VEX documents changed: %+v", vd)
	}
	vd, err := b.VEXDocuments(ctx())
	covered["VEXDocuments"] = true
	if err != nil || len(vd) != 1 || vd[0].Name != "b" {
		t.Fatalf("B's VEX documents: %+v %v", vd, err)
	}
	dc, err := b.DeviceCountsByRelease(ctx())
	empty("DeviceCountsByRelease", len(dc), err)

	nt, err := b.NotificationTargets(ctx())
	empty("NotificationTargets", len(nt), err)
	notFound("DeleteNotificationTarget", b.DeleteNotificationTarget(ctx(), target.ID))
	notFound("EnqueueNotifications", b.EnqueueNotifications(ctx(), []store.Notification{{ID: ids.New(), TargetID: target.ID, Event: "x", Payload: []byte("{}"), NextAttemptAt: t0, CreatedAt: t0}}))
	nl, err := b.Notifications(ctx(), target.ID, 10)
	empty("Notifications", len(nl), err)
	covered["CreateNotificationTarget"] = true
	must(t, b.CreateNotificationTarget(ctx(), store.NotificationTarget{ID: ids.New(), Kind: "email", Name: "b", Email: "b@b.example", CreatedAt: t0}), "B.CreateNotificationTarget")
	if ts, _ := a.NotificationTargets(ctx()); len(ts) != 1 || ts[0].ID != target.ID {
		t.Fatalf("A's targets changed: %+v", ts)
	}

	// A is untouched.
	if fs, _ := a.Findings(ctx(), store.FindingFilter{}); len(fs) != 1 || fs[0].Status != store.FindingOpen {
		t.Fatalf("A's findings changed: %+v", fs)
	}
	if got, _ := a.Product(ctx(), p.ID); got.Name != p.Name || got.SupportEnd.String() != "2030-01" {
		t.Fatalf("A's product changed: %+v", got)
	}
	if m, _ := a.TUFMetadata(ctx(), p.ID, "timestamp", 0); string(m.Body) != "a" || m.Version != 1 {
		t.Fatalf("A's timestamp changed: %+v", m)
	}
	if sb, err := a.ReleaseSBOM(ctx(), rel.ID); err != nil || sb.Format != "a" {
		t.Fatalf("A's SBOM changed: %+v %v", sb, err)
	}
	if r, _ := a.Rollout(ctx(), ro.ID); r.State != rollout.Active {
		t.Fatalf("A's rollout changed: %+v", r)
	}
	if toks, _ := a.EnrolmentTokens(ctx(), p.ID); len(toks) != 1 || toks[0].RevokedAt != nil {
		t.Fatalf("A's enrolment token changed: %+v", toks)
	}
	if r, _ := a.TUFRepository(ctx(), p.ID); r.RootVersion != 1 {
		t.Fatalf("A's repository changed: %+v", r)
	}
	if n, _ := a.CountDevices(ctx(), store.DeviceFilter{}); n != 1 {
		t.Fatalf("A has %d devices, want 1", n)
	}

	it := reflect.TypeFor[store.OrgStore]()
	for i := 0; i < it.NumMethod(); i++ {
		if m := it.Method(i).Name; !covered[m] {
			t.Errorf("store.OrgStore.%s is not covered by the tenant isolation test; add it", m)
		}
	}
}
