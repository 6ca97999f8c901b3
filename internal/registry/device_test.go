package registry

import (
	"strings"
	"testing"
)

func TestValidSerial(t *testing.T) {
	for s, want := range map[string]bool{
		"SN-1": true, "a.b": true, "...": true, ".a": true, "a..": true, strings.Repeat("x", MaxSerialLen): true,
		"": false, "SN 1": false, "a/b": false, "a?b": false, "a#b": false, "a%2e": false, "a\x7f": false,
		strings.Repeat("x", MaxSerialLen+1): false,
		// A device's address is /products/{product}/devices/{serial}: "."
		// and ".." are cleaned out of it, so such a device could never be
		// read, reset or removed (found by FuzzDeviceEnrol).
		".": false, "..": false,
	} {
		if got := ValidSerial(s); got != want {
			t.Errorf("ValidSerial(%q) = %v, want %v", s, got, want)
		}
	}
}
