package supportperiod

import (
	"fmt"
	"strconv"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// EndDate is the end of a support period, to the month ("2030-06": support
// lasts until the end of June 2030) or to the day ("2030-06-15").
type EndDate struct {
	Year  int
	Month time.Month
	Day   int // 0 when the date is given to the month only
}

// ParseEndDate reads "YYYY-MM" or "YYYY-MM-DD".
func ParseEndDate(s string) (EndDate, error) {
	bad := errs.Invalidf("end", "must be a month (YYYY-MM) or a day (YYYY-MM-DD), such as 2030-06 or 2030-06-30")
	var d EndDate
	switch len(s) {
	case 7:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return d, bad
		}
		d = EndDate{Year: t.Year(), Month: t.Month()}
	case 10:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return d, bad
		}
		d = EndDate{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	default:
		return d, bad
	}
	if d.Year < 1970 || d.Year > 2200 {
		return d, errs.Invalidf("end", "year must be between 1970 and 2200")
	}
	return d, nil
}

// MustParseEndDate is ParseEndDate for constants in tests and demo data.
func MustParseEndDate(s string) EndDate {
	d, err := ParseEndDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is unset.
func (d EndDate) IsZero() bool { return d.Year == 0 }

// MonthOnly reports whether d is given to the month only.
func (d EndDate) MonthOnly() bool { return d.Day == 0 }

// LastDay returns the last day covered, at midnight UTC: the day itself, or
// the last day of the month.
func (d EndDate) LastDay() time.Time {
	if d.Day != 0 {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC)
}

// EndsAt returns the first instant after the period: midnight UTC after the last day.
func (d EndDate) EndsAt() time.Time { return d.LastDay().AddDate(0, 0, 1) }

// String returns the date as it was declared: "2030-06" or "2030-06-15".
func (d EndDate) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Day == 0 {
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Human returns the date in plain English: "June 2030" or "15 June 2030".
func (d EndDate) Human() string {
	if d.IsZero() {
		return ""
	}
	if d.Day == 0 {
		return d.Month.String() + " " + strconv.Itoa(d.Year)
	}
	return strconv.Itoa(d.Day) + " " + d.Month.String() + " " + strconv.Itoa(d.Year)
}

// Compare orders end dates by the last day they cover.
func (d EndDate) Compare(o EndDate) int { return d.LastDay().Compare(o.LastDay()) }

// MarshalText writes the declared form.
func (d EndDate) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the declared form.
func (d *EndDate) UnmarshalText(b []byte) error {
	v, err := ParseEndDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
