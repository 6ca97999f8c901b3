package smtp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/notify/smtp"
)

// relay is a real SMTP server (go-smtp) on loopback that keeps what it receives.
type relay struct {
	mu       sync.Mutex
	messages []string
	rcpts    []string
	authed   bool
	password string
}

func (r *relay) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &session{r: r}, nil }

type session struct{ r *relay }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "lifeline" || pass != s.r.password {
			return errors.New("bad credentials")
		}
		s.r.mu.Lock()
		s.r.authed = true
		s.r.mu.Unlock()
		return nil
	}), nil
}
func (s *session) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.rcpts = append(s.r.rcpts, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.messages = append(s.r.messages, string(b))
	return err
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func startRelay(t *testing.T, tlsConfig *tls.Config) (*relay, string) {
	t.Helper()
	r := &relay{password: "hunter22"}
	srv := gosmtp.NewServer(r)
	srv.Domain = "localhost"
	srv.TLSConfig = tlsConfig
	srv.AllowInsecureAuth = false
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String()
}

func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

var mail = notify.Email{Subject: "Lifeline: CVE-2024-1086 now known to be exploited", Body: "Line one\n.leading dot\n"}

func TestSendOverSTARTTLSWithAuth(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	r, addr := startRelay(t, serverTLS)
	s := smtp.Sender{Config: smtp.Config{Addr: addr, From: "lifeline@acme.example", Username: "lifeline", Password: "hunter22",
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}}
	if err := s.Send(context.Background(), "psirt@acme.example", mail, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !r.authed || len(r.messages) != 1 || r.rcpts[0] != "psirt@acme.example" {
		t.Fatalf("relay got %+v", r)
	}
	m := r.messages[0]
	for _, want := range []string{"Subject: Lifeline: CVE-2024-1086 now known to be exploited", "From: lifeline@acme.example", "\r\n.leading dot\r\n", "Content-Type: text/plain; charset=utf-8"} {
		if !strings.Contains(m, want) {
			t.Fatalf("message lacks %q:\n%s", want, m)
		}
	}
	s.Config.Password = "wrong"
	if err := s.Send(context.Background(), "psirt@acme.example", mail, time.Now()); err == nil {
		t.Fatal("a wrong password was accepted")
	}
}

func TestPlaintextOnlyWhenNamed(t *testing.T) {
	r, addr := startRelay(t, nil)
	s := smtp.Sender{Config: smtp.Config{Addr: addr, From: "lifeline@acme.example"}}
	if err := s.Send(context.Background(), "psirt@acme.example", mail, time.Now()); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("plaintext without the insecure option: %v", err)
	}
	s.Config.InsecurePlaintext = true
	s.Config.Username = "lifeline"
	if err := s.Send(context.Background(), "psirt@acme.example", mail, time.Now()); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a password over plaintext: %v", err)
	}
	s.Config.Username = ""
	if err := s.Send(context.Background(), "psirt@acme.example", mail, time.Now()); err != nil {
		t.Fatal(err)
	}
	if len(r.messages) != 1 {
		t.Fatalf("messages = %d", len(r.messages))
	}
	if err := s.Send(context.Background(), "a@b.example\r\nBcc: x@y.example", mail, time.Now()); err == nil {
		t.Fatal("a header injection was sent")
	}
}
