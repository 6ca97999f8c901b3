package store

import (
	"encoding/base64"
	"encoding/json"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string // opaque; from a previous List.Next
}

// List is one page of results.
type List[T any] struct {
	Items []T
	Next  string // cursor for the following page; empty on the last page
}

// Cursor is the position after the last item of a page: the sort key of
// that item and its ID to break ties.
type Cursor struct {
	Key string `json:"k,omitempty"`
	ID  string `json:"i"`
}

// Encode returns the cursor as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by Encode. An empty string is the start.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return Cursor{}, errs.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return c, nil
}

// Normalized returns the page with its limit clamped to [1, MaxLimit].
func (p Page) Normalized() Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultLimit
	case p.Limit > MaxLimit:
		p.Limit = MaxLimit
	}
	return p
}
