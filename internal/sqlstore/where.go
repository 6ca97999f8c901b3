package sqlstore

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// where builds a WHERE clause from conditions joined by AND.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likePattern returns a lower-case LIKE pattern matching s anywhere, with
// LIKE's wildcards in s escaped by backslash.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// prefixPattern returns a LIKE pattern matching strings that start with s.
func prefixPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// cursorTime writes a time into a cursor key.
func cursorTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseCursorTime reads a time from a cursor key.
func parseCursorTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, errs.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return t, nil
}
