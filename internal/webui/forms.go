package webui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
)

// form is one HTML form's state: what the user typed, and what was wrong
// with it. A form that failed is shown again with the same values, so no
// input is lost.
type form struct {
	// ID prefixes the form's element IDs, so that several forms on one page
	// do not clash.
	ID      string
	Values  url.Values
	Errors  map[string]string
	Problem string // a message about the form as a whole

	fields []string // the inputs the form shows, so other errors go to Problem
}

// newForm returns a form showing the named inputs with the given values.
func newForm(id string, values url.Values, fields ...string) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{ID: id, Values: values, Errors: map[string]string{}, fields: fields}
}

// Get returns an input's value.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Err returns an input's error message, if any.
func (f *form) Err(name string) string { return f.Errors[name] }

// Checked reports whether a checkbox (or one of a group) was ticked.
func (f *form) Checked(name, value string) bool { return slices.Contains(f.Values[name], value) }

// Failed reports whether the form has anything to show about an error.
func (f *form) Failed() bool { return f.Problem != "" || len(f.Errors) > 0 }

// setError records msg against an input.
func (f *form) setError(name, msg string) {
	if prev, ok := f.Errors[name]; ok {
		msg = prev + "; " + msg
	}
	f.Errors[name] = msg
}

// fail shows err on the form when it is about the input (invalid or
// conflicting), renaming the service's field names to the form's inputs
// where they differ. It returns the status to answer with, and false when
// err is not about the input and deserves an error page instead.
func (f *form) fail(err error, rename map[string]string) (int, bool) {
	status, pub := httpx.Status(err)
	if pub.Kind != errs.Invalid && pub.Kind != errs.Conflict {
		return status, false
	}
	var stray []string
	for _, fe := range pub.Fields {
		name := fe.Field
		if to, ok := rename[name]; ok {
			name = to
		}
		if slices.Contains(f.fields, name) {
			f.setError(name, fe.Message)
		} else {
			stray = append(stray, fe.Field+": "+fe.Message)
		}
	}
	switch {
	case len(pub.Fields) == 0:
		f.Problem = sentence(pub.Message)
	case len(stray) > 0:
		f.Problem = "Please correct the following: " + strings.Join(stray, "; ") + "."
	default:
		f.Problem = "Please correct the fields marked below."
	}
	return status, true
}

// sentence capitalises a service message for display on its own.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// fieldView is one labelled input, as the "input", "textarea" and
// "checkbox" templates draw it.
type fieldView struct {
	ID, Name, Label, Type, Value, Hint, Error string
	Required, Checked                         bool
	// Unmarked drops the "(optional)" marker, for filters where every
	// input is optional.
	Unmarked                                 bool
	Autocomplete, Placeholder, Pattern, List string
	Accept                                   string // file types a file input offers
	MaxLength, Rows                          int
	Options                                  []option
}

// DescribedBy lists the IDs of the hint and the error, for aria-describedby.
func (v fieldView) DescribedBy() string {
	var ids []string
	if v.Hint != "" {
		ids = append(ids, v.ID+"-hint")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// field builds a fieldView for templates:
//
//	{{template "input" (field .Form "email" "Email address" "type=email" "required" "autocomplete=email")}}
//
// Options are "required", "unmarked", or key=value pairs for type, hint, autocomplete,
// placeholder, pattern, list, accept, maxlength and rows.
func field(f *form, name, label string, opts ...string) fieldView {
	v := fieldView{ID: f.ID + "-" + name, Name: name, Label: label, Type: "text", Value: f.Get(name), Error: f.Err(name), Checked: f.Get(name) != ""}
	for _, o := range opts {
		key, val, _ := strings.Cut(o, "=")
		switch key {
		case "required":
			v.Required = true
		case "unmarked":
			v.Unmarked = true
		case "type":
			v.Type = val
		case "hint":
			v.Hint = val
		case "autocomplete":
			v.Autocomplete = val
		case "placeholder":
			v.Placeholder = val
		case "pattern":
			v.Pattern = val
		case "list":
			v.List = val
		case "accept":
			v.Accept = val
		case "maxlength":
			v.MaxLength = atoiOr(val, 0)
		case "rows":
			v.Rows = atoiOr(val, 0)
		}
	}
	if v.Type == "password" {
		v.Value = "" // never send a password back to the browser
	}
	return v
}

// withOptions gives a select field its choices, marking the chosen one.
func withOptions(v fieldView, opts []option) fieldView {
	v.Options = make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == v.Value
		v.Options[i] = o
	}
	return v
}

// atoiOr reads a number from a template option, or def when it is not one.
func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// formValues copies the posted values of the named inputs, trimmed of
// surrounding spaces; passwords are read separately and never copied.
func formValues(r *http.Request, names ...string) url.Values {
	v := url.Values{}
	for _, n := range names {
		if vals, ok := r.PostForm[n]; ok {
			for _, s := range vals {
				v.Add(n, strings.TrimSpace(s))
			}
		}
	}
	return v
}
