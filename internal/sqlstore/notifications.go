package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

const targetColumns = `id, kind, name, url, email, min_score, on_exploited, secret_sealed, created_at`

var errNotifyTargetNotFound = errs.E(errs.NotFound, "no such notification target").WithCode("notification_target_not_found")

func scanTarget(sc interface{ Scan(...any) error }) (store.NotificationTarget, error) {
	var t store.NotificationTarget
	var at timeCol
	err := sc.Scan(&t.ID, &t.Kind, &t.Name, &t.URL, &t.Email, &t.MinScore, &t.OnExploited, &t.SecretSealed, &at)
	t.CreatedAt = at.T
	return t, err
}

func (s *orgStore) CreateNotificationTarget(ctx context.Context, t store.NotificationTarget) error {
	_, err := s.q.exec(ctx, `INSERT INTO notification_targets (org_id, `+targetColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.org, t.ID, t.Kind, t.Name, t.URL, t.Email, t.MinScore, t.OnExploited, t.SecretSealed, s.q.t(t.CreatedAt))
	return err
}

func (s *orgStore) NotificationTargets(ctx context.Context) ([]store.NotificationTarget, error) {
	rows, err := s.q.query(ctx, `SELECT `+targetColumns+` FROM notification_targets WHERE org_id = ? ORDER BY created_at, id`, s.org)
	if err != nil {
		return nil, err
	}
	var out []store.NotificationTarget
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		t, err := scanTarget(rows)
		out = append(out, t)
		return err
	})
}

func (s *orgStore) DeleteNotificationTarget(ctx context.Context, id string) error {
	if _, err := s.q.exec(ctx, `DELETE FROM notifications WHERE org_id = ? AND target_id = ?`, s.org, id); err != nil {
		return err
	}
	res, err := s.q.exec(ctx, `DELETE FROM notification_targets WHERE org_id = ? AND id = ?`, s.org, id)
	if err != nil {
		return err
	}
	return affected(res, errNotifyTargetNotFound)
}

func (s *orgStore) EnqueueNotifications(ctx context.Context, ns []store.Notification) error {
	var targets []string
	for _, n := range ns {
		targets = append(targets, n.TargetID)
	}
	if err := inChunks(uniq(targets), func(ph string, args []any) error {
		var n int
		if err := s.q.row(ctx, `SELECT COUNT(*) FROM notification_targets WHERE org_id = ? AND id IN (`+ph+`)`, append([]any{s.org}, args...)...).Scan(&n); err != nil {
			return err
		}
		if n != len(args) {
			return errNotifyTargetNotFound
		}
		return nil
	}); err != nil {
		return err
	}
	rows := make([][]any, 0, len(ns))
	for _, n := range ns {
		rows = append(rows, []any{n.ID, s.org, n.TargetID, n.Event, n.Payload, 0, s.q.t(n.NextAttemptAt), s.q.t(n.CreatedAt)})
	}
	return s.q.insertRows(ctx, `INSERT INTO notifications (id, org_id, target_id, event, payload, attempts, next_attempt_at, created_at)`, 8, rows)
}

const notificationColumns = `id, org_id, target_id, event, payload, attempts, next_attempt_at, delivered_at, failed_at, last_error, created_at`

func scanNotification(sc interface{ Scan(...any) error }, extra ...any) (store.Notification, error) {
	var n store.Notification
	var next, del, fail, at timeCol
	err := sc.Scan(append([]any{&n.ID, &n.OrgID, &n.TargetID, &n.Event, &n.Payload, &n.Attempts, &next, &del, &fail, &n.LastError, &at}, extra...)...)
	n.NextAttemptAt, n.DeliveredAt, n.FailedAt, n.CreatedAt = next.T, del.ptr(), fail.ptr(), at.T
	return n, err
}

func (s *orgStore) Notifications(ctx context.Context, targetID string, limit int) ([]store.Notification, error) {
	rows, err := s.q.query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE org_id = ? AND target_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		s.org, targetID, max(1, min(limit, 1000)))
	if err != nil {
		return nil, err
	}
	var out []store.Notification
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		n, err := scanNotification(rows)
		out = append(out, n)
		return err
	})
}

func (d *directory) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.ClaimedNotification, error) {
	rows, err := d.q.query(ctx, `SELECT `+prefixed("n.", notificationColumns)+`, `+prefixed("t.", targetColumns)+`
		FROM notifications n JOIN notification_targets t ON t.id = n.target_id
		WHERE n.delivered_at IS NULL AND n.failed_at IS NULL AND n.next_attempt_at <= ?
		ORDER BY n.next_attempt_at, n.id LIMIT ?`, d.q.t(now), limit)
	if err != nil {
		return nil, err
	}
	var due []store.ClaimedNotification
	if err := d.q.collect(rows, func(rows *sql.Rows) error {
		var c store.ClaimedNotification
		var at timeCol
		n, err := scanNotification(rows, &c.Target.ID, &c.Target.Kind, &c.Target.Name, &c.Target.URL, &c.Target.Email, &c.Target.MinScore,
			&c.Target.OnExploited, &c.Target.SecretSealed, &at)
		c.Notification, c.Target.CreatedAt = n, at.T
		due = append(due, c)
		return err
	}); err != nil {
		return nil, err
	}
	// Claim each row only if no other server moved it since it was read.
	var out []store.ClaimedNotification
	until := now.Add(lease)
	for _, c := range due {
		res, err := d.q.exec(ctx, `UPDATE notifications SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND delivered_at IS NULL AND failed_at IS NULL`,
			d.q.t(until), c.ID, d.q.t(c.NextAttemptAt))
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			c.NextAttemptAt = until
			out = append(out, c)
		}
	}
	return out, nil
}

func (d *directory) FinishNotification(ctx context.Context, id string, a store.NotificationAttempt) error {
	var delivered, failed any
	if a.Delivered {
		delivered = d.q.t(a.At)
	}
	if a.Failed {
		failed = d.q.t(a.At)
	}
	next := a.Next
	if next.IsZero() {
		next = a.At
	}
	var n int
	if err := d.q.row(ctx, `SELECT COUNT(*) FROM notifications WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, "no notification %s", id)
	}
	_, err := d.q.exec(ctx, `UPDATE notifications SET attempts = attempts + 1, delivered_at = ?, failed_at = ?, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND next_attempt_at = ? AND delivered_at IS NULL AND failed_at IS NULL`,
		delivered, failed, d.q.t(next), a.Error, id, d.q.t(a.Claimed))
	return err
}
