package store

import (
	"context"
	"time"
)

// Notifications is an organisation's notification targets and the
// deliveries queued for them.
type Notifications interface {
	CreateNotificationTarget(ctx context.Context, t NotificationTarget) error
	NotificationTargets(ctx context.Context) ([]NotificationTarget, error)
	// DeleteNotificationTarget removes a target and its queued deliveries.
	DeleteNotificationTarget(ctx context.Context, id string) error
	// EnqueueNotifications queues deliveries to the organisation's own
	// targets; a target of another organisation is errs.NotFound.
	EnqueueNotifications(ctx context.Context, ns []Notification) error
	// Notifications lists a target's latest deliveries, newest first.
	Notifications(ctx context.Context, targetID string, limit int) ([]Notification, error)
}

// NotificationOutbox is the site-wide side of delivery: every server's
// dispatcher claims due deliveries from it.
type NotificationOutbox interface {
	// ClaimNotifications claims up to limit deliveries due at now, moving
	// each one's next attempt to now+lease so that no other server takes
	// it meanwhile, and returns them with their targets.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ClaimedNotification, error)
	// FinishNotification records an attempt: delivered, failed for good,
	// or to be retried at next. An attempt whose claim has passed to
	// another server (attempt.Claimed no longer matches) records nothing.
	FinishNotification(ctx context.Context, id string, attempt NotificationAttempt) error
}

// NotificationTarget is where an organisation wants notifications sent.
type NotificationTarget struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"` // webhook, email
	Name         string    `json:"name"`
	URL          string    `json:"url,omitempty"`
	Email        string    `json:"email,omitempty"`
	MinScore     float64   `json:"min_score"`
	OnExploited  bool      `json:"on_exploited"`
	SecretSealed []byte    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Notification is one queued or finished delivery.
type Notification struct {
	ID            string     `json:"id"`
	OrgID         string     `json:"-"`
	TargetID      string     `json:"target_id"`
	Event         string     `json:"event"`
	Payload       []byte     `json:"-"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	FailedAt      *time.Time `json:"failed_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// ClaimedNotification is a delivery with its target, for the dispatcher.
type ClaimedNotification struct {
	Notification
	Target NotificationTarget
}

// NotificationAttempt is the outcome of one delivery attempt.
type NotificationAttempt struct {
	Claimed   time.Time // the claim's lease end, as ClaimNotifications returned it
	At        time.Time
	Delivered bool
	Failed    bool      // give up: no more attempts
	Next      time.Time // when to retry, unless delivered or failed
	Error     string
}
