package webui

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/store"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

// listPage reads the page a list request asks for.
func listPage(r *http.Request) store.Page {
	return store.Page{Limit: pageSize, Cursor: r.URL.Query().Get("cursor")}
}

// pager holds the links between the pages of a list. Lists use keyset
// cursors, so there is a next page and a way back to the first, but no
// page numbers.
type pager struct {
	Next  string // the following page; empty on the last
	First string // the first page; empty on the first
}

// newPager builds the links for a list shown at r whose next cursor is
// next, keeping the list's filters.
func newPager(r *http.Request, next string) pager {
	q := r.URL.Query()
	q.Del("done")
	var p pager
	if q.Get("cursor") != "" {
		first := r.URL.Query()
		first.Del("done")
		first.Del("cursor")
		p.First = withQuery(r.URL.Path, first.Encode())
	}
	if next != "" {
		q.Set("cursor", next)
		p.Next = withQuery(r.URL.Path, q.Encode())
	}
	return p
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}
