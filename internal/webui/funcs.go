package webui

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// templateFuncs are the helpers templates may call. They format; they
// decide nothing.
var templateFuncs = template.FuncMap{
	"field":       field,
	"withOptions": withOptions,
	"options":     options,
	"when":        when,
	"whenOpt":     whenOpt,
	"day":         day,
	"endText":     endText,
	"productPath": productPath,
	"statusIcon":  statusIcon,
	"contactURL":  contactURL,
	"changeLabel": changeLabel,
	"join":        strings.Join,
	"fileSize":    fileSize,
	"shortID":     shortID,
	"days":        days,
	// Rollouts and devices.
	"pct":             pct,
	"phasesText":      phasesText,
	"thresholdText":   thresholdText,
	"scopeText":       scopeText,
	"windowText":      windowText,
	"durationText":    durationText,
	"stateLabel":      stateLabel,
	"stateIcon":       stateIcon,
	"stateText":       stateText,
	"updateStateText": updateStateText,
	"devicePath":      devicePath,
	"rfc3339":         rfc3339,
	"seconds":         seconds,
	"liveNote":        liveNote,
	// Vulnerabilities.
	"vulnPath":          vulnPath,
	"productLink":       productLink,
	"severityText":      severityText,
	"severityClass":     severityClass,
	"findingStatusText": findingStatusText,
	"decidedByText":     decidedByText,
	"justificationText": justificationText,
	"triageStateText":   triageStateText,
	"findingTable":      findingTable,
	"countOpen":         countOpen,
}

// liveNoteView is what the "rollout-live-note" template needs.
type liveNoteView struct {
	Live    bool   // the page shows a rollout in progress
	Refresh string // the page's address, for the no-script link
}

func liveNote(live bool, refresh string) liveNoteView {
	return liveNoteView{Live: live, Refresh: refresh}
}

// Rollout states in words. live.js writes the same words when a state
// changes: change both together.

// stateLabel names a rollout's state.
func stateLabel(s rollout.State) string {
	switch s {
	case rollout.Active:
		return "Active"
	case rollout.Paused:
		return "Paused"
	case rollout.Completed:
		return "Completed"
	case rollout.Aborted:
		return "Aborted"
	}
	return string(s)
}

// stateIcon is a symbol beside the state's name, so the state does not
// depend on colour.
func stateIcon(s rollout.State) string {
	switch s {
	case rollout.Active:
		return "▶"
	case rollout.Paused:
		return "‖"
	case rollout.Completed:
		return "✓"
	case rollout.Aborted:
		return "✕"
	}
	return "?"
}

// stateText says what a rollout's state means for devices.
func stateText(s rollout.State) string {
	switch s {
	case rollout.Active:
		return "Devices in the current phase are offered the release. The rollout moves on by itself as they report success."
	case rollout.Paused:
		return "No more devices are offered the release until someone resumes the rollout."
	case rollout.Completed:
		return "Every phase succeeded."
	case rollout.Aborted:
		return "Stopped for good: no device is offered the release any more."
	}
	return ""
}

// rfc3339 writes a moment for machines, such as live.js.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// seconds writes a rollout duration as whole seconds, for live.js.
func seconds(d rollout.Duration) int64 { return int64(time.Duration(d) / time.Second) }

// when shows a moment to the minute, in UTC so every member reads the same.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// whenOpt shows an optional moment, or none.
func whenOpt(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return when(*t)
}

// day shows a date.
func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006")
}

// endText shows an optional support end date in words.
func endText(d *supportperiod.EndDate) string {
	if d == nil || d.IsZero() {
		return "Not declared"
	}
	return d.Human()
}

// productPath is a product's page for members. Products are addressed by
// slug, except one whose slug is "new", which would be taken for the
// new-product form.
func productPath(p registry.Product) string {
	key := p.Slug
	if key == "new" || key == "" {
		key = p.ID
	}
	return "/ui/products/" + url.PathEscape(key)
}

// pathKey escapes a product slug or ID taken from a request path for use
// in a new path.
func pathKey(key string) string { return url.PathEscape(key) }

// statusIcon is a symbol shown beside a status label, so the status does
// not depend on colour; the label itself is always shown too.
func statusIcon(s supportperiod.Status) string {
	switch s {
	case supportperiod.Supported:
		return "✓"
	case supportperiod.EndingSoon:
		return "!"
	case supportperiod.Ended:
		return "✕"
	}
	return "?"
}

// contactURL turns a manufacturer's security contact into a link when it
// is a web or email address; "" means show it as plain text.
// html/template still checks the URL it is given.
func contactURL(contact string) string {
	c := strings.TrimSpace(contact)
	switch {
	case strings.HasPrefix(c, "https://"), strings.HasPrefix(c, "http://"), strings.HasPrefix(c, "mailto:"):
		return c
	case strings.Count(c, "@") == 1 && !strings.ContainsAny(c, " <>/:"):
		return "mailto:" + c
	}
	return ""
}

// changeLabel names a change to a support period in words.
func changeLabel(k supportperiod.ChangeKind) string {
	switch k {
	case supportperiod.Declared:
		return "Declared"
	case supportperiod.Extended:
		return "Extended"
	case supportperiod.Shortened:
		return "Shortened"
	case supportperiod.Corrected:
		return "Corrected before publication"
	}
	return string(k)
}

// options makes select choices from value, label pairs.
func options(pairs ...string) []option {
	out := make([]option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, option{Value: pairs[i], Label: pairs[i+1]})
	}
	return out
}

// fileSize shows a file's size for people, with the exact number of bytes
// beside a rounded one: "256 KiB (262144 bytes)".
func fileSize(n int64) string {
	exact := strconv.FormatInt(n, 10) + " bytes"
	if n == 1 {
		exact = "1 byte"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1<<10 {
		return exact
	}
	f, unit := float64(n), ""
	for _, u := range units {
		f /= 1 << 10
		unit = u
		if f < 1<<10 {
			break
		}
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + unit + " (" + exact + ")"
}

// days words a number of whole days from now: "in 12 days".
func days(n int) string {
	switch {
	case n < 1:
		return "within a day"
	case n == 1:
		return "in 1 day"
	}
	return "in " + strconv.Itoa(n) + " days"
}
