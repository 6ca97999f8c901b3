package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/notify/webhook"
)

func TestSend(t *testing.T) {
	secret := []byte("whsec")
	var got []byte
	var sig, event string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		sig, event = r.Header.Get(notify.SignatureHeader), r.Header.Get("Lifeline-Event")
		if r.URL.Path == "/fail" {
			http.Error(w, "nope", http.StatusServiceUnavailable)
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	now := time.Now()
	body := []byte(`{"event":"vulnerability.exploited"}`)
	if err := (webhook.Sender{}).Send(context.Background(), srv.URL+"/ok", notify.EventExploited, secret, body, now); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) || event != notify.EventExploited {
		t.Fatalf("received %q event %q", got, event)
	}
	if err := notify.Verify(secret, got, sig, now, time.Minute); err != nil {
		t.Fatalf("the receiver cannot verify the signature: %v", err)
	}
	for _, path := range []string{"/fail", "/redirect"} {
		if err := (webhook.Sender{}).Send(context.Background(), srv.URL+path, notify.EventTest, secret, body, now); err == nil {
			t.Fatalf("%s: no error", path)
		}
	}
}
