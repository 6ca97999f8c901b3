package webui

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// maxUploadOverhead is what an upload form may send besides its file: the
// multipart boundaries and part headers, and the ordinary fields before the
// file.
const maxUploadOverhead = 64 << 10

// maxUploadFieldBytes bounds each ordinary field of an upload form.
const maxUploadFieldBytes = 4 << 10

// readMultipart reads an upload form as a stream, the way browsers send it:
// the ordinary fields first, in the order the form lists them (the form
// token first of all), then the file, in the part named "file". It reads
// the fields into values and, when the file part arrives, checks the form
// token before a byte of the file is read. It returns the file part,
// unread, for the caller to stream, or nil when the form was sent without
// choosing a file. Parts after the file are never read.
//
// The caller bounds r.Body first. Errors are errBadCSRF, a bad_form error,
// or the error reading the body, which readError words.
func readMultipart(r *http.Request, m *member, values url.Values) (*multipart.Part, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "Send the file with the upload form on Lifeline's page.").WithCode("bad_form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() != "file" {
			if err := readField(part, values); err != nil {
				return nil, err
			}
			continue
		}
		if !validSessionCSRF(m.csrfKey, values.Get(csrfField)) {
			return nil, errBadCSRF
		}
		if part.FileName() == "" {
			return nil, nil // the form was sent without choosing a file
		}
		return part, nil
	}
	if !validSessionCSRF(m.csrfKey, values.Get(csrfField)) {
		return nil, errBadCSRF
	}
	return nil, nil
}

// readField reads one ordinary form field into values.
func readField(part *multipart.Part, values url.Values) error {
	b, err := io.ReadAll(io.LimitReader(part, maxUploadFieldBytes+1))
	if err != nil {
		return err
	}
	if len(b) > maxUploadFieldBytes {
		return errs.E(errs.Invalid, "The form field %q is too long.", part.FormName()).WithCode("bad_form")
	}
	values.Add(part.FormName(), string(b))
	return nil
}

// readError words a failure to read an upload form: over its size limit,
// which tooLarge words, or broken off or malformed, which is the request's
// fault, not the server's. Errors Lifeline made itself pass through.
func readError(err error, tooLarge func(error) error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return tooLarge(err)
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Invalid, err, "The upload could not be read. Try again.").WithCode("bad_form")
}

// errOverCap is what a capReader returns once its source holds more than
// the cap; the reader's over field says so without depending on how the
// consumer wraps the error.
var errOverCap = errors.New("upload over its size limit")

// capReader passes at most left bytes of r through and fails, setting
// over, when r holds more.
type capReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.over = true
			return 0, errOverCap
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// filePart reads an upload form up to its file part, checking the form
// token on the way. When the form is malformed or too large it answers with
// the error page, and when it names no file it shows the form again with
// missing on the file field; either way it returns nil.
func (u *UI) filePart(w http.ResponseWriter, r *http.Request, m *member, f *form, tooLarge func(error) error, missing string, showForm func(status int)) *multipart.Part {
	part, err := readMultipart(r, m, f.Values)
	if err != nil {
		u.fail(w, r, readError(err, tooLarge))
		return nil
	}
	if part == nil {
		f.setError("file", missing)
		f.Problem = "Please correct the fields marked below."
		showForm(http.StatusBadRequest)
		return nil
	}
	return part
}

// showRefusedFile shows on an upload form why the service refused a
// streamed file — larger than limit, or not a readable what (the service's
// Invalid or TooLarge errors, whose messages start with prefix) — and
// reports whether it did. Any other error is the caller's to show.
func showRefusedFile(f *form, file *capReader, err error, limit int64, prefix, what string, showForm func(status int)) bool {
	var maxErr *http.MaxBytesError
	switch {
	case file.over || errors.As(err, &maxErr):
		f.setError("file", "is larger than "+humanBytes(limit)+", the most this server accepts")
		f.Problem = "Please correct the fields marked below. Nothing was changed."
		showForm(http.StatusRequestEntityTooLarge)
	case errs.Is(err, errs.Invalid) || errs.Is(err, errs.TooLarge):
		status := http.StatusBadRequest
		if errs.Is(err, errs.TooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		f.setError("file", "was refused: "+strings.TrimPrefix(errs.Public(err).Message, prefix))
		f.Problem = "The file is not " + what + " Lifeline can read. Nothing was changed."
		showForm(status)
	default:
		return false
	}
	return true
}
