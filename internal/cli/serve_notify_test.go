package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

func TestFeedFlags(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		kind string
		loc  string
	}{
		{"nvd=nvd:/srv/feeds/nvd.json", true, "nvd", "/srv/feeds/nvd.json"},
		{"kev=kev:https://feeds.example/kev.json", true, "kev", "https://feeds.example/kev.json"},
		{"nvd:/srv/feeds/nvd.json", false, "", ""},
		{"nvd=nvd", false, "", ""},
		{"=nvd:/x", false, "", ""},
	}
	for _, tc := range tests {
		ff := feedFlags{feeds: []string{tc.in}}
		specs, err := ff.specs()
		if (err == nil) != tc.ok {
			t.Fatalf("%q: err %v", tc.in, err)
		}
		if tc.ok && (specs[0].Kind != tc.kind || specs[0].Location != tc.loc) {
			t.Fatalf("%q: %+v", tc.in, specs[0])
		}
	}
}

// TestConfigFileRepeatableFlag sets two feeds from a config file list.
func TestConfigFileRepeatableFlag(t *testing.T) {
	var ff feedFlags
	cmd := &cobra.Command{Use: "x"}
	ff.register(cmd)
	cmd.Flags().String("config", "", "")
	path := filepath.Join(t.TempDir(), "lifeline.json")
	if err := os.WriteFile(path, []byte(`{"feed": ["a=nvd:/a.json", "b=kev:/b.json"], "feed-interval": "1h"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := applyEnvAndFile(cmd.Flags(), path); err != nil {
		t.Fatal(err)
	}
	if len(ff.feeds) != 2 || ff.feeds[1] != "b=kev:/b.json" || ff.interval.Hours() != 1 {
		t.Fatalf("feeds = %v, interval %v", ff.feeds, ff.interval)
	}
}
