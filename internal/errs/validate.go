package errs

import "fmt"

// Fields collects field-level validation failures so one response can name
// every bad field at once.
type Fields []FieldError

// Add records a failure for field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records a failure for field when ok is false.
func (f *Fields) Check(ok bool, field, format string, args ...any) {
	if !ok {
		f.Add(field, format, args...)
	}
}

// Err returns an Invalid error listing the failures, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "invalid input"
	if len(f) == 1 {
		msg = "invalid " + f[0].Field + ": " + f[0].Message
	}
	return &Error{Kind: Invalid, Code: "validation_failed", Message: msg, Fields: f}
}

// Invalidf is shorthand for a validation error on a single field.
func Invalidf(field, format string, args ...any) error {
	var f Fields
	f.Add(field, format, args...)
	return f.Err()
}
