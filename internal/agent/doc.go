// Package agent is the device side of Lifeline: lifeline-agent, a small
// program that keeps one device's firmware current for the product's whole
// support period. It finds out what to install, verifies it against the
// product's TUF repository (go-tuf's client for metadata, package download
// for the image itself, streamed to disk), installs it with a pluggable
// installer, checks the device is healthy, and commits or rolls back.
//
// The subpackages are the agent's parts: download (verified, resumable
// target download), state (the update state machine, persisted atomically
// so a power cut at any step is survivable), install (A/B slots, exec,
// directory installers), engine (the update cycle that joins them),
// identity (the device's own Ed25519 key, enrolment and signed requests to
// the device API), daemon (the check-in loop of "lifeline-agent run", with
// the owner's update settings) and fleet (many simulated devices in one
// process, for "lifeline-agent simulate", demos and load tests).
// None of them may import server code or a database driver: the agent runs
// on small devices, and a test checks its dependencies.
package agent
