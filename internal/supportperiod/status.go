package supportperiod

import "time"

// Status is where a product stands in its support period.
type Status string

// Statuses.
const (
	NotDeclared Status = "not_declared" // the manufacturer has published no support period
	Supported   Status = "supported"    // security updates promised for more than EndingSoonWindow
	EndingSoon  Status = "ending_soon"  // the period ends within EndingSoonWindow
	Ended       Status = "ended"        // the period is over; no more security updates are promised
)

// EndingSoonWindow is how close the end must be for a product to count as ending soon.
const EndingSoonWindow = 12 // months

// StatusAt returns the status of a period ending at end (nil: none declared) at time now.
func StatusAt(end *EndDate, now time.Time) Status {
	if end == nil || end.IsZero() {
		return NotDeclared
	}
	endsAt := end.EndsAt()
	switch {
	case !now.Before(endsAt):
		return Ended
	case now.AddDate(0, EndingSoonWindow, 0).After(end.LastDay()):
		return EndingSoon
	}
	return Supported
}

// Label returns the status in words for consumers.
func (s Status) Label() string {
	switch s {
	case Supported:
		return "Supported"
	case EndingSoon:
		return "Support ending soon"
	case Ended:
		return "Support ended"
	}
	return "No support period published"
}

// Explain returns one plain-English sentence a consumer can act on.
func Explain(s Status, end *EndDate) string {
	switch s {
	case Supported:
		return "This product gets security updates until at least " + end.Human() + "."
	case EndingSoon:
		return "This product gets security updates until " + end.Human() + ", which is less than a year away. After that it will no longer be kept safe from new security problems."
	case Ended:
		return "Security updates for this product stopped after " + end.Human() + ". New security problems will not be fixed, so consider replacing it."
	}
	return "The manufacturer has not published how long this product will get security updates."
}
