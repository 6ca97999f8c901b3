package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"net/url"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/notify/webhook"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// WebhookSender posts a signed webhook body.
type WebhookSender interface {
	Send(ctx context.Context, url, event string, secret, body []byte, at time.Time) error
}

// EmailSender sends one email.
type EmailSender interface {
	Send(ctx context.Context, to string, m notify.Email, at time.Time) error
}

// Notify configures notification delivery.
type Notify struct {
	// Webhook posts webhooks; nil means webhook.Sender with the rules below.
	Webhook WebhookSender
	// Email sends mail; nil when no SMTP relay is configured.
	Email EmailSender
	// InsecureHTTPWebhooks allows webhook URLs without TLS. Signed bodies
	// then cross the network readable by anyone on the path.
	InsecureHTTPWebhooks bool
	// InsecurePrivateWebhooks lets webhooks reach loopback and private
	// addresses, that is, lets any organisation owner make the server send
	// requests inside the operator's network.
	InsecurePrivateWebhooks bool
	// BaseURL is the server's public address, for links in notifications.
	BaseURL string
}

// WithNotify configures notification delivery.
func (s *Service) WithNotify(n Notify) *Service {
	s.notify = n
	return s
}

// NewTarget asks for a notification target.
type NewTarget struct {
	Kind        string  `json:"kind"` // webhook or email
	Name        string  `json:"name"`
	URL         string  `json:"url,omitempty"`
	Email       string  `json:"email,omitempty"`
	MinScore    float64 `json:"min_score"`
	OnExploited bool    `json:"on_exploited"`
}

// maxDeliveryAttempts is how often a delivery is tried before it is given up.
const maxDeliveryAttempts = 8

// retryAfter is the wait before attempt n+1 (n ≥ 1): 1 min, 4 min, 16 min, … capped at 12 h.
func retryAfter(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < 12*time.Hour; i++ {
		d *= 4
	}
	return min(d, 12*time.Hour)
}

func webhookAD(orgID, targetID string) []byte {
	return []byte("webhook-secret|" + orgID + "|" + targetID)
}

// CreateNotificationTarget adds a webhook or email target. A webhook's
// signing secret is returned once; Lifeline keeps it encrypted.
func (s *Service) CreateNotificationTarget(ctx context.Context, p access.Principal, nt NewTarget) (store.NotificationTarget, string, error) {
	orgID, err := s.scope(p, access.ManageOrg)
	if err != nil {
		return store.NotificationTarget{}, "", err
	}
	var fe errs.Fields
	fe.Check(nt.Kind == notify.KindWebhook || nt.Kind == notify.KindEmail, "kind", "must be webhook or email")
	fe.Check(nt.Name != "" && len(nt.Name) <= 100, "name", "is required, up to 100 characters")
	fe.Check(nt.MinScore >= 0 && nt.MinScore <= 10, "min_score", "must be a CVSS score from 0 to 10")
	switch nt.Kind {
	case notify.KindWebhook:
		u, err := url.Parse(nt.URL)
		ok := err == nil && u.Host != "" && (u.Scheme == "https" || (u.Scheme == "http" && s.notify.InsecureHTTPWebhooks)) && u.User == nil && len(nt.URL) <= 2000
		fe.Check(ok, "url", "must be an https:// URL without credentials")
	case notify.KindEmail:
		a, err := mail.ParseAddress(nt.Email)
		fe.Check(err == nil && a.Name == "" && len(nt.Email) <= 254, "email", "must be one email address")
		if s.notify.Email == nil {
			fe.Add("email", "cannot be used: this server has no SMTP relay configured (--smtp-addr)")
		}
	}
	if err := fe.Err(); err != nil {
		return store.NotificationTarget{}, "", err
	}
	t := store.NotificationTarget{ID: ids.New(), Kind: nt.Kind, Name: nt.Name, MinScore: nt.MinScore, OnExploited: nt.OnExploited, CreatedAt: s.clock.Now()}
	var secret string
	if nt.Kind == notify.KindWebhook {
		if s.updates.Secrets == nil {
			return t, "", errs.E(errs.Unavailable, "webhooks need the server's secret key, which is not configured").WithCode("secrets_unavailable")
		}
		var b [32]byte
		_, _ = rand.Read(b[:])
		secret = "whsec_" + hex.EncodeToString(b[:])
		t.URL, t.SecretSealed = nt.URL, s.updates.Secrets.Seal([]byte(secret), webhookAD(orgID, t.ID))
	} else {
		t.Email = nt.Email
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		if err := os.CreateNotificationTarget(ctx, t); err != nil {
			return nil, err
		}
		return s.event(p, "notification.target.create", "notification_target", t.ID, "added "+t.Kind+" notification target "+t.Name,
			map[string]any{"url": t.URL, "email": t.Email, "min_score": t.MinScore, "on_exploited": t.OnExploited}), nil
	})
	return t, secret, err
}

// NotificationTargets lists the organisation's targets. Only those who
// manage them see webhook URLs in full: chat services' incoming-webhook
// URLs carry a secret in their path.
func (s *Service) NotificationTargets(ctx context.Context, p access.Principal) ([]store.NotificationTarget, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Org(orgID).NotificationTargets(ctx)
	if err != nil || p.Can(access.ManageOrg) {
		return ts, err
	}
	for i := range ts {
		if u, err := url.Parse(ts[i].URL); err == nil && ts[i].URL != "" {
			ts[i].URL = u.Scheme + "://" + u.Host + "/…"
		}
	}
	return ts, nil
}

// DeleteNotificationTarget removes a target and its pending deliveries.
func (s *Service) DeleteNotificationTarget(ctx context.Context, p access.Principal, id string) error {
	orgID, err := s.scope(p, access.ManageOrg)
	if err != nil {
		return err
	}
	return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		if err := os.DeleteNotificationTarget(ctx, id); err != nil {
			return nil, err
		}
		return s.event(p, "notification.target.delete", "notification_target", id, "removed a notification target", nil), nil
	})
}

// NotificationDeliveries lists a target's latest deliveries.
func (s *Service) NotificationDeliveries(ctx context.Context, p access.Principal, targetID string) ([]store.Notification, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return nil, err
	}
	return s.store.Org(orgID).Notifications(ctx, targetID, 50)
}

// TestNotificationTarget queues a test notification to one target.
func (s *Service) TestNotificationTarget(ctx context.Context, p access.Principal, id string) error {
	orgID, err := s.scope(p, access.ManageOrg)
	if err != nil {
		return err
	}
	ts, err := s.store.Org(orgID).NotificationTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID == id {
			return s.store.Tx(ctx, func(q store.Queries) error {
				return s.enqueue(ctx, q.Org(orgID), []store.NotificationTarget{t}, notify.Event{Kind: notify.EventTest})
			})
		}
	}
	return errs.E(errs.NotFound, "no such notification target").WithCode("notification_target_not_found")
}

// enqueue queues e for each target that wants it, through org (the
// caller's transaction, so that notifications land with what caused them).
func (s *Service) enqueue(ctx context.Context, org store.OrgStore, targets []store.NotificationTarget, e notify.Event) error {
	o, err := org.Organisation(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	e.ID, e.Organisation, e.At = ids.New(), o.Slug, now
	if s.notify.BaseURL != "" {
		e.URL = s.notify.BaseURL + "/ui/vulnerabilities"
	}
	var ns []store.Notification
	for _, t := range targets {
		te, ok := notify.For(notify.Target{Kind: t.Kind, MinScore: t.MinScore, OnExploited: t.OnExploited}, e)
		if !ok {
			continue
		}
		body, err := json.Marshal(te)
		if err != nil {
			return err
		}
		ns = append(ns, store.Notification{ID: ids.New(), TargetID: t.ID, Event: e.Kind, Payload: body, NextAttemptAt: now, CreatedAt: now})
	}
	if len(ns) == 0 {
		return nil
	}
	return org.EnqueueNotifications(ctx, ns)
}

// queueNotifications queues, in q's transaction, notifications of what a
// rematch changed: new open findings, and vulnerabilities newly known to be
// exploited.
func (s *Service) queueNotifications(ctx context.Context, q store.Queries, orgID string, res store.SyncResult) error {
	if len(res.Added) == 0 && len(res.NewlyExploited) == 0 {
		return nil
	}
	org := q.Org(orgID)
	targets, err := org.NotificationTargets(ctx)
	if err != nil || len(targets) == 0 {
		return err
	}
	if len(res.Added) > 0 {
		names := releaseNames(ctx, org, res.Added)
		e := notify.Event{Kind: notify.EventNewFindings}
		for _, f := range res.Added {
			if f.Status != store.FindingOpen && f.Status != store.FindingAffected {
				continue
			}
			n := names[f.ReleaseID]
			e.Findings = append(e.Findings, notify.Finding{Vulnerability: f.VulnID, Score: f.Score, Exploited: f.Exploited, Product: n[0], Release: n[1], Component: f.Component})
		}
		if len(e.Findings) > 0 {
			e.Trim()
			if err := s.enqueue(ctx, org, targets, e); err != nil {
				return err
			}
		}
	}
	if len(res.NewlyExploited) > 0 {
		return s.enqueue(ctx, org, targets, notify.Event{Kind: notify.EventExploited, Exploited: res.NewlyExploited})
	}
	return nil
}

// releaseNames maps release IDs to product name and version.
func releaseNames(ctx context.Context, os store.OrgStore, fs []store.Finding) map[string][2]string {
	out := map[string][2]string{}
	for _, f := range fs {
		if _, ok := out[f.ReleaseID]; ok {
			continue
		}
		prod, err := os.Product(ctx, f.ProductID)
		if err != nil {
			continue
		}
		out[f.ReleaseID] = [2]string{prod.Name, ""}
		pg := store.Page{Limit: store.MaxLimit}
		for {
			l, err := os.Releases(ctx, prod.ID, pg)
			if err != nil {
				break
			}
			for _, r := range l.Items {
				out[r.ID] = [2]string{prod.Name, r.Version}
			}
			if l.Next == "" {
				break
			}
			pg.Cursor = l.Next
		}
	}
	return out
}

// DeliverNotifications sends due deliveries and records each attempt; it
// returns how many were delivered. Every server runs it: claims keep two
// servers from sending the same delivery at once.
func (s *Service) DeliverNotifications(ctx context.Context) (int, error) {
	// A claim must outlast the slowest batch (a webhook gives up after
	// 15 s, an email after a minute), or another server would send again.
	const batch = 10
	const lease = batch * 2 * time.Minute
	due, err := s.store.Directory().ClaimNotifications(ctx, s.clock.Now(), lease, batch)
	if err != nil {
		return 0, err
	}
	delivered := 0
	for _, n := range due {
		err := s.deliver(ctx, n)
		a := store.NotificationAttempt{At: s.clock.Now(), Delivered: err == nil, Claimed: n.NextAttemptAt}
		if err != nil {
			a.Error = err.Error()
			if len(a.Error) > 500 {
				a.Error = a.Error[:500]
			}
			if n.Attempts+1 >= maxDeliveryAttempts {
				a.Failed = true
			} else {
				a.Next = a.At.Add(retryAfter(n.Attempts + 1))
			}
			s.log.WarnContext(ctx, "notification delivery failed", "target", n.TargetID, "attempt", n.Attempts+1, "err", err)
		} else {
			delivered++
		}
		if err := s.store.Directory().FinishNotification(ctx, n.ID, a); err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

func (s *Service) deliver(ctx context.Context, n store.ClaimedNotification) error {
	switch n.Target.Kind {
	case notify.KindWebhook:
		if s.updates.Secrets == nil {
			return errs.E(errs.Unavailable, "the server's secret key is not configured")
		}
		secret, err := s.updates.Secrets.Open(n.Target.SecretSealed, webhookAD(n.OrgID, n.Target.ID))
		if err != nil {
			return err
		}
		var sender WebhookSender = webhook.Sender{AllowPrivate: s.notify.InsecurePrivateWebhooks}
		if s.notify.Webhook != nil {
			sender = s.notify.Webhook
		}
		return sender.Send(ctx, n.Target.URL, n.Event, secret, n.Payload, s.clock.Now())
	case notify.KindEmail:
		if s.notify.Email == nil {
			return errs.E(errs.Unavailable, "this server has no SMTP relay configured")
		}
		var e notify.Event
		if err := json.Unmarshal(n.Payload, &e); err != nil {
			return err
		}
		if err := s.notify.Email.Send(ctx, n.Target.Email, notify.EmailFor(e), s.clock.Now()); err != nil {
			// The relay's answer is the operator's business, not the tenant's.
			s.log.WarnContext(ctx, "sending notification email", "target", n.Target.ID, "err", err)
			return errs.E(errs.Unavailable, "the mail relay did not accept the message")
		}
		return nil
	}
	return errs.E(errs.Internal, "unknown target kind %q", n.Target.Kind)
}
