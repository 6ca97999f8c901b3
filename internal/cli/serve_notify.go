package cli

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/notify/smtp"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// notifyFlags configure notification delivery: the SMTP relay for email
// and the rules for webhooks.
type notifyFlags struct {
	smtp                    smtp.Config
	insecureHTTPWebhooks    bool
	insecurePrivateWebhooks bool
	publicURL               string
}

func (n *notifyFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&n.smtp.Addr, "smtp-addr", "", "SMTP relay for email notifications, host:port (empty: no email)")
	f.StringVar(&n.smtp.From, "smtp-from", "", "sender address of notification emails")
	f.StringVar(&n.smtp.Username, "smtp-username", "", "SMTP user name (PLAIN authentication, only over TLS)")
	f.StringVar(&n.smtp.Password, "smtp-password", "", "SMTP password (prefer LIFELINE_SMTP_PASSWORD to a flag)")
	f.BoolVar(&n.smtp.InsecurePlaintext, "smtp-insecure-plaintext", false, "INSECURE: send email without TLS when the relay offers no STARTTLS; mail crosses the network readable")
	f.BoolVar(&n.insecureHTTPWebhooks, "insecure-http-webhooks", false, "INSECURE: allow webhook URLs without TLS; signed notifications cross the network readable")
	f.BoolVar(&n.insecurePrivateWebhooks, "insecure-private-webhooks", false, "INSECURE: let webhooks reach loopback and private addresses, i.e. let organisation owners make this server send requests inside your network")
	f.StringVar(&n.publicURL, "public-url", "", "the server's public address, for links in notifications, e.g. https://lifeline.example.com")
}

func (n *notifyFlags) config(log *slog.Logger) (service.Notify, error) {
	cfg := service.Notify{InsecureHTTPWebhooks: n.insecureHTTPWebhooks, InsecurePrivateWebhooks: n.insecurePrivateWebhooks, BaseURL: strings.TrimRight(n.publicURL, "/")}
	if n.insecureHTTPWebhooks {
		log.Warn("INSECURE: --insecure-http-webhooks is on; webhook notifications may travel over plain HTTP")
	}
	if n.insecurePrivateWebhooks {
		log.Warn("INSECURE: --insecure-private-webhooks is on; organisation owners can make this server send requests to private addresses")
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

// feedFlags configure advisory feeds the server imports by itself.
type feedFlags struct {
	feeds    []string
	interval time.Duration
}

func (ff *feedFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&ff.feeds, "feed", nil, "advisory feed to import at start and every --feed-interval, as NAME=KIND:LOCATION (kind osv, nvd, csaf or kev; location a file, directory or URL); repeatable")
	f.DurationVar(&ff.interval, "feed-interval", 6*time.Hour, "how often configured feeds are imported again (incrementally)")
}

// specs parses the --feed values.
func (ff *feedFlags) specs() ([]service.FeedSpec, error) {
	var out []service.FeedSpec
	for _, v := range ff.feeds {
		name, rest, ok1 := strings.Cut(v, "=")
		kind, loc, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || name == "" || loc == "" {
			return nil, usageError{errString("--feed " + v + ": want NAME=KIND:LOCATION, e.g. nvd=nvd:/srv/feeds/nvdcve-2.0.json")}
		}
		out = append(out, service.FeedSpec{Name: name, Kind: kind, Location: loc})
	}
	return out, nil
}

// importFeeds imports the configured feeds now and every interval until ctx
// ends. Imports are incremental, so a feed that did not change costs a read.
func importFeeds(ctx context.Context, svc *service.Service, log *slog.Logger, specs []service.FeedSpec, interval time.Duration) {
	if len(specs) == 0 {
		return
	}
	sys := access.System("feeds")
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, spec := range specs {
			res, err := svc.ImportFeed(ctx, sys, spec, nil)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Warn("importing advisory feed", "feed", spec.Name, "err", err)
				continue
			}
			log.Info("advisory feed imported", "feed", spec.Name, "records", res.Stats.Records, "unchanged", res.Stats.Unchanged,
				"errors", res.Stats.ErrorCount, "new_findings", res.NewFindings, "duration", res.Duration)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
