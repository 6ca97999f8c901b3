package vulnmatch

import (
	"cmp"
	"slices"

	"github.com/google/osv-scalibr/semantic"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
)

// Index holds advisories filed by lookup key, with their version bounds
// and CPE criteria parsed once, when they are added.
//
// Match may be called from many goroutines at once; Add and Remove must
// not run concurrently with each other or with Match.
type Index struct {
	records map[recordID]*record
	buckets map[string][]entry
	// Parsed CPE patterns and bound versions are shared between records:
	// most NVD criteria are cpe:2.3:a:<vendor>:<product>:*:... with a
	// bound that other records repeat. Entries are never evicted; their
	// number is bounded by the distinct strings ever added.
	patterns map[string]*component.CPE
	versions map[versionKey]semantic.Version
}

type recordID struct {
	source advisory.Source
	id     string
}

type versionKey struct {
	scheme string
	raw    string
}

// record is one advisory with its Affected statements compiled.
type record struct {
	adv      *advisory.Advisory
	affected []compiled // parallel to adv.Affected
}

// entry is one Affected statement of a record, as filed under a key.
type entry struct {
	rec *record
	i   int32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		records:  map[recordID]*record{},
		buckets:  map[string][]entry{},
		patterns: map[string]*component.CPE{},
		versions: map[versionKey]semantic.Version{},
	}
}

// Len returns the number of advisory records in the index.
func (ix *Index) Len() int { return len(ix.records) }

// Add files a, replacing any record with the same Source and ID. The index
// keeps a pointer to a: the caller must not modify it afterwards. Withdrawn
// advisories are not filed (and replace, that is remove, an earlier
// version of the record).
func (ix *Index) Add(a *advisory.Advisory) {
	if a == nil {
		return
	}
	ix.Remove(a.Source, a.ID)
	if !a.Withdrawn.IsZero() {
		return
	}
	r := &record{adv: a, affected: make([]compiled, len(a.Affected))}
	for i := range a.Affected {
		r.affected[i] = ix.compile(&a.Affected[i])
		for _, k := range AffectedKeys(a.Affected[i]) {
			ix.buckets[k] = append(ix.buckets[k], entry{rec: r, i: int32(i)})
		}
	}
	ix.records[recordID{a.Source, a.ID}] = r
}

// Remove drops the record with this Source and ID, if there is one.
func (ix *Index) Remove(source advisory.Source, id string) {
	rid := recordID{source, id}
	r, ok := ix.records[rid]
	if !ok {
		return
	}
	delete(ix.records, rid)
	for i := range r.adv.Affected {
		for _, k := range AffectedKeys(r.adv.Affected[i]) {
			b := slices.DeleteFunc(ix.buckets[k], func(e entry) bool { return e.rec == r })
			if len(b) == 0 {
				delete(ix.buckets, k)
			} else {
				ix.buckets[k] = b
			}
		}
	}
}

// Match returns the advisories in the index that affect c, at most one
// Match per advisory record, ordered by advisory ID and then source. Where
// several of a record's statements match, the one without a caveat wins,
// else the first.
func (ix *Index) Match(c Component) []Match {
	s := newSubject(c)
	var out []Match
	var seen map[*record]int
	for _, k := range s.keys() {
		for _, e := range ix.buckets[k] {
			j, dup := seen[e.rec]
			if dup && out[j].Reason.Caveat == "" {
				continue
			}
			reason, ok := e.rec.affected[e.i].match(s, &e.rec.adv.Affected[e.i])
			if !ok {
				continue
			}
			switch {
			case !dup:
				if seen == nil {
					seen = map[*record]int{}
				}
				seen[e.rec] = len(out)
				out = append(out, Match{Advisory: e.rec.adv, Reason: reason})
			case reason.Caveat == "":
				out[j].Reason = reason
			}
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Advisory.ID, b.Advisory.ID), cmp.Compare(a.Advisory.Source, b.Advisory.Source))
	})
	return out
}

// internVersion parses raw in the scheme, sharing the result with earlier
// identical bounds.
func (ix *Index) internVersion(sc *scheme, raw string) (semantic.Version, error) {
	k := versionKey{sc.name, raw}
	if v, ok := ix.versions[k]; ok {
		return v, nil
	}
	v, err := sc.parse(raw)
	if err != nil {
		return nil, err
	}
	ix.versions[k] = v
	return v, nil
}

func (ix *Index) internPattern(raw string) (*component.CPE, error) {
	if p, ok := ix.patterns[raw]; ok {
		return p, nil
	}
	cp, err := component.ParseCPE(raw)
	if err != nil {
		return nil, err
	}
	ix.patterns[raw] = &cp
	return &cp, nil
}
