//go:build !unix

package cli

// lockStateDir does nothing where flock is not available.
func lockStateDir(string) (func(), error) { return func() {}, nil }
