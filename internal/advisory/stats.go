package advisory

import (
	"fmt"
	"time"
)

// MaxImportErrors caps ImportStats.Errors; ErrorCount keeps counting.
const MaxImportErrors = 100

// ImportStats summarises one feed import. Feed readers fill it in as they
// go; a malformed record is counted and described here instead of aborting
// the whole import.
type ImportStats struct {
	Records     int       // records passed to the caller
	Unchanged   int       // records not modified after the import's Since time
	Skipped     int       // entries that are not records (other files, unsupported kinds)
	ErrorCount  int       // malformed records, all of them
	Errors      []string  // descriptions of the first MaxImportErrors malformed records
	MaxModified time.Time // the latest Modified time seen; store it as the next Since
}

// AddError counts one malformed record and keeps its description while
// fewer than MaxImportErrors are kept.
func (s *ImportStats) AddError(msg string) {
	s.ErrorCount++
	if len(s.Errors) < MaxImportErrors {
		s.Errors = append(s.Errors, msg)
	}
}

// SeeModified raises MaxModified to t when t is later.
func (s *ImportStats) SeeModified(t time.Time) {
	if t.After(s.MaxModified) {
		s.MaxModified = t
	}
}

// String summarises the counts in one line for logs.
func (s *ImportStats) String() string {
	return fmt.Sprintf("%d records, %d unchanged, %d skipped, %d errors", s.Records, s.Unchanged, s.Skipped, s.ErrorCount)
}
