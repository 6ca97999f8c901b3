package access

import "time"

// Session lengths for the web UI: idle sessions end after IdleTimeout, and
// every session ends after MaxSessionAge however active it is.
const (
	SessionIdleTimeout = 12 * time.Hour
	MaxSessionAge      = 7 * 24 * time.Hour
)

// Session is a logged-in browser. Its ID is the SHA-256 of the secret in the
// user's cookie, so the sessions table is useless to someone who reads it.
type Session struct {
	IDHash     []byte
	UserID     string
	OrgID      string // the organisation the user is working in
	CSRFKey    []byte // per-session key for form tokens
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Live reports whether the session may still be used at time now.
func (s *Session) Live(now time.Time) bool {
	return now.Sub(s.LastSeenAt) < SessionIdleTimeout && now.Sub(s.CreatedAt) < MaxSessionAge
}
