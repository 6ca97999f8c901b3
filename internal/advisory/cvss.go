package advisory

import (
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Severity types for CVSS ratings, as in the OSV schema, and for a feed's
// qualitative label ("HIGH", "moderate"), which has no score and keeps the
// label text in Severity.Vector.
const (
	SeverityCVSSv2    = "CVSS_V2"
	SeverityCVSSv3    = "CVSS_V3"
	SeverityCVSSv4    = "CVSS_V4"
	SeverityLabelType = "LABEL"
)

// maxVectorLen bounds the vectors ScoreVector looks at; the longest valid
// CVSS v4.0 vector, with every optional metric, is well under this.
const maxVectorLen = 512

// ScoreVector computes the CVSS base score of a vector string and names its
// version: "CVSS_V2", "CVSS_V3" (3.0 and 3.1) or "CVSS_V4". CVSS v2 vectors
// are accepted bare ("AV:N/AC:L/Au:N/C:P/I:P/A:P"), in parentheses or with a
// "CVSS:2.0/" prefix. For CVSS v4.0 the score is the one the vector
// describes: CVSS-B for a base-only vector. A vector that is not valid
// CVSS is refused with an errs.Invalid error.
func ScoreVector(vector string) (typ string, score float64, err error) {
	v := strings.TrimSpace(vector)
	if len(v) > maxVectorLen {
		return "", 0, errs.E(errs.Invalid, "cvss: vector is longer than %d bytes", maxVectorLen)
	}
	switch {
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, perr := gocvss40.ParseVector(v)
		if perr != nil {
			return "", 0, badVector(v, perr)
		}
		typ, score = SeverityCVSSv4, c.Score()
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, perr := gocvss31.ParseVector(v)
		if perr != nil {
			return "", 0, badVector(v, perr)
		}
		typ, score = SeverityCVSSv3, c.BaseScore()
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, perr := gocvss30.ParseVector(v)
		if perr != nil {
			return "", 0, badVector(v, perr)
		}
		typ, score = SeverityCVSSv3, c.BaseScore()
	default:
		v2 := strings.TrimPrefix(v, "CVSS:2.0/")
		if strings.HasPrefix(v2, "(") && strings.HasSuffix(v2, ")") {
			v2 = v2[1 : len(v2)-1]
		}
		if !strings.HasPrefix(v2, "AV:") {
			return "", 0, errs.E(errs.Invalid, "cvss: %q is not a CVSS v2, v3.0, v3.1 or v4.0 vector", clipVector(v))
		}
		c, perr := gocvss20.ParseVector(v2)
		if perr != nil {
			return "", 0, badVector(v, perr)
		}
		typ, score = SeverityCVSSv2, c.BaseScore()
	}
	if math.IsNaN(score) || score < 0 || score > 10 {
		return "", 0, errs.E(errs.Invalid, "cvss: vector %q gives score %v outside 0–10", clipVector(v), score)
	}
	return typ, score, nil
}

func badVector(v string, err error) error {
	return errs.Wrap(errs.Invalid, err, "cvss: invalid vector %q", clipVector(v))
}

// clipVector shortens a vector for an error message.
func clipVector(v string) string {
	if len(v) > 80 {
		return v[:80] + "…"
	}
	return v
}
