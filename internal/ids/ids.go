// Package ids makes identifiers for stored records: UUIDv7 strings, which
// sort by creation time and so make stable pagination cursors.
package ids

import "github.com/google/uuid"

// New returns a new time-ordered identifier.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s has the shape of an identifier made by New.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
