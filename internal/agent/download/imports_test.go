package download

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package fit for the small agent binary: it may
// import the standard library and go-tuf's metadata package, nothing else.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"github.com/theupdateframework/go-tuf/v2/metadata": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if !strings.Contains(first, ".") || allowed[path] {
				continue
			}
			t.Errorf("%s imports %s; the agent's download package may import only the standard library and %v", f, path, allowed)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}
}
