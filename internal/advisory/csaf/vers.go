package csaf

import (
	"strings"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// ParseVers converts a vers range (package-url/purl-spec VERSION-RANGE-SPEC,
// as CSAF product_version_range branches use it, e.g.
// "vers:intdot/>=1.4.1074|<=1.4.1116") into an OSV-style range of type
// ECOSYSTEM and a list of single versions. It returns the vers scheme
// ("intdot", "generic", "semver", "all", …).
//
// Constraints are read in order: ">=v" opens an interval (introduced v);
// "<v" and "<=v" close one (fixed v, last_affected v), opening it at "0"
// when nothing is open; "=v" or a bare "v" is a single affected version;
// "*" is every version. ">v" and "!=v" have no OSV counterpart and make the
// range unsupported (errs.Invalid), as does anything that is not vers.
func ParseVers(s string) (r advisory.Range, versions []string, scheme string, err error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, "vers:")
	if !ok {
		return r, nil, "", errs.E(errs.Invalid, "csaf: version range %q is not in vers syntax", clip(s))
	}
	scheme, cons, ok := strings.Cut(rest, "/")
	scheme = strings.ToLower(strings.TrimSpace(scheme))
	if !ok || scheme == "" || strings.TrimSpace(cons) == "" {
		return r, nil, "", errs.E(errs.Invalid, "csaf: version range %q has no scheme or constraints", clip(s))
	}
	r.Type = advisory.RangeEcosystem
	open := false
	for c := range strings.SplitSeq(cons, "|") {
		c = strings.TrimSpace(c)
		op, v := splitOp(c)
		if v == "" && op != "*" {
			return advisory.Range{}, nil, scheme, errs.E(errs.Invalid, "csaf: empty constraint in version range %q", clip(s))
		}
		switch op {
		case "*":
			if c != "*" {
				return advisory.Range{}, nil, scheme, errs.E(errs.Invalid, "csaf: bad constraint %q in version range %q", clip(c), clip(s))
			}
			r.Events = append(r.Events, advisory.Event{Introduced: "0"})
			open = true
		case ">=":
			if open {
				return advisory.Range{}, nil, scheme, errs.E(errs.Invalid, "csaf: version range %q opens an interval twice", clip(s))
			}
			r.Events = append(r.Events, advisory.Event{Introduced: v})
			open = true
		case "<", "<=":
			if !open {
				r.Events = append(r.Events, advisory.Event{Introduced: "0"})
			}
			if op == "<" {
				r.Events = append(r.Events, advisory.Event{Fixed: v})
			} else {
				r.Events = append(r.Events, advisory.Event{LastAffected: v})
			}
			open = false
		case "=", "":
			versions = append(versions, v)
		default:
			return advisory.Range{}, nil, scheme, errs.E(errs.Invalid, "csaf: constraint %q in version range %q has no OSV equivalent", clip(c), clip(s))
		}
	}
	if len(r.Events) == 0 {
		r = advisory.Range{}
	}
	return r, versions, scheme, nil
}

func splitOp(c string) (op, v string) {
	if c == "*" {
		return "*", ""
	}
	for _, o := range []string{">=", "<=", "!=", "<", ">", "="} {
		if rest, ok := strings.CutPrefix(c, o); ok {
			return o, strings.TrimSpace(rest)
		}
	}
	return "", c
}
