// Package access holds who may do what in Lifeline: organisations and their
// kinds, users, memberships with roles, API tokens with scopes, and the
// Principal that every request acts as. It also holds the credential
// primitives (password hashing, token and session secrets), written as pure
// functions so they can be tested without a server.
//
// The rule is simple and lives here only: a principal may use a permission
// when its role grants it and, for API tokens, when the token's scopes
// include it as well.
package access
