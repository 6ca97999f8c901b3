package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/lifeline-iot/lifeline/internal/notify"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Notifications: where the organisation wants to hear of new
// vulnerability findings and newly exploited vulnerabilities (signed
// webhooks and email), how the latest deliveries to each went, and, for
// owners, the forms to add, test and remove targets. A webhook's signing
// secret is shown once, on the page that answers the form.

// Each kind of target has its own form on the page; the inputs they share
// have the same names, so the service's field errors land on either.
var (
	webhookFields = []string{"name", "url", "min_score", "on_exploited"}
	emailFields   = []string{"name", "email", "min_score", "on_exploited"}
)

// Form IDs, which prefix the forms' element IDs.
const (
	webhookFormID = "webhook"
	emailFormID   = "mail"
)

// deliveriesShown is how many of a target's latest deliveries the page lists.
const deliveriesShown = 5

// targetDefaults are a new target's suggested options: serious findings
// (CVSS 7 or more) and every newly exploited vulnerability.
func targetDefaults() url.Values {
	return url.Values{"min_score": {"7"}, "on_exploited": {"on"}}
}

// notificationsView is the data of the notifications page.
type notificationsView struct {
	Targets []targetRow
	Webhook *form
	Email   *form
	Created *createdTarget
}

// targetRow is one target with its latest deliveries.
type targetRow struct {
	T          store.NotificationTarget
	Deliveries []deliveryRow
	More       bool // there are older deliveries than those shown
}

// Destination is where the target's notifications go.
func (t targetRow) Destination() string {
	if t.T.Kind == notify.KindEmail {
		return t.T.Email
	}
	return t.T.URL
}

// deliveryRow is one delivery, in words.
type deliveryRow struct {
	N     store.Notification
	Event string // what it told
	State string // pending, delivered or given up, with when
	Done  bool   // delivered
}

// createdTarget is a webhook just made, with its signing secret, shown once.
type createdTarget struct {
	T      store.NotificationTarget
	Secret string
}

// eventText names a notification's event in words.
func eventText(kind string) string {
	switch kind {
	case notify.EventTest:
		return "Test"
	case notify.EventNewFindings:
		return "New findings"
	case notify.EventExploited:
		return "Newly exploited"
	}
	return kind
}

// deliveryState says how a delivery went.
func deliveryState(n store.Notification) string {
	switch {
	case n.DeliveredAt != nil:
		return "Delivered " + when(*n.DeliveredAt)
	case n.FailedAt != nil:
		return "Given up " + when(*n.FailedAt)
	case n.Attempts == 0:
		return "Pending: not sent yet"
	}
	return "Pending: next attempt " + when(n.NextAttemptAt)
}

// notifications lists the notification targets and their deliveries.
func (u *UI) notifications(w http.ResponseWriter, r *http.Request, m *member) {
	u.showNotifications(w, r, m, http.StatusOK, nil, nil, nil)
}

// showNotifications renders the page; nil forms start with the defaults.
func (u *UI) showNotifications(w http.ResponseWriter, r *http.Request, m *member, status int, webhook, email *form, created *createdTarget) {
	ctx := r.Context()
	ts, err := u.svc.NotificationTargets(ctx, m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if webhook == nil {
		webhook = newForm(webhookFormID, targetDefaults(), webhookFields...)
	}
	if email == nil {
		email = newForm(emailFormID, targetDefaults(), emailFields...)
	}
	v := notificationsView{Webhook: webhook, Email: email, Created: created}
	for _, t := range ts {
		ns, err := u.svc.NotificationDeliveries(ctx, m.P, t.ID)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		row := targetRow{T: t, More: len(ns) > deliveriesShown}
		for _, n := range ns[:min(len(ns), deliveriesShown)] {
			row.Deliveries = append(row.Deliveries, deliveryRow{N: n, Event: eventText(n.Event), State: deliveryState(n), Done: n.DeliveredAt != nil})
		}
		v.Targets = append(v.Targets, row)
	}
	title := "Notifications"
	if created != nil {
		title = "Your new webhook's secret"
	}
	u.render(w, r, status, "notifications.html", m.page(title, "vulnerabilities", v))
}

// createNotificationTarget adds a webhook or email target. A webhook's
// signing secret is shown on the page that answers, this once: it is not
// a redirect, so the secret never travels in an address.
func (u *UI) createNotificationTarget(w http.ResponseWriter, r *http.Request, m *member) {
	kind := r.PostForm.Get("kind")
	var f *form
	var webhook, email *form
	switch kind {
	case notify.KindEmail:
		f = newForm(emailFormID, formValues(r, emailFields...), emailFields...)
		email = f
	default:
		// An unknown kind is refused by the service; its error is shown
		// on the webhook form.
		f = newForm(webhookFormID, formValues(r, webhookFields...), webhookFields...)
		webhook = f
	}
	in := service.NewTarget{Kind: kind, Name: f.Get("name"), URL: f.Get("url"), Email: f.Get("email"), OnExploited: f.Get("on_exploited") != ""}
	// A score that is not a number is sent as one out of range, so the
	// service refuses it along with everything else wrong in the form,
	// after checking that the member may add targets at all.
	in.MinScore = -1
	if s, err := strconv.ParseFloat(f.Get("min_score"), 64); err == nil {
		in.MinScore = s
	}
	t, secret, err := u.svc.CreateNotificationTarget(r.Context(), m.P, in)
	if err == nil {
		if secret == "" {
			redirectDone(w, r, "/ui/notifications", "target_added")
			return
		}
		u.showNotifications(w, r, m, http.StatusOK, nil, nil, &createdTarget{T: t, Secret: secret})
		return
	}
	status, shown := f.fail(err, nil)
	if !shown {
		u.fail(w, r, err)
		return
	}
	u.showNotifications(w, r, m, status, webhook, email, nil)
}

// testNotificationTarget queues a test notification to one target.
func (u *UI) testNotificationTarget(w http.ResponseWriter, r *http.Request, m *member) {
	if err := u.svc.TestNotificationTarget(r.Context(), m.P, r.PathValue("target")); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/notifications#target-"+r.PathValue("target"), "target_tested")
}

// deleteNotificationTarget removes a target and its pending deliveries.
func (u *UI) deleteNotificationTarget(w http.ResponseWriter, r *http.Request, m *member) {
	if err := u.svc.DeleteNotificationTarget(r.Context(), m.P, r.PathValue("target")); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/notifications", "target_removed")
}
