package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
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
	local := webhook.Sender{AllowPrivate: true}
	if err := local.Send(context.Background(), srv.URL+"/ok", notify.EventExploited, secret, body, now); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) || event != notify.EventExploited {
		t.Fatalf("received %q event %q", got, event)
	}
	if err := notify.Verify(secret, got, sig, now, time.Minute); err != nil {
		t.Fatalf("the receiver cannot verify the signature: %v", err)
	}
	for _, path := range []string{"/fail", "/redirect"} {
		if err := local.Send(context.Background(), srv.URL+path, notify.EventTest, secret, body, now); err == nil {
			t.Fatalf("%s: no error", path)
		}
	}

	// By default a webhook cannot reach the server's own network.
	err := webhook.Sender{}.Send(context.Background(), srv.URL+"/ok", notify.EventTest, secret, body, now)
	if !errors.Is(err, webhook.ErrPrivateAddress) {
		t.Fatalf("a loopback webhook: %v", err)
	}
	err = local.Send(context.Background(), "http://127.0.0.1:1/closed", notify.EventTest, secret, body, now)
	if err == nil || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("a refused connection leaks detail: %v", err)
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::1111": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fd00::1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false,
	} {
		if got := webhook.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}
