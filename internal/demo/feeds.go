package demo

import (
	"embed"
	"os"
	"path/filepath"
)

//go:embed feeds/*.json
var feeds embed.FS

// writeFeed copies an embedded demo feed into dir, for the importer, which
// reads feeds from files the way an operator's mirror provides them.
func writeFeed(dir, name string) (string, error) {
	b, err := feeds.ReadFile("feeds/" + name)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, b, 0o600)
}
