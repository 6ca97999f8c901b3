package deviceimport

import (
	"fmt"

	"github.com/lifeline-iot/lifeline/internal/registry"
)

// MaxProblemsListed caps the problems a report lists; Report.ProblemCount
// still counts them all.
const MaxProblemsListed = 1000

// Row is one device read from an import file.
type Row struct {
	Row    int // 1-based data row: for CSV the header is row 0; for JSON the array index plus one
	Device registry.Device
}

// Problem is one thing wrong with one row (Row 0: the file as a whole).
type Problem struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Row == 0:
		return p.Message
	case p.Field == "":
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d: %s: %s", p.Row, p.Field, p.Message)
}

// Report is the outcome of an import. When Problems is not empty, nothing was written.
type Report struct {
	Rows         int       `json:"rows"`
	Created      int       `json:"created"`
	Updated      int       `json:"updated"`
	DryRun       bool      `json:"dry_run"`
	Applied      bool      `json:"applied"`
	ProblemCount int       `json:"problem_count"`
	Problems     []Problem `json:"problems"`
}

// Problems collects problems up to MaxProblemsListed while counting all of them.
type Problems struct {
	List  []Problem
	Count int
}

// Add records a problem.
func (ps *Problems) Add(row int, field, format string, args ...any) {
	ps.Count++
	if len(ps.List) < MaxProblemsListed {
		ps.List = append(ps.List, Problem{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
	}
}
