package nvd

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// cve is the part of an NVD CVE API 2.0 "cve" object Lifeline reads.
// Weaknesses, vendor comments and the CVE-5 "affected" data are ignored.
type cve struct {
	ID                 string       `json:"id"`
	Published          string       `json:"published"`
	LastModified       string       `json:"lastModified"`
	VulnStatus         string       `json:"vulnStatus"`
	CISAExploitAdd     string       `json:"cisaExploitAdd"`
	CISAActionDue      string       `json:"cisaActionDue"`
	CISARequiredAction string       `json:"cisaRequiredAction"`
	Descriptions       []langString `json:"descriptions"`
	Metrics            metrics      `json:"metrics"`
	Configurations     []config     `json:"configurations"`
	References         []reference  `json:"references"`
}

type langString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type metrics struct {
	V40 []metric `json:"cvssMetricV40"`
	V31 []metric `json:"cvssMetricV31"`
	V30 []metric `json:"cvssMetricV30"`
	V2  []metric `json:"cvssMetricV2"`
}

type metric struct {
	Source   string `json:"source"`
	CVSSData struct {
		VectorString string   `json:"vectorString"`
		BaseScore    *float64 `json:"baseScore"`
	} `json:"cvssData"`
}

type config struct {
	Operator string `json:"operator"`
	Negate   bool   `json:"negate"`
	Nodes    []node `json:"nodes"`
}

type node struct {
	Operator string     `json:"operator"`
	Negate   bool       `json:"negate"`
	CPEMatch []cpeMatch `json:"cpeMatch"`
}

type cpeMatch struct {
	Vulnerable            bool   `json:"vulnerable"`
	Criteria              string `json:"criteria"`
	VersionStartIncluding string `json:"versionStartIncluding"`
	VersionStartExcluding string `json:"versionStartExcluding"`
	VersionEndIncluding   string `json:"versionEndIncluding"`
	VersionEndExcluding   string `json:"versionEndExcluding"`
}

type reference struct {
	URL string `json:"url"`
}

// statusRejected is the vulnStatus of a rejected (withdrawn) CVE.
const statusRejected = "Rejected"

// maxSummary is the longest Summary, in runes, derived from a description.
const maxSummary = 200

func (c *cve) advisory() (*advisory.Advisory, error) {
	id := strings.TrimSpace(c.ID)
	if id == "" {
		return nil, errs.E(errs.Invalid, "nvd: record has no id")
	}
	if len(id) > 64 {
		return nil, errs.E(errs.Invalid, "nvd: record id is longer than 64 bytes")
	}
	fail := func(field, format string, args ...any) error {
		return errs.E(errs.Invalid, "nvd: %s: %s: %s", id, field, fmt.Sprintf(format, args...))
	}
	a := &advisory.Advisory{ID: id, Source: advisory.SourceNVD}
	var err error
	if c.LastModified == "" {
		return nil, fail("lastModified", "missing")
	}
	if a.Modified, err = parseTime(c.LastModified); err != nil {
		return nil, fail("lastModified", "%v", err)
	}
	if c.Published != "" {
		if a.Published, err = parseTime(c.Published); err != nil {
			return nil, fail("published", "%v", err)
		}
	}
	if c.VulnStatus == statusRejected {
		a.Withdrawn = a.Modified
	}
	for _, d := range c.Descriptions {
		if d.Lang == "en" && strings.TrimSpace(d.Value) != "" {
			a.Details = d.Value
			a.Summary = summarise(d.Value)
			break
		}
	}

	for _, group := range []struct {
		typ string
		ms  []metric
	}{
		{advisory.SeverityCVSSv4, c.Metrics.V40},
		{advisory.SeverityCVSSv3, c.Metrics.V31},
		{advisory.SeverityCVSSv3, c.Metrics.V30},
		{advisory.SeverityCVSSv2, c.Metrics.V2},
	} {
		for i, m := range group.ms {
			vec := strings.TrimSpace(m.CVSSData.VectorString)
			score := m.CVSSData.BaseScore
			if vec == "" || score == nil {
				return nil, fail(fmt.Sprintf("metrics %s[%d]", group.typ, i), "vectorString and baseScore are required")
			}
			if math.IsNaN(*score) || *score < 0 || *score > 10 {
				return nil, fail(fmt.Sprintf("metrics %s[%d]", group.typ, i), "baseScore %v is outside 0–10", *score)
			}
			a.Severity = append(a.Severity, advisory.Severity{Type: group.typ, Vector: vec, Score: *score, Source: m.Source})
		}
	}

	if c.CISAExploitAdd != "" {
		x := &advisory.Exploitation{RequiredAction: strings.TrimSpace(c.CISARequiredAction)}
		if x.DateAdded, err = parseDate(c.CISAExploitAdd); err != nil {
			return nil, fail("cisaExploitAdd", "%v", err)
		}
		if c.CISAActionDue != "" {
			if x.DueDate, err = parseDate(c.CISAActionDue); err != nil {
				return nil, fail("cisaActionDue", "%v", err)
			}
		}
		a.Exploited = x
	}

	for i, cfg := range c.Configurations {
		aff, err := convertConfig(cfg)
		if err != nil {
			return nil, fail(fmt.Sprintf("configurations[%d]", i), "%v", err)
		}
		a.Affected = append(a.Affected, aff...)
	}

	seen := map[string]bool{}
	for _, r := range c.References {
		u := strings.TrimSpace(r.URL)
		if u != "" && !seen[u] {
			seen[u] = true
			a.References = append(a.References, u)
		}
	}
	return a, nil
}

// convertConfig turns one configuration into one Affected per vulnerable
// CPE match.
//
// In an AND configuration the vulnerable matches of one node apply only on
// the platforms the other nodes name; NVD marks those platform matches
// "vulnerable": false ("esp-idf 4.0–4.2 running on an esp32"). They become
// RunningOn of every vulnerable match of the other nodes. Within one node
// that has operator AND (a form NVD rarely uses), the node's own
// non-vulnerable matches are platforms too. Outside AND, non-vulnerable
// matches say nothing about what is affected and are dropped.
//
// Negated nodes ("not running on X") are skipped: the model has no way to
// say "except on", and dropping the exclusion errs toward reporting a match.
func convertConfig(cfg config) ([]advisory.Affected, error) {
	// Validate every criterion first, so a bad CPE fails the record
	// wherever it appears.
	for i, n := range cfg.Nodes {
		for j, m := range n.CPEMatch {
			if err := checkCPE(m.Criteria); err != nil {
				return nil, fmt.Errorf("nodes[%d].cpeMatch[%d]: %w", i, j, err)
			}
		}
	}
	and := strings.EqualFold(cfg.Operator, "AND") && !cfg.Negate
	var out []advisory.Affected
	for i, n := range cfg.Nodes {
		if n.Negate {
			continue
		}
		var platforms []string
		if and {
			for k, other := range cfg.Nodes {
				if k != i && !other.Negate {
					platforms = appendPlatforms(platforms, other)
				}
			}
		}
		if strings.EqualFold(n.Operator, "AND") {
			platforms = appendPlatforms(platforms, n)
		}
		for _, m := range n.CPEMatch {
			if !m.Vulnerable {
				continue
			}
			out = append(out, advisory.Affected{CPE: &advisory.CPECriteria{
				Criteria:              strings.TrimSpace(m.Criteria),
				VersionStartIncluding: strings.TrimSpace(m.VersionStartIncluding),
				VersionStartExcluding: strings.TrimSpace(m.VersionStartExcluding),
				VersionEndIncluding:   strings.TrimSpace(m.VersionEndIncluding),
				VersionEndExcluding:   strings.TrimSpace(m.VersionEndExcluding),
				RunningOn:             slices.Clone(platforms),
			}})
		}
	}
	return out, nil
}

// appendPlatforms adds the criteria of n's non-vulnerable matches to ps,
// once each.
func appendPlatforms(ps []string, n node) []string {
	for _, m := range n.CPEMatch {
		c := strings.TrimSpace(m.Criteria)
		if !m.Vulnerable && !slices.Contains(ps, c) {
			ps = append(ps, c)
		}
	}
	return ps
}

// checkCPE requires a CPE 2.3 formatted string.
func checkCPE(s string) error {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "cpe:2.3:") {
		return fmt.Errorf("criteria %q is not a CPE 2.3 formatted string", clip(s))
	}
	if _, err := component.ParseCPE(s); err != nil {
		return fmt.Errorf("criteria %q: %w", clip(s), err)
	}
	return nil
}

// NVD writes timestamps without a zone ("2024-03-29T17:15:21.150"); they
// are UTC. Zoned RFC 3339 times are accepted too.
const nvdTime = "2006-01-02T15:04:05.999999999"

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(nvdTime, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an NVD timestamp", clip(s))
}

// parseDate reads the CISA KEV dates NVD copies ("2023-09-13").
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date", clip(s))
	}
	return t, nil
}

// summarise derives a one-line summary from a description: its first line,
// cut after the first sentence, and shortened at a word boundary to at most
// maxSummary runes.
func summarise(d string) string {
	s := strings.TrimSpace(d)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if i := sentenceEnd(s); i > 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= maxSummary {
		return s
	}
	cut, runes := 0, 0
	for i := range s {
		if runes == maxSummary-1 {
			cut = i
			break
		}
		runes++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > maxSummary/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

// sentenceEnd returns the index just after the first sentence-ending period
// of s, or -1. A period ends a sentence when a space and an upper-case
// letter follow it, which keeps "e.g. foo" and "1.2.3 and" together.
func sentenceEnd(s string) int {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			return i + 1
		}
	}
	return -1
}
