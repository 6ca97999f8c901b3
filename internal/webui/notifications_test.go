package webui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

var (
	webhookSecretRE = regexp.MustCompile(`whsec_[0-9a-f]{64}`)
	targetTestRE    = regexp.MustCompile(`action="/ui/notifications/([^/"]+)/test"`)
)

// receiver is a webhook receiver that checks every delivery's signature
// with the secret Lifeline showed for its path.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	now func() time.Time

	mu       sync.Mutex
	secrets  map[string]string // by path
	verified []string          // the events whose signature checked out
}

func (e *env) receiver() *receiver {
	rc := &receiver{t: e.t, now: e.clk.Now, secrets: map[string]string{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		secret, ok := rc.secrets[r.URL.Path]
		if !ok {
			http.Error(w, "no such hook", http.StatusServiceUnavailable)
			return
		}
		if err := notify.Verify([]byte(secret), body, r.Header.Get(notify.SignatureHeader), rc.now(), 5*time.Minute); err != nil {
			rc.t.Errorf("delivery to %s: %v", r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		rc.verified = append(rc.verified, r.Header.Get("Lifeline-Event"))
	}))
	e.t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) accept(path, secret string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secrets[path] = secret
}

func (rc *receiver) events() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.verified...)
}

// deliver runs the notification dispatcher once and checks how many it delivered.
func (e *env) deliver(want int) {
	e.t.Helper()
	n, err := e.svc.DeliverNotifications(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if n != want {
		e.t.Fatalf("delivered %d notifications, want %d", n, want)
	}
}

// TestNotifications adds a webhook as an owner, sees its secret once,
// sends a test that a receiver verifies, and checks what other roles and
// other organisations may do.
func TestNotifications(t *testing.T) {
	e := newEnv(t, webui.Config{})
	e.svc.WithNotify(service.Notify{InsecureHTTPWebhooks: true, InsecurePrivateWebhooks: true})
	o := e.org("acme")
	rival := e.org("rival")
	rc := e.receiver()

	owner := e.browser()
	owner.login(o.email[access.Owner])
	page := owner.get("/ui/notifications")
	wantStatus(t, "notifications", page, http.StatusOK)
	wantBody(t, "notifications", page, "No notification targets yet", `action="/ui/notifications"`,
		`id="webhook-name"`, `id="webhook-url"`, `id="webhook-min_score" name="min_score" type="number" value="7"`,
		`id="webhook-on_exploited" name="on_exploited" type="checkbox" value="on" checked`,
		`id="mail-name"`, `id="mail-email"`, `id="mail-on_exploited" name="on_exploited" type="checkbox" value="on" checked`, "--smtp-addr")
	checkPage(t, "notifications", page)
	wantBody(t, "portfolio links to notifications", owner.get("/ui/vulnerabilities"), `href="/ui/notifications"`)
	wantBody(t, "organisation links to notifications", owner.get("/ui/organisation"), `href="/ui/notifications"`)

	// A bad form is shown again with its errors and its values.
	r := owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"webhook"}, "url": {"ftp://hooks.example/x"}, "min_score": {"eleven"}})
	wantStatus(t, "bad webhook", r, http.StatusBadRequest)
	wantBody(t, "bad webhook", r, `id="webhook-name-error"`, `id="webhook-url-error"`, `id="webhook-min_score-error"`,
		"must be a CVSS score from 0 to 10", `value="ftp://hooks.example/x"`, `value="eleven"`, "Please correct the fields marked below.")
	notBody(t, "bad webhook", r, `id="mail-name-error"`, `id="webhook-on_exploited" name="on_exploited" type="checkbox" value="on" checked`)
	checkPage(t, "bad webhook", r)
	if ts, _ := e.svc.NotificationTargets(context.Background(), o.sys); len(ts) != 0 {
		t.Fatalf("a bad form made targets: %+v", ts)
	}

	// Email needs an SMTP relay, which this server lacks.
	r = owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"email"}, "name": {"Security"}, "email": {"security@acme.example"}, "min_score": {"7"}, "on_exploited": {"on"}})
	wantStatus(t, "email without SMTP", r, http.StatusBadRequest)
	wantBody(t, "email without SMTP", r, `id="mail-email-error"`, "no SMTP relay configured (--smtp-addr)", `value="security@acme.example"`)
	notBody(t, "email without SMTP", r, `id="webhook-name-error"`)
	checkPage(t, "email without SMTP", r)

	// The webhook's secret is shown once, on the page answering the form.
	hook := rc.srv.URL + "/hook"
	r = owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"webhook"}, "name": {"Ops chat"}, "url": {hook}, "min_score": {"9"}, "on_exploited": {"on"}})
	wantStatus(t, "add webhook", r, http.StatusOK)
	wantBody(t, "add webhook", r, "Copy the webhook's signing secret now", "Lifeline-Signature: t=&lt;unix seconds&gt;,v1=", "HMAC-SHA256")
	checkPage(t, "add webhook", r)
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the secret's page has Cache-Control %q", cc)
	}
	secret := webhookSecretRE.FindString(r.body)
	if secret == "" {
		t.Fatalf("no secret on the page:\n%s", r.body)
	}
	rc.accept("/hook", secret)
	page = owner.get("/ui/notifications")
	wantBody(t, "after adding", page, "Ops chat", hook, "CVSS score 9 or more", "Yes, whatever their score", "Nothing sent yet.")
	notBody(t, "after adding", page, secret, "signing secret now")
	checkPage(t, "after adding", page)
	m := targetTestRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no Send test form:\n%s", page.body)
	}
	id := m[1]

	r = owner.submit("/ui/notifications", "/ui/notifications/"+id+"/test", nil)
	wantStatus(t, "send test", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/ui/notifications?done=target_tested#target-"+id {
		t.Fatalf("send test redirected to %q", loc)
	}
	page = owner.get("/ui/notifications?done=target_tested")
	wantBody(t, "test queued", page, "A test notification was queued", "Pending: not sent yet")
	e.deliver(1)
	if got := rc.events(); len(got) != 1 || got[0] != notify.EventTest {
		t.Fatalf("the receiver verified %v", got)
	}
	page = owner.get("/ui/notifications")
	wantBody(t, "delivered", page, "Latest deliveries", "<th scope=\"row\">Test</th>", "Delivered "+start.Format("2 Jan 2006, 15:04 UTC"))
	notBody(t, "delivered", page, "Nothing sent yet.", "Pending")
	checkPage(t, "delivered", page)

	// A delivery the receiver refuses is retried and shows its error.
	r = owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"webhook"}, "name": {"Broken"}, "url": {rc.srv.URL + "/gone"}, "min_score": {"0"}})
	wantStatus(t, "add broken webhook", r, http.StatusOK)
	broken := ""
	for _, m := range targetTestRE.FindAllStringSubmatch(owner.get("/ui/notifications").body, -1) {
		if m[1] != id {
			broken = m[1]
		}
	}
	wantStatus(t, "test broken", owner.submit("/ui/notifications", "/ui/notifications/"+broken+"/test", nil), http.StatusSeeOther)
	e.deliver(0)
	page = owner.get("/ui/notifications")
	wantBody(t, "failed delivery", page, "Every new finding", "the receiver answered 503 Service Unavailable", "Pending: next attempt")
	checkPage(t, "failed delivery", page)

	// Maintainers and viewers read the page but change nothing.
	for _, role := range []access.Role{access.Maintainer, access.Viewer} {
		b := e.browser()
		b.login(o.email[role])
		ro := b.get("/ui/notifications")
		wantStatus(t, string(role), ro, http.StatusOK)
		wantBody(t, string(role), ro, "Ops chat", "Only owners add, test and remove")
		// The URL's path may hold a chat service's secret: only owners see it.
		notBody(t, string(role), ro, secret, hook, `action="/ui/notifications"`, "/test\"", "/delete\"")
		checkPage(t, string(role), ro)
		for _, post := range []struct {
			action string
			form   url.Values
		}{
			{"/ui/notifications", url.Values{"kind": {"webhook"}, "name": {"Mine"}, "url": {hook}, "min_score": {"7"}}},
			{"/ui/notifications", url.Values{"kind": {"webhook"}, "name": {"Mine"}, "url": {hook}, "min_score": {"eleven"}}},
			{"/ui/notifications/" + id + "/test", nil},
			{"/ui/notifications/" + id + "/delete", nil},
		} {
			r := b.submit("/ui/notifications", post.action, post.form)
			wantStatus(t, string(role)+" "+post.action, r, http.StatusForbidden)
			wantBody(t, string(role)+" "+post.action, r, "You are not allowed to do this")
		}
	}

	// Another organisation's owner neither sees nor touches the target.
	other := e.browser()
	other.login(rival.email[access.Owner])
	theirs := other.get("/ui/notifications")
	wantStatus(t, "rival", theirs, http.StatusOK)
	wantBody(t, "rival", theirs, "No notification targets yet")
	notBody(t, "rival", theirs, "Ops chat", hook, id)
	for _, action := range []string{"/test", "/delete"} {
		r := other.submit("/ui/notifications", "/ui/notifications/"+id+action, nil)
		wantStatus(t, "rival "+action, r, http.StatusNotFound)
	}
	if ts, _ := e.svc.NotificationTargets(context.Background(), o.sys); len(ts) != 2 {
		t.Fatalf("targets after the others tried: %+v", ts)
	}

	// Removing asks for a second click, behind a details element, and
	// takes the target away.
	page = owner.get("/ui/notifications")
	wantBody(t, "remove offered", page, "<summary>Remove<span class=\"visually-hidden\"> Ops chat</span></summary>", "Remove Ops chat</button>")
	r = owner.submit("/ui/notifications", "/ui/notifications/"+id+"/delete", nil)
	wantStatus(t, "remove", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/ui/notifications?done=target_removed" {
		t.Fatalf("remove redirected to %q", loc)
	}
	page = owner.get(r.header.Get("Location"))
	wantBody(t, "removed", page, "The notification target was removed.", "Broken")
	notBody(t, "removed", page, "Ops chat")
	wantStatus(t, "remove again", owner.submit("/ui/notifications", "/ui/notifications/"+id+"/delete", nil), http.StatusNotFound)
}

// fakeMail records the email notifications it is asked to send.
type fakeMail struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakeMail) Send(_ context.Context, to string, _ notify.Email, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, to)
	return nil
}

// TestNotificationsEmail adds an email target on a server with an SMTP
// relay: no secret, a redirect with a confirmation, and a test delivered.
func TestNotificationsEmail(t *testing.T) {
	e := newEnv(t, webui.Config{})
	mail := &fakeMail{}
	e.svc.WithNotify(service.Notify{Email: mail})
	o := e.org("acme")
	owner := e.browser()
	owner.login(o.email[access.Owner])

	// Without InsecureHTTPWebhooks, a webhook needs https.
	r := owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"webhook"}, "name": {"Plain"}, "url": {"http://hooks.example/x"}, "min_score": {"7"}})
	wantStatus(t, "http webhook", r, http.StatusBadRequest)
	wantBody(t, "http webhook", r, `id="webhook-url-error"`, "must be an https:// URL without credentials")

	r = owner.submit("/ui/notifications", "/ui/notifications", url.Values{"kind": {"email"}, "name": {"Security"}, "email": {"security@acme.example"}, "min_score": {"7"}})
	wantStatus(t, "add email", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/ui/notifications?done=target_added" {
		t.Fatalf("add email redirected to %q", loc)
	}
	page := owner.get(r.header.Get("Location"))
	wantBody(t, "email added", page, "The email address was added.", "security@acme.example", "CVSS score 7 or more", "<dt>Newly exploited</dt><dd>No</dd>")
	notBody(t, "email added", page, "whsec_")
	checkPage(t, "email added", page)

	id := targetTestRE.FindStringSubmatch(page.body)[1]
	wantStatus(t, "test email", owner.submit("/ui/notifications", "/ui/notifications/"+id+"/test", nil), http.StatusSeeOther)
	e.deliver(1)
	if len(mail.sent) != 1 || mail.sent[0] != "security@acme.example" {
		t.Fatalf("mail sent to %v", mail.sent)
	}
	wantBody(t, "email delivered", owner.get("/ui/notifications"), "Delivered ")
}
