package webui

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Rollouts: the list of every product's rollouts, a product's rollouts
// and the form to start one on the product's page, and a rollout's own
// page with its definition and the buttons to pause, resume or abort it.
//
// Progress shows as numbers and as a bar. The numbers are drawn on the
// server, so the pages read fine without JavaScript (a "Refresh" link
// reloads them); where scripts run, live.js polls the JSON API for each
// rollout in progress and updates the same elements in place. The words
// live.js writes mirror the ones here: change both together.

// barWidth is the width of the progress bar's drawing, in SVG user units.
const barWidth = 1000

// rolloutCard is a rollout as the pages show it: its live numbers, its
// phase in words and the bar's segments.
type rolloutCard struct {
	service.RolloutView
	Product     registry.Product // zero when the product could not be read
	Path        string           // the rollout's page
	PhaseNumber int              // counting from 1
	PhaseCount  int
	NotOffered  int // targeted, not offered the release yet
	Segments    []segment
	SoakText    string
	TimeLeft    string
	Live        bool  // its numbers may still change: active or paused
	NowMillis   int64 // the server's clock when drawn, for live.js's time left
}

// segment is one part of the progress bar, with its share in words.
type segment struct {
	Key, Label string
	Count      int
	Share      string // of the targeted devices, "12.5%"
	X, Width   int    // in SVG user units out of barWidth
}

// newRolloutCard describes v at now.
func newRolloutCard(v service.RolloutView, prod registry.Product, now time.Time) rolloutCard {
	c := rolloutCard{RolloutView: v, Product: prod, Path: rolloutPath(v.ID), PhaseNumber: v.Phase + 1, PhaseCount: len(v.Phases),
		Live: v.State == rollout.Active || v.State == rollout.Paused, NowMillis: now.UnixMilli()}
	st := v.Stats
	c.NotOffered = max(st.Targeted-st.Offered, 0)
	counts := []struct {
		key, label string
		n          int
	}{{"succeeded", "Installed", st.Succeeded}, {"failed", "Failed", st.Failed}, {"pending", "Offered, not installed yet", st.Pending}, {"not-offered", "Not offered yet", c.NotOffered}}
	cum := 0
	for _, s := range counts {
		x := barX(cum, st.Targeted)
		cum += max(s.n, 0)
		c.Segments = append(c.Segments, segment{Key: s.key, Label: s.label, Count: s.n, Share: share(s.n, st.Targeted), X: x, Width: barX(cum, st.Targeted) - x})
	}
	c.SoakText = soakText(v.Rollout)
	c.TimeLeft = timeLeft(v.Rollout, now)
	return c
}

// barX places a cumulative count on the bar.
func barX(n, total int) int {
	if total <= 0 {
		return 0
	}
	return min(int(math.Round(float64(n)*barWidth/float64(total))), barWidth)
}

// share shows n of total as a percentage, to one decimal place.
func share(n, total int) string {
	if total <= 0 {
		return "0%"
	}
	return pct(math.Round(float64(n)*1000/float64(total)) / 10)
}

// pct shows a percentage: "10%", "0.5%".
func pct(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "%" }

// soakText says how long each phase waits.
func soakText(r rollout.Rollout) string {
	switch {
	case r.Urgent:
		return "None: urgent, phases do not wait"
	case r.Soak <= 0:
		return "None"
	}
	return durationText(time.Duration(r.Soak)) + " in each phase"
}

// timeLeft says how long the current phase still soaks.
func timeLeft(r rollout.Rollout, now time.Time) string {
	if r.State != rollout.Active && r.State != rollout.Paused {
		return "—"
	}
	if r.Urgent || r.Soak <= 0 {
		return "None: the phase moves on once enough devices report success"
	}
	end := r.PhaseStartedAt.Add(time.Duration(r.Soak))
	if !now.Before(end) {
		return "None: the soak time is over; the phase moves on once enough devices report success"
	}
	return durationText(end.Sub(now)) + " (the soak time ends " + when(end) + ")"
}

// durationText words a duration to the minute: "1 day 6 hours", "45 minutes".
func durationText(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	mins := int(d / time.Minute)
	days, hours, minutes := mins/(24*60), mins%(24*60)/60, mins%60
	switch {
	case days > 0:
		return plural(days, "day") + optional(hours, "hour")
	case hours > 0:
		return plural(hours, "hour") + optional(minutes, "minute")
	}
	return plural(minutes, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func optional(n int, unit string) string {
	if n == 0 {
		return ""
	}
	return " " + plural(n, unit)
}

// thresholdText words a pause or abort threshold.
func thresholdText(t rollout.Threshold) string {
	switch {
	case t.Percent > 0:
		return pct(t.Percent) + " of the devices offered the release in the phase"
	case t.Count == 1:
		return "1 device"
	case t.Count > 0:
		return strconv.Itoa(t.Count) + " devices"
	}
	return "Not set"
}

// scopeText says which devices a rollout is for.
func scopeText(r rollout.Rollout) string {
	switch r.Scope {
	case rollout.HardwareRevision:
		return "Devices of hardware revision " + r.ScopeValue
	case rollout.Group:
		return "Devices in group " + r.ScopeValue
	}
	return "Every device of the product"
}

// phasesText lists the phases: "1% → 10% → 50% → 100%".
func phasesText(ps []float64) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = pct(p)
	}
	return strings.Join(out, " → ")
}

// windowText words a maintenance window.
func windowText(w rollout.Window) string {
	if w.IsZero() {
		return "Any time"
	}
	return "Daily from " + w.Start + " to " + w.End + " UTC"
}

func rolloutPath(id string) string { return "/ui/rollouts/" + url.PathEscape(id) }

// productsByID reads the organisation's products, for naming the product
// of each rollout. It reads at most store.MaxLimit products.
func (u *UI) productsByID(r *http.Request, p access.Principal) (map[string]registry.Product, error) {
	l, err := u.svc.Products(r.Context(), p, store.ProductFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make(map[string]registry.Product, len(l.Items))
	for _, prod := range l.Items {
		out[prod.ID] = prod
	}
	return out, nil
}

// rolloutsView is the data of the rollouts page.
type rolloutsView struct {
	Filter      *form
	Products    []option
	Cards       []rolloutCard
	ProductName string // the product the list is of, if one
	Live        bool   // a rollout on the page is in progress
	Refresh     string // the page's own address, for the no-script link
}

// rollouts lists the organisation's rollouts, newest first, optionally
// of one product.
func (u *UI) rollouts(w http.ResponseWriter, r *http.Request, m *member) {
	product := r.URL.Query().Get("product")
	views, err := u.svc.Rollouts(r.Context(), m.P, product)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	byID, err := u.productsByID(r, m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	opts, err := u.productOptions(r, m.P, "All products")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := rolloutsView{Filter: newForm("filter", url.Values{"product": {product}}, "product"), Products: opts, Refresh: r.URL.RequestURI()}
	for _, prod := range byID {
		if product != "" && (prod.Slug == product || prod.ID == product) {
			v.ProductName = prod.Name
		}
	}
	now := u.svc.Now()
	for _, rv := range views {
		c := newRolloutCard(rv, byID[rv.ProductID], now)
		v.Live = v.Live || c.Live
		v.Cards = append(v.Cards, c)
	}
	pg := m.page("Rollouts", "rollouts", v)
	pg.Live = v.Live
	u.render(w, r, http.StatusOK, "rollouts.html", pg)
}

// rolloutView is the data of a rollout's page.
type rolloutView struct {
	Card                     rolloutCard
	ChangeForm, AbortForm    *form
	Pause, Resume, Abortable bool // the buttons its state offers
}

var changeFields = []string{"reason"}

// maxReason bounds the reason given for pausing, resuming or aborting.
const maxReason = 500

// rolloutPage shows one rollout: its definition, live progress and, for
// members who may change it, the buttons to pause, resume or abort it.
func (u *UI) rolloutPage(w http.ResponseWriter, r *http.Request, m *member) {
	u.showRollout(w, r, m, http.StatusOK, nil)
}

func (u *UI) showRollout(w http.ResponseWriter, r *http.Request, m *member, status int, change func(*rolloutView)) {
	ctx := r.Context()
	rv, err := u.svc.Rollout(ctx, m.P, r.PathValue("rollout"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	prod, err := u.svc.Product(ctx, m.P, rv.ProductID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := rolloutView{Card: newRolloutCard(rv, prod, u.svc.Now()),
		ChangeForm: newForm("change", nil, changeFields...), AbortForm: newForm("abort", nil, changeFields...),
		Pause: rv.State == rollout.Active, Resume: rv.State == rollout.Paused, Abortable: rv.State == rollout.Active || rv.State == rollout.Paused}
	if change != nil {
		change(&v)
	}
	pg := m.page("Rollout of "+rv.Version+" · "+prod.Name, "rollouts", v)
	pg.Live = v.Card.Live
	u.render(w, r, status, "rollout.html", pg)
}

// rolloutDone names the confirmation of each action.
var rolloutDone = map[string]string{service.PauseRollout: "rollout_paused", service.ResumeRollout: "rollout_resumed", service.AbortRollout: "rollout_aborted"}

// changeRollout pauses, resumes or aborts a rollout.
func (u *UI) changeRollout(w http.ResponseWriter, r *http.Request, m *member) {
	action := r.PostForm.Get("action")
	id := "change"
	if action == service.AbortRollout {
		id = "abort"
	}
	f := newForm(id, formValues(r, changeFields...), changeFields...)
	showForm := func(status int) {
		u.showRollout(w, r, m, status, func(v *rolloutView) {
			if id == "abort" {
				v.AbortForm = f
			} else {
				v.ChangeForm = f
			}
		})
	}
	if utf8.RuneCountInString(f.Get("reason")) > maxReason {
		f.setError("reason", "must be at most "+strconv.Itoa(maxReason)+" characters")
		f.Problem = "Please correct the fields marked below. Nothing was changed."
		showForm(http.StatusBadRequest)
		return
	}
	if _, ok := rolloutDone[action]; !ok {
		f.Problem = "Choose to pause, resume or abort the rollout."
		showForm(http.StatusBadRequest)
		return
	}
	rv, err := u.svc.ChangeRollout(r.Context(), m.P, r.PathValue("rollout"), action, f.Get("reason"))
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, rolloutPath(rv.ID), rolloutDone[action])
}

// Starting a rollout, from the product's page.

var rolloutFields = []string{"version", "scope", "hardware_revision", "group", "phases", "soak", "urgent", "pause_threshold", "abort_threshold", "window_start", "window_end", "window"}

// newRolloutForm is the form to start a rollout, filled with the same
// defaults as the command line's.
func newRolloutForm() *form {
	return newForm("rollout", url.Values{"scope": {string(rollout.AllDevices)}, "phases": {"1, 10, 50, 100"}, "soak": {"24h"}, "pause_threshold": {"5%"}}, rolloutFields...)
}

// productRollouts is the rollouts section of a product's page.
type productRollouts struct {
	Cards    []rolloutCard
	More     bool     // the product has more rollouts than the page shows
	Signed   []option // the signed releases, newest first, for the form
	Hardware []option // the hardware revisions, for the form
	Form     *form
	Refresh  string
}

// rolloutsOnProductPage is how many of a product's rollouts its page shows.
const rolloutsOnProductPage = 5

// parseRollout reads the start form into a rollout, recording on f what
// cannot be read.
func parseRollout(f *form) rollout.Rollout {
	in := rollout.Rollout{Version: f.Get("version"), Scope: rollout.Scope(f.Get("scope")), Urgent: f.Get("urgent") != ""}
	switch in.Scope {
	case rollout.AllDevices:
	case rollout.HardwareRevision:
		in.ScopeValue = f.Get("hardware_revision")
		if in.ScopeValue == "" {
			f.setError("hardware_revision", "is required: choose the revision whose devices get the release")
		}
	case rollout.Group:
		in.ScopeValue = f.Get("group")
		if in.ScopeValue == "" {
			f.setError("group", "is required: name the group whose devices get the release")
		}
	default:
		f.setError("scope", "must be every device, one hardware revision, or one group")
	}
	if in.Version == "" {
		f.setError("version", "is required: choose a signed release")
	}
	var err error
	if in.Phases, err = parsePhases(f.Get("phases")); err != nil {
		f.setError("phases", err.Error())
	}
	soak, err := parseSoak(f.Get("soak"))
	if err != nil {
		f.setError("soak", err.Error())
	}
	in.Soak = rollout.Duration(soak)
	if in.PauseAt, err = parseThreshold(f.Get("pause_threshold")); err != nil {
		f.setError("pause_threshold", err.Error())
	}
	if in.AbortAt, err = parseThreshold(f.Get("abort_threshold")); err != nil {
		f.setError("abort_threshold", err.Error())
	}
	in.Window = rollout.Window{Start: f.Get("window_start"), End: f.Get("window_end")}
	if (in.Window.Start == "") != (in.Window.End == "") {
		f.setError("window", "needs both a start and an end, or neither")
	}
	return in
}

type formError string

func (e formError) Error() string { return string(e) }

// parsePhases reads "1, 10, 50, 100" (a % after each number is allowed);
// empty means the default phases.
func parsePhases(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for _, part := range strings.Split(s, ",") {
		p := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), "%"))
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, formError("must be percentages separated by commas, such as 1, 10, 50, 100")
		}
		out = append(out, v)
	}
	return out, nil
}

// parseSoak reads a duration such as 24h, 90m or 2d; empty means none.
func parseSoak(s string) (time.Duration, error) {
	bad := formError("must be a time such as 24h, 90m or 2d")
	if s == "" || s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 366 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	if d < 0 {
		return 0, formError("cannot be negative")
	}
	return d, nil
}

// parseThreshold reads a number of devices ("5") or a percentage of the
// devices offered in the phase ("5%"); empty means none.
func parseThreshold(s string) (rollout.Threshold, error) {
	bad := formError("must be a number of devices, such as 5, or a percentage, such as 10%")
	if s == "" {
		return rollout.Threshold{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || v <= 0 || v > 100 {
			return rollout.Threshold{}, formError("must be a percentage above 0 and at most 100%")
		}
		return rollout.Threshold{Percent: v}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return rollout.Threshold{}, bad
	}
	return rollout.Threshold{Count: n}, nil
}

// createRollout starts a rollout from the product page's form. Input the
// form cannot read is refused before the service sees it; what the
// service refuses comes back on the form by field.
func (u *UI) createRollout(w http.ResponseWriter, r *http.Request, m *member) {
	key := r.PathValue("product")
	f := newForm("rollout", formValues(r, rolloutFields...), rolloutFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.Rollouts.Form = f })
	}
	in := parseRollout(f)
	if f.Failed() {
		f.Problem = "Please correct the fields marked below. No rollout was started."
		showForm(http.StatusBadRequest)
		return
	}
	rv, err := u.svc.CreateRollout(r.Context(), m.P, key, in)
	if err != nil {
		scopeField := "hardware_revision"
		if in.Scope == rollout.Group {
			scopeField = "group"
		}
		status, shown := f.fail(err, map[string]string{"scope_value": scopeField, "maintenance_window": "window"})
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, rolloutPath(rv.ID), "rollout_started")
}

// loadProductRollouts fills the rollouts section of a product's page.
func (u *UI) loadProductRollouts(r *http.Request, m *member, p registry.Product, hw []registry.HardwareRevision, now time.Time) (*productRollouts, error) {
	ctx := r.Context()
	views, err := u.svc.Rollouts(ctx, m.P, p.ID)
	if err != nil {
		return nil, err
	}
	v := &productRollouts{Form: newRolloutForm(), Refresh: productPath(p) + "#rollouts"}
	for i, rv := range views {
		if i == rolloutsOnProductPage {
			v.More = true
			break
		}
		v.Cards = append(v.Cards, newRolloutCard(rv, p, now))
	}
	if !m.CanWrite() {
		return v, nil
	}
	if len(hw) > 0 {
		v.Hardware = []option{{Value: "", Label: "Choose a revision"}}
		for _, h := range hw {
			v.Hardware = append(v.Hardware, option{Value: h.Name, Label: h.Name})
		}
	}
	rels, err := u.svc.Releases(ctx, m.P, p.ID, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	for _, rel := range rels.Items {
		if rel.SignedAt == nil {
			continue
		}
		label := rel.Version
		if rel.SecurityUpdate {
			label += " (security update)"
		}
		v.Signed = append(v.Signed, option{Value: rel.Version, Label: label})
	}
	return v, nil
}

// live reports whether a rollout on the section is in progress.
func (v *productRollouts) live() bool {
	for _, c := range v.Cards {
		if c.Live {
			return true
		}
	}
	return false
}
