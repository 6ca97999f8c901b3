package access

import "slices"

// PrincipalKind says how a principal authenticated.
type PrincipalKind string

// Principal kinds.
const (
	KindSession PrincipalKind = "session" // a user logged in to the web UI
	KindToken   PrincipalKind = "token"   // an API token
	KindSystem  PrincipalKind = "system"  // the operator at the command line, or Lifeline itself
)

// Principal is who a request acts as, inside one organisation.
type Principal struct {
	Kind      PrincipalKind
	UserID    string
	UserEmail string
	OrgID     string // the organisation acted in; empty for a system principal not yet bound to one
	Role      Role
	Scopes    []Scope // for tokens only: the token's scopes
	TokenID   string  // for tokens only
	SiteAdmin bool    // may create and list organisations
	Source    string  // where the request came from (client IP address, or "cli")
}

// System returns the principal of the operator using `lifeline admin`, or of
// Lifeline seeding demo data. It may do anything in any organisation.
func System(source string) Principal {
	return Principal{Kind: KindSystem, SiteAdmin: true, Role: Owner, Source: source}
}

// InOrg returns a copy of p acting in the organisation orgID. Only system
// principals may be moved between organisations.
func (p Principal) InOrg(orgID string) Principal {
	if p.Kind == KindSystem {
		p.OrgID = orgID
	}
	return p
}

// Can reports whether p may use perm in its organisation.
func (p Principal) Can(perm Permission) bool {
	if p.Kind == KindSystem {
		return true
	}
	if p.OrgID == "" || !p.Role.Grants(perm) {
		return false
	}
	if p.Kind == KindToken {
		return slices.Contains(p.Scopes, scopeOf(perm))
	}
	return true
}

// CanAdminSite reports whether p may create and list every organisation.
func (p Principal) CanAdminSite() bool {
	if p.Kind == KindSystem {
		return true
	}
	if !p.SiteAdmin {
		return false
	}
	return p.Kind != KindToken || slices.Contains(p.Scopes, ScopeAdmin)
}

// Label names the principal in audit records: the user's email, or "system".
func (p Principal) Label() string {
	switch {
	case p.Kind == KindSystem:
		return "system"
	case p.UserEmail != "":
		return p.UserEmail
	}
	return p.UserID
}
