package conventions

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, two levels up from this package.
const repoRoot = "../.."

// packages returns every directory holding non-test Go files.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != repoRoot {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestPackageDocs requires exactly one package doc comment per package.
func TestPackageDocs(t *testing.T) {
	for dir, files := range packages(t) {
		docs := 0
		for _, f := range files {
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Doc != nil && strings.TrimSpace(parsed.Doc.Text()) != "" {
				docs++
			}
		}
		if docs != 1 {
			t.Errorf("%s has %d package doc comments, want exactly 1", dir, docs)
		}
	}
}

// domainPackages hold Lifeline's types and rules; they must not depend on
// storage, transport or other infrastructure.
var domainPackages = []string{"access", "advisory", "advisory/csaf", "advisory/kev", "advisory/nvd", "advisory/osv", "audit", "component", "deviceapi", "deviceimport", "errs",
	"exposure", "registry", "rollout", "sbom", "secretbox", "slug", "store", "supportperiod", "tufrepo", "version", "vex", "vex/vexdoc", "vulnmatch"}

var forbiddenInDomain = []string{"database/sql", "net/http", "os/exec", "github.com/jackc/", "modernc.org/", "github.com/spf13/", "github.com/prometheus/",
	"github.com/lifeline-iot/lifeline/internal/sqlstore", "github.com/lifeline-iot/lifeline/internal/sqlite", "github.com/lifeline-iot/lifeline/internal/postgres",
	"github.com/lifeline-iot/lifeline/internal/httpapi", "github.com/lifeline-iot/lifeline/internal/webui", "github.com/lifeline-iot/lifeline/internal/server",
	"github.com/lifeline-iot/lifeline/internal/service", "github.com/lifeline-iot/lifeline/internal/cli", "github.com/lifeline-iot/lifeline/internal/blob",
	"github.com/lifeline-iot/lifeline/internal/tufhttp", "github.com/lifeline-iot/lifeline/internal/agent/"}

// TestDomainImportsNoInfrastructure keeps the domain packages pure.
func TestDomainImportsNoInfrastructure(t *testing.T) {
	for dir, files := range packages(t) {
		rel, _ := filepath.Rel(filepath.Join(repoRoot, "internal"), dir)
		if !slices.Contains(domainPackages, rel) {
			continue
		}
		for _, f := range files {
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbiddenInDomain {
					if strings.HasPrefix(path, bad) {
						t.Errorf("%s imports %s; domain packages must not depend on infrastructure", f, path)
					}
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "internal", "registry")); err != nil {
		t.Fatal("the test is not looking at the repository:", err)
	}
}
