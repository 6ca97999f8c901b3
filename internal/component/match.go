package component

// Relation is the set relation between a source and a target, for one
// attribute value or for a whole name (NISTIR 7696 §6.1, Table 6-1).
type Relation uint8

// The relations. Do not reorder: values may be stored.
const (
	Disjoint  Relation = iota // nothing matched by the source is matched by the target
	Subset                    // the source is a proper subset of the target
	Superset                  // the source is a proper superset of the target
	Equal                     // source and target are the same set
	Undefined                 // the target has wildcards; 7696 defines no relation
)

var relationNames = [...]string{"DISJOINT", "SUBSET", "SUPERSET", "EQUAL", "UNDEFINED"}

// String returns the relation's name as NISTIR 7696 writes it ("SUPERSET").
func (r Relation) String() string {
	if int(r) < len(relationNames) {
		return relationNames[r]
	}
	return "UNDEFINED"
}

// CompareValues returns the relation of a source attribute value to a
// target attribute value, exactly as NISTIR 7696 Table 6-2 enumerates it
// (numbers are the table's rows; "i" and "k" are values without wildcards,
// "m + wild cards" a value with them):
//
//	source        target          relation
//	ANY           ANY             EQUAL      (1)
//	ANY           NA              SUPERSET   (2)
//	ANY           i               SUPERSET   (3)
//	NA            ANY             SUBSET     (5)
//	NA            NA              EQUAL      (6)
//	NA            i               DISJOINT   (7)
//	i             ANY             SUBSET     (9)
//	i             NA              DISJOINT   (10)
//	i             k               EQUAL if i = k, else DISJOINT (11)
//	i + wild      ANY             SUBSET     (13)
//	i + wild      NA              DISJOINT   (14)
//	i + wild      k               SUPERSET if i matches k, else DISJOINT (15)
//	any           m + wild cards  UNDEFINED  (4, 8, 12, 16)
//
// Comparison is case-insensitive; ParseCPE has already lowercased both.
// A wildcard value matches a literal as 7696's compareStrings procedure
// does: a leading "*" matches any number of characters before the literal
// and a trailing "*" any number after it; a run of n "?" at the start or
// the end matches up to n characters there (so "??" matches "a" and "ab"
// but not "abc"); without a wildcard on a side, the literal must reach that
// end of the target.
func CompareValues(source, target Value) Relation {
	return compareValues(&source, &target)
}

// compareValues is CompareValues without copying the values, for the
// name comparisons.
func compareValues(source, target *Value) Relation {
	if target.HasWildcards() {
		return Undefined
	}
	switch {
	case source.kind == kindAny && target.kind == kindAny:
		return Equal
	case source.kind == kindAny:
		return Superset
	case target.kind == kindAny:
		return Subset
	case source.kind == kindNA && target.kind == kindNA:
		return Equal
	case source.kind == kindNA || target.kind == kindNA:
		return Disjoint
	case !source.HasWildcards():
		if source.lit == target.lit {
			return Equal
		}
		return Disjoint
	case wildMatch(source, target.lit):
		return Superset
	}
	return Disjoint
}

// wildMatch reports whether the wildcard value v matches the literal t.
func wildMatch(v *Value, t string) bool {
	n := len(v.lit)
	if n > len(t) {
		return false
	}
	maxStart := len(t) - n // the most characters the prefix may absorb
	switch {
	case v.pre == "":
		maxStart = 0
	case v.pre[0] == '?':
		maxStart = min(maxStart, len(v.pre))
	}
	for i := 0; i <= maxStart; i++ {
		if t[i:i+n] != v.lit {
			continue
		}
		rest := len(t) - i - n // characters the suffix must absorb
		switch {
		case v.suf == "" && rest == 0,
			v.suf == "*",
			v.suf != "" && v.suf[0] == '?' && rest <= len(v.suf):
			return true
		}
	}
	return false
}

// CompareAttributes returns the relation of each attribute of source to
// the same attribute of target (NISTIR 7696 §6.2, Compare_WFNs), indexed by
// [Attribute].
func CompareAttributes(source, target CPE) [NumAttributes]Relation {
	var r [NumAttributes]Relation
	for a := range r {
		r[a] = compareValues(&source.attrs[a], &target.attrs[a])
	}
	return r
}

// Compare returns the relation of the source name to the target name,
// reduced from the attribute relations as NISTIR 7696 §6.2 defines the
// name comparisons:
//
//   - DISJOINT if any attribute is DISJOINT (CPE_DISJOINT), even when
//     another is UNDEFINED;
//   - EQUAL if every attribute is EQUAL (CPE_EQUAL);
//   - SUPERSET if every attribute is SUPERSET or EQUAL (CPE_SUPERSET);
//   - SUBSET if every attribute is SUBSET or EQUAL (CPE_SUBSET);
//   - UNDEFINED otherwise: some attribute is UNDEFINED (the target has
//     wildcards), or the name mixes SUPERSET and SUBSET attributes, a
//     relation 7696 has no name for.
func Compare(source, target CPE) Relation {
	var super, sub, undef bool
	for a := range source.attrs {
		switch compareValues(&source.attrs[a], &target.attrs[a]) {
		case Disjoint:
			return Disjoint
		case Superset:
			super = true
		case Subset:
			sub = true
		case Undefined:
			undef = true
		}
	}
	switch {
	case undef || (super && sub):
		return Undefined
	case super:
		return Superset
	case sub:
		return Subset
	}
	return Equal
}

// Matches reports whether pattern applies to name: CPE_SUPERSET of NISTIR
// 7696 §6.2, true when every attribute of pattern is a SUPERSET of or EQUAL
// to the same attribute of name. This is how an NVD match criterion (the
// pattern, e.g. cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*) applies to a
// component's concrete CPE (the name, e.g.
// cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*).
//
// The name is expected to be concrete. Where it holds ANY and the pattern a
// value, that attribute is SUBSET and the name does not match: a Yocto CPE
// with vendor "*" does not match cpe:2.3:a:openssl:openssl:*:..., by the
// letter of 7696. Whether to match it anyway is the caller's policy; see
// [CPE.VendorIsWildcard]. Wildcards in the name make the relation
// UNDEFINED, which does not match.
//
// Matches does not look at version ranges (versionStartIncluding and the
// like in NVD configurations); those are outside the CPE name and the
// caller checks them with the ecosystem's version order.
func Matches(pattern, name CPE) bool {
	return matches(&pattern, &name)
}

func matches(pattern, name *CPE) bool {
	for a := range pattern.attrs {
		switch compareValues(&pattern.attrs[a], &name.attrs[a]) {
		case Superset, Equal:
		default:
			return false
		}
	}
	return true
}
