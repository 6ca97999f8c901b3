// Package smtp delivers notification emails through an SMTP relay, with
// go-smtp. STARTTLS is required unless the operator names the insecure
// plaintext option.
package smtp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/lifeline-iot/lifeline/internal/notify"
)

// Config is the relay and the sender's identity.
type Config struct {
	Addr     string // host:port of the relay
	From     string // envelope and header sender
	Username string // PLAIN authentication, only over TLS
	Password string
	// InsecurePlaintext sends mail without TLS when the relay offers no
	// STARTTLS. Mail and any password then cross the network in the clear.
	InsecurePlaintext bool
	TLS               *tls.Config // default: verify the relay's host name
}

// Sender sends emails.
type Sender struct {
	Config Config
}

// Send delivers one email to one address.
func (s Sender) Send(ctx context.Context, to string, m notify.Email, at time.Time) error {
	c := s.Config
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(c.From, "\r\n") {
		return fmt.Errorf("smtp: address contains a line break")
	}
	cfg := c.TLS
	if cfg == nil {
		host, _, _ := net.SplitHostPort(c.Addr)
		cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	client, err := gosmtp.NewClientStartTLS(conn, cfg)
	if err != nil && strings.Contains(err.Error(), "doesn't support STARTTLS") {
		if !c.InsecurePlaintext {
			return fmt.Errorf("smtp: %s offers no STARTTLS; refusing to send in plaintext (see --smtp-insecure-plaintext)", c.Addr)
		}
		// The relay offers no TLS and the operator accepted plaintext:
		// start again on a new connection without it.
		if conn, err = s.dial(ctx); err != nil {
			return err
		}
		client = gosmtp.NewClient(conn)
		err = client.Hello("lifeline")
	}
	if err != nil {
		return err
	}
	defer client.Close()
	if c.Username != "" {
		if _, tlsOn := client.TLSConnectionState(); !tlsOn {
			return fmt.Errorf("smtp: refusing to send the password to %s without TLS", c.Addr)
		}
		if err := client.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			return err
		}
	}
	if err := client.SendMail(c.From, []string{to}, bytes.NewReader(message(c.From, to, m, at))); err != nil {
		return err
	}
	return client.Quit()
}

func (s Sender) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.Config.Addr)
	if err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	_ = conn.SetDeadline(deadline)
	return conn, nil
}

// message writes an RFC 5322 message with a UTF-8 plain-text body.
func message(from, to string, m notify.Email, at time.Time) []byte {
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := "lifeline.invalid"
	if i := strings.LastIndex(from, "@"); i >= 0 {
		domain = from[i+1:]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		from, to, mime.QEncoding.Encode("utf-8", m.Subject), at.Format(time.RFC1123Z), hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n")
	// go-smtp's DATA writer does the dot-stuffing.
	for _, line := range strings.Split(m.Body, "\n") {
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}
