package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testOrganisations(t *testing.T, s store.Store) {
	dir := s.Directory()
	a := mustOrg(t, s, "acme")
	dup := access.Organisation{ID: ids.New(), Slug: "acme", Name: "Other", Kind: access.Agency, CreatedAt: t0}
	wantKind(t, dir.CreateOrganisation(ctx(), &dup), errs.Conflict, "duplicate slug")

	for _, key := range []string{"acme", a.ID} {
		got, err := dir.Organisation(ctx(), key)
		must(t, err, "Organisation("+key+")")
		if got.ID != a.ID || got.Name != a.Name || got.Kind != access.Manufacturer || !got.CreatedAt.Equal(a.CreatedAt.Truncate(time.Microsecond)) {
			t.Fatalf("Organisation(%s) = %+v, want %+v", key, got, a)
		}
	}
	_, err := dir.Organisation(ctx(), "nope")
	wantKind(t, err, errs.NotFound, "unknown organisation")

	for _, slug := range []string{"delta", "bravo", "charlie"} {
		mustOrg(t, s, slug)
	}
	var slugs []string
	pg := store.Page{Limit: 3}
	for {
		l, err := dir.Organisations(ctx(), pg)
		must(t, err, "Organisations")
		for _, o := range l.Items {
			slugs = append(slugs, o.Slug)
		}
		if l.Next == "" {
			break
		}
		pg.Cursor = l.Next
	}
	if got, want := join(slugs), "acme bravo charlie delta"; got != want {
		t.Fatalf("Organisations paged = %q, want %q", got, want)
	}

	os := s.Org(a.ID)
	o, _ := os.Organisation(ctx())
	o.Name, o.Website, o.Contact = "Acme Ltd", "https://acme.example", "security@acme.example"
	must(t, os.UpdateOrganisation(ctx(), o), "UpdateOrganisation")
	got, _ := os.Organisation(ctx())
	if got.Name != "Acme Ltd" || got.Website != "https://acme.example" || got.Contact != "security@acme.example" || got.Slug != "acme" {
		t.Fatalf("after update: %+v", got)
	}
}

func testUsers(t *testing.T, s store.Store) {
	dir := s.Directory()
	n, err := dir.CountUsers(ctx())
	must(t, err, "CountUsers")
	if n != 0 {
		t.Fatalf("CountUsers on empty store = %d", n)
	}
	u := mustUser(t, s, "ada@example.com")
	dup := access.User{ID: ids.New(), Email: "ada@example.com", Name: "Ada 2", CreatedAt: t0}
	wantKind(t, dir.CreateUser(ctx(), &dup), errs.Conflict, "duplicate email")

	got, err := dir.UserByEmail(ctx(), " ADA@example.com ")
	must(t, err, "UserByEmail")
	if got.ID != u.ID {
		t.Fatalf("UserByEmail found %s, want %s", got.ID, u.ID)
	}
	_, err = dir.UserByID(ctx(), ids.New())
	wantKind(t, err, errs.NotFound, "unknown user")

	disabled := t0.Add(time.Hour)
	got.Name, got.PasswordHash, got.SiteAdmin, got.DisabledAt = "Ada L.", "$argon2id$new", true, &disabled
	must(t, dir.UpdateUser(ctx(), got), "UpdateUser")
	got2, _ := dir.UserByID(ctx(), u.ID)
	if got2.Name != "Ada L." || got2.PasswordHash != "$argon2id$new" || !got2.SiteAdmin || got2.DisabledAt == nil || !got2.DisabledAt.Equal(disabled) {
		t.Fatalf("after UpdateUser: %+v", got2)
	}
	mustUser(t, s, "bob@example.com")
	l, err := dir.Users(ctx(), store.Page{Limit: 1})
	must(t, err, "Users")
	if len(l.Items) != 1 || l.Items[0].Email != "ada@example.com" || l.Next == "" {
		t.Fatalf("Users page 1 = %+v", l)
	}
	l, _ = dir.Users(ctx(), store.Page{Limit: 1, Cursor: l.Next})
	if len(l.Items) != 1 || l.Items[0].Email != "bob@example.com" || l.Next != "" {
		t.Fatalf("Users page 2 = %+v", l)
	}
	_, err = dir.Users(ctx(), store.Page{Cursor: "garbage!"})
	wantKind(t, err, errs.Invalid, "bad cursor")
}

func testMembers(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	b := mustOrg(t, s, "bolt")
	u := mustUser(t, s, "ada@example.com")
	os := s.Org(a.ID)
	must(t, os.PutMember(ctx(), u.ID, access.Maintainer, t0), "PutMember")
	must(t, s.Org(b.ID).PutMember(ctx(), u.ID, access.Viewer, t0), "PutMember b")
	wantKind(t, os.PutMember(ctx(), ids.New(), access.Viewer, t0), errs.NotFound, "PutMember unknown user")

	m, err := os.Member(ctx(), u.ID)
	must(t, err, "Member")
	if m.Role != access.Maintainer || m.User.Email != "ada@example.com" || m.Organisation.Slug != "acme" {
		t.Fatalf("Member = %+v", m)
	}
	must(t, os.PutMember(ctx(), u.ID, access.Owner, t0), "PutMember again")
	ms, err := os.Members(ctx())
	must(t, err, "Members")
	if len(ms) != 1 || ms[0].Role != access.Owner {
		t.Fatalf("Members = %+v", ms)
	}
	all, err := s.Directory().Memberships(ctx(), u.ID)
	must(t, err, "Memberships")
	if len(all) != 2 {
		t.Fatalf("Memberships = %d, want 2", len(all))
	}

	tok := access.Token{ID: ids.New(), UserID: u.ID, Name: "ci", Scopes: []access.Scope{access.ScopeRead}, SecretHash: []byte("h"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	must(t, os.CreateToken(ctx(), &tok), "CreateToken")
	must(t, os.RemoveMember(ctx(), u.ID, t0.Add(time.Minute)), "RemoveMember")
	wantKind(t, os.RemoveMember(ctx(), u.ID, t0), errs.NotFound, "RemoveMember twice")
	_, err = os.Member(ctx(), u.ID)
	wantKind(t, err, errs.NotFound, "Member after removal")
	got, _ := s.Directory().Token(ctx(), tok.ID)
	if got.RevokedAt == nil {
		t.Fatal("removing a member did not revoke their tokens")
	}
}

func testTokens(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	u := mustUser(t, s, "ada@example.com")
	v := mustUser(t, s, "bob@example.com")
	os := s.Org(a.ID)
	mk := func(user access.User, name string) access.Token {
		tok := access.Token{ID: ids.New(), UserID: user.ID, Name: name, Scopes: []access.Scope{access.ScopeRead, access.ScopeWrite},
			SecretHash: access.HashSecret(name), CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
		must(t, os.CreateToken(ctx(), &tok), "CreateToken")
		return tok
	}
	t1 := mk(u, "one")
	mk(u, "two")
	mk(v, "three")

	got, err := s.Directory().Token(ctx(), t1.ID)
	must(t, err, "Token")
	if got.OrgID != a.ID || got.Name != "one" || len(got.Scopes) != 2 || got.Scopes[1] != access.ScopeWrite ||
		!bytes.Equal(got.SecretHash, t1.SecretHash) || !got.ExpiresAt.Equal(t1.ExpiresAt) || got.LastUsedAt != nil {
		t.Fatalf("Token = %+v", got)
	}
	must(t, s.Directory().TouchToken(ctx(), t1.ID, t0.Add(time.Minute)), "TouchToken")
	got, _ = s.Directory().Token(ctx(), t1.ID)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("LastUsedAt = %v", got.LastUsedAt)
	}
	if l, _ := os.Tokens(ctx(), u.ID); len(l) != 2 {
		t.Fatalf("Tokens(user) = %d, want 2", len(l))
	}
	if l, _ := os.Tokens(ctx(), ""); len(l) != 3 {
		t.Fatalf("Tokens(all) = %d, want 3", len(l))
	}
	r, err := os.RevokeToken(ctx(), t1.ID, t0.Add(time.Hour))
	must(t, err, "RevokeToken")
	if r.RevokedAt == nil || r.Usable(t0.Add(2*time.Hour)) {
		t.Fatalf("revoked token = %+v", r)
	}
	r2, err := os.RevokeToken(ctx(), t1.ID, t0.Add(2*time.Hour))
	must(t, err, "RevokeToken twice")
	if !r2.RevokedAt.Equal(*r.RevokedAt) {
		t.Fatal("revoking twice moved the revocation time")
	}
	_, err = os.RevokeToken(ctx(), ids.New(), t0)
	wantKind(t, err, errs.NotFound, "revoke unknown token")
	_, err = s.Directory().Token(ctx(), ids.New())
	wantKind(t, err, errs.NotFound, "unknown token")
}

func testSessions(t *testing.T, s store.Store) {
	dir := s.Directory()
	a := mustOrg(t, s, "acme")
	u := mustUser(t, s, "ada@example.com")
	sess := access.Session{IDHash: access.HashSecret("s1"), UserID: u.ID, CSRFKey: []byte("k"), CreatedAt: t0, LastSeenAt: t0}
	must(t, dir.CreateSession(ctx(), sess), "CreateSession")
	got, err := dir.Session(ctx(), sess.IDHash)
	must(t, err, "Session")
	if got.UserID != u.ID || got.OrgID != "" || !bytes.Equal(got.CSRFKey, []byte("k")) {
		t.Fatalf("Session = %+v", got)
	}
	must(t, dir.TouchSession(ctx(), sess.IDHash, a.ID, t0.Add(time.Minute)), "TouchSession")
	got, _ = dir.Session(ctx(), sess.IDHash)
	if got.OrgID != a.ID || !got.LastSeenAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after touch: %+v", got)
	}
	must(t, dir.TouchSession(ctx(), sess.IDHash, "", t0.Add(2*time.Minute)), "TouchSession without org")
	got, _ = dir.Session(ctx(), sess.IDHash)
	if got.OrgID != a.ID {
		t.Fatal("touching without an org cleared the org")
	}
	old := access.Session{IDHash: access.HashSecret("s2"), UserID: u.ID, CSRFKey: []byte("k"), CreatedAt: t0.Add(-48 * time.Hour), LastSeenAt: t0.Add(-47 * time.Hour)}
	must(t, dir.CreateSession(ctx(), old), "CreateSession old")
	n, err := dir.DeleteSessionsBefore(ctx(), t0.Add(-time.Hour), t0.Add(-30*24*time.Hour))
	must(t, err, "DeleteSessionsBefore")
	if n != 1 {
		t.Fatalf("DeleteSessionsBefore removed %d, want 1", n)
	}
	must(t, dir.DeleteUserSessions(ctx(), u.ID), "DeleteUserSessions")
	_, err = dir.Session(ctx(), sess.IDHash)
	wantKind(t, err, errs.Unauthenticated, "deleted session")
}

func testSettings(t *testing.T, s store.Store) {
	dir := s.Directory()
	_, err := dir.Setting(ctx(), "k")
	wantKind(t, err, errs.NotFound, "missing setting")
	must(t, dir.PutSetting(ctx(), "k", "v1"), "PutSetting")
	must(t, dir.PutSetting(ctx(), "k", "v2"), "PutSetting again")
	if v, _ := dir.Setting(ctx(), "k"); v != "v2" {
		t.Fatalf("Setting = %q", v)
	}
	must(t, dir.DeleteSetting(ctx(), "k"), "DeleteSetting")
	_, err = dir.Setting(ctx(), "k")
	wantKind(t, err, errs.NotFound, "deleted setting")
}
