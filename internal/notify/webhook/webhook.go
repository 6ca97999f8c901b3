// Package webhook delivers notifications as signed HTTP POSTs (see package
// notify for the signature).
//
// Webhook URLs are chosen by organisation owners, not by the operator, so
// by default the sender refuses to connect to loopback, private,
// link-local, carrier-grade NAT and other non-public addresses, checked on
// the address actually dialled (after DNS, so a name that resolves inside
// the network is refused too). Errors say what class of failure happened
// and nothing about the network behind it.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/lifeline-iot/lifeline/internal/notify"
)

// maxResponse bounds what is read of a receiver's answer.
const maxResponse = 64 << 10

// Sender posts webhook bodies.
type Sender struct {
	// AllowPrivate lets webhooks reach loopback and private networks. It
	// lets any organisation owner make the server send requests inside the
	// operator's network; only for tests and single-tenant deployments.
	AllowPrivate bool
	// Client, when set, replaces the default client (10 s timeout, no
	// redirects, public addresses only).
	Client *http.Client
}

// ErrPrivateAddress is returned for a webhook host that is not public.
var ErrPrivateAddress = errors.New("the webhook's host is not a public address")

// Send posts body to url, signed with secret at time at. Any 2xx answer is
// success; redirects are not followed, so a receiver cannot bounce the
// signed body elsewhere.
func (s Sender) Send(ctx context.Context, url, event string, secret, body []byte, at time.Time) error {
	client := s.Client
	if client == nil {
		client = s.defaultClient()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return errors.New("the webhook URL is not valid")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Lifeline-Webhook/1")
	req.Header.Set("Lifeline-Event", event)
	req.Header.Set(notify.SignatureHeader, notify.Sign(secret, body, at))
	resp, err := client.Do(req)
	if err != nil {
		return publicError(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

func (s Sender) defaultClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !s.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return ErrPrivateAddress
			}
			return nil
		}
	}
	transport := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConns: 10, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Timeout: 15 * time.Second, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Public reports whether a is a public unicast address.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach private IPv4
	netip.MustParsePrefix("2001:db8::/32"),
}

// publicError describes a transport failure without the details (addresses,
// ports, resolver messages) that would map the network for the caller.
func publicError(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return ErrPrivateAddress
	case errors.As(err, &ne) && ne.Timeout():
		return errors.New("the receiver did not answer in time")
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return errors.New("the webhook's host name could not be resolved")
	}
	return errors.New("could not connect to the receiver")
}
