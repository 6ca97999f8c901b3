package storetest

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testNotifications(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	other := mustOrg(t, s, "rival")
	os := s.Org(org.ID)
	hook := store.NotificationTarget{ID: ids.New(), Kind: "webhook", Name: "PSIRT", URL: "https://psirt.example/hook", MinScore: 7, OnExploited: true,
		SecretSealed: []byte{1, 2, 3}, CreatedAt: t0}
	mail := store.NotificationTarget{ID: ids.New(), Kind: "email", Name: "Security team", Email: "sec@acme.example", CreatedAt: t0.Add(time.Second)}
	must(t, os.CreateNotificationTarget(ctx(), hook), "CreateNotificationTarget")
	must(t, os.CreateNotificationTarget(ctx(), mail), "CreateNotificationTarget email")
	ts, err := os.NotificationTargets(ctx())
	must(t, err, "NotificationTargets")
	if len(ts) != 2 || ts[0].URL != hook.URL || !ts[0].OnExploited || ts[0].MinScore != 7 || string(ts[0].SecretSealed) != "\x01\x02\x03" || ts[1].Email != mail.Email {
		t.Fatalf("targets = %+v", ts)
	}

	n := func(target string, at time.Time) store.Notification {
		return store.Notification{ID: ids.New(), TargetID: target, Event: "vulnerability.exploited", Payload: []byte(`{}`), NextAttemptAt: at, CreatedAt: at}
	}
	must(t, os.EnqueueNotifications(ctx(), []store.Notification{n(hook.ID, t0), n(mail.ID, t0), n(hook.ID, t0.Add(time.Hour))}), "EnqueueNotifications")
	wantKind(t, s.Org(other.ID).EnqueueNotifications(ctx(), []store.Notification{n(hook.ID, t0)}), errs.NotFound, "enqueue to another organisation's target")

	// Two dispatchers: the first claims what is due, the second finds nothing.
	claimed, err := s.Directory().ClaimNotifications(ctx(), t0.Add(time.Minute), time.Minute, 10)
	must(t, err, "ClaimNotifications")
	if len(claimed) != 2 || claimed[0].Target.ID == "" || claimed[0].OrgID != org.ID {
		t.Fatalf("claimed = %+v", claimed)
	}
	again, _ := s.Directory().ClaimNotifications(ctx(), t0.Add(time.Minute), time.Minute, 10)
	if len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	var hookN, mailN store.ClaimedNotification
	for _, c := range claimed {
		if c.Target.Kind == "webhook" {
			hookN = c
		} else {
			mailN = c
		}
	}
	// A finish with a stale claim records nothing.
	must(t, s.Directory().FinishNotification(ctx(), hookN.ID, store.NotificationAttempt{Claimed: t0, At: t0.Add(time.Minute), Failed: true}), "stale finish")
	must(t, s.Directory().FinishNotification(ctx(), hookN.ID, store.NotificationAttempt{Claimed: hookN.NextAttemptAt, At: t0.Add(time.Minute), Delivered: true}), "delivered")
	must(t, s.Directory().FinishNotification(ctx(), mailN.ID, store.NotificationAttempt{Claimed: mailN.NextAttemptAt, At: t0.Add(time.Minute), Next: t0.Add(5 * time.Minute), Error: "connection refused"}), "retry")
	wantKind(t, s.Directory().FinishNotification(ctx(), ids.New(), store.NotificationAttempt{At: t0}), errs.NotFound, "finish a missing notification")

	// After the lease and the retry time, the failed one is due again.
	due, _ := s.Directory().ClaimNotifications(ctx(), t0.Add(6*time.Minute), time.Minute, 10)
	if len(due) != 1 || due[0].ID != mailN.ID || due[0].Attempts != 1 || due[0].LastError != "connection refused" {
		t.Fatalf("due after retry time = %+v", due)
	}
	must(t, s.Directory().FinishNotification(ctx(), mailN.ID, store.NotificationAttempt{Claimed: due[0].NextAttemptAt, At: t0.Add(6 * time.Minute), Failed: true, Error: "gave up"}), "failed")
	later, _ := s.Directory().ClaimNotifications(ctx(), t0.Add(2*time.Hour), time.Minute, 10)
	if len(later) != 1 || later[0].ID == mailN.ID || later[0].ID == hookN.ID {
		t.Fatalf("due later = %+v", later)
	}

	hist, err := os.Notifications(ctx(), hook.ID, 10)
	must(t, err, "Notifications")
	if len(hist) != 2 || hist[1].DeliveredAt == nil || hist[1].Attempts != 1 {
		t.Fatalf("hook history = %+v", hist)
	}
	if x, _ := s.Org(other.ID).Notifications(ctx(), hook.ID, 10); len(x) != 0 {
		t.Fatal("another organisation sees the deliveries")
	}
	wantKind(t, s.Org(other.ID).DeleteNotificationTarget(ctx(), hook.ID), errs.NotFound, "delete another organisation's target")
	must(t, os.DeleteNotificationTarget(ctx(), hook.ID), "DeleteNotificationTarget")
	if ts, _ := os.NotificationTargets(ctx()); len(ts) != 1 {
		t.Fatalf("targets after delete = %+v", ts)
	}
}
