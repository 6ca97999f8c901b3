// Package version orders firmware version strings, so a device can refuse
// to install an older release than it runs (rollback protection) and the
// server can tell which release is newest.
//
// Firmware versions in the field are mostly dotted numbers with optional
// suffixes: "2.1.0", "v3.0.4", "1.2.7-rc1", "5.0.2+build.7", "2024.03.1".
// Compare follows Semantic Versioning 2.0 precedence for those, extended to
// any number of numeric parts, and falls back to a stable, total order for
// anything else, so every pair of versions compares the same way on the
// server and on every device.
package version

import (
	"strings"
)

// Compare returns -1, 0 or +1 as a is older than, the same as, or newer
// than b. Build metadata (after "+") is ignored, as SemVer says; a leading
// "v" is ignored; missing numeric parts count as zero ("2.1" == "2.1.0").
// A pre-release ("2.1.0-rc1") is older than its release ("2.1.0").
func Compare(a, b string) int {
	ca, cb := parse(a), parse(b)
	for i := 0; i < max(len(ca.core), len(cb.core)); i++ {
		if c := compareIdent(part(ca.core, i), part(cb.core, i), true); c != 0 {
			return c
		}
	}
	switch {
	case ca.pre == nil && cb.pre == nil:
		return 0
	case ca.pre == nil:
		return 1
	case cb.pre == nil:
		return -1
	}
	for i := 0; i < min(len(ca.pre), len(cb.pre)); i++ {
		if c := compareIdent(ca.pre[i], cb.pre[i], false); c != 0 {
			return c
		}
	}
	return sign(len(ca.pre) - len(cb.pre))
}

// Newer reports whether a is newer than b.
func Newer(a, b string) bool { return Compare(a, b) > 0 }

type parsed struct {
	core []string // dot-separated parts before any "-"
	pre  []string // dot-separated pre-release identifiers, nil if none
}

func parse(v string) parsed {
	v, _, _ = strings.Cut(v, "+")
	if len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	core, pre, hasPre := strings.Cut(v, "-")
	p := parsed{core: strings.Split(core, ".")}
	if hasPre {
		p.pre = strings.Split(pre, ".")
	}
	return p
}

func part(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return "0"
}

// compareIdent orders two identifiers: numbers numerically and before
// words (SemVer), words by bytes. In the core, a number followed by letters
// ("1a") orders by its number first, then its letters.
func compareIdent(a, b string, core bool) int {
	na, ra := leadingDigits(a)
	nb, rb := leadingDigits(b)
	switch {
	case na != "" && nb != "":
		if c := compareNumbers(na, nb); c != 0 {
			return c
		}
		if core {
			// "1" < "1a": a bare number is the plainer release.
			switch {
			case ra == "" && rb == "":
				return 0
			case ra == "":
				return -1
			case rb == "":
				return 1
			}
		}
		return strings.Compare(ra, rb)
	case na != "":
		return -1
	case nb != "":
		return 1
	}
	return strings.Compare(a, b)
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// compareNumbers compares decimal digit strings of any length.
func compareNumbers(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
