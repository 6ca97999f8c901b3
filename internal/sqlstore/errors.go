package sqlstore

import (
	"context"
	"errors"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Generic conflict errors; methods that know better replace them with a
// message naming the thing.
var (
	errDuplicate = errs.E(errs.Conflict, "that already exists").WithCode("already_exists")
	errInUse     = errs.E(errs.Conflict, "that is still in use or refers to something missing").WithCode("in_use")
)

// translate turns driver errors into the errs vocabulary at the storage edge.
func translate(d Dialect, err error) error {
	switch {
	case err == nil:
		return nil
	case d.IsUniqueViolation(err):
		return &errs.Error{Kind: errs.Conflict, Code: errDuplicate.Code, Message: errDuplicate.Message, Err: err}
	case d.IsForeignKeyViolation(err):
		return &errs.Error{Kind: errs.Conflict, Code: errInUse.Code, Message: errInUse.Message, Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errs.Wrap(errs.Unavailable, err, "the request took too long or was cancelled")
	}
	return err
}

// conflictAs replaces a generic duplicate error with a specific one.
func conflictAs(err error, specific *errs.Error) error {
	if errs.Is(err, errs.Conflict) {
		var e *errs.Error
		if errors.As(err, &e) && e.Code == errDuplicate.Code {
			s := *specific
			s.Err = err
			return &s
		}
	}
	return err
}

// inUseAs replaces a generic foreign-key error with a specific one.
func inUseAs(err error, specific *errs.Error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Code == errInUse.Code {
		s := *specific
		s.Err = err
		return &s
	}
	return err
}
