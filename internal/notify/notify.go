// Package notify is what Lifeline tells people when vulnerability findings
// change: the events, which targets want which events, the JSON body of a
// webhook and how it is signed, and the text of an email. Delivery lives
// in the adapters named after their technology (notify/webhook,
// notify/smtp); this package is pure: no I/O and no clock.
//
// # Signed webhooks
//
// A webhook body is signed with HMAC-SHA256 under the target's secret, which
// Lifeline shows once when the target is made and keeps encrypted at rest.
// The signature header reads
//
//	Lifeline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// Receivers recompute it with Verify, which also refuses signatures older
// than a tolerance, so a captured delivery cannot be replayed later.
package notify

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Event kinds.
const (
	EventNewFindings = "vulnerability.findings.new" // findings at or above the target's severity appeared
	EventExploited   = "vulnerability.exploited"    // a vulnerability in the organisation's releases is now known to be exploited
	EventTest        = "notification.test"          // sent on request, to check a target
)

// Target kinds.
const (
	KindWebhook = "webhook"
	KindEmail   = "email"
)

// Target is where an organisation wants notifications sent, and which.
type Target struct {
	ID          string
	Kind        string  // KindWebhook or KindEmail
	Name        string  // for people
	URL         string  // webhook
	Email       string  // email
	MinScore    float64 // new findings below this CVSS score are not sent; 0 sends all
	OnExploited bool    // send every newly exploited vulnerability, whatever its score
}

// Finding is one new finding, as a notification reports it.
type Finding struct {
	Vulnerability string  `json:"vulnerability"`
	Score         float64 `json:"score"`
	Exploited     bool    `json:"exploited"`
	Product       string  `json:"product"`
	Release       string  `json:"release"`
	Component     string  `json:"component"`
}

// Event is one thing that happened in an organisation.
type Event struct {
	ID           string    `json:"id"`
	Kind         string    `json:"event"`
	Organisation string    `json:"organisation"` // slug
	At           time.Time `json:"at"`
	Findings     []Finding `json:"findings,omitempty"`
	// TotalFindings counts the new findings when Findings lists only the
	// worst of them (see MaxFindings).
	TotalFindings int `json:"total_findings,omitempty"`
	// Exploited names the vulnerabilities newly known to be exploited.
	Exploited []string `json:"exploited,omitempty"`
	// URL links to the organisation's vulnerability view, when the server
	// knows its public address.
	URL string `json:"url,omitempty"`
}

// For returns the part of e that target t wants, and whether it wants any.
func For(t Target, e Event) (Event, bool) {
	switch e.Kind {
	case EventTest:
		return e, true
	case EventExploited:
		return e, t.OnExploited && len(e.Exploited) > 0
	case EventNewFindings:
		var keep []Finding
		for _, f := range e.Findings {
			if f.Score >= t.MinScore || (t.OnExploited && f.Exploited) {
				keep = append(keep, f)
			}
		}
		e.Findings = keep
		return e, len(keep) > 0
	}
	return e, false
}

// MaxFindings bounds the findings one event lists: a first import can find
// tens of thousands, and a notification should stay readable and small.
const MaxFindings = 200

// Trim keeps the MaxFindings worst findings (exploited first, then by
// score) and records how many there were.
func (e *Event) Trim() {
	if len(e.Findings) <= MaxFindings {
		return
	}
	e.TotalFindings = len(e.Findings)
	slices.SortStableFunc(e.Findings, func(a, b Finding) int {
		if a.Exploited != b.Exploited {
			if a.Exploited {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Score, a.Score)
	})
	e.Findings = e.Findings[:MaxFindings]
}

// SignatureHeader is the header carrying a webhook's signature.
const SignatureHeader = "Lifeline-Signature"

// Sign returns the signature header value for body sent at time at.
func Sign(secret, body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header for body against secret at time now,
// refusing signatures made more than tolerance before or after now.
func Verify(secret, body []byte, header string, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("notify: malformed signature header")
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("notify: signature header lacks a time or a v1 signature")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("notify: signature made %s from now, beyond the %s tolerance", d.Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("notify: signature does not match")
}
