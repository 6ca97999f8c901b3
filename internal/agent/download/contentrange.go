package download

import (
	"errors"
	"strconv"
	"strings"
)

// contentRange is a parsed Content-Range header of a 206 response
// (RFC 9110 §14.4): bytes First through Last, inclusive, of a representation
// of Complete bytes, or of unknown length when Complete is -1.
type contentRange struct {
	First, Last, Complete int64
}

var errContentRange = errors.New("malformed Content-Range")

// parseContentRange parses "bytes FIRST-LAST/COMPLETE" or
// "bytes FIRST-LAST/*". It is stricter than the RFC on purpose: the unit must
// be exactly "bytes" followed by one space, numbers are plain decimal with no
// sign, spaces or leading zeros, and the range must be satisfiable (First <=
// Last < Complete). The unsatisfied form "bytes */COMPLETE" belongs to 416
// responses and is refused. A string it accepts formats back to itself.
func parseContentRange(s string) (contentRange, error) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return contentRange{}, errContentRange
	}
	rng, complete, ok := strings.Cut(rest, "/")
	if !ok {
		return contentRange{}, errContentRange
	}
	first, last, ok := strings.Cut(rng, "-")
	if !ok {
		return contentRange{}, errContentRange
	}
	var cr contentRange
	var err error
	if cr.First, err = parseDecimal(first); err != nil {
		return contentRange{}, err
	}
	if cr.Last, err = parseDecimal(last); err != nil {
		return contentRange{}, err
	}
	if complete == "*" {
		cr.Complete = -1
	} else if cr.Complete, err = parseDecimal(complete); err != nil {
		return contentRange{}, err
	}
	if cr.First > cr.Last || (cr.Complete >= 0 && cr.Last >= cr.Complete) {
		return contentRange{}, errContentRange
	}
	return cr, nil
}

// parseDecimal parses a non-negative int64 written in canonical decimal.
func parseDecimal(s string) (int64, error) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return 0, errContentRange
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errContentRange
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errContentRange
	}
	return n, nil
}

// String formats cr as a Content-Range header value.
func (cr contentRange) String() string {
	complete := "*"
	if cr.Complete >= 0 {
		complete = strconv.FormatInt(cr.Complete, 10)
	}
	return "bytes " + strconv.FormatInt(cr.First, 10) + "-" + strconv.FormatInt(cr.Last, 10) + "/" + complete
}
