// Package kev reads the CISA Known Exploited Vulnerabilities (KEV)
// catalogue, known_exploited_vulnerabilities.json, into entries that say
// which CVEs are known to be exploited in the wild, since when, and by
// when US federal agencies must remediate them.
//
// Read decodes the catalogue as a stream, one vulnerability at a time, so
// memory stays proportional to the entries kept rather than to the input
// text. The package is pure: it reads only the io.Reader it is given.
package kev

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Limits bound the resources Read spends on one catalogue. Zero fields
// take the defaults.
type Limits struct {
	MaxBytes   int64 // default 64 MiB
	MaxEntries int   // default 100,000 (the catalogue had 1,280 in February 2025)
}

// Default limits.
const (
	DefaultMaxBytes   = 64 << 20
	DefaultMaxEntries = 100_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	return l
}

// Catalogue is the KEV catalogue.
type Catalogue struct {
	Title    string
	Version  string    // catalogVersion, e.g. "2025.02.25"
	Released time.Time // dateReleased
	Count    int       // the count the catalogue claims; len(Entries) is what was read
	Entries  []Entry
}

// Entry is one known exploited vulnerability.
type Entry struct {
	CVE               string // cveID, upper case
	VendorProject     string
	Product           string
	VulnerabilityName string
	ShortDescription  string
	Notes             string
	CWEs              []string
	Exploitation      advisory.Exploitation
}

// Advisory returns the entry as an advisory record of source KEV: the CVE
// as ID, the vulnerability name as Summary, the description as Details,
// Exploited set, and Modified the catalogue's release time.
func (e Entry) Advisory(released time.Time) *advisory.Advisory {
	x := e.Exploitation
	return &advisory.Advisory{
		ID:        e.CVE,
		Source:    advisory.SourceKEV,
		Summary:   e.VulnerabilityName,
		Details:   e.ShortDescription,
		Published: x.DateAdded,
		Modified:  released,
		Exploited: &x,
	}
}

var cvePattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

type rawEntry struct {
	CVEID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// Read decodes a KEV catalogue from r. Input larger than lim.MaxBytes or
// with more than lim.MaxEntries vulnerabilities is refused with an
// errs.TooLarge error. Input that is not UTF-8 or not a KEV catalogue, and
// any entry whose cveID is not of the form CVE-YYYY-NNNN (four or more
// digits) or whose dateAdded is not a date, is refused with an errs.Invalid
// error naming the entry: the catalogue is published as one file, so a bad
// entry means a bad download rather than one bad record.
func Read(r io.Reader, lim Limits) (*Catalogue, error) {
	lim = lim.withDefaults()
	lr := &limitedReader{r: r, n: lim.MaxBytes}
	dec := json.NewDecoder(bufio.NewReader(&utf8Reader{r: lr}))
	cat, err := decode(dec, lim)
	if lr.exceeded {
		return nil, errs.E(errs.TooLarge, "kev: catalogue exceeds %d bytes", lim.MaxBytes)
	}
	var e *errs.Error
	switch {
	case err == nil:
		return cat, nil
	case errors.As(err, &e):
		return nil, err
	case errors.Is(err, errNotUTF8):
		return nil, errs.E(errs.Invalid, "kev: catalogue is not valid UTF-8")
	default:
		return nil, errs.Wrap(errs.Invalid, err, "kev: malformed catalogue")
	}
}

func decode(dec *json.Decoder, lim Limits) (*Catalogue, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	cat := &Catalogue{}
	seenVulns := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		switch key {
		case "title":
			err = dec.Decode(&cat.Title)
		case "catalogVersion":
			err = dec.Decode(&cat.Version)
		case "count":
			err = dec.Decode(&cat.Count)
		case "dateReleased":
			var s string
			if err = dec.Decode(&s); err == nil {
				if cat.Released, err = time.Parse(time.RFC3339Nano, s); err != nil {
					return nil, errs.E(errs.Invalid, "kev: dateReleased %q is not an RFC 3339 time", clip(s))
				}
				cat.Released = cat.Released.UTC()
			}
		case "vulnerabilities":
			seenVulns = true
			err = decodeEntries(dec, cat, lim)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errs.E(errs.Invalid, "kev: data after the catalogue object")
	}
	if !seenVulns {
		return nil, errs.E(errs.Invalid, "kev: not a KEV catalogue (no vulnerabilities array)")
	}
	return cat, nil
}

func decodeEntries(dec *json.Decoder, cat *Catalogue, lim Limits) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for i := 0; dec.More(); i++ {
		if len(cat.Entries) >= lim.MaxEntries {
			return errs.E(errs.TooLarge, "kev: catalogue has more than %d entries", lim.MaxEntries)
		}
		var raw rawEntry
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		e, err := convert(raw)
		if err != nil {
			return errs.E(errs.Invalid, "kev: entry %d: %s", i+1, err.Error())
		}
		cat.Entries = append(cat.Entries, e)
	}
	return expectDelim(dec, ']')
}

func convert(raw rawEntry) (Entry, error) {
	cve := strings.ToUpper(strings.TrimSpace(raw.CVEID))
	if !cvePattern.MatchString(cve) {
		return Entry{}, errors.New("cveID " + quote(raw.CVEID) + " is not a CVE id")
	}
	added, err := parseDate(raw.DateAdded)
	if err != nil || added.IsZero() {
		return Entry{}, errors.New(cve + ": dateAdded " + quote(raw.DateAdded) + " is not a date")
	}
	due, err := parseDate(raw.DueDate)
	if err != nil {
		return Entry{}, errors.New(cve + ": dueDate " + quote(raw.DueDate) + " is not a date")
	}
	return Entry{
		CVE:               cve,
		VendorProject:     strings.TrimSpace(raw.VendorProject),
		Product:           strings.TrimSpace(raw.Product),
		VulnerabilityName: strings.TrimSpace(raw.VulnerabilityName),
		ShortDescription:  strings.TrimSpace(raw.ShortDescription),
		Notes:             strings.TrimSpace(raw.Notes),
		CWEs:              raw.CWEs,
		Exploitation: advisory.Exploitation{
			DateAdded:      added,
			DueDate:        due,
			RansomwareUse:  strings.EqualFold(strings.TrimSpace(raw.KnownRansomwareCampaignUse), "Known"),
			RequiredAction: strings.TrimSpace(raw.RequiredAction),
		},
	}, nil
}

// parseDate reads a YYYY-MM-DD date as midnight UTC; "" is the zero time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errs.E(errs.Invalid, "kev: not a KEV catalogue (expected %q, found %v)", string(want), tok)
	}
	return nil
}

func quote(s string) string { return `"` + clip(s) + `"` }

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// limitedReader reads at most n bytes and records whether the input had
// more.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if k, _ := io.ReadFull(l.r, one[:]); k > 0 {
			l.exceeded = true
			return 0, errors.New("input too large")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

var errNotUTF8 = errors.New("not UTF-8")

// utf8Reader fails on invalid UTF-8, which encoding/json would otherwise
// replace with U+FFFD. A sequence split across reads is carried over.
type utf8Reader struct {
	r    io.Reader
	tail []byte
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if len(p) <= utf8.UTFMax {
		return 0, errors.New("kev: read buffer too small")
	}
	n := copy(p, u.tail)
	u.tail = u.tail[:0]
	k, err := u.r.Read(p[n:])
	n += k
	buf := p[:n]
	// Hold back an incomplete sequence at the end unless the input ended.
	keep := 0
	if err == nil {
		for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:]) {
					keep = len(buf) - i
				}
				break
			}
		}
	}
	if !utf8.Valid(buf[:len(buf)-keep]) {
		return 0, errNotUTF8
	}
	u.tail = append(u.tail, buf[len(buf)-keep:]...)
	return len(buf) - keep, err
}
