package cli

import (
	"net/url"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/client"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
)

// listAll follows next_cursor until the list ends.
func listAll[T any](cmd *cobra.Command, c *client.Client, path string, q url.Values) ([]T, error) {
	return listUpTo[T](cmd, c, path, q, 0)
}

// listUpTo follows next_cursor until the list ends or max items (0: no limit) are read.
func listUpTo[T any](cmd *cobra.Command, c *client.Client, path string, q url.Values, max int) ([]T, error) {
	out := []T{}
	q.Set("limit", "1000")
	if max > 0 && max < 1000 {
		q.Set("limit", strconv.Itoa(max))
	}
	for {
		var l httpapi.ListBody[T]
		if err := c.Do(cmd.Context(), "GET", path, q, nil, &l); err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == "" || (max > 0 && len(out) >= max) {
			break
		}
		q.Set("cursor", l.NextCursor)
	}
	if max > 0 && len(out) > max {
		out = out[:max]
	}
	return out, nil
}
