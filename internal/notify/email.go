package notify

import (
	"fmt"
	"sort"
	"strings"
)

// Email is a plain-text message.
type Email struct {
	Subject string
	Body    string
}

// EmailFor writes the email for an event.
func EmailFor(e Event) Email {
	var b strings.Builder
	var subject string
	switch e.Kind {
	case EventTest:
		subject = "Lifeline: test notification"
		b.WriteString("This is a test notification from Lifeline. Notifications to this address work.\n")
	case EventExploited:
		ids := append([]string(nil), e.Exploited...)
		sort.Strings(ids)
		subject = fmt.Sprintf("Lifeline: %s now known to be exploited", strings.Join(ids, ", "))
		b.WriteString("These vulnerabilities, found in your firmware releases, are now listed as exploited in the wild:\n\n")
		for _, id := range ids {
			fmt.Fprintf(&b, "  %s\n", id)
		}
		b.WriteString("\nUnder the EU Cyber Resilience Act (Art. 14), an actively exploited vulnerability in a product\n" +
			"you place on the market must be notified to the CSIRT and ENISA within 24 hours of becoming aware of it.\n")
	default:
		vulns := map[string]bool{}
		for _, f := range e.Findings {
			vulns[f.Vulnerability] = true
		}
		total := max(e.TotalFindings, len(e.Findings))
		subject = fmt.Sprintf("Lifeline: %d new vulnerability findings (%d vulnerabilities)", total, len(vulns))
		if total > len(e.Findings) {
			subject = fmt.Sprintf("Lifeline: %d new vulnerability findings", total)
		}
		b.WriteString("New vulnerability findings in your firmware releases:\n\n")
		for _, f := range e.Findings {
			ex := ""
			if f.Exploited {
				ex = "  EXPLOITED"
			}
			fmt.Fprintf(&b, "  %-18s %4.1f  %s %s  %s%s\n", f.Vulnerability, f.Score, f.Product, f.Release, f.Component, ex)
		}
		if total > len(e.Findings) {
			fmt.Fprintf(&b, "  … and %d more; the worst %d are listed.\n", total-len(e.Findings), len(e.Findings))
		}
	}
	if e.URL != "" {
		fmt.Fprintf(&b, "\nSee them in Lifeline: %s\n", e.URL)
	}
	b.WriteString("\nYou receive this because your organisation in Lifeline lists this address for vulnerability notifications.\n")
	return Email{Subject: subject, Body: b.String()}
}
