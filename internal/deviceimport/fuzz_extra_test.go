package deviceimport

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseTime checks the first_seen/last_seen parser on its own: whatever
// it accepts must be a time the rest of Lifeline can store and show, that is
// a UTC time in the documented years 1970-9999 that marshals to JSON and
// survives the SQLite text form (sqlstore.TimeText) read back as RFC 3339.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2026-01-01", "2026-01-02T00:00:00Z", "2025-03-01T12:00:00.123456789+02:00",
		"9999-12-31", "1970-01-01", "0001-01-01T00:00:00Z", "2026-13-01",
		// At the edges of the year range, with offsets pointing inwards.
		"9999-12-31T23:00:00+01:00", "1970-01-01T00:00:00-01:00"} {
		f.Add(s)
	}
	const timeText = "2006-01-02T15:04:05.000000Z" // sqlstore.TimeText
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := parseTime(s)
		if err != nil || tp == nil {
			return
		}
		if tp.Location() != time.UTC {
			t.Fatalf("parseTime(%q) = %v, not in UTC", s, tp)
		}
		if y := tp.Year(); y < 1970 || y > 9999 {
			t.Fatalf("parseTime(%q) = %v: year %d is outside 1970-9999", s, tp, y)
		}
		if _, err := json.Marshal(tp); err != nil {
			t.Fatalf("parseTime(%q) = %v, which does not marshal: %v", s, tp, err)
		}
		stored := tp.Truncate(time.Microsecond).Format(timeText)
		if _, err := time.Parse(time.RFC3339Nano, stored); err != nil {
			t.Fatalf("parseTime(%q) = %v, stored as %q, which does not read back: %v", s, tp, stored, err)
		}
	})
}
