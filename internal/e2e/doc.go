// Package e2e holds Lifeline's end-to-end tests: the whole server, on a
// real database, driven through a real headless browser the way a
// manufacturer and a consumer would use it. It has no code of its own.
//
// The browser test needs Chromium. It looks for it on the PATH as
// "chromium", or at the path in LIFELINE_CHROMIUM, and skips loudly when
// there is none, unless LIFELINE_REQUIRE_BROWSER=1 (as in CI), when it fails.
package e2e
