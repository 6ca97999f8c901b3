// Package webhook delivers notifications as signed HTTP POSTs (see package
// notify for the signature).
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/notify"
)

// maxResponse bounds what is read of a receiver's answer.
const maxResponse = 64 << 10

// Sender posts webhook bodies.
type Sender struct {
	Client *http.Client // default: 10 s timeout, no redirects
}

// Send posts body to url, signed with secret at time at. Any 2xx answer is
// success; redirects are not followed, so a receiver cannot bounce the
// signed body elsewhere.
func (s Sender) Send(ctx context.Context, url, event string, secret, body []byte, at time.Time) error {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Lifeline-Webhook/1")
	req.Header.Set("Lifeline-Event", event)
	req.Header.Set(notify.SignatureHeader, notify.Sign(secret, body, at))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}
