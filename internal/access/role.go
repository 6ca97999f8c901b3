package access

// Role is a user's standing in one organisation.
type Role string

// Roles, from most to least powerful.
const (
	Owner      Role = "owner"      // everything, including members, tokens and the organisation's profile
	Maintainer Role = "maintainer" // changes the registry: products, releases, devices, support periods
	Viewer     Role = "viewer"     // reads the registry
)

// Roles lists every role, most powerful first.
var Roles = []Role{Owner, Maintainer, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Owner || r == Maintainer || r == Viewer }

// Permission is one thing a principal may do.
type Permission string

// Permissions.
const (
	ReadRegistry  Permission = "registry:read"  // products, releases, devices, support periods
	WriteRegistry Permission = "registry:write" // change them
	ReadAudit     Permission = "audit:read"     // the organisation's audit log
	ManageMembers Permission = "members:manage" // add, change and remove members; see and revoke everyone's tokens
	ManageOrg     Permission = "org:manage"     // change the organisation's public profile
	UseTokens     Permission = "tokens:use"     // create, list and revoke one's own API tokens
	// ManageUpdateKeys covers a product's update repository trust: creating
	// online signing keys and installing new root metadata.
	ManageUpdateKeys Permission = "update-keys:manage"
)

var rolePermissions = map[Role][]Permission{
	Owner:      {ReadRegistry, WriteRegistry, ReadAudit, ManageMembers, ManageOrg, UseTokens, ManageUpdateKeys},
	Maintainer: {ReadRegistry, WriteRegistry, ReadAudit, UseTokens},
	Viewer:     {ReadRegistry, UseTokens},
}

// Grants reports whether the role includes perm.
func (r Role) Grants(perm Permission) bool {
	for _, p := range rolePermissions[r] {
		if p == perm {
			return true
		}
	}
	return false
}

// Scope limits what an API token may do, below its owner's role.
type Scope string

// Token scopes.
const (
	ScopeRead  Scope = "read"  // read the registry and audit log
	ScopeWrite Scope = "write" // change the registry
	ScopeAdmin Scope = "admin" // manage members, tokens, the organisation, and (for site administrators) other organisations
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeAdmin}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite || s == ScopeAdmin }

// scopeOf says which scope a token needs for a permission.
func scopeOf(perm Permission) Scope {
	switch perm {
	case ReadRegistry, ReadAudit:
		return ScopeRead
	case WriteRegistry:
		return ScopeWrite
	}
	return ScopeAdmin
}

// MaxScopes returns the scopes a member with role r may put on a token.
func (r Role) MaxScopes() []Scope {
	switch r {
	case Owner:
		return []Scope{ScopeRead, ScopeWrite, ScopeAdmin}
	case Maintainer:
		return []Scope{ScopeRead, ScopeWrite}
	}
	return []Scope{ScopeRead}
}

// AllowsScope reports whether role r may grant scope s to a token.
func (r Role) AllowsScope(s Scope) bool {
	for _, m := range r.MaxScopes() {
		if m == s {
			return true
		}
	}
	return false
}
