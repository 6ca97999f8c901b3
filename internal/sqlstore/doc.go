// Package sqlstore implements the storage contract (package store) in SQL
// that runs on both SQLite and PostgreSQL. The two adapters, packages sqlite
// and postgres, open their databases, run their own migrations and supply a
// Dialect for the few places the two differ: placeholders, time values and
// constraint-violation errors. Queries are written once, with "?"
// placeholders, and every one of them is exercised against both backends by
// the contract suite in store/storetest.
//
// Every query against an organisation's data includes its org_id. The
// orgStore type is made only by DB.Org and Queries.Org, with the org ID fixed.
package sqlstore
