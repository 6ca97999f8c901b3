package tufrepo

import (
	"strings"
	"testing"
)

func TestParseMetadataName(t *testing.T) {
	tests := []struct {
		in      string
		role    string
		version int64
		ok      bool
	}{
		{"timestamp.json", Timestamp, 0, true},
		{"1.root.json", Root, 1, true},
		{"12.targets.json", Targets, 12, true},
		{"3.snapshot.json", Snapshot, 3, true},
		{"root.json", "", 0, false},
		{"0.root.json", "", 0, false},
		{"01.root.json", "", 0, false},
		{"1.timestamp.json", "", 0, false},
		{"-1.root.json", "", 0, false},
		{"1.root.json.bak", "", 0, false},
		{"99999999999999999999.root.json", "", 0, false},
		{"1.bin-00.json", "", 0, false},
		{"4.bin-3ff.json", "bin-3ff", 4, true},
		{"4.bin-400.json", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		role, v, err := ParseMetadataName(tt.in)
		if (err == nil) != tt.ok || role != tt.role || v != tt.version {
			t.Errorf("ParseMetadataName(%q) = %q, %d, %v", tt.in, role, v, err)
		}
		if tt.ok && MetadataName(role, v) != tt.in && tt.in != "timestamp.json" {
			t.Errorf("MetadataName round trip of %q = %q", tt.in, MetadataName(role, v))
		}
	}
}

func TestParseTargetRequest(t *testing.T) {
	h := strings.Repeat("ab", 32)
	tests := []struct {
		in, path string
		ok       bool
	}{
		{"2.1.0/" + h + ".plug.bin", "2.1.0/plug.bin", true},
		{h + ".plug.bin", "plug.bin", true},
		{"2.1.0/plug.bin", "", false},
		{"2.1.0/" + strings.ToUpper(h) + ".plug.bin", "", false},
		{"2.1.0/" + h + ".", "", false},
		{"../" + h + ".x", "", false},
		{"a//" + h + ".x", "", false},
		{"a/" + h + "..x", "", false},
		{"a b/" + h + ".x", "", false},
		{"a/" + h[:63] + ".x", "", false},
		{"a/" + h + h + ".x", "a/x", true},
	}
	for _, tt := range tests {
		path, digest, err := ParseTargetRequest(tt.in)
		if (err == nil) != tt.ok || path != tt.path || (tt.ok && !strings.Contains(tt.in, "/"+digest+".") && !strings.HasPrefix(tt.in, digest+".")) {
			t.Errorf("ParseTargetRequest(%q) = %q, %q, %v", tt.in, path, digest, err)
		}
	}
}

func FuzzParseTargetRequest(f *testing.F) {
	f.Add("2.1.0/" + strings.Repeat("0", 64) + ".plug.bin")
	f.Add("../../etc/passwd")
	f.Fuzz(func(t *testing.T, in string) {
		path, digest, err := ParseTargetRequest(in)
		if err != nil {
			return
		}
		if ValidTargetPath(path) != nil || (len(digest) != 64 && len(digest) != 128) {
			t.Fatalf("accepted %q as %q", in, path)
		}
		for _, seg := range strings.Split(path, "/") {
			if seg == "." || seg == ".." || seg == "" {
				t.Fatalf("accepted traversal %q", in)
			}
		}
	})
}

func FuzzParseMetadataName(f *testing.F) {
	f.Add("1.root.json")
	f.Add("timestamp.json")
	f.Fuzz(func(t *testing.T, in string) {
		role, v, err := ParseMetadataName(in)
		if err != nil {
			return
		}
		if MetadataName(role, v) != in && !(role == Timestamp && v == 0) {
			t.Fatalf("%q parsed as %s %d", in, role, v)
		}
	})
}
