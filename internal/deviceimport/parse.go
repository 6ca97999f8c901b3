package deviceimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// Format is an import file format.
type Format string

// Formats.
const (
	CSV  Format = "csv"
	JSON Format = "json"
)

// DefaultMaxRows is the most rows one import may hold.
const DefaultMaxRows = 1_000_000

// Columns are the field names of a device row, in CSV header order of the template.
var Columns = []string{"serial", "hardware_revision", "installed_version", "first_seen", "last_seen"}

// Parse reads devices from r in the given format. It returns the rows that
// parsed and a problem for every row that did not; it returns an error only
// when the file as a whole cannot be read (wrong structure, too many rows).
func Parse(r io.Reader, format Format, maxRows int) ([]Row, Problems, error) {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	switch format {
	case CSV:
		return parseCSV(r, maxRows)
	case JSON:
		return parseJSON(r, maxRows)
	}
	return nil, Problems{}, errs.Invalidf("format", "must be csv or json")
}

func parseCSV(r io.Reader, maxRows int) ([]Row, Problems, error) {
	var ps Problems
	br := bufio.NewReaderSize(r, 64<<10)
	// Spreadsheet programs often save CSV with a UTF-8 byte order mark.
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ps, errs.E(errs.Invalid, "the CSV file is empty; its first line must be a header naming the columns: %s", strings.Join(Columns, ",")).WithCode("import_malformed")
	}
	if err != nil {
		return nil, ps, malformed("CSV", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !known(h) {
			return nil, ps, errs.E(errs.Invalid, "unknown CSV column %q in the header; the columns are: %s", h, strings.Join(Columns, ",")).WithCode("import_malformed")
		}
		if _, dup := col[h]; dup {
			return nil, ps, errs.E(errs.Invalid, "CSV column %q appears twice in the header", h).WithCode("import_malformed")
		}
		col[h] = i
	}
	if _, ok := col["serial"]; !ok {
		return nil, ps, errs.E(errs.Invalid, "the CSV header has no serial column").WithCode("import_malformed")
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []Row
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				ps.Add(n, "", "has %d fields, the header has %d", len(rec), len(header))
				continue
			}
			return nil, ps, malformed("CSV", err)
		}
		if n > maxRows {
			return nil, ps, errs.E(errs.TooLarge, "the import has more than %d rows; split it into smaller files", maxRows).WithCode("import_too_large")
		}
		if len(rec) != len(header) {
			ps.Add(n, "", "has %d fields, the header has %d", len(rec), len(header))
			continue
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		d, ok := buildDevice(n, &ps, get(rec, "serial"), get(rec, "hardware_revision"), get(rec, "installed_version"), get(rec, "first_seen"), get(rec, "last_seen"))
		if ok {
			rows = append(rows, Row{Row: n, Device: d})
		}
	}
	return rows, ps, nil
}

func known(col string) bool {
	for _, c := range Columns {
		if c == col {
			return true
		}
	}
	return false
}

// jsonDevice is the JSON shape of an import row. Times are strings so a bad
// one is reported against its row rather than failing the whole file.
type jsonDevice struct {
	Serial           string `json:"serial"`
	HardwareRevision string `json:"hardware_revision"`
	InstalledVersion string `json:"installed_version"`
	FirstSeen        string `json:"first_seen"`
	LastSeen         string `json:"last_seen"`
}

// parseJSON accepts an array of device objects, or an object {"devices": [...]}.
func parseJSON(r io.Reader, maxRows int) ([]Row, Problems, error) {
	var ps Problems
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil {
		return nil, ps, malformed("JSON", err)
	}
	wrapped := false
	if tok == json.Delim('{') {
		key, err := dec.Token()
		if err != nil {
			return nil, ps, malformed("JSON", err)
		}
		if key != "devices" {
			return nil, ps, errs.E(errs.Invalid, `a JSON import must be an array of devices or an object {"devices": [...]}`).WithCode("import_malformed")
		}
		if tok, err = dec.Token(); err != nil {
			return nil, ps, malformed("JSON", err)
		}
		wrapped = true
	}
	if tok != json.Delim('[') {
		return nil, ps, errs.E(errs.Invalid, `a JSON import must be an array of devices or an object {"devices": [...]}`).WithCode("import_malformed")
	}
	var rows []Row
	for n := 1; dec.More(); n++ {
		if n > maxRows {
			return nil, ps, errs.E(errs.TooLarge, "the import has more than %d rows; split it into smaller files", maxRows).WithCode("import_too_large")
		}
		var jd jsonDevice
		if err := dec.Decode(&jd); err != nil {
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) {
				// The decoder has consumed the value; the rest of the file is still readable.
				ps.Add(n, ute.Field, "must be a string")
				continue
			}
			if strings.HasPrefix(err.Error(), "json: unknown field ") {
				ps.Add(n, "", "%s; the fields are: %s", strings.TrimPrefix(err.Error(), "json: "), strings.Join(Columns, ", "))
				continue
			}
			return nil, ps, malformed("JSON", fmt.Errorf("device %d: %w", n, err))
		}
		d, ok := buildDevice(n, &ps, strings.TrimSpace(jd.Serial), strings.TrimSpace(jd.HardwareRevision), strings.TrimSpace(jd.InstalledVersion), strings.TrimSpace(jd.FirstSeen), strings.TrimSpace(jd.LastSeen))
		if ok {
			rows = append(rows, Row{Row: n, Device: d})
		}
	}
	if _, err := dec.Token(); err != nil { // closing ]
		return nil, ps, malformed("JSON", err)
	}
	if wrapped {
		if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
			return nil, ps, errs.E(errs.Invalid, `the JSON object may hold only the "devices" array`).WithCode("import_malformed")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ps, errs.E(errs.Invalid, "unexpected data after the JSON device list").WithCode("import_malformed")
	}
	return rows, ps, nil
}

func buildDevice(n int, ps *Problems, serial, hw, version, first, last string) (registry.Device, bool) {
	before := ps.Count
	for _, v := range []struct{ field, val string }{{"serial", serial}, {"hardware_revision", hw}, {"installed_version", version}, {"first_seen", first}, {"last_seen", last}} {
		if !utf8.ValidString(v.val) {
			ps.Add(n, v.field, "is not valid UTF-8")
		}
	}
	d := registry.Device{Serial: serial, HardwareRevision: hw, InstalledVersion: version}
	var err error
	if d.FirstSeen, err = parseTime(first); err != nil {
		ps.Add(n, "first_seen", "%v", err)
	}
	if d.LastSeen, err = parseTime(last); err != nil {
		ps.Add(n, "last_seen", "%v", err)
	}
	if ps.Count > before {
		return d, false
	}
	if err := d.Validate(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				ps.Add(n, f.Field, "%s", f.Message)
			}
		}
		return d, false
	}
	return d, true
}

// parseTime reads an RFC 3339 time or a date; empty means unknown.
func parseTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if !registry.ValidTime(t) {
				return nil, fmt.Errorf("must be between the years 1970 and 9999 (UTC)")
			}
			return &t, nil
		}
	}
	return nil, fmt.Errorf("must be an RFC 3339 time (2025-03-01T12:00:00Z) or a date (2025-03-01)")
}

func malformed(kind string, err error) error {
	return errs.Wrap(errs.Invalid, err, "the file is not valid %s: %v", kind, err).WithCode("import_malformed")
}

// DetectFormat picks the format from a media type or file name.
func DetectFormat(contentType, filename string) (Format, bool) {
	ct := strings.ToLower(contentType)
	switch {
	case strings.HasPrefix(ct, "text/csv"), strings.HasSuffix(strings.ToLower(filename), ".csv"):
		return CSV, true
	case strings.HasPrefix(ct, "application/json"), strings.HasSuffix(strings.ToLower(filename), ".json"):
		return JSON, true
	}
	return "", false
}
