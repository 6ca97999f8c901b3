package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/notify"
)

func TestSignVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"event":"x"}`)
	at := time.Unix(1_800_000_000, 0)
	h := notify.Sign(secret, body, at)
	tests := []struct {
		name   string
		secret []byte
		body   []byte
		header string
		now    time.Time
		ok     bool
	}{
		{"valid", secret, body, h, at.Add(time.Minute), true},
		{"other secret", []byte("other"), body, h, at, false},
		{"changed body", secret, []byte(`{"event":"y"}`), h, at, false},
		{"too old", secret, body, h, at.Add(10 * time.Minute), false},
		{"from the future", secret, body, h, at.Add(-10 * time.Minute), false},
		{"malformed", secret, body, "garbage", at, false},
		{"no signature", secret, body, "t=1800000000", at, false},
		{"second signature valid", secret, body, "t=1800000000,v1=00," + strings.Split(h, ",")[1], at, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := notify.Verify(tc.secret, tc.body, tc.header, tc.now, 5*time.Minute)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestFor(t *testing.T) {
	e := notify.Event{Kind: notify.EventNewFindings, Findings: []notify.Finding{
		{Vulnerability: "CVE-A", Score: 9.8}, {Vulnerability: "CVE-B", Score: 5.3}, {Vulnerability: "CVE-C", Score: 3.1, Exploited: true}}}
	tests := []struct {
		name   string
		target notify.Target
		event  notify.Event
		want   int
		send   bool
	}{
		{"high only", notify.Target{MinScore: 7}, e, 1, true},
		{"high or exploited", notify.Target{MinScore: 7, OnExploited: true}, e, 2, true},
		{"everything", notify.Target{}, e, 3, true},
		{"nothing high enough", notify.Target{MinScore: 9.9}, e, 0, false},
		{"exploited event wanted", notify.Target{OnExploited: true}, notify.Event{Kind: notify.EventExploited, Exploited: []string{"CVE-A"}}, 0, true},
		{"exploited event not wanted", notify.Target{}, notify.Event{Kind: notify.EventExploited, Exploited: []string{"CVE-A"}}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, send := notify.For(tc.target, tc.event)
			if send != tc.send || len(got.Findings) != tc.want {
				t.Fatalf("For = %d findings, send %v; want %d, %v", len(got.Findings), send, tc.want, tc.send)
			}
		})
	}
}

func TestEmailFor(t *testing.T) {
	m := notify.EmailFor(notify.Event{Kind: notify.EventExploited, Exploited: []string{"CVE-2024-1086"}, URL: "https://lifeline.example/ui/vulnerabilities"})
	if !strings.Contains(m.Subject, "CVE-2024-1086") || !strings.Contains(m.Body, "24 hours") || !strings.Contains(m.Body, "https://lifeline.example/ui/vulnerabilities") {
		t.Fatalf("email = %+v", m)
	}
	m = notify.EmailFor(notify.Event{Kind: notify.EventNewFindings, Findings: []notify.Finding{{Vulnerability: "CVE-A", Score: 9.8, Product: "Plug", Release: "1.0", Component: "busybox 1.35.0"}}})
	if m.Subject != "Lifeline: 1 new vulnerability findings (1 vulnerabilities)" || !strings.Contains(m.Body, "busybox 1.35.0") {
		t.Fatalf("email = %+v", m)
	}
}

func TestTrim(t *testing.T) {
	e := notify.Event{Kind: notify.EventNewFindings}
	for i := range notify.MaxFindings + 50 {
		e.Findings = append(e.Findings, notify.Finding{Vulnerability: "CVE", Score: float64(i % 10)})
	}
	e.Findings[7].Exploited = true
	e.Trim()
	if len(e.Findings) != notify.MaxFindings || e.TotalFindings != notify.MaxFindings+50 || !e.Findings[0].Exploited || e.Findings[1].Score != 9 {
		t.Fatalf("trimmed: %d findings, total %d, first %+v", len(e.Findings), e.TotalFindings, e.Findings[0])
	}
	m := notify.EmailFor(e)
	if !strings.Contains(m.Subject, "250 new vulnerability findings") || !strings.Contains(m.Body, "and 50 more") {
		t.Fatalf("email = %+v", m)
	}
}
