package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/ids"
)

func TestPasswordHashing(t *testing.T) {
	h, err := access.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with the expected parameters", h)
	}
	h2, _ := access.HashPassword("correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	cases := []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse battery staple", true},
		{h, "correct horse battery stapl", false},
		{h, "", false},
		{"", "x", false},
		{"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x", false}, // memory beyond the limit
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x", false},
		{"$2a$10$abcdefghijklmnopqrstuuvwxyz", "x", false},
	}
	for i, tc := range cases {
		if got := access.VerifyPassword(tc.hash, tc.pw); got != tc.want {
			t.Errorf("case %d: VerifyPassword = %v, want %v", i, got, tc.want)
		}
	}
	if access.VerifyNoUser("anything") {
		t.Fatal("VerifyNoUser returned true")
	}
}

func TestCheckPassword(t *testing.T) {
	cases := map[string]bool{
		"short":                  false,
		"twelve chars":           true,
		"ada@example.com":        false,
		strings.Repeat("x", 257): false,
		"ünïcödé pässwörd":       true,
	}
	for pw, ok := range cases {
		if got := access.CheckPassword(pw, "ada@example.com") == ""; got != ok {
			t.Errorf("CheckPassword(%q) ok = %v, want %v", pw, got, ok)
		}
	}
}

func TestTokens(t *testing.T) {
	id := ids.New()
	plain, hash := access.NewTokenSecret(id)
	gotID, secret, err := access.ParseToken(plain)
	if err != nil || gotID != id || !access.SecretMatches(secret, hash) {
		t.Fatalf("ParseToken(%q) = %q, %v; want %q", plain, gotID, err, id)
	}
	if access.SecretMatches(secret+"x", hash) {
		t.Fatal("a different secret matches")
	}
	for _, bad := range []string{"", "llt_", plain[:len(plain)-1], strings.Replace(plain, "llt_", "xxx_", 1), "llt_" + strings.Repeat("z", 32) + "_" + strings.Repeat("a", 43)} {
		if _, _, err := access.ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
	now := time.Now()
	tok := access.Token{ExpiresAt: now.Add(time.Hour)}
	if !tok.Usable(now) || tok.Usable(now.Add(2*time.Hour)) {
		t.Fatal("expiry")
	}
	tok.RevokedAt = &now
	if tok.Usable(now) {
		t.Fatal("revoked token usable")
	}
}

func TestPrincipalCan(t *testing.T) {
	cases := []struct {
		name string
		p    access.Principal
		perm access.Permission
		want bool
	}{
		{"viewer_reads", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Viewer}, access.ReadRegistry, true},
		{"viewer_writes", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Viewer}, access.WriteRegistry, false},
		{"viewer_audit", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Viewer}, access.ReadAudit, false},
		{"maintainer_writes", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Maintainer}, access.WriteRegistry, true},
		{"maintainer_members", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Maintainer}, access.ManageMembers, false},
		{"owner_members", access.Principal{Kind: access.KindSession, OrgID: "o", Role: access.Owner}, access.ManageMembers, true},
		{"no_org", access.Principal{Kind: access.KindSession, Role: access.Owner}, access.ReadRegistry, false},
		{"owner_read_token_writes", access.Principal{Kind: access.KindToken, OrgID: "o", Role: access.Owner, Scopes: []access.Scope{access.ScopeRead}}, access.WriteRegistry, false},
		{"owner_write_token_writes", access.Principal{Kind: access.KindToken, OrgID: "o", Role: access.Owner, Scopes: []access.Scope{access.ScopeWrite}}, access.WriteRegistry, true},
		{"viewer_admin_token_still_viewer", access.Principal{Kind: access.KindToken, OrgID: "o", Role: access.Viewer, Scopes: access.Scopes}, access.WriteRegistry, false},
		{"system", access.System("cli"), access.ManageMembers, true},
	}
	for _, tc := range cases {
		if got := tc.p.Can(tc.perm); got != tc.want {
			t.Errorf("%s: Can(%s) = %v, want %v", tc.name, tc.perm, got, tc.want)
		}
	}
	admin := access.Principal{Kind: access.KindToken, SiteAdmin: true, Scopes: []access.Scope{access.ScopeRead}}
	if admin.CanAdminSite() {
		t.Error("a site admin's read token may administer the site")
	}
	admin.Scopes = append(admin.Scopes, access.ScopeAdmin)
	if !admin.CanAdminSite() {
		t.Error("a site admin's admin token may not administer the site")
	}
	moved := access.Principal{Kind: access.KindSession, OrgID: "a"}.InOrg("b")
	if moved.OrgID != "a" {
		t.Error("a session principal was moved to another organisation")
	}
}

func FuzzParseToken(f *testing.F) {
	plain, _ := access.NewTokenSecret(ids.New())
	f.Add(plain)
	f.Add("llt_")
	f.Add("llt_00000000000000000000000000000000_" + strings.Repeat("a", 43))
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := access.ParseToken(s)
		if err != nil {
			return
		}
		if !ids.Valid(id) || len(secret) != 43 {
			t.Fatalf("ParseToken(%q) accepted a bad token: %q %q", s, id, secret)
		}
	})
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := access.HashPassword("password12345")
	f.Add(h, "password12345")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if strings.Contains(hash, "m=") && len(hash) > 200 {
			return
		}
		access.VerifyPassword(hash, pw) // must not panic or run away
	})
}
