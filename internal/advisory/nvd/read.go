package nvd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Default limits.
const (
	DefaultMaxInputBytes  = 4 << 30 // 4 GiB per stream
	DefaultMaxRecordBytes = 8 << 20 // 8 MiB per record
	DefaultMaxDepth       = 64      // JSON nesting of objects and arrays in one record
)

// Limits bound what one import may cost. Zero fields take the defaults.
type Limits struct {
	MaxInputBytes  int64 // bytes of the whole stream
	MaxRecordBytes int64 // bytes of one element of "vulnerabilities" (or of any other top-level value)
	MaxDepth       int   // nesting of JSON objects and arrays in one record

	// Since makes an import incremental: records whose lastModified time
	// is not after Since are counted as unchanged and not passed on.
	// Callers store the import's Stats.MaxModified and pass it as the
	// next Since.
	Since time.Time
}

func (l Limits) withDefaults() Limits {
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = DefaultMaxInputBytes
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Stats summarises an import; see advisory.ImportStats.
type Stats = advisory.ImportStats

// Read reads an NVD CVE API 2.0 JSON object from r and calls fn with each
// CVE record of its "vulnerabilities" array, in order. Other top-level
// fields are checked where they identify the format ("format" must be
// "NVD_CVE", "version" 2.x) and otherwise ignored.
//
// A record that is malformed is counted in Stats and skipped, and so is a
// record not modified after lim.Since (as unchanged). Input that is not
// JSON of this shape is refused with an errs.Invalid error, input over a
// limit with an errs.TooLarge error; both abort the import, as does an error
// returned by fn, which is returned as is. The Stats returned with an error
// describe the work done until then.
func Read(r io.Reader, lim Limits, fn func(*advisory.Advisory) error) (Stats, error) {
	lim = lim.withDefaults()
	var st Stats
	lr := &limitedReader{r: r, max: lim.MaxInputBytes, stop: lim.MaxInputBytes}
	dec := json.NewDecoder(lr)
	// raw decodes the next value into a RawMessage without letting it run
	// past MaxRecordBytes: the reader is told where the value must end.
	raw := func(what string) (json.RawMessage, error) {
		lr.stop = min(dec.InputOffset()+lim.MaxRecordBytes, lim.MaxInputBytes)
		var m json.RawMessage
		err := dec.Decode(&m)
		lr.stop = lim.MaxInputBytes
		if err != nil {
			return nil, streamError(lr, err, what, lim)
		}
		return m, nil
	}

	if err := expectDelim(dec, lr, '{', lim); err != nil {
		return st, err
	}
	sawVulns := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return st, streamError(lr, err, "a field name", lim)
		}
		key, _ := tok.(string)
		switch key {
		case "vulnerabilities":
			if sawVulns {
				return st, errs.E(errs.Invalid, "nvd: \"vulnerabilities\" appears twice")
			}
			sawVulns = true
			if err := expectDelim(dec, lr, '[', lim); err != nil {
				return st, err
			}
			for i := 0; dec.More(); i++ {
				m, err := raw(fmt.Sprintf("vulnerabilities[%d]", i))
				if err != nil {
					return st, err
				}
				a, err := parseRecord(m, lim)
				if err != nil {
					if errs.Is(err, errs.TooLarge) {
						return st, errs.Wrap(errs.TooLarge, err, "nvd: vulnerabilities[%d] refused", i)
					}
					st.AddError(fmt.Sprintf("vulnerabilities[%d]: %v", i, err))
					continue
				}
				st.SeeModified(a.Modified)
				if !lim.Since.IsZero() && !a.Modified.After(lim.Since) {
					st.Unchanged++
					continue
				}
				if err := fn(a); err != nil {
					return st, err
				}
				st.Records++
			}
			if err := expectDelim(dec, lr, ']', lim); err != nil {
				return st, err
			}
		case "format", "version":
			m, err := raw(key)
			if err != nil {
				return st, err
			}
			if err := checkHeader(key, m); err != nil {
				return st, err
			}
		default:
			if _, err := raw(fmt.Sprintf("field %q", clip(key))); err != nil {
				return st, err
			}
		}
	}
	if err := expectDelim(dec, lr, '}', lim); err != nil {
		return st, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			return st, errs.E(errs.Invalid, "nvd: data after the top-level object")
		}
		return st, streamError(lr, err, "the end of input", lim)
	}
	if !sawVulns {
		return st, errs.E(errs.Invalid, "nvd: no \"vulnerabilities\" array")
	}
	return st, nil
}

// checkHeader checks the "format" and "version" fields.
func checkHeader(key string, m json.RawMessage) error {
	var s string
	if json.Unmarshal(m, &s) != nil {
		return errs.E(errs.Invalid, "nvd: %q is not a string", key)
	}
	switch {
	case key == "format" && s != "NVD_CVE":
		return errs.E(errs.Invalid, "nvd: format %q is not NVD_CVE", clip(s))
	case key == "version" && !strings.HasPrefix(s, "2."):
		return errs.E(errs.Invalid, "nvd: version %q is not 2.x (only the CVE API 2.0 shape is read)", clip(s))
	}
	return nil
}

func expectDelim(dec *json.Decoder, lr *limitedReader, want json.Delim, lim Limits) error {
	tok, err := dec.Token()
	if err != nil {
		return streamError(lr, err, fmt.Sprintf("%q", string(want)), lim)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errs.E(errs.Invalid, "nvd: expected %q at offset %d", string(want), dec.InputOffset())
	}
	return nil
}

// streamError classifies an error of the decoder: a limit the reader
// enforced, or input that is not JSON of the expected shape.
func streamError(lr *limitedReader, err error, what string, lim Limits) error {
	switch {
	case lr.hitInput:
		return errs.E(errs.TooLarge, "nvd: input exceeds the limit of %d bytes", lim.MaxInputBytes)
	case lr.hitStop:
		return errs.E(errs.TooLarge, "nvd: %s exceeds the limit of %d bytes", what, lim.MaxRecordBytes)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Wrap(errs.Invalid, err, "nvd: input ends early, reading %s", what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errs.Wrap(errs.Invalid, err, "nvd: malformed JSON at offset %d, reading %s", se.Offset, what)
	}
	return errs.Wrap(errs.Invalid, err, "nvd: cannot read %s", what)
}

// errLimit is what limitedReader returns at a limit; Read reports the limit
// itself, never this error.
var errLimit = errors.New("nvd: read limit reached")

// limitedReader reads from r up to stop, an offset in the stream that Read
// moves before each record so that the decoder cannot pull in more than one
// record's worth of bytes, and never past max.
type limitedReader struct {
	r                 io.Reader
	n                 int64 // bytes read so far
	max, stop         int64
	hitInput, hitStop bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	left := l.stop - l.n
	if left <= 0 {
		if l.stop >= l.max {
			l.hitInput = true
		} else {
			l.hitStop = true
		}
		return 0, errLimit
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// parseRecord decodes one element of "vulnerabilities".
func parseRecord(m json.RawMessage, lim Limits) (*advisory.Advisory, error) {
	if !utf8.Valid(m) {
		return nil, errs.E(errs.Invalid, "nvd: record is not valid UTF-8")
	}
	if advisory.JSONDepthExceeds(m, lim.MaxDepth) {
		return nil, errs.E(errs.TooLarge, "nvd: record nests JSON deeper than %d levels", lim.MaxDepth)
	}
	var v struct {
		CVE *cve `json:"cve"`
	}
	if err := json.Unmarshal(m, &v); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "nvd: malformed record")
	}
	if v.CVE == nil {
		return nil, errs.E(errs.Invalid, "nvd: record has no \"cve\" object")
	}
	return v.CVE.advisory()
}

// clip shortens input quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
