// Package tufrepo decides what a product's TUF repository publishes: the
// root, targets, snapshot and timestamp metadata of The Update Framework
// (specification 1.0), built and signed with go-tuf v2's metadata package.
//
// Everything here is a pure function of its inputs — the current metadata,
// the release list, the time and in-memory signers — with no storage or
// network. That keeps the security-critical rules (which root may replace
// which, what must be re-signed when, which files a client may ask for) in
// one place that tests can drive exhaustively. The service stores what these
// functions return; the server serves it; the agent and the offline
// `lifeline keys` commands use the same rules.
//
// Trust layout: root keys are held offline by the manufacturer (threshold of
// several); targets, snapshot and timestamp are signed online by keys the
// server keeps encrypted. Every repository uses consistent snapshots, so all
// metadata but timestamp.json and all targets are immutable once served.
package tufrepo
