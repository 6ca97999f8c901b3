package sqlstore

import (
	"fmt"
	"time"

	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// timeCol scans a stored time from either backend: a time value
// (PostgreSQL timestamptz) or text in TimeText or RFC 3339 form (SQLite).
type timeCol struct {
	T     time.Time
	Valid bool
}

func (c *timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		c.Valid = false
		return nil
	case time.Time:
		c.T, c.Valid = v.UTC(), true
		return nil
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	}
	return fmt.Errorf("sqlstore: cannot scan %T into a time", v)
}

func (c *timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("sqlstore: bad stored time %q: %w", s, err)
	}
	c.T, c.Valid = t.UTC(), true
	return nil
}

// ptr returns the time or nil.
func (c timeCol) ptr() *time.Time {
	if !c.Valid {
		return nil
	}
	t := c.T
	return &t
}

// endDateCol scans a stored support end date ("2030-06" or "2030-06-30").
type endDateCol struct {
	D     supportperiod.EndDate
	Valid bool
}

func (c *endDateCol) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		c.Valid = false
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into an end date", v)
	}
	d, err := supportperiod.ParseEndDate(s)
	if err != nil {
		return fmt.Errorf("sqlstore: bad stored end date %q: %w", s, err)
	}
	c.D, c.Valid = d, true
	return nil
}

func (c endDateCol) ptr() *supportperiod.EndDate {
	if !c.Valid {
		return nil
	}
	d := c.D
	return &d
}

// endDateArg returns the stored form of an optional end date.
func endDateArg(d *supportperiod.EndDate) any {
	if d == nil || d.IsZero() {
		return nil
	}
	return d.String()
}

// lastDayArg returns the last day covered by an optional end date as text, for ordering.
func lastDayArg(d *supportperiod.EndDate) any {
	if d == nil || d.IsZero() {
		return nil
	}
	return d.LastDay().Format("2006-01-02")
}
