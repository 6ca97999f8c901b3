package blob_test

import (
	"path"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"firmware/acme/cam-1/1.0.0.bin", true},
		{"sha256/9f/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		{"A_b-C.d/e..f", true}, // ".." inside a segment is harmless
		{strings.Repeat("a", blob.MaxKeyLen), true},
		{"", false},
		{strings.Repeat("a", blob.MaxKeyLen+1), false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"..", false},
		{"a/../b", false},
		{".", false},
		{"a/./b", false},
		{".tmp/x", false},
		{"a/.hidden", false},
		{"a b", false},
		{`a\b`, false},
		{"a\x00b", false},
		{"a%2Fb", false},
		{"caf\u00e9", false},
		{"a:b", false},
	}
	for _, tc := range tests {
		err := blob.ValidKey(tc.key)
		if tc.ok && err != nil {
			t.Errorf("ValidKey(%q) = %v, want nil", tc.key, err)
		}
		if !tc.ok && !errs.Is(err, errs.Invalid) {
			t.Errorf("ValidKey(%q) = %v, want an invalid error", tc.key, err)
		}
	}
}

// FuzzValidKey checks the property the adapters rely on: an accepted key is a
// clean relative path that cannot leave the store's root or name a dot-file.
func FuzzValidKey(f *testing.F) {
	for _, s := range []string{"a", "a/b.bin", "../x", "/etc/passwd", "a//b", ".tmp/x", "a/./b", "x\\y", strings.Repeat("z/", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := blob.ValidKey(key)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ValidKey(%q) = %v, want an invalid error", key, err)
			}
			return
		}
		if key == "" || len(key) > blob.MaxKeyLen {
			t.Fatalf("ValidKey accepted %q (%d bytes)", key, len(key))
		}
		if path.Clean(key) != key || path.IsAbs(key) || strings.HasPrefix(key, "../") {
			t.Fatalf("ValidKey accepted unclean or escaping path %q", key)
		}
		for seg := range strings.SplitSeq(key, "/") {
			if seg == "" || seg[0] == '.' {
				t.Fatalf("ValidKey accepted segment %q in %q", seg, key)
			}
		}
		if strings.ContainsFunc(key, func(r rune) bool { return r >= 0x80 || r <= ' ' || r == '\\' }) {
			t.Fatalf("ValidKey accepted %q with a control, space, backslash or non-ASCII character", key)
		}
	})
}
