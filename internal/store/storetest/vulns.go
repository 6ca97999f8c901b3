package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testAdvisories(t *testing.T, s store.Store) {
	a := s.Advisories()
	recs := []store.AdvisoryRecord{
		{Source: "nvd", ID: "CVE-2022-48174", VulnID: "CVE-2022-48174", IDs: []string{"CVE-2022-48174"}, Keys: []string{"cpe:busybox:busybox", "cpep:busybox"},
			Modified: t0, Score: 9.8, Summary: "busybox ash stack overflow", Document: []byte(`{"id":"CVE-2022-48174"}`)},
		{Source: "osv", ID: "GHSA-xxxx", VulnID: "CVE-2022-48174", IDs: []string{"GHSA-xxxx", "CVE-2022-48174"}, Keys: []string{"eco:Alpine/busybox"},
			Modified: t0, Score: 7.5, Document: []byte(`{}`)},
		{Source: "kev", ID: "CVE-2022-48174", VulnID: "CVE-2022-48174", Exploited: true, Modified: t0, Document: []byte(`{}`)},
		{Source: "nvd", ID: "CVE-2000-0001", VulnID: "CVE-2000-0001", Keys: []string{"cpe:busybox:busybox"}, Withdrawn: true, Modified: t0, Document: []byte(`{}`)},
	}
	var put store.PutResult
	must(t, s.Tx(ctx(), func(q store.Queries) (err error) { put, err = q.Advisories().PutAdvisories(ctx(), recs); return err }), "PutAdvisories")
	if len(put.Written) != 4 || len(put.ChangedVulns) != 2 {
		t.Fatalf("first put = %+v", put)
	}
	_, err := a.PutAdvisories(ctx(), []store.AdvisoryRecord{recs[0], recs[0]})
	wantKind(t, err, errs.Invalid, "duplicate in a batch")
	// The same records again change nothing.
	put, err = a.PutAdvisories(ctx(), recs)
	must(t, err, "PutAdvisories again")
	if len(put.Written) != 0 || len(put.ChangedVulns) != 0 {
		t.Fatalf("unchanged put = %+v", put)
	}

	got, err := a.Advisory(ctx(), "nvd", "CVE-2022-48174")
	must(t, err, "Advisory")
	if got.Score != 9.8 || got.Summary != "busybox ash stack overflow" || !got.Modified.Equal(t0) || string(got.Document) != `{"id":"CVE-2022-48174"}` {
		t.Fatalf("advisory = %+v", got)
	}
	_, err = a.Advisory(ctx(), "nvd", "CVE-1999-1")
	wantKind(t, err, errs.NotFound, "missing advisory")

	// Any alias finds every record of the vulnerability.
	for _, id := range []string{"GHSA-xxxx", "CVE-2022-48174"} {
		all, err := a.VulnerabilityRecords(ctx(), id)
		must(t, err, "VulnerabilityRecords")
		if len(all) != 3 {
			t.Fatalf("VulnerabilityRecords(%s) = %d records, want 3", id, len(all))
		}
	}
	_, err = a.VulnerabilityRecords(ctx(), "CVE-1999-1")
	wantKind(t, err, errs.NotFound, "unknown vulnerability")

	var found []string
	must(t, a.AdvisoriesForKeys(ctx(), []string{"cpe:busybox:busybox", "cpep:busybox", "eco:Alpine/busybox"}, func(r store.AdvisoryRecord) error {
		found = append(found, r.Source+":"+r.ID)
		return nil
	}), "AdvisoriesForKeys")
	if len(found) != 2 {
		t.Fatalf("AdvisoriesForKeys = %v, want the two live records once each", found)
	}
	keys, err := a.AdvisoryKeys(ctx(), []store.AdvisoryRef{{Source: "nvd", ID: "CVE-2022-48174"}})
	must(t, err, "AdvisoryKeys")
	if len(keys) != 2 {
		t.Fatalf("keys = %v", keys)
	}
	facts, err := a.VulnerabilityFacts(ctx(), []string{"CVE-2022-48174", "CVE-2000-0001"})
	must(t, err, "VulnerabilityFacts")
	if f := facts["CVE-2022-48174"]; f.Score != 9.8 || !f.Exploited {
		t.Fatalf("facts = %+v", facts)
	}
	if _, ok := facts["CVE-2000-0001"]; ok {
		t.Fatal("a withdrawn record gave facts")
	}
	// A distribution advisory naming two CVEs is its own vulnerability, and
	// exploited when one of its CVEs is listed as exploited.
	dsa := store.AdvisoryRecord{Source: "osv", ID: "DSA-9999-1", VulnID: "DSA-9999-1", IDs: []string{"DSA-9999-1", "CVE-2022-48174", "CVE-2022-48175"},
		Keys: []string{"eco:Debian/busybox"}, Modified: t0, Document: []byte(`{}`)}
	put, err = a.PutAdvisories(ctx(), []store.AdvisoryRecord{dsa})
	must(t, err, "PutAdvisories DSA")
	facts, _ = a.VulnerabilityFacts(ctx(), []string{"DSA-9999-1"})
	if !facts["DSA-9999-1"].Exploited {
		t.Fatalf("DSA facts = %+v", facts)
	}
	kev := recs[2]
	kev.Modified = t0.Add(time.Hour)
	put, err = a.PutAdvisories(ctx(), []store.AdvisoryRecord{kev})
	must(t, err, "PutAdvisories KEV again")
	if !slices.Contains(put.ChangedVulns, "DSA-9999-1") {
		t.Fatalf("a KEV entry does not rematch the DSA naming its CVE: %+v", put)
	}
	counts, err := a.CountAdvisories(ctx())
	must(t, err, "CountAdvisories")
	if counts["nvd"] != 2 || counts["osv"] != 2 || counts["kev"] != 1 {
		t.Fatalf("counts = %v", counts)
	}

	// Replacing a record replaces its keys; a record moving to another
	// vulnerability reports both.
	recs[0].Keys = []string{"cpe:busybox:busybox"}
	recs[0].Score = 9.0
	recs[0].Modified = t0.Add(time.Hour)
	must(t, s.Tx(ctx(), func(q store.Queries) (err error) {
		put, err = q.Advisories().PutAdvisories(ctx(), recs[:1])
		return err
	}), "replace")
	if len(put.Written) != 1 || len(put.ChangedVulns) != 1 {
		t.Fatalf("replace = %+v", put)
	}
	moved := recs[1]
	moved.VulnID, moved.Modified = "GHSA-xxxx", t0.Add(time.Hour)
	put, err = a.PutAdvisories(ctx(), []store.AdvisoryRecord{moved})
	must(t, err, "move")
	if len(put.ChangedVulns) != 2 {
		t.Fatalf("a record moving vulnerability: %+v", put)
	}
	keys, _ = a.AdvisoryKeys(ctx(), []store.AdvisoryRef{{Source: "nvd", ID: "CVE-2022-48174"}})
	if len(keys) != 1 {
		t.Fatalf("keys after replace = %v", keys)
	}

	mm := t0.Add(time.Hour)
	f := store.Feed{Name: "nvd-2024", Kind: "nvd", Location: "/srv/feeds/nvd.json", MaxModified: &mm, LastStarted: &t0, Records: 12, ErrorCount: 1, LastError: "bad record"}
	must(t, a.PutFeed(ctx(), f), "PutFeed")
	f.Records = 13
	must(t, a.PutFeed(ctx(), f), "PutFeed again")
	gf, err := a.Feed(ctx(), "nvd-2024")
	must(t, err, "Feed")
	if gf.Records != 13 || gf.MaxModified == nil || !gf.MaxModified.Equal(mm) || gf.LastFinished != nil {
		t.Fatalf("feed = %+v", gf)
	}
	_, err = a.Feed(ctx(), "none")
	wantKind(t, err, errs.NotFound, "missing feed")

	// One import per feed at a time, across servers.
	ok, err := a.ClaimFeed(ctx(), "osv", t0, time.Hour)
	must(t, err, "ClaimFeed")
	again, _ := a.ClaimFeed(ctx(), "osv", t0.Add(time.Minute), time.Hour)
	if !ok || again {
		t.Fatalf("claims = %v, %v", ok, again)
	}
	must(t, a.PutFeed(ctx(), store.Feed{Name: "osv", Kind: "osv", Location: "/srv/osv"}), "PutFeed while claimed")
	if stolen, _ := a.ClaimFeed(ctx(), "osv", t0.Add(time.Minute), time.Hour); stolen {
		t.Fatal("PutFeed dropped the lease")
	}
	if late, _ := a.ClaimFeed(ctx(), "osv", t0.Add(2*time.Hour), time.Hour); !late {
		t.Fatal("an expired lease was not taken over")
	}
	must(t, a.ReleaseFeed(ctx(), "osv"), "ReleaseFeed")
	if ok, _ := a.ClaimFeed(ctx(), "osv", t0.Add(2*time.Hour), time.Hour); !ok {
		t.Fatal("a released feed could not be claimed")
	}
	fs, _ := a.Feeds(ctx())
	if len(fs) != 2 {
		t.Fatalf("feeds = %+v", fs)
	}
}

func testFindings(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	other := mustOrg(t, s, "rival")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "router")
	r1 := mustRelease(t, os, p.ID, "1.0.0", t0)
	r2 := mustRelease(t, os, p.ID, "1.1.0", t0.Add(time.Hour))
	comps := []store.ReleaseComponent{
		{Index: 0, Identity: "cpe:busybox:busybox", Ref: "bb", Name: "busybox", Version: "1.35.0", PURL: "pkg:generic/busybox@1.35.0",
			CPEs: []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}, Keys: []string{"cpe:busybox:busybox", "cpep:busybox"}},
		{Index: 1, Identity: "pkg:generic/zlib", Ref: "z", Name: "zlib", Version: "1.3", Keys: []string{"cpe:zlib:zlib"}},
	}
	must(t, os.SetReleaseComponents(ctx(), p.ID, r1.ID, comps), "SetReleaseComponents")
	must(t, os.SetReleaseComponents(ctx(), p.ID, r2.ID, comps[:1]), "SetReleaseComponents r2")
	wantKind(t, s.Org(other.ID).SetReleaseComponents(ctx(), p.ID, r1.ID, comps), errs.NotFound, "another organisation's release")
	got, err := os.ReleaseComponents(ctx(), r1.ID)
	must(t, err, "ReleaseComponents")
	if len(got) != 2 || got[0].CPEs[0] != comps[0].CPEs[0] || got[1].CPEs != nil || got[0].ProductID != p.ID {
		t.Fatalf("components = %+v", got)
	}
	byKey, err := os.ComponentsForKeys(ctx(), []string{"cpep:busybox", "cpe:busybox:busybox"})
	must(t, err, "ComponentsForKeys")
	if len(byKey) != 2 {
		t.Fatalf("ComponentsForKeys = %+v, want busybox in both releases once each", byKey)
	}
	if x, _ := s.Org(other.ID).ComponentsForKeys(ctx(), []string{"cpep:busybox"}); len(x) != 0 {
		t.Fatal("another organisation sees the components")
	}
	must(t, os.SetReleaseVEX(ctx(), r1.ID, []byte(`[{"vulnerability":"CVE-2022-48174"}]`)), "SetReleaseVEX")
	wantKind(t, s.Org(other.ID).SetReleaseVEX(ctx(), r1.ID, []byte(`[]`)), errs.NotFound, "VEX on another organisation's release")
	vx, err := os.ReleaseVEX(ctx(), []string{r1.ID, r2.ID})
	must(t, err, "ReleaseVEX")
	if len(vx) != 1 || string(vx[r1.ID]) != `[{"vulnerability":"CVE-2022-48174"}]` {
		t.Fatalf("release VEX = %v", vx)
	}
	if x, _ := s.Org(other.ID).ReleaseVEX(ctx(), []string{r1.ID}); len(x) != 0 {
		t.Fatal("another organisation sees the release VEX")
	}
	rels, _ := os.ReleasesWithComponents(ctx())
	if len(rels) != 2 {
		t.Fatalf("releases with components = %v", rels)
	}

	mk := func(rel registry.Release, vuln string, score float64) store.Finding {
		return store.Finding{ReleaseID: rel.ID, ProductID: p.ID, Index: 0, VulnID: vuln, Identity: "cpe:busybox:busybox", Component: "busybox 1.35.0",
			Advisories: []store.AdvisoryRef{{Source: "nvd", ID: vuln}}, Reason: []byte(`[{"kind":"cpe"}]`), Score: score, Status: store.FindingOpen}
	}
	res, err := os.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{r1.ID, r2.ID}},
		[]store.Finding{mk(r1, "CVE-2022-48174", 9.8), mk(r2, "CVE-2022-48174", 9.8), mk(r1, "CVE-2021-42386", 7.2)}, t0)
	must(t, err, "SyncFindings")
	if len(res.Added) != 3 || len(res.NewlyExploited) != 0 {
		t.Fatalf("sync = %+v", res)
	}
	// A rematch of one vulnerability keeps first-seen times and drops what no longer matches.
	later := t0.Add(24 * time.Hour)
	exploited := mk(r1, "CVE-2022-48174", 9.8)
	exploited.Exploited = true
	res, err = os.SyncFindings(ctx(), store.FindingScope{VulnIDs: []string{"CVE-2022-48174"}}, []store.Finding{exploited}, later)
	must(t, err, "SyncFindings by vulnerability")
	if len(res.Added) != 0 || len(res.NewlyExploited) != 1 || res.NewlyExploited[0] != "CVE-2022-48174" {
		t.Fatalf("rematch = %+v", res)
	}
	res, _ = os.SyncFindings(ctx(), store.FindingScope{VulnIDs: []string{"CVE-2022-48174"}}, []store.Finding{exploited}, later)
	if len(res.NewlyExploited) != 0 {
		t.Fatalf("exploited twice: %+v", res)
	}
	all, err := os.Findings(ctx(), store.FindingFilter{})
	must(t, err, "Findings")
	if len(all) != 2 || all[0].VulnID != "CVE-2022-48174" || !all[0].FirstSeen.Equal(t0) || !all[0].UpdatedAt.Equal(later) || all[0].Advisories[0].ID != "CVE-2022-48174" {
		t.Fatalf("findings = %+v", all)
	}
	if x, _ := s.Org(other.ID).Findings(ctx(), store.FindingFilter{}); len(x) != 0 {
		t.Fatal("another organisation sees the findings")
	}
	facts, err := os.FindingFacts(ctx(), store.FindingFilter{VulnID: "CVE-2022-48174"})
	must(t, err, "FindingFacts")
	if len(facts) != 1 || facts[0].ReleaseID != r1.ID || !facts[0].Exploited || facts[0].Score != 9.8 || facts[0].Status != store.FindingOpen {
		t.Fatalf("finding facts = %+v", facts)
	}
	comps2, err := os.AllComponents(ctx())
	must(t, err, "AllComponents")
	if len(comps2) != 3 {
		t.Fatalf("all components = %+v", comps2)
	}

	// Triage applies to every release's finding of that component identity.
	must(t, os.SetReleaseComponents(ctx(), p.ID, r2.ID, comps[:1]), "again")
	_, err = os.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{r2.ID}}, []store.Finding{mk(r2, "CVE-2022-48174", 9.8)}, later)
	must(t, err, "sync r2")
	tr := store.Triage{ProductID: p.ID, Identity: "cpe:busybox:busybox", VulnID: "CVE-2022-48174", State: store.TriageNotAffected, Justification: "vulnerable_code_not_present",
		ReleaseID: r1.ID, DecidedBy: "alice@example.com", DecidedAt: later}
	// Another product with the same component keeps its own decisions.
	p2 := mustProduct(t, os, "camera")
	c1 := mustRelease(t, os, p2.ID, "1.0.0", t0)
	must(t, os.SetReleaseComponents(ctx(), p2.ID, c1.ID, comps[:1]), "SetReleaseComponents camera")
	cam := mk(c1, "CVE-2022-48174", 9.8)
	cam.ProductID = p2.ID
	_, err = os.SyncFindings(ctx(), store.FindingScope{ReleaseIDs: []string{c1.ID}}, []store.Finding{cam}, later)
	must(t, err, "sync camera")
	must(t, os.PutTriage(ctx(), tr), "PutTriage")
	if cf, _ := os.Findings(ctx(), store.FindingFilter{ProductID: p2.ID}); len(cf) != 1 || cf[0].Status != store.FindingOpen {
		t.Fatalf("triage crossed products: %+v", cf)
	}
	wantKind(t, s.Org(other.ID).PutTriage(ctx(), tr), errs.NotFound, "triage on another organisation's product")
	open, _ := os.Findings(ctx(), store.FindingFilter{Open: true, ProductID: p.ID})
	if len(open) != 1 || open[0].VulnID != "CVE-2021-42386" {
		t.Fatalf("open findings after triage = %+v", open)
	}
	bb, _ := os.Findings(ctx(), store.FindingFilter{VulnID: "CVE-2022-48174", ReleaseID: r2.ID})
	if len(bb) != 1 || bb[0].Status != store.FindingNotAffected || bb[0].DecidedBy != "triage" || bb[0].Justification != "vulnerable_code_not_present" {
		t.Fatalf("triaged finding = %+v", bb)
	}
	ts, _ := os.Triage(ctx(), "")
	if len(ts) != 1 || ts[0].DecidedBy != "alice@example.com" || !ts[0].DecidedAt.Equal(later) {
		t.Fatalf("triage = %+v", ts)
	}
	if x, _ := s.Org(other.ID).Triage(ctx(), ""); len(x) != 0 {
		t.Fatal("another organisation sees the triage")
	}

	d := store.VEXDocument{ID: ids.New(), Name: "vex.json", Format: "openvex", Statements: 2, Document: []byte(`[]`), UploadedAt: t0}
	must(t, os.PutVEXDocument(ctx(), d), "PutVEXDocument")
	docs, _ := os.VEXDocuments(ctx())
	if len(docs) != 1 || docs[0].Format != "openvex" || string(docs[0].Document) != "[]" {
		t.Fatalf("vex documents = %+v", docs)
	}
	if x, _ := s.Org(other.ID).VEXDocuments(ctx()); len(x) != 0 {
		t.Fatal("another organisation sees the VEX documents")
	}

	dev := registry.Device{ID: ids.New(), ProductID: p.ID, Serial: "SN1", InstalledVersion: "1.0.0", CreatedAt: t0, UpdatedAt: t0}
	_, err = os.UpsertDevice(ctx(), &dev)
	must(t, err, "UpsertDevice")
	counts, err := os.DeviceCountsByRelease(ctx())
	must(t, err, "DeviceCountsByRelease")
	if counts[r1.ID] != 1 || len(counts) != 1 {
		t.Fatalf("device counts = %v", counts)
	}

	// A release with components, VEX and findings can still be deleted, and
	// a product with them too.
	must(t, os.DeleteRelease(ctx(), p.ID, "1.1.0"), "DeleteRelease with findings")
	if fs, _ := os.Findings(ctx(), store.FindingFilter{ReleaseID: r2.ID}); len(fs) != 0 {
		t.Fatalf("findings of a deleted release: %+v", fs)
	}
	must(t, os.DeleteProduct(ctx(), p2.ID), "DeleteProduct with findings and triage")
	if fs, _ := os.Findings(ctx(), store.FindingFilter{ProductID: p2.ID}); len(fs) != 0 {
		t.Fatalf("findings of a deleted product: %+v", fs)
	}
}
