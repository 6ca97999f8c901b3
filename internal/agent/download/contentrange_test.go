package download

import (
	"math"
	"strconv"
	"testing"
)

func TestParseContentRange(t *testing.T) {
	max := strconv.FormatInt(math.MaxInt64, 10)
	tests := []struct {
		in   string
		want contentRange
		ok   bool
	}{
		{"bytes 0-0/1", contentRange{0, 0, 1}, true},
		{"bytes 100-199/200", contentRange{100, 199, 200}, true},
		{"bytes 100-199/*", contentRange{100, 199, -1}, true},
		{"bytes 0-" + strconv.FormatInt(math.MaxInt64-1, 10) + "/" + max, contentRange{0, math.MaxInt64 - 1, math.MaxInt64}, true},
		{"bytes 5-" + max + "/*", contentRange{5, math.MaxInt64, -1}, true},
		{"", contentRange{}, false},
		{"bytes", contentRange{}, false},
		{"bytes ", contentRange{}, false},
		{"bytes */200", contentRange{}, false},                    // unsatisfied form, for 416
		{"Bytes 0-1/2", contentRange{}, false},                    // strict unit
		{"bytes  0-1/2", contentRange{}, false},                   // two spaces
		{"bytes=0-1/2", contentRange{}, false},                    // request syntax
		{"items 0-1/2", contentRange{}, false},                    // other unit
		{"bytes 0-1/2 ", contentRange{}, false},                   // trailing space
		{"bytes 0 -1/2", contentRange{}, false},                   // inner space
		{"bytes -1-1/2", contentRange{}, false},                   // sign
		{"bytes +0-1/2", contentRange{}, false},                   // sign
		{"bytes 00-1/2", contentRange{}, false},                   // leading zero
		{"bytes 0-01/2", contentRange{}, false},                   // leading zero
		{"bytes 0-1/02", contentRange{}, false},                   // leading zero
		{"bytes 0x0-1/2", contentRange{}, false},                  // hex
		{"bytes 0-1", contentRange{}, false},                      // no length
		{"bytes 0-1/", contentRange{}, false},                     // empty length
		{"bytes 0-/2", contentRange{}, false},                     // open range
		{"bytes -1/2", contentRange{}, false},                     // suffix form
		{"bytes 2-1/3", contentRange{}, false},                    // first > last
		{"bytes 0-2/2", contentRange{}, false},                    // last >= complete
		{"bytes 0-0/0", contentRange{}, false},                    // empty representation
		{"bytes 0-1/2/3", contentRange{}, false},                  // extra slash
		{"bytes 0-1-2/3", contentRange{}, false},                  // extra dash
		{"bytes 0-1/2, 4-5/6", contentRange{}, false},             // list
		{"bytes 0-1/9223372036854775808", contentRange{}, false},  // overflow
		{"bytes 0-9223372036854775808/*", contentRange{}, false},  // overflow
		{"bytes 0-1/00000000000000000002", contentRange{}, false}, // long
		{"bytes ０-1/2", contentRange{}, false},                    // non-ASCII digit
	}
	for _, tt := range tests {
		got, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseContentRange(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("parseContentRange(%q) formats back as %q", tt.in, got.String())
		}
	}
}

// FuzzParseContentRange checks that the parser never panics, that what it
// accepts is a satisfiable range, and that it accepts only the canonical
// spelling (so accepted input formats back to itself).
func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{
		"bytes 0-0/1", "bytes 100-199/200", "bytes 100-199/*", "bytes */200",
		"bytes 0-9223372036854775806/9223372036854775807", "bytes 00-1/2",
		"bytes -1-1/2", "bytes 0-1/9223372036854775808", "bytes 2-1/3", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseContentRange(s)
		if err != nil {
			if cr != (contentRange{}) {
				t.Fatalf("parseContentRange(%q) failed but returned %+v", s, cr)
			}
			return
		}
		if cr.First < 0 || cr.First > cr.Last || cr.Complete < -1 || (cr.Complete >= 0 && cr.Last >= cr.Complete) {
			t.Fatalf("parseContentRange(%q) accepted an unsatisfiable range %+v", s, cr)
		}
		if cr.String() != s {
			t.Fatalf("parseContentRange(%q) = %+v, which formats as %q", s, cr, cr.String())
		}
	})
}
