package osv

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Default limits.
const (
	DefaultMaxRecordBytes = 4 << 20   // 4 MiB per record
	DefaultMaxTotalBytes  = 2 << 30   // 2 GiB uncompressed per import
	DefaultMaxEntries     = 1_000_000 // archive entries or files per import
	DefaultMaxDepth       = 64        // JSON nesting of objects and arrays
)

// Limits bound what one import may cost. Zero fields take the defaults.
type Limits struct {
	MaxRecordBytes int64 // bytes of one record, counted as read, not as an archive header claims
	MaxTotalBytes  int64 // uncompressed bytes of all records of one import
	MaxEntries     int   // archive entries or directory files of one import, records or not
	MaxDepth       int   // nesting of JSON objects and arrays in one record

	// Since makes an import incremental: records whose modified time is not
	// after Since are counted as unchanged and not passed on. Callers store
	// the import's Stats.MaxModified and pass it as the next Since.
	Since time.Time
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Stats summarises an import; see advisory.ImportStats.
type Stats = advisory.ImportStats

// Parse reads one OSV record with the default limits. The record must be
// valid UTF-8 JSON of at most DefaultMaxRecordBytes, nested at most
// DefaultMaxDepth deep, with an id and a modified time. Fields Lifeline does
// not use (related, credits, ecosystem_specific, …) are ignored, as are
// ranges of unknown types. Severity vectors are scored with
// advisory.ScoreVector; a vector that does not score is kept with score 0. A
// database_specific.severity label (GitHub's "HIGH", "MODERATE", …) is kept
// as a severity of type advisory.SeverityLabelType.
//
// Errors are *errs.Error: errs.TooLarge for a record over a limit,
// errs.Invalid for anything else.
func Parse(data []byte) (*advisory.Advisory, error) {
	return parse(data, Limits{}.withDefaults())
}

func parse(data []byte, lim Limits) (*advisory.Advisory, error) {
	if int64(len(data)) > lim.MaxRecordBytes {
		return nil, errs.E(errs.TooLarge, "osv: record of %d bytes exceeds the limit of %d", len(data), lim.MaxRecordBytes)
	}
	if !utf8.Valid(data) {
		return nil, errs.E(errs.Invalid, "osv: record is not valid UTF-8")
	}
	if advisory.JSONDepthExceeds(data, lim.MaxDepth) {
		return nil, errs.E(errs.TooLarge, "osv: record nests JSON deeper than %d levels", lim.MaxDepth)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "osv: malformed record")
	}
	return r.advisory()
}

// record is the part of the OSV schema Lifeline reads.
type record struct {
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Withdrawn        string          `json:"withdrawn"`
	Aliases          []string        `json:"aliases"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []severity      `json:"severity"`
	Affected         []affected      `json:"affected"`
	References       []reference     `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type affected struct {
	Package  *pkg     `json:"package"`
	Ranges   []rng    `json:"ranges"`
	Versions []string `json:"versions"`
}

type pkg struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl"`
}

type rng struct {
	Type   string              `json:"type"`
	Repo   string              `json:"repo"`
	Events []map[string]string `json:"events"`
}

type reference struct {
	URL string `json:"url"`
}

// ecosystemGit is the OSV ecosystem of bare Git repositories, whose package
// name is the repository URL. Records converted from CVEs often give only a
// GIT range and no package; Lifeline names the package after the range's
// repository this way.
const ecosystemGit = "GIT"

func (r *record) advisory() (*advisory.Advisory, error) {
	id := strings.TrimSpace(r.ID)
	if id == "" {
		return nil, errs.E(errs.Invalid, "osv: record has no id")
	}
	if len(id) > 255 {
		return nil, errs.E(errs.Invalid, "osv: record id is longer than 255 bytes")
	}
	fail := func(field, format string, args ...any) error {
		return errs.E(errs.Invalid, "osv: record %q: %s: %s", id, field, fmt.Sprintf(format, args...))
	}
	a := &advisory.Advisory{
		ID:      id,
		Source:  advisory.SourceOSV,
		Aliases: append([]string(nil), r.Aliases...),
		Summary: strings.TrimSpace(r.Summary),
		Details: r.Details,
	}
	var err error
	if r.Modified == "" {
		return nil, fail("modified", "missing")
	}
	if a.Modified, err = parseTime(r.Modified); err != nil {
		return nil, fail("modified", "%v", err)
	}
	if r.Published != "" {
		if a.Published, err = parseTime(r.Published); err != nil {
			return nil, fail("published", "%v", err)
		}
	}
	if r.Withdrawn != "" {
		if a.Withdrawn, err = parseTime(r.Withdrawn); err != nil {
			return nil, fail("withdrawn", "%v", err)
		}
	}
	a.NormaliseAliases()

	for i, s := range r.Severity {
		sev, err := convertSeverity(s)
		if err != nil {
			return nil, fail(fmt.Sprintf("severity[%d]", i), "%v", err)
		}
		a.Severity = append(a.Severity, sev)
	}
	if label := databaseSeverity(r.DatabaseSpecific); label != "" {
		a.Severity = append(a.Severity, advisory.Severity{Type: advisory.SeverityLabelType, Vector: label})
	}

	for i, af := range r.Affected {
		out, ok, err := convertAffected(af)
		if err != nil {
			return nil, fail(fmt.Sprintf("affected[%d]", i), "%v", err)
		}
		if ok {
			a.Affected = append(a.Affected, out)
		}
	}
	for _, ref := range r.References {
		if u := strings.TrimSpace(ref.URL); u != "" {
			a.References = append(a.References, u)
		}
	}
	return a, nil
}

// parseTime reads an RFC 3339 timestamp, as the OSV schema requires.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", clip(s))
	}
	return t.UTC(), nil
}

func convertSeverity(s severity) (advisory.Severity, error) {
	typ, score := strings.TrimSpace(s.Type), strings.TrimSpace(s.Score)
	if typ == "" || score == "" {
		return advisory.Severity{}, errors.New("type and score are required")
	}
	out := advisory.Severity{Type: typ, Vector: score}
	switch typ {
	case advisory.SeverityCVSSv2, advisory.SeverityCVSSv3, advisory.SeverityCVSSv4:
		// A vector that does not score (a typo upstream) is kept unscored
		// rather than losing the whole record.
		if vt, v, err := advisory.ScoreVector(score); err == nil && vt == typ {
			out.Score = v
		}
	}
	return out, nil
}

// databaseSeverity returns database_specific.severity when it is a short
// string label, as GitHub's advisory database writes it.
func databaseSeverity(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var ds struct {
		Severity json.RawMessage `json:"severity"`
	}
	if json.Unmarshal(raw, &ds) != nil || len(ds.Severity) == 0 {
		return ""
	}
	var label string
	if json.Unmarshal(ds.Severity, &label) != nil {
		return ""
	}
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 32 {
		return ""
	}
	return label
}

// convertAffected maps one affected entry; ok is false for an entry that
// names nothing Lifeline can match (no package and no repository).
func convertAffected(af affected) (out advisory.Affected, ok bool, err error) {
	for i, r := range af.Ranges {
		typ := strings.TrimSpace(r.Type)
		switch typ {
		case advisory.RangeSemver, advisory.RangeEcosystem, advisory.RangeGit:
		default:
			continue // unknown range types are ignored, as the schema asks
		}
		if len(r.Events) == 0 {
			return out, false, fmt.Errorf("ranges[%d]: no events", i)
		}
		rg := advisory.Range{Type: typ, Repo: strings.TrimSpace(r.Repo), Events: make([]advisory.Event, 0, len(r.Events))}
		for j, ev := range r.Events {
			e, err := convertEvent(ev)
			if err != nil {
				return out, false, fmt.Errorf("ranges[%d].events[%d]: %w", i, j, err)
			}
			rg.Events = append(rg.Events, e)
		}
		out.Ranges = append(out.Ranges, rg)
	}
	out.Versions = append([]string(nil), af.Versions...)

	if af.Package != nil {
		p := advisory.Package{
			Ecosystem: strings.TrimSpace(af.Package.Ecosystem),
			Name:      strings.TrimSpace(af.Package.Name),
			PURL:      strings.TrimSpace(af.Package.PURL),
		}
		if p.Name == "" && p.PURL == "" {
			return out, false, errors.New("package has neither name nor purl")
		}
		out.Package = &p
		return out, true, nil
	}
	for _, r := range out.Ranges {
		if r.Type == advisory.RangeGit && r.Repo != "" {
			out.Package = &advisory.Package{Ecosystem: ecosystemGit, Name: r.Repo}
			return out, true, nil
		}
	}
	return out, false, nil
}

// convertEvent reads one range event, which must have exactly one of the
// four keys with a non-empty value.
func convertEvent(ev map[string]string) (advisory.Event, error) {
	if len(ev) != 1 {
		return advisory.Event{}, fmt.Errorf("an event must have exactly one key, not %d", len(ev))
	}
	var e advisory.Event
	for k, v := range ev {
		v = strings.TrimSpace(v)
		if v == "" {
			return e, fmt.Errorf("event %q is empty", clip(k))
		}
		switch k {
		case "introduced":
			e.Introduced = v
		case "fixed":
			e.Fixed = v
		case "last_affected":
			e.LastAffected = v
		case "limit":
			e.Limit = v
		default:
			return e, fmt.Errorf("unknown event %q", clip(k))
		}
	}
	return e, nil
}

// clip shortens input quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// hasJSONSuffix reports whether an archive entry or file name is a record.
func hasJSONSuffix(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".json")
}
