package cli

import (
	"net/url"

	"github.com/spf13/cobra"

	"fmt"
	"io"
	"os"
	"time"

	"github.com/lifeline-iot/lifeline/internal/client"
)

// progress reports how much of an upload has been sent. On a terminal it
// redraws one line; elsewhere (logs, CI) it prints a line every 25%.
type progress struct {
	r        io.Reader
	w        io.Writer
	total    int64
	sent     int64
	label    string
	tty      bool
	last     time.Time
	lastStep int64
}

func newProgress(w io.Writer, r io.Reader, total int64, label string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{r: r, w: w, total: total, label: label, tty: tty}
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.sent += int64(n)
	p.report(false)
	return n, err
}

func (p *progress) report(final bool) {
	if p.total <= 0 {
		return
	}
	pct := p.sent * 100 / p.total
	switch {
	case p.tty:
		if !final && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r%s %3d%% (%s of %s)", p.label, pct, mb(p.sent), mb(p.total))
		if final {
			fmt.Fprintln(p.w)
		}
	case pct/25 > p.lastStep/25 || (final && p.lastStep < 100):
		p.lastStep = pct
		fmt.Fprintf(p.w, "%s %d%% (%s of %s)\n", p.label, pct, mb(p.sent), mb(p.total))
	}
}

func (p *progress) done() { p.report(true) }

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// sendFile streams the file at path to the server with method, showing
// progress, and decodes the answer into out.
func sendFile(cmd *cobra.Command, c *client.Client, method, apiPath string, query url.Values, path, label string, out any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	p := newProgress(cmd.ErrOrStderr(), f, fi.Size(), label)
	if err := c.Stream(cmd.Context(), method, apiPath, query, "application/octet-stream", p, fi.Size(), out); err != nil {
		return err
	}
	p.done()
	return nil
}
