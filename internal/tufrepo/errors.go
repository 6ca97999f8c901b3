package tufrepo

import "github.com/lifeline-iot/lifeline/internal/errs"

func errPolicy(msg string) error { return errs.E(errs.Invalid, "TUF expiry policy: %s", msg) }

// refused is a refused root or metadata: the caller's input is at fault.
func refused(code, format string, args ...any) error {
	return errs.E(errs.Invalid, format, args...).WithCode(code)
}
