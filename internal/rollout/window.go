package rollout

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration written as "24h", "90m" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as Go duration text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "24h", "90m", or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("durations are written like 24h or 90m: %w", err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("durations are written like 24h or 90m")
	}
	*d = Duration(time.Duration(secs * float64(time.Second)))
	return nil
}

// Window is a daily maintenance window in UTC, such as 01:00–05:00. An
// end before the start wraps past midnight (22:00–02:00).
type Window struct {
	Start string `json:"start,omitempty"` // "HH:MM"
	End   string `json:"end,omitempty"`   // "HH:MM"
}

// IsZero reports whether no window is set.
func (w Window) IsZero() bool { return w.Start == "" && w.End == "" }

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("times are HH:MM in UTC, not %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Validate checks the window's times.
func (w Window) Validate() error {
	if w.IsZero() {
		return nil
	}
	s, err := clock(w.Start)
	if err != nil {
		return err
	}
	e, err := clock(w.End)
	if err != nil {
		return err
	}
	if s == e {
		return fmt.Errorf("the window's start and end are the same")
	}
	return nil
}

// Next returns now if now is inside the window, otherwise the start of the
// next window. A zero window is always open.
func (w Window) Next(now time.Time) time.Time {
	if w.IsZero() || w.Validate() != nil {
		return now
	}
	now = now.UTC()
	s, _ := clock(w.Start)
	e, _ := clock(w.End)
	day := now.Truncate(24 * time.Hour)
	since := now.Sub(day)
	inside := since >= s && since < e
	if e < s { // wraps midnight
		inside = since >= s || since < e
	}
	if inside {
		return now
	}
	start := day.Add(s)
	if !start.After(now) {
		start = start.Add(24 * time.Hour)
	}
	return start
}
