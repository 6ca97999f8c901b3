package sqlstore

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dialect is what differs between the SQL backends.
type Dialect interface {
	// Name is the backend name, such as "sqlite".
	Name() string
	// Numbered reports whether placeholders are $1, $2, … rather than ?.
	Numbered() bool
	// Time converts a time into a query argument. Times are stored in UTC
	// with microsecond precision.
	Time(t time.Time) any
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key failure.
	IsForeignKeyViolation(err error) bool
	// RefreshStatistics returns a statement that refreshes the query
	// planner's statistics for table after a bulk load, or "" when the
	// backend needs none. Without it PostgreSQL plans the next queries for
	// the table as it was before the load, which can be a thousand times slower.
	RefreshStatistics(table string) string
	// TransactionLock returns a statement, with one placeholder for a key,
	// that holds a lock on the key until the transaction ends, or "" when
	// transactions already run one at a time (SQLite's single writer).
	TransactionLock() string
}

// TimeText is the text form of stored times where the backend has no time
// type: fixed width, so text order is time order.
const TimeText = "2006-01-02T15:04:05.000000Z"

var rebound sync.Map // query string → rebound query string

// rebind turns "?" placeholders into "$1", "$2", … for dialects that need it.
// Question marks inside quoted strings are left alone.
func rebind(d Dialect, q string) string {
	if !d.Numbered() {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	rebound.Store(q, s)
	return s
}
