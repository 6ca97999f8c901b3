package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// receiver is a webhook endpoint on loopback that checks signatures.
type receiver struct {
	mu     sync.Mutex
	secret []byte
	events []notify.Event
	bad    int
	fail   bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if err := notify.Verify(r.secret, body, req.Header.Get(notify.SignatureHeader), time.Now(), 10*365*24*time.Hour); err != nil {
		r.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var e notify.Event
	_ = json.Unmarshal(body, &e)
	r.events = append(r.events, e)
}

// mailbox is a hand-written fake email sender.
type mailbox struct {
	mu   sync.Mutex
	sent map[string][]notify.Email
}

func (m *mailbox) Send(_ context.Context, to string, e notify.Email, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[to] = append(m.sent[to], e)
	return nil
}

func TestNotifications(t *testing.T) {
	ctx := context.Background()
	e := newVulnEnv(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	mail := &mailbox{sent: map[string][]notify.Email{}}
	e.svc.WithNotify(service.Notify{Email: mail, BaseURL: "https://lifeline.example"})

	// Webhooks must use TLS unless the insecure option is named.
	_, _, err := e.svc.CreateNotificationTarget(ctx, e.p, service.NewTarget{Kind: "webhook", Name: "PSIRT", URL: srv.URL + "/hook"})
	if pe := errs.Public(err); pe.Kind != errs.Invalid || pe.Fields[0].Field != "url" {
		t.Fatalf("an http:// webhook: %v", err)
	}
	e.svc.WithNotify(service.Notify{Email: mail, BaseURL: "https://lifeline.example", InsecureHTTPWebhooks: true, InsecurePrivateWebhooks: true})
	hook, secret, err := e.svc.CreateNotificationTarget(ctx, e.p, service.NewTarget{Kind: "webhook", Name: "PSIRT", URL: srv.URL + "/hook", MinScore: 9, OnExploited: true})
	mustNil(t, err)
	if !strings.HasPrefix(secret, "whsec_") || len(hook.SecretSealed) == 0 || strings.Contains(string(hook.SecretSealed), secret) {
		t.Fatalf("secret %q sealed as %x", secret, hook.SecretSealed)
	}
	rcv.secret = []byte(secret)
	_, _, err = e.svc.CreateNotificationTarget(ctx, e.p, service.NewTarget{Kind: "email", Name: "Security team", Email: "security@acme.example"})
	mustNil(t, err)
	_, _, err = e.svc.CreateNotificationTarget(ctx, e.p, service.NewTarget{Kind: "email", Name: "x", Email: "Bob <not an address", MinScore: 11})
	if pe := errs.Public(err); pe.Kind != errs.Invalid || len(pe.Fields) != 2 {
		t.Fatalf("a bad email target: %+v", pe)
	}

	// New findings: the webhook wants 9.0 and above, the mailbox everything.
	e.attach(t, "1.0.0", firmwareSBOM("1.35.0", "3.0.11", "1.3"))
	e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	n, err := e.svc.DeliverNotifications(ctx)
	mustNil(t, err)
	if n != 2 || len(rcv.events) != 1 || rcv.bad != 0 {
		t.Fatalf("delivered %d; webhook got %+v (%d bad signatures)", n, rcv.events, rcv.bad)
	}
	ev := rcv.events[0]
	if ev.Kind != notify.EventNewFindings || len(ev.Findings) != 2 || ev.Organisation != "acme" || ev.Findings[0].Product != "Acme Router" || ev.URL != "https://lifeline.example/ui/vulnerabilities" {
		t.Fatalf("webhook event = %+v", ev)
	}
	if m := mail.sent["security@acme.example"]; len(m) != 1 || !strings.Contains(m[0].Subject, "3 new vulnerability findings") {
		t.Fatalf("email = %+v", mail.sent)
	}

	// A vulnerability newly known to be exploited is sent to the webhook.
	kev := filepath.Join(t.TempDir(), "kev.json")
	mustNil(t, os.WriteFile(kev, []byte(`{"title":"CISA KEV","catalogVersion":"1","dateReleased":"2026-01-01T00:00:00.000Z","count":1,
	  "vulnerabilities":[{"cveID":"CVE-2023-5678","vendorProject":"OpenSSL","product":"OpenSSL","vulnerabilityName":"x","dateAdded":"2025-12-01","shortDescription":"x","requiredAction":"x","dueDate":"2025-12-22","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`), 0o600))
	e.importFeed(t, "kev", service.FeedKEV, kev)
	_, err = e.svc.DeliverNotifications(ctx)
	mustNil(t, err)
	if len(rcv.events) != 2 || rcv.events[1].Kind != notify.EventExploited || rcv.events[1].Exploited[0] != "CVE-2023-5678" {
		t.Fatalf("webhook events = %+v", rcv.events)
	}

	// A failing receiver is retried later, then given up on.
	rcv.fail = true
	mustNil(t, e.svc.TestNotificationTarget(ctx, e.p, hook.ID))
	_, err = e.svc.DeliverNotifications(ctx)
	mustNil(t, err)
	ds, err := e.svc.NotificationDeliveries(ctx, e.p, hook.ID)
	mustNil(t, err)
	if ds[0].Attempts != 1 || ds[0].DeliveredAt != nil || !strings.Contains(ds[0].LastError, "503") || !ds[0].NextAttemptAt.After(e.env.Clock.Now()) {
		t.Fatalf("failed delivery = %+v", ds[0])
	}
	for range 10 {
		e.env.Clock.Advance(13 * time.Hour)
		_, err = e.svc.DeliverNotifications(ctx)
		mustNil(t, err)
	}
	ds, _ = e.svc.NotificationDeliveries(ctx, e.p, hook.ID)
	if ds[0].FailedAt == nil || ds[0].Attempts != 8 {
		t.Fatalf("after 8 attempts = %+v", ds[0])
	}

	// Owners manage targets; a maintainer may not, and sees no URL path.
	maint := access.Principal{Kind: access.KindSession, UserID: "m", OrgID: e.p.OrgID, Role: access.Maintainer}
	ts, err := e.svc.NotificationTargets(ctx, maint)
	mustNil(t, err)
	for _, tg := range ts {
		if tg.Kind == "webhook" && (strings.Contains(tg.URL, "/hook") || !strings.HasPrefix(tg.URL, srv.URL)) {
			t.Fatalf("a maintainer sees the webhook URL %q", tg.URL)
		}
	}
	wantKind(t, e.svc.DeleteNotificationTarget(ctx, maint, hook.ID), errs.PermissionDenied)
	mustNil(t, e.svc.DeleteNotificationTarget(ctx, e.p, hook.ID))
	wantKind(t, e.svc.DeleteNotificationTarget(ctx, e.p, hook.ID), errs.NotFound)
}
