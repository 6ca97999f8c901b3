// Package client is a Go client for Lifeline's management API, used by the
// lifeline command line. It speaks plain JSON over HTTP, limits how much of
// a response it reads, and turns the API's error shape into *APIError.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// MaxResponseBytes bounds a response body the client will read.
const MaxResponseBytes = 32 << 20

// Client calls one Lifeline server.
type Client struct {
	BaseURL   string // e.g. https://lifeline.example.com
	Token     string // API token
	HTTP      *http.Client
	UserAgent string
}

// New returns a client for the server at baseURL.
func New(baseURL, token string) *Client {
	return &Client{
		BaseURL:   strings.TrimRight(baseURL, "/"),
		Token:     token,
		HTTP:      &http.Client{Timeout: 10 * time.Minute},
		UserAgent: "lifeline-cli",
	}
}

// APIError is an error the server reported.
type APIError struct {
	Status    int               `json:"-"`
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
	Details   json.RawMessage   `json:"details,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		if len(e.Fields) > 1 || !strings.Contains(e.Message, f.Message) {
			fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
		}
	}
	if e.Status >= 500 && e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// Do sends a request with an optional JSON body and decodes a JSON response into out.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var r io.Reader
	ct := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r, ct = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, method, path, query, r, ct, -1, out)
}

// Upload sends r as the request body with the given content type.
func (c *Client) Upload(ctx context.Context, path string, query url.Values, contentType string, r io.Reader, size int64, out any) error {
	return c.send(ctx, http.MethodPost, path, query, r, contentType, size, out)
}

// Stream sends r with the given method and no overall time limit, for
// firmware images that take longer than the client's usual timeout; ctx
// still ends it.
func (c *Client) Stream(ctx context.Context, method, path string, query url.Values, contentType string, r io.Reader, size int64, out any) error {
	slow := *c
	hc := *c.HTTP
	hc.Timeout = 0
	slow.HTTP = &hc
	return slow.send(ctx, method, path, query, r, contentType, size, out)
}

func (c *Client) send(ctx context.Context, method, path string, query url.Values, body io.Reader, contentType string, size int64, out any) error {
	if c.BaseURL == "" {
		return errors.New("no server: pass --server, set LIFELINE_SERVER, or run lifeline login")
	}
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if size >= 0 {
		req.ContentLength = size
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if len(data) > MaxResponseBytes {
		return fmt.Errorf("the response is larger than %d bytes", MaxResponseBytes)
	}
	if resp.StatusCode >= 400 {
		var eb struct {
			Error APIError `json:"error"`
		}
		if json.Unmarshal(data, &eb) != nil || eb.Error.Message == "" {
			return &APIError{Status: resp.StatusCode, Code: "http_error", Message: fmt.Sprintf("the server answered %s", resp.Status)}
		}
		eb.Error.Status = resp.StatusCode
		return &eb.Error
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the server's answer is not the JSON expected: %w", err)
	}
	return nil
}
