package cli

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/notify/smtp"
	"github.com/lifeline-iot/lifeline/internal/notify/webhook"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// notifyFlags configure notification delivery: the SMTP relay for email
// and the rules for webhooks.
type notifyFlags struct {
	smtp                 smtp.Config
	insecureHTTPWebhooks bool
	publicURL            string
}

func (n *notifyFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&n.smtp.Addr, "smtp-addr", "", "SMTP relay for email notifications, host:port (empty: no email)")
	f.StringVar(&n.smtp.From, "smtp-from", "", "sender address of notification emails")
	f.StringVar(&n.smtp.Username, "smtp-username", "", "SMTP user name (PLAIN authentication, only over TLS)")
	f.StringVar(&n.smtp.Password, "smtp-password", "", "SMTP password (prefer LIFELINE_SMTP_PASSWORD to a flag)")
	f.BoolVar(&n.smtp.InsecurePlaintext, "smtp-insecure-plaintext", false, "INSECURE: send email without TLS when the relay offers no STARTTLS; mail crosses the network readable")
	f.BoolVar(&n.insecureHTTPWebhooks, "insecure-http-webhooks", false, "INSECURE: allow webhook URLs without TLS; signed notifications cross the network readable")
	f.StringVar(&n.publicURL, "public-url", "", "the server's public address, for links in notifications, e.g. https://lifeline.example.com")
}

func (n *notifyFlags) config(log *slog.Logger) (service.Notify, error) {
	cfg := service.Notify{Webhook: webhook.Sender{}, InsecureHTTPWebhooks: n.insecureHTTPWebhooks, BaseURL: strings.TrimRight(n.publicURL, "/")}
	if n.insecureHTTPWebhooks {
		log.Warn("INSECURE: --insecure-http-webhooks is on; webhook notifications may travel over plain HTTP")
	}
	if n.smtp.Addr != "" {
		if n.smtp.From == "" {
			return cfg, usageError{errString("--smtp-from is required with --smtp-addr")}
		}
		if n.smtp.InsecurePlaintext {
			log.Warn("INSECURE: --smtp-insecure-plaintext is on; email may travel without TLS")
		}
		cfg.Email = smtp.Sender{Config: n.smtp}
	}
	return cfg, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// deliverNotifications sends queued notifications every interval until ctx ends.
func deliverNotifications(ctx context.Context, svc *service.Service, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := svc.DeliverNotifications(ctx); err != nil && ctx.Err() == nil {
			log.Warn("delivering notifications", "err", err)
		} else if n > 0 {
			log.Info("notifications delivered", "count", n)
		}
	}
}
