// Package errs is Lifeline's error vocabulary. Every layer describes what
// went wrong with one of a few kinds; storage adapters translate driver errors
// into these kinds and transports (HTTP, CLI) translate the kinds into status
// codes and exit codes. No layer needs to know another layer's errors.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds. Do not reorder: values may be logged.
const (
	Internal         Kind = iota // a bug or an infrastructure failure; details stay private
	Invalid                      // the request is malformed or fails validation
	NotFound                     // the thing does not exist, or the caller may not know it does
	Conflict                     // the request clashes with current state (duplicate, refused change)
	Unauthenticated              // no or bad credentials
	PermissionDenied             // credentials fine, permission missing
	TooLarge                     // the request body or an import exceeds a limit
	Unavailable                  // a dependency is down; retrying may help
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthenticated", "permission_denied", "too_large", "unavailable"}

// String returns the kind's machine code, which is also the default public error code.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a kind, a public message and an optional private cause.
// Message and Fields are safe to show to the caller; Err is for logs only.
type Error struct {
	Kind    Kind
	Code    string // machine-readable code; defaults to Kind.String()
	Message string // human-readable, public
	Fields  []FieldError
	Details any   // public, structured: shown to callers as the error's "details"
	Err     error // private cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the private cause.
func (e *Error) Unwrap() error { return e.Err }

// PublicCode returns the machine code shown to callers.
func (e *Error) PublicCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// E builds an error of the given kind with a public message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an error of the given kind that keeps err as its private cause.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// WithCode returns e with a specific machine code.
func (e *Error) WithCode(code string) *Error {
	e.Code = code
	return e
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err's chain holds an *Error of the given kind.
func Is(err error, kind Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// Public returns the first *Error in err's chain, or a generic internal error
// that reveals nothing of err.
func Public(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e
	}
	return &Error{Kind: Internal, Message: "internal error"}
}
