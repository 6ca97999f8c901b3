package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lifeline-iot/lifeline/internal/client"
)

// table prints rows under a header, aligned in columns.
func table(w io.Writer, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			r[i] = strings.Map(func(c rune) rune {
				if c == '\t' || c == '\n' || c == '\r' || c < 0x20 {
					return ' '
				}
				return c
			}, r[i])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// emit prints v as JSON, or calls tableFn for the table form.
func (g *globals) emit(w io.Writer, v any, tableFn func()) error {
	asJSON, err := g.json()
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(w, v)
	}
	tableFn()
	return nil
}

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printDetails shows the structured part of an API error, such as an import report.
func printDetails(w io.Writer, e *client.APIError) {
	if len(e.Details) == 0 {
		return
	}
	var rep struct {
		ProblemCount int `json:"problem_count"`
		Problems     []struct {
			Row     int    `json:"row"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	if json.Unmarshal(e.Details, &rep) != nil || len(rep.Problems) == 0 {
		return
	}
	for _, p := range rep.Problems {
		switch {
		case p.Row == 0:
			fmt.Fprintf(w, "  %s\n", p.Message)
		case p.Field != "":
			fmt.Fprintf(w, "  row %d: %s: %s\n", p.Row, p.Field, p.Message)
		default:
			fmt.Fprintf(w, "  row %d: %s\n", p.Row, p.Message)
		}
	}
	if rep.ProblemCount > len(rep.Problems) {
		fmt.Fprintf(w, "  … and %d more\n", rep.ProblemCount-len(rep.Problems))
	}
}
