// Package httpapi is Lifeline's JSON API: the management API under
// /api/v1 (API tokens, or a web session), and the public registry as JSON
// under /public. Every route is declared once in a route table that says
// who may call it, what it takes and what it returns; the table registers
// the routes, and the OpenAPI document at /api/openapi.json is generated
// from it.
//
// Handlers return errors; the one function writeError turns them into the
// API's single error shape, with the status code decided by httpx.Status.
package httpapi
