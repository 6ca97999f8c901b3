package store_test

import (
	"testing"

	"github.com/lifeline-iot/lifeline/internal/store"
)

func TestCursorRoundTrip(t *testing.T) {
	c := store.Cursor{Key: "Smart Plug ✓", ID: "01a2110e-9bcf-7904-99ba-2ec86198ea5b"}
	got, err := store.DecodeCursor(c.Encode())
	if err != nil || got != c {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if c, err := store.DecodeCursor(""); err != nil || c.ID != "" {
		t.Fatalf("empty cursor: %+v %v", c, err)
	}
	for _, bad := range []string{"!!", "e30", "bnVsbA"} { // invalid base64, {}, null
		if _, err := store.DecodeCursor(bad); err == nil {
			t.Errorf("DecodeCursor(%q) accepted", bad)
		}
	}
}

func TestPageNormalized(t *testing.T) {
	for in, want := range map[int]int{0: store.DefaultLimit, -5: store.DefaultLimit, 10: 10, 5000: store.MaxLimit} {
		if got := (store.Page{Limit: in}).Normalized().Limit; got != want {
			t.Errorf("limit %d → %d, want %d", in, got, want)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(store.Cursor{Key: "a", ID: "b"}.Encode())
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := store.DecodeCursor(s)
		if err == nil && s != "" && c.ID == "" {
			t.Fatalf("DecodeCursor(%q) gave a cursor without an ID", s)
		}
	})
}
